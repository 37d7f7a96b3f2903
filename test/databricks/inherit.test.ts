/**
 * Inheritance on the desired side (src/plan/inherit.ts) and `objects:` where privileges
 * inherit down: table-driven planner cases against a live state shaped as the reader
 * makes it.
 */
import { describe, expect, it } from 'vitest';
import { compileDatabricksPlan } from '../../src/dialects/databricks/compile.js';
import { parseDatabricks } from '../../src/dialects/databricks/inspect.js';
import { makeFutureGrant, makeGrant, roleKey } from '../../src/model/keys.js';
import type { Desired, Live, ObjectRef, SchemaWideGrant } from '../../src/model/types.js';
import { plan } from '../../src/plan/plan.js';
import { scopeOf } from '../../src/plan/scope.js';

const S = (s: string): ObjectRef => ({ kind: 'schema', database: 'ehr', schema: s });
const D: ObjectRef = { kind: 'database', database: 'ehr' };
const OBJECTS: ObjectRef[] = [
  S('clinical'), S('ml'),
  { kind: 'table', database: 'ehr', schema: 'clinical', name: 'patients' },
  { kind: 'view', database: 'ehr', schema: 'clinical', name: 'encounters_v' },
  { kind: 'volume', database: 'ehr', schema: 'ml', name: 'images' },
  { kind: 'function', database: 'ehr', schema: 'ml', name: 'score' },
];
const live = (grants: Live['grants'] = [], futureGrants: Live['futureGrants'] = []): Live => ({
  platform: 'databricks', roles: [{ name: 'g', isUser: false }], memberships: [], grants, futureGrants,
  schemas: OBJECTS.filter((o) => o.kind === 'schema'), tables: [], objects: OBJECTS,
});
const desired = (schemaWide: SchemaWideGrant[], grants: Desired['grants'] = []): Desired => ({
  platform: 'databricks', roles: [{ key: roleKey('g'), name: 'g', state: 'present' }], users: [], memberships: [], grants, schemaWide, futureGrants: [],
});
const run = (d: Desired, l: Live) => {
  const p = plan(d, l, { mode: 'authoritative', target: 't', scope: scopeOf(d), neverRevoke: ['ownership'] });
  return { p, sql: compileDatabricksPlan(p).map((s) => s.sql) };
};

describe('objects: where privileges inherit down', () => {
  it.each([
    ['objects: [tables] + select on a catalog: the catalog-level grant', D, 'select', ['table'], ['GRANT SELECT ON CATALOG `ehr` TO `g`']],
    ['objects: [tables] + select on a schema: the schema-level grant', S('clinical'), 'select', ['table'], ['GRANT SELECT ON SCHEMA `ehr`.`clinical` TO `g`']],
    ['objects: [volumes] + read_volume on a catalog', D, 'read_volume', ['volume'], ['GRANT READ VOLUME ON CATALOG `ehr` TO `g`']],
    ['objects: [functions, models] + execute on a schema', S('ml'), 'execute', ['function', 'model'], ['GRANT EXECUTE ON SCHEMA `ehr`.`ml` TO `g`']],
    ['objects: [schemas] + usage on a catalog: USE SCHEMA on it', D, 'usage', ['schema'], ['GRANT USE SCHEMA ON CATALOG `ehr` TO `g`']],
  ] as const)('%s', (_n, container, privilege, kinds, want) => {
    const { p, sql } = run(desired([{ role: 'g', privilege, schema: container, kinds: [...kinds], future: true }]), live());
    expect(sql).toEqual(want);
    expect(p.problems).toEqual([]);
  });

  it('a grant that covers only part of what the keyword reaches is granted per object, with a warning', () => {
    const { p, sql } = run(desired([{ role: 'g', privilege: 'select', schema: S('clinical'), kinds: ['view'], future: true }]), live());
    expect(sql).toEqual(['GRANT SELECT ON TABLE `ehr`.`clinical`.`encounters_v` TO `g`']);
    expect(p.problems.map((x) => x.message)).toEqual([expect.stringMatching(/future objects are not covered \(a schema-level SELECT would also reach its tables and materialized_views and streaming_tables\)/)]);
  });

  it('future: false grants the existing objects only, silently', () => {
    const { p, sql } = run(desired([{ role: 'g', privilege: 'select', schema: D, kinds: ['table'], future: false }]), live());
    expect([...sql].sort()).toEqual(['GRANT SELECT ON TABLE `ehr`.`clinical`.`encounters_v` TO `g`', 'GRANT SELECT ON TABLE `ehr`.`clinical`.`patients` TO `g`']);
    expect(p.problems).toEqual([]);
  });
});

