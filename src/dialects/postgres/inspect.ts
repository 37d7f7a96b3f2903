/**
 * Reading the live state of a Postgres database: a fixed set of catalog queries
 * (`CATALOG_QUERIES`, always the same number whatever the number of roles or tables)
 * and pure parsers from their rows into the canonical `Live` model, so tests can feed
 * recorded rows.
 *
 * Scope is passed as array parameters (`= ANY($1::text[])`), never spliced into SQL.
 */
import type { IntrospectScope, QueryFn } from '../types.js';
import type {
  FutureGrantRecord,
  GrantRecord,
  Live,
  LiveRole,
  LiveTable,
  MaskFunction,
  MaskingPolicyRecord,
  MembershipRecord,
  RowAccessPolicyRecord,
  ObjectRef,
} from '../../model/types.js';
import { PUBLIC_ROLE } from '../../model/types.js';
import { keywordReader } from '../../model/catalog.js';
import type { FutureObjectType, SecurableKind } from '../../model/types.js';
import { makeFutureGrant, makeGrant, makeMembership, makeObject, maskingPolicyKey, objectKey, rowAccessPolicyKey } from '../../model/keys.js';
import {
  MASKED_VIEW_SUFFIX,
  SAFE_HARBOR_MASKS,
  SAFE_HARBOR_MASK_NAMES,
  TOOL_SCHEMA,
  VIEW_MARKER,
  decodePolicyComment,
  decodeViewComment,
  maskingBody,
  rlsPolicyNames,
  rowAccessBody,
  sortColumnRefs,
  type PgRowAccessPolicyRecord,
} from './masking.js';
import { RbacError } from '../../model/errors.js';
import { decodeRoleComment } from './sql.js';
import { POSTGRES_CATALOG } from './catalog.js';
import { signatureFromCatalog, type CatalogArgType } from './signature.js';
import { policyDigestSql, viewDigestSql } from './enforcement.js';
import { quoteLiteral } from './quote.js';

/** Relation kinds read: table, partitioned table, view, materialized view, foreign table, sequence. */
export const RELKINDS = ['r', 'p', 'v', 'm', 'f', 'S'] as const;
const RELKIND_SQL = `('r','p','v','m','f','S')`;
/** pg_class.relkind -> kind (tables, partitioned and foreign tables are tables). */
const RELKIND_KINDS: Readonly<Record<string, SecurableKind>> = { r: 'table', p: 'table', f: 'table', v: 'view', m: 'materialized_view', S: 'sequence' };
/** pg_default_acl.defaclobjtype -> the future type and the kind whose privileges it holds. */
const DEFAULT_ACL_TYPES: Readonly<Record<string, { type: FutureObjectType; kind: SecurableKind }>> = {
  r: { type: 'tables', kind: 'table' },
  S: { type: 'sequences', kind: 'sequence' },
  f: { type: 'functions', kind: 'function' },
  T: { type: 'types', kind: 'type' },
  n: { type: 'schemas', kind: 'schema' },
};

// One ACL item filter shared by every query: a managed grantee ($2), or PUBLIC
// (grantee oid 0) when PUBLIC grants are in scope ($3).
const GRANTEE_FILTER = `(g.rolname = ANY($2::text[]) OR (a.grantee = 0 AND $3::boolean))`;

// rbac's own objects: its schema (and what is in it) and its masking views, marked by
// their comment. Every grant on them is read, whoever holds it: none was asked for
// unless the configuration says so, and a hand-made one (UPDATE on a masking view
// writes through it to the patients' table) must show as drift.
const TOOL_SCHEMA_SQL = quoteLiteral(TOOL_SCHEMA);
const VIEW_MARK_SQL = quoteLiteral(`{"rbac":${JSON.stringify(VIEW_MARKER)}%`);
// Grants a managed role made (its grant option at work), to whomever: revoking that
// grant option cascades to them, so they are read as dependents.
const BY_MANAGED = `a.grantor IN (SELECT r.oid FROM pg_roles r WHERE r.rolname = ANY($2::text[]))`;
const TOOL_RELATION = `(n.nspname = ${TOOL_SCHEMA_SQL} OR (c.relkind = 'v' AND obj_description(c.oid, 'pg_class') LIKE ${VIEW_MARK_SQL}))`;
// Schemas of the system, never listed when every schema of a database is read.
const USER_SCHEMA = `(n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', ${TOOL_SCHEMA_SQL}) AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%')`;
// Objects that belong to an extension: PUBLIC's grants on them are the extension's
// (pgcrypto's functions are meant for every role) and not read.
const EXTENSION_MEMBER = (catalog: string, oid: string) =>
  `EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.classid = '${catalog}'::regclass AND dep.objid = ${oid} AND dep.deptype = 'e')`;
/** The exploded ACL items of one object, as a LEFT JOIN LATERAL body: `acl` is the ACL expression. */
const ACL_ITEMS = (acl: string, filter: string) => `
  SELECT g.rolname::text AS grantee, (a.grantee = 0) AS is_public, a.privilege_type::text AS privilege_type,
         a.is_grantable, pg_get_userbyid(a.grantor)::text AS grantor
  FROM aclexplode(${acl}) a
  LEFT JOIN pg_roles g ON g.oid = a.grantee
  WHERE ${filter}`;

/**
 * The catalog queries. Parameters: $1 schema names in scope (text[]), $2 managed role
 * names (text[]), $3 include PUBLIC (boolean); `roles` and `memberships` take
 * $1 = names (text[]) only, `schemas` also $4: read every schema of the database
 * (boolean). `coalesce(acl, acldefault(..))` makes a NULL ACL read as the built-in
 * default instead of "no grants" (matters for databases, where the default gives
 * PUBLIC CONNECT and TEMPORARY, and for functions and types, where it gives PUBLIC
 * EXECUTE and USAGE). `roles` and `memberships` read the cluster's shared catalogs and
 * run once per cluster; the others run once per database.
 */
