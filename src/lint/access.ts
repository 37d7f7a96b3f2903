/**
 * Effective access: what each role can read, column by column, once inheritance,
 * table and schema-wide grants and masking policies are taken into account. Pure and
 * synchronous; `rbac lint` checks it against the PHI rules and the access review
 * reports it.
 *
 * The model is built from the normalized Desired state (names already folded by the
 * target dialect) plus the Project's classification and masking policies, folded
 * here with the same rule, and optionally the Live state: live grants and role
 * memberships that the configuration does not hold are added with origin `live`, so
 * the result is what a role can read now or after the next apply, whichever is more.
 */
import { RELATION_KINDS } from '../model/kinds.js';
import type { Project } from '../config/project.js';
import type { MaskFunction, PhiCategory } from '../config/schema.js';
import type { NamePart } from '../dialects/types.js';
import { keyPart, makeObject, objectKey, objectPath, databaseRoleName } from '../model/keys.js';
import {
  PUBLIC_ROLE,
  type Desired,
  type Live,
  type ObjectRef,
  type Platform,
  type Privilege,
  type SourceLocation,
} from '../model/types.js';

/** Where an access path comes from: the configuration, or only the live target (drift). */
export type Origin = 'config' | 'live';

/** Folds one name part as a platform does (`Dialect.normalize`). */
export type Fold = (p: NamePart) => string;

/**
 * The folding rule of the canonical model (see model/types.ts): quoted parts are kept,
 * unquoted parts are lower-cased on Postgres and Databricks, upper-cased on Snowflake.
 */
export function foldFor(platform: Platform): Fold {
  return platform === 'snowflake'
    ? (p) => (p.quoted ? p.text : p.text.toUpperCase())
    : (p) => (p.quoted ? p.text : p.text.toLowerCase());
}

/** A role's model name: `ANALYST`, or `EHR.PHI_READER` for a database role (config/normalize.ts). */
export function foldRole(fold: Fold, r: { name: NamePart; database?: NamePart }): string {
  return r.database ? databaseRoleName(fold(r.database), fold(r.name)) : fold(r.name);
}

/** Privileges that let a role read a table's rows (ownership includes reading). */
export const READ_PRIVILEGES: readonly Privilege[] = ['select', 'ownership'];

/**
 * One grant as the access model sees it. `scope` says how much it covers: one column,
 * a whole table (every column), or every table of a schema (`object` is the schema;
 * existing and future tables alike). `source` is set for origin `config`.
 */
export interface AccessGrant {
  role: string;
  privilege: Privilege;
  scope: 'column' | 'table' | 'schema';
  object: ObjectRef;
  column?: string;
  source?: SourceLocation;
  origin: Origin;
}

/** `member` inherits every privilege of `role` (role-to-role memberships only). */
export interface AccessMembership {
  role: string;
  member: string;
  source?: SourceLocation;
  origin: Origin;
}

/** A masking policy on one column: masked for every role except `unmaskedFor` and their inheritors. */
export interface AccessMask {
  policy: string;
  mask: MaskFunction | 'expression';
  unmaskedFor: Set<string>;
  source: SourceLocation;
}

/** A PHI classification of one column. */
export interface PhiTag {
  category: PhiCategory;
  source: SourceLocation;
}

/** A table and every column known for it (classification, grants, policies, live). */
export interface KnownTable {
  object: ObjectRef;
  columns: Set<string>;
}

/**
 * Everything needed to compute effective access, in canonical (folded) names.
 * Invariants: keys of `tables` are `objectKey(table)`; keys of `phi` and `masks` are
 * `columnKey(table, column)`; every column in `phi`, `masks` or a column grant is in
 * `tables`; memberships are role-to-role only.
 */
export interface AccessModel {
  grants: AccessGrant[];
  memberships: AccessMembership[];
  tables: Map<string, KnownTable>;
  phi: Map<string, PhiTag>;
  masks: Map<string, AccessMask[]>;
}

/** `ehr.clinical.patients.ssn`: the canonical path of a column. */
export function columnKey(table: ObjectRef, column: string): string {
  return `${objectPath(table)}.${keyPart(column)}`;
}

/** Inputs of buildAccessModel. `fold` defaults to the platform's rule (foldFor). */
export interface AccessInput {
  project: Project;
  desired: Desired;
  live?: Live;
  fold?: Fold;
}

/**
 * Build the access model. Live grants are added only for roles the configuration
 * manages and for PUBLIC, and only when the configuration does not already hold them
 * (same key, or covered by a schema-wide grant of the same role and privilege).
 */
