/**
 * The managed scope: which live records the tool owns. A live record outside it is
 * never revoked, whatever a reader returned; the planner and the fingerprint share
 * these predicates so they can never disagree.
 */
import { objectKey, schemaOf } from '../model/keys.js';
import { PUBLIC_ROLE, type FutureGrantRecord, type MembershipRecord, type ObjectRef } from '../model/types.js';
import type { ManagedScope } from './types.js';

/** Whether a live grant is one the tool manages (and so may revoke). */
export function inScopeGrant(g: { role: string; object: ObjectRef }, scope: ManagedScope): boolean {
  if (scope.roles.has(g.role)) return true;
  if (scope.toolObjects?.has(objectKey(g.object))) return true;
  if (g.role !== PUBLIC_ROLE || !scope.managePublic) return false;
  if (g.object.kind === 'database') return false;
  return scope.schemas.has(objectKey(schemaOf(g.object)));
}

export function inScopeFuture(f: FutureGrantRecord, scope: ManagedScope): boolean {
  if (scope.roles.has(f.role)) return true;
  return f.role === PUBLIC_ROLE && scope.managePublic && scope.schemas.has(objectKey(f.schema));
}

export function inScopeMembership(m: MembershipRecord, scope: ManagedScope): boolean {
  return scope.roles.has(m.role) || (m.memberKind === 'role' && scope.roles.has(m.member));
}

/**
 * The scope a configuration manages: every role it defines (present or absent), and
 * every schema it names (directly, through a table, or through `objects: tables`).
 */
export function scopeOf(
  desired: import('../model/types.js').Desired,
  opts: { managePublic?: boolean } = {},
): ManagedScope {
  const roles = new Set(desired.roles.map((r) => r.name));
  const schemas = new Set<string>();
  // Many grants share a schema: build each schema key once per (database, schema).
  const seen = new Map<string, Set<string>>();
  for (const g of desired.grants) {
    const o = g.object;
    if (o.kind === 'database' || o.schema === undefined) continue;
    let inDb = seen.get(o.database);
    if (!inDb) seen.set(o.database, (inDb = new Set()));
    if (inDb.has(o.schema)) continue;
    inDb.add(o.schema);
    schemas.add(objectKey(schemaOf(o)));
  }
  for (const w of desired.schemaWide) schemas.add(objectKey(w.schema));
  for (const f of desired.futureGrants) schemas.add(objectKey(f.schema));
  return { roles, schemas, managePublic: opts.managePublic ?? true };
}

/** What an adapter must read for a Desired: managed roles, member users, databases and schemas. */
export function introspectScopeOf(
  desired: import('../model/types.js').Desired,
  opts: { managePublic?: boolean } = {},
): import('../dialects/types.js').IntrospectScope {
  const databases = new Set<string>();
  for (const g of desired.grants) databases.add(g.object.database);
  for (const w of desired.schemaWide) databases.add(w.schema.database);
  for (const f of desired.futureGrants) databases.add(f.schema.database);
  return {
    roles: desired.roles.map((r) => r.name),
    users: desired.users,
    databases: [...databases].sort(),
    schemas: scopeSchemas(desired),
    includePublic: opts.managePublic ?? true,
  };
}

/** The schemas of a scope as database/schema pairs, sorted, for readers. */
export function scopeSchemas(desired: import('../model/types.js').Desired): { database: string; schema: string }[] {
  const seen = new Map<string, { database: string; schema: string }>();
  const add = (o: ObjectRef) => {
    if (o.kind === 'database' || o.schema === undefined) return;
    seen.set(objectKey(schemaOf(o)), { database: o.database, schema: o.schema });
  };
  for (const g of desired.grants) add(g.object);
  for (const w of desired.schemaWide) add(w.schema);
  for (const f of desired.futureGrants) add(f.schema);
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}
