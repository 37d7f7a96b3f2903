/**
 * `rbac usage [--target NAME] [--since TIME | --days N] [--log FILE|DIR ...] [--format text|json|csv] [--out FILE]`:
 * who read which classified (phi:) columns in the period, from the platform's access
 * history, and the PHI columns users can read but did not (removal candidates).
 * Read-only. Exit 0 when written, 1 on error.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RbacError } from '../../model/errors.js';
import { collectUsage } from '../../usage/collect.js';
import { renderUsageCsv, renderUsageText } from '../../usage/report.js';
import { EXIT, type Io } from '../io.js';
import { loadConfig, planTarget } from '../session.js';

export interface UsageArgs {
  config?: string;
  target?: string;
  since?: string;
  days?: string;
  /** --log, once or more: csvlog files or directories of them. */
  log?: string[];
  format?: string;
  out?: string;
}

/** The period's start: --since, else --days back from now (90 by default, a quarter). */
export function periodStart(args: Pick<UsageArgs, 'since' | 'days'>, now: Date): Date {
  if (args.since !== undefined && args.days !== undefined) throw new RbacError('USAGE', 'usage: give --since or --days, not both');
  if (args.since !== undefined) {
    const d = new Date(args.since);
    if (Number.isNaN(d.getTime())) throw new RbacError('USAGE', `usage: --since "${args.since}" is not a date`, 'write it as 2026-09-01 or 2026-09-01T00:00:00Z');
    return d;
  }
  const days = args.days === undefined ? 90 : Number(args.days);
  if (!Number.isInteger(days) || days <= 0) throw new RbacError('USAGE', `usage: --days "${args.days}" is not a positive whole number`);
  return new Date(now.getTime() - days * 86_400_000);
}

export async function usageCommand(io: Io, args: UsageArgs): Promise<number> {
  const format = args.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'csv') throw new RbacError('USAGE', `unknown format "${format}"`, 'use one of: text, json, csv');
  const now = new Date();
  const since = periodStart(args, now);
  const config = await loadConfig(io, args.config);
  const planned = await planTarget(io, { config, target: args.target });
  try {
    const dialect = planned.adapter?.dialect ?? (await import('../../dialects/registry.js')).dialectFor(planned.live.platform);
    const report = await collectUsage({ project: config.project, live: planned.live, dialect, adapter: planned.adapter, since, until: now, logFiles: args.log, embedded: 'embedded' in planned.target && planned.target.embedded !== undefined, cwd: io.cwd });
    const text = format === 'json' ? JSON.stringify(report, null, 2) + '\n' : format === 'csv' ? renderUsageCsv(report) : renderUsageText(report);
    if (args.out !== undefined) await writeFile(path.resolve(io.cwd, args.out), text);
    else io.out(text);
    return EXIT.OK;
  } finally {
    await planned.adapter?.close();
  }
}
