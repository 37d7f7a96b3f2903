/**
 * Snowflake: SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY. `base_objects_accessed` is a JSON
 * array of the base tables a query read (through views too), each
 * `{objectDomain, objectName: "DB.SCHEMA.TABLE", objectId, columns: [{columnId, columnName}]}`.
 * The view lags up to three hours and keeps 365 days.
 */
import type { AccessEvent } from './types.js';
import { splitQualified } from './pgaudit.js';

/** The query: one row per query in the period; `since` is an ISO time checked by the caller. */
export function accessHistorySql(sinceIso: string): string {
  if (Number.isNaN(new Date(sinceIso).getTime())) throw new Error(`not a time: ${sinceIso}`);
  const lit = new Date(sinceIso).toISOString();
  return (
    'SELECT query_start_time, user_name, base_objects_accessed FROM SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY ' +
    `WHERE query_start_time >= TO_TIMESTAMP_LTZ('${lit}') ORDER BY query_start_time`
  );
}

const TABLE_DOMAINS = new Set(['TABLE', 'VIEW', 'MATERIALIZED VIEW', 'EXTERNAL TABLE', 'DYNAMIC TABLE']);

export function parseAccessHistory(rows: readonly Record<string, unknown>[]): AccessEvent[] {
  const out: AccessEvent[] = [];
  for (const r of rows) {
    const get = (k: string) => r[k] ?? r[k.toLowerCase()];
    const raw = get('BASE_OBJECTS_ACCESSED');
    const objs = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { objectDomain?: string; objectName?: string; columns?: { columnName?: string }[] }[] | null;
    const t = get('QUERY_START_TIME');
    const time = t instanceof Date ? t.toISOString() : new Date(String(t)).toISOString();
    for (const o of objs ?? []) {
      if (!TABLE_DOMAINS.has(String(o.objectDomain ?? '').toUpperCase()) || !o.objectName) continue;
      const parts = splitQualified(o.objectName);
      if (parts.length !== 3) continue;
      out.push({
        user: String(get('USER_NAME')),
        time,
        table: [parts[0], parts[1], parts[2]],
        columns: Array.isArray(o.columns) ? o.columns.map((c) => String(c.columnName)) : 'unknown',
      });
    }
  }
  return out;
}
