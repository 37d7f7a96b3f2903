/**
 * Databricks filter and mask expressions: golden re-printed text for accepted input,
 * refusal messages for everything outside the grammar, render, and the message format.
 */
import { describe, expect, it } from 'vitest';
import { databricksExpressions as D, DATABRICKS_SAFE_FUNCTIONS } from '../../src/dialects/databricks/expression.js';
import { ExpressionError, NO_EXTRAS, type ExpressionPolicy, type ExpressionUse } from '../../src/model/expressions.js';

const UTIL: ExpressionPolicy = { functions: ['util.facility_of', 'ehr.security.user_facilities', 'facility_of'], relations: [] };

const ids = Array.from({ length: 45 }, (_, i) => `'F${String(i).padStart(3, '0')}'`);
const LONG_IN = `facility_id in (${ids.join(',')})`;

// [input, use, re-printed text, columns]
const ACCEPTED: [string, ExpressionUse, string, string[]][] = [
  ["facility_id = 'F01'", 'where', "`facility_id` = 'F01'", ['facility_id']],
  ["Facility_ID IN ('F01','F02' , 'F03')", 'where', "`facility_id` IN ('F01', 'F02', 'F03')", ['facility_id']],
  ["facility_id not in ('F01')", 'where', "`facility_id` NOT IN ('F01')", ['facility_id']],
  [LONG_IN, 'where', `\`facility_id\` IN (${ids.join(', ')})`, ['facility_id']],
  [
    "case when status = 'a' then 1 when status = 'b' then 2 else 0 end > 0",
    'where',
    "CASE WHEN `status` = 'a' THEN 1 WHEN `status` = 'b' THEN 2 ELSE 0 END > 0",
    ['status'],
  ],
  ["case status when 'a' then true else false end", 'where', "CASE `status` WHEN 'a' THEN TRUE ELSE FALSE END", ['status']],
  ['cast(age as int) >= 18', 'where', 'CAST(`age` AS INT) >= 18', ['age']],
  ['try_cast(age as decimal(10,2)) between 1 and 2.5', 'where', 'TRY_CAST(`age` AS DECIMAL(10, 2)) BETWEEN 1 AND 2.5', ['age']],
  ['age::bigint > 1e3', 'where', '`age`::BIGINT > 1E3', ['age']],
  ["code::string || 'x' = 'abcx'", 'where', "`code`::STRING || 'x' = 'abcx'", ['code']],
  ["note like 'a!%%' escape '!'", 'where', "`note` LIKE 'a!%%' ESCAPE '!'", ['note']],
  // Spark keeps the backslash of \% and \_ (for LIKE); printed as an escaped backslash, same value.
  ["note like 'a\\%'", 'where', "`note` LIKE 'a\\\\%'", ['note']],
  ["note rlike '^[0-9]+$' and note not regexp 'x'", 'where', "`note` RLIKE '^[0-9]+$' AND `note` NOT REGEXP 'x'", ['note']],
  ['upper(trim(name)) = lower(left(code, 3))', 'where', 'upper(trim(`name`)) = lower(left(`code`, 3))', ['name', 'code']],
  ["CONCAT('***-**-', RIGHT({value}, 4))", 'mask', "concat('***-**-', right({value}, 4))", []],
  [
    "if(is_account_group_member('auditors'), {value}, sha2(concat(current_metastore(), ':', {value}), 256))",
    'mask',
    "if(is_account_group_member('auditors'), {value}, sha2(concat(current_metastore(), ':', {value}), 256))",
    [],
  ],
  ["make_date(year({value}), 1, 1)", 'mask', 'make_date(year({value}), 1, 1)', []],
  ["concat('***@', substring_index({value}, '@', -1))", 'mask', "concat('***@', substring_index({value}, '@', -1))", []],
  ['is_member(\'g\') or current_user() = owner', 'where', "is_member('g') OR current_user() = `owner`", ['owner']],
  ['`a``b` = 1 and `Mixed` is not null', 'where', '`a``b` = 1 AND `mixed` IS NOT NULL', ['a`b', 'mixed']],
  ["`Été` = 'ü' and `日本` <> '😀'", 'where', "`été` = 'ü' AND `日本` <> '😀'", ['été', '日本']],
  ['`; DROP TABLE t; --` = 1', 'where', '`; drop table t; --` = 1', ['; drop table t; --']],
  // "..." is a string on Databricks, printed single-quoted.
  ['name = "x\'y""z"', 'where', "`name` = 'x\\'y\"z'", ['name']],
  [
    "s = 'it''s' or s = 'back\\\\slash' or s = 'q\\'q' or s = 'say \\\"hi\\\"'",
    'where',
    "`s` = 'it\\'s' OR `s` = 'back\\\\slash' OR `s` = 'q\\'q' OR `s` = 'say \"hi\"'",
    ['s'],
  ],
  // The classic backslash payload: Spark reads \' as a quote inside the literal, and so does this lexer.
  ["name = 'a\\'; DROP TABLE t; --'", 'where', "`name` = 'a\\'; DROP TABLE t; --'", ['name']],
  ["x = 'x' OR '1'='1'", 'where', "`x` = 'x' OR '1' = '1'", ['x']],
  ['cat.sch.tbl.col = 1 and tbl.COL = 2', 'where', '`cat`.`sch`.`tbl`.`col` = 1 AND `tbl`.`col` = 2', ['col']],
  ['a is not distinct from b', 'where', '`a` IS NOT DISTINCT FROM `b`', ['a', 'b']],
  ["x || 'a' + 1 = 2", 'where', "(`x` || 'a') + 1 = 2", ['x']],
  ['a = 1 or b = 2 and c = 3', 'where', '`a` = 1 OR (`b` = 2 AND `c` = 3)', ['a', 'b', 'c']],
  ['not a = 1', 'where', 'NOT (`a` = 1)', ['a']],
  ['current_date > d and current_timestamp() > t and current_user = u', 'where', 'current_date() > `d` AND current_timestamp() > `t` AND current_user() = `u`', ['d', 't', 'u']],
  ["date_format({value}, 'yyyy')", 'mask', "date_format({value}, 'yyyy')", []],
  ['`user` = current_user()', 'where', '`user` = current_user()', ['user']],
  ['util.facility_of(current_user()) = facility_id', 'where', '`util`.`facility_of`(current_user()) = `facility_id`', ['facility_id']],
  ['ehr.security.User_Facilities() is not null', 'where', '`ehr`.`security`.`user_facilities`() IS NOT NULL', []],
  ['FACILITY_OF(x)', 'where', '`facility_of`(`x`)', ['x']],
];

