// The Snowflake test double (grant-model.ts) on its own: it must speak every kind the
// catalog compiles, answer SHOW with the documented shapes, refuse what Snowflake
// refuses, and apply future grants by Snowflake's precedence rule. The convergence
// properties trust it, so it is checked here against the statements our compiler emits
// and against the real readers.
import { describe, expect, it } from 'vitest';
import { SNOWFLAKE_CATALOG } from '../../src/dialects/snowflake/catalog.js';
import { compileSnowflake } from '../../src/dialects/snowflake/compile.js';
import { parseFutureGrants, parseGrantsOn, parseGrantsToRole, parseRoutineName } from '../../src/dialects/snowflake/inspect.js';
import { catalogKinds, privilegeWords } from '../../src/model/catalog.js';
import { makeObject } from '../../src/model/keys.js';
import type { ObjectRef, SecurableKind } from '../../src/model/types.js';
import { FUTURE_TYPES, KINDS, SnowflakeGrantModel, accountRole, databaseRole, type SfObject } from './grant-model.js';

const H = 'x"; DROP. TABLE y; --';

/** A double with database EHR (schemas S, `H`), a shared database, a warehouse, an integration, roles R and L, user U. */
function account(): SnowflakeGrantModel {
  const m = new SnowflakeGrantModel({ seed: 7 });
  m.addDatabase('EHR');
  m.addDatabase('OTHER');
  m.addDatabase('SNOWFLAKE', { shared: true });
  m.addSchema('EHR', 'S');
  m.addSchema('EHR', H);
  m.addSchema('OTHER', 'S');
  m.addAccountObject('WAREHOUSE', H);
  m.addAccountObject('INTEGRATION', 'S3_INT');
  m.addUser('U');
  m.exec('CREATE ROLE IF NOT EXISTS "R"');
  m.exec('CREATE ROLE IF NOT EXISTS "L"');
  m.exec('CREATE DATABASE ROLE IF NOT EXISTS "EHR"."DR"');
  return m;
}

const sfKind = (k: SecurableKind) => k.toUpperCase().replace(/_/g, ' ');
const sig = (k: SecurableKind) => (k === 'function' || k === 'procedure' ? '(VARCHAR, NUMBER(38,0))' : undefined);
/** An object of each catalog kind, and the same object as the double stores it. */
function objectOf(kind: SecurableKind): { ref: ObjectRef; sf: SfObject } {
  switch (kind) {
    case 'account':
      return { ref: makeObject('account', ''), sf: { kind: 'ACCOUNT' } };
    case 'warehouse':
    case 'integration':
      return { ref: makeObject(kind, '', undefined, kind === 'warehouse' ? H : 'S3_INT'), sf: { kind: sfKind(kind), name: kind === 'warehouse' ? H : 'S3_INT' } };
    case 'database':
      return { ref: makeObject('database', 'EHR'), sf: { kind: 'DATABASE', database: 'EHR' } };
    case 'schema':
      return { ref: makeObject('schema', 'EHR', H), sf: { kind: 'SCHEMA', database: 'EHR', schema: H } };
    default:
      return {
        ref: makeObject(kind, 'EHR', H, `${kind} ${H}`, sig(kind)),
        sf: { kind: sfKind(kind), database: 'EHR', schema: H, name: `${kind} ${H}`, ...(sig(kind) ? { args: ['VARCHAR', 'NUMBER(38,0)'] } : {}) },
      };
  }
}

