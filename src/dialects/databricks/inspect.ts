/**
 * Databricks Unity Catalog live reader: a FIXED number of queries (groups, catalog,
 * schema and table privileges, schemata, tables), whatever the number of roles, and
 * PURE parsers into the canonical Live model.
 *
 * Inheritance (decision): Unity Catalog privileges granted on a catalog or schema
 * are inherited by every child. The planner is platform-neutral, so the READER emits
 * EFFECTIVE grants: a schema-level SELECT becomes a future grant on the schema (what
 * "objects: tables" asks for) plus a SELECT on every table of that schema in scope;
 * a catalog-level USE SCHEMA becomes USE SCHEMA on its schemas in scope, etc. Hence a
 * desired table SELECT already covered by a schema-level SELECT is present in Live and
 * never re-granted. Each effective record carries its SOURCES (the direct grants it
 * comes from) in `DatabricksProvenance`, which `compileDatabricksPlan` uses to turn a
 * revoke of an inherited record into a revoke at its source plus direct re-grants of
 * the siblings that must stay, so one apply converges.
 *
 * `ALL PRIVILEGES` is expanded here to the closed set per level (the server stores it
 * as one privilege), with the ALL PRIVILEGES grant itself as the source.
 * Rows whose INHERITED_FROM names an ancestor are skipped: inheritance is recomputed
 * from the direct grants so that sources are exact.
 */
import { futureGrantKey, grantKey, makeFutureGrant, makeGrant, makeObject, objectKey } from '../../model/keys.js';
import type { FutureGrantRecord, GrantRecord, LiveRole, LiveTable, ObjectRef, Privilege } from '../../model/types.js';
import { databricksDialect } from './quote.js';
import { maskingPolicyKey, rowAccessPolicyKey, columnKey } from '../../model/keys.js';
import type { ColumnRef, MaskingPolicyRecord, RowAccessPolicyRecord } from '../../model/types.js';
import { POLICY_MARKER_PREFIX, bodyDigest, bodyTampering, decodePolicyMarker } from '../policy-text.js';
import { DATABRICKS_UNATTACHED_TABLE, databricksMaskingBody } from './policies.js';

export type Row = Record<string, unknown>;

/** A direct grant on the server that effective records derive from. */
export interface DatabricksSource {
  object: ObjectRef;
  /** The privilege word as granted (`SELECT`, `ALL PRIVILEGES`, ...). */
  word: string;
  role: string;
}

/** An effective record: a grant on `object`, or (future) a schema-level table privilege. */
export interface EffectiveRecord {
  role: string;
  privilege: Privilege;
  object: ObjectRef;
  future: boolean;
}

/**
 * Effective record key (grantKey / futureGrantKey) -> the record and the direct
 * grants it comes from. Invariant: every effective grant/future record of the Live
 * the reader built is here with at least one source; a source equal to the record
 * itself (same object, same word) is a direct grant.
 */
export type DatabricksProvenance = Map<string, { record: EffectiveRecord; sources: DatabricksSource[] }>;

const lit = (s: string) => databricksDialect.quoteLiteral(s);
const inList = (xs: readonly string[]) => (xs.length ? xs.map(lit).join(', ') : "''");

