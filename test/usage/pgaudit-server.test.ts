/**
 * A real pgaudit: on a server with pgaudit loaded (shared_preload_libraries), READ
 * logging and a csvlog (.ci/run sets this up), a login user's SELECT shows up as the
 * columns it read, also across a rotation of the log (every csvlog file of the period is
 * read), and a user without the right to read the log gets an error naming the role it
 * needs. Skipped, with the reason in the test name, where the server lacks it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readServerLog, serverLogFiles } from '../../src/usage/logs.js';
import { PgauditCollector, readPgauditCsv } from '../../src/usage/pgaudit.js';
import { buildUsage } from '../../src/usage/report.js';
import { pgauditReady, serverUrl } from '../helpers/server.js';

const reason = await pgauditReady(serverUrl);

describe.skipIf(reason !== undefined)(`pgaudit on a real server${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const suffix = randomBytes(4).toString('hex');
  const schema = `usage_${suffix}`;
  const user = `usage_reader_${suffix}`;
  const password = randomBytes(12).toString('hex');
  let admin: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`CREATE TABLE ${schema}.patients (id int, mrn text, ssn text, first_name text)`);
    await admin.query(`INSERT INTO ${schema}.patients VALUES (1, 'M1', '123-45-6789', 'Ann')`);
    await admin.query(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
    await admin.query(`GRANT USAGE ON SCHEMA ${schema} TO ${user}`);
    await admin.query(`GRANT SELECT ON ${schema}.patients TO ${user}`);
  });

  afterAll(async () => {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.query(`DROP ROLE ${user}`);
    await admin.end();
  });

  it("names who read which PHI column, and the granted column that was not read", async () => {
    const since = new Date(Date.now() - 1000);
    const u = new URL(serverUrl!);
    u.username = user;
    u.password = password;
    const reader = new pg.Client({ connectionString: u.toString() });
    await reader.connect();
    await reader.query(`SELECT mrn FROM ${schema}.patients WHERE id = 1`);
    await reader.end();
    const db = u.pathname.slice(1);
    // The logging collector writes asynchronously: wait for the line.
    let events: Awaited<ReturnType<typeof readPgauditCsv>> = [];
    for (let i = 0; i < 50 && !events.some((e) => e.user === user); i++) {
      const text = (await admin.query(`SELECT pg_read_file(pg_current_logfile('csvlog')) AS t`)).rows[0].t as string;
      events = (await readPgauditCsv(text, { since })).filter((e) => e.table[1] === schema);
      if (!events.some((e) => e.user === user)) await new Promise((r) => setTimeout(r, 100));
    }
    expect(events.filter((e) => e.user === user)).toEqual([
      { user, time: expect.any(String), table: [db, schema, 'patients'], columns: ['id', 'mrn'] },
    ]);
    const key = (c: string) => `${db}.${schema}.patients.${c}`;
    const report = buildUsage({
      phi: new Map([[key('mrn'), 'medical_record_number'], [key('ssn'), 'ssn']]),
      granted: new Map([[user, new Set([key('mrn'), key('ssn')])]]),
      events,
      fold: (s) => s,
      since: since.toISOString(),
      until: new Date().toISOString(),
    });
    expect(report.reads.map((r) => [r.user, r.column])).toEqual([[user, key('mrn')]]);
    expect(report.unused).toEqual([{ user, column: key('ssn'), category: 'ssn' }]);
  });

  /** Every read of `schema` by `who` in the server's csvlog files since `since`, as rbac usage reads them. */
  async function serverReads(since: Date, who: string) {
    const query = async (sql: string, params?: unknown[]) => (await admin.query(sql, params)).rows as Record<string, unknown>[];
    const c = new PgauditCollector({ since });
    const files = await serverLogFiles(query, since, '--log');
    for (const f of files) await readServerLog(query, f, c, '--log');
    return { files, events: c.events.filter((e) => e.user === who && e.table[1] === schema) };
  }

  async function until<T>(f: () => Promise<T>, ok: (t: T) => boolean): Promise<T> {
    let t = await f();
    for (let i = 0; i < 50 && !ok(t); i++) {
      await new Promise((r) => setTimeout(r, 100));
      t = await f();
    }
    return t;
  }

  it('reads the rotated file as well as the current one', async () => {
    // After the previous test's read.
    const since = new Date();
    const u = new URL(serverUrl!);
    u.username = user;
    u.password = password;
    const reader = new pg.Client({ connectionString: u.toString() });
    await reader.connect();
    await reader.query(`SELECT ssn FROM ${schema}.patients`);
    // Wait for the line in the current file, then rotate: the read is in a rotated file now.
    const current = async () => (await admin.query(`SELECT pg_current_logfile('csvlog') AS f`)).rows[0].f as string;
    const before = await current();
    const inCurrent = await until(
      async () => (await admin.query(`SELECT pg_read_file(pg_current_logfile('csvlog')) AS t`)).rows[0].t as string,
      (t) => t.includes(`${schema}.patients`) && t.includes(user) && t.includes('SELECT ssn'),
    );
    expect(inCurrent).toContain('SELECT ssn');
    // A new file's name carries the time to the second: rotate until the name changes.
    let after = before;
    for (let i = 0; i < 30 && after === before; i++) {
      await admin.query('SELECT pg_rotate_logfile()');
      await new Promise((r) => setTimeout(r, 100));
      after = await current();
    }
    expect(after).not.toBe(before);
    await reader.query(`SELECT first_name FROM ${schema}.patients`);
    await reader.end();
    const { files, events } = await until(
      () => serverReads(since, user),
      (r) => r.events.length >= 2,
    );
    expect(events.map((e) => e.columns)).toEqual([['ssn'], ['first_name']]);
    // Both files were read: the rotated one (with the ssn read) and the current one.
    const names = files.map((f) => f.name);
    expect(names.some((n) => before.endsWith(`/${n}`))).toBe(true);
    expect(names.some((n) => after.endsWith(`/${n}`))).toBe(true);
  });

  it('a user without pg_monitor or EXECUTE on pg_read_binary_file gets an error naming what it needs', async () => {
    const weak = `usage_weak_${suffix}`;
    await admin.query(`CREATE ROLE ${weak} LOGIN PASSWORD '${password}'`);
    try {
      const u = new URL(serverUrl!);
      u.username = weak;
      u.password = password;
      const c = new pg.Client({ connectionString: u.toString() });
      await c.connect();
      const query = async (sql: string, params?: unknown[]) => (await c.query(sql, params)).rows as Record<string, unknown>[];
      try {
        const since = new Date(Date.now() - 60_000);
        const listing = serverLogFiles(query, since, '--log');
        await expect(listing).rejects.toThrow(/cannot list the server's log directory \(pg_ls_logdir needs superuser or pg_monitor\): permission denied/);
        await expect(listing).rejects.toMatchObject({ hint: expect.stringContaining('GRANT pg_monitor TO the target user') });
        await admin.query(`GRANT pg_monitor TO ${weak}`);
        const files = await serverLogFiles(query, since, '--log');
        expect(files.length).toBeGreaterThan(0);
        const read = readServerLog(query, files[files.length - 1], new PgauditCollector(), '--log');
        await expect(read).rejects.toThrow(/pg_read_binary_file needs superuser or an EXECUTE grant\): permission denied for function pg_read_binary_file/);
        await expect(read).rejects.toMatchObject({ hint: expect.stringContaining('GRANT EXECUTE ON FUNCTION pg_read_binary_file(text, bigint, bigint)') });
      } finally {
        await c.end();
      }
    } finally {
      await admin.query(`DROP ROLE ${weak}`);
    }
  });
});
