/**
 * Row filter and mask expressions on Snowflake: the shared strict grammar
 * (../expression-grammar.ts) configured with Snowflake's lexical rules, names, types
 * and safe functions.
 *
 * Invariants:
 * - bare names fold to upper case and quoted names stay exact (`snowflakeDialect`);
 *   every identifier is printed double-quoted, so `facility_id` prints `"FACILITY_ID"`
 *   and `"Mixed"` stays `"Mixed"`;
 * - strings are `'...'` with `''` and the backslash escapes below; the printer always
 *   emits them through `quoteLiteral` (`\` doubled, `'` doubled);
 * - `"` always quotes a name, never a string; backticks mean nothing and are refused;
 * - `$$` is refused everywhere, even inside a literal or a quoted name, and `$` may not
 *   start a token (session variables, positional parameters), so no printed text can
 *   open a dollar-quoted string;
 * - `//`, `--` and `/*` comments are refused; so is `;`.
 */
import type { ExpressionParser } from '../../model/expressions.js';
import { makeExpressionParser, type ExpressionDialect } from '../expression-grammar.js';
import { snowflakeNames } from './ident.js';

/**
 * Built-in functions a Snowflake filter or mask may call. Qualifies: scalar (one value
 * per row), no side effects, no external or network access, reads no other table, and
 * stable in meaning across Snowflake releases (so HASH is out: its output may change).
 */
export const SNOWFLAKE_SAFE_FUNCTIONS: ReadonlySet<string> = new Set([
  // session context: who is asking (the point of a row filter)
  'CURRENT_ROLE', 'CURRENT_USER', 'CURRENT_ACCOUNT', 'IS_ROLE_IN_SESSION', 'CURRENT_DATE', 'CURRENT_TIMESTAMP',
  // text
  'UPPER', 'LOWER', 'LEFT', 'RIGHT', 'SUBSTR', 'SUBSTRING', 'LENGTH', 'LEN', 'TRIM', 'LTRIM', 'RTRIM', 'LPAD', 'RPAD', 'REPLACE',
  'REGEXP_REPLACE', 'REGEXP_LIKE', 'SPLIT_PART', 'CONCAT', 'CONCAT_WS', 'REPEAT', 'STARTSWITH', 'ENDSWITH', 'CONTAINS', 'POSITION',
  // nulls and conditionals
  'COALESCE', 'NULLIF', 'NVL', 'NVL2', 'IFF', 'IFNULL', 'GREATEST', 'LEAST',
  // numbers
  'ABS', 'ROUND', 'FLOOR', 'CEIL', 'MOD',
  // one-way digests (masks)
  'SHA2', 'MD5',
  // conversion
  'TO_CHAR', 'TO_DATE', 'TO_VARCHAR', 'TO_NUMBER',
  // dates
  'DATE_TRUNC', 'DATE_PART', 'YEAR', 'MONTH', 'DAY', 'DATEADD', 'DATEDIFF', 'DATE_FROM_PARTS',
]);

/** Keyword functions Snowflake also reads without parentheses (printed with them). */
const NILADIC: ReadonlySet<string> = new Set(['CURRENT_DATE', 'CURRENT_TIMESTAMP', 'CURRENT_USER']);

/** Snowflake's reserved words (its documented list) plus this grammar's own keywords. */
const RESERVED: ReadonlySet<string> = new Set([
  'ACCOUNT', 'ALL', 'ALTER', 'AND', 'ANY', 'AS', 'BETWEEN', 'BY', 'CASE', 'CAST', 'CHECK', 'COLUMN', 'CONNECT', 'CONNECTION', 'CONSTRAINT',
  'CREATE', 'CROSS', 'CURRENT', 'CURRENT_DATE', 'CURRENT_TIME', 'CURRENT_TIMESTAMP', 'CURRENT_USER', 'DATABASE', 'DELETE', 'DISTINCT', 'DROP',
  'ELSE', 'EXISTS', 'FALSE', 'FOLLOWING', 'FOR', 'FROM', 'FULL', 'GRANT', 'GROUP', 'GSCLUSTER', 'HAVING', 'ILIKE', 'IN', 'INCREMENT', 'INNER',
  'INSERT', 'INTERSECT', 'INTO', 'IS', 'ISSUE', 'JOIN', 'LATERAL', 'LEFT', 'LIKE', 'LOCALTIME', 'LOCALTIMESTAMP', 'MINUS', 'NATURAL', 'NOT',
  'NULL', 'OF', 'ON', 'OR', 'ORDER', 'ORGANIZATION', 'QUALIFY', 'REGEXP', 'REVOKE', 'RIGHT', 'RLIKE', 'ROW', 'ROWS', 'SAMPLE', 'SCHEMA',
  'SELECT', 'SET', 'SOME', 'START', 'TABLE', 'TABLESAMPLE', 'THEN', 'TO', 'TRIGGER', 'TRUE', 'TRY_CAST', 'UNION', 'UNIQUE', 'UPDATE', 'USING',
  'VALUES', 'VIEW', 'WHEN', 'WHENEVER', 'WHERE', 'WITH',
  'END', 'ESCAPE', 'EXCEPT', 'INTERVAL', 'OVER',
]);

