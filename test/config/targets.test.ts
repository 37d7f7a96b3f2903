import { beforeAll, describe, expect, it } from 'vitest';
import { resolveTarget } from '../../src/config/targets.js';
import { RbacError } from '../../src/model/errors.js';
import { errors, load } from './helpers.js';

const RBAC = [
  'version: 1', //                                  1
  'default_target: local', //                       2
  'targets:', //                                    3
  '  local:', //                                    4
  '    platform: postgres', //                      5
  '    embedded: .rbac/pglite', //                  6
  '  warehouse:', //                                7
  '    platform: postgres', //                      8
  '    url: ${DATABASE_URL}', //                    9
  '    database_map: { EHR: "${EHR_DB}" }', //      10
  '    object_creators: [Loader, \'"Mig"\']', //       11
  '  prod:', //                                     12
  '    platform: snowflake', //                     13
  '    account: ${SNOWFLAKE_ACCOUNT}', //           14
  '    user: ${SNOWFLAKE_USER}', //                 15
  '    role: SECURITYADMIN', //                     16
  '    authenticator: SNOWFLAKE', //                17
  '    password: ${SNOWFLAKE_PASSWORD}', //         18
  '  lakehouse:', //                                19
  '    platform: databricks', //                    20
  '    host: ${DATABRICKS_HOST}', //                21
  '    http_path: /sql/1.0/warehouses/abc', //      22
  '    token: ${DATABRICKS_TOKEN}', //              23
  '',
].join('\n');

async function project() {
  const { project, diagnostics } = await load({ 'rbac.yaml': RBAC });
  expect(errors(diagnostics)).toEqual([]);
  return project;
}

function thrown(f: () => unknown): RbacError {
  try {
    f();
  } catch (e) {
    if (e instanceof RbacError) return e;
    throw e;
  }
  throw new Error('expected an RbacError');
}

describe('resolveTarget', () => {
  // For the synchronous throw checks.
  let loaded: Awaited<ReturnType<typeof project>>;
  beforeAll(async () => {
    loaded = await project();
  });

  it('uses default_target, and never needs variables of other targets', async () => {
    const t = resolveTarget(await project(), undefined, {});
    expect(t).toMatchObject({ name: 'local', platform: 'postgres', embedded: '.rbac/pglite', display: 'pglite:.rbac/pglite' });
  });

  it('expands ${VAR} for the chosen target and masks the password in display', async () => {
    const env = { DATABASE_URL: 'postgres://rbac:s3cret-pw@db.example.org:5432/ehr', EHR_DB: 'ehr_prod' };
    const t = resolveTarget(await project(), 'warehouse', env);
    if (t.platform !== 'postgres') throw new Error('platform');
    expect(t.url).toBe(env.DATABASE_URL);
    expect(t.display).toBe('postgres://rbac:****@db.example.org:5432/ehr');
    expect(t.databaseMap).toEqual({ ehr: 'ehr_prod' });
    expect(t.objectCreators).toEqual(['loader', 'Mig']);
    expect(t.secrets).toContain('s3cret-pw');
    expect(t.source).toEqual({ file: 'rbac.yaml', line: 7, column: 3 });
  });

  it('a missing variable names the variable, rbac.yaml and the line, never a value', async () => {
    const e = thrown(() => resolveTarget(loaded, 'warehouse', { EHR_DB: 'ehr_prod-secretish' }));
    expect(e.code).toBe('TARGET');
    expect(e.message).toBe("target 'warehouse' needs environment variable DATABASE_URL (rbac.yaml:9:10), which is not set");
    expect(e.message).not.toContain('ehr_prod-secretish');
  });

  it('lists every missing variable of the target at once', async () => {
    const p = await project();
    const e = thrown(() => resolveTarget(p, 'prod', { SNOWFLAKE_USER: 'svc_rbac' }));
    expect(e.message).toBe(
      "target 'prod' needs environment variables SNOWFLAKE_ACCOUNT (rbac.yaml:14:14), SNOWFLAKE_PASSWORD (rbac.yaml:18:15), which are not set",
    );
    expect(e.message).not.toContain('svc_rbac');
  });

  it('resolves snowflake and databricks targets with secrets recorded, not displayed', async () => {
    const p = await project();
    const sf = resolveTarget(p, 'prod', { SNOWFLAKE_ACCOUNT: 'org-acct', SNOWFLAKE_USER: 'svc', SNOWFLAKE_PASSWORD: 'pw-123456' });
    expect(sf).toMatchObject({ platform: 'snowflake', account: 'org-acct', user: 'svc', role: 'SECURITYADMIN', authenticator: 'SNOWFLAKE', password: 'pw-123456', parallelism: 32 });
    expect(sf.display).not.toContain('pw-123456');
    expect(sf.secrets).toEqual(['pw-123456']);
    const db = resolveTarget(p, 'lakehouse', { DATABRICKS_HOST: 'adb-1.azuredatabricks.net', DATABRICKS_TOKEN: 'dapi-abcdef' });
    expect(db).toMatchObject({ platform: 'databricks', host: 'adb-1.azuredatabricks.net', token: 'dapi-abcdef', manageMembership: false });
    expect(db.display).not.toContain('dapi-abcdef');
  });

  it('a postgres URL given directly is an ad-hoc target with the password masked', async () => {
    const url = 'postgresql://admin:hunter22@127.0.0.1:5432/rbac_test?sslmode=disable';
    const t = resolveTarget(await project(), url, {});
    expect(t).toMatchObject({ platform: 'postgres', url, databaseMap: {} });
    expect(t.name).toBe('postgresql://admin@127.0.0.1:5432/rbac_test?sslmode=disable');
    expect(t.display).not.toContain('hunter22');
    expect(t.secrets).toEqual(['hunter22']);
  });

  it('other URL schemes are refused without echoing credentials', async () => {
    const e = thrown(() => resolveTarget(loaded, 'snowflake://u:topsecret@acct', {}));
    expect(e.code).toBe('TARGET');
    expect(e.message).not.toContain('topsecret');
  });

  it('a non-postgres value in url is refused without printing it', async () => {
    const e = thrown(() => resolveTarget(loaded, 'warehouse', { DATABASE_URL: 'mysql://u:leaky@h/db', EHR_DB: 'x' }));
    expect(e.message).toBe("target 'warehouse': url (rbac.yaml:9:10) is not a postgres:// or postgresql:// URL");
  });

  it('an unknown target name gets did-you-mean', async () => {
    const e = thrown(() => resolveTarget(loaded, 'warehose', {}));
    expect(e.message).toBe("unknown target 'warehose' (did you mean 'warehouse'?)");
    expect(e.hint).toBe('targets in rbac.yaml: local, warehouse, prod, lakehouse');
  });
});

