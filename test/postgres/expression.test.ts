// PostgreSQL expressions: what the checker accepts and re-prints, what it refuses, and
// a fuzz test over PostgreSQL's lexical features (escape strings, dollar quoting,
// nested comments, Unicode escapes, quoted identifiers): whatever passes is exactly one
// expression when `SELECT <re-printed text>` is parsed by the real parser, and
// re-printing is a fixed point.
import fc from 'fast-check';
import { parseSync } from 'libpg-query';
import { describe, expect, it } from 'vitest';
import { ExpressionError, NO_EXTRAS, type ExpressionPolicy } from '../../src/model/expressions.js';
import { checkTypeName, postgresExpressions as P } from '../../src/dialects/postgres/expression.js';

/** The one target of `SELECT <text>`, or undefined when the real parser sees anything else. */
function oneExpression(text: string): unknown {
  let tree: { stmts?: { stmt?: Record<string, Record<string, unknown>> }[] };
  try {
    tree = parseSync(`SELECT ${text}`);
  } catch {
    return undefined;
  }
  if (tree.stmts?.length !== 1) return undefined;
  const sel = tree.stmts[0].stmt?.SelectStmt;
  if (!sel) return undefined;
  if (Object.keys(sel).some((k) => k !== 'targetList' && k !== 'limitOption' && k !== 'op')) return undefined;
  const targets = sel.targetList as { ResTarget: { name?: string; val: unknown } }[];
  if (targets.length !== 1 || targets[0].ResTarget.name !== undefined) return undefined;
  return targets[0].ResTarget.val;
}

describe('PostgreSQL expressions: accepted and re-printed', () => {
  it.each([
    ["facility_id = 'F01'", "facility_id = 'F01'"],
    // The escape string of the attack is one literal: re-printed as a standard string.
    ["facility_id = E'F01\\'; CREATE ROLE x SUPERUSER; --'", "facility_id = 'F01''; CREATE ROLE x SUPERUSER; --'"],
    ['$tag$a$b$tag$ = note', "'a$b' = note"],
    ["U&'\\0041' = \"Wé\"", `'A' = "Wé"`],
    ['"a""b" IS NOT NULL /* a /* nested */ comment */', '"a""b" IS NOT NULL'],
    ["lower(name) LIKE 'x%' OR pg_has_role(current_user, 'po', 'MEMBER')", "lower(name) LIKE 'x%' OR pg_has_role(CURRENT_USER, 'po', 'MEMBER')"],
    ["facility_id = ANY (ARRAY['F01', 'F02'])", "facility_id = ANY (ARRAY['F01', 'F02'])"],
    ["CASE WHEN a THEN 1 ELSE 2 END = 1", '(CASE WHEN a THEN 1 ELSE 2 END) = 1'],
  ])('%s', (input, printed) => {
    const c = P.check(input, 'where', NO_EXTRAS);
    expect(c.text).toBe(printed);
    expect(P.check(c.text, 'where', NO_EXTRAS).text).toBe(printed);
  });

  it('a mask names its column {value}; render puts the quoted column there, nowhere else', () => {
    const c = P.check("'***-**-' || right({value}, 4)", 'mask', NO_EXTRAS);
    expect(c.text).toBe(`'***-**-' || "right"({value}, 4)`);
    expect(P.render(c.text, 'mask', NO_EXTRAS, { value: 'S"sn' })).toBe(`'***-**-' || "right"("S""sn", 4)`);
  });

  it('lists the columns a row filter reads', () => {
    expect(P.check('a = b AND c.d > 1 AND a IS NULL', 'where', NO_EXTRAS).columns).toEqual(['a', 'b', 'd']);
  });

  it('a subquery reads only relations the configuration lists, schema-qualified', () => {
    const policy: ExpressionPolicy = { functions: [], relations: ['ehr.security.user_facilities'] };
    const ok = P.check('facility_id IN (SELECT f.facility_id FROM security.user_facilities f WHERE f.user_name = current_user)', 'where', policy);
    expect(ok.columns).toEqual(['facility_id']);
    expect(() => P.check('facility_id IN (SELECT facility_id FROM user_facilities)', 'where', policy)).toThrow(/schema.table/);
    expect(() => P.check('facility_id IN (SELECT facility_id FROM security.other)', 'where', policy)).toThrow(/not listed under expressions.relations/);
    expect(() => P.check('facility_id IN (SELECT facility_id FROM security.user_facilities)', 'where', NO_EXTRAS)).toThrow(/subqueries are not allowed/);
  });

  it('a function the configuration lists is allowed, qualified as listed', () => {
    const policy: ExpressionPolicy = { functions: ['ehr.util.can_see'], relations: [] };
    expect(P.check('util.can_see(facility_id)', 'where', policy).text).toBe('util.can_see(facility_id)');
    expect(() => P.check('can_see(facility_id)', 'where', policy)).toThrow(/function can_see\(\) is not allowed/);
  });
});

