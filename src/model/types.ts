/**
 * The canonical model: the one shape that the config loader and every adapter's
 * reader produce, and that the planner compares.
 *
 * Invariants:
 * - every name held here is already normalized by the target dialect
 *   (`Dialect.normalize`): Postgres folds unquoted names to lower case, Snowflake to
 *   upper case, Databricks to lower case. Two records that mean the same thing have
 *   byte-identical names and therefore identical keys.
 * - every record carries a canonical `key` (see `keys.ts`); sets of records are
 *   compared by key only.
 * - privileges and object kinds come from closed enums (`privileges.ts`); nothing in
 *   the model is raw SQL.
 */

export type Platform = 'postgres' | 'snowflake' | 'databricks';

export const PLATFORMS: readonly Platform[] = ['postgres', 'snowflake', 'databricks'];

/** Where a record came from in the configuration, for diagnostics and explain. */
export interface SourceLocation {
  file: string; // path relative to the config root
  line: number; // 1-based
  column: number; // 1-based
}

/**
 * Securable object kinds, across platforms (each platform's catalog says which it has:
 * src/dialects/<platform>/catalog.ts). A new kind is a member here, its shape in
 * `KIND_SHAPES` (kinds.ts), and a row in the catalogs of the platforms that have it.
 */
export type SecurableKind =
  | 'database'
  | 'schema'
  | 'table'
  | 'view'
  | 'materialized_view'
  | 'sequence'
  | 'function'
  | 'procedure'
  | 'type'
  | 'domain'
  | 'foreign_data_wrapper'
  | 'foreign_server'
  | 'dynamic_table'
  | 'external_table'
  | 'stage'
  | 'file_format'
  | 'stream'
  | 'task'
  | 'pipe'
  | 'tag'
  | 'account'
  | 'warehouse'
  | 'integration'
  | 'streaming_table'
  | 'volume'
  | 'model'
  | 'metastore'
  | 'external_location'
  | 'storage_credential'
  | 'service_credential'
  | 'connection'
  | 'share'
  | 'recipient';

/**
 * A securable object. `database` is the logical database (Snowflake database,
 * Databricks catalog, or on Postgres the logical name that the target maps onto a
 * database of the server). Which of `schema` and `name` are set follows the kind's
 * shape (kinds.ts): a schema has `schema`; an object in a schema has `schema` and
 * `name`; an object of the database itself (a foreign server) has `name`; the account
 * has neither and a warehouse or integration has `name` only, both with `database: ''`.
 * `signature` is part of a routine's identity: its argument types, canonical per
 * dialect, as `(text, integer)`.
 */
export interface ObjectRef {
  kind: SecurableKind;
  database: string;
  schema?: string;
  name?: string;
  signature?: string;
}

/**
 * A privilege: the platform's keyword in snake_case (`select`, `create_table`,
 * `execute`), one of the words its catalog lists for the object's kind. The v1 words
 * (`create` on a Snowflake database meaning CREATE SCHEMA, `usage` meaning USE CATALOG
 * on Databricks) keep their meaning and are the canonical spelling where they exist.
 */
export type Privilege = string;

/** A role the configuration manages. */
export interface RoleRecord {
  key: string;
  name: string;
  description?: string;
  owner?: string;
  /** `absent`: the planner revokes everything the role holds, then drops it; apply runs drops only with --allow-destructive. */
  state: 'present' | 'absent';
  /** Display-only: justification for privileged roles, PHI access etc. */
  justification?: string;
  source?: SourceLocation;
}

/** `member` holds `role`: a user in the role, or a role that inherits it. */
export interface MembershipRecord {
  key: string;
  role: string;
  member: string;
  memberKind: 'user' | 'role';
  source?: SourceLocation;
  /** Live only, display-only: who granted it, where the platform records it. */
  grantedBy?: string;
  /** Desired only: a membership for a time (see TemporaryAccess); not part of the key. */
  temporary?: TemporaryAccess;
}

