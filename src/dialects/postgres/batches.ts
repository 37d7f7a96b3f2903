/**
 * What every PostgreSQL apply shares, single database or several: the advisory lock
 * (its key and the wait for it) and the batching of statements into round trips
 * (measured: adapter.ts).
 */
import type { ApplyListener, Statement } from '../../apply/types.js';
import { RbacError } from '../../model/errors.js';
import type { QueryFn } from '../types.js';

/**
 * The advisory lock every rbac apply takes: 'rbac' and 'lock' in ASCII as the high and
 * low 32 bits of one bigint. Fixed, so two applies on one database serialize whatever
 * the config; pg_locks shows it as classid = high, objid = low, objsubid = 1.
 */
export const ADVISORY_LOCK_HIGH = 0x72626163;
export const ADVISORY_LOCK_LOW = 0x6c6f636b;
export const ADVISORY_LOCK_KEY = ((BigInt(ADVISORY_LOCK_HIGH) << 32n) | BigInt(ADVISORY_LOCK_LOW)).toString();

/** Statements per round trip. 100k GRANTs: see the comment at the top of adapter.ts. */
export const DEFAULT_BATCH_SIZE = 500;
/** Also cut a batch at this many characters, so a few huge statements don't make a huge message. */
const MAX_BATCH_CHARS = 1 << 20;
/** [start, end) index ranges of at most `size` statements and about MAX_BATCH_CHARS characters. */
export function batches(statements: readonly Statement[], size: number): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  let chars = 0;
  for (let i = 0; i < statements.length; i++) {
    const len = statements[i].sql.length + 2;
    if (i > start && (i - start >= size || chars + len > MAX_BATCH_CHARS)) {
      out.push([start, i]);
      start = i;
      chars = 0;
    }
    chars += len;
  }
  if (start < statements.length) out.push([start, statements.length]);
  return out;
}

const LOCK_RETRY_MS = 100;

/**
 * Wait for the rbac advisory lock: `scope` is `xact` (held to the end of the open
 * transaction: one database) or `session` (held until unlocked: several databases). A
 * 'lock' event with a holder means "waiting for", without one "acquired"; after
 * `timeoutMs` a LOCKED error names the holder.
 */
export async function waitForAdvisoryLock(
  query: QueryFn,
  scope: 'xact' | 'session',
  timeoutMs: number,
  emit: ApplyListener,
  lockHolder: () => Promise<string>,
): Promise<void> {
  const fn = scope === 'xact' ? 'pg_try_advisory_xact_lock' : 'pg_try_advisory_lock';
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    const rows = await query(`SELECT ${fn}(${ADVISORY_LOCK_KEY}) AS ok`);
    if (rows[0]?.ok === true) break;
    if (!announced) {
      emit({ type: 'lock', holder: await lockHolder() });
      announced = true;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new RbacError(
        'LOCKED',
        `another apply holds the rbac lock on this ${scope === 'xact' ? 'database' : 'server'}: ${await lockHolder()}`,
        `wait for it to finish, or raise the lock timeout (waited ${timeoutMs} ms)`,
      );
    }
    await new Promise((r) => setTimeout(r, Math.min(LOCK_RETRY_MS, left)));
  }
  emit({ type: 'lock' });
}