describe('catalog-level grants against what the reader reads', () => {
  const rows = (catalogPrivileges: Record<string, unknown>[]) =>
    parseDatabricks(
      {
        groups: [{ name: 'g' }], catalogPrivileges, schemaPrivileges: [], tablePrivileges: [],
        schemata: [{ catalog_name: 'ehr', schema_name: 'clinical' }, { catalog_name: 'ehr', schema_name: 'ml' }],
        tables: [{ table_catalog: 'ehr', table_schema: 'clinical', table_name: 'patients', table_type: 'MANAGED' }, { table_catalog: 'ehr', table_schema: 'clinical', table_name: 'encounters_v', table_type: 'VIEW' }],
        volumes: [{ volume_catalog: 'ehr', volume_schema: 'ml', volume_name: 'images' }],
        functions: [{ routine_catalog: 'ehr', routine_schema: 'ml', routine_name: 'score' }],
      },
      ['g'],
    );
  const asLive = (r: ReturnType<typeof rows>): Live => ({ ...live(r.grants), objects: r.objects });

  it('a desired catalog-level SELECT held live plans nothing', () => {
    const r = rows([{ grantee: 'g', catalog_name: 'ehr', privilege_type: 'SELECT', inherited_from: 'NONE' }]);
    const { p } = run(desired([], [makeGrant({ role: 'g', privilege: 'select', object: D })]), asLive(r));
    expect(p.changes).toEqual([]);
  });

  it('a desired table SELECT covered by a live catalog SELECT the configuration does not want: re-granted directly first, then revoked at the catalog', () => {
    const r = rows([{ grantee: 'g', catalog_name: 'ehr', privilege_type: 'SELECT', inherited_from: 'NONE' }]);
    const p = plan(desired([], [makeGrant({ role: 'g', privilege: 'select', object: { kind: 'table', database: 'ehr', schema: 'clinical', name: 'patients' } })]), asLive(r), {
      mode: 'authoritative', target: 't', scope: scopeOf(desired([])), neverRevoke: ['ownership'],
    });
    expect(compileDatabricksPlan(p, r.provenance).map((s) => s.sql)).toEqual(['GRANT SELECT ON TABLE `ehr`.`clinical`.`patients` TO `g`', 'REVOKE SELECT ON CATALOG `ehr` FROM `g`']);
  });

  it('a recorded live state from before 0.3 (a schema-level SELECT as a future grant) reads as the schema grant', () => {
    const future = makeFutureGrant({ role: 'g', privilege: 'select', schema: S('clinical'), objectType: 'tables' });
    const tables = ['patients', 'encounters_v'].map((name) => makeGrant({ role: 'g', privilege: 'select', object: { kind: 'table', database: 'ehr', schema: 'clinical', name } }));
    const d = desired([{ role: 'g', privilege: 'select', schema: S('clinical'), kinds: ['table'], future: true }]);
    expect(run(d, live(tables, [future])).p.changes).toEqual([]);
    // Without the future record the schema-level grant is missing, and planned.
    expect(run(d, live(tables)).sql).toEqual(['GRANT SELECT ON SCHEMA `ehr`.`clinical` TO `g`']);
  });
});
