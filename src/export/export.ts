/**
 * Brownfield adoption: read what a target holds today and write it as configuration
 * (`rbac.yaml`, `roles/roles.yaml`, `grants/<schema>.yaml`) such that planning the
 * exported configuration against the same target is empty.
 *
 * Which roles: every role that cannot log in, is not a system role (`pg_*`), is not a
 * superuser and is not the connecting principal; `match` narrows that to a glob.
 * The Postgres adapter's reader only reads a given list of roles and schemas, so the
 * two listing queries live here, sent through the same `query` seam (the adapter's
 * session); they take parameters, never spliced names.
 *
 * Pure part: `buildExport(live, opts)` turns a Live state into files and warnings.
 */
import { KIND_SHAPES, RELATION_KINDS, isAccountLevel, kindOfPlural } from '../model/kinds.js';
import { catalogFor } from '../dialects/catalogs.js';
import type { Dialect, QueryFn } from '../dialects/types.js';
import { grantKey, makeGrant, objectKey, databaseRoleParts } from '../model/keys.js';
import type { FutureObjectType, Live, ObjectRef, Privilege, SecurableKind } from '../model/types.js';
import { PUBLIC_ROLE } from '../model/types.js';
import { comparePrivileges, matchesOf, privilegeDef } from '../model/catalog.js';

/** Roles to export: non-login, not `pg_*`, not superuser, not the current user; optional LIKE pattern. */
export const LIST_ROLES_SQL = `
SELECT r.rolname::text AS name
FROM pg_roles r
WHERE NOT r.rolcanlogin AND NOT r.rolsuper AND r.rolname !~ '^pg_' AND r.rolname <> current_user
  AND ($1::text IS NULL OR r.rolname LIKE $1::text)
ORDER BY 1`;

/** User schemas of the connected database (not pg_*, not information_schema). */
export const LIST_SCHEMAS_SQL = `
SELECT n.nspname::text AS name, current_database()::text AS database
FROM pg_namespace n
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
ORDER BY 1`;

/** A glob (`*`, `?`) as a LIKE pattern, with LIKE's own wildcards escaped. */
export function globToLike(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%').replace(/\?/g, '_');
}

/** What the listing queries found. */
export interface ExportListing {
  roles: string[];
  schemas: string[];
  physicalDatabase: string;
}

export async function listForExport(query: QueryFn, match?: string): Promise<ExportListing> {
  const roles = await query(LIST_ROLES_SQL, [match === undefined ? null : globToLike(match)]);
  const schemas = await query(LIST_SCHEMAS_SQL);
  const db = await query('SELECT current_database()::text AS name');
  return { roles: roles.map((r) => String(r.name)), schemas: schemas.map((r) => String(r.name)), physicalDatabase: String(db[0]?.name) };
}

/** Options of buildExport. */
export interface BuildExportOptions {
  dialect: Dialect;
  /** The roles that were exported (the reader's managed roles). */
  roles: string[];
  /** Whether PUBLIC's grants were read (the configuration's manage_public). */
  includePublic: boolean;
  /** Creators whose default privileges the planner will expect (`objects: tables`). */
  futureGrantCreators: readonly string[];
  /** The rbac.yaml to write (copied from the current configuration, or generated). */
  rbacYaml: string;
}

/** Files to write, by relative path, and what could not be expressed. */
export interface ExportResult {
  files: Record<string, string>;
  warnings: string[];
  counts: { roles: number; users: number; memberships: number; grants: number };
}

const PLAIN = /^[A-Za-z_][A-Za-z0-9_.$-]*$/;
const YAML_WORDS = /^(?:true|false|null|yes|no|on|off|y|n|~)$/i;

/** A YAML scalar: plain when safe, else a double-quoted (JSON) string. */
export function yamlStr(s: string): string {
  return PLAIN.test(s) && !YAML_WORDS.test(s) ? s : JSON.stringify(s);
}

/** A name part in config syntax: bare when the dialect folds it to itself, else quoted. */
export function configPart(name: string, dialect: Dialect): string {
  const bare = /^[\p{L}_][\p{L}\p{N}_$]*$/u.test(name) && dialect.normalize({ text: name, quoted: false }) === name;
  return bare ? name : `"${name.replace(/"/g, '""')}"`;
}