export const CATALOG_QUERIES = {
  database: `
SELECT current_database()::text AS database, current_user::text AS current_user,
       pg_get_userbyid(d.datdba)::text AS owner,
       a.grantee_name AS grantee, a.is_public, a.privilege_type, a.is_grantable, a.grantor
FROM pg_database d
LEFT JOIN LATERAL (
  SELECT g.rolname::text AS grantee_name, (a.grantee = 0) AS is_public, a.privilege_type::text AS privilege_type,
         a.is_grantable, pg_get_userbyid(a.grantor)::text AS grantor
  FROM aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
  LEFT JOIN pg_roles g ON g.oid = a.grantee
  WHERE g.rolname = ANY($1::text[]) OR a.grantor IN (SELECT r.oid FROM pg_roles r WHERE r.rolname = ANY($1::text[]))
) a ON true
WHERE d.datname = current_database()`,
  roles: `
SELECT r.rolname::text AS name, r.rolcanlogin AS can_login, shobj_description(r.oid, 'pg_authid') AS comment
FROM pg_roles r
WHERE r.rolname = ANY($1::text[])
   OR r.oid IN (SELECT am.member FROM pg_auth_members am JOIN pg_roles p ON p.oid = am.roleid WHERE p.rolname = ANY($1::text[]))
   OR r.oid IN (SELECT am.roleid FROM pg_auth_members am JOIN pg_roles p ON p.oid = am.member WHERE p.rolname = ANY($1::text[]))
ORDER BY 1`,
  memberships: `
SELECT p.rolname::text AS role, m.rolname::text AS member, m.rolcanlogin AS member_can_login,
       pg_get_userbyid(am.grantor)::text AS grantor
FROM pg_auth_members am
JOIN pg_roles p ON p.oid = am.roleid
JOIN pg_roles m ON m.oid = am.member
WHERE p.rolname = ANY($1::text[]) OR m.rolname = ANY($1::text[])
ORDER BY 1, 2`,
  schemas: `
SELECT n.nspname::text AS schema, pg_get_userbyid(n.nspowner)::text AS owner,
       a.grantee, a.is_public, a.privilege_type, a.is_grantable, a.grantor
FROM pg_namespace n
LEFT JOIN LATERAL (${ACL_ITEMS('coalesce(n.nspacl, acldefault(\'n\', n.nspowner))', `${GRANTEE_FILTER} OR n.nspname = ${TOOL_SCHEMA_SQL} OR ${BY_MANAGED}`)}
) a ON true
WHERE n.nspname = ANY($1::text[]) OR n.nspname = ${TOOL_SCHEMA_SQL} OR ($4::boolean AND ${USER_SCHEMA})
ORDER BY 1`,
  tables: `
SELECT n.nspname::text AS schema, c.relname::text AS name, c.relkind::text AS relkind,
       pg_get_userbyid(c.relowner)::text AS owner,
       coalesce(array_agg(att.attname::text ORDER BY att.attnum) FILTER (WHERE att.attname IS NOT NULL), '{}'::text[]) AS columns,
       coalesce(array_agg(format_type(att.atttypid, att.atttypmod) ORDER BY att.attnum) FILTER (WHERE att.attname IS NOT NULL), '{}'::text[]) AS column_types,
       c.relrowsecurity AS row_security, c.relforcerowsecurity AS force_row_security,
       obj_description(c.oid, 'pg_class') AS comment,
       CASE WHEN c.relkind = 'v' THEN ${viewDigestSql('c')} END AS definition_digest
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attribute att ON att.attrelid = c.oid AND att.attnum > 0 AND NOT att.attisdropped AND c.relkind <> 'S'
WHERE c.relkind IN ${RELKIND_SQL} AND n.nspname = ANY($1::text[])
GROUP BY n.nspname, c.relname, c.relkind, c.relowner, c.relrowsecurity, c.relforcerowsecurity, c.oid
ORDER BY 1, 2`,
  policies: `
SELECT n.nspname::text AS schema, c.relname::text AS table, p.polname::text AS name,
       obj_description(p.oid, 'pg_policy') AS comment,
       p.polcmd::text AS command, p.polpermissive AS permissive,
       ARRAY(SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(r)::text END FROM unnest(p.polroles) AS r ORDER BY 1) AS roles,
       pg_get_expr(p.polqual, p.polrelid) AS using_expr,
       pg_get_expr(p.polwithcheck, p.polrelid) AS check_expr,
       ${policyDigestSql('p')} AS definition_digest
FROM pg_policy p
JOIN pg_class c ON c.oid = p.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1::text[])
ORDER BY 1, 2, 3`,
  relationAcl: `
SELECT n.nspname::text AS schema, c.relname::text AS name, c.relkind::text AS relkind,
       pg_get_userbyid(c.relowner)::text AS owner,
       g.rolname::text AS grantee, (a.grantee = 0) AS is_public, a.privilege_type::text AS privilege_type,
       a.is_grantable, pg_get_userbyid(a.grantor)::text AS grantor
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) a
LEFT JOIN pg_roles g ON g.oid = a.grantee
WHERE c.relkind IN ${RELKIND_SQL} AND (n.nspname = ANY($1::text[]) OR n.nspname = ${TOOL_SCHEMA_SQL})
  AND (${GRANTEE_FILTER} OR ${TOOL_RELATION} OR ${BY_MANAGED})
ORDER BY 1, 2`,
  columnAcl: `
SELECT n.nspname::text AS schema, c.relname::text AS name, c.relkind::text AS relkind, att.attname::text AS column,
       pg_get_userbyid(c.relowner)::text AS owner,
       g.rolname::text AS grantee, (a.grantee = 0) AS is_public, a.privilege_type::text AS privilege_type,
       a.is_grantable, pg_get_userbyid(a.grantor)::text AS grantor
FROM pg_attribute att
JOIN pg_class c ON c.oid = att.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL aclexplode(att.attacl) a
LEFT JOIN pg_roles g ON g.oid = a.grantee
WHERE att.attacl IS NOT NULL AND att.attnum > 0 AND NOT att.attisdropped
  AND c.relkind IN ${RELKIND_SQL} AND c.relkind <> 'S' AND (n.nspname = ANY($1::text[]) OR n.nspname = ${TOOL_SCHEMA_SQL})
  AND (${GRANTEE_FILTER} OR ${TOOL_RELATION} OR ${BY_MANAGED})
ORDER BY 1, 2, 4`,
  routines: `
SELECT n.nspname::text AS schema, p.proname::text AS name, p.prokind::text AS prokind,
       pg_get_userbyid(p.proowner)::text AS owner,
       (SELECT coalesce(json_agg(json_build_array(en.nspname::text, et.typname::text, format_type(et.oid, NULL), et.oid <> ty.oid) ORDER BY u.ord), '[]'::json)
          FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS u(t, ord)
          JOIN pg_type ty ON ty.oid = u.t
          JOIN pg_type et ON et.oid = CASE WHEN ty.typcategory = 'A' AND ty.typelem <> 0 THEN ty.typelem ELSE ty.oid END
          JOIN pg_namespace en ON en.oid = et.typnamespace) AS arg_types,
       ${EXTENSION_MEMBER('pg_proc', 'p.oid')} AS extension,
       a.grantee, a.is_public, a.privilege_type, a.is_grantable, a.grantor
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
LEFT JOIN LATERAL (${ACL_ITEMS('coalesce(p.proacl, acldefault(\'f\', p.proowner))', `${GRANTEE_FILTER} OR ${BY_MANAGED}`)}
) a ON true
WHERE n.nspname = ANY($1::text[])
ORDER BY n.nspname, p.proname, p.oid`,
  types: `
SELECT n.nspname::text AS schema, t.typname::text AS name, t.typtype::text AS typtype,
       pg_get_userbyid(t.typowner)::text AS owner,
       ${EXTENSION_MEMBER('pg_type', 't.oid')} AS extension,
       a.grantee, a.is_public, a.privilege_type, a.is_grantable, a.grantor
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN LATERAL (${ACL_ITEMS('coalesce(t.typacl, acldefault(\'T\', t.typowner))', `${GRANTEE_FILTER} OR ${BY_MANAGED}`)}
) a ON true
WHERE n.nspname = ANY($1::text[]) AND t.typtype IN ('b', 'c', 'd', 'e', 'r') AND t.typcategory <> 'A'
  AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
ORDER BY 1, 2`,
  // Foreign data wrappers and servers belong to the database, not to a schema: $1 (the
  // schemas) only gets its type here, so every ACL query takes the same parameters.
  foreign: `
SELECT 'foreign_data_wrapper'::text AS kind, w.fdwname::text AS name, pg_get_userbyid(w.fdwowner)::text AS owner,
       a.grantee, a.is_public, a.privilege_type, a.is_grantable, a.grantor
FROM pg_foreign_data_wrapper w
LEFT JOIN LATERAL (${ACL_ITEMS('coalesce(w.fdwacl, acldefault(\'F\', w.fdwowner))', `${GRANTEE_FILTER} OR ${BY_MANAGED}`)}
) a ON true
WHERE $1::text[] IS NOT NULL
UNION ALL
SELECT 'foreign_server'::text, s.srvname::text, pg_get_userbyid(s.srvowner)::text,
       a.grantee, a.is_public, a.privilege_type, a.is_grantable, a.grantor
FROM pg_foreign_server s
LEFT JOIN LATERAL (${ACL_ITEMS('coalesce(s.srvacl, acldefault(\'S\', s.srvowner))', `${GRANTEE_FILTER} OR ${BY_MANAGED}`)}
) a ON true
WHERE $1::text[] IS NOT NULL
ORDER BY 1, 2`,
  defaultAcl: `
SELECT pg_get_userbyid(d.defaclrole)::text AS creator, n.nspname::text AS schema, d.defaclobjtype::text AS objtype,
       a.grantee, a.is_public, a.privilege_type, a.is_grantable
FROM pg_default_acl d
LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
LEFT JOIN LATERAL (
  SELECT g.rolname::text AS grantee, (a.grantee = 0) AS is_public, a.privilege_type::text AS privilege_type, a.is_grantable
  FROM aclexplode(d.defaclacl) a
  LEFT JOIN pg_roles g ON g.oid = a.grantee
  WHERE d.defaclnamespace = 0 OR ${GRANTEE_FILTER} OR d.defaclrole = (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user)
) a ON true
WHERE d.defaclobjtype IN ('r', 'S', 'f', 'T', 'n')
  AND (d.defaclnamespace = 0 OR n.nspname = ANY($1::text[]) OR d.defaclrole = (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user))
ORDER BY 1, 2, 3`,
} as const;

