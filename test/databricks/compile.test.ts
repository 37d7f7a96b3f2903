import { describe, expect, it } from 'vitest';
import { compileDatabricks, compileDatabricksPlan } from '../../src/dialects/databricks/compile.js';
import { parseDatabricks } from '../../src/dialects/databricks/inspect.js';
import { databricksDialect } from '../../src/dialects/databricks/quote.js';
import type { ObjectRef } from '../../src/model/types.js';
import type { Change, Plan } from '../../src/plan/types.js';

const T = (d: string, s: string, n: string): ObjectRef => ({ kind: 'table', database: d, schema: s, name: n });
const S = (d: string, s: string): ObjectRef => ({ kind: 'schema', database: d, schema: s });
const D = (d: string): ObjectRef => ({ kind: 'database', database: d });
const planOf = (changes: Change[]): Plan => ({
  formatVersion: 1, platform: 'databricks', target: 't', mode: 'authoritative', changes, problems: [], liveFingerprint: '', summary: { add: 0, change: 0, remove: 0, destructive: 0 },
});

describe('databricks quoting', () => {
  it('normalizes every name to lower case', () => {
    expect(databricksDialect.normalize({ text: 'Foo', quoted: true })).toBe('foo');
    expect(databricksDialect.normalize({ text: 'CLINICAL', quoted: false })).toBe('clinical');
  });
  it.each([
    ['a`b', '`a``b`'],
    ['a"b', '`a"b`'],
    ['select', '`select`'],
    ['x; drop table y; --', '`x; drop table y; --`'],
    ['données_日本', '`données_日本`'],
  ])('quoteIdent(%j) = %s', (n, want) => expect(databricksDialect.quoteIdent(n)).toBe(want));
  it('limits names to 255 UTF-8 bytes', () => {
    expect(() => databricksDialect.quoteIdent('a'.repeat(255))).not.toThrow();
    expect(() => databricksDialect.quoteIdent('ü'.repeat(128))).toThrow(/256 bytes/);
  });
  it('escapes literals with backslashes', () => expect(databricksDialect.quoteLiteral("a'b\\c")).toBe("'a\\'b\\\\c'"));
});

const golden: [string, Change, string[]][] = [
  ['grant catalog', { kind: 'grant', role: 'clinical_analyst', privileges: ['usage', 'create'], object: D('ehr') }, ['GRANT USE CATALOG, CREATE SCHEMA ON CATALOG `ehr` TO `clinical_analyst`']],
  ['grant schema', { kind: 'grant', role: 'a`b', privileges: ['usage', 'create'], object: S('ehr', 'x; drop table y; --') }, ['GRANT USE SCHEMA, CREATE TABLE ON SCHEMA `ehr`.`x; drop table y; --` TO `a``b`']],
  ['grant table', { kind: 'grant', role: 'g', privileges: ['select', 'modify'], object: T('ehr', 'clinical', 'select') }, ['GRANT SELECT, MODIFY ON TABLE `ehr`.`clinical`.`select` TO `g`']],
  ['revoke table', { kind: 'revoke', role: 'g', privileges: ['select'], object: T('ehr', 'c', 't') }, ['REVOKE SELECT ON TABLE `ehr`.`c`.`t` FROM `g`']],
  ['grantFuture = schema-level privilege', { kind: 'grantFuture', role: 'g', privileges: ['select'], schema: S('ehr', 'c'), objectType: 'tables' }, ['GRANT SELECT ON SCHEMA `ehr`.`c` TO `g`']],
  ['revokeFuture', { kind: 'revokeFuture', role: 'g', privileges: ['select', 'modify'], schema: S('ehr', 'c'), objectType: 'tables' }, ['REVOKE SELECT, MODIFY ON SCHEMA `ehr`.`c` FROM `g`']],
  ['alterRole: groups have no comment', { kind: 'alterRole', role: 'g', from: {}, to: { description: 'x' } }, []],
];

