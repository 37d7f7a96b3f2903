/**
 * loadProject against a hostile or broken config directory: FIFOs, devices, folders
 * named like YAML, dangling links, link loops, files where folders belong, oversized
 * files, unreadable files. Each case starts from a valid config (BASE_RBAC plus one
 * roles and one grants file) so the problem under test is the only one, and asserts
 * the loader reports it as a located diagnostic instead of hanging, reading forever or
 * throwing a raw error that names an absolute path.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, realpath, rm, stat as realStat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Diagnostic } from '../../src/config/diagnostics.js';
import { loadProject, MAX_FILE_BYTES } from '../../src/config/load.js';
import { errors, only, writeConfig } from './helpers.js';

const ROLES = 'users:\n  - name: alice\nroles:\n  - name: analyst\n    members: [alice]\n';
const GRANTS = 'grants:\n  - role: analyst\n    privileges: [select]\n    on: { table: ehr.clinical.patients }\n';

/** A case that would hang or read without end if it regressed fails within this. */
const FAST = 5_000;

const posix = process.platform !== 'win32';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

const dirs: string[] = [];
const fifos: string[] = [];
const locked: string[] = [];

afterEach(async () => {
  // If a regression left the loader blocked opening a FIFO, a writer-side open lets it
  // finish (with end of file) so the worker does not stay stuck after the timeout.
  for (const f of fifos.splice(0)) {
    try {
      closeSync(openSync(f, constants.O_RDWR | constants.O_NONBLOCK));
    } catch {
      // already removed
    }
  }
  for (const p of locked.splice(0)) await chmod(p, 0o755).catch(() => undefined);
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A valid config in a fresh temporary folder; the case then adds its one problem. */
async function config(files: Record<string, string> = {}): Promise<string> {
  const dir = await writeConfig({ 'roles/a.yaml': ROLES, 'grants/a.yaml': GRANTS, ...files });
  dirs.push(dir);
  return dir;
}

function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
  fifos.push(path);
}

/** The config is otherwise intact: the valid files were still read and checked. */
function expectRestLoaded(project: Awaited<ReturnType<typeof loadProject>>['project']): void {
  expect(project.roles.map((r) => r.name.text)).toEqual(['analyst']);
  expect(project.grants).toHaveLength(1);
}

describe.skipIf(!posix)('loadProject: only regular files are read', () => {
  it(
    'refuses a FIFO named like YAML without blocking on it',
    async () => {
      const dir = await config();
      mkfifo(join(dir, 'roles/pipe.yaml'));
      const { project, diagnostics } = await loadProject(dir);
      expect(errors(diagnostics)).toHaveLength(1);
      const d = only(diagnostics, 'not-regular-file');
      expect(d).toMatchObject({ severity: 'error', file: 'roles/pipe.yaml', line: 1, column: 1 });
      expect(d.message).toBe('roles/pipe.yaml is a named pipe (FIFO), not a regular file; it was not read');
      expect(d.hint).toContain('replace it with a regular file');
      expectRestLoaded(project);
      expect(project.files.map((f) => f.path)).toEqual(['grants/a.yaml', 'rbac.yaml', 'roles/a.yaml']);
    },
    FAST,
  );

  it(
    'refuses rbac.yaml when it is a FIFO',
    async () => {
      const dir = await config();
      await rm(join(dir, 'rbac.yaml'));
      mkfifo(join(dir, 'rbac.yaml'));
      const { diagnostics } = await loadProject(dir);
      const d = only(diagnostics, 'not-regular-file');
      expect(d).toMatchObject({ file: 'rbac.yaml', line: 1, column: 1 });
      expect(d.message).toContain('rbac.yaml is a named pipe (FIFO)');
      expect(d.hint).toContain('make rbac.yaml a regular file');
    },
    FAST,
  );

  it(
    'refuses a symbolic link to /dev/zero instead of reading it',
    async () => {
      const dir = await config();
      await symlink('/dev/zero', join(dir, 'roles/zero.yaml'));
      const { project, diagnostics } = await loadProject(dir);
      expect(errors(diagnostics)).toHaveLength(1);
      const d = only(diagnostics, 'not-regular-file');
      expect(d).toMatchObject({ file: 'roles/zero.yaml', line: 1, column: 1 });
      expect(d.message).toBe('roles/zero.yaml is a symbolic link to a character device, not a regular file; it was not read');
      expectRestLoaded(project);
    },
    FAST,
  );

  it(
    'refuses rbac.yaml when it is a symbolic link to a character device',
    async () => {
      const dir = await config();
      await rm(join(dir, 'rbac.yaml'));
      await symlink('/dev/zero', join(dir, 'rbac.yaml'));
      const { project, diagnostics } = await loadProject(dir);
      const d = only(diagnostics, 'not-regular-file');
      expect(d).toMatchObject({ file: 'rbac.yaml', line: 1, column: 1 });
      expect(d.message).toContain('rbac.yaml is a symbolic link to a character device');
      expect(project.files.map((f) => f.path)).not.toContain('rbac.yaml');
    },
    FAST,
  );

  it('refuses a folder named like YAML', async () => {
    const dir = await config();
    await mkdir(join(dir, 'grants/dir.yaml'));
    await writeFile(join(dir, 'grants/dir.yaml/inner.yaml'), GRANTS);
    const { project, diagnostics } = await loadProject(dir);
    expect(errors(diagnostics)).toHaveLength(1);
    const d = only(diagnostics, 'not-regular-file');
    expect(d).toMatchObject({ file: 'grants/dir.yaml', line: 1, column: 1 });
    expect(d.message).toBe('grants/dir.yaml is a folder, not a regular file; it was not read');
    expect(d.hint).toContain('only files directly under grants/ are read');
    expectRestLoaded(project);
  });

  it('accepts a symbolic link to a regular file outside the config root', async () => {
    const dir = await config();
    const shared = await mkdtemp(join(tmpdir(), 'rbac-shared-'));
    dirs.push(shared);
    const text = 'roles:\n  - name: shared_reader\n';
    await writeFile(join(shared, 'common.yaml'), text);
    await symlink(join(shared, 'common.yaml'), join(dir, 'roles/shared.yaml'));
    const { project, diagnostics } = await loadProject(dir);
    expect(diagnostics).toEqual([]);
    expect(project.roles.map((r) => r.name.text).sort()).toEqual(['analyst', 'shared_reader']);
    const f = project.files.find((x) => x.path === 'roles/shared.yaml');
    expect(f?.bytes).toBe(Buffer.byteLength(text));
    expect(project.roles.find((r) => r.name.text === 'shared_reader')?.source.file).toBe('roles/shared.yaml');
  });

  it(
    'refuses a FIFO swapped in after the stat: the open does not block and fstat refuses it',
    async () => {
      const dir = await config();
      mkfifo(join(dir, 'roles/swapped.yaml'));
      const { project, diagnostics } = await loadWithLyingStat(dir, 'swapped.yaml', join(dir, 'roles/a.yaml'));
      expect(errors(diagnostics)).toHaveLength(1);
      const d = only(diagnostics, 'not-regular-file');
      expect(d).toMatchObject({ file: 'roles/swapped.yaml', line: 1, column: 1 });
      expect(d.message).toContain('is a named pipe (FIFO), not a regular file');
      expectRestLoaded(project);
    },
    FAST,
  );
});

/**
 * loadProject from a fresh module graph in which the loader's `stat` reports `asIf`'s
 * metadata for paths ending in `suffix`: a stand-in for an entry swapped between stat
 * and open, or for a file whose size stat gets wrong (as under /proc).
 */
async function loadWithLyingStat(dir: string, suffix: string, asIf: string) {
  const fake = await realStat(asIf);
  vi.resetModules();
  vi.doMock('node:fs/promises', async (importOriginal) => {
    const fsp = await importOriginal<typeof import('node:fs/promises')>();
    return { ...fsp, stat: async (p: string) => (String(p).endsWith(suffix) ? fake : fsp.stat(p)) };
  });
  try {
    const { loadProject: load } = await import('../../src/config/load.js');
    return await load(dir);
  } finally {
    vi.doUnmock('node:fs/promises');
    vi.resetModules();
  }
}

describe.skipIf(!posix)('loadProject: broken links and misplaced files are diagnostics', () => {
  it('a dangling symbolic link', async () => {
    const dir = await config();
    await symlink('missing.yaml', join(dir, 'roles/gone.yaml'));
    const { project, diagnostics } = await loadProject(dir);
    expect(errors(diagnostics)).toHaveLength(1);
    const d = only(diagnostics, 'dangling-symlink');
    expect(d).toMatchObject({ file: 'roles/gone.yaml', line: 1, column: 1 });
    expect(d.message).toBe('roles/gone.yaml is a symbolic link to something that does not exist');
    expect(d.hint).toContain('fix the link');
    expectRestLoaded(project);
  });

  it('a symbolic link loop reports each link of the loop', async () => {
    const dir = await config();
    await symlink('loop-b.yaml', join(dir, 'roles/loop-a.yaml'));
    await symlink('loop-a.yaml', join(dir, 'roles/loop-b.yaml'));
    const { project, diagnostics } = await loadProject(dir);
    const ds = diagnostics.filter((d) => d.code === 'symlink-loop');
    expect(ds.map((d) => [d.file, d.line, d.column])).toEqual([
      ['roles/loop-a.yaml', 1, 1],
      ['roles/loop-b.yaml', 1, 1],
    ]);
    expect(ds[0].message).toBe('roles/loop-a.yaml is a symbolic link loop (too many levels of symbolic links, ELOOP)');
    expect(errors(diagnostics)).toHaveLength(2);
    expectRestLoaded(project);
  });

  it('roles being a regular file is reported at roles, and grants are still read', async () => {
    const dir = await writeConfig({ roles: ROLES, 'grants/a.yaml': GRANTS });
    dirs.push(dir);
    const { project, diagnostics } = await loadProject(dir);
    const d = only(diagnostics, 'not-a-directory');
    expect(d).toMatchObject({ severity: 'error', file: 'roles', line: 1, column: 1 });
    expect(d.message).toBe('roles is a regular file, but it must be a folder of .yaml files');
    expect(d.hint).toContain('create a folder roles/');
    // The grant's role is now undefined: proof grants/a.yaml was read despite roles.
    expect(only(diagnostics, 'undefined-role').file).toBe('grants/a.yaml');
    expect(project.files.map((f) => f.path)).toEqual(['grants/a.yaml', 'rbac.yaml']);
  });

  it('grants being a dangling symbolic link is reported at grants, not silently empty', async () => {
    const dir = await writeConfig({ 'roles/a.yaml': ROLES });
    dirs.push(dir);
    await symlink('../shared-grants', join(dir, 'grants'));
    const { diagnostics } = await loadProject(dir);
    const d = only(diagnostics, 'dangling-symlink');
    expect(d).toMatchObject({ file: 'grants', line: 1, column: 1 });
    expect(d.message).toBe('grants is a symbolic link to something that does not exist');
    expect(d.hint).toContain('existing folder');
  });

  it('a config root that is a file (--config rbac.yaml) is one diagnostic', async () => {
    const dir = await config();
    const { project, diagnostics } = await loadProject(join(dir, 'rbac.yaml'));
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'not-a-directory', file: 'rbac.yaml', line: 1, column: 1 });
    expect(diagnostics[0].message).toBe('the config root is a regular file, not a folder');
    expect(diagnostics[0].hint).toContain('--config');
    expect(project.files).toEqual([]);
  });

  it('a missing rbac.yaml keeps its message', async () => {
    const dir = await config();
    await rm(join(dir, 'rbac.yaml'));
    const { diagnostics } = await loadProject(dir);
    const d = only(diagnostics, 'io');
    expect(d).toMatchObject({ file: 'rbac.yaml', line: 1, column: 1, message: 'no rbac.yaml in the config directory' });
  });
});

