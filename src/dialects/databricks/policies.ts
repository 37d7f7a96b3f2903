/**
 * Masking and row access policies on Databricks Unity Catalog: compile policy changes.
 *
 * Column masks are SQL UDFs in the schema of the policy's first column:
 *   CREATE OR REPLACE FUNCTION `c`.`s`.`p`(val <T>) RETURNS <T> COMMENT '<marker>'
 *     RETURN CASE WHEN is_account_group_member('g') OR ... THEN val ELSE <mask> END
 * attached with `ALTER TABLE .. ALTER COLUMN .. SET MASK f`, detached with `DROP MASK`.
 * is_account_group_member is true for direct AND nested membership in the ACCOUNT
 * group (not workspace-local groups), so "unmaskedFor g" covers groups nested in g.
 * - Signature: the column's full type as information_schema.columns.full_data_type
 *   prints it (`decimal(10,2)` stays exact). Columns of different types under one
 *   policy are refused with a hint to split the policy. Unknown types (offline) default
 *   to DATE for `year`, STRING otherwise.
 * - Alter with the same signature: CREATE OR REPLACE FUNCTION in place (attachments
 *   name the function, so they hold). Another signature: DROP MASK from the columns
 *   it keeps, replace, SET MASK again (unmasked between these statements).
 * - Drop: DROP MASK from every column, then DROP FUNCTION.
 * - hash: sha2(concat((SELECT `salt` FROM `c`.`rbac`.`settings` LIMIT 1), ':', val), 256),
 *   a keyed hash with a secret salt per catalog (salt.ts: where it lives, who can read
 *   it, and why not a Databricks secret): equal values hash alike across the catalog's
 *   tables (joins work), and without the salt a low-entropy identifier cannot be
 *   reversed by hashing every candidate. A body rbac wrote before 0.2 (salted with
 *   current_metastore(), which every user can read) is read as outdated and rewritten.
 *   Still pseudonymisation, not Safe Harbor (a code derived from the identifier).
 * - surrogate: a lookup of a random key in rbac's mapping table (surrogates.ts), text
 *   columns only. Its values are mapped by the same statements that make the policy,
 *   BEFORE the function is attached (the mask applies to rbac's own reads): create,
 *   alter to surrogate, attach to a column. A drop leaves the policy's keys in the table.
 *
 * Row filters: CREATE OR REPLACE FUNCTION `c`.`s`.`p`(`col` <T>, ...) RETURNS BOOLEAN
 *   COMMENT '<marker>' RETURN (is_account_group_member('g') AND (<where>)) OR ...
 * with `ALTER TABLE t SET ROW FILTER f ON (`col`, ...)` / `DROP ROW FILTER`. The
 * arguments are the table's columns the where texts name (see policy-text.ts), named
 * as the columns so the where binds unchanged; the table must be in the live state.
 */
import { columnKey, objectKey } from '../../model/keys.js';
import { RbacError } from '../../model/errors.js';
import type { ColumnRef, LiveTable, MaskFunction, MaskingPolicyRecord, ObjectRef, RowAccessPolicyRecord } from '../../model/types.js';
import { assertNever, type PolicyChange } from '../../plan/types.js';
import { bodyDigest, columnType, encodePolicyMarker, findTable } from '../policy-text.js';
import { ExpressionError, NO_EXTRAS, type ExpressionPolicy, type ExpressionUse } from '../../model/expressions.js';
import { databricksExpressions } from './expression.js';
import type { CompileContext } from '../types.js';
import { databricksDialect } from './quote.js';
import { saltSql } from './salt.js';
import { SURROGATE_LENGTH, guardOf, surrogateFillSql, surrogateLookupSql, unmaskCondition, type MaskedColumns } from './surrogates.js';
import { AGE_AGGREGATION_YEARS, ZIP3_RESTRICTED, ZIP3_RESTRICTED_VALUE } from '../../model/safe-harbor/index.js';

const q = (n: string) => databricksDialect.quoteIdent(n);
const lit = (s: string) => databricksDialect.quoteLiteral(s);

