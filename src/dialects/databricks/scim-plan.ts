/**
 * Where SCIM meets the plan (`manage_membership: true`): what the SCIM read means to
 * the planner (live roles and memberships), what it says about the plan (problems),
 * and the plan's group and member changes as statements ordered around the SQL ones.
 * Pure: the snapshot was read by `readScim` (scim.ts), statements run in adapter.ts.
 *
 * Invariants:
 * - a SCIM statement carries its `ScimOp` in `Statement.scim`; its `sql` is a one-line
 *   comment (`-- SCIM: ...`, names as JSON strings, so no name can end the line) that
 *   plans show and reviews compare, and that is never sent to the warehouse;
 * - order: every group creation first (GRANTs need the group), then one member update
 *   per group, then the SQL of the plan, then every group deletion (after the REVOKEs
 *   from it);
 * - deterministic: the same plan and snapshot give the same statements, text and order.
 */
import type { Live, MembershipRecord } from '../../model/types.js';
import { makeMembership } from '../../model/keys.js';
import type { Change, Plan, PlanProblem } from '../../plan/types.js';
import type { Statement } from '../types.js';
import { configuredSpellings } from './ident.js';
import { compileScimChanges, scimLiveRoles, scimMemberships, type ScimOp, type ScimSnapshot, type ScimTarget } from './scim-model.js';

/** Changes that SCIM carries out when membership is managed; SQL never sees them. */
export function isScimChange(c: Change): boolean {
  return c.kind === 'createRole' || c.kind === 'dropRole' || c.kind === 'grantMembership' || c.kind === 'revokeMembership';
}

const q = (s: string) => JSON.stringify(s);
const LABEL: Record<ScimTarget['kind'], string> = { user: 'user', servicePrincipal: 'service principal', group: 'group' };
const who = (t: ScimTarget) => `${LABEL[t.kind]} ${q(t.name)}`;

/** The readable, deterministic line a plan shows for one SCIM operation. */
export function scimStatementText(op: ScimOp): string {
  switch (op.kind) {
    case 'createGroup':
      return `-- SCIM: create account group ${q(op.group)}`;
    case 'deleteGroup':
      return `-- SCIM: delete account group ${q(op.group)}`;
    case 'patchMembers': {
      if (op.add.length === 1 && !op.remove.length) return `-- SCIM: add ${who(op.add[0])} to ${q(op.group)}`;
      if (op.remove.length === 1 && !op.add.length) return `-- SCIM: remove ${who(op.remove[0])} from ${q(op.group)}`;
      const parts = [...op.add.map((t) => `add ${who(t)}`), ...op.remove.map((t) => `remove ${who(t)}`)];
      return `-- SCIM: update members of ${q(op.group)}: ${parts.join(', ')}`;
    }
    default: {
      const never: never = op;
      throw new Error(`unhandled SCIM op ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The plan's statements with SCIM: `compileSql` compiles the plan without its group and
 * member changes (change indexes are mapped back to the full plan), and the SCIM
 * operations are placed around it (file comment). A SCIM statement's `changeIndex` is
 * that of the first change it carries out.
 */
export function compileWithScim(plan: Plan, snapshot: ScimSnapshot, compileSql: (p: Plan) => Statement[]): Statement[] {
  const kept: number[] = [];
  plan.changes.forEach((c, i) => {
    if (!isScimChange(c)) kept.push(i);
  });
  const sql = compileSql({ ...plan, changes: kept.map((i) => plan.changes[i]) }).map((s) => ({ ...s, changeIndex: kept[s.changeIndex] }));
  const index = new Map(plan.changes.map((c, i) => [c, i]));
  const { ops } = compileScimChanges(plan.changes, snapshot);
  const stmt = (op: ScimOp): Statement => ({ sql: scimStatementText(op), changeIndex: index.get(op.source[0]) ?? 0, scim: op });
  return [
    ...ops.filter((o) => o.kind !== 'deleteGroup').map(stmt),
    ...sql,
    ...ops.filter((o) => o.kind === 'deleteGroup').map(stmt),
  ];
}

/**
 * What the plan must say about SCIM: the problems of compiling its changes (a member
 * that does not exist is an error, so the plan is refused before anything runs), every
 * workspace-local group named like a managed role (read, never changed), and members
 * that could not be named (never removed, since they cannot be compared).
 */
export function scimPlanProblems(plan: Plan, snapshot: ScimSnapshot): PlanProblem[] {
  const { problems } = compileScimChanges(plan.changes, snapshot);
  const created = new Set(plan.changes.filter((c) => c.kind === 'createRole').map((c) => c.role));
  for (const g of [...snapshot.workspaceGroups].sort((a, b) => (a.displayName < b.displayName ? -1 : a.displayName > b.displayName ? 1 : 0))) {
    // A group the plan creates already got its warning from compileScimChanges.
    if (created.has(g.displayName)) continue;
    problems.push({
      severity: 'warning',
      message: `workspace-local group ${q(g.displayName)} is named like a managed role: rbac reads it and never changes it; the role is the account group of that name`,
      hint: 'migrate the workspace-local group to the account group (Databricks will not assign an account group to a workspace holding a workspace-local group of the same name)',
    });
  }
  for (const u of snapshot.unresolved) {
    problems.push({
      severity: 'warning',
      message: `a member of account group ${q(u.group)} (SCIM id ${q(u.member.id)}) could not be resolved to a name: it is left as it is`,
      hint: 'the principal may have been deleted, or is not visible to the principal rbac runs as',
    });
  }
  return problems;
}

/**
 * Live roles (the managed account groups, and the users and service principals found,
 * as `isUser`) and memberships from a SCIM read. A user or service principal member is
 * named with the configuration's spelling when the server spells it in another case
 * only (user names and application ids compare case-insensitively; group names never).
 */
export function scimLiveState(snapshot: ScimSnapshot, configuredUsers: readonly string[]): Pick<Live, 'roles' | 'memberships'> {
  const folded = configuredSpellings(configuredUsers);
  const memberships: MembershipRecord[] = scimMemberships(snapshot).map((m) => {
    if (m.memberKind !== 'user') return m;
    const spelled = folded.get(m.member.toLowerCase());
    return spelled && spelled !== m.member ? makeMembership({ role: m.role, member: spelled, memberKind: 'user' }) : m;
  });
  // The users and service principals found exist: the planner checks members against these.
  const logins = snapshot.principals
    .filter((p) => p.kind !== 'group')
    .map((p) => ({ name: folded.get(p.name.toLowerCase()) || p.name, isUser: true }));
  const roles = [...scimLiveRoles(snapshot).roles, ...logins.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))];
  return { roles, memberships: memberships.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) };
}
