/**
 * Row filter and mask expressions on Databricks (Spark SQL): the shared strict grammar
 * (../expression-grammar.ts) configured with Databricks' lexical rules, names, types
 * and safe functions.
 *
 * Invariants:
 * - every name folds to lower case, quoted or not (`databricksDialect`; Unity Catalog
 *   names are case-insensitive), and is printed back-quoted: `facility_id` prints
 *   `` `facility_id` ``;
 * - both `'...'` and `"..."` are string literals (Databricks' default); the printer
 *   always emits `'...'` through `quoteLiteral` (`\` and `'` backslash-escaped), which
 *   means the same on every Databricks version, so `''` inside the input is printed as
 *   `\'`;
 * - `${` is refused everywhere, even inside a literal or a quoted name: Spark's variable
 *   substitution rewrites `${...}` in the statement text before it is parsed;
 * - `--` and `/*` comments, `;`, and `//` are refused.
 */
import type { ExpressionParser } from '../../model/expressions.js';
import { makeExpressionParser, type ExpressionDialect } from '../expression-grammar.js';
import { databricksNames } from './ident.js';

/**
 * Built-in functions a Databricks filter or mask may call. Qualifies: scalar (one value
 * per row), no side effects, no external or network access (no `reflect`, `java_method`,
 * `http_request`, `secret`, `read_files`, `ai_*`), reads no other table.
 */
export const DATABRICKS_SAFE_FUNCTIONS: ReadonlySet<string> = new Set([
  // session context: who is asking (the point of a row filter)
  'current_user', 'is_account_group_member', 'is_member', 'current_date', 'current_timestamp', 'current_metastore',
  // text
  'upper', 'lower', 'left', 'right', 'substr', 'substring', 'length', 'trim', 'ltrim', 'rtrim', 'lpad', 'rpad', 'replace', 'regexp_replace',
  'split_part', 'concat', 'concat_ws', 'substring_index', 'repeat', 'startswith', 'endswith', 'contains', 'instr', 'locate',
  // nulls and conditionals
  'coalesce', 'nullif', 'nvl', 'ifnull', 'if', 'greatest', 'least',
  // numbers
  'abs', 'round', 'floor', 'ceil', 'mod',
  // one-way digests (masks)
  'sha2', 'md5',
  // dates
  'date_format', 'to_date', 'date_trunc', 'year', 'month', 'day', 'make_date',
]);

/** Keyword functions Spark also reads without parentheses (printed with them). */
const NILADIC: ReadonlySet<string> = new Set(['current_date', 'current_timestamp', 'current_user']);

/** Spark's ANSI reserved words plus this grammar's own keywords. */
const RESERVED: ReadonlySet<string> = new Set([
  'ALL', 'AND', 'ANY', 'AS', 'AUTHORIZATION', 'BOTH', 'CASE', 'CAST', 'CHECK', 'COLLATE', 'COLUMN', 'CONSTRAINT', 'CREATE', 'CROSS',
  'CURRENT_DATE', 'CURRENT_TIME', 'CURRENT_TIMESTAMP', 'CURRENT_USER', 'DISTINCT', 'ELSE', 'END', 'ESCAPE', 'EXCEPT', 'FALSE', 'FETCH', 'FILTER',
  'FOR', 'FOREIGN', 'FROM', 'FULL', 'GRANT', 'GROUP', 'HAVING', 'IN', 'INNER', 'INTERSECT', 'INTO', 'IS', 'JOIN', 'LATERAL', 'LEADING', 'LEFT',
  'NATURAL', 'NOT', 'NULL', 'OFFSET', 'ON', 'ONLY', 'OR', 'ORDER', 'OUTER', 'OVERLAPS', 'PRIMARY', 'REFERENCES', 'RIGHT', 'SELECT',
  'SESSION_USER', 'SOME', 'TABLE', 'THEN', 'TIME', 'TO', 'TRAILING', 'UNION', 'UNIQUE', 'UNKNOWN', 'USER', 'USING', 'WHEN', 'WHERE', 'WITH',
  'BETWEEN', 'LIKE', 'ILIKE', 'RLIKE', 'REGEXP', 'TRY_CAST', 'EXISTS', 'VALUES', 'INTERVAL', 'OVER', 'MINUS', 'LIMIT', 'TRUE',
]);

/** CAST / `::` target types: [min, max] integer arguments. */
const TYPES: ReadonlyMap<string, readonly [number, number]> = new Map<string, readonly [number, number]>([
  ...['VARCHAR', 'CHAR'].map((t) => [t, [1, 1]] as const),
  ...['DECIMAL', 'DEC', 'NUMERIC'].map((t) => [t, [0, 2]] as const),
  ...['STRING', 'TINYINT', 'BYTE', 'SMALLINT', 'SHORT', 'INT', 'INTEGER', 'BIGINT', 'LONG', 'FLOAT', 'REAL', 'DOUBLE', 'BOOLEAN', 'DATE', 'TIMESTAMP',
    'TIMESTAMP_NTZ', 'TIMESTAMP_LTZ', 'BINARY'].map((t) => [t, [0, 0]] as const),
]);

/** Databricks' grammar configuration (exported for the property tests). */
export const databricksExpressionDialect: ExpressionDialect = {
  label: 'Databricks',
  sql: databricksNames,
  bareIdentifier: /[A-Za-z_][A-Za-z0-9_]*/y,
  identifierQuote: '`',
  doubleQuotedStrings: true,
  // Spark's escapes whose meaning is certain; `\%` and `\_` keep their backslash (Spark
  // does so, for LIKE patterns). `\0`, `\b`, `\Z`, octal and `\u` are refused.
  stringEscapes: new Map([
    ['\\', '\\'],
    ["'", "'"],
    ['"', '"'],
    ['n', '\n'],
    ['t', '\t'],
    ['r', '\r'],
    ['%', '\\%'],
    ['_', '\\_'],
  ]),
  functions: DATABRICKS_SAFE_FUNCTIONS,
  niladicKeywords: NILADIC,
  reservedWords: RESERVED,
  types: TYPES,
  datePartFunctions: new Set(),
  dateParts: new Set(),
  regexpOperator: true,
  forbiddenInQuotes: [{ text: '${', reason: '"${" is not allowed on Databricks, even quoted: Spark substitutes ${...} variables into the statement text' }],
};

/** Parse, check and re-print Databricks filter and mask expressions (contract in src/model/expressions.ts). */
export const databricksExpressions: ExpressionParser = makeExpressionParser(databricksExpressionDialect);