export const sql = {
  groups: () => 'SHOW GROUPS',
  catalogPrivileges: (roles: string[]) =>
    `SELECT grantor, grantee, catalog_name, privilege_type, inherited_from FROM system.information_schema.catalog_privileges WHERE lower(grantee) IN (${inList(roles)})`,
  schemaPrivileges: (roles: string[]) =>
    `SELECT grantor, grantee, catalog_name, schema_name, privilege_type, inherited_from FROM system.information_schema.schema_privileges WHERE lower(grantee) IN (${inList(roles)})`,
  tablePrivileges: (roles: string[]) =>
    `SELECT grantor, grantee, table_catalog, table_schema, table_name, privilege_type, inherited_from FROM system.information_schema.table_privileges WHERE lower(grantee) IN (${inList(roles)})`,
  schemata: (schemas: { database: string; schema: string }[]) =>
    `SELECT catalog_name, schema_name FROM system.information_schema.schemata WHERE ${pairs('catalog_name', 'schema_name', schemas)}`,
  columns: (schemas: { database: string; schema: string }[]) =>
    `SELECT table_catalog, table_schema, table_name, column_name, full_data_type FROM system.information_schema.columns WHERE ${pairs('table_catalog', 'table_schema', schemas)} ORDER BY table_catalog, table_schema, table_name, ordinal_position`,
  /** Only functions whose comment starts with the tool's marker: others are never read. */
  policyFunctions: (schemas: { database: string; schema: string }[]) =>
    `SELECT routine_catalog, routine_schema, routine_name, comment, routine_definition FROM system.information_schema.routines WHERE startswith(comment, ${lit(POLICY_MARKER_PREFIX)}) AND (${pairs('routine_catalog', 'routine_schema', schemas)})`,
  columnMasks: (schemas: { database: string; schema: string }[]) =>
    `SELECT catalog_name, schema_name, table_name, column_name, mask_catalog, mask_schema, mask_name FROM system.information_schema.column_masks WHERE ${pairs('mask_catalog', 'mask_schema', schemas)}`,
  rowFilters: (schemas: { database: string; schema: string }[]) =>
    `SELECT table_catalog, table_schema, table_name, filter_catalog, filter_schema, filter_name, target_columns FROM system.information_schema.row_filters WHERE ${pairs('filter_catalog', 'filter_schema', schemas)}`,
  tables: (schemas: { database: string; schema: string }[]) =>
    `SELECT table_catalog, table_schema, table_name, table_type FROM system.information_schema.tables WHERE ${pairs('table_catalog', 'table_schema', schemas)}`,
};

function pairs(a: string, b: string, schemas: { database: string; schema: string }[]): string {
  if (!schemas.length) return 'false';
  return schemas.map((s) => `(${a} = ${lit(s.database)} AND ${b} = ${lit(s.schema)})`).join(' OR ');
}

function str(row: Row, name: string): string | undefined {
  const v = row[name] ?? row[name.toUpperCase()];
  return v === undefined || v === null ? undefined : String(v);
}

const norm = (s: string) => s.toLowerCase();

function isDirect(row: Row): boolean {
  const from = str(row, 'inherited_from');
  return from === undefined || from === '' || from.toUpperCase() === 'NONE';
}

/** What each privilege word at each level gives: to the level itself and to children. */
const EXPAND: Record<'database' | 'schema' | 'table', Record<string, string[]>> = {
  database: {
    'ALL PRIVILEGES': ['USE CATALOG', 'CREATE SCHEMA', 'USE SCHEMA', 'CREATE TABLE', 'SELECT', 'MODIFY'],
  },
  schema: { 'ALL PRIVILEGES': ['USE SCHEMA', 'CREATE TABLE', 'SELECT', 'MODIFY'] },
  table: { 'ALL PRIVILEGES': ['SELECT', 'MODIFY'] },
};
const expandWord = (kind: 'database' | 'schema' | 'table', w: string) => EXPAND[kind][w] ?? [w];

/** Input of the pure effective-grant computation. */
export interface DatabricksRows {
  groups: Row[];
  catalogPrivileges: Row[];
  schemaPrivileges: Row[];
  tablePrivileges: Row[];
  schemata: Row[];
  tables: Row[];
}

/** What the reader saw and left out: privileges outside the closed set (display only). */
export interface IgnoredGrant {
  role: string;
  privilege: string;
  object: string;
}

export interface DatabricksRead {
  roles: LiveRole[];
  grants: GrantRecord[];
  futureGrants: FutureGrantRecord[];
  schemas: ObjectRef[];
  tables: LiveTable[];
  provenance: DatabricksProvenance;
  ignored: IgnoredGrant[];
}

/**
 * A grantee as the model names it, or undefined when it is not managed. Principals are
 * compared as Unity Catalog compares them (see ident.ts): a group by its exact name;
 * a user name or application id case-insensitively, mapped back to the spelling of the
 * configuration (`users`) so that the server's own spelling is no diff.
 */
