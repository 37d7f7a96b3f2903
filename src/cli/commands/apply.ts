/**
 * `rbac apply [PLANFILE]`: plan (or load a reviewed plan), confirm, apply, verify.
 *
 * A saved plan is applied only when the live state still has the fingerprint and the
 * configuration still has the digest the plan was computed from, and when the SQL
 * compiled now is exactly the SQL that was reviewed; otherwise it is refused with
 * exit code 3 and nothing runs.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ApplyEvent, ApplyResult } from '../../apply/types.js';
import type { Statement } from '../../dialects/types.js';
import { RbacError } from '../../model/errors.js';
import type { Plan } from '../../plan/types.js';
import { fromJsonPlan, type JsonPlan } from '../../render/json.js';
import { renderPlanText } from '../../render/text.js';
import { EXIT, isCi, useColor, type Io } from '../io.js';
import { loadConfig, planTarget, planWith, type LoadedConfig, type Planned } from '../session.js';
import type { Adapter } from '../../dialects/types.js';
import type { ResolvedTarget } from '../../config/targets.js';
import { confirmOnTerminal } from '../prompt.js';
import { openAudit, type AuditedApply } from '../../audit/hook.js';
import { auditKeyConfigured, UNKEYED_AUDIT_WARNING } from '../../audit/chain.js';

export interface ApplyArgs {
  planFile?: string;
  config?: string;
  target?: string;
  autoApprove?: boolean;
  allowDestructive?: boolean;
  /** npm start: on a TTY open the interactive UI; without one print the plan only. */
  startMode?: boolean;
  /** Audit log file (else RBAC_AUDIT_LOG, else .rbac/audit.jsonl under the config root). */
  auditLog?: string;
}

async function readSavedPlan(io: Io, file: string): Promise<{ plan: Plan; sql: string[][] }> {
  const text = await readFile(path.resolve(io.cwd, file), 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new RbacError('NOT_FOUND', `cannot read plan file ${file}: ${e.code ?? e.message}`);
  });
  let json: JsonPlan;
  try {
    json = JSON.parse(text) as JsonPlan;
  } catch (e) {
    throw new RbacError('PLAN_INVALID', `${file} is not a plan file: ${(e as Error).message}`, 'write one with `rbac plan --out FILE`');
  }
  if (json?.formatVersion !== 1 || !Array.isArray(json.changes) || typeof json.liveFingerprint !== 'string') {
    throw new RbacError('PLAN_INVALID', `${file} is not an rbac plan (formatVersion 1)`, 'write one with `rbac plan --out FILE`');
  }
  return fromJsonPlan(json);
}

/**
 * Refuse to run when the target changed between the plan that was shown (and
 * confirmed, or auto-approved) and the one made again under the apply's lock: another
 * apply that held the lock first, or a grant made by hand in between.
 */
export function checkConfirmed(shown: Planned, now: Planned): void {
  const sql = (p: Planned) => JSON.stringify(p.plan.changes.map((_, i) => p.statements.filter((s) => s.changeIndex === i).map((s) => s.sql)));
  if (shown.plan.liveFingerprint !== now.plan.liveFingerprint || sql(shown) !== sql(now)) {
    throw new RbacError(
      'STALE_PLAN',
      `the live state of target ${now.plan.target} changed after the plan was shown (another apply ran first, or someone changed grants): nothing was applied`,
      'plan again and review the new plan; `rbac drift` shows what changed',
    );
  }
}

/** Refuse a reviewed plan that no longer describes the target. */
export function checkSavedPlan(saved: { plan: Plan; sql: string[][] }, fresh: Planned, file: string): void {
  if (saved.plan.configDigest !== undefined && saved.plan.configDigest !== fresh.plan.configDigest) {
    throw new RbacError(
      'STALE_PLAN',
      `the configuration changed since ${file} was planned (config digest differs)`,
      'plan again from the current configuration and review the new plan',
    );
  }
  if (saved.plan.liveFingerprint !== fresh.plan.liveFingerprint) {
    throw new RbacError(
      'STALE_PLAN',
      `the live state of target ${fresh.plan.target} changed since ${file} was planned (someone changed grants in between)`,
      'plan again against the current state and review the new plan; `rbac drift` shows what changed',
    );
  }
  const now = fresh.plan.changes.map((_, i) => fresh.statements.filter((s) => s.changeIndex === i).map((s) => s.sql));
  if (JSON.stringify(now) !== JSON.stringify(saved.sql)) {
    throw new RbacError('STALE_PLAN', `${file} does not match the statements compiled now`, 'the plan file was edited or made by another version; plan again');
  }
}

export function progressPrinter(io: Io, total: number): (e: ApplyEvent) => void {
  return (e) => {
    if (e.type === 'done') io.err(`  [${e.index + 1}/${total}] ok   ${e.statement.sql}\n`);
    else if (e.type === 'failed') io.err(`  [${e.index + 1}/${total}] FAIL ${e.statement.sql}\n         ${e.error}\n`);
    else if (e.type === 'rollback') io.err('  rolled back: nothing was applied\n');
  };
}

export function resultSummary(r: ApplyResult): string {
  if (r.ok) return `Applied ${r.applied.length} statement${r.applied.length === 1 ? "" : "s"} in ${Math.round(r.ms)} ms.`;
  if (r.outcomeUnknown) {
    return `Apply interrupted: ${r.failed?.error ?? 'the connection was lost during COMMIT'}\nWhether it was committed is unknown: run rbac plan against the target to see.`;
  }
  const nothing = r.rolledBack ? ' The transaction was rolled back: nothing was applied.' : '';
  return `Apply failed at: ${r.failed?.statement.sql}\n  ${r.failed?.error}\n${r.applied.length} applied, ${r.pending.length} not run.${nothing}`;
}

