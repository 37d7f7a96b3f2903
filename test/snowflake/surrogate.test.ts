/**
 * The `surrogate` mask on Snowflake: a random key per value from rbac's mapping table
 * "D"."RBAC"."SURROGATES". Golden SQL through the real adapter against
 * SnowflakeGrantModel (a test double that runs the fill on seeded column values, read
 * through the masking policy set on the column); the top-up (`rbac surrogates`) through
 * the real snowflake-sdk against the loopback wire stub.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SnowflakeAdapter } from '../../src/dialects/snowflake/adapter.js';
import { connectSnowflake } from '../../src/dialects/snowflake/driver.js';
import { parseToolSchema } from '../../src/dialects/snowflake/inspect.js';
import { TOOL_SCHEMA_MARKER, compileSnowflakePolicy, snowflakePolicyProblems } from '../../src/dialects/snowflake/policies.js';
import { bodyDigest, encodePolicyMarker } from '../../src/dialects/policy-text.js';
import { makeGrant, maskingPolicyKey } from '../../src/model/keys.js';
import type { Desired, Live, MaskingPolicyRecord, ObjectRef } from '../../src/model/types.js';
import { topUpSurrogates } from '../../src/surrogates/topup.js';
import { SnowflakeGrantModel, type SfObject } from './grant-model.js';
import { startWireStub, type StubAnswer, type WireStub } from './wire-stub.js';
import { DB, PATIENTS, QDB, SCHEMA, desiredWith, patientsAccount, planOn } from './patients-account.js';

const QT = `${QDB}."clinical.v2"."Patients"`;
const MAP = `${QDB}."RBAC"."SURROGATES"`;
const SALT = `${QDB}."RBAC"."SETTINGS"`;
const QP = `${QDB}."clinical.v2"."MRN_KEY"`;
const SURR: MaskingPolicyRecord = { key: maskingPolicyKey('MRN_KEY'), name: 'MRN_KEY', schema: SCHEMA, mask: 'surrogate', unmaskedFor: ['PRIVACY_OFFICER'], columns: [{ table: PATIENTS, column: 'MRN' }] };
const LOOKUP = `(SELECT MIN("SURROGATE") FROM ${MAP} WHERE "POLICY" = 'MRN_KEY' AND "VALUE" = VAL)`;
const BODY = `CASE WHEN IS_ROLE_IN_SESSION('PRIVACY_OFFICER') THEN VAL ELSE ${LOOKUP} END`;
const NOT_MAPPED = `RBAC_X WHERE NOT EXISTS (SELECT 1 FROM ${MAP} RBAC_M WHERE RBAC_M."POLICY" = 'MRN_KEY' AND RBAC_M."VALUE" = RBAC_X.RBAC_VALUE)`;
const FILL = `INSERT INTO ${MAP} ("POLICY", "VALUE", "SURROGATE") SELECT 'MRN_KEY', RBAC_X.RBAC_VALUE, LOWER(REPLACE(UUID_STRING(), '-', '')) FROM (SELECT DISTINCT TO_VARCHAR("MRN") AS RBAC_VALUE FROM ${QT} WHERE "MRN" IS NOT NULL) ${NOT_MAPPED}`;
const GUARDED_FILL = `INSERT INTO ${MAP} ("POLICY", "VALUE", "SURROGATE") SELECT 'MRN_KEY', RBAC_X.RBAC_VALUE, LOWER(REPLACE(UUID_STRING(), '-', '')) FROM (SELECT DISTINCT TO_VARCHAR("MRN") AS RBAC_VALUE FROM ${QT} WHERE "MRN" IS NOT NULL AND (IS_ROLE_IN_SESSION('PRIVACY_OFFICER'))) ${NOT_MAPPED}`;
const MAP_TABLE: SfObject = { kind: 'TABLE', database: DB, schema: 'RBAC', name: 'SURROGATES' };
const MAP_KEY = JSON.stringify([DB, 'RBAC', 'SURROGATES']);

const desired = (over: Partial<Desired> = {}): Desired => desiredWith([SURR], over);



// rbac applies as RBAC_ADMIN, which is NOT in the policy's unmasked_for.
const account = () => patientsAccount(['10004711', '10000815', '10004711', null]);

const mapped = (m: SnowflakeGrantModel) => (m.mappings.get(MAP_KEY) ?? []).map((r) => [r.policy, r.value]).sort();

describe('snowflake surrogate mask', () => {
  it('create: the mapping table (no salt), the policy, the fill, and only then the policy set on the column', async () => {
    const m = account();
    const { adapter, p, statements } = await planOn(m, desired());
    expect(p.changes.map((c) => c.kind)).toEqual(['createMaskingPolicy']);
    const marker = encodePolicyMarker({ policy: 'masking', name: 'MRN_KEY', mask: 'surrogate', unmaskedFor: ['PRIVACY_OFFICER'], body: bodyDigest(BODY) });
    expect(statements.map((s) => s.sql)).toEqual([
      `CREATE SCHEMA IF NOT EXISTS ${QDB}."RBAC" WITH MANAGED ACCESS COMMENT = '${TOOL_SCHEMA_MARKER}'`,
      `CREATE TABLE IF NOT EXISTS ${MAP} ("POLICY" VARCHAR NOT NULL, "VALUE" VARCHAR NOT NULL, "SURROGATE" VARCHAR NOT NULL, "MAPPED_AT" TIMESTAMP_LTZ DEFAULT CURRENT_TIMESTAMP)`,
      `REVOKE ALL PRIVILEGES ON SCHEMA ${QDB}."RBAC" FROM ROLE "ANALYST_ALL"`,
      `REVOKE ALL PRIVILEGES ON TABLE ${MAP} FROM ROLE "ANALYST_ALL"`,
      `CREATE OR REPLACE MASKING POLICY ${QP} AS (VAL VARCHAR) RETURNS VARCHAR -> ${BODY} COMMENT = '${marker.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`,
      FILL,
      `ALTER TABLE ${QT} MODIFY COLUMN "MRN" SET MASKING POLICY ${QP} FORCE`,
    ]);
    expect(new Set(statements.map((s) => s.changeIndex)).size).toBe(1);

    const result = await adapter.apply(statements);
    expect(result.ok, result.failed?.error).toBe(true);
    // Read before the policy masked the column: the clear values, each once, each a random key.
    expect(mapped(m)).toEqual([['MRN_KEY', '10000815'], ['MRN_KEY', '10004711']]);
    const keys = m.mappings.get(MAP_KEY)!.map((r) => r.surrogate);
    for (const k of keys) expect(k).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(keys).size).toBe(2);
    // After the SET the applying role reads the column masked: a fill now would map stand-ins.
    expect(m.readColumn([DB, 'clinical.v2', 'Patients'], 'MRN')[0]).toBe('masked:10004711');
    // A surrogate-only database gets no salt; nobody but the owner holds anything on the mapping.
    expect(m.madeTables.has(JSON.stringify([DB, 'RBAC', 'SETTINGS']))).toBe(false);
    expect(m.grantsOn(MAP_TABLE).map((g) => `${g.grantee.name}:${g.privilege}`)).toEqual(['RBAC_ADMIN:OWNERSHIP']);
  });

  it('reads the surrogate body back as surrogate: no change planned, the mapping table a tool object', async () => {
    const m = account();
    const first = await planOn(m, desired());
    expect((await first.adapter.apply(first.statements)).ok).toBe(true);
    const { p, live } = await planOn(m, desired());
    expect(p.changes).toEqual([]);
    expect(live.maskingPolicies).toEqual([expect.objectContaining({ name: 'MRN_KEY', mask: 'surrogate', columns: [{ table: PATIENTS, column: 'MRN' }] })]);
    expect(live.maskingPolicies![0].tampered).toBeUndefined();
    expect(live.toolObjects).toEqual([`schema:"Ehr ""Prod""".RBAC`, `table:"Ehr ""Prod""".RBAC.SURROGATES`]);
  });

  it('a body edited by hand under the surrogate marker is tampered and rewritten', async () => {
    const m = account();
    const first = await planOn(m, desired());
    expect((await first.adapter.apply(first.statements)).ok).toBe(true);
    m.bodies.set(JSON.stringify(['MASKING_POLICY', DB, 'clinical.v2', 'MRN_KEY']), `CASE WHEN IS_ROLE_IN_SESSION('PRIVACY_OFFICER') THEN VAL ELSE VAL END`);
    const { p, live, statements } = await planOn(m, desired());
    expect(live.maskingPolicies![0].tampered?.length).toBe(1);
    expect(p.changes.map((c) => c.kind)).toEqual(['alterMaskingPolicy']);
    expect(statements.map((s) => s.sql)).toContain(`ALTER MASKING POLICY ${QP} SET BODY -> ${BODY}`);
  });

  it('alter hash -> surrogate in place: the fill is guarded by the unmask condition and runs before SET BODY', async () => {
    const m = account();
    const hash = { ...SURR, mask: 'hash' as const };
    const first = await planOn(m, desired({ maskingPolicies: [hash] }));
    expect((await first.adapter.apply(first.statements)).ok).toBe(true);
    const { adapter, p, statements } = await planOn(m, desired());
    expect(p.changes.map((c) => c.kind)).toEqual(['alterMaskingPolicy']);
    const marker = encodePolicyMarker({ policy: 'masking', name: 'MRN_KEY', mask: 'surrogate', unmaskedFor: ['PRIVACY_OFFICER'], body: bodyDigest(BODY) });
    expect(statements.map((s) => s.sql)).toEqual([
      // The tool schema exists (the salt's); the mapping table is new.
      `CREATE SCHEMA IF NOT EXISTS ${QDB}."RBAC" WITH MANAGED ACCESS COMMENT = '${TOOL_SCHEMA_MARKER}'`,
      `CREATE TABLE IF NOT EXISTS ${MAP} ("POLICY" VARCHAR NOT NULL, "VALUE" VARCHAR NOT NULL, "SURROGATE" VARCHAR NOT NULL, "MAPPED_AT" TIMESTAMP_LTZ DEFAULT CURRENT_TIMESTAMP)`,
      `REVOKE ALL PRIVILEGES ON SCHEMA ${QDB}."RBAC" FROM ROLE "ANALYST_ALL"`,
      `REVOKE ALL PRIVILEGES ON TABLE ${MAP} FROM ROLE "ANALYST_ALL"`,
      GUARDED_FILL,
      `ALTER MASKING POLICY ${QP} SET BODY -> ${BODY}`,
      `ALTER MASKING POLICY ${QP} SET COMMENT = '${marker.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`,
    ]);
    // RBAC_ADMIN reads the column through the hash mask: the guard maps nothing, never a hash.
    expect(m.readColumn([DB, 'clinical.v2', 'Patients'], 'MRN')[0]).toBe('masked:10004711');
    expect((await adapter.apply(statements)).ok).toBe(true);
    expect(mapped(m)).toEqual([]);
    // The same fill by a session in unmasked_for maps the clear values.
    m.exec('GRANT ROLE "PRIVACY_OFFICER" TO ROLE "RBAC_ADMIN"', 'SECURITYADMIN');
    expect((await adapter.apply([{ sql: GUARDED_FILL, changeIndex: 0 }])).ok).toBe(true);
    expect(mapped(m)).toEqual([['MRN_KEY', '10000815'], ['MRN_KEY', '10004711']]);
    // Nothing left to do for the policy (the role grant made above is not rbac's concern here).
    expect((await planOn(m, desired())).p.changes.filter((c) => c.kind.includes('Masking'))).toEqual([]);
  });

  it('a column another rbac policy still masks (additive mode) is filled through THAT policy\'s unmask condition', async () => {
    const m = account();
    m.exec('CREATE ROLE IF NOT EXISTS "AUDITOR"', 'USERADMIN');
    const old: MaskingPolicyRecord = { key: maskingPolicyKey('MRN_HASH'), name: 'MRN_HASH', schema: SCHEMA, mask: 'hash', unmaskedFor: ['AUDITOR'], columns: [{ table: PATIENTS, column: 'MRN' }] };
    const first = await planOn(m, desired({ maskingPolicies: [old] }));
    expect((await first.adapter.apply(first.statements)).ok).toBe(true);
    // RBAC_ADMIN is in the new policy's unmasked_for, not in the old one's: it reads hashes.
    m.exec('GRANT ROLE "PRIVACY_OFFICER" TO ROLE "RBAC_ADMIN"', 'SECURITYADMIN');
    const moved = desired({ maskingPolicies: [{ ...old, columns: [] }, SURR] });
    const additive = await planOn(m, moved, 'additive');
    expect(additive.p.changes.map((c) => c.kind)).toEqual(['createMaskingPolicy']);
    expect(additive.statements.map((s) => s.sql)).toContain(GUARDED_FILL.replace("IS_ROLE_IN_SESSION('PRIVACY_OFFICER')", "IS_ROLE_IN_SESSION('AUDITOR')"));
    expect((await additive.adapter.apply(additive.statements)).ok).toBe(true);
    expect(mapped(m)).toEqual([]);
    // Authoritative: the old policy is unset from the column first, so the fill reads it in clear.
    const m2 = account();
    m2.exec('CREATE ROLE IF NOT EXISTS "AUDITOR"', 'USERADMIN');
    const f2 = await planOn(m2, desired({ maskingPolicies: [old] }));
    expect((await f2.adapter.apply(f2.statements)).ok).toBe(true);
    const auth = await planOn(m2, moved);
    expect(auth.p.changes.map((c) => c.kind)).toEqual(['detachMaskingPolicy', 'createMaskingPolicy']);
    expect(auth.statements.map((s) => s.sql)).toContain(FILL);
    expect((await auth.adapter.apply(auth.statements)).ok).toBe(true);
    expect(mapped(m2)).toEqual([['MRN_KEY', '10000815'], ['MRN_KEY', '10004711']]);
  });

  it('a fill through a body edited by hand (its condition unknown) or a mask nobody is exempt from is left out', () => {
    const t = [{ object: PATIENTS, columns: ['MRN'], columnTypes: ['TEXT'] }];
    const inPlace = (from: MaskingPolicyRecord) => compileSnowflakePolicy({ kind: 'alterMaskingPolicy', from, to: SURR }, { tables: t }).filter((s) => s.startsWith('INSERT'));
    expect(inPlace({ ...SURR, mask: 'hash' })).toEqual([GUARDED_FILL]);
    expect(inPlace({ ...SURR, mask: 'hash', tampered: ['edited by hand'] })).toEqual([]);
    expect(inPlace({ ...SURR, mask: 'hash', unmaskedFor: [] })).toEqual([]);
  });

  it('a column added to a surrogate policy is filled before the policy is set on it', async () => {
    const m = account();
    m.columns.set(JSON.stringify([DB, 'clinical.v2', 'Patients']), [['MRN', 'TEXT'], ['MOTHER_MRN', 'TEXT']]);
    m.data.set(JSON.stringify([DB, 'clinical.v2', 'Patients', 'MOTHER_MRN']), ['10004711', '10009999']);
    const first = await planOn(m, desired());
    expect((await first.adapter.apply(first.statements)).ok).toBe(true);
    const two = { ...SURR, columns: [...SURR.columns, { table: PATIENTS, column: 'MOTHER_MRN' }] };
    const { adapter, p, statements } = await planOn(m, desired({ maskingPolicies: [two] }));
    expect(p.changes.map((c) => c.kind)).toEqual(['attachMaskingPolicy']);
    expect(statements.map((s) => s.sql)).toEqual([FILL.replace(/"MRN"/g, '"MOTHER_MRN"'), `ALTER TABLE ${QT} MODIFY COLUMN "MOTHER_MRN" SET MASKING POLICY ${QP} FORCE`]);
    const before = new Map(m.mappings.get(MAP_KEY)!.map((r) => [r.value, r.surrogate]));
    expect((await adapter.apply(statements)).ok).toBe(true);
    // One key space per policy: the mother's MRN that is also a patient's keeps its key (joins work).
    const after = new Map(m.mappings.get(MAP_KEY)!.map((r) => [r.value, r.surrogate]));
    expect([...after.keys()].sort()).toEqual(['10000815', '10004711', '10009999']);
    expect(after.get('10004711')).toBe(before.get('10004711'));
  });

  it('drop: unset and drop the policy; its keys stay in the mapping table, which is never dropped', async () => {
    const m = account();
    const first = await planOn(m, desired());
    expect((await first.adapter.apply(first.statements)).ok).toBe(true);
    const { adapter, statements } = await planOn(m, desired({ maskingPolicies: [] }));
    expect(statements.map((s) => s.sql)).toEqual([`ALTER TABLE ${QT} MODIFY COLUMN "MRN" UNSET MASKING POLICY`, `DROP MASKING POLICY IF EXISTS ${QP}`]);
    expect((await adapter.apply(statements)).ok).toBe(true);
    expect(mapped(m)).toHaveLength(2);
    expect(m.grantsOn(MAP_TABLE)).toHaveLength(1);
  });

  it('a grant someone made on the mapping table is revoked, in additive mode too', async () => {
    const m = account();
    const first = await planOn(m, desired());
    expect((await first.adapter.apply(first.statements)).ok).toBe(true);
    m.exec('CREATE ROLE IF NOT EXISTS "INTRUDER"', 'USERADMIN');
    m.exec(`GRANT SELECT ON TABLE ${MAP} TO ROLE "INTRUDER"`, 'SECURITYADMIN');
    const { statements } = await planOn(m, desired(), 'additive');
    expect(statements.map((s) => s.sql)).toEqual([`REVOKE SELECT ON TABLE ${MAP} FROM ROLE "INTRUDER"`]);
  });

  it('a configured grant in the tool schema of a database with a surrogate policy is an error naming where it is written', () => {
    const g = makeGrant({ role: 'PRIVACY_OFFICER', privilege: 'select', object: { kind: 'table', database: DB, schema: 'RBAC', name: 'SURROGATES' }, source: { file: 'grants/x.yaml', line: 7, column: 5 } });
    expect(snowflakePolicyProblems(desired({ grants: [g] }))).toEqual([
      expect.objectContaining({ severity: 'error', message: expect.stringContaining('(it holds the mapping of the surrogate mask)'), hint: expect.stringContaining('grants/x.yaml:7:5') }),
    ]);
    const both = snowflakePolicyProblems(desired({ grants: [g], maskingPolicies: [SURR, { ...SURR, key: maskingPolicyKey('H'), name: 'H', mask: 'hash' }] }));
    expect(both[0].message).toContain('(it holds the mapping of the surrogate mask and the secret salt of the hash mask)');
  });

  it('a surrogate policy on a tag is an error: the columns a tag reaches are never mapped', () => {
    const tag: ObjectRef = { kind: 'tag', database: DB, schema: 'governance', name: 'PHI_CLASS' };
    const problems = snowflakePolicyProblems(desired({ maskingPolicies: [{ ...SURR, columns: [], tags: [tag], source: { file: 'grants/phi.yaml', line: 4, column: 5 } }] }));
    expect(problems).toEqual([
      expect.objectContaining({ severity: 'error', message: expect.stringContaining(`MRN_KEY masks through tag ${QDB}."governance"."PHI_CLASS" with surrogate`), hint: expect.stringContaining('grants/phi.yaml:4:5') }),
    ]);
    expect(snowflakePolicyProblems(desired({ maskingPolicies: [{ ...SURR, mask: 'hash', tags: [tag] }] }))).toEqual([]);
  });

  it('text columns only; a hostile policy name is a quoted literal everywhere; the tool schema query finds both tables', () => {
    const t = [{ object: PATIENTS, columns: ['MRN', 'N'], columnTypes: ['TEXT', 'NUMBER'] }];
    expect(() => compileSnowflakePolicy({ kind: 'createMaskingPolicy', policy: { ...SURR, columns: [{ table: PATIENTS, column: 'N' }] } }, { tables: t })).toThrow(
      /mask surrogate of policy MRN_KEY cannot keep a NUMBER column's type/,
    );
    const out = compileSnowflakePolicy({ kind: 'createMaskingPolicy', policy: { ...SURR, name: "it's", unmaskedFor: [] } }, { tables: t });
    expect(out[0]).toContain(`-> (SELECT MIN("SURROGATE") FROM ${MAP} WHERE "POLICY" = 'it''s' AND "VALUE" = VAL) COMMENT`);
    expect(out[1]).toContain(`SELECT 'it''s', RBAC_X.RBAC_VALUE,`);
    // Guarded with no unmasked_for: nobody reads the values in clear, so no fill at all.
    expect(compileSnowflakePolicy({ kind: 'alterMaskingPolicy', from: { ...SURR, mask: 'hash', unmaskedFor: [] }, to: { ...SURR, unmaskedFor: [] } }, { tables: t })).toEqual([
      `ALTER MASKING POLICY ${QP} SET BODY -> ${LOOKUP}`,
      expect.stringMatching(/^ALTER MASKING POLICY .* SET COMMENT = /),
    ]);
    expect(parseToolSchema([
      { SCHEMA_NAME: 'RBAC', COMMENT: TOOL_SCHEMA_MARKER, TABLE_NAME: 'SETTINGS' },
      { SCHEMA_NAME: 'RBAC', COMMENT: TOOL_SCHEMA_MARKER, TABLE_NAME: 'SURROGATES' },
    ])).toEqual({ state: 'rbac', saltTable: true, surrogateTable: true });
    expect(parseToolSchema([{ SCHEMA_NAME: 'RBAC', COMMENT: TOOL_SCHEMA_MARKER, TABLE_NAME: 'SURROGATES' }])).toEqual({ state: 'rbac', saltTable: false, surrogateTable: true });
  });

  it('hash and surrogate in one database: the salt and the mapping table both made, the tool schema once per bootstrap', async () => {
    const m = account();
    const hash: MaskingPolicyRecord = { key: maskingPolicyKey('HASH_IDS'), name: 'HASH_IDS', schema: SCHEMA, mask: 'hash', unmaskedFor: [], columns: [] };
    const { adapter, statements } = await planOn(m, desired({ maskingPolicies: [hash, SURR] }));
    const sql = statements.map((s) => s.sql);
    expect(sql.filter((s) => s.startsWith('CREATE TABLE IF NOT EXISTS'))).toEqual([expect.stringContaining(SALT), expect.stringContaining(MAP)]);
    expect((await adapter.apply(statements)).ok).toBe(true);
    const { live } = await planOn(m, desired({ maskingPolicies: [hash, SURR] }));
    expect(live.toolObjects).toEqual([`schema:"Ehr ""Prod""".RBAC`, `table:"Ehr ""Prod""".RBAC.SETTINGS`, `table:"Ehr ""Prod""".RBAC.SURROGATES`]);
  });
});

describe('rbac surrogates on Snowflake, through snowflake-sdk and the wire stub', () => {
  const EXEMPT = `SELECT (IS_ROLE_IN_SESSION('PRIVACY_OFFICER')) AS EXEMPT`;
  const COUNT = `SELECT COUNT(*) AS N FROM (SELECT DISTINCT TO_VARCHAR("MRN") AS RBAC_VALUE FROM ${QT} WHERE "MRN" IS NOT NULL) ${NOT_MAPPED}`;
  const live = (): Live => ({ platform: 'snowflake', roles: [], memberships: [], grants: [], futureGrants: [], schemas: [], tables: [], maskingPolicies: [SURR] });
  let stub: WireStub | undefined;
  let adapter: SnowflakeAdapter | undefined;
  afterEach(async () => {
    await adapter?.close();
    await stub?.close();
  });

  async function connect(exempt: boolean): Promise<{ stub: WireStub; adapter: SnowflakeAdapter }> {
    let filled = false;
    const respond = (sql: string): StubAnswer => {
      // Recorded answers: Snowflake names unquoted aliases in upper case.
      if (sql === EXEMPT) return { rows: [{ EXEMPT: exempt ? 'true' : 'false' }] };
      if (sql === COUNT) return { rows: [{ N: filled ? '0' : '2' }] };
      if (sql === FILL) {
        filled = true;
        return { rows: [{ 'number of rows inserted': '2' }] };
      }
      return { error: { code: '001003', message: `SQL compilation error: no recorded answer for ${sql}` } };
    };
    stub = await startWireStub({ respond });
    const conn = await connectSnowflake({ account: 'stub', username: 'RBAC', password: 'pw-not-printed', accessUrl: stub.url });
    adapter = new SnowflakeAdapter(conn, { retry: { retries: 0, baseMs: 1, maxMs: 1 } });
    return { stub, adapter };
  }

  it('refused when the exemption query says false: nothing counted through the mask, nothing written', async () => {
    const { stub, adapter } = await connect(false);
    const report = await topUpSurrogates(adapter, desired(), live());
    expect(report.columns).toEqual([expect.objectContaining({ policy: 'MRN_KEY', column: expect.stringContaining('Patients.MRN'), unmappedBefore: null, mapped: 0, refused: expect.stringContaining('unmasked_for') })]);
    expect(stub.queries).toEqual([EXEMPT]);
  });

  it('maps when the session is exempt: the one fill compile uses, then the count again', async () => {
    const { stub, adapter } = await connect(true);
    const report = await topUpSurrogates(adapter, desired(), live());
    expect(report.columns).toEqual([{ policy: 'MRN_KEY', column: expect.stringContaining('MRN'), unmappedBefore: 2, mapped: 2, unmappedAfter: 0 }]);
    expect(stub.queries).toEqual([EXEMPT, COUNT, FILL, COUNT]);
  });

  it('--dry-run counts and writes nothing', async () => {
    const { stub, adapter } = await connect(true);
    const report = await topUpSurrogates(adapter, desired(), live(), { dryRun: true });
    expect(report.columns[0]).toMatchObject({ unmappedBefore: 2, mapped: 0 });
    expect(stub.queries).not.toContain(FILL);
  });
});
