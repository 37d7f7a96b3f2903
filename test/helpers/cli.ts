/**
 * Drive the CLI in-process: `run(argv, io)` with captured output, and a temporary
 * copy of the example configuration whose embedded target lives in a temp directory.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Captured {
  code: number;
  out: string;
  err: string;
}

export async function rbac(argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; tty?: boolean } = {}): Promise<Captured> {
  let out = '';
  let err = '';
  const io: Io = {
    out: (s) => void (out += s),
    err: (s) => void (err += s),
    env: { ...(opts.env ?? {}) },
    stdoutIsTTY: opts.tty ?? false,
    stdinIsTTY: opts.tty ?? false,
    cwd: opts.cwd ?? repoRoot,
  };
  const code = await run(argv, io);
  return { code, out, err };
}

/** Copy rbac.yaml, roles/ and grants/ into a temp dir; the embedded target stays relative (.rbac/pglite). */
/**
 * The example configuration's grants in its second database (`research`) live in one
 * file: tests that reach one database only (an ad-hoc --target URL, an in-memory
 * PGlite) leave it out.
 */
export const RESEARCH_GRANTS = path.join('grants', 'research.yaml');

/** A Desired of the example configuration without its second database. */
export function withoutResearch<T extends { grants: { object: { database: string } }[]; schemaWide: { schema: { database: string } }[]; futureGrants: { schema: { database: string } }[] }>(d: T): T {
  return {
    ...d,
    grants: d.grants.filter((g) => g.object.database !== 'research'),
    schemaWide: d.schemaWide.filter((w) => w.schema.database !== 'research'),
    futureGrants: d.futureGrants.filter((f) => f.schema.database !== 'research'),
  };
}

export async function tempConfig(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rbac-cfg-'));
  await cp(path.join(repoRoot, 'roles'), path.join(dir, 'roles'), { recursive: true });
  await cp(path.join(repoRoot, 'grants'), path.join(dir, 'grants'), { recursive: true });
  await writeFile(path.join(dir, 'rbac.yaml'), await readFile(path.join(repoRoot, 'rbac.yaml'), 'utf8'));
  return dir;
}

/**
 * rbac.yaml of one Databricks target `lakehouse` (the default), host and token from
 * DATABRICKS_HOST / DATABRICKS_TOKEN, on warehouse `warehouse`; `extra` are more target
 * keys, already indented (`    manage_membership: true\n`).
 */
export function databricksRbacYaml(warehouse: string, extra = ''): string {
  return `version: 1
mode: authoritative
default_target: lakehouse
targets:
  lakehouse:
    platform: databricks
    host: \${DATABRICKS_HOST}
    http_path: /sql/1.0/warehouses/${warehouse}
    token: \${DATABRICKS_TOKEN}
${extra}`;
}