describe('the double speaks every kind of the catalog', () => {
  it('knows every kind word and every future type the catalog compiles', () => {
    for (const k of catalogKinds(SNOWFLAKE_CATALOG)) {
      const def = SNOWFLAKE_CATALOG.kinds[k]!;
      expect(KINDS[def.sql], def.sql).toBeDefined();
      if (def.future) expect(FUTURE_TYPES.get(def.future.sql ?? def.future.type.toUpperCase()), def.future.type).toBe(def.sql);
    }
  });

  it.each(catalogKinds(SNOWFLAKE_CATALOG))('%s: every privilege granted with the option, read back by the real reader, then revoked', (kind) => {
    const m = account();
    const { ref, sf } = objectOf(kind);
    if (KINDS[sf.kind].level === 'object') m.addObject(sf);
    // IMPORTED PRIVILEGES goes on a shared database only (below).
    const privileges = privilegeWords(SNOWFLAKE_CATALOG, kind).filter((p) => p !== 'ownership' && p !== 'imported_privileges');
    for (const sql of compileSnowflake({ kind: 'grant', role: 'R', privileges, object: ref, grantOption: true })) m.exec(sql);
    const read = parseGrantsToRole('R', m.exec('SHOW GRANTS TO ROLE "R"'));
    expect(read.ignored).toEqual([]);
    expect(read.grants.map((g) => [g.privilege, g.grantOption]).sort()).toEqual(privileges.map((p) => [p, true]).sort());
    expect(new Set(read.grants.map((g) => JSON.stringify({ ...g.object, kind: undefined })))).toEqual(new Set([JSON.stringify({ ...ref, kind: undefined })]));
    for (const sql of compileSnowflake({ kind: 'revoke', role: 'R', privileges, object: ref, grantOptionOnly: true })) m.exec(sql);
    expect(parseGrantsToRole('R', m.exec('SHOW GRANTS TO ROLE "R"')).grants.every((g) => !g.grantOption)).toBe(true);
    for (const sql of compileSnowflake({ kind: 'revoke', role: 'R', privileges, object: ref })) m.exec(sql);
    expect(m.heldBy(accountRole('R'))).toEqual([]);
  });

  it('prints granted_on with underscores and a routine in both SHOW formats, both read to one signature', () => {
    const m = account();
    const f: SfObject = { kind: 'FUNCTION', database: 'EHR', schema: 'S', name: 'Zip 3', args: ['VARCHAR', 'NUMBER(38,0)'] };
    m.addObject(f);
    m.addObject({ kind: 'FILE FORMAT', database: 'EHR', schema: 'S', name: 'CSV' });
    m.exec('GRANT USAGE ON FUNCTION "EHR"."S"."Zip 3"(VARCHAR, NUMBER(38,0)) TO ROLE "R"');
    m.exec('GRANT USAGE ON FILE FORMAT "EHR"."S"."CSV" TO ROLE "R"');
    const names = new Set<string>();
    for (let i = 0; i < 20; i++) for (const row of m.exec('SHOW GRANTS TO ROLE "R"')) if (row.granted_on === 'FUNCTION') names.add(String(row.name));
    expect([...names].sort()).toEqual(['EHR.S."Zip 3"(VARCHAR, NUMBER(38,0))', 'EHR.S."Zip 3(A1 VARCHAR, A2 NUMBER(38,0)):VARCHAR(16777216)"']);
    for (const n of names) expect(parseRoutineName(n)).toEqual({ parts: ['EHR', 'S', 'Zip 3'], signature: '(VARCHAR, NUMBER(38,0))' });
    expect(m.exec('SHOW GRANTS TO ROLE "R"').map((r) => r.granted_on).sort()).toEqual(['FILE_FORMAT', 'FUNCTION']);
  });

  it('lists IMPORTED PRIVILEGES on a shared database as USAGE, and the account by its locator', () => {
    const m = account();
    m.exec('GRANT IMPORTED PRIVILEGES ON DATABASE "SNOWFLAKE" TO ROLE "R"');
    m.exec('GRANT CREATE DATABASE, EXECUTE TASK ON ACCOUNT TO ROLE "R"');
    expect(m.exec('SHOW GRANTS TO ROLE "R"').map((r) => [r.privilege, r.granted_on, r.name])).toEqual([
      ['USAGE', 'DATABASE', 'SNOWFLAKE'],
      ['CREATE DATABASE', 'ACCOUNT', 'AB12345'],
      ['EXECUTE TASK', 'ACCOUNT', 'AB12345'],
    ]);
  });
});

