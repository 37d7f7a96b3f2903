/**
 * SQL that a person writes, on PostgreSQL: parsed by PostgreSQL's own parser
 * (libpg-query, the server's grammar compiled to WebAssembly), checked node by node
 * against an allowlist, and re-printed from the tree by pgsql-deparser. See
 * src/model/expressions.ts for the contract.
 *
 * Why this closes the injection class by construction: the text is wrapped as
 * `SELECT <text>` and must parse to exactly one SELECT with exactly one unnamed target
 * and nothing else (no FROM, WHERE, set operation, second statement), so whatever the
 * lexer makes of escape strings, dollar quotes or comments is decided by the real
 * grammar; only the tree is kept, and the SQL that reaches a statement is printed from
 * it. The print is parsed again and must give the same tree (locations aside), so a
 * deparser bug fails closed instead of changing meaning.
 *
 * The parser is WebAssembly and loads asynchronously once: `loadPostgresParser()` must
 * have resolved before the synchronous `postgresExpressions` is used (the CLI loads it
 * with the configuration; the test setup loads it for every test file).
 */
import { loadModule, parseSync } from 'libpg-query';
import { deparseSync } from 'pgsql-deparser';
import {
  ExpressionError,
  VALUE_PLACEHOLDER,
  type CheckedExpression,
  type ExpressionParser,
  type ExpressionPolicy,
  type ExpressionUse,
} from '../../model/expressions.js';

let loaded: Promise<void> | undefined;
let ready = false;

/** Load the WebAssembly parser (idempotent). */
export function loadPostgresParser(): Promise<void> {
  loaded ??= loadModule().then(() => {
    ready = true;
  });
  return loaded;
}

/** Whether `loadPostgresParser()` has resolved (other users of the parser check it). */
export function postgresParserReady(): boolean {
  return ready;
}

/** The identifier `{value}` becomes while parsing; refused anywhere in the text as written. */
const PLACEHOLDER_IDENT = '__rbac_value__';
const PREFIX = 'SELECT ';

/**
 * Built-in functions an expression may call: pg_catalog functions that are scalar,
 * free of side effects, and read nothing but their arguments and the session's own
 * identity or settings (no files, no network, no other relations, no sequences).
 * Names as the parser stores them (SQL-syntax forms such as EXTRACT, POSITION, TRIM,
 * SUBSTRING ... FROM, AT TIME ZONE arrive as their pg_catalog functions).
 */
export const POSTGRES_SAFE_FUNCTIONS: ReadonlySet<string> = new Set([
  // text
  'lower', 'upper', 'initcap', 'left', 'right', 'substr', 'substring', 'length', 'char_length', 'character_length',
  'octet_length', 'bit_length', 'btrim', 'ltrim', 'rtrim', 'lpad', 'rpad', 'replace', 'translate', 'regexp_replace',
  'regexp_match', 'regexp_like', 'regexp_substr', 'regexp_count', 'regexp_instr', 'split_part', 'strpos', 'position',
  'starts_with', 'concat', 'concat_ws', 'format', 'repeat', 'reverse', 'overlay', 'to_hex', 'quote_literal',
  // hashing and encoding
  'md5', 'sha224', 'sha256', 'sha384', 'sha512', 'encode', 'decode', 'convert_to', 'convert_from',
  // dates and formatting
  'to_char', 'to_date', 'to_timestamp', 'to_number', 'date_trunc', 'date_part', 'extract', 'make_date',
  'make_timestamp', 'make_interval', 'age', 'now', 'timezone', 'isfinite', 'justify_days', 'justify_hours',
  // numbers
  'abs', 'round', 'floor', 'ceil', 'ceiling', 'trunc', 'mod', 'sign', 'power', 'sqrt', 'div',
  // arrays and json
  'array_to_string', 'array_length', 'cardinality', 'array_position', 'json_extract_path_text',
  'jsonb_extract_path_text', 'jsonb_typeof', 'json_typeof',
  // the session: who is asking (the basis of row filters and masks)
  'pg_has_role', 'current_setting',
]);

/** Operators an expression may use (built-in comparison, arithmetic, text, pattern, array and json operators). */
const SAFE_OPERATORS: ReadonlySet<string> = new Set([
  '=', '<>', '!=', '<', '>', '<=', '>=', '+', '-', '*', '/', '%', '^', '||', '@',
  '~', '~*', '!~', '!~*', '~~', '~~*', '!~~', '!~~*',
  '@>', '<@', '&&', '->', '->>', '#>', '#>>', '?', '?|', '?&',
]);