/** The queries that read the cluster's shared catalogs: sent once, on the first database. */
export const CLUSTER_QUERIES: readonly (keyof typeof CATALOG_QUERIES)[] = ['roles', 'memberships'];
/** How many queries one introspection of one database sends: fixed, independent of scope size. */
export const INTROSPECTION_QUERY_COUNT = Object.keys(CATALOG_QUERIES).length;
/** How many each further database of the same server adds (the cluster's catalogs are read once). */
export const PER_DATABASE_QUERY_COUNT = INTROSPECTION_QUERY_COUNT - CLUSTER_QUERIES.length;

/** One exploded ACL item, as every ACL query returns it. `grantee` is null for PUBLIC. */
export interface AclItemRow {
  grantee: string | null;
  is_public: boolean;
  privilege_type: string;
  /** Held WITH GRANT OPTION. Reported like a plain grant (the model has no grant option). */
  is_grantable: boolean;
  grantor?: string | null;
}
/** An ACL item from a LEFT JOIN: all fields null on the row of an object with no matching item. */
export interface OptionalAclItem {
  grantee?: string | null;
  is_public?: boolean | null;
  privilege_type?: string | null;
  is_grantable?: boolean | null;
  grantor?: string | null;
}
export interface DatabaseRow extends OptionalAclItem {
  database: string;
  current_user: string;
  owner: string;
}
export interface RoleRow {
  name: string;
  can_login: boolean;
  comment: string | null;
}
export interface MembershipRow {
  role: string;
  member: string;
  member_can_login: boolean;
  grantor: string | null;
}
export interface SchemaRow extends OptionalAclItem {
  schema: string;
  owner: string;
}
export interface TableRow {
  schema: string;
  name: string;
  relkind: string;
  owner: string;
  columns: string[];
  /** format_type() per column, parallel to `columns`. */
  column_types?: string[];
  row_security?: boolean;
  force_row_security?: boolean | null;
  /** obj_description: a masking view's marker comment. */
  comment?: string | null;
  /** Views: the digest of the definition as the catalog holds it (enforcement.ts). */
  definition_digest?: string | null;
}
/** One row level security policy of a table in scope, with its comment and definition. */
export interface PolicyRow {
  schema: string;
  table: string;
  name: string;
  comment: string | null;
  /** pg_policy.polcmd: r (SELECT), a (INSERT), w (UPDATE), d (DELETE), * (ALL). */
  command?: string;
  permissive?: boolean;
  roles?: string[];
  using_expr?: string | null;
  check_expr?: string | null;
  /** The digest of the definition as the catalog holds it (enforcement.ts). */
  definition_digest?: string;
}
export interface RelationAclRow extends AclItemRow {
  schema: string;
  name: string;
  relkind: string;
  owner: string;
}
export interface ColumnAclRow extends RelationAclRow {
  column: string;
}
export interface DefaultAclRow extends AclItemRow {
  creator: string;
  /** null for the global default privileges (no IN SCHEMA). */
  schema: string | null;
  /** pg_default_acl.defaclobjtype: r (tables), S (sequences), f (functions), T (types), n (schemas). Absent in recordings before 0.2: r. */
  objtype?: string;
}
/** A routine with one of its ACL items (or none). */
export interface RoutineRow extends OptionalAclItem {
  schema: string;
  name: string;
  /** pg_proc.prokind: f function, p procedure, a aggregate, w window function. */
  prokind: string;
  owner: string;
  /** The input argument types, [schema, type name, format_type, is an array] each (json from the driver, or its text). */
  arg_types: CatalogArgType[] | string;
  /** Part of an extension. */
  extension?: boolean;
}
/** A type or domain with one of its ACL items (or none). */
export interface TypeRow extends OptionalAclItem {
  schema: string;
  name: string;
  /** pg_type.typtype: d domain; b, c, e, r types. */
  typtype: string;
  owner: string;
  extension?: boolean;
}
/** A foreign data wrapper or foreign server with one of its ACL items (or none). */
export interface ForeignRow extends OptionalAclItem {
  kind: 'foreign_data_wrapper' | 'foreign_server';
  name: string;
  owner: string;
}

