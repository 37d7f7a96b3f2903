/**
 * Helpers for driving the CLI in tests: a temp copy of the example configuration (its
 * `embedded:` target then points into the temp dir, never the repo's .rbac/), a fake
 * Io that records output, and SQL by hand on the embedded demo between commands.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { openPglite } from '../../src/dialects/postgres/driver.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Copy rbac.yaml, roles/ and grants/ of the example into a new temp dir. */
export async function exampleConfig(prefix = 'rbac-t6-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  for (const p of ['rbac.yaml', 'roles', 'grants']) await cp(join(REPO_ROOT, p), join(dir, p), { recursive: true });
  return dir;
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

/** The result of one CLI run. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Run `rbac ARGV` in `cwd` with a recording, non-TTY Io. */
export async function cli(cwd: string, argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const io: Io = {
    out: (s) => void (out += s),
    err: (s) => void (err += s),
    env: { NO_COLOR: '1', ...env },
    stdoutIsTTY: false,
    stdinIsTTY: false,
    cwd,
  };
  const code = await run(argv, io);
  return { code, out, err };
}

/** Run SQL on the embedded demo of a config dir (the CLI must not hold it open). */
export async function sqlOnDemo(configDir: string, sql: string): Promise<Record<string, unknown>[]> {
  const s = await openPglite(join(configDir, '.rbac', 'pglite'));
  try {
    // Several statements go through the simple protocol (no rows back).
    if (sql.includes(';')) {
      await s.exec(sql);
      return [];
    }
    return await s.query(sql);
  } finally {
    await s.close();
  }
}
