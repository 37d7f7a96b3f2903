/**
 * The quarterly access review (HIPAA 164.308(a)(4)): every user with their roles
 * (direct and inherited) and what those roles can read, a role x PHI-category matrix,
 * privileged roles with their written justification, the HR-roster cross-check and
 * findings a reviewer must act on. Built from the live state (what is true today) and
 * the configuration (classification, masking, justifications). Pure: the clock and
 * the roster come in as arguments.
 */
import { databaseRoleName } from '../model/keys.js';
import type { Project } from '../config/project.js';
import type { Dialect } from '../dialects/types.js';
import type { Live } from '../model/types.js';
import { PUBLIC_ROLE } from '../model/types.js';
import { classify, effectiveAccess, grantsByRole, roleGraph, rolePaths, type Effective, type OtherAccess, type TableRead } from './access.js';
import type { Roster } from './roster.js';
import type { AccountFacts } from '../model/account.js';
import { buildAccountReview, type AccountReview } from './account.js';

/** A PHI category's state for a role or user: read in clear, only masked, or not at all. */
export type PhiCell = 'clear' | 'masked' | 'none';

/** One role in the review. */
export interface ReviewRole {
  name: string;
  managed: boolean;
  /** Exists on the target (a configured role may not be created yet). */
  onTarget: boolean;
  description?: string;
  owner?: string;
  privileged: boolean;
  justification?: string;
  deidentified: boolean;
  /** Roles this role holds directly. */
  inherits: string[];
  /** Users holding this role directly. */
  members: string[];
  reads: TableRead[];
  other: OtherAccess[];
  phi: Record<string, PhiCell>;
}

/** One user in the review. */
export interface ReviewUser {
  name: string;
  title?: string;
  manager?: string;
  /** Defined under users: in the configuration. */
  inConfig: boolean;
  /** Exists on the target. */
  onTarget: boolean;
  direct: string[];
  /** Inherited roles with the path that grants them (`[user, role, ..., inherited]`). */
  inherited: { role: string; path: string[] }[];
  phi: Record<string, PhiCell>;
  tables: number;
  /** `terminated`: the roster marks the person as gone (see roster.ts); remove now. */
  roster: 'listed' | 'missing' | 'terminated' | 'not checked';
  /** The roster's termination date, when it gives one. */
  terminatedOn?: string;
}

/** Something the reviewers must decide on. */
export interface Finding {
  severity: 'action' | 'check';
  message: string;
}

/** The whole review. */
export interface AccessReview {
  title: string;
  target: string;
  platform: string;
  generatedAt: string;
  configDigest?: string;
  categories: string[];
  users: ReviewUser[];
  roles: ReviewRole[];
  privileged: { role: string; justification?: string; holders: string[] }[];
  /** `terminated`: users with access whom the roster marks as gone. */
  roster: { file?: string; missing: string[]; terminated: string[]; withoutAccess: string[] };
  /** The whole account: the platform's administrators and unmanaged principals reaching PHI (review/account.ts). */
  account: AccountReview;
  findings: Finding[];
  /** The emergency-access log (src/review/emergency.ts), set by the caller; absent: the section is left out. */
  emergency?: import('./emergency.js').EmergencyEntry[];
  /**
   * Use of PHI access (`rbac review --usage`), set by the caller from the platform's access
   * history: the usage report, or why none could be read. Absent: the section is left out.
   */
  usage?: ReviewUsage;
}

/** The usage section: a report, or the reason no access log was available (and what to do). */
export type ReviewUsage = { report: import('../usage/report.js').UsageReport } | { unavailable: string; hint?: string };

/** Inputs of buildReview; `roster` undefined means the roster cross-check is not done. */
export interface ReviewInput {
  project: Project;
  live: Live;
  dialect: Dialect;
  target: string;
  generatedAt: string;
  /** Safe Harbor order of categories (PHI_CATEGORIES). */
  categoryOrder: readonly string[];
  roster?: Roster;
  /** What the dialect's account reader saw; undefined when the adapter has none. */
  account?: AccountFacts;
  /** The account reader failed: the review says so instead of leaving the section out. */
  accountError?: string;
}

