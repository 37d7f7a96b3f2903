/**
 * The Snowflake adapter: introspect managed roles in parallel (bounded), retry
 * throttled queries with exponential backoff, compile plans, apply in order.
 *
 * Snowflake DDL and GRANT autocommit: there is no transaction to roll back, so apply
 * runs statements one by one, stops at the first failure and reports
 * applied/failed/pending (rolledBack is always false). No lock is taken either
 * (Snowflake has no advisory lock); `lockTimeoutMs` is ignored.
 */
import { readSnowflakeAccount } from './account.js';
import type { AccountFacts, AccountScope } from '../../model/account.js';
import { databaseRoleParts, makeGrant, objectKey } from '../../model/keys.js';
import { isAccountLevel } from '../../model/kinds.js';
import type {
  ColumnTagRecord,
  FutureGrantRecord,
  GrantRecord,
  Live,
  LiveRole,
  LiveTable,
  MaskingPolicyRecord,
  MembershipRecord,
  ObjectRef,
  RowAccessPolicyRecord,
  SecurableKind,
} from '../../model/types.js';
import type { Plan } from '../../plan/types.js';
import type { ExpressionPolicy } from '../../model/expressions.js';
import type { ApplyOptions, ApplyResult } from '../../apply/types.js';
import { applySequential } from '../apply-sequential.js';
import { AdaptiveLimit, DEFAULT_RETRY, mapLimit, withRetry, type RetryPolicy } from '../concurrency.js';
import type { Adapter, CompileContext, IntrospectScope, QueryFn, Statement } from '../types.js';
import type { MaskingMarker, RowMarker } from '../policy-text.js';
import { compileSnowflakePlan } from './compile.js';
import { SF_OBJECT_DOES_NOT_EXIST, SnowflakeDriverError, connectSnowflake, type SnowflakeConnectOptions } from './driver.js';
import {
  addColumns,
  maskingRecordFrom,
  parseShowPolicies,
  rowRecordFrom,
  type MarkedPolicy,
  parseFutureGrants,
  parseGrantsOfRole,
  parseGrantsToRole,
  parseDatabaseRoles,
  parseImportedDatabases,
  parseListing,
  parseSchemata,
  listingSql,
  LISTINGS,
  parseRoles,
  parseTables,
  parseUsers,
  newObjectGranteesOf,
  parseColumnTags,
  parseGrantsOn,
  parseToolSchema,
  sql,
  type IgnoredGrant,
} from './inspect.js';
import { saltTableRef, surrogateExemptSql, surrogateFillSql, surrogateTableRef, surrogateUnmappedCountSql, toolSchemaRef } from './policies.js';
import type { SurrogateSql } from '../../surrogates/topup.js';
import { snowflakeDialect } from './quote.js';

/**
 * Adapter tuning. Invariants: parallelism >= 1 (default 32: SHOW commands run in
 * Snowflake's cloud services, not on a warehouse, so they do not queue behind its
 * concurrency level; 2,000 roles read in under 30 s at 150 ms per query); retry applies to reads
 * and to apply statements alike (GRANT/REVOKE are idempotent, so a retried statement
 * cannot apply twice in effect).
 */
export interface SnowflakeAdapterOptions {
  parallelism?: number;
  retry?: RetryPolicy;
  /**
   * Driver/server error codes treated as throttling, besides HTTP 429/503 surfaced
   * by the driver (snowflake-sdk already retries HTTP 429 and 5xx itself; this layer
   * catches what it gives up on).
   */
  retryCodes?: readonly string[];
  /** Read users (SHOW USERS) to report missing members; needs MANAGE GRANTS or similar. */
  readUsers?: boolean;
}

/** Queries in flight by default (see SnowflakeAdapterOptions). */
export const DEFAULT_SNOWFLAKE_PARALLELISM = 32;

/** HTTP statuses that mean "slow down", whichever layer surfaced them. */
const THROTTLE_STATUS = new Set([429, 503]);
/** snowflake-sdk: ERR_SF_NETWORK_COULD_NOT_CONNECT, ERR_SF_RESPONSE_FAILURE (carries the HTTP status). */
const NETWORK_CODES = new Set(['401001']);

