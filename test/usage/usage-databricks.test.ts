/**
 * `rbac usage` through the CLI on Databricks (issue 14): the real DatabricksAdapter's SQL
 * goes through the real @databricks/sql driver to the loopback Thrift stub, which
 * answers the reader's information_schema queries with a small recorded Unity Catalog
 * state and system.access.column_lineage with recorded rows (created_by, event_time,
 * source_table_full_name, source_column_name). Only `openAdapter` is replaced: the stub
 * needs the driver's loopback options, which a target in rbac.yaml never carries.
 *
 * Without manage_membership, group members are not read (no SQL lists them), so the
 * granted side here is SELECT granted to the users themselves, which Unity Catalog allows.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DatabricksAdapter } from '../../src/dialects/databricks/adapter.js';
import { connectDatabricks } from '../../src/dialects/databricks/driver.js';
import * as registry from '../../src/dialects/registry.js';
import { databricksRbacYaml, rbac } from '../helpers/cli.js';
import { startThriftStub, type StubAnswer, type ThriftStub } from '../databricks/thrift-stub.js';

vi.mock('../../src/dialects/registry.js', async (original) => ({ ...(await original<typeof import('../../src/dialects/registry.js')>()), openAdapter: vi.fn() }));

const TOKEN = 'dapi-usage-0123456789abcdef';
const env = { DATABRICKS_HOST: 'dbc-usage.cloud.databricks.com', DATABRICKS_TOKEN: TOKEN };

const RBAC_YAML = databricksRbacYaml('usage');
const ROLES_YAML = `users:
  - name: '"ann@example.org"'
  - name: '"ben@example.org"'
roles: []
`;
const GRANTS_YAML = `grants:
  - role: '"ann@example.org"'
    privileges: [usage]
    on: { database: ehr }
  - role: '"ann@example.org"'
    privileges: [usage]
    on: { schema: ehr.clinical }
  - role: '"ann@example.org"'
    privileges: [select]
    on: { table: ehr.clinical.patients }
  - role: '"ben@example.org"'
    privileges: [usage]
    on: { database: ehr }
  - role: '"ben@example.org"'
    privileges: [usage]
    on: { schema: ehr.clinical }
  - role: '"ben@example.org"'
    privileges: [select]
    on: { table: ehr.clinical.patients }
phi:
  ehr.clinical.patients.full_name: name
  ehr.clinical.patients.mrn: medical_record_number
  ehr.clinical.patients.ssn: ssn
`;

const G = { grantor: 'admin@example.org', inherited_from: 'NONE' };
/** The recorded Unity Catalog state: the configuration is in place. */
const STATE: Record<string, Record<string, string | null>[]> = {
  catalog_privileges: ['ann@example.org', 'ben@example.org'].map((grantee) => ({ ...G, grantee, catalog_name: 'ehr', privilege_type: 'USE CATALOG' })),
  schema_privileges: ['ann@example.org', 'ben@example.org'].map((grantee) => ({ ...G, grantee, catalog_name: 'ehr', schema_name: 'clinical', privilege_type: 'USE SCHEMA' })),
  table_privileges: ['ann@example.org', 'ben@example.org'].map((grantee) => ({ ...G, grantee, table_catalog: 'ehr', table_schema: 'clinical', table_name: 'patients', privilege_type: 'SELECT' })),
  schemata: [{ catalog_name: 'ehr', schema_name: 'clinical' }],
  tables: [
    { table_catalog: 'ehr', table_schema: 'clinical', table_name: 'patients', table_type: 'MANAGED' },
    { table_catalog: 'ehr', table_schema: 'clinical', table_name: 'encounters', table_type: 'MANAGED' },
  ],
};

/** system.access.column_lineage rows: one per source column a query read. */
const LINEAGE = [
  { created_by: 'ann@example.org', event_time: '2026-11-20T09:00:00.000Z', source_table_full_name: 'ehr.clinical.patients', source_column_name: 'mrn' },
  { created_by: 'ann@example.org', event_time: '2026-11-24T10:30:00.000Z', source_table_full_name: 'ehr.clinical.patients', source_column_name: 'mrn' },
  { created_by: 'ann@example.org', event_time: '2026-11-24T10:30:00.000Z', source_table_full_name: 'ehr.clinical.patients', source_column_name: 'patient_id' },
  { created_by: 'ben@example.org', event_time: '2026-11-25T08:00:00.000Z', source_table_full_name: 'ehr.clinical.patients', source_column_name: 'full_name' },
  // Not classified: no PHI read.
  { created_by: 'ben@example.org', event_time: '2026-11-25T08:05:00.000Z', source_table_full_name: 'ehr.clinical.encounters', source_column_name: 'encounter_id' },
];

