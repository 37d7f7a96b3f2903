/**
 * The managed scope: which live records the tool owns. A live record outside it is
 * never revoked, whatever a reader returned; the planner and the fingerprint share
 * these predicates so they can never disagree.
 *
 * Managed roles: every grant they hold is in scope. PUBLIC (with `manage_public`):
 * - on relations and schemas, in every schema the configuration names (v1);
 * - on sequences, routines and types, only in the schemas where the configuration
 *   grants on that family of kind (`sequences`, `functions`, `types`), so a grant on one
 *   function does not take PUBLIC's USAGE on sequences elsewhere in the schema;
 * - PUBLIC's database-wide default privileges for a family (PostgreSQL gives PUBLIC
 *   EXECUTE on every new function and USAGE on every new type by default) in the
 *   databases where the configuration grants on that family;
 * - on objects of a database outside schemas (foreign servers) and on account-level
 *   objects (a warehouse, the account), only where named;
 * - never on a database itself, and never through a glob or a database-wide
 *   `objects:` of another role (which do not widen what PUBLIC loses); a database-wide
 *   `objects:` granted to PUBLIC itself manages PUBLIC's grants on those kinds in every
 *   schema of the database (`rbac export` writes PostgreSQL's built-in defaults so).
 */
import { databaseOf, objectKey, schemaOf } from '../model/keys.js';
import { KIND_SHAPES, RELATION_KINDS, isAccountLevel } from '../model/kinds.js';
import {
  PUBLIC_ROLE,
  type Desired,
  type FutureGrantRecord,
  type FutureObjectType,
  type MembershipRecord,
  type ObjectRef,
  type SecurableKind,
} from '../model/types.js';
import type { IntrospectScope } from '../dialects/types.js';
import type { ManagedScope } from './types.js';

/** The family of default privileges a kind belongs to (PostgreSQL's ALTER DEFAULT PRIVILEGES object types). */
const FAMILY: Partial<Record<SecurableKind, FutureObjectType>> = {
  sequence: 'sequences',
  function: 'functions',
  procedure: 'functions',
  type: 'types',
  domain: 'types',
};

/** A kind's family, relations and schemas included (for PUBLIC's database-wide grants). */
function familyOf(kind: SecurableKind): FutureObjectType | undefined {
  if (RELATION_KINDS.has(kind)) return 'tables';
  if (kind === 'schema') return 'schemas';
  return FAMILY[kind];
}

/** Whether a live grant is one the tool manages (and so may revoke). */
export function inScopeGrant(g: { role: string; object: ObjectRef }, scope: ManagedScope): boolean {
  if (scope.roles.has(g.role)) return true;
  if (scope.toolObjects?.has(objectKey(g.object))) return true;
  if (g.role !== PUBLIC_ROLE || !scope.managePublic) return false;
  const o = g.object;
  if (o.kind === 'database') return false;
  const family = familyOf(o.kind);
  // PUBLIC's own database-wide grant (`role: public` with `objects:` on a database) manages that family everywhere in it.
  if (family && scope.publicKinds?.has(`${family}:all:${objectKey(databaseOf(o))}`)) return true;
  if (o.kind === 'schema' || RELATION_KINDS.has(o.kind)) return scope.schemas.has(objectKey(schemaOf(o)));
  if (!scope.publicKinds?.size) return false;
  if (family) return scope.publicKinds.has(`${family}:${objectKey(schemaOf(o))}`);
  return scope.publicKinds.has(`object:${objectKey(o)}`);
}

export function inScopeFuture(f: FutureGrantRecord, scope: ManagedScope): boolean {
  if (scope.roles.has(f.role)) return true;
  if (f.role !== PUBLIC_ROLE || !scope.managePublic) return false;
  if (f.objectType === 'tables' && f.schema.kind === 'schema') return scope.schemas.has(objectKey(f.schema));
  return scope.publicKinds?.has(`${f.objectType}:${objectKey(f.schema)}`) === true;
}

