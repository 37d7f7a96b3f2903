/**
 * A Snowflake target in rbac.yaml, end to end through the real CLI and the real
 * snowflake-sdk: `access_url` points the driver at the loopback wire stub, which
 * answers with the recorded account state. Also: credential problems are reported
 * by name, and no secret ever reaches the output.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rbac } from '../helpers/cli.js';
import { startWireStub, type WireStub } from '../snowflake/wire-stub.js';
import { golden, snapshots, snowflakeAnswers, warehouseConfig } from './recorded.js';

const PASSWORD = 'pw-Secret-4711';
const TOKEN = 'oauth-Token-0815';

async function tempConfig(targets: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rbac-sf-'));
  await cp(path.join(warehouseConfig, 'roles'), path.join(dir, 'roles'), { recursive: true });
  await cp(path.join(warehouseConfig, 'grants'), path.join(dir, 'grants'), { recursive: true });
  await writeFile(path.join(dir, 'rbac.yaml'), `version: 1\nmode: authoritative\ndefault_target: ${targets.trim().split(":")[0]}\ntargets:\n${targets}`);
  return dir;
}

describe('Snowflake target through the wire stub', () => {
  let stub: WireStub;
  let dir: string;
  const env = () => ({ SF_URL: stub.url, SF_PASSWORD: PASSWORD });

  beforeAll(async () => {
    const answers = snowflakeAnswers();
    stub = await startWireStub({
      respond: (sql) =>
        sql in answers
          ? { rows: answers[sql], ...(answers[sql].length ? {} : { columns: ['name'] }) }
          : { error: { code: '002003', message: `SQL compilation error: no recorded answer for ${sql}` } },
    });
    dir = await tempConfig(
      [
        '  sf:',
        '    platform: snowflake',
        '    account: stub-account',
        '    user: RBAC_SVC',
        '    role: RBAC_ADMIN',
        '    authenticator: SNOWFLAKE',
        '    password: ${SF_PASSWORD}',
        '    access_url: ${SF_URL}',
        '    parallelism: 4',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await stub?.close();
  });

  it('rbac snapshot reads exactly the recorded state (the snapshot fixture is what the reader produces)', async () => {
    const r = await rbac(['snapshot', '--config', dir], { env: env() });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const fixture = path.join(snapshots, 'snowflake-live.json');
    if (process.env.UPDATE_GOLDEN || !existsSync(fixture)) writeFileSync(fixture, r.out);
    expect(r.out).toBe(await readFile(fixture, 'utf8'));
    expect(stub.logins.at(-1)).toEqual({ user: 'RBAC_SVC', hadPassword: true });
  });

  it('rbac plan --target sf plans what the snapshot plans, with the same SQL', async () => {
    stub.queries.length = 0;
    const r = await rbac(['plan', '--config', dir, '--target', 'sf'], { env: env() });
    expect(r.code).toBe(0);
    // Same plan as from the snapshot; only the target name in the header differs.
    const offline = await readFile(path.join(golden, 'snowflake-live.txt'), 'utf8');
    expect(r.out).toBe(offline.replace('target snapshot:snowflake-live.json', 'target sf'));
    expect(stub.queries).toContain('SHOW GRANTS TO ROLE "CLINICAL_ANALYST"');
    expect(stub.queries).toContain('SHOW USERS');
    expect(r.out + r.err).not.toContain(PASSWORD);
  });

  it('a rejected login is an error naming the account, without the password', async () => {
    const bad = await startWireStub({ rejectLogin: true, respond: () => ({ rows: [] }) });
    try {
      const r = await rbac(['plan', '--config', dir, '--target', 'sf'], { env: { SF_URL: bad.url, SF_PASSWORD: PASSWORD } });
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/cannot connect to Snowflake account stub-account/);
      expect(r.out + r.err).not.toContain(PASSWORD);
    } finally {
      await bad.close();
    }
  });
});

describe('Snowflake and Databricks target settings', () => {
  it('SNOWFLAKE_JWT: an unreadable key file is named, relative to the config root', async () => {
    const dir = await tempConfig(
      '  sf:\n    platform: snowflake\n    account: a\n    user: u\n    private_key_path: keys/missing.p8\n',
    );
    const r = await rbac(['plan', '--config', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("target 'sf': cannot read private_key_path keys/missing.p8: ENOENT");
  });

  it('OAUTH: the token is what the driver gets, and it never appears in an error', async () => {
    const bad = await startWireStub({ rejectLogin: true, respond: () => ({ rows: [] }) });
    try {
      const dir = await tempConfig(
        '  sf:\n    platform: snowflake\n    account: a\n    user: u\n    authenticator: OAUTH\n    token: ${SF_TOKEN}\n    access_url: ${SF_URL}\n',
      );
      const r = await rbac(['plan', '--config', dir], { env: { SF_TOKEN: TOKEN, SF_URL: bad.url } });
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/cannot connect to Snowflake account a/);
      expect(r.out + r.err).not.toContain(TOKEN);
    } finally {
      await bad.close();
    }
  });

  it('EXTERNALBROWSER is refused with the alternatives', async () => {
    const dir = await tempConfig('  sf:\n    platform: snowflake\n    account: a\n    user: u\n    authenticator: EXTERNALBROWSER\n');
    const r = await rbac(['plan', '--config', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/authenticator EXTERNALBROWSER is not supported by rbac/);
    expect(r.err).toMatch(/SNOWFLAKE_JWT/);
  });

  it('access_url must be an http(s) URL', async () => {
    const dir = await tempConfig('  sf:\n    platform: snowflake\n    account: a\n    user: u\n    password: p\n    authenticator: SNOWFLAKE\n    access_url: ftp://x\n');
    const r = await rbac(['plan', '--config', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/access_url \(.*rbac\.yaml:\d+:\d+\) is not an http:\/\/ or https:\/\/ URL/);
  });

  it('Databricks manage_membership: true needs account_id, and an accounts host it can derive or is given', async () => {
    const dir = await tempConfig('  lh:\n    platform: databricks\n    host: h\n    http_path: /p\n    token: t\n    manage_membership: true\n');
    const r = await rbac(['plan', '--config', dir, '--target', 'lh']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/rbac\.yaml:\d+:\d+: error: target 'lh': manage_membership: true needs 'account_id'/);
    // With the account id, a host of no known cloud is refused before anything is read.
    const withId = await tempConfig('  lh:\n    platform: databricks\n    host: h\n    http_path: /p\n    token: t\n    account_id: acct\n    manage_membership: true\n');
    const r2 = await rbac(['plan', '--config', withId, '--target', 'lh']);
    expect(r2.code).toBe(1);
    expect(r2.err).toMatch(/the accounts host of h is not known/);
    expect(r2.err).toMatch(/accounts_host/);
  });
});
