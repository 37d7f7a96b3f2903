// Brownfield adoption: rbac export writes the live state as configuration, and
// planning the exported configuration against the same database is empty. Run on
// PGlite (the demo, before and after apply) and, with RBAC_TEST_PG_URL, on a server in
// a database of its own with prefixed roles. Hostile names (quotes, capitals, spaces)
// must survive the round trip.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '../../src/dialects/postgres/adapter.js';
import { openPg, type PgSession } from '../../src/dialects/postgres/driver.js';
import { quoteIdent } from '../../src/dialects/postgres/quote.js';
import { postgresDialect } from '../../src/dialects/postgres/quote.js';
import { seedDemo } from '../../src/demo/seed.js';
import { configPart, globToLike, yamlStr } from '../../src/export/export.js';
import { cli, exampleConfig, removeDir, sqlOnDemo } from '../cli-workflows/helpers.js';

/** Hand-made access with awkward names, as found in a real warehouse. */
function hostileSql(prefix: string): string {
  const q = (n: string) => quoteIdent(`${prefix}${n}`);
  return [
    `CREATE SCHEMA "Odd Schema"`,
    `CREATE TABLE "Odd Schema"."a""b" (id int, "Weird Col" text)`,
    `CREATE TABLE "Odd Schema".plain (id int)`,
    `CREATE ROLE ${q('Mixed"Case')} NOLOGIN`,
    `COMMENT ON ROLE ${q('Mixed"Case')} IS 'made by hand: "quotes" and a : colon'`,
    `CREATE ROLE ${q('odd_reader')} NOLOGIN`,
    `GRANT USAGE ON SCHEMA "Odd Schema" TO ${q('Mixed"Case')}`,
    `GRANT SELECT ("Weird Col", id), UPDATE ("Weird Col") ON "Odd Schema"."a""b" TO ${q('Mixed"Case')}`,
    `GRANT ${q('clinical_analyst')} TO ${q('Mixed"Case')}`,
    `GRANT ${q('Mixed"Case')} TO ${q('bob')}`,
    `GRANT USAGE ON SCHEMA "Odd Schema" TO ${q('odd_reader')}`,
    `GRANT SELECT ON ALL TABLES IN SCHEMA "Odd Schema" TO ${q('odd_reader')}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA "Odd Schema" GRANT SELECT ON TABLES TO ${q('odd_reader')}`,
  ].join(';\n');
}

describe('export helpers', () => {
  it('writes names in config syntax and YAML-safe scalars', () => {
    expect(configPart('clinical_analyst', postgresDialect)).toBe('clinical_analyst');
    expect(configPart('Mixed"Case', postgresDialect)).toBe('"Mixed""Case"');
    expect(configPart('Odd Schema', postgresDialect)).toBe('"Odd Schema"');
    expect(yamlStr('ehr."Odd Schema"."a""b"')).toBe('"ehr.\\"Odd Schema\\".\\"a\\"\\"b\\""');
    expect(yamlStr('yes')).toBe('"yes"');
    expect(globToLike('t1_*x?%')).toBe('t1\\_%x_\\%');
  });
});

