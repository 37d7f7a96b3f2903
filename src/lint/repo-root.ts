/**
 * The repository root SARIF URIs are relative to (`%SRCROOT%`): the nearest folder at or
 * above the config directory that holds `.git` (a folder, or a file in a worktree or
 * submodule), else the config directory itself. Read from the file system, never by
 * running git, so it works where git is not installed (a container running the CLI).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';

/** The repository root of `configDir` (absolute), or `configDir` when it is in none. */
export async function repositoryRoot(configDir: string): Promise<string> {
  let dir = path.resolve(configDir);
  for (;;) {
    if (await stat(path.join(dir, '.git')).then(() => true, () => false)) return dir;
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(configDir);
    dir = up;
  }
}

/** The config directory relative to its repository root, `/`-separated ('' at the root). */
export async function configPrefix(configDir: string): Promise<string> {
  const rel = path.relative(await repositoryRoot(configDir), path.resolve(configDir));
  return rel.split(path.sep).join('/');
}
