/**
 * The tamper-evident audit log: JSON lines, one record per apply, each record holding
 * the hash of the previous record (`prev`) and its own hash (`hash`), both over the
 * canonical JSON of the record without `hash` (keys sorted, no whitespace). Changing
 * one byte of a record breaks its own hash; removing or reordering records breaks the
 * `prev` link of the record after the change, and `seq` numbers every record from 1.
 *
 * Two kinds of record share one chain:
 * - unkeyed (v0.1, or no RBAC_AUDIT_KEY): `hash` is plain SHA-256. It detects accidental
 *   change only: anyone who can write the file can recompute every hash.
 * - keyed (`alg: "hmac-sha256"`, `keyId`): `hash` is HMAC-SHA256 under RBAC_AUDIT_KEY,
 *   so records cannot be forged, rewritten or appended without the key.
 * A log may start with unkeyed records (written before the key existed); the first
 * keyed record's `prev` authenticates them. After a keyed record, an unkeyed one is a
 * forgery or a downgrade and breaks the chain.
 *
 * What a chain cannot show on its own, keyed or not: a cut of the newest records (the
 * remaining prefix is a valid chain). Anchor the head hash (`rbac audit verify` prints
 * it) somewhere the operator cannot rewrite and check it with `--expect-head`, or ship
 * every record to write-once storage.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { RbacError } from '../model/errors.js';

/** `prev` of the first record of a log. */
export const GENESIS = '0'.repeat(64);

/** The environment variable that holds the audit key. */
export const AUDIT_KEY_ENV = 'RBAC_AUDIT_KEY';

/** Shorter keys are refused: RFC 2104 §3 discourages HMAC keys shorter than the hash output (32 bytes for SHA-256). */
export const AUDIT_KEY_MIN_BYTES = 32;

/** `alg` of a keyed record. Unkeyed records carry no `alg`. */
export const KEYED_ALG = 'hmac-sha256';

/** What `rbac apply` prints when it writes unkeyed records. */
export const UNKEYED_AUDIT_WARNING = 'audit log is not keyed: anyone who can write the file can forge records; set RBAC_AUDIT_KEY';

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

/**
 * A validated audit key (at least AUDIT_KEY_MIN_BYTES bytes of UTF-8). The key bytes
 * live in a private field, so JSON.stringify, util.inspect, object spread and error
 * messages never see them; only `id` (a one-way derivation) is ever shown.
 */
export class AuditKey {
  readonly #key: Buffer;
  /** First 16 hex characters of HMAC(key, "rbac audit key id"): tells a wrong key from tampering. */
  readonly id: string;

  private constructor(key: Buffer) {
    this.#key = key;
    this.id = createHmac('sha256', key).update('rbac audit key id').digest('hex').slice(0, 16);
  }

  /**
   * The key of `env` (RBAC_AUDIT_KEY), or undefined when the variable is unset. A set
   * but shorter value (empty included: most likely a CI secret that was not injected)
   * is an error; the message names the variable and never the value or its length.
   */
  static fromEnv(env: NodeJS.ProcessEnv): AuditKey | undefined {
    const raw = env[AUDIT_KEY_ENV];
    if (raw === undefined) return undefined;
    // The exact bytes: trimming would make the same secret yield two key ids.
    const key = Buffer.from(raw, 'utf8');
    if (key.length < AUDIT_KEY_MIN_BYTES) {
      throw new RbacError(
        'CONFIG',
        `${AUDIT_KEY_ENV} is too short: an audit key needs at least ${AUDIT_KEY_MIN_BYTES} bytes (the value is not shown)`,
        `generate one with \`openssl rand -hex 32\` and keep it in your secret store; unset ${AUDIT_KEY_ENV} to write unkeyed records`,
      );
    }
    return new AuditKey(key);
  }

