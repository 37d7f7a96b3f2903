#!/usr/bin/env node
// Launcher. Prefers the precompiled CLI in dist/ (`npm run build`) when it is newer than
// every file under src/, which saves the TypeScript transform on each run; otherwise
// runs the source through tsx, so a fresh clone works without a build step and a stale
// build is never run. The project's tsconfig is named explicitly: rbac runs from any
// directory (--config), and the JSX settings of the terminal UI must not depend on the
// caller's cwd.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const built = new URL('dist/cli/main.js', root);

function newestUnder(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = new URL(e.name + (e.isDirectory() ? '/' : ''), dir);
    newest = Math.max(newest, e.isDirectory() ? newestUnder(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function fresh() {
  if (process.env.RBAC_NO_DIST) return false;
  try {
    return statSync(built).mtimeMs >= newestUnder(new URL('src/', root));
  } catch {
    return false;
  }
}

let main;
if (fresh()) {
  ({ main } = await import(built.href));
} else {
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: fileURLToPath(new URL('tsconfig.json', root)) });
  ({ main } = await import('../src/cli/main.ts'));
}
await main();