/**
 * A membership granted for a time, from the configuration (`members: [{name, until,
 * reason}]`). Times are UTC ISO strings; `since` (when set) is before `until`. The
 * planner holds it while `since <= now < until` (PlanOptions.now) and revokes it
 * after. `breakGlass`: the role is an emergency role (`break_glass: true`).
 */
export interface TemporaryAccess {
  until: string;
  since?: string;
  reason?: string;
  breakGlass?: boolean;
}

/**
 * One atomic privilege on one object (and optionally one column) for one grantee.
 * Grantee `PUBLIC` is written as the dialect's public pseudo-role name (see
 * `PUBLIC_ROLE`).
 */
export interface GrantRecord {
  key: string;
  role: string;
  privilege: Privilege;
  object: ObjectRef;
  /** Column-level grant (Postgres column ACL). */
  column?: string;
  /**
   * Held WITH GRANT OPTION: the grantee may grant the privilege on (a path to
   * re-granting PHI). Desired: `grant_option: true`; a live grant option the
   * configuration does not ask for is drift, revoked on its own. Not part of the key.
   */
  grantOption?: boolean;
  source?: SourceLocation;
  /** Live only, display-only. */
  grantedBy?: string;
  /** Live only: every role recorded as having granted it (Postgres ACL grantors), sorted. */
  grantors?: string[];
}

/**
 * A grant on objects created in the future in a schema (Postgres ALTER DEFAULT
 * PRIVILEGES, Snowflake FUTURE GRANTS). `forRole` is the creating role on Postgres
 * (default privileges are per creator) and undefined elsewhere.
 */
export interface FutureGrantRecord {
  key: string;
  role: string;
  privilege: Privilege;
  /** Where: a schema, or the database (PostgreSQL's global default privileges, database-wide future grants). */
  schema: ObjectRef;
  /** The kind of future object, as the platform's mechanism names it (catalog `future.type`). */
  objectType: FutureObjectType;
  forRole?: string;
  /** WITH GRANT OPTION; part of the key (a default privilege has no dependents to spare). */
  grantOption?: boolean;
  source?: SourceLocation;
}

/**
 * What future objects a default privilege or future grant reaches: the plural word of
 * a kind (`tables`, `sequences`, `functions`, `types`, `schemas`, and on Snowflake
 * `views`, `stages`, ...), as the catalog's `future.type` says.
 */
export type FutureObjectType =
  | 'tables'
  | 'sequences'
  | 'functions'
  | 'types'
  | 'schemas'
  | 'views'
  | 'materialized_views'
  | 'dynamic_tables'
  | 'external_tables'
  | 'procedures'
  | 'stages'
  | 'file_formats'
  | 'streams'
  | 'tasks'
  | 'pipes'
  | 'volumes'
  | 'models';

/** Every future object type, in a stable order. */
export const FUTURE_OBJECT_TYPES: readonly FutureObjectType[] = [
  'tables',
  'sequences',
  'functions',
  'types',
  'schemas',
  'views',
  'materialized_views',
  'dynamic_tables',
  'external_tables',
  'procedures',
  'stages',
  'file_formats',
  'streams',
  'tasks',
  'pipes',
  'volumes',
  'models',
];

/**
 * Desired grant on every object of some kinds in a container (`objects:`), existing
 * and, unless `future` is false, future. The planner expands it against the live
 * objects of the container, compared one by one, plus the platform's mechanism for
 * future objects; it is never compiled as a one-shot `ON ALL TABLES`. The container is
 * a schema, or a database (every schema of it).
 */
export interface SchemaWideGrant {
  role: string;
  privilege: Privilege;
  /** The container: a schema, or a database. */
  schema: ObjectRef;
  /** The kinds of object it reaches, as the catalog's `objects:` words name them (`tables` reaches every relation). */
  kinds: SecurableKind[];
  /** Future objects too (default true; `future: false` in the configuration). */
  future: boolean;
  source?: SourceLocation;
  /** WITH GRANT OPTION, on every object the expansion reaches (and on future ones). */
  grantOption?: boolean;
  /**
   * objectKey of tables of the schema the expansion skips (Postgres: a table with
   * masked columns, which the role reads through its masking view instead). The
   * future grant is kept.
   */
  exceptTables?: readonly string[];
}

