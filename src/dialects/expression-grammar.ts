/**
 * The strict expression grammar behind `snowflakeExpressions` and
 * `databricksExpressions` (see src/model/expressions.ts for the contract): one lexer,
 * one recursive-descent parser, one tree checker and one printer, configured per
 * platform by an `ExpressionDialect`.
 *
 * Why a grammar and not a scanner: the hand-written checker it replaces decided what
 * was "inside a literal" with its own idea of the platform's quoting, and one escape
 * form it did not know let a second statement through. Here nothing the person wrote
 * is copied to the output. The text is parsed into a tree (a whitelist: anything the
 * grammar does not name is refused), the tree is checked (functions against a safe
 * list, `{value}` against the use), and the SQL is printed from the tree: every string
 * through the dialect's `quoteLiteral`, every identifier through its `quoteIdent`,
 * numbers, keywords, type names and function names from closed sets. So even if this
 * lexer misread some input, the output is still one well-formed expression whose
 * meaning is the tree's, and the tree is what the plan shows the reviewer.
 *
 * Accepted (both platforms unless noted):
 *   literals: numbers (`1`, `1.5`, `.5`, `1E-3`), strings (`'...'` with `''` and the
 *     backslash escapes in `stringEscapes`; Databricks also `"..."`), TRUE, FALSE, NULL;
 *   column references of 1 to 4 dot-separated parts, bare or quoted
 *     (Snowflake `"..."`, Databricks `` `...` ``);
 *   `{value}` (masks only) as a token of its own;
 *   parentheses; unary `-` `+` NOT; `* / %`; `+ - ||`; `= != <> < <= > >=`;
 *   IS [NOT] NULL; IS [NOT] DISTINCT FROM; [NOT] IN (list); [NOT] BETWEEN a AND b;
 *   [NOT] LIKE / ILIKE [ESCAPE 'c']; Databricks [NOT] RLIKE / REGEXP; AND; OR;
 *   CASE [x] WHEN .. THEN .. [ELSE ..] END; CAST / TRY_CAST (x AS type); x::type;
 *   calls `f(a, ...)` of safe built-ins or of functions the policy lists.
 * Precedence, loosest first: OR, AND, NOT, predicates (comparison, IS, IN, BETWEEN,
 *   LIKE; they do not chain), `+ - ||`, `* / %`, unary `-` `+`, `::`.
 * Refused with a message: `;`, every comment form, parameters (`?`, `:name`, `$1`),
 *   session variables (`$x`), dollar-quoted and prefixed strings (`$$..$$`, r'..',
 *   X'..'), subscripts and paths (`a[0]`, `a:b`), lambdas (`->`), SELECT and every
 *   subquery form, `*`, aggregates, window functions (OVER), DISTINCT in calls,
 *   INTERVAL literals, unknown functions, type names outside the dialect's list,
 *   invisible and direction-changing characters anywhere (the reviewer must see what
 *   runs), and expressions nested deeper than MAX_DEPTH. A `where` must be a condition:
 *   a bare literal, NULL, a signed value or arithmetic at its top is refused.
 *
 * Subqueries: refused for now. `ExpressionPolicy.relations` is accepted but unused; a
 * later `exists` / `inSubquery` node would carry the relation's normalized name parts
 * and be checked in `checkExpressionTree` against `policy.relations` by the same
 * normalized dot-joined comparison as `policy.functions`, the subquery body being
 * parsed by this same grammar (so its own `where` is checked too).
 */
import { RbacError } from '../model/errors.js';
import {
  ExpressionError,
  VALUE_PLACEHOLDER,
  type CheckedExpression,
  type ExpressionParser,
  type ExpressionPolicy,
  type ExpressionUse,
} from '../model/expressions.js';
import type { Dialect } from './types.js';

/** Longest expression text accepted; a filter or mask is a line or two, not a program. */
export const MAX_EXPRESSION_LENGTH = 20_000;
/**
 * Deepest tree accepted (a chain of 300 ORs is 300 deep). Bounds the printer's and the
 * checker's recursion, which walk the tree.
 */
export const MAX_DEPTH = 500;
/**
 * Deepest nesting of sub-expressions (parentheses, arguments) the parser follows, so
 * hostile input cannot overflow the stack. It exceeds MAX_DEPTH because the printer may
 * add parentheses (at most one pair per tree level), and the printed text of any
 * accepted tree must parse again.
 */
const MAX_NESTING = MAX_DEPTH + 2;

/**
 * What differs between platforms. Invariants: `functions`, `niladicKeywords` and
 * `datePartFunctions` hold names as `sql.normalize` folds a bare name; `niladicKeywords`
 * is a subset of `functions`; `reservedWords`, `types` and `dateParts` are upper case;
 * every entry of `types`, `dateParts` and `functions` is a plain ASCII word, so printing
 * one can never carry anything but that word.
 */
export interface ExpressionDialect {
  /** The platform's name, for messages. */
  readonly label: string;
  /** Folding and quoting: every identifier and string the printer emits goes through it. */
  readonly sql: Omit<Dialect, 'expressions'>;
  /** A bare identifier; must be sticky (`y` flag). */
  readonly bareIdentifier: RegExp;
  /** The character that opens and closes a quoted identifier (doubled inside). */
  readonly identifierQuote: '"' | '`';
  /** `"..."` is a string literal (Databricks) rather than an identifier. */
  readonly doubleQuotedStrings: boolean;
  /** Character after a backslash in a string literal -> the text it stands for; any other escape is refused. */
  readonly stringEscapes: ReadonlyMap<string, string>;
  /** Built-in functions a filter or mask may call (see the dialect file for what qualifies). */
  readonly functions: ReadonlySet<string>;
  /** Functions the platform also reads without parentheses (`CURRENT_DATE`); printed with `()`. */
  readonly niladicKeywords: ReadonlySet<string>;
  /** Words that may not be a bare column name (quote them to use them as names). */
  readonly reservedWords: ReadonlySet<string>;
  /** Type names for CAST / `::`, with the [min, max] number of integer arguments. */
  readonly types: ReadonlyMap<string, readonly [number, number]>;
  /** Built-ins whose first argument may be a bare date part (`DATEADD(DAY, 1, d)`). */
  readonly datePartFunctions: ReadonlySet<string>;
  /** The bare date parts accepted there. */
  readonly dateParts: ReadonlySet<string>;
  /** The platform has the RLIKE / REGEXP operators. */
  readonly regexpOperator: boolean;
  /** Text no string literal or quoted identifier may contain, with why (besides `{value}`). */
  readonly forbiddenInQuotes: readonly { readonly text: string; readonly reason: string }[];
}

// ---------------------------------------------------------------------------------
// Tree

/** Comparison operators, printed as written (`!=` and `<>` are both kept). */
export type CompareOp = '=' | '!=' | '<>' | '<' | '<=' | '>' | '>=';
/** Binary operators other than comparisons. */
export type BinaryOp = 'OR' | 'AND' | '+' | '-' | '||' | '*' | '/' | '%';

