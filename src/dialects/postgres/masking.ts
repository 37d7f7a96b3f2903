/**
 * Masking and row access on PostgreSQL, the pure parts: names, mask expressions, the
 * comments that mark what the tool owns, and the desired-state transform that moves
 * non-exempt roles' reads of masked columns onto the masking views.
 *
 * Postgres has no native column masks. For every table with masked columns the tool
 * owns a view `<schema>.<table>_masked` (security_barrier) that selects every column of
 * the table, each masked column through `CASE WHEN <reader is exempt> THEN col ELSE
 * mask(col) END`, and filters rows by the table's row access rules. A non-exempt role
 * is never granted the raw column; it reads the view. Row access policies are also row
 * level security policies on the base table, for roles that read it directly.
 */
import { RELATION_KINDS } from '../../model/kinds.js';
import { columnKey, makeGrant, objectKey, schemaOf } from '../../model/keys.js';
import { RbacError } from '../../model/errors.js';
import { ExpressionError, NO_EXTRAS, type ExpressionPolicy, type ExpressionUse } from '../../model/expressions.js';
import { checkTypeName, postgresExpressions } from './expression.js';
import type {
  ColumnRef,
  Desired,
  GrantRecord,
  Live,
  LiveTable,
  MaskingPolicyRecord,
  ObjectRef,
  RowAccessPolicyRecord,
  SchemaWideGrant,
} from '../../model/types.js';
import type { PlanProblem } from '../../plan/types.js';
import { PG_MAX_IDENTIFIER_BYTES, quoteIdent, quoteLiteral } from './quote.js';
import { AGE_AGGREGATION_YEARS, ZIP3_RESTRICTED, ZIP3_RESTRICTED_VALUE } from '../../model/safe-harbor/index.js';
import { surrogateLookupSql } from './surrogates.js';

/** Suffix of the masking view of a table. */
export const MASKED_VIEW_SUFFIX = '_masked';
/** The schema holding the tool's own objects (the hash salt, the surrogate keys). */
export const TOOL_SCHEMA = 'rbac';
/** Marker of a masking view's comment (JSON `{"rbac": VIEW_MARKER, ...}`). */
export const VIEW_MARKER = 'masking-view';
/** Marker of a row level security policy's comment. */
export const POLICY_MARKER = 'row-access';

/** The masking view's name for a table; an error when Postgres would truncate it. */
export function maskedViewName(table: string): string {
  const name = `${table}${MASKED_VIEW_SUFFIX}`;
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > PG_MAX_IDENTIFIER_BYTES) {
    throw new RbacError(
      'PLAN_INVALID',
      `the masking view of table ${JSON.stringify(table)} would be named ${JSON.stringify(name)} (${bytes} bytes); PostgreSQL names hold at most ${PG_MAX_IDENTIFIER_BYTES}`,
      `rename the table to at most ${PG_MAX_IDENTIFIER_BYTES - MASKED_VIEW_SUFFIX.length} bytes, or mask its columns with another tool`,
    );
  }
  return name;
}

/** The masking view of a table, as an object the planner grants on. */
export function maskedViewRef(table: ObjectRef): ObjectRef {
  return { kind: 'view', database: table.database, schema: table.schema, name: maskedViewName(table.name ?? '') };
}

/** `"schema"."name"` of a table or view. */
export function relationSql(o: ObjectRef): string {
  return `${quoteIdent(o.schema ?? '')}.${quoteIdent(o.name ?? '')}`;
}

/**
 * Roles exempt from a masking policy: those in `unmaskedFor` and every role that
 * inherits one of them through role memberships (transitively).
 */
export function exemptRoles(unmaskedFor: readonly string[], memberships: Desired['memberships']): Set<string> {
  const inheritors = new Map<string, string[]>();
  for (const m of memberships) {
    if (m.memberKind !== 'role') continue;
    const list = inheritors.get(m.role) ?? [];
    list.push(m.member);
    inheritors.set(m.role, list);
  }
  const out = new Set<string>();
  const stack = [...unmaskedFor];
  while (stack.length) {
    const r = stack.pop()!;
    if (out.has(r)) continue;
    out.add(r);
    stack.push(...(inheritors.get(r) ?? []));
  }
  return out;
}

