/**
 * Regression tests for the findings of the attack harness (issue "Security and
 * reliability"), on a PostgreSQL server through the CLI as an operator runs it. Each
 * test failed before the fix; each leaves the database converged for the next one.
 *
 * The server is the one `.ci/run` starts (RBAC_TEST_PG_URL); the demo's role names are
 * cluster-wide, so the file holds the cluster lock of test/helpers/server.ts.
 */
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/demo/seed.js';
import { ADVISORY_LOCK_KEY, createPostgresAdapter } from '../../src/dialects/postgres/adapter.js';
import { openAudit } from '../../src/audit/hook.js';
import { RESEARCH_GRANTS, rbac, tempConfig } from '../helpers/cli.js';
import { DEMO_ROLE_NAMES, freshServerDatabase, serverUrl, type ServerDatabase } from '../helpers/server.js';
import type { Plan } from '../../src/plan/types.js';

const EXTRA_ROLES = ['legacy_app', 'intern', 'rbac_evil', 'rbac_evil2'];

describe.skipIf(!serverUrl)('findings of the attack harness, on a PostgreSQL server (set RBAC_TEST_PG_URL)', () => {
  let db: ServerDatabase;
  let dir: string;
  let admin: pg.Client;
  let tmp: string;
  const q = async (sql: string, params?: unknown[]) => (await admin.query(sql, params)).rows as Record<string, unknown>[];
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => rbac([...args, '--config', dir], { env: { NO_COLOR: '1', ...env } });
  const withTarget = (args: string[], env: NodeJS.ProcessEnv = {}) => cli([...args, '--target', db.url], env);
  /** Run as a role; 'denied' for a privilege error, the rows otherwise. */
  const asRole = async (role: string, sql: string): Promise<Record<string, unknown>[] | 'denied'> => {
    await admin.query(`SET ROLE "${role}"`);
    try {
      return (await admin.query(sql)).rows;
    } catch (e) {
      if ((e as { code?: string }).code === '42501') return 'denied';
      throw e;
    } finally {
      await admin.query('RESET ROLE');
    }
  };
  const converge = async () => {
    const r = await withTarget(['apply', '--auto-approve']);
    expect(r.code, r.err + r.out).toBe(0);
    expect((await withTarget(['plan', '--detailed-exitcode'])).code).toBe(0);
  };
  const drift = async () => {
    const r = await withTarget(['drift', '--format', 'json', '--state', path.join(tmp, 'drift.json')]);
    return { code: r.code, report: r.code === 1 ? undefined : JSON.parse(r.out), err: r.err };
  };

  beforeAll(async () => {
    db = await freshServerDatabase('rbac_sec', [...DEMO_ROLE_NAMES, ...EXTRA_ROLES]);
    admin = new pg.Client({ connectionString: db.url, application_name: 'rbac-test-admin' });
    await admin.connect();
    await seedDemo({ query: async (s, p) => (await admin.query(s, p as unknown[])).rows, exec: async (s) => void (await admin.query(s)) });
    dir = await tempConfig();
    // An ad-hoc --target URL reaches one database: the example's second one (research) is the demo's.
    await rm(path.join(dir, RESEARCH_GRANTS));
    tmp = await mkdtemp(path.join(os.tmpdir(), 'rbac-sec-'));
    await converge();
  });
  afterAll(async () => {
    await admin?.end().catch(() => undefined);
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('1. a where built to smuggle a second statement is refused by validate and apply, and nothing runs', async () => {
    const file = path.join(dir, 'grants', 'zz-inject.yaml');
    const policy = (where: string) =>
      `row_access_policies:\n  - name: claim_rows\n    table: ehr.billing.claims\n    allow:\n      - roles: [billing_auditor]\n        where: |-\n          ${where}\n`;
    // A hand tokenizer saw one string literal here; PostgreSQL sees E'\'' then a second statement.
    await writeFile(file, policy(`payer = E'\\'' ; CREATE ROLE rbac_evil SUPERUSER LOGIN; --'`));
    const v = await cli(['validate']);
    expect(v.code).toBe(1);
    expect(v.err).toMatch(/grants\/zz-inject\.yaml:\d+:\d+: error: the where of row access policy claim_rows is refused: the text holds more than one statement/);
    const a = await withTarget(['apply', '--auto-approve']);
    expect(a.code).toBe(1);
    expect(await q(`SELECT 1 FROM pg_roles WHERE rolname = 'rbac_evil'`)).toEqual([]);

    // The same bytes inside one escape string are one literal: accepted, re-printed, harmless.
    await writeFile(file, policy(`payer = E'x\\'; CREATE ROLE rbac_evil2 SUPERUSER LOGIN; --'`));
    expect((await cli(['validate'])).code).toBe(0);
    const p = await withTarget(['plan']);
    expect(p.out).toContain(`USING (payer = 'x''; CREATE ROLE rbac_evil2 SUPERUSER LOGIN; --')`);
    const applied = await withTarget(['apply', '--auto-approve']);
    expect(applied.code, applied.err).toBe(0);
    expect(await q(`SELECT 1 FROM pg_roles WHERE rolname = 'rbac_evil2'`)).toEqual([]);
    expect(await asRole('billing_auditor', 'SELECT count(*)::int AS n FROM billing.claims')).toEqual([{ n: 0 }]);
    await unlink(file);
    await converge();
  });

  it('2. default privileges never reach a masking view, and a hand grant on it is drift that apply revokes', async () => {
    await q('CREATE ROLE legacy_app NOLOGIN');
    await q('ALTER DEFAULT PRIVILEGES IN SCHEMA clinical GRANT SELECT, UPDATE, DELETE ON TABLES TO legacy_app');
    // The view is created anew, as on a first apply: the creator's defaults apply to it.
    await q('DROP VIEW clinical.patients_masked');
    await converge();
    const can = async (priv: string) => (await q(`SELECT has_table_privilege('legacy_app', 'clinical.patients_masked', $1) AS ok`, [priv]))[0].ok;
    expect([await can('SELECT'), await can('UPDATE'), await can('DELETE')]).toEqual([false, false, false]);
    // The write path of the finding: through the view, with the view owner's rights.
    expect(await asRole('legacy_app', `UPDATE clinical.patients_masked SET full_name = 'x'`)).toBe('denied');

    await q('GRANT UPDATE ON clinical.patients_masked TO legacy_app');
    const d = await drift();
    expect(d.code).toBe(2);
    expect(d.report.items).toContainEqual(
      expect.objectContaining({ kind: 'extra', role: 'legacy_app', description: expect.stringMatching(/UPDATE on view ehr.clinical.patients_masked to legacy_app: granted by hand/) }),
    );
    await converge();
    expect(await can('UPDATE')).toBe(false);
    await q('ALTER DEFAULT PRIVILEGES IN SCHEMA clinical REVOKE ALL ON TABLES FROM legacy_app');
  });

  it('3. tampering below the grants is drift, and apply repairs it: RLS off, a hand-made policy, a replaced masking view', async () => {
    const analystRows = async () => asRole('clinical_analyst', 'SELECT DISTINCT facility_id FROM clinical.encounters ORDER BY 1');
    expect(await analystRows()).toEqual([{ facility_id: 'F01' }]);

    await q('ALTER TABLE clinical.encounters DISABLE ROW LEVEL SECURITY');
    expect((await analystRows()) as unknown[]).not.toHaveLength(1);
    let d = await drift();
    expect(d.code).toBe(2);
    expect(JSON.stringify(d.report.items)).toContain('row level security is disabled on clinical.encounters');
    await converge();
    expect(await analystRows()).toEqual([{ facility_id: 'F01' }]);

    await q('CREATE POLICY open_all ON clinical.encounters AS PERMISSIVE FOR SELECT TO PUBLIC USING (true)');
    d = await drift();
    expect(d.code).toBe(2);
    expect(JSON.stringify(d.report.items)).toContain('policy open_all on clinical.encounters was not made by rbac');
    await converge();
    expect(await q(`SELECT 1 FROM pg_policy WHERE polname = 'open_all'`)).toEqual([]);
    expect(await analystRows()).toEqual([{ facility_id: 'F01' }]);

    // Same columns and types, clear SSN, rbac's comment kept.
    await q('CREATE OR REPLACE VIEW clinical.patients_masked WITH (security_barrier) AS SELECT * FROM clinical.patients');
    const leaked = await asRole('clinical_analyst', 'SELECT ssn FROM clinical.patients_masked WHERE ssn IS NOT NULL LIMIT 1');
    expect(String((leaked as Record<string, unknown>[])[0].ssn)).not.toMatch(/^\*/);
    d = await drift();
    expect(d.code).toBe(2);
    expect(JSON.stringify(d.report.items)).toContain('the definition of view clinical.patients_masked was changed by hand');
    await converge();
    const masked = await asRole('clinical_analyst', 'SELECT ssn FROM clinical.patients_masked WHERE ssn IS NOT NULL LIMIT 3');
    expect((masked as Record<string, unknown>[]).every((r) => /^\*{3}-\*{2}-\d{4}$/.test(String(r.ssn)))).toBe(true);
  });

  it('4. a hand-made grant option is drift, makes a saved plan stale, and is revoked, cascading only within the scope', async () => {
    await q('REVOKE SELECT ON clinical.diagnoses FROM clinical_analyst');
    const planFile = path.join(tmp, 'go-plan.json');
    expect((await withTarget(['plan', '--out', planFile])).code).toBe(0);
    await q('GRANT SELECT ON clinical.diagnoses TO clinical_analyst WITH GRANT OPTION');
    // The reviewed plan did not see the grant option: refused, nothing applied.
    const stale = await withTarget(['apply', planFile]);
    expect(stale.code).toBe(3);
    let d = await drift();
    expect(d.code).toBe(2);
    expect(d.report.items).toContainEqual(
      expect.objectContaining({ key: 'grant:select:table:ehr.clinical.diagnoses:role:clinical_analyst:grant-option', kind: 'extra' }),
    );

    // The analyst passes it on to a role rbac does not manage: the plan is refused, naming it.
    await q('CREATE ROLE intern NOLOGIN');
    await asRole('clinical_analyst', 'GRANT SELECT ON clinical.diagnoses TO intern');
    const refused = await withTarget(['plan']);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/would also revoke it from intern, which rbac does not manage/);
    expect((await withTarget(['apply', '--auto-approve'])).code).toBe(1);
    expect((await q(`SELECT has_table_privilege('intern', 'clinical.diagnoses', 'SELECT') AS ok`))[0].ok).toBe(true);
    await asRole('clinical_analyst', 'REVOKE SELECT ON clinical.diagnoses FROM intern');

    // Passed on to a managed role whose only grant it is: CASCADE, then granted again by rbac.
    await q('GRANT SELECT ON clinical.encounters TO clinical_analyst WITH GRANT OPTION');
    await q('REVOKE SELECT ON clinical.encounters FROM privacy_officer');
    await asRole('clinical_analyst', 'GRANT SELECT ON clinical.encounters TO privacy_officer');
    const p = await withTarget(['plan']);
    expect(p.out).toContain('REVOKE GRANT OPTION FOR SELECT ON TABLE "clinical"."encounters" FROM "clinical_analyst" CASCADE');
    expect(p.out).toContain('GRANT SELECT ON TABLE "clinical"."encounters" TO "privacy_officer"');
    await converge();
    const options = await q(
      `SELECT count(*)::int AS n FROM pg_class c, aclexplode(c.relacl) a WHERE c.relnamespace = 'clinical'::regnamespace AND a.is_grantable AND a.grantee <> c.relowner`,
    );
    expect(options).toEqual([{ n: 0 }]);
    expect((await q(`SELECT has_table_privilege('privacy_officer', 'clinical.encounters', 'SELECT') AS ok`))[0].ok).toBe(true);
  });

  it('5. the lock comes first: a grant made while apply waits is seen, and two waiting applies do not run the same plan twice', async () => {
    const holder = new pg.Client({ connectionString: db.url, application_name: 'rbac-test-holder' });
    await holder.connect();
    const waiting = async (n: number) => {
      for (let i = 0; i < 100; i++) {
        const rows = await q(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'rbac' AND state = 'idle in transaction'`, [db.name]);
        if (Number(rows[0].n) >= n) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('the apply never started waiting for the lock');
    };
    try {
      await q('REVOKE SELECT ON clinical.diagnoses FROM clinical_analyst');
      const planFile = path.join(tmp, 'lock-plan.json');
      expect((await withTarget(['plan', '--out', planFile])).code).toBe(0);
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_KEY})`);
      const pending = withTarget(['apply', planFile, '--audit-log', path.join(tmp, 'lock-a.jsonl')]);
      await waiting(1);
      await q('GRANT SELECT ON billing.claims TO clinical_analyst');
      await holder.query('COMMIT');
      const r = await pending;
      expect(r.code, r.err).toBe(3);
      expect(r.err).toMatch(/changed since .* was planned/);
      // Nothing of the reviewed plan ran.
      expect((await q(`SELECT has_table_privilege('clinical_analyst', 'clinical.diagnoses', 'SELECT') AS ok`))[0].ok).toBe(false);

      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_KEY})`);
      const one = withTarget(['apply', '--auto-approve', '--audit-log', path.join(tmp, 'lock-1.jsonl')]);
      const two = withTarget(['apply', '--auto-approve', '--audit-log', path.join(tmp, 'lock-2.jsonl')]);
      await waiting(2);
      await holder.query('COMMIT');
      const codes = (await Promise.all([one, two])).map((x) => x.code).sort();
      expect(codes).toEqual([0, 3]);
      const outcomes = await Promise.all(
        ['lock-1.jsonl', 'lock-2.jsonl'].map(async (f) => JSON.parse((await readFile(path.join(tmp, f), 'utf8')).trim()).outcome as string),
      );
      expect(outcomes.sort()).toEqual(['applied', 'error']);
      expect((await withTarget(['plan', '--detailed-exitcode'])).code).toBe(0);
    } finally {
      await holder.end().catch(() => undefined);
    }
  });

  it('6. the database error, not a savepoint error, names the failing statement; a lost connection says nothing was applied', async () => {
    const adapter = await createPostgresAdapter({ url: db.url, applicationName: 'rbac-kill-test' });
    try {
      const ok = { sql: 'GRANT SELECT ON TABLE "billing"."claims" TO "etl_loader"', changeIndex: 0 };
      // Does not parse: the whole batch fails before any of it runs.
      const bad = { sql: 'GRANT SELECT ON TABLE "billing"."claims" "etl_loader"', changeIndex: 1 };
      const r = await adapter.apply([ok, bad]);
      expect(r.ok).toBe(false);
      expect(r.failed?.statement).toBe(bad);
      expect(r.failed?.error).toContain(`syntax error at or near ""etl_loader""`);
      expect(r.failed?.error).not.toMatch(/savepoint/);
      expect(r.rolledBack).toBe(true);

      // The backend dies while the batch runs: the audit record names the statements and says what happened.
      const log = path.join(tmp, 'killed.jsonl');
      const plan = { formatVersion: 1, platform: 'postgres', target: 't', mode: 'authoritative', changes: [{ kind: 'grant', role: 'etl_loader', privileges: ['select'], object: { kind: 'table', database: 'ehr', schema: 'billing', name: 'claims' } }], problems: [], liveFingerprint: 'x', summary: { add: 1, change: 0, remove: 0, destructive: 0 } } as Plan;
      const slow = [ok, { sql: 'SELECT pg_sleep(5)', changeIndex: 0 }];
      const audit = await openAudit({ flag: log, env: {}, cwd: tmp, root: tmp, plan, statements: slow, target: { name: 't', platform: 'postgres' } });
      setTimeout(() => {
        void q(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'rbac-kill-test'`);
      }, 700);
      const lost = await audit.apply(adapter, slow);
      await audit.record();
      expect(lost.ok).toBe(false);
      expect(lost.rolledBack).toBe(true);
      expect(lost.failed?.error).toMatch(/connection to the server was lost while statements 1 to 2 of 2 ran .* nothing was applied/);
      expect((await q(`SELECT has_table_privilege('etl_loader', 'billing.claims', 'SELECT') AS ok`))[0].ok).toBe(false);
      const rec = JSON.parse((await readFile(log, 'utf8')).trim());
      expect(rec.outcome).toBe('failed');
      expect(rec.statements[0]).toMatchObject({ sql: ok.sql, outcome: 'failed', error: expect.stringMatching(/connection to the server was lost/) });
    } finally {
      await adapter.close();
    }
  });

  it('9. a saved plan for a URL target is applied without --target, with the password from PGPASSWORD', async () => {
    await q('REVOKE SELECT ON clinical.diagnoses FROM clinical_analyst');
    const planFile = path.join(tmp, 'url-plan.json');
    expect((await withTarget(['plan', '--out', planFile])).code).toBe(0);
    const saved = JSON.parse(await readFile(planFile, 'utf8'));
    const password = decodeURIComponent(new URL(db.url).password);
    expect(saved.target).not.toContain(password);
    expect(saved.target).not.toContain('****');
    const r = await cli(['apply', planFile], { PGPASSWORD: password });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Verified: the next plan is empty.');
  });

  it('9. a write grant with objects: tables on a schema with a masked table converges in one apply, never reaching the view', async () => {
    const file = path.join(dir, 'grants', 'zz-loader.yaml');
    await writeFile(file, 'grants:\n  - role: etl_loader\n    privileges: [insert]\n    on: { schema: ehr.clinical, objects: tables }\n');
    try {
      const r = await withTarget(['apply', '--auto-approve']);
      expect(r.code, r.err + r.out).toBe(0);
      expect(r.out).toContain('Verified: the next plan is empty.');
      expect((await q(`SELECT has_table_privilege('etl_loader', 'clinical.patients_masked', 'INSERT') AS ok`))[0].ok).toBe(false);
      expect((await q(`SELECT has_table_privilege('etl_loader', 'clinical.patients', 'INSERT') AS ok`))[0].ok).toBe(true);
    } finally {
      await unlink(file);
      await converge();
    }
  });
});
