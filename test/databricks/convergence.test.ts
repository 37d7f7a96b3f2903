/**
 * Convergence property: plan -> compile (with the inheritance hook) -> apply to
 * DatabricksGrantModel (a test double) -> read back -> plan again: empty; grants and
 * owners of unmanaged groups untouched; hive_metastore's legacy rows never touched.
 * Every securable the reader reads is in play: the metastore, catalogs, schemas, tables,
 * views, volumes, functions, external locations, storage credentials and connections,
 * with catalog- and schema-level grants that inherit down, ALL PRIVILEGES, `objects:` on
 * both containers and ownership.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DatabricksAdapter, prepareDatabricksDesired } from '../../src/dialects/databricks/adapter.js';
import { planHooks } from '../../src/dialects/registry.js';
import { makeGrant, objectKey, roleKey } from '../../src/model/keys.js';
import type { Desired, ObjectRef, Privilege, SchemaWideGrant, SecurableKind } from '../../src/model/types.js';
import { plan } from '../../src/plan/plan.js';
import { introspectScopeOf, scopeOf } from '../../src/plan/scope.js';
import { DatabricksGrantModel, type ModelKind } from './grant-model.js';

const GROUPS = ['clinical_analyst', 'a`b', 'x; drop table y; --'];
const TABLES: [string, string, string][] = [['ehr', 'clinical', 'patients'], ['ehr', 'clinical', 'select'], ['ehr', 'billing', 'claims']];
const VIEWS: [string, string, string][] = [['ehr', 'clinical', 'encounters_v']];
const VOLUMES: [string, string, string][] = [['ehr', 'raw', 'uploads']];
const FUNCTIONS: [string, string, string][] = [['ehr', 'util', 'zip3']];
const o = (kind: SecurableKind, d: string, s?: string, n?: string): ObjectRef => ({ kind, database: d, ...(s ? { schema: s } : {}), ...(n ? { name: n } : {}) });
const OBJECTS: ObjectRef[] = [
  { kind: 'metastore', database: '' },
  o('database', 'ehr'),
  ...['clinical', 'billing', 'raw', 'util'].map((s) => o('schema', 'ehr', s)),
  ...TABLES.map(([d, s, n]) => o('table', d, s, n)),
  ...VIEWS.map(([d, s, n]) => o('view', d, s, n)),
  ...VOLUMES.map(([d, s, n]) => o('volume', d, s, n)),
  ...FUNCTIONS.map(([d, s, n]) => o('function', d, s, n)),
  { kind: 'external_location', database: '', name: 'landing_zone' },
  { kind: 'storage_credential', database: '', name: 'raw creds' },
  { kind: 'service_credential', database: '', name: 'kms signer' },
  { kind: 'connection', database: '', name: 'pg' },
];
const PRIVS: Partial<Record<SecurableKind, Privilege[]>> = {
  metastore: ['create_catalog', 'create_external_location'],
  database: ['usage', 'create', 'use_schema', 'select', 'browse', 'read_volume', 'execute', 'ownership'],
  schema: ['usage', 'create', 'select', 'modify', 'write_volume', 'execute', 'ownership'],
  table: ['select', 'modify', 'apply_tag', 'ownership'],
  view: ['select', 'ownership'],
  volume: ['read_volume', 'write_volume', 'ownership'],
  function: ['execute', 'ownership'],
  external_location: ['read_files', 'create_external_table', 'ownership'],
  storage_credential: ['read_files', 'ownership'],
  service_credential: ['access', 'ownership'],
  connection: ['use_connection', 'ownership'],
};
const KIND: Partial<Record<SecurableKind, ModelKind>> = {
  metastore: 'METASTORE', database: 'CATALOG', schema: 'SCHEMA', table: 'TABLE', view: 'TABLE', volume: 'VOLUME', function: 'FUNCTION',
  external_location: 'EXTERNAL LOCATION', storage_credential: 'STORAGE CREDENTIAL', service_credential: 'SERVICE CREDENTIAL', connection: 'CONNECTION',
};
const LIVE_WORDS: Partial<Record<ModelKind, string[]>> = {
  METASTORE: ['CREATE CATALOG', 'USE SHARE'],
  CATALOG: ['USE CATALOG', 'USE SCHEMA', 'SELECT', 'ALL PRIVILEGES', 'READ VOLUME', 'MANAGE'],
  SCHEMA: ['USE SCHEMA', 'SELECT', 'MODIFY', 'ALL PRIVILEGES', 'EXECUTE'],
  TABLE: ['SELECT', 'MODIFY', 'ALL PRIVILEGES', 'APPLY TAG'],
  VOLUME: ['READ VOLUME', 'WRITE VOLUME', 'ALL PRIVILEGES'],
  FUNCTION: ['EXECUTE', 'ALL PRIVILEGES'],
  'EXTERNAL LOCATION': ['READ FILES', 'ALL PRIVILEGES', 'EXTERNAL USE LOCATION'],
  'STORAGE CREDENTIAL': ['READ FILES', 'CREATE EXTERNAL LOCATION'],
  'SERVICE CREDENTIAL': ['ACCESS', 'CREATE CONNECTION', 'ALL PRIVILEGES'],
  CONNECTION: ['USE CONNECTION', 'ALL PRIVILEGES'],
};
const nameOf = (x: ObjectRef) => [x.database, x.schema, x.name].filter((p): p is string => p !== undefined && p !== '');

const pick = <T>(xs: readonly T[]) => fc.integer({ min: 0, max: xs.length - 1 }).map((i) => xs[i]);
const desiredGrant = fc.record({ role: pick(GROUPS), object: pick(OBJECTS), p: fc.nat(20) }).map(({ role, object, p }) => {
  const ps = PRIVS[object.kind]!;
  return { role, object, privilege: ps[p % ps.length] };
});
const liveGrant = fc.record({ principal: pick([...GROUPS, 'admins']), object: pick(OBJECTS), w: fc.nat(20) }).map(({ principal, object, w }) => {
  const kind = KIND[object.kind]!;
  const words = LIVE_WORDS[kind]!;
  return JSON.stringify({ kind, name: nameOf(object), word: words[w % words.length], principal });
});
const liveOwner = fc.record({ principal: pick([...GROUPS, 'admins']), object: pick(OBJECTS.filter((x) => x.kind !== 'metastore')) });
const wide = fc.record({
  role: pick(GROUPS),
  container: pick([o('schema', 'ehr', 'clinical'), o('database', 'ehr'), o('schema', 'ehr', 'raw')]),
  grant: pick<{ privilege: Privilege; kinds: SecurableKind[] }>([
    { privilege: 'select', kinds: ['table'] },
    { privilege: 'select', kinds: ['view'] },
    { privilege: 'read_volume', kinds: ['volume'] },
    { privilege: 'execute', kinds: ['function'] },
    { privilege: 'usage', kinds: ['schema'] },
  ]),
  future: fc.boolean(),
});
const HIVE = [
  { view: 'catalog_privileges', grantor: 'admin', grantee: 'clinical_analyst', catalog_name: 'hive_metastore', privilege_type: 'USAGE', inherited_from: 'NONE' },
  { view: 'table_privileges', grantor: 'admin', grantee: 'clinical_analyst', table_catalog: 'hive_metastore', table_schema: 'default', table_name: 'legacy', privilege_type: 'SELECT', inherited_from: 'NONE' },
  { view: 'schema_privileges', grantor: 'admin', grantee: 'a`b', catalog_name: 'hive_metastore', schema_name: 'default', privilege_type: 'READ_METADATA', inherited_from: 'NONE' },
];

const EXERCISED: Record<string, RegExp> = {
  'owner transferred': /^ALTER (CATALOG|SCHEMA|TABLE|VIEW|VOLUME|FUNCTION|EXTERNAL LOCATION|STORAGE CREDENTIAL|CONNECTION) .* OWNER TO /,
  'catalog-level grant': /^GRANT .* ON CATALOG /,
  'schema-level SELECT': /^GRANT SELECT ON SCHEMA /,
  'revoked at a catalog': /^REVOKE .* ON CATALOG /,
  'ALL PRIVILEGES revoked': /^REVOKE ALL PRIVILEGES /,
  'direct re-grant on a table': /^GRANT SELECT ON TABLE /,
  'metastore grant': /^GRANT .* ON METASTORE TO /,
  'revoke on the metastore': /^REVOKE .* ON METASTORE FROM /,
  'volume grant': /^GRANT .* ON VOLUME /,
  'function grant': /^GRANT EXECUTE ON FUNCTION /,
  'external location grant': /^GRANT .* ON EXTERNAL LOCATION /,
  'storage credential revoke': /^REVOKE .* ON STORAGE CREDENTIAL /,
  'service credential grant': /^GRANT .* ON SERVICE CREDENTIAL /,
  'service credential revoke': /^REVOKE .* ON SERVICE CREDENTIAL /,
  'service credential owner': /^ALTER SERVICE CREDENTIAL .* OWNER TO /,
  'connection grant': /^GRANT .* ON CONNECTION /,
};

describe('databricks convergence (DatabricksGrantModel, a test double)', () => {
  it('apply(plan) then plan again is empty: every securable, inheritance, ALL PRIVILEGES, objects: and ownership', async () => {
    // What the runs exercised, so the property cannot pass vacuously.
    const seen = new Map<string, number>();
    const note = (sql: string) => {
      for (const [what, re] of Object.entries(EXERCISED)) if (re.test(sql)) seen.set(what, (seen.get(what) ?? 0) + 1);
    };
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          roles: fc.subarray(GROUPS, { minLength: 1 }),
          grants: fc.array(desiredGrant, { maxLength: 8 }),
          wide: fc.array(wide, { maxLength: 2 }),
          live: fc.array(liveGrant, { maxLength: 8 }),
          owners: fc.array(liveOwner, { maxLength: 3 }),
        }),
        async (s) => {
          const model = new DatabricksGrantModel();
          model.groups = new Set([...GROUPS, 'admins']);
          model.schemas = [['ehr', 'clinical'], ['ehr', 'billing'], ['ehr', 'raw'], ['ehr', 'util']];
          model.tables = TABLES;
          model.views = VIEWS;
          model.volumes = VOLUMES;
          model.functions = FUNCTIONS;
          model.globals = [{ kind: 'EXTERNAL LOCATION', name: 'landing_zone' }, { kind: 'STORAGE CREDENTIAL', name: 'raw creds' }, { kind: 'SERVICE CREDENTIAL', name: 'kms signer' }, { kind: 'CONNECTION', name: 'pg' }];
          model.hive = HIVE;
          for (const g of s.live) model.grants.add(g);
          for (const w of s.owners) model.owners.set(JSON.stringify([KIND[w.object.kind], ...nameOf(w.object)]), w.principal);
          // One owner per object, as toDesired requires.
          const owned = new Set<string>();
          const grants = s.grants.filter((g) => s.roles.includes(g.role)).filter((g) => {
            if (g.privilege !== 'ownership') return true;
            if (owned.has(objectKey(g.object))) return false;
            owned.add(objectKey(g.object));
            return true;
          });
          const transferred = new Set(grants.filter((g) => g.privilege === 'ownership').map((g) => JSON.stringify([KIND[g.object.kind], ...nameOf(g.object)])));
          // What rbac must not touch: unmanaged grants, and owners the configuration does not name.
          const unmanaged = () => [
            [...model.grants].filter((g) => g.includes('"principal":"admins"')).sort(),
            [...model.owners].filter(([k]) => !transferred.has(k)).sort(),
          ];
          const before = unmanaged();
          const schemaWide: SchemaWideGrant[] = s.wide
            .filter((w) => s.roles.includes(w.role) && !(w.grant.kinds[0] === 'schema' && w.container.kind === 'schema'))
            .map((w) => ({ role: w.role, privilege: w.grant.privilege, schema: w.container, kinds: w.grant.kinds, future: w.future }));
          const desired: Desired = prepareDatabricksDesired({
            platform: 'databricks',
            roles: s.roles.map((name) => ({ key: roleKey(name), name, state: 'present' })),
            users: [], memberships: [],
            grants: grants.map((g) => makeGrant(g)),
            schemaWide,
            futureGrants: [],
          });
          const scope = scopeOf(desired);
          // Every schema is read (as a configuration naming them all would be).
          const intro = { ...introspectScopeOf(desired), schemas: model.schemas.map(([database, schema]) => ({ database, schema })) };
          const adapter = new DatabricksAdapter({ query: model.query, close: async () => undefined });
          const options = { mode: 'authoritative' as const, target: 'model', scope, neverRevoke: planHooks('databricks').neverRevoke };
          const first = plan(desired, await adapter.introspect(intro), options);
          const statements = adapter.compile(first);
          for (const st of statements) note(st.sql);
          const r = await adapter.apply(statements);
          expect(r.ok, r.failed?.error).toBe(true);
          const second = plan(desired, await adapter.introspect(intro), options);
          expect(second.changes).toEqual([]);
          expect(unmanaged()).toEqual(before);
          expect(model.log.filter((x) => /hive_metastore/i.test(x))).toEqual([]);
        },
      ),
      { numRuns: 150, seed: 7 },
    );
    for (const what of Object.keys(EXERCISED)) expect(seen.get(what) ?? 0, what).toBeGreaterThan(0);
  });
});

describe('Delta Sharing recipients converge (DatabricksGrantModel)', () => {
  it('grants SELECT on a share TO RECIPIENT, revokes a managed recipient\'s stray share, leaves an unmanaged one, then plans empty', async () => {
    const model = new DatabricksGrantModel();
    model.groups = new Set(['platform', 'admins']);
    model.recipients = new Set(['partner`hospital', 'other_partner']);
    const stray = JSON.stringify({ kind: 'SHARE', name: ['old share'], word: 'SELECT', principal: 'partner`hospital' });
    const foreign = JSON.stringify({ kind: 'SHARE', name: ['registry'], word: 'SELECT', principal: 'other_partner' });
    model.grants.add(stray);
    model.grants.add(foreign);
    const share = (name: string): ObjectRef => ({ kind: 'share', database: '', name });
    const desired: Desired = prepareDatabricksDesired({
      platform: 'databricks',
      roles: [{ key: roleKey('platform'), name: 'platform', state: 'present' }],
      users: ['partner`hospital'],
      recipients: ['partner`hospital'],
      memberships: [],
      grants: [makeGrant({ role: 'partner`hospital', privilege: 'select', object: share('registry') })],
      schemaWide: [],
      futureGrants: [],
    });
    const options = { mode: 'authoritative' as const, target: 'model', scope: scopeOf(desired), neverRevoke: planHooks('databricks').neverRevoke };
    const adapter = new DatabricksAdapter({ query: model.query, close: async () => undefined });
    const first = plan(desired, await adapter.introspect(introspectScopeOf(desired)), options);
    expect(first.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const statements = adapter.compile(first).map((s) => s.sql);
    expect(statements.sort()).toEqual([
      'GRANT SELECT ON SHARE `registry` TO RECIPIENT `partner``hospital`',
      'REVOKE SELECT ON SHARE `old share` FROM RECIPIENT `partner``hospital`',
    ]);
    expect((await adapter.apply(adapter.compile(first))).ok).toBe(true);
    const second = plan(desired, await adapter.introspect(introspectScopeOf(desired)), options);
    expect(second.changes).toEqual([]);
    expect(model.grants.has(foreign)).toBe(true);
    // A recipient that does not exist is a plan error, like a missing user.
    model.recipients.delete('partner`hospital');
    const missing = plan(desired, await adapter.introspect(introspectScopeOf(desired)), options);
    expect(missing.problems.map((p) => p.message)).toContainEqual(expect.stringMatching(/partner`hospital does not exist/));
  });
});
