/**
 * The `surrogate` mask on Databricks (src/dialects/databricks/surrogates.ts): golden SQL
 * for create (mapping table, function, fill, then SET MASK), hash -> surrogate in place
 * (guarded fill), attach and drop; the reader reading the body back as surrogate with
 * nothing to plan; the mapping table kept secret like the salt; and `rbac surrogates`
 * through the real @databricks/sql driver to the loopback Thrift stub.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DatabricksAdapter } from '../../src/dialects/databricks/adapter.js';
import { compileDatabricksPlan } from '../../src/dialects/databricks/compile.js';
import { connectDatabricks } from '../../src/dialects/databricks/driver.js';
import { parseDatabricksPolicies } from '../../src/dialects/databricks/inspect.js';
import { compileDatabricksPolicy, databricksMaskingBody } from '../../src/dialects/databricks/policies.js';
import {
  DATABRICKS_TOOL_MARKER,
  databricksLiveSaltProblems,
  databricksSaltProblems,
  parseSaltState,
  saltStateSql,
  saltTableRef,
  surrogateTableRef,
  toolSchemaRef,
} from '../../src/dialects/databricks/salt.js';
import { databricksSurrogates, surrogateBootstrap, surrogateFillSql } from '../../src/dialects/databricks/surrogates.js';
import * as registry from '../../src/dialects/registry.js';
import { bodyDigest, encodePolicyMarker } from '../../src/dialects/policy-text.js';
import { keywordReader } from '../../src/model/catalog.js';
import { DATABRICKS_CATALOG } from '../../src/dialects/databricks/catalog.js';
import { columnKey, makeGrant, maskingPolicyKey, objectKey, roleKey } from '../../src/model/keys.js';
import type { Desired, Live, MaskingPolicyRecord, ObjectRef } from '../../src/model/types.js';
import type { Change, Plan } from '../../src/plan/types.js';
import { plan } from '../../src/plan/plan.js';
import { scopeOf } from '../../src/plan/scope.js';
import { topUpSurrogates } from '../../src/surrogates/topup.js';
import { databricksRbacYaml, rbac } from '../helpers/cli.js';
import { startThriftStub, type StubAnswer, type ThriftStub } from './thrift-stub.js';

vi.mock('../../src/dialects/registry.js', async (original) => ({ ...(await original<typeof import('../../src/dialects/registry.js')>()), openAdapter: vi.fn() }));

const S: ObjectRef = { kind: 'schema', database: 'e`hr', schema: 'clinical' };
const T: ObjectRef = { kind: 'table', database: 'e`hr', schema: 'clinical', name: 'patients' };
const U: ObjectRef = { kind: 'table', database: 'e`hr', schema: 'clinical', name: 'été' };
const surrogate = (over: Partial<MaskingPolicyRecord> = {}): MaskingPolicyRecord => ({
  key: maskingPolicyKey("mrn'key"), name: "mrn'key", schema: S, mask: 'surrogate', unmaskedFor: ['privacy_officer', 'etl'], columns: [{ table: T, column: 'mrn' }], ...over,
});
const tables = [
  { object: T, columns: ['mrn', 'birth', 'code'], columnTypes: ['string', 'date', 'varchar(10)'] },
  { object: U, columns: ['a`b'], columnTypes: ['string'] },
];
const MAP = '`e``hr`.`rbac`.`surrogates`';
const planOf = (changes: Change[]): Plan => ({ target: 't', mode: 'authoritative', changes, problems: [], summary: { add: 0, change: 0, remove: 0, destructive: 0 } }) as unknown as Plan;
const sqlOf = (changes: Change[], ctx: Parameters<typeof compileDatabricksPlan>[2] = {}) => compileDatabricksPlan(planOf(changes), new Map(), { tables, ...ctx }).map((s) => s.sql);
const word = keywordReader(DATABRICKS_CATALOG);
const at = (list: string[], re: RegExp) => list.findIndex((s) => re.test(s));

describe('surrogate SQL (golden, hostile names)', () => {
  const create = sqlOf([{ kind: 'createMaskingPolicy', policy: surrogate({ columns: [{ table: T, column: 'mrn' }, { table: U, column: 'a`b' }] }) }]);
  const alter = sqlOf([{ kind: 'alterMaskingPolicy', from: surrogate({ mask: 'hash' }), to: surrogate() }], {
    toolObjects: [objectKey(toolSchemaRef('e`hr')), objectKey(saltTableRef('e`hr'))],
  });
  const attach = sqlOf([{ kind: 'attachMaskingPolicy', policy: surrogate(), column: { table: U, column: 'a`b' } }], {
    toolObjects: [objectKey(toolSchemaRef('e`hr')), objectKey(surrogateTableRef('e`hr'))],
  });
  const drop = sqlOf([{ kind: 'dropMaskingPolicy', policy: surrogate() }]);

  it('matches the golden file', () => {
    const golden = new URL('./golden/surrogate.sql', import.meta.url);
    const section = (title: string, list: string[]) => `-- ${title}\n${list.map((s) => `${s};`).join('\n')}\n`;
    const text = [
      section('create: tool schema, mapping table, function, fill of every column, then SET MASK', create),
      section('alter hash -> surrogate in place (the salt\'s schema there): mapping table, function, fill guarded by the exemption', alter),
      section('attach to one more column: fill, then SET MASK', attach),
      section('drop: detach, drop the function; the mapping keeps its rows', drop),
    ].join('\n');
    if (process.env.UPDATE_GOLDEN || !existsSync(golden)) writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });

  it('create: the mapping table first, the values read before the function masks them, unguarded', () => {
    expect(create.slice(0, 2)).toEqual([
      `CREATE SCHEMA IF NOT EXISTS \`e\`\`hr\`.\`rbac\` COMMENT '${DATABRICKS_TOOL_MARKER}'`,
      `CREATE TABLE IF NOT EXISTS ${MAP} (\`policy\` STRING NOT NULL, \`value\` STRING NOT NULL, \`surrogate\` STRING NOT NULL, \`mapped_at\` TIMESTAMP NOT NULL)`,
    ]);
    expect(create[2]).toMatch(/^CREATE OR REPLACE FUNCTION `e``hr`\.`clinical`\.`mrn'key`\(val STRING\) RETURNS STRING COMMENT '.*' RETURN CASE WHEN is_account_group_member\('privacy_officer'\) OR is_account_group_member\('etl'\) THEN val ELSE /);
    expect(create[2]).toContain(`ELSE (SELECT max(\`surrogate\`) FROM ${MAP} WHERE \`policy\` = 'mrn\\'key' AND \`value\` = CAST(val AS STRING)) END`);
    expect(create[3]).toBe(
      `INSERT INTO ${MAP} (\`policy\`, \`value\`, \`surrogate\`, \`mapped_at\`) SELECT 'mrn\\'key', x.v, lower(replace(uuid(), '-', '')), current_timestamp() ` +
        `FROM (SELECT DISTINCT CAST(\`mrn\` AS STRING) AS v FROM \`e\`\`hr\`.\`clinical\`.\`patients\` WHERE \`mrn\` IS NOT NULL) x ` +
        `WHERE NOT EXISTS (SELECT 1 FROM ${MAP} m WHERE m.\`policy\` = 'mrn\\'key' AND m.\`value\` = x.v)`,
    );
    expect(create[4]).toContain('FROM `e``hr`.`clinical`.`été` WHERE `a``b` IS NOT NULL) x');
    // Every fill runs before the first SET MASK.
    const lastFill = create.map((s) => s.startsWith('INSERT')).lastIndexOf(true);
    expect(at(create, /^INSERT/)).toBeGreaterThan(at(create, /^CREATE OR REPLACE FUNCTION/));
    expect(lastFill).toBeLessThan(at(create, /SET MASK/));
    expect(create.slice(5)).toEqual([
      'ALTER TABLE `e``hr`.`clinical`.`patients` ALTER COLUMN `mrn` SET MASK `e``hr`.`clinical`.`mrn\'key`',
      'ALTER TABLE `e``hr`.`clinical`.`été` ALTER COLUMN `a``b` SET MASK `e``hr`.`clinical`.`mrn\'key`',
    ]);
    // The salt is not made for a surrogate-only catalog.
    expect(create.some((s) => s.includes('`settings`'))).toBe(false);
    // Someone else's schema `rbac` in the catalog: refused, nothing compiled.
    expect(() => sqlOf([{ kind: 'createMaskingPolicy', policy: surrogate() }], { foreignToolSchemas: ['e`hr'] })).toThrow(/schema rbac that rbac did not make; the surrogate mask keeps its mapping table/);
  });

  it('hash -> surrogate in place: the column stays masked, so the fill is guarded by the new body\'s exemption', () => {
    // The salt and its schema exist, the mapping table not yet: made first, in the schema there.
    expect(alter[0]).toEqual(surrogateBootstrap('e`hr')[1]);
    expect(alter.some((s) => s.startsWith('CREATE SCHEMA'))).toBe(false);
    const fn = at(alter, /^CREATE OR REPLACE FUNCTION/);
    const fill = at(alter, /^INSERT/);
    expect(fn).toBeGreaterThan(-1);
    expect(fill).toBe(fn + 1);
    expect(alter[fill]).toContain("WHERE `mrn` IS NOT NULL AND (is_account_group_member('privacy_officer') OR is_account_group_member('etl'))) x");
    expect(alter.some((s) => /DROP MASK|SET MASK/.test(s))).toBe(false);
    // Only the exemptions change: nothing to map again.
    const again = sqlOf([{ kind: 'alterMaskingPolicy', from: surrogate({ unmaskedFor: ['privacy_officer'] }), to: surrogate() }], { toolObjects: [objectKey(toolSchemaRef('e`hr')), objectKey(surrogateTableRef('e`hr'))] });
    expect(again).toEqual([expect.stringMatching(/^CREATE OR REPLACE FUNCTION/)]);
    // Nobody exempt: the guard is FALSE, so apply maps nothing through the mask.
    const none = sqlOf([{ kind: 'alterMaskingPolicy', from: surrogate({ mask: 'redact' }), to: surrogate({ unmaskedFor: [] }) }]);
    expect(none.find((s) => s.startsWith('INSERT'))).toContain('WHERE `mrn` IS NOT NULL AND (FALSE)) x');
  });

  it('a column masked by something else when the fill runs is read through that mask: guarded by its exemption, FALSE when rbac did not make it', () => {
    const masked = new Map<string, readonly string[] | null>([
      [columnKey({ table: T, column: 'mrn' }), ['billing_auditor']],
      [columnKey({ table: U, column: 'a`b' }), null],
    ]);
    const out = sqlOf([{ kind: 'createMaskingPolicy', policy: surrogate({ columns: [{ table: T, column: 'mrn' }, { table: U, column: 'a`b' }] }) }], { maskedColumns: masked });
    const fills = out.filter((s) => s.startsWith('INSERT'));
    expect(fills[0]).toContain("WHERE `mrn` IS NOT NULL AND (is_account_group_member('billing_auditor'))) x");
    expect(fills[1]).toContain('WHERE `a``b` IS NOT NULL AND (FALSE)) x');
  });

  it('attach maps the new column before SET MASK; drop leaves the mapping alone', () => {
    expect(attach).toEqual([surrogateFillSql(surrogate(), { table: U, column: 'a`b' }), 'ALTER TABLE `e``hr`.`clinical`.`été` ALTER COLUMN `a``b` SET MASK `e``hr`.`clinical`.`mrn\'key`']);
    expect(drop).toEqual(['ALTER TABLE `e``hr`.`clinical`.`patients` ALTER COLUMN `mrn` DROP MASK', "DROP FUNCTION IF EXISTS `e``hr`.`clinical`.`mrn'key`"]);
  });

  it('text columns only, like hash; a CHAR/VARCHAR too short for a key is refused', () => {
    const on = (column: string) => () => compileDatabricksPolicy({ kind: 'createMaskingPolicy', policy: surrogate({ columns: [{ table: T, column }] }) }, { tables });
    expect(on('birth')).toThrow(/mask surrogate of policy mrn'key cannot keep a DATE column's type/);
    expect(on('code')).toThrow(/cannot keep a VARCHAR\(10\) column's type/);
    expect(databricksMaskingBody(surrogate(), 'VARCHAR(64)')).toContain('SELECT max(`surrogate`)');
  });
});

const fn = (body: string, over: Record<string, unknown> = {}) => ({
  routine_catalog: 'e`hr', routine_schema: 'clinical', routine_name: "mrn'key", routine_definition: body,
  comment: encodePolicyMarker({ policy: 'masking', name: "mrn'key", mask: 'surrogate', unmaskedFor: ['privacy_officer', 'etl'], body: bodyDigest(databricksMaskingBody(surrogate(), 'STRING')) }),
  ...over,
});
const maskRow = { catalog_name: 'e`hr', schema_name: 'clinical', table_name: 'patients', column_name: 'mrn', mask_catalog: 'e`hr', mask_schema: 'clinical', mask_name: "mrn'key" };

describe('reading a surrogate policy back', () => {
  const desired: Desired = {
    platform: 'databricks',
    roles: ['privacy_officer', 'etl'].map((name) => ({ key: roleKey(name), name, state: 'present' as const })),
    users: [], memberships: [], futureGrants: [], schemaWide: [], grants: [],
    maskingPolicies: [surrogate()],
  };
  const liveWith = (policies: MaskingPolicyRecord[]): Live => ({
    platform: 'databricks', roles: desired.roles.map((r) => ({ name: r.name, isUser: false })), memberships: [], grants: [], futureGrants: [], schemas: [], tables,
    maskingPolicies: policies, toolObjects: [objectKey(toolSchemaRef('e`hr')), objectKey(surrogateTableRef('e`hr'))],
  });

  it('the body rbac writes reads as mask surrogate on its columns, and the next plan is empty', () => {
    const read = parseDatabricksPolicies({ functions: [fn(databricksMaskingBody(surrogate(), 'STRING'))], masks: [maskRow], filters: [] }).maskingPolicies;
    expect(read).toEqual([surrogate()]);
    expect(plan(desired, liveWith(read), { mode: 'authoritative', target: 't', scope: scopeOf(desired) }).changes).toEqual([]);
  });

  it('a body edited by hand under the marker is tampered, and the plan rewrites it', () => {
    const edited = databricksMaskingBody(surrogate(), 'STRING').replace('ELSE (SELECT', 'ELSE val END --');
    const [rec] = parseDatabricksPolicies({ functions: [fn(edited)], masks: [maskRow], filters: [] }).maskingPolicies;
    expect(rec.tampered).toEqual(["the body of masking policy mrn'key was changed by hand"]);
    const p = plan(desired, liveWith([rec]), { mode: 'authoritative', target: 't', scope: scopeOf(desired) });
    expect(p.changes.map((c) => c.kind)).toEqual(['alterMaskingPolicy']);
  });
});

describe('the mapping table is kept secret like the salt', () => {
  const rows = [
    { what: 'schema', catalog: 'ehr', comment: DATABRICKS_TOOL_MARKER },
    { what: 'table', catalog: 'ehr', object_name: 'surrogates' },
    { what: 'table_grant', catalog: 'ehr', grantee: 'mallory@example.org', privilege_type: 'SELECT', inherited_from: 'NONE', object_name: 'surrogates' },
    { what: 'table_grant', catalog: 'ehr', grantee: 'bi_readers', privilege_type: 'SELECT', inherited_from: 'CATALOG', object_name: 'surrogates' },
    { what: 'catalog_grant', catalog: 'ehr', grantee: 'bi_readers', privilege_type: 'SELECT', inherited_from: 'NONE' },
  ];
  const desired = (grants: Desired['grants']): Desired => ({
    platform: 'databricks',
    roles: ['analysts', 'privacy_officer', 'etl'].map((name) => ({ key: roleKey(name), name, state: 'present' as const })),
    users: [], memberships: [], futureGrants: [], schemaWide: [], grants,
    maskingPolicies: [surrogate({ schema: { kind: 'schema', database: 'ehr', schema: 'clinical' }, columns: [] })],
  });

  it('the one state query reads the mapping table and the grants on it (and says which table each row names)', () => {
    expect(saltStateSql()).toContain("table_name IN ('settings', 'surrogates')");
    const s = parseSaltState(rows, (g) => g, (kind, keyword) => word(kind, keyword));
    expect(s.toolObjects).toEqual([objectKey(toolSchemaRef('ehr')), objectKey(surrogateTableRef('ehr'))].sort());
    expect(s.grants.map((g) => [g.role, g.privilege, objectKey(g.object)])).toEqual([['mallory@example.org', 'select', objectKey(surrogateTableRef('ehr'))]]);
  });

  it('a grant someone made on the mapping table is revoked, whoever holds it', () => {
    const d = desired([]);
    const s = parseSaltState(rows, (g) => g, (kind, keyword) => word(kind, keyword));
    const live: Live = {
      platform: 'databricks', roles: d.roles.map((r) => ({ name: r.name, isUser: false })), memberships: [], futureGrants: [], schemas: [], tables: [],
      grants: s.grants, toolObjects: s.toolObjects, maskingPolicies: d.maskingPolicies,
    };
    const p = plan(d, live, { mode: 'additive', target: 't', scope: scopeOf(d) });
    expect(compileDatabricksPlan(p, new Map(), { toolObjects: live.toolObjects }).map((x) => x.sql)).toEqual(['REVOKE SELECT ON TABLE `ehr`.`rbac`.`surrogates` FROM `mallory@example.org`']);
  });

  it('a catalog-level grant that reaches the mapping by inheritance is an error, in the configuration and live, as for the salt', () => {
    const source = { file: 'grants/lakehouse.yaml', line: 3, column: 5 };
    const problems = databricksSaltProblems(desired([
      makeGrant({ role: 'analysts', privilege: 'select', object: { kind: 'database', database: 'ehr' }, source }),
      makeGrant({ role: 'analysts', privilege: 'select', object: surrogateTableRef('ehr') }),
    ]));
    expect(problems.map((p) => p.message)).toEqual([
      "select on catalog ehr to analysts is inherited by every table of the catalog, rbac's surrogate mapping table ehr.rbac.surrogates too: the surrogate mapping (the value behind every key) is then readable",
      'a grant to analysts names table:ehr.rbac.surrogates, in the schema rbac that rbac owns in catalog ehr (it holds the mapping of the surrogate mask)',
    ]);
    expect(problems[0].hint).toContain('(grants/lakehouse.yaml:3:5)');
    // Live: the catalog holds the mapping table (no hash policy anywhere).
    const live = { toolObjects: [objectKey(surrogateTableRef('lab'))], saltReaders: [makeGrant({ role: 'lab_team', privilege: 'modify', object: { kind: 'database', database: 'lab' } })] } as unknown as Live;
    const noPolicies = { ...desired([]), maskingPolicies: [] };
    expect(databricksLiveSaltProblems(noPolicies, live).map((p) => p.message)).toEqual([
      "lab_team holds MODIFY on catalog lab, which reaches rbac's surrogate mapping table lab.rbac.surrogates: the surrogate mapping (the value behind every key) is readable (or writable) by them",
    ]);
    expect(databricksLiveSaltProblems(noPolicies, { ...live, toolObjects: [] })).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------
// `rbac surrogates` through the real driver to the loopback Thrift stub.
// ---------------------------------------------------------------------------------

const TOKEN = 'dapi-surrogate-0123456789abcdef';
const POLICY: MaskingPolicyRecord = { key: 'policy:masking:mrn_key', name: 'mrn_key', schema: { kind: 'schema', database: 'ehr', schema: 'clinical' }, mask: 'surrogate', unmaskedFor: ['privacy_officer'], columns: [{ table: { kind: 'table', database: 'ehr', schema: 'clinical', name: 'patients' }, column: 'mrn' }] };
const COLUMN = POLICY.columns[0];

/** A warehouse holding ehr.clinical.patients with the surrogate policy attached, and `unmapped` values without a key until a fill runs. */
interface Warehouse {
  exempt: boolean;
  unmapped: number;
}

