import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DatabricksAdapter, databricksUnsupported, prepareDatabricksDesired } from '../../src/dialects/databricks/adapter.js';
import { queryFnFromSession, type DatabricksSessionLike } from '../../src/dialects/databricks/driver.js';
import { PRIVILEGE_VIEWS, OWNED_GLOBALS, parseDatabricks, type DatabricksRows } from '../../src/dialects/databricks/inspect.js';
import type { Desired } from '../../src/model/types.js';

const fx = (n: string) => JSON.parse(readFileSync(new URL(`../fixtures/databricks/${n}`, import.meta.url), 'utf8')).rows;
/** Every fixed query's recorded rows (test/fixtures/databricks), by the reader's row-set name. */
const FIXTURES: Record<string, string> = {
  groups: 'show_groups', catalogPrivileges: 'catalog_privileges', schemaPrivileges: 'schema_privileges', tablePrivileges: 'table_privileges',
  volumePrivileges: 'volume_privileges', routinePrivileges: 'routine_privileges', externalLocationPrivileges: 'external_location_privileges',
  credentialPrivileges: 'credential_privileges', connectionPrivileges: 'connection_privileges', metastorePrivileges: 'metastore_privileges', shareRecipientPrivileges: 'share_recipient_privileges',
  catalogs: 'catalogs', schemata: 'schemata', tables: 'tables', volumes: 'volumes', functions: 'routines',
  externalLocations: 'external_locations', credentials: 'credentials', connections: 'connections', recipients: 'recipients',
};
const allRows = (): DatabricksRows => Object.fromEntries(Object.entries(FIXTURES).map(([k, f]) => [k, fx(`${f}.json`)])) as DatabricksRows;
const MANAGED = ['clinical_analyst', 'data_scientist', 'billing_auditor', 'data_engineers', 'platform', 'partner_hospital'];

