/**
 * Offline planning: a Live state written to / read from a JSON file, so
 * `rbac plan --snapshot FILE --platform ...` plans without a connection.
 *
 * Invariants:
 * - `writeSnapshot` is stable: same Live -> byte-identical text (object keys sorted,
 *   records sorted by key), so snapshots diff well in review.
 * - `readSnapshot` validates every field and throws RbacError('CONFIG') naming the
 *   JSON path of the first bad field (`grants[3].object.kind`); record keys are
 *   recomputed from the fields, never trusted from the file.
 * - an empty snapshot (`{"platform":"snowflake","roles":[],...}`) is valid; missing
 *   arrays read as empty.
 */
import { RbacError } from '../model/errors.js';
import type { ScimGroup, ScimMember, ScimMemberKind, ScimSnapshot } from './databricks/scim-model.js';
import { columnTagKey, makeFutureGrant, makeGrant, makeMembership, maskingPolicyKey, rowAccessPolicyKey } from '../model/keys.js';
import { ALL_KINDS, KIND_SHAPES, RELATION_KINDS, SIGNATURE_KINDS } from '../model/kinds.js';
import {
  FUTURE_OBJECT_TYPES,
  MASK_FUNCTIONS,
  PLATFORMS,
  type Live,
  type LiveRole,
  type LiveTable,
  type MaskFunction,
  type ColumnTagRecord,
  type MaskingPolicyRecord,
  type ObjectRef,
  type Platform,
  type Privilege,
  type RowAccessPolicyRecord,
} from '../model/types.js';

export const SNAPSHOT_FORMAT = 1;

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) o[k] = sortKeys(x);
    }
    return o;
  }
  return v;
}

const byKey = <T>(f: (x: T) => string) => (a: T, b: T) => (f(a) < f(b) ? -1 : f(a) > f(b) ? 1 : 0);
const objKey = (o: ObjectRef) => JSON.stringify([o.kind, o.database, o.schema ?? '', o.name ?? '', o.signature ?? '']);

const SCIM_KINDS: readonly ScimMemberKind[] = ['user', 'servicePrincipal', 'group'];

function sortedScim(x: ScimSnapshot): ScimSnapshot {
  const group = (g: ScimGroup): ScimGroup => ({ ...g, members: [...g.members].sort(byKey((m) => `${m.kind}\u0000${m.id}`)) });
  return {
    groups: [...x.groups].sort(byKey((g) => `${g.displayName}\u0000${g.id}`)).map(group),
    workspaceGroups: [...x.workspaceGroups].sort(byKey((g) => `${g.displayName}\u0000${g.id}`)).map(group),
    principals: [...x.principals].sort(byKey((p) => `${p.kind}\u0000${p.name}\u0000${p.id}`)),
    unresolved: [...x.unresolved].sort(byKey((u) => `${u.group}\u0000${u.member.id}`)),
  };
}

function scimKind(v: unknown, path: string): ScimMemberKind {
  if (!SCIM_KINDS.includes(v as ScimMemberKind)) fail(path, `must be one of ${SCIM_KINDS.join(', ')}`);
  return v as ScimMemberKind;
}

function scimMember(v: unknown, path: string): ScimMember {
  const o = obj(v, path);
  const m: ScimMember = { id: s(o.id, `${path}.id`), kind: scimKind(o.kind, `${path}.kind`) };
  if (o.display !== undefined) {
    if (typeof o.display !== 'string') fail(`${path}.display`, 'must be a string');
    m.display = o.display as string;
  }
  return m;
}

function scimGroup(v: unknown, path: string): ScimGroup {
  const o = obj(v, path);
  return {
    id: s(o.id, `${path}.id`),
    displayName: s(o.displayName, `${path}.displayName`),
    resourceType: s(o.resourceType, `${path}.resourceType`),
    members: arr(o.members, `${path}.members`).map((m, i) => scimMember(m, `${path}.members[${i}]`)),
  };
}

