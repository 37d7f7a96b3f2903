/**
 * The tamper-evident audit log: JSON lines, one record per apply, each record holding
 * the SHA-256 of the previous record (`prev`) and its own hash (`hash`), both over the
 * canonical JSON of the record without `hash` (keys sorted, no whitespace). Changing
 * one byte of a record breaks its own hash; removing or reordering records breaks the
 * `prev` link of the record after the change, and `seq` numbers every record from 1.
 *
 * What a hash chain cannot show on its own: a cut of the newest records (the remaining
 * prefix is a valid chain). Ship every record to write-once storage, or anchor the
 * head hash (`rbac audit verify` prints it) somewhere the operator cannot rewrite.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { RbacError } from '../model/errors.js';

/** `prev` of the first record of a log. */
export const GENESIS = '0'.repeat(64);

/** Canonical JSON: object keys sorted by code unit, no whitespace, `undefined` dropped. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number' && !Number.isFinite(v)) return 'null';
    return JSON.stringify(v) ?? 'null';
  }
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** The fields every chained record carries; the payload is the rest. */
export interface ChainFields {
  /** 1 for the first record of the file, then +1 per record. */
  seq: number;
  /** `hash` of the previous record, or GENESIS for the first one. */
  prev: string;
  /** sha256 (hex) over canonicalJson of the record without this field. */
  hash: string;
}

export function recordHash(record: Record<string, unknown>): string {
  const { hash: _h, ...rest } = record;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** Outcome of verifying a log. `brokenAt` is the 1-based line of the first bad record. */
export interface VerifyResult {
  ok: boolean;
  records: number;
  /** Hash of the last valid record (anchor it elsewhere to detect a cut tail). */
  head: string;
  brokenAt?: { line: number; seq?: number; reason: string };
}

/** Check every link of the chain; stops at the first broken record. */
export function verifyChain(text: string): VerifyResult {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let prev = GENESIS;
  let records = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(lines[i]) as Record<string, unknown>;
    } catch {
      return { ok: false, records, head: prev, brokenAt: { line, reason: 'not valid JSON (the record was altered or truncated)' } };
    }
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
      return { ok: false, records, head: prev, brokenAt: { line, reason: 'not a JSON object' } };
    }
    const seq = typeof rec.seq === 'number' ? rec.seq : undefined;
    if (typeof rec.hash !== 'string' || rec.hash !== recordHash(rec)) {
      return { ok: false, records, head: prev, brokenAt: { line, seq, reason: 'hash mismatch: the record was changed after it was written' } };
    }
    if (rec.prev !== prev) {
      return {
        ok: false,
        records,
        head: prev,
        brokenAt: { line, seq, reason: 'prev does not match the hash of the record before it: a record was removed, inserted or reordered' },
      };
    }
    if (seq !== records + 1) {
      return { ok: false, records, head: prev, brokenAt: { line, seq, reason: `sequence number ${String(seq)} where ${records + 1} was expected` } };
    }
    prev = rec.hash;
    records++;
  }
  return { ok: true, records, head: prev };
}

/** The chain state after the last record of a file (GENESIS and 0 for no file). */
async function lastLink(file: string): Promise<{ prev: string; seq: number }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { prev: GENESIS, seq: 0 };
    throw e;
  }
  const v = verifyChain(text);
  if (!v.ok) {
    // Appending to a broken chain would hide the break behind a valid-looking tail.
    throw new RbacError(
      'APPLY_FAILED',
      `the audit log ${path.basename(file)} is broken at line ${v.brokenAt!.line}: ${v.brokenAt!.reason}`,
      'investigate with `rbac audit verify`; start a new log file (--audit-log) only after the broken one is preserved',
    );
  }
  return { prev: v.head, seq: v.records };
}

/** Serialize appenders of one file across processes with an O_EXCL lock file. */
async function withFileLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const h = await open(lock, 'wx');
      await h.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A lock older than a minute belongs to a crashed writer.
      const st = await stat(lock).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > 60_000) await rm(lock, { force: true });
      else if (Date.now() > deadline) throw new RbacError('LOCKED', `the audit log is locked by another writer (${path.basename(lock)})`);
      else await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}

/**
 * Append one record: reads the chain head, sets `seq`, `prev` and `hash`, writes one
 * line and fsyncs. Returns the record as written.
 */
export async function appendRecord<T extends Record<string, unknown>>(file: string, payload: T): Promise<T & ChainFields> {
  await mkdir(path.dirname(file), { recursive: true });
  return withFileLock(file, async () => {
    const { prev, seq } = await lastLink(file);
    const rec = { ...payload, seq: seq + 1, prev } as Record<string, unknown>;
    delete rec.hash;
    const full = { ...rec, hash: recordHash(rec) } as T & ChainFields;
    const h = await open(file, 'a', 0o600);
    try {
      await h.write(canonicalJson(full) + '\n');
      await h.sync();
    } finally {
      await h.close();
    }
    return full;
  });
}

/** Refuse early (before anything is applied) when the log exists and its chain is broken. */
export async function checkAppendable(file: string): Promise<void> {
  await lastLink(file);
}
