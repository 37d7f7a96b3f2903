/**
 * Databricks Unity Catalog live reader: a FIXED number of queries (groups; the
 * information_schema privilege view of every securable the catalog knows; the catalogs,
 * schemata, tables, volumes and functions in scope with their owners; the external
 * locations, storage credentials and connections managed groups own), whatever the
 * number of roles and objects, and PURE parsers into the canonical Live model.
 *
 * Inheritance (decision): a privilege granted on a catalog or schema is inherited by
 * every object below it whose kind takes the same keyword. The planner is
 * platform-neutral, so the READER emits EFFECTIVE grants: the grant on the container
 * itself, plus one record per object below it in scope (a catalog-level SELECT becomes
 * SELECT on the catalog and on every schema, table and view of the schemas in scope);
 * the planner makes the desired state effective the same way (plan/inherit.ts). Hence a
 * desired table SELECT already covered by a schema-level SELECT is present in Live and
 * never re-granted. Each effective record carries its SOURCES (the direct grants it
 * comes from) in `DatabricksProvenance`, which `compileDatabricksPlan` uses to turn a
 * revoke of an inherited record into a revoke at its source plus direct re-grants of
 * the siblings that must stay, so one apply converges.
 *
 * `ALL PRIVILEGES` is expanded here to every keyword the catalog lists for the kind but
 * those the server leaves out of it (MANAGE, EXTERNAL USE SCHEMA, EXTERNAL USE LOCATION),
 * with the ALL PRIVILEGES grant itself as the source. Rows whose INHERITED_FROM names an
 * ancestor are skipped: inheritance is recomputed from the direct grants so that sources
 * are exact. Rows of `hive_metastore` are never read as Unity Catalog grants (its legacy
 * table ACLs are another model; the configuration refuses it).
 *
 * Owners (catalog_owner, schema_owner, table_owner, volume_owner, routine_owner,
 * external_location_owner, credential_owner, connection_owner) that are managed
 * groups become `ownership` records: never revoked (PlanHooks.neverRevoke), so read to
 * keep a desired owner from being transferred again on every run. Storage and service
 * credentials are read from CREDENTIAL_PRIVILEGES and CREDENTIALS (Databricks Runtime
 * 15.4 and SQL warehouses), each row's kind by the credential's purpose: the deprecated
 * STORAGE_CREDENTIAL_PRIVILEGES also listed service credentials' grants as storage ones.
 *
 * Delta Sharing: the recipients holding SELECT on a share come from
 * SHARE_RECIPIENT_PRIVILEGES (grantee RECIPIENT_NAME); RECIPIENTS lists the owners of
 * recipients and whether a configured recipient exists.
 *
 * Not read (no information_schema view documents them): who owns a share or a
 * registered model. The
 * planner cannot revoke what it does not see, and `databricksUnreadProblems` says so for
 * a configuration that grants on them. Registered models are functions to Unity Catalog
 * and are read as functions (keys: kinds.ts).
 */
import { futureGrantKey, grantKey, makeGrant, makeObject, objectKey } from '../../model/keys.js';
import { keywordReader } from '../../model/catalog.js';
import { KIND_SHAPES } from '../../model/kinds.js';
import type { FutureGrantRecord, FutureObjectType, GrantRecord, LiveRole, LiveTable, ObjectRef, Privilege, SecurableKind } from '../../model/types.js';
import { DATABRICKS_CATALOG, NOT_IN_ALL_PRIVILEGES } from './catalog.js';
import { databricksDialect } from './quote.js';
import { configuredSpellings } from './ident.js';
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

/** An effective record: a grant on `object`, or (future, recordings before 0.2) a schema-level table privilege. */
export interface EffectiveRecord {
  role: string;
  privilege: Privilege;
  object: ObjectRef;
  future: boolean;
  /** A future record's type (default `tables`). */
  futureType?: FutureObjectType;
}

/**
 * Effective record key (grantKey / futureGrantKey) -> the record and the direct
 * grants it comes from. Invariant: every effective grant record of the Live the reader
 * built is here with at least one source; a source equal to the record itself (same
 * object, same word) is a direct grant.
 */
export type DatabricksProvenance = Map<string, { record: EffectiveRecord; sources: DatabricksSource[] }>;

const lit = (s: string) => databricksDialect.quoteLiteral(s);
const inList = (xs: readonly string[]) => (xs.length ? xs.map(lit).join(', ') : "''");

/** The catalog Unity Catalog keeps legacy Hive tables in: never read as Unity Catalog grants. */
export const HIVE_METASTORE = 'hive_metastore';

