/**
 * Masking and row access policies on Snowflake: compile policy changes.
 *
 * Masking (one MASKING POLICY object per policy, in the schema of its first column):
 *   CREATE MASKING POLICY "D"."S"."P" AS (val <T>) RETURNS <T> ->
 *     CASE WHEN IS_ROLE_IN_SESSION('R') OR ... THEN val ELSE <mask> END COMMENT = '<marker>'
 * (IS_DATABASE_ROLE_IN_SESSION('R') for a database role, `D.R` in the model: the relative
 * name, which a policy resolves in the protected table's database; a qualified one is
 * always FALSE.)
 * IS_ROLE_IN_SESSION is true for the primary role, secondary roles and every role
 * they inherit, so "unmaskedFor R" covers roles that inherit R.
 * - Signature: one type per policy object. The type comes from the live column types
 *   (ctx.tables); `TEXT` reads as VARCHAR and length/precision are dropped (a VARCHAR
 *   policy attaches to any VARCHAR). Columns of different types under one policy are
 *   REFUSED at compile with a hint to split the policy (decision: no hidden
 *   `P__DATE` objects the configuration does not name). Unknown types (offline plan,
 *   table not created yet) default to DATE for `year` and VARCHAR otherwise; apply
 *   re-plans live, where the real types are known.
 * - Alter with the same signature: `ALTER MASKING POLICY ... SET BODY ->` and
 *   `SET COMMENT`, in place, never unmasked. With another signature (the columns'
 *   type changed): UNSET from every column it keeps, CREATE OR REPLACE, SET
 *   again (a policy cannot be replaced while attached; the columns are unmasked
 *   between these statements).
 * - Drop: UNSET from every column and every tag, then DROP (Snowflake refuses to
 *   drop an attached policy).
 * - Tags (tag-based masking, `MaskingPolicyRecord.tags`): `ALTER TAG "D"."S"."T" SET
 *   MASKING POLICY p` (no FORCE: a tag holds one policy per data type, and another's is
 *   refused loudly, not replaced) and `... UNSET MASKING POLICY p`. Columns masked
 *   through a tag are not the policy's columns: nothing here unsets them. A signature
 *   change unsets the policy from the tags it keeps too, and sets it back after the
 *   replace. A column's tag (ColumnTagRecord, from `phi:`): `ALTER TABLE ... MODIFY
 *   COLUMN "C" SET TAG "D"."S"."T" = '<category>'` (also replaces a value in place) and
 *   `... UNSET TAG "D"."S"."T"`. A policy named only by a tag has no columns to type it:
 *   its signature is DATE for `year`, else VARCHAR, and the planner refuses a classified
 *   column whose type no policy on its tag covers (tagCoverageProblems).
 * - hash: SHA2(CONCAT((SELECT "SALT" FROM "D"."RBAC"."SETTINGS" LIMIT 1), ':', VAL), 256),
 *   a keyed hash: equal values hash alike across the database's tables (joins work),
 *   and without the salt a low-entropy identifier (an 8-digit MRN) cannot be reversed by
 *   hashing every candidate. The salt lives in rbac's own schema of the policy's
 *   database, `"D"."RBAC"` (PostgreSQL's is `rbac`; Snowflake folds the unquoted name to
 *   upper case), a managed-access schema whose COMMENT is TOOL_SCHEMA_MARKER, in the
 *   table `"SETTINGS"` (one VARCHAR column `"SALT"`, one row). A masking policy body
 *   runs its subquery with the policy owner's rights (Snowflake's mapping-table
 *   pattern), so the querying role needs, and gets, no privilege on it: nobody but
 *   the owner (the role that applies rbac) is granted anything there, and every grant
 *   on the schema or the table is in the managed scope (Live.toolObjects: read with
 *   SHOW GRANTS ON, revoked when not configured, in additive mode too).
 *   saltBootstrap creates both idempotently before the first statement that needs
 *   them, revokes from the new objects what the database's future grants gave them
 *   (CompileContext.newObjectGrantees), and only then generates the salt INSIDE
 *   Snowflake (UUID_STRING, RANDSTR): it never appears in a plan, a statement, a log or
 *   output. A hash body written by rbac before 0.2 (salted with CURRENT_ACCOUNT(),
 *   which every user can read) is read as outdated and rewritten in place. Still
 *   pseudonymisation, not Safe Harbor: a code derived from the identifier needs an
 *   Expert Determination (164.514(c)).
 * - surrogate: (SELECT MIN("SURROGATE") FROM "D"."RBAC"."SURROGATES" WHERE "POLICY" =
 *   '<policy>' AND "VALUE" = VAL), a random key per value (32 lowercase hex digits of
 *   UUID_STRING() without its dashes) from rbac's mapping table in the same tool schema
 *   as the salt (columns POLICY, VALUE, SURROGATE, MAPPED_AT): keyed per policy, so the
 *   same value gets the same key in every column of the policy (joins work); a value
 *   with no key reads NULL, never the value. MIN: Snowflake enforces no unique key, and
 *   two fills racing (apply and `rbac surrogates`) may both key one value; MIN keeps the
 *   lookup a single row and the same for everyone. Text columns only, like hash. The
 *   table is protected exactly like the salt (owner only, every grant on it managed,
 *   a configured grant in the tool schema refused) and made by surrogateBootstrap
 *   before the first change that needs it. The fill (surrogateFillSql, also what
 *   `rbac surrogates` runs) maps every distinct non-NULL value present. A Snowflake
 *   mask applies to the applying role too, so the fill reads each column BEFORE the
 *   policy is set on it: create is CREATE POLICY, fill, SET; a column added is fill,
 *   SET; a signature change is UNSET, REPLACE, fill, SET. A column a policy masks
 *   already when the fill runs is read through that mask: the policy itself when its
 *   mask changes in place (hash -> surrogate: fill, then SET BODY), or another of
 *   rbac's policies still set on it (additive mode, where its detach is not planned;
 *   SET ... FORCE swaps it). That fill is GUARDED by the unmask condition of the mask
 *   it is read through (IS_ROLE_IN_SESSION of its unmasked_for): a role outside it
 *   maps nothing rather than mapping masked values, and the column reads NULL until
 *   `rbac surrogates` is run by a principal in unmasked_for. (A policy someone set by
 *   hand is not read, so it cannot be guarded against: rbac replaces it with FORCE, and
 *   what the fill mapped from it is a key for a masked value that no clear value meets.)
 *   Dropping a surrogate policy leaves its rows in the table: they are the only way to
 *   re-identify data already handed out under those keys; nothing drops the table. A
 *   surrogate policy set on a tag is refused (snowflakePolicyProblems): the columns a
 *   tag reaches are not the policy's columns, so nothing would map them.
 *
 * Row access: CREATE ROW ACCESS POLICY "D"."S"."P" AS ("COL" <T>, ...) RETURNS BOOLEAN
 *   -> (IS_ROLE_IN_SESSION('R1') AND (<where>)) OR ...; a role in no rule: FALSE.
 * - Arguments are the table's columns that the `where` texts name (scanned outside
 *   literals, matched against the live table columns), named exactly as the columns,
 *   so the where text binds to them unchanged. Only used columns, so other columns
 *   stay droppable. A rule set naming no column passes the table's first column.
 *   The table must be in the live state (its column types are needed): else a loud
 *   error.
 * - Alter with the same arguments: SET BODY + SET COMMENT in place. Other arguments:
 *   DROP from the table, CREATE OR REPLACE, ADD again (rows are unfiltered between).
 */
