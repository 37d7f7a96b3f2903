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
import type { Dialect, QueryFn } from '../dialects/types.js';
import { grantKey, makeGrant, objectKey, schemaOf } from '../model/keys.js';
import type { Live, ObjectRef, Privilege } from '../model/types.js';
import { PUBLIC_ROLE } from '../model/types.js';
import { ALL_PRIVILEGES } from '../model/privileges.js';

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

function objectPathConfig(o: ObjectRef, dialect: Dialect): string {
  const parts = [o.database];
  if (o.kind !== 'database') parts.push(o.schema!);
  if (o.kind === 'table') parts.push(o.name!);
  return parts.map((p) => configPart(p, dialect)).join('.');
}

const PRIV_ORDER = new Map<Privilege, number>(ALL_PRIVILEGES.map((p, i) => [p, i]));
const sortPrivs = (ps: Iterable<Privilege>) => [...new Set(ps)].sort((a, b) => PRIV_ORDER.get(a)! - PRIV_ORDER.get(b)!);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface GrantEntry {
  role: string;
  privileges: Privilege[];
  on: string;
  sortKey: string;
  file: string;
}

export function buildExport(live: Live, opts: BuildExportOptions): ExportResult {
  const d = opts.dialect;
  const exported = new Set(opts.roles);
  const warnings: string[] = [];
  const q = (name: string) => yamlStr(configPart(name, d));
  const roleName = (r: string) => (r === PUBLIC_ROLE ? 'public' : q(r));

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
    rolesYaml.push(`  - name: ${q(r)}`);
    if (lr?.description !== undefined) rolesYaml.push(`    description: ${JSON.stringify(lr.description)}`);
    if (lr?.owner !== undefined) rolesYaml.push(`    owner: ${JSON.stringify(lr.owner)}`);
    const inh = inherits.get(r);
    if (inh?.length) rolesYaml.push(`    inherits: [${inh.sort(cmp).map(q).join(', ')}]`);
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
        const view: ObjectRef = { kind: 'table', database: c.table.database, schema: c.table.schema, name: `${c.table.name}_masked` };
        maskedViews.set(objectKey(view), c.table);
      }
    }
  }
  const liveGrants = maskedViews.size
    ? live.grants.map((g) => {
        const base = g.object.kind === 'table' ? maskedViews.get(objectKey(g.object)) : undefined;
        return base ? makeGrant({ role: g.role, privilege: g.privilege, object: base, column: g.column }) : g;
      })
    : live.grants;

  // --- grants ------------------------------------------------------------------------
  // Schema-wide (`objects: tables`) where a future grant for the planner's creator
  // exists and every live table of the schema already holds the privilege.
  const creators = new Set(opts.futureGrantCreators);
  const tablesBySchema = new Map<string, ObjectRef[]>();
  for (const t of live.tables) {
    if (maskedViews.has(objectKey(t.object))) continue; // the tool's views are not configuration
    const k = objectKey(schemaOf(t.object));
    (tablesBySchema.get(k) ?? tablesBySchema.set(k, []).get(k)!).push(t.object);
  }
  const grantKeys = new Set(liveGrants.map((g) => g.key));
  const covered = new Set<string>();
  const entries: GrantEntry[] = [];
  const futureBy = new Map<string, { role: string; schema: ObjectRef; privs: Set<Privilege>; creators: Set<string> }>();
  for (const f of live.futureGrants) {
    const k = `${f.role}\u0000${objectKey(f.schema)}\u0000${f.privilege}`;
    let e = futureBy.get(k);
    if (!e) futureBy.set(k, (e = { role: f.role, schema: f.schema, privs: new Set([f.privilege]), creators: new Set() }));
    if (f.forRole !== undefined) e.creators.add(f.forRole);
  }
  const schemaWide = new Map<string, { role: string; schema: ObjectRef; privs: Privilege[] }>();
  for (const e of futureBy.values()) {
    const [p] = [...e.privs];
    const expected = [...creators];
    const allCreators = expected.length > 0 && expected.every((c) => e.creators.has(c)) && [...e.creators].every((c) => creators.has(c));
    if (!allCreators) {
      warnings.push(
        `future ${p.toUpperCase()} on tables in schema ${e.schema.schema} for ${e.role} is set for creator(s) ${[...e.creators].join(', ') || '(none)'}, ` +
          `not exactly the planned creator(s) ${expected.join(', ') || '(none)'}: not expressible, the plan will change it`,
      );
      continue;
    }
    const tables = tablesBySchema.get(objectKey(e.schema)) ?? [];
    const missing = tables.filter((t) => !grantKeys.has(grantKey(e.role, p, t)));
    if (missing.length) {
      warnings.push(`future ${p.toUpperCase()} on tables in schema ${e.schema.schema} for ${e.role}, but ${missing.length} existing table(s) lack it: exported as objects: tables, the plan will grant on them`);
    }
    for (const t of tables) covered.add(grantKey(e.role, p, t));
    const sk = `${e.role}\u0000${objectKey(e.schema)}`;
    const w = schemaWide.get(sk) ?? schemaWide.set(sk, { role: e.role, schema: e.schema, privs: [] }).get(sk)!;
    w.privs.push(p);
  }
  for (const w of schemaWide.values()) {
    entries.push({
      role: w.role,
      privileges: sortPrivs(w.privs),
      on: `{ schema: ${yamlStr(objectPathConfig(w.schema, d))}, objects: tables }`,
      sortKey: `${w.schema.schema}\u0000${w.role}\u00000`,
      file: fileFor(w.schema),
    });
  }

  // Table-level grants grouped by (role, object); column grants by (role, table, privilege),
  // then privileges with the same column list are merged into one entry.
  const tableLevel = new Map<string, { role: string; object: ObjectRef; privs: Privilege[] }>();
  const columnLevel = new Map<string, { role: string; object: ObjectRef; priv: Privilege; cols: string[] }>();
  const seenGrant = new Set<string>();
  for (const g of liveGrants) {
    if (covered.has(g.key) || seenGrant.has(g.key)) continue;
    seenGrant.add(g.key);
    if (g.role !== PUBLIC_ROLE && !exported.has(g.role)) continue;
    if (g.role === PUBLIC_ROLE && !opts.includePublic) continue;
    if (g.column === undefined) {
      const k = `${g.role}\u0000${objectKey(g.object)}`;
      (tableLevel.get(k) ?? tableLevel.set(k, { role: g.role, object: g.object, privs: [] }).get(k)!).privs.push(g.privilege);
    } else {
      const k = `${g.role}\u0000${objectKey(g.object)}\u0000${g.privilege}`;
      (columnLevel.get(k) ?? columnLevel.set(k, { role: g.role, object: g.object, priv: g.privilege, cols: [] }).get(k)!).cols.push(g.column);
    }
  }
  const kindWord = (o: ObjectRef) => (o.kind === 'table' ? (o.isView ? 'view' : 'table') : o.kind);
  for (const t of tableLevel.values()) {
    entries.push({
      role: t.role,
      privileges: sortPrivs(t.privs),
      on: `{ ${kindWord(t.object)}: ${yamlStr(objectPathConfig(t.object, d))} }`,
      sortKey: sortKeyOf(t.object, t.role, '1'),
      file: fileFor(t.object),
    });
  }
  const merged = new Map<string, { role: string; object: ObjectRef; privs: Privilege[]; cols: string[] }>();
  for (const c of columnLevel.values()) {
    const cols = [...c.cols].sort(cmp);
    const k = `${c.role}\u0000${objectKey(c.object)}\u0000${cols.join('\u0000')}`;
    (merged.get(k) ?? merged.set(k, { role: c.role, object: c.object, privs: [], cols }).get(k)!).privs.push(c.priv);
  }
  for (const c of merged.values()) {
    entries.push({
      role: c.role,
      privileges: sortPrivs(c.privs),
      on: `{ ${kindWord(c.object)}: ${yamlStr(objectPathConfig(c.object, d))}, columns: [${c.cols.map(q).join(', ')}] }`,
      sortKey: sortKeyOf(c.object, c.role, `2${c.cols.join(',')}`),
      file: fileFor(c.object),
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

/** Masking and row access policies the tool made, in the `grants/*.yaml` syntax. */
function policiesYaml(live: Live, d: Dialect): string[] {
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
      lines.push(`    unmasked_for: [${m.unmaskedFor.map((r) => (r === PUBLIC_ROLE ? 'public' : q(r))).join(', ')}]`);
    }
  }
  if (rows.length) {
    lines.push('row_access_policies:');
    for (const r of rows) {
      lines.push(`  - name: ${q(r.name)}`);
      lines.push(`    table: ${yamlStr(objectPathConfig(r.table, d))}`);
      lines.push('    allow:');
      for (const rule of r.rules) {
        lines.push(`      - roles: [${rule.roles.map((x) => (x === PUBLIC_ROLE ? 'public' : q(x))).join(', ')}]`);
        lines.push(`        where: ${JSON.stringify(rule.where)}`);
      }
    }
  }
  return lines;
}

function fileFor(o: ObjectRef): string {
  if (o.kind === 'database') return 'grants/database.yaml';
  const safe = (o.schema ?? 'schema').replace(/[^A-Za-z0-9_-]/g, '_') || 'schema';
  return `grants/${safe}.yaml`;
}

function sortKeyOf(o: ObjectRef, role: string, tail: string): string {
  return `${o.schema ?? ''}\u0000${o.name ?? ''}\u0000${role}\u0000${tail}`;
}
