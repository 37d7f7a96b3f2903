// The audit chain detects a changed byte, a removed record and two swapped records,
// and names the first broken one; rbac audit verify exits 0 / 1 accordingly.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendRecord, canonicalJson, GENESIS, recordHash, verifyChain } from '../../src/audit/chain.js';
import { cli, removeDir } from '../cli-workflows/helpers.js';

describe('canonical JSON', () => {
  it('sorts keys at every level and drops undefined, so equal records hash equally', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined, x: 'é' }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":"é","z":1}]},"b":1}');
    expect(recordHash({ a: 1, b: 2, hash: 'ignored' })).toBe(recordHash({ b: 2, a: 1 }));
  });
});

describe('audit chain', () => {
  let dir: string;
  let file: string;
  let lines: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rbac-t6-audit-'));
    file = join(dir, 'sub', 'audit.jsonl');
    for (let i = 1; i <= 4; i++) await appendRecord(file, { v: 1, event: 'apply', n: i, statements: [{ sql: `GRANT "r${i}" TO "u"`, outcome: 'applied' }] });
    lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
  });
  afterAll(() => removeDir(dir));

  it('links every record to the one before it', () => {
    const recs = lines.map((l) => JSON.parse(l));
    expect(recs.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(recs[0].prev).toBe(GENESIS);
    for (let i = 1; i < 4; i++) expect(recs[i].prev).toBe(recs[i - 1].hash);
    const v = verifyChain(lines.join('\n') + '\n');
    expect(v).toEqual({ ok: true, records: 4, head: recs[3].hash });
  });

  it('detects one changed byte and names that record', () => {
    const changed = [...lines];
    changed[2] = changed[2].replace('"n":3', '"n":8');
    expect(changed[2]).not.toBe(lines[2]);
    const v = verifyChain(changed.join('\n'));
    expect(v.ok).toBe(false);
    expect(v.brokenAt).toMatchObject({ line: 3, seq: 3 });
    expect(v.brokenAt!.reason).toContain('hash mismatch');
    expect(v.records).toBe(2);
  });

  it('detects a changed byte that breaks the JSON', () => {
    const changed = [...lines];
    changed[1] = changed[1].slice(0, 10) + '\u0000' + changed[1].slice(11);
    expect(verifyChain(changed.join('\n')).brokenAt).toMatchObject({ line: 2 });
  });

  it('detects a removed record', () => {
    const removed = lines.filter((_, i) => i !== 1);
    const v = verifyChain(removed.join('\n'));
    expect(v.ok).toBe(false);
    expect(v.brokenAt).toMatchObject({ line: 2, seq: 3 });
    expect(v.brokenAt!.reason).toContain('removed, inserted or reordered');
  });

  it('detects two swapped records', () => {
    const swapped = [lines[0], lines[2], lines[1], lines[3]];
    const v = verifyChain(swapped.join('\n'));
    expect(v.ok).toBe(false);
    expect(v.brokenAt).toMatchObject({ line: 2, seq: 3 });
  });

  it('detects a rewritten record whose own hash was recomputed (the next link breaks)', () => {
    const rec = JSON.parse(lines[1]);
    rec.statements[0].outcome = 'failed';
    rec.hash = recordHash(rec);
    const forged = [lines[0], canonicalJson(rec), lines[2], lines[3]];
    expect(verifyChain(forged.join('\n')).brokenAt).toMatchObject({ line: 3, seq: 3 });
  });

  it('rbac audit verify exits 0 on the intact log and 1 on a broken one', async () => {
    const ok = await cli(dir, ['audit', 'verify', 'sub/audit.jsonl']);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('OK: sub/audit.jsonl: 4 records, chain intact.');
    const broken = join(dir, 'broken.jsonl');
    await writeFile(broken, [lines[0], lines[1], lines[3]].join('\n') + '\n');
    const bad = await cli(dir, ['audit', 'verify', 'broken.jsonl']);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('BROKEN: broken.jsonl: record at line 3 (seq 4)');
    const json = await cli(dir, ['audit', 'verify', 'broken.jsonl', '--format', 'json']);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, records: 2, brokenAt: { line: 3, seq: 4 } });
    expect((await cli(dir, ['audit', 'verify', 'missing.jsonl'])).code).toBe(1);
  });

  it('refuses to append to a broken log', async () => {
    const broken = join(dir, 'broken2.jsonl');
    await writeFile(broken, [lines[1], lines[2]].join('\n') + '\n');
    await expect(appendRecord(broken, { v: 1 })).rejects.toThrow(/broken at line 1/);
  });

  it('serializes concurrent appenders into one valid chain', async () => {
    const f = join(dir, 'concurrent.jsonl');
    await Promise.all(Array.from({ length: 8 }, (_, i) => appendRecord(f, { v: 1, n: i })));
    expect(verifyChain(await readFile(f, 'utf8'))).toMatchObject({ ok: true, records: 8 });
  });

  it('uses RBAC_AUDIT_LOG when no file is given', async () => {
    const r = await cli(dir, ['audit', 'verify'], { RBAC_AUDIT_LOG: 'sub/audit.jsonl' });
    expect(r.code).toBe(0);
  });
});
