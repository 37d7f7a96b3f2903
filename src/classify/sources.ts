/**
 * What `rbac classify` reads from a target, per platform: the columns of the schemas in
 * scope with their comments, and (Snowflake, Databricks) the platform's own
 * classification tags on them. Each reader sends SELECT statements only, through the
 * adapter's read seam, and returns the same neutral records.
 *
 * Sources (the platforms' documented catalog views):
 * - PostgreSQL: pg_attribute / pg_class / pg_namespace with `col_description`, one query
 *   per database over the schemas in scope (tables, partitioned and foreign tables;
 *   views are left out: a view shows its base table's columns, which are classified).
 * - Snowflake: `<db>.INFORMATION_SCHEMA.COLUMNS` (COMMENT) and
 *   `SNOWFLAKE.ACCOUNT_USAGE.TAG_REFERENCES` for the system tags
 *   `SNOWFLAKE.CORE.SEMANTIC_CATEGORY` and `SNOWFLAKE.CORE.PRIVACY_CATEGORY`.
 * - Databricks: `<catalog>.information_schema.columns` (comment) and
 *   `<catalog>.information_schema.column_tags` (catalog_name, schema_name, table_name,
 *   column_name, tag_name, tag_value).
 *
 * Names in SQL go through the dialect's quoters; nothing read is interpolated raw.
 */
import type { Dialect } from '../dialects/types.js';
import { RbacError } from '../model/errors.js';
import type { Platform } from '../model/types.js';

/** A column of the target as read: logical database, schema, table, column, comment. */
export interface ColumnRow {
  database: string;
  schema: string;
  table: string;
  column: string;
  comment?: string;
}

/** A classification tag on a column, as the platform reports it. */
export interface ColumnTagRow {
  database: string;
  schema: string;
  table: string;
  column: string;
  tag: string;
  value: string;
}

/** The read seam: one SELECT, on the session of `database` (logical) where that matters. */
export type ReadFn = (sql: string, params?: unknown[], database?: string) => Promise<Record<string, unknown>[]>;

/**
 * Schemas in scope, by logical database; `'all'` where the configuration reaches a
 * whole database (`database: x, objects:`, a glob over schema names): every schema but
 * the platform's own catalog schemas is read.
 */
export type SchemasByDatabase = Map<string, string[] | 'all'>;

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const opt = (v: unknown): string | undefined => (v === null || v === undefined || v === '' ? undefined : String(v));

/** PostgreSQL: every column of the tables in `schemas`, with its comment. `$1` is the schema list. */
export const PG_COLUMNS_SQL = `SELECT n.nspname::text AS schema_name, c.relname::text AS table_name, a.attname::text AS column_name,
       col_description(c.oid, a.attnum) AS comment
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'f') AND a.attnum > 0 AND NOT a.attisdropped
   AND n.nspname = ANY($1::text[])
 ORDER BY 1, 2, a.attnum`;

/** PostgreSQL, a whole database: every schema but the system's and rbac's own (`rbac`). */
export const PG_ALL_COLUMNS_SQL = PG_COLUMNS_SQL.replace(
  'AND n.nspname = ANY($1::text[])',
  "AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'rbac') AND n.nspname NOT LIKE 'pg\\_%'",
);

export function parsePgColumns(database: string, rows: readonly Record<string, unknown>[]): ColumnRow[] {
  return rows.map((r) => ({ database, schema: str(r.schema_name), table: str(r.table_name), column: str(r.column_name), ...(opt(r.comment) ? { comment: opt(r.comment) } : {}) }));
}

/** `col IN ('a', 'b')`, or `col <> 'INFORMATION_SCHEMA'` for a whole database; literals through the dialect's quoter. */
function inList(column: string, schemas: readonly string[] | 'all', catalogSchema: string, d: Dialect): string {
  return schemas === 'all' ? `${column} <> ${d.quoteLiteral(catalogSchema)}` : `${column} IN (${schemas.map((s) => d.quoteLiteral(s)).join(', ')})`;
}

/** Snowflake: the columns and comments of one database's schemas in scope. */
export function snowflakeColumnsSql(database: string, schemas: readonly string[] | 'all', d: Dialect): string {
  return `SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, COMMENT FROM ${d.quoteIdent(database)}.INFORMATION_SCHEMA.COLUMNS WHERE ${inList('TABLE_SCHEMA', schemas, 'INFORMATION_SCHEMA', d)} ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`;
}

export function parseSnowflakeColumns(database: string, rows: readonly Record<string, unknown>[]): ColumnRow[] {
  return rows.map((r) => ({ database, schema: str(r.TABLE_SCHEMA), table: str(r.TABLE_NAME), column: str(r.COLUMN_NAME), ...(opt(r.COMMENT) ? { comment: opt(r.COMMENT) } : {}) }));
}

/**
 * Snowflake: the classification system tags on columns of the databases in scope.
 * ACCOUNT_USAGE lags by up to two hours and needs IMPORTED PRIVILEGES on SNOWFLAKE.
 */
