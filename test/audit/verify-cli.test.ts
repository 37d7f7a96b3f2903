// `rbac audit verify` through run() with an explicit Io: exit codes 0/1, text and JSON
// output for keyed, unkeyed, forged, cut, wrong-key and key-less cases, and the key
// never appears in any output. The key is passed in io.env only.
import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendRecord, canonicalJson, recordHash } from '../../src/audit/chain.js';
import type { Io } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { removeDir } from '../cli-workflows/helpers.js';

const KEY = 'cli-audit-key-for-tests-0123456789-abcdefghij';
const OTHER = 'cli-other-audit-key-for-tests-9876543210-zyxw';
const keyIdOf = (k: string) => createHmac('sha256', k).update('rbac audit key id').digest('hex').slice(0, 16);

interface Run {
  code: number;
  out: string;
  err: string;
}

let dir: string;
// Every output of every run, to check afterwards that no key ever reached one.
const outputs: string[] = [];

async function verify(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  let out = '';
  let err = '';
  const io: Io = { out: (s) => void (out += s), err: (s) => void (err += s), env: { NO_COLOR: '1', ...env }, stdoutIsTTY: false, stdinIsTTY: false, cwd: dir };
  const code = await run(['audit', 'verify', ...args], io);
  outputs.push(out, err);
  return { code, out, err };
}

async function log(name: string, kinds: ('plain' | 'keyed')[]): Promise<string[]> {
  const file = join(dir, name);
  for (const [i, k] of kinds.entries()) await appendRecord(file, { v: 1, event: 'apply', n: i + 1 }, { env: k === 'keyed' ? { RBAC_AUDIT_KEY: KEY } : {} });
  return (await readFile(file, 'utf8')).trimEnd().split('\n');
}

const keyed = { RBAC_AUDIT_KEY: KEY };
let keyedLines: string[];
let heads: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rbac-verify-cli-'));
  keyedLines = await log('keyed.jsonl', ['keyed', 'keyed', 'keyed']);
  heads = keyedLines.map((l) => JSON.parse(l).hash as string);
  await log('plain.jsonl', ['plain', 'plain']);
  await log('mixed.jsonl', ['plain', 'plain', 'keyed']);
});
afterAll(() => removeDir(dir));