describe('database roles in SHOW output', () => {
  it('names them bare where Snowflake does, qualified where it does', () => {
    const m = account();
    m.exec('CREATE DATABASE ROLE IF NOT EXISTS "EHR"."phi reader" COMMENT = \'c\'');
    m.exec('GRANT DATABASE ROLE "EHR"."DR" TO DATABASE ROLE "EHR"."phi reader"');
    m.exec('GRANT DATABASE ROLE "EHR"."phi reader" TO ROLE "R"');
    m.exec('GRANT USAGE ON SCHEMA "EHR"."S" TO DATABASE ROLE "EHR"."phi reader"');
    m.exec('GRANT SELECT ON FUTURE TABLES IN SCHEMA "EHR"."S" TO DATABASE ROLE "EHR"."phi reader"');
    const roles = m.exec('SHOW DATABASE ROLES IN DATABASE "EHR"');
    expect(Object.keys(roles[0])).toEqual(['created_on', 'name', 'is_default', 'is_current', 'is_inherited', 'granted_to_roles', 'granted_to_database_roles', 'granted_database_roles', 'owner', 'comment', 'owner_role_type']);
    expect(roles.map((r) => [r.name, r.granted_to_roles, r.granted_to_database_roles, r.granted_database_roles, r.comment])).toEqual([
      ['DR', 0, 1, 0, null],
      ['phi reader', 1, 0, 1, 'c'],
    ]);
    expect(m.exec('SHOW GRANTS TO DATABASE ROLE "EHR"."phi reader"').map((r) => [r.privilege, r.granted_on, r.name, r.granted_to, r.grantee_name])).toEqual([
      ['USAGE', 'SCHEMA', 'EHR.S', 'DATABASE_ROLE', 'phi reader'],
      ['USAGE', 'DATABASE_ROLE', 'EHR.DR', 'DATABASE_ROLE', 'phi reader'],
    ]);
    expect(m.exec('SHOW GRANTS TO ROLE "R"').map((r) => [r.granted_on, r.name])).toEqual([['DATABASE_ROLE', 'EHR."phi reader"']]);
    expect(m.exec('SHOW GRANTS OF DATABASE ROLE "EHR"."DR"').map((r) => [r.granted_to, r.grantee_name])).toEqual([['DATABASE_ROLE', 'phi reader']]);
    const futures = m.exec('SHOW FUTURE GRANTS IN SCHEMA "EHR"."S"');
    expect(futures).toEqual([{ created_on: expect.any(String), privilege: 'SELECT', grant_on: 'TABLE', name: 'EHR.S.<TABLE>', grant_to: 'DATABASE_ROLE', grantee_name: 'phi reader', grant_option: 'false' }]);
    expect(parseFutureGrants('EHR', 'S', futures).futureGrants.map((f) => f.key)).toEqual(['future:select:tables:schema:EHR.S:role:"EHR.phi reader"']);
  });
});

