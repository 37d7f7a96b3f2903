/**
 * The Databricks Unity Catalog adapter: reads the live state in a fixed number of
 * information_schema queries, compiles plans with the inheritance hook, applies in
 * order. GRANT/REVOKE run one by one with no transaction: the first failure stops the
 * run and the result reports applied/failed/pending honestly (rolledBack=false).
 */
import type { Live, LiveTable } from '../../model/types.js';
import type { Plan } from '../../plan/types.js';
import type { ExpressionPolicy } from '../../model/expressions.js';
import type { ApplyOptions, ApplyResult } from '../../apply/types.js';
import { applySequential } from '../apply-sequential.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../concurrency.js';
import type { Adapter, IntrospectScope, QueryFn, Statement } from '../types.js';
import { compileDatabricksPlan } from './compile.js';
import { DatabricksDriverError, connectDatabricks, type DatabricksConnectOptions } from './driver.js';
import {
  OWNED_GLOBALS,
  PRIVILEGE_VIEWS,
  addDatabricksColumns,
  parseDatabricks,
  parseDatabricksPolicies,
  sql,
  type DatabricksProvenance,
  type DatabricksRows,
  type IgnoredGrant,
} from './inspect.js';
import { databricksDialect } from './quote.js';

/** Tuning. `retryCodes`: error classes/SQLSTATEs treated as throttling (plus HTTP 429/503). */
export interface DatabricksAdapterOptions {
  retry?: RetryPolicy;
  retryCodes?: readonly string[];
}

const DEFAULT_RETRY_CODES = ['TEMPORARILY_UNAVAILABLE', 'REQUEST_LIMIT_EXCEEDED'];

export function isDatabricksRetryable(e: unknown, codes: readonly string[] = DEFAULT_RETRY_CODES): boolean {
  if (!(e instanceof DatabricksDriverError)) return false;
  if (e.httpStatus === 429 || e.httpStatus === 503) return true;
  return (e.code !== undefined && codes.includes(e.code)) || (e.sqlState !== undefined && codes.includes(e.sqlState));
}

export class DatabricksAdapter implements Adapter {
  readonly platform = 'databricks' as const;
  readonly dialect = databricksDialect;
  private queries = 0;
  /** Tables (with column types) the last introspect saw; compile() types policies with them. */
  private lastTables: LiveTable[] = [];
  /** Inheritance learnt by the last introspect; compile() uses it. */
  provenance: DatabricksProvenance = new Map();
  lastIgnored: IgnoredGrant[] = [];
  private readonly retry: RetryPolicy;

  constructor(
    private readonly conn: { query: QueryFn; close(): Promise<void> },
    private readonly options: DatabricksAdapterOptions = {},
  ) {
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  private run = (text: string) =>
    withRetry(
      () => {
        this.queries++;
        return this.conn.query(text);
      },
      (e) => isDatabricksRetryable(e, this.options.retryCodes ?? DEFAULT_RETRY_CODES),
      this.retry,
    );

  /**
   * A fixed number of queries whatever the number of roles, schemas and objects: groups;
   * one per information_schema privilege view (PRIVILEGE_VIEWS); the catalogs, schemata,
   * tables, volumes and functions in scope; the external locations, storage credentials
   * and connections managed groups own (OWNED_GLOBALS); then column types and policies.
   * PUBLIC (`account users`) is not read.
   */
  async introspect(scope: IntrospectScope): Promise<Live> {
    const roles = scope.roles.map((r) => r.toLowerCase());
    const databases = [...new Set([...scope.databases, ...scope.schemas.map((s) => s.database)])].sort();
    const [groups, privileges, catalogs, schemata, tables, volumes, fns, owned] = await Promise.all([
      this.run(sql.groups()),
      Promise.all(PRIVILEGE_VIEWS.map((v) => this.run(sql.privileges(v, roles)))),
      this.run(sql.catalogs(databases)),
      this.run(sql.schemata(scope.schemas)),
      this.run(sql.tables(scope.schemas)),
      this.run(sql.volumes(scope.schemas)),
      this.run(sql.functions(scope.schemas)),
      Promise.all(OWNED_GLOBALS.map((g) => this.run(sql.owned(g, roles)))),
    ]);
    // Column types and policies: four more queries, still a fixed number.
    const [columns, functions, masks, filters] = await Promise.all([
      this.run(sql.columns(scope.schemas)),
      this.run(sql.policyFunctions(scope.schemas)),
      this.run(sql.columnMasks(scope.schemas)),
      this.run(sql.rowFilters(scope.schemas)),
    ]);
    const rows: DatabricksRows = { groups, catalogPrivileges: [], schemaPrivileges: [], tablePrivileges: [], catalogs, schemata, tables, volumes, functions: fns };
    PRIVILEGE_VIEWS.forEach((v, i) => (rows[v.rows] = privileges[i]));
    OWNED_GLOBALS.forEach((g, i) => (rows[g.rows] = owned[i]));
    const read = parseDatabricks(rows, roles);
    this.provenance = read.provenance;
    this.lastIgnored = read.ignored;
    addDatabricksColumns(read.tables, columns);
    this.lastTables = read.tables;
    const policies = parseDatabricksPolicies({ functions, masks, filters });
    // Privileges outside the catalog (a keyword newer than rbac): reported once per kind in
    // the plan, never in the diff, so never revoked.
    const outside = new Map<string, { on: string; privileges: Set<string>; count: number }>();
    for (const i of read.ignored) {
      const on = i.object.slice(0, i.object.indexOf(':')).replace(/_/g, ' ').toUpperCase();
      const e = outside.get(on) ?? outside.set(on, { on, privileges: new Set(), count: 0 }).get(on)!;
      e.privileges.add(i.privilege);
      e.count++;
    }
    const unmanagedGrants = [...outside.values()].sort((a, b) => (a.on < b.on ? -1 : 1)).map((e) => ({ on: e.on, privileges: [...e.privileges].sort(), count: e.count }));
    return {
      platform: 'databricks',
      roles: read.roles,
      memberships: [],
      grants: read.grants,
      futureGrants: read.futureGrants,
      schemas: read.schemas,
      tables: read.tables,
      objects: read.objects,
      ...(unmanagedGrants.length ? { unmanagedGrants } : {}),
      maskingPolicies: policies.maskingPolicies,
      rowAccessPolicies: policies.rowAccessPolicies,
    };
  }

  compile(plan: Plan, opts: { expressions?: ExpressionPolicy } = {}): Statement[] {
    return compileDatabricksPlan(plan, this.provenance, { tables: this.lastTables, expressions: opts.expressions });
  }

  async apply(statements: Statement[], opts: ApplyOptions = {}): Promise<ApplyResult> {
    // No lock to hold on this platform: the re-read and comparison happen right
    // before the first statement, which is as close as it gets.
    const run = opts.verify ? await opts.verify() : statements;
    return applySequential(run, { exec: (text) => this.run(text) }, opts.onEvent);
  }

  queryCount(): number {
    return this.queries;
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}

export async function createDatabricksAdapter(
  connect: DatabricksConnectOptions,
  options: DatabricksAdapterOptions = {},
): Promise<DatabricksAdapter> {
  return new DatabricksAdapter(await connectDatabricks(connect), options);
}

export { databricksUnsupported, prepareDatabricksDesired } from './unsupported.js';
