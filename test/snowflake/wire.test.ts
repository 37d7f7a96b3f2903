/**
 * snowflake-sdk driven for real against the loopback wire stub (127.0.0.1 only).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnowflakeAdapter } from '../../src/dialects/snowflake/adapter.js';
import { connectSnowflake, SnowflakeDriverError } from '../../src/dialects/snowflake/driver.js';
import type { Statement } from '../../src/dialects/types.js';
import { startWireStub, type StubAnswer, type WireStub } from './wire-stub.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/snowflake/${name}`, import.meta.url), 'utf8')).rows;
const PASSWORD = 'hunter2-super-secret';
const fast = { retries: 3, baseMs: 1, maxMs: 5 };

function respond(sql: string, attempt: number): StubAnswer {
  if (sql === 'SHOW ROLES') return { rows: fixture('show_roles.json') };
  if (sql === 'SHOW USERS') return { rows: [{ name: 'ALICE', login_name: 'ALICE' }] };
  if (sql === 'SHOW GRANTS TO ROLE "CLINICAL_ANALYST"') return { rows: fixture('show_grants_to_role.json'), pageSize: 5 };
  if (sql === 'SHOW GRANTS OF ROLE "CLINICAL_ANALYST"') return { rows: fixture('show_grants_of_role.json') };
  if (sql.startsWith('SHOW GRANTS TO ROLE') || sql.startsWith('SHOW GRANTS OF ROLE')) return { rows: [], columns: ['privilege'] };
  if (sql === 'SHOW DATABASE ROLES IN DATABASE "EHR"') return { rows: fixture('show_database_roles.json') };
  if (sql === 'SHOW GRANTS TO DATABASE ROLE "EHR"."PHI_READER"') return { rows: fixture('show_grants_to_database_role.json') };
  if (sql === 'SHOW GRANTS OF DATABASE ROLE "EHR"."PHI_READER"') return { rows: fixture('show_grants_of_database_role.json') };
  if (sql === 'SHOW FUTURE GRANTS IN SCHEMA "EHR"."CLINICAL"') return { rows: fixture('show_future_grants_in_schema.json') };
  if (sql.startsWith('SHOW FUTURE GRANTS IN SCHEMA "EHR"."GONE"')) {
    return { error: { code: '002003', message: "SQL compilation error:\nSchema 'EHR.GONE' does not exist or not authorized." } };
  }
  // Database-level future grants: none in this account (the columns SHOW prints, no rows).
  if (sql.startsWith('SHOW FUTURE GRANTS IN DATABASE')) return { rows: [], columns: ['created_on', 'privilege', 'grant_on', 'name', 'grant_to', 'grantee_name', 'grant_option'] };
  if (sql.includes('INFORMATION_SCHEMA.TABLES')) return { rows: fixture('information_schema_tables.json') };
  if (sql === 'SELECT 429' && attempt === 1) return { status: 429 };
  if (sql === 'SELECT BUSY' && attempt === 1) return { error: { code: '000625', message: 'statement queued too long' } };
  if (sql.startsWith('GRANT SELECT ON TABLE "EHR"."CLINICAL"."MISSING"')) {
    return { error: { code: '002003', message: "SQL compilation error:\nTable 'EHR.CLINICAL.MISSING' does not exist or not authorized." } };
  }
  if (sql.startsWith('GRANT') || sql.startsWith('REVOKE')) return { rows: [{ status: 'Statement executed successfully.' }] };
  return { rows: [{ ok: '1' }] };
}

describe('snowflake-sdk against a loopback wire stub', () => {
  let stub: WireStub;
  let adapter: SnowflakeAdapter;
  beforeAll(async () => {
    stub = await startWireStub({ respond });
    const conn = await connectSnowflake({ account: 'stub', username: 'RBAC', password: PASSWORD, accessUrl: stub.url });
    adapter = new SnowflakeAdapter(conn, { retry: fast, retryCodes: ['000625'] });
  });
  afterAll(async () => {
    await adapter?.close();
    await stub?.close();
  });

  it('logs in with the password authenticator', () => {
    expect(stub.url.startsWith('http://127.0.0.1:')).toBe(true);
    expect(stub.logins).toEqual([{ user: 'RBAC', hadPassword: true }]);
  });

  it('reads database roles: SHOW DATABASE ROLES once per database, then their grants and holders', async () => {
    const before = stub.queries.length;
    const live = await adapter.introspect({ roles: ['EHR.PHI_READER', 'EHR.NOT_CREATED'], users: [], databases: [], schemas: [], includePublic: false });
    const sent = stub.queries.slice(before);
    expect(sent.filter((q) => q.startsWith('SHOW DATABASE ROLES'))).toEqual(['SHOW DATABASE ROLES IN DATABASE "EHR"']);
    // A database role that does not exist yet is never asked about.
    expect(sent.some((q) => q.includes('NOT_CREATED'))).toBe(false);
    expect(live.roles).toEqual([{ name: 'EHR.PHI_READER', isUser: false, description: 'reads PHI in ehr' }]);
    expect(live.grants.map((g) => g.key)).toContain('grant:select:table:EHR.CLINICAL.PATIENTS:role:"EHR.PHI_READER"');
    expect(live.memberships.map((m) => m.key).sort()).toEqual([
      'member:"EHR.PHI_BASE":role:"EHR.PHI_READER"',
      'member:"EHR.PHI_READER":role:"EHR.PHI_WRITER"',
      'member:"EHR.PHI_READER":role:CLINICAL_ANALYST',
    ]);
  });

  it('introspects managed roles through rowtype/rowset results and result pages', async () => {
    const live = await adapter.introspect({
      roles: ['CLINICAL_ANALYST', 'ETL_LOADER', 'NOT_CREATED_YET'],
      users: ['ALICE', 'GHOST'],
      databases: ['EHR'],
      schemas: [
        { database: 'EHR', schema: 'CLINICAL' },
        { database: 'EHR', schema: 'GONE' },
      ],
      includePublic: false,
    });
    // Never reads unmanaged system roles; never asks for a role that does not exist.
    expect(stub.queries.some((q) => q.includes('ACCOUNTADMIN'))).toBe(false);
    expect(stub.queries.some((q) => q.includes('NOT_CREATED_YET'))).toBe(false);
    expect(live.roles.map((r) => r.name)).toEqual(['CLINICAL_ANALYST', 'ETL_LOADER', 'ALICE']);
    // The 14 grant rows came through 3 result pages of 5 (one compute pool grant and one role left out).
    expect(live.grants.filter((g) => g.role === 'CLINICAL_ANALYST')).toHaveLength(12);
    // The compute pool grant is outside the catalog: summarized for the plan, not dropped silently.
    expect(live.unmanagedGrants).toEqual([{ on: 'COMPUTE_POOL', privileges: ['USAGE'], count: 1 }]);
    expect(live.memberships.map((m) => m.key).sort()).toEqual([
      'member:CLINICAL_ANALYST:"bob@example.org"',
      'member:CLINICAL_ANALYST:ALICE',
      'member:CLINICAL_ANALYST:role:PRIVACY_OFFICER',
      'member:PHI_READER:role:CLINICAL_ANALYST',
    ]);
    // A missing schema (002003) reads as absent, not as an error.
    expect(live.schemas).toEqual([{ kind: 'schema', database: 'EHR', schema: 'CLINICAL' }]);
    expect(live.futureGrants.map((f) => f.role)).toContain('CLINICAL_ANALYST');
    expect(live.tables).toHaveLength(3);
    expect(adapter.lastIgnored.length).toBeGreaterThan(0);
  });

  it('maps an error response to the driver code, without the password', async () => {
    const err = await adapter.apply([{ sql: 'GRANT SELECT ON TABLE "EHR"."CLINICAL"."MISSING" TO ROLE "R"', changeIndex: 0 }]);
    expect(err.ok).toBe(false);
    expect(err.failed?.code).toBe('002003');
    expect(err.failed?.error).toMatch(/does not exist/);
    expect(JSON.stringify(err)).not.toContain(PASSWORD);
  });

  it('recovers from HTTP 429 then success', async () => {
    const before = stub.queries.filter((q) => q === 'SELECT 429').length;
    const r = await adapter.apply([{ sql: 'SELECT 429', changeIndex: 0 }]);
    expect(r.ok).toBe(true);
    expect(stub.queries.filter((q) => q === 'SELECT 429').length - before).toBe(2);
  }, 20_000);

  it("the adapter's own backoff retries a throttling code the driver surfaces", async () => {
    const n0 = adapter.queryCount();
    const r = await adapter.apply([{ sql: 'SELECT BUSY', changeIndex: 0 }]);
    expect(r.ok).toBe(true);
    expect(adapter.queryCount() - n0).toBe(2);
  });

  it('apply stops at the first failure and reports applied/failed/pending honestly', async () => {
    const st = (sql: string, i: number): Statement => ({ sql, changeIndex: i });
    const statements = [
      st('GRANT USAGE ON DATABASE "EHR" TO ROLE "R"', 0),
      st('GRANT SELECT ON TABLE "EHR"."CLINICAL"."MISSING" TO ROLE "R"', 1),
      st('GRANT SELECT ON TABLE "EHR"."CLINICAL"."PATIENTS" TO ROLE "R"', 2),
    ];
    const events: string[] = [];
    const r = await adapter.apply(statements, { onEvent: (e) => events.push(`${e.type}${'index' in e ? e.index : ''}`) });
    expect(r.ok).toBe(false);
    expect(r.applied).toEqual([statements[0]]);
    expect(r.failed?.statement).toEqual(statements[1]);
    expect(r.pending).toEqual([statements[2]]);
    expect(r.rolledBack).toBe(false);
    expect(events).toEqual(['start0', 'done0', 'start1', 'failed1']);
    expect(stub.queries).not.toContain(statements[2].sql);
  });
});

describe('snowflake connection errors', () => {
  it('never prints the password when login fails', async () => {
    const stub = await startWireStub({ respond, rejectLogin: true });
    try {
      const p = connectSnowflake({ account: 'stub', username: 'RBAC', password: PASSWORD, accessUrl: stub.url });
      await expect(p).rejects.toThrow(/cannot connect.*Incorrect username or password/);
      await p.catch((e: Error) => expect(e.message).not.toContain(PASSWORD));
    } finally {
      await stub.close();
    }
  });
  it('rejects a target with both or neither credential', async () => {
    await expect(connectSnowflake({ account: 'a', username: 'u' })).rejects.toThrow(/exactly one/);
  });
  it('SnowflakeDriverError carries code and status', () => {
    const e = new SnowflakeDriverError('x', '002003', '02000', 429);
    expect([e.code, e.sqlState, e.httpStatus]).toEqual(['002003', '02000', 429]);
  });
});
