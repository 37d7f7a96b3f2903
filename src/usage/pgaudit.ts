/**
 * PostgreSQL: reads from pgaudit's session audit lines in the server's CSV log
 * (log_destination = 'csvlog', pgaudit.log = 'read', pgaudit.log_relation = on, so
 * each relation a statement reads has its own line with its qualified name).
 *
 * pgaudit names relations, not columns. The columns come from the statement text,
 * parsed with PostgreSQL's own parser (libpg-query): every column reference's last
 * name, intersected by the caller with the relation's columns; `*` or a statement
 * that does not parse (a truncated or multi-statement text) makes the read `unknown`,
 * which counts as reading every column (never a false "unused").
 */
import { loadModule, parseSync } from 'libpg-query';
import { csvRecords } from './csv.js';
import type { AccessEvent } from './types.js';

/** csvlog columns (PostgreSQL 13+): log_time 0, user_name 1, database_name 2, message 13. */
const LOG_TIME = 0;
const USER = 1;
const DATABASE = 2;
const MESSAGE = 13;

/** Split `schema.table` (parts double-quoted where pgaudit quoted them). */
export function splitQualified(name: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (q) {
      if (ch === '"' && name[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === '.') {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

/** Column names a SELECT references, or 'unknown' (`*`, or the text does not parse). */
export function statementColumns(statement: string): string[] | 'unknown' {
  let tree: unknown;
  try {
    tree = parseSync(statement);
  } catch {
    return 'unknown';
  }
  const names = new Set<string>();
  let star = false;
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    const o = n as Record<string, unknown>;
    if (o.ColumnRef && typeof o.ColumnRef === 'object') {
      const fields = ((o.ColumnRef as { fields?: unknown[] }).fields ?? []) as Record<string, unknown>[];
      const last = fields[fields.length - 1];
      if (last && 'A_Star' in last) star = true;
      else if (last && 'String' in last) names.add(String((last.String as { sval?: string }).sval ?? ''));
    }
    for (const v of Object.values(o)) walk(v);
  };
  walk(tree);
  return star ? 'unknown' : [...names].sort();
}

/**
 * The read events in a csvlog text. Only `AUDIT: SESSION|OBJECT,...,READ,...` lines
 * whose object is a TABLE, VIEW, MATERIALIZED VIEW or FOREIGN TABLE count; anything
 * else in the log (errors, other classes, lines of other tools) is skipped.
 */
export function parsePgauditCsv(text: string, opts: { since?: Date } = {}): AccessEvent[] {
  const out: AccessEvent[] = [];
  const stmts = new Map<string, string[] | 'unknown'>();
  for (const rec of csvRecords(text)) {
    const msg = rec[MESSAGE];
    if (!msg || !msg.startsWith('AUDIT: ')) continue;
    const fields = [...csvRecords(msg.slice('AUDIT: '.length))][0] ?? [];
    // AUDIT_TYPE, STATEMENT_ID, SUBSTATEMENT_ID, CLASS, COMMAND, OBJECT_TYPE, OBJECT_NAME, STATEMENT, PARAMETER
    const [, , , cls, , objectType, objectName, statement] = fields;
    if (cls !== 'READ' || !objectName) continue;
    if (!['TABLE', 'VIEW', 'MATERIALIZED VIEW', 'FOREIGN TABLE'].includes(objectType ?? '')) continue;
    const time = new Date(rec[LOG_TIME].replace(/ ([A-Z]{3,4})$/, (_, z: string) => (z === 'UTC' || z === 'GMT' ? 'Z' : ` ${z}`)));
    if (opts.since && !Number.isNaN(time.getTime()) && time < opts.since) continue;
    const parts = splitQualified(objectName);
    if (parts.length !== 2) continue;
    // pgaudit.log_statement_once may leave the text on the first line only: "<previously logged>".
    const text = statement ?? '';
    let cols = stmts.get(text);
    if (cols === undefined) stmts.set(text, (cols = text === '' || text === '<previously logged>' ? 'unknown' : statementColumns(text)));
    out.push({
      user: rec[USER],
      time: Number.isNaN(time.getTime()) ? rec[LOG_TIME] : time.toISOString(),
      table: [rec[DATABASE], parts[0], parts[1]],
      columns: cols,
    });
  }
  return out;
}

/** parsePgauditCsv after loading the parser's WebAssembly module (needed once per process). */
export async function readPgauditCsv(text: string, opts: { since?: Date } = {}): Promise<AccessEvent[]> {
  await loadModule();
  return parsePgauditCsv(text, opts);
}