export function isSnowflakeRetryable(e: unknown, extraCodes: readonly string[] = []): boolean {
  if (!(e instanceof SnowflakeDriverError)) return false;
  if (e.httpStatus !== undefined && THROTTLE_STATUS.has(e.httpStatus)) return true;
  if (e.code !== undefined && (NETWORK_CODES.has(e.code) || extraCodes.includes(e.code))) return true;
  return false;
}

/**
 * Every object read: schemas, relations, then the other listings. A dynamic table is a
 * BASE TABLE in INFORMATION_SCHEMA.TABLES; where SHOW DYNAMIC TABLES listed it, that kind wins.
 */
function liveObjectsOf(schemas: readonly ObjectRef[], tables: readonly LiveTable[], others: readonly ObjectRef[]): ObjectRef[] {
  const relations = new Map(tables.map((t) => [objectKey(t.object), t.object]));
  const rest: ObjectRef[] = [];
  for (const o of others) {
    if (relations.has(objectKey(o))) relations.set(objectKey(o), o);
    else rest.push(o);
  }
  return [...schemas, ...relations.values(), ...rest];
}

const isDatabaseRole = (role: string) => databaseRoleParts(role) !== undefined;

export class SnowflakeAdapter implements Adapter {
  readonly platform = 'snowflake' as const;
  readonly dialect = snowflakeDialect;
  private queries = 0;
  /** Grants the last introspect saw and left out of the model (display/audit only). */
  lastIgnored: IgnoredGrant[] = [];
  /** Tables (with column types) the last introspect saw; compile() types policies with them. */
  private lastTables: LiveTable[] = [];
  /** Databases made from a share, as the last introspect saw them: compile() grants IMPORTED PRIVILEGES there. */
  private lastImported: string[] = [];
  /** What the last introspect saw of rbac's salt (tool objects, foreign RBAC schemas, future grantees): compile() makes the salt with it. */
  private lastSalt: Pick<CompileContext, 'toolObjects' | 'foreignToolSchemas' | 'newObjectGrantees'> = {};
  /** rbac's policies the last introspect read: compile() knows which columns they mask (a surrogate fill reads through them). */
  private lastPolicies: NonNullable<CompileContext['livePolicies']> = { masking: [], rowAccess: [] };
  private readonly parallelism: number;
  private readonly retry: RetryPolicy;
  /** Queries in flight: at most `parallelism`, fewer while Snowflake says it is busy. */
  readonly limit: AdaptiveLimit;

  constructor(
    private readonly conn: { query: QueryFn; close(): Promise<void> },
    private readonly options: SnowflakeAdapterOptions = {},
  ) {
    this.parallelism = options.parallelism ?? DEFAULT_SNOWFLAKE_PARALLELISM;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.limit = new AdaptiveLimit(this.parallelism);
  }

  /**
   * One query through the adaptive limit and the retry policy, counted (retries count
   * as queries sent). A busy answer halves how many queries run at once (AdaptiveLimit)
   * before the query is retried after its backoff, outside any slot.
   */
  private run = (text: string): Promise<Record<string, unknown>[]> => {
    const retryable = (e: unknown) => isSnowflakeRetryable(e, this.options.retryCodes);
    return withRetry(
      () =>
        this.limit.run(() => {
          this.queries++;
          return this.conn.query(text);
        }, retryable),
      retryable,
      this.retry,
    );
  };

  /** A query whose target may not exist (schema/database not created yet): empty then. */
  private runMaybeMissing = async (text: string): Promise<Record<string, unknown>[] | undefined> => {
    try {
      return await this.run(text);
    } catch (e) {
      if (e instanceof SnowflakeDriverError && e.code === SF_OBJECT_DOES_NOT_EXIST) return undefined;
      throw e;
    }
  };

  /** The access review's account facts (account/account.ts): read-only, a fixed number of queries. */
  readAccount(scope: AccountScope): Promise<AccountFacts> {
    return readSnowflakeAccount((text) => this.run(text), scope);
  }