/** The rows of every catalog query, keyed like `CATALOG_QUERIES`. */
export interface CatalogRows {
  database: DatabaseRow[];
  roles: RoleRow[];
  memberships: MembershipRow[];
  schemas: SchemaRow[];
  tables: TableRow[];
  relationAcl: RelationAclRow[];
  columnAcl: ColumnAclRow[];
  defaultAcl: DefaultAclRow[];
  /** Absent in recordings made before policies were read. */
  policies?: PolicyRow[];
  /** Absent in recordings made before 0.2 (routines, types, foreign servers). */
  routines?: RoutineRow[];
  types?: TypeRow[];
  foreign?: ForeignRow[];
}

/** Options of readCatalog. */
export interface ReadOptions {
  /** The logical database this connection reads (default: the scope's first). */
  database?: string;
  /** Also read the cluster's shared catalogs (roles, memberships): true on the first database only. */
  cluster?: boolean;
}

/**
 * Run the catalog queries of one database for a scope: exactly
 * `INTROSPECTION_QUERY_COUNT` queries, or `PER_DATABASE_QUERY_COUNT` without the
 * cluster's. When every schema of the database is in scope (`scope.wholeDatabases`),
 * the schemas query lists them and the later queries read those.
 */
export async function readCatalog(query: QueryFn, scope: IntrospectScope, opts: ReadOptions = {}): Promise<CatalogRows> {
  const db = opts.database ?? scope.databases[0];
  const named = schemaNamesInScope(scope, db);
  const whole = db !== undefined && (scope.wholeDatabases ?? []).includes(db);
  const roles = [...scope.roles];
  // Sequential on purpose: one connection serves them in order anyway, and a failure
  // names the first query that failed.
  const database = (await query(CATALOG_QUERIES.database, [roles])) as unknown as DatabaseRow[];
  let rolesRows: RoleRow[] = [];
  let memberships: MembershipRow[] = [];
  if (opts.cluster !== false) {
    rolesRows = (await query(CATALOG_QUERIES.roles, [[...new Set([...roles, ...scope.users])]])) as unknown as RoleRow[];
    memberships = (await query(CATALOG_QUERIES.memberships, [roles])) as unknown as MembershipRow[];
  }
  const schemaRows = (await query(CATALOG_QUERIES.schemas, [named, roles, scope.includePublic, whole])) as unknown as SchemaRow[];
  const schemas = whole ? [...new Set([...named, ...schemaRows.map((r) => r.schema).filter((n) => n !== TOOL_SCHEMA || named.includes(n))])].sort() : named;
  const aclParams = [schemas, roles, scope.includePublic];
  const tables = (await query(CATALOG_QUERIES.tables, [schemas])) as unknown as TableRow[];
  const relationAcl = (await query(CATALOG_QUERIES.relationAcl, aclParams)) as unknown as RelationAclRow[];
  const columnAcl = (await query(CATALOG_QUERIES.columnAcl, aclParams)) as unknown as ColumnAclRow[];
  const routines = (await query(CATALOG_QUERIES.routines, aclParams)) as unknown as RoutineRow[];
  const types = (await query(CATALOG_QUERIES.types, aclParams)) as unknown as TypeRow[];
  const foreign = (await query(CATALOG_QUERIES.foreign, aclParams)) as unknown as ForeignRow[];
  const defaultAcl = (await query(CATALOG_QUERIES.defaultAcl, aclParams)) as unknown as DefaultAclRow[];
  const policies = (await query(CATALOG_QUERIES.policies, [schemas])) as unknown as PolicyRow[];
  return { database, roles: rolesRows, memberships, schemas: schemaRows, tables, relationAcl, columnAcl, defaultAcl, policies, routines, types, foreign };
}

/** The logical database this reader maps onto the connected one: the scope's first. */
export function logicalDatabase(scope: IntrospectScope, physical: string): string {
  return scope.databases[0] ?? physical;
}

/** Schema names of the scope that belong to a logical database (default: the scope's first). */
export function schemaNamesInScope(scope: IntrospectScope, database: string | undefined = scope.databases[0]): string[] {
  return [...new Set(scope.schemas.filter((s) => database === undefined || s.database === database).map((s) => s.schema))].sort();
}

