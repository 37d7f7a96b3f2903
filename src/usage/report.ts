/**
 * The usage report: who read which classified (phi:) columns in the period, and which
 * PHI columns a user can read but did not read in it (candidates for removal: least
 * privilege from observed use). Pure: events, classification and access come in.
 */
import { csvCell } from '../review/render.js';
import type { AccessEvent } from './types.js';

export interface UsageInput {
  /** column key `db.schema.table.column` (canonical) -> PHI category. */
  phi: ReadonlyMap<string, string>;
  /** user -> canonical column keys of PHI columns the user can read today (any role). */
  granted: ReadonlyMap<string, ReadonlySet<string>>;
  events: readonly AccessEvent[];
  /** Fold a name part as the platform does (dialect.normalize of an unquoted name, exact). */
  fold: (part: string) => string;
  /** Map a physical database name to the logical one (Postgres database_map). */
  database?: (physical: string) => string;
  since: string;
  until: string;
}

export interface UsageReport {
  since: string;
  until: string;
  /** One row per user and PHI column read. */
  reads: { user: string; column: string; category: string; count: number; last: string }[];
  /** One row per user and PHI column granted but not read in the period. */
  unused: { user: string; column: string; category: string }[];
}

export function buildUsage(input: UsageInput): UsageReport {
  const f = input.fold;
  const byTable = new Map<string, string[]>();
  for (const key of input.phi.keys()) {
    const i = key.lastIndexOf('.');
    const t = key.slice(0, i);
    (byTable.get(t) ?? byTable.set(t, []).get(t)!).push(key);
  }
  const reads = new Map<string, { user: string; column: string; count: number; last: string }>();
  const readBy = new Map<string, Set<string>>();
  for (const e of input.events) {
    const db = input.database ? input.database(e.table[0]) : e.table[0];
    const table = [f(db), f(e.table[1]), f(e.table[2])].join('.');
    const cols = byTable.get(table);
    if (!cols) continue;
    const user = f(e.user);
    const hit = e.columns === 'unknown' ? cols : cols.filter((k) => (e.columns as string[]).some((c) => `${table}.${f(c)}` === k));
    for (const k of hit) {
      const id = `${user}\u0000${k}`;
      const r = reads.get(id) ?? { user, column: k, count: 0, last: e.time };
      r.count += e.count ?? 1;
      if (e.time > r.last) r.last = e.time;
      reads.set(id, r);
      (readBy.get(user) ?? readBy.set(user, new Set()).get(user)!).add(k);
    }
  }
  const unused: UsageReport['unused'] = [];
  for (const [user, cols] of [...input.granted].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const k of [...cols].sort()) if (!readBy.get(user)?.has(k)) unused.push({ user, column: k, category: input.phi.get(k) ?? '' });
  }
  const sorted = [...reads.values()].sort((a, b) => (a.user === b.user ? (a.column < b.column ? -1 : 1) : a.user < b.user ? -1 : 1));
  return {
    since: input.since,
    until: input.until,
    reads: sorted.map((r) => ({ ...r, category: input.phi.get(r.column) ?? '' })),
    unused,
  };
}

/** Plain text for the terminal and the review. */
export function renderUsageText(r: UsageReport): string {
  const lines = [`PHI reads from ${r.since} to ${r.until}:`];
  if (!r.reads.length) lines.push('  none recorded');
  for (const x of r.reads) lines.push(`  ${x.user} read ${x.column} (${x.category}) ${x.count}x, last ${x.last}`);
  lines.push('', 'Granted but not read in the period (candidates for removal):');
  if (!r.unused.length) lines.push('  none');
  for (const x of r.unused) lines.push(`  ${x.user}: ${x.column} (${x.category})`);
  return lines.join('\n') + '\n';
}

/**
 * CSV for the auditor's sample: one row per user and PHI column, read in the period
 * (`read`, with the count and the last read) or granted and not read (`unused`: a
 * removal candidate), then the period. RFC 4180 with CRLF; cells a spreadsheet would
 * run as a formula are neutralized (csvCell).
 */
export function renderUsageCsv(r: UsageReport): string {
  const rows: (string | number)[][] = [['user', 'column', 'category', 'status', 'reads', 'last_read', 'period_start', 'period_end']];
  for (const x of r.reads) rows.push([x.user, x.column, x.category, 'read', x.count, x.last, r.since, r.until]);
  for (const x of r.unused) rows.push([x.user, x.column, x.category, 'unused', 0, '', r.since, r.until]);
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
