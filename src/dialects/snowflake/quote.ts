/**
 * The Snowflake dialect: names and literals (ident.ts, where the quoting invariants
 * are) with the parser of SQL a person writes (expression.ts), plus the name readers
 * the adapter uses on what the platform prints.
 */
import type { Dialect } from '../types.js';
import { snowflakeExpressions } from './expression.js';
import { snowflakeNames } from './ident.js';

export { SNOWFLAKE_MAX_IDENTIFIER_BYTES, snowflakeNames } from './ident.js';

/** The dialect: its names and literals (ident.ts) and its expression parser (expression.ts). */
export const snowflakeDialect: Dialect = { ...snowflakeNames, expressions: snowflakeExpressions };

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
