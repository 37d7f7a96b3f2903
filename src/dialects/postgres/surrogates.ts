/**
 * The `surrogate` mask on PostgreSQL: a random key per value, from rbac's own mapping
 * table `rbac.surrogates`, in place of the identifier (45 CFR 164.514(c): a
 * re-identification code that is not derived from information about the individual).
 *
 * - The table: `rbac.surrogates (policy, value, surrogate, mapped_at)`, in rbac's tool
 *   schema next to the hash salt, keyed by (policy, value); a key is unique within its
 *   policy. The key space is the policy: one value gets one key in every column the
 *   policy masks, so joins across tables keep working. The table holds the identifiers
 *   themselves (it is the mechanism of re-identification 164.514(c)(2) says must not be
 *   disclosed): like the salt, only rbac's login (the masking views' owner) can read
 *   it; every grant on it is in the managed scope (the tool schema's relations are
 *   rbac's), and a configured grant in the tool schema is an error.
 * - The mask: a scalar subquery in the masking view, evaluated with the view owner's
 *   rights (a view reads the tables it names as its owner), so the reader needs, and
 *   gets, nothing on the table. A value without a key reads NULL, never the value. The
 *   lookup is never a function the reader could call: `surrogate(candidate)` would be a
 *   dictionary oracle.
 * - Keys: 32 hex digits of a version 4 UUID (`gen_random_uuid()`, PostgreSQL 13 and
 *   later), 122 random bits; made inside PostgreSQL, never in a plan or a log.
 * - Filling: the masking view's statements map every value present whenever the view is
 *   (re)written; rows loaded later are mapped by `rbac surrogates`. Masks on PostgreSQL
 *   are views, so rbac's login reads the base table in clear: no exemption is needed.
 * - A removed policy's keys stay in the table: they are the only way back from data
 *   already handed out (`DELETE FROM rbac.surrogates WHERE policy = '...'` forgets them).
 */
import type { ColumnRef, MaskingPolicyRecord } from '../../model/types.js';
import type { SurrogateSql } from '../../surrogates/topup.js';
import { quoteIdent, quoteLiteral } from './quote.js';
import { TOOL_SCHEMA } from './masking.js';

/** The mapping table in the tool schema. */
export const SURROGATE_TABLE = 'surrogates';

const map = () => `${quoteIdent(TOOL_SCHEMA)}.${quoteIdent(SURROGATE_TABLE)}`;
const rel = (c: ColumnRef) => `${quoteIdent(c.table.schema ?? '')}.${quoteIdent(c.table.name ?? '')}`;

/** The key of the column's value, as the masking view reads it (text; NULL when unmapped). */
export function surrogateLookupSql(policy: string, column: string): string {
  return `(SELECT m.surrogate FROM ${map()} m WHERE m.policy = ${quoteLiteral(policy)} AND m.value = CAST(${quoteIdent(column)} AS text))`;
}

/**
 * The mapping table, made once per database (idempotent), closed to `from` (PUBLIC and
 * whoever default privileges give a new relation in the tool schema).
 */
export function surrogateTableSql(from: readonly string[]): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${map()} (policy text NOT NULL, value text NOT NULL, surrogate text NOT NULL, mapped_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (policy, value), UNIQUE (policy, surrogate))`,
    `REVOKE ALL ON TABLE ${map()} FROM ${from.join(', ')}`,
  ];
}

/** The distinct non-NULL values of the column, as text. */
const values = (c: ColumnRef) => `SELECT DISTINCT CAST(${quoteIdent(c.column)} AS text) AS v FROM ${rel(c)} WHERE ${quoteIdent(c.column)} IS NOT NULL`;

/** Give every value of the column without a key a random one (idempotent; a rare key clash leaves that value for the next run). */
export function surrogateFillSql(policy: string, c: ColumnRef): string {
  // The anti-join keeps a top-up from trying (and conflicting on) every value mapped before.
  return `INSERT INTO ${map()} (policy, value, surrogate)\nSELECT ${quoteLiteral(policy)}, x.v, replace(gen_random_uuid()::text, '-', '')\nFROM (${values(c)}) x\nWHERE NOT EXISTS (SELECT 1 FROM ${map()} m WHERE m.policy = ${quoteLiteral(policy)} AND m.value = x.v)\nON CONFLICT DO NOTHING`;
}

export const postgresSurrogates: SurrogateSql = {
  unmappedCountSql: (p: MaskingPolicyRecord, c: ColumnRef) =>
    `SELECT count(*)::int AS n FROM (${values(c)}) x WHERE NOT EXISTS (SELECT 1 FROM ${map()} m WHERE m.policy = ${quoteLiteral(p.name)} AND m.value = x.v)`,
  fillSql: (p: MaskingPolicyRecord, c: ColumnRef) => [surrogateFillSql(p.name, c)],
};