/** Type names a cast may name (as the parser stores them, pg_catalog or bare). */
const SAFE_TYPES: ReadonlySet<string> = new Set([
  'bool', 'boolean', 'int2', 'int4', 'int8', 'smallint', 'integer', 'int', 'bigint', 'numeric', 'decimal', 'float4',
  'float8', 'real', 'text', 'varchar', 'bpchar', 'char', 'name', 'date', 'time', 'timetz', 'timestamp', 'timestamptz',
  'interval', 'uuid', 'json', 'jsonb', 'bytea', 'inet', 'cidr', 'citext',
]);

const ALLOWED_AEXPR = new Set([
  'AEXPR_OP', 'AEXPR_OP_ANY', 'AEXPR_OP_ALL', 'AEXPR_DISTINCT', 'AEXPR_NOT_DISTINCT', 'AEXPR_NULLIF', 'AEXPR_IN',
  'AEXPR_LIKE', 'AEXPR_ILIKE', 'AEXPR_SIMILAR', 'AEXPR_BETWEEN', 'AEXPR_NOT_BETWEEN', 'AEXPR_BETWEEN_SYM',
  'AEXPR_NOT_BETWEEN_SYM',
]);

type Json = Record<string, unknown>;

/** One node `{Kind: fields}` of the parse tree. */
function kindOf(node: unknown): [string, Json] {
  if (!node || typeof node !== 'object' || Array.isArray(node)) throw new ExpressionError('unexpected parse tree');
  const keys = Object.keys(node);
  if (keys.length !== 1) throw new ExpressionError('unexpected parse tree');
  return [keys[0], (node as Json)[keys[0]] as Json];
}

function strings(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((n) => {
    const [k, v] = kindOf(n);
    if (k !== 'String') throw new ExpressionError('unexpected name in the parse tree');
    return String(v.sval ?? '');
  });
}

/** 1-based character position in the text as written, from a byte offset into `SELECT <text>`. */
function positionOf(wrapped: string, byteOffset: unknown): number | undefined {
  if (typeof byteOffset !== 'number' || byteOffset < 0) return undefined;
  const chars = Buffer.from(wrapped, 'utf8').subarray(0, byteOffset).toString('utf8').length;
  return Math.max(1, chars - PREFIX.length + 1);
}

interface Walk {
  use: ExpressionUse;
  policy: ExpressionPolicy;
  wrapped: string;
  columns: string[];
  placeholders: number;
}

function fail(w: Walk, message: string, node?: Json): never {
  throw new ExpressionError(message, positionOf(w.wrapped, node?.location));
}

/** `database.schema.name` of the configuration -> `schema.name` as PostgreSQL SQL names it. */
function inConnectedDatabase(name: string): string {
  return name.split('.').slice(1).join('.');
}

function checkFunction(w: Walk, names: string[], node: Json): void {
  const bare = names.length === 2 && names[0] === 'pg_catalog' ? names[1] : names.length === 1 ? names[0] : undefined;
  if (bare !== undefined && POSTGRES_SAFE_FUNCTIONS.has(bare)) return;
  const qualified = names.join('.');
  if (names.length === 2 && w.policy.functions.some((f) => inConnectedDatabase(f) === qualified)) return;
  fail(
    w,
    `function ${qualified}() is not allowed in a ${w.use === 'mask' ? 'mask expression' : 'row filter'}; list it under expressions.functions in rbac.yaml if it is safe`,
    node,
  );
}

function checkType(w: Walk, t: Json): void {
  const names = strings(t.names);
  const bare = names.length === 2 && names[0] === 'pg_catalog' ? names[1] : names.length === 1 ? names[0] : undefined;
  if (bare === undefined || !SAFE_TYPES.has(bare)) fail(w, `cast to type ${names.join('.')} is not allowed`, t);
  for (const m of (t.typmods as unknown[]) ?? []) {
    const [k, v] = kindOf(m);
    if (k !== 'A_Const' || !('ival' in v)) fail(w, 'a type modifier must be a number', v);
  }
  if (t.setof || t.pct_type) fail(w, 'this type form is not allowed', t);
}