describe('rbac audit verify', () => {
  it('exit 0 on an intact keyed log, text names the key id and prints the head', async () => {
    const r = await verify(['keyed.jsonl'], keyed);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`OK: keyed.jsonl: 3 records, chain intact, keyed (hmac-sha256, key id ${keyIdOf(KEY)}).\nhead ${heads[2]}\n`);
    expect(r.err).toBe('');
  });

  it('JSON keeps the v0.1 fields and adds keyed, unauthenticated and keyId', async () => {
    const r = await verify(['keyed.jsonl', '--format', 'json'], keyed);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toEqual({ file: 'keyed.jsonl', ok: true, records: 3, head: heads[2], keyed: true, unauthenticated: 0, keyId: keyIdOf(KEY) });
    expect('brokenAt' in j).toBe(false);
  });

  it('exit 1 on a forged appended record with a recomputed SHA-256 hash', async () => {
    const rec: Record<string, unknown> = { v: 1, event: 'apply', n: 4, seq: 4, prev: heads[2] };
    rec.hash = recordHash(rec);
    await writeFile(join(dir, 'forged.jsonl'), [...keyedLines, canonicalJson(rec)].join('\n') + '\n');
    const r = await verify(['forged.jsonl'], keyed);
    expect(r.code).toBe(1);
    expect(r.out).toContain('BROKEN: forged.jsonl: record at line 4 (seq 4): unkeyed record after keyed records: forged or downgraded.');
    expect(r.out).toContain(`3 records before it verify; last good head ${heads[2]}`);
    const j = JSON.parse((await verify(['forged.jsonl', '--format', 'json'], keyed)).out);
    expect(j).toMatchObject({ ok: false, records: 3, keyed: true, brokenAt: { line: 4, seq: 4, code: 'downgrade' } });
  });

  it('a cut tail: exit 0 without an anchor, exit 1 with --expect-head of the old head', async () => {
    await writeFile(join(dir, 'cut.jsonl'), keyedLines.slice(0, 2).join('\n') + '\n');
    const plain = await verify(['cut.jsonl'], keyed);
    expect(plain.code).toBe(0);
    const anchored = await verify(['cut.jsonl', '--expect-head', heads[2]], keyed);
    expect(anchored.code).toBe(1);
    expect(anchored.out).toContain(`ANCHOR MISSING: ${heads[2]}: the anchored record is missing: the log was cut or rewritten.`);
    const j = JSON.parse((await verify(['cut.jsonl', '--expect-head', heads[2], '--format', 'json'], keyed)).out);
    expect(j).toMatchObject({ ok: false, records: 2, anchor: { expected: heads[2], found: false }, reason: 'the anchored record is missing: the log was cut or rewritten' });
  });

  it('an anchor that is still the head, or an earlier record, exits 0 and says how many were appended', async () => {
    const same = await verify(['keyed.jsonl', '--expect-head', heads[2]], keyed);
    expect(same.code).toBe(0);
    expect(same.out).toContain('anchor found at line 3 (seq 3), the last record: unchanged since it was anchored.');
    const earlier = await verify(['keyed.jsonl', '--expect-head', heads[0].toUpperCase()], keyed);
    expect(earlier.code).toBe(0);
    expect(earlier.out).toContain('anchor found at line 1 (seq 1); 2 records appended after it.');
    const j = JSON.parse((await verify(['keyed.jsonl', '--expect-head', heads[1], '--format', 'json'], keyed)).out);
    expect(j.anchor).toEqual({ expected: heads[1], found: true, line: 2, seq: 2, appendedAfter: 1 });
  });

  it('refuses a malformed --expect-head as a usage error', async () => {
    const r = await verify(['keyed.jsonl', '--expect-head', 'abc123'], keyed);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('--expect-head takes the 64-hex-character head');
  });

  it('a wrong key exits 1 with the key id message', async () => {
    const r = await verify(['keyed.jsonl'], { RBAC_AUDIT_KEY: OTHER });
    expect(r.code).toBe(1);
    expect(r.out).toContain(`BROKEN: keyed.jsonl: record at line 1 (seq 1): written with another key (key id ${keyIdOf(KEY)}; RBAC_AUDIT_KEY has key id ${keyIdOf(OTHER)})`);
  });

  it('no key on a keyed log exits 1, naming where keyed records start and the variable', async () => {
    const r = await verify(['mixed.jsonl']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('CANNOT VERIFY: mixed.jsonl: records from line 3 (seq 3) on are keyed and RBAC_AUDIT_KEY is not set.');
    expect(r.out).toContain('2 unkeyed records before them verify; set RBAC_AUDIT_KEY');
    const j = JSON.parse((await verify(['mixed.jsonl', '--format', 'json'])).out);
    expect(j).toMatchObject({ ok: false, keyed: true, records: 2, brokenAt: { line: 3, code: 'no-key' } });
    expect(j.keyId).toBeUndefined();
  });

  it('a v0.1 prefix before keyed records verifies with the key and is reported as unauthenticated', async () => {
    const r = await verify(['mixed.jsonl'], keyed);
    expect(r.code).toBe(0);
    expect(r.out).toContain('OK: mixed.jsonl: 3 records, chain intact, keyed');
    expect(r.out).toContain('2 legacy unkeyed records before the first keyed one are protected only by the link into it.');
    expect(JSON.parse((await verify(['mixed.jsonl', '--format', 'json'], keyed)).out)).toMatchObject({ ok: true, records: 3, unauthenticated: 2 });
  });

  it('a fully unkeyed log without a key verifies as in v0.1 but says what unkeyed means', async () => {
    const r = await verify(['plain.jsonl']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('OK: plain.jsonl: 2 records, chain intact.\nunkeyed: plain SHA-256 detects accidental change only');
    expect(r.out).toContain('Set RBAC_AUDIT_KEY so the next rbac apply seals it.');
    expect(JSON.parse((await verify(['plain.jsonl', '--format', 'json'])).out)).toMatchObject({ ok: true, keyed: false, unauthenticated: 2 });
  });

  it('with a key, an unkeyed log exits 1 unless --allow-unkeyed, with the sealing hint', async () => {
    const strict = await verify(['plain.jsonl'], keyed);
    expect(strict.code).toBe(1);
    expect(strict.out).toContain('NOT KEYED: plain.jsonl: 2 records, chain intact, but no record is keyed');
    expect(strict.out).toContain('The next rbac apply with RBAC_AUDIT_KEY set seals the log');
    expect(strict.out).toMatch(/head [0-9a-f]{64}\n$/);
    const allowed = await verify(['plain.jsonl', '--allow-unkeyed'], keyed);
    expect(allowed.code).toBe(0);
    expect(allowed.out).toContain('Accepted by --allow-unkeyed');
    expect(JSON.parse((await verify(['plain.jsonl', '--allow-unkeyed', '--format', 'json'], keyed)).out)).toMatchObject({ ok: true, keyed: false });
  });

  it('a short key exits 1 naming the variable, never its value', async () => {
    const short = 'tiny-secret-value';
    const r = await verify(['keyed.jsonl'], { RBAC_AUDIT_KEY: short });
    expect(r.code).toBe(1);
    expect(r.err).toContain('error: RBAC_AUDIT_KEY is too short');
    expect(r.out + r.err).not.toContain(short);
  });

  it('an unreadable file exits 1 without an absolute path', async () => {
    const r = await verify(['missing.jsonl'], keyed);
    expect(r.code).toBe(1);
    expect(r.err).toBe('error: cannot read audit log missing.jsonl: ENOENT\n');
  });

  it('--help shows the new flags', async () => {
    let out = '';
    const io: Io = { out: (s) => void (out += s), err: () => {}, env: {}, stdoutIsTTY: false, stdinIsTTY: false, cwd: dir };
    expect(await run(['audit', '--help'], io)).toBe(0);
    expect(out).toContain('rbac audit verify [FILE] [flags]');
    for (const flag of ['--config', '--expect-head', '--allow-unkeyed', '--format']) expect(out).toContain(flag);
  });

  it('no key and no temp directory path ever appears in any output', () => {
    expect(outputs.length).toBeGreaterThan(20);
    for (const o of outputs) {
      expect(o).not.toContain(KEY);
      expect(o).not.toContain(OTHER);
      expect(o).not.toContain(dir);
    }
  });
});
