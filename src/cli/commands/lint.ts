/**
 * `rbac lint`: check the configuration (and with --target the live grants of its
 * managed roles) against least privilege and the PHI rules. Exit 1 when any finding is
 * an error, else 0. With --out the chosen format goes to the file and stdout gets a
 * one-line summary only (the counts and the file), so a CI log stays short while the
 * SARIF file is uploaded.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { dialectFor } from '../../dialects/registry.js';
import type { Dialect } from '../../dialects/types.js';
import { RbacError } from '../../model/errors.js';
import type { Desired, Live } from '../../model/types.js';
import { LINT_FORMATS, renderLint, type LintFormat } from '../../lint/format.js';
import { lint } from '../../lint/lint.js';
import { configPrefix } from '../../lint/repo-root.js';
import { renderSafeHarborText, safeHarborCoverage } from '../../lint/safe-harbor.js';
import { EXIT, useColor, type Io } from '../io.js';
import { desiredFor, loadConfig, planTarget } from '../session.js';

/** Arguments of `rbac lint`, as parsed by main.ts. */
export interface LintArgs {
  config?: string;
  target?: string;
  format?: string;
  out?: string;
}

/** Run `rbac lint`; returns the exit code (1 when any finding is an error). */
export async function lintCommand(io: Io, args: LintArgs): Promise<number> {
  const format = (args.format ?? 'text') as LintFormat;
  if (!LINT_FORMATS.includes(format)) {
    throw new RbacError('USAGE', `unknown format "${args.format}"`, `use one of: ${LINT_FORMATS.join(', ')}`);
  }
  const config = await loadConfig(io, args.config);
  const { project, root } = config;
  let desired: Desired;
  let live: Live | undefined;
  if (args.target !== undefined) {
    const planned = await planTarget(io, { config, target: args.target });
    try {
      desired = planned.desired;
      live = planned.live;
    } finally {
      await planned.adapter?.close();
    }
  } else {
    // Without a target, lint the names as the default target's platform folds them.
    const platform = project.defaultTarget ? project.targets[project.defaultTarget]?.platform : undefined;
    let dialect: Dialect;
    try {
      dialect = dialectFor(platform ?? 'postgres');
    } catch {
      dialect = dialectFor('postgres');
    }
    desired = desiredFor(io, project, dialect);
  }

  const findings = lint(project, desired, live);
  // SARIF URIs are relative to the repository root (the git root of the config directory), wherever the CLI runs from.
  const uriPrefix = await configPrefix(root);
  // The text report also says, for each de-identified role, which Safe Harbor paragraph
  // each of its masks satisfies (or why not); JSON and SARIF keep their shapes.
  const safeHarbor = renderSafeHarborText(safeHarborCoverage(project, desired, live));
  const rendered = (format === 'text' ? safeHarbor : '') + renderLint(findings, format, { color: useColor(io), uriPrefix });
  if (args.out !== undefined) {
    await writeFile(path.resolve(io.cwd, args.out), format === 'text' ? renderLint(findings, 'text') : rendered);
    const count = (sev: string) => findings.filter((f) => f.severity === sev).length;
    io.out(`lint: ${findings.length} finding(s), ${count('error')} error(s), ${count('warning')} warning(s); ${format} written to ${args.out}\n`);
  } else {
    io.out(rendered);
  }
  return findings.some((f) => f.severity === 'error') ? EXIT.ERROR : EXIT.OK;
}
