/** `rbac lint` through run(argv, io) with a fake Io: formats, --out, exit codes. No database. */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { fixture } from './helpers.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

async function rbac(argv: string[], cwd = repoRoot) {
  let out = '';
  let err = '';
  const io: Io = { out: (s) => void (out += s), err: (s) => void (err += s), env: {}, stdoutIsTTY: false, stdinIsTTY: false, cwd };
  const code = await run(argv, io);
  return { code, out, err };
}

describe('rbac lint', () => {
  it('prints text findings and exits 1 on an error-level finding', async () => {
    const r = await rbac(['lint', '--config', fixture('phi-clear-access')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^grants\/grants\.yaml:3:5: error\[phi-clear-access\]: role analyst can read PHI in clear/);
    expect(r.out).toContain('\n  hint: ');
    expect(r.out.endsWith('lint: 1 error, 0 warnings\n')).toBe(true);
  });

  it('exits 0 with warnings only, and with no findings', async () => {
    const w = await rbac(['lint', '--config', fixture('role-missing-owner'), '--format', 'json']);
    expect(w.code).toBe(0);
    expect(JSON.parse(w.out).summary).toEqual({ errors: 0, warnings: 1, total: 1 });
    const clean = await rbac(['lint', '--config', fixture('clean')]);
    expect(clean).toEqual({ code: 0, out: 'lint: no findings\n', err: '' });
  });

  it('--format sarif --out writes SARIF with repo-relative URIs and prints only a summary', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rbac-lint-out-'));
    const out = join(dir, 'lint.sarif');
    const r = await rbac(['lint', '--config', relative(repoRoot, fixture('public-grant')), '--format', 'sarif', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.out).not.toContain('error[public-grant]');
    expect(r.out).toMatch(/^lint: 1 finding\(s\), 1 error\(s\), 0 warning\(s\); sarif written to .*lint\.sarif\n$/);
    const log = JSON.parse(await readFile(out, 'utf8'));
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].results[0].locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'test/fixtures/lint/public-grant/grants/grants.yaml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 3, startColumn: 11 },
    });
  });

  it('refuses an unknown format', async () => {
    const r = await rbac(['lint', '--config', fixture('clean'), '--format', 'xml']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown format "xml"');
  });
});
