/**
 * The `surrogate` mask's mapping, topped up: every value of a surrogate-masked column
 * that has no key yet gets one (`rbac surrogates`).
 *
 * Why a separate step: the mask looks the key of a value up in rbac's mapping table
 * and reads NULL for a value not mapped yet (never the value itself). `rbac apply`
 * maps every value present when it creates or changes the policy; rows loaded later
 * hold values nobody mapped. Mapping them is a write of data, not of grants, so it is
 * not in the plan (a plan of grants would never be empty on a table that grows): it is
 * this command, run after loads or from cron, under the same lock as apply.
 *
 * What it maps: the surrogate policies the target holds (as rbac made them) that the
 * configuration still names, on their live columns. A configured surrogate policy the
 * target does not hold yet is reported, not mapped: `rbac apply` makes it.
 *
 * Where the mask is a platform policy (Snowflake, Databricks) the principal rbac
 * connects as reads the column through it like anyone: unless it is exempt, it would
 * read keys or NULLs, not values. Each platform says whether the session is exempt
 * (`SurrogateSql.exemptSql`, the policy's own unmask condition); a policy whose
 * columns the session reads masked is refused, with nothing written for it. PostgreSQL's
 * masks are views: the login reads the base table in clear.
 */
import { RbacError } from '../model/errors.js';
import type { ColumnRef, Desired, Live, MaskingPolicyRecord, Platform } from '../model/types.js';
import type { Statement } from '../apply/types.js';

/** How a platform maps surrogate keys: the SQL, never assembled outside the dialect. */
export interface SurrogateSql {
  /** `SELECT COUNT(*) AS n ...`: distinct non-NULL values of the column without a key. */
  unmappedCountSql(policy: MaskingPolicyRecord, column: ColumnRef): string;
  /** The statements that give every unmapped value of the column a random key (idempotent). */
  fillSql(policy: MaskingPolicyRecord, column: ColumnRef): string[];
  /**
   * `SELECT (<the policy's unmask condition>) AS exempt`: whether this session reads the
   * policy's columns in clear. Absent where the mask never applies to rbac's own reads.
   */
  exemptSql?(policy: MaskingPolicyRecord): string;
}

/** What the top-up needs of an adapter. */
export interface SurrogateTarget {
  readonly platform: Platform;
  readonly surrogates?: SurrogateSql;
  /** One read-only query; `database` is the logical database (PostgreSQL runs it there). */
  readQuery?(sql: string, params?: unknown[], database?: string): Promise<Record<string, unknown>[]>;
  apply(statements: Statement[]): Promise<{ ok: boolean; failed?: { statement: Statement; error: string } }>;
}

/** One column's outcome. */
export interface SurrogateColumnReport {
  policy: string;
  /** `ehr.clinical.patients.mrn` */
  column: string;
  /** Distinct values without a key before the run; null when refused (the session would count through the mask). */
  unmappedBefore: number | null;
  /** Keys made by this run (0 with --dry-run or when refused). */
  mapped: number;
  /** Distinct values still without a key after the run; null when refused. */
  unmappedAfter: number | null;
  /** Why nothing was written for this column. */
  refused?: string;
}

export interface SurrogateReport {
  platform: Platform;
  dryRun: boolean;
  columns: SurrogateColumnReport[];
  /** Configured surrogate policies the target does not hold yet (`rbac apply` makes them). */
  notApplied: string[];
}

/** The surrogate policies to top up: live (made by rbac, not tampered), still configured as surrogate. */
export function surrogatePolicies(desired: Desired, live: Live): { policies: MaskingPolicyRecord[]; notApplied: string[] } {
  const isSurrogate = (p: MaskingPolicyRecord) => p.mask === 'surrogate' && p.expression === undefined;
  const wanted = new Map((desired.maskingPolicies ?? []).filter(isSurrogate).map((p) => [p.name, p]));
  const policies: MaskingPolicyRecord[] = [];
  for (const p of live.maskingPolicies ?? []) {
    if (!isSurrogate(p) || !wanted.has(p.name) || p.tampered?.length) continue;
    policies.push(p);
  }
  const have = new Set(policies.map((p) => p.name));
  return { policies: policies.sort((a, b) => (a.name < b.name ? -1 : 1)), notApplied: [...wanted.keys()].filter((n) => !have.has(n)).sort() };
}

/** `ehr.clinical.patients.mrn` */
const dotted = (c: ColumnRef) => [c.table.database, c.table.schema, c.table.name, c.column].join('.');