describe.skipIf(!posix)('loadProject: the size limit is enforced on the bytes read', () => {
  it('refuses a file over MAX_FILE_BYTES (sparse, so nothing big is written)', async () => {
    const dir = await config({ 'roles/big.yaml': 'roles: []\n' });
    await truncate(join(dir, 'roles/big.yaml'), MAX_FILE_BYTES + 1);
    const { project, diagnostics } = await loadProject(dir);
    expect(errors(diagnostics)).toHaveLength(1);
    const d = only(diagnostics, 'yaml-too-large');
    expect(d).toMatchObject({ file: 'roles/big.yaml', line: 1, column: 1 });
    expect(d.message).toBe(`roles/big.yaml is larger than ${MAX_FILE_BYTES} bytes (8 MiB); it was not read`);
    expect(project.files.map((f) => f.path)).not.toContain('roles/big.yaml');
    expectRestLoaded(project);
  });

  it('refuses an oversized file even when stat reports a small size', async () => {
    const dir = await config({ 'roles/big.yaml': 'roles: []\n' });
    await truncate(join(dir, 'roles/big.yaml'), MAX_FILE_BYTES + 1);
    const { diagnostics } = await loadWithLyingStat(dir, 'big.yaml', join(dir, 'roles/a.yaml'));
    expect(only(diagnostics, 'yaml-too-large')).toMatchObject({ file: 'roles/big.yaml', line: 1, column: 1 });
  });

  it('reads a file of exactly MAX_FILE_BYTES (the limit is inclusive)', async () => {
    const dir = await config({ 'roles/edge.yaml': 'roles: []\n' });
    await truncate(join(dir, 'roles/edge.yaml'), MAX_FILE_BYTES);
    const { project, diagnostics } = await loadProject(dir);
    expect(diagnostics.filter((d) => d.code === 'yaml-too-large')).toEqual([]);
    // The NUL padding is not YAML; what matters is that it was read in full.
    expect(project.files.find((f) => f.path === 'roles/edge.yaml')?.bytes).toBe(MAX_FILE_BYTES);
  });
});