/**
 * Postgres privilege keyword -> model privilege, if the catalog lists it on that kind:
 * the compiler's own table read backwards. Unknown ones (e.g. PG 17 MAINTAIN) return
 * undefined and are not reported: the config cannot name them, so they are outside
 * what the tool manages.
 */
export const privilegeFromPg = keywordReader(POSTGRES_CATALOG);

/** Options of the pure parser. */
export interface ParseOptions {
  /** Physical database name expected for the logical one; a mismatch is a TARGET error. */
  databaseMap?: Record<string, string>;
  /** Creating roles whose default privileges are managed (the target's object_creators); undefined: all. */
  objectCreators?: readonly string[];
  /** The logical database these rows are of (default: the scope's first). */
  database?: string;
}

/**
 * Rows -> Live. Pure. Rules (each one tested on recorded rows):
 * - a grant is kept when its grantee is a managed role, or PUBLIC on an object of a
 *   schema in scope when `scope.includePublic` (never PUBLIC on the database: the
 *   built-in CONNECT/TEMPORARY default is not the tool's to manage; never PUBLIC on a
 *   member of an extension: pgcrypto's functions are meant for everyone);
 * - on rbac's own objects (its masking views, its schema and settings table) every
 *   grantee's grants are kept, and the objects are listed in `toolObjects`;
 * - ACL entries held by the object's owner are skipped: ownership is implicit;
 * - WITH GRANT OPTION sets `grantOption`; every grantor of one grant is in `grantors`;
 *   grants that a managed role made to a role outside the scope are `dependentGrants`
 *   (revoking the managed role's grant option would cascade to them);
 * - a column grant is dropped when the same grantee holds the same privilege on the
 *   whole relation: it adds no access, and reporting it would make a config that says
 *   "table-level" diff forever;
 * - every object read is in `objects`, with its kind from the catalog (relkind,
 *   prokind, typtype) and a routine's canonical signature (signature.ts);
 * - default privileges of the managed creators, per schema and global (the global
 *   ones as future grants on the database); a creator with no global entry for
 *   functions or types holds PostgreSQL's built-in default, PUBLIC EXECUTE and PUBLIC
 *   USAGE, which is reported as such;
 * - memberships where the parent or the member is managed; `memberKind` from LOGIN;
 * - objects are named under the logical database, and `live.databases` records
 *   logical -> `current_database()`.
 * Output arrays are sorted by key (names for roles/schemas/tables) so equal catalogs
 * give equal Live values.
 */