const count = (rows: readonly Record<string, unknown>[]): number => {
  const r = rows[0] ?? {};
  const v = r.n ?? r.N ?? Object.values(r)[0];
  const n = typeof v === 'bigint' ? Number(v) : Number(v ?? 0);
  if (!Number.isFinite(n)) throw new RbacError('TARGET', `surrogates: a count query returned ${JSON.stringify(String(v))}`);
  return n;
};

const truthy = (rows: readonly Record<string, unknown>[]): boolean => {
  const r = rows[0] ?? {};
  const v = r.exempt ?? r.EXEMPT ?? Object.values(r)[0];
  return v === true || v === 1 || v === 'true' || v === 'TRUE' || v === '1';
};

/**
 * Top up the mapping of every surrogate-masked column (or, with `dryRun`, count what
 * would be mapped). One apply for every column, so a failure leaves nothing half-done
 * where the platform has transactions (PostgreSQL); elsewhere each statement is
 * idempotent and the next run finishes the job.
 */
export async function topUpSurrogates(target: SurrogateTarget, desired: Desired, live: Live, opts: { dryRun?: boolean } = {}): Promise<SurrogateReport> {
  const sql = target.surrogates;
  const { policies, notApplied } = surrogatePolicies(desired, live);
  const report: SurrogateReport = { platform: target.platform, dryRun: opts.dryRun === true, columns: [], notApplied };
  if (!policies.length) return report;
  if (!sql || !target.readQuery) throw new RbacError('TARGET', `surrogates: the ${target.platform} adapter cannot map surrogate keys`);
  const read = (text: string, database: string) => target.readQuery!(text, [], database);
  const work: { policy: MaskingPolicyRecord; column: ColumnRef; row: SurrogateColumnReport }[] = [];
  for (const policy of policies) {
    let refused: string | undefined;
    if (sql.exemptSql) {
      const exempt = truthy(await read(sql.exemptSql(policy), policy.schema.database));
      if (!exempt) {
        refused = `the principal rbac connects as reads the columns of ${policy.name} through the mask (keys or NULL, not values): it cannot map them; run rbac surrogates as a principal in the policy's unmasked_for`;
      }
    }
    for (const column of policy.columns) {
      if (refused) {
        // Not counted: read through the mask, the column holds keys or NULLs, not values.
        report.columns.push({ policy: policy.name, column: dotted(column), unmappedBefore: null, mapped: 0, unmappedAfter: null, refused });
        continue;
      }
      const before = count(await read(sql.unmappedCountSql(policy, column), column.table.database));
      const row: SurrogateColumnReport = { policy: policy.name, column: dotted(column), unmappedBefore: before, mapped: 0, unmappedAfter: before };
      report.columns.push(row);
      if (before > 0) work.push({ policy, column, row });
    }
  }
  if (opts.dryRun || !work.length) return report;
  const statements: Statement[] = work.flatMap((w, i) => sql.fillSql(w.policy, w.column).map((s) => ({ sql: s, changeIndex: i, database: w.column.table.database })));
  const result = await target.apply(statements);
  if (!result.ok) {
    const f = result.failed;
    throw new RbacError('APPLY_FAILED', `surrogates: mapping failed${f ? ` at ${f.statement.sql.split('\n')[0]}: ${f.error}` : ''}`, 'nothing is lost: values without a key read NULL through the mask; fix the cause and run rbac surrogates again');
  }
  for (const w of work) {
    w.row.unmappedAfter = count(await read(sql.unmappedCountSql(w.policy, w.column), w.column.table.database));
    w.row.mapped = Math.max(0, (w.row.unmappedBefore ?? 0) - (w.row.unmappedAfter ?? 0));
  }
  return report;
}

/** The report as a person reads it. */
export function renderSurrogateReport(r: SurrogateReport): string {
  const lines: string[] = [];
  if (!r.columns.length && !r.notApplied.length) return 'no surrogate-masked column in the configuration\n';
  for (const c of r.columns) {
    if (c.refused) lines.push(`${c.column} (${c.policy}): refused: ${c.refused}`);
    else if (r.dryRun) lines.push(`${c.column} (${c.policy}): ${c.unmappedBefore} value${c.unmappedBefore === 1 ? '' : 's'} without a key`);
    else lines.push(`${c.column} (${c.policy}): ${c.mapped} key${c.mapped === 1 ? '' : 's'} made, ${c.unmappedAfter} value${c.unmappedAfter === 1 ? '' : 's'} still without one`);
  }
  for (const n of r.notApplied) lines.push(`${n}: not on the target yet; rbac apply makes it and maps its values`);
  return lines.join('\n') + '\n';
}
