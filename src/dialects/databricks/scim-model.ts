/**
 * What the Databricks SCIM API says about groups, in our model's shapes, and the
 * membership changes of a plan as SCIM operations. Pure: no I/O, no clock. The client
 * that reads the snapshot and applies the operations is `scim.ts`.
 *
 * Invariants:
 * - a role of the configuration is an ACCOUNT group (Unity Catalog grants only to
 *   account groups). Workspace-local groups (`meta.resourceType` `WorkspaceGroup` on
 *   the workspace SCIM API) are kept apart in `workspaceGroups`: reported, never changed
 *   and never compiled into an operation.
 * - group display names are compared EXACTLY (case-sensitive): Databricks keeps
 *   `Data Engineers` and `data engineers` as two groups, and its SCIM filter matches
 *   them case-insensitively (terraform-provider-databricks #3596/#3597), so whatever a
 *   filter returns is narrowed to the exact name before it is used.
 * - users are named by `userName`, service principals by `applicationId` (the name
 *   Unity Catalog's GRANT uses for them); both are memberKind `user` in the model. Those
 *   two compare case-insensitively when no exact spelling exists (RFC 7643 userName is
 *   caseExact=false; an application id is a UUID), and the record carries the server's
 *   spelling.
 * - rbac never creates users or service principals: a member that does not exist is a
 *   `PlanProblem` (severity error), never an exception while applying.
 *
 * Names here are spelled as Databricks spells them. The Databricks dialect lower-cases
 * identifiers of securables (`databricksNames.normalize`) but keeps a quoted principal's
 * case (`normalizePrincipal`), so `"Data Engineers"` in the configuration is the group
 * `Data Engineers` here. The planner reaches this module through scim-plan.ts.
 */
import { makeMembership } from '../../model/keys.js';
import type { LiveRole, MembershipRecord } from '../../model/types.js';
import { assertNever, type Change, type PlanProblem } from '../../plan/types.js';

/** The kinds of SCIM principal a group can hold. */
export type ScimMemberKind = 'user' | 'servicePrincipal' | 'group';

/** A direct member of a group, as the group resource lists it: its SCIM id and kind (from `$ref`). */
export interface ScimMember {
  id: string;
  kind: ScimMemberKind;
  /** Display-only: the member's display name as the group lists it (not its userName / applicationId). */
  display?: string;
}

/**
 * A group resource. `resourceType` is `meta.resourceType`: `Group` for an account group,
 * `WorkspaceGroup` for a workspace-local one (as the workspace SCIM API reports it).
 * `members` holds direct members only; empty when they were not read.
 */
export interface ScimGroup {
  id: string;
  displayName: string;
  resourceType: string;
  members: ScimMember[];
}

/** A principal resolved to its SCIM id. `name`: userName, applicationId or displayName, as the server spells it. */
export interface ScimPrincipal {
  id: string;
  kind: ScimMemberKind;
  name: string;
}

/**
 * What `readScim` saw, limited to what it was asked about.
 * Invariants: `groups` are account groups whose displayName is exactly one of the
 * managed names, each with its direct members; `principals` has one entry per id;
 * every member id of `groups` is in `principals` or in `unresolved`.
 */
export interface ScimSnapshot {
  groups: ScimGroup[];
  /** Workspace-local groups named exactly like a managed role: reported, never changed. */
  workspaceGroups: ScimGroup[];
  /** Every principal resolved: by a name asked for, or by the id of a member seen. */
  principals: ScimPrincipal[];
  /** Members of managed groups whose id resolved to no principal (deleted since, or not visible to the caller). */
  unresolved: { group: string; member: ScimMember }[];
}

/** A member an operation adds or removes. `id` is absent for a group this apply creates (known once it exists). */
export interface ScimTarget {
  kind: ScimMemberKind;
  name: string;
  id?: string;
}

/**
 * One SCIM request an apply makes, with the plan changes it implements (`source`).
 * Order of a compiled list: every `createGroup`, then one `patchMembers` per group
 * (all its adds and removes), then every `deleteGroup`.
 */
export type ScimOp =
  | { kind: 'createGroup'; group: string; source: Change[] }
  | { kind: 'patchMembers'; group: string; groupId?: string; add: ScimTarget[]; remove: ScimTarget[]; source: Change[] }
  | { kind: 'deleteGroup'; group: string; groupId: string; source: Change[] };

/** memberKind of the model: users and service principals are `user`, nested groups `role`. */
function memberKind(kind: ScimMemberKind): 'user' | 'role' {
  return kind === 'group' ? 'role' : 'user';
}

