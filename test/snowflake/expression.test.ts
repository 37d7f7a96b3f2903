/**
 * Snowflake filter and mask expressions: golden re-printed text for accepted input,
 * refusal messages for everything outside the grammar, render, and the message format.
 */
import { describe, expect, it } from 'vitest';
import { snowflakeExpressions as S, SNOWFLAKE_SAFE_FUNCTIONS } from '../../src/dialects/snowflake/expression.js';
import { ExpressionError, NO_EXTRAS, type ExpressionPolicy, type ExpressionUse } from '../../src/model/expressions.js';

const UTIL: ExpressionPolicy = { functions: ['UTIL.FACILITY_OF', 'SEC.my fn', 'FACILITY_OF'], relations: [] };

const ids = Array.from({ length: 45 }, (_, i) => `'F${String(i).padStart(3, '0')}'`);
const LONG_IN = `facility_id in (${ids.join(',')})`;

// [input, use, re-printed text, columns]
const ACCEPTED: [string, ExpressionUse, string, string[]][] = [
  ["facility_id = 'F01'", 'where', `"FACILITY_ID" = 'F01'`, ['FACILITY_ID']],
  ["facility_id IN ('F01','F02' , 'F03')", 'where', `"FACILITY_ID" IN ('F01', 'F02', 'F03')`, ['FACILITY_ID']],
  ["facility_id not in ('F01')", 'where', `"FACILITY_ID" NOT IN ('F01')`, ['FACILITY_ID']],
  [LONG_IN, 'where', `"FACILITY_ID" IN (${ids.join(', ')})`, ['FACILITY_ID']],
  [
    "case when status = 'a' then 1 when status = 'b' then 2 else 0 end > 0",
    'where',
    `CASE WHEN "STATUS" = 'a' THEN 1 WHEN "STATUS" = 'b' THEN 2 ELSE 0 END > 0`,
    ['STATUS'],
  ],
  ["case status when 'a' then true else false end", 'where', `CASE "STATUS" WHEN 'a' THEN TRUE ELSE FALSE END`, ['STATUS']],
  ['cast(age as integer) >= 18', 'where', `CAST("AGE" AS INTEGER) >= 18`, ['AGE']],
  ['try_cast(age as number(10,2)) between 1 and 2.5', 'where', `TRY_CAST("AGE" AS NUMBER(10, 2)) BETWEEN 1 AND 2.5`, ['AGE']],
  ['age::int > 1e3', 'where', `"AGE"::INT > 1E3`, ['AGE']],
  ["code::varchar(3) || 'x' = 'abcx'", 'where', `"CODE"::VARCHAR(3) || 'x' = 'abcx'`, ['CODE']],
  ["note like 'a!%%' escape '!'", 'where', `"NOTE" LIKE 'a!%%' ESCAPE '!'`, ['NOTE']],
  ["note not ilike '%x\\\\%' escape '\\\\'", 'where', `"NOTE" NOT ILIKE '%x\\\\%' ESCAPE '\\\\'`, ['NOTE']],
  ['upper(trim(name)) = lower(left(code, 3))', 'where', `UPPER(TRIM("NAME")) = LOWER(LEFT("CODE", 3))`, ['NAME', 'CODE']],
  ["CONCAT('***-**-', RIGHT({value}, 4))", 'mask', `CONCAT('***-**-', RIGHT({value}, 4))`, []],
  ["iff(is_role_in_session('ANALYST'), {value}, sha2({value}, 256))", 'mask', `IFF(IS_ROLE_IN_SESSION('ANALYST'), {value}, SHA2({value}, 256))`, []],
  ["date_trunc('YEAR', {value})", 'mask', `DATE_TRUNC('YEAR', {value})`, []],
  ["CASE WHEN CURRENT_ROLE() = 'ADMIN' THEN {value} ELSE '****' END", 'mask', `CASE WHEN CURRENT_ROLE() = 'ADMIN' THEN {value} ELSE '****' END`, []],
  // Written as a whole expression the tautology is accepted, and shown as what it is.
  ["x = 'x' OR '1'='1'", 'where', `"X" = 'x' OR '1' = '1'`, ['X']],
  ['"a""b" = 1 and "Mixed" is not null', 'where', `"a""b" = 1 AND "Mixed" IS NOT NULL`, ['a"b', 'Mixed']],
  [`"Été" = 'ü' and "日本" <> '😀'`, 'where', `"Été" = 'ü' AND "日本" <> '😀'`, ['Été', '日本']],
  ['"; DROP TABLE t; --" = 1', 'where', `"; DROP TABLE t; --" = 1`, ['; DROP TABLE t; --']],
  [
    "s = 'it''s' or s = 'back\\\\slash' or s = 'q\\'q' or s = 'say \\\"hi\\\"'",
    'where',
    `"S" = 'it''s' OR "S" = 'back\\\\slash' OR "S" = 'q''q' OR "S" = 'say "hi"'`,
    ['S'],
  ],
  // The classic backslash payload: Snowflake reads \' as a quote inside the literal, and so does this lexer.
  ["name = 'a\\'; DROP TABLE t; --'", 'where', `"NAME" = 'a''; DROP TABLE t; --'`, ['NAME']],
  ["s = 'line1\nline2\\ttab'", 'where', `"S" = 'line1\nline2\ttab'`, ['S']],
  ['db.sch.tbl.col = 1 and tbl.col = 2 and COL > 0', 'where', `"DB"."SCH"."TBL"."COL" = 1 AND "TBL"."COL" = 2 AND "COL" > 0`, ['COL']],
  ['a is distinct from b', 'where', `"A" IS DISTINCT FROM "B"`, ['A', 'B']],
  ['a is not distinct from b', 'where', `"A" IS NOT DISTINCT FROM "B"`, ['A', 'B']],
  ["a || b = 'x' and -a < +b", 'where', `"A" || "B" = 'x' AND -"A" < +"B"`, ['A', 'B']],
  ['a * (b + c) % 2 = 0', 'where', `"A" * ("B" + "C") % 2 = 0`, ['A', 'B', 'C']],
  ['(a + b) * c = a + b * c', 'where', `("A" + "B") * "C" = "A" + "B" * "C"`, ['A', 'B', 'C']],
  ['a - (b - c) = a - b - c', 'where', `"A" - ("B" - "C") = "A" - "B" - "C"`, ['A', 'B', 'C']],
  ["x || 'a' + 1 = 2", 'where', `("X" || 'a') + 1 = 2`, ['X']],
  ['((a = 1)) and ((b = 2))', 'where', `"A" = 1 AND "B" = 2`, ['A', 'B']],
  ['a = 1 or b = 2 and c = 3', 'where', `"A" = 1 OR ("B" = 2 AND "C" = 3)`, ['A', 'B', 'C']],
  ['not a = 1', 'where', `NOT ("A" = 1)`, ['A']],
  ['not (a = 1 or b = 2)', 'where', `NOT ("A" = 1 OR "B" = 2)`, ['A', 'B']],
  ['- -1 = a', 'where', `-(-1) = "A"`, ['A']],
  ['(a = b) = c', 'where', `("A" = "B") = "C"`, ['A', 'B', 'C']],
  ['current_date > d and current_timestamp() > t and current_user = u', 'where', `CURRENT_DATE() > "D" AND CURRENT_TIMESTAMP() > "T" AND CURRENT_USER() = "U"`, ['D', 'T', 'U']],
  ['dateadd(day, -30, current_date) <= visit_date', 'where', `DATEADD(DAY, -30, CURRENT_DATE()) <= "VISIT_DATE"`, ['VISIT_DATE']],
  ['datediff(\'day\', "DAY", d) > 1', 'where', `DATEDIFF('day', "DAY", "D") > 1`, ['DAY', 'D']],
  ["coalesce(nullif(a, ''), 'x') <> 'y'", 'where', `COALESCE(NULLIF("A", ''), 'x') <> 'y'`, ['A']],
  ['a != 1', 'where', `"A" != 1`, ['A']],
  ['.5 < 1. and 1.5e+3 > 0', 'where', `.5 < 1. AND 1.5E+3 > 0`, []],
  ['"x"\n\t=\r\n1', 'where', `"x" = 1`, ['x']],
  ['TRUE', 'where', 'TRUE', []],
  ['a$b = 1', 'where', `"A$B" = 1`, ['A$B']],
  ['"LEFT" = 1', 'where', `"LEFT" = 1`, ['LEFT']],
  ['util.facility_of(current_user()) = facility_id', 'where', `"UTIL"."FACILITY_OF"(CURRENT_USER()) = "FACILITY_ID"`, ['FACILITY_ID']],
  ['facility_of(x)', 'where', `"FACILITY_OF"("X")`, ['X']],
  ['sec."my fn"(x)', 'where', `"SEC"."my fn"("X")`, ['X']],
];

