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
import { CsvParser, csvRecords } from './csv.js';
import { MASKED_VIEW_SUFFIX } from '../dialects/postgres/masking.js';
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

/** What a statement reads: the column names it references ('unknown' for `*` or a text that does not parse) and the relations it names. */
export interface StatementReads {
  columns: string[] | 'unknown';
  /** Relations named in the text, as `schema.name` or a bare `name` (folded by the parser as PostgreSQL folds them). */
  relations: string[];
}

/** Parse a logged statement with PostgreSQL's parser (see StatementReads). */
export function statementReads(statement: string): StatementReads {
  let tree: unknown;
  try {
    tree = parseSync(statement);
  } catch {
    return { columns: 'unknown', relations: [] };
  }
  const names = new Set<string>();
  const relations = new Set<string>();
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
    if (o.RangeVar && typeof o.RangeVar === 'object') {
      const rv = o.RangeVar as { schemaname?: string; relname?: string };
      if (rv.relname) relations.add(rv.schemaname ? `${rv.schemaname}.${rv.relname}` : rv.relname);
    }
    for (const v of Object.values(o)) walk(v);
  };
  walk(tree);
  return { columns: star ? 'unknown' : [...names].sort(), relations: [...relations].sort() };
}

/** Column names a SELECT references, or 'unknown' (`*`, or the text does not parse). */
export function statementColumns(statement: string): string[] | 'unknown' {
  return statementReads(statement).columns;
}

/**
 * The masking view a TABLE line of `schema.table` was read through (the line is then
 * skipped: see PgauditCollector.record): the statement names
 * rbac's `schema.table_masked` (or a bare `table_masked`) and not the table itself
 * (pgaudit logs the base table of a view as read too). Undefined otherwise, and when the
 * text did not parse (no relations known: counted as a read of the table).
 */
export function throughMaskingView(reads: StatementReads, schema: string, table: string): string | undefined {
  const view = `${table}${MASKED_VIEW_SUFFIX}`;
  const names = new Set(reads.relations);
  if (names.has(`${schema}.${table}`) || names.has(table)) return undefined;
  return names.has(`${schema}.${view}`) || names.has(view) ? `${schema}.${view}` : undefined;
}

/** Distinct statement texts whose columns are remembered (a log of any size holds its memory to this). */
const STATEMENT_CACHE = 2000;

/**
 * The read events of a csvlog given in pieces (one file after another, each in chunks
 * of any size): `push` each piece, `endFile` after each file, `events` at the end. Only
 * `AUDIT: SESSION|OBJECT,...,READ,...` lines whose object is a TABLE, VIEW, MATERIALIZED
 * VIEW or FOREIGN TABLE count; anything else in the log (errors, other classes, lines of
 * other tools) is skipped. Memory: the record being read, the events, and at most
 * STATEMENT_CACHE parsed statements.
 */
export class PgauditCollector {
  private list: AccessEvent[] = [];
  private folded = new Map<string, AccessEvent>();
  private csv = new CsvParser();
  private stmts = new Map<string, StatementReads>();

  /** `fold`: one event per principal, table and column set, counted (see AccessEvent.count). */
  constructor(private readonly opts: { since?: Date; fold?: boolean } = {}) {}

  /** The events read so far, in log order (folded: in order of first read). */
  get events(): AccessEvent[] {
    return this.opts.fold ? [...this.folded.values()] : this.list;
  }

  push(text: string): void {
    for (const rec of this.csv.push(text)) this.record(rec);
  }

  /** The end of one file: its last record, and a fresh parser for the next file. */
  endFile(): void {
    for (const rec of this.csv.end()) this.record(rec);
    this.csv = new CsvParser();
  }

  private reads(text: string): StatementReads {
    let r = this.stmts.get(text);
    if (r !== undefined) return r;
    r = text === '' || text === '<previously logged>' ? { columns: 'unknown', relations: [] } : statementReads(text);
    if (this.stmts.size >= STATEMENT_CACHE) this.stmts.clear();
    this.stmts.set(text, r);
    return r;
  }

  private record(rec: string[]): void {
    const msg = rec[MESSAGE];
    if (!msg || !msg.startsWith('AUDIT: ')) return;
    const fields = [...csvRecords(msg.slice('AUDIT: '.length))][0] ?? [];
    // AUDIT_TYPE, STATEMENT_ID, SUBSTATEMENT_ID, CLASS, COMMAND, OBJECT_TYPE, OBJECT_NAME, STATEMENT, PARAMETER
    const [, , , cls, , objectType, objectName, statement] = fields;
    if (cls !== 'READ' || !objectName) return;
    if (!['TABLE', 'VIEW', 'MATERIALIZED VIEW', 'FOREIGN TABLE'].includes(objectType ?? '')) return;
    const time = new Date(rec[LOG_TIME].replace(/ ([A-Z]{3,4})$/, (_, z: string) => (z === 'UTC' || z === 'GMT' ? 'Z' : ` ${z}`)));
    if (this.opts.since && !Number.isNaN(time.getTime()) && time < this.opts.since) return;
    const parts = splitQualified(objectName);
    if (parts.length !== 2) return;
    // pgaudit.log_statement_once may leave the text on the first line only: "<previously logged>".
    const reads = this.reads(statement ?? '');
    // A read of rbac's masking view is logged twice: the VIEW line (its columns are the
    // masked ones, classified as such) and the base TABLE line, which the view reads with
    // its owner's rights. The TABLE line is not a read of the clear column by this user.
    if (objectType === 'TABLE' && throughMaskingView(reads, parts[0], parts[1])) return;
    const e: AccessEvent = {
      user: rec[USER],
      time: Number.isNaN(time.getTime()) ? rec[LOG_TIME] : time.toISOString(),
      table: [rec[DATABASE], parts[0], parts[1]],
      columns: reads.columns,
    };
    if (!this.opts.fold) {
      this.list.push(e);
      return;
    }
    const key = JSON.stringify([e.user, e.table, e.columns]);
    const seen = this.folded.get(key);
    if (!seen) this.folded.set(key, { ...e, count: 1 });
    else {
      seen.count = (seen.count ?? 1) + 1;
      if (e.time > seen.time) seen.time = e.time;
    }
  }
}

/** The read events in one csvlog text (see PgauditCollector). */
export function parsePgauditCsv(text: string, opts: { since?: Date } = {}): AccessEvent[] {
  const c = new PgauditCollector(opts);
  c.push(text);
  c.endFile();
  return c.events;
}

/** parsePgauditCsv after loading the parser's WebAssembly module (needed once per process). */
export async function readPgauditCsv(text: string, opts: { since?: Date } = {}): Promise<AccessEvent[]> {
  await loadModule();
  return parsePgauditCsv(text, opts);
}