/** The parameter of a mask function. */
export const DATABRICKS_MASK_PARAM = 'val';
/** The table name a reader gives a row filter function attached to no table. */
export const DATABRICKS_UNATTACHED_TABLE = '';

function need(v: string | undefined, what: string): string {
  if (v === undefined) throw new RbacError('PLAN_INVALID', `policy reference without a ${what}`);
  return v;
}

export function databricksFunctionName(schema: ObjectRef, name: string): string {
  return `${q(schema.database)}.${q(need(schema.schema, 'schema'))}.${q(name)}`;
}
const tableName = (t: ObjectRef) => `${q(t.database)}.${q(need(t.schema, 'schema'))}.${q(need(t.name, 'table name'))}`;

/** A type as full_data_type prints it -> the SQL type of a parameter (upper case). */
export function databricksSignatureType(fullType: string): string {
  const t = fullType.trim().toUpperCase();
  if (!/^[A-Z_][A-Z0-9_]*(\s*\(\s*\d+\s*(,\s*\d+\s*)?\))?$/.test(t)) {
    throw new RbacError('PLAN_INVALID', `column type ${JSON.stringify(fullType)} cannot be a mask signature`, 'mask scalar columns only, or use a custom expression on a view');
  }
  return t.replace(/\s+/g, '');
}

export function databricksMaskingSignature(p: MaskingPolicyRecord, tables: readonly LiveTable[] | undefined): string {
  const byType = new Map<string, string[]>();
  for (const c of p.columns) {
    const t = columnType(tables, c, true);
    if (t === undefined) continue;
    const sig = databricksSignatureType(t);
    byType.set(sig, [...(byType.get(sig) ?? []), columnKey(c)]);
  }
  if (byType.size > 1) {
    const list = [...byType].map(([t, cs]) => `${t}: ${cs.join(', ')}`).join('; ');
    throw new RbacError(
      'PLAN_INVALID',
      `masking policy ${p.name} masks columns of different types (${list}); a Databricks mask function has one parameter type`,
      'split it into one policy per column type (for example hash_ids_text and hash_ids_number)',
    );
  }
  if (byType.size === 1) return [...byType.keys()][0];
  return p.mask === 'year' ? 'DATE' : 'STRING';
}

function unsupported(p: MaskingPolicyRecord, mask: MaskFunction, type: string): never {
  throw new RbacError(
    'PLAN_INVALID',
    `mask ${mask} of policy ${p.name} cannot keep a ${type} column's type on Databricks`,
    mask === 'year' ? 'use year on DATE, TIMESTAMP or INT/BIGINT/SMALLINT (a year) columns' : `use ${mask} on STRING columns, null/redact here, or a custom expression`,
  );
}

const over89 = (v: string) => `year(${v}) <= year(current_date()) - ${AGE_AGGREGATION_YEARS}`;

