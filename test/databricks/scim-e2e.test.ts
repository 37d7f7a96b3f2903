/**
 * Groups, members and nesting managed through SCIM, end to end: the CLI (plan, apply,
 * drift, snapshot, plan from a snapshot) drives the real DatabricksAdapter, whose SQL
 * goes through the real @databricks/sql driver to the loopback Thrift stub (answered by
 * the Unity Catalog grant model) and whose groups go through the real SCIM client to
 * the loopback SCIM stub. Only `openAdapter` is replaced: the stubs need the driver's
 * loopback options, which a target in rbac.yaml never carries.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DatabricksAdapter } from '../../src/dialects/databricks/adapter.js';
import { connectDatabricks } from '../../src/dialects/databricks/driver.js';
import { ScimClient } from '../../src/dialects/databricks/scim.js';
import * as registry from '../../src/dialects/registry.js';
import { loadConfig, planWith } from '../../src/cli/session.js';
import { resolveTarget } from '../../src/config/targets.js';
import { databricksRbacYaml, rbac, tempConfig } from '../helpers/cli.js';
import { DatabricksGrantModel } from './grant-model.js';
import { startScimStub, type ScimStub } from './scim-stub.js';
import { startThriftStub, type StubAnswer, type ThriftStub } from './thrift-stub.js';

vi.mock('../../src/dialects/registry.js', async (original) => ({ ...(await original<typeof import('../../src/dialects/registry.js')>()), openAdapter: vi.fn() }));

const TOKEN = 'dapi-e2e-0123456789abcdef';
const SP_APP = '8f2c1a6e-3b4d-4e5f-9a0b-1c2d3e4f5a6b';
const env = { DATABRICKS_HOST: 'dbc-e2e.cloud.databricks.com', DATABRICKS_TOKEN: TOKEN, DATABRICKS_ACCOUNT_ID: 'acct-0000', CI: '1' };

/** Columns of the empty answers (the stub never sends a result without columns). */
const COLUMNS: Record<string, string[]> = {
  catalog_privileges: ['grantor', 'grantee', 'catalog_name', 'privilege_type', 'inherited_from'],
  schema_privileges: ['grantor', 'grantee', 'catalog_name', 'schema_name', 'privilege_type', 'inherited_from'],
  table_privileges: ['grantor', 'grantee', 'table_catalog', 'table_schema', 'table_name', 'privilege_type', 'inherited_from'],
  schemata: ['catalog_name', 'schema_name'],
  tables: ['table_catalog', 'table_schema', 'table_name', 'table_type'],
  columns: ['table_catalog', 'table_schema', 'table_name', 'column_name', 'full_data_type'],
  routines: ['routine_catalog', 'routine_schema', 'routine_name', 'comment', 'routine_definition'],
  column_masks: ['catalog_name', 'schema_name', 'table_name', 'column_name', 'mask_catalog', 'mask_schema', 'mask_name'],
  row_filters: ['table_catalog', 'table_schema', 'table_name', 'filter_catalog', 'filter_schema', 'filter_name', 'target_columns'],
};

/** The column names of a SELECT list (`a, b AS c, CAST(NULL AS STRING) AS d` -> a, c, d), for the other views' empty answers. */
function selected(text: string): string[] {
  const list = /^SELECT (.*?) FROM /.exec(text)?.[1] ?? 'result';
  return list.split(/,\s*(?![^()]*\))/).map((c) => c.trim().split(/\s+/).at(-1)!);
}

interface World {
  scim: ScimStub;
  sql: ThriftStub;
  model: DatabricksGrantModel;
  dir: string;
}

let world: World;

