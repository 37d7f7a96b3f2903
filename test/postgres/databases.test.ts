// Several databases on one PostgreSQL server (a target with several database_map
// entries): read each in the same fixed number of queries, apply with one transaction
// per database under one lock, and a failure in the second database leaves both as
// they were (the new role included). Needs RBAC_TEST_PG_URL; skipped, visibly, without.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAdapter, type PostgresAdapter } from '../../src/dialects/postgres/adapter.js';
import { openPg, type PgSession } from '../../src/dialects/postgres/driver.js';
import { PER_DATABASE_QUERY_COUNT, INTROSPECTION_QUERY_COUNT } from '../../src/dialects/postgres/inspect.js';
import { quoteIdent } from '../../src/dialects/postgres/quote.js';
import { makeGrant, makeObject } from '../../src/model/keys.js';
import type { Desired } from '../../src/model/types.js';
import { plan } from '../../src/plan/plan.js';
import { introspectScopeOf, scopeOf } from '../../src/plan/scope.js';

const url = process.env.RBAC_TEST_PG_URL;

describe.skipIf(!url)('several databases on one server (set RBAC_TEST_PG_URL)', () => {
  const tag = randomBytes(4).toString('hex');
  const ehr = `rbac_dbs_ehr_${tag}`;
  const research = `rbac_dbs_research_${tag}`;
  const analyst = `t${tag}_analyst`;
  const scientist = `t${tag}_scientist`;
  let admin: PgSession;
  const urlOf = (db: string) => {
    const u = new URL(url!);
    u.pathname = `/${db}`;
    return u.toString();
  };
  const sessions: PgSession[] = [];
  const inDb = async (db: string) => {
    const s = await openPg(urlOf(db), { applicationName: 'rbac-test-dbs' });
    sessions.push(s);
    return s;
  };

  const desired = (): Desired => ({
    platform: 'postgres',
    roles: [analyst, scientist].map((name) => ({ key: `role:${name}`, name, state: 'present' as const })),
    users: [],
    memberships: [],
    grants: [
      makeGrant({ role: analyst, privilege: 'usage', object: makeObject('schema', 'ehr', 'clinical') }),
      makeGrant({ role: analyst, privilege: 'select', object: makeObject('table', 'ehr', 'clinical', 'patients') }),
      makeGrant({ role: scientist, privilege: 'usage', object: makeObject('schema', 'research', 'cohort') }),
      makeGrant({ role: scientist, privilege: 'select', object: makeObject('table', 'research', 'cohort', 'subjects') }),
      makeGrant({ role: scientist, privilege: 'usage', object: makeObject('sequence', 'research', 'cohort', 'subject_ids') }),
    ],
    schemaWide: [],
    futureGrants: [],
  });
  const adapterFor = () => createPostgresAdapter({ url: urlOf(ehr), databaseMap: { ehr, research } });
  const planFor = async (adapter: PostgresAdapter) => {
    const d = desired();
    const live = await adapter.introspect(introspectScopeOf(d, { managePublic: false }));
    return { live, plan: plan(d, live, { mode: 'authoritative', target: 't', scope: scopeOf(d, { managePublic: false }), futureGrantCreators: [live.currentUser!] }) };
  };

  beforeAll(async () => {
    admin = await openPg(url!, { applicationName: 'rbac-test-admin' });
    for (const db of [ehr, research]) await admin.exec(`CREATE DATABASE ${quoteIdent(db)}`);
    await (await inDb(ehr)).exec('CREATE SCHEMA clinical; CREATE TABLE clinical.patients (id int, name text)');
    await (await inDb(research)).exec('CREATE SCHEMA cohort; CREATE TABLE cohort.subjects (id int); CREATE SEQUENCE cohort.subject_ids');
  });

  afterAll(async () => {
    for (const s of sessions) await s.close().catch(() => {});
    if (!admin) return;
    for (const db of [ehr, research]) await admin.exec(`DROP DATABASE IF EXISTS ${quoteIdent(db)} WITH (FORCE)`);
    for (const r of [analyst, scientist]) await admin.exec(`DROP ROLE IF EXISTS ${quoteIdent(r)}`);
    await admin.close();
  });

  it('reads each database in the same fixed number of queries, names every change by its database', async () => {
    const adapter = await adapterFor();
    try {
      const before = adapter.queryCount();
      const { plan: p } = await planFor(adapter);
      // The first database with the cluster's roles and memberships, the second without.
      expect(adapter.queryCount() - before).toBe(INTROSPECTION_QUERY_COUNT + PER_DATABASE_QUERY_COUNT);
      expect(adapter.queryCountsByDatabase()[research]).toBe(PER_DATABASE_QUERY_COUNT);
      const statements = adapter.compile(p);
      expect(statements.filter((s) => s.database === 'research').map((s) => s.sql)).toEqual([
        `GRANT USAGE ON SCHEMA "cohort" TO ${quoteIdent(scientist)}`,
        `GRANT USAGE ON SEQUENCE "cohort"."subject_ids" TO ${quoteIdent(scientist)}`,
        `GRANT SELECT ON TABLE "cohort"."subjects" TO ${quoteIdent(scientist)}`,
      ]);
      expect(statements.filter((s) => s.phase === 'createRole')).toHaveLength(2);
    } finally {
      await adapter.close();
    }
  });

  it('leaves both databases and the cluster unchanged when the second database fails', async () => {
    const adapter = await adapterFor();
    try {
      const { plan: p } = await planFor(adapter);
      // A hand change after the plan: the second database's grant now fails.
      await (await inDb(research)).exec('DROP SEQUENCE cohort.subject_ids');
      const result = await adapter.apply(adapter.compile(p));
      expect(result.ok).toBe(false);
      expect(result.rolledBack).toBe(true);
      expect(result.failed?.statement.sql).toContain('"subject_ids"');
      expect(result.failed?.error).toMatch(/does not exist/);
      const roles = await admin.query('SELECT rolname::text AS name FROM pg_roles WHERE rolname = ANY($1::text[])', [[analyst, scientist]]);
      expect(roles).toEqual([]);
      const grants = await (await inDb(ehr)).query(`SELECT count(*)::int AS n FROM information_schema.role_table_grants WHERE table_schema = 'clinical' AND grantee = $1`, [analyst]);
      expect(grants[0].n).toBe(0);
      await (await inDb(research)).exec('CREATE SEQUENCE cohort.subject_ids');
    } finally {
      await adapter.close();
    }
  });

  it('applies across both databases, converges, and each role can use exactly its grants', async () => {
    const adapter = await adapterFor();
    try {
      const { plan: p } = await planFor(adapter);
      const result = await adapter.apply(adapter.compile(p));
      expect(result.failed).toBeUndefined();
      expect(result.ok).toBe(true);
      // Two-phase commit leaves no prepared transaction behind (CI's server allows them).
      expect(await admin.query(`SELECT gid FROM pg_prepared_xacts WHERE gid LIKE 'rbac-%'`)).toEqual([]);
      expect((await planFor(adapter)).plan.changes).toEqual([]);
      const e = await inDb(ehr);
      const r = await inDb(research);
      await e.exec(`SET ROLE ${quoteIdent(analyst)}`);
      expect(await e.query('SELECT count(*)::int AS n FROM clinical.patients')).toEqual([{ n: 0 }]);
      await e.exec('RESET ROLE');
      await r.exec(`SET ROLE ${quoteIdent(scientist)}`);
      expect(await r.query('SELECT count(*)::int AS n FROM cohort.subjects')).toEqual([{ n: 0 }]);
      // USAGE on a sequence allows nextval.
      expect(Number((await r.query(`SELECT nextval('cohort.subject_ids') AS v`))[0].v)).toBe(1);
      await r.exec('RESET ROLE');
      await r.exec(`SET ROLE ${quoteIdent(analyst)}`);
      await expect(r.query('SELECT count(*) FROM cohort.subjects')).rejects.toThrow(/permission denied/);
      await r.exec('RESET ROLE');
    } finally {
      await adapter.close();
    }
  });
});
