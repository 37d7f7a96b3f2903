/**
 * Properties of the strict expression grammar, per dialect:
 * 1. random trees (hostile strings in literals and names) print to text that `check`
 *    accepts unchanged and that parses back to the same tree;
 * 2. whatever `check` accepts, from any input, re-prints to one expression: the
 *    grammar's own lexer and parser read it back, and an independent scanner that knows
 *    only the platform's quoting finds no `;`, comment or dollar quote outside a
 *    literal, balanced parentheses, and nothing left open; re-checking is a fixed point.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  children,
  lex,
  parseExpression,
  printExpression,
  ROW_SET_FUNCTIONS,
  type BinaryOp,
  type CompareOp,
  type Expr,
  type ExpressionDialect,
  type SqlType,
} from '../../src/dialects/expression-grammar.js';
import { databricksExpressionDialect, databricksExpressions } from '../../src/dialects/databricks/expression.js';
import { snowflakeExpressionDialect, snowflakeExpressions } from '../../src/dialects/snowflake/expression.js';
import { ExpressionError, type ExpressionParser, type ExpressionPolicy } from '../../src/model/expressions.js';

const RUNS = 3000;

// Fragments that break naive SQL handling: quotes of every kind, escapes, separators,
// comment openers, newlines, non-ASCII, dollar quotes, the placeholder's braces.
const NASTY = ["'", "''", '"', '""', '`', '``', '\\', '\\\\', "\\'", ';', '--', '/*', '*/', '//', '\n', '\r\n', '\t', ' ', 'é', 'Ä', '日本', '😀', '$', '$$', '{', '}', '(', ')', 'x', 'OR 1=1', 'DROP TABLE t', '%', '_'];
const nastyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.string({ maxLength: 10 }),
  fc.array(fc.constantFrom(...NASTY), { maxLength: 6 }).map((a) => a.join('')),
);

// What the grammar refuses even inside quotes; the generator avoids it (test 2 covers refusals).
const REFUSED_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u2028-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB\uD800-\uDFFF\u{E0000}-\u{E007F}]/u;
const quotable = (d: ExpressionDialect) => (s: string) => !REFUSED_CHARS.test(s) && !s.includes('{value}') && !d.forbiddenInQuotes.some((f) => s.includes(f.text));

interface Case {
  d: ExpressionDialect;
  parser: ExpressionParser;
  normalize: (s: string) => string;
}
const SF: Case = { d: snowflakeExpressionDialect, parser: snowflakeExpressions, normalize: (s) => s };
const DB: Case = { d: databricksExpressionDialect, parser: databricksExpressions, normalize: (s) => s.toLowerCase() };

/** Stored names: what a quoted name normalizes to, within the byte limit, normalization idempotent. */
function nameArb(c: Case): fc.Arbitrary<string> {
  return nastyText
    .map(c.normalize)
    .filter((s) => s.length > 0 && c.normalize(s) === s && Buffer.byteLength(s, 'utf8') <= c.d.sql.maxIdentifierBytes && quotable(c.d)(s));
}

function userFunctionArb(c: Case): fc.Arbitrary<string[]> {
  return fc
    .array(nameArb(c), { minLength: 1, maxLength: 3 })
    .filter((parts) => parts.every((p) => !p.includes('.')) && !(parts.length === 1 && ROW_SET_FUNCTIONS.has(parts[0].toUpperCase())));
}

const numberArb = fc
  .tuple(fc.nat(99999), fc.option(fc.nat(999)), fc.option(fc.tuple(fc.constantFrom('', '+', '-'), fc.nat(30))), fc.boolean())
  .map(([i, f, e, leadingDot]) => {
    let t = leadingDot && f !== null ? `.${f}` : f === null ? String(i) : `${i}.${f}`;
    if (e) t += `E${e[0]}${e[1]}`;
    return t;
  });

function typeArb(d: ExpressionDialect): fc.Arbitrary<SqlType> {
  return fc.constantFrom(...d.types.entries()).chain(([name, [min, max]]) =>
    fc.array(fc.integer({ min: 1, max: 38 }), { minLength: min, maxLength: max }).map((args) => ({ name, args })),
  );
}

