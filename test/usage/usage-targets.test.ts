/**
 * `rbac usage` through the CLI against the platforms' stubs (issue 14), with recorded
 * access history shaped like the documented output:
 * - Snowflake: the real snowflake-sdk talks to the loopback wire stub, which answers the
 *   reader's queries with the recorded account state (test/cli-targets/recorded.ts) and
 *   SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY with recorded rows (query_start_time,
 *   user_name, base_objects_accessed as in Snowflake's documentation).
 * - Databricks: the real @databricks/sql driver talks to the loopback Thrift stub, which
 *   answers with the recorded Unity Catalog state and system.access.column_lineage rows.
 * The report must name who read which PHI column and list the removal candidates.
 */
import { appendFile, cp, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rbac } from '../helpers/cli.js';
import { startWireStub, type WireStub } from '../snowflake/wire-stub.js';
import { snowflakeAnswers, warehouseConfig } from '../cli-targets/recorded.js';

const PASSWORD = 'pw-Usage-4711';

/** The warehouse fixture with two more classified columns of ehr.clinical.patients. */
async function warehouseWith(targets: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rbac-usage-'));
  await cp(path.join(warehouseConfig, 'roles'), path.join(dir, 'roles'), { recursive: true });
  await cp(path.join(warehouseConfig, 'grants'), path.join(dir, 'grants'), { recursive: true });
  // `phi:` is the last block of the fixture's grants.yaml.
  await appendFile(path.join(dir, 'grants', 'grants.yaml'), '  ehr.clinical.patients.ssn: ssn\n  ehr.clinical.patients.mrn: medical_record_number\n');
  await writeFile(path.join(dir, 'rbac.yaml'), `version: 1\nmode: authoritative\ndefault_target: ${targets.trim().split(':')[0]}\ntargets:\n${targets}`);
  return dir;
}

/** ACCESS_HISTORY rows as the view returns them: one row per query, base_objects_accessed a JSON array. */
const ACCESS_HISTORY = [
  {
    QUERY_START_TIME: '2026-11-20 16:17:47.388 +0000',
    USER_NAME: 'ALICE',
    BASE_OBJECTS_ACCESSED: JSON.stringify([
      { objectDomain: 'FUNCTION', objectName: 'EHR.CLINICAL.NORMALIZE_MRN', objectId: '2', argumentSignature: '(MRN VARCHAR)', dataType: 'VARCHAR' },
      { columns: [{ columnId: 68610, columnName: 'MRN' }, { columnId: 68611, columnName: 'PATIENT_ID' }], objectDomain: 'Table', objectId: 66564, objectName: 'EHR.CLINICAL.PATIENTS' },
    ]),
  },
  {
    QUERY_START_TIME: '2026-11-21 08:00:00.000 +0000',
    USER_NAME: 'ALICE',
    BASE_OBJECTS_ACCESSED: JSON.stringify([{ columns: [{ columnId: 68610, columnName: 'MRN' }], objectDomain: 'Table', objectId: 66564, objectName: 'EHR.CLINICAL.PATIENTS' }]),
  },
  // MALLORY read the name through a view: base_objects_accessed names the base table's column.
  {
    QUERY_START_TIME: '2026-11-22 12:00:00.000 +0000',
    USER_NAME: 'MALLORY',
    BASE_OBJECTS_ACCESSED: JSON.stringify([{ columns: [{ columnId: 68612, columnName: 'FULL_NAME' }], objectDomain: 'Table', objectId: 66564, objectName: 'EHR.CLINICAL.PATIENTS' }]),
  },
  // Not PHI: encounters has no classified column.
  {
    QUERY_START_TIME: '2026-11-22 13:00:00.000 +0000',
    USER_NAME: 'BOB',
    BASE_OBJECTS_ACCESSED: JSON.stringify([{ columns: [{ columnId: 70001, columnName: 'ENCOUNTER_ID' }], objectDomain: 'Table', objectId: 70000, objectName: 'EHR.CLINICAL.ENCOUNTERS' }]),
  },
];

