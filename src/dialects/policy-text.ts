/**
 * Helpers shared by the Snowflake and Databricks policy compilers and readers: the
 * marker the tool writes into a policy's COMMENT (so the reader rebuilds the record
 * exactly and never touches a policy it did not make) and column types from the live
 * tables. Person-written SQL in policies goes through each dialect's expression
 * parser (expression.ts), never through text substitution.
 *
 * Invariants:
 * - the marker is `rbac-policy:` + JSON with a fixed key order; decoding anything
 *   else (hand-written comment, other tool, bad JSON, wrong shape) yields undefined,
 *   and such a policy is left out of Live (never planned, never dropped).
 */
import { createHash } from 'node:crypto';
import { objectKey } from '../model/keys.js';
import { MASK_FUNCTIONS, type ColumnRef, type LiveTable, type MaskFunction, type ObjectRef, type RowRule } from '../model/types.js';

export const POLICY_MARKER_PREFIX = 'rbac-policy:';

/**
 * The digest of a policy body as rbac wrote it, recorded in its marker so that a body
 * changed by hand while the marker is kept (ALTER ... SET BODY, CREATE OR REPLACE
 * FUNCTION with the comment copied) is seen: the reader hashes the body the platform
 * returns and compares. Whitespace at the ends is not significant.
 */
export function bodyDigest(body: string): string {
  return createHash('sha256').update(body.trim(), 'utf8').digest('hex');
}

/** Why a live policy body is not the one rbac wrote, or undefined when it is. */
export function bodyTampering(kind: 'masking policy' | 'row access policy', name: string, recorded: string | undefined, liveBody: string | undefined): string | undefined {
  if (liveBody === undefined) return undefined;
  if (recorded === undefined) return `${kind} ${name} carries no body digest (made by rbac before 0.2): its body is rewritten once to record one`;
  if (bodyDigest(liveBody) !== recorded) return `the body of ${kind} ${name} was changed by hand`;
  return undefined;
}

/** What the marker of a masking policy holds: everything the planner compares. */
export interface MaskingMarker {
  policy: 'masking';
  name: string;
  mask?: MaskFunction;
  expression?: string;
  unmaskedFor: string[];
  /** zip3: the configured restricted prefixes (MaskingPolicyRecord.zip3Restricted); absent: the built-in list. */
  zip3?: string[];
  /** bodyDigest of the body rbac wrote (absent in markers written before 0.2). */
  body?: string;
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
  /** bodyDigest of the body rbac wrote (absent in markers written before 0.2). */
  body?: string;
}

/** Either marker. */
export type PolicyMarker = MaskingMarker | RowMarker;

export function encodePolicyMarker(m: PolicyMarker): string {
  if (m.policy === 'masking') {
    const o: Record<string, unknown> = { policy: 'masking', name: m.name };
    if (m.mask !== undefined) o.mask = m.mask;
    if (m.expression !== undefined) o.expression = m.expression;
    o.unmaskedFor = m.unmaskedFor;
    if (m.zip3 !== undefined) o.zip3 = m.zip3;
    if (m.body !== undefined) o.body = m.body;
    return POLICY_MARKER_PREFIX + JSON.stringify(o);
  }
  return (
    POLICY_MARKER_PREFIX +
    JSON.stringify({
      policy: 'row',
      name: m.name,
      table: { database: m.table.database, schema: m.table.schema, name: m.table.name },
      rules: m.rules.map((r) => ({ roles: r.roles, where: r.where })),
      ...(m.body !== undefined ? { body: m.body } : {}),
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
    if (isStrings(r.zip3)) m.zip3 = [...r.zip3];
    if (typeof r.body === 'string') m.body = r.body;
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
    const row: RowMarker = { policy: 'row', name: r.name, table: { database: t.database, schema: t.schema, name: t.name }, rules };
    if (typeof r.body === 'string') row.body = r.body;
    return row;
  }
  return undefined;
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
