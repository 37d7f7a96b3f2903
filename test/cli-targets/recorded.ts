/**
 * Recorded live states for test/fixtures/config-warehouse, shared by the CLI target
 * tests: Snowflake answers keyed by SQL text (served through the loopback wire stub),
 * Databricks rows per reader query (served to the adapter's QueryFn seam).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DatabricksAdapter } from '../../src/dialects/databricks/adapter.js';
import type { QueryFn } from '../../src/dialects/types.js';
import { repoRoot } from '../helpers/cli.js';

export const warehouseConfig = path.join(repoRoot, 'test/fixtures/config-warehouse');
export const snapshots = path.join(repoRoot, 'test/fixtures/snapshots');
export const golden = path.join(repoRoot, 'test/cli-targets/golden');

type Row = Record<string, string | null>;

export function snowflakeAnswers(): Record<string, Row[]> {
  return JSON.parse(readFileSync(path.join(snapshots, 'snowflake-live.rows.json'), 'utf8')).answers;
}

/**
 * The Databricks reader's queries, recognised by the view they read (the policy-function
 * query before the functions listing: both read routines). The views this recording has
 * no rows for (it was made before volumes, functions and owners were read) answer none.
 */
const DATABRICKS_QUERIES: [RegExp, string][] = [
  [/^SHOW GROUPS$/, 'groups'],
  [/information_schema\.catalog_privileges /, 'catalogPrivileges'],
  [/information_schema\.schema_privileges /, 'schemaPrivileges'],
  [/information_schema\.table_privileges /, 'tablePrivileges'],
  [/information_schema\.(volume|routine|external_location|credential|connection|metastore|share_recipient)_privileges /, 'none'],
  [/information_schema\.(catalogs|volumes|external_locations|credentials|connections|recipients) /, 'none'],
  [/information_schema\.routines WHERE \(/, 'none'],
  [/information_schema\.schemata/, 'schemata'],
  [/information_schema\.tables/, 'tables'],
  // Column types and policies (none recorded: the warehouse config has no policies).
  [/information_schema\.columns/, 'columns'],
  [/information_schema\.routines/, 'routines'],
  [/information_schema\.column_masks/, 'columnMasks'],
  [/information_schema\.row_filters/, 'rowFilters'],
];

/** A Databricks adapter over the recorded rows; `queries` lists what it was asked. */
export function recordedDatabricksAdapter(): { adapter: DatabricksAdapter; queries: string[] } {
  const rows: Record<string, Row[]> = JSON.parse(readFileSync(path.join(snapshots, 'databricks-live.rows.json'), 'utf8')).rows;
  const queries: string[] = [];
  const query: QueryFn = async (sql) => {
    queries.push(sql);
    const hit = DATABRICKS_QUERIES.find(([re]) => re.test(sql));
    if (!hit) throw new Error(`no recorded rows for: ${sql}`);
    return rows[hit[1]] ?? [];
  };
  return { adapter: new DatabricksAdapter({ query, close: async () => undefined }), queries };
}
