/**
 * Sequential apply for platforms without transactional DDL/GRANT (Snowflake,
 * Databricks Unity Catalog): statements run in order, the first failure stops the
 * run, and the result says honestly what was applied, what failed and what never
 * ran. Nothing is rolled back (rolledBack is always false).
 */
import type { ApplyListener, ApplyResult } from '../apply/types.js';
import type { Statement } from './types.js';

/** What the runner needs from an adapter: run one statement, describe an error safely. */
export interface SequentialRunner {
  exec(sql: string): Promise<unknown>;
  /** Run one statement when it is not all SQL (a Databricks SCIM request); default: `exec(statement.sql)`. */
  execStatement?(statement: Statement): Promise<unknown>;
  /**
   * A message without secrets, and the driver's error code when it has one. Default:
   * the error's own message and `code`, for drivers whose errors are already scrubbed
   * (both the Snowflake and the Databricks query seams map and scrub them).
   */
  describe?(e: unknown): { message: string; code?: string };
  now?: () => number;
}

export async function applySequential(
  statements: Statement[],
  runner: SequentialRunner,
  onEvent?: ApplyListener,
): Promise<ApplyResult> {
  const now = runner.now ?? (() => performance.now());
  const t0 = now();
  const applied: Statement[] = [];
  for (let i = 0; i < statements.length; i++) {
    const statement = statements[i];
    onEvent?.({ type: 'start', index: i, statement });
    const s0 = now();
    try {
      await (runner.execStatement ? runner.execStatement(statement) : runner.exec(statement.sql));
    } catch (e) {
      const { message, code } = (runner.describe ?? describeError)(e);
      onEvent?.({ type: 'failed', index: i, statement, error: message, code });
      return {
        ok: false,
        applied,
        failed: { statement, error: message, code },
        pending: statements.slice(i + 1),
        rolledBack: false,
        ms: now() - t0,
      };
    }
    applied.push(statement);
    onEvent?.({ type: 'done', index: i, statement, ms: now() - s0 });
  }
  return { ok: true, applied, pending: [], rolledBack: false, ms: now() - t0 };
}

function describeError(e: unknown): { message: string; code?: string } {
  const err = e as { message?: unknown; code?: unknown } | undefined;
  const message = typeof err?.message === 'string' ? err.message : String(e);
  return typeof err?.code === 'string' ? { message, code: err.code } : { message };
}
