// PostgreSQL's securable catalog, at the seams we own: golden SQL for every kind and
// privilege with hostile names and signatures, default privileges for every object type
// (per schema and global), signatures read and written the same way, and the catalog's
// own invariants.
import { beforeAll, describe, expect, it } from 'vitest';
import { compilePostgres } from '../../src/dialects/postgres/compile.js';
import { POSTGRES_CATALOG } from '../../src/dialects/postgres/catalog.js';
import { loadPostgresParser } from '../../src/dialects/postgres/expression.js';
import { canonicalPostgresSignature, signatureFromCatalog, signatureTypes, type SignatureType } from '../../src/dialects/postgres/signature.js';
import { catalogKinds, privilegeWords } from '../../src/model/catalog.js';
import { KIND_SHAPES } from '../../src/model/kinds.js';
import { makeObject } from '../../src/model/keys.js';
import type { ObjectRef, SecurableKind } from '../../src/model/types.js';
import type { Change } from '../../src/plan/types.js';

const ctx = { databases: { ehr: 'hospital_prod' } };
const H = 'x"; DROP TABLE y; --';
const c = (ch: Change) => compilePostgres(ch, ctx);
const grant = (object: ObjectRef, privileges: string[], extra: Partial<Change> = {}): Change => ({ kind: 'grant', role: 'Ana"lyst', privileges, object, ...extra }) as Change;

beforeAll(async () => {
  await loadPostgresParser();
});

describe('golden SQL for every PostgreSQL kind, hostile names', () => {
  const cases: [SecurableKind, ObjectRef, string][] = [
    ['database', makeObject('database', 'ehr'), 'DATABASE "hospital_prod"'],
    ['schema', makeObject('schema', 'ehr', H), `SCHEMA "x""; DROP TABLE y; --"`],
    ['table', makeObject('table', 'ehr', H, 'pa"tients'), `TABLE "x""; DROP TABLE y; --"."pa""tients"`],
    ['view', makeObject('view', 'ehr', 's', H), `TABLE "s"."x""; DROP TABLE y; --"`],
    ['materialized_view', makeObject('materialized_view', 'ehr', 's', 'mv'), 'TABLE "s"."mv"'],
    ['sequence', makeObject('sequence', 'ehr', 'billing', 'in"voice_seq'), 'SEQUENCE "billing"."in""voice_seq"'],
    ['function', makeObject('function', 'ehr', 'util', 'zip3', '(text, integer[], "my schema"."My Type")'), 'FUNCTION "util"."zip3"(text, integer[], "my schema"."My Type")'],
    ['procedure', makeObject('procedure', 'ehr', 'util', H, '()'), `PROCEDURE "util"."x""; DROP TABLE y; --"()`],
    ['type', makeObject('type', 'ehr', 'util', 'mood'), 'TYPE "util"."mood"'],
    ['domain', makeObject('domain', 'ehr', 'util', 'us_zip'), 'DOMAIN "util"."us_zip"'],
    ['foreign_data_wrapper', makeObject('foreign_data_wrapper', 'ehr', undefined, 'postgres_fdw'), 'FOREIGN DATA WRAPPER "postgres_fdw"'],
    ['foreign_server', makeObject('foreign_server', 'ehr', undefined, H), `FOREIGN SERVER "x""; DROP TABLE y; --"`],
  ];

  it('covers every kind of the catalog', () => {
    expect(cases.map(([k]) => k).sort()).toEqual(catalogKinds(POSTGRES_CATALOG).sort());
  });

  it.each(cases)('%s: every privilege, granted with the option and revoked', (kind, object, on) => {
    const words = privilegeWords(POSTGRES_CATALOG, kind);
    const sql = words.map((w) => POSTGRES_CATALOG.kinds[kind]!.privileges.find((p) => p.word === w)!.sql).join(', ');
    expect(c(grant(object, words))).toEqual([`GRANT ${sql} ON ${on} TO "Ana""lyst"`]);
    expect(c(grant(object, words, { grantOption: true }))).toEqual([`GRANT ${sql} ON ${on} TO "Ana""lyst" WITH GRANT OPTION`]);
    expect(c({ kind: 'revoke', role: 'PUBLIC', privileges: words, object })).toEqual([`REVOKE ${sql} ON ${on} FROM PUBLIC`]);
    expect(c({ kind: 'revoke', role: 'r', privileges: [words[0]], object, grantOptionOnly: true, cascade: true })).toEqual([
      `REVOKE GRANT OPTION FOR ${sql.split(', ')[0]} ON ${on} FROM "r" CASCADE`,
    ]);
  });

  it('refuses a privilege the kind does not take, naming it', () => {
    expect(() => c(grant(makeObject('sequence', 'ehr', 's', 'q'), ['insert']))).toThrow(/insert.*sequence/);
    expect(() => c(grant(makeObject('function', 'ehr', 's', 'f', '(text)'), ['select']))).toThrow(/select.*function/);
  });

  it('refuses a routine signature that is not canonical (never reaches SQL as written)', () => {
    expect(() => c(grant(makeObject('function', 'ehr', 's', 'f', '(text); DROP TABLE x; --'), ['execute']))).toThrow();
  });
});

