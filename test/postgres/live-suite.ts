// The live tests, written once and run on two engines: in-memory PGlite (always) and a
// real PostgreSQL server (when RBAC_TEST_PG_URL is set). Roles are cluster-wide on a
// server, so every role name goes through `p()` (a per-file prefix) and the server
// environment works in a database of its own.
import { expect, it } from 'vitest';
import type { PostgresAdapter, PostgresAdapterOptions } from '../../src/dialects/postgres/adapter.js';
import { ADVISORY_LOCK_KEY } from '../../src/dialects/postgres/adapter.js';
import type { PgSession } from '../../src/dialects/postgres/driver.js';
import { INTROSPECTION_QUERY_COUNT } from '../../src/dialects/postgres/inspect.js';
import { quoteIdent } from '../../src/dialects/postgres/quote.js';
import { DEMO_USERS } from '../../src/demo/seed.js';
import type { IntrospectScope, Statement } from '../../src/dialects/types.js';
import type { ApplyEvent } from '../../src/apply/types.js';
import type { Change, Plan } from '../../src/plan/types.js';
import type { Live } from '../../src/model/types.js';
import { RbacError } from '../../src/model/errors.js';
import { toDesired } from '../../src/config/desired.js';
import { postgresDialect } from '../../src/dialects/postgres/quote.js';
import { plan as planOf } from '../../src/plan/plan.js';
import { introspectScopeOf, scopeOf } from '../../src/plan/scope.js';
import { load } from '../config/helpers.js';

export interface LiveEnv {
  /** An adapter on a freshly seeded demo (seeded with `p` as role prefix). */
  adapter: PostgresAdapter;
  /** Role name prefix for this file. */
  p: (name: string) => string;
  /** Another adapter on the same database, with options. */
  another(opts: Partial<PostgresAdapterOptions>): Promise<PostgresAdapter>;
  /** A second, independent connection (server only), named by application_name. */
  secondConnection?: (applicationName: string) => Promise<PgSession>;
}

