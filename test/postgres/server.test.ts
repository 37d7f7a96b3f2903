// The live suite against a real PostgreSQL server. Roles are cluster-wide, so this file
// works in a database of its own and prefixes every role it creates with a random
// tag; both are dropped afterwards.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '../../src/dialects/postgres/adapter.js';
import { openPg, type PgSession } from '../../src/dialects/postgres/driver.js';
import { quoteIdent } from '../../src/dialects/postgres/quote.js';
import { seedDemo } from '../../src/demo/seed.js';
import { RbacError } from '../../src/model/errors.js';
import { defineLiveTests, type LiveEnv } from './live-suite.js';

const url = process.env.RBAC_TEST_PG_URL;

describe.skipIf(!url)('postgres live (server; set RBAC_TEST_PG_URL)', () => {
  const tag = randomBytes(4).toString('hex');
  const dbName = `rbac_pgtest_${tag}`;
  const prefix = `t${tag}_`;
  let admin: PgSession;
  let dbUrl: string;
  let env: LiveEnv;

  beforeAll(async () => {
    admin = await openPg(url!, { applicationName: 'rbac-test-admin' });
    await admin.exec(`CREATE DATABASE ${quoteIdent(dbName)}`);
    const u = new URL(url!);
    u.pathname = `/${dbName}`;
    dbUrl = u.toString();
    const adapter = await createPostgresAdapter({ url: dbUrl });
    await seedDemo(adapter.session, { rolePrefix: prefix });
    env = {
      adapter,
      p: (n) => `${prefix}${n}`,
      another: (opts) => createPostgresAdapter({ url: dbUrl, ...opts }),
      secondConnection: (applicationName) => openPg(dbUrl, { applicationName }),
    };
  });

  afterAll(async () => {
    await env?.adapter.close();
    if (!admin) return;
    await admin.exec(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`);
    const roles = await admin.query(`SELECT rolname::text AS name FROM pg_roles WHERE starts_with(rolname, $1)`, [prefix]);
    for (const r of roles) await admin.exec(`DROP ROLE IF EXISTS ${quoteIdent(String(r.name))}`);
    await admin.close();
  });

  defineLiveTests(() => env);

  it('sets application_name to rbac by default', async () => {
    const rows = await env.adapter.session.query(`SELECT current_setting('application_name') AS app`);
    expect(rows[0].app).toBe('rbac');
  });

  it('maps a bad password to CONNECTION without printing it', async () => {
    const u = new URL(dbUrl);
    u.password = 'wrong-Secret-42';
    const err = await openPg(u.toString()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RbacError);
    expect((err as RbacError).code).toBe('CONNECTION');
    expect((err as RbacError).message).not.toContain('wrong-Secret-42');
    expect((err as RbacError).message).toContain('****');
  });
});

describe('postgres driver errors (no server needed)', () => {
  it('maps a refused connection to CONNECTION and masks the password', async () => {
    const err = await openPg('postgres://u:hunter2-secret@127.0.0.1:1/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RbacError);
    expect((err as RbacError).code).toBe('CONNECTION');
    expect((err as RbacError).message).not.toContain('hunter2-secret');
  });
});