describe('default privileges for every object type', () => {
  const schema = makeObject('schema', 'ehr', 'we"ird');
  const database = makeObject('database', 'ehr');
  const cases: [string, Change, string][] = [
    ['tables in a schema', { kind: 'grantFuture', role: 'r', privileges: ['select'], schema, objectType: 'tables', forRole: 'lo"ader' }, 'ALTER DEFAULT PRIVILEGES FOR ROLE "lo""ader" IN SCHEMA "we""ird" GRANT SELECT ON TABLES TO "r"'],
    ['sequences in a schema', { kind: 'grantFuture', role: 'r', privileges: ['usage', 'select'], schema, objectType: 'sequences' }, 'ALTER DEFAULT PRIVILEGES IN SCHEMA "we""ird" GRANT USAGE, SELECT ON SEQUENCES TO "r"'],
    ['functions in a schema, with the option', { kind: 'grantFuture', role: 'r', privileges: ['execute'], schema, objectType: 'functions', grantOption: true }, 'ALTER DEFAULT PRIVILEGES IN SCHEMA "we""ird" GRANT EXECUTE ON FUNCTIONS TO "r" WITH GRANT OPTION'],
    ['types in a schema', { kind: 'grantFuture', role: 'r', privileges: ['usage'], schema, objectType: 'types' }, 'ALTER DEFAULT PRIVILEGES IN SCHEMA "we""ird" GRANT USAGE ON TYPES TO "r"'],
    ['tables, database-wide (global form)', { kind: 'grantFuture', role: 'r', privileges: ['select'], schema: database, objectType: 'tables', forRole: 'c' }, 'ALTER DEFAULT PRIVILEGES FOR ROLE "c" GRANT SELECT ON TABLES TO "r"'],
    ['schemas, database-wide only', { kind: 'grantFuture', role: 'r', privileges: ['usage'], schema: database, objectType: 'schemas' }, 'ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO "r"'],
    ["PUBLIC's built-in EXECUTE, revoked", { kind: 'revokeFuture', role: 'PUBLIC', privileges: ['execute'], schema: database, objectType: 'functions', forRole: 'postgres' }, 'ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC'],
  ];
  it.each(cases)('%s', (_n, change, want) => expect(c(change)).toEqual([want]));
});

describe('routine signatures', () => {
  it.each([
    [['text'], '(text)'],
    [['varchar(10)', 'int4', 'INTEGER[]'], '(character varying, integer, integer[])'],
    [['double precision', 'timestamptz'], '(double precision, timestamp with time zone)'],
    [['util.mood', '"My Schema"."My Type"'], '(util.mood, "My Schema"."My Type")'],
    [['OUT result text', 'IN zip text'], '(text)'],
    [[], '()'],
  ])('%j -> %s, and back', (types, want) => {
    const sig = canonicalPostgresSignature(types);
    expect(sig).toBe(want);
    const text = (t: SignatureType) => ('builtin' in t ? t.builtin : `"${t.schema}"."${t.name}"`) + (t.array ? '[]' : '');
    expect(canonicalPostgresSignature(signatureTypes(sig).map(text))).toBe(want);
  });

  it('asks for the schema of a type that is not built in', () => {
    expect(() => canonicalPostgresSignature(['mood'])).toThrow(/schema/);
  });

  it('reads the catalog rows into the same spelling', () => {
    expect(signatureFromCatalog([['pg_catalog', 'varchar', 'character varying', false], ['pg_catalog', 'int4', 'integer', true], ['My Schema', 'My Type', '"My Schema"."My Type"', false]])).toBe(
      '(character varying, integer[], "My Schema"."My Type")',
    );
  });
});

describe('the catalog', () => {
  it('gives every kind a shape, SQL words and snake_case privileges unique per kind', () => {
    for (const kind of catalogKinds(POSTGRES_CATALOG)) {
      const def = POSTGRES_CATALOG.kinds[kind]!;
      expect(KIND_SHAPES[kind]).toBeDefined();
      expect(def.sql).toMatch(/^[A-Z ]+$/);
      const words = def.privileges.flatMap((p) => [p.word, ...(p.aliases ?? [])]);
      expect(new Set(words).size).toBe(words.length);
      for (const w of words) expect(w).toMatch(/^[a-z][a-z0-9_]*$/);
    }
  });
});
