/**
 * `rbac surrogates --format json` on a Snowflake target, end to end: the real CLI and
 * snowflake-sdk against the loopback wire stub, whose answers come from
 * SnowflakeGrantModel (the reader's catalog commands and rbac's fill), plus the two
 * queries only the top-up sends (the exemption and the count), answered from the same
 * model: the count reads the column as the session does, through the mask.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SnowflakeAdapter } from '../../src/dialects/snowflake/adapter.js';
import { SnowflakeDriverError } from '../../src/dialects/snowflake/driver.js';
import { maskingPolicyKey } from '../../src/model/keys.js';
import type { MaskingPolicyRecord } from '../../src/model/types.js';
import { plan } from '../../src/plan/plan.js';
import { scopeOf } from '../../src/plan/scope.js';
import { rbac } from '../helpers/cli.js';
import { SnowflakeGrantModel } from './grant-model.js';
import { desiredWith } from './patients-account.js';
import { startWireStub, type StubAnswer, type WireStub } from './wire-stub.js';

const PASSWORD = 'pw-Surrogate-4711';
const TABLE = ['EHR', 'CLINICAL', 'PATIENTS'];
const PATIENTS = { kind: 'table' as const, database: 'EHR', schema: 'CLINICAL', name: 'PATIENTS' };
const SURR: MaskingPolicyRecord = {
  key: maskingPolicyKey('MRN_KEY'),
  name: 'MRN_KEY',
  schema: { kind: 'schema', database: 'EHR', schema: 'CLINICAL' },
  mask: 'surrogate',
  unmaskedFor: ['PRIVACY_OFFICER'],
  columns: [{ table: PATIENTS, column: 'MRN' }],
};
const EXEMPT = `SELECT (IS_ROLE_IN_SESSION('PRIVACY_OFFICER')) AS EXEMPT`;
const MAP_KEY = JSON.stringify(['EHR', 'RBAC', 'SURROGATES']);

async function configDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rbac-sf-surrogates-'));
  await mkdir(path.join(dir, 'roles'));
  await mkdir(path.join(dir, 'grants'));
  await writeFile(
    path.join(dir, 'rbac.yaml'),
    [
      'version: 1',
      'mode: authoritative',
      'default_target: sf',
      'targets:',
      '  sf:',
      '    platform: snowflake',
      '    account: stub-account',
      '    user: RBAC_SVC',
      '    role: RBAC_ADMIN',
      '    authenticator: SNOWFLAKE',
      '    password: ${SF_PASSWORD}',
      '    access_url: ${SF_URL}',
      '',
    ].join('\n'),
  );
  await writeFile(path.join(dir, 'roles', 'roles.yaml'), 'roles:\n  - name: privacy_officer\n');
  await writeFile(
    path.join(dir, 'grants', 'grants.yaml'),
    'grants: []\nmasking_policies:\n  - name: mrn_key\n    columns: [ehr.clinical.patients.mrn]\n    mask: surrogate\n    unmasked_for: [privacy_officer]\n',
  );
  return dir;
}

/** An account where rbac already made MRN_KEY (and mapped the values then present). */
async function account(): Promise<SnowflakeGrantModel> {
  const m = new SnowflakeGrantModel();
  m.exec('CREATE ROLE IF NOT EXISTS "RBAC_ADMIN"', 'USERADMIN');
  m.currentRole = 'RBAC_ADMIN';
  m.exec('CREATE ROLE IF NOT EXISTS "PRIVACY_OFFICER"', 'USERADMIN');
  m.addDatabase('EHR');
  m.addSchema('EHR', 'CLINICAL');
  m.addObject({ kind: 'TABLE', database: 'EHR', schema: 'CLINICAL', name: 'PATIENTS' });
  m.columns.set(JSON.stringify(TABLE), [['MRN', 'TEXT']]);
  m.data.set(JSON.stringify([...TABLE, 'MRN']), ['10004711', '10000815']);
  const adapter = new SnowflakeAdapter({ query: m.query, close: async () => undefined });
  const desired = desiredWith([SURR]);
  const live = await adapter.introspect({ roles: ['PRIVACY_OFFICER'], users: [], databases: ['EHR'], schemas: [{ database: 'EHR', schema: 'CLINICAL' }], includePublic: false });
  const result = await adapter.apply(adapter.compile(plan(desired, live, { mode: 'authoritative', target: 'model', scope: scopeOf(desired), neverRevoke: ['ownership'] })));
  expect(result.ok, result.failed?.error).toBe(true);
  // A load after apply: a value nobody mapped yet.
  m.data.set(JSON.stringify([...TABLE, 'MRN']), ['10004711', '10000815', '10007777', null]);
  return m;
}

