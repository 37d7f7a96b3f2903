// Connection strings against a real PostgreSQL server (set RBAC_TEST_PG_URL): a login
// role whose password holds @, : and / connects through resolveTarget + openPg, given
// percent-encoded, raw (as users paste it) or as key=value; a saved plan records the
// target without its password, and that name reconnects with PGPASSWORD. Roles are
// cluster-wide: the role gets a random name and is dropped afterwards.
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTarget } from '../../src/config/targets.js';
import type { Project } from '../../src/config/project.js';
import { openPg, type PgSession } from '../../src/dialects/postgres/driver.js';
import { quoteIdent } from '../../src/dialects/postgres/quote.js';
import { RbacError } from '../../src/model/errors.js';
import { BASE_RBAC, errors, load, writeConfig } from '../config/helpers.js';
import { rbac } from '../helpers/cli.js';

const serverUrl = process.env.RBAC_TEST_PG_URL;

describe.skipIf(!serverUrl)('connection strings on a PostgreSQL server (set RBAC_TEST_PG_URL)', () => {
  const tag = randomBytes(4).toString('hex');
  const role = `rbac_conn_${tag}`;
  const password = `P@ss:w/rd-${tag}`;
  let admin: PgSession;
  let project: Project;
  let host: string;
  let port: string;
  let db: string;
  let dir: string;

  const rawUrl = () => `postgres://${role}:${password}@${host}:${port}/${db}`;
  const encodedUrl = () => `postgres://${role}:${encodeURIComponent(password)}@${host}:${port}/${db}`;
  const keyValue = () => `host=${host} port=${port} dbname=${db} user=${role} password='${password}'`;
  const recordedName = () => `postgres://${role}@${host}:${port}/${db}`;

  async function currentUser(target: string, env: Record<string, string> = {}): Promise<unknown> {
    const t = resolveTarget(project, target, env);
    if (t.platform !== 'postgres' || t.url === undefined) throw new Error('not a postgres server target');
    const s = await openPg(t.url, { applicationName: 'rbac-test-conn' });
    try {
      return (await s.query('SELECT current_user AS u'))[0].u;
    } finally {
      await s.close();
    }
  }

  beforeAll(async () => {
    const u = new URL(serverUrl!);
    host = u.hostname;
    port = u.port || '5432';
    db = u.pathname.slice(1) || 'postgres';
    admin = await openPg(serverUrl!, { applicationName: 'rbac-test-admin' });
    await admin.exec(`CREATE ROLE ${quoteIdent(role)} LOGIN PASSWORD '${password.replace(/'/g, "''")}'`);
    dir = await writeConfig({
      'rbac.yaml': BASE_RBAC,
      'roles/r.yaml': `roles:\n  - name: ${role}_reader\n    description: Reads nothing yet.\n    owner: test@example.org\n`,
    });
    const loaded = await load({ 'rbac.yaml': BASE_RBAC });
    expect(errors(loaded.diagnostics)).toEqual([]);
    project = loaded.project;
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    if (!admin) return;
    await admin.exec(`DROP ROLE IF EXISTS ${quoteIdent(role)}`);
    await admin.close();
  });

  it('the server checks passwords (otherwise nothing below would prove anything)', async () => {
    const err = await currentUser(`postgres://${role}:not-the-password@${host}:${port}/${db}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RbacError);
    expect((err as RbacError).code).toBe('CONNECTION');
  });

  it('connects with the password percent-encoded', async () => {
    expect(await currentUser(encodedUrl())).toBe(role);
  });

  it('connects with the password raw in the userinfo, as users paste it', async () => {
    expect(await currentUser(rawUrl())).toBe(role);
  });

  it('connects with a key=value string', async () => {
    expect(await currentUser(keyValue())).toBe(role);
  });

  it.each([
    ['a raw URL', rawUrl],
    ['a key=value string', keyValue],
  ])('plan --out with %s records the target without its password', async (_what, target) => {
    const r = await rbac(['plan', '--config', dir, '--target', target(), '--out', 'plan.json'], { cwd: dir });
    expect([0, 2], r.err).toContain(r.code);
    const text = await readFile(path.join(dir, 'plan.json'), 'utf8');
    const plan = JSON.parse(text);
    expect(plan.target).toBe(recordedName());
    for (const leak of [password, encodeURIComponent(password), `ss:w/rd`]) {
      expect(text).not.toContain(leak);
      expect(r.out + r.err).not.toContain(leak);
    }
  });

  it('the recorded name reconnects with PGPASSWORD from the explicit environment, and only with it', async () => {
    const plan = JSON.parse(await readFile(path.join(dir, 'plan.json'), 'utf8'));
    expect(await currentUser(plan.target, { PGPASSWORD: password })).toBe(role);

    // Without it (pg would read process.env and ~/.pgpass: point both away) the server refuses.
    const saved = { PGPASSWORD: process.env.PGPASSWORD, PGPASSFILE: process.env.PGPASSFILE };
    delete process.env.PGPASSWORD;
    process.env.PGPASSFILE = path.join(dir, 'no-such-pgpass');
    try {
      const err = await currentUser(plan.target).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RbacError);
      expect((err as RbacError).code).toBe('CONNECTION');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