/**
 * A CAST / `::` target type. Invariant: `name` is a key of the dialect's `types` (upper
 * case) and `args` are whole numbers, as many as that entry allows (`NUMBER(10, 2)`).
 */
export interface SqlType {
  readonly name: string;
  readonly args: readonly number[];
}

/**
 * The parse tree. Invariants (the printer refuses a tree that breaks them, so a tree
 * built by hand cannot smuggle text either):
 * - it holds no parentheses and no positions: two texts that differ only in redundant
 *   parentheses, spacing or keyword case have equal trees, and `parse(print(t))`
 *   equals `t`;
 * - names are stored as the platform stores them (`sql.normalize` per part), so a
 *   column is printed by `quoteIdent` alone;
 * - `number.text` matches NUMBER_TEXT (non-negative; a minus sign is a `unary` node);
 * - `call.builtin` is true exactly for an unquoted one-part name on the safe list
 *   (printed bare); every other call (user function) is printed with each part quoted;
 * - `datePart` appears only as the first argument of a `datePartFunctions` built-in.
 */
export type Expr =
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'placeholder' }
  | { readonly kind: 'column'; readonly parts: readonly string[] }
  | { readonly kind: 'datePart'; readonly part: string }
  | { readonly kind: 'unary'; readonly op: '-' | '+' | 'NOT'; readonly operand: Expr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'isNull'; readonly negated: boolean; readonly operand: Expr }
  | { readonly kind: 'isDistinct'; readonly negated: boolean; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'in'; readonly negated: boolean; readonly operand: Expr; readonly list: readonly Expr[] }
  | { readonly kind: 'between'; readonly negated: boolean; readonly operand: Expr; readonly low: Expr; readonly high: Expr }
  | {
      readonly kind: 'like';
      readonly op: 'LIKE' | 'ILIKE' | 'RLIKE' | 'REGEXP';
      readonly negated: boolean;
      readonly operand: Expr;
      readonly pattern: Expr;
      readonly escape?: string;
    }
  | {
      readonly kind: 'case';
      readonly operand?: Expr;
      readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
      readonly else?: Expr;
    }
  | { readonly kind: 'cast'; readonly form: 'CAST' | 'TRY_CAST' | '::'; readonly operand: Expr; readonly type: SqlType }
  | { readonly kind: 'call'; readonly name: readonly string[]; readonly builtin: boolean; readonly args: readonly Expr[] };

/** The sub-expressions of a node, in the order they are printed. */
export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'unary':
    case 'isNull':
    case 'cast':
      return [e.operand];
    case 'binary':
    case 'compare':
    case 'isDistinct':
      return [e.left, e.right];
    case 'in':
      return [e.operand, ...e.list];
    case 'between':
      return [e.operand, e.low, e.high];
    case 'like':
      return [e.operand, e.pattern];
    case 'case': {
      const out: Expr[] = e.operand ? [e.operand] : [];
      for (const w of e.whens) out.push(w.when, w.then);
      if (e.else) out.push(e.else);
      return out;
    }
    case 'call':
      return [...e.args];
    default:
      return [];
  }
}

// Positions live beside the tree, not in it, so trees compare equal across texts.
const POSITION = new WeakMap<Expr, number>();
const DEPTH = new WeakMap<Expr, number>();

/** The 1-based position of a node in the text it was parsed from, when it was parsed. */
export function positionOf(e: Expr): number | undefined {
  return POSITION.get(e);
}

// ---------------------------------------------------------------------------------
// Errors

function fail(pos: number, message: string): never {
  throw new ExpressionError(`at character ${pos}: ${message}`, pos);
}

/** A short, one-line, quoted excerpt: messages never echo more of the input than this. */
export function excerpt(s: string, max = 24): string {
  const cps = [...s];
  const cut = cps.slice(0, max).join('');
  return JSON.stringify(cut) + (cps.length > max ? '...' : '');
}

// ---------------------------------------------------------------------------------
// Lexer

/**
 * One token. Invariants: `pos` is the 1-based offset of its first character; `word` is
 * a bare identifier or keyword as written (matching `bareIdentifier`); `quoted` (a
 * quoted identifier, non-empty, within the byte limit) and `string` are already
 * decoded and hold nothing `quotedProblem` refuses; `op` is one of the grammar's
 * operators; the last token is always `end`.
 */
export type Token =
  | { readonly kind: 'number'; readonly text: string; readonly pos: number }
  | { readonly kind: 'string'; readonly value: string; readonly pos: number }
  | { readonly kind: 'word'; readonly text: string; readonly pos: number }
  | { readonly kind: 'quoted'; readonly text: string; readonly pos: number }
  | { readonly kind: 'op'; readonly text: string; readonly pos: number }
  | { readonly kind: 'placeholder'; readonly pos: number }
  | { readonly kind: 'end'; readonly pos: number };

/** A number literal as the printer emits it (the lexer upper-cases the exponent mark). */
export const NUMBER_TEXT = /^(?:\d+(?:\.\d*)?|\.\d+)(?:E[+-]?\d+)?$/;
const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;

/**
 * Characters refused anywhere, even inside literals: NUL and other controls (except
 * tab, line feed, carriage return), invisible format characters, bidirectional
 * overrides ("Trojan Source": text that displays in another order than it runs),
 * Unicode tag characters, and lone surrogates (not encodable, the driver would send
 * U+FFFD instead of what was reviewed).
 */
const REFUSED_CHARACTER =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u2028-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB\uD800-\uDFFF\u{E0000}-\u{E007F}]/u;

function refusedCharacter(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp === 0) return 'the expression holds a NUL character';
  if (cp >= 0xd800 && cp <= 0xdfff) return `the expression is not valid Unicode (lone surrogate ${hex})`;
  return `invisible or control character ${hex} is not allowed, even in a literal: the plan must show what runs`;
}

/** Why a decoded literal or identifier may not be printed, or undefined. */
function quotedProblem(value: string, d: ExpressionDialect): string | undefined {
  if (value.includes(VALUE_PLACEHOLDER)) return `${VALUE_PLACEHOLDER} may not appear inside a literal or a quoted name; write it on its own`;
  for (const f of d.forbiddenInQuotes) if (value.includes(f.text)) return f.reason;
  const bad = REFUSED_CHARACTER.exec(value);
  if (bad) return refusedCharacter(bad[0]);
  return undefined;
}