import { columnKey, objectKey, databaseRoleParts } from '../../model/keys.js';
import { RbacError } from '../../model/errors.js';
import type { ColumnRef, Desired, Live, LiveTable, MaskFunction, MaskingPolicyRecord, ObjectRef, RowAccessPolicyRecord, SourceLocation } from '../../model/types.js';
import { assertNever, type PlanProblem, type PolicyChange } from '../../plan/types.js';
import { bodyDigest, columnType, encodePolicyMarker, findTable } from '../policy-text.js';
import { ExpressionError, NO_EXTRAS, type ExpressionPolicy, type ExpressionUse } from '../../model/expressions.js';
import { snowflakeExpressions } from './expression.js';
import type { CompileContext } from '../types.js';
import { snowflakeDialect } from './quote.js';
import { AGE_AGGREGATION_YEARS, ZIP3_RESTRICTED, ZIP3_RESTRICTED_VALUE } from '../../model/safe-harbor/index.js';

const q = (n: string) => snowflakeDialect.quoteIdent(n);
const lit = (s: string) => snowflakeDialect.quoteLiteral(s);

/** The placeholder-free parameter name of a masking policy (stored upper case). */
export const SNOWFLAKE_MASK_PARAM = 'VAL';

/** A name that marks a row access policy whose table attachment is gone (reader). */
export const UNATTACHED_TABLE = '';

/** rbac's own schema in each database holding a `hash` policy (see the module comment). */
export const SNOWFLAKE_TOOL_SCHEMA = 'RBAC';
/** The table of the salt in the tool schema, and its one column. */
export const SALT_TABLE = 'SETTINGS';
export const SALT_COLUMN = 'SALT';
/** The COMMENT of the tool schema: the reader trusts a schema named RBAC as rbac's only with it. */
export const TOOL_SCHEMA_MARKER = 'rbac-tool-schema: holds the salt of the hash mask; managed by rbac, grant nothing here';

/** The tool schema of a database. */
export function toolSchemaRef(database: string): ObjectRef {
  return { kind: 'schema', database, schema: SNOWFLAKE_TOOL_SCHEMA };
}

/** The salt table of a database. */
export function saltTableRef(database: string): ObjectRef {
  return { kind: 'table', database, schema: SNOWFLAKE_TOOL_SCHEMA, name: SALT_TABLE };
}

/** The surrogate mask's mapping table in the tool schema (see the module comment). */
export const SURROGATE_TABLE = 'SURROGATES';
const MAP_POLICY = 'POLICY';
const MAP_VALUE = 'VALUE';
const MAP_SURROGATE = 'SURROGATE';
const MAP_MAPPED_AT = 'MAPPED_AT';

/** The mapping table of a database. */
export function surrogateTableRef(database: string): ObjectRef {
  return { kind: 'table', database, schema: SNOWFLAKE_TOOL_SCHEMA, name: SURROGATE_TABLE };
}

/** The salt, as the policy body reads it (with the policy owner's rights). */
function saltSql(database: string): string {
  return `(SELECT ${q(SALT_COLUMN)} FROM ${tableName(saltTableRef(database))} LIMIT 1)`;
}

/**
 * The statements that make a database's salt, each idempotent: the managed-access
 * tool schema, the salt table, a REVOKE of what future grants gave each of `grantees`
 * on them (before the salt exists), then the salt itself, generated by Snowflake and
 * inserted only while the table is empty. Nothing secret is in the text.
 */