const WHERE = 'where' as const;
const MASK = 'mask' as const;

// [input, use, message fragment]
const REFUSED: [string, ExpressionUse, RegExp][] = [
  ['a = 1; DROP TABLE t', WHERE, /at character 6: ";" would end the statement/],
  ['a = 1 -- hidden', WHERE, /comments \(--\)/],
  ['a /* hidden */ = 1', WHERE, /comments \(\/\*\)/],
  ['a = 1 // x', WHERE, /comments \(\/\/\)/],
  ['a IN (SELECT x FROM t)', WHERE, /subqueries are not allowed/],
  ['EXISTS (SELECT 1)', WHERE, /EXISTS: subqueries/],
  ['SELECT 1', WHERE, /SELECT: subqueries/],
  ['foo(a) = 1', WHERE, /function "foo" is not allowed: it is not on the Databricks safe list.*list it under expressions\.functions in rbac\.yaml/],
  ["reflect('java.lang.Runtime', 'getRuntime') is null", WHERE, /function "reflect" is not allowed/],
  ["java_method('java.lang.System', 'exit', 0) = 1", WHERE, /function "java_method" is not allowed/],
  ["secret('scope', 'key') = 'x'", WHERE, /function "secret" is not allowed/],
  ["http_request('GET', 'http://x') is null", WHERE, /function "http_request" is not allowed/],
  ["current_catalog() = 'x'", WHERE, /function "current_catalog" is not allowed/],
  ["iff(a, 1, 2) = 1", WHERE, /function "iff" is not allowed/],
  ['count(a) > 1', WHERE, /COUNT is an aggregate/],
  ['collect_list(a) is null', WHERE, /COLLECT_LIST is an aggregate/],
  ['count(*) > 1', WHERE, /COUNT\(\*\)/],
  ['rank() over (order by a) = 1', WHERE, /window functions \(OVER\)/],
  ['a = ?', WHERE, /parameters \(\?\)/],
  ['a = :p', WHERE, /parameters and paths/],
  ['a = ${x}', WHERE, /variable substitution/],
  ["a = '${spark.conf}'", WHERE, /"\$\{" is not allowed on Databricks, even quoted/],
  ['`${x}` = 1', WHERE, /"\$\{" is not allowed on Databricks/],
  ["a = 'abc", WHERE, /unterminated string literal/],
  ['a = "abc', WHERE, /unterminated string literal/],
  ['`abc = 1', WHERE, /unterminated quoted name/],
  ['{value} = 1', WHERE, /only a mask may use it/],
  ["upper('x')", MASK, /a mask must use \{value\}/],
  ["concat('{value}', {value})", MASK, /\{value\} may not appear inside a literal/],
  ["a = 'x\u0000'", WHERE, /NUL character/],
  ["a = 'x\\u0041'", WHERE, /escape "\\\\u" is not supported on Databricks/],
  ['a = $$x$$', WHERE, /dollar-quoted/],
  ["a = r'x'", WHERE, /raw strings/],
  ['a = R"x"', WHERE, /raw strings/],
  ["a = X'00'", WHERE, /prefixed literal/],
  ["x' OR '1'='1", WHERE, /prefixed literal/],
  ["'a\\'; DROP TABLE t; --'", WHERE, /a row filter must be a condition/],
  ["name = 'a\\\\'; DROP TABLE t; --'", WHERE, /at character 13: ";" would end the statement/],
  ['a = 1); CREATE ROLE x; --', WHERE, /";" would end the statement/],
  ['a = 1) OR (1 = 1', WHERE, /unbalanced "\)"/],
  ['user = 1', WHERE, /USER is a reserved word; to name a column USER, quote it: `user`/],
  ['a:b = 1', WHERE, /parameters and paths/],
  ['a[0] = 1', WHERE, /subscripts/],
  ['transform(a, x -> x + 1) is null', WHERE, /lambdas/],
  ['a == 1', WHERE, /"==" is not allowed/],
  ['a <=> b', WHERE, /IS NOT DISTINCT FROM/],
  ['cast(a as number) = 1', WHERE, /type "number" is not on the Databricks type list/],
  ['cast(a as varchar) = 1', WHERE, /type VARCHAR takes 1 argument/],
  ["a rlike 'x' escape '!'", WHERE, /ESCAPE applies to LIKE and ILIKE, not RLIKE/],
  ["a = 1L", WHERE, /malformed number/],
  ['a = 1 && b = 2', WHERE, /unexpected character "&"/],
  ['dateadd(day, 1, d) > d', WHERE, /function "dateadd" is not allowed/],
  ["a = '\u202Eb'", WHERE, /U\+202E/],
  // Array arguments are not printable by this grammar, so array functions stay off the list.
  ['array_contains(ehr.security.user_facilities(), facility_id)', WHERE, /function "array_contains" is not allowed/],
];

