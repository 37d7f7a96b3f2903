// plan --snapshot honours the target's object_creators exactly as the live plan does,
// so a plan reviewed offline equals the live one and `apply PLANFILE` accepts it.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, exampleConfig, removeDir } from './helpers.js';

describe('plan --snapshot with object_creators', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await exampleConfig('rbac-creators-');
    const yaml = await readFile(join(dir, 'rbac.yaml'), 'utf8');
    // Two creators: the connected user and a second role of the demo.
    const edited = yaml.replace('    embedded: .rbac/pglite\n', '    embedded: .rbac/pglite\n    object_creators: [postgres, etl_loader]\n');
    expect(edited).not.toBe(yaml);
    await writeFile(join(dir, 'rbac.yaml'), edited);
  });
  afterAll(() => removeDir(dir));

  it('the offline plan has the same SQL as the live plan, and apply accepts it', async () => {
    const snap = await cli(dir, ['snapshot', '--out', 'live.snapshot.json']);
    expect(snap.code, snap.err).toBe(0);
    const live = await cli(dir, ['plan', '--format', 'json', '--out', 'live.json']);
    expect(live.code, live.err).toBe(0);
    const offline = await cli(dir, ['plan', '--snapshot', 'live.snapshot.json', '--format', 'json', '--out', 'offline.json']);
    expect(offline.code, offline.err).toBe(0);
    const sql = (text: string) => (JSON.parse(text) as { changes: { sql: string[] }[] }).changes.flatMap((c) => c.sql);
    const liveSql = sql(await readFile(join(dir, 'live.json'), 'utf8'));
    // Default privileges for the second creator are planned on both paths.
    expect(liveSql.some((s) => /ALTER DEFAULT PRIVILEGES FOR ROLE "?etl_loader"?/.test(s))).toBe(true);
    expect(sql(await readFile(join(dir, 'offline.json'), 'utf8'))).toEqual(liveSql);
    const applied = await cli(dir, ['apply', 'offline.json', '--target', 'local', '--auto-approve', '--allow-destructive']);
    expect(applied.code, applied.err).toBe(0);
    const again = await cli(dir, ['plan', '--detailed-exitcode']);
    expect(again.code, again.out).toBe(0);
  });
});