export function buildAccessModel(input: AccessInput): AccessModel {
  const { project, desired, live } = input;
  const fold = input.fold ?? foldFor(desired.platform);
  const tables = new Map<string, KnownTable>();
  const addTable = (o: ObjectRef): KnownTable => {
    const t = makeObject('table', o.database, o.schema, o.name);
    const k = objectKey(t);
    let e = tables.get(k);
    if (!e) tables.set(k, (e = { object: t, columns: new Set() }));
    return e;
  };
  const columnRef = (parts: NamePart[]): { table: ObjectRef; column: string } => {
    const [db, schema, name, column] = parts.map(fold);
    return { table: makeObject('table', db, schema, name), column };
  };

  const phi = new Map<string, PhiTag>();
  for (const p of project.phi) {
    const { table, column } = columnRef(p.column);
    addTable(table).columns.add(column);
    phi.set(columnKey(table, column), { category: p.category, source: p.source });
  }

  const masks = new Map<string, AccessMask[]>();
  for (const mp of project.maskingPolicies) {
    const unmaskedFor = new Set(mp.unmaskedFor.map((r) => foldRole(fold, r)));
    for (const c of mp.columns) {
      const { table, column } = columnRef(c.path);
      addTable(table).columns.add(column);
      const k = columnKey(table, column);
      const list = masks.get(k) ?? [];
      list.push({ policy: fold(mp.name), mask: mp.mask ?? 'expression', unmaskedFor, source: mp.source });
      masks.set(k, list);
    }
  }

  const grants: AccessGrant[] = [];
  const desiredKeys = new Set<string>();
  const wideKeys = new Set<string>();
  const wideKey = (role: string, privilege: Privilege, schema: ObjectRef) => `${role}|${privilege}|${objectKey(schema)}`;
  const schemaOfTable = (o: ObjectRef) => makeObject('schema', o.database, o.schema);
  for (const g of desired.grants) {
    desiredKeys.add(g.key);
    if (!RELATION_KINDS.has(g.object.kind)) continue;
    const t = addTable(g.object);
    if (g.column !== undefined) t.columns.add(g.column);
    grants.push(tableGrant(g.role, g.privilege, g.object, g.column, 'config', g.source));
  }
  for (const w of desired.schemaWide) {
    wideKeys.add(wideKey(w.role, w.privilege, w.schema));
    grants.push({ role: w.role, privilege: w.privilege, scope: 'schema', object: w.schema, source: w.source, origin: 'config' });
  }
  for (const f of desired.futureGrants) {
    if (wideKeys.has(wideKey(f.role, f.privilege, f.schema))) continue;
    grants.push({ role: f.role, privilege: f.privilege, scope: 'schema', object: f.schema, source: f.source, origin: 'config' });
  }

  const memberships: AccessMembership[] = [];
  const memberSeen = new Set<string>();
  for (const m of desired.memberships) {
    if (m.memberKind !== 'role') continue;
    memberSeen.add(m.key);
    memberships.push({ role: m.role, member: m.member, source: m.source, origin: 'config' });
  }

  if (live) {
    const managed = new Set(desired.roles.map((r) => r.name));
    const inScope = (role: string) => managed.has(role) || role === PUBLIC_ROLE;
    for (const t of live.tables) {
      const e = addTable(t.object);
      for (const c of t.columns) e.columns.add(c);
    }
    for (const g of live.grants) {
      if (!inScope(g.role) || desiredKeys.has(g.key) || !RELATION_KINDS.has(g.object.kind)) continue;
      if (wideKeys.has(wideKey(g.role, g.privilege, schemaOfTable(g.object)))) continue;
      const t = addTable(g.object);
      if (g.column !== undefined) t.columns.add(g.column);
      grants.push(tableGrant(g.role, g.privilege, g.object, g.column, 'live'));
    }
    for (const f of live.futureGrants) {
      if (!inScope(f.role) || wideKeys.has(wideKey(f.role, f.privilege, f.schema))) continue;
      if (desired.futureGrants.some((d) => d.key === f.key)) continue;
      grants.push({ role: f.role, privilege: f.privilege, scope: 'schema', object: f.schema, origin: 'live' });
    }
    for (const m of live.memberships) {
      if (m.memberKind !== 'role' || memberSeen.has(m.key)) continue;
      if (!managed.has(m.role) && !managed.has(m.member)) continue;
      memberSeen.add(m.key);
      memberships.push({ role: m.role, member: m.member, origin: 'live' });
    }
  }
  return { grants, memberships, tables, phi, masks };
}

function tableGrant(
  role: string,
  privilege: Privilege,
  object: ObjectRef,
  column: string | undefined,
  origin: Origin,
  source?: SourceLocation,
): AccessGrant {
  const g: AccessGrant = { role, privilege, scope: column === undefined ? 'table' : 'column', object, origin };
  if (column !== undefined) g.column = column;
  if (source !== undefined) g.source = source;
  return g;
}

/**
 * One step up the role hierarchy: `member` inherits `role`. `implicit` marks the step
 * every role takes to PUBLIC (no membership record exists for it).
 */
export interface ViaStep {
  role: string;
  member: string;
  source?: SourceLocation;
  origin: Origin;
  implicit?: boolean;
}

/**
 * One way a role reaches a column: a grant held by the role itself (`via` empty) or
 * by a role it inherits (`via` lists the steps from the role up to the grantee, the
 * shortest path found).
 */