/** Split `text` into tokens; throws ExpressionError at the first thing outside the grammar's alphabet. */
export function lex(text: string, d: ExpressionDialect): Token[] {
  if (text.length > MAX_EXPRESSION_LENGTH) fail(1, `the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  const bad = REFUSED_CHARACTER.exec(text);
  if (bad) fail(bad.index + 1, refusedCharacter(bad[0]));
  const out: Token[] = [];
  const n = text.length;
  let i = 0;
  const op = (t: string) => {
    out.push({ kind: 'op', text: t, pos: i + 1 });
    i += t.length;
  };
  while (i < n) {
    const c = text[i];
    const pos = i + 1;
    const two = text.slice(i, i + 2);
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === ';') fail(pos, '";" would end the statement; a filter or mask is one expression');
    if (two === '--' || two === '/*' || two === '//') fail(pos, `comments (${two}) are not allowed`);
    if (two === '*/') fail(pos, 'a comment end (*/) is not allowed');
    if (c === "'" || (c === '"' && d.doubleQuotedStrings)) {
      const [value, end] = readQuoted(text, i, c, true, d);
      const problem = quotedProblem(value, d);
      if (problem) fail(pos, problem);
      out.push({ kind: 'string', value, pos });
      i = end;
      continue;
    }
    if (c === d.identifierQuote) {
      const [name, end] = readQuoted(text, i, c, false, d);
      if (name === '') fail(pos, 'an empty quoted name is not allowed');
      const bytes = Buffer.byteLength(name, 'utf8');
      if (bytes > d.sql.maxIdentifierBytes) fail(pos, `a name is ${bytes} bytes, longer than the ${d.sql.maxIdentifierBytes}-byte limit`);
      const problem = quotedProblem(name, d);
      if (problem) fail(pos, problem);
      out.push({ kind: 'quoted', text: name, pos });
      i = end;
      continue;
    }
    if (c === '`' || c === '"') {
      fail(pos, `${c} does not quote anything on ${d.label}; quote names with ${d.identifierQuote}...${d.identifierQuote}`);
    }
    if ((c >= '0' && c <= '9') || (c === '.' && text[i + 1] >= '0' && text[i + 1] <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m) fail(pos, 'malformed number');
      const end = i + m[0].length;
      if (end < n && /[A-Za-z0-9_$.]/.test(text[end])) fail(pos, `malformed number ${excerpt(text.slice(i, end + 1))}`);
      out.push({ kind: 'number', text: m[0].replace('e', 'E'), pos });
      i = end;
      continue;
    }
    d.bareIdentifier.lastIndex = i;
    const w = d.bareIdentifier.exec(text);
    if (w && w.index === i) {
      const end = i + w[0].length;
      const after = text[end];
      if (after === "'" || after === '"' || after === '`') {
        fail(
          pos,
          /^r$/i.test(w[0])
            ? 'raw strings (r\'...\') are not allowed'
            : `a prefixed literal or name (${excerpt(w[0] + after, 8)}...) is not allowed; separate a word from a quote with a space`,
        );
      }
      out.push({ kind: 'word', text: w[0], pos });
      i = end;
      continue;
    }
    switch (c) {
      case '$':
        if (text[i + 1] === '$') fail(pos, 'dollar-quoted strings ($$...$$) are not allowed');
        if (text[i + 1] === '{') fail(pos, 'variable substitution (${...}) is not allowed');
        if (/[0-9]/.test(text[i + 1] ?? '')) fail(pos, 'parameters ($1) are not allowed');
        fail(pos, 'session variables and parameters ($name) are not allowed');
      case '?':
        fail(pos, 'parameters (?) are not allowed');
      case ':':
        if (text[i + 1] === ':') {
          op('::');
          continue;
        }
        fail(pos, 'parameters and paths (:name, a:b) are not allowed');
      case '{':
        if (text.startsWith(VALUE_PLACEHOLDER, i)) {
          out.push({ kind: 'placeholder', pos });
          i += VALUE_PLACEHOLDER.length;
          continue;
        }
        fail(pos, `braces are only allowed in the placeholder ${VALUE_PLACEHOLDER}`);
      case '[':
      case ']':
        fail(pos, 'subscripts ([...]) are not allowed');
      case '-':
        if (text[i + 1] === '>') fail(pos, 'lambdas (->) are not allowed');
        op('-');
        continue;
      case '=':
        if (text[i + 1] === '=') fail(pos, '"==" is not allowed; write "=" for equality');
        if (text[i + 1] === '>') fail(pos, 'named arguments (=>) are not allowed');
        op('=');
        continue;
      case '<':
        if (text.startsWith('<=>', i)) fail(pos, '"<=>" is not allowed; write IS NOT DISTINCT FROM');
        op(two === '<=' || two === '<>' ? two : '<');
        continue;
      case '>':
        op(two === '>=' ? two : '>');
        continue;
      case '!':
        if (two === '!=') {
          op('!=');
          continue;
        }
        fail(pos, '"!" is not allowed; write NOT');
      case '|':
        if (two === '||') {
          op('||');
          continue;
        }
        fail(pos, '"|" is not allowed; write || to concatenate');
      case '(':
      case ')':
      case ',':
      case '.':
      case '+':
      case '*':
      case '/':
      case '%':
        op(c);
        continue;
      default: {
        const ch = String.fromCodePoint(text.codePointAt(i) ?? 0);
        fail(pos, `unexpected character ${excerpt(ch)}`);
      }
    }
  }
  out.push({ kind: 'end', pos: n + 1 });
  return out;
}

/** Read a quoted string or identifier starting at `start`; returns [decoded, index after the closing quote]. */
function readQuoted(text: string, start: number, q: string, isString: boolean, d: ExpressionDialect): [string, number] {
  let v = '';
  let j = start + 1;
  for (;;) {
    if (j >= text.length) fail(start + 1, isString ? 'unterminated string literal' : 'unterminated quoted name');
    const c = text[j];
    if (c === q) {
      if (text[j + 1] === q) {
        v += q;
        j += 2;
        continue;
      }
      return [v, j + 1];
    }
    if (isString && c === '\\') {
      const e = text[j + 1];
      if (e === undefined) fail(start + 1, 'unterminated string literal');
      const decoded = d.stringEscapes.get(e);
      if (decoded === undefined) {
        const ch = String.fromCodePoint(text.codePointAt(j + 1) ?? 0);
        fail(j + 1, `the escape ${excerpt('\\' + ch)} is not supported on ${d.label}; write the character itself, or \\\\ for a backslash`);
      }
      v += decoded;
      j += 2;
      continue;
    }
    v += c;
    j++;
  }
}

// ---------------------------------------------------------------------------------
// Parser

const COMPARE_OPS: ReadonlySet<string> = new Set(['=', '!=', '<>', '<', '<=', '>', '>=']);

