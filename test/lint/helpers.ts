/**
 * Helpers for the lint tests: load a config directory (a fixture under
 * test/fixtures/lint/ or a temporary one written from strings) and normalize it for
 * Postgres, failing loudly when the config itself does not load.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toDesired } from '../../src/config/desired.js';
import { loadProject } from '../../src/config/load.js';
import type { Project } from '../../src/config/project.js';
import { dialectFor } from '../../src/dialects/registry.js';
import type { Desired, Live } from '../../src/model/types.js';
import { lint, type Finding } from '../../src/lint/lint.js';

/** Absolute path of a lint fixture directory (resolved from this file, not the machine). */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/lint/${name}/`, import.meta.url));
}

export const BASE_RBAC = 'version: 1\ndefault_target: local\ntargets:\n  local:\n    platform: postgres\n    embedded: .rbac/pglite\n';

/** Write a config directory under the OS temp dir; rbac.yaml defaults to BASE_RBAC. */
export async function writeConfig(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rbac-lint-'));
  for (const [p, text] of Object.entries({ 'rbac.yaml': BASE_RBAC, ...files })) {
    await mkdir(dirname(join(dir, p)), { recursive: true });
    await writeFile(join(dir, p), text);
  }
  return dir;
}

/** Load and normalize for the default target's platform; throws when the loader or toDesired reports an error. */
export async function loadDir(dir: string): Promise<{ project: Project; desired: Desired }> {
  const { project, diagnostics } = await loadProject(dir);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`config does not load: ${JSON.stringify(errors, null, 2)}`);
  // The default target's platform (Postgres for most fixtures).
  const platform = (project.defaultTarget && project.targets[project.defaultTarget]?.platform) || 'postgres';
  const { desired, diagnostics: d2 } = toDesired(project, dialectFor(platform));
  if (d2.some((d) => d.severity === 'error')) throw new Error(`config does not normalize: ${JSON.stringify(d2, null, 2)}`);
  return { project, desired };
}

/** Lint a fixture by name. */
export async function lintFixture(name: string, live?: Live): Promise<Finding[]> {
  const { project, desired } = await loadDir(fixture(name));
  return lint(project, desired, live);
}

/** Lint a config written from strings. */
export async function lintFiles(files: Record<string, string>, live?: (d: Desired) => Live): Promise<Finding[]> {
  const { project, desired } = await loadDir(await writeConfig(files));
  return lint(project, desired, live?.(desired));
}

/** `ruleId@file:line:col`: compact, exact, readable in a failing assertion. */
export function brief(fs: readonly Finding[]): string[] {
  return fs.map((f) => `${f.ruleId}:${f.severity}@${f.file}:${f.line}:${f.column}`);
}

/** A role entry with description and owner (so the metadata rules stay quiet). */
export function role(name: string, extra = ''): string {
  return `  - name: ${name}\n    description: The ${name} role.\n    owner: team@example.org\n${extra}`;
}
