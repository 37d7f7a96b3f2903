/** `rbac lint` through run(argv, io) with a fake Io: formats, --out, exit codes. No database. */
import { cp, mkdir, mkdtemp, readFile } from 'node:fs/promises';
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
    expect(clean).toEqual({
      code: 0,
      out:
        'safe harbor: de-identified role researcher (45 CFR 164.514(b)(2)), Expert Determination by Example Biostatistics LLC on 2026-01-15\n' +
        '  ehr.clinical.patients.ssn (ssn) masked by ssn_hash (hash): does not satisfy 164.514(b)(2)(i)(G): hash is a code derived from the identifier, not allowed as a re-identification code under 164.514(c); allowed by the Expert Determination of Example Biostatistics LLC on 2026-01-15 (report ED-2026-007)\n' +
        'lint: no findings\n',
      err: '',
    });
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

  it('SARIF URIs are relative to the git root of the config directory, whatever the current directory', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'rbac-lint-cwd-'));
    const r = await rbac(['lint', '--config', fixture('public-grant'), '--format', 'sarif'], elsewhere);
    const loc = JSON.parse(r.out).runs[0].results[0].locations[0].physicalLocation.artifactLocation;
    expect(loc).toEqual({ uri: 'test/fixtures/lint/public-grant/grants/grants.yaml', uriBaseId: '%SRCROOT%' });
  });

  it('SARIF URIs fall back to the config directory outside any repository, and find a .git folder above it', async () => {
    const top = await mkdtemp(join(tmpdir(), 'rbac-lint-repo-'));
    await cp(fixture('public-grant'), join(top, 'infra', 'rbac'), { recursive: true });
    const uri = async () => JSON.parse((await rbac(['lint', '--config', join(top, 'infra', 'rbac'), '--format', 'sarif'])).out).runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri;
    expect(await uri()).toBe('grants/grants.yaml');
    await mkdir(join(top, '.git'));
    expect(await uri()).toBe('infra/rbac/grants/grants.yaml');
  });

  it('the example configuration: each mask of the de-identified role names the Safe Harbor paragraph it satisfies', async () => {
    const r = await rbac(['lint']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('ehr.clinical.patients.zip (geographic) masked by zip3_only (zip3): satisfies 164.514(b)(2)(i)(B)');
    expect(r.out).toContain('ehr.clinical.patients.birth_date (date) masked by birth_year_only (year): satisfies 164.514(b)(2)(i)(C)');
    expect(r.out).toMatch(/mrn_hash \(hash\): does not satisfy 164\.514\(b\)\(2\)\(i\)\(H\).*allowed by the Expert Determination/);
    // JSON keeps its shape: findings and summary only.
    expect(Object.keys(JSON.parse((await rbac(['lint', '--format', 'json'])).out))).toEqual(['findings', 'summary']);
  });

  it('refuses an unknown format', async () => {
    const r = await rbac(['lint', '--config', fixture('clean'), '--format', 'xml']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown format "xml"');
  });
});