/** The pseudo-role that stands for every role. Kept in this spelling in the model. */
export const PUBLIC_ROLE = 'PUBLIC';

/** Built-in masks; each compiles per dialect and keeps the column's type. */
export type MaskFunction = 'redact' | 'null' | 'hash' | 'surrogate' | 'last4' | 'year' | 'zip3' | 'email_domain';

export const MASK_FUNCTIONS: readonly MaskFunction[] = ['redact', 'null', 'hash', 'surrogate', 'last4', 'year', 'zip3', 'email_domain'];

/** One column of one table. */
export interface ColumnRef {
  table: ObjectRef; // kind === 'table'
  column: string;
}

/**
 * A column masking policy: every role not in `unmaskedFor` (nor inheriting one of
 * them) reads `columns` through the mask.
 *
 * Invariants: exactly one of `mask` and `expression`; `expression` is the target
 * platform's SQL, in which the placeholder `{value}` stands for the column's value;
 * `unmaskedFor` is sorted and de-duplicated; `columns` are sorted by
 * `objectKey(table) + column` and de-duplicated. Two records with the same key and equal
 * `mask`/`expression`/`unmaskedFor` need no change whatever their `body`.
 */
export interface MaskingPolicyRecord {
  key: string; // policy:masking:<name>
  name: string;
  /** The schema the policy object lives in where the platform has policy objects. */
  schema: ObjectRef;
  mask?: MaskFunction;
  expression?: string;
  unmaskedFor: string[];
  columns: ColumnRef[];
  /**
   * Snowflake tag-based masking: the tags (kind `tag`) the policy is set on
   * (`ALTER TAG t SET MASKING POLICY p`), sorted by objectKey and de-duplicated. The
   * policy then masks every column carrying one of the tags whose type matches its
   * signature; such a column is masked THROUGH the tag and is never in `columns`
   * (unsetting the policy from it is neither possible nor meant). Absent or empty:
   * none. Other platforms have no tags: a configuration naming one is refused.
   */
  tags?: ObjectRef[];
  source?: SourceLocation;
  /**
   * zip3 only: the restricted prefixes configured in rbac.yaml (`safe_harbor.zip3_restricted`),
   * sorted; absent: the built-in list (model/safe-harbor). Compiled into the mask and
   * recorded in rbac's marker, so a changed list is a change of the policy.
   */
  zip3Restricted?: string[];
  /** Display-only: the platform's policy body as read back or as compiled. */
  body?: string;
  /**
   * Live only: why what enforces this policy on the platform is not what rbac made
   * (a definition changed by hand, a view replaced, a switch turned off). Non-empty
   * means the planner re-creates the policy; the words are shown in plan and drift.
   */
  tampered?: string[];
}

/**
 * A tag set on a column, with its value (Snowflake `ALTER TABLE t MODIFY COLUMN c SET
 * TAG tag = 'value'`), keyed by tag and column (`columnTagKey`). Desired: for each tag a
 * masking policy names (`MaskingPolicyRecord.tags`), one per classified column (`phi:`),
 * valued with its category. Live: read only for those tags, on the tables the
 * classification names, where the tag is set on the column itself (not inherited from
 * its table, schema or database); other tags and other tables are never read, so never
 * unset.
 */
export interface ColumnTagRecord {
  key: string;
  column: ColumnRef;
  tag: ObjectRef; // kind === 'tag'
  value: string;
  source?: SourceLocation;
}

/** One rule of a row access policy: members of `roles` see the rows where `where` holds. */
export interface RowRule {
  roles: string[]; // sorted, de-duplicated
  /** A SQL boolean expression of the target platform, over the table's columns. */
  where: string;
}