const SUBQUERY = 'subqueries are not allowed: a row filter or mask is one expression over the row';
const STATEMENT = 'statements are not allowed: a row filter or mask is one expression';
/** Words refused wherever an operand is expected, with the reason. */
const REFUSED_WORDS: ReadonlyMap<string, string> = new Map([
  ...['SELECT', 'WITH', 'FROM', 'WHERE', 'UNION', 'INTERSECT', 'EXCEPT', 'MINUS', 'VALUES', 'TABLE', 'LATERAL'].map((w) => [w, `${w}: ${SUBQUERY}`] as const),
  ['EXISTS', `EXISTS: ${SUBQUERY}`],
  ...['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'CREATE', 'DROP', 'ALTER', 'GRANT', 'REVOKE', 'CALL', 'EXECUTE', 'EXEC', 'TRUNCATE', 'SET', 'USE', 'COPY', 'PUT', 'GET', 'BEGIN', 'COMMIT', 'ROLLBACK'].map(
    (w) => [w, `${w}: ${STATEMENT}`] as const,
  ),
  ['DISTINCT', 'DISTINCT is not allowed: aggregates are not allowed in a row filter or mask'],
  ...['ANY', 'ALL', 'SOME'].map((w) => [w, `${w} (a quantified comparison) is not allowed; use IN (...)`] as const),
  ['INTERVAL', 'INTERVAL literals are not allowed; use a date function'],
  ['OVER', 'window functions (OVER) are not allowed'],
  ['NOT', 'NOT cannot appear here; put it in parentheses: (NOT x)'],
]);

/** Words that may follow a call's `)` only in syntax this grammar refuses. */
const AFTER_CALL: ReadonlyMap<string, string> = new Map([
  ['OVER', 'window functions (OVER) are not allowed'],
  ['WITHIN', 'WITHIN GROUP (an aggregate) is not allowed'],
  ['FILTER', 'FILTER (an aggregate) is not allowed'],
  ['IGNORE', 'IGNORE NULLS (a window function) is not allowed'],
  ['RESPECT', 'RESPECT NULLS (a window function) is not allowed'],
]);

/**
 * Aggregate, window and table functions: refused by name whatever `policy.functions`
 * says, because a filter or mask is evaluated one row at a time (upper case).
 */
export const ROW_SET_FUNCTIONS: ReadonlySet<string> = new Set([
  'COUNT', 'COUNT_IF', 'SUM', 'AVG', 'MIN', 'MAX', 'MEDIAN', 'MODE', 'STDDEV', 'STDDEV_POP', 'STDDEV_SAMP', 'STD', 'VARIANCE', 'VARIANCE_POP',
  'VARIANCE_SAMP', 'VAR_POP', 'VAR_SAMP', 'LISTAGG', 'STRING_AGG', 'ARRAY_AGG', 'ARRAY_UNIQUE_AGG', 'OBJECT_AGG', 'COLLECT_LIST', 'COLLECT_SET',
  'ANY_VALUE', 'FIRST', 'LAST', 'FIRST_VALUE', 'LAST_VALUE', 'NTH_VALUE', 'ROW_NUMBER', 'RANK', 'DENSE_RANK', 'PERCENT_RANK', 'CUME_DIST', 'NTILE',
  'LAG', 'LEAD', 'APPROX_COUNT_DISTINCT', 'APPROX_PERCENTILE', 'PERCENTILE', 'PERCENTILE_CONT', 'PERCENTILE_DISC', 'BOOL_AND', 'BOOL_OR',
  'BOOLAND_AGG', 'BOOLOR_AGG', 'EVERY', 'BIT_AND', 'BIT_OR', 'BIT_XOR', 'BITAND_AGG', 'BITOR_AGG', 'BITXOR_AGG', 'CORR', 'COVAR_POP', 'COVAR_SAMP',
  'HLL', 'KURTOSIS', 'SKEWNESS', 'MAX_BY', 'MIN_BY', 'RATIO_TO_REPORT', 'CONDITIONAL_TRUE_EVENT', 'CONDITIONAL_CHANGE_EVENT', 'GROUPING',
  'GROUPING_ID', 'FLATTEN', 'EXPLODE', 'EXPLODE_OUTER', 'POSEXPLODE', 'POSEXPLODE_OUTER', 'INLINE', 'INLINE_OUTER', 'STACK', 'GENERATOR',
  'RESULT_SCAN', 'SPLIT_TO_TABLE', 'RANGE',
]);

interface NamePart {
  name: string;
  bare: boolean;
}

const LIKE_WORDS = ['LIKE', 'ILIKE', 'RLIKE', 'REGEXP'] as const;

class Parser {
  private i = 0;
  private nest = 0;

  constructor(
    private readonly toks: readonly Token[],
    private readonly d: ExpressionDialect,
  ) {}

  parseAll(): Expr {
    if (this.peek().kind === 'end') fail(1, 'the expression is empty');
    const e = this.parseExpr();
    const t = this.peek();
    if (t.kind !== 'end') {
      if (t.kind === 'op' && t.text === ')') fail(t.pos, 'unbalanced ")"');
      const why = t.kind === 'word' ? (AFTER_CALL.get(t.text.toUpperCase()) ?? REFUSED_WORDS.get(t.text.toUpperCase())) : undefined;
      fail(t.pos, why ?? `unexpected ${describe(t)} after a complete expression`);
    }
    return e;
  }

