/**
 * The `surrogate` mask on Databricks Unity Catalog: a random key per value, from rbac's
 * own mapping table `<catalog>`.`rbac`.`surrogates` in the tool schema that holds the
 * `hash` salt (salt.ts: how that schema is made, kept secret and read back).
 *
 * The table: `policy` (the masking policy's name: one key space per policy, so a value
 * gets the same key in every table the policy masks and joins still work), `value` (the
 * column's value as STRING), `surrogate` (32 lowercase hex digits: `uuid()` without its
 * dashes, random and not derived from the value, 164.514(c)) and `mapped_at` (when the
 * key was made). `mapped_at` is written by the one fill statement rather than by a
 * column DEFAULT, which a Delta table takes only with the `allowColumnDefaults` table
 * feature. The table is made (IF NOT EXISTS) right before the first change that needs
 * it, like the salt (salt-once.ts); nothing ever drops it, and dropping a surrogate
 * policy leaves its rows: they are the only way back from keys already handed out.
 *
 * The mask is a lookup evaluated with the function owner's privileges (the documented
 * mapping-table pattern the salt relies on; the querying user needs nothing on the table):
 *   (SELECT max(`surrogate`) FROM <map> WHERE `policy` = '<name>' AND `value` = CAST(val AS STRING))
 * `max` because Databricks refuses a correlated scalar subquery that is not aggregated
 * (MUST_AGGREGATE_CORRELATED_SCALAR_SUBQUERY); it also keeps the body one value should
 * two fills ever race. A value without a key reads NULL, never the value.
 *
 * Filling: the mask applies to the principal that applies rbac too, so the values are
 * read BEFORE the function is attached to a column (create function, fill, SET MASK).
 * A column that is masked already when its fill runs (the policy's mask changed in place,
 * hash -> surrogate, or another policy masks it) is read through that mask; its fill is
 * then guarded by that mask's own exemption (`is_account_group_member` of its
 * unmasked_for; FALSE for a mask rbac did not make), so a session that is not exempt
 * maps nothing rather than mapping masked values. `rbac surrogates` run as a member of
 * the policy's unmasked_for maps them later (src/surrogates/topup.ts).
 */
import { columnKey, makeObject } from '../../model/keys.js';
import type { ColumnRef, MaskingPolicyRecord, ObjectRef } from '../../model/types.js';
import type { SurrogateSql } from '../../surrogates/topup.js';
import { str, type Row } from './inspect.js';
import { databricksDialect } from './quote.js';
import { DATABRICKS_SURROGATE_TABLE, DATABRICKS_TOOL_SCHEMA, toolSchemaSql } from './salt.js';

const q = (n: string) => databricksDialect.quoteIdent(n);
const lit = (s: string) => databricksDialect.quoteLiteral(s);

/** The mapping table's columns. */
export const SURROGATE_COLUMNS = { policy: 'policy', value: 'value', surrogate: 'surrogate', mappedAt: 'mapped_at' } as const;
/** Characters of a key: a UUID's 32 hex digits. A CHAR/VARCHAR column shorter than that cannot hold it. */
export const SURROGATE_LENGTH = 32;

const C = SURROGATE_COLUMNS;
const mapTable = (catalog: string) => `${q(catalog)}.${q(DATABRICKS_TOOL_SCHEMA)}.${q(DATABRICKS_SURROGATE_TABLE)}`;
const need = (v: string | undefined) => v ?? '';
const tableName = (t: ObjectRef) => `${q(t.database)}.${q(need(t.schema))}.${q(need(t.name))}`;

/** `is_account_group_member('a') OR ...`: who a mask exempts, or whom a row rule lets see its rows; FALSE for nobody (policies.ts writes both with it). */
export function unmaskCondition(roles: readonly string[]): string {
  return roles.length ? roles.map((r) => `is_account_group_member(${lit(r)})`).join(' OR ') : 'FALSE';
}

/** The mask's lookup of `v` (the function's parameter) in the policy's key space. */
export function surrogateLookupSql(p: MaskingPolicyRecord, v: string): string {
  return `(SELECT max(${q(C.surrogate)}) FROM ${mapTable(p.schema.database)} WHERE ${q(C.policy)} = ${lit(p.name)} AND ${q(C.value)} = CAST(${v} AS STRING))`;
}