/**
 * One information_schema privilege view per securable: the row set's name in
 * DatabricksRows, the view, the kind it holds and the columns naming the object (by the
 * kind's shape). Every view has GRANTOR, GRANTEE, PRIVILEGE_TYPE, IS_GRANTABLE and
 * INHERITED_FROM. METASTORE_PRIVILEGES names no object (one metastore per workspace).
 */
export const PRIVILEGE_VIEWS = [
  { rows: 'catalogPrivileges', view: 'catalog_privileges', kind: 'database', columns: ['catalog_name'] },
  { rows: 'schemaPrivileges', view: 'schema_privileges', kind: 'schema', columns: ['catalog_name', 'schema_name'] },
  { rows: 'tablePrivileges', view: 'table_privileges', kind: 'table', columns: ['table_catalog', 'table_schema', 'table_name'] },
  { rows: 'volumePrivileges', view: 'volume_privileges', kind: 'volume', columns: ['volume_catalog', 'volume_schema', 'volume_name'] },
  { rows: 'routinePrivileges', view: 'routine_privileges', kind: 'function', columns: ['routine_catalog', 'routine_schema', 'routine_name'] },
  { rows: 'externalLocationPrivileges', view: 'external_location_privileges', kind: 'external_location', columns: ['external_location_name'] },
  // Storage and service credentials alike (CREDENTIAL_PRIVILEGES, which replaces the
  // deprecated STORAGE_CREDENTIAL_PRIVILEGES); the kind of each row is its credential's
  // purpose, joined from CREDENTIALS (`purpose`).
  { rows: 'credentialPrivileges', view: 'credential_privileges', kind: 'storage_credential', columns: ['credential_name'], purpose: true },
  { rows: 'connectionPrivileges', view: 'connection_privileges', kind: 'connection', columns: ['connection_name'] },
  { rows: 'metastorePrivileges', view: 'metastore_privileges', kind: 'metastore', columns: [] },
  // Delta Sharing: the recipients that hold SELECT on a share (its grantee is RECIPIENT_NAME).
  { rows: 'shareRecipientPrivileges', view: 'share_recipient_privileges', kind: 'share', columns: ['share_name'], grantee: 'recipient_name' },
] as const satisfies readonly { rows: string; view: string; kind: SecurableKind; columns: readonly string[]; purpose?: true; grantee?: string }[];

type PrivilegeRows = (typeof PRIVILEGE_VIEWS)[number]['rows'];

/** Securables outside catalogs whose owners are read: the listing view and its columns. */
export const OWNED_GLOBALS = [
  { rows: 'externalLocations', view: 'external_locations', kind: 'external_location', name: 'external_location_name', owner: 'external_location_owner' },
  { rows: 'credentials', view: 'credentials', kind: 'storage_credential', name: 'credential_name', owner: 'credential_owner', purpose: true },
  { rows: 'connections', view: 'connections', kind: 'connection', name: 'connection_name', owner: 'connection_owner' },
  // Also the configured recipients themselves (`named`), so that one that exists is known to.
  { rows: 'recipients', view: 'recipients', kind: 'recipient', name: 'recipient_name', owner: 'recipient_owner', named: true },
] as const satisfies readonly { rows: string; view: string; kind: SecurableKind; name: string; owner: string; purpose?: true; named?: true }[];

/** A credential's kind by its CREDENTIALS.CREDENTIAL_PURPOSE ('STORAGE' or 'SERVICE'). */
function credentialKind(r: Row): SecurableKind {
  return keyword(str(r, 'credential_purpose') ?? '') === 'SERVICE' ? 'service_credential' : 'storage_credential';
}

type GlobalRows = (typeof OWNED_GLOBALS)[number]['rows'];