describe('PostgreSQL expressions: refused, with the reason', () => {
  it.each([
    // The finding: a second statement after an escape string that a hand tokenizer misread.
    ["x = E'\\'' ; CREATE ROLE evil SUPERUSER LOGIN; --'", /more than one statement/],
    ['true; DROP TABLE x', /more than one statement/],
    ['1 FROM pg_authid', /continues with FROM/],
    ['1 AS y', /alias or extra text/],
    ['a, b', /no commas/],
    ['x = $1', /parameters/],
    ["pg_read_file('/etc/passwd') <> ''", /function pg_read_file\(\) is not allowed/],
    ["set_config('role', 'postgres', false) IS NOT NULL", /function set_config\(\) is not allowed/],
    ['count(*) > 1', /aggregate/],
    ['row_number() OVER () = 1', /window functions|aggregate/],
    ["x::regclass = 'a'", /cast to type regclass is not allowed/],
    ['(a', /not a PostgreSQL expression/],
    ['', /empty/],
    ['{value} = 1', /row filter cannot use \{value\}/],
    ['__rbac_value__ = 1', /reserved/],
  ])('%s', (input, why) => {
    expect(() => P.check(input, 'where', NO_EXTRAS)).toThrow(why);
  });

  it.each([
    ["'{value}' || x", /inside a string literal/],
    ['x{value}', /part of a name/],
    ['left(x, 3)', /must use \{value\}/],
  ])('mask %s', (input, why) => {
    expect(() => P.check(input, 'mask', NO_EXTRAS)).toThrow(why);
  });

  it('names the position in the text as written', () => {
    const e = (() => {
      try {
        P.check("a = 1 AND pg_sleep(10) IS NULL", 'where', NO_EXTRAS);
      } catch (x) {
        return x as ExpressionError;
      }
    })();
    expect(e).toBeInstanceOf(ExpressionError);
    expect(e?.position).toBe(11);
  });

  it('a column type is proven to be one type name before it goes into a CAST', () => {
    expect(checkTypeName('character varying(20)')).toBe('character varying(20)');
    expect(checkTypeName('"MyType"[]')).toBe('"MyType"[]');
    expect(() => checkTypeName('text) FROM x; --')).toThrow();
    expect(() => checkTypeName('text; DROP TABLE x')).toThrow();
  });
});

// --- fuzz --------------------------------------------------------------------------
const FRAGMENTS = [
  "E'", "\\'", "''", "'", '"', '""', '$$', '$a$', '$x$', ';', '--', '/*', '*/', '\n', ' ', '(', ')', ',', '.', '::',
  "U&'", 'U&"', '\\0041', 'UESCAPE', "'!'", 'a', 'b', 'x1', '"A b"', '1', '0.5', '=', '<>', '||', '+', '-', '*', '/',
  'AND', 'OR', 'NOT', 'IS', 'NULL', 'TRUE', 'IN', 'LIKE', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'SELECT', 'FROM',
  'CREATE ROLE evil SUPERUSER', 'DROP TABLE t', 'lower(', 'left(', 'pg_sleep(', 'current_user', '{value}', 'E', '\\',
];
/** Comparisons whose literal holds the dangerous fragments, in each of PostgreSQL's string forms. */
const literalBody = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 8 }).map((xs) => xs.join(''));
const wellFormed = fc
  .tuple(
    fc.constantFrom('a', '"A b"', 'lower(a)', '{value}', 'x.y'),
    fc.constantFrom('=', '<>', 'LIKE', '||', '>'),
    literalBody,
    fc.constantFrom("E'", "'", '$q$', "U&'"),
    fc.constantFrom('', ' AND b IS NULL', ' OR TRUE', '; DROP TABLE t', ' -- tail'),
  )
  .map(([lhs, op, body, form, tail]) => {
    const lit =
      form === '$q$' ? `$q$${body.replace(/\$q\$/g, '')}$q$` : form === "E'" ? `E'${body.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : `${form}${body.replace(/'/g, "''")}'`;
    return `${lhs} ${op} ${lit}${tail}`;
  });
const fuzzInput = fc.oneof(
  { weight: 3, arbitrary: wellFormed },
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 14 }).map((xs) => xs.join('')) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 14 }).map((xs) => xs.join(' ')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);

describe('fuzz: whatever the checker accepts is exactly one expression to the real parser', () => {
  it('for row filters and for masks (rendered)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fuzzInput, fc.constantFrom<'where' | 'mask'>('where', 'mask'), (text, use) => {
        let out: string;
        try {
          out = P.check(text, use, NO_EXTRAS).text;
        } catch (e) {
          // Refusals are ExpressionErrors, never a crash.
          expect(e).toBeInstanceOf(ExpressionError);
          return;
        }
        accepted++;
        const sql = use === 'mask' ? P.render(out, 'mask', NO_EXTRAS, { value: 'col"x' }) : P.render(out, 'where', NO_EXTRAS);
        expect(oneExpression(sql), sql).toBeDefined();
        expect(P.check(out, use, NO_EXTRAS).text).toBe(out);
      }),
      { numRuns: 6000, seed: 20261202 },
    );
    // The property is not vacuous: a good share of the inputs get through.
    expect(accepted).toBeGreaterThan(600);
  });
});
