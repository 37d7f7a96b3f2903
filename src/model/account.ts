/**
 * Account-wide facts for the access review, beyond the managed scope: every principal
 * of the account, the role hierarchy among them, who holds the platform's own notion of
 * administrative power, and who can read the tables in scope whoever granted it. Each
 * dialect's reader produces these (src/dialects/<platform>/account.ts); the review only
 * interprets them. Read-only: nothing here is ever planned, granted or revoked.
 */

/** Why a principal counts as privileged, in the platform's own words. */
export type PrivilegeKind =
  // PostgreSQL
  | 'superuser'
  | 'createrole'
  | 'bypassrls'
  | 'table_owner'
  // Snowflake
  | 'system_role'
  | 'manage_grants'
  | 'ownership'
  // Databricks Unity Catalog
  | 'metastore_admin'
  | 'owner'
  | 'manage';

/**
 * One principal's administrative power. `principal` holds it directly (`via` empty) or
 * through the role hierarchy (`via` is the path of roles from the principal to the one
 * that holds it). `privilege` is the platform's keyword (`SUPERUSER`, `ACCOUNTADMIN`,
 * `MANAGE GRANTS`, `MANAGE`); `object` what it applies to, when not the whole account.
 */
export interface PrivilegedFact {
  principal: string;
  /** The principal can log in (a user or service principal), else a role or group. */
  isUser: boolean;
  kind: PrivilegeKind;
  privilege: string;
  object?: string;
  via: string[];
  /** The power reads every row of `object` (or of the account when `object` is absent), row level security included. */
  readsAll: boolean;
}

/** A principal can SELECT a relation (or some of its columns), from any grantor. */
export interface AccountRead {
  principal: string;
  /** `database.schema.table` in the dialect's canonical spelling. */
  table: string;
  /** Undefined: every column. */
  columns?: string[];
}

/** What the account reader saw. */
export interface AccountFacts {
  /** Every principal of the account (system principals such as pg_* left out). */
  principals: { name: string; isUser: boolean }[];
  /** member holds role, for every principal (not only managed ones). */
  memberships: { role: string; member: string }[];
  privileged: PrivilegedFact[];
  /** SELECT on the relations in scope held by any principal (managed or not). */
  reads: AccountRead[];
}

/** What the account reader reads: relations in these schemas. */
export interface AccountScope {
  schemas: { database: string; schema: string }[];
}

/**
 * Every role a member holds, transitively, with the path (`[member, ..., role]`),
 * breadth-first so the shortest path is kept. Shared by the readers that resolve
 * "holds ACCOUNTADMIN through the hierarchy".
 */
export function heldRoles(member: string, memberships: readonly { role: string; member: string }[]): Map<string, string[]> {
  const parents = new Map<string, string[]>();
  for (const m of memberships) (parents.get(m.member) ?? parents.set(m.member, []).get(m.member)!).push(m.role);
  const out = new Map<string, string[]>([[member, [member]]]);
  const queue = [member];
  while (queue.length) {
    const cur = queue.shift()!;
    for (const p of (parents.get(cur) ?? []).sort()) {
      if (out.has(p)) continue;
      out.set(p, [...out.get(cur)!, p]);
      queue.push(p);
    }
  }
  return out;
}

/**
 * Facts held by a role reach every principal holding it: expand `direct` facts (held by
 * roles or users themselves) to every principal through the hierarchy, `via` set to the
 * path. Sorted by principal, privilege, object.
 */
export function spreadFacts(direct: PrivilegedFact[], principals: AccountFacts['principals'], memberships: AccountFacts['memberships']): PrivilegedFact[] {
  const byHolder = new Map<string, PrivilegedFact[]>();
  for (const f of direct) (byHolder.get(f.principal) ?? byHolder.set(f.principal, []).get(f.principal)!).push(f);
  const names = new Set<string>(principals.map((p) => p.name));
  for (const m of memberships) {
    names.add(m.member);
    names.add(m.role);
  }
  const isUser = new Map(principals.map((p) => [p.name, p.isUser]));
  const out: PrivilegedFact[] = [];
  const seen = new Set<string>();
  for (const name of [...names].sort()) {
    for (const [role, path] of heldRoles(name, memberships)) {
      for (const f of byHolder.get(role) ?? []) {
        const k = `${name}\0${f.kind}\0${f.privilege}\0${f.object ?? ''}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push({ ...f, principal: name, isUser: isUser.get(name) ?? false, via: path.length > 1 ? path.slice(1) : [] });
      }
    }
  }
  return out.sort((a, b) => cmp(a.principal, b.principal) || cmp(a.privilege, b.privilege) || cmp(a.object ?? '', b.object ?? ''));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