export const sql = {
  groups: () => 'SHOW GROUPS',
  /** The privileges of managed principals on one kind of securable (PRIVILEGE_VIEWS). */
  privileges: (v: (typeof PRIVILEGE_VIEWS)[number], roles: string[]) =>
    'grantee' in v
      ? `SELECT grantor, ${v.grantee}, ${v.columns.join(', ')}, privilege_type FROM system.information_schema.${v.view} WHERE lower(${v.grantee}) IN (${inList(roles)})`
      : 'purpose' in v
      ? `SELECT p.grantor, p.grantee, p.credential_name, p.privilege_type, p.inherited_from, c.credential_purpose FROM system.information_schema.${v.view} p JOIN system.information_schema.credentials c ON c.credential_name = p.credential_name WHERE lower(p.grantee) IN (${inList(roles)})`
      : `SELECT grantor, grantee, ${[...v.columns, ''].join(', ')}privilege_type, inherited_from FROM system.information_schema.${v.view} WHERE lower(grantee) IN (${inList(roles)})`,
  catalogPrivileges: (roles: string[]) => sql.privileges(PRIVILEGE_VIEWS[0], roles),
  schemaPrivileges: (roles: string[]) => sql.privileges(PRIVILEGE_VIEWS[1], roles),
  tablePrivileges: (roles: string[]) => sql.privileges(PRIVILEGE_VIEWS[2], roles),
  catalogs: (databases: readonly string[]) => `SELECT catalog_name, catalog_owner FROM system.information_schema.catalogs WHERE catalog_name IN (${inList(databases)})`,
  schemata: (schemas: { database: string; schema: string }[]) =>
    `SELECT catalog_name, schema_name, schema_owner FROM system.information_schema.schemata WHERE ${pairs('catalog_name', 'schema_name', schemas)}`,
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
    `SELECT table_catalog, table_schema, table_name, table_type, table_owner FROM system.information_schema.tables WHERE ${pairs('table_catalog', 'table_schema', schemas)}`,
  volumes: (schemas: { database: string; schema: string }[]) =>
    `SELECT volume_catalog, volume_schema, volume_name, volume_owner FROM system.information_schema.volumes WHERE ${pairs('volume_catalog', 'volume_schema', schemas)}`,
  /** Every function in scope (the policy functions too), with its owner. */
  functions: (schemas: { database: string; schema: string }[]) =>
    `SELECT routine_catalog, routine_schema, routine_name, routine_owner FROM system.information_schema.routines WHERE ${pairs('routine_catalog', 'routine_schema', schemas)}`,
  /** The external locations, credentials (with their purpose) or connections a managed principal owns. */
  owned: (g: (typeof OWNED_GLOBALS)[number], roles: string[]) =>
    `SELECT ${g.name}, ${g.owner}${'purpose' in g ? ', credential_purpose' : ''} FROM system.information_schema.${g.view} WHERE lower(${g.owner}) IN (${inList(roles)})${'named' in g ? ` OR lower(${g.name}) IN (${inList(roles)})` : ''}`,
};

function pairs(a: string, b: string, schemas: { database: string; schema: string }[]): string {
  if (!schemas.length) return 'false';
  return schemas.map((s) => `(${a} = ${lit(s.database)} AND ${b} = ${lit(s.schema)})`).join(' OR ');
}

/** A column of a row, whatever case the driver reports its name in; NULL is undefined. */
export function str(row: Row, name: string): string | undefined {
  const v = row[name] ?? row[name.toUpperCase()];
  return v === undefined || v === null ? undefined : String(v);
}

const norm = (s: string) => s.toLowerCase();

/** A privilege row granted on the object itself, not inherited from a parent (INHERITED_FROM empty or NONE). */
export function isDirect(row: Row): boolean {
  const from = str(row, 'inherited_from');
  return from === undefined || from === '' || from.toUpperCase() === 'NONE';
}

/** A privilege_type as the catalog writes it: upper case, single spaces (the API spells some with underscores). */
const keyword = (s: string) => s.trim().replace(/[_\s]+/g, ' ').toUpperCase();

const readWord = keywordReader(DATABRICKS_CATALOG);

/** What ALL PRIVILEGES on a kind expands to: every keyword the catalog lists for it but MANAGE and EXTERNAL USE. */
export function allPrivilegesOf(kind: SecurableKind): string[] {
  return (DATABRICKS_CATALOG.kinds[kind]?.privileges ?? []).map((p) => p.sql).filter((w) => !NOT_IN_ALL_PRIVILEGES.has(w));
}

/** Input of the pure effective-grant computation; the rows of the views added in 0.3 may be absent (none). */
export type DatabricksRows = {
  groups: Row[];
  catalogPrivileges: Row[];
  schemaPrivileges: Row[];
  tablePrivileges: Row[];
  schemata: Row[];
  tables: Row[];
  catalogs?: Row[];
  volumes?: Row[];
  functions?: Row[];
} & Partial<Record<Exclude<PrivilegeRows, 'catalogPrivileges' | 'schemaPrivileges' | 'tablePrivileges'> | GlobalRows, Row[]>>;

/** What the reader saw and left out: privileges outside the closed set (display only). */
export interface IgnoredGrant {
  role: string;
  privilege: string;
  object: string;
}