const TEXT_TYPE = /^(text|citext|character varying(\(\d+\))?|character(\(\d+\))?|varchar(\(\d+\))?|bpchar)$/;
const DATE_TYPE = /^(date|timestamp(\(\d\))? with(out)? time zone)$/;
const INTEGER_TYPE = /^(smallint|integer|bigint)$/;

function castType(type: string): string {
  // format_type() output of the catalog; still proven to be exactly one type name by the parser.
  try {
    return checkTypeName(type);
  } catch {
    throw new RbacError('TARGET', `unexpected column type ${JSON.stringify(type)}`);
  }
}

/** A person-written expression as it goes into a statement: re-parsed and re-printed (see expression.ts). */
function rendered(text: string, use: ExpressionUse, what: string, expressions: ExpressionPolicy | undefined, value?: string): string {
  try {
    return postgresExpressions.render(text, use, expressions ?? NO_EXTRAS, value === undefined ? {} : { value });
  } catch (e) {
    if (e instanceof ExpressionError) throw new RbacError('PLAN_INVALID', `${what} is refused: ${e.message}`, 'fix the expression in the configuration');
    throw e;
  }
}

/** The SQL of a row filter condition, re-printed from its parse tree. */
export function whereSql(p: Pick<RowAccessPolicyRecord, 'name'>, where: string, expressions?: ExpressionPolicy): string {
  return rendered(where, 'where', `the where of row access policy ${p.name}`, expressions);
}

/** The restricted prefixes as SQL literals: the configured list, else the built-in one; `NULL` for an empty list (IN () is not SQL). */
function zip3List(configured: readonly string[] | undefined): string {
  const list = configured ?? ZIP3_RESTRICTED;
  return list.length ? list.map(quoteLiteral).join(', ') : 'NULL';
}

function needType(ok: RegExp, mask: string, column: string, type: string): void {
  if (!ok.test(type)) {
    throw new RbacError(
      'PLAN_INVALID',
      `mask ${mask} cannot keep the type of column ${JSON.stringify(column)} (${type})`,
      ok === TEXT_TYPE ? `${mask} masks text columns; use null, redact or an expression` : `${mask} masks date, timestamp and integer (a year) columns; use null, redact or an expression`,
    );
  }
}

/**
 * The SQL of one masked value, keeping the column's type. `column` is the column's
 * name, `type` its format_type(). The hash salt is read from `rbac.settings`, which
 * only the view's owner (the tool) can read.
 */
export function maskSql(
  policy: Pick<MaskingPolicyRecord, 'mask' | 'expression' | 'zip3Restricted'> & { name?: string },
  column: string,
  type: string,
  expressions?: ExpressionPolicy,
): string {
  const col = quoteIdent(column);
  const t = castType(type);
  if (policy.expression !== undefined) {
    const sql = rendered(policy.expression, 'mask', `the expression of masking policy ${policy.name ?? ''}`.trimEnd(), expressions, column);
    return `CAST((${sql}) AS ${t})`;
  }
  switch (policy.mask) {
    case 'null':
      return `CAST(NULL AS ${t})`;
    case 'redact':
      return TEXT_TYPE.test(type) ? `CAST('****' AS ${t})` : `CAST(NULL AS ${t})`;
    case 'last4':
      needType(TEXT_TYPE, 'last4', column, type);
      // Every character but the last four becomes '*', separators ('-', ' ') kept.
      return `CAST(regexp_replace(left(${col}, greatest(length(${col}) - 4, 0)), '[^- ]', '*', 'g') || right(${col}, 4) AS ${t})`;
    case 'zip3':
      needType(TEXT_TYPE, 'zip3', column, type);
      // Safe Harbor (B): the restricted prefixes (model/safe-harbor) become 000.
      return `CAST(CASE WHEN left(${col}, 3) IN (${zip3List(policy.zip3Restricted)}) THEN ${quoteLiteral(ZIP3_RESTRICTED_VALUE)} ELSE left(${col}, 3) END AS ${t})`;
    case 'email_domain':
      needType(TEXT_TYPE, 'email_domain', column, type);
      return `CAST(CASE WHEN ${col} LIKE '%@%' THEN '****@' || substring(${col} FROM '@([^@]*)$') ELSE '****' END AS ${t})`;
    case 'hash':
      needType(TEXT_TYPE, 'hash', column, type);
      return `CAST(encode(sha256(convert_to((SELECT s.salt FROM ${quoteIdent(TOOL_SCHEMA)}.settings s LIMIT 1) || ${col}, 'UTF8')), 'hex') AS ${t})`;
    case 'year':
      if (INTEGER_TYPE.test(type)) {
        // A year held as a number (birth_year): kept, or NULL when 90 or more years back.
        return `CAST(CASE WHEN ${col} <= extract(year FROM current_date) - ${AGE_AGGREGATION_YEARS} THEN NULL ELSE ${col} END AS ${t})`;
      }
      needType(DATE_TYPE, 'year', column, type);
      // Safe Harbor (C): a year 90 or more years back shows an age over 89; the one
      // "90 or older" category is NULL, since a date column cannot hold a label and a
      // made-up date would be read as a real one.
      return `CAST(CASE WHEN extract(year FROM ${col}) <= extract(year FROM current_date) - ${AGE_AGGREGATION_YEARS} THEN NULL ELSE date_trunc('year', ${col}) END AS ${t})`;
    case 'surrogate':
      // A random key from rbac's mapping table, read with the view owner's rights (surrogates.ts).
      needType(TEXT_TYPE, 'surrogate', column, type);
      if (!policy.name) throw new RbacError('PLAN_INVALID', 'a surrogate mask needs its policy name (the key space)');
      return `CAST(${surrogateLookupSql(policy.name, column)} AS ${t})`;
    case undefined:
      throw new RbacError('PLAN_INVALID', 'masking policy without mask or expression');
    default: {
      const never: never = policy.mask;
      throw new RbacError('PLAN_INVALID', `unknown mask ${String(never)}`);
    }
  }
}