/** The SQL side: the grant model, whose principals are what SCIM holds (GRANT to an unknown principal fails, as on the server). */
function answer(model: DatabricksGrantModel, scim: ScimStub, text: string): StubAnswer {
  model.groups = new Set([...scim.groups.filter((g) => !g.local).map((g) => g.displayName), ...scim.users.map((u) => u.userName), ...scim.servicePrincipals.map((s) => s.applicationId)]);
  try {
    const rows = (/FROM system\.information_schema\.columns /.test(text) ? columnRows(model) : model.run(text)) as Record<string, string | null>[];
    const view = /FROM system\.information_schema\.(\w+)/.exec(text)?.[1];
    return { rows, columns: rows.length ? undefined : text === 'SHOW GROUPS' ? ['name'] : view ? COLUMNS[view] ?? selected(text) : ['result'] };
  } catch (e) {
    return { error: { message: (e as Error).message, sqlState: '42704' } };
  }
}

/** information_schema.columns of the model's tables (the grant model has no columns): STRING unless named like a date. */
function columnRows(model: DatabricksGrantModel): Record<string, string>[] {
  return model.tables.flatMap(([c, sc, t]) =>
    (EXAMPLE_COLUMNS[`${c}.${sc}.${t}`] ?? ['id']).map((column) => ({ table_catalog: c, table_schema: sc, table_name: t, column_name: column, full_data_type: /date|_at$/.test(column) ? 'date' : 'string' })),
  );
}

async function openStubAdapter(): Promise<DatabricksAdapter> {
  const { sql, scim } = world;
  const conn = await connectDatabricks({ host: sql.host, path: sql.path, token: TOKEN, loopback: { port: sql.port, caCert: sql.caCert } });
  const client = new ScimClient({ host: env.DATABRICKS_HOST, accountId: scim.accountId, auth: { token: TOKEN }, baseUrls: { workspace: scim.url, accounts: scim.url }, pageSize: 2 });
  return new DatabricksAdapter(conn, { scim: { client } });
}

const RBAC_YAML = databricksRbacYaml('e2e', '    account_id: ${DATABRICKS_ACCOUNT_ID}\n    manage_membership: true\n');

/** Nested groups (`Data Engineers` inherits phi_base_reader), a user and a service principal as members, grants to groups and to the service principal. */
function rolesYaml(extraMember = ''): string {
  // A name that is not a bare identifier is quoted inside the YAML string: '"Data Engineers"'.
  return `users:
  - name: '"alice@example.org"'
  - name: etl_robot
    service_principal: true
    application_id: ${SP_APP}
${extraMember ? `  - name: '"${extraMember}"'\n` : ''}roles:
  - name: phi_base_reader
  - name: '"Data Engineers"'
    inherits: [phi_base_reader]
    members: ['"alice@example.org"', etl_robot${extraMember ? `, '"${extraMember}"'` : ''}]
`;
}

const GRANTS_YAML = `grants:
  - role: phi_base_reader
    privileges: [usage]
    on: { database: ehr }
  - role: phi_base_reader
    privileges: [usage]
    on: { schema: ehr.clinical }
  - role: '"Data Engineers"'
    privileges: [select]
    on: { table: ehr.clinical.patients }
  - role: etl_robot
    privileges: [modify]
    on: { table: ehr.clinical.patients }
  - role: etl_robot
    privileges: [read_volume, write_volume]
    on: { volume: ehr.raw.uploads }
  - role: phi_base_reader
    privileges: [execute]
    on: { function: ehr.util.zip3 }
  - role: '"Data Engineers"'
    privileges: [use_catalog, use_schema, select]
    on: { catalog: research }
`;

async function writeConfig(dir: string, roles: string): Promise<void> {
  await mkdir(path.join(dir, 'roles'), { recursive: true });
  await mkdir(path.join(dir, 'grants'), { recursive: true });
  await writeFile(path.join(dir, 'rbac.yaml'), RBAC_YAML);
  await writeFile(path.join(dir, 'roles', 'team.yaml'), roles);
  await writeFile(path.join(dir, 'grants', 'clinical.yaml'), GRANTS_YAML);
}

