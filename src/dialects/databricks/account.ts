/**
 * The whole metastore for the access review (read-only), from Unity Catalog's
 * information_schema (system catalog):
 * - `metastores.metastore_owner`: the metastore admin (a user or, usually, a group);
 * - `catalogs.catalog_owner`, `schemata.schema_owner`, `tables.table_owner` of the
 *   catalogs, schemas and relations in scope: an owner holds every privilege on the
 *   object and can grant it;
 * - `MANAGE` held on the metastore, the catalogs, schemas and relations in scope
 *   (`*_privileges` views, privilege_type = 'MANAGE'; ALL PRIVILEGES does not include it);
 * - SELECT and ALL PRIVILEGES on the relations in scope, held by any principal.
 *
 * Group membership lives in SCIM, not in SQL: principals here are those the views name,
 * and a user is told from a group by its name (an e-mail address, or a service
 * principal's application id). With `manage_membership` (a SCIM client), the groups that
 * hold administrative power (the metastore admin group, owners, MANAGE) are expanded
 * through SCIM, nested groups included, so the review names the users behind them.
 */
import { spreadFacts, type AccountFacts, type AccountRead, type AccountScope, type PrivilegedFact } from '../../model/account.js';
import { databricksDialect } from './quote.js';

const lit = (s: string) => databricksDialect.quoteLiteral(s);
const pairs = (a: string, b: string, schemas: AccountScope['schemas']) =>
  schemas.length ? schemas.map((s) => `(${a} = ${lit(s.database)} AND ${b} = ${lit(s.schema)})`).join(' OR ') : 'false';
const catalogs = (scope: AccountScope) => {
  const names = [...new Set(scope.schemas.map((s) => s.database))];
  return names.length ? names.map(lit).join(', ') : "''";
};

export const ACCOUNT_SQL = {
  metastores: () => 'SELECT metastore_id, metastore_name, metastore_owner FROM system.information_schema.metastores',
  catalogs: (scope: AccountScope) => `SELECT catalog_name, catalog_owner FROM system.information_schema.catalogs WHERE catalog_name IN (${catalogs(scope)})`,
  schemata: (scope: AccountScope) => `SELECT catalog_name, schema_name, schema_owner FROM system.information_schema.schemata WHERE ${pairs('catalog_name', 'schema_name', scope.schemas)}`,
  tables: (scope: AccountScope) =>
    `SELECT table_catalog, table_schema, table_name, table_type, table_owner FROM system.information_schema.tables WHERE ${pairs('table_catalog', 'table_schema', scope.schemas)}`,
  metastorePrivileges: () => "SELECT grantor, grantee, privilege_type, inherited_from FROM system.information_schema.metastore_privileges WHERE privilege_type = 'MANAGE'",
  catalogPrivileges: (scope: AccountScope) =>
    `SELECT grantor, grantee, catalog_name, privilege_type, inherited_from FROM system.information_schema.catalog_privileges WHERE privilege_type = 'MANAGE' AND catalog_name IN (${catalogs(scope)})`,
  schemaPrivileges: (scope: AccountScope) =>
    `SELECT grantor, grantee, catalog_name, schema_name, privilege_type, inherited_from FROM system.information_schema.schema_privileges WHERE privilege_type = 'MANAGE' AND (${pairs('catalog_name', 'schema_name', scope.schemas)})`,
  tablePrivileges: (scope: AccountScope) =>
    `SELECT grantor, grantee, table_catalog, table_schema, table_name, privilege_type, inherited_from FROM system.information_schema.table_privileges WHERE privilege_type IN ('MANAGE', 'SELECT', 'ALL PRIVILEGES') AND (${pairs('table_catalog', 'table_schema', scope.schemas)})`,
};

/** Rows of ACCOUNT_SQL, one list per query. */
export interface DatabricksAccountRows {
  metastores: Record<string, unknown>[];
  catalogs: Record<string, unknown>[];
  schemata: Record<string, unknown>[];
  tables: Record<string, unknown>[];
  metastorePrivileges: Record<string, unknown>[];
  catalogPrivileges: Record<string, unknown>[];
  schemaPrivileges: Record<string, unknown>[];
  tablePrivileges: Record<string, unknown>[];
}

const s = (r: Record<string, unknown>, k: string) => String(r[k] ?? r[k.toUpperCase()] ?? '');
/** Users are named by e-mail address, service principals by application id (a UUID); anything else is a group. */
const looksLikeUser = (name: string) => name.includes('@') || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(name);

/** Group memberships read from SCIM: `member` (a user, service principal or group) is a direct member of group `role`. */
export interface GroupMemberships {
  memberships: { role: string; member: string }[];
  /** Members that log in (users by userName, service principals by applicationId). */
  users: string[];
}

/**
 * Pure: recorded rows -> AccountFacts. Unity Catalog compares principals case-insensitively:
 * names are kept as the views spell them. `groups`: SCIM memberships of the groups that
 * hold administrative power (readDatabricksAccount); absent without manage_membership.
 */