export function defineLiveTests(getEnv: () => LiveEnv): void {
  const managed = () => ['clinical_analyst', 'data_scientist', 'etl_loader', 'billing_auditor'].map(getEnv().p);
  const scope = (over: Partial<IntrospectScope> = {}): IntrospectScope => ({
    roles: managed(),
    users: DEMO_USERS.map(getEnv().p),
    databases: ['ehr'],
    schemas: [
      { database: 'ehr', schema: 'clinical' },
      { database: 'ehr', schema: 'billing' },
    ],
    includePublic: true,
    ...over,
  });
  const q = (name: string) => quoteIdent(getEnv().p(name));
  const exec = (sql: string) => getEnv().adapter.session.exec(sql);
  const keys = (l: Live) => l.grants.map((g) => g.key);
  const stmts = (sql: string[]): Statement[] => sql.map((s, i) => ({ sql: s, changeIndex: i }));

  it('converges on a configuration holding every PostgreSQL kind, and each role can use exactly that', async () => {
    const { adapter, p } = getEnv();
    const user = p('kinds_user');
    const loader = p('kinds_loader');
    await exec(`CREATE SCHEMA kinds;
      CREATE TABLE kinds.t (id int, v text); INSERT INTO kinds.t VALUES (1, 'a');
      CREATE VIEW kinds.v AS SELECT id FROM kinds.t;
      CREATE MATERIALIZED VIEW kinds.mv AS SELECT count(*) AS n FROM kinds.t;
      CREATE SEQUENCE kinds.s;
      CREATE FUNCTION kinds.f(x text) RETURNS text LANGUAGE sql AS $$ SELECT upper(x) $$;
      CREATE FUNCTION kinds.f(x int) RETURNS int LANGUAGE sql AS $$ SELECT x + 1 $$;
      CREATE PROCEDURE kinds.pr() LANGUAGE sql AS $$ SELECT 1 $$;
      CREATE TYPE kinds.mood AS ENUM ('ok', 'sad');
      CREATE DOMAIN kinds.zip AS text CHECK (length(VALUE) = 5);
      CREATE FOREIGN DATA WRAPPER ${q('kinds_fdw')};
      CREATE SERVER ${q('kinds_srv')} FOREIGN DATA WRAPPER ${q('kinds_fdw')};
      CREATE ROLE ${quoteIdent(loader)} NOLOGIN;
      GRANT SELECT ON kinds.t TO ${quoteIdent(loader)} WITH GRANT OPTION;`);
    const grants = `grants:
  - { role: ${user}, privileges: [usage], on: { schema: ehr.kinds } }
  - { role: ${user}, privileges: [select], on: { view: ehr.kinds.v } }
  - { role: ${user}, privileges: [select], on: { table: ehr.kinds.mv } }
  - { role: ${user}, privileges: [usage, select], on: { sequence: ehr.kinds.s } }
  - { role: ${user}, privileges: [execute], on: { function: "ehr.kinds.f(text)" } }
  - { role: ${user}, privileges: [execute], on: { procedure: "ehr.kinds.pr()" } }
  - { role: ${user}, privileges: [usage], on: { type: ehr.kinds.mood } }
  - { role: ${user}, privileges: [usage], on: { domain: ehr.kinds.zip } }
  - { role: ${user}, privileges: [usage], on: { foreign_data_wrapper: ehr.${p('kinds_fdw')} } }
  - { role: ${user}, privileges: [usage], on: { foreign_server: ehr.${p('kinds_srv')} } }
  - { role: ${loader}, privileges: [usage], on: { schema: ehr.kinds } }
  - { role: ${loader}, privileges: [select], on: { schema: ehr.kinds, objects: [tables, views] } }
  - { role: ${loader}, privileges: [insert], on: { table: ehr.kinds.t }, grant_option: true }
`;
    const roles = `roles:\n  - name: ${user}\n  - name: ${loader}\n`;
    const { project, diagnostics } = await load({ 'rbac.yaml': 'version: 1\nmode: authoritative\nmanage_public: true\n', 'roles/r.yaml': roles, 'grants/g.yaml': grants });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const { desired } = toDesired(project!, postgresDialect);
    const planNow = async () => {
      const live = await adapter.introspect(introspectScopeOf(desired, { managePublic: true }));
      return planOf(desired, live, { mode: 'authoritative', target: 't', scope: scopeOf(desired, { managePublic: true }), futureGrantCreators: [live.currentUser!] });
    };
    const first = await planNow();
    expect(first.problems.filter((x) => x.severity === 'error')).toEqual([]);
    const sql = adapter.compile(first).map((x) => x.sql);
    // PUBLIC's built-in EXECUTE on the schema's functions goes (manage_public); the hand-made
    // grant option on SELECT is drift, revoked on its own; the one asked for on INSERT is granted.
    expect(sql).toContain('REVOKE EXECUTE ON FUNCTION "kinds"."f"(integer) FROM PUBLIC');
    expect(sql).toContain(`REVOKE GRANT OPTION FOR SELECT ON TABLE "kinds"."t" FROM ${quoteIdent(loader)}`);
    expect(sql).toContain(`GRANT INSERT ON TABLE "kinds"."t" TO ${quoteIdent(loader)} WITH GRANT OPTION`);
    const result = await adapter.apply(adapter.compile(first));
    expect(result.failed).toBeUndefined();
    expect((await planNow()).changes).toEqual([]);

    // Enforcement, as the role itself.
    await exec(`SET ROLE ${quoteIdent(user)}`);
    try {
      const s = adapter.session;
      expect(await s.query('SELECT id FROM kinds.v')).toEqual([{ id: 1 }]);
      expect(await s.query('SELECT n::int AS n FROM kinds.mv')).toEqual([{ n: 1 }]);
      expect(Number((await s.query(`SELECT nextval('kinds.s') AS n`))[0].n)).toBe(1);
      expect(await s.query(`SELECT kinds.f('abc') AS r`)).toEqual([{ r: 'ABC' }]);
      await s.exec('CALL kinds.pr()');
      expect(await s.query(`SELECT 'ok'::kinds.mood::text AS m, '02139'::kinds.zip::text AS z`)).toEqual([{ m: 'ok', z: '02139' }]);
      await expect(s.query('SELECT kinds.f(1)')).rejects.toThrow(/permission denied/);
      await expect(s.query('SELECT * FROM kinds.t')).rejects.toThrow(/permission denied/);
    } finally {
      await exec('RESET ROLE');
      // The apply took PUBLIC's built-in defaults away database-wide; the other tests read them.
      await exec('ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC; ALTER DEFAULT PRIVILEGES GRANT USAGE ON TYPES TO PUBLIC');
    }
  });

  it('reads the seeded drift: former employee, PUBLIC on PHI, extra DELETE', async () => {
    const { adapter, p } = getEnv();
    const live = await adapter.introspect(scope());
    expect(live.memberships).toContainEqual(
      expect.objectContaining({ role: p('clinical_analyst'), member: p('mallory'), memberKind: 'user' }),
    );
    expect(keys(live)).toContain('grant:select:table:ehr.clinical.patients:role:PUBLIC');
    expect(keys(live)).toContain(`grant:delete:table:ehr.clinical.encounters:role:${p('clinical_analyst')}`);
    expect(live.roles.find((r) => r.name === p('mallory'))).toEqual({ name: p('mallory'), isUser: true });
    expect(live.roles.find((r) => r.name === p('clinical_analyst'))?.isUser).toBe(false);
    expect(live.tables.map((t) => `${t.object.schema}.${t.object.name}`)).toEqual([
      'billing.claims',
      'billing.payments',
      'clinical.diagnoses',
      'clinical.encounters',
      'clinical.patients',
    ]);
    expect(live.tables.find((t) => t.object.name === 'patients')?.columns).toContain('ssn');
    expect(Object.keys(live.databases ?? {})).toEqual(['ehr']);
    // The connecting user owns everything (seed's choice): no owner entries leak in.
    expect(live.grants.every((g) => g.role !== live.currentUser)).toBe(true);
  });

  it("excludes unmanaged roles' grants, and PUBLIC when it is not in scope", async () => {
    const { adapter, p } = getEnv();
    await exec(`CREATE ROLE ${q('other_team')} NOLOGIN; GRANT SELECT ON billing.claims TO ${q('other_team')}`);
    const live = await adapter.introspect(scope());
    expect(live.grants.some((g) => g.role === p('other_team'))).toBe(false);
    const wider = await adapter.introspect(scope({ roles: [...managed(), p('other_team')] }));
    expect(keys(wider)).toContain(`grant:select:table:ehr.billing.claims:role:${p('other_team')}`);
    const noPublic = await adapter.introspect(scope({ includePublic: false }));
    expect(noPublic.grants.some((g) => g.role === 'PUBLIC')).toBe(false);
  });

  it('reads column ACLs, and only where the table-level privilege is not held', async () => {
    const { adapter, p } = getEnv();
    const ds = p('data_scientist');
    await exec(`CREATE ROLE ${q('data_scientist')} NOLOGIN; GRANT SELECT (patient_id, birth_year, zip3) ON clinical.patients TO ${q('data_scientist')}`);
    let live = await adapter.introspect(scope());
    expect(live.grants.filter((g) => g.role === ds).map((g) => g.column)).toEqual(['birth_year', 'patient_id', 'zip3']);
    await exec(`GRANT SELECT ON clinical.diagnoses TO ${q('data_scientist')}; GRANT SELECT (icd10_code) ON clinical.diagnoses TO ${q('data_scientist')};
      GRANT UPDATE (icd10_code) ON clinical.diagnoses TO ${q('data_scientist')}`);
    live = await adapter.introspect(scope());
    const onDx = live.grants.filter((g) => g.role === ds && g.object.name === 'diagnoses').map((g) => g.key);
    expect(onDx).toEqual([
      `grant:select:table:ehr.clinical.diagnoses:role:${ds}`,
      `grant:update:table:ehr.clinical.diagnoses.icd10_code:role:${ds}`,
    ]);
  });

  it('reads default privileges per creator and the grants they produce', async () => {
    const { adapter, p } = getEnv();
    await exec(`CREATE ROLE ${q('etl_loader')} NOLOGIN;
      ALTER DEFAULT PRIVILEGES IN SCHEMA clinical GRANT SELECT ON TABLES TO ${q('data_scientist')};
      ALTER DEFAULT PRIVILEGES FOR ROLE ${q('etl_loader')} IN SCHEMA billing GRANT SELECT, INSERT ON TABLES TO ${q('clinical_analyst')};
      CREATE TABLE clinical.lab_results (lab_id int, patient_id int, loinc text)`);
    const live = await adapter.introspect(scope());
    const me = live.currentUser!;
    const byJson = (a: unknown[], b: unknown[]) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
    expect(live.futureGrants.map((f) => [f.schema.schema, f.privilege, f.role, f.forRole]).sort(byJson)).toEqual(
      [
        ['billing', 'insert', p('clinical_analyst'), p('etl_loader')],
        ['billing', 'select', p('clinical_analyst'), p('etl_loader')],
        ['clinical', 'select', p('data_scientist'), me],
        // PostgreSQL's built-in defaults for the connecting creator: PUBLIC executes new functions, uses new types.
        [undefined, 'execute', 'PUBLIC', me],
        [undefined, 'usage', 'PUBLIC', me],
      ].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
    );
    expect(keys(live)).toContain(`grant:select:table:ehr.clinical.lab_results:role:${p('data_scientist')}`);
  });

  it("skips the owner's own ACL entries, even for a managed owner", async () => {
    const { adapter, p } = getEnv();
    await exec(`ALTER TABLE clinical.lab_results OWNER TO ${q('etl_loader')}; ALTER SCHEMA billing OWNER TO ${q('etl_loader')}`);
    const live = await adapter.introspect(scope());
    expect(live.tables.find((t) => t.object.name === 'lab_results')?.owner).toBe(p('etl_loader'));
    // relacl now holds etl_loader=arwdDxt/etl_loader; the owner entry is not a grant.
    expect(live.grants.filter((g) => g.role === p('etl_loader'))).toEqual([]);
    expect(keys(live)).toContain(`grant:select:table:ehr.clinical.lab_results:role:${p('data_scientist')}`);
    await exec(`ALTER SCHEMA billing OWNER TO CURRENT_USER`);
  });

  it('applies a compiled plan and reads every change back', async () => {
    const { adapter, p } = getEnv();
    await adapter.introspect(scope()); // learns the logical -> physical database map
    const weird = p('Weird "role"; --');
    const ba = p('billing_auditor');
    const changes: Change[] = [
      { kind: 'createRole', role: ba, description: "Audits claims\nowner: not this one, it's JSON", owner: 'compliance' },
      { kind: 'createRole', role: weird },
      { kind: 'grant', role: ba, privileges: ['connect'], object: { kind: 'database', database: 'ehr' } },
      { kind: 'grant', role: ba, privileges: ['usage'], object: { kind: 'schema', database: 'ehr', schema: 'billing' } },
      { kind: 'grant', role: ba, privileges: ['select'], object: { kind: 'table', database: 'ehr', schema: 'billing', name: 'claims' } },
      { kind: 'grant', role: ba, privileges: ['select'], object: { kind: 'table', database: 'ehr', schema: 'billing', name: 'payments' }, columns: ['payment_id', 'amount'] },
      { kind: 'grant', role: weird, privileges: ['select'], object: { kind: 'table', database: 'ehr', schema: 'billing', name: 'claims' } },
      { kind: 'grantMembership', role: ba, member: p('carol'), memberKind: 'user' },
      { kind: 'grantFuture', role: ba, privileges: ['select'], schema: { kind: 'schema', database: 'ehr', schema: 'billing' }, objectType: 'tables' },
      { kind: 'revokeMembership', role: p('clinical_analyst'), member: p('mallory'), memberKind: 'user' },
      { kind: 'revoke', role: 'PUBLIC', privileges: ['select'], object: { kind: 'table', database: 'ehr', schema: 'clinical', name: 'patients' } },
    ];
    const plan: Plan = {
      formatVersion: 1, platform: 'postgres', target: 'test', mode: 'authoritative', changes, problems: [],
      liveFingerprint: 'x', summary: { add: 0, change: 0, remove: 0, destructive: 0 },
    };
    const statements = adapter.compile(plan);
    expect(statements.map((s) => s.changeIndex)).toEqual([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const events: ApplyEvent[] = [];
    const res = await adapter.apply(statements, { onEvent: (e) => events.push(e) });
    expect(res).toMatchObject({ ok: true, pending: [], rolledBack: false });
    expect(res.applied).toHaveLength(statements.length);
    expect(events.map((e) => e.type)).toEqual(['lock', ...statements.map(() => 'start'), ...statements.map(() => 'done'), 'commit']);

    const live = await adapter.introspect(scope({ roles: [...managed(), weird] }));
    expect(live.roles.find((r) => r.name === ba)).toEqual({
      name: ba, isUser: false, description: "Audits claims\nowner: not this one, it's JSON", owner: 'compliance',
    });
    expect(keys(live)).toEqual(expect.arrayContaining([
      `grant:connect:database:ehr:role:${ba}`,
      `grant:usage:schema:ehr.billing:role:${ba}`,
      `grant:select:table:ehr.billing.claims:role:${ba}`,
      `grant:select:table:ehr.billing.payments.amount:role:${ba}`,
      `grant:select:table:ehr.billing.payments.payment_id:role:${ba}`,
      `grant:select:table:ehr.billing.claims:role:${JSON.stringify(weird).replace(/\\"/g, '""')}`,
    ]));
    expect(live.memberships.map((m) => m.key)).toContain(`member:${ba}:${p('carol')}`);
    expect(live.memberships.some((m) => m.member === p('mallory'))).toBe(false);
    expect(keys(live)).not.toContain('grant:select:table:ehr.clinical.patients:role:PUBLIC');
    expect(live.futureGrants.some((f) => f.role === ba && f.forRole === live.currentUser)).toBe(true);
  });

  it('rolls back everything when a statement fails mid-apply, and names that statement', async () => {
    const { p } = getEnv();
    const small = await getEnv().another({ batchSize: 3 });
    try {
      const wide = scope({ roles: [...managed(), p('fault_role')] });
      const before = await small.introspect(wide);
      const sql = [
        `CREATE ROLE ${q('fault_role')} NOLOGIN`,
        `GRANT USAGE ON SCHEMA clinical TO ${q('fault_role')}`,
        `GRANT SELECT ON TABLE clinical.patients TO ${q('fault_role')}`,
        `REVOKE DELETE ON TABLE clinical.encounters FROM ${q('clinical_analyst')}`,
        `GRANT ${q('fault_role')} TO ${q('dave')}`,
        `GRANT SELECT ON TABLE clinical.no_such_table TO ${q('fault_role')}`,
        `GRANT SELECT ON TABLE clinical.diagnoses TO ${q('fault_role')}`,
        `COMMENT ON ROLE ${q('fault_role')} IS 'never'`,
      ];
      const statements = stmts(sql);
      const events: ApplyEvent[] = [];
      const res = await small.apply(statements, { onEvent: (e) => events.push(e) });
      expect(res.ok).toBe(false);
      expect(res.rolledBack).toBe(true);
      expect(res.applied).toEqual([]);
      expect(res.failed?.statement).toBe(statements[5]);
      expect(res.failed?.code).toBe('42P01');
      expect(res.failed?.error).toMatch(/no_such_table/);
      expect(res.pending).toEqual(statements.filter((_, i) => i !== 5));
      expect(events.filter((e) => e.type === 'failed')).toEqual([expect.objectContaining({ index: 5 })]);
      expect(events.at(-1)?.type).toBe('rollback');
      expect(events.some((e) => e.type === 'commit')).toBe(false);

      const after = await small.introspect(wide);
      expect(after).toEqual(before);
      expect(await small.session.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [p('fault_role')])).toEqual([]);
      // The connection is usable and outside any transaction afterwards.
      const ok = await small.apply(stmts([`GRANT SELECT ON TABLE clinical.diagnoses TO ${q('clinical_analyst')}`]));
      expect(ok.ok).toBe(true);
    } finally {
      await small.close();
    }
  });

  it('applies across batch boundaries in order', async () => {
    const { p } = getEnv();
    const small = await getEnv().another({ batchSize: 2 });
    try {
      const sql = [
        `CREATE ROLE ${q('batch_role')} NOLOGIN`,
        `GRANT USAGE ON SCHEMA billing TO ${q('batch_role')}`,
        `GRANT SELECT ON TABLE billing.claims TO ${q('batch_role')}`,
        `GRANT INSERT ON TABLE billing.claims TO ${q('batch_role')}`,
        `REVOKE INSERT ON TABLE billing.claims FROM ${q('batch_role')}`,
      ];
      const res = await small.apply(stmts(sql));
      expect(res.ok).toBe(true);
      const live = await small.introspect(scope({ roles: [p('batch_role')] }));
      expect(keys(live)).toEqual([
        `grant:select:table:ehr.billing.claims:role:${p('batch_role')}`,
        `grant:usage:schema:ehr.billing:role:${p('batch_role')}`,
      ]);
    } finally {
      await small.close();
    }
  });

  it('maps a permission error by SQLSTATE', async () => {
    const { adapter } = getEnv();
    await exec(`SET ROLE ${q('alice')}`);
    try {
      const res = await adapter.apply(stmts([`CREATE ROLE ${q('not_allowed')}`]));
      expect(res.ok).toBe(false);
      expect(res.failed?.code).toBe('42501');
      const err = await adapter.session.query('SELECT * FROM billing.payments').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RbacError);
      expect((err as RbacError).code).toBe('PERMISSION');
    } finally {
      await exec('RESET ROLE');
    }
  });

  it('uses the same number of catalog queries for 2 roles/5 tables as for 50 roles/200 tables', async () => {
    const { adapter, p } = getEnv();
    const small = scope({ roles: [p('clinical_analyst'), p('data_scientist')] });
    const c0 = adapter.queryCount();
    await adapter.introspect(small);
    const smallCount = adapter.queryCount() - c0;

    const roles = Array.from({ length: 50 }, (_, i) => p(`bulk_r${i}`));
    const ddl = [`CREATE SCHEMA bulk`, ...roles.map((r) => `CREATE ROLE ${quoteIdent(r)} NOLOGIN`)];
    for (let t = 0; t < 200; t++) {
      ddl.push(`CREATE TABLE bulk.t${t} (id int, a text, b text)`);
      ddl.push(`GRANT SELECT ON bulk.t${t} TO ${quoteIdent(roles[t % 50])}`);
      ddl.push(`GRANT UPDATE (a) ON bulk.t${t} TO ${quoteIdent(roles[(t + 1) % 50])}`);
    }
    await exec(ddl.join(';\n'));
    const big = scope({ roles, schemas: [{ database: 'ehr', schema: 'bulk' }] });
    const c1 = adapter.queryCount();
    const live = await adapter.introspect(big);
    const bigCount = adapter.queryCount() - c1;
    expect(live.tables).toHaveLength(200);
    expect(live.grants).toHaveLength(400);
    expect(bigCount).toBe(smallCount);
    expect(bigCount).toBe(INTROSPECTION_QUERY_COUNT);
  });

  it('fails with LOCKED naming the holder while another session holds the apply lock', async (ctx) => {
    const env = getEnv();
    if (!env.secondConnection) {
      ctx.skip(); // PGlite has a single connection: nobody else can hold the lock
      return;
    }
    const holder = await env.secondConnection('rbac-lock-holder-test');
    try {
      await holder.exec('BEGIN');
      const [{ pid }] = await holder.query(`SELECT pg_backend_pid() AS pid, pg_advisory_xact_lock(${ADVISORY_LOCK_KEY})`);
      const events: ApplyEvent[] = [];
      const t0 = Date.now();
      const err = await env.adapter
        .apply(stmts([`GRANT SELECT ON TABLE billing.claims TO ${q('clinical_analyst')}`]), { lockTimeoutMs: 400, onEvent: (e) => events.push(e) })
        .catch((e: unknown) => e);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
      expect(err).toBeInstanceOf(RbacError);
      expect((err as RbacError).code).toBe('LOCKED');
      expect((err as RbacError).message).toContain('rbac-lock-holder-test');
      expect((err as RbacError).message).toContain(`pid ${pid}`);
      expect(events[0]).toMatchObject({ type: 'lock', holder: expect.stringContaining('rbac-lock-holder-test') });
      expect(events.at(-1)?.type).toBe('rollback');
      await holder.exec('ROLLBACK');
      const res = await env.adapter.apply(stmts([`GRANT SELECT ON TABLE billing.claims TO ${q('clinical_analyst')}`]), { lockTimeoutMs: 400 });
      expect(res.ok).toBe(true);
    } finally {
      await holder.close();
    }
  });
}
