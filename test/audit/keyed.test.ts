// The keyed audit chain (HMAC-SHA256 under RBAC_AUDIT_KEY): forged, rewritten, cut,
// downgraded and wrong-key logs are told apart from intact ones, a v0.1 unkeyed prefix
// is accepted and counted, and the key never leaves the AuditKey object. Every key
// comes from an explicit env object; process.env is never touched.
import { createHash, createHmac } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendRecord,
  AuditKey,
  auditKeyConfigured,
  canonicalJson,
  checkAppendable,
  GENESIS,
  recordHash,
  recordHmac,
  verifyChain,
} from '../../src/audit/chain.js';
import { createAuditRecorder } from '../../src/audit/record.js';
import type { ApplyResult } from '../../src/apply/types.js';
import type { Plan } from '../../src/plan/types.js';
import { RbacError } from '../../src/model/errors.js';
import { removeDir } from '../cli-workflows/helpers.js';

const KEY = 'audit-key-for-tests-0123456789-abcdefghij';
const OTHER = 'another-audit-key-for-tests-9876543210-zyx';
const KEYED = { RBAC_AUDIT_KEY: KEY };
const NO_KEY: NodeJS.ProcessEnv = {};
const keyIdOf = (k: string) => createHmac('sha256', Buffer.from(k, 'utf8')).update('rbac audit key id').digest('hex').slice(0, 16);
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const lines = (text: string) => text.trimEnd().split('\n');
const join_ = (ls: string[]) => ls.join('\n') + '\n';

let dir: string;
let n = 0;
const fresh = () => join(dir, `log-${++n}.jsonl`);

async function writeLog(file: string, plan: ('plain' | 'keyed')[]): Promise<string[]> {
  for (const [i, kind] of plan.entries()) await appendRecord(file, { v: 1, event: 'apply', n: i + 1 }, { env: kind === 'keyed' ? KEYED : NO_KEY });
  return lines(await readFile(file, 'utf8'));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rbac-keyed-audit-'));
});
afterAll(() => removeDir(dir));

describe('writing keyed records', () => {
  it('signs with HMAC-SHA256 over the canonical record, carrying alg and the derived key id', async () => {
    const [l1, l2] = await writeLog(fresh(), ['keyed', 'keyed']);
    const r1 = JSON.parse(l1);
    const r2 = JSON.parse(l2);
    expect(r1).toMatchObject({ alg: 'hmac-sha256', keyId: keyIdOf(KEY), seq: 1, prev: GENESIS });
    expect(r1.keyId).toMatch(/^[0-9a-f]{16}$/);
    const { hash, ...rest } = r1;
    expect(hash).toBe(createHmac('sha256', KEY).update(canonicalJson(rest)).digest('hex'));
    expect(hash).not.toBe(sha256(canonicalJson(rest)));
    expect(r2.prev).toBe(r1.hash);
    expect(verifyChain(join_([l1, l2]), { env: KEYED })).toEqual({
      ok: true,
      records: 2,
      head: r2.hash,
      keyed: true,
      unauthenticated: 0,
      keyId: keyIdOf(KEY),
    });
  });

  it('writes exactly the v0.1 record without a key (plain SHA-256, no alg, no keyId)', async () => {
    const [l1] = await writeLog(fresh(), ['plain']);
    const r = JSON.parse(l1);
    expect(r.alg).toBeUndefined();
    expect(r.keyId).toBeUndefined();
    expect(Object.keys(r).sort()).toEqual(['event', 'hash', 'n', 'prev', 'seq', 'v']);
    expect(r.hash).toBe(recordHash(r));
  });

  it('does not let the payload claim chain fields', async () => {
    const file = fresh();
    const rec = await appendRecord(file, { v: 1, alg: 'hmac-sha256', keyId: 'ffffffffffffffff', hash: 'x' }, { env: NO_KEY });
    expect(rec.alg).toBeUndefined();
    expect(rec.keyId).toBeUndefined();
    expect(verifyChain(await readFile(file, 'utf8'), { env: NO_KEY })).toMatchObject({ ok: true, records: 1, keyed: false });
  });

  it('the recorder of an apply signs with the key of its own env', async () => {
    const file = fresh();
    const plan = { mode: 'full', changes: [], summary: {}, liveFingerprint: 'f'.repeat(64), configDigest: 'c'.repeat(64) } as unknown as Plan;
    const recorder = createAuditRecorder({ file, root: dir, env: KEYED, plan, statements: [], target: { name: 't', platform: 'postgres', display: 't' } });
    const result: ApplyResult = { ok: true, applied: [], pending: [], rolledBack: false, ms: 1 };
    const rec = await recorder.finish({ result });
    expect(rec).toMatchObject({ alg: 'hmac-sha256', keyId: keyIdOf(KEY), outcome: 'applied' });
    expect(verifyChain(await readFile(file, 'utf8'), { env: KEYED })).toMatchObject({ ok: true, keyed: true, records: 1 });
    expect(await readFile(file, 'utf8')).not.toContain(KEY);
  });
});

