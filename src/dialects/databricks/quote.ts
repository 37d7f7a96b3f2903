/**
 * Databricks (Unity Catalog) identifiers and literals.
 *
 * Invariants:
 * - names are case-insensitive and stored lower-case: `normalize` lower-cases every
 *   part, quoted or not, so `Foo` and `foo` are the same canonical name.
 * - `quoteIdent` always back-quotes, doubling inner backticks; empty names, NUL and
 *   names over 255 UTF-8 bytes throw.
 * - `quoteLiteral` single-quotes and backslash-escapes `\` and `'` (Spark SQL string
 *   literals read backslash escapes).
 */
import { RbacError } from '../../model/errors.js';
import type { Dialect, NamePart } from '../types.js';

export const DATABRICKS_MAX_IDENTIFIER_BYTES = 255;

export const databricksDialect: Dialect = {
  platform: 'databricks',
  normalize(part: NamePart): string {
    return part.text.toLowerCase();
  },
  quoteIdent(name: string): string {
    if (name.length === 0) throw new RbacError('CONFIG', 'empty identifier');
    if (name.includes('\u0000')) throw new RbacError('CONFIG', 'identifier contains a NUL character');
    const bytes = Buffer.byteLength(name, 'utf8');
    if (bytes > DATABRICKS_MAX_IDENTIFIER_BYTES) {
      throw new RbacError('CONFIG', `identifier is ${bytes} bytes, longer than the ${DATABRICKS_MAX_IDENTIFIER_BYTES}-byte limit`);
    }
    return '`' + name.replace(/`/g, '``') + '`';
  },
  quoteLiteral(value: string): string {
    if (value.includes('\u0000')) throw new RbacError('CONFIG', 'string literal contains a NUL character');
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  },
  maxIdentifierBytes: DATABRICKS_MAX_IDENTIFIER_BYTES,
};