/** Random trees as the parser builds them (no parentheses, normalized names). */
function exprArb(c: Case, userFns: fc.Arbitrary<string[]>): fc.Arbitrary<Expr> {
  const d = c.d;
  const name = nameArb(c);
  const str = nastyText.filter(quotable(d));
  const builtins = [...d.functions];
  const likeOps = d.regexpOperator ? (['LIKE', 'ILIKE', 'RLIKE', 'REGEXP'] as const) : (['LIKE', 'ILIKE'] as const);
  const dateParts = [...d.dateParts];
  return fc.letrec<{ expr: Expr; leaf: Expr }>((tie) => {
    const e = tie('expr');
    const leaf = fc.oneof(
      numberArb.map((text): Expr => ({ kind: 'number', text })),
      str.map((value): Expr => ({ kind: 'string', value })),
      fc.boolean().map((value): Expr => ({ kind: 'boolean', value })),
      fc.constant<Expr>({ kind: 'null' }),
      fc.constant<Expr>({ kind: 'placeholder' }),
      fc.array(name, { minLength: 1, maxLength: 4 }).map((parts): Expr => ({ kind: 'column', parts })),
    );
    const call = fc.constantFrom(...builtins).chain((fn) => {
      const first = d.datePartFunctions.has(fn) && dateParts.length ? fc.oneof(fc.constantFrom(...dateParts).map((part): Expr => ({ kind: 'datePart', part })), e) : e;
      return fc
        .tuple(first, fc.array(e, { maxLength: 2 }), fc.boolean())
        .map(([a, rest, none]): Expr => ({ kind: 'call', name: [fn], builtin: true, args: none ? [] : [a, ...rest] }));
    });
    const userCall = fc.tuple(userFns, fc.array(e, { maxLength: 2 })).map(([n, args]): Expr => ({ kind: 'call', name: n, builtin: false, args }));
    const like = fc
      .tuple(fc.constantFrom(...likeOps), fc.boolean(), e, e, fc.option(fc.constantFrom('!', '\\', '#', "'", 'é')))
      .map(([op, negated, operand, pattern, escape]): Expr =>
        escape !== null && (op === 'LIKE' || op === 'ILIKE') ? { kind: 'like', op, negated, operand, pattern, escape } : { kind: 'like', op, negated, operand, pattern },
      );
    const kase = fc
      .tuple(fc.option(e), fc.array(fc.record({ when: e, then: e }), { minLength: 1, maxLength: 3 }), fc.option(e))
      .map(([operand, whens, other]): Expr => ({ kind: 'case', ...(operand ? { operand } : {}), whens, ...(other ? { else: other } : {}) }));
    const expr = fc.oneof(
      { maxDepth: 4, depthIdentifier: 'expr' },
      leaf,
      fc.record({ kind: fc.constant('unary' as const), op: fc.constantFrom<('-' | '+' | 'NOT')[]>('-', '+', 'NOT'), operand: e }),
      fc.record({ kind: fc.constant('binary' as const), op: fc.constantFrom<BinaryOp[]>('OR', 'AND', '+', '-', '||', '*', '/', '%'), left: e, right: e }),
      fc.record({ kind: fc.constant('compare' as const), op: fc.constantFrom<CompareOp[]>('=', '!=', '<>', '<', '<=', '>', '>='), left: e, right: e }),
      fc.record({ kind: fc.constant('isNull' as const), negated: fc.boolean(), operand: e }),
      fc.record({ kind: fc.constant('isDistinct' as const), negated: fc.boolean(), left: e, right: e }),
      fc.record({ kind: fc.constant('in' as const), negated: fc.boolean(), operand: e, list: fc.array(e, { minLength: 1, maxLength: 4 }) }),
      fc.record({ kind: fc.constant('between' as const), negated: fc.boolean(), operand: e, low: e, high: e }),
      like,
      kase,
      fc.record({ kind: fc.constant('cast' as const), form: fc.constantFrom<('CAST' | 'TRY_CAST' | '::')[]>('CAST', 'TRY_CAST', '::'), operand: e, type: typeArb(d) }),
      call,
      userCall,
    ) as fc.Arbitrary<Expr>;
    return { expr, leaf };
  }).expr;
}