export function principalMatcher(managedRoles: readonly string[], users: readonly string[]): (name: string | undefined) => string | undefined {
  const managed = new Set(managedRoles);
  const folded = new Map<string, string | null>();
  for (const u of users) {
    const k = u.toLowerCase();
    // Two configured spellings of one name: ambiguous, matched exactly only.
    folded.set(k, folded.has(k) && folded.get(k) !== u ? null : u);
  }
  return (name) => {
    if (name === undefined) return undefined;
    if (managed.has(name)) return name;
    const u = folded.get(name.toLowerCase());
    return u && managed.has(u) ? u : undefined;
  };
}

/**
 * Pure: rows of the fixed queries -> effective Live records with provenance.
 * `managedRoles`: the managed principals exactly as the model names them; `users`:
 * those that are users or service principals (compared case-insensitively).
 */
export function parseDatabricks(rows: DatabricksRows, managedRoles: readonly string[], users: readonly string[] = []): DatabricksRead {
  const principal = principalMatcher(managedRoles, users);
  const roles: LiveRole[] = [];
  for (const r of rows.groups) {
    const name = str(r, 'name') ?? str(r, 'groupName') ?? str(r, 'group_name');
    // Groups by their exact name: `Data Engineers` is not `data engineers`.
    if (name && managedRoles.includes(name)) roles.push({ name, isUser: false });
  }
  const schemas: ObjectRef[] = rows.schemata.map((r) => makeObject('schema', norm(str(r, 'catalog_name') ?? ''), norm(str(r, 'schema_name') ?? '')));
  const tables: LiveTable[] = rows.tables.map((r) => {
    const kind = (str(r, 'table_type') ?? '').toUpperCase().includes('VIEW') ? 'view' : 'table';
    const object = makeObject(kind, norm(str(r, 'table_catalog') ?? ''), norm(str(r, 'table_schema') ?? ''), norm(str(r, 'table_name') ?? ''));
    return { object, columns: [] };
  });
  const schemasByCatalog = new Map<string, ObjectRef[]>();
  for (const s of schemas) schemasByCatalog.set(s.database, [...(schemasByCatalog.get(s.database) ?? []), s]);
  const tablesBySchema = new Map<string, ObjectRef[]>();
  for (const t of tables) {
    const k = objectKey(makeObject('schema', t.object.database, t.object.schema));
    tablesBySchema.set(k, [...(tablesBySchema.get(k) ?? []), t.object]);
  }

  const grants = new Map<string, GrantRecord>();
  const futures = new Map<string, FutureGrantRecord>();
  const provenance: DatabricksProvenance = new Map();
  const ignored: IgnoredGrant[] = [];
  const addSource = (key: string, record: EffectiveRecord, s: DatabricksSource) => {
    const e = provenance.get(key) ?? { record, sources: [] };
    if (!e.sources.some((x) => x.word === s.word && objectKey(x.object) === objectKey(s.object))) e.sources.push(s);
    provenance.set(key, e);
  };
  const addGrant = (role: string, privilege: Privilege, object: ObjectRef, s: DatabricksSource, grantedBy?: string) => {
    const g = makeGrant({ role, privilege, object, ...(grantedBy ? { grantedBy } : {}) });
    if (!grants.has(g.key)) grants.set(g.key, g);
    addSource(g.key, { role, privilege, object, future: false }, s);
  };
  const addFuture = (role: string, privilege: Privilege, schema: ObjectRef, s: DatabricksSource) => {
    const f = makeFutureGrant({ role, privilege, schema, objectType: 'tables' });
    if (!futures.has(f.key)) futures.set(f.key, f);
    addSource(f.key, { role, privilege, object: schema, future: true }, s);
  };
  const tablePriv = (w: string): Privilege | undefined => (w === 'SELECT' ? 'select' : w === 'MODIFY' ? 'modify' : undefined);

  // Effects of word w granted at schema s (directly, or inherited from its catalog).
  const schemaEffects = (role: string, w: string, schema: ObjectRef, src: DatabricksSource, grantedBy?: string): boolean => {
    if (w === 'USE SCHEMA') addGrant(role, 'usage', schema, src, grantedBy);
    else if (w === 'CREATE TABLE') addGrant(role, 'create', schema, src, grantedBy);
    else {
      const p = tablePriv(w);
      if (!p) return false;
      addFuture(role, p, schema, src);
      for (const t of tablesBySchema.get(objectKey(schema)) ?? []) addGrant(role, p, t, src, grantedBy);
    }
    return true;
  };

  for (const r of rows.catalogPrivileges) {
    const role = principal(str(r, 'grantee')) ?? '';
    if (!role || !isDirect(r)) continue;
    const catalog = makeObject('database', norm(str(r, 'catalog_name') ?? ''));
    const word = (str(r, 'privilege_type') ?? '').toUpperCase();
    const src: DatabricksSource = { object: catalog, word, role };
    const grantedBy = str(r, 'grantor') || undefined;
    let known = false;
    for (const w of expandWord('database', word)) {
      if (w === 'USE CATALOG') (known = true), addGrant(role, 'usage', catalog, src, grantedBy);
      else if (w === 'CREATE SCHEMA') (known = true), addGrant(role, 'create', catalog, src, grantedBy);
      else for (const s of schemasByCatalog.get(catalog.database) ?? []) known = schemaEffects(role, w, s, src, grantedBy) || known;
      if (['USE SCHEMA', 'CREATE TABLE', 'SELECT', 'MODIFY'].includes(w)) known = true;
    }
    if (!known) ignored.push({ role, privilege: word, object: objectKey(catalog) });
  }
  for (const r of rows.schemaPrivileges) {
    const role = principal(str(r, 'grantee')) ?? '';
    if (!role || !isDirect(r)) continue;
    const schema = makeObject('schema', norm(str(r, 'catalog_name') ?? ''), norm(str(r, 'schema_name') ?? ''));
    const word = (str(r, 'privilege_type') ?? '').toUpperCase();
    const src: DatabricksSource = { object: schema, word, role };
    let known = false;
    for (const w of expandWord('schema', word)) known = schemaEffects(role, w, schema, src, str(r, 'grantor') || undefined) || known;
    if (!known) ignored.push({ role, privilege: word, object: objectKey(schema) });
  }
  for (const r of rows.tablePrivileges) {
    const role = principal(str(r, 'grantee')) ?? '';
    if (!role || !isDirect(r)) continue;
    const table = makeObject('table', norm(str(r, 'table_catalog') ?? ''), norm(str(r, 'table_schema') ?? ''), norm(str(r, 'table_name') ?? ''));
    const word = (str(r, 'privilege_type') ?? '').toUpperCase();
    const src: DatabricksSource = { object: table, word, role };
    let known = false;
    for (const w of expandWord('table', word)) {
      const p = tablePriv(w);
      if (p) (known = true), addGrant(role, p, table, src, str(r, 'grantor') || undefined);
    }
    if (!known) ignored.push({ role, privilege: word, object: objectKey(table) });
  }
  return { roles, grants: [...grants.values()], futureGrants: [...futures.values()], schemas, tables, provenance, ignored };
}

