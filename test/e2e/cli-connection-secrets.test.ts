/**
 * Through the CLI as a user runs it: a connection string given with --target, as a URL
 * whose password holds `@` or as a libpq key=value string, never shows its password,
 * not on stdout, not on stderr, not in any file the run writes. The server is refused
 * (port 1), so no PostgreSQL is needed.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rbac, tempConfig } from '../helpers/cli.js';

const LEAKS = ['P@ssw0rd', 'ssw0rd', 'P%40ssw0rd', 'P%40ssw0rd'.toLowerCase()];

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    // The embedded demo's database files are binary and hold no target.
    if (e.isFile() && !e.parentPath.includes('pglite')) out.push(path.join(e.parentPath, e.name));
  }
  return out;
}

describe('CLI: --target connection strings never print their password', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempConfig();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['a URL with @ in the password', 'postgres://u:P@ssw0rd@127.0.0.1:1/db'],
    ['a URL with the password percent-encoded', 'postgres://u:P%40ssw0rd@127.0.0.1:1/db'],
    ['a key=value string', 'host=127.0.0.1 port=1 dbname=db user=u password=P@ssw0rd'],
    ['a key=value string, quoted', "host=127.0.0.1 port=1 dbname=db user=u password='P@ssw0rd'"],
  ])('plan with %s: refused, masked, nothing leaks', async (_what, target) => {
    const r = await rbac(['plan', '--config', dir, '--target', target]);
    expect(r.code).toBe(1);
    // The error names the target in its masked form, so the user sees what was tried.
    expect(r.err).toContain('postgres://u:****@127.0.0.1:1/db');
    for (const leak of LEAKS) {
      expect(r.out, leak).not.toContain(leak);
      expect(r.err, leak).not.toContain(leak);
    }
    for (const f of await filesUnder(dir)) {
      const text = await readFile(f, 'utf8');
      for (const leak of LEAKS) expect(text, `${leak} in ${path.relative(dir, f)}`).not.toContain(leak);
    }
  });

  it.each([
    ['a misspelled keyword', 'host=127.0.0.1 pasword=P@ssw0rd', /pasword/],
    ['a URL with one slash', 'postgres:/u:P@ssw0rd@127.0.0.1:1/db', /unknown target \(not shown/],
    ['an unquoted password with a space', 'host=127.0.0.1 password=P@ss w0rd', /position/],
  ])('a bad --target (%s) is refused without echoing it', async (_what, target, message) => {
    const r = await rbac(['plan', '--config', dir, '--target', target]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    for (const leak of [...LEAKS, 'w0rd']) expect(r.out + r.err, leak).not.toContain(leak);
  });
});
