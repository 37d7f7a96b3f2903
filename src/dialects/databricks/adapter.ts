/**
 * The Databricks Unity Catalog adapter: reads the live state in a fixed number of
 * information_schema queries, compiles plans with the inheritance hook, applies in
 * order. GRANT/REVOKE run one by one with no transaction: the first failure stops the
 * run and the result reports applied/failed/pending honestly (rolledBack=false).
 */
import { readDatabricksAccount } from './account.js';
import type { AccountFacts, AccountScope } from '../../model/account.js';
import type { Live, LiveTable } from '../../model/types.js';
import type { Plan } from '../../plan/types.js';
import type { ExpressionPolicy } from '../../model/expressions.js';
import type { ApplyOptions, ApplyResult } from '../../apply/types.js';
import { applySequential } from '../apply-sequential.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../concurrency.js';
import type { Adapter, CompileContext, IntrospectScope, QueryFn, Statement } from '../types.js';
import { RbacError } from '../../model/errors.js';
import { compileDatabricksPlan } from './compile.js';
import { DatabricksDriverError, connectDatabricks, type DatabricksConnectOptions } from './driver.js';
import {
  OWNED_GLOBALS,
  PRIVILEGE_VIEWS,
  addDatabricksColumns,
  parseDatabricks,
  parseDatabricksPolicies,
  principalMatcher,
  sql,
  type DatabricksProvenance,
  type DatabricksRows,
  type IgnoredGrant,
} from './inspect.js';
import { databricksDialect } from './quote.js';
import { parseSaltState, saltStateSql } from './salt.js';
import { databricksSurrogates, maskedColumnsOf, type MaskedColumns } from './surrogates.js';
import { DATABRICKS_CATALOG } from './catalog.js';
import { keywordReader } from '../../model/catalog.js';
import { readScim, scimGroupMembers, scimOpRunner, type ScimClient } from './scim.js';
import type { ScimSnapshot } from './scim-model.js';
import { compileWithScim, scimLiveState } from './scim-plan.js';

const readKeyword = keywordReader(DATABRICKS_CATALOG);

/** Tuning. `retryCodes`: error classes/SQLSTATEs treated as throttling (plus HTTP 429/503). */
export interface DatabricksAdapterOptions {
  retry?: RetryPolicy;
  retryCodes?: readonly string[];
  /**
   * `manage_membership: true`: groups, members and nesting through this SCIM client.
   * `workspace` (default true): also read workspace-local groups, to report them.
   */
  scim?: { client: ScimClient; workspace?: boolean };
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
  /** rbac's salt objects the last introspect saw (compile makes a missing salt first). */
  private lastSalt: Pick<CompileContext, 'toolObjects' | 'foreignToolSchemas'> = {};
  /** The columns the last introspect saw masked, and by what exemption (a surrogate fill through one is guarded). */
  private lastMasked: MaskedColumns = new Map();
  /** The `surrogate` mask's top-up SQL (`rbac surrogates`; surrogates.ts). */
  readonly surrogates = databricksSurrogates;
  /** What SCIM said at the last introspect (manage_membership: true); compile() turns group changes into SCIM ops with it. */
  private lastScim?: ScimSnapshot;
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
   * and connections managed groups own (OWNED_GLOBALS); then column types, policies and
   * the hash mask's salt. With manage_membership, SCIM is read alongside (readScim).
   * PUBLIC (`account users`) is not read.
   */
  /** The access review's account facts (account/account.ts): read-only, a fixed number of queries. */
  readAccount(scope: AccountScope): Promise<AccountFacts> {
    // With manage_membership, the members of the groups holding administrative power come from SCIM.
    const scim = this.options.scim?.client;
    return readDatabricksAccount((text) => this.run(text), scope, scim ? (groups) => scimGroupMembers(scim, groups) : undefined);
  }