export function saltBootstrap(database: string, grantees: readonly string[] = []): string[] {
  const table = tableName(saltTableRef(database));
  return [
    ...toolTableBootstrap(database, table, `${q(SALT_COLUMN)} VARCHAR NOT NULL`, grantees),
    `INSERT INTO ${table} (${q(SALT_COLUMN)}) SELECT SHA2(CONCAT(UUID_STRING(), UUID_STRING(), RANDSTR(64, RANDOM())), 256) FROM (SELECT COUNT(*) AS N FROM ${table}) WHERE N = 0`,
  ];
}

/**
 * A table of rbac's in the tool schema of a database (the salt, the mapping), each
 * statement idempotent: the managed-access schema, the table, and a REVOKE of what
 * future grants gave each of `grantees` on both, before anything secret is written.
 */
function toolTableBootstrap(database: string, table: string, columns: string, grantees: readonly string[]): string[] {
  const schema = `${q(database)}.${q(SNOWFLAKE_TOOL_SCHEMA)}`;
  return [
    `CREATE SCHEMA IF NOT EXISTS ${schema} WITH MANAGED ACCESS COMMENT = ${lit(TOOL_SCHEMA_MARKER)}`,
    `CREATE TABLE IF NOT EXISTS ${table} (${columns})`,
    ...[...new Set(grantees)].sort().flatMap((r) => [`REVOKE ALL PRIVILEGES ON SCHEMA ${schema} FROM ROLE ${q(r)}`, `REVOKE ALL PRIVILEGES ON TABLE ${table} FROM ROLE ${q(r)}`]),
  ];
}

/**
 * The statements that make a database's mapping table, each idempotent: the
 * managed-access tool schema, the table, and a REVOKE of what future grants gave each
 * of `grantees` on them, before any value is mapped.
 */
export function surrogateBootstrap(database: string, grantees: readonly string[] = []): string[] {
  const columns = `${q(MAP_POLICY)} VARCHAR NOT NULL, ${q(MAP_VALUE)} VARCHAR NOT NULL, ${q(MAP_SURROGATE)} VARCHAR NOT NULL, ${q(MAP_MAPPED_AT)} TIMESTAMP_LTZ DEFAULT CURRENT_TIMESTAMP`;
  return toolTableBootstrap(database, tableName(surrogateTableRef(database)), columns, grantees);
}

const isSurrogate = (p: MaskingPolicyRecord | undefined): p is MaskingPolicyRecord => p !== undefined && p.expression === undefined && p.mask === 'surrogate';

/** The database whose mapping table a change's statements read or fill, if any (a `surrogate` policy created, changed or set on a column). */
export function surrogateDatabase(change: PolicyChange): string | undefined {
  const p =
    change.kind === 'createMaskingPolicy' || change.kind === 'attachMaskingPolicy' ? change.policy : change.kind === 'alterMaskingPolicy' ? change.to : undefined;
  return isSurrogate(p) ? p.schema.database : undefined;
}

/** The key of a value, as the policy body reads it (with the policy owner's rights). */
function surrogateLookup(p: MaskingPolicyRecord, value: string): string {
  return `(SELECT MIN(${q(MAP_SURROGATE)}) FROM ${tableName(surrogateTableRef(p.schema.database))} WHERE ${q(MAP_POLICY)} = ${lit(p.name)} AND ${q(MAP_VALUE)} = ${value})`;
}

/**
 * The distinct non-NULL values of a column, as strings, that have no key under the
 * policy yet: `(...) RBAC_X WHERE NOT EXISTS (...)`. `guard`, when given, is a
 * condition the session must meet for any row to be read (the unmask condition).
 */
function unmappedValues(p: MaskingPolicyRecord, column: ColumnRef, guard?: string): string {
  const map = tableName(surrogateTableRef(p.schema.database));
  const col = q(column.column);
  return (
    `(SELECT DISTINCT TO_VARCHAR(${col}) AS RBAC_VALUE FROM ${tableName(column.table)} WHERE ${col} IS NOT NULL${guard ? ` AND (${guard})` : ''}) RBAC_X` +
    ` WHERE NOT EXISTS (SELECT 1 FROM ${map} RBAC_M WHERE RBAC_M.${q(MAP_POLICY)} = ${lit(p.name)} AND RBAC_M.${q(MAP_VALUE)} = RBAC_X.RBAC_VALUE)`
  );
}

/**
 * The one fill of a column's keys, used by compile and by `rbac surrogates`: every
 * distinct non-NULL value without a key gets a random one, generated by Snowflake
 * (idempotent: a value with a key is left alone). `through`: the masking policy the
 * column is read through when the fill runs (rbac's, as read live); the fill is then
 * guarded by that policy's unmask condition, so only a session that reads the column
 * in clear maps anything. A policy with no unmasked_for, or whose body was edited by
 * hand (its condition is not known), lets nobody read in clear: no statement then.
 */
export function surrogateFillSql(p: MaskingPolicyRecord, column: ColumnRef, opts: { through?: MaskingPolicyRecord } = {}): string[] {
  const through = opts.through;
  if (through && (!through.unmaskedFor.length || through.tampered?.length)) return [];
  const map = tableName(surrogateTableRef(p.schema.database));
  const guard = through ? inSession(through.unmaskedFor) : undefined;
  return [
    `INSERT INTO ${map} (${q(MAP_POLICY)}, ${q(MAP_VALUE)}, ${q(MAP_SURROGATE)}) SELECT ${lit(p.name)}, RBAC_X.RBAC_VALUE, LOWER(REPLACE(UUID_STRING(), '-', '')) FROM ${unmappedValues(p, column, guard)}`,
  ];
}

/** `SELECT COUNT(*) AS N ...`: the distinct non-NULL values of a column without a key (rbac surrogates). */
export function surrogateUnmappedCountSql(p: MaskingPolicyRecord, column: ColumnRef): string {
  return `SELECT COUNT(*) AS N FROM ${unmappedValues(p, column)}`;
}

