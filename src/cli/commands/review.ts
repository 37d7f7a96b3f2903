/**
 * `rbac review [--target NAME] [--roster hr.csv] [--format markdown|csv|html|emergency-csv] [--out FILE] [--matrix-csv FILE]
 *   [--usage [--days N | --since TIME] [--usage-log FILE|DIR ...]]`:
 * the quarterly access review from the live state. `emergency-csv` writes the
 * emergency-access log alone (temporary memberships, with the audit log's history).
 * `--usage` adds the use of PHI access from the platform's access history (src/usage/):
 * who read which PHI columns in the period, and granted PHI access not used in it. Exit 0 when written, 1 on error.
 * Findings (users missing from the roster, PHI in clear without justification) are
 * content for the reviewers, not a failure of the command.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PHI_CATEGORIES } from '../../config/schema.js';
import { RbacError } from '../../model/errors.js';
import { renderPhiMatrixCsv, renderReviewCsv, renderReviewHtml, renderReviewMarkdown } from '../../review/render.js';
import { buildReview } from '../../review/review.js';
import { parseRoster, type Roster } from '../../review/roster.js';
import { EXIT, type Io } from '../io.js';
import { loadConfig, planClock, planTarget, type LoadedConfig, type Planned } from '../session.js';
import { auditLogPath } from '../../audit/record.js';
import { collectUsage } from '../../usage/collect.js';
import type { ReviewUsage } from '../../review/review.js';
import { periodStart } from './usage.js';
import { buildEmergencyLog, parseAuditLog, renderEmergencyCsv, type EmergencyEntry } from '../../review/emergency.js';

/** Arguments of `rbac review`. */
export interface ReviewArgs {
  config?: string;
  target?: string;
  roster?: string;
  format?: string;
  out?: string;
  /** Also write the role x PHI-category matrix as CSV to this file. */
  matrixCsv?: string;
  /** Add the "Use of PHI access" section from the platform's access history. */
  usage?: boolean;
  /** The usage period: --days back from now (90 by default), or --since. */
  days?: string;
  since?: string;
  /** PostgreSQL: a csvlog file with pgaudit lines instead of the server's own log. */
  /** --usage-log, once or more: csvlog files or directories of them. */
  usageLog?: string[];
}

export const REVIEW_FORMATS = ['markdown', 'csv', 'html', 'emergency-csv'] as const;

export async function reviewCommand(io: Io, args: ReviewArgs): Promise<number> {
  const format = args.format ?? 'markdown';
  if (!(REVIEW_FORMATS as readonly string[]).includes(format)) {
    throw new RbacError('USAGE', `unknown format "${format}"`, `use one of: ${REVIEW_FORMATS.join(', ')}`);
  }
  let roster: Roster | undefined;
  if (args.roster !== undefined) {
    const text = await readFile(path.resolve(io.cwd, args.roster), 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new RbacError('NOT_FOUND', `cannot read roster ${args.roster}: ${e.code ?? e.message}`);
    });
    roster = parseRoster(text, path.basename(args.roster));
  }
  if (!args.usage && (args.days !== undefined || args.since !== undefined || args.usageLog !== undefined)) {
    throw new RbacError('USAGE', 'review: --days, --since and --usage-log go with --usage', 'add --usage to include the use of PHI access');
  }
  const usageSince = args.usage ? periodStart(args, new Date()) : undefined;
  const config = await loadConfig(io, args.config);
  const planned = await planTarget(io, { config, target: args.target });
  const dialect = planned.adapter?.dialect ?? (await import('../../dialects/registry.js')).dialectFor(planned.live.platform);
  // The whole account (administrators, unmanaged principals reading the tables in scope): read-only catalog queries.
  // A reader without access to the account views (Snowflake ACCOUNT_USAGE needs IMPORTED
  // PRIVILEGES) does not stop the review: the report says the account was not covered.
  let account;
  let accountError: string | undefined;
  try {
    account = await planned.adapter?.readAccount?.({ schemas: planned.live.schemas.filter((s) => s.schema !== undefined).map((s) => ({ database: s.database, schema: s.schema! })) });
  } catch (e) {
    accountError = e instanceof Error ? e.message : String(e);
  }
  // The use of PHI access: read-only queries of the access history (or the --usage-log file).
  // No log (the PGlite demo has no pgaudit) is a statement in the section, not a failure.
  let usage: ReviewUsage | undefined;
  try {
    if (usageSince) {
      const embedded = 'embedded' in planned.target && planned.target.embedded !== undefined;
      const report = await collectUsage({ project: config.project, live: planned.live, dialect, adapter: planned.adapter, since: usageSince, until: new Date(), logFiles: args.usageLog, logFlag: '--usage-log', embedded, cwd: io.cwd });
      usage = { report };
    }
  } catch (e) {
    // An unreadable --usage-log is the user's mistake: an error. A target without an access
    // log, or a reader without the right to read it, is a fact for the reviewers.
    if (e instanceof RbacError && e.code === 'NOT_FOUND') throw e;
    usage = { unavailable: (e instanceof Error ? e.message : String(e)).replace(/^usage: (no access log is available: )?/, ''), hint: e instanceof RbacError ? e.hint : undefined };
  } finally {
    await planned.adapter?.close();
  }
  const review = buildReview({
    project: config.project,
    live: planned.live,
    dialect,
    target: planned.plan.target,
    generatedAt: new Date().toISOString(),
    categoryOrder: PHI_CATEGORIES,
    roster,
    account,
    accountError,
  });
  review.emergency = await emergencyLog(io, config, planned);
  if (usage) review.usage = usage;
  if (format === 'emergency-csv') {
    const csv = renderEmergencyCsv(review.emergency);
    if (args.out !== undefined) {
      await writeFile(path.resolve(io.cwd, args.out), csv);
      io.err(`Wrote the emergency-access log of ${review.target} (${review.emergency.length} entries) to ${args.out}.\n`);
    } else io.out(csv);
    return EXIT.OK;
  }
  const text = format === 'html' ? renderReviewHtml(review) : format === 'csv' ? renderReviewCsv(review) : renderReviewMarkdown(review);
  if (args.out !== undefined) {
    await writeFile(path.resolve(io.cwd, args.out), text);
    io.err(`Wrote the access review of ${review.target} (${review.users.length} users, ${review.findings.length} findings) to ${args.out}.\n`);
  } else io.out(text);
  if (args.matrixCsv !== undefined) {
    await writeFile(path.resolve(io.cwd, args.matrixCsv), renderPhiMatrixCsv(review));
    io.err(`Wrote the role x PHI-category matrix (${review.roles.length} roles, ${review.categories.length} categories) to ${args.matrixCsv}.\n`);
  }
  return EXIT.OK;
}

/** The emergency-access log: the configuration's temporary memberships, the live state, and the audit log's grants and removals. */
async function emergencyLog(io: Io, config: LoadedConfig, planned: Planned): Promise<EmergencyEntry[]> {
  const file = auditLogPath({ env: io.env, cwd: io.cwd, root: config.root });
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return buildEmergencyLog({
    memberships: planned.desired.memberships,
    live: planned.live,
    audit: text === undefined ? [] : parseAuditLog(text),
    now: planClock(io, { config }).now,
  });
}