/**
 * The memberships of the managed account groups: `role` is the group, `member` the
 * user's userName, the service principal's applicationId, or the nested group's
 * displayName (memberKind `role`: that group inherits the role). Members in
 * `unresolved` are left out (they cannot be named). Sorted by key.
 */
export function scimMemberships(s: ScimSnapshot): MembershipRecord[] {
  const byId = new Map(s.principals.map((p) => [p.id, p]));
  const out: MembershipRecord[] = [];
  for (const g of s.groups) {
    for (const m of g.members) {
      const p = byId.get(m.id);
      if (!p || p.kind !== m.kind) continue;
      out.push(makeMembership({ role: g.displayName, member: p.name, memberKind: memberKind(p.kind) }));
    }
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * The managed account groups as live roles, and the workspace-local groups named like a
 * managed role apart (to report; the planner must never see them as the role).
 */
export function scimLiveRoles(s: ScimSnapshot): { roles: LiveRole[]; workspaceLocal: LiveRole[] } {
  const role = (g: ScimGroup): LiveRole => ({ name: g.displayName, isUser: false });
  return { roles: s.groups.map(role), workspaceLocal: s.workspaceGroups.map(role) };
}

/** The result of `compileScimChanges`. Apply `ops` only when `problems` holds no error. */
export interface ScimCompiled {
  ops: ScimOp[];
  problems: PlanProblem[];
}

/** Lookups over a snapshot, with the comparison rules of the file comment. */
class Names {
  private readonly exact = new Map<string, ScimPrincipal>();
  private readonly folded = new Map<string, ScimPrincipal[]>();
  constructor(principals: readonly ScimPrincipal[]) {
    for (const p of principals) {
      this.exact.set(`${p.kind}\u0000${p.name}`, p);
      if (p.kind === 'group') continue;
      const k = `${p.kind}\u0000${p.name.toLowerCase()}`;
      this.folded.set(k, [...(this.folded.get(k) ?? []), p]);
    }
  }
  find(kind: ScimMemberKind, name: string): ScimPrincipal | undefined {
    const hit = this.exact.get(`${kind}\u0000${name}`);
    if (hit || kind === 'group') return hit;
    const folded = this.folded.get(`${kind}\u0000${name.toLowerCase()}`);
    return folded?.length === 1 ? folded[0] : undefined;
  }
  /** A `members:` entry: a user by userName, else a service principal by applicationId. */
  login(name: string): ScimPrincipal | undefined {
    return this.find('user', name) ?? this.find('servicePrincipal', name);
  }
}

const q = (s: string) => JSON.stringify(s);

/**
 * The SCIM operations that carry out a plan's role and membership changes: a
 * `createRole` becomes a group creation, a `dropRole` a group deletion, and the
 * `grantMembership`/`revokeMembership` changes of one group ONE PATCH with every add and
 * remove for it. Groups are created before any PATCH (a nested member may be a group
 * the same apply creates). A member that does not exist, or a group neither existing
 * nor created, is a problem and its change gets no operation. Changes that are not
 * about groups (grants, policies, comments) are not SCIM's and get none.
 */
export function compileScimChanges(changes: readonly Change[], s: ScimSnapshot): ScimCompiled {
  const problems: PlanProblem[] = [];
  const names = new Names(s.principals);
  const byId = new Map(s.principals.map((x) => [x.id, x]));
  const groups = new Map(s.groups.map((g) => [g.displayName, g]));
  const local = new Set(s.workspaceGroups.map((g) => g.displayName));
  const created = new Map<string, Change[]>();
  const dropped = new Map<string, { id: string; source: Change[] }>();
  const patches = new Map<string, { add: ScimTarget[]; remove: ScimTarget[]; source: Change[] }>();

  // Groups first: memberships below may name a group this plan creates.
  for (const c of changes) {
    if (c.kind === 'createRole') {
      if (local.has(c.role)) {
        problems.push({
          severity: 'warning',
          message: `workspace-local group ${q(c.role)} exists in the workspace: rbac creates and manages the account group of that name and never changes the workspace-local one`,
          hint: 'rename or migrate the workspace-local group; Databricks will not assign an account group to a workspace that has a workspace-local group of the same name',
        });
      }
      // Already there (read after the plan was made): nothing to create.
      if (!groups.has(c.role)) created.set(c.role, [...(created.get(c.role) ?? []), c]);
    } else if (c.kind === 'dropRole') {
      const g = groups.get(c.role);
      // A group already gone is already what the plan wants.
      if (g) dropped.set(c.role, { id: g.id, source: [...(dropped.get(c.role)?.source ?? []), c] });
    }
  }

  const groupTarget = (name: string): ScimTarget | undefined => {
    const g = groups.get(name) ?? names.find('group', name);
    if (g) return { kind: 'group', name, id: g.id };
    return created.has(name) ? { kind: 'group', name } : undefined;
  };
  const patchFor = (group: string) => {
    const p = patches.get(group) ?? { add: [], remove: [], source: [] };
    patches.set(group, p);
    return p;
  };

  for (const c of changes) {
    switch (c.kind) {
      case 'grantMembership': {
        if (!groups.has(c.role) && !created.has(c.role)) {
          problems.push({
            severity: 'error',
            message: `account group ${q(c.role)} does not exist and the plan does not create it: cannot add ${q(c.member)}`,
            hint: local.has(c.role) ? 'a workspace-local group of that name exists; rbac never changes workspace-local groups' : undefined,
          });
          break;
        }
        let target: ScimTarget | undefined;
        if (c.memberKind === 'user') {
          const p = names.login(c.member);
          if (!p) {
            problems.push({
              severity: 'error',
              message: `user or service principal ${q(c.member)} (member of ${q(c.role)}) does not exist in the Databricks account`,
              hint: 'rbac never creates users or service principals: add them in the identity provider or the account console (a service principal by its application id), or remove them from members:',
            });
            break;
          }
          target = { kind: p.kind, name: p.name, id: p.id };
        } else {
          target = groupTarget(c.member);
          if (!target) {
            problems.push({
              severity: 'error',
              message: `group ${q(c.member)} (to inherit ${q(c.role)}) is not an account group and the plan does not create it`,
              hint: local.has(c.member) ? 'it is a workspace-local group: account groups cannot hold workspace-local groups' : undefined,
            });
            break;
          }
        }
        const p = patchFor(c.role);
        p.add.push(target);
        p.source.push(c);
        break;
      }
      case 'revokeMembership': {
        const g = groups.get(c.role);
        // The member as the live read named it: exact, or (users, service principals) the same name in another case.
        const member = g?.members
          .map((m) => byId.get(m.id))
          .find(
            (x) =>
              x !== undefined &&
              (c.memberKind === 'role' ? x.kind === 'group' : x.kind !== 'group') &&
              (x.name === c.member || (x.kind !== 'group' && x.name.toLowerCase() === c.member.toLowerCase())),
          );
        if (!g || !member) {
          problems.push({
            severity: 'warning',
            message: `${q(c.member)} is not a member of account group ${q(c.role)} any more: nothing to remove`,
          });
          break;
        }
        const p = patchFor(c.role);
        p.remove.push({ kind: member.kind, name: member.name, id: member.id });
        p.source.push(c);
        break;
      }
      case 'createRole':
      case 'dropRole':
        break; // handled above
      case 'alterRole':
        break; // account groups have no comment (reported by databricksUnsupported)
      case 'grant':
      case 'revoke':
      case 'grantFuture':
      case 'revokeFuture':
      case 'createMaskingPolicy':
      case 'alterMaskingPolicy':
      case 'dropMaskingPolicy':
      case 'attachMaskingPolicy':
      case 'detachMaskingPolicy':
      case 'attachMaskingTag':
      case 'detachMaskingTag':
      case 'setColumnTag':
      case 'unsetColumnTag':
      case 'createRowAccessPolicy':
      case 'alterRowAccessPolicy':
      case 'dropRowAccessPolicy':
        break; // SQL, not SCIM: compile.ts
      default:
        assertNever(c);
    }
  }

  const byName = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const ops: ScimOp[] = [];
  for (const [group, source] of byName(created)) ops.push({ kind: 'createGroup', group, source });
  for (const [group, p] of byName(patches)) {
    // A group this apply deletes loses its members with it.
    if (dropped.has(group)) continue;
    ops.push({ kind: 'patchMembers', group, groupId: groups.get(group)?.id, add: dedupe(p.add), remove: dedupe(p.remove), source: p.source });
  }
  for (const [group, d] of byName(dropped)) ops.push({ kind: 'deleteGroup', group, groupId: d.id, source: d.source });
  return { ops, problems };
}

function dedupe(ts: ScimTarget[]): ScimTarget[] {
  const seen = new Set<string>();
  return ts.filter((t) => {
    const k = `${t.kind}\u0000${t.id ?? t.name}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
