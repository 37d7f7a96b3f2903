/**
 * `rbac usage` and `rbac review --usage` on the demo on a PostgreSQL server with a real
 * pgaudit (RBAC_TEST_PG_URL; .ci/run loads pgaudit with READ logging and a csvlog):
 * erin (privacy_officer) logs in and reads the MRN of a patient; the CLI reads the
 * server's own csvlog and names her read, and lists the PHI she can read and did not
 * as removal candidates. Skipped, with the reason in the test name, where the server
 * lacks pgaudit.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESEARCH_GRANTS, rbac, tempConfig } from '../helpers/cli.js';
import { DEMO_ROLE_NAMES, freshServerDatabase, pgauditReady, seedServerDemo, serverUrl, type ServerDatabase } from '../helpers/server.js';

const reason = await pgauditReady(serverUrl);

describe.skipIf(reason !== undefined)(`rbac usage on the demo server with pgaudit${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let db: ServerDatabase;
  let dir: string;
  const password = randomBytes(12).toString('hex');
  const since = new Date(Date.now() - 60_000).toISOString();

  beforeAll(async () => {
    db = await freshServerDatabase('rbac_usage', DEMO_ROLE_NAMES);
    await seedServerDemo(db.url);
    dir = await tempConfig();
    await rm(path.join(dir, RESEARCH_GRANTS));
    const applied = await rbac(['apply', '--config', dir, '--target', db.url, '--auto-approve']);
    expect(applied.code, applied.err).toBe(0);
    // erin logs in (a password only for this test) and reads one MRN.
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`ALTER ROLE erin LOGIN PASSWORD '${password}'`);
    await admin.query(`ALTER ROLE dave LOGIN PASSWORD '${password}'`);
    await admin.end();
    const login = async (user: string, sql: string) => {
      const u = new URL(db.url);
      u.username = user;
      u.password = password;
      const c = new pg.Client({ connectionString: u.toString() });
      await c.connect();
      await c.query(sql);
      await c.end();
    };
    await login('erin', 'SELECT mrn FROM clinical.patients LIMIT 1');
    // dave (data_scientist) reads the MRN through rbac's masking view: masked, not the table's.
    await login('dave', 'SELECT mrn FROM clinical.patients_masked LIMIT 1');
  }, 120_000);
  afterAll(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The logging collector writes asynchronously: run until erin's read is in the report. */
  async function untilRead(argv: string[], read: RegExp): Promise<{ code: number; out: string; err: string }> {
    let r = await rbac(argv);
    for (let i = 0; i < 50 && r.code === 0 && !read.test(r.out); i++) {
      await new Promise((res) => setTimeout(res, 100));
      r = await rbac(argv);
    }
    return r;
  }

  it('rbac usage names who read which PHI column, from the server log', async () => {
    const r = await untilRead(['usage', '--config', dir, '--target', db.url, '--since', since, '--format', 'json'], /"user": "erin",\s*"column": "ehr\.clinical\.patients\.mrn"/);
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.reads.filter((x: { user: string }) => x.user === 'erin')).toEqual([
      { user: 'erin', column: 'ehr.clinical.patients.mrn', category: 'medical_record_number', count: 1, last: expect.any(String) },
    ]);
    // pgaudit logs dave's read on the view and on its base table; only the view's counts.
    const dave = await untilRead(['usage', '--config', dir, '--target', db.url, '--since', since, '--format', 'json'], /"user": "dave"/);
    expect(JSON.parse(dave.out).reads.filter((x: { user: string }) => x.user === 'dave')).toEqual([
      { user: 'dave', column: 'ehr.clinical.patients_masked.mrn', category: 'medical_record_number', count: 1, last: expect.any(String) },
    ]);
    const erinUnused = report.unused.filter((x: { user: string }) => x.user === 'erin').map((x: { column: string }) => x.column);
    expect(erinUnused).toContain('ehr.clinical.patients.ssn');
    expect(erinUnused).not.toContain('ehr.clinical.patients.mrn');
    expect(r.out + r.err).not.toContain(password);
  });

  it('rbac review --usage has the same in its "Use of PHI access" section, and stays read-only', async () => {
    const r = await untilRead(['review', '--config', dir, '--target', db.url, '--usage', '--since', since], /\| erin \| ehr\.clinical\.patients\.mrn \|/);
    expect(r.code, r.err).toBe(0);
    const s = r.out.slice(r.out.indexOf('## Use of PHI access'), r.out.indexOf('## Sign-off'));
    expect(s).toMatch(/\| erin \| ehr\.clinical\.patients\.mrn \| medical_record_number \| 1 \| \d{4}-/);
    expect(s.slice(s.indexOf('### Granted but not used'))).toContain('| erin | ehr.clinical.patients.ssn | ssn |');
    const again = await rbac(['plan', '--config', dir, '--target', db.url, '--detailed-exitcode']);
    expect(again.code, again.out).toBe(0);
  });
});
