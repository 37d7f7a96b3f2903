/**
 * Snowflake identifiers and literals.
 *
 * Invariants:
 * - `normalize` folds unquoted names to upper case (Snowflake stores them so) and
 *   keeps quoted names byte for byte; canonical model names are the stored names.
 * - `quoteIdent` always double-quotes, doubling inner quotes, so every generated
 *   identifier is exact (a stored name `Mixed` stays `Mixed`) and no name can close
 *   the quote; names that are empty, hold NUL or exceed 255 UTF-8 bytes throw.
 * - `quoteLiteral` single-quotes, doubling `'` and backslashes (Snowflake reads
 *   backslash escapes inside single-quoted strings).
 */
import { wordSignature } from '../signature.js';
import { RbacError } from '../../model/errors.js';
import type { Dialect, NamePart } from '../types.js';

export const SNOWFLAKE_MAX_IDENTIFIER_BYTES = 255;

function checkName(name: string, max: number): void {
  if (name.length === 0) throw new RbacError('CONFIG', 'empty identifier');
  if (name.includes('\u0000')) throw new RbacError('CONFIG', 'identifier contains a NUL character');
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > max) {
    throw new RbacError('CONFIG', `identifier is ${bytes} bytes, longer than the ${max}-byte limit: ${name.slice(0, 40)}...`);
  }
}

export const snowflakeNames: Omit<Dialect, 'expressions'> = {
  platform: 'snowflake',
  normalize(part: NamePart): string {
    return part.quoted ? part.text : part.text.toUpperCase();
  },
  quoteIdent(name: string): string {
    checkName(name, SNOWFLAKE_MAX_IDENTIFIER_BYTES);
    return `"${name.replace(/"/g, '""')}"`;
  },
  canonicalSignature(types: readonly string[]): string {
    return wordSignature(types, (s) => s.toUpperCase());
  },
  quoteLiteral(value: string): string {
    if (value.includes('\u0000')) throw new RbacError('CONFIG', 'string literal contains a NUL character');
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  },
  maxIdentifierBytes: SNOWFLAKE_MAX_IDENTIFIER_BYTES,
};