describe.skipIf(!posix)('loadProject: permissions', () => {
  it.skipIf(isRoot)('an unreadable file and an unreadable folder (skipped as root: root bypasses file modes)', async () => {
    const dir = await config({ 'roles/secret.yaml': ROLES.replace('analyst', 'auditor') });
    await chmod(join(dir, 'roles/secret.yaml'), 0o000);
    locked.push(join(dir, 'roles/secret.yaml'));
    await chmod(join(dir, 'grants'), 0o000);
    locked.push(join(dir, 'grants'));
    const { project, diagnostics } = await loadProject(dir);
    const ds = diagnostics.filter((d) => d.code === 'permission-denied');
    expect(ds.map((d) => [d.file, d.line, d.column])).toEqual([
      ['grants', 1, 1],
      ['roles/secret.yaml', 1, 1],
    ]);
    expect(ds[0].message).toBe('cannot list the folder grants: permission denied (EACCES)');
    expect(ds[1].message).toBe('cannot read roles/secret.yaml: permission denied (EACCES)');
    expect(ds.every((d) => d.hint?.includes('permission'))).toBe(true);
    expect(project.roles.map((r) => r.name.text)).toEqual(['analyst']);
  });
});

describe.skipIf(!posix)('loadProject: every problem at once, no absolute paths', () => {
  it(
    'reports each broken entry in one run and no message or hint names the temporary folder',
    async () => {
      const dir = await config({ 'grants/big.yaml': 'grants: []\n' });
      mkfifo(join(dir, 'roles/pipe.yaml'));
      await symlink('/dev/zero', join(dir, 'roles/zero.yaml'));
      await symlink('missing.yaml', join(dir, 'roles/gone.yaml'));
      await symlink('loop-b.yaml', join(dir, 'roles/loop-a.yaml'));
      await symlink('loop-a.yaml', join(dir, 'roles/loop-b.yaml'));
      await mkdir(join(dir, 'grants/dir.yaml'));
      await truncate(join(dir, 'grants/big.yaml'), MAX_FILE_BYTES + 1);
      const { project, diagnostics } = await loadProject(dir);
      expect(errors(diagnostics).map((d) => `${d.file} ${d.code}`)).toEqual([
        'grants/big.yaml yaml-too-large',
        'grants/dir.yaml not-regular-file',
        'roles/gone.yaml dangling-symlink',
        'roles/loop-a.yaml symlink-loop',
        'roles/loop-b.yaml symlink-loop',
        'roles/pipe.yaml not-regular-file',
        'roles/zero.yaml not-regular-file',
      ]);
      expectRestLoaded(project);
      expectNoAbsolutePath(diagnostics, [dir, await realpath(dir), tmpdir()]);
      // The other failure paths, each in its own directory.
      const rootIsFile = await loadProject(join(dir, 'grants/a.yaml'));
      const missingRoot = await loadProject(join(dir, 'no-such-folder'));
      expect(rootIsFile.diagnostics).toHaveLength(1);
      expect(missingRoot.diagnostics.map((d) => d.code)).toEqual(['io']);
      expectNoAbsolutePath([...rootIsFile.diagnostics, ...missingRoot.diagnostics], [dir, await realpath(dir), tmpdir()]);
    },
    FAST,
  );
});

function expectNoAbsolutePath(ds: Diagnostic[], roots: string[]): void {
  expect(ds.length).toBeGreaterThan(0);
  for (const d of ds) {
    for (const text of [d.message, d.hint ?? '', d.file]) {
      for (const root of roots) expect(text).not.toContain(root);
      // Not the temporary folder under another spelling either: nothing starts at /.
      expect(text).not.toMatch(/(^|[\s'"(])\//);
    }
  }
}
