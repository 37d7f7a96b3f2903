/**
 * The `hash` mask's secret salt on Snowflake, through the real adapter against
 * SnowflakeGrantModel (a test double answering with rows shaped like Snowflake's
 * documented output): made once per database before the first policy that reads it,
 * generated inside the platform, revoked from what future grants give new objects,
 * and every grant on it managed.
 */
import { describe, expect, it } from 'vitest';
import { SnowflakeAdapter } from '../../src/dialects/snowflake/adapter.js';
import { parseGrantsOn, parseToolSchema } from '../../src/dialects/snowflake/inspect.js';
import { TOOL_SCHEMA_MARKER, snowflakePolicyProblems } from '../../src/dialects/snowflake/policies.js';
import { bodyDigest, encodePolicyMarker } from '../../src/dialects/policy-text.js';
import { driftReport } from '../../src/drift/drift.js';
import { makeGrant, maskingPolicyKey } from '../../src/model/keys.js';
import type { Desired, MaskingPolicyRecord } from '../../src/model/types.js';
import { plan } from '../../src/plan/plan.js';
import { scopeOf } from '../../src/plan/scope.js';
import { renderPlanText } from '../../src/render/text.js';
import { SnowflakeGrantModel, accountRole, type SfObject } from './grant-model.js';
import { DB, PATIENTS, QDB, SCHEMA, desiredWith, introScope, patientsAccount, planOn } from './patients-account.js';

const SALT_TABLE = `"Ehr ""Prod"""."RBAC"."SETTINGS"`;
const HASH: MaskingPolicyRecord = { key: maskingPolicyKey('HASH_IDS'), name: 'HASH_IDS', schema: SCHEMA, mask: 'hash', unmaskedFor: ['PRIVACY_OFFICER'], columns: [{ table: PATIENTS, column: 'MRN' }] };
const desired = (over: Partial<Desired> = {}): Desired => desiredWith([HASH], over);

const SETTINGS: SfObject = { kind: 'TABLE', database: DB, schema: 'RBAC', name: 'SETTINGS' };



const account = () => patientsAccount();

const grantsOnSalt = (m: SnowflakeGrantModel) => m.grantsOn(SETTINGS).map((g) => ({ role: g.grantee.name, privilege: g.privilege }));