function walk(w: Walk, node: unknown): void {
  const [kind, n] = kindOf(node);
  switch (kind) {
    case 'A_Const':
      if (typeof (n.sval as Json | undefined)?.sval === 'string' && String((n.sval as Json).sval).includes(PLACEHOLDER_IDENT)) {
        fail(w, `${VALUE_PLACEHOLDER} may not appear inside a string literal`, n);
      }
      return;
    case 'ColumnRef': {
      const fields = (n.fields as unknown[]) ?? [];
      const parts: string[] = [];
      for (const f of fields) {
        const [k, v] = kindOf(f);
        if (k === 'A_Star') fail(w, '"*" is not allowed in an expression', n);
        if (k !== 'String') fail(w, 'unexpected column reference', n);
        parts.push(String(v.sval ?? ''));
      }
      const last = parts[parts.length - 1];
      if (parts.some((p) => p.includes(PLACEHOLDER_IDENT))) {
        if (parts.length !== 1 || last !== PLACEHOLDER_IDENT) fail(w, `${VALUE_PLACEHOLDER} may not be part of a name`, n);
        if (w.use === 'where') fail(w, `a row filter cannot use ${VALUE_PLACEHOLDER}; it names the table's columns directly`, n);
        w.placeholders++;
        return;
      }
      if (parts.length > 3) fail(w, 'a column reference has at most three parts (schema.table.column)', n);
      if (!w.columns.includes(last)) w.columns.push(last);
      return;
    }
    case 'ParamRef':
      fail(w, 'parameters ($1, ...) are not allowed', n);
      return;
    case 'A_Expr': {
      if (!ALLOWED_AEXPR.has(String(n.kind))) fail(w, `operator form ${String(n.kind)} is not allowed`, n);
      const op = strings(n.name);
      const name = op.length === 2 && op[0] === 'pg_catalog' ? op[1] : op.length === 1 ? op[0] : undefined;
      if (name === undefined || !SAFE_OPERATORS.has(name)) fail(w, `operator ${op.join('.')} is not allowed`, n);
      if (n.lexpr !== undefined) walk(w, n.lexpr);
      if (n.rexpr !== undefined) walk(w, n.rexpr);
      return;
    }
    case 'List':
      for (const x of (n.items as unknown[]) ?? []) walk(w, x);
      return;
    case 'BoolExpr':
      for (const x of (n.args as unknown[]) ?? []) walk(w, x);
      return;
    case 'NullTest':
    case 'BooleanTest':
      walk(w, n.arg);
      return;
    case 'TypeCast':
      checkType(w, n.typeName as Json);
      walk(w, n.arg);
      return;
    case 'CollateClause':
      walk(w, n.arg);
      return;
    case 'FuncCall': {
      if (n.agg_star || n.agg_distinct || n.agg_order || n.agg_filter || n.agg_within_group || n.func_variadic) {
        fail(w, 'aggregate and variadic calls are not allowed', n);
      }
      if (n.over) fail(w, 'window functions (OVER) are not allowed', n);
      checkFunction(w, strings(n.funcname), n);
      for (const x of (n.args as unknown[]) ?? []) walk(w, x);
      return;
    }
    case 'CaseExpr':
      if (n.arg !== undefined) walk(w, n.arg);
      for (const x of (n.args as unknown[]) ?? []) walk(w, x);
      if (n.defresult !== undefined) walk(w, n.defresult);
      return;
    case 'CaseWhen':
      walk(w, n.expr);
      walk(w, n.result);
      return;
    case 'CoalesceExpr':
    case 'MinMaxExpr':
    case 'RowExpr':
      for (const x of (n.args as unknown[]) ?? []) walk(w, x);
      return;
    case 'A_ArrayExpr':
      for (const x of (n.elements as unknown[]) ?? []) walk(w, x);
      return;
    case 'SQLValueFunction':
      return;
    case 'A_Indirection':
      walk(w, n.arg);
      for (const ind of (n.indirection as unknown[]) ?? []) {
        const [k, v] = kindOf(ind);
        if (k === 'A_Indices') {
          if (v.lidx !== undefined) walk(w, v.lidx);
          if (v.uidx !== undefined) walk(w, v.uidx);
        } else if (k !== 'String') fail(w, 'this kind of subscript is not allowed', v);
      }
      return;
    case 'SubLink':
      checkSubLink(w, n);
      return;
    default:
      fail(w, `${describeNode(kind)} is not allowed in an expression`, n);
  }
}

function describeNode(kind: string): string {
  switch (kind) {
    case 'GroupingFunc':
      return 'GROUPING()';
    case 'XmlExpr':
    case 'XmlSerialize':
      return 'XML syntax';
    case 'SetToDefault':
      return 'DEFAULT';
    default:
      return `${kind.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^A_/, '')} syntax`;
  }
}

/**
 * A subquery may only read relations the configuration lists (expressions.relations):
 * EXISTS (...), x IN (SELECT ...) or a scalar (SELECT ...), over plain relations, with
 * the same expression rules inside.
 */