  private peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.i++;
    return t;
  }

  private isWord(t: Token, ...words: string[]): boolean {
    return t.kind === 'word' && words.includes(t.text.toUpperCase());
  }

  private isOp(t: Token, o: string): boolean {
    return t.kind === 'op' && t.text === o;
  }

  private expectOp(o: string, context: string): void {
    const t = this.next();
    if (!this.isOp(t, o)) {
      if (o === ')' && t.kind === 'end') fail(t.pos, 'unbalanced "(": the expression ends before its ")"');
      fail(t.pos, `expected "${o}" ${context}, found ${describe(t)}`);
    }
  }

  private expectWord(w: string, context: string): void {
    const t = this.next();
    if (!this.isWord(t, w)) fail(t.pos, `expected ${w} ${context}, found ${describe(t)}`);
  }

  /** Record position and depth; refuse trees deeper than MAX_DEPTH (left-deep chains too). */
  private mk<T extends Expr>(node: T, pos: number): T {
    let depth = 0;
    for (const c of children(node)) depth = Math.max(depth, DEPTH.get(c) ?? 0);
    if (depth + 1 > MAX_DEPTH) fail(pos, `the expression is nested more than ${MAX_DEPTH} levels deep`);
    DEPTH.set(node, depth + 1);
    POSITION.set(node, pos);
    return node;
  }

  /**
   * Every nested sub-expression goes through here, bounding recursion (prefix chains
   * such as NOT NOT x and - - x are parsed in loops, bounded by `mk`).
   */
  private parseExpr(): Expr {
    if (++this.nest > MAX_NESTING) fail(this.peek().pos, `the expression is nested more than ${MAX_DEPTH} levels deep`);
    try {
      return this.parseOr();
    } finally {
      this.nest--;
    }
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isWord(this.peek(), 'OR')) {
      const pos = this.next().pos;
      left = this.mk({ kind: 'binary', op: 'OR', left, right: this.parseAnd() }, pos);
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isWord(this.peek(), 'AND')) {
      const pos = this.next().pos;
      left = this.mk({ kind: 'binary', op: 'AND', left, right: this.parseNot() }, pos);
    }
    return left;
  }

  private parseNot(): Expr {
    const nots: number[] = [];
    while (this.isWord(this.peek(), 'NOT')) nots.push(this.next().pos);
    let e = this.parsePredicate();
    for (let k = nots.length - 1; k >= 0; k--) e = this.mk({ kind: 'unary', op: 'NOT', operand: e }, nots[k]);
    return e;
  }

  private likeWords(): string[] {
    return this.d.regexpOperator ? [...LIKE_WORDS] : ['LIKE', 'ILIKE'];
  }

  private startsPredicate(): boolean {
    const t = this.peek();
    if (t.kind === 'op' && COMPARE_OPS.has(t.text)) return true;
    if (this.isWord(t, 'IS', 'IN', 'BETWEEN', ...this.likeWords())) return true;
    return this.isWord(t, 'NOT') && this.isWord(this.peek(1), 'IN', 'BETWEEN', ...this.likeWords());
  }

  private parsePredicate(): Expr {
    const left = this.parseAdditive();
    if (!this.startsPredicate()) return left;
    const e = this.predicateTail(left);
    if (this.startsPredicate()) fail(this.peek().pos, 'comparisons and IS / IN / BETWEEN / LIKE do not chain; add parentheses');
    return e;
  }

  private predicateTail(operand: Expr): Expr {
    const t = this.next();
    if (t.kind === 'op') {
      const right = this.parseAdditive();
      return this.mk({ kind: 'compare', op: t.text as CompareOp, left: operand, right }, t.pos);
    }
    if (this.isWord(t, 'IS')) {
      const negated = this.isWord(this.peek(), 'NOT');
      if (negated) this.next();
      if (this.isWord(this.peek(), 'NULL')) {
        this.next();
        return this.mk({ kind: 'isNull', negated, operand }, t.pos);
      }
      if (this.isWord(this.peek(), 'DISTINCT')) {
        this.next();
        this.expectWord('FROM', 'after IS DISTINCT');
        const right = this.parseAdditive();
        return this.mk({ kind: 'isDistinct', negated, left: operand, right }, t.pos);
      }
      fail(this.peek().pos, `expected NULL or DISTINCT FROM after IS${negated ? ' NOT' : ''}, found ${describe(this.peek())}`);
    }
    let word: Token = t;
    const negated = this.isWord(t, 'NOT');
    if (negated) word = this.next();
    const kw = (word as { text: string }).text.toUpperCase();
    if (kw === 'IN') {
      const open = this.peek();
      if (!this.isOp(open, '(')) fail(open.pos, `IN needs a parenthesized list of values, found ${describe(open)}`);
      this.next();
      if (this.isWord(this.peek(), 'SELECT', 'WITH')) fail(this.peek().pos, `IN (SELECT ...): ${SUBQUERY}`);
      if (this.isOp(this.peek(), ')')) fail(this.peek().pos, 'IN () needs at least one value');
      const list: Expr[] = [this.parseExpr()];
      while (this.isOp(this.peek(), ',')) {
        this.next();
        list.push(this.parseExpr());
      }
      this.expectOp(')', 'to close the IN list');
      return this.mk({ kind: 'in', negated, operand, list }, word.pos);
    }
    if (kw === 'BETWEEN') {
      const low = this.parseAdditive();
      this.expectWord('AND', 'in BETWEEN ... AND ...');
      const high = this.parseAdditive();
      return this.mk({ kind: 'between', negated, operand, low, high }, word.pos);
    }
    const op = kw as 'LIKE' | 'ILIKE' | 'RLIKE' | 'REGEXP';
    const pattern = this.parseAdditive();
    if (this.isWord(this.peek(), 'ESCAPE')) {
      const at = this.next().pos;
      if (op !== 'LIKE' && op !== 'ILIKE') fail(at, `ESCAPE applies to LIKE and ILIKE, not ${op}`);
      const s = this.next();
      if (s.kind !== 'string' || [...s.value].length !== 1) fail(s.pos, 'ESCAPE needs a string literal of one character');
      return this.mk({ kind: 'like', op, negated, operand, pattern, escape: s.value }, word.pos);
    }
    return this.mk({ kind: 'like', op, negated, operand, pattern }, word.pos);
  }

  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || (t.text !== '+' && t.text !== '-' && t.text !== '||')) return left;
      this.next();
      left = this.mk({ kind: 'binary', op: t.text as BinaryOp, left, right: this.parseMultiplicative() }, t.pos);
    }
  }

  private parseMultiplicative(): Expr {
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || (t.text !== '*' && t.text !== '/' && t.text !== '%')) return left;
      this.next();
      left = this.mk({ kind: 'binary', op: t.text as BinaryOp, left, right: this.parseUnary() }, t.pos);
    }
  }

  private parseUnary(): Expr {
    const signs: { op: '-' | '+'; pos: number }[] = [];
    for (let t = this.peek(); t.kind === 'op' && (t.text === '-' || t.text === '+'); t = this.peek()) {
      signs.push({ op: t.text, pos: t.pos });
      this.next();
    }
    let e = this.parsePostfix();
    for (let k = signs.length - 1; k >= 0; k--) e = this.mk({ kind: 'unary', op: signs[k].op, operand: e }, signs[k].pos);
    return e;
  }

  private parsePostfix(): Expr {
    let e = this.parsePrimary();
    while (this.isOp(this.peek(), '::')) {
      const pos = this.next().pos;
      e = this.mk({ kind: 'cast', form: '::', operand: e, type: this.parseType() }, pos);
    }
    return e;
  }

  private parseType(): SqlType {
    const t = this.next();
    if (t.kind !== 'word') fail(t.pos, `expected a type name, found ${describe(t)}`);
    const name = t.text.toUpperCase();
    const arity = this.d.types.get(name);
    if (!arity) fail(t.pos, `type ${excerpt(t.text)} is not on the ${this.d.label} type list (${[...this.d.types.keys()].slice(0, 8).join(', ')}, ...)`);
    const args: number[] = [];
    if (this.isOp(this.peek(), '(')) {
      this.next();
      for (;;) {
        const a = this.next();
        if (a.kind !== 'number' || !/^\d{1,9}$/.test(a.text)) fail(a.pos, `a type argument is a whole number, found ${describe(a)}`);
        args.push(Number(a.text));
        if (!this.isOp(this.peek(), ',')) break;
        this.next();
      }
      this.expectOp(')', `to close the arguments of ${name}`);
    }
    if (args.length < arity[0] || args.length > arity[1]) {
      fail(t.pos, `type ${name} takes ${arity[0] === arity[1] ? arity[0] : `${arity[0]} to ${arity[1]}`} argument(s), not ${args.length}`);
    }
    return { name, args };
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'end':
        fail(t.pos, 'the expression ends where a value is expected');
      case 'number':
        this.next();
        return this.mk({ kind: 'number', text: t.text }, t.pos);
      case 'string':
        this.next();
        return this.mk({ kind: 'string', value: t.value }, t.pos);
      case 'placeholder':
        this.next();
        return this.mk({ kind: 'placeholder' }, t.pos);
      case 'quoted':
        return this.parseName();
      case 'word':
        return this.parseWord(t);
      case 'op':
        if (t.text === '(') {
          this.next();
          if (this.isWord(this.peek(), 'SELECT', 'WITH')) fail(this.peek().pos, `(SELECT ...): ${SUBQUERY}`);
          const e = this.parseExpr();
          this.expectOp(')', 'a parenthesis');
          return e;
        }
        if (t.text === '*') fail(t.pos, '"*" (all columns) is not allowed');
        fail(t.pos, `expected a value, found ${describe(t)}`);
    }
  }

  private parseWord(t: Extract<Token, { kind: 'word' }>): Expr {
    const up = t.text.toUpperCase();
    if (up === 'TRUE' || up === 'FALSE') {
      this.next();
      return this.mk({ kind: 'boolean', value: up === 'TRUE' }, t.pos);
    }
    if (up === 'NULL') {
      this.next();
      return this.mk({ kind: 'null' }, t.pos);
    }
    if (up === 'CASE') return this.parseCase();
    if ((up === 'CAST' || up === 'TRY_CAST') && this.isOp(this.peek(1), '(')) {
      this.next();
      this.next();
      const operand = this.parseExpr();
      this.expectWord('AS', `in ${up}(x AS type)`);
      const type = this.parseType();
      this.expectOp(')', `to close ${up}(`);
      return this.mk({ kind: 'cast', form: up, operand, type }, t.pos);
    }
    const why = REFUSED_WORDS.get(up);
    if (why) fail(t.pos, why);
    return this.parseName();
  }

  private parseCase(): Expr {
    const start = this.next();
    if (this.isWord(this.peek(), 'ELSE', 'END')) fail(this.peek().pos, 'CASE needs at least one WHEN');
    const operand = this.isWord(this.peek(), 'WHEN') ? undefined : this.parseExpr();
    const whens: { when: Expr; then: Expr }[] = [];
    while (this.isWord(this.peek(), 'WHEN')) {
      this.next();
      const when = this.parseExpr();
      this.expectWord('THEN', 'after CASE ... WHEN ...');
      whens.push({ when, then: this.parseExpr() });
    }
    if (!whens.length) fail(this.peek().pos, `CASE needs at least one WHEN, found ${describe(this.peek())}`);
    let elseExpr: Expr | undefined;
    if (this.isWord(this.peek(), 'ELSE')) {
      this.next();
      elseExpr = this.parseExpr();
    }
    this.expectWord('END', 'to close CASE');
    const node: Expr = { kind: 'case', ...(operand ? { operand } : {}), whens, ...(elseExpr ? { else: elseExpr } : {}) };
    return this.mk(node, start.pos);
  }

  /** A dotted name: a column reference, or a function call when `(` follows. */
  private parseName(): Expr {
    const first = this.peek();
    const parts: NamePart[] = [];
    const take = () => {
      const t = this.next();
      if (t.kind === 'word') parts.push({ name: this.d.sql.normalize({ text: t.text, quoted: false }), bare: true });
      else if (t.kind === 'quoted') parts.push({ name: this.d.sql.normalize({ text: t.text, quoted: true }), bare: false });
      else if (this.isOp(t, '*')) fail(t.pos, '"*" (all columns) is not allowed');
      else fail(t.pos, `expected a name after ".", found ${describe(t)}`);
    };
    take();
    while (this.isOp(this.peek(), '.')) {
      this.next();
      take();
    }
    const head = parts[0];
    const upHead = first.kind === 'word' ? first.text.toUpperCase() : '';
    if (this.isOp(this.peek(), '(')) {
      if (parts.length > 3) fail(first.pos, 'a function name has at most 3 parts');
      // Only an unquoted one-part name can be a built-in; anything else is a user
      // function, printed quoted, which the checker allows only from policy.functions.
      const builtin = parts.length === 1 && head.bare && this.d.functions.has(head.name);
      return this.parseCall(parts.map((p) => p.name), builtin, first.pos);
    }
    if (parts.length > 4) fail(first.pos, 'a column reference has at most 4 parts');
    if (parts.length === 1 && head.bare && this.d.niladicKeywords.has(head.name)) {
      return this.mk({ kind: 'call', name: [head.name], builtin: true, args: [] }, first.pos);
    }
    if (head.bare && this.d.reservedWords.has(upHead)) {
      fail(first.pos, `${upHead} is a reserved word; to name a column ${upHead}, quote it: ${this.d.sql.quoteIdent(head.name)}`);
    }
    return this.mk({ kind: 'column', parts: parts.map((p) => p.name) }, first.pos);
  }

  private parseCall(name: string[], builtin: boolean, pos: number): Expr {
    this.next(); // (
    const args: Expr[] = [];
    const p = this.peek();
    if (this.isOp(p, '*')) fail(p.pos, '"*" in a call (COUNT(*)) is not allowed: aggregates are not allowed');
    if (this.isWord(p, 'DISTINCT', 'ALL')) fail(p.pos, `${p.kind === 'word' ? p.text.toUpperCase() : ''} inside a call is not allowed: aggregates are not allowed`);
    if (!this.isOp(p, ')')) {
      for (;;) {
        args.push(args.length === 0 && builtin && this.d.datePartFunctions.has(name[0]) ? this.parseDatePartOr() : this.parseExpr());
        if (!this.isOp(this.peek(), ',')) break;
        this.next();
      }
    }
    this.expectOp(')', `to close the arguments of ${excerpt(name.join('.'), 40)}`);
    const after = this.peek();
    const why = after.kind === 'word' ? AFTER_CALL.get(after.text.toUpperCase()) : undefined;
    if (why) fail(after.pos, why);
    return this.mk({ kind: 'call', name, builtin, args }, pos);
  }

  /** `DATEADD(DAY, ...)`: a bare date part stays a keyword, it is not a column. */
  private parseDatePartOr(): Expr {
    const t = this.peek();
    const after = this.peek(1);
    if (t.kind === 'word' && this.d.dateParts.has(t.text.toUpperCase()) && (this.isOp(after, ',') || this.isOp(after, ')'))) {
      this.next();
      return this.mk({ kind: 'datePart', part: t.text.toUpperCase() }, t.pos);
    }
    return this.parseExpr();
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'end':
      return 'the end of the expression';
    case 'number':
      return `the number ${excerpt(t.text)}`;
    case 'string':
      return 'a string literal';
    case 'quoted':
      return `the name ${excerpt(t.text)}`;
    case 'placeholder':
      return VALUE_PLACEHOLDER;
    case 'word':
      return excerpt(t.text);
    case 'op':
      return JSON.stringify(t.text);
  }
}