describe('snowflake hash salt', () => {
  it('is made before the first policy that reads it: schema, table, revokes of future grants, then the salt generated in Snowflake', async () => {
    const m = account();
    const { adapter, p, statements } = await planOn(m, desired());
    const sql = statements.map((s) => s.sql);
    expect(sql.slice(0, 6)).toEqual([
      `CREATE SCHEMA IF NOT EXISTS "Ehr ""Prod"""."RBAC" WITH MANAGED ACCESS COMMENT = '${TOOL_SCHEMA_MARKER}'`,
      `CREATE TABLE IF NOT EXISTS ${SALT_TABLE} ("SALT" VARCHAR NOT NULL)`,
      `REVOKE ALL PRIVILEGES ON SCHEMA "Ehr ""Prod"""."RBAC" FROM ROLE "ANALYST_ALL"`,
      `REVOKE ALL PRIVILEGES ON TABLE ${SALT_TABLE} FROM ROLE "ANALYST_ALL"`,
      `INSERT INTO ${SALT_TABLE} ("SALT") SELECT SHA2(CONCAT(UUID_STRING(), UUID_STRING(), RANDSTR(64, RANDOM())), 256) FROM (SELECT COUNT(*) AS N FROM ${SALT_TABLE}) WHERE N = 0`,
      expect.stringContaining(`CREATE OR REPLACE MASKING POLICY "Ehr ""Prod"""."clinical.v2"."HASH_IDS" AS (VAL VARCHAR) RETURNS VARCHAR -> CASE WHEN IS_ROLE_IN_SESSION('PRIVACY_OFFICER') THEN VAL ELSE SHA2(CONCAT((SELECT "SALT" FROM ${SALT_TABLE} LIMIT 1), ':', VAL), 256) END COMMENT = `),
    ]);
    // The bootstrap belongs to the change that needs it (so apply reports it there).
    expect(new Set(statements.slice(0, 6).map((s) => s.changeIndex)).size).toBe(1);
    expect(sql.join('\n')).not.toMatch(/CURRENT_ACCOUNT/);

    const result = await adapter.apply(statements);
    expect(result.ok, result.failed?.error).toBe(true);
    const salt = m.madeTables.get(JSON.stringify([DB, 'RBAC', 'SETTINGS']))!;
    expect(salt).toHaveLength(1);
    // The salt exists only in the account: not in the statements, the plan or its rendering.
    const shown = [JSON.stringify(p), renderPlanText(p, statements), ...m.statements].join('\n');
    expect(shown).not.toContain(salt[0]);
    // Nobody but the owner holds anything on the salt's schema or table.
    expect(grantsOnSalt(m).map((g) => `${g.role}:${g.privilege}`)).toEqual(['RBAC_ADMIN:OWNERSHIP']);
    expect([...m.grants.values()].filter((g) => g.grantee.name === 'ANALYST_ALL')).toEqual([]);
    expect(m.heldBy(accountRole('ANALYST_ALL')).filter((x) => !x.startsWith('["future"'))).toEqual([]);
  });

  it('is made once: a second plan reads rbac\'s schema and table and has nothing to do; a second hash policy reuses the salt', async () => {
    const m = account();
    const first = await planOn(m, desired());
    expect((await first.adapter.apply(first.statements)).ok).toBe(true);
    const second = await planOn(m, desired());
    expect(second.p.changes).toEqual([]);
    expect(second.live.toolObjects).toEqual([`schema:"Ehr ""Prod""".RBAC`, `table:"Ehr ""Prod""".RBAC.SETTINGS`]);
    const two = await planOn(m, desired({ maskingPolicies: [HASH, { ...HASH, key: maskingPolicyKey('HASH_2'), name: 'HASH_2', columns: [] }] }));
    expect(two.statements.map((s) => s.sql).filter((s) => /RBAC"\."SETTINGS" \(|INSERT INTO/.test(s))).toEqual([]);
  });

  it('a grant on the salt made by hand is drift and is revoked, in additive mode too, whoever holds it', async () => {
    const m = account();
    const first = await planOn(m, desired());
    expect((await first.adapter.apply(first.statements)).ok).toBe(true);
    m.exec('CREATE ROLE IF NOT EXISTS "INTRUDER"', 'USERADMIN');
    m.exec(`GRANT SELECT ON TABLE ${SALT_TABLE} TO ROLE "INTRUDER"`, 'SECURITYADMIN');
    const { p, live, statements } = await planOn(m, desired(), 'additive');
    expect(statements.map((s) => s.sql)).toEqual([`REVOKE SELECT ON TABLE ${SALT_TABLE} FROM ROLE "INTRUDER"`]);
    const report = driftReport(p, live, '2025-01-01T00:00:00Z');
    expect(report.items).toEqual([expect.objectContaining({ kind: 'extra', key: `grant:select:table:"Ehr ""Prod""".RBAC.SETTINGS:role:INTRUDER` })]);
  });

  it('rewrites a hash policy rbac wrote before 0.2 (salted with CURRENT_ACCOUNT()) in place, making the salt first', async () => {
    const m = account();
    const old = `CASE WHEN IS_ROLE_IN_SESSION('PRIVACY_OFFICER') THEN VAL ELSE SHA2(CONCAT(CURRENT_ACCOUNT(), ':', VAL), 256) END`;
    const k = JSON.stringify(['MASKING_POLICY', DB, 'clinical.v2', 'HASH_IDS']);
    m.policies.set(k, encodePolicyMarker({ policy: 'masking', name: 'HASH_IDS', mask: 'hash', unmaskedFor: ['PRIVACY_OFFICER'], body: bodyDigest(old) }));
    m.bodies.set(k, old);
    m.attachments.set(JSON.stringify([DB, 'clinical.v2', 'Patients', 'MRN']), k);
    const { adapter, p, statements } = await planOn(m, desired());
    expect(p.changes.map((c) => c.kind)).toEqual(['alterMaskingPolicy']);
    const sql = statements.map((s) => s.sql);
    expect(sql[0]).toMatch(/^CREATE SCHEMA IF NOT EXISTS /);
    expect(sql.slice(-2)[0]).toBe(`ALTER MASKING POLICY "Ehr ""Prod"""."clinical.v2"."HASH_IDS" SET BODY -> CASE WHEN IS_ROLE_IN_SESSION('PRIVACY_OFFICER') THEN VAL ELSE SHA2(CONCAT((SELECT "SALT" FROM ${SALT_TABLE} LIMIT 1), ':', VAL), 256) END`);
    expect((await adapter.apply(statements)).ok).toBe(true);
    expect((await planOn(m, desired())).p.changes).toEqual([]);
  });

  it('refuses a schema RBAC that rbac did not make, and never reads its grants as rbac\'s', async () => {
    const m = account();
    m.addSchema(DB, 'RBAC', { comment: 'the data team\'s schema' });
    m.exec('CREATE ROLE IF NOT EXISTS "DATA_TEAM"', 'USERADMIN');
    m.exec(`GRANT USAGE ON SCHEMA ${QDB}."RBAC" TO ROLE "DATA_TEAM"`, 'SECURITYADMIN');
    const adapter = new SnowflakeAdapter({ query: m.query, close: async () => undefined });
    const live = await adapter.introspect(introScope);
    expect(live.toolObjects).toBeUndefined();
    const p = plan(desired(), live, { mode: 'authoritative', target: 'model', scope: scopeOf(desired()), neverRevoke: ['ownership'] });
    expect(p.changes.some((c) => c.kind === 'revoke')).toBe(false);
    expect(() => adapter.compile(p)).toThrow(/has a schema RBAC that rbac did not make/);
  });

  it('a configured grant in the tool schema of a database with a hash policy is an error naming where it is written', () => {
    const g = makeGrant({ role: 'PRIVACY_OFFICER', privilege: 'select', object: { kind: 'table', database: DB, schema: 'RBAC', name: 'SETTINGS' }, source: { file: 'grants/x.yaml', line: 3, column: 5 } });
    const problems = snowflakePolicyProblems(desired({ grants: [g] }));
    expect(problems).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringMatching(/schema RBAC that rbac owns/), hint: expect.stringContaining('grants/x.yaml:3:5') })]);
    // Elsewhere, or without a hash policy in that database, RBAC is an ordinary name.
    expect(snowflakePolicyProblems(desired({ grants: [g], maskingPolicies: [{ ...HASH, mask: 'redact' }] }))).toEqual([]);
  });

  it('a database role exempt from a policy on a table of another database is a warning (it never counts there)', () => {
    const src = { file: 'grants/m.yaml', line: 7, column: 5 };
    const own = { ...HASH, mask: 'redact' as const, unmaskedFor: [`${DB}.PHI_READER`], source: src };
    expect(snowflakePolicyProblems(desired({ maskingPolicies: [own] }))).toEqual([]);
    const other = { ...own, unmaskedFor: ['OTHER.PHI_READER'] };
    expect(snowflakePolicyProblems(desired({ maskingPolicies: [other] }))).toEqual([
      expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/database role OTHER\.PHI_READER in unmasked_for of masking policy HASH_IDS is in session only for tables of database OTHER .* in Ehr "Prod" it never counts/), hint: expect.stringContaining('grants/m.yaml:7:5') }),
    ]);
  });

  it('reads the tool schema and grants on it from rows shaped like the documented output', () => {
    expect(parseToolSchema([])).toEqual({ state: 'absent' });
    expect(parseToolSchema([{ SCHEMA_NAME: 'RBAC', COMMENT: TOOL_SCHEMA_MARKER, TABLE_NAME: null }])).toEqual({ state: 'rbac', saltTable: false });
    expect(parseToolSchema([{ SCHEMA_NAME: 'RBAC', COMMENT: TOOL_SCHEMA_MARKER, TABLE_NAME: 'SETTINGS' }])).toEqual({ state: 'rbac', saltTable: true });
    expect(parseToolSchema([{ SCHEMA_NAME: 'RBAC', COMMENT: null, TABLE_NAME: 'SETTINGS' }])).toEqual({ state: 'foreign' });
    // SHOW GRANTS ON TABLE: created_on, privilege, granted_on, name, granted_to, grantee_name, grant_option, granted_by.
    const r = parseGrantsOn([
      { created_on: '2025-01-01', privilege: 'OWNERSHIP', granted_on: 'TABLE', name: 'EHR.RBAC.SETTINGS', granted_to: 'ROLE', grantee_name: 'RBAC_ADMIN', grant_option: 'true', granted_by: 'RBAC_ADMIN' },
      { created_on: '2025-01-01', privilege: 'SELECT', granted_on: 'TABLE', name: 'EHR.RBAC.SETTINGS', granted_to: 'ROLE', grantee_name: 'Mixed Case', grant_option: 'false', granted_by: 'SECURITYADMIN' },
      { created_on: '2025-01-01', privilege: 'SELECT', granted_on: 'TABLE', name: 'EHR.RBAC.SETTINGS', granted_to: 'DATABASE_ROLE', grantee_name: 'EHR.READER', grant_option: 'false', granted_by: 'SECURITYADMIN' },
    ]);
    expect(r.grants.map((g) => g.key)).toEqual(['grant:select:table:EHR.RBAC.SETTINGS:role:"Mixed Case"']);
    expect(r.ignored).toEqual([{ role: 'EHR.READER', privilege: 'SELECT', grantedOn: 'TABLE (to DATABASE_ROLE)', name: 'EHR.RBAC.SETTINGS' }]);
  });
});