/** The statements that make a catalog's mapping table (and the tool schema), each idempotent. */
export function surrogateBootstrap(catalog: string): string[] {
  return [
    toolSchemaSql(catalog),
    `CREATE TABLE IF NOT EXISTS ${mapTable(catalog)} (${q(C.policy)} STRING NOT NULL, ${q(C.value)} STRING NOT NULL, ${q(C.surrogate)} STRING NOT NULL, ${q(C.mappedAt)} TIMESTAMP NOT NULL)`,
  ];
}

/** The values of a column without a key yet: `x.v`, distinct, non-NULL, read where `guard` holds. */
function unmapped(p: MaskingPolicyRecord, column: ColumnRef, guard: string | undefined): string {
  const col = q(column.column);
  const where = guard === undefined ? `${col} IS NOT NULL` : `${col} IS NOT NULL AND (${guard})`;
  return (
    `(SELECT DISTINCT CAST(${col} AS STRING) AS v FROM ${tableName(column.table)} WHERE ${where}) x ` +
    `WHERE NOT EXISTS (SELECT 1 FROM ${mapTable(p.schema.database)} m WHERE m.${q(C.policy)} = ${lit(p.name)} AND m.${q(C.value)} = x.v)`
  );
}

/**
 * THE fill, for compile and top-up alike: a random key for every value of the column
 * that has none in the policy's key space. `guard`: the exemption of the mask the
 * column is read through when this runs (none when the column is not masked then).
 */
export function surrogateFillSql(p: MaskingPolicyRecord, column: ColumnRef, guard?: string): string {
  return (
    `INSERT INTO ${mapTable(p.schema.database)} (${q(C.policy)}, ${q(C.value)}, ${q(C.surrogate)}, ${q(C.mappedAt)}) ` +
    `SELECT ${lit(p.name)}, x.v, lower(replace(uuid(), '-', '')), current_timestamp() FROM ${unmapped(p, column, guard)}`
  );
}

/**
 * `rbac surrogates` on Databricks. The columns are masked by the policy itself when it
 * runs, so the count and the fill are both guarded by the policy's exemption: for an
 * exempt session (the only one topup lets fill) that changes nothing; for another the
 * count is 0 rather than a count of keys read as values.
 */
export const databricksSurrogates: SurrogateSql = {
  unmappedCountSql: (p, column) => `SELECT count(*) AS n FROM ${unmapped(p, column, unmaskCondition(p.unmaskedFor))}`,
  fillSql: (p, column) => [surrogateFillSql(p, column, unmaskCondition(p.unmaskedFor))],
  exemptSql: (p) => `SELECT (${unmaskCondition(p.unmaskedFor)}) AS exempt`,
};

/**
 * The columns masked in the live state, by columnKey -> the unmasked_for of the rbac
 * policy masking it, or null for a mask rbac did not make (or one changed by hand):
 * its exemption is unknown, so a fill reading through it maps nothing.
 */
export type MaskedColumns = ReadonlyMap<string, readonly string[] | null>;

/** column_masks rows and the policies read from them -> MaskedColumns. */
export function maskedColumnsOf(maskRows: readonly Row[], policies: readonly MaskingPolicyRecord[]): Map<string, readonly string[] | null> {
  const out = new Map<string, readonly string[] | null>();
  for (const r of maskRows) {
    const [c, s, t, col] = [str(r, 'catalog_name') ?? str(r, 'table_catalog'), str(r, 'schema_name') ?? str(r, 'table_schema'), str(r, 'table_name'), str(r, 'column_name')];
    if (c && s && t && col) out.set(columnKey({ table: makeObject('table', c.toLowerCase(), s.toLowerCase(), t.toLowerCase()), column: col.toLowerCase() }), null);
  }
  for (const p of policies) for (const c of p.columns) out.set(columnKey(c), p.tampered?.length ? null : p.unmaskedFor);
  return out;
}

/** The guard of a fill on a column that `masked` says is masked when the fill runs (undefined: not masked). */
export function guardOf(masked: MaskedColumns | undefined, column: ColumnRef): string | undefined {
  if (!masked?.has(columnKey(column))) return undefined;
  const roles = masked.get(columnKey(column));
  return roles ? unmaskCondition(roles) : 'FALSE';
}