/** An object's path as the configuration writes it, by its kind's shape; a routine with its signature. */
function objectPathConfig(o: ObjectRef, dialect: Dialect): string {
  const shape = KIND_SHAPES[o.kind];
  // A warehouse or integration is named alone (the account is `account: true`: onValue).
  if (shape === 'account') return '';
  if (shape === 'global') return configPart(o.name!, dialect);
  const parts = [o.database];
  if (shape === 'schema' || shape === 'in-schema') parts.push(o.schema!);
  if (shape === 'in-schema' || shape === 'in-database') parts.push(o.name!);
  const path = parts.map((p) => configPart(p, dialect)).join('.');
  return o.signature === undefined ? path : `${path}${o.signature}`;
}

/** The value of an `on:` key: the object's path, or `true` for the account. */
function onValue(o: ObjectRef, dialect: Dialect): string {
  return KIND_SHAPES[o.kind] === 'account' ? 'true' : yamlStr(objectPathConfig(o, dialect));
}

const sortPrivs = (ps: Iterable<Privilege>) => [...new Set(ps)].sort(comparePrivileges);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface GrantEntry {
  role: string;
  privileges: Privilege[];
  on: string;
  sortKey: string;
  file: string;
  grantOption?: boolean;
}

export function buildExport(live: Live, opts: BuildExportOptions): ExportResult {
  const d = opts.dialect;
  const exported = new Set(opts.roles);
  const warnings: string[] = [];
  const q = (name: string) => yamlStr(configPart(name, d));
  const roleRef = (r: string) => configRole(r, live, d);
  const roleName = (r: string) => (r === PUBLIC_ROLE ? 'public' : roleRef(r));

  // --- roles and memberships -----------------------------------------------------
  const inherits = new Map<string, string[]>();
  const members = new Map<string, string[]>();
  const users = new Set<string>();
  let membershipCount = 0;
  for (const m of live.memberships) {
    if (!exported.has(m.role)) {
      if (exported.has(m.member)) warnings.push(`role ${m.member} is a member of ${m.role}, which is not exported (system or login role): not expressible, the plan will revoke it`);
      continue;
    }
    if (m.memberKind === 'user') {
      users.add(m.member);
      (members.get(m.role) ?? members.set(m.role, []).get(m.role)!).push(m.member);
    } else if (exported.has(m.member)) {
      (inherits.get(m.member) ?? inherits.set(m.member, []).get(m.member)!).push(m.role);
    } else {
      warnings.push(`role ${m.member} holds ${m.role} but is not exported: not expressible, the plan will revoke it`);
      continue;
    }
    membershipCount++;
  }
  const liveRoles = new Map(live.roles.map((r) => [r.name, r]));
  const rolesYaml: string[] = ['# Exported by `rbac export`: the live state, as configuration. Review before you commit.'];
  if (users.size) {
    rolesYaml.push('users:');
    for (const u of [...users].sort(cmp)) rolesYaml.push(`  - name: ${q(u)}`);
    rolesYaml.push('');
  }
  rolesYaml.push('roles:');
  const sortedRoles = [...exported].sort(cmp);
  if (sortedRoles.length === 0) rolesYaml[rolesYaml.length - 1] = 'roles: []';
  for (const r of sortedRoles) {
    const lr = liveRoles.get(r);
    const db = databaseRoleOf(live, r);
    if (db) rolesYaml.push(`  - name: ${q(db.role)}`, `    database: ${q(db.database)}`);
    else rolesYaml.push(`  - name: ${q(r)}`);
    if (lr?.description !== undefined) rolesYaml.push(`    description: ${JSON.stringify(lr.description)}`);
    if (lr?.owner !== undefined) rolesYaml.push(`    owner: ${JSON.stringify(lr.owner)}`);
    const inh = inherits.get(r);
    if (inh?.length) rolesYaml.push(`    inherits: [${inh.sort(cmp).map(roleRef).join(', ')}]`);
    const mem = members.get(r);
    if (mem?.length) rolesYaml.push(`    members: [${mem.sort(cmp).map(q).join(', ')}]`);
    rolesYaml.push('');
  }

  // --- policies ----------------------------------------------------------------------
  // On PostgreSQL a masked table is read through the tool's `<table>_masked` view, and
  // the planner rewrites grants of masked columns onto it. Export writes the grants as
  // the configuration said them: a grant on the view is a grant on its table (the
  // planner maps it back), and the view itself is not configuration.
  const maskedViews = new Map<string, ObjectRef>();
  if (live.platform === 'postgres') {
    for (const m of live.maskingPolicies ?? []) {
      for (const c of m.columns) {
        const view: ObjectRef = { kind: 'view', database: c.table.database, schema: c.table.schema, name: `${c.table.name}_masked` };
        maskedViews.set(objectKey(view), c.table);
      }
    }
  }
  const liveGrants = maskedViews.size
    ? live.grants.map((g) => {
        const base = RELATION_KINDS.has(g.object.kind) ? maskedViews.get(objectKey(g.object)) : undefined;
        return base ? makeGrant({ role: g.role, privilege: g.privilege, object: base, column: g.column }) : g;
      })
    : live.grants;

  // --- grants ------------------------------------------------------------------------
  // `objects:` where a future grant (default privilege) exists for exactly the planner's
  // creators; the live objects of the container it reaches are then covered by it (the
  // planner expands it onto them), and those that lack the privilege are named.
  const catalog = catalogFor(live.platform);
  const creators = new Set(opts.futureGrantCreators);
  const skip = new Set([...maskedViews.keys(), ...(live.extensionObjects ?? []), ...(live.toolObjects ?? [])]);
  const objects = (live.objects ?? [...live.schemas, ...live.tables.map((t) => t.object)]).filter((o) => !skip.has(objectKey(o)));
  const inContainer = (container: ObjectRef, kinds: ReadonlySet<SecurableKind>) =>
    objects.filter((o) => kinds.has(o.kind) && o.database === container.database && (container.kind === 'database' || (KIND_SHAPES[o.kind] === 'in-schema' && o.schema === container.schema)));
  const grantKeys = new Set(liveGrants.map((g) => g.key));
  const covered = new Set<string>();
  const entries: GrantEntry[] = [];
  const futureBy = new Map<string, { role: string; schema: ObjectRef; type: FutureObjectType; privilege: Privilege; grantOption: boolean; creators: Set<string> }>();
  for (const f of live.futureGrants) {
    if (f.role !== PUBLIC_ROLE && !exported.has(f.role)) continue;
    if (f.role === PUBLIC_ROLE && !opts.includePublic) continue;
    const k = `${f.role}\u0000${objectKey(f.schema)}\u0000${f.objectType}\u0000${f.privilege}\u0000${f.grantOption ? 1 : 0}`;
    let e = futureBy.get(k);
    if (!e) futureBy.set(k, (e = { role: f.role, schema: f.schema, type: f.objectType, privilege: f.privilege, grantOption: f.grantOption === true, creators: new Set() }));
    if (f.forRole !== undefined) e.creators.add(f.forRole);
  }
  const wide = new Map<string, { role: string; schema: ObjectRef; type: FutureObjectType; grantOption: boolean; privs: Privilege[] }>();
  for (const e of futureBy.values()) {
    const p = e.privilege;
    const where = e.schema.kind === 'database' ? `database ${e.schema.database}` : `schema ${e.schema.schema}`;
    const expected = [...creators];
    const allCreators = expected.length > 0 && expected.every((c) => e.creators.has(c)) && [...e.creators].every((c) => creators.has(c));
    if (!allCreators) {
      warnings.push(
        `future ${p.toUpperCase()} on ${e.type} in ${where} for ${e.role} is set for creator(s) ${[...e.creators].join(', ') || '(none)'}, ` +
          `not exactly the planned creator(s) ${expected.join(', ') || '(none)'}: not expressible, the plan will change it`,
      );
      continue;
    }
    const kind = kindOfPlural(e.type)!;
    const reached = inContainer(e.schema, new Set(matchesOf(catalog, kind))).filter((o) => privilegeDef(catalog, o.kind, p));
    const missing = reached.filter((o) => !grantKeys.has(grantKey(e.role, p, o)));
    if (missing.length) {
      warnings.push(`future ${p.toUpperCase()} on ${e.type} in ${where} for ${e.role}, but ${missing.length} existing object(s) lack it: exported as objects: ${e.type}, the plan will grant on them`);
    }
    for (const o of reached) covered.add(grantKey(e.role, p, o));
    const wk = `${e.role}\u0000${objectKey(e.schema)}\u0000${e.type}\u0000${e.grantOption ? 1 : 0}`;
    const w = wide.get(wk) ?? wide.set(wk, { role: e.role, schema: e.schema, type: e.type, grantOption: e.grantOption, privs: [] }).get(wk)!;
    w.privs.push(p);
  }
  for (const w of wide.values()) {
    entries.push({
      role: w.role,
      privileges: sortPrivs(w.privs),
      on: `{ ${w.schema.kind}: ${yamlStr(objectPathConfig(w.schema, d))}, objects: ${w.type} }`,
      sortKey: `${w.schema.schema ?? ''}\u0000${w.role}\u00000${w.type}`,
      file: fileFor(w.schema),
      grantOption: w.grantOption,
    });
  }

  // Object-level grants grouped by (role, object, grant option); column grants by (role,
  // table, privilege), then privileges with the same column list are merged into one entry.
  const tableLevel = new Map<string, { role: string; object: ObjectRef; privs: Privilege[]; grantOption: boolean }>();
  const columnLevel = new Map<string, { role: string; object: ObjectRef; priv: Privilege; cols: string[]; grantOption: boolean }>();
  const seenGrant = new Set<string>();
  for (const g of liveGrants) {
    if (covered.has(g.key) || seenGrant.has(g.key)) continue;
    seenGrant.add(g.key);
    if (g.role !== PUBLIC_ROLE && !exported.has(g.role)) continue;
    if (g.role === PUBLIC_ROLE && !opts.includePublic) continue;
    const go = g.grantOption === true;
    if (g.column === undefined) {
      const k = `${g.role}\u0000${objectKey(g.object)}\u0000${go ? 1 : 0}`;
      (tableLevel.get(k) ?? tableLevel.set(k, { role: g.role, object: g.object, privs: [], grantOption: go }).get(k)!).privs.push(g.privilege);
    } else {
      const k = `${g.role}\u0000${objectKey(g.object)}\u0000${g.privilege}\u0000${go ? 1 : 0}`;
      (columnLevel.get(k) ?? columnLevel.set(k, { role: g.role, object: g.object, priv: g.privilege, cols: [], grantOption: go }).get(k)!).cols.push(g.column);
    }
  }
  const kindWord = (o: ObjectRef) => o.kind;
  for (const t of tableLevel.values()) {
    entries.push({
      role: t.role,
      privileges: sortPrivs(t.privs),
      on: `{ ${kindWord(t.object)}: ${onValue(t.object, d)} }`,
      sortKey: sortKeyOf(t.object, t.role, '1'),
      file: fileFor(t.object),
      grantOption: t.grantOption,
    });
  }
  const merged = new Map<string, { role: string; object: ObjectRef; privs: Privilege[]; cols: string[]; grantOption: boolean }>();
  for (const c of columnLevel.values()) {
    const cols = [...c.cols].sort(cmp);
    const k = `${c.role}\u0000${objectKey(c.object)}\u0000${cols.join('\u0000')}\u0000${c.grantOption ? 1 : 0}`;
    (merged.get(k) ?? merged.set(k, { role: c.role, object: c.object, privs: [], cols, grantOption: c.grantOption }).get(k)!).privs.push(c.priv);
  }
  for (const c of merged.values()) {
    entries.push({
      role: c.role,
      privileges: sortPrivs(c.privs),
      on: `{ ${kindWord(c.object)}: ${yamlStr(objectPathConfig(c.object, d))}, columns: [${c.cols.map(q).join(', ')}] }`,
      sortKey: sortKeyOf(c.object, c.role, `2${c.cols.join(',')}`),
      file: fileFor(c.object),
      grantOption: c.grantOption,
    });
  }

  const files: Record<string, string> = { 'rbac.yaml': opts.rbacYaml, 'roles/roles.yaml': rolesYaml.join('\n').trimEnd() + '\n' };
  const byFile = new Map<string, GrantEntry[]>();
  for (const e of entries) (byFile.get(e.file) ?? byFile.set(e.file, []).get(e.file)!).push(e);
  for (const [file, list] of [...byFile.entries()].sort(([a], [b]) => cmp(a, b))) {
    list.sort((a, b) => cmp(a.sortKey, b.sortKey));
    const lines = ['# Exported by `rbac export`. Add `reason:` to each grant as you review it.', 'grants:'];
    for (const e of list) {
      lines.push(`  - role: ${roleName(e.role)}`);
      lines.push(`    privileges: [${e.privileges.join(', ')}]`);
      lines.push(`    on: ${e.on}`);
      if (e.grantOption) lines.push('    grant_option: true');
    }
    files[file] = lines.join('\n') + '\n';
  }
  const policyLines = policiesYaml(live, d);
  if (policyLines.length) files['grants/policies.yaml'] = policyLines.join('\n') + '\n';
  return {
    files,
    warnings,
    counts: { roles: exported.size, users: users.size, memberships: membershipCount, grants: live.grants.filter((g) => g.role === PUBLIC_ROLE || exported.has(g.role)).length },
  };
}

