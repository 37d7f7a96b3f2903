/**
 * What the Snowflake reader reads for a scope: every schema of a database read whole,
 * listings only for the kinds `objects:` reaches (one query per kind and database), and
 * which databases are shared, so USAGE listed on one is read and compiled as IMPORTED
 * PRIVILEGES.
 */
import { describe, expect, it } from 'vitest';
import { SnowflakeAdapter } from '../../src/dialects/snowflake/adapter.js';
import { makeGrant, makeObject, objectKey, roleKey } from '../../src/model/keys.js';
import type { Desired } from '../../src/model/types.js';
import { plan } from '../../src/plan/plan.js';
import { introspectScopeOf, scopeOf } from '../../src/plan/scope.js';

function account() {
  const sent: string[] = [];
  const query = async (sql: string): Promise<Record<string, unknown>[]> => {
    sent.push(sql);
    if (sql === 'SHOW ROLES') return [{ name: 'A', comment: null }];
    if (sql === 'SHOW DATABASES') return [{ name: 'EHR', origin: '', kind: 'STANDARD' }, { name: 'REF', origin: 'ORG.P.SHARE', kind: 'IMPORTED DATABASE' }];
    if (sql.startsWith('SELECT SCHEMA_NAME FROM "EHR".INFORMATION_SCHEMA.SCHEMATA')) return [{ SCHEMA_NAME: 'INFORMATION_SCHEMA' }, { SCHEMA_NAME: 'RAW' }, { SCHEMA_NAME: 'UTIL' }];
    if (sql === 'SHOW GRANTS TO ROLE "A"') return [{ privilege: 'USAGE', granted_on: 'DATABASE', name: 'REF', granted_to: 'ROLE', grantee_name: 'A', grant_option: 'false', granted_by: 'ACCOUNTADMIN' }];
    if (sql.includes('INFORMATION_SCHEMA.STAGES')) return [{ STAGE_SCHEMA: 'RAW', STAGE_NAME: 'LANDING' }];
    if (sql.includes('INFORMATION_SCHEMA.FUNCTIONS')) return [{ FUNCTION_SCHEMA: 'UTIL', FUNCTION_NAME: 'ZIP3', ARGUMENT_SIGNATURE: '(Z VARCHAR)' }];
    return [];
  };
  return { sent, adapter: new SnowflakeAdapter({ query, close: async () => undefined }) };
}

describe('the Snowflake reader, by scope', () => {
  const desired: Desired = {
    platform: 'snowflake',
    roles: [{ key: roleKey('A'), name: 'A', state: 'present' }],
    users: [],
    memberships: [],
    grants: [makeGrant({ role: 'A', privilege: 'usage', object: makeObject('database', 'REF') })],
    schemaWide: [
      { role: 'A', privilege: 'usage', schema: makeObject('database', 'EHR'), kinds: ['stage', 'function'], future: true },
    ],
    futureGrants: [],
  };

  it('reads every schema of a database read whole, and lists only the kinds objects: reaches', async () => {
    const { sent, adapter } = account();
    const scope = introspectScopeOf(desired);
    expect(scope.wholeDatabases).toEqual(['EHR']);
    expect(scope.objectKinds).toEqual(['function', 'stage']);
    const live = await adapter.introspect(scope);
    expect(sent.filter((q) => q.startsWith('SHOW FUTURE GRANTS IN SCHEMA'))).toEqual(['SHOW FUTURE GRANTS IN SCHEMA "EHR"."RAW"', 'SHOW FUTURE GRANTS IN SCHEMA "EHR"."UTIL"']);
    expect(sent.filter((q) => q.includes('INFORMATION_SCHEMA.STAGES') || q.includes('INFORMATION_SCHEMA.FUNCTIONS'))).toHaveLength(2);
    expect(sent.some((q) => q.includes('INFORMATION_SCHEMA.PIPES') || q.startsWith('SHOW TASKS'))).toBe(false);
    expect((live.objects ?? []).filter((o) => o.kind === 'stage' || o.kind === 'function').map(objectKey)).toEqual(['function:EHR.UTIL.ZIP3(VARCHAR)', 'stage:EHR.RAW.LANDING']);
    // USAGE listed on a shared database is IMPORTED PRIVILEGES.
    expect(live.grants.map((g) => g.key)).toEqual(['grant:imported_privileges:database:REF:role:A']);
  });

  it('grants on the existing objects of every schema, and usage on a shared database converges (v0.1 spelling)', async () => {
    const { adapter } = account();
    const live = await adapter.introspect(introspectScopeOf(desired));
    const p = plan(desired, live, { mode: 'authoritative', target: 't', scope: scopeOf(desired) });
    expect(adapter.compile(p).map((s) => s.sql)).toEqual([
      'GRANT USAGE ON STAGE "EHR"."RAW"."LANDING" TO ROLE "A"',
      'GRANT USAGE ON FUNCTION "EHR"."UTIL"."ZIP3"(VARCHAR) TO ROLE "A"',
      'GRANT USAGE ON FUTURE STAGES IN DATABASE "EHR" TO ROLE "A"',
      'GRANT USAGE ON FUTURE FUNCTIONS IN DATABASE "EHR" TO ROLE "A"',
    ]);
    // No longer configured: revoked as what it is.
    const gone: Desired = { ...desired, grants: [], schemaWide: [] };
    const q = plan(gone, live, { mode: 'authoritative', target: 't', scope: scopeOf(gone) });
    expect(adapter.compile(q).map((s) => s.sql)).toEqual(['REVOKE IMPORTED PRIVILEGES ON DATABASE "REF" FROM ROLE "A"']);
  });
});