describe('databricksExpressions.check', () => {
  it.each(ACCEPTED)('accepts %j', (input, use, text, columns) => {
    const r = D.check(input, use, UTIL);
    expect(r.text).toBe(text);
    expect(r.columns).toEqual(columns);
    expect(D.check(r.text, use, UTIL)).toEqual(r);
  });

  it('the long IN list is over 300 characters', () => {
    expect(LONG_IN.length).toBeGreaterThan(300);
  });

  it.each(REFUSED)('refuses %j', (input, use, why) => {
    let err: unknown;
    try {
      D.check(input, use, UTIL);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExpressionError);
    const e = err as ExpressionError;
    expect(e.message).toMatch(why);
    expect(e.message).not.toMatch(/[\n\r]/);
    expect(e.message).toMatch(/^at character \d+: /);
    expect(e.position).toBe(Number(/^at character (\d+)/.exec(e.message)?.[1]));
    expect(e.message.length).toBeLessThan(300);
  });

  it('policy.functions is compared with lower-cased, dot-joined names', () => {
    expect(() => D.check('util.facility_of(x)', 'where', NO_EXTRAS)).toThrow(/function "util.facility_of" is not allowed/);
    expect(D.check('`UTIL`.Facility_Of(x)', 'where', UTIL).text).toBe('`util`.`facility_of`(`x`)');
  });

  it('the safe list holds the documented functions', () => {
    for (const f of ['is_account_group_member', 'current_metastore', 'substring_index', 'make_date', 'if']) expect(DATABRICKS_SAFE_FUNCTIONS.has(f)).toBe(true);
    for (const f of ['reflect', 'java_method', 'secret', 'current_catalog', 'http_request']) expect(DATABRICKS_SAFE_FUNCTIONS.has(f)).toBe(false);
  });
});

describe('databricksExpressions.render', () => {
  it('replaces {value} with the back-quoted parameter', () => {
    expect(D.render("CONCAT('***-**-', RIGHT({value}, 4))", 'mask', NO_EXTRAS, { value: 'val' })).toBe("concat('***-**-', right(`val`, 4))");
  });

  it('re-parses and re-checks its input', () => {
    expect(() => D.render('{value}; DROP TABLE t', 'mask', NO_EXTRAS, { value: 'val' })).toThrow(ExpressionError);
    expect(() => D.render('reflect({value})', 'mask', NO_EXTRAS, { value: 'val' })).toThrow(/not allowed/);
  });

  it('a mask needs the parameter name', () => {
    expect(() => D.render('upper({value})', 'mask', NO_EXTRAS)).toThrow(/needs the name that replaces \{value\}/);
  });

  it('a where renders as check prints it', () => {
    const w = "facility_id in ('F01', 'F02') and status <> 'x;y'";
    expect(D.render(w, 'where', NO_EXTRAS)).toBe(D.check(w, 'where', NO_EXTRAS).text);
  });

  it('a parameter with a backtick stays one identifier', () => {
    expect(D.render('upper({value})', 'mask', NO_EXTRAS, { value: 'v`; --' })).toBe('upper(`v``; --`)');
  });
});