describe('verifying a keyed log', () => {
  let log: string[];
  beforeAll(async () => {
    log = await writeLog(fresh(), ['keyed', 'keyed', 'keyed']);
  });

  it('a forged appended record with a recomputed SHA-256 hash passes an unkeyed log but not a keyed one', async () => {
    const forge = (ls: string[], extra: Record<string, unknown> = {}) => {
      const last = JSON.parse(ls[ls.length - 1]);
      const rec: Record<string, unknown> = { v: 1, event: 'apply', n: 99, seq: last.seq + 1, prev: last.hash, ...extra };
      rec.hash = recordHash(rec);
      return canonicalJson(rec);
    };
    // The finding: on an unkeyed log the forgery is indistinguishable from a real record.
    const plain = await writeLog(fresh(), ['plain', 'plain']);
    expect(verifyChain(join_([...plain, forge(plain)]), { env: NO_KEY })).toMatchObject({ ok: true, records: 3 });

    const v = verifyChain(join_([...log, forge(log)]), { env: KEYED });
    expect(v.ok).toBe(false);
    expect(v.brokenAt).toMatchObject({ line: 4, seq: 4, code: 'downgrade' });
    expect(v.brokenAt!.reason).toBe('unkeyed record after keyed records: forged or downgraded');
    expect(v.records).toBe(3);

    // Claiming the keyed algorithm and the right key id does not help without the key.
    const claimed = verifyChain(join_([...log, forge(log, { alg: 'hmac-sha256', keyId: keyIdOf(KEY) })]), { env: KEYED });
    expect(claimed.brokenAt).toMatchObject({ line: 4, code: 'hash' });
    expect(claimed.head).toBe(JSON.parse(log[2]).hash);
  });

  it('a rewritten tail record with a recomputed plain hash is detected, keyed fields kept or dropped', () => {
    const tail = JSON.parse(log[2]);
    tail.n = 42;
    const keptFields = { ...tail, hash: recordHash(tail) };
    const v1 = verifyChain(join_([log[0], log[1], canonicalJson(keptFields)]), { env: KEYED });
    expect(v1).toMatchObject({ ok: false, records: 2, brokenAt: { line: 3, seq: 3, code: 'hash' } });

    const { alg: _a, keyId: _k, hash: _h, ...stripped } = tail;
    const v2 = verifyChain(join_([log[0], log[1], canonicalJson({ ...stripped, hash: recordHash(stripped) })]), { env: KEYED });
    expect(v2).toMatchObject({ ok: false, records: 2, brokenAt: { line: 3, code: 'downgrade' } });
  });

  it('removing the last record is caught by --expect-head of the old head, and only by it', () => {
    const full = verifyChain(join_(log), { env: KEYED });
    const cut = join_(log.slice(0, 2));
    // Without an anchor the remaining prefix is a valid chain: this is the documented limit.
    expect(verifyChain(cut, { env: KEYED })).toMatchObject({ ok: true, records: 2 });
    const anchored = verifyChain(cut, { env: KEYED, expectHead: full.head });
    expect(anchored.ok).toBe(false);
    expect(anchored.brokenAt).toBeUndefined();
    expect(anchored.anchor).toEqual({ expected: full.head, found: false });
    expect(anchored.reason).toBe('the anchored record is missing: the log was cut or rewritten');
  });

  it('an anchor at the last record means unchanged; an earlier one counts the records appended after it', () => {
    const heads = log.map((l) => JSON.parse(l).hash as string);
    expect(verifyChain(join_(log), { env: KEYED, expectHead: heads[2].toUpperCase() })).toMatchObject({
      ok: true,
      anchor: { expected: heads[2], found: true, line: 3, seq: 3, appendedAfter: 0 },
    });
    expect(verifyChain(join_(log), { env: KEYED, expectHead: heads[0] })).toMatchObject({
      ok: true,
      anchor: { found: true, line: 1, seq: 1, appendedAfter: 2 },
    });
    expect(verifyChain(join_(log), { env: KEYED, expectHead: GENESIS }).anchor).toEqual({ expected: GENESIS, found: true, appendedAfter: 3 });
  });

  it('a wrong key is reported with both key ids, not as tampering', () => {
    const v = verifyChain(join_(log), { env: { RBAC_AUDIT_KEY: OTHER } });
    expect(v).toMatchObject({ ok: false, records: 0, keyed: true, keyId: keyIdOf(OTHER), brokenAt: { line: 1, seq: 1, code: 'wrong-key' } });
    expect(v.brokenAt!.reason).toContain(`written with another key (key id ${keyIdOf(KEY)}`);
    expect(v.brokenAt!.reason).toContain(keyIdOf(OTHER));
    expect(v.brokenAt!.reason).not.toContain(OTHER);
  });

  it('an unknown alg is broken, not skipped', () => {
    const r = JSON.parse(log[0]);
    r.alg = 'none';
    expect(verifyChain(join_([canonicalJson(r), log[1]]), { env: KEYED }).brokenAt).toMatchObject({ line: 1, code: 'alg' });
  });

  it('without a key a keyed log cannot be verified, and the line where keyed records start is named', () => {
    const v = verifyChain(join_(log), { env: NO_KEY });
    expect(v).toMatchObject({ ok: false, keyed: true, records: 0, brokenAt: { line: 1, seq: 1, code: 'no-key' } });
    expect(v.brokenAt!.reason).toContain('set RBAC_AUDIT_KEY');
  });
});

