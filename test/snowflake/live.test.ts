/**
 * Live suite: runs only with credentials in the environment, visibly skipped otherwise.
 * Read-only: it introspects a role that the account always has.
 */
import { describe, expect, it } from 'vitest';
import { createSnowflakeAdapter } from '../../src/dialects/snowflake/adapter.js';
import { databaseRoleName, makeGrant, makeMembership, makeObject, roleKey } from '../../src/model/keys.js';
import { plan } from '../../src/plan/plan.js';
import { introspectScopeOf, scopeOf } from '../../src/plan/scope.js';

const env = process.env;
const creds = Boolean(env.SNOWFLAKE_ACCOUNT && env.SNOWFLAKE_USER && (env.SNOWFLAKE_PASSWORD || env.SNOWFLAKE_PRIVATE_KEY));
/** The account the environment names. */
const connect = () =>
  createSnowflakeAdapter({
    account: env.SNOWFLAKE_ACCOUNT!,
    username: env.SNOWFLAKE_USER!,
    password: env.SNOWFLAKE_PASSWORD,
    privateKey: env.SNOWFLAKE_PRIVATE_KEY,
    role: env.SNOWFLAKE_ROLE,
    warehouse: env.SNOWFLAKE_WAREHOUSE,
  });

describe.skipIf(!creds)('snowflake live (set SNOWFLAKE_ACCOUNT, SNOWFLAKE_USER and SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY)', () => {
  it('connects and reads PUBLIC through SHOW commands', async () => {
    const adapter = await connect();
    try {
      const live = await adapter.introspect({ roles: ['PUBLIC'], users: [], databases: [], schemas: [], includePublic: false });
      expect(live.roles.map((r) => r.name)).toContain('PUBLIC');
      expect(adapter.queryCount()).toBeGreaterThan(1);
    } finally {
      await adapter.close();
    }
  });
});

// Writes, in a scratch database the account owner names: an account role and a database
// role are created, granted a warehouse and a schema, converged, then dropped again.
const writable = creds && Boolean(env.SNOWFLAKE_TEST_DATABASE && env.SNOWFLAKE_WAREHOUSE);
describe.skipIf(!writable)('snowflake live, writing (also set SNOWFLAKE_TEST_DATABASE and SNOWFLAKE_WAREHOUSE)', () => {
  it('creates a role and a database role, grants a warehouse, converges, and drops them', async () => {
    const db = env.SNOWFLAKE_TEST_DATABASE!.toUpperCase();
    const suffix = Math.random().toString(36).slice(2, 8).toUpperCase();
    const role = `RBAC_LIVE_${suffix}`;
    const dbRole = databaseRoleName(db, `RBAC_LIVE_DB_${suffix}`);
    const adapter = await connect();
    const desired = {
      platform: 'snowflake' as const,
      roles: [role, dbRole].map((name) => ({ key: roleKey(name), name, state: 'present' as const })),
      users: [],
      memberships: [makeMembership({ role: dbRole, member: role, memberKind: 'role' })],
      grants: [
        makeGrant({ role, privilege: 'usage', object: makeObject('warehouse', '', undefined, env.SNOWFLAKE_WAREHOUSE!.toUpperCase()) }),
        makeGrant({ role: dbRole, privilege: 'usage', object: makeObject('database', db) }),
      ],
      schemaWide: [],
      futureGrants: [],
    };
    const options = { mode: 'authoritative' as const, target: 'live', scope: scopeOf(desired) };
    try {
      const first = plan(desired, await adapter.introspect(introspectScopeOf(desired)), options);
      const result = await adapter.apply(adapter.compile(first));
      expect(result.ok, result.failed?.error).toBe(true);
      const second = plan(desired, await adapter.introspect(introspectScopeOf(desired)), options);
      expect(second.changes).toEqual([]);
    } finally {
      const gone = { ...desired, roles: desired.roles.map((r) => ({ ...r, state: 'absent' as const })), memberships: [], grants: [] };
      const drop = plan(gone, await adapter.introspect(introspectScopeOf(desired)), { ...options, scope: scopeOf(gone) });
      await adapter.apply(adapter.compile(drop));
      await adapter.close();
    }
  });
});
