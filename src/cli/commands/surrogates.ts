/**
 * `rbac surrogates [--config DIR] [--target NAME|URL] [--dry-run] [--format text|json]`:
 * give every value of a surrogate-masked column that has no key yet a random one
 * (src/surrogates/topup.ts). Meant for after loads, or cron. It writes only rbac's
 * mapping table, never a grant. Exit 0 when every column is mapped (or, with
 * --dry-run, counted), 1 when a policy was refused or on error.
 */
import { RbacError } from '../../model/errors.js';
import { renderSurrogateReport, topUpSurrogates, type SurrogateTarget } from '../../surrogates/topup.js';
import { EXIT, type Io } from '../io.js';
import { loadConfig, planTarget } from '../session.js';

export interface SurrogatesArgs {
  config?: string;
  target?: string;
  dryRun?: boolean;
  format?: string;
}

export async function surrogatesCommand(io: Io, args: SurrogatesArgs): Promise<number> {
  const format = args.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new RbacError('USAGE', `unknown format "${format}"`, 'use one of: text, json');
  const config = await loadConfig(io, args.config);
  const planned = await planTarget(io, { config, target: args.target });
  try {
    if (!planned.adapter) throw new RbacError('TARGET', 'surrogates: needs a live target');
    const report = await topUpSurrogates(planned.adapter as unknown as SurrogateTarget, planned.desired, planned.live, { dryRun: args.dryRun });
    io.out(format === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderSurrogateReport(report));
    return report.columns.some((c) => c.refused) ? EXIT.ERROR : EXIT.OK;
  } finally {
    await planned.adapter?.close();
  }
}