/**
 * A row access policy on one table. A role in no rule sees no rows.
 * Invariants: `rules` keep configuration order; each rule's roles are sorted.
 */
export interface RowAccessPolicyRecord {
  key: string; // policy:row:<name>
  name: string;
  schema: ObjectRef;
  table: ObjectRef;
  rules: RowRule[];
  source?: SourceLocation;
  /** Display-only: the platform's body as read back or as compiled. */
  body?: string;
  /** Live only: see MaskingPolicyRecord.tampered. */
  tampered?: string[];
}

/** What the configuration asks for, normalized for one target dialect. */
export interface Desired {
  platform: Platform;
  roles: RoleRecord[];
  /** Users named as members; they are not created by the tool. */
  users: string[];
  /**
   * Databricks: the principals of `users` that are Delta Sharing recipients (granted
   * SELECT on shares, `TO RECIPIENT`); never looked up in SCIM, never members.
   */
  recipients?: string[];
  memberships: MembershipRecord[];
  grants: GrantRecord[];
  schemaWide: SchemaWideGrant[];
  /** Grants the planner resolves against the live objects: globs and routines. */
  patterns?: GrantPattern[];
  /**
   * Objects the configuration names with a kind the live object must have (`view:`
   * matches only a view; `function:` a function with that signature): the planner
   * reports a mismatch or a missing routine, naming the candidates.
   */
  named?: { object: ObjectRef; source?: SourceLocation }[];
  /** Extra future grants written explicitly (rare); schemaWide adds its own. */
  futureGrants: FutureGrantRecord[];
  maskingPolicies?: MaskingPolicyRecord[];
  rowAccessPolicies?: RowAccessPolicyRecord[];
  /** Column -> Safe Harbor category, for lint, review and renderers. */
  phi?: { column: ColumnRef; category: string }[];
  /** Snowflake: the tags masking policies mask through, set on each classified column (see ColumnTagRecord). */
  columnTags?: ColumnTagRecord[];
  /** What custom SQL may use beyond the dialect's safe list (`expressions:` of rbac.yaml). */
  expressions?: import('./expressions.js').ExpressionPolicy;
}

/**
 * A desired grant the planner resolves against the live objects when the plan is
 * made: a name with a glob in a part (`ehr.snowplow_*`, `ehr.reporting.*_v`; `*` and
 * `?` keep their meaning in normalized parts), or a routine, whose `signature` must
 * match a live routine (a glob routine without one matches every overload). With
 * `kinds`, the matched objects are containers and the grant reaches their objects
 * (`objects:`).
 */
export interface GrantPattern {
  role: string;
  privilege: Privilege;
  /** The kind named (`schema`, `table`, ...); `table` also matches the relations `table:` matches. */
  kind: SecurableKind;
  database: string;
  schema?: string;
  name?: string;
  signature?: string;
  kinds?: SecurableKind[];
  future: boolean;
  grantOption?: boolean;
  source?: SourceLocation;
}

/** A relation the live reader saw. */
export interface LiveTable {
  object: ObjectRef; // kind === 'table'
  columns: string[];
  /** The platform's type name per column, parallel to `columns`, where the reader knows it. */
  columnTypes?: string[];
  owner?: string;
  /** Postgres: row level security is enabled on the table (pg_class.relrowsecurity). */
  rowSecurity?: boolean;
  /** Postgres: FORCE ROW LEVEL SECURITY is set (pg_class.relforcerowsecurity); it applies policies to the owner too. */
  forceRowSecurity?: boolean;
  /** Postgres: row level security policies on the table that rbac did not make (names). */
  foreignPolicies?: string[];
}

/** A role the live reader saw (managed or not). */
export interface LiveRole {
  name: string;
  /** True when the principal can log in (a user, not a group role). */
  isUser: boolean;
  /** Parsed comment: description and owner the tool wrote. */
  description?: string;
  owner?: string;
}