/** Parse one expression into a tree (syntax only; `checkExpressionTree` applies the allowlists). */
export function parseExpression(text: string, d: ExpressionDialect): Expr {
  return new Parser(lex(text, d), d).parseAll();
}

// ---------------------------------------------------------------------------------
// Checker

/**
 * Check a parsed tree against the use and the allowlists; returns the columns it reads
 * (stored names, last part of qualified references, first-use order, no duplicates).
 */
export function checkExpressionTree(e: Expr, use: ExpressionUse, policy: ExpressionPolicy, d: ExpressionDialect): string[] {
  const extra = new Set(policy.functions);
  const columns: string[] = [];
  const seen = new Set<string>();
  let placeholders = 0;
  const at = (x: Expr) => positionOf(x) ?? 1;
  const walk = (x: Expr) => {
    if (x.kind === 'placeholder') {
      if (use === 'where') fail(at(x), `${VALUE_PLACEHOLDER} stands for the masked column and only a mask may use it; a row filter names columns directly`);
      placeholders++;
    } else if (x.kind === 'column') {
      const c = x.parts[x.parts.length - 1];
      if (!seen.has(c)) {
        seen.add(c);
        columns.push(c);
      }
    } else if (x.kind === 'call') {
      const joined = x.name.join('.');
      if (x.name.length === 1 && ROW_SET_FUNCTIONS.has(x.name[0].toUpperCase())) {
        fail(at(x), `${x.name[0].toUpperCase()} is an aggregate, window or table function; a row filter or mask is evaluated one row at a time`);
      }
      if (!x.builtin) {
        if (x.name.some((p) => p.includes('.'))) fail(at(x), `a function name part may not contain "." (${excerpt(joined, 40)})`);
        if (!extra.has(joined)) {
          fail(
            at(x),
            `function ${excerpt(joined, 40)} is not allowed: it is not on the ${d.label} safe list; if it is safe (scalar, no side effects, no external access), list it under expressions.functions in rbac.yaml`,
          );
        }
      }
    }
    for (const c of children(x)) walk(c);
  };
  walk(e);
  // A filter that is a bare literal or arithmetic is a mistake (or a payload meant for
  // another lexer, such as a quote-swallowing string); refuse it rather than guess.
  const notCondition = notAConditionKind(e);
  if (use === 'where' && notCondition) fail(at(e), `a row filter must be a condition (a comparison, IN, LIKE, IS, a boolean function ...), not ${notCondition}`);
  if (use === 'mask' && placeholders === 0) fail(1, `a mask must use ${VALUE_PLACEHOLDER} (the masked column) at least once`);
  return columns;
}

