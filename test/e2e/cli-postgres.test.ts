/**
 * The foundation's promise end to end, through the CLI as a user runs it: the first
 * plan shows grants and revokes, apply converges, the next plan is empty, and each
 * example role reads exactly the columns the configuration gives it. Once on the
 * embedded PGlite demo, once on a PostgreSQL server (CI starts one).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openPglite } from '../../src/dialects/postgres/driver.js';
import { seedDemo } from '../../src/demo/seed.js';
import { RESEARCH_GRANTS, rbac, tempConfig } from '../helpers/cli.js';
import { freshServerDatabase, serverUrl, type ServerDatabase } from '../helpers/server.js';

type Query = (sql: string) => Promise<unknown>;

/** What each role may read of clinical.patients: the example configuration's intent. */
async function assertEnforcement(asRole: (role: string, sql: string) => Promise<'ok' | 'denied'>) {
  // clinical analysts read de-identified columns only
  expect(await asRole('clinical_analyst', 'SELECT patient_id, zip3, birth_year FROM clinical.patients')).toBe('ok');
  expect(await asRole('clinical_analyst', 'SELECT ssn FROM clinical.patients')).toBe('denied');
  expect(await asRole('clinical_analyst', 'SELECT * FROM clinical.patients')).toBe('denied');
  expect(await asRole('clinical_analyst', 'DELETE FROM clinical.encounters WHERE false')).toBe('denied');
  // the de-identified role never reaches direct identifiers
  expect(await asRole('data_scientist', 'SELECT full_name FROM clinical.patients')).toBe('denied');
  // billing auditors read billing, not patients' identifiers
  expect(await asRole('billing_auditor', 'SELECT count(*) FROM billing.claims')).toBe('ok');
  expect(await asRole('billing_auditor', 'SELECT ssn FROM clinical.patients')).toBe('denied');
  // a former employee lost the role: as mallory (LOGIN), the PUBLIC grant is gone too
  expect(await asRole('mallory', 'SELECT ssn FROM clinical.patients')).toBe('denied');
  // members inherit their role's grants
  expect(await asRole('alice', 'SELECT patient_id FROM clinical.patients')).toBe('ok');
  // masked columns are read through the tool's masking view, never from the table
  expect(await asRole('clinical_analyst', 'SELECT ssn FROM clinical.patients_masked')).toBe('ok');
  expect(await asRole('data_scientist', 'SELECT birth_date, zip, mrn FROM clinical.patients_masked')).toBe('ok');
  expect(await asRole('data_scientist', 'SELECT ssn FROM clinical.patients_masked')).toBe('denied');
  expect(await asRole('data_scientist', 'SELECT mrn FROM clinical.patients')).toBe('denied');
  expect(await asRole('privacy_officer', 'SELECT ssn FROM clinical.patients')).toBe('ok');
  expect(await asRole('billing_auditor', 'SELECT account_number FROM billing.payments')).toBe('denied');
  expect(await asRole('billing_auditor', 'SELECT account_number FROM billing.payments_masked')).toBe('ok');
  // ETL writes but does not read identifiers
  expect(await asRole('etl_loader', 'SELECT ssn FROM clinical.patients')).toBe('denied');
}

function roleRunner(query: Query, reset: Query) {
  return async (role: string, sql: string): Promise<'ok' | 'denied'> => {
    await query(`SET ROLE "${role.replace(/"/g, '""')}"`);
    try {
      await query(sql);
      return 'ok';
    } catch (e) {
      // pg reports the SQLSTATE as `code`; the PGlite session maps it to PERMISSION.
      const { code, sqlstate } = e as { code?: string; sqlstate?: string };
      if (code !== '42501' && sqlstate !== '42501') throw e;
      return 'denied';
    } finally {
      await reset('RESET ROLE');
    }
  };
}

