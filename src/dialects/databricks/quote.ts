/**
 * The Databricks (Unity Catalog) dialect: names and literals (ident.ts, where the quoting invariants
 * are) with the parser of SQL a person writes (expression.ts), plus the name readers
 * the adapter uses on what the platform prints.
 */
import type { Dialect } from '../types.js';
import { databricksExpressions } from './expression.js';
import { databricksNames } from './ident.js';

export { DATABRICKS_MAX_IDENTIFIER_BYTES, databricksNames } from './ident.js';

/** The dialect: its names and literals (ident.ts) and its expression parser (expression.ts). */
export const databricksDialect: Dialect = { ...databricksNames, expressions: databricksExpressions };