describe('what Snowflake refuses, the double refuses', () => {
  it.each([
    ['a database role granted to a user', 'GRANT DATABASE ROLE "EHR"."DR" TO USER "U"', '001003'],
    ['an account role granted to a database role', 'GRANT ROLE "R" TO DATABASE ROLE "EHR"."DR"', '001003'],
    ['a database role granted to a database role of another database', 'GRANT DATABASE ROLE "EHR"."DR" TO DATABASE ROLE "OTHER"."DR2"', '001003'],
    ['a database role holding privileges outside its database', 'GRANT USAGE ON SCHEMA "OTHER"."S" TO DATABASE ROLE "EHR"."DR"', '001003'],
    ['a database role holding privileges on the account', 'GRANT CREATE DATABASE ON ACCOUNT TO DATABASE ROLE "EHR"."DR"', '001003'],
    ['a database role holding privileges on a warehouse', `GRANT USAGE ON WAREHOUSE "${H.replace(/"/g, '""')}" TO DATABASE ROLE "EHR"."DR"`, '001003'],
    ['future grants to a database role of another database', 'GRANT SELECT ON FUTURE TABLES IN DATABASE "OTHER" TO DATABASE ROLE "EHR"."DR"', '001003'],
    ['granting a role that does not exist', 'GRANT ROLE "NOPE" TO ROLE "R"', '002003'],
    ['granting to a role that does not exist', 'GRANT USAGE ON DATABASE "EHR" TO ROLE "NOPE"', '002003'],
    ['a database role of a database that does not exist', 'CREATE DATABASE ROLE IF NOT EXISTS "NOPE"."DR"', '002003'],
    ['privileges on an object that does not exist', 'GRANT SELECT ON TABLE "EHR"."S"."NOPE" TO ROLE "R"', '002003'],
    ['future grants in a schema that does not exist', 'GRANT SELECT ON FUTURE TABLES IN SCHEMA "EHR"."NOPE" TO ROLE "R"', '002003'],
    ['privileges granted to a user', 'GRANT USAGE ON DATABASE "EHR" TO USER "U"', '001003'],
    ['OWNERSHIP in a list of privileges', 'GRANT USAGE, OWNERSHIP ON DATABASE "EHR" TO ROLE "R"', '001003'],
    ['OWNERSHIP revoked from an object', 'REVOKE OWNERSHIP ON DATABASE "EHR" FROM ROLE "SYSADMIN"', '001003'],
    ['OWNERSHIP of the account', 'GRANT OWNERSHIP ON ACCOUNT TO ROLE "R" COPY CURRENT GRANTS', '001003'],
    ['individual privileges on a shared database', 'GRANT USAGE ON DATABASE "SNOWFLAKE" TO ROLE "R"', '001003'],
    ['IMPORTED PRIVILEGES on a database of the account', 'GRANT IMPORTED PRIVILEGES ON DATABASE "EHR" TO ROLE "R"', '001003'],
  ])('%s', (_what, sql, code) => {
    const m = account();
    m.exec('CREATE DATABASE ROLE IF NOT EXISTS "OTHER"."DR2"');
    const before = JSON.stringify([...m.grants, ...m.memberships, ...m.futures]);
    expect(() => m.exec(sql)).toThrow(expect.objectContaining({ name: 'SnowflakeDriverError', code }));
    expect(JSON.stringify([...m.grants, ...m.memberships, ...m.futures])).toBe(before);
  });

  it('a grant that makes a cycle of roles, account or database roles alike', () => {
    const m = account();
    m.exec('GRANT ROLE "R" TO ROLE "L"');
    expect(() => m.exec('GRANT ROLE "L" TO ROLE "R"')).toThrow(expect.objectContaining({ code: '001003' }));
    expect(() => m.exec('GRANT ROLE "R" TO ROLE "R"')).toThrow(expect.objectContaining({ code: '001003' }));
    m.exec('CREATE DATABASE ROLE IF NOT EXISTS "EHR"."DR2"');
    m.exec('GRANT DATABASE ROLE "EHR"."DR" TO DATABASE ROLE "EHR"."DR2"');
    expect(() => m.exec('GRANT DATABASE ROLE "EHR"."DR2" TO DATABASE ROLE "EHR"."DR"')).toThrow(expect.objectContaining({ code: '001003' }));
  });
});

describe('ownership', () => {
  const T: SfObject = { kind: 'TABLE', database: 'EHR', schema: 'S', name: 'T' };
  it('has exactly one owner: GRANT OWNERSHIP ... COPY CURRENT GRANTS transfers it and keeps the grants', () => {
    const m = account();
    m.addObject(T);
    m.exec('GRANT SELECT ON TABLE "EHR"."S"."T" TO ROLE "L"');
    expect(() => m.exec('GRANT OWNERSHIP ON TABLE "EHR"."S"."T" TO ROLE "R"')).toThrow(expect.objectContaining({ code: '001003' }));
    m.exec('GRANT OWNERSHIP ON TABLE "EHR"."S"."T" TO ROLE "R" COPY CURRENT GRANTS');
    expect(m.ownerOf(T)).toEqual(accountRole('R'));
    expect(m.exec('SHOW GRANTS TO ROLE "SYSADMIN"').filter((r) => r.granted_on === 'TABLE')).toEqual([]);
    expect(m.exec('SHOW GRANTS TO ROLE "R"').map((r) => [r.privilege, r.granted_on, r.grant_option])).toEqual([['OWNERSHIP', 'TABLE', 'true']]);
    expect(m.grantOf(accountRole('L'), 'SELECT', T)).toBeDefined();
  });

  it("passes a dropped role's objects to the role that dropped it", () => {
    const m = account();
    m.addObject(T, 'R');
    m.query('DROP ROLE IF EXISTS "R"');
    expect(m.ownerOf(T)).toEqual(accountRole('SECURITYADMIN'));
    expect(m.hasRole(accountRole('R'))).toBe(false);
  });
});