export interface DatabricksRead {
  roles: LiveRole[];
  /** The configured Delta Sharing recipients found in RECIPIENTS (as `isUser` principals). */
  recipients: LiveRole[];
  grants: GrantRecord[];
  futureGrants: FutureGrantRecord[];
  schemas: ObjectRef[];
  tables: LiveTable[];
  /** Every object in scope: schemas, relations (with their live kinds), volumes, functions. */
  objects: ObjectRef[];
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
  const folded = configuredSpellings(users);
  return (name) => {
    if (name === undefined) return undefined;
    if (managed.has(name)) return name;
    const u = folded.get(name.toLowerCase());
    return u && managed.has(u) ? u : undefined;
  };
}

/** The relation kind of an information_schema.tables TABLE_TYPE (MANAGED, EXTERNAL, VIEW, MATERIALIZED_VIEW, STREAMING_TABLE, ...). */
function relationKind(tableType: string | undefined): SecurableKind {
  const t = keyword(tableType ?? '');
  if (t === 'MATERIALIZED VIEW') return 'materialized_view';
  if (t === 'STREAMING TABLE') return 'streaming_table';
  if (t.includes('VIEW')) return 'view';
  return 'table';
}

const inHive = (catalog: string | undefined) => catalog !== undefined && norm(catalog) === HIVE_METASTORE;

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
  const owners: { object: ObjectRef; owner: string | undefined }[] = [];
  const listed = <T>(list: Row[] | undefined, catalogColumn: string | undefined, f: (r: Row) => T): T[] =>
    (list ?? []).filter((r) => !catalogColumn || !inHive(str(r, catalogColumn))).map(f);
  const schemas: ObjectRef[] = listed(rows.schemata, 'catalog_name', (r) => {
    const o = makeObject('schema', norm(str(r, 'catalog_name') ?? ''), norm(str(r, 'schema_name') ?? ''));
    owners.push({ object: o, owner: str(r, 'schema_owner') });
    return o;
  });
  const tables: LiveTable[] = listed(rows.tables, 'table_catalog', (r) => {
    const object = makeObject(relationKind(str(r, 'table_type')), norm(str(r, 'table_catalog') ?? ''), norm(str(r, 'table_schema') ?? ''), norm(str(r, 'table_name') ?? ''));
    owners.push({ object, owner: str(r, 'table_owner') });
    return { object, columns: [] };
  });
  const volumes = listed(rows.volumes, 'volume_catalog', (r) => {
    const o = makeObject('volume', norm(str(r, 'volume_catalog') ?? ''), norm(str(r, 'volume_schema') ?? ''), norm(str(r, 'volume_name') ?? ''));
    owners.push({ object: o, owner: str(r, 'volume_owner') });
    return o;
  });
  const functions = listed(rows.functions, 'routine_catalog', (r) => {
    const o = makeObject('function', norm(str(r, 'routine_catalog') ?? ''), norm(str(r, 'routine_schema') ?? ''), norm(str(r, 'routine_name') ?? ''));
    owners.push({ object: o, owner: str(r, 'routine_owner') });
    return o;
  });
  for (const r of listed(rows.catalogs, 'catalog_name', (x) => x)) owners.push({ object: makeObject('database', norm(str(r, 'catalog_name') ?? '')), owner: str(r, 'catalog_owner') });
  // The configured Delta Sharing recipients that exist (principals the planner checks).
  const recipients: LiveRole[] = [];
  for (const r of rows.recipients ?? []) {
    const name = principal(str(r, 'recipient_name'));
    if (name && !recipients.some((x) => x.name === name)) recipients.push({ name, isUser: true });
  }
  for (const g of OWNED_GLOBALS) {
    for (const r of rows[g.rows] ?? []) owners.push({ object: makeObject('purpose' in g ? credentialKind(r) : g.kind, '', undefined, norm(str(r, g.name) ?? '')), owner: str(r, g.owner) });
  }
  const objects: ObjectRef[] = [...schemas, ...tables.map((t) => t.object), ...volumes, ...functions];
  // What is below each container, and the live kind of each relation (a row of
  // table_privileges says TABLE for a view too).
  const byCatalog = new Map<string, ObjectRef[]>();
  const bySchema = new Map<string, ObjectRef[]>();
  const liveKind = new Map<string, SecurableKind>();
  for (const o of objects) {
    (byCatalog.get(o.database) ?? byCatalog.set(o.database, []).get(o.database)!).push(o);
    if (KIND_SHAPES[o.kind] !== 'in-schema') continue;
    const k = objectKey(makeObject('schema', o.database, o.schema));
    (bySchema.get(k) ?? bySchema.set(k, []).get(k)!).push(o);
    liveKind.set(objectKey(o), o.kind);
  }

  const grants = new Map<string, GrantRecord>();
  const provenance: DatabricksProvenance = new Map();
  const ignored: IgnoredGrant[] = [];
  const addGrant = (role: string, privilege: Privilege, object: ObjectRef, s: DatabricksSource, grantedBy?: string) => {
    const g = makeGrant({ role, privilege, object, ...(grantedBy ? { grantedBy } : {}) });
    if (!grants.has(g.key)) grants.set(g.key, g);
    const e = provenance.get(g.key) ?? { record: { role, privilege, object, future: false }, sources: [] };
    if (!e.sources.some((x) => x.word === s.word && objectKey(x.object) === objectKey(s.object))) e.sources.push(s);
    provenance.set(g.key, e);
  };

  for (const v of PRIVILEGE_VIEWS) {
    for (const r of rows[v.rows] ?? []) {
      const role = principal(str(r, 'grantee' in v ? v.grantee : 'grantee')) ?? '';
      if (!role || !isDirect(r)) continue;
      const parts = v.columns.map((c) => norm(str(r, c) ?? ''));
      const shape = KIND_SHAPES[v.kind];
      if ((shape === 'database' || shape === 'schema' || shape === 'in-schema') && parts[0] === HIVE_METASTORE) continue;
      const kind = 'purpose' in v ? credentialKind(r) : v.kind;
      let object =
        shape === 'global' ? makeObject(kind, '', undefined, parts[0]) : shape === 'account' ? makeObject(kind, '') : makeObject(kind, parts[0], parts[1], parts[2]);
      const live = liveKind.get(objectKey(object));
      if (live && (v.kind === 'table' || v.kind === 'function')) object = { ...object, kind: live };
      const word = keyword(str(r, 'privilege_type') ?? '');
      const src: DatabricksSource = { object, word, role };
      const grantedBy = str(r, 'grantor') || undefined;
      let known = false;
      for (const w of word === 'ALL PRIVILEGES' ? allPrivilegesOf(object.kind) : [word]) {
        // A registered model is listed with the functions (one namespace): a keyword only
        // a model takes (APPLY TAG) says the routine is a model.
        const asModel = object.kind === 'function' && !readWord('function', w) && readWord('model', w) ? ({ ...object, kind: 'model' } as ObjectRef) : undefined;
        const own = readWord(asModel?.kind ?? object.kind, w);
        if (!own || own === 'ownership') continue;
        known = true;
        addGrant(role, own, asModel ?? object, src, grantedBy);
        // Inherited by what is below the container, wherever its kind takes the keyword.
        const below = object.kind === 'database' ? byCatalog.get(object.database) : object.kind === 'schema' ? bySchema.get(objectKey(object)) : undefined;
        for (const d of below ?? []) {
          const p = readWord(d.kind, w);
          if (p) addGrant(role, p, d, src, grantedBy);
        }
      }
      if (!known) ignored.push({ role, privilege: word, object: objectKey(object) });
    }
  }
  // Owners that are managed groups: `ownership`, its own source (never revoked).
  for (const { object, owner } of owners) {
    const role = principal(owner) ?? '';
    if (!role || !readWord(object.kind, 'OWNERSHIP')) continue;
    addGrant(role, 'ownership', object, { object, word: 'OWNERSHIP', role });
  }
  return { roles, recipients, grants: [...grants.values()], futureGrants: [], schemas, tables, objects, provenance, ignored };
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
      if (m.zip3 !== undefined) rec.zip3Restricted = m.zip3;
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
 * A built-in mask whose body rbac now writes differently is rewritten: a `hash` body
 * salted with current_metastore() (every user can read it), and `zip3` or `year`
 * bodies from before the masks were Safe Harbor. These bodies depend only on the
 * record and the signature, so they are recomputed here.
 */
function outdatedHash(rec: MaskingPolicyRecord, body: string | undefined): string | undefined {
  if (body === undefined || rec.expression !== undefined) return undefined;
  const types = rec.mask === 'hash' || rec.mask === 'zip3' ? ['STRING'] : rec.mask === 'year' ? ['DATE', 'TIMESTAMP', 'TIMESTAMP_NTZ', 'INT', 'BIGINT', 'SMALLINT'] : [];
  if (!types.length || types.some((t) => bodyDigest(body) === bodyDigest(databricksMaskingBody(rec, t)))) return undefined;
  if (rec.mask === 'hash') return `masking policy ${rec.name} hashes with a salt every user can read (written by rbac before 0.2): its body is rewritten to read the secret salt`;
  return rec.mask === 'zip3'
    ? `masking policy ${rec.name} keeps the restricted 3-digit ZIP prefixes (written by rbac before Safe Harbor masks): its body is rewritten to make them 000`
    : `masking policy ${rec.name} shows years of people over 89 (written by rbac before Safe Harbor masks): its body is rewritten to aggregate them`;
}