/** `pg_has_role(current_user, 'r', 'MEMBER') OR ...` (covers inheritance); `false` for none. */
export function memberOfSql(roles: readonly string[]): string {
  if (roles.length === 0) return 'false';
  return roles.map((r) => `pg_has_role(current_user, ${quoteLiteral(r)}, 'MEMBER')`).join(' OR ');
}

/** One select-list item of the masking view. */
export function maskedColumnSql(policy: MaskingPolicyRecord, column: string, type: string, expressions?: ExpressionPolicy): string {
  const masked = maskSql(policy, column, type, expressions);
  const value = policy.unmaskedFor.length ? `CASE WHEN ${memberOfSql(policy.unmaskedFor)} THEN ${quoteIdent(column)} ELSE ${masked} END` : masked;
  return `${value} AS ${quoteIdent(column)}`;
}

/** The row filter of the rules of row access policies: a role in no rule sees no rows. */
export function rowFilterSql(policies: readonly RowAccessPolicyRecord[], expressions?: ExpressionPolicy): string {
  const terms: string[] = [];
  for (const p of policies) {
    for (const r of p.rules) {
      const where = whereSql(p, r.where, expressions);
      if (r.roles.length) terms.push(`((${memberOfSql(r.roles)}) AND (${where}))`);
    }
  }
  return terms.length ? terms.join(' OR ') : 'false';
}

/** A masking policy as stored in a view's comment: the columns of that view's table only. */
interface StoredMasking {
  name: string;
  schema: string;
  mask?: string;
  expression?: string;
  unmaskedFor: string[];
  /** zip3: the configured restricted prefixes; absent: the built-in list. */
  zip3?: string[];
  columns: string[];
}

/** What a masking view's comment records: tool ownership, the columns it selects, the policies. */
export interface ViewComment {
  rbac: typeof VIEW_MARKER;
  /** The table's columns when the view was made (a different live list means stale). */
  columns: string[];
  masking: StoredMasking[];
  /**
   * Set (to SAFE_HARBOR_MASKS) on a view with a zip3 or year column made since those
   * masks are Safe Harbor; such a view without it is rebuilt (see the reader).
   */
  safeHarbor?: number;
  /** Digest of the view's definition when rbac made it (enforcement.ts); absent on views made before 0.2. */
  digest?: string;
}

/** The version of the zip3 and year masks, recorded in a masking view's comment. */
export const SAFE_HARBOR_MASKS = 1;
/** The masks whose SQL changed when they became Safe Harbor. */
export const SAFE_HARBOR_MASK_NAMES: ReadonlySet<string> = new Set(['zip3', 'year']);