describe("future grants: Snowflake's precedence rule at creation", () => {
  it('a schema with any future grant for a type takes only its own for that type, OWNERSHIP included', () => {
    const m = account();
    m.exec('GRANT SELECT ON FUTURE TABLES IN DATABASE "EHR" TO ROLE "R"');
    m.exec('GRANT SELECT ON FUTURE VIEWS IN DATABASE "EHR" TO ROLE "R"');
    m.exec('GRANT OWNERSHIP ON FUTURE TABLES IN DATABASE "EHR" TO ROLE "R"');
    m.exec(`GRANT INSERT ON FUTURE TABLES IN SCHEMA "EHR"."${H.replace(/"/g, '""')}" TO DATABASE ROLE "EHR"."DR" WITH GRANT OPTION`);
    const hidden = m.createObject({ kind: 'TABLE', database: 'EHR', schema: H, name: 'T' }, 'L');
    expect(m.grantOf(accountRole('R'), 'SELECT', hidden)).toBeUndefined();
    expect(m.grantOf(databaseRole('EHR', 'DR'), 'INSERT', hidden)).toMatchObject({ grantOption: true, grantedBy: 'L' });
    expect(m.ownerOf(hidden)).toEqual(accountRole('L'));
    // Another type in that schema, and the same type elsewhere, take the database's.
    const view = m.createObject({ kind: 'VIEW', database: 'EHR', schema: H, name: 'V' });
    expect(m.grantOf(accountRole('R'), 'SELECT', view)).toBeDefined();
    const elsewhere = m.createObject({ kind: 'TABLE', database: 'EHR', schema: 'S', name: 'T' });
    expect(m.grantOf(accountRole('R'), 'SELECT', elsewhere)).toMatchObject({ grantedBy: 'R' });
    expect(m.ownerOf(elsewhere)).toEqual(accountRole('R'));
  });

  it('keeps one future owner per type and container', () => {
    const m = account();
    m.exec('GRANT OWNERSHIP ON FUTURE STAGES IN SCHEMA "EHR"."S" TO ROLE "R"');
    m.exec('GRANT OWNERSHIP ON FUTURE STAGES IN SCHEMA "EHR"."S" TO ROLE "L"');
    expect(m.exec('SHOW FUTURE GRANTS IN SCHEMA "EHR"."S"').map((r) => [r.privilege, r.grant_on, r.grantee_name])).toEqual([['OWNERSHIP', 'STAGE', 'L']]);
    expect(m.ownerOf(m.createObject({ kind: 'STAGE', database: 'EHR', schema: 'S', name: 'ST' }))).toEqual(accountRole('L'));
  });

  it.each([...FUTURE_TYPES].filter(([type]) => type !== 'SCHEMAS'))('%s: granted and listed at both levels, reaching %s', (type, kind) => {
    const m = account();
    m.exec(`GRANT OWNERSHIP ON FUTURE ${type} IN DATABASE "EHR" TO ROLE "R"`);
    m.exec(`GRANT OWNERSHIP ON FUTURE ${type} IN SCHEMA "EHR"."S" TO ROLE "L"`);
    const on = kind.replace(/ /g, '_');
    expect(m.exec('SHOW FUTURE GRANTS IN DATABASE "EHR"').map((r) => [r.grant_on, r.name])).toEqual([[on, `EHR.<${on}>`]]);
    expect(m.exec('SHOW FUTURE GRANTS IN SCHEMA "EHR"."S"').map((r) => [r.grant_on, r.name])).toEqual([[on, `EHR.S.<${on}>`]]);
    const o: SfObject = { kind, database: 'EHR', schema: 'S', name: 'N', ...(KINDS[kind].routine ? { args: [] } : {}) };
    expect(m.ownerOf(m.createObject(o))).toEqual(accountRole('L'));
  });
});

