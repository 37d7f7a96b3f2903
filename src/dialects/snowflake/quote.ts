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
import { RbacError } from '../../model/errors.js';
import type { Dialect, NamePart } from '../types.js';
import { snowflakeExpressions } from './expression.js';

export const SNOWFLAKE_MAX_IDENTIFIER_BYTES = 255;

function checkName(name: string, max: number): void {
  if (name.length === 0) throw new RbacError('CONFIG', 'empty identifier');
  if (name.includes('\u0000')) throw new RbacError('CONFIG', 'identifier contains a NUL character');
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > max) {
    throw new RbacError('CONFIG', `identifier is ${bytes} bytes, longer than the ${max}-byte limit: ${name.slice(0, 40)}...`);
  }
}

export const snowflakeDialect: Dialect = {
  platform: 'snowflake',
  normalize(part: NamePart): string {
    return part.quoted ? part.text : part.text.toUpperCase();
  },
  quoteIdent(name: string): string {
    checkName(name, SNOWFLAKE_MAX_IDENTIFIER_BYTES);
    return `"${name.replace(/"/g, '""')}"`;
  },
  quoteLiteral(value: string): string {
    if (value.includes('\u0000')) throw new RbacError('CONFIG', 'string literal contains a NUL character');
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  },
  maxIdentifierBytes: SNOWFLAKE_MAX_IDENTIFIER_BYTES,
  // A getter: expression.ts builds its parser from this object (an import cycle resolved at use).
  get expressions() {
    return snowflakeExpressions;
  },
};

/**
 * Parse a dotted name as SHOW commands print it (`DB.SCHEMA."Mixed"`,
 * `"my db"."a""b".T`) into its stored parts. Unquoted parts are printed as stored.
 * Throws on malformed input rather than guessing.
 */
export function parseQualifiedName(text: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i <= text.length) {
    if (text[i] === '"') {
      let part = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new Error(`unterminated quoted name in ${JSON.stringify(text)}`);
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += text[i++];
      }
      parts.push(part);
    } else {
      let j = i;
      while (j < text.length && text[j] !== '.') j++;
      const part = text.slice(i, j);
      if (part.length === 0) throw new Error(`empty name part in ${JSON.stringify(text)}`);
      parts.push(part);
      i = j;
    }
    if (i === text.length) break;
    if (text[i] !== '.') throw new Error(`unexpected ${JSON.stringify(text[i])} in ${JSON.stringify(text)}`);
    i++;
  }
  return parts;
}

const COMMENT_PREFIX = 'rbac:';

/**
 * The role COMMENT the tool writes: `rbac:{"description":...,"owner":...}` (stable key
 * order), so description and owner parse back exactly whatever they contain. A
 * comment written by hand (no prefix, or not valid JSON) reads as a description.
 */
export function encodeRoleComment(meta: { description?: string; owner?: string }): string | undefined {
  if (meta.description === undefined && meta.owner === undefined) return undefined;
  const o: Record<string, string> = {};
  if (meta.description !== undefined) o.description = meta.description;
  if (meta.owner !== undefined) o.owner = meta.owner;
  return COMMENT_PREFIX + JSON.stringify(o);
}

export function decodeRoleComment(comment: string | null | undefined): { description?: string; owner?: string } {
  if (comment === null || comment === undefined || comment === '') return {};
  if (comment.startsWith(COMMENT_PREFIX)) {
    try {
      const o = JSON.parse(comment.slice(COMMENT_PREFIX.length)) as unknown;
      if (o && typeof o === 'object' && !Array.isArray(o)) {
        const r = o as Record<string, unknown>;
        const out: { description?: string; owner?: string } = {};
        if (typeof r.description === 'string') out.description = r.description;
        if (typeof r.owner === 'string') out.owner = r.owner;
        return out;
      }
    } catch {
      // fall through: a hand-written comment that happens to start with the prefix
    }
  }
  return { description: comment };
}