/** The SCIM read of a snapshot, every field checked (ids are what apply would send). */
function readScimSnapshot(v: unknown): ScimSnapshot {
  const o = obj(v, 'scim');
  return {
    groups: arr(o.groups, 'scim.groups').map((g, i) => scimGroup(g, `scim.groups[${i}]`)),
    workspaceGroups: arr(o.workspaceGroups, 'scim.workspaceGroups').map((g, i) => scimGroup(g, `scim.workspaceGroups[${i}]`)),
    principals: arr(o.principals, 'scim.principals').map((p, i) => {
      const at = `scim.principals[${i}]`;
      const po = obj(p, at);
      return { id: s(po.id, `${at}.id`), kind: scimKind(po.kind, `${at}.kind`), name: s(po.name, `${at}.name`) };
    }),
    unresolved: arr(o.unresolved, 'scim.unresolved').map((u, i) => {
      const at = `scim.unresolved[${i}]`;
      const uo = obj(u, at);
      return { group: s(uo.group, `${at}.group`), member: scimMember(uo.member, `${at}.member`) };
    }),
  };
}

export function writeSnapshot(live: Live): string {
  const doc = {
    formatVersion: SNAPSHOT_FORMAT,
    platform: live.platform,
    roles: [...live.roles].sort(byKey((r) => `${r.isUser ? 1 : 0}${r.name}`)),
    memberships: [...live.memberships].sort(byKey((m) => m.key)).map(({ source: _s, ...m }) => m),
    grants: [...live.grants].sort(byKey((g) => g.key)).map(({ source: _s, ...g }) => g),
    futureGrants: [...live.futureGrants].sort(byKey((f) => f.key)).map(({ source: _s, ...f }) => f),
    schemas: [...live.schemas].sort(byKey(objKey)),
    tables: [...live.tables].sort(byKey((t) => objKey(t.object))),
    // Every object of every kind in one array (0.2): what `objects:` and globs expand against.
    objects: live.objects ? [...live.objects].sort(byKey(objKey)) : undefined,
    databases: live.databases,
    currentUser: live.currentUser,
    // Omitted when empty, so snapshots of platforms without policies stay as they were.
    maskingPolicies: live.maskingPolicies?.length ? [...live.maskingPolicies].sort(byKey((p) => p.key)).map(({ source: _s, ...p }) => p) : undefined,
    rowAccessPolicies: live.rowAccessPolicies?.length
      ? [...live.rowAccessPolicies].sort(byKey((p) => p.key)).map(({ source: _s, ...p }) => p)
      : undefined,
    // Snowflake: the managed tags on classified columns (keys recomputed on read).
    columnTags: live.columnTags?.length ? [...live.columnTags].sort(byKey((t) => t.key)).map(({ key: _k, source: _s, ...t }) => t) : undefined,
    // Omitted when empty, like the policies: what rbac owns and what default
    // privileges give its new objects (PostgreSQL).
    toolObjects: live.toolObjects?.length ? [...live.toolObjects].sort() : undefined,
    extensionObjects: live.extensionObjects?.length ? [...live.extensionObjects].sort() : undefined,
    systemGrants: live.systemGrants?.length ? [...live.systemGrants].sort() : undefined,
    dependentGrants: live.dependentGrants?.length ? [...live.dependentGrants].sort(byKey((g) => g.key)).map(({ source: _s, ...g }) => g) : undefined,
    // Databricks: catalog grants that reach rbac's salt table by inheritance.
    saltReaders: live.saltReaders?.length ? [...live.saltReaders].sort(byKey((g) => g.key)).map(({ source: _s, ...g }) => g) : undefined,
    newObjectGrantees: live.newObjectGrantees && Object.values(live.newObjectGrantees).some((g) => g.length) ? live.newObjectGrantees : undefined,
    // Databricks with manage_membership: the SCIM read (ids included), so group and member changes compile offline.
    scim: live.scim ? sortedScim(live.scim) : undefined,
  };
  return JSON.stringify(sortKeys(doc), null, 2) + '\n';
}

function fail(path: string, what: string): never {
  throw new RbacError('CONFIG', `invalid snapshot: ${path} ${what}`);
}
function obj(v: unknown, path: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail(path, 'must be an object');
  return v as Record<string, unknown>;
}
function arr(v: unknown, path: string): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) fail(path, 'must be an array');
  return v;
}
function s(v: unknown, path: string): string {
  if (typeof v !== 'string' || v === '') fail(path, 'must be a non-empty string');
  return v;
}
function optS(v: unknown, path: string): string | undefined {
  return v === undefined ? undefined : s(v, path);
}
/** A privilege word: snake_case, as the catalogs write them (which kind takes it is the planner's check). */
function priv(v: unknown, path: string): Privilege {
  // `all` is the configuration's shorthand, expanded before anything is recorded: never a privilege.
  if (typeof v !== 'string' || !/^[a-z][a-z0-9_]*$/.test(v) || v === 'all') fail(path, `must be a privilege in snake_case (got ${JSON.stringify(v)})`);
  return v;
}
/**
 * An object reference of any kind, with the parts its shape has. v1 snapshots wrote a
 * view as `{"kind": "table", "isView": true}`: read as kind `view`.
 */