export function inScopeMembership(m: MembershipRecord, scope: ManagedScope): boolean {
  return scope.roles.has(m.role) || (m.memberKind === 'role' && scope.roles.has(m.member));
}

/** The families of kinds a grant reaches. */
function families(kinds: readonly SecurableKind[]): FutureObjectType[] {
  return [...new Set(kinds.map((k) => FAMILY[k]).filter((f): f is FutureObjectType => f !== undefined))];
}

/**
 * The scope a configuration manages: every role it defines (present or absent), every
 * schema it names (directly, through an object, or through `objects:` on a schema), and
 * where PUBLIC's other grants are managed (see the file comment).
 */
export function scopeOf(desired: Desired, opts: { managePublic?: boolean } = {}): ManagedScope {
  const roles = new Set(desired.roles.map((r) => r.name));
  // A principal a grant names that is not a role (Databricks grants to users and
  // service principals too) is managed like a role: its grants are read and compared.
  for (const g of desired.grants) if (g.role !== PUBLIC_ROLE) roles.add(g.role);
  const schemas = new Set<string>();
  const publicKinds = new Set<string>();
  const wholeDatabases = new Set<string>();
  const addFamilies = (container: ObjectRef, fams: readonly FutureObjectType[]) => {
    for (const f of fams) {
      if (container.kind === 'schema') publicKinds.add(`${f}:${objectKey(container)}`);
      publicKinds.add(`${f}:${objectKey(databaseOf(container))}`);
    }
  };
  // Many grants share a schema: build each schema key once per (database, schema).
  const seen = new Map<string, Set<string>>();
  for (const g of desired.grants) {
    const o = g.object;
    const shape = KIND_SHAPES[o.kind];
    if (shape === 'in-database' || shape === 'global' || shape === 'account') publicKinds.add(`object:${objectKey(o)}`);
    if (o.schema === undefined || shape === 'database' || shape === 'in-database') continue;
    if (FAMILY[o.kind]) addFamilies(schemaOf(o), families([o.kind]));
    let inDb = seen.get(o.database);
    if (!inDb) seen.set(o.database, (inDb = new Set()));
    if (inDb.has(o.schema)) continue;
    inDb.add(o.schema);
    schemas.add(objectKey(schemaOf(o)));
  }
  for (const w of desired.schemaWide) {
    if (w.schema.kind === 'database') wholeDatabases.add(w.schema.database);
    if (w.schema.kind === 'database' && w.role === PUBLIC_ROLE) {
      for (const k of w.kinds) {
        const f = familyOf(k);
        if (f) publicKinds.add(`${f}:all:${objectKey(w.schema)}`);
      }
    }
    else schemas.add(objectKey(w.schema));
    addFamilies(w.schema, families(w.kinds));
  }
  for (const p of desired.patterns ?? []) {
    const glob = [p.database, p.schema, p.name].some((x) => x !== undefined && /[*?]/.test(x));
    if (glob) {
      wholeDatabases.add(p.database);
      continue;
    }
    if (p.schema !== undefined) {
      const schema = { kind: 'schema' as const, database: p.database, schema: p.schema };
      schemas.add(objectKey(schema));
      addFamilies(schema, families(p.kinds ?? [p.kind]));
    }
  }
  for (const f of desired.futureGrants) {
    if (f.schema.kind === 'schema') schemas.add(objectKey(f.schema));
    addFamilies(f.schema, f.objectType === 'tables' || f.objectType === 'schemas' ? [] : [f.objectType]);
  }
  const scope: ManagedScope = { roles, schemas, managePublic: opts.managePublic ?? true };
  if (publicKinds.size) scope.publicKinds = publicKinds;
  if (wholeDatabases.size) scope.wholeDatabases = wholeDatabases;
  return scope;
}

