import { describe, expect, it } from 'vitest';
import { compileSnowflake } from '../../src/dialects/snowflake/compile.js';
import { decodeRoleComment, encodeRoleComment, parseQualifiedName, snowflakeDialect } from '../../src/dialects/snowflake/quote.js';
import type { Change } from '../../src/plan/types.js';
import type { ObjectRef } from '../../src/model/types.js';

const T = (database: string, schema: string, name: string, isView?: boolean): ObjectRef => ({ kind: isView ? 'view' : 'table', database, schema, name });
const S = (database: string, schema: string): ObjectRef => ({ kind: 'schema', database, schema });
const D = (database: string): ObjectRef => ({ kind: 'database', database });

describe('snowflake quoting', () => {
  it('normalizes unquoted to upper case, keeps quoted', () => {
    expect(snowflakeDialect.normalize({ text: 'clinical_analyst', quoted: false })).toBe('CLINICAL_ANALYST');
    expect(snowflakeDialect.normalize({ text: 'Foo', quoted: true })).toBe('Foo');
  });
  it.each([
    ['a"b', '"a""b"'],
    ['a`b', '"a`b"'],
    ['Foo', '"Foo"'],
    ['select', '"select"'],
    ['x; drop table y; --', '"x; drop table y; --"'],
    ['Patienté_日本', '"Patienté_日本"'],
  ])('quoteIdent(%j) = %s', (name, want) => expect(snowflakeDialect.quoteIdent(name)).toBe(want));
  it('rejects names over 255 bytes, counting UTF-8 bytes', () => {
    expect(snowflakeDialect.quoteIdent('a'.repeat(255))).toHaveLength(257);
    expect(() => snowflakeDialect.quoteIdent('a'.repeat(256))).toThrow(/256 bytes/);
    expect(() => snowflakeDialect.quoteIdent('é'.repeat(128))).toThrow(/256 bytes/);
    expect(() => snowflakeDialect.quoteIdent('')).toThrow(/empty/);
  });
  it('quotes literals: quotes doubled, backslashes escaped', () => {
    expect(snowflakeDialect.quoteLiteral("it's \\ fine")).toBe("'it''s \\\\ fine'");
  });
  it('parses dotted names as SHOW prints them', () => {
    expect(parseQualifiedName('EHR.CLINICAL."Mixed"')).toEqual(['EHR', 'CLINICAL', 'Mixed']);
    expect(parseQualifiedName('"my db"."a.b"."x""y"')).toEqual(['my db', 'a.b', 'x"y']);
    expect(() => parseQualifiedName('EHR."open')).toThrow(/unterminated/);
  });
  it('role comments round-trip whatever they hold', () => {
    const meta = { description: `PHI "analyst"; it's \\ rbac:{}`, owner: 'data-platform' };
    expect(decodeRoleComment(encodeRoleComment(meta))).toEqual(meta);
    expect(decodeRoleComment('hand written')).toEqual({ description: 'hand written' });
    expect(encodeRoleComment({})).toBeUndefined();
  });
});