describe("rbac's tool schema and the salt (CREATE SCHEMA|TABLE, INSERT, REVOKE ALL, SHOW GRANTS ON)", () => {
  const SETTINGS: SfObject = { kind: 'TABLE', database: 'EHR', schema: 'RBAC', name: 'SETTINGS' };
  it('the creator owns what it creates; FUTURE SCHEMAS of the database and the precedence rule apply; REVOKE ALL keeps ownership', () => {
    const m = account();
    m.exec('GRANT USAGE ON FUTURE SCHEMAS IN DATABASE "EHR" TO ROLE "R"');
    m.exec('GRANT SELECT ON FUTURE TABLES IN DATABASE "EHR" TO ROLE "R"');
    m.exec('GRANT INSERT ON FUTURE TABLES IN DATABASE "EHR" TO DATABASE ROLE "EHR"."DR"');
    m.exec(`CREATE SCHEMA IF NOT EXISTS "EHR"."RBAC" WITH MANAGED ACCESS COMMENT = 'made by rbac'`, 'L');
    m.exec('CREATE TABLE IF NOT EXISTS "EHR"."RBAC"."SETTINGS" ("SALT" VARCHAR NOT NULL)', 'L');
    expect(m.ownerOf({ kind: 'SCHEMA', database: 'EHR', schema: 'RBAC' })).toEqual(accountRole('L'));
    expect(m.grantOf(accountRole('R'), 'USAGE', { kind: 'SCHEMA', database: 'EHR', schema: 'RBAC' })).toMatchObject({ grantedBy: 'L' });
    const rows = m.exec('SHOW GRANTS ON TABLE "EHR"."RBAC"."SETTINGS"');
    expect(Object.keys(rows[0])).toEqual(['created_on', 'privilege', 'granted_on', 'name', 'granted_to', 'grantee_name', 'grant_option', 'granted_by']);
    expect(rows.map((r) => [r.privilege, r.granted_to, r.grantee_name, r.grant_option, r.granted_by])).toEqual([
      ['OWNERSHIP', 'ROLE', 'L', 'true', 'L'],
      ['SELECT', 'ROLE', 'R', 'false', 'L'],
      ['INSERT', 'DATABASE_ROLE', 'EHR.DR', 'false', 'L'],
    ]);
    const read = parseGrantsOn(rows);
    expect(read.grants.map((g) => g.key)).toEqual(['grant:select:table:EHR.RBAC.SETTINGS:role:R']);
    expect(read.ignored.map((g) => g.role)).toEqual(['EHR.DR']);
    // A schema with its own future grants for tables takes only those (the precedence rule).
    m.exec('GRANT SELECT ON FUTURE TABLES IN SCHEMA "EHR"."RBAC" TO ROLE "L"');
    m.exec('CREATE TABLE IF NOT EXISTS "EHR"."RBAC"."OTHER" ("X" VARCHAR)', 'R');
    expect(m.grantsOn({ ...SETTINGS, name: 'OTHER' }).map((g) => `${g.grantee.name}:${g.privilege}`)).toEqual(['R:OWNERSHIP', 'L:SELECT']);
    // A second CREATE changes nothing.
    m.exec('CREATE SCHEMA IF NOT EXISTS "EHR"."RBAC" COMMENT = \'other\'', 'R');
    expect(m.exec(`SELECT s.SCHEMA_NAME, s.COMMENT, t.TABLE_NAME FROM "EHR".INFORMATION_SCHEMA.SCHEMATA s LEFT JOIN "EHR".INFORMATION_SCHEMA.TABLES t ON t.TABLE_SCHEMA = s.SCHEMA_NAME AND t.TABLE_NAME = 'SETTINGS' WHERE s.SCHEMA_NAME = 'RBAC'`)).toEqual([
      { SCHEMA_NAME: 'RBAC', COMMENT: 'made by rbac', TABLE_NAME: 'SETTINGS' },
    ]);
    m.exec('REVOKE ALL PRIVILEGES ON TABLE "EHR"."RBAC"."SETTINGS" FROM ROLE "R"');
    m.exec('REVOKE ALL PRIVILEGES ON TABLE "EHR"."RBAC"."SETTINGS" FROM DATABASE ROLE "EHR"."DR"');
    m.exec('REVOKE ALL PRIVILEGES ON TABLE "EHR"."RBAC"."SETTINGS" FROM ROLE "L"');
    expect(m.grantsOn(SETTINGS).map((g) => `${g.grantee.name}:${g.privilege}`)).toEqual(['L:OWNERSHIP']);
    expect(() => m.exec('SHOW GRANTS ON TABLE "EHR"."RBAC"."NOPE"')).toThrow(expect.objectContaining({ code: '002003' }));
  });

  it('INSERT of the salt writes one row, generated here, into an empty table only', () => {
    const m = account();
    m.exec('CREATE SCHEMA IF NOT EXISTS "EHR"."RBAC"');
    m.exec('CREATE TABLE IF NOT EXISTS "EHR"."RBAC"."SETTINGS" ("SALT" VARCHAR NOT NULL)');
    const insert = `INSERT INTO "EHR"."RBAC"."SETTINGS" ("SALT") SELECT SHA2(CONCAT(UUID_STRING(), UUID_STRING(), RANDSTR(64, RANDOM())), 256) FROM (SELECT COUNT(*) AS N FROM "EHR"."RBAC"."SETTINGS") WHERE N = 0`;
    m.exec(insert);
    m.exec(insert);
    expect(m.madeTables.get(JSON.stringify(['EHR', 'RBAC', 'SETTINGS']))).toEqual([expect.stringMatching(/^salt-/)]);
    expect(() => m.exec(insert.replace(/SETTINGS/g, 'NOPE'))).toThrow(expect.objectContaining({ code: '002003' }));
    expect(() => m.exec('CREATE TABLE IF NOT EXISTS "EHR"."NOPE"."SETTINGS" ("SALT" VARCHAR NOT NULL)')).toThrow(expect.objectContaining({ code: '002003' }));
  });
});