  /** Hex HMAC-SHA256 of `text` under this key. */
  mac(text: string): string {
    return createHmac('sha256', this.#key).update(text).digest('hex');
  }

  toJSON(): { id: string } {
    return { id: this.id };
  }
}

/** Where the key comes from. `env` defaults to process.env; tests and the CLI pass their own. */
export interface AuditKeySource {
  env?: NodeJS.ProcessEnv;
}

// One place decides the default, so checkAppendable and appendRecord called without
// options (hook.ts) check with the same key the process will write with.
function keyOf(source: AuditKeySource | undefined): AuditKey | undefined {
  return AuditKey.fromEnv(source?.env ?? process.env);
}

/**
 * Whether `env` configures an audit key, so apply can warn (UNKEYED_AUDIT_WARNING)
 * before it writes unkeyed records. Throws the same error as appending would when the
 * key is set but too short, so a bad key stops apply before anything runs.
 */
export function auditKeyConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return AuditKey.fromEnv(env) !== undefined;
}

/**
 * The fields every chained record carries; the payload is the rest. Invariants:
 * `seq` is 1 for the first record and +1 per record; `prev` is the previous record's
 * `hash` (GENESIS first); `alg` and `keyId` are both present (keyed) or both absent
 * (unkeyed); `hash` covers every other field, `alg` and `keyId` included, so neither
 * can be changed without breaking it.
 */
export interface ChainFields {
  seq: number;
  prev: string;
  /** Present on keyed records only. */
  alg?: typeof KEYED_ALG;
  /** The key id of the key that wrote the record; present on keyed records only. */
  keyId?: string;
  /** Unkeyed: sha256 (hex) of canonicalJson of the record without `hash`; keyed: HMAC-SHA256 under the key. */
  hash: string;
}