/** The stub's answers: the model's, but for the two top-up queries it does not parse. */
function answers(m: SnowflakeGrantModel): (sql: string) => StubAnswer {
  return (sql) => {
    if (sql === EXEMPT) return { rows: [{ EXEMPT: String(m.inSession('PRIVACY_OFFICER')) }] };
    if (sql.startsWith('SELECT COUNT(*) AS N FROM (SELECT DISTINCT TO_VARCHAR("MRN")')) {
      const keyed = new Set((m.mappings.get(MAP_KEY) ?? []).filter((r) => r.policy === 'MRN_KEY').map((r) => r.value));
      const values = new Set(m.readColumn(TABLE, 'MRN').filter((v): v is string => v !== null && !keyed.has(v)));
      return { rows: [{ N: String(values.size) }] };
    }
    try {
      const rows = m.exec(sql, m.currentRole).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null || v === undefined ? null : String(v)])));
      return rows.length ? { rows } : { rows: [], columns: ['status'] };
    } catch (e) {
      if (e instanceof SnowflakeDriverError) return { error: { code: e.code ?? '001003', message: e.message } };
      throw e;
    }
  };
}

describe('rbac surrogates --format json on Snowflake, through the wire stub', () => {
  let stub: WireStub | undefined;
  afterEach(async () => {
    await stub?.close();
    stub = undefined;
  });

  it('refuses (exit 1, nothing written) while the login reads the column masked; maps the new value once it is exempt', async () => {
    const m = await account();
    expect([...(m.mappings.get(MAP_KEY) ?? [])].map((r) => r.value).sort()).toEqual(['10000815', '10004711']);
    stub = await startWireStub({ respond: answers(m) });
    const dir = await configDir();
    const env = { SF_URL: stub.url, SF_PASSWORD: PASSWORD };

    const refused = await rbac(['surrogates', '--config', dir, '--format', 'json'], { env });
    expect(refused.err).toBe('');
    expect(refused.code).toBe(1);
    const r1 = JSON.parse(refused.out);
    expect(r1).toMatchObject({ platform: 'snowflake', dryRun: false, notApplied: [] });
    expect(r1.columns).toEqual([expect.objectContaining({ policy: 'MRN_KEY', column: 'EHR.CLINICAL.PATIENTS.MRN', mapped: 0, refused: expect.stringContaining('unmasked_for') })]);
    expect(stub.queries.some((q) => q.startsWith('INSERT'))).toBe(false);
    expect(m.mappings.get(MAP_KEY)).toHaveLength(2);

    // RBAC_ADMIN now inherits PRIVACY_OFFICER: it reads the column in clear.
    m.exec('GRANT ROLE "PRIVACY_OFFICER" TO ROLE "RBAC_ADMIN"', 'SECURITYADMIN');
    const dry = await rbac(['surrogates', '--config', dir, '--dry-run', '--format', 'json'], { env });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.out).columns).toEqual([{ policy: 'MRN_KEY', column: 'EHR.CLINICAL.PATIENTS.MRN', unmappedBefore: 1, mapped: 0, unmappedAfter: 1 }]);
    expect(m.mappings.get(MAP_KEY)).toHaveLength(2);

    const done = await rbac(['surrogates', '--config', dir, '--format', 'json'], { env });
    expect(done.err).toBe('');
    expect(done.code).toBe(0);
    expect(JSON.parse(done.out).columns).toEqual([{ policy: 'MRN_KEY', column: 'EHR.CLINICAL.PATIENTS.MRN', unmappedBefore: 1, mapped: 1, unmappedAfter: 0 }]);
    expect([...m.mappings.get(MAP_KEY)!].map((r) => r.value).sort()).toEqual(['10000815', '10004711', '10007777']);
    expect(refused.out + refused.err + done.out + done.err).not.toContain(PASSWORD);
  });
});
