/**
 * Databricks: system.access.column_lineage records a read of a column "whether or not
 * you write the output": source_table_full_name (catalog.schema.table),
 * source_column_name, created_by (the user), event_time. Reads lineage cannot infer
 * are not there: the report says so.
 */
import type { AccessEvent } from './types.js';
import { splitQualified } from './pgaudit.js';

export function columnLineageSql(sinceIso: string): string {
  const d = new Date(sinceIso);
  if (Number.isNaN(d.getTime())) throw new Error(`not a time: ${sinceIso}`);
  return (
    'SELECT created_by, event_time, source_table_full_name, source_column_name FROM system.access.column_lineage ' +
    `WHERE event_time >= TIMESTAMP '${d.toISOString().replace('T', ' ').replace('Z', '')}' AND source_column_name IS NOT NULL`
  );
}

export function parseColumnLineage(rows: readonly Record<string, unknown>[]): AccessEvent[] {
  const out: AccessEvent[] = [];
  for (const r of rows) {
    const parts = splitQualified(String(r.source_table_full_name ?? ''));
    if (parts.length !== 3 || !r.created_by) continue;
    const t = r.event_time;
    out.push({
      user: String(r.created_by),
      time: t instanceof Date ? t.toISOString() : new Date(String(t)).toISOString(),
      table: [parts[0], parts[1], parts[2]],
      columns: [String(r.source_column_name)],
    });
  }
  return out;
}
