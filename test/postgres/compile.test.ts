import { describe, expect, it } from 'vitest';
import { compilePostgres, decodeRoleComment, encodeRoleComment } from '../../src/dialects/postgres/compile.js';
import { normalize, postgresDialect, quoteIdent, quoteLiteral } from '../../src/dialects/postgres/quote.js';
import type { Change } from '../../src/plan/types.js';
import type { ObjectRef } from '../../src/model/types.js';
import { RbacError } from '../../src/model/errors.js';

const ctx = { databases: { ehr: 'hospital_prod' } };
const table = (schema: string, name: string): ObjectRef => ({ kind: 'table', database: 'ehr', schema, name });
const schema = (s: string): ObjectRef => ({ kind: 'schema', database: 'ehr', schema: s });
const c = (ch: Change) => compilePostgres(ch, ctx);

describe('quoteIdent', () => {
  const cases: [string, string][] = [
    ['plain', '"plain"'],
    ['a"b', '"a""b"'],
    ['Foo', '"Foo"'],
    ['select', '"select"'],
    ['x; drop table y; --', '"x; drop table y; --"'],
    ['café', '"café"'],
    ['患者', '"患者"'],
    ['""', '""""""'],
  ];
  for (const [input, want] of cases) it(`quotes ${JSON.stringify(input)}`, () => expect(quoteIdent(input)).toBe(want));

  it('accepts 63 bytes and rejects 64 bytes (Postgres would truncate silently)', () => {
    expect(quoteIdent('a'.repeat(63))).toBe(`"${'a'.repeat(63)}"`);
    expect(() => quoteIdent('a'.repeat(64))).toThrow(/64 bytes.*truncate/);
    // 21 three-byte characters = 63 bytes; one more is 66 bytes though only 22 characters.
    expect(quoteIdent('患'.repeat(21))).toBe(`"${'患'.repeat(21)}"`);
    expect(() => quoteIdent('患'.repeat(22))).toThrow(RbacError);
  });

  it('rejects NUL and the empty name', () => {
    expect(() => quoteIdent('a\u0000b')).toThrow(/NUL/);
    expect(() => quoteIdent('')).toThrow(/empty/);
  });
});

describe('quoteLiteral and normalize', () => {
  it('doubles single quotes and leaves backslashes (standard_conforming_strings)', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral('a\\b')).toBe("'a\\b'");
    expect(quoteLiteral("'; DROP ROLE x; --")).toBe("'''; DROP ROLE x; --'");
    expect(() => quoteLiteral('a\u0000')).toThrow(/NUL/);
  });
  it('folds unquoted ASCII to lower case and keeps quoted names', () => {
    expect(normalize({ text: 'Clinical_Analyst', quoted: false })).toBe('clinical_analyst');
    expect(normalize({ text: 'Clinical_Analyst', quoted: true })).toBe('Clinical_Analyst');
    expect(normalize({ text: 'CAFÉ', quoted: false })).toBe('cafÉ');
    expect(postgresDialect.maxIdentifierBytes).toBe(63);
  });
});

describe('role comments', () => {
  const round = [
    {},
    { description: 'Reads clinical tables' },
    { owner: 'privacy-office' },
    { description: 'line one\nowner: not-the-owner\n{"x":1}', owner: "o'brien" },
    { description: '' },
  ];
  for (const v of round) {
    it(`round-trips ${JSON.stringify(v)}`, () => expect(decodeRoleComment(encodeRoleComment(v))).toEqual(v));
  }
  it('keeps a hand-written comment whole as the description', () => {
    expect(decodeRoleComment('made by hand')).toEqual({ description: 'made by hand' });
    expect(decodeRoleComment('{"description": 3}')).toEqual({ description: '{"description": 3}' });
    expect(decodeRoleComment('{"other":"x"}')).toEqual({ description: '{"other":"x"}' });
    expect(decodeRoleComment(null)).toEqual({});
  });
});

