/**
 * The per-dialect seams. Each dialect folder (postgres/, snowflake/, databricks/) has
 * the same files: quote.ts (identifier and literal quoting, name normalization),
 * compile.ts (Change -> Statement[]), inspect.ts (catalog queries and row parsing into
 * the canonical Live model), driver.ts (the minimal query seam over the real driver),
 * and adapter.ts (introspect, apply under a lock).
 */
import type { Statement } from '../apply/types.js';
import type { Change } from '../plan/types.js';
import type { MaskingPolicyRecord, Platform, RowAccessPolicyRecord } from '../model/types.js';

/** One name part as written in the config: quoted parts keep their case. */
export interface NamePart {
  text: string;
  quoted: boolean;
}

export interface Dialect {
  platform: Platform;
  /** Fold an identifier as the platform does (unquoted only). */
  normalize(part: NamePart): string;
  /**
   * Fold a principal's name (role, group, user, service principal) where the platform
   * compares principals differently from object names; absent: `normalize`.
   */
  normalizePrincipal?(part: NamePart): string;
  /** Quote an identifier so that any string is safe and exact. */
  quoteIdent(name: string): string;
  /** Quote a string literal. */
  quoteLiteral(value: string): string;
  /** Maximum identifier length in bytes (UTF-8); longer names are an error. */
  maxIdentifierBytes: number;
  /**
   * The parser of SQL a person writes (row filters, mask expressions) in this
   * platform's grammar: see src/model/expressions.ts. Nothing from the configuration
   * reaches a statement without it.
   */
  expressions: import('../model/expressions.js').ExpressionParser;
  /**
   * A routine's argument types as the configuration writes them -> the canonical
   * signature the reader produces for the same routine (`(text, integer)`). Throws on a
   * type the dialect cannot read.
   */
  canonicalSignature(types: readonly string[]): string;
}

/** One SQL statement and the change it implements (defined with what apply runs: apply/types.ts). */
export type { Statement } from '../apply/types.js';

/** Compile context: what a compiler needs beyond the change itself. */
export interface CompileContext {
  /** Logical database name -> physical name (Postgres maps onto the connected db). */
  databases?: Record<string, string>;
  /**
   * The live tables with their columns and column types (`LiveTable.columnTypes`):
   * masking policy signatures and row access policy arguments are typed on Snowflake
   * and Databricks. Absent offline; compilers then fall back as documented in their
   * policies.ts.
   */
  tables?: readonly import('../model/types.js').LiveTable[];
  /**
   * The policies the tool made, as read live. A plan-level compiler applies the plan's
   * policy changes to them to know the policy set after the plan (Postgres builds one
   * view per table from all the policies of that table).
   */
  livePolicies?: { masking: readonly MaskingPolicyRecord[]; rowAccess: readonly RowAccessPolicyRecord[] };
  /**
   * Live.newObjectGrantees, revoked from the objects rbac creates (Postgres: per schema;
   * Snowflake: per database, from the salt's schema and table).
   */
  newObjectGrantees?: Readonly<Record<string, readonly string[]>>;
  /** Live.toolObjects: objects rbac owns that exist already (Snowflake: a salt table is not made twice). */
  toolObjects?: readonly string[];
  /** Snowflake: databases whose schema RBAC exists without rbac's marker (a hash policy there is refused). */
  foreignToolSchemas?: readonly string[];
  /** Postgres, several databases: Live.newObjectGranteesByDatabase (logical database -> schema -> grantees). */
  newObjectGranteesByDatabase?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  /** Snowflake: databases made from a share, where `usage` is granted as IMPORTED PRIVILEGES (the only privilege they take). */
  importedDatabases?: readonly string[];
  /** What custom SQL may use beyond the built-in safe list (`expressions:` of rbac.yaml); none when absent. */
  expressions?: import('../model/expressions.js').ExpressionPolicy;
  /** Databricks: Live.scim, when groups and members are managed: group and member changes compile to SCIM operations. */
  scim?: import('./databricks/scim-model.js').ScimSnapshot;
}

export type Compiler = (change: Change, ctx: CompileContext) => string[];

/** The minimal I/O seam every driver is wrapped behind. */
export interface QueryFn {
  (sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
}

/** What the reader is asked to read: managed roles and the objects in scope. */
export interface IntrospectScope {
  /** Managed role names (normalized). Only these roles' grants are read. */
  roles: string[];
  /** User principals named as members, so a missing one is reported. */
  users: string[];
  /** Databricks: the principals of `users` that are Delta Sharing recipients. */
  recipients?: string[];
  /** Logical databases in scope (Postgres: mapped onto the connected database). */
  databases: string[];
  /** Schemas in scope (objects: tables, PUBLIC grants and table listings). */
  schemas: { database: string; schema: string }[];
  /** Read grants held by PUBLIC on objects in the schemas in scope. */
  includePublic: boolean;
  /**
   * Logical databases whose every schema is read (a database-wide `objects:`, a glob
   * over schema names): their schemas are not known before the target is read.
   */
  wholeDatabases?: string[];
  /**
   * The kinds of object `objects:`, globs and named routines reach: readers that list
   * objects per kind (Snowflake stages, functions, ...) list only these.
   */
  objectKinds?: import('../model/types.js').SecurableKind[];
  /**
   * Snowflake tag-based masking: the tags masking policies mask through, and the tables
   * whose columns the classification names. Those tags' values on those tables'
   * columns are read (Live.columnTags); no other tag, no other table.
   */
  columnTags?: { tags: import('../model/types.js').ObjectRef[]; tables: import('../model/types.js').ObjectRef[] };
}

/** Read and write access to one target. Adapters own all I/O. */
export interface Adapter {
  readonly platform: Platform;
  readonly dialect: Dialect;
  /** Read the live state of the scope in a fixed number of catalog queries. */
  introspect(scope: IntrospectScope): Promise<import('../model/types.js').Live>;
  /**
   * The access review's view of the whole account (read-only): every principal, the
   * platform's administrators and who reads the relations in scope (model/account.ts).
   * Absent where the dialect has no account reader; the review then says so.
   */
  readAccount?(scope: import('../model/account.js').AccountScope): Promise<import('../model/account.js').AccountFacts>;
  /**
   * Compile a plan into statements for this target. `expressions` is what custom SQL
   * may use beyond the built-in safe list (the configuration's `expressions:`).
   */
  compile(plan: import('../plan/types.js').Plan, opts?: { expressions?: import('../model/expressions.js').ExpressionPolicy }): Statement[];
  /** Run statements; all-or-nothing where the platform has transactions. */
  apply(statements: Statement[], opts?: import('../apply/types.js').ApplyOptions): Promise<import('../apply/types.js').ApplyResult>;
  /** How the `surrogate` mask's mapping is topped up on this platform (`rbac surrogates`). */
  readonly surrogates?: import('../surrogates/topup.js').SurrogateSql;
  /** Number of queries sent so far (benchmarks print it). */
  queryCount(): number;
  close(): Promise<void>;
}