  async introspect(scope: IntrospectScope): Promise<Live> {
    // The SQL filter folds case (`lower(grantee) IN ...`); the parser then compares principals as Unity Catalog does.
    const roles = [...new Set(scope.roles.map((r) => r.toLowerCase()))];
    const databases = [...new Set([...scope.databases, ...scope.schemas.map((s) => s.database)])].sort();
    const scimRead = this.readScim(scope);
    // Awaited below; a SQL failure first must not leave its rejection unhandled.
    scimRead.catch(() => undefined);
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
    // Column types, policies and the hash mask's salt (salt.ts): five more queries, still a fixed number.
    const [columns, functions, masks, filters, saltRows] = await Promise.all([
      this.run(sql.columns(scope.schemas)),
      this.run(sql.policyFunctions(scope.schemas)),
      this.run(sql.columnMasks(scope.schemas)),
      this.run(sql.rowFilters(scope.schemas)),
      this.run(saltStateSql()),
    ]);
    const rows: DatabricksRows = { groups, catalogPrivileges: [], schemaPrivileges: [], tablePrivileges: [], catalogs, schemata, tables, volumes, functions: fns };
    PRIVILEGE_VIEWS.forEach((v, i) => (rows[v.rows] = privileges[i]));
    OWNED_GLOBALS.forEach((g, i) => (rows[g.rows] = owned[i]));
    const read = parseDatabricks(rows, scope.roles, scope.users);
    this.provenance = read.provenance;
    this.lastIgnored = read.ignored;
    addDatabricksColumns(read.tables, columns);
    this.lastTables = read.tables;
    const policies = parseDatabricksPolicies({ functions, masks, filters });
    this.lastMasked = maskedColumnsOf(masks, policies.maskingPolicies);
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
    // Every grantee of rbac's salt objects, as the server spells it (a configured user in the configuration's spelling).
    const spell = principalMatcher(scope.roles, scope.users);
    const salt = parseSaltState(saltRows, (g) => spell(g) ?? g, (kind, keyword) => readKeyword(kind, keyword));
    this.lastSalt = { toolObjects: salt.toolObjects, foreignToolSchemas: salt.foreignToolSchemas };
    const seen = new Set(read.grants.map((g) => g.key));
    // With SCIM the account groups and their members are what SCIM says (SHOW GROUPS still runs: the query count stays fixed).
    const scim = await scimRead;
    this.lastScim = scim;
    // Without SCIM the users and service principals that grants name are taken as existing
    // (no SQL lists account users; databricksUnsupported warns): a missing one fails its GRANT.
    const recipientNames = new Set(scope.recipients ?? []);
    const members = scim
      ? scimLiveState(scim, scope.users)
      : { roles: [...read.roles, ...scope.users.filter((u) => !recipientNames.has(u) && !read.roles.some((r) => r.name === u)).map((name) => ({ name, isUser: true }))], memberships: [] };
    // Delta Sharing recipients are no SCIM principals: RECIPIENTS says which exist.
    members.roles = [...members.roles, ...read.recipients.filter((r) => !members.roles.some((x) => x.name === r.name))];
    return {
      platform: 'databricks',
      ...(scim ? { scim } : {}),
      roles: members.roles,
      memberships: members.memberships,
      grants: [...read.grants, ...salt.grants.filter((g) => !seen.has(g.key))],
      futureGrants: read.futureGrants,
      schemas: read.schemas,
      tables: read.tables,
      objects: read.objects,
      ...(unmanagedGrants.length ? { unmanagedGrants } : {}),
      maskingPolicies: policies.maskingPolicies,
      rowAccessPolicies: policies.rowAccessPolicies,
      ...(salt.toolObjects.length ? { toolObjects: salt.toolObjects } : {}),
      ...(salt.reaching.length ? { saltReaders: salt.reaching } : {}),
    };
  }

  /**
   * SCIM, when membership is managed: the managed groups (not the users and service
   * principals a grant names) with their members, and the principals the configuration
   * names, in paged, filtered, batched calls (readScim).
   */
  private async readScim(scope: IntrospectScope): Promise<ScimSnapshot | undefined> {
    const scim = this.options.scim;
    if (!scim) return undefined;
    const users = new Set(scope.users);
    const recipients = new Set(scope.recipients ?? []);
    return readScim(scim.client, {
      groups: scope.roles.filter((r) => !users.has(r)),
      principals: scope.users.filter((u) => !recipients.has(u)),
      workspace: scim.workspace ?? true,
    });
  }

  compile(plan: Plan, opts: { expressions?: ExpressionPolicy } = {}): Statement[] {
    const sqlOf = (p: Plan) => compileDatabricksPlan(p, this.provenance, { tables: this.lastTables, expressions: opts.expressions, ...this.lastSalt, maskedColumns: this.lastMasked });
    return this.options.scim && this.lastScim ? compileWithScim(plan, this.lastScim, sqlOf) : sqlOf(plan);
  }

  async apply(statements: Statement[], opts: ApplyOptions = {}): Promise<ApplyResult> {
    // No lock to hold on this platform: the re-read and comparison happen right
    // before the first statement, which is as close as it gets.
    const run = opts.verify ? await opts.verify() : statements;
    // SCIM statements go to the SCIM client, in their place among the SQL ones; one runner
    // per apply so that groups created here lend their ids to the PATCHes after them.
    const scim = this.options.scim ? scimOpRunner(this.options.scim.client) : undefined;
    return applySequential(
      run,
      {
        exec: (text) => this.run(text),
        execStatement: async (s) => {
          if (!s.scim) return this.run(s.sql);
          if (!scim) throw new RbacError('APPLY_FAILED', 'a SCIM statement, but this target does not manage membership (manage_membership: false)');
          return scim(s.scim);
        },
      },
      opts.onEvent,
    );
  }

  /** One read-only query with the adapter's retry policy (`rbac usage` reads the access history with it). */
  readQuery(text: string): Promise<Record<string, unknown>[]> {
    return this.run(text);
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