export async function applyCommand(io: Io, args: ApplyArgs): Promise<number> {
  const config = await loadConfig(io, args.config);
  const saved = args.planFile !== undefined ? await readSavedPlan(io, args.planFile) : undefined;
  // The terminal UI only for a person at a terminal; a reviewed plan file or
  // --auto-approve is a pipeline, which gets plain text and never waits for input.
  const ui = await import('../../ui/index.js');
  const interactive = !saved && !args.autoApprove && ui.canUseInteractive(io.env, { isTTY: io.stdoutIsTTY }, { isTTY: io.stdinIsTTY });
  const loading = interactive ? ui.startLoading() : undefined;
  let fresh: Planned;
  try {
    fresh = await planTarget(io, { config, target: args.target ?? saved?.plan.target, onPhase: loading?.phase });
  } finally {
    loading?.stop();
  }
  const adapter = fresh.adapter!;
  try {
    if (saved) checkSavedPlan(saved, fresh, args.planFile!);
    const { plan, statements } = fresh;
    const errors = plan.problems.filter((p) => p.severity === 'error');
    if (plan.changes.some((c) => c.kind === 'dropRole') && !args.allowDestructive && !errors.length) {
      plan.problems.push({
        severity: 'error',
        message: 'the plan drops roles, and dropping needs --allow-destructive',
        hint: 're-run with --allow-destructive to drop the roles marked state: absent',
      });
      errors.push(plan.problems[plan.problems.length - 1]);
    }

    // Opened before anything runs: a broken audit log refuses the apply.
    const audit = await openAudit({
      flag: args.auditLog,
      env: io.env,
      cwd: io.cwd,
      root: config.root,
      plan,
      statements,
      target: fresh.target,
      dbUser: fresh.live.currentUser,
      planFile: args.planFile,
    });
    // Under the apply's lock, before anything runs: read the target again, plan again,
    // and run only if it is still exactly what was reviewed or shown.
    const quiet: Io = { ...io, out: () => {}, err: () => {} };
    const underLock = async (): Promise<Statement[]> => {
      const again = await planWith(quiet, { config }, fresh.target as ResolvedTarget, adapter);
      if (saved) checkSavedPlan(saved, again, args.planFile!);
      else checkConfirmed(fresh, again);
      return again.statements;
    };
    const unkeyedWarning = () => {
      if (!auditKeyConfigured(io.env)) io.err(`warning: ${UNKEYED_AUDIT_WARNING}\n`);
    };
    if (interactive) {
      const outcome = await ui.runInteractive({
        plan,
        statements,
        targetName: plan.target,
        readOnly: errors.length > 0,
        apply: (onEvent) => audit.apply(adapter, statements, onEvent, underLock),
        auditPath: path.relative(io.cwd, audit.file) || audit.file,
      });
      if (outcome === 'applied' || outcome === 'failed') unkeyedWarning();
      if (outcome === 'failed') {
        await audit.record();
        return EXIT.ERROR;
      }
      if (outcome !== 'applied') return errors.length ? EXIT.ERROR : EXIT.OK;
      return await verify(io, adapter, config, fresh, audit);
    }

    io.out(renderPlanText(plan, statements, { color: useColor(io) }));
    if (errors.length) throw new RbacError('PLAN_INVALID', 'the plan has errors; nothing was applied');
    if (plan.changes.length === 0) return EXIT.OK;
    if (!args.autoApprove && !saved) {
      // npm start without a terminal: showing the plan is the whole job.
      if (args.startMode) return EXIT.OK;
      if (!io.stdinIsTTY || isCi(io.env)) {
        throw new RbacError('USAGE', 'refusing to apply without confirmation: no terminal to ask on', 'review the plan above and re-run with --auto-approve');
      }
      const ok = await confirmOnTerminal(`Apply ${plan.changes.length} changes to ${plan.target}? Type yes to apply: `, 'yes');
      if (!ok) {
        io.err('Cancelled: nothing was applied.\n');
        return EXIT.OK;
      }
    }
    unkeyedWarning();
    const result = await audit.apply(adapter, statements as Statement[], progressPrinter(io, statements.length), underLock);
    io.out(resultSummary(result) + '\n');
    if (!result.ok) {
      await audit.record();
      return EXIT.ERROR;
    }
    return await verify(io, adapter, config, fresh, audit);
  } finally {
    await adapter.close();
  }
}

/** Re-read the target after apply: the next plan must be empty. */
async function verify(io: Io, adapter: Adapter, config: LoadedConfig, fresh: Planned, audit?: AuditedApply): Promise<number> {
  let reread: Planned | undefined;
  try {
    reread = await planWith(io, { config }, fresh.target as ResolvedTarget, adapter);
  } finally {
    // Recorded even when the re-read fails (then without the after-apply plan).
    await audit?.record(reread?.plan);
  }
  const again = reread;
  if (again.plan.changes.length === 0) {
    io.out('Verified: the next plan is empty.\n');
    return EXIT.OK;
  }
  io.err(`warning: after apply, ${again.plan.changes.length} changes are still planned:\n`);
  io.err(renderPlanText(again.plan, again.statements, { color: false }));
  return EXIT.ERROR;
}