function notAConditionKind(e: Expr): string | undefined {
  if (e.kind === 'number') return 'a number';
  if (e.kind === 'string') return 'a string literal';
  if (e.kind === 'null') return 'NULL';
  if (e.kind === 'unary' && e.op !== 'NOT') return 'a signed value';
  if (e.kind === 'binary' && e.op !== 'AND' && e.op !== 'OR') return `an arithmetic expression (${e.op})`;
  return undefined;
}

// ---------------------------------------------------------------------------------
// Printer

/** Binding strength of a node when printed: larger binds tighter; 9 is self-delimiting. */
function precedence(e: Expr): number {
  switch (e.kind) {
    case 'binary':
      return e.op === 'OR' ? 1 : e.op === 'AND' ? 2 : e.op === '*' || e.op === '/' || e.op === '%' ? 6 : 5;
    case 'unary':
      return e.op === 'NOT' ? 3 : 7;
    case 'compare':
    case 'isNull':
    case 'isDistinct':
    case 'in':
    case 'between':
    case 'like':
      return 4;
    case 'cast':
      return e.form === '::' ? 8 : 9;
    default:
      return 9;
  }
}

function printError(message: string): never {
  throw new ExpressionError(`cannot print the expression: ${message}`);
}

/**
 * Print a tree as canonical SQL: keywords upper case, single spaces, identifiers and
 * strings through the dialect's quoters. Parentheses go where precedence needs them,
 * and also where a reader could misjudge it (AND inside OR, NOT or a sign over anything
 * but a simple operand, `||` mixed with `+ -`), which the parser reads back as the
 * same tree, so printing is a fixed point. With `value`, `{value}` prints as that
 * identifier (render); otherwise as `{value}`. Throws ExpressionError for a tree that
 * breaks the `Expr` invariants.
 */