const hasPlaceholder = (e: Expr): boolean => e.kind === 'placeholder' || children(e).some(hasPlaceholder);

/** The checker refuses a `where` that is a bare literal or arithmetic; such trees are checked as masks when they can be. */
const conditionLike = (e: Expr) => !['number', 'string', 'null'].includes(e.kind) && !(e.kind === 'unary' && e.op !== 'NOT') && !(e.kind === 'binary' && e.op !== 'AND' && e.op !== 'OR');

describe.each([
  ['Snowflake', SF],
  ['Databricks', DB],
])('%s expression grammar properties', (_label, c) => {
  it('print -> check is the identity on random trees, and parses back to the same tree', () => {
    const fns = fc.array(userFunctionArb(c), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(
        fns.chain((list) => fc.tuple(fc.constant(list), exprArb(c, fc.constantFrom(...list)))),
        ([list, tree]) => {
          const text = printExpression(tree, c.d);
          const policy: ExpressionPolicy = { functions: list.map((p) => p.join('.')), relations: [] };
          expect(parseExpression(text, c.d)).toEqual(tree);
          const use = hasPlaceholder(tree) ? 'mask' : 'where';
          if (use === 'where' && !conditionLike(tree)) {
            expect(() => c.parser.check(text, use, policy)).toThrow(/must be a condition/);
            return;
          }
          expect(c.parser.check(text, use, policy).text).toBe(text);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('whatever check accepts re-prints to exactly one expression', () => {
    const ok = [
      'a', 'b', 'x1', '"Q"', '`q`', "'s'", "'it''s'", "'a\\'b'", "'\\\\'", '"a""b"', '`a``b`', '1', '1.5', '=', '<>', ' ', 'AND', 'OR', 'NOT', '(', ')', ',',
      ' IN (', 'upper(', 'concat(', 'coalesce(', '{value}', '||', '+', '-', 'CASE WHEN ', ' THEN ', ' ELSE ', ' END', '::INT', 'IS NULL', "LIKE 'x%'",
    ];
    const quotes = c.d.doubleQuotedStrings ? ["'", '"', '`'] : ["'", '"'];
    const bad = [';', '--', '/*', '*/', '//', '$$', "r'", "'", '"', '`', '\\', '\n', '${x}', '?', ':p', 'SELECT ', '#', '\u0000', '\u202E'];
    const input = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.string({ maxLength: 30 }),
      {
        weight: 2,
        arbitrary: fc
          .array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ok) }, { weight: 1, arbitrary: fc.constantFrom(...bad) }), { maxLength: 12 })
          .map((a) => a.join('')),
      },
      fc.tuple(fc.constantFrom('a = ', 'upper({value}) = ', 'x IN ('), nastyText, fc.constantFrom("'", '"', '`', ''), nastyText).map((p) => p.join('')),
      // A value spliced between quotes, the way injections are attempted; mostly with
      // matching quotes, so that what is inside them is what gets tested.
      {
        weight: 5,
        arbitrary: fc
          .tuple(
            fc.constantFrom('a', c.d.identifierQuote + 'Q' + c.d.identifierQuote, 'upper({value})', '{value}', 'x.y'),
            fc.constantFrom(' = ', ' <> ', ' LIKE ', ' = 1 OR a = '),
            fc.constantFrom(...quotes),
            nastyText,
            fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...quotes, '') }, { weight: 4, arbitrary: fc.constant('same') }),
            fc.constantFrom('', ' AND b = 1', ' OR x IS NULL', "'", ' = 1'),
          )
          .map(([left, op, q, inner, close, tail]) => `${left}${op}${q}${inner}${close === 'same' ? q : close}${tail}`),
      },
    );
    const policy: ExpressionPolicy = { functions: [], relations: [] };
    let accepted = 0;
    fc.assert(
      fc.property(input, fc.nat(9), (s, flip) => {
        // Mostly the use the text can pass as, sometimes the other one.
        const likely = s.includes('{value}') ? 'mask' : 'where';
        const use = flip === 0 ? (likely === 'mask' ? 'where' : 'mask') : likely;
        let text: string;
        try {
          text = c.parser.check(s, use, policy).text;
        } catch (e) {
          expect(e).toBeInstanceOf(ExpressionError);
          expect((e as Error).message).not.toMatch(/[\n\r]/);
          return;
        }
        accepted++;
        expectOneExpression(c.d, text);
        expect(c.parser.check(text, use, policy).text).toBe(text);
        if (use === 'mask') expectOneExpression(c.d, c.parser.render(s, use, policy, { value: c.d === SF.d ? 'VAL' : 'val' }));
      }),
      { numRuns: RUNS * 3 },
    );
    // The property is only meaningful if a fair share of inputs get through.
        expect(accepted).toBeGreaterThan(RUNS / 2);
  });
});