export function parseLive(rows: CatalogRows, scope: IntrospectScope, opts: ParseOptions = {}): Live {
  const db0 = rows.database[0];
  if (!db0) throw new RbacError('TARGET', 'the current database is not visible in pg_database');
  const physical = db0.database;
  const logical = opts.database ?? logicalDatabase(scope, physical);
  const expected = opts.databaseMap?.[logical];
  if (expected !== undefined && expected !== physical) {
    throw new RbacError(
      'TARGET',
      `logical database "${logical}" maps to "${expected}" but the connection is to "${physical}"`,
      'connect to the mapped database or fix the target\'s database map',
    );
  }
  const managed = new Set(scope.roles);
  const whole = (scope.wholeDatabases ?? []).includes(logical);
  const inScopeSchemas = new Set(schemaNamesInScope(scope, logical));
  if (whole) for (const r of rows.schemas) if (r.schema !== TOOL_SCHEMA) inScopeSchemas.add(r.schema);
  const keep = (r: AclItemRow, owner: string, allowPublic: boolean): string | undefined => {
    if (r.is_public) return allowPublic && scope.includePublic ? PUBLIC_ROLE : undefined;
    if (r.grantee === null || !managed.has(r.grantee)) return undefined;
    if (r.grantee === owner) return undefined;
    return r.grantee;
  };
  /** Any grantee but the owner: the grants on rbac's own objects. */
  const keepAny = (r: AclItemRow, owner: string): string | undefined => (r.is_public ? PUBLIC_ROLE : r.grantee === null || r.grantee === owner ? undefined : r.grantee);

  const grants = new Map<string, GrantRecord>();
  const dependents = new Map<string, GrantRecord>();
  const add = (into: Map<string, GrantRecord>, g: Omit<GrantRecord, 'key'>, item: AclItemRow) => {
    const rec = makeGrant(g);
    // The same privilege granted by two grantors is two ACL items but one grant.
    const have = into.get(rec.key);
    const target = have ?? rec;
    if (!have) into.set(rec.key, rec);
    if (item.is_grantable) target.grantOption = true;
    if (item.grantor) {
      target.grantedBy ??= item.grantor;
      const gs = (target.grantors ??= []);
      if (!gs.includes(item.grantor)) gs.push(item.grantor);
    }
  };
  /** Route one ACL item: a managed grant, a grant on a tool object, or a dependent of a managed grantor. */
  const route = (item: AclItemRow, owner: string, allowPublic: boolean, tool: boolean, g: Omit<GrantRecord, 'key' | 'role'>) => {
    const role = keep(item, owner, allowPublic) ?? (tool ? keepAny(item, owner) : undefined);
    if (role !== undefined) {
      add(grants, { ...g, role }, item);
      return;
    }
    const grantee = item.is_public ? PUBLIC_ROLE : item.grantee;
    if (grantee !== null && grantee !== owner && item.grantor && managed.has(item.grantor)) add(dependents, { ...g, role: grantee }, item);
  };
  /** Route the ACL item of a row that may hold none (LEFT JOIN), for a privilege of `kind`. */
  const routeOptional = (r: OptionalAclItem, kind: SecurableKind, owner: string, allowPublic: boolean, object: ObjectRef) => {
    const item = aclItem(r);
    if (!item) return;
    const p = privilegeFromPg(kind, item.privilege_type);
    if (p) route(item, owner, allowPublic, false, { privilege: p, object });
  };

  const objects = new Map<string, ObjectRef>();
  const extensionObjects = new Set<string>();
  const listObject = (o: ObjectRef) => {
    const k = objectKey(o);
    if (!objects.has(k)) objects.set(k, o);
  };

  const dbObj: ObjectRef = { kind: 'database', database: logical };
  for (const r of rows.database) routeOptional(r, 'database', r.owner, false, dbObj);

  const toolObjects = new Set<string>();
  const schemas = new Map<string, ObjectRef>();
  for (const r of rows.schemas) {
    const tool = r.schema === TOOL_SCHEMA && !inScopeSchemas.has(r.schema);
    if (!inScopeSchemas.has(r.schema) && !tool) continue;
    const obj: ObjectRef = { kind: 'schema', database: logical, schema: r.schema };
    if (tool) toolObjects.add(objectKey(obj));
    else {
      schemas.set(r.schema, obj);
      listObject(obj);
    }
    const item = aclItem(r);
    if (!item) continue;
    const p = privilegeFromPg('schema', item.privilege_type);
    if (p) route(item, r.owner, true, tool, { privilege: p, object: obj });
  }

  const relationObj = (schema: string, name: string, relkind: string): ObjectRef => ({
    kind: RELKIND_KINDS[relkind] ?? 'table',
    database: logical,
    schema,
    name,
  });
  for (const t of rows.tables) {
    if (t.relkind === 'v' && inScopeSchemas.has(t.schema) && t.name.endsWith(MASKED_VIEW_SUFFIX) && decodeViewComment(t.comment)) {
      toolObjects.add(objectKey(relationObj(t.schema, t.name, t.relkind)));
    }
  }
  const isToolRelation = (schema: string, name: string, relkind: string): boolean =>
    (schema === TOOL_SCHEMA && !inScopeSchemas.has(schema)) || toolObjects.has(objectKey(relationObj(schema, name, relkind)));
  const tables: LiveTable[] = [];
  for (const t of rows.tables) {
    if (!inScopeSchemas.has(t.schema)) continue;
    const object = relationObj(t.schema, t.name, t.relkind);
    listObject(object);
    if (object.kind === 'sequence') continue;
    const lt: LiveTable = { object, columns: [...t.columns], owner: t.owner };
    if (t.column_types) lt.columnTypes = [...t.column_types];
    if (t.row_security !== undefined && t.row_security !== null) lt.rowSecurity = t.row_security;
    if (t.force_row_security) lt.forceRowSecurity = true;
    tables.push(lt);
  }
  const policies = parsePolicies(rows, tables, logical, inScopeSchemas);

  // Relation-level first, so column grants can be checked against it.
  const tableLevel = new Set<string>();
  for (const r of rows.relationAcl) {
    const tool = isToolRelation(r.schema, r.name, r.relkind);
    if (!inScopeSchemas.has(r.schema) && !tool) continue;
    const object = relationObj(r.schema, r.name, r.relkind);
    const p = privilegeFromPg(object.kind, r.privilege_type);
    if (!p) continue;
    if (tool && r.schema === TOOL_SCHEMA) toolObjects.add(objectKey(object));
    route(r, r.owner, true, tool, { privilege: p, object });
    const role = keep(r, r.owner, true) ?? (tool ? keepAny(r, r.owner) : undefined);
    if (role !== undefined) tableLevel.add(JSON.stringify([r.schema, r.name, role, p]));
  }
  for (const r of rows.columnAcl) {
    const tool = isToolRelation(r.schema, r.name, r.relkind);
    if (!inScopeSchemas.has(r.schema) && !tool) continue;
    const object = relationObj(r.schema, r.name, r.relkind);
    const p = privilegeFromPg(object.kind, r.privilege_type);
    if (!p) continue;
    const role = keep(r, r.owner, true) ?? (tool ? keepAny(r, r.owner) : undefined);
    if (role !== undefined && tableLevel.has(JSON.stringify([r.schema, r.name, role, p]))) continue;
    route(r, r.owner, true, tool, { privilege: p, object, column: r.column });
  }

  for (const r of rows.routines ?? []) {
    if (!inScopeSchemas.has(r.schema)) continue;
    const args = typeof r.arg_types === 'string' ? (JSON.parse(r.arg_types) as CatalogArgType[]) : r.arg_types;
    const object = makeObject(r.prokind === 'p' ? 'procedure' : 'function', logical, r.schema, r.name, signatureFromCatalog(args));
    listObject(object);
    if (r.extension === true) extensionObjects.add(objectKey(object));
    routeOptional(r, object.kind, r.owner, r.extension !== true, object);
  }
  for (const r of rows.types ?? []) {
    if (!inScopeSchemas.has(r.schema)) continue;
    const object = makeObject(r.typtype === 'd' ? 'domain' : 'type', logical, r.schema, r.name);
    listObject(object);
    if (r.extension === true) extensionObjects.add(objectKey(object));
    routeOptional(r, object.kind, r.owner, r.extension !== true, object);
  }
  for (const r of rows.foreign ?? []) {
    const object = makeObject(r.kind, logical, undefined, r.name);
    listObject(object);
    routeOptional(r, object.kind, r.owner, true, object);
  }

  const creators = opts.objectCreators ? new Set(opts.objectCreators) : undefined;
  const futureGrants = new Map<string, FutureGrantRecord>();
  const newObject = new Map<string, Set<string>>();
  /** (creator, objtype) pairs that have a global entry: the built-in default does not apply to them. */
  const globalEntries = new Set<string>();
  const addFuture = (f: Omit<FutureGrantRecord, 'key'>) => {
    const rec = makeFutureGrant(f);
    if (!futureGrants.has(rec.key)) futureGrants.set(rec.key, rec);
  };
  for (const r of rows.defaultAcl) {
    const objtype = r.objtype ?? 'r';
    if (r.schema === null) globalEntries.add(`${r.creator}\u0000${objtype}`);
    if (!r.privilege_type) continue;
    if (r.creator === db0.current_user && objtype === 'r') {
      // What a relation rbac creates gets by default: revoked from its own objects.
      const grantee = r.is_public ? PUBLIC_ROLE : r.grantee;
      if (grantee !== null && grantee !== r.creator) {
        const k = r.schema ?? '';
        let set = newObject.get(k);
        if (!set) newObject.set(k, (set = new Set()));
        set.add(grantee);
      }
    }
    if (r.schema !== null && !inScopeSchemas.has(r.schema)) continue;
    if (creators && !creators.has(r.creator)) continue;
    const def = DEFAULT_ACL_TYPES[objtype];
    if (!def) continue;
    // A creator's default ACL naming the creator itself is ownership again.
    const role = keep(r as AclItemRow, r.creator, true);
    const p = privilegeFromPg(def.kind, r.privilege_type);
    if (!role || !p) continue;
    addFuture({
      role,
      privilege: p,
      schema: r.schema === null ? dbObj : { kind: 'schema', database: logical, schema: r.schema },
      objectType: def.type,
      forRole: r.creator,
      ...(r.is_grantable ? { grantOption: true } : {}),
    });
  }
  // PostgreSQL's built-in defaults, where no global entry replaced them: every new
  // function is executable, and every new type usable, by PUBLIC.
  if (scope.includePublic) {
    for (const creator of opts.objectCreators ?? [db0.current_user]) {
      if (!globalEntries.has(`${creator}\u0000f`)) addFuture({ role: PUBLIC_ROLE, privilege: 'execute', schema: dbObj, objectType: 'functions', forRole: creator });
      if (!globalEntries.has(`${creator}\u0000T`)) addFuture({ role: PUBLIC_ROLE, privilege: 'usage', schema: dbObj, objectType: 'types', forRole: creator });
    }
  }
  // Global defaults apply in every schema, on top of the schema's own.
  const globalDefaults = newObject.get('') ?? new Set<string>();
  const newObjectGrantees: Record<string, string[]> = { '': [...globalDefaults].sort() };
  for (const [schema, set] of newObject) if (schema !== '') newObjectGrantees[schema] = [...new Set([...globalDefaults, ...set])].sort();

  const memberships = new Map<string, MembershipRecord>();
  for (const r of rows.memberships) {
    if (!managed.has(r.role) && !managed.has(r.member)) continue;
    const m = makeMembership({
      role: r.role,
      member: r.member,
      memberKind: r.member_can_login ? 'user' : 'role',
      ...(r.grantor ? { grantedBy: r.grantor } : {}),
    });
    if (!memberships.has(m.key)) memberships.set(m.key, m);
  }

  const roles: LiveRole[] = rows.roles
    .map((r) => ({ name: r.name, isUser: r.can_login, ...decodeRoleComment(r.comment) }))
    .sort((a, b) => cmp(a.name, b.name));

  const byKey = <T extends { key: string }>(m: Map<string, T>) => [...m.values()].sort((a, b) => cmp(a.key, b.key));
  const sortedGrants = byKey(grants);
  for (const g of sortedGrants) g.grantors?.sort();
  const live: Live = {
    platform: 'postgres',
    roles,
    memberships: byKey(memberships),
    grants: sortedGrants,
    futureGrants: byKey(futureGrants),
    schemas: [...schemas.values()].sort((a, b) => cmp(a.schema ?? '', b.schema ?? '')),
    tables: tables.sort((a, b) => cmp(`${a.object.schema}\u0000${a.object.name}`, `${b.object.schema}\u0000${b.object.name}`)),
    objects: [...objects.entries()].sort(([a], [b]) => cmp(a, b)).map(([, o]) => o),
    databases: { [logical]: physical },
    currentUser: db0.current_user,
    maskingPolicies: policies.masking,
    rowAccessPolicies: policies.rowAccess,
    toolObjects: [...toolObjects].sort(),
    newObjectGrantees,
  };
  if (dependents.size) live.dependentGrants = byKey(dependents);
  if (extensionObjects.size) live.extensionObjects = [...extensionObjects].sort();
  return live;
}