/** `SELECT (<unmask condition>) AS EXEMPT`: whether this session reads the policy's columns in clear. */
export function surrogateExemptSql(p: MaskingPolicyRecord): string {
  return `SELECT (${p.unmaskedFor.length ? inSession(p.unmaskedFor) : 'FALSE'}) AS EXEMPT`;
}

/**
 * Problems of the configuration on Snowflake that need no live state: a grant on rbac's
 * tool schema or anything in it, in a database where a `hash` policy keeps its salt or
 * a `surrogate` policy its mapping there (both secret: nobody but their owner may read
 * them; the mapping re-identifies every key).
 */
export function snowflakePolicyProblems(desired: Desired): PlanProblem[] {
  // What the tool schema of each database holds: the salt (hash), the mapping (surrogate).
  const holds = new Map<string, Set<string>>();
  for (const p of desired.maskingPolicies ?? []) {
    if (p.expression !== undefined || (p.mask !== 'hash' && p.mask !== 'surrogate')) continue;
    const what = p.mask === 'hash' ? 'the secret salt of the hash mask' : 'the mapping of the surrogate mask';
    (holds.get(p.schema.database) ?? holds.set(p.schema.database, new Set()).get(p.schema.database)!).add(what);
  }
  const held = (db: string) => [...(holds.get(db) ?? [])].sort().join(' and ');
  const inTool = (o: ObjectRef) => o.kind !== 'database' && o.schema === SNOWFLAKE_TOOL_SCHEMA && holds.has(o.database);
  const at = (s?: SourceLocation) => (s ? ` (${s.file}:${s.line}:${s.column})` : '');
  const problems: PlanProblem[] = [];
  for (const g of desired.grants) {
    if (!inTool(g.object)) continue;
    problems.push({
      severity: 'error',
      message: `a grant to ${g.role} names ${objectKey(g.object)}, in the schema ${SNOWFLAKE_TOOL_SCHEMA} that rbac owns in ${g.object.database} (it holds ${held(g.object.database)})`,
      hint: `grant nothing in ${g.object.database}.${SNOWFLAKE_TOOL_SCHEMA}${at(g.source)}`,
    });
  }
  // A surrogate policy set on a tag would mask columns rbac never maps (the fill and
  // `rbac surrogates` map the columns a policy names): they would read NULL for good.
  for (const p of desired.maskingPolicies ?? []) {
    if (!isSurrogate(p) || !p.tags?.length) continue;
    problems.push({
      severity: 'error',
      message: `masking policy ${p.name} masks through tag ${p.tags.map(tagName).join(', ')} with surrogate, but rbac maps only the columns a policy names: the columns carrying the tag would read NULL`,
      hint: `name the columns in columns: instead of tag:, or mask through the tag with another mask${at(p.source)}`,
    });
  }
  for (const w of desired.schemaWide) {
    if (w.schema.kind !== 'schema' || !inTool(w.schema)) continue;
    problems.push({
      severity: 'error',
      message: `objects: in ${objectKey(w.schema)} to ${w.role} reaches the schema rbac owns in ${w.schema.database} (it holds ${held(w.schema.database)})`,
      hint: `grant nothing in ${w.schema.database}.${SNOWFLAKE_TOOL_SCHEMA}${at(w.source)}`,
    });
  }
  problems.push(...databaseRoleProblems(desired));
  return problems;
}

/**
 * A database role named in a policy's exemption (unmasked_for, a row rule's roles) is in
 * session only in its own database: Snowflake resolves IS_DATABASE_ROLE_IN_SESSION's
 * relative name in the protected table's database. For a column or table of another
 * database, or a tag (which reaches tables of any database), the role never counts:
 * fail closed (masked, no rows), so a warning.
 */
function databaseRoleProblems(desired: Desired): PlanProblem[] {
  const at = (s?: SourceLocation) => (s ? ` (${s.file}:${s.line}:${s.column})` : '');
  const out: PlanProblem[] = [];
  const check = (roles: readonly string[], where: string, databases: readonly string[], viaTag: boolean, source?: SourceLocation) => {
    for (const r of roles) {
      const parts = databaseRoleParts(r);
      if (!parts) continue;
      const others = [...new Set(databases.filter((d) => d !== parts.database))].sort();
      if (!others.length && !viaTag) continue;
      out.push({
        severity: 'warning',
        message: `database role ${r} in ${where} is in session only for tables of database ${parts.database} (Snowflake resolves IS_DATABASE_ROLE_IN_SESSION in the protected table's database): ${others.length ? `in ${others.join(', ')} it never counts` : 'through a tag it counts only for tables of that database'}, so those stay masked or filtered for it`,
        hint: `use an account role there, or a database role of each table's own database${at(source)}`,
      });
    }
  };
  for (const p of desired.maskingPolicies ?? []) check(p.unmaskedFor, `unmasked_for of masking policy ${p.name}`, p.columns.map((c) => c.table.database), (p.tags?.length ?? 0) > 0, p.source);
  for (const p of desired.rowAccessPolicies ?? []) for (const rule of p.rules) check(rule.roles, `a rule of row access policy ${p.name}`, [p.table.database], false, p.source);
  return out;
}

/**
 * Problems that need the live column types: a classified column that gets a tag
 * (Desired.columnTags) whose type no masking policy on that tag has for signature
 * would carry the tag and stay unmasked (Snowflake applies a tag's policy only to
 * columns of the policy's type). A column masked directly (`columns:`) is covered.
 * Columns whose table or type the live state does not have are not judged here.
 */