/** What an adapter must read for a Desired: managed roles, member users, databases and schemas. */
export function introspectScopeOf(desired: Desired, opts: { managePublic?: boolean } = {}): IntrospectScope {
  const databases = new Set<string>();
  const whole = new Set<string>();
  // Account-level objects (warehouses, the account) are in no database.
  for (const g of desired.grants) if (!isAccountLevel(g.object.kind)) databases.add(g.object.database);
  for (const w of desired.schemaWide) {
    databases.add(w.schema.database);
    if (w.schema.kind === 'database') whole.add(w.schema.database);
  }
  for (const f of desired.futureGrants) databases.add(f.schema.database);
  // Policies are read where they are, even in a database no grant names (else a policy
  // there would read as missing and be re-created on every run).
  for (const o of policyObjects(desired)) databases.add(o.database);
  for (const p of desired.patterns ?? []) {
    databases.add(p.database);
    // A glob in the schema part, or a database-level container, reads every schema.
    if (p.schema === undefined || /[*?]/.test(p.schema) || /[*?]/.test(p.database)) whole.add(p.database);
  }
  const scope: IntrospectScope = {
    roles: [...new Set([...desired.roles.map((r) => r.name), ...desired.grants.filter((g) => g.role !== PUBLIC_ROLE).map((g) => g.role)])],
    users: desired.users,
    ...(desired.recipients?.length ? { recipients: desired.recipients } : {}),
    databases: [...databases].sort(),
    schemas: scopeSchemas(desired),
    includePublic: opts.managePublic ?? true,
  };
  if (whole.size) scope.wholeDatabases = [...whole].sort();
  const kinds = new Set<SecurableKind>([
    ...desired.schemaWide.flatMap((w) => w.kinds),
    ...(desired.patterns ?? []).flatMap((p) => p.kinds ?? [p.kind]),
    ...(desired.named ?? []).map((n) => n.object.kind),
  ]);
  if (kinds.size) scope.objectKinds = [...kinds].sort();
  if (desired.columnTags?.length) {
    const tags = new Map<string, ObjectRef>();
    const tables = new Map<string, ObjectRef>();
    for (const t of desired.columnTags) {
      tags.set(objectKey(t.tag), t.tag);
      tables.set(objectKey(t.column.table), t.column.table);
    }
    const sorted = (m: Map<string, ObjectRef>) => [...m.keys()].sort().map((k) => m.get(k)!);
    scope.columnTags = { tags: sorted(tags), tables: sorted(tables) };
  }
  return scope;
}

/**
 * The schemas policies live in and the tables they are attached to, and the tables whose
 * columns get a masking policy's tag (their column types decide which policy masks them).
 */
function policyObjects(desired: Desired): ObjectRef[] {
  return [
    ...(desired.maskingPolicies ?? []).flatMap((m) => [m.schema, ...m.columns.map((c) => c.table)]),
    ...(desired.rowAccessPolicies ?? []).flatMap((r) => [r.schema, r.table]),
    ...(desired.columnTags ?? []).map((t) => t.column.table),
  ];
}

/** The schemas of a scope as database/schema pairs, sorted, for readers. */
export function scopeSchemas(desired: Desired): { database: string; schema: string }[] {
  const seen = new Map<string, { database: string; schema: string }>();
  const add = (database: string, schema: string | undefined) => {
    if (schema === undefined || /[*?]/.test(schema) || /[*?]/.test(database)) return;
    seen.set(objectKey(schemaOf({ kind: 'schema', database, schema })), { database, schema });
  };
  for (const g of desired.grants) if (KIND_SHAPES[g.object.kind] !== 'in-database' && !isAccountLevel(g.object.kind)) add(g.object.database, g.object.schema);
  for (const w of desired.schemaWide) add(w.schema.database, w.schema.schema);
  for (const f of desired.futureGrants) add(f.schema.database, f.schema.schema);
  for (const p of desired.patterns ?? []) add(p.database, p.schema);
  for (const o of policyObjects(desired)) add(o.database, o.schema);
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}
