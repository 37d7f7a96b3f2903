/**
 * Helpers shared by the Snowflake and Databricks policy compilers and readers: the
 * marker the tool writes into a policy's COMMENT (so the reader rebuilds the record
 * exactly and never touches a policy it did not make), `{value}` substitution, the
 * columns a row filter's `where` uses, and column types from the live tables.
 *
 * Invariants:
 * - the marker is `rbac-policy:` + JSON with a fixed key order; decoding anything
 *   else (hand-written comment, other tool, bad JSON, wrong shape) yields undefined,
 *   and such a policy is left out of Live (never planned, never dropped).
 * - substitution and identifier scanning skip string literals and quoted identifiers,
 *   the same lexical rules `checkSqlExpression` uses, so `'{value}'` in a literal
 *   stays text.
 */
import { objectKey } from '../model/keys.js';
import { MASK_FUNCTIONS, type ColumnRef, type LiveTable, type MaskFunction, type ObjectRef, type RowRule } from '../model/types.js';

export const POLICY_MARKER_PREFIX = 'rbac-policy:';

/** What the marker of a masking policy holds: everything the planner compares. */
export interface MaskingMarker {
  policy: 'masking';
  name: string;
  mask?: MaskFunction;
  expression?: string;
  unmaskedFor: string[];
}

/**
 * What the marker of a row access policy holds. `table` is kept so a policy whose
 * attachment was removed by hand is still recognised (and re-attached or dropped).
 */
export interface RowMarker {
  policy: 'row';
  name: string;
  table: { database: string; schema: string; name: string };
  rules: RowRule[];
}

/** Either marker. */
export type PolicyMarker = MaskingMarker | RowMarker;

export function encodePolicyMarker(m: PolicyMarker): string {
  if (m.policy === 'masking') {
    const o: Record<string, unknown> = { policy: 'masking', name: m.name };
    if (m.mask !== undefined) o.mask = m.mask;
    if (m.expression !== undefined) o.expression = m.expression;
    o.unmaskedFor = m.unmaskedFor;
    return POLICY_MARKER_PREFIX + JSON.stringify(o);
  }
  return (
    POLICY_MARKER_PREFIX +
    JSON.stringify({
      policy: 'row',
      name: m.name,
      table: { database: m.table.database, schema: m.table.schema, name: m.table.name },
      rules: m.rules.map((r) => ({ roles: r.roles, where: r.where })),
    })
  );
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

export function decodePolicyMarker(comment: string | null | undefined): PolicyMarker | undefined {
  if (!comment || !comment.startsWith(POLICY_MARKER_PREFIX)) return undefined;
  let o: unknown;
  try {
    o = JSON.parse(comment.slice(POLICY_MARKER_PREFIX.length));
  } catch {
    return undefined;
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) return undefined;
  const r = o as Record<string, unknown>;
  if (typeof r.name !== 'string' || r.name === '') return undefined;
  if (r.policy === 'masking') {
    if (!isStrings(r.unmaskedFor)) return undefined;
    const hasMask = typeof r.mask === 'string' && (MASK_FUNCTIONS as readonly string[]).includes(r.mask);
    const hasExpr = typeof r.expression === 'string';
    if (hasMask === hasExpr) return undefined;
    const m: MaskingMarker = { policy: 'masking', name: r.name, unmaskedFor: [...r.unmaskedFor] };
    if (hasMask) m.mask = r.mask as MaskFunction;
    else m.expression = r.expression as string;
    return m;
  }
  if (r.policy === 'row') {
    const t = r.table as Record<string, unknown> | undefined;
    if (!t || typeof t.database !== 'string' || typeof t.schema !== 'string' || typeof t.name !== 'string') return undefined;
    if (!Array.isArray(r.rules)) return undefined;
    const rules: RowRule[] = [];
    for (const x of r.rules as unknown[]) {
      const rr = x as Record<string, unknown>;
      if (!rr || !isStrings(rr.roles) || typeof rr.where !== 'string') return undefined;
      rules.push({ roles: [...rr.roles], where: rr.where });
    }
    return { policy: 'row', name: r.name, table: { database: t.database, schema: t.schema, name: t.name }, rules };
  }
  return undefined;
}

/** One lexical token of an expression that may name a column. */
interface Word {
  text: string;
  quoted: boolean;
  start: number;
  end: number;
}

/** Scan identifiers (bare words and quoted identifiers), skipping string literals. */
function scan(text: string, identQuote: '"' | '`'): Word[] {
  const out: Word[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      let v = '';
      while (j < text.length) {
        if (text[j] === ch) {
          if (text[j + 1] === ch) {
            v += ch;
            j += 2;
            continue;
          }
          break;
        }
        // Backslash escapes inside string literals (both platforms read them).
        if (ch === "'" && text[j] === '\\') {
          v += text[j + 1] ?? '';
          j += 2;
          continue;
        }
        v += text[j++];
      }
      if (ch === identQuote) out.push({ text: v, quoted: true, start: i, end: j + 1 });
      i = j + 1;
      continue;
    }
    if (/[\p{L}_]/u.test(ch)) {
      let j = i + 1;
      while (j < text.length && /[\p{L}\p{N}_$]/u.test(text[j])) j++;
      // A word preceded by "." is a qualified part (schema.func), still a candidate.
      out.push({ text: text.slice(i, j), quoted: false, start: i, end: j });
      i = j;
      continue;
    }
    i++;
  }
  return out;
}