describe('databricks reader on recorded information_schema rows', () => {
  const read = parseDatabricks(allRows(), MANAGED);
  const keys = read.grants.map((g) => g.key).sort();
  const of = (role: string, kind?: string) => keys.filter((k) => k.endsWith(`:role:${role}`) && (kind === undefined || k.split(':')[2] === kind));

  it('reads managed groups only, by their exact name: `Clinical_Analyst` is another group than `clinical_analyst`', () => {
    // Unity Catalog keeps group names unique case-sensitively and resolves a grantee by its exact name (ident.ts).
    expect(read.roles.map((r) => r.name)).toEqual(['data_scientist', 'billing_auditor']);
    // USE CATALOG is granted to `Clinical_Analyst` only: it is not clinical_analyst's.
    expect(keys).not.toContain('grant:usage:database:ehr:role:clinical_analyst');
    const both = parseDatabricks(allRows(), ['clinical_analyst', 'Clinical_Analyst']);
    expect(both.roles.map((r) => r.name)).toEqual(['Clinical_Analyst']);
    expect(both.grants.filter((g) => g.role === 'Clinical_Analyst').map((g) => `${g.privilege} ${g.object.kind} ${g.object.database}`)).toEqual(['usage database ehr']);
    expect(both.grants.filter((g) => g.role === 'clinical_analyst').length).toBeGreaterThan(0);
  });
  it('matches users and service principals case-insensitively, in the configuration\'s spelling', () => {
    const rows = { ...allRows(), catalogPrivileges: [{ grantor: 'admin', grantee: 'alice@example.org', catalog_name: 'ehr', privilege_type: 'USE CATALOG', inherited_from: 'NONE' }] };
    const r = parseDatabricks(rows, ['Alice@Example.org'], ['Alice@Example.org']);
    expect(r.grants.map((g) => g.key)).toEqual(['grant:usage:database:ehr:role:"Alice@Example.org"']);
    // Not a user: a group of that name in another case is not it.
    expect(parseDatabricks(rows, ['Alice@Example.org']).grants).toEqual([]);
  });
  it('a schema-level SELECT is the schema grant plus an effective SELECT on each relation below it', () => {
    expect(keys).toContain('grant:select:schema:ehr.clinical:role:clinical_analyst');
    expect(of('clinical_analyst', 'table')).toEqual([
      'grant:select:table:ehr.clinical.daily_census:role:clinical_analyst',
      'grant:select:table:ehr.clinical.encounters_v:role:clinical_analyst',
      'grant:select:table:ehr.clinical.patients:role:clinical_analyst',
    ]);
    // No future records: the container grant is the mechanism for future objects.
    expect(read.futureGrants).toEqual([]);
  });
  it('expands ALL PRIVILEGES on a catalog to every keyword but MANAGE and EXTERNAL USE SCHEMA, inherited wherever a kind takes it', () => {
    const ds = of('data_scientist').filter((k) => !k.startsWith('grant:ownership:'));
    // The catalog itself: its own and its inheritable privileges.
    expect(ds.filter((k) => k.includes(':database:'))).toEqual(
      ['apply_tag', 'browse', 'create', 'create_function', 'create_materialized_view', 'create_model', 'create_table', 'create_volume', 'execute', 'modify', 'read_volume', 'refresh', 'select', 'usage', 'use_schema', 'write_volume'].map((p) => `grant:${p}:database:ehr:role:data_scientist`),
    );
    expect(ds.some((k) => /:(manage|external_use_schema):/.test(k))).toBe(false);
    // BROWSE and USE CATALOG stay on the catalog; SELECT reaches relations, MODIFY only tables, REFRESH the materialized view.
    expect(ds.filter((k) => k.includes(':table:'))).toEqual([
      'grant:apply_tag:table:ehr.billing.claims:role:data_scientist',
      'grant:apply_tag:table:ehr.clinical.daily_census:role:data_scientist',
      'grant:apply_tag:table:ehr.clinical.encounters_v:role:data_scientist',
      'grant:apply_tag:table:ehr.clinical.patients:role:data_scientist',
      'grant:modify:table:ehr.billing.claims:role:data_scientist',
      'grant:modify:table:ehr.clinical.patients:role:data_scientist',
      'grant:refresh:table:ehr.clinical.daily_census:role:data_scientist',
      'grant:select:table:ehr.billing.claims:role:data_scientist',
      'grant:select:table:ehr.clinical.daily_census:role:data_scientist',
      'grant:select:table:ehr.clinical.encounters_v:role:data_scientist',
      'grant:select:table:ehr.clinical.patients:role:data_scientist',
    ]);
    expect(ds.filter((k) => /:(volume|function):/.test(k))).toEqual([
      'grant:apply_tag:volume:ehr.raw.uploads:role:data_scientist',
      'grant:execute:function:ehr.clinical.zip3:role:data_scientist',
      'grant:read_volume:volume:ehr.raw.uploads:role:data_scientist',
      'grant:write_volume:volume:ehr.raw.uploads:role:data_scientist',
    ]);
    // USE SCHEMA and CREATE TABLE granted on the catalog are the schemas' usage and create.
    expect(ds).toContain('grant:usage:schema:ehr.raw:role:data_scientist');
    expect(ds).toContain('grant:create:schema:ehr.raw:role:data_scientist');
    const p = read.provenance.get('grant:select:table:ehr.billing.claims:role:data_scientist')!;
    expect(p.sources).toEqual([{ object: { kind: 'database', database: 'ehr' }, word: 'ALL PRIVILEGES', role: 'data_scientist' }]);
  });
  it('expands ALL PRIVILEGES on a table; null inherited_from is direct', () => {
    expect(of('billing_auditor', 'table')).toEqual([
      'grant:apply_tag:table:ehr.billing.claims:role:billing_auditor',
      'grant:modify:table:ehr.billing.claims:role:billing_auditor',
      'grant:modify:table:ehr.clinical.patients:role:billing_auditor',
      'grant:select:table:ehr.billing.claims:role:billing_auditor',
    ]);
  });
  it('reads volumes, functions, external locations, storage and service credentials, connections and the metastore', () => {
    expect(of('data_engineers')).toEqual([
      // A row of CREDENTIAL_PRIVILEGES whose credential's purpose is SERVICE.
      'grant:access:service_credential:kms_signer:role:data_engineers',
      'grant:browse:external_location:landing_zone:role:data_engineers',
      'grant:create_external_location:storage_credential:"raw creds":role:data_engineers',
      'grant:create_external_table:external_location:landing_zone:role:data_engineers',
      'grant:create_external_volume:external_location:landing_zone:role:data_engineers',
      'grant:create_foreign_securable:external_location:landing_zone:role:data_engineers',
      'grant:create_managed_storage:external_location:landing_zone:role:data_engineers',
      // ALL PRIVILEGES on a function is EXECUTE (MANAGE is not part of it).
      'grant:execute:function:ehr.clinical.zip3:role:data_engineers',
      // Granted on its own: ALL PRIVILEGES does not include EXTERNAL USE LOCATION.
      'grant:external_use_location:external_location:landing_zone:role:data_engineers',
      'grant:ownership:external_location:landing_zone:role:data_engineers',
      'grant:read_files:external_location:landing_zone:role:data_engineers',
      'grant:write_files:external_location:landing_zone:role:data_engineers',
      // WRITE_VOLUME as the API spells it reads as WRITE VOLUME.
      'grant:write_volume:volume:ehr.raw.uploads:role:data_engineers',
    ]);
    expect(of('platform')).toEqual([
      'grant:create_catalog:metastore::role:platform',
      'grant:create_external_location:metastore::role:platform',
      'grant:ownership:connection:pg_billing:role:platform',
      // RECIPIENTS.RECIPIENT_OWNER.
      'grant:ownership:recipient:partner_hospital:role:platform',
      // CREDENTIALS.CREDENTIAL_OWNER of a SERVICE credential.
      'grant:ownership:service_credential:kms_signer:role:platform',
    ]);
    // Delta Sharing: a recipient's SELECT on a share (SHARE_RECIPIENT_PRIVILEGES), and the recipient known to exist.
    expect(of('partner_hospital')).toEqual(['grant:select:share:registry_share:role:partner_hospital']);
    expect(read.recipients).toEqual([{ name: 'partner_hospital', isUser: true }]);
    expect(keys).toContain('grant:use_connection:connection:pg_billing:role:billing_auditor');
  });
  it('reads the owners that are managed groups as ownership, by their exact name (`Billing_Auditor` is another group)', () => {
    expect(keys.filter((k) => k.startsWith('grant:ownership:'))).toEqual([
      'grant:ownership:connection:pg_billing:role:platform',
      'grant:ownership:database:ehr:role:data_scientist',
      'grant:ownership:external_location:landing_zone:role:data_engineers',
      'grant:ownership:function:ehr.clinical.zip3:role:clinical_analyst',
      'grant:ownership:recipient:partner_hospital:role:platform',
      'grant:ownership:schema:ehr.clinical:role:clinical_analyst',
      'grant:ownership:service_credential:kms_signer:role:platform',
      'grant:ownership:table:ehr.clinical.patients:role:data_scientist',
    ]);
    expect(parseDatabricks(allRows(), ['Billing_Auditor']).grants.map((g) => g.key)).toContain('grant:ownership:table:ehr.billing.claims:role:Billing_Auditor');
  });
  it('skips rows inherited from an ancestor (recomputed) and keeps unknown privileges out', () => {
    expect(read.ignored).toEqual([{ role: 'billing_auditor', privilege: 'CREATE SERVER', object: 'connection:pg_billing' }]);
    const p = read.provenance.get('grant:select:table:ehr.clinical.patients:role:clinical_analyst')!;
    expect(p.sources).toEqual([{ object: { kind: 'schema', database: 'ehr', schema: 'clinical' }, word: 'SELECT', role: 'clinical_analyst' }]);
    const f = read.provenance.get('grant:execute:function:ehr.clinical.zip3:role:clinical_analyst')!;
    expect(f.sources).toEqual([{ object: { kind: 'schema', database: 'ehr', schema: 'clinical' }, word: 'EXECUTE', role: 'clinical_analyst' }]);
  });
  it('never reads hive_metastore rows as Unity Catalog grants, objects or owners', () => {
    const rows = allRows();
    // The fixtures hold legacy rows of managed groups (USAGE on the catalog, SELECT on a table, a table they own).
    expect(rows.catalogPrivileges.some((r) => r.catalog_name === 'hive_metastore' && r.grantee === 'clinical_analyst')).toBe(true);
    expect(rows.tables.some((r) => r.table_catalog === 'hive_metastore' && r.table_owner === 'clinical_analyst')).toBe(true);
    expect(keys.filter((k) => k.includes('hive_metastore'))).toEqual([]);
    expect(read.objects.filter((o) => o.database === 'hive_metastore')).toEqual([]);
  });
  it('marks views, materialized views and volumes with their live kinds', () => {
    const kinds = Object.fromEntries(read.objects.filter((o) => o.name).map((o) => [o.name, o.kind]));
    expect(kinds).toEqual({ patients: 'table', encounters_v: 'view', claims: 'table', daily_census: 'materialized_view', uploads: 'volume', zip3: 'function' });
  });
});

