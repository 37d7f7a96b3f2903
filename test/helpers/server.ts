/**
 * Helpers for tests against a real PostgreSQL server (CI starts one and sets
 * RBAC_TEST_PG_URL). Roles are cluster-wide, so tests that use the demo's role names
 * take a cluster-wide advisory lock for their whole file and work in a database of
 * their own, which they drop with the roles they created.
 */
import pg from 'pg';
import { seedDemo } from '../../src/demo/seed.js';

export const serverUrl = process.env.RBAC_TEST_PG_URL;

/** The example configuration's roles and the demo's users: cluster-wide names. */
export const DEMO_ROLE_NAMES = [
  'phi_base_reader',
  'clinical_analyst',
  'billing_auditor',
  'data_scientist',
  'privacy_officer',
  'etl_loader',
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'mallory',
];

const CLUSTER_LOCK = 7_202_611;

export interface ServerDatabase {
  url: string;
  name: string;
  /** Drop the database and the given roles, then release the cluster lock. */
  drop(): Promise<void>;
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export async function dropRoles(admin: pg.Client, roles: readonly string[]): Promise<void> {
  for (const r of roles) {
    const ident = `"${r.replace(/"/g, '""')}"`;
    const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [r]);
    if (exists.rowCount) {
      await admin.query(`DROP OWNED BY ${ident}`).catch(() => undefined);
      await admin.query(`DROP ROLE ${ident}`);
    }
  }
}

/**
 * A fresh database on the server, with the cluster lock held until drop(). Roles in
 * `roles` are dropped before (a previous run may have died) and after.
 */
export async function freshServerDatabase(prefix: string, roles: readonly string[] = DEMO_ROLE_NAMES): Promise<ServerDatabase> {
  if (!serverUrl) throw new Error('RBAC_TEST_PG_URL is not set');
  const admin = new pg.Client({ connectionString: serverUrl, application_name: 'rbac-test' });
  await admin.connect();
  await admin.query('SELECT pg_advisory_lock($1)', [CLUSTER_LOCK]);
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}`.toLowerCase();
  await dropRoles(admin, roles);
  await admin.query(`CREATE DATABASE "${name}"`);
  return {
    url: withDatabase(serverUrl, name),
    name,
    async drop() {
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await dropRoles(admin, roles);
      } finally {
        await admin.query('SELECT pg_advisory_unlock($1)', [CLUSTER_LOCK]).catch(() => undefined);
        await admin.end();
      }
    },
  };
}

/**
 * Why the server cannot show pgaudit READ lines (undefined when it can): pgaudit loaded
 * at start (shared_preload_libraries), `pgaudit.log` including read, and a csvlog.
 */
export async function pgauditReady(url: string | undefined): Promise<string | undefined> {
  if (!url) return 'RBAC_TEST_PG_URL is not set';
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const libs = (await c.query('SHOW shared_preload_libraries')).rows[0].shared_preload_libraries as string;
    if (!/\bpgaudit\b/.test(libs)) return 'the server does not load pgaudit';
    const log = (await c.query(`SELECT current_setting('pgaudit.log', true) AS v, pg_current_logfile('csvlog') AS f`)).rows[0];
    if (!/\b(read|all)\b/.test(String(log.v))) return 'pgaudit.log does not include read';
    if (!log.f) return 'the server writes no csvlog';
    return undefined;
  } finally {
    await c.end();
  }
}

/** Seed the demo warehouse into a server database (a pg client of its own, closed after). */
export async function seedServerDemo(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await seedDemo({ query: async (s, p) => (await c.query(s, p as unknown[])).rows, exec: async (s) => void (await c.query(s)) });
  } finally {
    await c.end();
  }
}
