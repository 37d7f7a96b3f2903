/**
 * PostgreSQL identifier and literal quoting, and name normalization.
 *
 * Every identifier that reaches Postgres SQL goes through `quoteIdent`: it is always
 * double-quoted (so keywords, mixed case, spaces, quotes and non-ASCII are exact), and
 * names Postgres would silently truncate (over 63 bytes of UTF-8) or cannot store (NUL)
 * are rejected, because a silently truncated name would grant to a different role or
 * object than the one reviewed.
 */
import type { Dialect, NamePart } from '../types.js';
import { RbacError } from '../../model/errors.js';
import { postgresExpressions } from './expression.js';
import { canonicalPostgresSignature } from './signature.js';

/** NAMEDATALEN - 1: Postgres truncates longer identifiers without an error. */
export const PG_MAX_IDENTIFIER_BYTES = 63;

function checkNoNul(s: string, what: string): void {
  if (s.includes('\u0000')) {
    throw new RbacError('PLAN_INVALID', `${what} contains a NUL byte, which PostgreSQL cannot store`);
  }
}

/** Double-quote an identifier; inner quotes doubled. Throws on NUL, empty, or > 63 bytes. */
export function quoteIdent(name: string): string {
  checkNoNul(name, `identifier ${JSON.stringify(name.replace(/\u0000/g, '\\0'))}`);
  if (name.length === 0) throw new RbacError('PLAN_INVALID', 'empty identifier');
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > PG_MAX_IDENTIFIER_BYTES) {
    throw new RbacError(
      'PLAN_INVALID',
      `identifier ${JSON.stringify(name)} is ${bytes} bytes; PostgreSQL would silently truncate it to ${PG_MAX_IDENTIFIER_BYTES}`,
      'shorten the name',
    );
  }
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Quote a string literal for standard_conforming_strings = on (the default since 9.1;
 * the adapter also sets it for the apply transaction): only single quotes are special,
 * backslashes are literal. NUL is rejected: text values cannot hold it.
 */
export function quoteLiteral(value: string): string {
  checkNoNul(value, 'string literal');
  return `'${value.replace(/'/g, "''")}'`;
}

/** Unquoted identifiers fold to lower case (ASCII only, as the Postgres lexer does); quoted ones are kept. */
export function normalize(part: NamePart): string {
  return part.quoted ? part.text : part.text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** The Postgres `Dialect`. */
export const postgresDialect: Dialect = {
  platform: 'postgres',
  normalize,
  quoteIdent,
  quoteLiteral,
  maxIdentifierBytes: PG_MAX_IDENTIFIER_BYTES,
  expressions: postgresExpressions,
  canonicalSignature: canonicalPostgresSignature,
};
