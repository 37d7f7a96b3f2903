/**
 * The account-wide part of the access review: every administrator the platform knows
 * (model/account.ts, read by the dialect's account reader), each with its written
 * justification from `privileged_access:` in rbac.yaml or the finding "no
 * justification", and every principal outside the configuration that reaches a PHI
 * column (a grant from anyone, a table it owns, a superuser). Pure.
 */
import type { Project } from '../config/project.js';
import type { Dialect } from '../dialects/types.js';
import type { AccountFacts, PrivilegedFact } from '../model/account.js';
import { PUBLIC_ROLE } from '../model/types.js';
import { MASKED_VIEW_SUFFIX } from '../dialects/postgres/masking.js';
import { maskedFor, type Classification } from './access.js';

/** One administrator fact with its justification (undefined: none written). */
export interface PrivilegedAccessEntry extends PrivilegedFact {
  /** The principal is a role or user the configuration defines. */
  managed: boolean;
  justification?: string;
  /** `file:line:column` of the justification. */
  justifiedAt?: string;
}

/** A principal outside the configuration that reaches PHI columns. */
export interface UnmanagedPhiReach {
  principal: string;
  isUser: boolean;
  /** How: `SELECT on db.s.t`, `SUPERUSER`, `OWNER of db.s.t`. */
  how: string[];
  /** PHI columns reached (`db.s.t.col`), with category and whether a mask applies. */
  columns: { column: string; category: string; masked?: string }[];
}

/** The account section of the review; `read: false` when the adapter has no account reader. */
export interface AccountReview {
  read: boolean;
  /** Why the account could not be read (the reader's error), when it was attempted. */
  error?: string;
  privileged: PrivilegedAccessEntry[];
  unmanagedPhi: UnmanagedPhiReach[];
}

export interface AccountReviewInput {
  project: Project;
  dialect: Dialect;
  facts?: AccountFacts;
  cls: Classification;
  /** Model names of the roles and users the configuration defines. */
  managed: ReadonlySet<string>;
  error?: string;
}

/** Whether a `privilege:` of privileged_access covers a fact (`OWNER` covers `OWNER (bypasses row level security)`). */
function covers(written: string | undefined, fact: PrivilegedFact): boolean {
  if (written === undefined) return true;
  const w = written.trim().toUpperCase();
  const p = fact.privilege.toUpperCase();
  return p === w || p.startsWith(`${w} `);
}

export function buildAccountReview(input: AccountReviewInput): AccountReview {
  const { facts, cls, dialect } = input;
  if (!facts) return { read: false, ...(input.error ? { error: input.error } : {}), privileged: [], unmanagedPhi: [] };
  const written = (input.project.privilegedAccess ?? []).map((j) => ({ ...j, name: dialect.normalize(j.principal) }));
  const privileged: PrivilegedAccessEntry[] = facts.privileged.map((f) => {
    const j = written.find((x) => x.name === f.principal && covers(x.privilege, f));
    const e: PrivilegedAccessEntry = { ...f, managed: input.managed.has(f.principal) };
    if (j) {
      e.justification = j.reason;
      e.justifiedAt = `${j.source.file}:${j.source.line}:${j.source.column}`;
    }
    return e;
  });

  // PHI reached by principals the configuration does not define.
  const phiColumns = [...cls.phi.entries()];
  const reach = new Map<string, { isUser: boolean; how: Set<string>; cols: Map<string, { column: string; category: string; masked?: string }> }>();
  const isUser = new Map(facts.principals.map((p) => [p.name, p.isUser]));
  const viewMasks = dialect.platform === 'postgres';
  const add = (principal: string, how: string, table: string | undefined, columns?: string[]) => {
    if (input.managed.has(principal) || principal === PUBLIC_ROLE) return;
    // Who reads the base table around any mask (a superuser, an owner) is reported on the
    // base table; PostgreSQL's <table>_masked views would only repeat it.
    const around = !how.startsWith('SELECT');
    const hits = phiColumns.filter(([k]) => {
      if (around && viewMasks && k.split('.')[2]?.endsWith(MASKED_VIEW_SUFFIX)) return false;
      if (table === undefined) return true;
      if (!k.startsWith(`${table}.`)) return false;
      const col = k.slice(table.length + 1);
      return !col.includes('.') && (columns === undefined || columns.includes(col));
    });
    if (hits.length === 0) return;
    let e = reach.get(principal);
    if (!e) reach.set(principal, (e = { isUser: isUser.get(principal) ?? false, how: new Set(), cols: new Map() }));
    e.how.add(how);
    for (const [k, category] of hits) {
      // A superuser or an owner reads the base table, around any mask.
      const masked = around ? undefined : maskedFor(cls, k, new Set([principal]));
      const prev = e.cols.get(k);
      if (!prev || (prev.masked && !masked)) e.cols.set(k, masked ? { column: k, category, masked } : { column: k, category });
    }
  };
  for (const r of facts.reads) add(r.principal, `SELECT on ${r.table}${r.columns ? ` (${r.columns.join(', ')})` : ''}`, r.table, r.columns);
  for (const f of facts.privileged) {
    if (!f.readsAll) continue;
    add(f.principal, f.object ? `${f.privilege} of ${f.object}${f.via.length ? ` via ${f.via.join(' -> ')}` : ''}` : f.privilege, f.object, undefined);
  }
  const unmanagedPhi = [...reach.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([principal, e]) => ({ principal, isUser: e.isUser, how: [...e.how].sort(), columns: [...e.cols.values()].sort((a, b) => (a.column < b.column ? -1 : 1)) }));
  return { read: true, privileged, unmanagedPhi };
}
