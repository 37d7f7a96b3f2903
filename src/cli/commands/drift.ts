/**
 * `rbac drift [--target NAME] [--format text|json|markdown] [--webhook URL] [--state FILE]`:
 * exit 0 when the target matches the configuration, 2 when it drifted, 1 on error
 * (including a webhook that could not be reached: the alert did not go out). The
 * webhook (or RBAC_DRIFT_WEBHOOK) is posted to only when there is drift.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { applyDriftState, driftReport, parseDriftState } from '../../drift/drift.js';
import { renderDriftJson, renderDriftMarkdown, renderDriftText, webhookPayload } from '../../drift/render.js';
import { postWebhook } from '../../drift/webhook.js';
import { RbacError } from '../../model/errors.js';
import { EXIT, type Io } from '../io.js';
import { loadConfig, planTarget } from '../session.js';

/** Arguments of `rbac drift`. */
export interface DriftArgs {
  config?: string;
  target?: string;
  format?: string;
  webhook?: string;
  /** State file; default `.rbac/drift-state.json` under the config root. */
  state?: string;
}

export const DRIFT_FORMATS = ['text', 'json', 'markdown'] as const;

export async function driftCommand(io: Io, args: DriftArgs): Promise<number> {
  const format = args.format ?? 'text';
  if (!(DRIFT_FORMATS as readonly string[]).includes(format)) {
    throw new RbacError('USAGE', `unknown format "${format}"`, `use one of: ${DRIFT_FORMATS.join(', ')}`);
  }
  const webhook = args.webhook ?? io.env.RBAC_DRIFT_WEBHOOK;
  const config = await loadConfig(io, args.config);
  const planned = await planTarget(io, { config, target: args.target });
  await planned.adapter?.close();
  const now = new Date().toISOString();
  const report = driftReport(planned.plan, planned.live, now);

  const stateFile = args.state !== undefined ? path.resolve(io.cwd, args.state) : path.join(config.root, '.rbac', 'drift-state.json');
  const prior = parseDriftState(await readFile(stateFile, 'utf8').catch(() => undefined));
  const next = applyDriftState(report, prior, now);
  try {
    await mkdir(path.dirname(stateFile), { recursive: true });
    await writeFile(stateFile, JSON.stringify(next, null, 2) + '\n');
  } catch (e) {
    // First-seen times are a convenience; a read-only checkout still gets the report.
    io.err(`warning: cannot write the drift state file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
  }

  io.out(format === 'json' ? renderDriftJson(report) : format === 'markdown' ? renderDriftMarkdown(report) : renderDriftText(report));
  // Only drift is news: a quiet night posts nothing.
  if (webhook && report.drifted) {
    await postWebhook(webhook, webhookPayload(report));
    io.err('Posted the drift summary to the webhook.\n');
  }
  return report.drifted ? EXIT.CHANGES : EXIT.OK;
}