describe('databricks golden SQL', () => {
  it.each(golden)('%s', (_n, change, want) => expect(compileDatabricks(change)).toEqual(want));
  it('refuses what SQL cannot do on Unity Catalog, loudly', () => {
    expect(() => compileDatabricks({ kind: 'createRole', role: 'g' })).toThrow(/SCIM|not possible/);
    expect(() => compileDatabricks({ kind: 'dropRole', role: 'g' })).toThrow(/not possible/);
    expect(() => compileDatabricks({ kind: 'grantMembership', role: 'g', member: 'u', memberKind: 'user' })).toThrow(/not possible/);
    expect(() => compileDatabricks({ kind: 'revokeMembership', role: 'g', member: 'u', memberKind: 'user' })).toThrow(/not possible/);
    expect(() => compileDatabricks({ kind: 'grant', role: 'g', privileges: ['insert'], object: T('a', 'b', 'c') })).toThrow(/insert/);
    expect(() => compileDatabricks({ kind: 'grant', role: 'g', privileges: ['select'], object: T('a', 'b', 'c'), columns: ['ssn'] })).toThrow(/column-level/);
  });
});

describe('databricks inheritance hook', () => {
  const rows = (schemaPrivileges: Record<string, unknown>[], tablePrivileges: Record<string, unknown>[] = [], catalogPrivileges: Record<string, unknown>[] = []) =>
    parseDatabricks(
      {
        groups: [{ name: 'g' }],
        catalogPrivileges,
        schemaPrivileges,
        tablePrivileges,
        schemata: [{ catalog_name: 'ehr', schema_name: 'c' }],
        tables: [
          { table_catalog: 'ehr', table_schema: 'c', table_name: 't1', table_type: 'MANAGED' },
          { table_catalog: 'ehr', table_schema: 'c', table_name: 't2', table_type: 'MANAGED' },
        ],
      },
      ['g'],
    );

  it('leaves out table grants covered by a schema-level grant in the same plan', () => {
    const out = compileDatabricksPlan(planOf([
      { kind: 'grant', role: 'g', privileges: ['select', 'modify'], object: T('ehr', 'c', 't1') },
      { kind: 'grantFuture', role: 'g', privileges: ['select'], schema: S('ehr', 'c'), objectType: 'tables' },
    ]));
    expect(out).toEqual([
      { sql: 'GRANT MODIFY ON TABLE `ehr`.`c`.`t1` TO `g`', changeIndex: 0 },
      { sql: 'GRANT SELECT ON SCHEMA `ehr`.`c` TO `g`', changeIndex: 1 },
    ]);
  });

  it('revoking a schema-level SELECT re-grants directly the tables the plan keeps, first', () => {
    const read = rows([{ grantee: 'g', catalog_name: 'ehr', schema_name: 'c', privilege_type: 'SELECT', inherited_from: 'NONE' }]);
    // Effective: select on the schema + select on t1, t2. Config keeps only t1.
    expect(read.grants.map((g) => g.key).sort()).toEqual(['grant:select:schema:ehr.c:role:g', 'grant:select:table:ehr.c.t1:role:g', 'grant:select:table:ehr.c.t2:role:g']);
    const out = compileDatabricksPlan(planOf([
      { kind: 'revoke', role: 'g', privileges: ['select'], object: S('ehr', 'c') },
      { kind: 'revoke', role: 'g', privileges: ['select'], object: T('ehr', 'c', 't2') },
    ]), read.provenance);
    expect(out.map((s) => s.sql)).toEqual(['GRANT SELECT ON TABLE `ehr`.`c`.`t1` TO `g`', 'REVOKE SELECT ON SCHEMA `ehr`.`c` FROM `g`']);
  });

  it('a revoke written as a future grant (a plan saved before 0.3) revokes the schema-level privilege', () => {
    const read = rows([{ grantee: 'g', catalog_name: 'ehr', schema_name: 'c', privilege_type: 'SELECT', inherited_from: 'NONE' }]);
    const out = compileDatabricksPlan(planOf([{ kind: 'revokeFuture', role: 'g', privileges: ['select'], schema: S('ehr', 'c'), objectType: 'tables' }]), read.provenance);
    expect(out.map((s) => s.sql)).toEqual(['REVOKE SELECT ON SCHEMA `ehr`.`c` FROM `g`']);
  });

  it('revoking part of ALL PRIVILEGES revokes it and re-grants the rest', () => {
    const read = rows([], [{ grantee: 'g', table_catalog: 'ehr', table_schema: 'c', table_name: 't1', privilege_type: 'ALL PRIVILEGES', inherited_from: 'NONE' }]);
    const out = compileDatabricksPlan(planOf([{ kind: 'revoke', role: 'g', privileges: ['modify'], object: T('ehr', 'c', 't1') }]), read.provenance);
    // ALL PRIVILEGES on a table is SELECT, MODIFY and APPLY TAG (never MANAGE).
    expect(out.map((s) => s.sql)).toEqual(['GRANT SELECT ON TABLE `ehr`.`c`.`t1` TO `g`', 'GRANT APPLY TAG ON TABLE `ehr`.`c`.`t1` TO `g`', 'REVOKE ALL PRIVILEGES ON TABLE `ehr`.`c`.`t1` FROM `g`']);
  });

  it('a catalog-level USE SCHEMA is revoked at the catalog', () => {
    const read = rows([], [], [{ grantee: 'g', catalog_name: 'ehr', privilege_type: 'USE SCHEMA', inherited_from: null }]);
    expect(read.grants.map((g) => g.key).sort()).toEqual(['grant:usage:schema:ehr.c:role:g', 'grant:use_schema:database:ehr:role:g']);
    const out = compileDatabricksPlan(planOf([{ kind: 'revoke', role: 'g', privileges: ['usage'], object: S('ehr', 'c') }, { kind: 'revoke', role: 'g', privileges: ['use_schema'], object: D('ehr') }]), read.provenance);
    expect(out.map((s) => s.sql)).toEqual(['REVOKE USE SCHEMA ON CATALOG `ehr` FROM `g`']);
  });

  it('a catalog-level grant in the plan covers the schema and table grants of the same word', () => {
    const out = compileDatabricksPlan(planOf([
      { kind: 'grant', role: 'g', privileges: ['use_schema', 'select'], object: D('ehr') },
      { kind: 'grant', role: 'g', privileges: ['usage', 'create'], object: S('ehr', 'c') },
      { kind: 'grant', role: 'g', privileges: ['select', 'modify'], object: T('ehr', 'c', 't1') },
      { kind: 'grant', role: 'h', privileges: ['select'], object: T('ehr', 'c', 't1') },
    ]));
    expect(out.map((s) => s.sql)).toEqual([
      'GRANT USE SCHEMA, SELECT ON CATALOG `ehr` TO `g`',
      'GRANT CREATE TABLE ON SCHEMA `ehr`.`c` TO `g`',
      'GRANT MODIFY ON TABLE `ehr`.`c`.`t1` TO `g`',
      'GRANT SELECT ON TABLE `ehr`.`c`.`t1` TO `h`',
    ]);
  });

  it('revoking an owner compiles to nothing: ownership is transferred, never revoked', () => {
    expect(compileDatabricks({ kind: 'revoke', role: 'g', privileges: ['ownership'], object: D('ehr') })).toEqual([]);
    expect(compileDatabricksPlan(planOf([{ kind: 'revoke', role: 'g', privileges: ['ownership', 'select'], object: T('ehr', 'c', 't1') }])).map((s) => s.sql)).toEqual(['REVOKE SELECT ON TABLE `ehr`.`c`.`t1` FROM `g`']);
  });
});