function objectRef(v: unknown, path: string, kinds?: readonly ObjectRef['kind'][]): ObjectRef {
  const o = obj(v, path);
  let k = o.kind as ObjectRef['kind'];
  if (!ALL_KINDS.includes(k)) fail(`${path}.kind`, `must be one of ${ALL_KINDS.join(', ')}`);
  if (o.isView !== undefined) {
    if (typeof o.isView !== 'boolean') fail(`${path}.isView`, 'must be a boolean');
    if (o.isView && k === 'table') k = 'view';
  }
  if (kinds && !kinds.includes(k)) fail(`${path}.kind`, `must be ${kinds.join(' or ')}`);
  const shape = KIND_SHAPES[k];
  // The account and warehouses are in no database: `database` is '' or absent there.
  const accountLevel = shape === 'account' || shape === 'global';
  if (accountLevel && o.database !== undefined && o.database !== '') fail(`${path}.database`, `must be empty: a ${k} is in no database`);
  const ref: ObjectRef = { kind: k, database: accountLevel ? '' : s(o.database, `${path}.database`) };
  if (shape === 'global') ref.name = s(o.name, `${path}.name`);
  if (shape === 'schema' || shape === 'in-schema') ref.schema = s(o.schema, `${path}.schema`);
  if (shape === 'in-schema' || shape === 'in-database') ref.name = s(o.name, `${path}.name`);
  // A Unity Catalog function is not overloaded and has no signature; elsewhere readers always write one.
  if (SIGNATURE_KINDS.has(k) && o.signature !== undefined) {
    const sig = s(o.signature, `${path}.signature`);
    if (!/^\(.*\)$/.test(sig)) fail(`${path}.signature`, 'must be the argument types in parentheses, e.g. "(text)"');
    ref.signature = sig;
  } else if (o.signature !== undefined && !SIGNATURE_KINDS.has(k)) fail(`${path}.signature`, `is only for ${[...SIGNATURE_KINDS].join(' and ')}`);
  return ref;
}

/** Every kind in the relations' namespace (kinds.ts): a table, a view or a table variant. */
const RELATIONS = [...RELATION_KINDS];
const FUTURE_TYPES = FUTURE_OBJECT_TYPES;