  async introspect(scope: IntrospectScope): Promise<Live> {
    const managed = new Set(scope.roles);
    const roleRows = await this.run(sql.showRoles());
    const roles: LiveRole[] = parseRoles(roleRows, managed);
    // Database roles (`D.R` in the model): one SHOW DATABASE ROLES per database that has managed ones.
    const dbRoleDatabases = [...new Set(scope.roles.map((r) => databaseRoleParts(r)?.database).filter((d): d is string => d !== undefined))].sort();
    const dbRoleRows = await mapLimit(dbRoleDatabases, this.parallelism, (d) => this.runMaybeMissing(sql.databaseRoles(d)));
    dbRoleDatabases.forEach((d, i) => roles.push(...parseDatabaseRoles(d, dbRoleRows[i] ?? [], managed)));
    const existing = roles.map((r) => r.name);
    if (scope.includePublic && !managed.has('PUBLIC')) existing.push('PUBLIC');

    let users: LiveRole[] = [];
    if (scope.users.length && this.options.readUsers !== false) {
      users = parseUsers(await this.run(sql.showUsers()), new Set(scope.users));
    }

    // A database read whole (`objects:` on a database, a glob over its schemas): its schemas first.
    const whole = scope.wholeDatabases ?? [];
    const schemata = await mapLimit(whole, this.parallelism, (d) => this.runMaybeMissing(sql.schemata(d)));
    const scopeSchemas = [...scope.schemas];
    const seenSchema = new Set(scopeSchemas.map((s) => JSON.stringify([s.database, s.schema])));
    whole.forEach((database, i) => {
      for (const schema of parseSchemata(schemata[i] ?? [])) {
        const id = JSON.stringify([database, schema]);
        if (seenSchema.has(id)) continue;
        seenSchema.add(id);
        scopeSchemas.push({ database, schema });
      }
    });
    const schemaKeys = new Set(scopeSchemas.map((s) => objectKey({ kind: 'schema', database: s.database, schema: s.schema })));
    // PUBLIC's grants in managed schemas, and on account-level objects (the planner keeps those the configuration names).
    const inScopeForPublic = (o: ObjectRef) =>
      isAccountLevel(o.kind) || (o.kind !== 'database' && schemaKeys.has(objectKey({ kind: 'schema', database: o.database, schema: o.schema })));

    type Job =
      | { t: 'to'; role: string }
      | { t: 'of'; role: string }
      | { t: 'future'; database: string; schema: string }
      | { t: 'futureDb'; database: string }
      | { t: 'tables'; database: string; schemas: string[] }
      | { t: 'columns'; database: string; schemas: string[] }
      | { t: 'masking'; database: string }
      | { t: 'rowAccess'; database: string }
      | { t: 'toolSchema'; database: string }
      | { t: 'databases' }
      | { t: 'listing'; database: string; kind: SecurableKind; schemas: string[] };
    const jobs: Job[] = [];
    for (const role of existing) {
      jobs.push({ t: 'to', role });
      if (role !== 'PUBLIC') jobs.push({ t: 'of', role });
    }
    for (const s of scopeSchemas) jobs.push({ t: 'future', database: s.database, schema: s.schema });
    // Which databases are made from a share: USAGE on one is IMPORTED PRIVILEGES.
    if (existing.length) jobs.push({ t: 'databases' });
    // Database-level future grants and rbac's tool schema: one query each per database in scope.
    for (const database of scope.databases) jobs.push({ t: 'futureDb', database }, { t: 'toolSchema', database });
    const byDb = new Map<string, string[]>();
    for (const s of scopeSchemas) byDb.set(s.database, [...(byDb.get(s.database) ?? []), s.schema]);
    for (const [database, schemas] of byDb) jobs.push({ t: 'tables', database, schemas });
    // Objects other than relations, for the kinds `objects:` and globs reach: one query per kind and database.
    const listed = (scope.objectKinds ?? []).filter((k) => LISTINGS[k]);
    for (const [database, schemas] of byDb) for (const kind of listed) jobs.push({ t: 'listing', database, kind, schemas });
    // Policies and column types: a fixed number of queries per database in scope.
    for (const [database, schemas] of byDb) {
      jobs.push({ t: 'columns', database, schemas }, { t: 'masking', database }, { t: 'rowAccess', database });
    }

    let grants: GrantRecord[] = [];
    let imported = new Set<string>();
    const others: ObjectRef[] = [];
    const memberships = new Map<string, MembershipRecord>();
    const futureGrants: FutureGrantRecord[] = [];
    const tables: LiveTable[] = [];
    const schemas: ObjectRef[] = [];
    const ignored: IgnoredGrant[] = [];
    const columnRows: { database: string; rows: Record<string, unknown>[] }[] = [];
    const markedMasking: MarkedPolicy<MaskingMarker>[] = [];
    const markedRow: MarkedPolicy<RowMarker>[] = [];

    const results = await mapLimit(jobs, this.parallelism, async (job) => {
      switch (job.t) {
        case 'to':
          return { job, rows: await this.run(isDatabaseRole(job.role) ? sql.grantsToDatabaseRole(job.role) : sql.grantsToRole(job.role)) };
        case 'of':
          return { job, rows: await this.run(isDatabaseRole(job.role) ? sql.grantsOfDatabaseRole(job.role) : sql.grantsOfRole(job.role)) };
        case 'future':
          return { job, rows: await this.runMaybeMissing(sql.futureGrantsInSchema(job.database, job.schema)) };
        case 'futureDb':
          return { job, rows: await this.runMaybeMissing(sql.futureGrantsInDatabase(job.database)) };
        case 'tables':
          return { job, rows: await this.runMaybeMissing(sql.tablesInDatabase(job.database, job.schemas)) };
        case 'databases':
          return { job, rows: await this.run(sql.showDatabases()) };
        case 'listing':
          return { job, rows: await this.runMaybeMissing(listingSql(job.kind, job.database, job.schemas)!) };
        case 'columns':
          return { job, rows: await this.runMaybeMissing(sql.columnsInDatabase(job.database, job.schemas)) };
        case 'masking':
          return { job, rows: await this.runMaybeMissing(sql.maskingPoliciesInDatabase(job.database)) };
        case 'rowAccess':
          return { job, rows: await this.runMaybeMissing(sql.rowAccessPoliciesInDatabase(job.database)) };
        case 'toolSchema':
          return { job, rows: await this.runMaybeMissing(sql.toolSchema(job.database)) };
      }
    });
    const newObjectGrantees: Record<string, string[]> = {};
    const toolSchemas: { database: string; saltTable: boolean; surrogateTable?: boolean }[] = [];
    const foreignToolSchemas: string[] = [];
    // Assemble in job order so the Live value is deterministic whatever finished first.
    for (const { job, rows } of results) {
      switch (job.t) {
        case 'to': {
          const r = parseGrantsToRole(job.role, rows ?? []);
          // PUBLIC is read only for objects in managed schemas.
          grants.push(...(job.role === 'PUBLIC' && !managed.has('PUBLIC') ? r.grants.filter((g) => inScopeForPublic(g.object)) : r.grants));
          if (job.role !== 'PUBLIC' || managed.has('PUBLIC')) for (const m of r.memberships) memberships.set(m.key, m);
          ignored.push(...r.ignored);
          break;
        }
        case 'of':
          for (const m of parseGrantsOfRole(job.role, rows ?? [])) memberships.set(m.key, m);
          break;
        case 'future':
          if (rows) {
            schemas.push({ kind: 'schema', database: job.database, schema: job.schema });
            const r = parseFutureGrants(job.database, job.schema, rows);
            // Every role's: an unmanaged role's schema-level future grant hides database-level
            // ones there (the planner repeats them); the planner keeps only managed ones in scope.
            futureGrants.push(...r.futureGrants);
            ignored.push(...r.ignored);
          }
          break;
        case 'futureDb':
          if (rows) {
            const grantees = newObjectGranteesOf(rows);
            if (grantees.length) newObjectGrantees[job.database] = grantees;
            const r = parseFutureGrants(job.database, undefined, rows);
            // Every role's: an unmanaged role's schema-level future grant hides database-level
            // ones there (the planner repeats them); the planner keeps only managed ones in scope.
            futureGrants.push(...r.futureGrants);
            ignored.push(...r.ignored);
          }
          break;
        case 'tables':
          if (rows) tables.push(...parseTables(job.database, rows));
          break;
        case 'databases':
          imported = new Set(parseImportedDatabases(rows ?? []));
          break;
        case 'listing':
          if (rows) others.push(...parseListing(job.kind, job.database, new Set(job.schemas), rows));
          break;
        case 'columns':
          if (rows) columnRows.push({ database: job.database, rows });
          break;
        case 'masking':
          markedMasking.push(...parseShowPolicies('masking', rows ?? []));
          break;
        case 'rowAccess':
          markedRow.push(...parseShowPolicies('row', rows ?? []));
          break;
        case 'toolSchema': {
          const t = parseToolSchema(rows ?? []);
          if (t.state === 'rbac') toolSchemas.push({ database: job.database, saltTable: t.saltTable, surrogateTable: t.surrogateTable === true });
          else if (t.state === 'foreign') foreignToolSchemas.push(job.database);
          break;
        }
      }
    }
    // rbac's own schema, salt table and mapping table: every grant on them, whoever holds it, is managed.
    const toolObjects: string[] = [];
    const onTool = await mapLimit(
      toolSchemas.flatMap((t) => [
        { object: toolSchemaRef(t.database), text: sql.grantsOnToolSchema(t.database) },
        ...(t.saltTable ? [{ object: saltTableRef(t.database), text: sql.grantsOnSaltTable(t.database) }] : []),
        ...(t.surrogateTable ? [{ object: surrogateTableRef(t.database), text: sql.grantsOnSurrogateTable(t.database) }] : []),
      ]),
      this.parallelism,
      async (x) => ({ object: x.object, rows: await this.runMaybeMissing(x.text) }),
    );
    const seenGrants = new Set(grants.map((g) => g.key));
    for (const { object, rows } of onTool) {
      if (!rows) continue;
      toolObjects.push(objectKey(object));
      const r = parseGrantsOn(rows);
      for (const g of r.grants) if (!seenGrants.has(g.key)) (seenGrants.add(g.key), grants.push(g));
      ignored.push(...r.ignored);
    }
    for (const c of columnRows) addColumns(c.database, tables, c.rows);
    // SHOW GRANTS lists IMPORTED PRIVILEGES on a shared database as USAGE: read it as what it is.
    if (imported.size) {
      grants = grants.map((g) => (g.object.kind === 'database' && g.privilege === 'usage' && imported.has(g.object.database) ? makeGrant({ ...g, privilege: 'imported_privileges' }) : g));
    }
    // Tag-based masking: the managed tags on the classified tables' columns, one query per table.
    let columnTags: ColumnTagRecord[] | undefined;
    if (scope.columnTags?.tables.length) {
      const managedTags = new Set(scope.columnTags.tags.map(objectKey));
      const perTable = await mapLimit(scope.columnTags.tables, this.parallelism, async (t) => parseColumnTags(t, (await this.runMaybeMissing(sql.columnTagsOfTable(t))) ?? [], managedTags));
      columnTags = perTable.flat();
    }
    // Attachments: one POLICY_REFERENCES call per policy the tool made, in parallel.
    const marked = [...markedMasking.map((p) => ({ t: 'masking' as const, p })), ...markedRow.map((p) => ({ t: 'row' as const, p }))];
    const refs = await mapLimit(marked, this.parallelism, (m) => this.run(sql.policyReferences(m.p.database, m.p.schema, m.p.object)));
    // Bodies: SHOW does not list them; a body changed by hand under rbac's marker is drift.
    const bodies = await mapLimit(marked, this.parallelism, (m) => this.run(sql.describePolicy(m.t, m.p.database, m.p.schema, m.p.object)));
    const maskingPolicies: MaskingPolicyRecord[] = [];
    const rowAccessPolicies: RowAccessPolicyRecord[] = [];
    marked.forEach((m, i) => {
      if (m.t === 'masking') maskingPolicies.push(maskingRecordFrom(m.p as MarkedPolicy<MaskingMarker>, refs[i], bodies[i]));
      else rowAccessPolicies.push(rowRecordFrom(m.p as MarkedPolicy<RowMarker>, refs[i], bodies[i]));
    });
    this.lastTables = tables;
    this.lastImported = [...imported];
    this.lastIgnored = ignored;
    this.lastSalt = { toolObjects, foreignToolSchemas, newObjectGrantees };
    this.lastPolicies = { masking: maskingPolicies, rowAccess: rowAccessPolicies };
    // Outside the catalog: reported once per kind in the plan, never in the diff.
    const outside = new Map<string, { on: string; privileges: Set<string>; count: number }>();
    for (const i of ignored) {
      const on = i.grantedOn.trim().toUpperCase();
      const e = outside.get(on) ?? outside.set(on, { on, privileges: new Set(), count: 0 }).get(on)!;
      e.privileges.add(i.privilege.trim().toUpperCase());
      e.count++;
    }
    const unmanagedGrants = [...outside.values()].sort((a, b) => (a.on < b.on ? -1 : 1)).map((e) => ({ on: e.on, privileges: [...e.privileges].sort(), count: e.count }));
    // What the platform granted itself (no granted_by): never revoked.
    const systemGrants = [...grants, ...memberships.values()].filter((g) => g.grantedBy === undefined).map((g) => g.key);
    return {
      platform: 'snowflake',
      roles: [...roles, ...users],
      memberships: [...memberships.values()],
      grants,
      futureGrants,
      schemas,
      tables,
      // Every object read, of every kind: what objects:, globs and named routines expand against.
      objects: liveObjectsOf(schemas, tables, others),
      maskingPolicies,
      rowAccessPolicies,
      ...(columnTags ? { columnTags } : {}),
      ...(toolObjects.length ? { toolObjects: toolObjects.sort() } : {}),
      ...(Object.keys(newObjectGrantees).length ? { newObjectGrantees } : {}),
      ...(systemGrants.length ? { systemGrants } : {}),
      ...(unmanagedGrants.length ? { unmanagedGrants } : {}),
    };
  }