export function tagCoverageProblems(desired: Desired, live: Live): PlanProblem[] {
  if (!desired.columnTags?.length) return [];
  const direct = new Set((desired.maskingPolicies ?? []).flatMap((p) => p.columns.map(columnKey)));
  const typesOn = new Map<string, Set<string>>();
  for (const p of desired.maskingPolicies ?? []) {
    let sig: string;
    try {
      sig = maskingSignature(p, live.tables);
    } catch {
      continue; // mixed column types: the compiler refuses the policy with its own message
    }
    for (const t of p.tags ?? []) (typesOn.get(objectKey(t)) ?? typesOn.set(objectKey(t), new Set()).get(objectKey(t))!).add(sig);
  }
  const problems: PlanProblem[] = [];
  for (const ct of desired.columnTags) {
    if (direct.has(columnKey(ct.column))) continue;
    const type = columnType(live.tables, ct.column);
    if (type === undefined) continue;
    let sig: string;
    try {
      sig = snowflakeSignatureType(type);
    } catch {
      continue;
    }
    const have = typesOn.get(objectKey(ct.tag)) ?? new Set<string>();
    if (have.has(sig)) continue;
    const tag = `${ct.tag.database}.${ct.tag.schema}.${ct.tag.name}`;
    problems.push({
      severity: 'error',
      message: `classified column ${ct.column.table.database}.${ct.column.table.schema}.${ct.column.table.name}.${ct.column.column} (${sig}) gets tag ${tag}, but no masking policy on that tag takes ${sig} (${[...have].sort().join(', ') || 'none'}): it would stay unmasked`,
      hint: `mask it with columns: in a policy, or add a policy with tag: ${tag} whose columns: are ${sig}${ct.source ? ` (classified at ${ct.source.file}:${ct.source.line}:${ct.source.column})` : ''}`,
    });
  }
  return problems;
}

/** The database whose salt a change's statements read, if any (a `hash` policy created or changed). */
export function saltDatabase(change: PolicyChange): string | undefined {
  const p = change.kind === 'createMaskingPolicy' ? change.policy : change.kind === 'alterMaskingPolicy' ? change.to : undefined;
  return p && p.expression === undefined && p.mask === 'hash' ? p.schema.database : undefined;
}

function need(v: string | undefined, what: string): string {
  if (v === undefined) throw new RbacError('PLAN_INVALID', `policy reference without a ${what}`);
  return v;
}

export function snowflakePolicyName(schema: ObjectRef, name: string): string {
  return `${q(schema.database)}.${q(need(schema.schema, 'schema'))}.${q(name)}`;
}

function tableName(t: ObjectRef): string {
  return `${q(t.database)}.${q(need(t.schema, 'schema'))}.${q(need(t.name, 'table name'))}`;
}

/** `"D"."S"."TAG"` of a tag. */
export function tagName(t: ObjectRef): string {
  if (t.kind !== 'tag') throw new RbacError('PLAN_INVALID', `not a tag: ${objectKey(t)}`);
  return `${q(t.database)}.${q(need(t.schema, 'schema'))}.${q(need(t.name, 'tag name'))}`;
}

