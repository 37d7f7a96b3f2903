/**
 * The whole-account review on a PostgreSQL server (RBAC_TEST_PG_URL; CI starts one):
 * the server's own `postgres` superuser, an added unmanaged superuser and an unmanaged
 * table owner appear in the privileged-access section, read from the server's pg_roles
 * and pg_class, and the review changes nothing on the server.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESEARCH_GRANTS, rbac, tempConfig } from '../helpers/cli.js';
import { DEMO_ROLE_NAMES, freshServerDatabase, seedServerDemo, serverUrl, type ServerDatabase } from '../helpers/server.js';

const EXTRA = ['i14_ops_admin', 'i14_etl_owner'];

describe.skipIf(!serverUrl)('rbac review on a PostgreSQL server (set RBAC_TEST_PG_URL)', () => {
  let db: ServerDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await freshServerDatabase('rbac_review', [...DEMO_ROLE_NAMES, ...EXTRA]);
    await seedServerDemo(db.url);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query('CREATE ROLE i14_ops_admin LOGIN SUPERUSER');
      await c.query('CREATE ROLE i14_etl_owner NOLOGIN');
      await c.query('ALTER TABLE clinical.patients OWNER TO i14_etl_owner');
    } finally {
      await c.end();
    }
    dir = await tempConfig();
    await rm(path.join(dir, RESEARCH_GRANTS));
    const applied = await rbac(['apply', '--config', dir, '--target', db.url, '--auto-approve']);
    expect(applied.code, applied.err).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("lists the server's postgres superuser, the added superuser and the table owner, and stays read-only", async () => {
    const r = await rbac(['review', '--config', dir, '--target', db.url]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/\| postgres \(not managed\) \| user \| SUPERUSER \| direct \| \*\*NO JUSTIFICATION\*\* \|/);
    expect(r.out).toMatch(/\| i14_ops_admin \(not managed\) \| user \| SUPERUSER \| direct \| \*\*NO JUSTIFICATION\*\* \|/);
    expect(r.out).toMatch(/\| i14_etl_owner \(not managed\) \| role \| OWNER[^|]* on ehr\.clinical\.patients \| direct \|/);
    expect(r.out).toMatch(/\*\*ACTION\*\*: i14_etl_owner is not managed by rbac and reads PHI in clear \(OWNER of ehr\.clinical\.patients[;)]/);
    expect(r.out).not.toContain(new URL(db.url).password);
    // Read-only: the next plan still has nothing to do.
    const again = await rbac(['plan', '--config', dir, '--target', db.url, '--detailed-exitcode']);
    expect(again.code, again.out).toBe(0);
  });
});