  /**
   * `rbac surrogates` on Snowflake (src/surrogates/topup.ts): the fill compile uses
   * (unguarded: topup runs it only after exemptSql said this session reads the columns
   * in clear), the count of values without a key, and the policy's unmask condition.
   */
  readonly surrogates: SurrogateSql = {
    unmappedCountSql: surrogateUnmappedCountSql,
    fillSql: (policy, column) => surrogateFillSql(policy, column),
    exemptSql: surrogateExemptSql,
  };

  compile(plan: Plan, opts: { expressions?: ExpressionPolicy } = {}): Statement[] {
    return compileSnowflakePlan(plan, { tables: this.lastTables, expressions: opts.expressions, importedDatabases: this.lastImported, livePolicies: this.lastPolicies, ...this.lastSalt });
  }

  async apply(statements: Statement[], opts: ApplyOptions = {}): Promise<ApplyResult> {
    // No lock to hold on this platform: the re-read and comparison happen right
    // before the first statement, which is as close as it gets.
    const run = opts.verify ? await opts.verify() : statements;
    return applySequential(run, { exec: (text) => this.run(text) }, opts.onEvent);
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

export { compileSnowflakePlan };

/** Connect with snowflake-sdk and wrap the connection in an adapter. */
export async function createSnowflakeAdapter(
  connect: SnowflakeConnectOptions,
  options: SnowflakeAdapterOptions = {},
): Promise<SnowflakeAdapter> {
  return new SnowflakeAdapter(await connectSnowflake(connect), options);
}
