/**
 * The CLI side of `rbac usage`: read the access history of the period from the target
 * (PostgreSQL: every csvlog file of the period, the server's or given ones), work out
 * what each user can read today from the live state, and build the report. Read-only: nothing is changed on the target.
 */
import { loadModule } from 'libpg-query';
import type { Project } from '../config/project.js';
import type { Adapter, Dialect } from '../dialects/types.js';
import { RbacError } from '../model/errors.js';
import { objectPath } from '../model/keys.js';
import type { Live } from '../model/types.js';
import { classify, columnKey, effectiveAccess, grantsByRole, roleGraph, rolePaths } from '../review/access.js';
import { PHI_CATEGORIES } from '../config/schema.js';
import { columnLineageSql, parseColumnLineage } from './databricks.js';
import { localLogFiles, readLocalLog, readServerLog, serverLogFiles } from './logs.js';
import { PgauditCollector } from './pgaudit.js';
import { buildUsage, type UsageReport } from './report.js';
import { accessHistorySql, parseAccessHistory } from './snowflake.js';
import type { AccessEvent } from './types.js';

export interface CollectInput {
  project: Project;
  live: Live;
  dialect: Dialect;
  adapter?: Adapter;
  since: Date;
  until: Date;
  /** PostgreSQL: csvlog files or directories of them to read instead of the server's log directory. */
  logFiles?: readonly string[];
  /** The flag that passes logFiles, for hints (`--log` in `rbac usage`, `--usage-log` in `rbac review`). */
  logFlag?: string;
  /** PostgreSQL: the target is the embedded PGlite demo (no pgaudit, no server log). */
  embedded?: boolean;
  cwd: string;
}

type Reader = { readQuery(sql: string): Promise<Record<string, unknown>[]> };

async function events(input: CollectInput): Promise<AccessEvent[]> {
  const { live, adapter } = input;
  if (live.platform === 'postgres') {
    const flag = input.logFlag ?? '--log';
    await loadModule();
    const into = new PgauditCollector({ since: input.since, fold: true });
    if (input.logFiles?.length) {
      for (const f of await localLogFiles(input.logFiles, input.cwd, input.since)) await readLocalLog(f, into);
      return into.events;
    }
    if (input.embedded) {
      // PGlite runs in-process: it loads no server extensions (no pgaudit) and writes no server log.
      throw new RbacError(
        'TARGET',
        'usage: no access log is available: the embedded PGlite demo has no pgaudit and writes no server log, so reads of PHI are not recorded',
        `pass ${flag} FILE (a csvlog with pgaudit READ lines), or use a PostgreSQL server target with pgaudit loaded`,
      );
    }
    const session = (adapter as unknown as { session?: { query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]> } } | undefined)?.session;
    if (!session) throw new RbacError('USAGE', 'usage: no PostgreSQL session', `pass ${flag} FILE|DIR (the server csvlog with pgaudit lines)`);
    const query = (sql: string, params?: unknown[]) => session.query(sql, params);
    const rows = await query(`SELECT current_setting('pgaudit.log', true) AS audit`).catch(() => [] as Record<string, unknown>[]);
    const audit = rows[0]?.audit as string | null | undefined;
    if (!audit || !/\b(read|all)\b/.test(audit)) {
      throw new RbacError('TARGET', 'usage: the server does not log reads with pgaudit (pgaudit.log lacks read)', `load pgaudit (shared_preload_libraries = 'pgaudit'), set pgaudit.log = 'read', pgaudit.log_relation = on and log_destination = 'csvlog'; or pass ${flag} FILE|DIR`);
    }
    // Every csvlog file written in the period, the rotated ones and the current one.
    for (const f of await serverLogFiles(query, input.since, flag)) await readServerLog(query, f, into, flag);
    return into.events;
  }
  const reader = adapter as unknown as Reader | undefined;
  if (!reader?.readQuery) throw new RbacError('USAGE', `usage: ${live.platform} needs a connection to its target`);
  if (live.platform === 'snowflake') return parseAccessHistory(await reader.readQuery(accessHistorySql(input.since.toISOString())));
  return parseColumnLineage(await reader.readQuery(columnLineageSql(input.since.toISOString())));
}

/** What each user can read of the classified columns today (schema USAGE included). */
export function grantedPhi(project: Project, live: Live, dialect: Dialect): { phi: Map<string, string>; granted: Map<string, Set<string>> } {
  const cls = classify(project, dialect, PHI_CATEGORIES);
  const graph = roleGraph(live.memberships);
  const byRole = grantsByRole(live);
  const users = new Set<string>([...live.roles.filter((r) => r.isUser).map((r) => r.name), ...live.memberships.filter((m) => m.memberKind === 'user').map((m) => m.member)]);
  const byTable = new Map<string, string[]>();
  for (const k of cls.phi.keys()) {
    const t = k.slice(0, k.lastIndexOf('.'));
    (byTable.get(t) ?? byTable.set(t, []).get(t)!).push(k);
  }
  const granted = new Map<string, Set<string>>();
  for (const u of [...users].sort()) {
    const eff = effectiveAccess(rolePaths(u, graph).keys(), live, byRole, cls);
    const cols = new Set<string>();
    for (const r of eff.reads) {
      if (!r.reachable) continue;
      for (const p of r.phi) cols.add(columnKey(r.object, p.column));
      // A table-level SELECT reads every classified column of the table, also where the
      // reader lists no columns for it (Snowflake and Databricks read tables, not columns).
      if (r.columns === 'all') for (const k of byTable.get(objectPath(r.object)) ?? []) cols.add(k);
    }
    if (cols.size) granted.set(u, cols);
  }
  return { phi: cls.phi, granted };
}

export async function collectUsage(input: CollectInput): Promise<UsageReport> {
  const ev = await events(input);
  const { phi, granted } = grantedPhi(input.project, input.live, input.dialect);
  const logical = new Map(Object.entries(input.live.databases ?? {}).map(([l, p]) => [p, l]));
  return buildUsage({
    phi,
    granted,
    events: ev,
    fold: (s) => input.dialect.normalize({ text: s, quoted: false }),
    database: (p) => logical.get(p) ?? p,
    since: input.since.toISOString(),
    until: input.until.toISOString(),
  });
}