/** The key of a grant as `compileDatabricksPlan` looks it up. */
export const effectiveGrantKey = grantKey;
export const effectiveFutureKey = futureGrantKey;

/** information_schema.columns rows -> fill `columns` and `columnTypes` (full_data_type) of the tables read. */
export function addDatabricksColumns(tables: LiveTable[], rows: Row[]): void {
  const byKey = new Map(tables.map((t) => [objectKey(t.object), t]));
  for (const row of rows) {
    const c = str(row, 'table_catalog');
    const s = str(row, 'table_schema');
    const n = str(row, 'table_name');
    const column = str(row, 'column_name');
    if (!c || !s || !n || !column) continue;
    const t = byKey.get(objectKey(makeObject('table', norm(c), norm(s), norm(n))));
    if (!t) continue;
    t.columns.push(norm(column));
    (t.columnTypes ??= []).push(str(row, 'full_data_type') ?? '');
  }
}

/**
 * Policy functions (routines whose COMMENT holds the tool's marker; the function name
 * must equal the marker's name), column_masks and row_filters rows -> policy records.
 * Masks and filters naming other functions are never reported.
 */
export function parseDatabricksPolicies(rows: { functions: Row[]; masks: Row[]; filters: Row[] }): {
  maskingPolicies: MaskingPolicyRecord[];
  rowAccessPolicies: RowAccessPolicyRecord[];
} {
  const fnKey = (c: string, s: string, n: string) => JSON.stringify([norm(c), norm(s), norm(n)]);
  const maskCols = new Map<string, ColumnRef[]>();
  for (const r of rows.masks) {
    const [c, s, n] = [str(r, 'mask_catalog'), str(r, 'mask_schema'), str(r, 'mask_name')];
    const [tc, ts, tn, col] = [str(r, 'catalog_name') ?? str(r, 'table_catalog'), str(r, 'schema_name') ?? str(r, 'table_schema'), str(r, 'table_name'), str(r, 'column_name')];
    if (!c || !s || !n || !tc || !ts || !tn || !col) continue;
    const k = fnKey(c, s, n);
    maskCols.set(k, [...(maskCols.get(k) ?? []), { table: makeObject('table', norm(tc), norm(ts), norm(tn)), column: norm(col) }]);
  }
  const filterTable = new Map<string, ObjectRef>();
  for (const r of rows.filters) {
    const [c, s, n] = [str(r, 'filter_catalog'), str(r, 'filter_schema'), str(r, 'filter_name')];
    const [tc, ts, tn] = [str(r, 'table_catalog') ?? str(r, 'catalog_name'), str(r, 'table_schema') ?? str(r, 'schema_name'), str(r, 'table_name')];
    if (c && s && n && tc && ts && tn) filterTable.set(fnKey(c, s, n), makeObject('table', norm(tc), norm(ts), norm(tn)));
  }
  const maskingPolicies: MaskingPolicyRecord[] = [];
  const rowAccessPolicies: RowAccessPolicyRecord[] = [];
  for (const r of rows.functions) {
    const [c, s, n] = [str(r, 'routine_catalog'), str(r, 'routine_schema'), str(r, 'routine_name')];
    const m = decodePolicyMarker(str(r, 'comment'));
    if (!c || !s || !n || !m || norm(m.name) !== norm(n)) continue;
    const schema = makeObject('schema', norm(c), norm(s));
    const k = fnKey(c, s, n);
    if (m.policy === 'masking') {
      const cols = new Map((maskCols.get(k) ?? []).map((x) => [columnKey(x), x]));
      const rec: MaskingPolicyRecord = {
        key: maskingPolicyKey(m.name),
        name: m.name,
        schema,
        unmaskedFor: m.unmaskedFor,
        columns: [...cols].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, x]) => x),
      };
      if (m.mask !== undefined) rec.mask = m.mask;
      if (m.expression !== undefined) rec.expression = m.expression;
      const why = bodyTampering('masking policy', m.name, m.body, str(r, 'routine_definition')) ?? outdatedHash(rec, str(r, 'routine_definition'));
      if (why) rec.tampered = [why];
      maskingPolicies.push(rec);
    } else {
      const table = filterTable.get(k) ?? makeObject('table', norm(m.table.database), norm(m.table.schema), DATABRICKS_UNATTACHED_TABLE);
      const rec: RowAccessPolicyRecord = { key: rowAccessPolicyKey(m.name), name: m.name, schema, table, rules: m.rules };
      const why = bodyTampering('row access policy', m.name, m.body, str(r, 'routine_definition'));
      if (why) rec.tampered = [why];
      rowAccessPolicies.push(rec);
    }
  }
  return { maskingPolicies, rowAccessPolicies };
}

/**
 * A `hash` body rbac wrote before the salt was secret (salted with current_metastore(),
 * which every user can read) is not what rbac writes now: it is rewritten. A hash
 * body depends only on the record (text columns only), so it is recomputed here.
 */
function outdatedHash(rec: MaskingPolicyRecord, body: string | undefined): string | undefined {
  if (body === undefined || rec.mask !== 'hash' || rec.expression !== undefined) return undefined;
  if (bodyDigest(body) === bodyDigest(databricksMaskingBody(rec, 'STRING'))) return undefined;
  return `masking policy ${rec.name} hashes with a salt every user can read (written by rbac before 0.2): its body is rewritten to read the secret salt`;
}