function checkSubLink(w: Walk, n: Json): void {
  if (w.policy.relations.length === 0) {
    fail(w, 'subqueries are not allowed unless the relations they read are listed under expressions.relations in rbac.yaml', n);
  }
  const type = String(n.subLinkType);
  if (type !== 'EXISTS_SUBLINK' && type !== 'ANY_SUBLINK' && type !== 'EXPR_SUBLINK') fail(w, `subquery form ${type} is not allowed`, n);
  if (n.testexpr !== undefined) walk(w, n.testexpr);
  if (n.operName !== undefined) {
    const op = strings(n.operName);
    if (op.length !== 1 || !SAFE_OPERATORS.has(op[0])) fail(w, `operator ${op.join('.')} is not allowed`, n);
  }
  const [k, s] = kindOf(n.subselect);
  if (k !== 'SelectStmt') fail(w, 'unexpected subquery', n);
  const allowedKeys = new Set(['targetList', 'fromClause', 'whereClause', 'limitOption', 'op']);
  for (const key of Object.keys(s)) if (!allowedKeys.has(key)) fail(w, `${key.replace(/Clause$/, '')} is not allowed in a subquery`, n);
  if (s.op !== 'SETOP_NONE') fail(w, 'set operations are not allowed in a subquery', n);
  const from = (s.fromClause as unknown[]) ?? [];
  if (from.length === 0) fail(w, 'a subquery must read a listed relation', n);
  const outer = w.columns;
  // Columns of the subquery belong to its relations, not to the filtered table.
  w.columns = [];
  for (const f of from) {
    const [fk, rv] = kindOf(f);
    if (fk !== 'RangeVar') fail(w, 'a subquery may only read listed relations (no joins, functions or nested subqueries in FROM)', n);
    // Unqualified names resolve through search_path, so only schema.table can be trusted to be what was listed.
    if (typeof rv.schemaname !== 'string' || rv.catalogname !== undefined) fail(w, 'a subquery must name its relation as schema.table', rv);
    const name = `${rv.schemaname}.${String(rv.relname)}`;
    if (!w.policy.relations.some((r) => inConnectedDatabase(r) === name)) {
      fail(w, `the subquery reads ${name}, which is not listed under expressions.relations in rbac.yaml`, rv);
    }
  }
  for (const t of (s.targetList as unknown[]) ?? []) {
    const [tk, rt] = kindOf(t);
    if (tk !== 'ResTarget' || rt.name !== undefined) fail(w, 'unexpected subquery target', n);
    walk(w, rt.val);
  }
  if (s.whereClause !== undefined) walk(w, s.whereClause);
  w.columns = outer;
}

/** The tree without locations (they differ between the text as written and its re-print). */
function shape(node: unknown): string {
  return JSON.stringify(node, (k, v) => (k === 'location' || k === 'stmt_len' || k === 'stmt_location' ? undefined : v));
}

/** Parse `SELECT <text>` and return the single target expression, or throw. */
function parseOne(wrapped: string): unknown {
  if (!ready) throw new ExpressionError('the PostgreSQL parser is not loaded (call loadPostgresParser() first)');
  let tree: { stmts?: { stmt?: unknown }[] };
  try {
    tree = parseSync(wrapped) as typeof tree;
  } catch (e) {
    const d = (e as { sqlDetails?: { cursorPosition?: number; message?: string } }).sqlDetails;
    const msg = d?.message ?? (e as Error).message;
    throw new ExpressionError(`not a PostgreSQL expression: ${msg}`, d?.cursorPosition !== undefined ? positionOf(wrapped, d.cursorPosition) : undefined);
  }
  const stmts = tree.stmts ?? [];
  if (stmts.length !== 1) throw new ExpressionError(stmts.length === 0 ? 'the expression is empty' : 'the text holds more than one statement: write one expression, no ";"');
  const [kind, sel] = kindOf(stmts[0].stmt);
  if (kind !== 'SelectStmt') throw new ExpressionError('not an expression');
  for (const key of Object.keys(sel)) {
    if (key !== 'targetList' && key !== 'limitOption' && key !== 'op') {
      throw new ExpressionError(`not a single expression: the text continues with ${key.replace(/Clause$|List$/, '').toUpperCase()}`);
    }
  }
  const targets = (sel.targetList as unknown[]) ?? [];
  if (targets.length !== 1 || sel.op !== 'SETOP_NONE') throw new ExpressionError('not a single expression: write one expression, no commas at the top level');
  const [tk, rt] = kindOf(targets[0]);
  if (tk !== 'ResTarget' || rt.name !== undefined || rt.indirection !== undefined) throw new ExpressionError('not a single expression (an alias or extra text follows it)');
  return rt.val;
}

