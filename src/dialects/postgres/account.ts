/**
 * The whole cluster for the access review (read-only): every role, every membership,
 * the role attributes that make an administrator (SUPERUSER, CREATEROLE, BYPASSRLS from
 * pg_roles) and the owners of the relations in scope (pg_class.relowner), who, with the
 * members of the owning role, bypass row level security unless FORCE ROW LEVEL SECURITY
 * is set, plus SELECT on those relations held by any role (aclexplode of relacl and
 * attacl). Roles named pg_* are PostgreSQL's predefined roles and are left out.
 *
 * Role attributes are not inherited through membership; ownership is (a member of the
 * owning role acts as the owner), so only owner facts spread through the hierarchy.
 */
import { spreadFacts, type AccountFacts, type AccountRead, type PrivilegedFact } from '../../model/account.js';

type QueryFn = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export const ACCOUNT_QUERIES = {
  principals: `
SELECT r.rolname::text AS name, r.rolcanlogin AS can_login, r.rolsuper AS superuser,
       r.rolcreaterole AS createrole, r.rolbypassrls AS bypassrls
FROM pg_roles r
WHERE r.rolname !~ '^pg_'
ORDER BY 1`,
  memberships: `
SELECT p.rolname::text AS role, m.rolname::text AS member
FROM pg_auth_members am
JOIN pg_roles p ON p.oid = am.roleid
JOIN pg_roles m ON m.oid = am.member
WHERE p.rolname !~ '^pg_' AND m.rolname !~ '^pg_'
ORDER BY 1, 2`,
  /** $1: schema names (text[]). */
  owners: `
SELECT n.nspname::text AS schema, c.relname::text AS name, pg_get_userbyid(c.relowner)::text AS owner,
       c.relrowsecurity AS row_security, c.relforcerowsecurity AS force_row_security
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname = ANY($1::text[])
ORDER BY 1, 2`,
  /** $1: schema names (text[]). A NULL column is a table-level grant. */
  reads: `
SELECT n.nspname::text AS schema, c.relname::text AS name, NULL::text AS column, coalesce(g.rolname, 'PUBLIC')::text AS grantee
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
LEFT JOIN pg_roles g ON g.oid = a.grantee
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname = ANY($1::text[]) AND a.privilege_type = 'SELECT'
UNION ALL
SELECT n.nspname::text, c.relname::text, att.attname::text, coalesce(g.rolname, 'PUBLIC')::text
FROM pg_attribute att
JOIN pg_class c ON c.oid = att.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL aclexplode(att.attacl) a
LEFT JOIN pg_roles g ON g.oid = a.grantee
WHERE att.attacl IS NOT NULL AND att.attnum > 0 AND NOT att.attisdropped
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname = ANY($1::text[]) AND a.privilege_type = 'SELECT'
ORDER BY 1, 2, 3`,
} as const;

/** Rows of ACCOUNT_QUERIES; owners and reads per logical database. */
export interface PostgresAccountRows {
  principals: Record<string, unknown>[];
  memberships: Record<string, unknown>[];
  databases: { database: string; owners: Record<string, unknown>[]; reads: Record<string, unknown>[] }[];
}

/** Pure: recorded rows -> AccountFacts. */
export function parsePostgresAccount(rows: PostgresAccountRows): AccountFacts {
  const principals = rows.principals.map((r) => ({ name: String(r.name), isUser: r.can_login === true }));
  const memberships = rows.memberships.map((r) => ({ role: String(r.role), member: String(r.member) }));
  const attributes: PrivilegedFact[] = [];
  for (const r of rows.principals) {
    const base = { principal: String(r.name), isUser: r.can_login === true, via: [] };
    if (r.superuser === true) attributes.push({ ...base, kind: 'superuser', privilege: 'SUPERUSER', readsAll: true });
    if (r.createrole === true) attributes.push({ ...base, kind: 'createrole', privilege: 'CREATEROLE', readsAll: false });
    if (r.bypassrls === true) attributes.push({ ...base, kind: 'bypassrls', privilege: 'BYPASSRLS', readsAll: false });
  }
  const owned: PrivilegedFact[] = [];
  const reads: AccountRead[] = [];
  for (const db of rows.databases) {
    for (const r of db.owners) {
      const force = r.force_row_security === true;
      owned.push({
        principal: String(r.owner),
        isUser: false,
        kind: 'table_owner',
        // The owner reads every row unless FORCE ROW LEVEL SECURITY applies the policies to it too.
        privilege: r.row_security === true ? (force ? 'OWNER (FORCE ROW LEVEL SECURITY)' : 'OWNER (bypasses row level security)') : 'OWNER',
        object: `${db.database}.${String(r.schema)}.${String(r.name)}`,
        via: [],
        readsAll: !force,
      });
    }
    const byKey = new Map<string, AccountRead>();
    for (const r of db.reads) {
      const table = `${db.database}.${String(r.schema)}.${String(r.name)}`;
      const k = `${String(r.grantee)}\0${table}`;
      let e = byKey.get(k);
      if (!e) byKey.set(k, (e = { principal: String(r.grantee), table, columns: [] }));
      if (r.column === null || r.column === undefined) e.columns = undefined;
      else if (e.columns) e.columns.push(String(r.column));
    }
    reads.push(...byKey.values());
  }
  const spread = spreadFacts(owned, principals, memberships);
  const isUser = new Map(principals.map((p) => [p.name, p.isUser]));
  const privileged = [...attributes.map((f) => ({ ...f, isUser: isUser.get(f.principal) ?? f.isUser })), ...spread].sort(
    (a, b) => (a.principal < b.principal ? -1 : a.principal > b.principal ? 1 : a.privilege < b.privilege ? -1 : a.privilege > b.privilege ? 1 : (a.object ?? '') < (b.object ?? '') ? -1 : 1),
  );
  return { principals, memberships, privileged, reads };
}

/**
 * Read the account: cluster-wide queries once on `primary`, per-database queries on
 * each logical database's session. Four queries plus two per further database.
 */
export async function readPostgresAccount(
  primary: QueryFn,
  sessionFor: (logical: string) => Promise<QueryFn>,
  schemas: { database: string; schema: string }[],
): Promise<AccountFacts> {
  const principals = await primary(ACCOUNT_QUERIES.principals);
  const memberships = await primary(ACCOUNT_QUERIES.memberships);
  const byDb = new Map<string, string[]>();
  for (const s of schemas) (byDb.get(s.database) ?? byDb.set(s.database, []).get(s.database)!).push(s.schema);
  const databases: PostgresAccountRows['databases'] = [];
  for (const [database, names] of [...byDb.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const q = await sessionFor(database);
    databases.push({ database, owners: await q(ACCOUNT_QUERIES.owners, [names]), reads: await q(ACCOUNT_QUERIES.reads, [names]) });
  }
  return parsePostgresAccount({ principals, memberships, databases });
}