/**
 * The live state of several databases of one server, read one by one, as one Live:
 * roles and memberships are the cluster's (read with the first), everything else is
 * per database and named under its logical name.
 */
export function mergeLives(lives: readonly Live[]): Live {
  if (lives.length === 1) return lives[0];
  const [first] = lives;
  const sortKey = <T extends { key: string }>(xs: T[]) => xs.sort((a, b) => cmp(a.key, b.key));
  const objKey = (xs: ObjectRef[]) => xs.map((o) => [objectKey(o), o] as const).sort(([a], [b]) => cmp(a, b)).map(([, o]) => o);
  const live: Live = {
    ...first,
    grants: sortKey(lives.flatMap((l) => l.grants)),
    futureGrants: sortKey(lives.flatMap((l) => l.futureGrants)),
    schemas: objKey(lives.flatMap((l) => l.schemas)),
    tables: lives.flatMap((l) => l.tables).sort((a, b) => cmp(objectKey(a.object), objectKey(b.object))),
    objects: objKey(lives.flatMap((l) => l.objects ?? [])),
    databases: Object.assign({}, ...lives.map((l) => l.databases ?? {})),
    maskingPolicies: sortKey(lives.flatMap((l) => l.maskingPolicies ?? [])),
    rowAccessPolicies: sortKey(lives.flatMap((l) => l.rowAccessPolicies ?? [])),
    toolObjects: lives.flatMap((l) => l.toolObjects ?? []).sort(),
    newObjectGranteesByDatabase: Object.fromEntries(
      lives.map((l) => [Object.keys(l.databases ?? {})[0] ?? '', l.newObjectGrantees ?? {}]),
    ),
  };
  const dependents = lives.flatMap((l) => l.dependentGrants ?? []);
  if (dependents.length) live.dependentGrants = sortKey(dependents);
  else delete live.dependentGrants;
  const extension = lives.flatMap((l) => l.extensionObjects ?? []);
  if (extension.length) live.extensionObjects = extension.sort();
  else delete live.extensionObjects;
  return live;
}