const golden: [string, Change, string[]][] = [
  ['createRole with comment', { kind: 'createRole', role: 'CLINICAL_ANALYST', description: "Reads PHI; it's audited", owner: 'data-platform' }, [
    `CREATE ROLE IF NOT EXISTS "CLINICAL_ANALYST" COMMENT = 'rbac:{"description":"Reads PHI; it''s audited","owner":"data-platform"}'`,
  ]],
  ['createRole bare', { kind: 'createRole', role: 'a"b' }, ['CREATE ROLE IF NOT EXISTS "a""b"']],
  ['alterRole set', { kind: 'alterRole', role: 'Foo', from: {}, to: { description: 'x' } }, [`ALTER ROLE "Foo" SET COMMENT = 'rbac:{"description":"x"}'`]],
  ['alterRole unset', { kind: 'alterRole', role: 'Foo', from: { description: 'x' }, to: {} }, ['ALTER ROLE "Foo" UNSET COMMENT']],
  ['dropRole', { kind: 'dropRole', role: 'x; drop table y; --' }, ['DROP ROLE IF EXISTS "x; drop table y; --"']],
  ['grantMembership user', { kind: 'grantMembership', role: 'CLINICAL_ANALYST', member: 'alice@example.org', memberKind: 'user' }, ['GRANT ROLE "CLINICAL_ANALYST" TO USER "alice@example.org"']],
  ['grantMembership role', { kind: 'grantMembership', role: 'PHI_READER', member: 'select', memberKind: 'role' }, ['GRANT ROLE "PHI_READER" TO ROLE "select"']],
  ['revokeMembership', { kind: 'revokeMembership', role: 'R', member: 'U', memberKind: 'user' }, ['REVOKE ROLE "R" FROM USER "U"']],
  ['grant database', { kind: 'grant', role: 'R', privileges: ['usage', 'create'], object: D('EHR') }, ['GRANT USAGE, CREATE SCHEMA ON DATABASE "EHR" TO ROLE "R"']],
  ['grant schema', { kind: 'grant', role: 'R', privileges: ['usage', 'create'], object: S('EHR', 'a`b') }, ['GRANT USAGE, CREATE TABLE ON SCHEMA "EHR"."a`b" TO ROLE "R"']],
  ['grant table', { kind: 'grant', role: 'R', privileges: ['select', 'insert', 'update', 'delete', 'truncate', 'references'], object: T('EHR', 'CLINICAL', 'Patienté') }, [
    'GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES ON TABLE "EHR"."CLINICAL"."Patienté" TO ROLE "R"',
  ]],
  ['grant view', { kind: 'grant', role: 'R', privileges: ['select'], object: T('EHR', 'CLINICAL', 'V', true) }, ['GRANT SELECT ON VIEW "EHR"."CLINICAL"."V" TO ROLE "R"']],
  ['grant ownership is a transfer', { kind: 'grant', role: 'R', privileges: ['select', 'ownership'], object: T('EHR', 'C', 'T') }, [
    'GRANT SELECT ON TABLE "EHR"."C"."T" TO ROLE "R"',
    'GRANT OWNERSHIP ON TABLE "EHR"."C"."T" TO ROLE "R" COPY CURRENT GRANTS',
  ]],
  ['revoke table', { kind: 'revoke', role: 'R', privileges: ['select', 'insert'], object: T('EHR', 'C', 'T') }, ['REVOKE SELECT, INSERT ON TABLE "EHR"."C"."T" FROM ROLE "R"']],
  ['revoke keeps ownership out', { kind: 'revoke', role: 'R', privileges: ['usage', 'ownership'], object: D('EHR') }, ['REVOKE USAGE ON DATABASE "EHR" FROM ROLE "R"']],
  ['revoke of ownership alone compiles to nothing', { kind: 'revoke', role: 'R', privileges: ['ownership'], object: T('EHR', 'C', 'T') }, []],
  ['grantFuture', { kind: 'grantFuture', role: 'R', privileges: ['select'], schema: S('EHR', 'CLINICAL'), objectType: 'tables' }, ['GRANT SELECT ON FUTURE TABLES IN SCHEMA "EHR"."CLINICAL" TO ROLE "R"']],
  ['revokeFuture', { kind: 'revokeFuture', role: 'R', privileges: ['select', 'insert'], schema: S('EHR', 'CLINICAL'), objectType: 'tables' }, ['REVOKE SELECT, INSERT ON FUTURE TABLES IN SCHEMA "EHR"."CLINICAL" FROM ROLE "R"']],
];

describe('snowflake golden SQL', () => {
  it.each(golden)('%s', (_name, change, want) => expect(compileSnowflake(change)).toEqual(want));
  it('covers every change kind', () => {
    const kinds = new Set(golden.map(([, c]) => c.kind));
    expect([...kinds].sort()).toEqual(['alterRole', 'createRole', 'dropRole', 'grant', 'grantFuture', 'grantMembership', 'revoke', 'revokeFuture', 'revokeMembership']);
  });
  it('refuses what Snowflake cannot do', () => {
    expect(() => compileSnowflake({ kind: 'grant', role: 'R', privileges: ['select'], object: T('D', 'S', 'T'), columns: ['SSN'] })).toThrow(/column-level/);
    expect(() => compileSnowflake({ kind: 'grant', role: 'R', privileges: ['modify'], object: T('D', 'S', 'T') })).toThrow(/modify/);
    expect(() => compileSnowflake({ kind: 'grantFuture', role: 'R', privileges: ['select'], schema: S('D', 'S'), objectType: 'tables', forRole: 'X' })).toThrow(/forRole/);
    expect(() => compileSnowflake({ kind: 'createRole', role: 'x'.repeat(256) })).toThrow(/255-byte/);
  });
});
