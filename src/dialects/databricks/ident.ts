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
 * - neither lets `${` through (Spark variable substitution, see `noSubstitution`).
 */
import { wordSignature } from '../signature.js';
import { RbacError } from '../../model/errors.js';
import type { Dialect, NamePart } from '../types.js';

export const DATABRICKS_MAX_IDENTIFIER_BYTES = 255;

/**
 * Spark substitutes `${name}`, `${env:NAME}` and `${system:name}` into a statement's
 * text before parsing it (spark.sql.variable.substitute), inside quotes too: a name
 * or literal holding `${` would change the statement, or read an environment variable
 * of the cluster into it. Refused wherever a name or literal reaches SQL.
 */
function noSubstitution(text: string, what: string): void {
  if (text.includes('${')) throw new RbacError('CONFIG', `${what} contains "\${", which Spark substitutes before parsing; rename it`);
}

export const databricksNames: Omit<Dialect, 'expressions'> = {
  platform: 'databricks',
  normalize(part: NamePart): string {
    return part.text.toLowerCase();
  },
  quoteIdent(name: string): string {
    if (name.length === 0) throw new RbacError('CONFIG', 'empty identifier');
    if (name.includes('\u0000')) throw new RbacError('CONFIG', 'identifier contains a NUL character');
    noSubstitution(name, 'identifier');
    const bytes = Buffer.byteLength(name, 'utf8');
    if (bytes > DATABRICKS_MAX_IDENTIFIER_BYTES) {
      throw new RbacError('CONFIG', `identifier is ${bytes} bytes, longer than the ${DATABRICKS_MAX_IDENTIFIER_BYTES}-byte limit`);
    }
    return '`' + name.replace(/`/g, '``') + '`';
  },
  canonicalSignature(types: readonly string[]): string {
    return wordSignature(types, (s) => s.toLowerCase());
  },
  quoteLiteral(value: string): string {
    if (value.includes('\u0000')) throw new RbacError('CONFIG', 'string literal contains a NUL character');
    noSubstitution(value, 'string literal');
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  },
  maxIdentifierBytes: DATABRICKS_MAX_IDENTIFIER_BYTES,
};