/** The column names of a SELECT list, for empty answers (the stub sends no result without columns). */
function selected(text: string): string[] {
  const list = /^SELECT (.*?) FROM /.exec(text)?.[1] ?? 'result';
  return list.split(/,\s*(?![^()]*\))/).map((c) => c.trim().split(/\s+/).at(-1)!);
}

function answer(w: Warehouse, text: string): StubAnswer {
  const body = databricksMaskingBody(POLICY, 'STRING');
  if (text === 'SHOW GROUPS') return { rows: [{ name: 'privacy_officer' }, { name: 'clinical_analyst' }] };
  if (text === saltStateSql()) {
    return { rows: [
      { what: 'schema', catalog: 'ehr', grantee: null, privilege_type: null, inherited_from: null, comment: DATABRICKS_TOOL_MARKER, object_name: null },
      { what: 'table', catalog: 'ehr', grantee: null, privilege_type: null, inherited_from: null, comment: null, object_name: 'surrogates' },
    ] };
  }
  if (text === databricksSurrogates.exemptSql!(POLICY)) return { rows: [{ exempt: w.exempt ? 'true' : 'false' }] };
  if (text === databricksSurrogates.unmappedCountSql(POLICY, COLUMN)) return { rows: [{ n: String(w.unmapped) }] };
  if (text.startsWith('INSERT INTO')) return (w.unmapped = 0), { rows: [{ num_affected_rows: '3', num_inserted_rows: '3' }] };
  const view = /FROM system\.information_schema\.(\w+)/.exec(text)?.[1];
  if (view === 'routines' && text.includes('routine_definition')) {
    const comment = encodePolicyMarker({ policy: 'masking', name: 'mrn_key', mask: 'surrogate', unmaskedFor: ['privacy_officer'], body: bodyDigest(body) });
    return { rows: [{ routine_catalog: 'ehr', routine_schema: 'clinical', routine_name: 'mrn_key', comment, routine_definition: body }] };
  }
  if (view === 'column_masks') return { rows: [{ catalog_name: 'ehr', schema_name: 'clinical', table_name: 'patients', column_name: 'mrn', mask_catalog: 'ehr', mask_schema: 'clinical', mask_name: 'mrn_key' }] };
  if (view === 'table_privileges') return { rows: [{ grantor: 'rbac_deployer', grantee: 'clinical_analyst', table_catalog: 'ehr', table_schema: 'clinical', table_name: 'patients', privilege_type: 'SELECT', inherited_from: 'NONE' }] };
  if (view === 'tables') return { rows: [{ table_catalog: 'ehr', table_schema: 'clinical', table_name: 'patients', table_type: 'MANAGED', table_owner: 'rbac_deployer' }] };
  if (view === 'schemata') return { rows: [{ catalog_name: 'ehr', schema_name: 'clinical', schema_owner: 'rbac_deployer' }] };
  if (view === 'columns') return { rows: [{ table_catalog: 'ehr', table_schema: 'clinical', table_name: 'patients', column_name: 'mrn', full_data_type: 'string' }] };
  return { rows: [], columns: selected(text) };
}

