/**
 * Apply across several databases of one PostgreSQL server (a target whose
 * `database_map` has several entries). Roles are the cluster's; grants are per
 * database, and a statement on a database's objects must run in a session connected to
 * it. The guarantees, in order:
 *
 * 1. One lock: a session-level advisory lock on the first database's connection
 *    (`pg_try_advisory_lock` on the key every rbac apply uses; it conflicts with the
 *    transaction-level lock a single-database apply takes), held to the end.
 * 2. `verify` runs under it (re-read every database, plan again, compare).
 * 3. New roles are committed first, in their own transaction: another database's
 *    transaction cannot grant to a role that is not committed yet. If anything later
 *    fails, they are dropped again (they hold nothing: everything else rolled back).
 * 4. One transaction per database, all open until every database's statements
 *    succeeded. A failure anywhere rolls back every one of them: nothing is applied.
 * 5. Commit: with `max_prepared_transactions` at least the number of databases, two-phase
 *    (PREPARE TRANSACTION on each, then COMMIT PREPARED on each): a failure before the
 *    last PREPARE rolls everything back. Without it, COMMIT one database after another:
 *    a failure between two COMMITs (the connection lost, the server stopped) leaves the
 *    earlier databases committed and the later ones not; the result says so
 *    (`outcomeUnknown`), and `rbac plan` shows what is left to do (README).
 * 6. Roles to drop are dropped last, in their own transaction, once every database's
 *    revokes are committed (DROP ROLE fails while the role holds anything anywhere).
 *
 * An embedded PGlite directory opens one database at a time (`exclusive`): there, step 4
 * prepares each database's transaction before opening the next, and step 5 commits the
 * prepared transactions; a failure rolls back the open one and the prepared ones.
 */
import { randomUUID } from 'node:crypto';
import type { ApplyEvent, ApplyListener, ApplyOptions, ApplyResult } from '../../apply/types.js';
import { RbacError } from '../../model/errors.js';
import type { QueryFn, Statement } from '../types.js';
import { ADVISORY_LOCK_KEY, batches, waitForAdvisoryLock } from './batches.js';
import { mapDriverError, type PgDriverError } from './driver.js';
import { quoteIdent, quoteLiteral } from './quote.js';