export function databricksMaskExpression(p: MaskingPolicyRecord, type: string, expressions?: ExpressionPolicy): string {
  const v = DATABRICKS_MASK_PARAM;
  if (p.expression !== undefined) return rendered(p.expression, 'mask', `the expression of masking policy ${p.name}`, expressions, v);
  const mask = need(p.mask, 'mask') as MaskFunction;
  const text = type === 'STRING' || /^(VAR)?CHAR\(/.test(type);
  switch (mask) {
    case 'null':
      return `CAST(NULL AS ${type})`;
    case 'redact':
      return text ? "'****'" : `CAST(NULL AS ${type})`;
    case 'hash':
      return text ? `sha2(concat(${saltSql(p.schema.database)}, ':', ${v}), 256)` : unsupported(p, mask, type);
    case 'last4':
      return text ? `concat(repeat('*', greatest(length(${v}) - 4, 0)), right(${v}, 4))` : unsupported(p, mask, type);
    case 'zip3':
      // Safe Harbor (B): the restricted prefixes (model/safe-harbor) become 000.
      return text ? `CASE WHEN left(${v}, 3) IN (${(p.zip3Restricted ?? ZIP3_RESTRICTED).map(lit).join(', ') || 'NULL'}) THEN ${lit(ZIP3_RESTRICTED_VALUE)} ELSE left(${v}, 3) END` : unsupported(p, mask, type);
    case 'email_domain':
      return text ? `concat('***@', substring_index(${v}, '@', -1))` : unsupported(p, mask, type);
    case 'year':
      // Safe Harbor (C): a year 90 or more years back is the one "90 or older"
      // category, NULL (a column mask returns the column's type; see postgres/masking.ts).
      if (type === 'DATE') return `CASE WHEN ${over89(v)} THEN CAST(NULL AS DATE) ELSE make_date(year(${v}), 1, 1) END`;
      if (type === 'TIMESTAMP' || type === 'TIMESTAMP_NTZ') return `CASE WHEN ${over89(v)} THEN CAST(NULL AS ${type}) ELSE date_trunc('YEAR', ${v}) END`;
      // A year held as a number (birth_year): kept, or NULL when 90 or more years back.
      if (type === 'INT' || type === 'BIGINT' || type === 'SMALLINT') return `CASE WHEN ${v} <= year(current_date()) - ${AGE_AGGREGATION_YEARS} THEN CAST(NULL AS ${type}) ELSE ${v} END`;
      return unsupported(p, mask, type);
    case 'surrogate': {
      // A key is 32 characters: a CHAR/VARCHAR column shorter than that cannot hold one.
      const n = /^(?:VAR)?CHAR\((\d+)\)$/.exec(type)?.[1];
      return text && (n === undefined || Number(n) >= SURROGATE_LENGTH) ? surrogateLookupSql(p, v) : unsupported(p, mask, type);
    }
    default:
      return assertNever(mask);
  }
}

/** A person-written expression as it goes into a statement: re-parsed and re-printed (see expression.ts). */
function rendered(text: string, use: ExpressionUse, what: string, expressions: ExpressionPolicy | undefined, value?: string): string {
  try {
    return databricksExpressions.render(text, use, expressions ?? NO_EXTRAS, value === undefined ? {} : { value });
  } catch (e) {
    if (e instanceof ExpressionError) throw new RbacError('PLAN_INVALID', `${what} is refused: ${e.message}`, 'fix the expression in the configuration');
    throw e;
  }
}

/** The table's columns that the rules' conditions read (as the parser saw them), in table order; Databricks compares names without case. */
function columnsOf(p: RowAccessPolicyRecord, table: LiveTable, expressions?: ExpressionPolicy): { name: string; type: string | undefined }[] {
  const wanted = new Set<string>();
  for (const r of p.rules) {
    try {
      for (const c of databricksExpressions.check(r.where, 'where', expressions ?? NO_EXTRAS).columns) wanted.add(c.toLowerCase());
    } catch (e) {
      if (e instanceof ExpressionError) throw new RbacError('PLAN_INVALID', `the where of row access policy ${p.name} is refused: ${e.message}`);
      throw e;
    }
  }
  return table.columns.flatMap((name, i) => (wanted.has(name.toLowerCase()) ? [{ name, type: table.columnTypes?.[i] }] : []));
}


export function databricksMaskingBody(p: MaskingPolicyRecord, type: string, expressions?: ExpressionPolicy): string {
  const masked = databricksMaskExpression(p, type, expressions);
  return p.unmaskedFor.length ? `CASE WHEN ${unmaskCondition(p.unmaskedFor)} THEN ${DATABRICKS_MASK_PARAM} ELSE ${masked} END` : masked;
}

function createMask(p: MaskingPolicyRecord, type: string, expressions?: ExpressionPolicy): string {
  const body = databricksMaskingBody(p, type, expressions);
  const marker = encodePolicyMarker({ policy: 'masking', name: p.name, mask: p.mask, expression: p.expression, unmaskedFor: p.unmaskedFor, zip3: p.zip3Restricted, body: bodyDigest(body) });
  return `CREATE OR REPLACE FUNCTION ${databricksFunctionName(p.schema, p.name)}(${DATABRICKS_MASK_PARAM} ${type}) RETURNS ${type} COMMENT ${lit(marker)} RETURN ${body}`;
}
const setMask = (p: MaskingPolicyRecord, c: ColumnRef) => `ALTER TABLE ${tableName(c.table)} ALTER COLUMN ${q(c.column)} SET MASK ${databricksFunctionName(p.schema, p.name)}`;
const dropMask = (c: ColumnRef) => `ALTER TABLE ${tableName(c.table)} ALTER COLUMN ${q(c.column)} DROP MASK`;

export function databricksRowArguments(p: RowAccessPolicyRecord, tables: readonly LiveTable[] | undefined, expressions?: ExpressionPolicy): { name: string; type: string }[] {
  const table = findTable(tables, p.table);
  if (!table || !table.columns.length) {
    throw new RbacError(
      'PLAN_INVALID',
      `row access policy ${p.name}: table ${objectKey(p.table)} is not in the live state, and its column types are needed for the filter's arguments`,
      'create the table first, then plan against the live target',
    );
  }
  let used = columnsOf(p, table, expressions);
  if (!used.length) used = [{ name: table.columns[0], type: table.columnTypes?.[0] }];
  return used.map((c) => {
    if (c.type === undefined) throw new RbacError('PLAN_INVALID', `row access policy ${p.name}: the type of column ${c.name} is unknown`, 'plan against the live target');
    return { name: c.name, type: databricksSignatureType(c.type) };
  });
}

export function databricksRowBody(p: RowAccessPolicyRecord, expressions?: ExpressionPolicy): string {
  if (!p.rules.length) return 'FALSE';
  return p.rules.map((r) => `((${unmaskCondition(r.roles)}) AND (${rendered(r.where, 'where', `the where of row access policy ${p.name}`, expressions)}))`).join(' OR ');
}

function createFilter(p: RowAccessPolicyRecord, args: { name: string; type: string }[], expressions?: ExpressionPolicy): string {
  const body = databricksRowBody(p, expressions);
  const marker = encodePolicyMarker({
    policy: 'row',
    name: p.name,
    table: { database: p.table.database, schema: need(p.table.schema, 'schema'), name: need(p.table.name, 'table name') },
    rules: p.rules,
    body: bodyDigest(body),
  });
  return `CREATE OR REPLACE FUNCTION ${databricksFunctionName(p.schema, p.name)}(${args.map((a) => `${q(a.name)} ${a.type}`).join(', ')}) RETURNS BOOLEAN COMMENT ${lit(marker)} RETURN ${body}`;
}
const setFilter = (p: RowAccessPolicyRecord, args: { name: string }[]) =>
  `ALTER TABLE ${tableName(p.table)} SET ROW FILTER ${databricksFunctionName(p.schema, p.name)} ON (${args.map((a) => q(a.name)).join(', ')})`;
const dropFilter = (t: ObjectRef) => `ALTER TABLE ${tableName(t)} DROP ROW FILTER`;
const attached = (p: RowAccessPolicyRecord) => p.table.name !== DATABRICKS_UNATTACHED_TABLE;

/**
 * What the Databricks compilers know besides CompileContext: the columns masked in the
 * live state and by what exemption (a surrogate fill reading one is guarded by it).
 */
export interface DatabricksCompileContext extends CompileContext {
  maskedColumns?: MaskedColumns;
}

const isSurrogate = (p: MaskingPolicyRecord) => p.mask === 'surrogate' && p.expression === undefined;

/** The fills of a surrogate policy's columns, each read through the mask `guard` names (none: unmasked). */
const fills = (p: MaskingPolicyRecord, columns: readonly ColumnRef[], guard: (c: ColumnRef) => string | undefined) =>
  isSurrogate(p) ? columns.map((c) => surrogateFillSql(p, c, guard(c))) : [];

export function compileDatabricksPolicy(change: PolicyChange, ctx: DatabricksCompileContext = {}): string[] {
  const liveGuard = (c: ColumnRef) => guardOf(ctx.maskedColumns, c);
  switch (change.kind) {
    case 'createMaskingPolicy': {
      // Surrogate: the values are mapped after the function exists and before it masks them.
      const p = change.policy;
      return [createMask(p, databricksMaskingSignature(p, ctx.tables), ctx.expressions), ...fills(p, p.columns, liveGuard), ...p.columns.map((c) => setMask(p, c))];
    }
    case 'alterMaskingPolicy': {
      const { from, to } = change;
      const toType = databricksMaskingSignature(to, ctx.tables);
      if (!from.columns.length) return [createMask(to, toType, ctx.expressions)];
      const fromType = databricksMaskingSignature({ ...from, mask: to.mask }, ctx.tables);
      const keep = new Set(to.columns.map(columnKey));
      const kept = from.columns.filter((c) => keep.has(columnKey(c)));
      // The mask becomes surrogate: map the values of the columns it keeps (columns it
      // gains are attach changes, which map their own).
      const newly = isSurrogate(to) && !isSurrogate(from);
      // Replaced in place: the columns stay masked, now by the new body, so the fill reads
      // through it and is guarded by its exemption (a session that is not exempt maps nothing).
      if (fromType === toType) return [createMask(to, toType, ctx.expressions), ...(newly ? fills(to, kept, () => unmaskCondition(to.unmaskedFor)) : [])];
      // Detached, replaced, attached again. The fill comes after the SET MASK, guarded like
      // the in-place case: a fill that failed between DROP MASK and SET MASK would stop the
      // apply with the columns left unmasked.
      return [
        ...kept.map(dropMask),
        createMask(to, toType, ctx.expressions),
        ...kept.map((c) => setMask(to, c)),
        ...(newly ? fills(to, kept, () => unmaskCondition(to.unmaskedFor)) : []),
      ];
    }
    case 'dropMaskingPolicy': {
      // A surrogate policy's keys stay in the mapping table: they are the only way back
      // from keys already handed out (re-identification under 164.514(c)).
      const p = change.policy;
      return [...p.columns.map(dropMask), `DROP FUNCTION IF EXISTS ${databricksFunctionName(p.schema, p.name)}`];
    }
    case 'attachMaskingPolicy':
      return [...fills(change.policy, [change.column], liveGuard), setMask(change.policy, change.column)];
    case 'detachMaskingPolicy':
      return [dropMask(change.column)];
    case 'createRowAccessPolicy': {
      const args = databricksRowArguments(change.policy, ctx.tables, ctx.expressions);
      return [createFilter(change.policy, args, ctx.expressions), setFilter(change.policy, args)];
    }
    case 'alterRowAccessPolicy': {
      const { from, to } = change;
      const toArgs = databricksRowArguments(to, ctx.tables, ctx.expressions);
      if (!attached(from)) return [createFilter(to, toArgs, ctx.expressions), setFilter(to, toArgs)];
      const fromArgs = databricksRowArguments({ ...from, table: to.table }, ctx.tables, ctx.expressions);
      if (JSON.stringify(fromArgs) === JSON.stringify(toArgs)) return [createFilter(to, toArgs, ctx.expressions)];
      return [dropFilter(from.table), createFilter(to, toArgs, ctx.expressions), setFilter(to, toArgs)];
    }
    case 'dropRowAccessPolicy': {
      const p = change.policy;
      return [...(attached(p) ? [dropFilter(p.table)] : []), `DROP FUNCTION IF EXISTS ${databricksFunctionName(p.schema, p.name)}`];
    }
    case 'attachMaskingTag':
    case 'detachMaskingTag':
    case 'setColumnTag':
    case 'unsetColumnTag':
      // The configuration refuses `tag:` off Snowflake; a plan that still holds one is refused here.
      throw new RbacError('PLAN_INVALID', `${change.kind}: tag-based masking is Snowflake only`, 'mask the columns with columns: on Databricks');
    default:
      return assertNever(change);
  }
}
