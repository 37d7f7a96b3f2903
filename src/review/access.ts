/**
 * Effective access: who holds which role (directly or through the role hierarchy),
 * which grants reach a principal, and which columns and PHI categories that lets it
 * read, masked or in clear. Shared by the access review and `rbac explain`.
 *
 * Pure. Inputs are the live state (what is true on the target) and the project (PHI
 * classification, masking policies, justifications), normalized with the target's
 * dialect. PUBLIC's grants reach every principal.
 */
import { RELATION_KINDS } from '../model/kinds.js';
import type { Project } from '../config/project.js';
import { MASKED_VIEW_SUFFIX } from '../dialects/postgres/masking.js';
import type { Dialect } from '../dialects/types.js';
import { objectKey, objectPath, schemaOf } from '../model/keys.js';
import type { GrantRecord, Live, MembershipRecord, ObjectRef } from '../model/types.js';
import { PUBLIC_ROLE } from '../model/types.js';

/** member -> the roles it holds directly. */
export type RoleGraph = Map<string, string[]>;

export function roleGraph(memberships: readonly Pick<MembershipRecord, 'role' | 'member'>[]): RoleGraph {
  const g: RoleGraph = new Map();
  for (const m of memberships) {
    let list = g.get(m.member);
    if (!list) g.set(m.member, (list = []));
    if (!list.includes(m.role)) list.push(m.role);
  }
  for (const list of g.values()) list.sort();
  return g;
}

/**
 * Every role a principal holds, with the shortest path to it (`[principal, ..., role]`),
 * breadth-first so the path shown is the most direct one; the principal itself is
 * included with the path `[principal]`. Cycles are harmless (visited once).
 */
export function rolePaths(principal: string, graph: RoleGraph): Map<string, string[]> {
  const paths = new Map<string, string[]>([[principal, [principal]]]);
  const queue = [principal];
  while (queue.length) {
    const cur = queue.shift()!;
    for (const parent of graph.get(cur) ?? []) {
      if (paths.has(parent)) continue;
      paths.set(parent, [...paths.get(cur)!, parent]);
      queue.push(parent);
    }
  }
  return paths;
}

/** Column path key `db.schema.table.column` built from canonical parts. */
export function columnKey(table: ObjectRef, column: string): string {
  return `${objectPath(table)}.${column}`;
}

/**
 * PHI classification and masking, normalized for one dialect.
 *
 * Where masks apply depends on the platform. Snowflake and Databricks mask the column
 * itself, whoever reads it. PostgreSQL has no native masks: the tool owns a view
 * `<table>_masked` that masks for non-exempt readers, so on Postgres a column read
 * through that view is masked, and the same column read from the base table is in
 * clear (a raw grant bypasses the mask; the review must say so).
 */
export interface Classification {
  /** column key -> PHI category. */
  phi: Map<string, string>;
  /** column key -> masking policies on it (name and roles that see it in clear). */
  masks: Map<string, { policy: string; unmaskedFor: Set<string> }[]>;
  /** Categories classified anywhere in the project, in Safe Harbor order. */
  categories: string[];
}

export function classify(project: Project, dialect: Dialect, categoryOrder: readonly string[]): Classification {
  const n = (parts: { text: string; quoted: boolean }[]) => parts.map((p) => dialect.normalize(p));
  const key = (parts: string[]) => columnKey({ kind: 'table', database: parts[0], schema: parts[1], name: parts[2] }, parts[3]);
  const viewMasks = dialect.platform === 'postgres';
  const view = (parts: string[]) => [parts[0], parts[1], `${parts[2]}${MASKED_VIEW_SUFFIX}`, parts[3]];
  const phi = new Map<string, string>();
  for (const p of project.phi) {
    if (p.column.length !== 4) continue;
    phi.set(key(n(p.column)), p.category);
    if (viewMasks) phi.set(key(view(n(p.column))), p.category);
  }
  const masks = new Map<string, { policy: string; unmaskedFor: Set<string> }[]>();
  for (const m of project.maskingPolicies) {
    const unmaskedFor = new Set(m.unmaskedFor.map((r) => dialect.normalize(r.name)));
    for (const c of m.columns) {
      if (c.path.length !== 4) continue;
      const k = key(viewMasks ? view(n(c.path)) : n(c.path));
      let list = masks.get(k);
      if (!list) masks.set(k, (list = []));
      list.push({ policy: dialect.normalize(m.name), unmaskedFor });
    }
  }
  const used = new Set(phi.values());
  return { phi, masks, categories: categoryOrder.filter((c) => used.has(c)) };
}