describe('legacy unkeyed records', () => {
  it('a v0.1 unkeyed prefix followed by keyed records verifies, with the prefix counted as unauthenticated', async () => {
    const log = await writeLog(fresh(), ['plain', 'plain', 'keyed', 'keyed']);
    expect(JSON.parse(log[1]).alg).toBeUndefined();
    expect(JSON.parse(log[2]).prev).toBe(JSON.parse(log[1]).hash);
    expect(verifyChain(join_(log), { env: KEYED })).toMatchObject({ ok: true, records: 4, keyed: true, unauthenticated: 2 });
    const noKey = verifyChain(join_(log), { env: NO_KEY });
    expect(noKey).toMatchObject({ ok: false, records: 2, unauthenticated: 2, brokenAt: { line: 3, seq: 3, code: 'no-key' } });
  });

  it('rewriting the unkeyed prefix consistently still breaks the link into the first keyed record', async () => {
    const log = await writeLog(fresh(), ['plain', 'plain', 'keyed']);
    const r1 = JSON.parse(log[0]);
    r1.n = 7;
    r1.hash = recordHash(r1);
    const r2 = JSON.parse(log[1]);
    r2.prev = r1.hash;
    r2.hash = recordHash(r2);
    const v = verifyChain(join_([canonicalJson(r1), canonicalJson(r2), log[2]]), { env: KEYED });
    expect(v).toMatchObject({ ok: false, records: 2, brokenAt: { line: 3, code: 'link' } });
  });

  it('with a key, a log with no keyed record fails unless unkeyed logs are allowed', async () => {
    const log = await writeLog(fresh(), ['plain', 'plain']);
    const strict = verifyChain(join_(log), { env: KEYED });
    expect(strict).toMatchObject({ ok: false, records: 2, keyed: false, unauthenticated: 2, head: JSON.parse(log[1]).hash });
    expect(strict.brokenAt).toBeUndefined();
    expect(strict.reason).toContain('seals');
    expect(verifyChain(join_(log), { env: KEYED, allowUnkeyed: true })).toMatchObject({ ok: true, records: 2, keyed: false });
    // Without a key there is nothing to require: v0.1 behaviour.
    expect(verifyChain(join_(log), { env: NO_KEY })).toMatchObject({ ok: true, records: 2, keyed: false, unauthenticated: 2 });
  });

  it('the one-argument call keeps the v0.1 result shape', async () => {
    const log = await writeLog(fresh(), ['plain']);
    const v = verifyChain(join_(log)) as unknown as Record<string, unknown>;
    expect(Object.keys(v).sort()).toEqual(['head', 'ok', 'records']);
  });
});

