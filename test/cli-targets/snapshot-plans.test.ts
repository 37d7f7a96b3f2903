/**
 * `rbac plan --snapshot FILE --platform P` through the real CLI for all three
 * platforms: golden plan texts for a new account (empty snapshot) and for recorded
 * live states, the platform hooks visible in them (Snowflake never revokes OWNERSHIP,
 * Databricks refuses group creation and reports memberships as unmanaged), and the
 * example configuration's column grants refused on Snowflake and Databricks.
 *
 * Set UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSnapshot } from '../../src/dialects/snapshot.js';
import type { Io } from '../../src/cli/io.js';
import { loadConfig, planWith } from '../../src/cli/session.js';
import type { DatabricksTarget } from '../../src/config/targets.js';
import { loadProject } from '../../src/config/load.js';
import { rbac, repoRoot } from '../helpers/cli.js';
import { golden, recordedDatabricksAdapter, snapshots, warehouseConfig } from './recorded.js';

const rel = (p: string) => path.relative(repoRoot, p);

function expectGolden(name: string, text: string): void {
  const file = path.join(golden, name);
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

async function planSnapshot(snapshot: string, platform: string, config = warehouseConfig) {
  return rbac(['plan', '--config', rel(config), '--snapshot', rel(path.join(snapshots, snapshot)), '--platform', platform]);
}

const quietIo = (): Io & { text: () => string } => {
  let all = '';
  return {
    out: (s) => void (all += s),
    err: (s) => void (all += s),
    env: {},
    stdoutIsTTY: false,
    stdinIsTTY: false,
    cwd: repoRoot,
    text: () => all,
  };
};

describe('snapshot plans: Snowflake', () => {
  it('plans a new account in full; users are never created, so the plan is refused until they exist', async () => {
    const r = await planSnapshot('snowflake-empty.json', 'snowflake');
    expectGolden('snowflake-empty.txt', r.out);
    expect(r.code).toBe(1);
    expect(r.out).toContain('CREATE ROLE IF NOT EXISTS "PRIVACY_OFFICER"');
    expect(r.out).toContain('GRANT SELECT ON FUTURE TABLES IN SCHEMA "EHR"."BILLING" TO ROLE "BILLING_AUDITOR";');
    expect(r.out).toMatch(/error: user ALICE does not exist/);
  });

  it("the README's offline example on the shipped configuration plans everything, the row policy reported rather than thrown", async () => {
    const r = await planSnapshot('snowflake-empty.json', 'snowflake', repoRoot);
    expect(r.out).toContain('CREATE ROLE IF NOT EXISTS "CLINICAL_ANALYST"');
    expect(r.out).toContain('create masking policy SSN_LAST4');
    // The row access policy needs the table's column types, which a new account's snapshot cannot have.
    expect(r.out).toContain('warning: not compiled offline: row access policy OWN_FACILITY');
    expect(r.out).toMatch(/Plan: \d+ to add/);
  });

  it('plans against a recorded account: drift revoked, OWNERSHIP kept', async () => {
    const r = await planSnapshot('snowflake-live.json', 'snowflake');
    expectGolden('snowflake-live.txt', r.out);
    expect(r.code).toBe(0);
    // PHI drift and an unlisted member are revoked; PUBLIC loses the clinical table.
    expect(r.out).toContain('REVOKE SELECT ON TABLE "EHR"."CLINICAL"."PATIENTS" FROM ROLE "CLINICAL_ANALYST";');
    expect(r.out).toContain('REVOKE ROLE "CLINICAL_ANALYST" FROM USER "MALLORY";');
    expect(r.out).toContain('REVOKE SELECT ON TABLE "EHR"."CLINICAL"."ENCOUNTERS" FROM ROLE "PUBLIC";');
    // The recorded state has CLINICAL_ANALYST owning DIAGNOSES: ownership is transferred, never revoked.
    expect(r.out).not.toMatch(/OWNERSHIP/);
    expect(r.out).not.toContain('SNOWFLAKE_SAMPLE_DATA');
  });
});

describe('snapshot plans: Databricks', () => {
  it('a new workspace: grants listed, but groups must come from SCIM first (refused, exit 1)', async () => {
    const r = await planSnapshot('databricks-empty.json', 'databricks');
    expectGolden('databricks-empty.txt', r.out);
    expect(r.code).toBe(1);
    expect(r.out).toContain('GRANT USE CATALOG ON CATALOG `ehr` TO `phi_base_reader`;');
    expect(r.out).toMatch(/error: account group privacy_officer does not exist .*cannot be created in SQL/);
    expect(r.out).toMatch(/warning: 7 group membership\(s\) .* are not managed on Databricks/);
    expect(r.out).not.toMatch(/CREATE|GROUP/);
  });

  it('a recorded workspace: plans with the offline caveat on revokes', async () => {
    const r = await planSnapshot('databricks-live.json', 'databricks');
    expectGolden('databricks-live.txt', r.out);
    expect(r.code).toBe(0);
    expect(r.out).toContain('GRANT SELECT ON TABLE `ehr`.`clinical`.`patients` TO `privacy_officer`;');
    expect(r.out).toMatch(/warning: planned from a snapshot: revokes are compiled as if every grant were direct/);
  });

  it('the live path compiles with the adapter that read the workspace: inherited SELECT is revoked at its source after direct re-grants', async () => {
    const config = await loadConfig(quietIo(), rel(warehouseConfig));
    const { adapter, queries } = recordedDatabricksAdapter();
    const target: DatabricksTarget = {
      name: 'lakehouse', platform: 'databricks', display: 'databricks://recorded', secrets: [],
      host: 'recorded', httpPath: '/sql', token: 'unused', manageMembership: false,
    };
    const planned = await planWith(quietIo(), { config }, target, adapter);
    expect(queries).toHaveLength(25); // groups, ten privilege views, nine listings, columns, policy functions, column_masks, row_filters, the salt's state
    // The recorded rows really are the state the snapshot fixture holds.
    const file = path.join(snapshots, 'databricks-live.json');
    if (process.env.UPDATE_GOLDEN) writeFileSync(file, writeSnapshot(planned.live));
    expect(writeSnapshot(planned.live)).toBe(readFileSync(file, 'utf8'));
    const sql = planned.statements.map((s) => s.sql);
    const revokeSchema = sql.indexOf('REVOKE SELECT ON SCHEMA `ehr`.`clinical` FROM `clinical_analyst`');
    expect(revokeSchema).toBeGreaterThan(-1);
    for (const t of ['diagnoses', 'encounters']) {
      const regrant = sql.indexOf(`GRANT SELECT ON TABLE \`ehr\`.\`clinical\`.\`${t}\` TO \`clinical_analyst\``);
      expect(regrant).toBeGreaterThan(-1);
      expect(regrant).toBeLessThan(revokeSchema);
    }
    // Table-level REVOKE of an inherited privilege would do nothing on Unity Catalog.
    expect(sql).not.toContain('REVOKE SELECT ON TABLE `ehr`.`clinical`.`patients` FROM `clinical_analyst`');
    expect(planned.plan.problems.map((p) => p.message).join('\n')).not.toMatch(/planned from a snapshot/);
  });
});

describe('snapshot plans: Postgres', () => {
  it('the example configuration plans against a snapshot of the seeded demo: roles, masking views, RLS, revokes', async () => {
    const r = await planSnapshot('postgres-demo.json', 'postgres', repoRoot);
    expect(r.code, r.err).toBe(0);
    expectGolden('postgres-demo.txt', r.out);
    expect(r.out).toContain('CREATE ROLE "privacy_officer"');
    expect(r.out).toContain('CREATE OR REPLACE VIEW "clinical"."patients_masked"');
    expect(r.out).toContain('REVOKE SELECT ON TABLE "clinical"."patients" FROM PUBLIC');
    expect(r.out).toMatch(/CREATE POLICY .* ON "clinical"\."encounters"/);
  });

  it('the example configuration masks columns, so an empty database is refused naming the missing table', async () => {
    const r = await planSnapshot('postgres-empty.json', 'postgres', repoRoot);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/table table:ehr\.\w+\.\w+ has masked columns but does not exist on the target/);
  });
});

describe('the example configuration on Snowflake and Databricks', () => {
  it.each(['snowflake', 'databricks'])('%s: plans against a recorded account holding the demo tables', async (platform) => {
    const r = await planSnapshot(`${platform}-demo.json`, platform, repoRoot);
    expect(r.code, r.err).toBe(0);
    expectGolden(`${platform}-demo.txt`, r.out);
    // Column grants are PostgreSQL-only (`platforms:`); here the table is granted and
    // every direct identifier is masked by policy instead.
    expect(r.out).toMatch(platform === 'snowflake' ? /CREATE OR REPLACE MASKING POLICY "EHR"\."CLINICAL"\."SSN_LAST4"/ : /CREATE OR REPLACE FUNCTION `ehr`\.`clinical`\.`ssn_last4`/);
    expect(r.out).toMatch(platform === 'snowflake' ? /ADD ROW ACCESS POLICY/ : /SET ROW FILTER/);
    expect(r.out).not.toMatch(/GRANT SELECT \(/);
  });

  // Snowflake plans the rest and reports the policy (the README's offline example, above).
  it.each(['databricks'])('%s: on an empty account the row access policy stops the plan, naming its table', async (platform) => {
    const r = await planSnapshot(`${platform}-empty.json`, platform, repoRoot);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/row access policy own_facility: table table:ehr\.clinical\.encounters is not in the live state/i);
  });

  it.each(['snowflake', 'databricks'])('%s: a column grant without `platforms:` is refused, naming where it is written', async (platform) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rbac-cols-'));
    try {
      cpSync(path.join(repoRoot, 'roles'), path.join(dir, 'roles'), { recursive: true });
      cpSync(path.join(repoRoot, 'grants'), path.join(dir, 'grants'), { recursive: true });
      cpSync(path.join(repoRoot, 'rbac.yaml'), path.join(dir, 'rbac.yaml'));
      for (const f of ['clinical.yaml', 'billing.yaml']) {
        const file = path.join(dir, 'grants', f);
        writeFileSync(file, readFileSync(file, 'utf8').replace(/^ {4}platforms: .*\n/gm, ''));
      }
      const { project } = await loadProject(dir);
      const columnGrants = project.grants.filter((g) => g.columns).map((g) => `${g.objectSource.file}:${g.objectSource.line}:${g.objectSource.column}`);
      expect(columnGrants.length).toBeGreaterThanOrEqual(5);
      const r = await rbac(['plan', '--config', dir, '--snapshot', path.join(snapshots, `${platform}-demo.json`), '--platform', platform]);
      expect(r.code).toBe(1);
      expect(r.out).toBe('');
      for (const at of columnGrants) expect(r.err).toContain(`${at}: error: ${platform} has no column-level grants`);
      expect(r.err).toContain('masking policy');
      // Never widened to a table grant.
      expect(r.err + r.out).not.toMatch(/GRANT SELECT ON TABLE/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('snapshot round trip', () => {
  it('keeps column types and policies, and recomputes keys', async () => {
    const { readSnapshot } = await import('../../src/dialects/snapshot.js');
    const text = readFileSync(path.join(snapshots, 'postgres-demo.json'), 'utf8');
    const live = readSnapshot(text);
    expect(live.tables.every((t) => t.columnTypes?.length === t.columns.length)).toBe(true);
    const withPolicies = {
      ...live,
      maskingPolicies: [
        {
          key: 'ignored',
          name: 'ssn_last4',
          schema: { kind: 'schema' as const, database: 'ehr', schema: 'clinical' },
          mask: 'last4' as const,
          unmaskedFor: ['privacy_officer'],
          columns: [{ table: { kind: 'table' as const, database: 'ehr', schema: 'clinical', name: 'patients' }, column: 'ssn' }],
        },
      ],
    };
    const again = readSnapshot(writeSnapshot(withPolicies));
    expect(again.maskingPolicies?.[0]).toMatchObject({ key: 'policy:masking:ssn_last4', mask: 'last4', unmaskedFor: ['privacy_officer'] });
    expect(writeSnapshot(again)).toBe(writeSnapshot({ ...withPolicies, maskingPolicies: again.maskingPolicies }));
    expect(() => readSnapshot(JSON.stringify({ platform: 'postgres', maskingPolicies: [{ name: 'x', schema: { kind: 'schema', database: 'd', schema: 's' }, mask: 'rot13', unmaskedFor: [], columns: [] }] }))).toThrow(
      /maskingPolicies\[0\]\.mask must be one of/,
    );
  });
});

describe('snapshot plans: a Permifrost-style Snowflake account (examples/snowflake-permifrost)', () => {
  const config = path.join(repoRoot, 'examples', 'snowflake-permifrost');
  it('validates, and plans a new account with its users in full: warehouses, the account, database roles, roles named like users', async () => {
    expect((await rbac(['validate', '--config', rel(config)])).code).toBe(0);
    const r = await planSnapshot('snowflake-permifrost-users.json', 'snowflake', config);
    expectGolden('snowflake-permifrost.txt', r.out);
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/^error:/m);
    for (const statement of [
      // A role per user, named like the user: the user exists, the role is created and granted to her.
      'CREATE ROLE IF NOT EXISTS "ALICE"',
      'GRANT ROLE "ALICE" TO USER "ALICE";',
      'GRANT USAGE, OPERATE ON WAREHOUSE "LOADING_WH" TO ROLE "LOADER";',
      'GRANT EXECUTE TASK ON ACCOUNT TO ROLE "TRANSFORMER";',
      'GRANT IMPORTED PRIVILEGES ON DATABASE "SNOWFLAKE" TO ROLE "MONITORING";',
      'CREATE DATABASE ROLE IF NOT EXISTS "EHR"."RAW_READER"',
      'GRANT DATABASE ROLE "EHR"."RAW_READER" TO ROLE "TRANSFORMER";',
      'GRANT DATABASE ROLE "EHR"."RAW_READER" TO DATABASE ROLE "EHR"."RAW_WRITER";',
      'GRANT CREATE TABLE, USAGE, CREATE FILE FORMAT, CREATE STAGE, MONITOR ON SCHEMA "EHR"."RAW" TO ROLE "LOADER";',
      'GRANT USAGE ON FUTURE SCHEMAS IN DATABASE "EHR" TO ROLE "REPORTER";',
      'GRANT OWNERSHIP ON FUTURE VIEWS IN SCHEMA "EHR"."REPORTING" TO ROLE "TRANSFORMER";',
      // The precedence rule: the reporter's database-wide futures repeated where schemas have their own.
      'GRANT SELECT ON FUTURE VIEWS IN DATABASE "EHR" TO ROLE "REPORTER";',
      'GRANT SELECT ON FUTURE VIEWS IN SCHEMA "EHR"."REPORTING" TO ROLE "REPORTER";',
      'GRANT SELECT ON FUTURE TABLES IN SCHEMA "EHR"."RAW" TO ROLE "REPORTER";',
    ]) {
      expect(r.out).toContain(statement);
    }
  });
});