/** The comment of a masking view, as JSON (parsed back by `decodeViewComment`). */
export function encodeViewComment(table: ObjectRef, columns: readonly string[], policies: readonly MaskingPolicyRecord[]): string {
  const k = objectKey(table);
  const c: ViewComment = {
    rbac: VIEW_MARKER,
    columns: [...columns],
    masking: policies.map((p) => ({
      name: p.name,
      schema: p.schema.schema ?? '',
      ...(p.mask !== undefined ? { mask: p.mask } : {}),
      ...(p.expression !== undefined ? { expression: p.expression } : {}),
      unmaskedFor: [...p.unmaskedFor],
      ...(p.zip3Restricted !== undefined ? { zip3: [...p.zip3Restricted] } : {}),
      columns: p.columns.filter((c) => objectKey(c.table) === k).map((c) => c.column),
    })),
  };
  if (c.masking.some((m) => m.mask !== undefined && m.expression === undefined && SAFE_HARBOR_MASK_NAMES.has(m.mask) && m.columns.length)) c.safeHarbor = SAFE_HARBOR_MASKS;
  return JSON.stringify(c);
}

/** Inverse of `encodeViewComment`; undefined for a comment the tool did not write. */
export function decodeViewComment(comment: string | null | undefined): ViewComment | undefined {
  if (!comment || !comment.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(comment) as ViewComment;
    if (v?.rbac !== VIEW_MARKER || !Array.isArray(v.masking) || !Array.isArray(v.columns)) return undefined;
    return v;
  } catch {
    return undefined;
  }
}

/** What a row level security policy's comment records. */
export interface PolicyComment {
  rbac: typeof POLICY_MARKER;
  name: string;
  rules: { roles: string[]; where: string }[];
  /** The tool enabled row level security on the table (so it disables it when its last policy goes). */
  enabledRls: boolean;
  /** Digest of this policy's definition when rbac made it (enforcement.ts); absent before 0.2. */
  digest?: string;
}

export function encodePolicyComment(p: RowAccessPolicyRecord, enabledRls: boolean): string {
  const c: PolicyComment = { rbac: POLICY_MARKER, name: p.name, rules: p.rules.map((r) => ({ roles: [...r.roles], where: r.where })), enabledRls };
  return JSON.stringify(c);
}

export function decodePolicyComment(comment: string | null | undefined): PolicyComment | undefined {
  if (!comment || !comment.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(comment) as PolicyComment;
    if (v?.rbac !== POLICY_MARKER || typeof v.name !== 'string' || !Array.isArray(v.rules)) return undefined;
    return v;
  } catch {
    return undefined;
  }
}

/** A row access policy read back on Postgres, with whether the tool enabled RLS. */
export type PgRowAccessPolicyRecord = RowAccessPolicyRecord & { enabledRls?: boolean };

/** Names of the row level security policies implementing one row access policy. */
export function rlsPolicyNames(p: RowAccessPolicyRecord): { rules: string[]; writes: string[] } {
  return {
    rules: p.rules.map((_, i) => `${p.name}__${i + 1}`),
    writes: ['insert', 'update', 'delete'].map((w) => `${p.name}__${w}`),
  };
}

/** Masked columns per table key, with their policy, from a policy list. */
export function maskedColumnsByTable(policies: readonly MaskingPolicyRecord[]): Map<string, { table: ObjectRef; columns: Map<string, MaskingPolicyRecord> }> {
  const out = new Map<string, { table: ObjectRef; columns: Map<string, MaskingPolicyRecord> }>();
  for (const p of policies) {
    for (const c of p.columns) {
      const k = objectKey(c.table);
      let e = out.get(k);
      if (!e) out.set(k, (e = { table: c.table, columns: new Map() }));
      e.columns.set(c.column, p);
    }
  }
  return out;
}

/** Sort columns as the config loader does (by columnKey). */
export function sortColumnRefs(cs: ColumnRef[]): ColumnRef[] {
  const m = new Map(cs.map((c) => [columnKey(c), c]));
  return [...m.keys()].sort().map((k) => m.get(k)!);
}

/** Problems of the configuration on Postgres that need no live state: view names too long. */
export function postgresPolicyProblems(desired: Desired): PlanProblem[] {
  const problems: PlanProblem[] = [];
  for (const { table } of maskedColumnsByTable(desired.maskingPolicies ?? []).values()) {
    try {
      maskedViewName(table.name ?? '');
    } catch (e) {
      problems.push({ severity: 'error', message: (e as RbacError).message, hint: (e as RbacError).hint });
    }
  }
  return problems;
}