describe('CLI on the embedded demo (PGlite)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempConfig();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('start without a terminal prints the plan, exits 0 and applies nothing', async () => {
    const r = await rbac(['start', '--config', dir]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('- revoke role clinical_analyst from user mallory');
    expect(r.out).toMatch(/Plan: \d+ to add/);
    const after = await rbac(['plan', '--config', dir, '--detailed-exitcode']);
    expect(after.code).toBe(2);
  });

  it('plans the drift, applies, converges, and enforces', async () => {
    const first = await rbac(['plan', '--config', dir, '--detailed-exitcode']);
    expect(first.err).toBe('');
    expect(first.code).toBe(2);
    expect(first.out).toContain('- revoke role clinical_analyst from user mallory');
    expect(first.out).toContain('- revoke SELECT on table ehr.clinical.patients');
    expect(first.out).toContain('REVOKE SELECT ON TABLE "clinical"."patients" FROM PUBLIC');
    expect(first.out).toContain('- revoke DELETE on table ehr.clinical.encounters');
    expect(first.out).toMatch(/Plan: \d+ to add, \d+ to change, \d+ to remove \(\d+ destructive\)\./);

    const json = JSON.parse((await rbac(['plan', '--config', dir, '--format', 'json'])).out);
    expect(json.changes.length).toBeGreaterThan(0);
    // A masking view carries every policy of its table: it is emitted with the first of them.
    const ownSql = (c: { kind: string; sql: string[] }) => c.sql.length > 0 || c.kind === 'createMaskingPolicy';
    expect(json.changes.every((c: { kind: string; sql: string[] }) => typeof c.kind === 'string' && ownSql(c))).toBe(true);
    expect(json.changes.filter((c: { sql: string[] }) => c.sql.some((x) => x.startsWith('CREATE OR REPLACE VIEW'))).length).toBe(2);
    expect(json.summary.remove).toBeGreaterThanOrEqual(3);

    const applied = await rbac(['apply', '--config', dir, '--auto-approve']);
    expect(applied.code, applied.err).toBe(0);
    expect(applied.out).toContain('Verified: the next plan is empty.');

    const again = await rbac(['plan', '--config', dir, '--detailed-exitcode']);
    expect(again.code).toBe(0);
    expect(again.out).toContain('No changes.');

    const session = await openPglite(path.join(dir, '.rbac/pglite'));
    try {
      const q = (sql: string) => session.query(sql);
      await assertEnforcement(roleRunner(q, q));
      // The view, the sequence and the function of the example configuration, as their roles.
      await session.exec('SET ROLE clinical_analyst');
      expect((await q('SELECT count(*)::int AS n FROM reporting.encounters_by_facility'))[0].n).toBeGreaterThan(0);
      expect(await q(`SELECT util.zip3('02139') AS z`)).toEqual([{ z: '021' }]);
      await session.exec('SET ROLE etl_loader');
      expect(Number((await q(`SELECT nextval('billing.invoice_seq') AS n`))[0].n)).toBe(100000);
      await expect(q(`SELECT util.zip3('02139')`)).rejects.toThrow(/permission denied/);
      await session.exec('RESET ROLE');
    } finally {
      await session.close();
    }
    // The second database of the demo: the data scientist reads the de-identified cohort and numbers subjects.
    const research = await openPglite(path.join(dir, '.rbac/pglite'), 'research');
    try {
      await research.exec('SET ROLE data_scientist');
      expect((await research.query('SELECT count(*)::int AS n FROM cohort.subjects'))[0].n).toBe(50);
      expect(Number((await research.query(`SELECT nextval('cohort.subject_ids') AS n`))[0].n)).toBe(51);
      await research.exec('SET ROLE clinical_analyst');
      await expect(research.query('SELECT * FROM cohort.subjects')).rejects.toThrow(/permission denied/);
    } finally {
      await research.close();
    }
  });

  it('refuses to apply without a terminal and without --auto-approve, naming the flag', async () => {
    const r = await rbac(['apply', '--config', dir]);
    // Converged by the previous test: nothing to do is fine without confirmation.
    if (r.code === 0) expect(r.out).toContain('No changes');
    const drifted = await openPglite(path.join(dir, '.rbac/pglite'));
    await drifted.exec('GRANT SELECT ON clinical.patients TO PUBLIC');
    await drifted.close();
    const refused = await rbac(['apply', '--config', dir]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('--auto-approve');
    const still = await rbac(['plan', '--config', dir, '--detailed-exitcode']);
    expect(still.code).toBe(2);
  });

  it('validate reports success and plan rejects unknown flags clearly', async () => {
    const v = await rbac(['validate', '--config', dir]);
    expect(v.code).toBe(0);
    const bad = await rbac(['plan', '--config', dir, '--fromat', 'json']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('plan: unknown flag --fromat (did you mean --format?)');
  });
});

describe.skipIf(!serverUrl)('CLI on a PostgreSQL server (set RBAC_TEST_PG_URL)', () => {
  let db: ServerDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await freshServerDatabase('rbac_e2e');
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await seedDemo({ query: async (s, p) => (await c.query(s, p as unknown[])).rows, exec: async (s) => void (await c.query(s)) });
    await c.end();
    dir = await tempConfig();
    // An ad-hoc --target URL reaches one database: the example's second one (research) is the demo's.
    await rm(path.join(dir, RESEARCH_GRANTS));
  });
  afterAll(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('plans, applies with --target URL, converges and enforces', async () => {
    const first = await rbac(['plan', '--config', dir, '--target', db.url, '--detailed-exitcode']);
    expect(first.code, first.err).toBe(2);
    expect(first.out).not.toContain(new URL(db.url).password);
    expect(first.out).toContain('REVOKE "clinical_analyst" FROM "mallory"');
    const applied = await rbac(['apply', '--config', dir, '--target', db.url, '--auto-approve']);
    expect(applied.code, applied.err).toBe(0);
    const again = await rbac(['plan', '--config', dir, '--target', db.url, '--detailed-exitcode']);
    expect(again.code).toBe(0);

    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const q = (sql: string) => c.query(sql);
      await assertEnforcement(roleRunner(q, q));
    } finally {
      await c.end();
    }
  });

  it('never prints the password of a URL it cannot reach', async () => {
    const u = new URL(db.url);
    u.password = 'hunter2-secret';
    u.port = '1';
    const r = await rbac(['plan', '--config', dir, '--target', u.toString()]);
    expect(r.code).toBe(1);
    expect(r.err + r.out).not.toContain('hunter2-secret');
  });
});
