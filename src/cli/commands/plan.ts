/**
 * `rbac plan`: read the target, diff against the configuration, print what would run.
 * With --detailed-exitcode: 0 no changes, 2 changes, 1 error.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderPlanJson } from '../../render/json.js';
import { renderPlanText } from '../../render/text.js';
import { DEFAULT_MAX_CHARS, MIN_MAX_CHARS, renderPlanMarkdownFit } from '../../render/markdown.js';
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
  /** markdown: the most characters of output (default DEFAULT_MAX_CHARS). */
  maxChars?: string;
  /** markdown: a link to the full plan (e.g. the CI artifact), named when details are cut. */
  fullPlanUrl?: string;
}

export const PLAN_FORMATS = ['text', 'json', 'markdown'] as const;

export function checkPlatform(p: string | undefined): Platform | undefined {
  if (p === undefined) return undefined;
  if (!(PLATFORMS as readonly string[]).includes(p)) {
    throw new RbacError('USAGE', `unknown platform "${p}"`, `use one of: ${PLATFORMS.join(', ')}`);
  }
  return p as Platform;
}

/** --max-chars and --full-plan-url, checked before anything is read. */
function markdownFitArgs(format: string, args: PlanArgs): { maxChars: number; fullPlanUrl?: string } {
  if (format !== 'markdown' && (args.maxChars !== undefined || args.fullPlanUrl !== undefined)) {
    throw new RbacError('USAGE', `--max-chars and --full-plan-url apply to --format markdown only`, 'add --format markdown');
  }
  let maxChars = DEFAULT_MAX_CHARS;
  if (args.maxChars !== undefined) {
    maxChars = /^[0-9]+$/.test(args.maxChars) ? Number(args.maxChars) : NaN;
    if (!Number.isSafeInteger(maxChars) || maxChars < MIN_MAX_CHARS) {
      throw new RbacError('USAGE', `--max-chars must be a whole number of at least ${MIN_MAX_CHARS}, not "${args.maxChars}"`, `the default is ${DEFAULT_MAX_CHARS}, below GitHub's 65536`);
    }
  }
  let fullPlanUrl: string | undefined;
  if (args.fullPlanUrl !== undefined) {
    let u: URL | undefined;
    try {
      u = new URL(args.fullPlanUrl);
    } catch {
      u = undefined;
    }
    if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:')) {
      throw new RbacError('USAGE', `--full-plan-url must be an http(s) URL`, 'e.g. the workflow run page: $GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID');
    }
    if (u.username || u.password) throw new RbacError('USAGE', '--full-plan-url must not carry credentials', 'link to a page reviewers open with their own login');
    fullPlanUrl = u.href;
  }
  return { maxChars, fullPlanUrl };
}

export async function planCommand(io: Io, args: PlanArgs): Promise<number> {
  const format = args.format ?? 'text';
  if (!(PLAN_FORMATS as readonly string[]).includes(format)) {
    throw new RbacError('USAGE', `unknown format "${format}"`, `use one of: ${PLAN_FORMATS.join(', ')}`);
  }
  const fit = markdownFitArgs(format, args);
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
      const r = renderPlanMarkdownFit(plan, statements, { hierarchy, maxChars: fit.maxChars, fullPlan: { url: fit.fullPlanUrl, file: args.out === undefined ? undefined : path.basename(args.out) } });
      io.out(r.markdown);
      if (!r.fits) {
        // The notice on stdout tells the pull request; the exit code fails the check.
        io.err(
          `error: the plan's summary, problems and ${plan.summary.destructive} destructive changes need ${r.essentialChars} characters, more than --max-chars ${fit.maxChars}; printed a notice instead of cutting them\n` +
            `  hint: review the full plan (--out plan.json), or raise --max-chars (GitHub comments hold 65536)\n`,
        );
        return EXIT.ERROR;
      }
    } else io.out(format === 'json' ? renderPlanJson(plan, statements) : renderPlanText(plan, statements, { color: useColor(io) }));
    if (plan.problems.some((p) => p.severity === 'error')) return EXIT.ERROR;
    return args.detailedExitcode && plan.changes.length > 0 ? EXIT.CHANGES : EXIT.OK;
  } finally {
    await planned.adapter?.close();
  }
}