/** The column names of a SELECT list (`a, b AS c, CAST(NULL AS STRING) AS d` -> a, c, d), for empty answers. */
function selected(text: string): string[] {
  const list = /^SELECT (.*?) FROM /s.exec(text)?.[1] ?? 'result';
  return list.split(/,\s*(?![^()]*\))/).map((c) => c.trim().split(/\s+/).at(-1)!);
}

function answer(text: string): StubAnswer {
  if (text.startsWith('SELECT created_by, event_time, source_table_full_name, source_column_name FROM system.access.column_lineage WHERE ')) return { rows: LINEAGE };
  if (text === 'SHOW GROUPS') return { rows: [], columns: ['name'] };
  const view = /FROM system\.information_schema\.(\w+) /.exec(text)?.[1];
  const rows = (view && STATE[view]) || [];
  return rows.length ? { rows } : { rows: [], columns: selected(text) };
}

describe('rbac usage on Databricks through the Thrift stub', () => {
  let sql: ThriftStub;
  let dir: string;
  beforeAll(async () => {
    sql = await startThriftStub({ respond: answer, token: TOKEN, path: '/sql/1.0/warehouses/usage' });
    vi.mocked(registry.openAdapter).mockImplementation(async () => new DatabricksAdapter(await connectDatabricks({ host: sql.host, path: sql.path, token: TOKEN, loopback: { port: sql.port, caCert: sql.caCert } })));
    dir = await mkdtemp(path.join(os.tmpdir(), 'rbac-usage-dbx-'));
    await mkdir(path.join(dir, 'roles'));
    await mkdir(path.join(dir, 'grants'));
    await writeFile(path.join(dir, 'rbac.yaml'), RBAC_YAML);
    await writeFile(path.join(dir, 'roles', 'users.yaml'), ROLES_YAML);
    await writeFile(path.join(dir, 'grants', 'clinical.yaml'), GRANTS_YAML);
  });
  afterAll(async () => {
    expect(sql.faults).toEqual([]);
    await sql.close();
  });

  it('names who read which PHI column, and the PHI granted but not read', async () => {
    const r = await rbac(['usage', '--config', dir, '--since', '2026-11-01T00:00:00Z', '--format', 'json'], { cwd: dir, env });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.reads).toEqual([
      { user: 'ann@example.org', column: 'ehr.clinical.patients.mrn', category: 'medical_record_number', count: 2, last: '2026-11-24T10:30:00.000Z' },
      { user: 'ben@example.org', column: 'ehr.clinical.patients.full_name', category: 'name', count: 1, last: '2026-11-25T08:00:00.000Z' },
    ]);
    expect(report.unused).toEqual([
      { user: 'ann@example.org', column: 'ehr.clinical.patients.full_name', category: 'name' },
      { user: 'ann@example.org', column: 'ehr.clinical.patients.ssn', category: 'ssn' },
      { user: 'ben@example.org', column: 'ehr.clinical.patients.mrn', category: 'medical_record_number' },
      { user: 'ben@example.org', column: 'ehr.clinical.patients.ssn', category: 'ssn' },
    ]);
    const lineage = sql.queries.filter((q) => q.includes('column_lineage'));
    expect(lineage).toEqual([
      "SELECT created_by, event_time, source_table_full_name, source_column_name FROM system.access.column_lineage WHERE event_time >= TIMESTAMP '2026-11-01 00:00:00.000' AND source_column_name IS NOT NULL",
    ]);
    // Read-only: nothing but reads went to the warehouse.
    expect(sql.queries.filter((q) => !/^(SELECT|SHOW)\b/.test(q))).toEqual([]);
    expect(r.out + r.err).not.toContain(TOKEN);
  });
});
