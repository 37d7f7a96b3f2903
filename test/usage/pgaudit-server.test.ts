/**
 * A real pgaudit: on a server with pgaudit loaded (shared_preload_libraries), READ
 * logging and a csvlog (.ci/run sets this up), a login user's SELECT shows up as the
 * columns it read. Skipped, with the reason in the test name, where the server lacks it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPgauditCsv } from '../../src/usage/pgaudit.js';
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
});