describe('the independent scanners', () => {
  it('see separators and comments outside quotes, and only there', () => {
    expect(scanSnowflake("'a'; DROP")).toContain(';');
    expect(scanSnowflake("'a'';' -- x")).toBe('  -- x');
    expect(scanSnowflake("'a\\'; x'")).toBe(' ');
    expect(scanSnowflake('"a"";" = 1')).toBe('  = 1');
    expect(() => scanSnowflake("'a\\'")).toThrow(/unterminated/);
    expect(scanDatabricks("'a\\'; x'")).toBe(' ');
    expect(scanDatabricks("'a'; x")).toContain(';');
    expect(scanDatabricks('`a``;` /* */')).toBe('  /* */');
    expect(() => scanDatabricks('"a\\"')).toThrow(/unterminated/);
  });
});

function expectOneExpression(d: ExpressionDialect, sql: string): void {
  // The grammar's own lexer and parser: one expression, nothing left over.
  const toks = lex(sql, d);
  expect(toks.some((t) => t.kind === 'op' && t.text === ';')).toBe(false);
  expect(() => parseExpression(sql, d)).not.toThrow();
  // An independent scanner that knows only the platform's quoting rules.
  const outside = d === snowflakeExpressionDialect ? scanSnowflake(sql) : scanDatabricks(sql);
  expect(outside).not.toMatch(/;|--|\/\*|\*\/|\/\/|\$\$|\?/);
  let depth = 0;
  for (const ch of outside) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    expect(depth).toBeGreaterThanOrEqual(0);
  }
  expect(depth).toBe(0);
  if (d === snowflakeExpressionDialect) expect(sql).not.toContain('$$');
  else expect(sql).not.toContain('${');
}

/**
 * Snowflake: '...' strings with '' and backslash escapes; "..." names with "". Returns
 * the text outside quotes (quoted parts replaced by a space); throws if one is left open.
 */
function scanSnowflake(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new Error(`unterminated ${ch} in ${sql}`);
        if (ch === "'" && sql[j] === '\\') j += 2;
        else if (sql[j] === ch && sql[j + 1] === ch) j += 2;
        else if (sql[j] === ch) break;
        else j++;
      }
      out += ' ';
      i = j + 1;
      continue;
    }
    if (ch === '`') throw new Error('a backtick outside quotes on Snowflake');
    out += ch;
    i++;
  }
  return out;
}

/** Databricks: '...' and "..." strings with backslash escapes; `...` names with ``. */
function scanDatabricks(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new Error(`unterminated ${ch} in ${sql}`);
        if (ch !== '`' && sql[j] === '\\') j += 2;
        else if (ch === '`' && sql[j] === '`' && sql[j + 1] === '`') j += 2;
        else if (sql[j] === ch) break;
        else j++;
      }
      out += ' ';
      i = j + 1;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}