export function readSnapshot(text: string): Live {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new RbacError('CONFIG', `invalid snapshot: not JSON (${(e as Error).message})`);
  }
  const d = obj(raw, '(root)');
  if (d.formatVersion !== undefined && d.formatVersion !== SNAPSHOT_FORMAT) fail('formatVersion', `must be ${SNAPSHOT_FORMAT}`);
  if (!PLATFORMS.includes(d.platform as Platform)) fail('platform', `must be one of ${PLATFORMS.join(', ')}`);
  const roles: LiveRole[] = arr(d.roles, 'roles').map((r, i) => {
    const o = obj(r, `roles[${i}]`);
    if (o.isUser !== undefined && typeof o.isUser !== 'boolean') fail(`roles[${i}].isUser`, 'must be a boolean');
    const role: LiveRole = { name: s(o.name, `roles[${i}].name`), isUser: o.isUser === true };
    const description = optS(o.description, `roles[${i}].description`);
    const owner = optS(o.owner, `roles[${i}].owner`);
    if (description !== undefined) role.description = description;
    if (owner !== undefined) role.owner = owner;
    return role;
  });
  const memberships = arr(d.memberships, 'memberships').map((m, i) => {
    const o = obj(m, `memberships[${i}]`);
    if (o.memberKind !== 'user' && o.memberKind !== 'role') fail(`memberships[${i}].memberKind`, 'must be user or role');
    return makeMembership({
      role: s(o.role, `memberships[${i}].role`),
      member: s(o.member, `memberships[${i}].member`),
      memberKind: o.memberKind,
      ...(o.grantedBy !== undefined ? { grantedBy: s(o.grantedBy, `memberships[${i}].grantedBy`) } : {}),
    });
  });
  const strings = (v: unknown, path: string) => arr(v, path).map((x, j) => s(x, `${path}[${j}]`));
  const bool = (v: unknown, path: string): boolean | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') fail(path, 'must be a boolean');
    return v;
  };
  const grant = (g: unknown, at: string) => {
    const o = obj(g, at);
    const rec = makeGrant({
      role: s(o.role, `${at}.role`),
      privilege: priv(o.privilege, `${at}.privilege`),
      object: objectRef(o.object, `${at}.object`),
      ...(o.column !== undefined ? { column: s(o.column, `${at}.column`) } : {}),
      ...(o.grantedBy !== undefined ? { grantedBy: s(o.grantedBy, `${at}.grantedBy`) } : {}),
    });
    if (bool(o.grantOption, `${at}.grantOption`)) rec.grantOption = true;
    if (o.grantors !== undefined) rec.grantors = strings(o.grantors, `${at}.grantors`);
    return rec;
  };
  const grants = arr(d.grants, 'grants').map((g, i) => grant(g, `grants[${i}]`));
  const futureGrants = arr(d.futureGrants, 'futureGrants').map((f, i) => {
    const o = obj(f, `futureGrants[${i}]`);
    const objectType = o.objectType as (typeof FUTURE_TYPES)[number];
    if (!FUTURE_TYPES.includes(objectType)) fail(`futureGrants[${i}].objectType`, `must be one of ${FUTURE_TYPES.join(', ')}`);
    return makeFutureGrant({
      role: s(o.role, `futureGrants[${i}].role`),
      privilege: priv(o.privilege, `futureGrants[${i}].privilege`),
      schema: objectRef(o.schema, `futureGrants[${i}].schema`, ['schema', 'database']),
      objectType,
      ...(o.forRole !== undefined ? { forRole: s(o.forRole, `futureGrants[${i}].forRole`) } : {}),
      ...(bool(o.grantOption, `futureGrants[${i}].grantOption`) ? { grantOption: true } : {}),
    });
  });
  const schemas = arr(d.schemas, 'schemas').map((x, i) => objectRef(x, `schemas[${i}]`, ['schema']));
  const tables: LiveTable[] = arr(d.tables, 'tables').map((t, i) => {
    const o = obj(t, `tables[${i}]`);
    const columns = arr(o.columns, `tables[${i}].columns`).map((c, j) => s(c, `tables[${i}].columns[${j}]`));
    const table: LiveTable = { object: objectRef(o.object, `tables[${i}].object`, RELATIONS), columns };
    const owner = optS(o.owner, `tables[${i}].owner`);
    if (owner !== undefined) table.owner = owner;
    if (o.columnTypes !== undefined) {
      const types = arr(o.columnTypes, `tables[${i}].columnTypes`).map((c, j) => s(c, `tables[${i}].columnTypes[${j}]`));
      if (types.length !== columns.length) fail(`tables[${i}].columnTypes`, 'must have one type per column');
      table.columnTypes = types;
    }
    const rowSecurity = bool(o.rowSecurity, `tables[${i}].rowSecurity`);
    if (rowSecurity !== undefined) table.rowSecurity = rowSecurity;
    if (bool(o.forceRowSecurity, `tables[${i}].forceRowSecurity`)) table.forceRowSecurity = true;
    if (o.foreignPolicies !== undefined) table.foreignPolicies = strings(o.foreignPolicies, `tables[${i}].foreignPolicies`);
    return table;
  });
  const maskingPolicies = d.maskingPolicies === undefined ? undefined : arr(d.maskingPolicies, 'maskingPolicies').map((m, i): MaskingPolicyRecord => {
    const at = `maskingPolicies[${i}]`;
    const o = obj(m, at);
    const name = s(o.name, `${at}.name`);
    const rec: MaskingPolicyRecord = {
      key: maskingPolicyKey(name),
      name,
      schema: objectRef(o.schema, `${at}.schema`, ['schema']),
      unmaskedFor: strings(o.unmaskedFor, `${at}.unmaskedFor`),
      columns: arr(o.columns, `${at}.columns`).map((c, j) => {
        const co = obj(c, `${at}.columns[${j}]`);
        return { table: objectRef(co.table, `${at}.columns[${j}].table`, RELATIONS), column: s(co.column, `${at}.columns[${j}].column`) };
      }),
    };
    if (o.tags !== undefined) rec.tags = arr(o.tags, `${at}.tags`).map((t, j) => objectRef(t, `${at}.tags[${j}]`, ['tag']));
    if (o.mask !== undefined) {
      if (!MASK_FUNCTIONS.includes(o.mask as MaskFunction)) fail(`${at}.mask`, `must be one of ${MASK_FUNCTIONS.join(', ')}`);
      rec.mask = o.mask as MaskFunction;
    } else rec.expression = s(o.expression, `${at}.expression`);
    if (o.zip3Restricted !== undefined) rec.zip3Restricted = strings(o.zip3Restricted, `${at}.zip3Restricted`);
    const body = optS(o.body, `${at}.body`);
    if (body !== undefined) rec.body = body;
    if (o.tampered !== undefined) rec.tampered = strings(o.tampered, `${at}.tampered`);
    return rec;
  });
  const rowAccessPolicies = d.rowAccessPolicies === undefined ? undefined : arr(d.rowAccessPolicies, 'rowAccessPolicies').map((r, i): RowAccessPolicyRecord => {
    const at = `rowAccessPolicies[${i}]`;
    const o = obj(r, at);
    const name = s(o.name, `${at}.name`);
    const rec: RowAccessPolicyRecord = {
      key: rowAccessPolicyKey(name),
      name,
      schema: objectRef(o.schema, `${at}.schema`, ['schema']),
      table: objectRef(o.table, `${at}.table`, RELATIONS),
      rules: arr(o.rules, `${at}.rules`).map((x, j) => {
        const ro = obj(x, `${at}.rules[${j}]`);
        return { roles: strings(ro.roles, `${at}.rules[${j}].roles`), where: s(ro.where, `${at}.rules[${j}].where`) };
      }),
    };
    const body = optS(o.body, `${at}.body`);
    if (body !== undefined) rec.body = body;
    if (o.tampered !== undefined) rec.tampered = strings(o.tampered, `${at}.tampered`);
    if (bool(o.enabledRls, `${at}.enabledRls`)) (rec as RowAccessPolicyRecord & { enabledRls?: boolean }).enabledRls = true;
    return rec;
  });
  const live: Live = { platform: d.platform as Platform, roles, memberships, grants, futureGrants, schemas, tables };
  if (maskingPolicies) live.maskingPolicies = maskingPolicies;
  if (d.columnTags !== undefined) {
    live.columnTags = arr(d.columnTags, 'columnTags').map((x, i): ColumnTagRecord => {
      const at = `columnTags[${i}]`;
      const o = obj(x, at);
      const co = obj(o.column, `${at}.column`);
      const column = { table: objectRef(co.table, `${at}.column.table`, RELATIONS), column: s(co.column, `${at}.column.column`) };
      const tag = objectRef(o.tag, `${at}.tag`, ['tag']);
      if (typeof o.value !== 'string') fail(`${at}.value`, 'must be a string');
      return { key: columnTagKey(tag, column), column, tag, value: o.value as string };
    });
  }
  if (rowAccessPolicies) live.rowAccessPolicies = rowAccessPolicies;
  if (d.databases !== undefined) {
    const m = obj(d.databases, 'databases');
    live.databases = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, s(v, `databases.${k}`)]));
  }
  const currentUser = optS(d.currentUser, 'currentUser');
  if (currentUser !== undefined) live.currentUser = currentUser;
  if (d.objects !== undefined) live.objects = arr(d.objects, 'objects').map((x, i) => objectRef(x, `objects[${i}]`));
  if (d.toolObjects !== undefined) live.toolObjects = strings(d.toolObjects, 'toolObjects');
  if (d.extensionObjects !== undefined) live.extensionObjects = strings(d.extensionObjects, 'extensionObjects');
  if (d.systemGrants !== undefined) live.systemGrants = strings(d.systemGrants, 'systemGrants');
  if (d.dependentGrants !== undefined) live.dependentGrants = arr(d.dependentGrants, 'dependentGrants').map((g, i) => grant(g, `dependentGrants[${i}]`));
  if (d.saltReaders !== undefined) live.saltReaders = arr(d.saltReaders, 'saltReaders').map((g, i) => grant(g, `saltReaders[${i}]`));
  if (d.newObjectGrantees !== undefined) {
    const m = obj(d.newObjectGrantees, 'newObjectGrantees');
    live.newObjectGrantees = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, strings(v, `newObjectGrantees.${k}`)]));
  }
  if (d.scim !== undefined) live.scim = readScimSnapshot(d.scim);
  return live;
}