/**
 * Replace the placeholder `{value}` with `param` outside string literals and quoted
 * identifiers. The expression was checked by `checkSqlExpression` at config time.
 */
export function substituteValue(expression: string, param: string): string {
  let out = '';
  let i = 0;
  while (i < expression.length) {
    const ch = expression[i];
    if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      while (j < expression.length) {
        if (expression[j] === ch) {
          if (expression[j + 1] === ch) {
            j += 2;
            continue;
          }
          break;
        }
        if (ch === "'" && expression[j] === '\\') j++;
        j++;
      }
      out += expression.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (expression.startsWith('{value}', i)) {
      out += param;
      i += '{value}'.length;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

/**
 * The table's columns that any rule's `where` names, in table order. A bare word
 * matches a column when it folds (`fold`) to the column's stored name; a quoted
 * identifier matches exactly. Over-matching (a function named like a column) only
 * adds an unused argument; it can never drop a column the filter needs.
 */
export function columnsUsed(
  rules: readonly RowRule[],
  table: LiveTable,
  opts: { identQuote: '"' | '`'; fold: (bare: string) => string; caseInsensitive?: boolean },
): { name: string; type: string | undefined }[] {
  const wanted = new Set<string>();
  const norm = (s: string) => (opts.caseInsensitive ? s.toLowerCase() : s);
  for (const r of rules) for (const w of scan(r.where, opts.identQuote)) wanted.add(norm(w.quoted ? w.text : opts.fold(w.text)));
  const out: { name: string; type: string | undefined }[] = [];
  table.columns.forEach((c, i) => {
    if (wanted.has(norm(c))) out.push({ name: c, type: table.columnTypes?.[i] });
  });
  return out;
}

export function findTable(tables: readonly LiveTable[] | undefined, ref: ObjectRef): LiveTable | undefined {
  const k = objectKey(ref);
  return tables?.find((t) => objectKey(t.object) === k);
}

/** The live type of one column, when the reader saw its table and type. */
export function columnType(tables: readonly LiveTable[] | undefined, c: ColumnRef, caseInsensitive = false): string | undefined {
  const t = findTable(tables, c.table);
  if (!t) return undefined;
  const i = caseInsensitive ? t.columns.findIndex((x) => x.toLowerCase() === c.column.toLowerCase()) : t.columns.indexOf(c.column);
  return i < 0 ? undefined : t.columnTypes?.[i];
}