/** Plain SHA-256 hash of an unkeyed record (the `hash` field is ignored). */
export function recordHash(record: Record<string, unknown>): string {
  const { hash: _h, ...rest } = record;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** HMAC-SHA256 hash of a keyed record under `key` (the `hash` field is ignored). */
export function recordHmac(record: Record<string, unknown>, key: AuditKey): string {
  const { hash: _h, ...rest } = record;
  return key.mac(canonicalJson(rest));
}

// Constant-time so a verifier that answers many queries does not leak how much of a
// guessed MAC was right.
function sameHash(actual: unknown, expected: string): boolean {
  if (typeof actual !== 'string') return false;
  const a = Buffer.from(actual, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Why a chain does not verify, stable for scripts: `json` (not a JSON object), `hash`
 * (record changed), `link` (removed, inserted or reordered), `seq`, `alg` (unknown
 * algorithm), `downgrade` (unkeyed after keyed), `wrong-key` (another keyId), `no-key`
 * (keyed records but no key to verify them).
 */
export type BreakCode = 'json' | 'hash' | 'link' | 'seq' | 'alg' | 'downgrade' | 'wrong-key' | 'no-key';

/** The first record that does not verify. `line` is 1-based; `seq` is the record's own claim, when it has one. */
export interface BrokenAt {
  line: number;
  seq?: number;
  code: BreakCode;
  reason: string;
}

/**
 * Outcome of verifying a log (the v0.1 shape). Invariants: `records` counts the records
 * that verified, all before `brokenAt` when it is set; `head` is the hash of the last of
 * them (GENESIS when none did); `ok` is false whenever `brokenAt` is set; `reason` is set
 * exactly when `ok` is false.
 */
export interface VerifyResult {
  ok: boolean;
  records: number;
  /** Hash of the last valid record (anchor it elsewhere to detect a cut tail). */
  head: string;
  brokenAt?: BrokenAt;
  /** One sentence on why `ok` is false. */
  reason?: string;
}

/**
 * The `--expect-head` check. `found` is true when `expected` is the hash of a record
 * that verified (or GENESIS, the head of an empty log); then `appendedAfter` counts the
 * verified records after it (0: unchanged since anchored). `line` and `seq` locate it.
 */
export interface AnchorResult {
  expected: string;
  found: boolean;
  line?: number;
  seq?: number;
  appendedAfter?: number;
}

/**
 * Outcome of verifying a log under a key policy. Invariants beyond VerifyResult:
 * `keyed` is true when the log holds at least one keyed record (whether or not it
 * verified); `unauthenticated` counts the unkeyed records accepted (all of them before
 * any keyed record); `keyId` is the id of the key verified with, when one is configured;
 * `anchor` is set exactly when `expectHead` was given, and a missing anchor makes `ok`
 * false without `brokenAt` (the chain itself may be intact).
 */
export interface KeyedVerifyResult extends VerifyResult {
  keyed: boolean;
  unauthenticated: number;
  keyId?: string;
  anchor?: AnchorResult;
}

/** How to verify. Without `env`, the key comes from process.env. */
export interface VerifyOptions extends AuditKeySource {
  /** With a key, accept a log that has no keyed record at all (default: refuse it). */
  allowUnkeyed?: boolean;
  /** A head printed by an earlier verify and kept outside the log (hex, any case). */
  expectHead?: string;
}

function check(text: string, key: AuditKey | undefined, allowUnkeyed: boolean, expectHead: string | undefined): KeyedVerifyResult {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let prev = GENESIS;
  let records = 0;
  let unauthenticated = 0;
  let keyed = false;
  const hashes: string[] = [];
  let brokenAt: BrokenAt | undefined;
  for (let i = 0; i < lines.length && !brokenAt; i++) {
    const line = i + 1;
    const broken = (code: BreakCode, reason: string, seq?: number) => void (brokenAt = { line, seq, code, reason });
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(lines[i]) as Record<string, unknown>;
    } catch {
      broken('json', 'not valid JSON (the record was altered or truncated)');
      break;
    }
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
      broken('json', 'not a JSON object');
      break;
    }
    const seq = typeof rec.seq === 'number' ? rec.seq : undefined;
    if (rec.alg === undefined) {
      // Without this rule a forger appends a plain-SHA-256 record to a keyed log.
      if (keyed) {
        broken('downgrade', 'unkeyed record after keyed records: forged or downgraded', seq);
        break;
      }
      if (!sameHash(rec.hash, recordHash(rec))) {
        broken('hash', 'hash mismatch: the record was changed after it was written', seq);
        break;
      }
    } else if (rec.alg === KEYED_ALG) {
      keyed = true;
      if (!key) {
        broken(
          'no-key',
          `keyed records (${KEYED_ALG}, key id ${String(rec.keyId)}) start here and cannot be verified without the key; set ${AUDIT_KEY_ENV}`,
          seq,
        );
        break;
      }
      if (rec.keyId !== key.id) {
        broken('wrong-key', `written with another key (key id ${String(rec.keyId)}; ${AUDIT_KEY_ENV} has key id ${key.id})`, seq);
        break;
      }
      if (!sameHash(rec.hash, recordHmac(rec, key))) {
        broken('hash', 'hash mismatch: the record was changed or forged without the key', seq);
        break;
      }
    } else {
      broken('alg', `unknown alg ${JSON.stringify(rec.alg)}`, seq);
      break;
    }
    if (rec.prev !== prev) {
      broken('link', 'prev does not match the hash of the record before it: a record was removed, inserted or reordered', seq);
      break;
    }
    if (seq !== records + 1) {
      broken('seq', `sequence number ${String(seq)} where ${records + 1} was expected`, seq);
      break;
    }
    if (rec.alg === undefined) unauthenticated++;
    prev = rec.hash as string;
    hashes.push(prev);
    records++;
  }

  const result: KeyedVerifyResult = { ok: !brokenAt, records, head: prev, keyed, unauthenticated };
  if (brokenAt) {
    result.brokenAt = brokenAt;
    result.reason = `line ${brokenAt.line}: ${brokenAt.reason}`;
  } else if (key && !keyed && !allowUnkeyed) {
    result.ok = false;
    result.reason =
      records === 0
        ? 'the log has no record, so nothing in it is keyed'
        : `none of the ${records} record${records === 1 ? '' : 's'} is keyed, so none is authenticated; the next apply with ${AUDIT_KEY_ENV} set seals the log`;
  }
  if (key) result.keyId = key.id;
  if (expectHead !== undefined) {
    const expected = expectHead.toLowerCase();
    const at = hashes.indexOf(expected);
    if (at >= 0) result.anchor = { expected, found: true, line: at + 1, seq: at + 1, appendedAfter: records - at - 1 };
    else if (expected === GENESIS) result.anchor = { expected, found: true, appendedAfter: records };
    else {
      result.anchor = { expected, found: false };
      if (result.ok) {
        result.ok = false;
        result.reason = 'the anchored record is missing: the log was cut or rewritten';
      }
    }
  }
  return result;
}

/**
 * Check every link of the chain; stops at the first broken record. With one argument
 * (the v0.1 call) it returns the v0.1 result and accepts an unkeyed log even when a key
 * is configured; with options it applies the key policy and reports `keyed`,
 * `unauthenticated` and the anchor.
 */
export function verifyChain(text: string): VerifyResult;
export function verifyChain(text: string, opts: VerifyOptions): KeyedVerifyResult;
export function verifyChain(text: string, opts?: VerifyOptions): VerifyResult | KeyedVerifyResult {
  const full = check(text, keyOf(opts), opts ? opts.allowUnkeyed === true : true, opts?.expectHead);
  if (opts) return full;
  const { keyed: _k, unauthenticated: _u, keyId: _i, anchor: _a, ...v01 } = full;
  return v01;
}

/** The chain state after the last record of a file (GENESIS and 0 for no file). */
async function lastLink(file: string, key: AuditKey | undefined): Promise<{ prev: string; seq: number }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { prev: GENESIS, seq: 0 };
    throw e;
  }
  // An unkeyed log is appendable with a key: the keyed record seals it.
  const v = check(text, key, true, undefined);
  if (!v.ok) {
    const b = v.brokenAt!;
    const name = path.basename(file);
    if (b.code === 'no-key') {
      // Appending unkeyed records here would be the downgrade verify reports as forged.
      throw new RbacError(
        'APPLY_FAILED',
        `the audit log ${name} is keyed from line ${b.line}: it cannot be extended without ${AUDIT_KEY_ENV}`,
        `set ${AUDIT_KEY_ENV} to the key the log was written with`,
      );
    }
    if (b.code === 'wrong-key') {
      throw new RbacError(
        'APPLY_FAILED',
        `the audit log ${name} does not verify with ${AUDIT_KEY_ENV} at line ${b.line}: ${b.reason}`,
        `set ${AUDIT_KEY_ENV} to the key the log was written with; to change keys, preserve this log and start a new one (--audit-log)`,
      );
    }
    // Appending to a broken chain would hide the break behind a valid-looking tail.
    throw new RbacError(
      'APPLY_FAILED',
      `the audit log ${name} is broken at line ${b.line}: ${b.reason}`,
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
 * Append one record: reads and verifies the chain, sets `seq`, `prev` (and with a key
 * `alg`, `keyId`), then `hash`, writes one line and fsyncs. Returns the record as
 * written. With a key, refuses a log whose keyed records do not verify with it; without
 * one, refuses a keyed log (an unkeyed record there would read as a downgrade).
 */
export async function appendRecord<T extends Record<string, unknown>>(file: string, payload: T, opts?: AuditKeySource): Promise<T & ChainFields> {
  // Before mkdir and the lock: a bad key changes nothing on disk.
  const key = keyOf(opts);
  await mkdir(path.dirname(file), { recursive: true });
  return withFileLock(file, async () => {
    const { prev, seq } = await lastLink(file, key);
    const rec = { ...payload, seq: seq + 1, prev } as Record<string, unknown>;
    // Chain fields are the chain's to set: a payload cannot claim a key it was not written with.
    delete rec.hash;
    delete rec.alg;
    delete rec.keyId;
    if (key) {
      rec.alg = KEYED_ALG;
      rec.keyId = key.id;
    }
    const full = { ...rec, hash: key ? recordHmac(rec, key) : recordHash(rec) } as T & ChainFields;
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

/**
 * Refuse early (before anything is applied) when the log exists and appendRecord with
 * the same key source would refuse it: a broken chain, a keyed log without the key, or
 * keyed records that do not verify with the key.
 */
export async function checkAppendable(file: string, opts?: AuditKeySource): Promise<void> {
  await lastLink(file, keyOf(opts));
}
