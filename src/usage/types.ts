/**
 * Evidence of use: one read of a table (and, where the platform says, of which of its
 * columns) by one principal at one time, as read from the platform's access history
 * (PostgreSQL pgaudit log lines, Snowflake ACCESS_HISTORY, Databricks column lineage).
 * Names are as the platform reports them; `report.ts` folds them with the dialect.
 */
export interface AccessEvent {
  /** The principal that ran the query (login user). */
  user: string;
  /** ISO 8601 time of the read. */
  time: string;
  /** The table or view read, as [database, schema, table]. */
  table: [string, string, string];
  /**
   * The columns read; `'unknown'` when the source names the table only (the statement
   * could not be parsed, or the platform records no columns). An unknown read counts as
   * a read of every column of the table, so it never makes a removal candidate.
   */
  columns: string[] | 'unknown';
  /**
   * Reads this event stands for (1 when absent): a long log is folded into one event per
   * principal, table and column set, with the latest time, so memory does not grow with it.
   */
  count?: number;
}
