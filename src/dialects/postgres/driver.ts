/**
 * The minimal I/O seam over the two Postgres drivers: PGlite (embedded, in-process,
 * used by the demo and the tests) and `pg` (a real server). Everything above this file
 * sees only `PgSession`.
 *
 * Errors are mapped to `RbacError` by SQLSTATE / errno code, never by message text, and
 * messages are scrubbed of the connection password.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { QueryFn } from '../types.js';
import { RbacError, scrubSecrets, type ErrorCode } from '../../model/errors.js';
import { parsePgConnection, type PgConnection } from './connection.js';

/**
 * One connection. Invariants: statements run in order on a single backend (so BEGIN ..
 * COMMIT sent through `exec`/`query` form one transaction); `close` is idempotent and
 * only closes what this session opened.
 */
export interface PgSession {
  readonly driver: 'pglite' | 'pg';
  /** Extended-protocol query with `$n` parameters; rows as plain objects. */
  query: QueryFn;
  /** Simple-protocol run of one or more `;`-separated statements; no parameters, no rows. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A driver error mapped to the tool's codes. `sqlstate` keeps the server's code (or the
 * socket errno such as ECONNREFUSED) for the apply events and the audit log.
 */
export class PgDriverError extends RbacError {
  constructor(
    code: ErrorCode,
    message: string,
    public readonly sqlstate?: string,
    hint?: string,
  ) {
    super(code, message, hint);
    this.name = 'PgDriverError';
  }
}

/** The code recorded when the backend went away without a SQLSTATE (pg's "Connection terminated"). */
export const CONNECTION_LOST = 'CONNECTION_LOST';

const CONNECTION_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN']);

/** SQLSTATE / errno -> ErrorCode. Classes: 08 connection, 28 authorization, 42501 privilege, 55P03 lock. */
export function errorCodeFor(sqlstate: string | undefined): ErrorCode {
  if (!sqlstate) return 'TARGET';
  if (sqlstate === '42501') return 'PERMISSION';
  if (sqlstate === '55P03') return 'LOCKED';
  if (sqlstate.startsWith('08') || sqlstate.startsWith('28') || sqlstate === '3D000' || sqlstate === '57P01' || sqlstate === '57P02' || sqlstate === '57P03') return 'CONNECTION';
  if (CONNECTION_ERRNO.has(sqlstate) || sqlstate === CONNECTION_LOST) return 'CONNECTION';
  if (sqlstate === '42704' || sqlstate === '3F000' || sqlstate === '42P01') return 'NOT_FOUND';
  return 'TARGET';
}

/** Map anything a driver throws into a PgDriverError whose message holds no secret. */
export function mapDriverError(err: unknown, secrets: readonly (string | undefined)[] = []): PgDriverError {
  if (err instanceof PgDriverError) return err;
  const e = err as { code?: unknown; message?: unknown; detail?: unknown; hint?: unknown };
  const sqlstate = typeof e?.code === 'string' ? e.code : undefined;
  const raw = typeof e?.message === 'string' ? e.message : String(err);
  const detail = typeof e?.detail === 'string' && e.detail ? ` (${e.detail})` : '';
  const hint = typeof e?.hint === 'string' && e.hint ? scrubSecrets(e.hint, secrets) : undefined;
  // AggregateError (pg on multi-address hosts) has an empty message; use the code.
  const msg = raw || sqlstate || 'unknown driver error';
  return new PgDriverError(errorCodeFor(sqlstate), scrubSecrets(msg + detail, secrets), sqlstate, hint);
}

/** Open an embedded PGlite database: in memory when `dataDir` is undefined. */
/**
 * PGlite's server settings: prepared transactions, so an apply across several
 * databases of one data directory can prepare each database's transaction before the
 * next database is opened (PGlite serves one database per instance).
 */
export const PGLITE_CONF = 'max_prepared_transactions = 8';

export async function openPglite(dataDir?: string, database?: string): Promise<PgSession & { pglite: PGlite }> {
  const opts = { postgresqlconf: PGLITE_CONF, ...(database !== undefined ? { database } : {}) } as Parameters<typeof PGlite.create>[1];
  const db = dataDir === undefined ? await PGlite.create(opts) : await PGlite.create(dataDir, opts);
  return wrapPglite(db, true);
}

/**
 * Several databases of one PGlite data directory. PGlite serves one database per
 * instance and two instances must not open one directory at once, so at most one is
 * open: a session of another database closes the open instance and opens its own
 * (about 0.8 s). A transaction does not survive the switch: the apply prepares it first
 * (PREPARE TRANSACTION), which does. `first` is the instance already open (its
 * database is the primary); the directory is `dataDir`.
 */
export class PgliteDirectory {
  private current: { name: string; session: PgSession & { pglite: PGlite } };
  private closed = false;
  constructor(
    private readonly dataDir: string,
    first: { name: string; session: PgSession & { pglite: PGlite } },
  ) {
    this.current = first;
  }
  /** The open instance of `name`, switching to it when another is open. */
  async instance(name: string): Promise<PgSession & { pglite: PGlite }> {
    if (this.closed) throw new RbacError('TARGET', 'the embedded database is closed');
    if (this.current.name === name) return this.current.session;
    await this.current.session.close();
    this.current = { name, session: await openPglite(this.dataDir, name) };
    return this.current.session;
  }
  /** A session bound to one database: each call switches to it when needed. */
  session(name: string): PgSession {
    return {
      driver: 'pglite',
      query: async (sql, params) => (await this.instance(name)).query(sql, params),
      exec: async (sql) => (await this.instance(name)).exec(sql),
      close: async () => {},
    };
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.current.session.close();
  }
}

/** Wrap an existing PGlite instance; `owned` decides whether `close` closes it. */
export function wrapPglite(db: PGlite, owned = false): PgSession & { pglite: PGlite } {
  let closed = false;
  return {
    driver: 'pglite',
    pglite: db,
    async query(sql, params) {
      try {
        const r = await db.query<Record<string, unknown>>(sql, params as unknown[] | undefined);
        return r.rows;
      } catch (err) {
        throw mapDriverError(err);
      }
    },
    async exec(sql) {
      try {
        await db.exec(sql);
      } catch (err) {
        throw mapDriverError(err);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      if (owned) await db.close();
    },
  };
}

/**
 * Connect to a server with `pg`. One `Client` (not a pool): the apply transaction and
 * its advisory lock must stay on one backend. `target` is a connection string (a
 * postgres:// URL or a libpq key=value string) or one already parsed: the client is
 * built from the parsed `config`, never from `connectionString`, so what errors
 * display (`display`) and what is connected to come from the same parse. Without a
 * password `pg` reads PGPASSWORD, then ~/.pgpass (PGPASSFILE). `application_name` is
 * the caller's (tests name theirs, to tell connections apart in pg_stat_activity),
 * else the connection string's, else `rbac`.
 */
export async function openPg(target: string | PgConnection, opts: { applicationName?: string } = {}): Promise<PgSession & { client: pg.Client }> {
  const conn = typeof target === 'string' ? parsePgConnection(target) : target;
  const secrets = typeof target === 'string' ? [...conn.secrets, target] : conn.secrets;
  const client = new pg.Client({ ...conn.config, application_name: opts.applicationName ?? conn.config.application_name ?? 'rbac' });
  // An idle client whose server goes away emits 'error'; without a listener Node exits.
  // Either event means the backend is gone: pg then rejects with a message but no
  // code, so the session's own state says it was the connection.
  let lost = false;
  client.on('error', () => {
    lost = true;
  });
  client.on('end', () => {
    lost = true;
  });
  try {
    await client.connect();
  } catch (err) {
    const m = mapDriverError(err, secrets);
    await client.end().catch(() => {});
    throw new PgDriverError(m.code === 'TARGET' ? 'CONNECTION' : m.code, `cannot connect to ${conn.display}: ${m.message}`, m.sqlstate, m.hint);
  }
  let closed = false;
  const mapped = (err: unknown): PgDriverError => {
    const m = mapDriverError(err, secrets);
    if (!lost || m.code === 'CONNECTION' || closed) return m;
    return new PgDriverError('CONNECTION', `the connection to the server was lost (${m.message})`, m.sqlstate ?? CONNECTION_LOST, m.hint);
  };
  return {
    driver: 'pg',
    client,
    async query(sql, params) {
      try {
        const r = await client.query(sql, params as unknown[] | undefined);
        return r.rows as Record<string, unknown>[];
      } catch (err) {
        throw mapped(err);
      }
    },
    async exec(sql) {
      try {
        // No parameters: pg uses the simple query protocol, so `;`-joined batches run
        // in one round trip.
        await client.query(sql);
      } catch (err) {
        throw mapped(err);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.end().catch(() => {});
    },
  };
}