export function tagReferencesSql(databases: readonly string[], d: Dialect): string {
  return (
    'SELECT OBJECT_DATABASE, OBJECT_SCHEMA, OBJECT_NAME, COLUMN_NAME, TAG_NAME, TAG_VALUE FROM SNOWFLAKE.ACCOUNT_USAGE.TAG_REFERENCES' +
    " WHERE DOMAIN = 'COLUMN' AND OBJECT_DELETED IS NULL AND TAG_DATABASE = 'SNOWFLAKE' AND TAG_SCHEMA = 'CORE'" +
    " AND TAG_NAME IN ('SEMANTIC_CATEGORY', 'PRIVACY_CATEGORY')" +
    ` AND OBJECT_DATABASE IN (${databases.map((x) => d.quoteLiteral(x)).join(', ')})` +
    ' ORDER BY OBJECT_DATABASE, OBJECT_SCHEMA, OBJECT_NAME, COLUMN_NAME, TAG_NAME'
  );
}

export function parseTagReferences(rows: readonly Record<string, unknown>[]): ColumnTagRow[] {
  return rows
    .filter((r) => opt(r.COLUMN_NAME) !== undefined)
    .map((r) => ({ database: str(r.OBJECT_DATABASE), schema: str(r.OBJECT_SCHEMA), table: str(r.OBJECT_NAME), column: str(r.COLUMN_NAME), tag: str(r.TAG_NAME), value: str(r.TAG_VALUE) }));
}

/** Databricks: the columns and comments of one catalog's schemas in scope. */
export function databricksColumnsSql(catalog: string, schemas: readonly string[] | 'all', d: Dialect): string {
  return `SELECT table_schema, table_name, column_name, comment FROM ${d.quoteIdent(catalog)}.information_schema.columns WHERE ${inList('table_schema', schemas, 'information_schema', d)} ORDER BY table_schema, table_name, ordinal_position`;
}

export function parseDatabricksColumns(catalog: string, rows: readonly Record<string, unknown>[]): ColumnRow[] {
  return rows.map((r) => ({ database: catalog, schema: str(r.table_schema), table: str(r.table_name), column: str(r.column_name), ...(opt(r.comment) ? { comment: opt(r.comment) } : {}) }));
}

/** Databricks: the column tags of one catalog's schemas in scope. */
export function columnTagsSql(catalog: string, schemas: readonly string[] | 'all', d: Dialect): string {
  return `SELECT catalog_name, schema_name, table_name, column_name, tag_name, tag_value FROM ${d.quoteIdent(catalog)}.information_schema.column_tags WHERE ${inList('schema_name', schemas, 'information_schema', d)} ORDER BY schema_name, table_name, column_name, tag_name`;
}

export function parseColumnTags(rows: readonly Record<string, unknown>[]): ColumnTagRow[] {
  return rows.map((r) => ({ database: str(r.catalog_name), schema: str(r.schema_name), table: str(r.table_name), column: str(r.column_name), tag: str(r.tag_name), value: str(r.tag_value) }));
}

/** What the target says about its columns. */
export interface ClassifySource {
  columns: ColumnRow[];
  tags: ColumnTagRow[];
}

/**
 * Read the columns (and tags) of the schemas in scope. `physical` maps a logical
 * database to the platform's name of it (identity outside PostgreSQL); records come
 * back under the logical name.
 */
export async function readSource(platform: Platform, read: ReadFn, schemas: SchemasByDatabase, d: Dialect, physical: (logical: string) => string = (l) => l): Promise<ClassifySource> {
  const columns: ColumnRow[] = [];
  const tags: ColumnTagRow[] = [];
  const dbs = [...schemas.keys()].sort();
  const logicalOf = new Map(dbs.map((l) => [physical(l), l]));
  const back = (t: ColumnTagRow): ColumnTagRow => ({ ...t, database: logicalOf.get(t.database) ?? t.database });
  for (const db of dbs) {
    const wanted = schemas.get(db)!;
    const list = wanted === 'all' ? 'all' : [...new Set(wanted)].sort();
    if (list !== 'all' && !list.length) continue;
    switch (platform) {
      case 'postgres':
        columns.push(...parsePgColumns(db, list === 'all' ? await read(PG_ALL_COLUMNS_SQL, [], db) : await read(PG_COLUMNS_SQL, [list], db)));
        break;
      case 'snowflake':
        columns.push(...parseSnowflakeColumns(db, await read(snowflakeColumnsSql(physical(db), list, d))));
        break;
      case 'databricks':
        columns.push(...parseDatabricksColumns(db, await read(databricksColumnsSql(physical(db), list, d))));
        tags.push(...parseColumnTags(await read(columnTagsSql(physical(db), list, d))).map(back));
        break;
      default: {
        const never: never = platform;
        throw new RbacError('USAGE', `classify: unknown platform ${String(never)}`);
      }
    }
  }
  if (platform === 'snowflake' && dbs.length) {
    const inScope = new Set(columns.map((c) => `${c.database}\u0000${c.schema}`));
    tags.push(...parseTagReferences(await read(tagReferencesSql(dbs.map(physical), d))).map(back).filter((t) => inScope.has(`${t.database}\u0000${t.schema}`)));
  }
  return { columns, tags };
}
