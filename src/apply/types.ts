/**
 * Apply results and events. Apply emits typed events while running (the UI and the
 * audit log subscribe) and returns which statements were applied, which failed and
 * which never ran.
 *
 * Invariant: applied + failed + pending = all statements, in order. On a
 * transactional platform a failure rolls everything back, so `applied` is empty and
 * `rolledBack` is true.
 */

/** One SQL statement and the change it implements. */
export interface Statement {
  sql: string;
  /** Index of the change in `plan.changes`. */
  changeIndex: number;
  /**
   * PostgreSQL: the logical database whose connection runs it (objects of a database
   * are granted from inside it). Absent for what lives in the cluster's shared
   * catalogs (roles, memberships, grants on a database) and on other platforms.
   */
  database?: string;
  /**
   * PostgreSQL, several databases: a role must exist (committed) before another
   * database's transaction can grant to it, and can only be dropped once every
   * database's revokes are committed. `createRole` statements run first in their own
   * transaction, `dropRole` last; absent: with the database's other statements.
   */
  phase?: 'createRole' | 'dropRole';
  /** With `phase`: the role the statement creates or drops (a failed apply drops the roles it created). */
  role?: string;
  /**
   * Databricks: a request to the SCIM API, not SQL. `sql` is then a readable comment
   * (`-- SCIM: create account group "analysts"`) that plans show and reviews compare,
   * and apply sends `scim` to the SCIM client instead of `sql` to the warehouse.
   */
  scim?: import('../dialects/databricks/scim-model.js').ScimOp;
}

export type ApplyEvent =
  | { type: 'lock'; holder?: string }
  | { type: 'start'; index: number; statement: Statement }
  | { type: 'done'; index: number; statement: Statement; ms: number }
  | { type: 'failed'; index: number; statement: Statement; error: string; code?: string }
  | { type: 'commit' }
  | { type: 'rollback' };

export interface ApplyResult {
  ok: boolean;
  applied: Statement[];
  failed?: { statement: Statement; error: string; code?: string };
  pending: Statement[];
  rolledBack: boolean;
  /**
   * The connection was lost while COMMIT was in flight: the server may or may not
   * have committed. Plan again to see which (rolledBack is false, applied empty).
   */
  outcomeUnknown?: boolean;
  ms: number;
}

export type ApplyListener = (e: ApplyEvent) => void;

/** Options of `Adapter.apply`. */
export interface ApplyOptions {
  onEvent?: ApplyListener;
  lockTimeoutMs?: number;
  /**
   * Called once the apply holds the target's lock (PostgreSQL: inside the apply's
   * transaction, after the advisory lock), before any statement runs: re-read the
   * target through the same adapter, plan again, compare with what was reviewed or
   * confirmed, and return the statements to run. Throwing (STALE_PLAN) refuses the
   * apply with nothing run. Reading before the lock would let a grant made while the
   * apply waited go unseen.
   */
  verify?: () => Promise<Statement[]>;
}