/** Whether a column is masked for a principal holding `roles` (any policy not lifted). */
export function maskedFor(cls: Classification, col: string, roles: ReadonlySet<string>): string | undefined {
  for (const m of cls.masks.get(col) ?? []) {
    if (![...m.unmaskedFor].some((r) => roles.has(r))) return m.policy;
  }
  return undefined;
}

/** One table a principal can read, with where the access comes from. */
export interface TableRead {
  table: string;
  object: ObjectRef;
  /** `all` when a table-level SELECT reaches the principal. */
  columns: 'all' | string[];
  /** Roles whose grants give the access (PUBLIC included). */
  via: string[];
  /** PHI columns readable, each masked (policy name) or in clear. */
  phi: { column: string; category: string; masked?: string }[];
  /** False when no role of the principal has USAGE on the schema: granted but not reachable today. */
  reachable: boolean;
}

/** Non-read privileges on a table or schema (writes, usage, create). */
export interface OtherAccess {
  object: string;
  privileges: string[];
  via: string[];
}

/** What a principal can do, given the roles it holds. */
export interface Effective {
  roles: Set<string>;
  reads: TableRead[];
  other: OtherAccess[];
  /** category -> clear | masked (clear wins when both), over reachable reads only. */
  phi: Map<string, 'clear' | 'masked'>;
}

/** Index of live grants by grantee. */
export function grantsByRole(live: Live): Map<string, GrantRecord[]> {
  const m = new Map<string, GrantRecord[]>();
  for (const g of live.grants) {
    let list = m.get(g.role);
    if (!list) m.set(g.role, (list = []));
    list.push(g);
  }
  return m;
}

export function effectiveAccess(
  heldRoles: Iterable<string>,
  live: Live,
  byRole: Map<string, GrantRecord[]>,
  cls: Classification,
): Effective {
  const roles = new Set(heldRoles);
  roles.add(PUBLIC_ROLE);
  const columnsOf = new Map(live.tables.map((t) => [objectKey(t.object), t.columns]));
  const usage = new Set<string>();
  const reads = new Map<string, { object: ObjectRef; all: boolean; cols: Set<string>; via: Set<string> }>();
  const other = new Map<string, { object: string; privs: Set<string>; via: Set<string> }>();
  for (const r of roles) {
    for (const g of byRole.get(r) ?? []) {
      if (g.object.kind === 'schema' && g.privilege === 'usage') usage.add(objectKey(g.object));
      if (RELATION_KINDS.has(g.object.kind) && g.privilege === 'select') {
        const k = objectKey(g.object);
        let e = reads.get(k);
        if (!e) reads.set(k, (e = { object: g.object, all: false, cols: new Set(), via: new Set() }));
        if (g.column === undefined) e.all = true;
        else e.cols.add(g.column);
        e.via.add(r);
        continue;
      }
      const path = objectPath(g.object);
      const label = `${g.object.kind}${path === '' ? '' : ` ${path}`}${g.column !== undefined ? ` (${g.column})` : ''}`;
      let o = other.get(label);
      if (!o) other.set(label, (o = { object: label, privs: new Set(), via: new Set() }));
      o.privs.add(g.privilege.toUpperCase());
      o.via.add(r);
    }
  }
  const phi = new Map<string, 'clear' | 'masked'>();
  const out: TableRead[] = [];
  for (const [k, e] of [...reads.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const all = columnsOf.get(k);
    const cols = e.all ? (all ?? []) : [...e.cols].sort();
    const phiCols: TableRead['phi'] = [];
    const reachable = usage.has(objectKey(schemaOf(e.object)));
    for (const c of e.all && !all ? [] : cols) {
      const ck = columnKey(e.object, c);
      const category = cls.phi.get(ck);
      if (!category) continue;
      const masked = maskedFor(cls, ck, roles);
      phiCols.push(masked ? { column: c, category, masked } : { column: c, category });
      // Only what can be read today counts: SELECT without USAGE on the schema is listed
      // (it is one grant away from access) but not counted as PHI access.
      if (!reachable) continue;
      if (!masked) phi.set(category, 'clear');
      else if (!phi.has(category)) phi.set(category, 'masked');
    }
    out.push({
      table: objectPath(e.object),
      object: e.object,
      columns: e.all ? 'all' : cols,
      via: [...e.via].sort(),
      phi: phiCols,
      reachable,
    });
  }
  return {
    roles,
    reads: out,
    other: [...other.values()].map((o) => ({ object: o.object, privileges: [...o.privs].sort(), via: [...o.via].sort() })).sort((a, b) => (a.object < b.object ? -1 : 1)),
    phi,
  };
}
