/**
 * `explain`: why can this principal read this object? For every grant that reaches
 * the principal (through the role hierarchy, or PUBLIC) and concerns the object, the
 * path of roles and the grant at its end, with the configuration line that asks for
 * it, e.g.
 *   alice -> clinical_analyst -> phi_base_reader: GRANT USAGE ON SCHEMA ehr.clinical (grants/schemas.yaml:2:5)
 * A live grant no configuration line asks for is shown as drift. Pure.
 */
import type { Dialect } from '../dialects/types.js';
import { objectKey, objectPath } from '../model/keys.js';
import { ALL_KINDS, kindWords, RELATION_KINDS } from '../model/kinds.js';
import type { Desired, GrantRecord, Live, ObjectRef, SecurableKind, SourceLocation } from '../model/types.js';
import { PUBLIC_ROLE } from '../model/types.js';
import { columnKey, grantsByRole, maskedFor, roleGraph, rolePaths, type Classification } from '../review/access.js';

/** What was asked about: an object and optionally one column. */
export interface ExplainTarget {
  object?: ObjectRef;
  column?: string;
}

/** One grant reaching the principal. */
export interface ExplainLine {
  path: string[];
  grant: GrantRecord;
  /** `GRANT SELECT ON TABLE ehr.clinical.patients (zip3)` */
  statement: string;
  /** Config location that asks for the grant; undefined when it is drift. */
  source?: SourceLocation;
}

/** The answer: lines, and for a table or column whether it is readable. */
export interface Explanation {
  principal: string;
  known: boolean;
  target: ExplainTarget;
  lines: ExplainLine[];
  /** For tables and columns: readable (SELECT reaches it and USAGE on its schema). */
  readable?: boolean;
  /** Masking policy that hides the column from the principal, if any. */
  maskedBy?: string;
  missing: string[];
}

/** Parse `db.schema.table[.column]` (already split into canonical parts). */
export function targetOf(parts: string[]): ExplainTarget {
  const [database, schema, name, column] = parts;
  if (parts.length === 1) return { object: { kind: 'database', database } };
  if (parts.length === 2) return { object: { kind: 'schema', database, schema } };
  if (parts.length === 3) return { object: { kind: 'table', database, schema, name } };
  return { object: { kind: 'table', database, schema, name }, column };
}

function statementOf(g: GrantRecord): string {
  const col = g.column !== undefined ? ` (${g.column})` : '';
  const path = objectPath(g.object);
  return `GRANT ${g.privilege.toUpperCase()} ON ${kindWords(g.object.kind).toUpperCase()}${path === '' ? '' : ` ${path}`}${col}`;
}

/** Whether grant `g` concerns what was asked: the object itself or a container of it. */
function relevant(g: GrantRecord, t: ExplainTarget): boolean {
  const o = t.object;
  if (!o) return true;
  const go = g.object;
  if (go.database !== o.database) return false;
  if (go.kind === 'database') return true;
  if (o.kind === 'database') return true; // everything inside the database
  if (go.schema !== o.schema) return false;
  if (go.kind === 'schema') return true;
  if (o.kind === 'schema') return true;
  if (go.name !== o.name) return false;
  return t.column === undefined || g.column === undefined || g.column === t.column;
}

export function explain(opts: {
  principal: string;
  target: ExplainTarget;
  live: Live;
  desired: Desired;
  classification?: Classification;
}): Explanation {
  const { principal, target, live, desired } = opts;
  const graph = roleGraph(live.memberships);
  const paths = rolePaths(principal, graph);
  paths.set(PUBLIC_ROLE, [principal, PUBLIC_ROLE]);
  const byRole = grantsByRole(live);
  const sources = new Map<string, SourceLocation>();
  for (const g of desired.grants) if (g.source) sources.set(g.key, g.source);
  const wide = new Map<string, SourceLocation>();
  for (const w of desired.schemaWide) if (w.source) wide.set(`${w.role}\u0000${w.privilege}\u0000${objectKey(w.schema)}`, w.source);
  const sourceOf = (g: GrantRecord): SourceLocation | undefined => {
    const s = sources.get(g.key);
    if (s || !RELATION_KINDS.has(g.object.kind)) return s;
    return wide.get(`${g.role}\u0000${g.privilege}\u0000${objectKey({ kind: 'schema', database: g.object.database, schema: g.object.schema })}`);
  };

  const lines: ExplainLine[] = [];
  for (const [role, path] of paths) {
    for (const g of byRole.get(role) ?? []) {
      if (!relevant(g, target)) continue;
      lines.push({ path, grant: g, statement: statementOf(g), source: sourceOf(g) });
    }
  }
  const order = (k: SecurableKind) => ALL_KINDS.indexOf(k);
  lines.sort((a, b) => a.path.length - b.path.length || order(a.grant.object.kind) - order(b.grant.object.kind) || (a.statement < b.statement ? -1 : 1));

  const known = live.roles.some((r) => r.name === principal) || graph.has(principal) || desired.roles.some((r) => r.name === principal);
  const out: Explanation = { principal, known, target, lines, missing: [] };
  const o = target.object;
  if (o && RELATION_KINDS.has(o.kind)) {
    const select = lines.some((l) => RELATION_KINDS.has(l.grant.object.kind) && l.grant.privilege === 'select');
    const usage = lines.some((l) => l.grant.object.kind === 'schema' && l.grant.privilege === 'usage');
    if (!select) out.missing.push(`no SELECT on ${objectPath(o)}${target.column ? ` or its column ${target.column}` : ''} reaches ${principal}`);
    if (!usage) out.missing.push(`no USAGE on schema ${objectPath({ kind: 'schema', database: o.database, schema: o.schema })} reaches ${principal}`);
    out.readable = select && usage;
    if (target.column && opts.classification) {
      out.maskedBy = maskedFor(opts.classification, columnKey(o, target.column), new Set(paths.keys()));
    }
  }
  return out;
}

const loc = (s: SourceLocation) => `${s.file}:${s.line}:${s.column}`;

export function renderExplanation(e: Explanation): string {
  const what = e.target.object ? `${objectPath(e.target.object)}${e.target.column ? `.${e.target.column}` : ''}` : 'anything';
  const out: string[] = [];
  if (!e.known) out.push(`note: ${e.principal} is neither on the target nor in the configuration`);
  if (e.lines.length === 0) out.push(`No grant on ${what} reaches ${e.principal}.`);
  for (const l of e.lines) {
    out.push(`${l.path.join(' -> ')}: ${l.statement} (${l.source ? loc(l.source) : 'not in configuration: drift'})`);
  }
  if (e.readable !== undefined) {
    out.push('');
    out.push(e.readable ? `${e.principal} can read ${what}${e.maskedBy ? `, masked by policy ${e.maskedBy}` : ''}.` : `${e.principal} cannot read ${what}: ${e.missing.join('; ')}.`);
  }
  return out.join('\n') + '\n';
}

/** Split and normalize a dotted object name with the dialect (`ehr.clinical.patients.zip3`). */
export function parseObjectArg(text: string, dialect: Dialect, parsePath: (t: string) => { text: string; quoted: boolean }[] | undefined): string[] | undefined {
  const parts = parsePath(text);
  if (!parts || parts.length < 1 || parts.length > 4) return undefined;
  return parts.map((p) => dialect.normalize(p));
}