/**
 * The desired state as Postgres holds it (pure). For every role NOT exempt from the
 * masking policy of a column (exempt: in unmasked_for, or inheriting such a role):
 * - a SELECT grant on a masked column becomes SELECT on that column of the table's
 *   masking view, and the role's other SELECT columns of the table are granted on
 *   the view too (so one relation gives it every column it may read);
 * - a table-level SELECT on a table with masked columns becomes column SELECT on the
 *   table's other columns plus SELECT on the whole view;
 * - an `objects: tables` SELECT skips the masked tables (handled as table-level
 *   above); every role it names may read the masking views of the schema.
 * Exempt roles keep their grants. Without `live` (before the target is read) the
 * desired state is returned as is. Throws when a masked table is not live, or a
 * relation named like its masking view exists that the tool does not own.
 */
export function preparePostgresDesired(desired: Desired, live?: Live): Desired {
  const masking = desired.maskingPolicies ?? [];
  refuseToolObjectGrants(desired, masking);
  if (!live || masking.length === 0) {
    return desired;
  }
  const byTable = maskedColumnsByTable(masking);
  const liveTables = new Map<string, LiveTable>(live.tables.map((t) => [objectKey(t.object), t]));
  const toolViews = new Set<string>();
  for (const p of live.maskingPolicies ?? []) for (const c of p.columns) toolViews.add(objectKey(maskedViewRef(c.table)));
  const exempt = new Map<string, Set<string>>();
  const exemptFor = (p: MaskingPolicyRecord) => {
    let s = exempt.get(p.key);
    if (!s) exempt.set(p.key, (s = exemptRoles(p.unmaskedFor, desired.memberships)));
    return s;
  };
  for (const [k, e] of byTable) {
    const lt = liveTables.get(k);
    if (!lt) {
      throw new RbacError('PLAN_INVALID', `table ${k} has masked columns but does not exist on the target`, 'create the table first, or remove it from the masking policy');
    }
    for (const c of e.columns.keys()) {
      if (!lt.columns.includes(c)) throw new RbacError('PLAN_INVALID', `masked column ${c} does not exist in table ${k}`, 'fix the column name in the masking policy');
    }
    const view = maskedViewRef(e.table);
    const vk = objectKey(view);
    if (liveTables.has(vk) && !toolViews.has(vk)) {
      throw new RbacError(
        'PLAN_INVALID',
        `a relation ${view.schema}.${view.name} exists that rbac does not own; it is where the masking view of ${e.table.schema}.${e.table.name} goes`,
        'rename or drop that relation, then plan again',
      );
    }
  }

  const grants: GrantRecord[] = [];
  const add = (g: Omit<GrantRecord, 'key'>) => grants.push(makeGrant(g));
  // A grant option asked for on the table goes with the grants that stand in for it.
  const opt = (g: { grantOption?: boolean }) => (g.grantOption ? { grantOption: true } : {});
  // role+table -> the column grants the role keeps on the table (to mirror onto the view)
  const viewNeeded = new Map<string, { role: string; table: ObjectRef; source?: GrantRecord['source'] }>();
  const kept: GrantRecord[] = [];
  for (const g of desired.grants) {
    const e = g.privilege === 'select' && RELATION_KINDS.has(g.object.kind) ? byTable.get(objectKey(g.object)) : undefined;
    if (!e) {
      grants.push(g);
      continue;
    }
    const maskedFor = [...e.columns].filter(([, p]) => !exemptFor(p).has(g.role)).map(([c]) => c);
    if (maskedFor.length === 0) {
      grants.push(g);
      continue;
    }
    const view = maskedViewRef(e.table);
    if (g.column === undefined) {
      const lt = liveTables.get(objectKey(g.object))!;
      for (const c of lt.columns) if (!maskedFor.includes(c)) add({ role: g.role, privilege: 'select', object: g.object, column: c, source: g.source, ...opt(g) });
      add({ role: g.role, privilege: 'select', object: view, source: g.source, ...opt(g) });
      continue;
    }
    if (maskedFor.includes(g.column)) {
      add({ role: g.role, privilege: 'select', object: view, column: g.column, source: g.source, ...opt(g) });
      viewNeeded.set(`${g.role}\u0000${objectKey(g.object)}`, { role: g.role, table: g.object, source: g.source });
    } else {
      grants.push(g);
      kept.push(g);
    }
  }
  for (const g of kept) {
    if (viewNeeded.has(`${g.role}\u0000${objectKey(g.object)}`)) {
      add({ role: g.role, privilege: 'select', object: maskedViewRef(g.object), column: g.column, source: g.source, ...opt(g) });
    }
  }

  const schemaWide: SchemaWideGrant[] = [];
  for (const w of desired.schemaWide) {
    const sk = objectKey(w.schema);
    const inSchema = [...byTable.values()].filter((e) => objectKey(schemaOf(e.table)) === sk);
    if (w.privilege !== 'select' || inSchema.length === 0) {
      schemaWide.push(w);
      continue;
    }
    const except: string[] = [];
    for (const e of inSchema) {
      const view = maskedViewRef(e.table);
      add({ role: w.role, privilege: 'select', object: view, source: w.source });
      const maskedFor = [...e.columns].filter(([, p]) => !exemptFor(p).has(w.role)).map(([c]) => c);
      if (maskedFor.length === 0) continue;
      except.push(objectKey(e.table));
      for (const c of liveTables.get(objectKey(e.table))!.columns) {
        if (!maskedFor.includes(c)) add({ role: w.role, privilege: 'select', object: e.table, column: c, source: w.source });
      }
    }
    schemaWide.push(except.length ? { ...w, exceptTables: except } : w);
  }

  const maskingPolicies = masking.map((p) => ({ ...p, body: maskingBody(p, liveTables, desired.expressions) }));
  const rowAccessPolicies = (desired.rowAccessPolicies ?? []).map((p) => ({ ...p, body: rowAccessBody(p) }));
  return { ...desired, grants, schemaWide, maskingPolicies, rowAccessPolicies };
}