/** One database's connection, as the apply uses it. */
export interface DatabaseSession {
  physical: string;
  query: QueryFn;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export interface AcrossDatabases {
  primary: DatabaseSession;
  sessionFor(logical: string | undefined): Promise<DatabaseSession>;
  physicalOf(logical: string | undefined): string;
  batchSize: number;
  lockHolder(): Promise<string>;
  /**
   * One database open at a time (an embedded PGlite directory): each database's
   * transaction is prepared before the next database is opened, and all are committed
   * (COMMIT PREPARED) once every one is prepared. The advisory lock is not taken: it
   * would not survive the switch, and an embedded directory is one process's.
   */
  exclusive?: boolean;
}

class StepFailed extends Error {
  constructor(
    readonly index: number,
    readonly error: PgDriverError,
  ) {
    super(error.message);
  }
}

export async function applyAcrossDatabases(initial: Statement[], aopts: ApplyOptions, ctx: AcrossDatabases): Promise<ApplyResult> {
  const t0 = performance.now();
  const emit: ApplyListener = (e: ApplyEvent) => aopts.onEvent?.(e);
  const { primary } = ctx;
  let statements = initial;
  let locked = false;
  const open = new Map<string, DatabaseSession>(); // physical -> session in a transaction
  const created: string[] = []; // the roles committed in phase 3
  const result = (ok: boolean, extra: Partial<ApplyResult>): ApplyResult => ({
    ok,
    applied: ok ? [...statements] : [],
    pending: [],
    rolledBack: !ok,
    ms: performance.now() - t0,
    ...extra,
  });
  const rollbackAll = async () => {
    for (const s of open.values()) await s.exec('ROLLBACK').catch(() => {});
    open.clear();
  };

  const preparedGids: { logical: string | undefined; gid: string }[] = [];
  const rollbackPrepared = async () => {
    for (const p of preparedGids.splice(0)) {
      const s = await ctx.sessionFor(p.logical);
      await s.exec(`ROLLBACK PREPARED ${quoteLiteral(p.gid)}`).catch(() => {});
    }
  };
  try {
    if (!ctx.exclusive) {
      await waitForAdvisoryLock(primary.query, 'session', aopts.lockTimeoutMs ?? 5000, emit, ctx.lockHolder);
      locked = true;
    }
    if (aopts.verify) statements = await aopts.verify();
    if (ctx.exclusive) {
      // Every database's transaction is prepared before the first commits: all must fit.
      const databases = new Set(statements.filter((x) => x.phase === undefined).map((x) => ctx.physicalOf(x.database))).size;
      if (!(await twoPhaseAvailable(primary, databases))) {
        throw new RbacError(
          'TARGET',
          `the embedded database allows fewer prepared transactions than the ${databases} databases this apply touches`,
          'open it through rbac (max_prepared_transactions = 8), or apply fewer databases at once',
        );
      }
    }
    const indexed = statements.map((s, i) => ({ s, i }));
    const creates = indexed.filter((x) => x.s.phase === 'createRole');
    const drops = indexed.filter((x) => x.s.phase === 'dropRole');
    const rest = indexed.filter((x) => x.s.phase === undefined);

    // 3. New roles, committed on their own.
    if (creates.length) {
      await runTransaction(primary, creates, ctx.batchSize, emit);
      for (const c of creates) if (c.s.role !== undefined) created.push(c.s.role);
    }

    // 4. One transaction per database, in the order the databases first appear.
    const byDatabase = new Map<string, { s: Statement; i: number }[]>();
    for (const x of rest) {
      const physical = ctx.physicalOf(x.s.database);
      (byDatabase.get(physical) ?? byDatabase.set(physical, []).get(physical)!).push(x);
    }
    const gid = `rbac-${randomUUID()}`;
    for (const [physical, list] of byDatabase) {
      const session = physical === primary.physical ? primary : await ctx.sessionFor(list[0].s.database);
      await session.exec('BEGIN');
      open.set(physical, session);
      await session.exec('SET LOCAL standard_conforming_strings = on');
      await runStatements(session, list, ctx.batchSize, emit);
      if (ctx.exclusive) {
        // Prepared before the next database is opened: the switch would end the transaction.
        const id = `${gid}-${physical}`;
        await session.exec(`PREPARE TRANSACTION ${quoteLiteral(id)}`);
        open.delete(physical);
        preparedGids.push({ logical: list[0].s.database, gid: id });
      }
    }
    if (ctx.exclusive) {
      for (const p of preparedGids.splice(0)) await (await ctx.sessionFor(p.logical)).exec(`COMMIT PREPARED ${quoteLiteral(p.gid)}`);
      if (drops.length) await runTransaction(primary, drops, ctx.batchSize, emit);
      emit({ type: 'commit' });
      return result(true, {});
    }

    // 5. Commit every database's transaction.
    const sessions = [...open.values()];
    const prepared = await twoPhaseAvailable(primary, sessions.length);
    if (prepared) {
      const done: DatabaseSession[] = [];
      try {
        for (const s of sessions) {
          await s.exec(`PREPARE TRANSACTION ${quoteLiteral(`${gid}-${s.physical}`)}`);
          done.push(s);
        }
      } catch (err) {
        for (const s of done) await s.exec(`ROLLBACK PREPARED ${quoteLiteral(`${gid}-${s.physical}`)}`).catch(() => {});
        open.clear();
        for (const s of sessions) if (!done.includes(s)) await s.exec('ROLLBACK').catch(() => {});
        throw err;
      }
      open.clear();
      for (const s of sessions) await s.exec(`COMMIT PREPARED ${quoteLiteral(`${gid}-${s.physical}`)}`);
    } else {
      const committed: string[] = [];
      for (const s of sessions) {
        try {
          await s.exec('COMMIT');
          open.delete(s.physical);
          committed.push(s.physical);
        } catch (err) {
          const e = mapDriverError(err);
          await rollbackAll();
          if (!committed.length) throw err;
          const error = `COMMIT failed in database ${s.physical} (${e.message}) after ${committed.join(', ')} committed: the server has no prepared transactions (max_prepared_transactions = 0), so the databases committed one by one; run rbac plan to see what is left`;
          const last = statements[statements.length - 1];
          emit({ type: 'failed', index: statements.length - 1, statement: last, error, code: e.sqlstate });
          return result(false, { failed: { statement: last, error, code: e.sqlstate }, rolledBack: false, outcomeUnknown: true });
        }
      }
    }

    // 6. Roles to drop, last.
    if (drops.length) await runTransaction(primary, drops, ctx.batchSize, emit);
    emit({ type: 'commit' });
    return result(true, {});
  } catch (err) {
    await rollbackAll();
    await rollbackPrepared();
    await compensate(primary, created);
    if (err instanceof StepFailed) {
      const f = statements[err.index];
      emit({ type: 'failed', index: err.index, statement: f, error: err.error.message, code: err.error.sqlstate });
      emit({ type: 'rollback' });
      return result(false, {
        failed: { statement: f, error: err.error.message, code: err.error.sqlstate },
        pending: statements.filter((_, i) => i !== err.index),
      });
    }
    if (err instanceof RbacError) throw err;
    throw mapDriverError(err);
  } finally {
    if (locked) await primary.query(`SELECT pg_advisory_unlock(${ADVISORY_LOCK_KEY})`).catch(() => {});
  }
}

/** Whether every session's transaction can be prepared (one server: one setting). */
async function twoPhaseAvailable(primary: DatabaseSession, sessions: number): Promise<boolean> {
  const rows = await primary.query(`SELECT current_setting('max_prepared_transactions')::int AS n`);
  return Number(rows[0]?.n ?? 0) >= sessions;
}

/** Statements in batches inside the session's open transaction; a failure names its statement. */
async function runStatements(session: DatabaseSession, list: { s: Statement; i: number }[], batchSize: number, emit: ApplyListener): Promise<void> {
  const stmts = list.map((x) => x.s);
  for (const [start, end] of batches(stmts, batchSize)) {
    for (let k = start; k < end; k++) emit({ type: 'start', index: list[k].i, statement: stmts[k] });
    const tb = performance.now();
    try {
      await session.exec('SAVEPOINT rbac_batch');
      await session.exec(`${stmts.slice(start, end).map((s) => s.sql).join(';\n')};\nRELEASE SAVEPOINT rbac_batch`);
    } catch (err) {
      const original = mapDriverError(err);
      if (original.code === 'CONNECTION') throw new StepFailed(list[start].i, original);
      await session.exec('ROLLBACK TO SAVEPOINT rbac_batch');
      for (let k = start; k < end; k++) {
        try {
          await session.exec(stmts[k].sql);
        } catch (e) {
          throw new StepFailed(list[k].i, mapDriverError(e));
        }
      }
      throw new StepFailed(list[start].i, original);
    }
    const share = (performance.now() - tb) / (end - start);
    for (let k = start; k < end; k++) emit({ type: 'done', index: list[k].i, statement: stmts[k], ms: share });
  }
}

/** Statements in a transaction of their own, committed. */
async function runTransaction(session: DatabaseSession, list: { s: Statement; i: number }[], batchSize: number, emit: ApplyListener): Promise<void> {
  await session.exec('BEGIN');
  try {
    await runStatements(session, list, batchSize, emit);
    await session.exec('COMMIT');
  } catch (err) {
    await session.exec('ROLLBACK').catch(() => {});
    throw err;
  }
}

/** Drop the roles phase 3 committed: the apply failed after it, so nothing else of it stayed. */
async function compensate(primary: DatabaseSession, created: readonly string[]): Promise<void> {
  for (const role of [...new Set(created)].reverse()) await primary.exec(`DROP ROLE IF EXISTS ${quoteIdent(role)}`).catch(() => {});
}
