/**
 * PostgreSQL server benchmarks (need a server: RBAC_BENCH_PG_URL, else RBAC_TEST_PG_URL;
 * the URL's user must be able to create databases and roles). Each run works in a
 * database and roles of its own and drops them afterwards.
 *
 * - introspection of 200 roles, 5,000 tables and 200,000 grants in one database plus a
 *   second database of the same server (200 tables): target ≤ 10 s, with a query count
 *   per database that does not grow with roles and tables (printed per database);
 * - applying 100,000 grants from nothing, against `psql -1 -f` of the same statements:
 *   target ≤ 1.3 × psql's time.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createPostgresAdapter } from '../src/dialects/postgres/adapter.js';
import type { Statement } from '../src/dialects/types.js';

const PREFIX = 'rbac_bench_';

function serverUrl(): string | undefined {
  return process.env.RBAC_BENCH_PG_URL ?? process.env.RBAC_TEST_PG_URL;
}

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function dropBenchRoles(c: pg.Client): Promise<void> {
  const { rows } = await c.query<{ rolname: string }>(`SELECT rolname FROM pg_roles WHERE rolname LIKE '${PREFIX}%'`);
  for (const r of rows) await c.query(`DROP ROLE "${r.rolname}"`);
}

async function freshDb(url: string, name: string): Promise<string> {
  await admin(url, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await dropBenchRoles(c);
    await c.query(`CREATE DATABASE "${name}"`);
  });
  return withDb(url, name);
}

async function cleanup(url: string, name: string, ...more: string[]): Promise<void> {
  await admin(url, async (c) => {
    for (const n of [name, ...more]) await c.query(`DROP DATABASE IF EXISTS "${n}" WITH (FORCE)`);
    await dropBenchRoles(c);
  });
}

export async function benchIntrospection(): Promise<Record<string, unknown>> {
  const url = serverUrl();
  if (!url) return { name: 'postgres-introspection', skipped: 'set RBAC_BENCH_PG_URL (or RBAC_TEST_PG_URL) to a PostgreSQL server' };
  const db = `${PREFIX}introspect`;
  const research = `${PREFIX}introspect_research`;
  await admin(url, (c) => c.query(`DROP DATABASE IF EXISTS "${research}" WITH (FORCE)`));
  const dbUrl = await freshDb(url, db);
  await admin(url, (c) => c.query(`CREATE DATABASE "${research}"`));
  try {
    const t0 = performance.now();
    await admin(dbUrl, async (c) => {
      // 200 roles, 50 schemas x 100 tables, each role SELECT on 1,000 tables = 200,000
      // grants. One transaction per schema and per role: 5,000 tables in one
      // transaction would exhaust the lock table (max_locks_per_transaction).
      await c.query(`DO $$ BEGIN FOR r IN 0..199 LOOP EXECUTE format('CREATE ROLE %I NOLOGIN', '${PREFIX}r' || r); END LOOP; END $$`);
      for (let s = 0; s < 50; s++) {
        await c.query(`DO $$ BEGIN
          CREATE SCHEMA s${s};
          FOR t IN 0..99 LOOP EXECUTE format('CREATE TABLE s${s}.%I (id int, a text, b text)', 't' || t); END LOOP;
        END $$`);
      }
      for (let r = 0; r < 200; r++) {
        const role = `"${PREFIX}r${r}"`;
        const schemas = Array.from({ length: 10 }, (_, k) => `s${(r + k * 5) % 50}`);
        await c.query(`GRANT USAGE ON SCHEMA s${r % 50} TO ${role}; ${schemas.map((s) => `GRANT SELECT ON ALL TABLES IN SCHEMA ${s} TO ${role};`).join(' ')}`);
      }
    });
    // The second database: 10 schemas x 20 tables, SELECT for 50 of the roles.
    await admin(withDb(url, research), async (c) => {
      for (let s = 0; s < 10; s++) {
        await c.query(`DO $$ BEGIN
          CREATE SCHEMA r${s};
          FOR t IN 0..19 LOOP EXECUTE format('CREATE TABLE r${s}.%I (id int)', 't' || t); END LOOP;
        END $$`);
        for (let r = 0; r < 50; r++) await c.query(`GRANT USAGE ON SCHEMA r${s} TO "${PREFIX}r${r}"; GRANT SELECT ON ALL TABLES IN SCHEMA r${s} TO "${PREFIX}r${r}"`);
      }
    });
    const setupMs = performance.now() - t0;
    const adapter = await createPostgresAdapter({ url: dbUrl, databaseMap: { ehr: db, research } });
    try {
      const scope = {
        roles: Array.from({ length: 200 }, (_, r) => `${PREFIX}r${r}`),
        users: [],
        databases: ['ehr', 'research'],
        schemas: [
          ...Array.from({ length: 50 }, (_, s) => ({ database: 'ehr', schema: `s${s}` })),
          ...Array.from({ length: 10 }, (_, s) => ({ database: 'research', schema: `r${s}` })),
        ],
        includePublic: true,
      };
      const q0 = adapter.queryCount();
      const byDb0 = adapter.queryCountsByDatabase();
      const t1 = performance.now();
      const live = await adapter.introspect(scope);
      const ms = performance.now() - t1;
      return {
        name: 'postgres-introspection',
        roles: 200,
        tables: live.tables.length,
        grants: live.grants.length,
        queries: adapter.queryCount() - q0,
        queriesPerDatabase: Object.fromEntries(Object.entries(adapter.queryCountsByDatabase()).map(([k, v]) => [k, v - (byDb0[k] ?? 0)])),
        ms: Math.round(ms),
        setupMs: Math.round(setupMs),
        targetMs: 10_000,
        pass: ms <= 10_000,
      };
    } finally {
      await adapter.close();
    }
  } finally {
    await cleanup(url, db, research);
  }
}

export async function benchApply(): Promise<Record<string, unknown>> {
  const url = serverUrl();
  if (!url) return { name: 'postgres-apply', skipped: 'set RBAC_BENCH_PG_URL (or RBAC_TEST_PG_URL) to a PostgreSQL server' };
  const db = `${PREFIX}apply`;
  const dbUrl = await freshDb(url, db);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rbac-bench-'));
  try {
    await admin(dbUrl, async (c) => {
      await c.query(`DO $$ BEGIN
        FOR r IN 0..99 LOOP EXECUTE format('CREATE ROLE %I NOLOGIN', '${PREFIX}a' || r); END LOOP;
        CREATE SCHEMA bench;
        FOR t IN 0..999 LOOP EXECUTE format('CREATE TABLE bench.%I (id int)', 't' || t); END LOOP;
      END $$`);
    });
    const sql: string[] = [];
    for (let r = 0; r < 100; r++) for (let t = 0; t < 1000; t++) sql.push(`GRANT SELECT ON TABLE "bench"."t${t}" TO "${PREFIX}a${r}"`);
    const revokeAll = async () =>
      admin(dbUrl, async (c) => {
        await c.query(`DO $$ BEGIN FOR r IN 0..99 LOOP EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA bench FROM %I', '${PREFIX}a' || r); END LOOP; END $$`);
      });

    const file = path.join(dir, 'grants.sql');
    writeFileSync(file, sql.map((s) => s + ';').join('\n') + '\n');
    const t0 = performance.now();
    execFileSync('psql', ['-X', '-q', '-1', '-v', 'ON_ERROR_STOP=1', '-f', file, dbUrl], { stdio: ['ignore', 'ignore', 'inherit'] });
    const psqlMs = performance.now() - t0;
    await revokeAll();

    const adapter = await createPostgresAdapter({ url: dbUrl });
    try {
      const statements: Statement[] = sql.map((s, i) => ({ sql: s, changeIndex: i }));
      const t1 = performance.now();
      const result = await adapter.apply(statements);
      const rbacMs = performance.now() - t1;
      if (!result.ok) throw new Error(`apply failed: ${result.failed?.error}`);
      const ratio = rbacMs / psqlMs;
      return {
        name: 'postgres-apply',
        statements: sql.length,
        psqlMs: Math.round(psqlMs),
        rbacMs: Math.round(rbacMs),
        ratio: Math.round(ratio * 100) / 100,
        target: 'ratio <= 1.3',
        pass: ratio <= 1.3,
      };
    } finally {
      await adapter.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await cleanup(url, db);
  }
}