export function buildReview(input: ReviewInput): AccessReview {
  const { project, live, dialect } = input;
  const cls = classify(project, dialect, input.categoryOrder);
  const graph = roleGraph(live.memberships);
  const byRole = grantsByRole(live);
  const norm = (p: { text: string; quoted: boolean }) => dialect.normalize(p);
  const cell = (e: Effective): Record<string, PhiCell> => Object.fromEntries(cls.categories.map((c) => [c, e.phi.get(c) ?? 'none']));

  // --- roles ---------------------------------------------------------------------
  // A database role's model name is `<database>.<role>` (config/normalize.ts).
  const defs = new Map(project.roles.filter((r) => r.state === 'present').map((r) => [r.database ? databaseRoleName(norm(r.database), norm(r.name)) : norm(r.name), r]));
  const liveRoles = new Map(live.roles.map((r) => [r.name, r]));
  const roleNames = new Set<string>(defs.keys());
  for (const r of live.roles) if (!r.isUser) roleNames.add(r.name);
  for (const m of live.memberships) roleNames.add(m.role);
  const membersOf = new Map<string, string[]>();
  for (const m of live.memberships) {
    if (m.memberKind !== 'user') continue;
    (membersOf.get(m.role) ?? membersOf.set(m.role, []).get(m.role)!).push(m.member);
  }
  const phiJustified = new Map<string, Set<string>>();
  for (const [name, d] of defs) phiJustified.set(name, new Set(d.phiAccess.map((p) => p.category)));

  const roles: ReviewRole[] = [];
  const findings: Finding[] = [];
  const none = (): Effective => ({ roles: new Set(), reads: [], other: [], phi: new Map() });
  for (const name of [...roleNames].sort()) {
    const d = defs.get(name);
    const held = rolePaths(name, graph);
    const lr = liveRoles.get(name);
    const exists = lr !== undefined || graph.has(name) || live.memberships.some((m) => m.role === name);
    const eff = exists ? effectiveAccess(held.keys(), live, byRole, cls) : none();
    roles.push({
      name,
      managed: d !== undefined,
      onTarget: exists,
      description: d?.description ?? lr?.description,
      owner: d?.owner ?? lr?.owner,
      privileged: d?.privileged ?? false,
      justification: d?.justification,
      deidentified: d?.deidentified ?? false,
      inherits: graph.get(name) ?? [],
      members: (membersOf.get(name) ?? []).sort(),
      reads: eff.reads,
      other: eff.other,
      phi: cell(eff),
    });
    const justified = new Set<string>();
    for (const r of held.keys()) for (const c of phiJustified.get(r) ?? []) justified.add(c);
    const clear = cls.categories.filter((c) => eff.phi.get(c) === 'clear');
    if (d?.deidentified && clear.length) {
      findings.push({ severity: 'action', message: `${name} is de-identified only, but reads PHI in clear: ${clear.join(', ')}` });
    } else {
      const unjustified = clear.filter((c) => !justified.has(c));
      if (unjustified.length) findings.push({ severity: 'check', message: `${name} reads PHI in clear without a written phi_access justification: ${unjustified.join(', ')}` });
    }
  }
  const pub = effectiveAccess([], live, byRole, cls);
  if (pub.reads.length || pub.other.length) {
    roles.push({ name: PUBLIC_ROLE, managed: false, onTarget: true, description: 'every role and user', privileged: false, deidentified: false, inherits: [], members: [], reads: pub.reads, other: pub.other, phi: cell(pub) });
    // Granted to PUBLIC is granted to everyone with USAGE on the schema: report it
    // whether or not PUBLIC itself has USAGE.
    const granted = new Set<string>();
    for (const t of pub.reads) for (const p of t.phi) if (!p.masked) granted.add(p.category);
    const clear = cls.categories.filter((c) => granted.has(c));
    if (clear.length) findings.push({ severity: 'action', message: `PUBLIC holds SELECT on PHI (every role with USAGE on the schema reads it in clear): ${clear.join(', ')}` });
  }

  // --- users -----------------------------------------------------------------------
  // Every user of the account, with every role it holds, managed or not: the account
  // reader's memberships join the managed ones for the users' direct and inherited roles.
  const userGraph = input.account ? roleGraph([...live.memberships, ...input.account.memberships]) : graph;
  const userDefs = new Map(project.users.map((u) => [norm(u.name), u]));
  const userNames = new Set<string>(userDefs.keys());
  const onTarget = new Set<string>();
  for (const r of live.roles) if (r.isUser) {
    userNames.add(r.name);
    onTarget.add(r.name);
  }
  for (const m of live.memberships) if (m.memberKind === 'user') {
    userNames.add(m.member);
    onTarget.add(m.member);
  }
  for (const p of input.account?.principals ?? []) if (p.isUser) {
    userNames.add(p.name);
    onTarget.add(p.name);
  }
  const rosterSet = input.roster ? new Set(input.roster.users.map((u) => u.toLowerCase())) : undefined;
  const gone = new Map((input.roster?.terminated ?? []).map((t) => [t.user.toLowerCase(), t.date]));
  const rosterStatus = (name: string): ReviewUser['roster'] =>
    rosterSet === undefined ? 'not checked' : rosterSet.has(name.toLowerCase()) ? 'listed' : gone.has(name.toLowerCase()) ? 'terminated' : 'missing';
  const users: ReviewUser[] = [];
  for (const name of [...userNames].sort()) {
    const paths = rolePaths(name, userGraph);
    const direct = userGraph.get(name) ?? [];
    const inherited = [...paths.entries()].filter(([r]) => r !== name && !direct.includes(r)).map(([role, path]) => ({ role, path })).sort((a, b) => (a.role < b.role ? -1 : 1));
    const eff = onTarget.has(name) ? effectiveAccess(paths.keys(), live, byRole, cls) : none();
    const def = userDefs.get(name);
    users.push({
      name,
      title: def?.title,
      manager: def?.manager,
      inConfig: def !== undefined,
      onTarget: onTarget.has(name),
      direct,
      inherited,
      phi: cell(eff),
      tables: eff.reads.filter((t) => t.reachable).length,
      roster: rosterStatus(name),
      ...(rosterStatus(name) === 'terminated' && gone.get(name.toLowerCase()) ? { terminatedOn: gone.get(name.toLowerCase()) } : {}),
    });
  }

  // --- roster, privileged -----------------------------------------------------------
  const withAccess = users.filter((u) => u.direct.length > 0);
  const missing = rosterSet ? withAccess.filter((u) => u.roster === 'missing').map((u) => u.name) : [];
  for (const m of missing) {
    const u = users.find((x) => x.name === m)!;
    findings.unshift({ severity: 'action', message: `${m} holds ${u.direct.join(', ')} but is not on the HR roster: remove access now` });
  }
  const terminated = withAccess.filter((u) => u.roster === 'terminated');
  for (const u of [...terminated].reverse()) {
    const when = u.terminatedOn ? ` on ${u.terminatedOn}` : '';
    findings.unshift({ severity: 'action', message: `${u.name} holds ${u.direct.join(', ')} but was terminated${when} (HR roster): remove access now` });
  }
  const withAccessLower = new Set(withAccess.map((u) => u.name.toLowerCase()));
  const withoutAccess = input.roster ? input.roster.users.filter((u) => !withAccessLower.has(u.toLowerCase())).sort() : [];
  const privileged = roles
    .filter((r) => r.privileged)
    .map((r) => ({
      role: r.name,
      justification: r.justification,
      holders: users.filter((u) => u.direct.includes(r.name) || u.inherited.some((i) => i.role === r.name)).map((u) => u.name),
    }));
  for (const p of privileged) if (!p.justification) findings.push({ severity: 'action', message: `privileged role ${p.role} has no written justification` });

  // --- the whole account -------------------------------------------------------------
  const managedNames = new Set<string>([...defs.keys(), ...userDefs.keys()]);
  const account = buildAccountReview({ project, dialect, facts: input.account, cls, managed: managedNames, error: input.accountError });
  if (account.error) findings.push({ severity: 'action', message: `the account's administrators could not be read, so this review does not cover the whole account: ${account.error}` });
  const unjustified = new Map<string, string[]>();
  for (const e of account.privileged) {
    if (e.justification) continue;
    const what = `${e.privilege}${e.object ? ` on ${e.object}` : ''}${e.via.length ? ` (via ${e.via.join(' -> ')})` : ''}`;
    (unjustified.get(e.principal) ?? unjustified.set(e.principal, []).get(e.principal)!).push(what);
  }
  for (const [principal, what] of unjustified) {
    findings.push({ severity: 'action', message: `${principal} holds ${what.join(', ')}: no justification (add it under privileged_access: in rbac.yaml, or remove the privilege)` });
  }
  for (const u of account.unmanagedPhi) {
    const clear = [...new Set(u.columns.filter((c) => !c.masked).map((c) => c.category))];
    const cats = cls.categories.filter((c) => clear.includes(c));
    if (cats.length) findings.push({ severity: 'action', message: `${u.principal} is not managed by rbac and reads PHI in clear (${u.how.join('; ')}): ${cats.join(', ')}` });
  }

  return {
    title: 'Access review',
    target: input.target,
    platform: live.platform,
    generatedAt: input.generatedAt,
    configDigest: project.digest || undefined,
    categories: cls.categories,
    users,
    roles,
    privileged,
    roster: { file: input.roster?.file, missing, terminated: terminated.map((u) => u.name), withoutAccess },
    account,
    findings,
  };
}