/**
 * rbac's own objects take no grant but SELECT on a masking view: a write on the view
 * writes through it to the table (the view runs with its owner's rights), and the
 * `rbac` schema holds the salt of the `hash` mask.
 */
function refuseToolObjectGrants(desired: Desired, masking: readonly MaskingPolicyRecord[]): void {
  const views = new Set([...maskedColumnsByTable(masking).values()].map((e) => objectKey(maskedViewRef(e.table))));
  for (const g of desired.grants) {
    if (g.object.kind !== 'database' && g.object.schema === TOOL_SCHEMA) {
      throw new RbacError(
        'PLAN_INVALID',
        `a grant to ${g.role} names the schema ${TOOL_SCHEMA}, which rbac owns (it holds the salt of the hash mask)`,
        `grant nothing on schema ${TOOL_SCHEMA}${g.source ? ` (${g.source.file}:${g.source.line}:${g.source.column})` : ''}`,
      );
    }
    if (g.privilege !== 'select' && views.has(objectKey(g.object))) {
      throw new RbacError(
        'PLAN_INVALID',
        `${g.privilege.toUpperCase()} on the masking view ${g.object.schema}.${g.object.name} to ${g.role}: masking views are read-only, a write would go through to the table with rbac's rights`,
        `grant the write on the table instead${g.source ? ` (${g.source.file}:${g.source.line}:${g.source.column})` : ''}`,
      );
    }
  }
}

/** Display body of a masking policy: the view's select item of each column. */
export function maskingBody(p: MaskingPolicyRecord, tables: ReadonlyMap<string, LiveTable>, expressions?: ExpressionPolicy): string {
  return p.columns
    .map((c) => {
      const lt = tables.get(objectKey(c.table));
      const i = lt?.columns.indexOf(c.column) ?? -1;
      const type = i >= 0 ? lt?.columnTypes?.[i] : undefined;
      const where = `${c.table.schema}.${maskedViewName(c.table.name ?? '')}`;
      try {
        return `${where}: ${type ? maskedColumnSql(p, c.column, type, expressions) : '(column type unknown)'}`;
      } catch (e) {
        return `${where}: ${(e as Error).message}`;
      }
    })
    .join('\n');
}

/** Display body of a row access policy: its row level security policies. */
export function rowAccessBody(p: RowAccessPolicyRecord): string {
  const names = rlsPolicyNames(p).rules;
  return p.rules
    .map((r, i) => `POLICY ${quoteIdent(names[i])} ON ${relationSql(p.table)} FOR SELECT TO ${r.roles.map(quoteIdent).join(', ') || 'NONE'} USING (${r.where})`)
    .join('\n');
}
