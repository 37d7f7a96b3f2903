/**
 * What every PostgreSQL apply shares, single database or several: the advisory lock's
 * key and the batching of statements into round trips (measured: adapter.ts).
 */
import type { Statement } from '../types.js';

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