describe('tags and tag-based masking', () => {
  const TAG = JSON.stringify(['EHR', 'S', 'PHI']);
  function tagged(): SnowflakeGrantModel {
    const m = account();
    m.addObject({ kind: 'TABLE', database: 'EHR', schema: 'S', name: 'T' });
    m.columns.set(JSON.stringify(['EHR', 'S', 'T']), [['MRN', 'TEXT']]);
    m.addObject({ kind: 'TAG', database: 'EHR', schema: 'S', name: 'PHI' });
    m.exec(`CREATE OR REPLACE MASKING POLICY "EHR"."S"."M" AS (VAL VARCHAR) RETURNS VARCHAR -> '***' COMMENT = 'c'`);
    return m;
  }

  it('a policy set on a tag masks the columns the tag is set on (POLICY_REFERENCES), and cannot be dropped while set', () => {
    const m = tagged();
    m.exec('ALTER TAG "EHR"."S"."PHI" SET MASKING POLICY "EHR"."S"."M"');
    m.exec(`ALTER TABLE "EHR"."S"."T" MODIFY COLUMN "MRN" SET TAG "EHR"."S"."PHI" = 'mrn'`);
    expect(m.columnTagValues.get(JSON.stringify(['EHR', 'S', 'T', 'MRN']))).toEqual(new Map([[TAG, 'mrn']]));
    const refs = m.exec(`SELECT POLICY_DB, POLICY_SCHEMA, POLICY_NAME, POLICY_KIND, REF_DATABASE_NAME, REF_SCHEMA_NAME, REF_ENTITY_NAME, REF_ENTITY_DOMAIN, REF_COLUMN_NAME, REF_ARG_COLUMN_NAMES, TAG_DATABASE, TAG_SCHEMA, TAG_NAME, POLICY_STATUS FROM TABLE("EHR".INFORMATION_SCHEMA.POLICY_REFERENCES(POLICY_NAME => '"EHR"."S"."M"'))`);
    expect(refs.map((r) => [r.REF_ENTITY_DOMAIN, r.REF_ENTITY_NAME, r.REF_COLUMN_NAME, r.TAG_NAME, r.POLICY_STATUS])).toEqual([
      ['TAG', 'PHI', null, null, null],
      ['TABLE', 'T', 'MRN', 'PHI', 'ACTIVE'],
    ]);
    expect(() => m.exec('DROP MASKING POLICY IF EXISTS "EHR"."S"."M"')).toThrow(expect.objectContaining({ code: '001003' }));
    expect(() => m.exec('ALTER TAG "EHR"."S"."PHI" SET MASKING POLICY "EHR"."S"."M"')).toThrow(expect.objectContaining({ code: '001003' }));
    m.exec('ALTER TAG "EHR"."S"."PHI" UNSET MASKING POLICY "EHR"."S"."M"');
    m.exec('DROP MASKING POLICY IF EXISTS "EHR"."S"."M"');
  });

  it('TAG_REFERENCES_ALL_COLUMNS: tags set on a column (LEVEL COLUMN) and on its table (LEVEL TABLE)', () => {
    const m = tagged();
    m.exec(`ALTER TABLE "EHR"."S"."T" MODIFY COLUMN "MRN" SET TAG "EHR"."S"."PHI" = 'mrn'`);
    m.tableTags.set(JSON.stringify(['EHR', 'S', 'T']), [[TAG, 'inherited']]);
    const rows = m.exec(`SELECT TAG_DATABASE, TAG_SCHEMA, TAG_NAME, TAG_VALUE, LEVEL, OBJECT_DATABASE, OBJECT_SCHEMA, OBJECT_NAME, DOMAIN, COLUMN_NAME FROM TABLE("EHR".INFORMATION_SCHEMA.TAG_REFERENCES_ALL_COLUMNS('"EHR"."S"."T"', 'table'))`);
    expect(rows.map((r) => [r.TAG_NAME, r.TAG_VALUE, r.LEVEL, r.COLUMN_NAME])).toEqual([['PHI', 'mrn', 'COLUMN', 'MRN'], ['PHI', 'inherited', 'TABLE', 'MRN']]);
    m.exec('ALTER TABLE "EHR"."S"."T" MODIFY COLUMN "MRN" UNSET TAG "EHR"."S"."PHI"');
    expect(m.columnTagValues.get(JSON.stringify(['EHR', 'S', 'T', 'MRN']))).toEqual(new Map());
  });

  it.each([
    ['a tag that does not exist', 'ALTER TAG "EHR"."S"."NOPE" SET MASKING POLICY "EHR"."S"."M"', '002003'],
    ['a policy that does not exist on a tag', 'ALTER TAG "EHR"."S"."PHI" SET MASKING POLICY "EHR"."S"."NOPE"', '002003'],
    ['a policy not set on the tag unset', 'ALTER TAG "EHR"."S"."PHI" UNSET MASKING POLICY "EHR"."S"."M"', '001003'],
    ['a tag that does not exist on a column', `ALTER TABLE "EHR"."S"."T" MODIFY COLUMN "MRN" SET TAG "EHR"."S"."NOPE" = 'x'`, '002003'],
    ['a tag on a column that does not exist', `ALTER TABLE "EHR"."S"."T" MODIFY COLUMN "NOPE" SET TAG "EHR"."S"."PHI" = 'x'`, '002003'],
    ['a tag not set on the column unset', 'ALTER TABLE "EHR"."S"."T" MODIFY COLUMN "MRN" UNSET TAG "EHR"."S"."PHI"', '001003'],
  ])('refuses %s', (_what, sql, code) => {
    const m = tagged();
    expect(() => m.exec(sql)).toThrow(expect.objectContaining({ name: 'SnowflakeDriverError', code }));
  });
});
