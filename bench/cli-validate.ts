/**
 * Wall time of `rbac validate` on a 400-role configuration, run as a user runs it, next
 * to `node -e ''` (the floor: starting Node at all). Paths: the precompiled CLI (dist/,
 * `npm run build`, built here first), the source through tsx (RBAC_NO_DIST=1), and npx.
 * Target from issue 13: under 1 s wall for the precompiled path. Median of 5 runs each.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../', import.meta.url));

function medianMs(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd: repo, env: { ...process.env, ...env }, stdio: 'pipe' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return Math.round(times.sort((a, b) => a - b)[2]);
}

export async function benchCliValidate(roles = 400): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'rbac-bench-cli-'));
  try {
    await mkdir(join(dir, 'roles'));
    await mkdir(join(dir, 'grants'));
    await copyFile(join(repo, 'rbac.yaml'), join(dir, 'rbac.yaml'));
    await writeFile(join(dir, 'roles', 'a.yaml'), `roles:\n${Array.from({ length: roles }, (_, i) => `  - name: r${i}`).join('\n')}\n`);
    const grants = Array.from({ length: roles }, (_, i) => `  - role: r${i}\n    privileges: [select]\n    on: { table: ehr.clinical.patients }`);
    await writeFile(join(dir, 'grants', 'a.yaml'), `grants:\n${grants.join('\n')}\n`);
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: repo, stdio: 'pipe' });
    const args = ['validate', '--config', dir];
    const floor = medianMs(process.execPath, ['-e', '']);
    const precompiled = medianMs(process.execPath, ['bin/rbac.js', ...args]);
    const tsx = medianMs(process.execPath, ['bin/rbac.js', ...args], { RBAC_NO_DIST: '1' });
    const npx = medianMs('npx', ['rbac', ...args]);
    return { name: 'cli-validate', roles, floorMs: floor, precompiledMs: precompiled, tsxMs: tsx, npxMs: npx, targetMs: 1000, withinTarget: precompiled < 1000 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