/** `SELECT`, `INSERT` ... for pg_policy.polcmd, in drift words. */
const POLICY_COMMANDS: Record<string, string> = { r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE', '*': 'ALL' };

/**
 * The policies the tool made, with what enforces them checked against what rbac made:
 * - masking policies from the comments of its masking views (a policy spanning tables
 *   is merged from each table's view); a view whose table's columns changed since it
 *   was made reports its columns as not masked, so the next plan re-attaches them and
 *   rebuilds the view; a view whose definition no longer has the digest rbac stamped
 *   (replaced by hand, barrier or owner changed) marks its policies `tampered`;
 * - row access policies from the comments of its row level security policies; a
 *   policy is `tampered` when row level security is off or forced on its table, when
 *   one of its pg policies is missing, changed (digest) or unstamped, or when the
 *   table holds a policy rbac did not make (listed in `LiveTable.foreignPolicies`).
 */
export function parsePolicies(
  rows: CatalogRows,
  tables: readonly LiveTable[],
  logical: string,
  inScopeSchemas: ReadonlySet<string>,
): { masking: MaskingPolicyRecord[]; rowAccess: RowAccessPolicyRecord[] } {
  const byKey = new Map(tables.map((t) => [objectKey(t.object), t]));
  const masking = new Map<string, MaskingPolicyRecord>();
  for (const t of rows.tables) {
    if (t.relkind !== 'v' || !inScopeSchemas.has(t.schema) || !t.name.endsWith(MASKED_VIEW_SUFFIX)) continue;
    const c = decodeViewComment(t.comment);
    if (!c) continue;
    const table = makeObject('table', logical, t.schema, t.name.slice(0, -MASKED_VIEW_SUFFIX.length));
    const base = byKey.get(objectKey(table));
    const fresh = base !== undefined && base.columns.length === c.columns.length && base.columns.every((x, i) => x === c.columns[i]);
    const view = `${t.schema}.${t.name}`;
    const tampered =
      c.digest === undefined
        ? `view ${view} carries no definition digest (made by rbac before 0.2): it is re-created once to record one`
        : t.definition_digest !== undefined && t.definition_digest !== c.digest
          ? `the definition of view ${view} was changed by hand (CREATE OR REPLACE VIEW, ALTER VIEW or a new owner)`
          : c.safeHarbor !== SAFE_HARBOR_MASKS && c.masking.some((m) => m.expression === undefined && m.mask !== undefined && SAFE_HARBOR_MASK_NAMES.has(m.mask) && m.columns.length)
            ? `view ${view} masks zip3 or year as rbac did before Safe Harbor masks (restricted ZIP prefixes kept, ages over 89 shown): it is re-created`
            : undefined;
    for (const s of c.masking) {
      const key = maskingPolicyKey(s.name);
      let rec = masking.get(key);
      if (!rec) {
        rec = { key, name: s.name, schema: makeObject('schema', logical, s.schema), unmaskedFor: [...s.unmaskedFor].sort(), columns: [] };
        if (s.mask !== undefined) rec.mask = s.mask as MaskFunction;
        if (s.zip3 !== undefined) rec.zip3Restricted = [...s.zip3];
        if (s.expression !== undefined) rec.expression = s.expression;
        masking.set(key, rec);
      }
      if (fresh) rec.columns.push(...s.columns.map((column) => ({ table, column })));
      if (tampered && fresh) (rec.tampered ??= []).includes(tampered) || rec.tampered.push(tampered);
    }
  }
  for (const rec of masking.values()) {
    rec.columns = sortColumnRefs(rec.columns);
    rec.body = maskingBody(rec, byKey);
  }

  // Row level security: every pg policy of every table in scope, grouped per table.
  const perTable = new Map<string, PolicyRow[]>();
  for (const p of rows.policies ?? []) {
    if (!inScopeSchemas.has(p.schema)) continue;
    const k = objectKey(makeObject('table', logical, p.schema, p.table));
    let list = perTable.get(k);
    if (!list) perTable.set(k, (list = []));
    list.push(p);
  }
  const rowAccess = new Map<string, PgRowAccessPolicyRecord>();
  for (const [tk, list] of perTable) {
    const recs: { rec: PgRowAccessPolicyRecord; names: Set<string> }[] = [];
    for (const p of list) {
      const c = decodePolicyComment(p.comment);
      if (!c) continue;
      const key = rowAccessPolicyKey(c.name);
      if (rowAccess.has(key)) continue;
      const rec: PgRowAccessPolicyRecord = {
        key,
        name: c.name,
        schema: makeObject('schema', logical, p.schema),
        table: makeObject('table', logical, p.schema, p.table),
        rules: c.rules.map((r) => ({ roles: [...r.roles].sort(), where: r.where })),
        enabledRls: c.enabledRls === true,
      };
      rec.body = rowAccessBody(rec);
      rowAccess.set(key, rec);
      const n = rlsPolicyNames(rec);
      recs.push({ rec, names: new Set([...n.rules, ...n.writes]) });
    }
    const table = byKey.get(tk);
    const foreign = list.filter((p) => !recs.some((r) => r.names.has(p.name)));
    if (table && foreign.length) table.foreignPolicies = foreign.map((p) => p.name).sort();
    for (const { rec, names } of recs) {
      const why: string[] = [];
      const where = `${rec.table.schema}.${rec.table.name}`;
      if (table && table.rowSecurity === false) why.push(`row level security is disabled on ${where}`);
      if (table?.forceRowSecurity) why.push(`FORCE ROW LEVEL SECURITY is set on ${where} (the masking view would read no rows)`);
      for (const name of names) {
        const p = list.find((x) => x.name === name);
        const c = p && decodePolicyComment(p.comment);
        if (!p) why.push(`policy ${name} on ${where} is missing`);
        else if (!c || c.name !== rec.name || c.digest === undefined) why.push(`policy ${name} on ${where} carries no definition digest (made by rbac before 0.2)`);
        else if (p.definition_digest !== undefined && p.definition_digest !== c.digest) why.push(`policy ${name} on ${where} was changed by hand`);
      }
      for (const p of foreign) {
        const roles = (p.roles ?? []).join(', ') || '?';
        const cmd = POLICY_COMMANDS[p.command ?? ''] ?? p.command ?? '?';
        const using = p.using_expr ? ` USING (${p.using_expr})` : '';
        why.push(`policy ${p.name} on ${where} was not made by rbac (${p.permissive === false ? 'RESTRICTIVE' : 'PERMISSIVE'} FOR ${cmd} TO ${roles}${using})`);
      }
      if (why.length) rec.tampered = why;
    }
  }
  const sorted = <T extends { key: string }>(xs: Iterable<T>) => [...xs].sort((a, b) => cmp(a.key, b.key));
  return { masking: sorted(masking.values()), rowAccess: sorted(rowAccess.values()) };
}

function aclItem(r: OptionalAclItem): AclItemRow | undefined {
  if (!r.privilege_type) return undefined;
  return {
    grantee: r.grantee ?? null,
    is_public: r.is_public === true,
    privilege_type: r.privilege_type,
    is_grantable: r.is_grantable === true,
    grantor: r.grantor ?? null,
  };
}

// Code-unit order, not locale order: stable across machines.
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