export interface Reach {
  grant: AccessGrant;
  via: ViaStep[];
}

/**
 * What one role can read of one column. `clear` is true when no masking policy masks
 * it for this role: the column has no policy, or every policy on it lists the role or
 * one of the roles it inherits in unmasked_for. `maskedBy` names the masking policies
 * that apply to the role when it is not clear.
 */
export interface ColumnAccess {
  table: ObjectRef;
  column: string;
  key: string;
  phi?: PhiTag;
  clear: boolean;
  maskedBy: string[];
  reaches: Reach[];
}

/** A whole table a role can read (table or schema-wide grant): every column, present and future. */
export interface TableAccess {
  table: ObjectRef;
  reaches: Reach[];
}

/**
 * What a role can read. `columns` holds every known column it can read (sorted by
 * key); `tables` the tables it reads whole. `inherits` lists every role it inherits,
 * directly or not, with the path (PUBLIC included, implicitly, for every role but
 * PUBLIC itself).
 */
export interface RoleAccess {
  role: string;
  inherits: Map<string, ViaStep[]>;
  columns: ColumnAccess[];
  tables: TableAccess[];
}

/** The roles `role` inherits, each with the shortest path of steps (breadth first). */
export function inheritedRoles(model: AccessModel, role: string): Map<string, ViaStep[]> {
  const byMember = new Map<string, AccessMembership[]>();
  for (const m of model.memberships) {
    const list = byMember.get(m.member) ?? [];
    list.push(m);
    byMember.set(m.member, list);
  }
  const out = new Map<string, ViaStep[]>();
  const queue: { role: string; path: ViaStep[] }[] = [{ role, path: [] }];
  const seen = new Set([role]);
  while (queue.length) {
    const cur = queue.shift()!;
    for (const m of byMember.get(cur.role) ?? []) {
      if (seen.has(m.role)) continue;
      seen.add(m.role);
      const step: ViaStep = { role: m.role, member: m.member, origin: m.origin };
      if (m.source) step.source = m.source;
      const path = [...cur.path, step];
      out.set(m.role, path);
      queue.push({ role: m.role, path });
    }
  }
  if (role !== PUBLIC_ROLE && !out.has(PUBLIC_ROLE)) {
    out.set(PUBLIC_ROLE, [{ role: PUBLIC_ROLE, member: role, origin: 'config', implicit: true }]);
  }
  return out;
}

/** Compute what `role` can read (see RoleAccess). */
export function effectiveAccess(model: AccessModel, role: string): RoleAccess {
  const inherits = inheritedRoles(model, role);
  const holders = new Map<string, ViaStep[]>([[role, []], ...inherits]);
  const columns = new Map<string, ColumnAccess>();
  const tables = new Map<string, TableAccess>();
  const known = [...model.tables.values()];

  const reachColumn = (table: ObjectRef, column: string, reach: Reach): void => {
    const key = columnKey(table, column);
    let c = columns.get(key);
    if (!c) {
      const policies = model.masks.get(key) ?? [];
      const masking = policies.filter((p) => !p.unmaskedFor.has(role) && ![...inherits.keys()].some((r) => p.unmaskedFor.has(r)));
      c = { table, column, key, clear: masking.length === 0, maskedBy: masking.map((p) => p.policy), reaches: [] };
      const tag = model.phi.get(key);
      if (tag) c.phi = tag;
      columns.set(key, c);
    }
    c.reaches.push(reach);
  };
  const reachTable = (t: KnownTable, reach: Reach): void => {
    const k = objectKey(t.object);
    let e = tables.get(k);
    if (!e) tables.set(k, (e = { table: t.object, reaches: [] }));
    e.reaches.push(reach);
    for (const col of t.columns) reachColumn(t.object, col, reach);
  };

  for (const g of model.grants) {
    const via = holders.get(g.role);
    if (via === undefined || !READ_PRIVILEGES.includes(g.privilege)) continue;
    const reach: Reach = { grant: g, via };
    if (g.scope === 'column') reachColumn(g.object, g.column!, reach);
    else if (g.scope === 'table') {
      const k = objectKey(makeObject('table', g.object.database, g.object.schema, g.object.name));
      reachTable(model.tables.get(k) ?? { object: g.object, columns: new Set() }, reach);
    } else {
      for (const t of known) {
        if (t.object.database === g.object.database && t.object.schema === g.object.schema) reachTable(t, reach);
      }
    }
  }
  const byKey = <T,>(a: [string, T], b: [string, T]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  return {
    role,
    inherits,
    columns: [...columns.entries()].sort(byKey).map(([, c]) => c),
    tables: [...tables.entries()].sort(byKey).map(([, t]) => t),
  };
}

/** Effective access of several roles (e.g. every managed role and PUBLIC). */
export function accessByRole(model: AccessModel, roles: readonly string[]): Map<string, RoleAccess> {
  return new Map(roles.map((r) => [r, effectiveAccess(model, r)]));
}