describe('compilePostgres golden SQL', () => {
  it('createRole with and without a comment', () => {
    expect(c({ kind: 'createRole', role: 'clinical_analyst', description: "Analysts' role", owner: 'data-gov' })).toEqual([
      'CREATE ROLE "clinical_analyst" NOLOGIN',
      `COMMENT ON ROLE "clinical_analyst" IS '{"description":"Analysts'' role","owner":"data-gov"}'`,
    ]);
    expect(c({ kind: 'createRole', role: 'a"b' })).toEqual(['CREATE ROLE "a""b" NOLOGIN']);
  });
  it('alterRole sets or clears the comment', () => {
    expect(c({ kind: 'alterRole', role: 'Foo', from: {}, to: { description: 'x' } })).toEqual([
      `COMMENT ON ROLE "Foo" IS '{"description":"x"}'`,
    ]);
    expect(c({ kind: 'alterRole', role: 'Foo', from: { description: 'x' }, to: {} })).toEqual(['COMMENT ON ROLE "Foo" IS NULL']);
  });
  it('dropRole', () => expect(c({ kind: 'dropRole', role: 'x; drop table y; --' })).toEqual(['DROP ROLE "x; drop table y; --"']));
  it('memberships', () => {
    expect(c({ kind: 'grantMembership', role: 'select', member: 'café', memberKind: 'user' })).toEqual(['GRANT "select" TO "café"']);
    expect(c({ kind: 'revokeMembership', role: '患者', member: 'mallory', memberKind: 'user', reason: 'left' })).toEqual([
      'REVOKE "患者" FROM "mallory"',
    ]);
  });
  it('table grants and revokes, views alike, database part not emitted', () => {
    expect(c({ kind: 'grant', role: 'r', privileges: ['select', 'insert'], object: table('clinical', 'patients') })).toEqual([
      'GRANT SELECT, INSERT ON TABLE "clinical"."patients" TO "r"',
    ]);
    expect(
      c({ kind: 'revoke', role: 'r', privileges: ['delete'], object: { ...table('Clinical', 'v"w'), kind: 'view' } }),
    ).toEqual(['REVOKE DELETE ON TABLE "Clinical"."v""w" FROM "r"']);
  });
  it('column grants and revokes', () => {
    expect(c({ kind: 'grant', role: 'ds', privileges: ['select'], object: table('clinical', 'patients'), columns: ['patient_id', 'birth_year'] })).toEqual([
      'GRANT SELECT ("patient_id", "birth_year") ON TABLE "clinical"."patients" TO "ds"',
    ]);
    expect(c({ kind: 'revoke', role: 'ds', privileges: ['update'], object: table('s', 't'), columns: ['a"b'] })).toEqual([
      'REVOKE UPDATE ("a""b") ON TABLE "s"."t" FROM "ds"',
    ]);
  });
  it('PUBLIC is the keyword, not a quoted role', () => {
    expect(c({ kind: 'revoke', role: 'PUBLIC', privileges: ['select'], object: table('clinical', 'patients') })).toEqual([
      'REVOKE SELECT ON TABLE "clinical"."patients" FROM PUBLIC',
    ]);
    expect(c({ kind: 'grant', role: 'PUBLIC', privileges: ['usage'], object: schema('clinical') })).toEqual([
      'GRANT USAGE ON SCHEMA "clinical" TO PUBLIC',
    ]);
  });
  it('schema and database grants; the database name is mapped', () => {
    expect(c({ kind: 'grant', role: 'r', privileges: ['usage', 'create'], object: schema('billing') })).toEqual([
      'GRANT USAGE, CREATE ON SCHEMA "billing" TO "r"',
    ]);
    expect(c({ kind: 'grant', role: 'r', privileges: ['connect'], object: { kind: 'database', database: 'ehr' } })).toEqual([
      'GRANT CONNECT ON DATABASE "hospital_prod" TO "r"',
    ]);
    expect(
      compilePostgres({ kind: 'revoke', role: 'r', privileges: ['temporary'], object: { kind: 'database', database: 'Other' } }, {}),
    ).toEqual(['REVOKE TEMPORARY ON DATABASE "Other" FROM "r"']);
  });
  it('future grants, with and without FOR ROLE', () => {
    expect(c({ kind: 'grantFuture', role: 'r', privileges: ['select'], schema: schema('clinical'), objectType: 'tables', forRole: 'etl loader' })).toEqual([
      'ALTER DEFAULT PRIVILEGES FOR ROLE "etl loader" IN SCHEMA "clinical" GRANT SELECT ON TABLES TO "r"',
    ]);
    expect(c({ kind: 'revokeFuture', role: 'r', privileges: ['select', 'insert'], schema: schema('clinical'), objectType: 'tables' })).toEqual([
      'ALTER DEFAULT PRIVILEGES IN SCHEMA "clinical" REVOKE SELECT, INSERT ON TABLES FROM "r"',
    ]);
  });
  it('refuses privileges outside the closed table and names Postgres would truncate', () => {
    expect(() => c({ kind: 'grant', role: 'r', privileges: ['modify'], object: table('s', 't') })).toThrow(/cannot be granted/);
    expect(() => c({ kind: 'grant', role: 'r', privileges: ['usage'], object: table('s', 't') })).toThrow(/cannot be granted/);
    expect(() => c({ kind: 'grant', role: 'r', privileges: ['delete'], object: table('s', 't'), columns: ['a'] })).toThrow(/columns/);
    expect(() => c({ kind: 'grant', role: 'r', privileges: ['select'], object: table('s', 't'), columns: [] })).toThrow(/without columns/);
    expect(() => c({ kind: 'grant', role: 'r', privileges: [], object: table('s', 't') })).toThrow(/without privileges/);
    expect(() => c({ kind: 'createRole', role: 'x'.repeat(64) })).toThrow(/truncate/);
    // A privilege string smuggled past the type system never reaches SQL.
    expect(() => c({ kind: 'grant', role: 'r', privileges: ['select; DROP TABLE x' as never], object: table('s', 't') })).toThrow(RbacError);
  });
  it('fails loudly on an unknown change kind', () => {
    expect(() => c({ kind: 'bogus' } as unknown as Change)).toThrow(/unhandled variant/);
  });
});