describe('rbac export round trip on PGlite', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await exampleConfig();
    // Absolute embedded path, so the exported rbac.yaml (a copy) points at the same data.
    const rbac = join(dir, 'rbac.yaml');
    await writeFile(rbac, (await readFile(rbac, 'utf8')).replace('embedded: .rbac/pglite', `embedded: ${JSON.stringify(join(dir, '.rbac', 'pglite'))}`));
    expect((await cli(dir, ['validate'])).code).toBe(0);
  });
  afterAll(() => removeDir(dir));

  it('exports the hand-made demo state (drift included) and plans empty against it', async () => {
    const e = await cli(dir, ['export', '--out', 'ex1']);
    expect(e.code).toBe(0);
    expect(e.out).toContain('Exported 1 roles, 1 users, 1 memberships');
    const roles = await readFile(join(dir, 'ex1', 'roles', 'roles.yaml'), 'utf8');
    expect(roles).toContain('  - name: clinical_analyst\n    members: [mallory]');
    const clinical = await readFile(join(dir, 'ex1', 'grants', 'clinical.yaml'), 'utf8');
    expect(clinical).toContain('  - role: clinical_analyst\n    privileges: [select, delete]\n    on: { table: ehr.clinical.encounters }');
    expect(clinical).toContain('  - role: public\n    privileges: [select]\n    on: { table: ehr.clinical.patients }');
    const p = await cli(dir, ['plan', '--config', 'ex1', '--detailed-exitcode']);
    expect(p.err).toBe('');
    expect(p.out).toContain('No changes.');
    expect(p.code).toBe(0);
  });

  it('exports the applied configuration plus hostile names, and plans empty against it', async () => {
    expect((await cli(dir, ['apply', '--auto-approve'])).code).toBe(0);
    await sqlOnDemo(dir, hostileSql(''));
    const e = await cli(dir, ['export', '--out', 'ex2']);
    expect(e.code).toBe(0);
    expect(e.err).toBe('');
    const roles = await readFile(join(dir, 'ex2', 'roles', 'roles.yaml'), 'utf8');
    expect(roles).toContain(`  - name: "\\"Mixed\\"\\"Case\\""\n    description: "made by hand: \\"quotes\\" and a : colon"\n    inherits: [clinical_analyst]\n    members: [bob]`);
    expect(roles).toContain('  - name: privacy_officer\n    description: "HIPAA privacy officer; investigates disclosures and runs access reviews."');
    const odd = await readFile(join(dir, 'ex2', 'grants', 'Odd_Schema.yaml'), 'utf8');
    expect(odd).toContain('    on: { schema: "ehr.\\"Odd Schema\\"", objects: tables }');
    expect(odd).toContain('columns: ["\\"Weird Col\\"", id]');
    const billing = await readFile(join(dir, 'ex2', 'grants', 'billing.yaml'), 'utf8');
    expect(billing).toContain('  - role: billing_auditor\n    privileges: [select]\n    on: { schema: ehr.billing, objects: tables }');
    // Policies are exported; grants on the tool's masking views come back as grants on
    // their tables (the planner maps masked columns onto the view again).
    const policies = await readFile(join(dir, 'ex2', 'grants', 'policies.yaml'), 'utf8');
    expect(policies).toContain('  - name: ssn_last4\n    columns: [ehr.clinical.patients.ssn]\n    mask: last4\n    unmasked_for: [privacy_officer]');
    expect(policies).toContain('row_access_policies:\n  - name: own_facility\n    table: ehr.clinical.encounters');
    const exported = await readFile(join(dir, 'ex2', 'grants', 'clinical.yaml'), 'utf8');
    expect(exported).not.toContain('patients_masked');
    expect(exported).toMatch(/role: clinical_analyst\n {4}privileges: \[select\]\n {4}on: \{ table: ehr\.clinical\.patients, columns: \[[^\]]*ssn/);
    const p = await cli(dir, ['plan', '--config', 'ex2', '--detailed-exitcode']);
    expect(p.err).toBe('');
    expect(p.out).toContain('No changes.');
    expect(p.code).toBe(0);
  });

  it('refuses to write into a non-empty directory', async () => {
    const e = await cli(dir, ['export', '--out', 'ex2']);
    expect(e.code).toBe(2);
    expect(e.err).toContain('exists and is not empty');
  });
});

const url = process.env.RBAC_TEST_PG_URL;

describe.skipIf(!url)('rbac export round trip on a PostgreSQL server (set RBAC_TEST_PG_URL)', () => {
  const tag = randomBytes(4).toString('hex');
  const dbName = `rbac_t6_export_${tag}`;
  const prefix = `t6${tag}_`;
  let admin: PgSession;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    admin = await openPg(url!, { applicationName: 'rbac-test-export' });
    await admin.exec(`CREATE DATABASE ${quoteIdent(dbName)}`);
    const u = new URL(url!);
    u.pathname = `/${dbName}`;
    env = { T6_EXPORT_URL: u.toString() };
    const adapter = await createPostgresAdapter({ url: u.toString() });
    try {
      await seedDemo(adapter.session, { rolePrefix: prefix });
      await adapter.session.exec(hostileSql(prefix));
    } finally {
      await adapter.close();
    }
    dir = await exampleConfig();
    await writeFile(join(dir, 'rbac.yaml'), 'version: 1\ntargets:\n  srv:\n    platform: postgres\n    url: ${T6_EXPORT_URL}\n');
  });

  afterAll(async () => {
    await removeDir(dir);
    if (!admin) return;
    await admin.exec(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`);
    const roles = await admin.query(`SELECT rolname::text AS name FROM pg_roles WHERE starts_with(rolname, $1)`, [prefix]);
    for (const r of roles) await admin.exec(`DROP ROLE IF EXISTS ${quoteIdent(String(r.name))}`);
    await admin.close();
  });

  it('exports only the matching roles and plans empty against the same database', async () => {
    const e = await cli(dir, ['export', '--target', 'srv', '--out', 'ex', '--match', `${prefix}*`], env);
    expect(e.code).toBe(0);
    expect(e.err).toBe('');
    expect(e.out).toContain('Exported 3 roles');
    expect(e.out).not.toContain(new URL(url!).password || '\u0000');
    const roles = await readFile(join(dir, 'ex', 'roles', 'roles.yaml'), 'utf8');
    expect(roles).toContain(`members: [${prefix}mallory]`);
    expect(roles).toContain(`inherits: [${prefix}clinical_analyst]`);
    const p = await cli(dir, ['plan', '--config', 'ex', '--target', 'srv', '--detailed-exitcode'], env);
    expect(p.err).toBe('');
    expect(p.out).toContain('No changes.');
    expect(p.code).toBe(0);
  });
});