const cli = (argv: string[]) => rbac([...argv, '--config', world.dir], { cwd: world.dir, env });
const writes = () => world.scim.requests.filter((r) => r.method !== 'GET');
const sqlWrites = () => world.sql.queries.filter((q) => /^(GRANT|REVOKE)/.test(q));

beforeEach(async () => {
  const scim = await startScimStub({ token: TOKEN, pageSize: 2 });
  const model = new DatabricksGrantModel();
  model.catalogs = ['ehr', 'research'];
  model.schemas = [['ehr', 'clinical'], ['ehr', 'raw'], ['ehr', 'util'], ['research', 'extracts']];
  model.tables = [['ehr', 'clinical', 'patients'], ['research', 'extracts', 'cohort']];
  model.volumes = [['ehr', 'raw', 'uploads']];
  model.functions = [['ehr', 'util', 'zip3']];
  const sql = await startThriftStub({ respond: (text) => answer(model, scim, text), token: TOKEN });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rbac-scim-e2e-'));
  world = { scim, sql, model, dir };
  vi.mocked(registry.openAdapter).mockImplementation(openStubAdapter);
});

afterEach(async () => {
  expect(world.sql.faults).toEqual([]);
  await Promise.all([world.scim.close(), world.sql.close()]);
});

describe('manage_membership: true, through the CLI against the SCIM and Thrift stubs', () => {
  it('creates the groups, nests them, adds a user and a service principal, grants on tables, a volume, a function and a catalog, and then plans empty; drift sees a member added by hand', async () => {
    const { scim, model } = world;
    const alice = scim.addUser('alice@example.org');
    const bob = scim.addUser('bob@example.org');
    const robot = scim.addServicePrincipal(SP_APP, 'ETL robot');
    // phi_base_reader exists with a member the configuration does not name; a case twin of `Data Engineers` exists and is not it.
    const base = scim.addGroup('phi_base_reader', { members: [bob.id] });
    const twin = scim.addGroup('data engineers', { members: [bob.id] });
    await writeConfig(world.dir, rolesYaml());

    const planned = await cli(['plan']);
    expect(planned.err).not.toMatch(/not managed on Databricks/);
    expect(planned.code, planned.out + planned.err).toBe(0);
    const SCIM_LINES = [
      '-- SCIM: create account group "Data Engineers"',
      `-- SCIM: update members of "Data Engineers": add service principal "${SP_APP}", add user "alice@example.org"`,
      '-- SCIM: update members of "phi_base_reader": add group "Data Engineers", remove user "bob@example.org"',
    ];
    for (const l of SCIM_LINES) expect(planned.out).toContain(l);
    expect(planned.out).not.toMatch(/error:/);
    expect(writes()).toEqual([]);
    expect(sqlWrites()).toEqual([]);

    const applied = await cli(['apply', '--auto-approve']);
    expect(applied.err).not.toMatch(/FAIL/);
    expect(applied.out, applied.err).toContain('Verified: the next plan is empty.');
    expect(applied.code).toBe(0);
    // The order statements ran in (apply prints each as it completes): groups first, then members, then the GRANTs.
    const ran = [...applied.err.matchAll(/\[\d+\/\d+\] ok {3}(.*)/g)].map((m) => m[1]);
    expect(ran.slice(0, 3)).toEqual(SCIM_LINES);
    expect(ran.slice(3).sort()).toEqual(
      [
        'GRANT USE CATALOG ON CATALOG `ehr` TO `phi_base_reader`',
        'GRANT USE SCHEMA ON SCHEMA `ehr`.`clinical` TO `phi_base_reader`',
        'GRANT SELECT ON TABLE `ehr`.`clinical`.`patients` TO `Data Engineers`',
        `GRANT MODIFY ON TABLE \`ehr\`.\`clinical\`.\`patients\` TO \`${SP_APP}\``,
        `GRANT READ VOLUME, WRITE VOLUME ON VOLUME \`ehr\`.\`raw\`.\`uploads\` TO \`${SP_APP}\``,
        'GRANT EXECUTE ON FUNCTION `ehr`.`util`.`zip3` TO `phi_base_reader`',
        // A catalog-level grant: inherited by every schema and table of `research`, existing and future.
        'GRANT USE CATALOG, SELECT, USE SCHEMA ON CATALOG `research` TO `Data Engineers`',
      ].sort(),
    );
    // The warehouse received the SQL only, never a SCIM line.
    expect(world.sql.queries.filter((q) => q.startsWith('--'))).toEqual([]);

    const engineers = scim.group('Data Engineers')!;
    expect(engineers.members.sort()).toEqual([alice.id, robot.id].sort());
    // Nesting: the child group is a member of its parent, and the stray member is gone.
    expect(base.members).toEqual([engineers.id]);
    expect(twin.members).toEqual([bob.id]);
    const grants = [...model.grants].map((g) => JSON.parse(g) as { kind: string; name: string[]; word: string; principal: string });
    expect(grants.map((g) => `${g.word} ${g.kind} ${g.name.join('.')} ${g.principal}`).sort()).toEqual(
      [
        'USE CATALOG CATALOG ehr phi_base_reader',
        'USE SCHEMA SCHEMA ehr.clinical phi_base_reader',
        'SELECT TABLE ehr.clinical.patients Data Engineers',
        `MODIFY TABLE ehr.clinical.patients ${SP_APP}`,
        `READ VOLUME VOLUME ehr.raw.uploads ${SP_APP}`,
        `WRITE VOLUME VOLUME ehr.raw.uploads ${SP_APP}`,
        'EXECUTE FUNCTION ehr.util.zip3 phi_base_reader',
        'USE CATALOG CATALOG research Data Engineers',
        'USE SCHEMA CATALOG research Data Engineers',
        'SELECT CATALOG research Data Engineers',
      ].sort(),
    );
    // One POST, two PATCHes: no call per member.
    expect(writes().map((r) => r.method).sort()).toEqual(['PATCH', 'PATCH', 'POST']);

    const again = await cli(['plan', '--detailed-exitcode']);
    expect(again.code).toBe(0);
    expect(again.out).not.toContain('-- SCIM');

    // The snapshot carries the SCIM read: planning from it is empty too, names in their case.
    const snapshotFile = path.join(world.dir, 'live.json');
    expect((await cli(['snapshot', '--out', snapshotFile])).code).toBe(0);
    const snapshot = JSON.parse(await readFile(snapshotFile, 'utf8'));
    expect(snapshot.memberships.map((m: { role: string; member: string }) => `${m.role} <- ${m.member}`).sort()).toEqual(
      ['Data Engineers <- alice@example.org', `Data Engineers <- ${SP_APP}`, 'phi_base_reader <- Data Engineers'].sort(),
    );
    expect(snapshot.scim.groups.map((g: { displayName: string }) => g.displayName)).toEqual(['Data Engineers', 'phi_base_reader']);
    const offline = await cli(['plan', '--snapshot', snapshotFile, '--detailed-exitcode']);
    expect(offline.code).toBe(0);

    // Someone adds bob to `Data Engineers` by hand.
    engineers.members.push(bob.id);
    const drift = await cli(['drift', '--format', 'json', '--state', path.join(world.dir, 'drift.json')]);
    expect(drift.code).toBe(2);
    expect(drift.out).toContain('bob@example.org');
    expect(drift.out).toContain('Data Engineers');
    // From a new snapshot, the plan removes him through SCIM.
    expect((await cli(['snapshot', '--out', snapshotFile])).code).toBe(0);
    const fix = await cli(['plan', '--snapshot', snapshotFile]);
    expect(fix.out).toContain('-- SCIM: remove user "bob@example.org" from "Data Engineers"');
  });

  it('refuses a plan whose member does not exist in the account, before anything runs', async () => {
    world.scim.addUser('alice@example.org');
    world.scim.addServicePrincipal(SP_APP, 'ETL robot');
    await writeConfig(world.dir, rolesYaml('nobody@example.org'));
    const r = await cli(['apply', '--auto-approve']);
    expect(r.code).not.toBe(0);
    expect(r.out + r.err).toMatch(/user or service principal "nobody@example\.org" \(member of "Data Engineers"\) does not exist/);
    expect(r.out + r.err).toMatch(/nothing was applied/);
    expect(writes()).toEqual([]);
    expect(sqlWrites()).toEqual([]);
  });

  it('compares group names as Databricks does: `data engineers` in the configuration is not the live `Data Engineers`', async () => {
    const { scim, model } = world;
    const alice = scim.addUser('alice@example.org');
    scim.addServicePrincipal(SP_APP, 'ETL robot');
    scim.addGroup('phi_base_reader');
    const live = scim.addGroup('Data Engineers', { members: [alice.id] });
    model.grants.add(JSON.stringify({ kind: 'TABLE', name: ['ehr', 'clinical', 'patients'], word: 'SELECT', principal: 'Data Engineers' }));
    await writeConfig(world.dir, rolesYaml().replaceAll('"Data Engineers"', '"data engineers"'));
    await writeFile(path.join(world.dir, 'grants', 'clinical.yaml'), GRANTS_YAML.replaceAll('"Data Engineers"', '"data engineers"'));

    const planned = await cli(['plan']);
    // A group of its own, created and granted to; the live `Data Engineers` is outside the managed scope.
    expect(planned.out).toContain('-- SCIM: create account group "data engineers"');
    expect(planned.out).toContain('GRANT SELECT ON TABLE `ehr`.`clinical`.`patients` TO `data engineers`');
    expect(planned.out).not.toMatch(/REVOKE .* FROM `Data Engineers`/);
    expect(planned.out).not.toMatch(/"Data Engineers"/);

    expect((await cli(['apply', '--auto-approve'])).code).toBe(0);
    expect(scim.groups.filter((g) => !g.local).map((g) => g.displayName).sort()).toEqual(['Data Engineers', 'data engineers', 'phi_base_reader']);
    expect(live.members).toEqual([alice.id]);
    expect(model.grants.has(JSON.stringify({ kind: 'TABLE', name: ['ehr', 'clinical', 'patients'], word: 'SELECT', principal: 'Data Engineers' }))).toBe(true);
    expect((await cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('keeps the behaviour of v0.1 without manage_membership: members unmanaged, a missing group an error', async () => {
    await writeConfig(world.dir, rolesYaml());
    await writeFile(path.join(world.dir, 'rbac.yaml'), RBAC_YAML.replace('manage_membership: true', 'manage_membership: false'));
    vi.mocked(registry.openAdapter).mockImplementation(async () => {
      const { sql } = world;
      return new DatabricksAdapter(await connectDatabricks({ host: sql.host, path: sql.path, token: TOKEN, loopback: { port: sql.port, caCert: sql.caCert } }));
    });
    const r = await cli(['plan']);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toMatch(/group membership\(s\) .* are not managed on Databricks/);
    expect(r.out + r.err).toMatch(/account group phi_base_reader does not exist .* cannot be created in SQL/);
    expect(r.out).not.toContain('-- SCIM');
    expect(world.scim.requests).toEqual([]);
  });
});

describe('the example configuration on Databricks with manage_membership: true', () => {
  it("nests clinical_analyst into phi_base_reader, so it reaches its tables with its parent group's USE CATALOG and USE SCHEMA", async () => {
    const { scim, model } = world;
    const dir = await tempConfig();
    const yaml = await readFile(path.join(dir, 'rbac.yaml'), 'utf8');
    await writeFile(path.join(dir, 'rbac.yaml'), yaml.replace(/^default_target: .*$/m, 'default_target: lakehouse').replace(/^targets:\n/m, `targets:\n${RBAC_YAML.split('targets:\n')[1]}`));
    for (const u of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) scim.addUser(u);
    model.schemas = [['ehr', 'clinical'], ['ehr', 'billing'], ['research', 'extracts']];
    model.tables = Object.keys(EXAMPLE_COLUMNS).map((t) => t.split('.') as [string, string, string]);

    const io = { out: () => {}, err: () => {}, env, stdoutIsTTY: false, stdinIsTTY: false, cwd: dir };
    const config = await loadConfig(io, dir);
    const target = resolveTarget(config.project, 'lakehouse', env);
    const adapter = await openStubAdapter();
    try {
      const planned = await planWith(io, { config }, target, adapter);
      expect(planned.plan.problems.filter((p) => p.severity === 'error')).toEqual([]);
      // inherits: [phi_base_reader] is nesting: the child group becomes a member of its parent.
      const nesting = planned.statements.filter((st) => st.scim?.kind === 'patchMembers' && st.scim.group === 'phi_base_reader');
      expect(nesting).toHaveLength(1);
      expect(nesting[0].sql).toMatch(/^-- SCIM: update members of "phi_base_reader": add group "billing_auditor", add group "clinical_analyst", /);
      expect(nesting[0].scim).toMatchObject({ add: expect.arrayContaining([{ kind: 'group', name: 'clinical_analyst' }]) });

      // Run the groups and the GRANTs (the masking functions are not the grant model's), then ask what clinical_analyst can use.
      const run = planned.statements.filter((st) => st.scim || st.sql.startsWith('GRANT '));
      const result = await adapter.apply(run);
      expect(result).toMatchObject({ ok: true, pending: [] });
      const effective = effectivePrivileges('clinical_analyst');
      expect(effective).toEqual(expect.arrayContaining(['USE CATALOG CATALOG ehr', 'USE SCHEMA SCHEMA ehr.clinical', 'SELECT TABLE ehr.clinical.encounters']));
      // Through the parent only: clinical_analyst holds no USE CATALOG of its own.
      expect(directPrivileges('clinical_analyst')).not.toContain('USE CATALOG CATALOG ehr');
    } finally {
      await adapter.close();
    }
  });
});

/** Columns of the example's tables (masking policies and row filters are typed with them). */
const EXAMPLE_COLUMNS: Record<string, string[]> = {
  'ehr.clinical.patients': ['patient_id', 'full_name', 'ssn', 'birth_date', 'birth_year', 'zip', 'zip3', 'phone', 'email', 'mrn', 'facility_id'],
  'ehr.clinical.encounters': ['encounter_id', 'patient_id', 'facility_id', 'admitted_at'],
  'ehr.clinical.diagnoses': ['diagnosis_id', 'encounter_id', 'code'],
  'ehr.billing.claims': ['claim_id', 'patient_id', 'amount'],
  'ehr.billing.payments': ['payment_id', 'claim_id', 'account_number', 'amount'],
};

const directPrivileges = (principal: string): string[] =>
  [...world.model.grants].map((g) => JSON.parse(g) as { kind: string; name: string[]; word: string; principal: string }).filter((g) => g.principal === principal).map((g) => `${g.word} ${g.kind} ${g.name.join('.')}`);

/** What a group can use on the stubs: its own grants and those of every group it is a member of, transitively (SCIM stub state). */
function effectivePrivileges(group: string): string[] {
  const byId = new Map(world.scim.groups.map((g) => [g.id, g]));
  const reached = new Set([group]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const g of world.scim.groups) {
      if (reached.has(g.displayName) || g.local) continue;
      if (g.members.some((id) => reached.has(byId.get(id)?.displayName ?? ''))) reached.add(g.displayName), (grew = true);
    }
  }
  return [...new Set([...reached].flatMap(directPrivileges))].sort();
}