const RBAC_YAML = databricksRbacYaml('surrogates');
const ROLES_YAML = `roles:
  - name: privacy_officer
  - name: clinical_analyst
`;
const GRANTS_YAML = `grants:
  - role: clinical_analyst
    privileges: [select]
    on: { table: ehr.clinical.patients }
masking_policies:
  - name: mrn_key
    columns: [ehr.clinical.patients.mrn]
    mask: surrogate
    unmasked_for: [privacy_officer]
`;

describe('rbac surrogates on Databricks, through the driver and the Thrift stub', () => {
  let stub: ThriftStub;
  let w: Warehouse;
  let dir: string;
  const env = { DATABRICKS_HOST: 'dbc-surrogates.cloud.databricks.com', DATABRICKS_TOKEN: TOKEN, CI: '1' };
  const open = async () => new DatabricksAdapter(await connectDatabricks({ host: stub.host, path: stub.path, token: TOKEN, loopback: { port: stub.port, caCert: stub.caCert } }));
  const inserts = () => stub.queries.filter((q) => q.startsWith('INSERT'));

  beforeEach(async () => {
    w = { exempt: true, unmapped: 3 };
    stub = await startThriftStub({ respond: (text) => answer(w, text), token: TOKEN });
    dir = await mkdtemp(path.join(os.tmpdir(), 'rbac-surrogates-'));
    await mkdir(path.join(dir, 'roles'), { recursive: true });
    await mkdir(path.join(dir, 'grants'), { recursive: true });
    await writeFile(path.join(dir, 'rbac.yaml'), RBAC_YAML);
    await writeFile(path.join(dir, 'roles', 'team.yaml'), ROLES_YAML);
    await writeFile(path.join(dir, 'grants', 'clinical.yaml'), GRANTS_YAML);
    vi.mocked(registry.openAdapter).mockImplementation(open);
  });
  afterEach(async () => {
    expect(stub.faults).toEqual([]);
    await stub.close();
  });

  it('reads the policy back as surrogate over the wire; refused when the exemption query says false, with nothing written', async () => {
    w.exempt = false;
    const adapter = await open();
    try {
      const live = await adapter.introspect({ roles: ['privacy_officer', 'clinical_analyst'], users: [], databases: ['ehr'], schemas: [{ database: 'ehr', schema: 'clinical' }], includePublic: false });
      expect(live.maskingPolicies).toEqual([POLICY]);
      expect(live.toolObjects).toEqual([objectKey(toolSchemaRef('ehr')), objectKey(surrogateTableRef('ehr'))].sort());
      const desired = { platform: 'databricks', roles: [], users: [], memberships: [], grants: [], futureGrants: [], schemaWide: [], maskingPolicies: [POLICY] } as unknown as Desired;
      const report = await topUpSurrogates(adapter, desired, live);
      expect(report.columns).toEqual([{ policy: 'mrn_key', column: 'ehr.clinical.patients.mrn', unmappedBefore: null, mapped: 0, unmappedAfter: null, refused: expect.stringMatching(/reads the columns of mrn_key through the mask/) }]);
      expect(stub.queries).toContain("SELECT (is_account_group_member('privacy_officer')) AS exempt");
      expect(inserts()).toEqual([]);
    } finally {
      await adapter.close();
    }
  });

  it('an exempt session sends the fill and counts again', async () => {
    const adapter = await open();
    try {
      const live = await adapter.introspect({ roles: ['privacy_officer', 'clinical_analyst'], users: [], databases: ['ehr'], schemas: [{ database: 'ehr', schema: 'clinical' }], includePublic: false });
      const desired = { platform: 'databricks', roles: [], users: [], memberships: [], grants: [], futureGrants: [], schemaWide: [], maskingPolicies: [POLICY] } as unknown as Desired;
      const report = await topUpSurrogates(adapter, desired, live);
      expect(report.columns).toEqual([{ policy: 'mrn_key', column: 'ehr.clinical.patients.mrn', unmappedBefore: 3, mapped: 3, unmappedAfter: 0 }]);
      expect(inserts()).toEqual(databricksSurrogates.fillSql(POLICY, COLUMN));
      expect(inserts()[0]).toContain("WHERE `mrn` IS NOT NULL AND (is_account_group_member('privacy_officer'))) x");
    } finally {
      await adapter.close();
    }
  });

  it('`rbac surrogates --format json` maps through the CLI; --dry-run writes nothing; the plan of the same state is empty', async () => {
    const cli = (argv: string[]) => rbac([...argv, '--config', dir], { cwd: dir, env });
    const dry = await cli(['surrogates', '--dry-run', '--format', 'json']);
    expect([dry.code, dry.err]).toEqual([0, '']);
    expect(JSON.parse(dry.out)).toMatchObject({ platform: 'databricks', dryRun: true, columns: [{ policy: 'mrn_key', column: 'ehr.clinical.patients.mrn', unmappedBefore: 3, mapped: 0 }], notApplied: [] });
    expect(inserts()).toEqual([]);

    const r = await cli(['surrogates', '--format', 'json']);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(JSON.parse(r.out)).toEqual({ platform: 'databricks', dryRun: false, columns: [{ policy: 'mrn_key', column: 'ehr.clinical.patients.mrn', unmappedBefore: 3, mapped: 3, unmappedAfter: 0 }], notApplied: [] });
    expect(inserts()).toHaveLength(1);
    // Never a grant.
    expect(stub.queries.filter((q) => /^(GRANT|REVOKE|ALTER|CREATE|DROP)/.test(q))).toEqual([]);

    w.exempt = false;
    const refused = await cli(['surrogates', '--format', 'json']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.out).columns[0].refused).toMatch(/unmasked_for/);
    expect(inserts()).toHaveLength(1);

    // The surrogate policy read back over the wire is what the configuration says: nothing to plan.
    const planned = await cli(['plan', '--detailed-exitcode']);
    expect([planned.code, planned.err]).toEqual([0, '']);
    expect(planned.out).toContain('No changes');
  });
});