export function printExpression(e: Expr, d: ExpressionDialect, opts: { value?: string } = {}): string {
  const ident = (name: string) => {
    const problem = quotedProblem(name, d);
    if (problem) printError(problem);
    try {
      return d.sql.quoteIdent(name);
    } catch (err) {
      if (err instanceof RbacError) printError(err.message);
      throw err;
    }
  };
  const literal = (value: string) => {
    const problem = quotedProblem(value, d);
    if (problem) printError(problem);
    try {
      return d.sql.quoteLiteral(value);
    } catch (err) {
      if (err instanceof RbacError) printError(err.message);
      throw err;
    }
  };
  const placeholder = opts.value === undefined ? VALUE_PLACEHOLDER : ident(opts.value);
  const type = (t: SqlType) => {
    const arity = d.types.get(t.name);
    if (!arity || t.args.length < arity[0] || t.args.length > arity[1] || !t.args.every((a) => Number.isInteger(a) && a >= 0 && a < 1e9)) {
      printError(`type ${excerpt(t.name)} is not on the ${d.label} type list`);
    }
    return t.args.length ? `${t.name}(${t.args.join(', ')})` : t.name;
  };
  const isConcat = (x: Expr) => x.kind === 'binary' && x.op === '||';
  const p = (x: Expr, depth: number): string => {
    if (depth > MAX_DEPTH) printError(`nested more than ${MAX_DEPTH} levels deep`);
    const sub = (c: Expr, ok: boolean) => (ok ? p(c, depth + 1) : `(${p(c, depth + 1)})`);
    const operand = (c: Expr) => sub(c, precedence(c) >= 5);
    switch (x.kind) {
      case 'number':
        if (!NUMBER_TEXT.test(x.text)) printError(`malformed number ${excerpt(x.text)}`);
        return x.text;
      case 'string':
        return literal(x.value);
      case 'boolean':
        return x.value ? 'TRUE' : 'FALSE';
      case 'null':
        return 'NULL';
      case 'placeholder':
        return placeholder;
      case 'column':
        if (x.parts.length < 1 || x.parts.length > 4) printError('a column reference has 1 to 4 parts');
        return x.parts.map(ident).join('.');
      case 'datePart':
        if (!d.dateParts.has(x.part)) printError(`unknown date part ${excerpt(x.part)}`);
        return x.part;
      case 'unary':
        if (x.op === 'NOT') return `NOT ${sub(x.operand, precedence(x.operand) === 9)}`;
        if (x.op !== '-' && x.op !== '+') printError('unknown unary operator');
        // Self-delimiting operands only: never "--" (a comment), never a reader guessing.
        return `${x.op}${sub(x.operand, precedence(x.operand) === 9)}`;
      case 'binary': {
        const prec = precedence(x);
        if (x.op === 'OR' || x.op === 'AND') {
          return `${sub(x.left, precedence(x.left) >= 3 || (x.left.kind === 'binary' && x.left.op === x.op))} ${x.op} ${sub(x.right, precedence(x.right) >= 3)}`;
        }
        if (prec === 5) {
          if (x.op !== '+' && x.op !== '-' && x.op !== '||') printError('unknown operator');
          const leftOk = precedence(x.left) >= 6 || (precedence(x.left) === 5 && isConcat(x.left) === isConcat(x));
          return `${sub(x.left, leftOk)} ${x.op} ${sub(x.right, precedence(x.right) >= 6)}`;
        }
        if (x.op !== '*' && x.op !== '/' && x.op !== '%') printError('unknown operator');
        return `${sub(x.left, precedence(x.left) >= 6)} ${x.op} ${sub(x.right, precedence(x.right) >= 7)}`;
      }
      case 'compare':
        if (!COMPARE_OPS.has(x.op)) printError('unknown comparison');
        return `${operand(x.left)} ${x.op} ${operand(x.right)}`;
      case 'isNull':
        return `${operand(x.operand)} IS ${x.negated ? 'NOT ' : ''}NULL`;
      case 'isDistinct':
        return `${operand(x.left)} IS ${x.negated ? 'NOT ' : ''}DISTINCT FROM ${operand(x.right)}`;
      case 'in':
        if (!x.list.length) printError('IN needs at least one value');
        return `${operand(x.operand)} ${x.negated ? 'NOT ' : ''}IN (${x.list.map((c) => p(c, depth + 1)).join(', ')})`;
      case 'between':
        return `${operand(x.operand)} ${x.negated ? 'NOT ' : ''}BETWEEN ${operand(x.low)} AND ${operand(x.high)}`;
      case 'like': {
        const ops = d.regexpOperator ? LIKE_WORDS : (['LIKE', 'ILIKE'] as const);
        if (!(ops as readonly string[]).includes(x.op)) printError(`${x.op} is not a ${d.label} operator`);
        if (x.escape !== undefined && ((x.op !== 'LIKE' && x.op !== 'ILIKE') || [...x.escape].length !== 1)) printError('bad ESCAPE');
        const esc = x.escape === undefined ? '' : ` ESCAPE ${literal(x.escape)}`;
        return `${operand(x.operand)} ${x.negated ? 'NOT ' : ''}${x.op} ${operand(x.pattern)}${esc}`;
      }
      case 'case': {
        if (!x.whens.length) printError('CASE needs at least one WHEN');
        const head = x.operand ? `CASE ${p(x.operand, depth + 1)}` : 'CASE';
        const whens = x.whens.map((w) => ` WHEN ${p(w.when, depth + 1)} THEN ${p(w.then, depth + 1)}`).join('');
        return `${head}${whens}${x.else ? ` ELSE ${p(x.else, depth + 1)}` : ''} END`;
      }
      case 'cast':
        if (x.form === '::') return `${sub(x.operand, precedence(x.operand) >= 8)}::${type(x.type)}`;
        if (x.form !== 'CAST' && x.form !== 'TRY_CAST') printError('unknown cast');
        return `${x.form}(${p(x.operand, depth + 1)} AS ${type(x.type)})`;
      case 'call': {
        let name: string;
        if (x.builtin) {
          if (x.name.length !== 1 || !d.functions.has(x.name[0]) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(x.name[0])) {
            printError(`${excerpt(x.name.join('.'), 40)} is not a ${d.label} safe built-in`);
          }
          name = x.name[0];
        } else {
          if (x.name.length < 1 || x.name.length > 3) printError('a function name has 1 to 3 parts');
          name = x.name.map(ident).join('.');
        }
        return `${name}(${x.args.map((c) => p(c, depth + 1)).join(', ')})`;
      }
      default:
        return printError('unknown node');
    }
  };
  return p(e, 0);
}

// ---------------------------------------------------------------------------------
// The parser of a dialect

function sameTree(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameTree((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function replacePlaceholders(e: Expr, column: string): unknown {
  if (e.kind === 'placeholder') return { kind: 'column', parts: [column] };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (Array.isArray(v)) {
      out[k] = v.map((x) =>
        x && typeof x === 'object' && 'kind' in x
          ? replacePlaceholders(x as Expr, column)
          : x && typeof x === 'object' && 'when' in x
            ? { when: replacePlaceholders(x.when as Expr, column), then: replacePlaceholders(x.then as Expr, column) }
            : x,
      );
    } else if (v && typeof v === 'object' && 'kind' in v) out[k] = replacePlaceholders(v as Expr, column);
    else out[k] = v;
  }
  return out;
}

/**
 * The `ExpressionParser` of a dialect. Besides parse, check and print, both methods
 * re-parse their own output and require the same tree (render: with `{value}` read
 * as the column it became), so a printer bug fails loudly instead of emitting SQL that
 * means something other than what the plan shows.
 */
export function makeExpressionParser(d: ExpressionDialect): ExpressionParser {
  return {
    check(text: string, use: ExpressionUse, policy: ExpressionPolicy): CheckedExpression {
      const tree = parseExpression(text, d);
      const columns = checkExpressionTree(tree, use, policy, d);
      const printed = printExpression(tree, d);
      // Printing adds quotes; bound the output too, so check(check(x).text) never meets the limit.
      if (printed.length > MAX_EXPRESSION_LENGTH) fail(1, `the re-printed expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
      if (!sameTree(parseExpression(printed, d), tree)) throw new ExpressionError('internal error: the re-printed expression does not parse back to the same tree');
      return { text: printed, columns };
    },
    render(text: string, use: ExpressionUse, policy: ExpressionPolicy, opts: { value?: string } = {}): string {
      const tree = parseExpression(text, d);
      checkExpressionTree(tree, use, policy, d);
      if (use === 'mask') {
        if (opts.value === undefined || opts.value === '') fail(1, `rendering a mask needs the name that replaces ${VALUE_PLACEHOLDER}`);
        const problem = quotedProblem(opts.value, d);
        if (problem) fail(1, `the name that replaces ${VALUE_PLACEHOLDER}: ${problem}`);
        try {
          d.sql.quoteIdent(opts.value);
        } catch (err) {
          if (err instanceof RbacError) fail(1, `the name that replaces ${VALUE_PLACEHOLDER} cannot be quoted: ${err.message.split('\n')[0]}`);
          throw err;
        }
      }
      const out = printExpression(tree, d, use === 'mask' ? { value: opts.value } : {});
      const expected = use === 'mask' ? replacePlaceholders(tree, d.sql.normalize({ text: opts.value ?? '', quoted: true })) : tree;
      if (!sameTree(parseExpression(out, d), expected)) throw new ExpressionError('internal error: the rendered expression does not parse back to the same tree');
      return out;
    },
  };
}