/** A fake IDBSQLSession: the driver's session seam, no network. */
function fakeSession(answer: (sql: string) => Record<string, unknown>[] | Error) {
  const seen: string[] = [];
  let closedOps = 0;
  const session: DatabricksSessionLike = {
    async executeStatement(sql) {
      seen.push(sql);
      const a = answer(sql);
      return {
        fetchAll: async () => {
          if (a instanceof Error) throw a;
          return a;
        },
        close: async () => void closedOps++,
      };
    },
    close: async () => undefined,
  };
  return { session, seen, closed: () => closedOps };
}

describe('databricks adapter through the session seam', () => {
  it('introspects in a fixed number of queries and closes every operation', async () => {
    const rows = allRows() as unknown as Record<string, Record<string, unknown>[]>;
    const answer = (q: string): Record<string, unknown>[] => {
      if (q === 'SHOW GROUPS') return rows.groups;
      const view = PRIVILEGE_VIEWS.find((v) => q.includes(`information_schema.${v.view} `));
      if (view) return rows[view.rows];
      const owned = OWNED_GLOBALS.find((g) => q.includes(`information_schema.${g.view} `));
      if (owned) return rows[owned.rows];
      for (const [k, v] of [['catalogs', 'catalogs'], ['schemata', 'schemata'], ['.tables ', 'tables'], ['.volumes ', 'volumes']] as const) if (q.includes(k)) return rows[v];
      if (q.includes('.routines ') && !q.includes('startswith')) return rows.functions;
      return [];
    };
    const f = fakeSession(answer);
    const adapter = new DatabricksAdapter({ query: queryFnFromSession(f.session), close: async () => undefined });
    const live = await adapter.introspect({
      roles: ['clinical_analyst'], users: [], databases: ['ehr'], schemas: [{ database: 'ehr', schema: 'clinical' }, { database: "o'hara", schema: 'x' }], includePublic: true,
    });
    // Groups, ten privilege views, catalogs, schemata, tables, volumes, functions, four
    // owned-securable listings; then columns, policy functions, column_masks, row_filters, the salt's state.
    expect(adapter.queryCount()).toBe(25);
    expect(f.closed()).toBe(25);
    expect(f.seen.find((s) => s.includes('schemata'))).toContain("(catalog_name = 'o\\'hara' AND schema_name = 'x')");
    expect(f.seen.find((s) => s.includes('.catalogs '))).toContain("catalog_name IN ('ehr', 'o\\'hara')");
    expect(live.grants.every((g) => g.role === 'clinical_analyst')).toBe(true);
    expect(live.grants.map((g) => g.key)).toContain('grant:ownership:function:ehr.clinical.zip3:role:clinical_analyst');
    expect(live.objects?.map((o) => o.kind).sort()).toEqual(['function', 'materialized_view', 'schema', 'schema', 'schema', 'table', 'table', 'view', 'volume']);
    expect(adapter.provenance.size).toBeGreaterThan(0);
  });

  it('reports a privilege outside the catalog once per kind, never as a grant', async () => {
    const rows = allRows() as unknown as Record<string, Record<string, unknown>[]>;
    const f = fakeSession((q) => (q.includes('.connection_privileges ') ? rows.connectionPrivileges : []));
    const adapter = new DatabricksAdapter({ query: queryFnFromSession(f.session), close: async () => undefined });
    const live = await adapter.introspect({ roles: ['billing_auditor'], users: [], databases: [], schemas: [], includePublic: false });
    expect(live.unmanagedGrants).toEqual([{ on: 'CONNECTION', privileges: ['CREATE SERVER'], count: 1 }]);
    expect(live.grants.map((g) => g.key)).toEqual(['grant:use_connection:connection:pg_billing:role:billing_auditor']);
  });

  it('the query count does not grow with the number of roles or schemas', async () => {
    const f = fakeSession(() => []);
    const adapter = new DatabricksAdapter({ query: queryFnFromSession(f.session), close: async () => undefined });
    const schemas = Array.from({ length: 200 }, (_, i) => ({ database: `c${i % 20}`, schema: `s${i}` }));
    await adapter.introspect({ roles: Array.from({ length: 500 }, (_, i) => `g${i}`), users: [], databases: [], schemas, includePublic: false });
    expect(adapter.queryCount()).toBe(25);
  });

  it('apply stops at the first failure with the error class, token scrubbed', async () => {
    const token = 'dapi-0123456789abcdef';
    const f = fakeSession((sql) => (sql.includes('bad') ? new Error(`[TABLE_OR_VIEW_NOT_FOUND] The table bad cannot be found (token ${token})`) : []));
    const adapter = new DatabricksAdapter({ query: queryFnFromSession(f.session, [token]), close: async () => undefined });
    const st = ['GRANT SELECT ON TABLE `a`.`b`.`ok` TO `g`', 'GRANT SELECT ON TABLE `a`.`b`.`bad` TO `g`', 'GRANT SELECT ON TABLE `a`.`b`.`c` TO `g`'].map((sql, i) => ({ sql, changeIndex: i }));
    const r = await adapter.apply(st);
    expect(r.ok).toBe(false);
    expect(r.applied).toHaveLength(1);
    expect(r.failed?.code).toBe('TABLE_OR_VIEW_NOT_FOUND');
    expect(r.failed?.error).not.toContain(token);
    expect(r.pending).toEqual([st[2]]);
    expect(r.rolledBack).toBe(false);
  });

  it('retries a throttling error class with backoff', async () => {
    let n = 0;
    const f = fakeSession(() => (++n === 1 ? new Error('[REQUEST_LIMIT_EXCEEDED] slow down') : [{ name: 'g' }]));
    const adapter = new DatabricksAdapter({ query: queryFnFromSession(f.session), close: async () => undefined }, { retry: { retries: 2, baseMs: 1, maxMs: 2 } });
    const r = await adapter.apply([{ sql: 'GRANT SELECT ON TABLE `a`.`b`.`c` TO `g`', changeIndex: 0 }]);
    expect(r.ok).toBe(true);
    expect(adapter.queryCount()).toBe(2);
  });
});

describe('databricksUnsupported', () => {
  const desired: Desired = {
    platform: 'databricks',
    roles: [{ key: 'role:g', name: 'g', state: 'present', description: 'x' }],
    users: ['alice@example.org'],
    memberships: [{ key: 'member:g:alice', role: 'g', member: 'alice@example.org', memberKind: 'user' }],
    grants: [{ key: 'k', role: 'g', privilege: 'select', object: { kind: 'table', database: 'a', schema: 'b', name: 'c' }, column: 'ssn' }],
    schemaWide: [],
    futureGrants: [],
  };
  it('reports memberships as unmanaged, descriptions as unsupported, column grants as errors', () => {
    const p = databricksUnsupported(desired);
    expect(p.map((x) => x.severity)).toEqual(['warning', 'warning', 'error']);
    expect(p[0].message).toMatch(/not managed on Databricks/);
  });
  it('prepareDatabricksDesired drops what cannot be applied', () => {
    const d = prepareDatabricksDesired(desired);
    expect(d.memberships).toEqual([]);
    expect(d.roles[0].description).toBeUndefined();
  });
});