/** The live state of a target, limited to what the reader was asked to read. */
export interface Live {
  platform: Platform;
  /**
   * Databricks with `manage_membership: true`: what the SCIM API said about the managed
   * account groups, their members and the principals the configuration names (ids
   * included), so a plan's group and member changes compile to SCIM operations, offline
   * too. Absent when SCIM was not read: memberships are then unmanaged.
   */
  scim?: import('../dialects/databricks/scim-model.js').ScimSnapshot;
  roles: LiveRole[];
  memberships: MembershipRecord[];
  grants: GrantRecord[];
  futureGrants: FutureGrantRecord[];
  schemas: ObjectRef[];
  tables: LiveTable[];
  /**
   * Every securable object the reader saw in scope, of every kind (schemas, relations,
   * sequences, routines with their signatures, types, ...): what `objects:` and globs
   * expand against and what a named object is checked against. Absent in recordings
   * made before 0.2: `schemas` and `tables` stand in.
   */
  objects?: ObjectRef[];
  /** The logical-to-physical database names the reader used (Postgres). */
  databases?: Record<string, string>;
  /** The principal the reader ran as, for future grants' default creator and audit. */
  currentUser?: string;
  /** Policies the tool made (readers report only those; others are never touched). */
  maskingPolicies?: MaskingPolicyRecord[];
  rowAccessPolicies?: RowAccessPolicyRecord[];
  /** Snowflake: the managed tags as set on the columns of the classified tables (see ColumnTagRecord). */
  columnTags?: ColumnTagRecord[];
  /**
   * Grants held by roles outside the managed scope that a managed role granted (its
   * grant option at work). Never revoked themselves; read so that revoking the
   * managed role's grant option, which cascades to them, can name them first.
   */
  dependentGrants?: GrantRecord[];
  /**
   * objectKeys of objects rbac owns outright (Postgres: its masking views, the `rbac`
   * schema and its settings table; Snowflake: the `RBAC` schema and `SETTINGS` table of
   * a database holding a hash policy, recognised by the schema's marker comment). Every
   * grant on them, whoever holds it, is in the managed scope: one the configuration did
   * not ask for is drift and is revoked, and `objects:` expansion never reaches them.
   */
  toolObjects?: string[];
  /**
   * Databricks: direct catalog-level grants (SELECT, MODIFY, MANAGE, ALL PRIVILEGES), of
   * any principal, that Unity Catalog's inheritance carries to rbac's salt table in that
   * catalog. An inherited privilege cannot be revoked on one table: each is a plan error
   * while the catalog keeps a salt (src/dialects/databricks/salt.ts).
   */
  saltReaders?: GrantRecord[];
  /**
   * objectKeys of objects that belong to an extension (PostgreSQL: pgcrypto's
   * functions). They can be granted on by name, but `objects:` and globs never reach
   * them, and PUBLIC's grants on them are the extension's, not drift.
   */
  extensionObjects?: string[];
  /**
   * Keys of grants the platform made itself (Snowflake: an empty `granted_by`, such as
   * USERADMIN granted to SECURITYADMIN): read, so the configuration can say them, and
   * never revoked.
   */
  systemGrants?: string[];
  /**
   * What the reader saw granted to managed roles on securables or with privileges its
   * catalog does not know (Snowflake: `WAREHOUSE`, `INTEGRATION`), per kind: never in
   * the diff (so never revoked), and reported once in the plan rather than dropped silently.
   */
  unmanagedGrants?: { on: string; privileges: string[]; count: number }[];
  /**
   * Postgres: schema -> grantees that default privileges give a new relation the
   * connecting role creates there (global defaults included; PUBLIC as `PUBLIC`).
   * Snowflake: database -> roles that the database's future grants give privileges on a
   * new schema or table. rbac revokes them from its own objects right after creating them.
   */
  newObjectGrantees?: Record<string, string[]>;
  /** Postgres, several databases: `newObjectGrantees` per logical database. */
  newObjectGranteesByDatabase?: Record<string, Record<string, string[]>>;
}

/** Planning mode: authoritative revokes what managed roles hold beyond the config. */
export type Mode = 'authoritative' | 'additive';