function prepare(text: string, use: ExpressionUse): string {
  if (text.includes('\u0000')) throw new ExpressionError('the expression holds a NUL byte');
  if (text.trim() === '') throw new ExpressionError('the expression is empty');
  if (text.includes(PLACEHOLDER_IDENT)) throw new ExpressionError(`the name ${PLACEHOLDER_IDENT} is reserved`);
  if (use === 'where' && text.includes(VALUE_PLACEHOLDER)) {
    throw new ExpressionError(`a row filter cannot use ${VALUE_PLACEHOLDER}; it names the table's columns directly`, text.indexOf(VALUE_PLACEHOLDER) + 1);
  }
  return text.split(VALUE_PLACEHOLDER).join(PLACEHOLDER_IDENT);
}

/** Parse and check; the checked tree and what the walk learnt. */
function analyse(text: string, use: ExpressionUse, policy: ExpressionPolicy): { tree: unknown; columns: string[] } {
  const wrapped = PREFIX + prepare(text, use);
  const tree = parseOne(wrapped);
  const w: Walk = { use, policy, wrapped, columns: [], placeholders: 0 };
  walk(w, tree);
  if (use === 'mask' && w.placeholders === 0) throw new ExpressionError(`a mask expression must use ${VALUE_PLACEHOLDER} where the column's value goes`);
  return { tree, columns: w.columns };
}

/** Print a tree, and prove the print parses back to the same tree. */
function print(tree: unknown): string {
  const out = deparseSync(tree as never, { pretty: false });
  let back: unknown;
  try {
    back = parseOne(PREFIX + out);
  } catch {
    back = undefined;
  }
  if (back === undefined || shape(back) !== shape(tree)) {
    throw new ExpressionError('rbac cannot re-print this expression exactly (it would change meaning); rewrite it, and please report it');
  }
  return out;
}

/** Replace every placeholder column reference by a reference to `column`. */
function substitute(node: unknown, column: string): unknown {
  if (Array.isArray(node)) return node.map((x) => substitute(x, column));
  if (!node || typeof node !== 'object') return node;
  const o = node as Json;
  if (o.ColumnRef) {
    const fields = strings((o.ColumnRef as Json).fields);
    if (fields.length === 1 && fields[0] === PLACEHOLDER_IDENT) {
      return { ColumnRef: { ...(o.ColumnRef as Json), fields: [{ String: { sval: column } }] } };
    }
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) out[k] = substitute(v, column);
  return out;
}

export const postgresExpressions: ExpressionParser = {
  check(text: string, use: ExpressionUse, policy: ExpressionPolicy): CheckedExpression {
    const { tree, columns } = analyse(text, use, policy);
    return { text: print(tree).split(PLACEHOLDER_IDENT).join(VALUE_PLACEHOLDER), columns };
  },
  render(text: string, use: ExpressionUse, policy: ExpressionPolicy, opts: { value?: string } = {}): string {
    const { tree } = analyse(text, use, policy);
    if (use === 'where') return print(tree);
    if (opts.value === undefined) throw new ExpressionError('a mask expression needs the column it masks');
    if (opts.value.includes('\u0000') || opts.value === '') throw new ExpressionError('bad column name');
    return print(substitute(tree, opts.value));
  },
};

/**
 * A column type as the catalog prints it (`format_type()`), checked with the same
 * parser before it is written into a CAST: exactly one type name, possibly qualified,
 * with numeric modifiers and array bounds.
 */
export function checkTypeName(type: string): string {
  if (!ready) throw new ExpressionError('the PostgreSQL parser is not loaded (call loadPostgresParser() first)');
  if (type.includes('\u0000')) throw new ExpressionError('bad type name');
  const wrapped = `${PREFIX}CAST(NULL AS ${type})`;
  const tree = parseOne(wrapped);
  const [k, v] = kindOf(tree);
  const [ak, av] = kindOf(v.arg);
  if (k !== 'TypeCast' || ak !== 'A_Const' || av.isnull !== true) throw new ExpressionError(`unexpected column type ${JSON.stringify(type)}`);
  const t = v.typeName as Json;
  for (const m of (t.typmods as unknown[]) ?? []) {
    const [mk, mv] = kindOf(m);
    if (mk !== 'A_Const' || !('ival' in mv)) throw new ExpressionError(`unexpected column type ${JSON.stringify(type)}`);
  }
  return type;
}