/** A Snowflake database role's parts (`D.R` in the model), or undefined. */
function databaseRoleOf(live: Live, r: string): { database: string; role: string } | undefined {
  return catalogFor(live.platform).databaseRoles === true ? databaseRoleParts(r) : undefined;
}

/** A role where the configuration names it: `analyst`, a database role as `ehr.phi_reader`. */
function configRole(r: string, live: Live, d: Dialect): string {
  const db = databaseRoleOf(live, r);
  return yamlStr(db ? `${configPart(db.database, d)}.${configPart(db.role, d)}` : configPart(r, d));
}

/** Masking and row access policies the tool made, in the `grants/*.yaml` syntax. */
function policiesYaml(live: Live, d: Dialect): string[] {
  const roleName = (r: string) => (r === PUBLIC_ROLE ? 'public' : configRole(r, live, d));
  const masking = [...(live.maskingPolicies ?? [])].sort((a, b) => cmp(a.name, b.name));
  const rows = [...(live.rowAccessPolicies ?? [])].sort((a, b) => cmp(a.name, b.name));
  if (!masking.length && !rows.length) return [];
  const q = (name: string) => yamlStr(configPart(name, d));
  const column = (c: { table: ObjectRef; column: string }) => yamlStr(`${objectPathConfig(c.table, d)}.${configPart(c.column, d)}`);
  const lines = ['# Exported by `rbac export`: masking and row access policies rbac made.'];
  if (masking.length) {
    lines.push('masking_policies:');
    for (const m of masking) {
      lines.push(`  - name: ${q(m.name)}`);
      lines.push(`    columns: [${m.columns.map(column).join(', ')}]`);
      if (m.mask !== undefined) lines.push(`    mask: ${m.mask}`);
      else lines.push(`    expression: { ${live.platform}: ${JSON.stringify(m.expression ?? '')} }`);
      lines.push(`    unmasked_for: [${m.unmaskedFor.map(roleName).join(', ')}]`);
    }
  }
  if (rows.length) {
    lines.push('row_access_policies:');
    for (const r of rows) {
      lines.push(`  - name: ${q(r.name)}`);
      lines.push(`    table: ${yamlStr(objectPathConfig(r.table, d))}`);
      lines.push('    allow:');
      for (const rule of r.rules) {
        lines.push(`      - roles: [${rule.roles.map(roleName).join(', ')}]`);
        lines.push(`        where: ${JSON.stringify(rule.where)}`);
      }
    }
  }
  return lines;
}

function fileFor(o: ObjectRef): string {
  if (isAccountLevel(o.kind)) return 'grants/account.yaml';
  if (o.schema === undefined) return 'grants/database.yaml';
  const safe = (o.schema ?? 'schema').replace(/[^A-Za-z0-9_-]/g, '_') || 'schema';
  return `grants/${safe}.yaml`;
}

function sortKeyOf(o: ObjectRef, role: string, tail: string): string {
  return `${o.schema ?? ''}\u0000${o.name ?? ''}\u0000${role}\u0000${tail}`;
}
