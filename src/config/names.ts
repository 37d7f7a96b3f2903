/**
 * Name syntax of the configuration and the did-you-mean helper.
 *
 * A name part is either bare (`clinical_analyst`, folded by the target dialect) or in
 * double quotes with inner quotes doubled (`"Clinical"`, `"a""b"`, kept exactly). A
 * part that holds a dot, a quote, a space or upper-case letters meant literally is
 * written in quotes. Object paths join parts with dots: `ehr."Clinical"."a""b"`.
 *
 * The regular expressions below are the single definition of that syntax: the JSON
 * Schema embeds them as `pattern`s and the validator tests the same strings.
 */
import type { NamePart } from '../dialects/types.js';

/** A bare part: a letter or underscore, then letters, digits, `_` or `$`. */
const BARE = String.raw`[\p{L}_][\p{L}\p{N}_$]*`;
/** A quoted part: no control characters, at least one character, `""` for a quote. */
const QUOTED = String.raw`"(?:[^"\u0000-\u001f\u007f]|"")+"`;
const PART = `(?:${BARE}|${QUOTED})`;
/** A bare part may hold globs (`*`, `?`) where an object is named: `ehr.snowplow_*`, `ehr.reporting.*_v`. */
const BARE_GLOB = String.raw`[\p{L}_*?][\p{L}\p{N}_$*?]*`;
const GPART = `(?:${BARE_GLOB}|${QUOTED})`;
/** A routine's argument types in parentheses: `(text)`, `(integer, "My Type")`, `()`. */
const SIGNATURE = String.raw`\((?:[^()\u0000]|\([^()\u0000]*\))*\)`;

/** JSON-Schema `pattern` strings (ECMA-262 with the `u` flag). */
export const NAME_PATTERNS = {
  /** One name part: a role, user, column or database name. */
  part: `^${PART}$`,
  /** A role, or a database role as `database.role` (Snowflake). */
  roleRef: `^${PART}(?:\\.${PART})?$`,
  /** `database.schema` */
  schema: `^${PART}\\.${PART}$`,
  /** `database.schema.table` */
  table: `^${PART}\\.${PART}\\.${PART}$`,
  /** `database.schema.table.column` */
  column: `^${PART}\\.${PART}\\.${PART}\\.${PART}$`,
  /** Map keys and target names: a plain identifier (no quoting). */
  key: '^[A-Za-z_][A-Za-z0-9_-]*$',
  /** Where a grant names an object, globs may stand in bare parts. */
  globDatabase: `^${GPART}$`,
  globSchema: `^${GPART}\\.${GPART}$`,
  globObject: `^${GPART}\\.${GPART}\\.${GPART}$`,
  globInDatabase: `^${GPART}\\.${GPART}$`,
  /** A routine: database.schema.name(argument types); a glob name may leave the types out. */
  globRoutine: `^${GPART}\\.${GPART}\\.${GPART}(?:${SIGNATURE})?$`,
} as const;

/** Whether a bare part is a glob (holds `*` or `?`); quoted parts are always literal. */
export function isGlobPart(p: NamePart): boolean {
  return !p.quoted && /[*?]/.test(p.text);
}

/**
 * Split `ehr.util.zip3(text, integer)` into its path and its argument types as
 * written (`['text', 'integer']`); types are split at top-level commas, outside quotes
 * and parentheses (`numeric(10,2)` stays one). No parentheses: no signature.
 */
export function splitSignature(text: string): { path: string; signature?: string[] } {
  let inQuote = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') inQuote = !inQuote;
    if (ch === '(' && !inQuote) {
      const inner = text.slice(i + 1, text.endsWith(')') ? -1 : undefined);
      const types: string[] = [];
      let depth = 0;
      let q = false;
      let cur = '';
      for (const c of inner) {
        if (c === '"') q = !q;
        if (!q && c === '(') depth++;
        if (!q && c === ')') depth--;
        if (!q && depth === 0 && c === ',') {
          types.push(cur.trim());
          cur = '';
          continue;
        }
        cur += c;
      }
      if (cur.trim() !== '' || types.length) types.push(cur.trim());
      return { path: text.slice(0, i), signature: types };
    }
  }
  return { path: text };
}

const compiled = new Map<string, RegExp>();
export function testPattern(pattern: string, s: string): boolean {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'u');
    compiled.set(pattern, re);
  }
  return re.test(s);
}

/**
 * Split a dotted name into parts. Returns undefined when the text is not a valid path;
 * callers validate with NAME_PATTERNS first, so undefined means a programming error
 * upstream or unvalidated input.
 */
export function parsePath(text: string, opts: { glob?: boolean } = {}): NamePart[] | undefined {
  const parts: NamePart[] = [];
  let i = 0;
  const bare = new RegExp(`^${opts.glob ? BARE_GLOB : BARE}`, 'u');
  for (;;) {
    if (text[i] === '"') {
      let j = i + 1;
      let out = '';
      for (;;) {
        if (j >= text.length) return undefined;
        if (text[j] === '"') {
          if (text[j + 1] === '"') {
            out += '"';
            j += 2;
            continue;
          }
          break;
        }
        out += text[j];
        j++;
      }
      if (out === '') return undefined;
      parts.push({ text: out, quoted: true });
      i = j + 1;
    } else {
      const m = bare.exec(text.slice(i));
      if (!m) return undefined;
      parts.push({ text: m[0], quoted: false });
      i += m[0].length;
    }
    if (i === text.length) return parts;
    if (text[i] !== '.') return undefined;
    i++;
  }
}

/** Parse exactly one part (`clinical_analyst` or `"Clinical"`). */
export function parsePart(text: string): NamePart | undefined {
  const p = parsePath(text);
  return p && p.length === 1 ? p[0] : undefined;
}

/** Write parts back in config syntax (quoted parts re-quoted). */
export function formatPath(parts: readonly NamePart[]): string {
  return parts.map((p) => (p.quoted ? `"${p.text.replace(/"/g, '""')}"` : p.text)).join('.');
}

/**
 * A platform-neutral identity of a name, for duplicate and reference checks before a
 * dialect is known: bare parts compare case-insensitively, quoted parts exactly. Two
 * names with different identities may still collide on one platform (`"ABC"` and
 * `abc` on Snowflake); toDesired re-checks after normalization.
 */
export function neutralId(parts: readonly NamePart[]): string {
  return parts.map((p) => (p.quoted ? `q:${p.text}` : `u:${p.text.toLowerCase()}`)).join('\u0000');
}

/** True for the bare name `public` in any case: the PUBLIC pseudo-role. */
export function isPublicName(p: NamePart): boolean {
  return !p.quoted && p.text.toLowerCase() === 'public';
}

/** Levenshtein distance (insert, delete, substitute; each costs 1). */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The closest candidate when it is close enough to be a typo: distance at most 1 for
 * short words, 2 up to 8 characters, 3 beyond. Case is ignored. Ties go to the first
 * candidate in the given order so the suggestion is stable.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  const limit = w.length <= 3 ? 1 : w.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = levenshtein(w, c.toLowerCase());
    if (d < bestD && d <= limit) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

/** `did you mean 'x'?` or the empty string. */
export function suggestion(word: string, candidates: Iterable<string>): string {
  const s = didYouMean(word, candidates);
  return s === undefined ? '' : ` (did you mean '${s}'?)`;
}
