/**
 * The whole account for the access review (read-only), from three Account Usage views
 * (latency up to two hours; the reader's role needs IMPORTED PRIVILEGES on the SNOWFLAKE
 * database or the GOVERNANCE_VIEWER database role):
 * - `SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_ROLES`: privileges granted to roles, and roles
 *   granted to roles (GRANTED_ON = ROLE, PRIVILEGE = USAGE, NAME the role granted,
 *   GRANTEE_NAME the role that holds it);
 * - `SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_USERS`: roles granted to users;
 * - `SNOWFLAKE.ACCOUNT_USAGE.USERS`: every user, so one that holds no role but PUBLIC is
 *   in the review too ("every user and their assigned roles").
 * Rows with DELETED_ON set are revoked grants (dropped users) and are skipped.
 *
 * Administrators: holders of the system roles ACCOUNTADMIN, SECURITYADMIN, SYSADMIN and
 * USERADMIN, and of MANAGE GRANTS on the account, directly or through the role
 * hierarchy; OWNERSHIP of a relation in scope (the owner reads it and can grant it).
 */
import { spreadFacts, type AccountFacts, type AccountRead, type AccountScope, type PrivilegedFact } from '../../model/account.js';
import { snowflakeDialect } from './quote.js';

/** Snowflake's system roles with administrative power. */
export const SNOWFLAKE_ADMIN_ROLES = ['ACCOUNTADMIN', 'SECURITYADMIN', 'SYSADMIN', 'USERADMIN'] as const;
const RELATIONS = new Set(['TABLE', 'VIEW', 'MATERIALIZED_VIEW', 'EXTERNAL_TABLE', 'DYNAMIC_TABLE', 'ICEBERG_TABLE', 'EVENT_TABLE']);

const lit = (s: string) => snowflakeDialect.quoteLiteral(s);

export const ACCOUNT_SQL = {
  grantsToRoles: (scope: AccountScope) => {
    const inScope = scope.schemas.length
      ? scope.schemas.map((s) => `(TABLE_CATALOG = ${lit(s.database)} AND TABLE_SCHEMA = ${lit(s.schema)})`).join(' OR ')
      : 'FALSE';
    return (
      'SELECT PRIVILEGE, GRANTED_ON, NAME, TABLE_CATALOG, TABLE_SCHEMA, GRANTED_TO, GRANTEE_NAME, GRANT_OPTION, GRANTED_BY, DELETED_ON ' +
      'FROM SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_ROLES WHERE DELETED_ON IS NULL ' +
      `AND (GRANTED_ON IN ('ROLE', 'ACCOUNT') OR (PRIVILEGE IN ('SELECT', 'OWNERSHIP') AND (${inScope})))`
    );
  },
  grantsToUsers: () => 'SELECT ROLE, GRANTED_TO, GRANTEE_NAME, GRANTED_BY, DELETED_ON FROM SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_USERS WHERE DELETED_ON IS NULL',
  users: () => 'SELECT NAME, DISABLED, DELETED_ON FROM SNOWFLAKE.ACCOUNT_USAGE.USERS WHERE DELETED_ON IS NULL',
};

const col = (r: Record<string, unknown>, name: string): unknown => r[name] ?? r[name.toLowerCase()];
const text = (r: Record<string, unknown>, name: string): string => String(col(r, name) ?? '');
const live = (r: Record<string, unknown>) => col(r, 'DELETED_ON') === null || col(r, 'DELETED_ON') === undefined || col(r, 'DELETED_ON') === '';

/** Pure: rows of the views (as documented; upper- or lower-case keys) -> AccountFacts. `users` absent: only users that hold a role. */
export function parseSnowflakeAccount(rows: { grantsToRoles: Record<string, unknown>[]; grantsToUsers: Record<string, unknown>[]; users?: Record<string, unknown>[] }): AccountFacts {
  const users = new Set<string>((rows.users ?? []).filter(live).map((r) => text(r, 'NAME')).filter((n) => n !== ''));
  const roles = new Set<string>(SNOWFLAKE_ADMIN_ROLES);
  const memberships: AccountFacts['memberships'] = [];
  for (const r of rows.grantsToUsers.filter(live)) {
    users.add(text(r, 'GRANTEE_NAME'));
    roles.add(text(r, 'ROLE'));
    memberships.push({ role: text(r, 'ROLE'), member: text(r, 'GRANTEE_NAME') });
  }
  const direct: PrivilegedFact[] = [];
  const reads: AccountRead[] = [];
  for (const r of rows.grantsToRoles.filter(live)) {
    const on = text(r, 'GRANTED_ON').toUpperCase().replace(/ /g, '_');
    const priv = text(r, 'PRIVILEGE').toUpperCase();
    const grantee = text(r, 'GRANTEE_NAME');
    const to = text(r, 'GRANTED_TO').toUpperCase();
    if (to !== 'ROLE' && to !== 'USER' && to !== 'ACCOUNT ROLE' && to !== 'ACCOUNT_ROLE') continue;
    if (to === 'USER') users.add(grantee);
    else roles.add(grantee);
    if (on === 'ROLE' && priv === 'USAGE') {
      roles.add(text(r, 'NAME'));
      memberships.push({ role: text(r, 'NAME'), member: grantee });
      continue;
    }
    if (on === 'ACCOUNT' && priv === 'MANAGE GRANTS') {
      direct.push({ principal: grantee, isUser: false, kind: 'manage_grants', privilege: 'MANAGE GRANTS', via: [], readsAll: false });
      continue;
    }
    if (!RELATIONS.has(on)) continue;
    const table = `${text(r, 'TABLE_CATALOG')}.${text(r, 'TABLE_SCHEMA')}.${text(r, 'NAME')}`;
    if (priv === 'OWNERSHIP') direct.push({ principal: grantee, isUser: false, kind: 'ownership', privilege: 'OWNERSHIP', object: table, via: [], readsAll: true });
    if (priv === 'SELECT') reads.push({ principal: grantee, table });
  }
  for (const a of SNOWFLAKE_ADMIN_ROLES) direct.push({ principal: a, isUser: false, kind: 'system_role', privilege: a, via: [], readsAll: false });
  const principals = [...[...roles].map((name) => ({ name, isUser: false })), ...[...users].map((name) => ({ name, isUser: true }))].sort((a, b) => (a.name < b.name ? -1 : 1));
  // The system roles themselves are listed as roles holding their own power; the review
  // reports who holds them, so the role's own row is dropped.
  const privileged = spreadFacts(direct, principals, memberships).filter((f) => !(f.kind === 'system_role' && f.principal === f.privilege && f.via.length === 0));
  return { principals, memberships, privileged, reads };
}

/** Read the account through the adapter's query seam: three queries. */
export async function readSnowflakeAccount(query: (sql: string) => Promise<Record<string, unknown>[]>, scope: AccountScope): Promise<AccountFacts> {
  const [grantsToRoles, grantsToUsers, users] = await Promise.all([query(ACCOUNT_SQL.grantsToRoles(scope)), query(ACCOUNT_SQL.grantsToUsers()), query(ACCOUNT_SQL.users())]);
  return parseSnowflakeAccount({ grantsToRoles, grantsToUsers, users });
}