export function parseDatabricksAccount(rows: DatabricksAccountRows, groups?: GroupMemberships): AccountFacts {
  const facts: PrivilegedFact[] = [];
  const fact = (principal: string, f: Omit<PrivilegedFact, 'principal' | 'isUser' | 'via'>) => {
    if (principal) facts.push({ principal, isUser: looksLikeUser(principal), via: [], ...f });
  };
  for (const r of rows.metastores) fact(s(r, 'metastore_owner'), { kind: 'metastore_admin', privilege: 'METASTORE ADMIN', object: `metastore ${s(r, 'metastore_name')}`, readsAll: false });
  for (const r of rows.catalogs) fact(s(r, 'catalog_owner'), { kind: 'owner', privilege: 'OWNER', object: `catalog ${s(r, 'catalog_name')}`, readsAll: false });
  for (const r of rows.schemata) fact(s(r, 'schema_owner'), { kind: 'owner', privilege: 'OWNER', object: `schema ${s(r, 'catalog_name')}.${s(r, 'schema_name')}`, readsAll: false });
  for (const r of rows.tables) {
    fact(s(r, 'table_owner'), { kind: 'owner', privilege: 'OWNER', object: `${s(r, 'table_catalog')}.${s(r, 'table_schema')}.${s(r, 'table_name')}`, readsAll: true });
  }
  // An inherited MANAGE row repeats the grant on the container: only the grant itself is a fact.
  const direct = (r: Record<string, unknown>) => ['', 'NONE'].includes(s(r, 'inherited_from').toUpperCase());
  for (const r of rows.metastorePrivileges) if (s(r, 'privilege_type') === 'MANAGE' && direct(r)) fact(s(r, 'grantee'), { kind: 'manage', privilege: 'MANAGE', object: 'metastore', readsAll: false });
  for (const r of rows.catalogPrivileges) if (s(r, 'privilege_type') === 'MANAGE' && direct(r)) fact(s(r, 'grantee'), { kind: 'manage', privilege: 'MANAGE', object: `catalog ${s(r, 'catalog_name')}`, readsAll: false });
  for (const r of rows.schemaPrivileges) if (s(r, 'privilege_type') === 'MANAGE' && direct(r)) fact(s(r, 'grantee'), { kind: 'manage', privilege: 'MANAGE', object: `schema ${s(r, 'catalog_name')}.${s(r, 'schema_name')}`, readsAll: false });
  const reads = new Map<string, AccountRead>();
  for (const r of rows.tablePrivileges) {
    const table = `${s(r, 'table_catalog')}.${s(r, 'table_schema')}.${s(r, 'table_name')}`;
    const p = s(r, 'privilege_type');
    if (p === 'MANAGE') {
      if (direct(r)) fact(s(r, 'grantee'), { kind: 'manage', privilege: 'MANAGE', object: table, readsAll: false });
      continue;
    }
    reads.set(`${s(r, 'grantee')}\0${table}`, { principal: s(r, 'grantee'), table });
  }
  const memberships = groups?.memberships ?? [];
  const users = new Set(groups?.users ?? []);
  const names = new Set<string>([...facts.map((f) => f.principal), ...[...reads.values()].map((r) => r.principal), ...memberships.flatMap((m) => [m.role, m.member])]);
  const principals = [...names].sort().map((name) => ({ name, isUser: users.has(name) || looksLikeUser(name) }));
  return { principals, memberships, privileged: spreadFacts(facts, principals, memberships), reads: [...reads.values()] };
}

/** The groups among the holders of administrative power (what readDatabricksAccount expands through SCIM). */
export function privilegedGroups(facts: AccountFacts): string[] {
  return [...new Set(facts.privileged.filter((f) => !f.isUser && f.via.length === 0).map((f) => f.principal))].sort();
}

/**
 * Read the metastore through the adapter's query seam: eight queries, whatever the
 * scope; with `expand` (SCIM), then the members of the groups that hold administrative
 * power.
 */
export async function readDatabricksAccount(
  query: (sql: string) => Promise<Record<string, unknown>[]>,
  scope: AccountScope,
  expand?: (groups: readonly string[]) => Promise<GroupMemberships>,
): Promise<AccountFacts> {
  const [metastores, cats, schemata, tables, metastorePrivileges, catalogPrivileges, schemaPrivileges, tablePrivileges] = await Promise.all([
    query(ACCOUNT_SQL.metastores()),
    query(ACCOUNT_SQL.catalogs(scope)),
    query(ACCOUNT_SQL.schemata(scope)),
    query(ACCOUNT_SQL.tables(scope)),
    query(ACCOUNT_SQL.metastorePrivileges()),
    query(ACCOUNT_SQL.catalogPrivileges(scope)),
    query(ACCOUNT_SQL.schemaPrivileges(scope)),
    query(ACCOUNT_SQL.tablePrivileges(scope)),
  ]);
  const rows = { metastores, catalogs: cats, schemata, tables, metastorePrivileges, catalogPrivileges, schemaPrivileges, tablePrivileges };
  const facts = parseDatabricksAccount(rows);
  const groups = expand ? privilegedGroups(facts) : [];
  return groups.length ? parseDatabricksAccount(rows, await expand!(groups)) : facts;
}