/** Snowflake signature type for a column data type as INFORMATION_SCHEMA prints it. */
export function snowflakeSignatureType(dataType: string): string {
  const base = dataType.trim().toUpperCase().replace(/\s*\(.*$/, '');
  if (base === 'TEXT' || base === 'STRING' || base === 'CHAR' || base === 'CHARACTER') return 'VARCHAR';
  if (base === 'INT' || base === 'INTEGER' || base === 'BIGINT' || base === 'SMALLINT' || base === 'DECIMAL' || base === 'NUMERIC') return 'NUMBER';
  if (!/^[A-Z_][A-Z0-9_]*$/.test(base)) throw new RbacError('TARGET', `unexpected Snowflake data type ${JSON.stringify(dataType)}`);
  return base;
}

/** The one signature type of a masking policy's columns (see the module comment). */
export function maskingSignature(p: MaskingPolicyRecord, tables: readonly LiveTable[] | undefined): string {
  const byType = new Map<string, string[]>();
  for (const c of p.columns) {
    const t = columnType(tables, c);
    if (t === undefined) continue;
    const sig = snowflakeSignatureType(t);
    byType.set(sig, [...(byType.get(sig) ?? []), columnKey(c)]);
  }
  if (byType.size > 1) {
    const list = [...byType].map(([t, cs]) => `${t}: ${cs.join(', ')}`).join('; ');
    throw new RbacError(
      'PLAN_INVALID',
      `masking policy ${p.name} masks columns of different types (${list}); a Snowflake masking policy has one signature type`,
      'split it into one policy per column type (for example hash_ids_text and hash_ids_number)',
    );
  }
  if (byType.size === 1) return [...byType.keys()][0];
  return p.mask === 'year' ? 'DATE' : 'VARCHAR';
}

const TEXT = new Set(['VARCHAR']);
const TIMESTAMPS = new Set(['TIMESTAMP_NTZ', 'TIMESTAMP_LTZ', 'TIMESTAMP_TZ', 'TIMESTAMP', 'DATETIME']);

function unsupportedMask(p: MaskingPolicyRecord, mask: MaskFunction, type: string): never {
  throw new RbacError(
    'PLAN_INVALID',
    `mask ${mask} of policy ${p.name} cannot keep a ${type} column's type on Snowflake`,
    mask === 'year' ? 'use year on DATE, TIMESTAMP or NUMBER (a year) columns' : `use ${mask} on text columns, null/redact here, or a custom expression`,
  );
}

const over89 = (v: string) => `YEAR(${v}) <= YEAR(CURRENT_DATE()) - ${AGE_AGGREGATION_YEARS}`;

/** The masked value of a built-in mask, keeping the column's type. */
export function snowflakeMaskExpression(p: MaskingPolicyRecord, type: string, expressions?: ExpressionPolicy): string {
  const v = SNOWFLAKE_MASK_PARAM;
  if (p.expression !== undefined) return rendered(p.expression, 'mask', `the expression of masking policy ${p.name}`, expressions, v);
  const mask = need(p.mask, 'mask') as MaskFunction;
  const text = TEXT.has(type);
  switch (mask) {
    case 'null':
      return 'NULL';
    case 'redact':
      return text ? "'****'" : 'NULL';
    case 'hash':
      if (!text) return unsupportedMask(p, mask, type);
      return `SHA2(CONCAT(${saltSql(p.schema.database)}, ':', ${v}), 256)`;
    case 'last4':
      if (!text) return unsupportedMask(p, mask, type);
      return `CONCAT(REPEAT('*', GREATEST(LENGTH(${v}) - 4, 0)), RIGHT(${v}, 4))`;
    case 'zip3':
      if (!text) return unsupportedMask(p, mask, type);
      // Safe Harbor (B): the restricted prefixes (model/safe-harbor) become 000.
      return `CASE WHEN LEFT(${v}, 3) IN (${(p.zip3Restricted ?? ZIP3_RESTRICTED).map(lit).join(', ') || 'NULL'}) THEN ${lit(ZIP3_RESTRICTED_VALUE)} ELSE LEFT(${v}, 3) END`;
    case 'email_domain':
      if (!text) return unsupportedMask(p, mask, type);
      return `CONCAT('***@', SPLIT_PART(${v}, '@', -1))`;
    case 'year':
      // Safe Harbor (C): a year 90 or more years back is the one "90 or older"
      // category, NULL (the policy must return the column's type; see postgres/masking.ts).
      if (type === 'DATE') return `CASE WHEN ${over89(v)} THEN NULL ELSE DATE_FROM_PARTS(YEAR(${v}), 1, 1) END`;
      if (TIMESTAMPS.has(type)) return `CASE WHEN ${over89(v)} THEN NULL ELSE DATE_TRUNC('YEAR', ${v}) END`;
      // A year held as a number (BIRTH_YEAR): kept, or NULL when 90 or more years back.
      if (type === 'NUMBER') return `CASE WHEN ${v} <= YEAR(CURRENT_DATE()) - ${AGE_AGGREGATION_YEARS} THEN NULL ELSE ${v} END`;
      return unsupportedMask(p, mask, type);
    case 'surrogate':
      if (!text) return unsupportedMask(p, mask, type);
      return surrogateLookup(p, v);
    default:
      return assertNever(mask);
  }
}

/** A person-written expression as it goes into a statement: re-parsed and re-printed (see expression.ts). */
function rendered(text: string, use: ExpressionUse, what: string, expressions: ExpressionPolicy | undefined, value?: string): string {
  try {
    return snowflakeExpressions.render(text, use, expressions ?? NO_EXTRAS, value === undefined ? {} : { value });
  } catch (e) {
    if (e instanceof ExpressionError) throw new RbacError('PLAN_INVALID', `${what} is refused: ${e.message}`, 'fix the expression in the configuration');
    throw e;
  }
}

/** The table's columns that the rules' conditions read (as the parser saw them), in table order. */
function columnsOf(p: RowAccessPolicyRecord, table: LiveTable, expressions?: ExpressionPolicy): { name: string; type: string | undefined }[] {
  const wanted = new Set<string>();
  for (const r of p.rules) {
    try {
      for (const c of snowflakeExpressions.check(r.where, 'where', expressions ?? NO_EXTRAS).columns) wanted.add(c);
    } catch (e) {
      if (e instanceof ExpressionError) throw new RbacError('PLAN_INVALID', `the where of row access policy ${p.name} is refused: ${e.message}`);
      throw e;
    }
  }
  return table.columns.flatMap((name, i) => (wanted.has(name) ? [{ name, type: table.columnTypes?.[i] }] : []));
}

// A database role (`D.R` in the model) is in session through IS_DATABASE_ROLE_IN_SESSION,
// called with its RELATIVE name: in a policy Snowflake resolves it in the database of the
// protected table, and a qualified name always evaluates to FALSE (2024_01 bundle).
// databaseRoleProblems warns where D is not the protected table's database.
const inSession = (roles: readonly string[]) =>
  roles
    .map((r) => {
      const parts = databaseRoleParts(r);
      return parts ? `IS_DATABASE_ROLE_IN_SESSION(${lit(parts.role)})` : `IS_ROLE_IN_SESSION(${lit(r)})`;
    })
    .join(' OR ');

export function snowflakeMaskingBody(p: MaskingPolicyRecord, type: string, expressions?: ExpressionPolicy): string {
  const masked = snowflakeMaskExpression(p, type, expressions);
  if (!p.unmaskedFor.length) return masked;
  return `CASE WHEN ${inSession(p.unmaskedFor)} THEN ${SNOWFLAKE_MASK_PARAM} ELSE ${masked} END`;
}

function maskingComment(p: MaskingPolicyRecord, body: string): string {
  return lit(encodePolicyMarker({ policy: 'masking', name: p.name, mask: p.mask, expression: p.expression, unmaskedFor: p.unmaskedFor, zip3: p.zip3Restricted, body: bodyDigest(body) }));
}

function createMasking(p: MaskingPolicyRecord, type: string, orReplace: boolean, expressions?: ExpressionPolicy): string {
  const body = snowflakeMaskingBody(p, type, expressions);
  return `CREATE ${orReplace ? 'OR REPLACE ' : ''}MASKING POLICY ${snowflakePolicyName(p.schema, p.name)} AS (${SNOWFLAKE_MASK_PARAM} ${type}) RETURNS ${type} -> ${body} COMMENT = ${maskingComment(p, body)}`;
}

// FORCE: a column the configuration masks with this policy may carry another one
// (replaced by hand); FORCE swaps it in one statement, so the column is never unmasked.
const setMask = (p: MaskingPolicyRecord, c: ColumnRef) =>
  `ALTER TABLE ${tableName(c.table)} MODIFY COLUMN ${q(c.column)} SET MASKING POLICY ${snowflakePolicyName(p.schema, p.name)} FORCE`;
const unsetMask = (c: ColumnRef) => `ALTER TABLE ${tableName(c.table)} MODIFY COLUMN ${q(c.column)} UNSET MASKING POLICY`;
// No FORCE on a tag: a tag takes one masking policy per data type, and one of another
// owner's policies already there is refused loudly rather than replaced.
const setTagMask = (p: MaskingPolicyRecord, t: ObjectRef) => `ALTER TAG ${tagName(t)} SET MASKING POLICY ${snowflakePolicyName(p.schema, p.name)}`;
const unsetTagMask = (p: MaskingPolicyRecord, t: ObjectRef) => `ALTER TAG ${tagName(t)} UNSET MASKING POLICY ${snowflakePolicyName(p.schema, p.name)}`;
const tagsOf = (p: MaskingPolicyRecord): readonly ObjectRef[] => p.tags ?? [];

/** The arguments of a row access policy: the table's columns its rules name. */
export function rowAccessArguments(p: RowAccessPolicyRecord, tables: readonly LiveTable[] | undefined, expressions?: ExpressionPolicy): { name: string; type: string }[] {
  const table = findTable(tables, p.table);
  if (!table || !table.columns.length) {
    throw new RbacError(
      'PLAN_INVALID',
      `row access policy ${p.name}: table ${objectKey(p.table)} is not in the live state, and its column types are needed for the policy's arguments`,
      'create the table first, then plan against the live target (a snapshot must list the table with its columns and columnTypes)',
    );
  }
  let used = columnsOf(p, table, expressions);
  if (!used.length) used = [{ name: table.columns[0], type: table.columnTypes?.[0] }];
  return used.map((c) => {
    if (c.type === undefined) throw new RbacError('PLAN_INVALID', `row access policy ${p.name}: the type of column ${c.name} is unknown`, 'plan against the live target');
    return { name: c.name, type: snowflakeSignatureType(c.type) };
  });
}

export function snowflakeRowBody(p: RowAccessPolicyRecord, expressions?: ExpressionPolicy): string {
  if (!p.rules.length) return 'FALSE';
  return p.rules.map((r) => `((${inSession(r.roles) || 'FALSE'}) AND (${rendered(r.where, 'where', `the where of row access policy ${p.name}`, expressions)}))`).join(' OR ');
}

function rowComment(p: RowAccessPolicyRecord, body: string): string {
  return lit(
    encodePolicyMarker({
      policy: 'row',
      name: p.name,
      table: { database: p.table.database, schema: need(p.table.schema, 'schema'), name: need(p.table.name, 'table name') },
      rules: p.rules,
      body: bodyDigest(body),
    }),
  );
}

function createRow(p: RowAccessPolicyRecord, args: { name: string; type: string }[], expressions?: ExpressionPolicy): string {
  const body = snowflakeRowBody(p, expressions);
  return `CREATE OR REPLACE ROW ACCESS POLICY ${snowflakePolicyName(p.schema, p.name)} AS (${args.map((a) => `${q(a.name)} ${a.type}`).join(', ')}) RETURNS BOOLEAN -> ${body} COMMENT = ${rowComment(p, body)}`;
}

const addRow = (p: RowAccessPolicyRecord, args: { name: string }[]) =>
  `ALTER TABLE ${tableName(p.table)} ADD ROW ACCESS POLICY ${snowflakePolicyName(p.schema, p.name)} ON (${args.map((a) => q(a.name)).join(', ')})`;
const dropRowFromTable = (p: RowAccessPolicyRecord) => `ALTER TABLE ${tableName(p.table)} DROP ROW ACCESS POLICY ${snowflakePolicyName(p.schema, p.name)}`;
const attached = (p: RowAccessPolicyRecord) => p.table.name !== UNATTACHED_TABLE;

/** Which of rbac's policies masks a column when a change's statements start (undefined: none, or not known). */
export type MaskedBy = (column: ColumnRef) => MaskingPolicyRecord | undefined;

/** The fills of a surrogate policy's columns (nothing for another mask), each read through what masks it then. */
function fills(p: MaskingPolicyRecord, columns: readonly ColumnRef[], through: MaskedBy): string[] {
  return isSurrogate(p) ? columns.flatMap((c) => surrogateFillSql(p, c, { through: through(c) })) : [];
}

const unmasked: MaskedBy = () => undefined;

/**
 * One policy change's statements. `maskedBy` says which of rbac's policies masks a
 * column when the change starts (compileSnowflakePlan follows it through the plan): a
 * surrogate fill reads such a column through that mask, so it is guarded by its
 * unmask condition. Without it a column is taken as unmasked before its policy is set.
 */
export function compileSnowflakePolicy(change: PolicyChange, ctx: CompileContext = {}, maskedBy: MaskedBy = unmasked): string[] {
  switch (change.kind) {
    case 'createMaskingPolicy': {
      const p = change.policy;
      // OR REPLACE: a policy left unattached (hand-detached, or made by an aborted
      // apply) is not reported by the reader's attachments, so it may exist.
      // surrogate: the fill reads each column before the policy masks it (module comment).
      return [
        createMasking(p, maskingSignature(p, ctx.tables), true, ctx.expressions),
        ...fills(p, p.columns, maskedBy),
        ...p.columns.map((c) => setMask(p, c)),
        ...tagsOf(p).map((t) => setTagMask(p, t)),
      ];
    }
    case 'alterMaskingPolicy': {
      const { from, to } = change;
      const toType = maskingSignature(to, ctx.tables);
      if (!from.columns.length && !tagsOf(from).length) return [createMasking(to, toType, true, ctx.expressions)];
      const fromType = maskingSignature({ ...from, mask: to.mask }, ctx.tables);
      const name = snowflakePolicyName(to.schema, to.name);
      if (fromType === toType) {
        const body = snowflakeMaskingBody(to, toType, ctx.expressions);
        // In place: the columns stay masked by the old body while they are read, so the
        // fill is guarded by ITS unmask condition (module comment); it runs before the new
        // body looks keys up.
        const keep = new Set(to.columns.map(columnKey));
        return [
          ...fills(to, from.columns.filter((c) => keep.has(columnKey(c))), () => from),
          `ALTER MASKING POLICY ${name} SET BODY -> ${body}`,
          `ALTER MASKING POLICY ${name} SET COMMENT = ${maskingComment(to, body)}`,
        ];
      }
      // Signature change: detach, replace, reattach the columns both sides keep. The
      // plan detaches dropped columns (before this change) and attaches new ones (after)
      // in their own changes; in additive mode a column the config no longer names
      // stays attached and the REPLACE fails loudly.
      const keep = new Set(to.columns.map(columnKey));
      const kept = from.columns.filter((c) => keep.has(columnKey(c)));
      // A policy set on a tag cannot be replaced either: unset it from the tags both sides
      // keep and set it back (the plan unsets dropped tags before, sets new ones after).
      const keepTags = new Set(tagsOf(to).map(objectKey));
      const keptTags = tagsOf(from).filter((t) => keepTags.has(objectKey(t)));
      return [
        ...kept.map(unsetMask),
        ...keptTags.map((t) => unsetTagMask(from, t)),
        createMasking(to, toType, true, ctx.expressions),
        // Unset above: the kept columns read in clear here, before the policy is set back.
        ...fills(to, kept, unmasked),
        ...kept.map((c) => setMask(to, c)),
        ...keptTags.map((t) => setTagMask(to, t)),
      ];
    }
    case 'dropMaskingPolicy': {
      // A surrogate policy's rows stay in the mapping table: they are the only way to
      // re-identify data already handed out under its keys (module comment).
      const p = change.policy;
      // Snowflake refuses to drop a policy still set on a column or a tag.
      return [...p.columns.map(unsetMask), ...tagsOf(p).map((t) => unsetTagMask(p, t)), `DROP MASKING POLICY IF EXISTS ${snowflakePolicyName(p.schema, p.name)}`];
    }
    case 'attachMaskingPolicy':
      // A column added to a surrogate policy: mapped before the policy masks it.
      return [...fills(change.policy, [change.column], maskedBy), setMask(change.policy, change.column)];
    case 'detachMaskingPolicy':
      return [unsetMask(change.column)];
    case 'attachMaskingTag':
      return [setTagMask(change.policy, change.tag)];
    case 'detachMaskingTag':
      return [unsetTagMask(change.policy, change.tag)];
    case 'setColumnTag':
      // SET TAG on a column that carries the tag replaces its value in place.
      return [`ALTER TABLE ${tableName(change.column.table)} MODIFY COLUMN ${q(change.column.column)} SET TAG ${tagName(change.tag)} = ${lit(change.value)}`];
    case 'unsetColumnTag':
      return [`ALTER TABLE ${tableName(change.column.table)} MODIFY COLUMN ${q(change.column.column)} UNSET TAG ${tagName(change.tag)}`];
    case 'createRowAccessPolicy': {
      const p = change.policy;
      const args = rowAccessArguments(p, ctx.tables, ctx.expressions);
      return [createRow(p, args, ctx.expressions), addRow(p, args)];
    }
    case 'alterRowAccessPolicy': {
      const { from, to } = change;
      const toArgs = rowAccessArguments(to, ctx.tables, ctx.expressions);
      const name = snowflakePolicyName(to.schema, to.name);
      if (!attached(from)) return [createRow(to, toArgs, ctx.expressions), addRow(to, toArgs)];
      const fromArgs = rowAccessArguments({ ...from, table: to.table }, ctx.tables, ctx.expressions);
      if (JSON.stringify(fromArgs) === JSON.stringify(toArgs)) {
        const body = snowflakeRowBody(to, ctx.expressions);
        return [`ALTER ROW ACCESS POLICY ${name} SET BODY -> ${body}`, `ALTER ROW ACCESS POLICY ${name} SET COMMENT = ${rowComment(to, body)}`];
      }
      return [dropRowFromTable(from), createRow(to, toArgs, ctx.expressions), addRow(to, toArgs)];
    }
    case 'dropRowAccessPolicy': {
      const p = change.policy;
      return [...(attached(p) ? [dropRowFromTable(p)] : []), `DROP ROW ACCESS POLICY IF EXISTS ${snowflakePolicyName(p.schema, p.name)}`];
    }
    default:
      return assertNever(change);
  }
}
