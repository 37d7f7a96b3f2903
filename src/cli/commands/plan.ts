/**
 * `rbac plan`: read the target, diff against the configuration, print what would run.
 * With --detailed-exitcode: 0 no changes, 2 changes, 1 error.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderPlanJson } from '../../render/json.js';
import { renderPlanText } from '../../render/text.js';
import { renderPlanMarkdown } from '../../render/markdown.js';
import { EXIT, useColor, type Io } from '../io.js';
import { loadConfig, planTarget } from '../session.js';
import type { Platform } from '../../model/types.js';
import { RbacError } from '../../model/errors.js';
import { PLATFORMS } from '../../model/types.js';

export interface PlanArgs {
  config?: string;
  target?: string;
  format?: string;
  out?: string;
  detailedExitcode?: boolean;
  interactive?: boolean;
  snapshot?: string;
  platform?: string;
}

export const PLAN_FORMATS = ['text', 'json', 'markdown'] as const;

export function checkPlatform(p: string | undefined): Platform | undefined {
  if (p === undefined) return undefined;
  if (!(PLATFORMS as readonly string[]).includes(p)) {
    throw new RbacError('USAGE', `unknown platform "${p}"`, `use one of: ${PLATFORMS.join(', ')}`);
  }
  return p as Platform;
}

export async function planCommand(io: Io, args: PlanArgs): Promise<number> {
  const format = args.format ?? 'text';
  if (!(PLAN_FORMATS as readonly string[]).includes(format)) {
    throw new RbacError('USAGE', `unknown format "${format}"`, `use one of: ${PLAN_FORMATS.join(', ')}`);
  }
  const config = await loadConfig(io, args.config);
  const ui = args.interactive ? await import('../../ui/index.js') : undefined;
  const interactive = ui?.canUseInteractive(io.env, { isTTY: io.stdoutIsTTY }, { isTTY: io.stdinIsTTY }) ?? false;
  if (args.interactive && !interactive) io.err('note: --interactive needs a terminal (and CI unset); printing the plan instead\n');
  const loading = interactive ? ui!.startLoading() : undefined;
  let planned;
  try {
    planned = await planTarget(io, {
      config,
      target: args.target,
      snapshot: args.snapshot,
      platform: checkPlatform(args.platform),
      onPhase: loading?.phase,
    });
  } finally {
    loading?.stop();
  }
  try {
    const { plan, statements } = planned;
    if (interactive) {
      await ui!.runInteractive({
        plan,
        statements,
        targetName: plan.target,
        readOnly: true,
        apply: async () => {
          throw new RbacError('USAGE', 'plan --interactive is read-only; use rbac apply');
        },
      });
      return args.detailedExitcode && plan.changes.length > 0 ? EXIT.CHANGES : EXIT.OK;
    }
    // The saved plan file is always JSON (apply reads it); stdout gets the chosen format.
    if (args.out !== undefined) await writeFile(path.resolve(io.cwd, args.out), renderPlanJson(plan, statements));
    if (format === 'markdown') {
      const hierarchy = planned.desired.memberships.filter((m) => m.memberKind === 'role');
      io.out(renderPlanMarkdown(plan, statements, { hierarchy }));
    } else io.out(format === 'json' ? renderPlanJson(plan, statements) : renderPlanText(plan, statements, { color: useColor(io) }));
    if (plan.problems.some((p) => p.severity === 'error')) return EXIT.ERROR;
    return args.detailedExitcode && plan.changes.length > 0 ? EXIT.CHANGES : EXIT.OK;
  } finally {
    await planned.adapter?.close();
  }
}