describe('rbac usage on Snowflake through the wire stub', () => {
  let stub: WireStub;
  let dir: string;
  const env = () => ({ SF_URL: stub.url, SF_PASSWORD: PASSWORD });

  beforeAll(async () => {
    const answers = snowflakeAnswers();
    stub = await startWireStub({
      respond: (sql) => {
        if (sql.startsWith('SELECT query_start_time, user_name, base_objects_accessed FROM SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY WHERE ')) return { rows: ACCESS_HISTORY };
        return sql in answers
          ? { rows: answers[sql], ...(answers[sql].length ? {} : { columns: ['name'] }) }
          : { error: { code: '002003', message: `SQL compilation error: no recorded answer for ${sql}` } };
      },
    });
    dir = await warehouseWith(
      ['  sf:', '    platform: snowflake', '    account: stub-account', '    user: RBAC_SVC', '    role: RBAC_ADMIN', '    authenticator: SNOWFLAKE', '    password: ${SF_PASSWORD}', '    access_url: ${SF_URL}', ''].join('\n'),
    );
  });
  afterAll(async () => {
    await stub?.close();
  });

  it('names who read which PHI column, and the PHI granted but not read', async () => {
    stub.queries.length = 0;
    const r = await rbac(['usage', '--config', dir, '--since', '2026-11-01T00:00:00Z', '--format', 'json'], { env: env() });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.since).toBe('2026-11-01T00:00:00.000Z');
    expect(report.reads).toEqual([
      { user: 'ALICE', column: 'EHR.CLINICAL.PATIENTS.MRN', category: 'medical_record_number', count: 2, last: '2026-11-21T08:00:00.000Z' },
      { user: 'MALLORY', column: 'EHR.CLINICAL.PATIENTS.FULL_NAME', category: 'name', count: 1, last: '2026-11-22T12:00:00.000Z' },
    ]);
    // ALICE and MALLORY hold CLINICAL_ANALYST (SELECT on PATIENTS); what they did not read is a removal candidate.
    expect(report.unused).toEqual([
      { user: 'ALICE', column: 'EHR.CLINICAL.PATIENTS.FULL_NAME', category: 'name' },
      { user: 'ALICE', column: 'EHR.CLINICAL.PATIENTS.SSN', category: 'ssn' },
      { user: 'MALLORY', column: 'EHR.CLINICAL.PATIENTS.MRN', category: 'medical_record_number' },
      { user: 'MALLORY', column: 'EHR.CLINICAL.PATIENTS.SSN', category: 'ssn' },
    ]);
    // The period went to Snowflake as a timestamp literal; the reads were read-only.
    const q = stub.queries.find((s) => s.includes('ACCESS_HISTORY'));
    expect(q).toContain("WHERE query_start_time >= TO_TIMESTAMP_LTZ('2026-11-01T00:00:00.000Z')");
    expect(stub.queries.filter((s) => /^(GRANT|REVOKE|CREATE|DROP|ALTER)\b/.test(s))).toEqual([]);
    expect(r.out + r.err).not.toContain(PASSWORD);
  });

  it('the text report says the same', async () => {
    const r = await rbac(['usage', '--config', dir, '--since', '2026-11-01T00:00:00Z'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.out).toContain('ALICE read EHR.CLINICAL.PATIENTS.MRN (medical_record_number) 2x, last 2026-11-21T08:00:00.000Z');
    expect(r.out).toContain('MALLORY: EHR.CLINICAL.PATIENTS.SSN (ssn)');
  });

  it('--format csv: one row per user and PHI column, read or unused', async () => {
    const r = await rbac(['usage', '--config', dir, '--since', '2026-11-01T00:00:00Z', '--format', 'csv'], { env: env() });
    expect(r.code).toBe(0);
    const rows = r.out.trimEnd().split('\r\n').map((l) => l.split(',').slice(0, 6).join(','));
    expect(rows).toEqual([
      'user,column,category,status,reads,last_read',
      'ALICE,EHR.CLINICAL.PATIENTS.MRN,medical_record_number,read,2,2026-11-21T08:00:00.000Z',
      'MALLORY,EHR.CLINICAL.PATIENTS.FULL_NAME,name,read,1,2026-11-22T12:00:00.000Z',
      'ALICE,EHR.CLINICAL.PATIENTS.FULL_NAME,name,unused,0,',
      'ALICE,EHR.CLINICAL.PATIENTS.SSN,ssn,unused,0,',
      'MALLORY,EHR.CLINICAL.PATIENTS.MRN,medical_record_number,unused,0,',
      'MALLORY,EHR.CLINICAL.PATIENTS.SSN,ssn,unused,0,',
    ]);
    const bad = await rbac(['usage', '--config', dir, '--format', 'xml'], { env: env() });
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('use one of: text, json, csv');
  });
});