/** CAST / `::` target types: [min, max] integer arguments. */
const TYPES: ReadonlyMap<string, readonly [number, number]> = new Map<string, readonly [number, number]>([
  ...['VARCHAR', 'CHAR', 'CHARACTER', 'STRING', 'TEXT', 'BINARY', 'VARBINARY'].map((t) => [t, [0, 1]] as const),
  ...['NUMBER', 'NUMERIC', 'DECIMAL'].map((t) => [t, [0, 2]] as const),
  ...['INT', 'INTEGER', 'BIGINT', 'SMALLINT', 'TINYINT', 'BYTEINT', 'FLOAT', 'FLOAT4', 'FLOAT8', 'DOUBLE', 'REAL', 'BOOLEAN', 'DATE'].map(
    (t) => [t, [0, 0]] as const,
  ),
  ...['TIME', 'DATETIME', 'TIMESTAMP', 'TIMESTAMP_NTZ', 'TIMESTAMP_LTZ', 'TIMESTAMP_TZ'].map((t) => [t, [0, 1]] as const),
]);

/** Date and time parts Snowflake accepts unquoted as the first argument of the date functions. */
const DATE_PARTS: ReadonlySet<string> = new Set([
  'YEAR', 'YEARS', 'Y', 'YY', 'YYYY', 'YR', 'YRS', 'QUARTER', 'QUARTERS', 'Q', 'QTR', 'MONTH', 'MONTHS', 'MM', 'MON', 'MONS', 'WEEK', 'WEEKS', 'W', 'WK',
  'DAY', 'DAYS', 'D', 'DD', 'DAYOFWEEK', 'DOW', 'DAYOFYEAR', 'DOY', 'HOUR', 'HOURS', 'H', 'HH', 'HR', 'MINUTE', 'MINUTES', 'MI', 'MIN', 'MINS', 'SECOND',
  'SECONDS', 'S', 'SEC', 'SECS', 'MILLISECOND', 'MILLISECONDS', 'MS', 'MICROSECOND', 'MICROSECONDS', 'US', 'NANOSECOND', 'NANOSECONDS', 'NS',
]);

/** Snowflake's grammar configuration (exported for the property tests). */
export const snowflakeExpressionDialect: ExpressionDialect = {
  label: 'Snowflake',
  sql: snowflakeNames,
  // `$` may continue a bare name, but never as `$$` (that would open a dollar-quoted string).
  bareIdentifier: /[A-Za-z_](?:[A-Za-z0-9_]|\$(?!\$))*/y,
  identifierQuote: '"',
  doubleQuotedStrings: false,
  // Only escapes whose meaning is certain; `\0`, octal, `\x`, `\u` and unknown letters are refused.
  stringEscapes: new Map([
    ['\\', '\\'],
    ["'", "'"],
    ['"', '"'],
    ['n', '\n'],
    ['t', '\t'],
    ['r', '\r'],
  ]),
  functions: SNOWFLAKE_SAFE_FUNCTIONS,
  niladicKeywords: NILADIC,
  reservedWords: RESERVED,
  types: TYPES,
  datePartFunctions: new Set(['DATEADD', 'DATEDIFF', 'DATE_TRUNC', 'DATE_PART']),
  dateParts: DATE_PARTS,
  regexpOperator: false,
  forbiddenInQuotes: [{ text: '$$', reason: '"$$" is not allowed on Snowflake, even quoted: it opens a dollar-quoted string' }],
};

/** Parse, check and re-print Snowflake filter and mask expressions (contract in src/model/expressions.ts). */
export const snowflakeExpressions: ExpressionParser = makeExpressionParser(snowflakeExpressionDialect);