describe('appending', () => {
  it('sealing: a keyed append to an unkeyed log links to its head', async () => {
    const file = fresh();
    const plain = await writeLog(file, ['plain']);
    const rec = await appendRecord(file, { v: 1 }, { env: KEYED });
    expect(rec).toMatchObject({ seq: 2, prev: JSON.parse(plain[0]).hash, alg: 'hmac-sha256' });
  });

  it('refuses a keyed log without the key, so an unkeyed record never follows keyed ones', async () => {
    const file = fresh();
    await writeLog(file, ['keyed']);
    const before = await readFile(file, 'utf8');
    const err = await appendRecord(file, { v: 1 }, { env: NO_KEY }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RbacError);
    expect(err).toMatchObject({ code: 'APPLY_FAILED' });
    expect((err as Error).message).toMatch(/^the audit log log-\d+\.jsonl is keyed from line 1/);
    await expect(checkAppendable(file, { env: NO_KEY })).rejects.toThrow(/is keyed from line 1/);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('refuses keyed records that do not verify with the key, naming base name and line only', async () => {
    const file = fresh();
    await writeLog(file, ['plain', 'keyed']);
    const err = await appendRecord(file, { v: 1 }, { env: { RBAC_AUDIT_KEY: OTHER } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'APPLY_FAILED' });
    const msg = (err as Error).message + ((err as RbacError).hint ?? '');
    expect(msg).toMatch(/log-\d+\.jsonl does not verify with RBAC_AUDIT_KEY at line 2: written with another key/);
    expect(msg).not.toContain(dir);
    expect(msg).not.toContain(OTHER);
    await expect(checkAppendable(file, { env: { RBAC_AUDIT_KEY: OTHER } })).rejects.toThrow(/at line 2/);
    await expect(checkAppendable(file, { env: KEYED })).resolves.toBeUndefined();

    const ls = lines(await readFile(file, 'utf8'));
    const forged = JSON.parse(ls[1]);
    forged.n = 5;
    forged.hash = recordHmac(forged, AuditKey.fromEnv({ RBAC_AUDIT_KEY: OTHER })!);
    const tampered = fresh();
    await writeFile(tampered, join_([ls[0], canonicalJson({ ...forged, keyId: keyIdOf(KEY) })]));
    await expect(appendRecord(tampered, { v: 1 }, { env: KEYED })).rejects.toThrow(/broken at line 2: hash mismatch/);
  });
});

describe('the key', () => {
  it('a short key is refused everywhere, naming the variable and never the value', async () => {
    const short = 'short-secret-value-31-bytes-xxx';
    expect(Buffer.byteLength(short)).toBe(31);
    const env = { RBAC_AUDIT_KEY: short };
    const file = fresh();
    for (const attempt of [
      () => AuditKey.fromEnv(env),
      () => auditKeyConfigured(env),
      () => verifyChain('', { env }),
    ]) {
      let err: unknown;
      try {
        attempt();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RbacError);
      const e = err as RbacError;
      expect(e.code).toBe('CONFIG');
      expect(e.message).toContain('RBAC_AUDIT_KEY');
      expect(e.message + e.hint + String(e.stack)).not.toContain(short);
      expect(e.message).not.toContain('31');
    }
    await expect(appendRecord(file, { v: 1 }, { env })).rejects.toThrow(/RBAC_AUDIT_KEY is too short/);
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    // An empty value is most likely a secret that was not injected: refused, not "unkeyed".
    expect(() => AuditKey.fromEnv({ RBAC_AUDIT_KEY: '' })).toThrow(/too short/);
    // 32 bytes of UTF-8, fewer characters: the limit is in bytes.
    expect(AuditKey.fromEnv({ RBAC_AUDIT_KEY: 'é'.repeat(16) })?.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('tells whether a key is configured', () => {
    expect(auditKeyConfigured(KEYED)).toBe(true);
    expect(auditKeyConfigured(NO_KEY)).toBe(false);
  });

  it('never shows the key bytes through JSON, inspect, spread or string conversion', () => {
    const k = AuditKey.fromEnv(KEYED)!;
    expect(k.id).toBe(keyIdOf(KEY));
    for (const shown of [JSON.stringify(k), inspect(k, { showHidden: true, depth: 5 }), JSON.stringify({ ...k }), String(k), Object.keys(k).join()]) {
      expect(shown).not.toContain(KEY);
      expect(shown).not.toContain(Buffer.from(KEY).toString('hex'));
    }
  });
});