const WHERE = 'where' as const;
const MASK = 'mask' as const;

// [input, use, message fragment]
const REFUSED: [string, ExpressionUse, RegExp][] = [
  ['a = 1; DROP TABLE t', WHERE, /at character 6: ";" would end the statement/],
  ['a = 1 -- hidden', WHERE, /at character 7: comments \(--\)/],
  ['a /* hidden */ = 1', WHERE, /comments \(\/\*\)/],
  ['a = 1 // hidden', WHERE, /comments \(\/\/\)/],
  ['a = 1 */', WHERE, /comment end/],
  ['a IN (SELECT x FROM t)', WHERE, /IN \(SELECT \.\.\.\): subqueries are not allowed/],
  ['(SELECT 1) = 1', WHERE, /subqueries are not allowed/],
  ['EXISTS (SELECT 1 FROM t)', WHERE, /EXISTS: subqueries are not allowed/],
  ['SELECT 1', WHERE, /SELECT: subqueries are not allowed/],
  ['a = ANY (1, 2)', WHERE, /quantified comparison/],
  ['foo(a) = 1', WHERE, /function "FOO" is not allowed: it is not on the Snowflake safe list.*list it under expressions\.functions in rbac\.yaml/],
  ['SYSTEM$WAIT(1) = 1', WHERE, /function "SYSTEM\$WAIT" is not allowed/],
  ['IDENTIFIER(\'t\') = 1', WHERE, /function "IDENTIFIER" is not allowed/],
  ['other.facility_of(x)', WHERE, /function "OTHER.FACILITY_OF" is not allowed/],
  ['"UPPER"(x) = \'A\'', WHERE, /function "UPPER" is not allowed/],
  ['HASH(a) = 1', WHERE, /function "HASH" is not allowed/],
  ['count(a) > 1', WHERE, /COUNT is an aggregate, window or table function/],
  ['count(*) > 1', WHERE, /"\*" in a call \(COUNT\(\*\)\) is not allowed/],
  ['upper(distinct a) = 1', WHERE, /DISTINCT inside a call is not allowed/],
  ['sum(a) > 1', WHERE, /SUM is an aggregate/],
  ['row_number() over (order by a) = 1', WHERE, /window functions \(OVER\) are not allowed/],
  ['listagg(a) within group (order by a) = 1', WHERE, /WITHIN GROUP/],
  ['a = ?', WHERE, /parameters \(\?\) are not allowed/],
  ['a = :p', WHERE, /parameters and paths \(:name, a:b\)/],
  ['v:field = 1', WHERE, /parameters and paths/],
  ['a = $1', WHERE, /parameters \(\$1\)/],
  ['a = $my_var', WHERE, /session variables/],
  ['a[0] = 1', WHERE, /subscripts/],
  ["a = 'abc", WHERE, /at character 5: unterminated string literal/],
  ['"abc = 1', WHERE, /at character 1: unterminated quoted name/],
  ['"" = 1', WHERE, /empty quoted name/],
  ['`a` = 1', WHERE, /` does not quote anything on Snowflake/],
  ['{value} = 1', WHERE, /only a mask may use it/],
  ["upper('x')", MASK, /a mask must use \{value\}/],
  ["CONCAT('{value}', {value})", MASK, /\{value\} may not appear inside a literal/],
  ['"{value}" = 1', WHERE, /\{value\} may not appear inside a literal or a quoted name/],
  ['{val} = 1', WHERE, /braces are only allowed in the placeholder/],
  ["a = 'x\u0000y'", WHERE, /at character 7: the expression holds a NUL character/],
  ["a = 'x\\0'", WHERE, /escape "\\\\0" is not supported/],
  ['a = $$x$$', WHERE, /dollar-quoted strings/],
  ["a = 'x$$y'", WHERE, /"\$\$" is not allowed on Snowflake, even quoted/],
  ['a$$b = 1', WHERE, /dollar-quoted/],
  ["a = r'x'", WHERE, /raw strings/],
  ["a = X'00'", WHERE, /prefixed literal/],
  ["x' OR '1'='1", WHERE, /prefixed literal/],
  ["'a\\'; DROP TABLE t; --'", WHERE, /a row filter must be a condition.*not a string literal/],
  ["name = 'a\\\\'; DROP TABLE t; --'", WHERE, /at character 13: ";" would end the statement/],
  ['a = 1); CREATE ROLE x; --', WHERE, /";" would end the statement/],
  ['a = 1) OR (1 = 1', WHERE, /unbalanced "\)"/],
  ['(a = 1', WHERE, /unbalanced "\("/],
  ['a = 1 b', WHERE, /unexpected "b" after a complete expression/],
  ['a = b = c', WHERE, /do not chain; add parentheses/],
  ['left = 1', WHERE, /LEFT is a reserved word; to name a column LEFT, quote it: "LEFT"/],
  ['select = 1', WHERE, /SELECT: subqueries/],
  ['a.* = 1', WHERE, /"\*" \(all columns\)/],
  ['a.b.c.d.e = 1', WHERE, /at most 4 parts/],
  ['a.b.c.d(1) = 1', WHERE, /at most 3 parts/],
  ['x -> x + 1', WHERE, /lambdas/],
  ['a == 1', WHERE, /"==" is not allowed/],
  ['cast(a as variant) = 1', WHERE, /type "variant" is not on the Snowflake type list/],
  ['cast(a as int(3)) = 1', WHERE, /type INT takes 0 argument\(s\), not 1/],
  ['a::"INT" = 1', WHERE, /expected a type name/],
  ["a like 'x' escape 'ab'", WHERE, /ESCAPE needs a string literal of one character/],
  ["a rlike 'x'", WHERE, /unexpected "rlike"/],
  ["interval '1 day' > a", WHERE, /INTERVAL literals are not allowed/],
  ['a = 1e', WHERE, /malformed number/],
  ['a = 1abc', WHERE, /malformed number/],
  ['a = 1', MASK, /a mask must use \{value\}/],
  ['a + 1', WHERE, /a row filter must be a condition.*arithmetic/],
  ['', WHERE, /at character 1: the expression is empty/],
  ['   ', WHERE, /the expression is empty/],
  ['a = \u202Eb', WHERE, /invisible or control character U\+202E/],
  ["a = 'x\u200By'", WHERE, /invisible or control character U\+200B/],
  ['a = \uD800', WHERE, /not valid Unicode/],
  ['a = 1 # x', WHERE, /unexpected character "#"/],
  ['a = b ! c', WHERE, /"!" is not allowed; write NOT/],
  ['a <=> b', WHERE, /IS NOT DISTINCT FROM/],
  ['f(a => 1)', WHERE, /named arguments/],
  ['a in ()', WHERE, /at least one value/],
  ['case end', WHERE, /CASE needs at least one WHEN/],
  ['1 + NOT a = 1', WHERE, /NOT cannot appear here/],
  ['(' .repeat(600) + 'a' + ')'.repeat(600), WHERE, /nested more than 500 levels deep/],
  ['a = ' + "'x'".repeat(8000), WHERE, /longer than 20000 characters/],
];

describe('snowflakeExpressions.check', () => {
  it.each(ACCEPTED)('accepts %j', (input, use, text, columns) => {
    const r = S.check(input, use, UTIL);
    expect(r.text).toBe(text);
    expect(r.columns).toEqual(columns);
    // Re-printing is a fixed point.
    expect(S.check(r.text, use, UTIL)).toEqual(r);
  });

  it('the long IN list is over 300 characters', () => {
    expect(LONG_IN.length).toBeGreaterThan(300);
  });

  it.each(REFUSED)('refuses %j', (input, use, why) => {
    let err: unknown;
    try {
      S.check(input, use, UTIL);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExpressionError);
    const e = err as ExpressionError;
    expect(e.message).toMatch(why);
    // One line, names its position, never echoes more than an excerpt.
    expect(e.message).not.toMatch(/[\n\r]/);
    expect(e.message).toMatch(/^at character \d+: /);
    expect(e.position).toBe(Number(/^at character (\d+)/.exec(e.message)?.[1]));
    expect(e.message.length).toBeLessThan(300);
  });

  it('messages quote only a short excerpt of long input', () => {
    const long = 'x'.repeat(5000);
    expect(() => S.check(`${long}(1) = 1`, 'where', NO_EXTRAS)).toThrow(/^at character 1: function "X{40}"\.\.\. is not allowed/);
    expect(() => S.check(`a = 1 ${long}`, 'where', NO_EXTRAS)).toThrow(/unexpected "x{24}"\.\.\. after/);
  });

  it('bounds the re-printed text as well as the input, so the fixed point holds at the limit', () => {
    const near = `a IN (${Array.from({ length: 4000 }, () => 'b').join(',')})`;
    expect(near.length).toBeLessThan(20_000);
    expect(() => S.check(near, 'where', NO_EXTRAS)).toThrow(/at character 1: the re-printed expression is longer than 20000 characters/);
  });

  it('policy.functions is compared with normalized, dot-joined names', () => {
    expect(() => S.check('util.facility_of(x)', 'where', NO_EXTRAS)).toThrow(/function "UTIL.FACILITY_OF" is not allowed/);
    expect(S.check('"UTIL".FACILITY_OF(x)', 'where', UTIL).text).toBe(`"UTIL"."FACILITY_OF"("X")`);
    expect(() => S.check('"util".facility_of(x)', 'where', UTIL)).toThrow(/"util.FACILITY_OF" is not allowed/);
    expect(() => S.check('"a.b".c(x)', 'where', { functions: ['a.b.C'], relations: [] })).toThrow(/may not contain "."/);
    expect(() => S.check('count(x) > 1', 'where', { functions: ['COUNT'], relations: [] })).toThrow(/aggregate/);
  });

  it('the safe list holds the documented functions and not HASH', () => {
    for (const f of ['CURRENT_ROLE', 'IS_ROLE_IN_SESSION', 'SHA2', 'DATE_FROM_PARTS', 'REGEXP_LIKE', 'NVL2']) expect(SNOWFLAKE_SAFE_FUNCTIONS.has(f)).toBe(true);
    expect(SNOWFLAKE_SAFE_FUNCTIONS.has('HASH')).toBe(false);
  });
});

describe('snowflakeExpressions.render', () => {
  it('replaces {value} with the quoted parameter', () => {
    expect(S.render("CONCAT('***-**-', RIGHT({value}, 4))", 'mask', NO_EXTRAS, { value: 'VAL' })).toBe(`CONCAT('***-**-', RIGHT("VAL", 4))`);
    expect(S.render('iff({value} is null, null, sha2({value}))', 'mask', NO_EXTRAS, { value: 'VAL' })).toBe(`IFF("VAL" IS NULL, NULL, SHA2("VAL"))`);
  });

  it('re-parses and re-checks its input', () => {
    expect(() => S.render('{value}; DROP TABLE t', 'mask', NO_EXTRAS, { value: 'VAL' })).toThrow(ExpressionError);
    expect(() => S.render('foo({value})', 'mask', NO_EXTRAS, { value: 'VAL' })).toThrow(/not allowed/);
    expect(() => S.render('{value} = 1', 'where', NO_EXTRAS, { value: 'VAL' })).toThrow(/only a mask/);
  });

  it('a mask needs the parameter name', () => {
    expect(() => S.render('upper({value})', 'mask', NO_EXTRAS)).toThrow(/needs the name that replaces \{value\}/);
    expect(() => S.render('upper({value})', 'mask', NO_EXTRAS, { value: 'a\u0000' })).toThrow(ExpressionError);
  });

  it('a where renders as check prints it', () => {
    const w = "facility_id in ('F01', 'F02') and status <> 'x;y'";
    expect(S.render(w, 'where', NO_EXTRAS)).toBe(S.check(w, 'where', NO_EXTRAS).text);
  });

  it('a parameter with a quote stays one identifier', () => {
    expect(S.render('upper({value})', 'mask', NO_EXTRAS, { value: 'v"; --' })).toBe(`UPPER("v""; --")`);
  });
});
