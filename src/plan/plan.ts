/**
 * The planner: pure and synchronous. No I/O, no clock, no prompts.
 *
 * plan(desired, live, options) compares canonical records by key and returns the
 * ordered changes that make the live state match the configuration inside the
 * managed scope. Nothing outside the scope is ever revoked or dropped: a live record
 * is only a revoke candidate when `inScope*` below says so, whatever the reader
 * returned.
 */
import { comparePrivileges } from '../model/catalog.js';
import { columnKey, objectKey, objectPath } from '../model/keys.js';
import {
  type Desired,
  type FutureGrantRecord,
  type GrantRecord,
  type Live,
  type MaskingPolicyRecord,
  type RowAccessPolicyRecord,
  type MembershipRecord,
  type ObjectRef,
  type Privilege,
} from '../model/types.js';
import { Accumulator, fingerprintLive } from './fingerprint.js';
import { inScopeFuture, inScopeMembership } from './scope.js';
import { expandDesiredGrants, withLiveKinds } from './expand.js';
import { planGrants } from './grants.js';
import { withEquivalents } from './equivalent.js';
import { inheritLive } from './inherit.js';
import { catalogFor } from '../dialects/catalogs.js';
import { ZIP3_RESTRICTED } from '../model/safe-harbor/index.js';
import type { Change, ManagedScope, Plan, PlanOptions, PlanProblem, PlanSummary } from './types.js';
import { assertNever } from './types.js';

export function plan(desired: Desired, live: Live, options: PlanOptions): Plan {
  const { mode } = options;
  // Where privileges inherit down, a future grant read back is the container grant it is.
  const inherits = catalogFor(desired.platform);
  if (inherits.inheritsDown) live = inheritLive(inherits, live);
  // Every grant on an object rbac owns outright is in scope, whoever holds it.
  const scope: ManagedScope = live.toolObjects?.length ? { ...options.scope, toolObjects: new Set(live.toolObjects) } : options.scope;
  const authoritative = mode === 'authoritative';
  const problems: PlanProblem[] = [];

  const roles = planRoles(desired, live, authoritative, options.target, problems);
  for (const u of live.unmanagedGrants ?? []) {
    problems.push({
      severity: 'warning',
      message: `${u.count} grant${u.count === 1 ? '' : 's'} of ${u.privileges.join(', ')} on ${u.on} to managed roles ${u.count === 1 ? 'is' : 'are'} outside what rbac manages on ${live.platform}: left alone, never revoked`,
      hint: 'rbac reads only the kinds and privileges of its catalog (README: Securables); these are kept as they are',
    });
  }
  const members = planMemberships(desired, live, scope, roles.absent, authoritative, options.now, problems);

  // --- object grants: the configuration made concrete against the live catalog, then
  // compared by key. At a million grants the cost is hashing and cache misses: see grants.ts.
  const expanded = expandDesiredGrants(desired, live, options);
  problems.push(...expanded.problems);
  const fingerprint = new Accumulator();
  const grants = planGrants(expanded.grants, withEquivalents(live, expanded.grants, catalogFor(desired.platform)), scope, { authoritative, neverRevoke: options.neverRevoke, fingerprint });
  problems.push(...grants.problems);
  const futures = planFutures(expanded.futureGrants, live, scope, authoritative);
  const policies = planPolicies(desired, live, authoritative);

  // --- assemble in a deterministic order -----------------------------------------
  // Revokes run before policy drops (a grant on a masking view goes before the view);
  // policies are created before grants (a grant on a masking view needs the view).
  // Grants carry the live kind of what they name (`table:` naming a view).
  const ordered: Change[] = [
    ...sortChanges(roles.changes),
    ...sortChanges(members.revoke),
    ...sortChanges(groupFuture(futures.revoke, 'revokeFuture')),
    ...sortChanges(groupGrants(grants.toRevoke, 'revoke', grants.cascade)),
    ...sortChanges(groupGrants(grants.toRevokeOption, 'revoke', grants.cascade, true)),
    ...sortChanges(policies.remove),
    ...sortChanges(policies.tagUnset),
    ...sortChanges(policies.add),
    // A column gets its tag once the policies are set on the tag.
    ...sortChanges(policies.tagSet),
    ...sortChanges(members.grant),
    ...sortChanges(groupGrants(withLiveKinds(grants.toGrant, live), 'grant')),
    ...sortChanges(groupGrants(withLiveKinds(grants.toGrantOption, live), 'grant', undefined, true)),
    ...sortChanges(groupFuture(futures.grant, 'grantFuture')),
    ...[...roles.absent].sort().map((role): Change => ({ kind: 'dropRole', role })),
  ];

  return {
    formatVersion: 1,
    platform: desired.platform,
    target: options.target,
    mode,
    changes: ordered,
    problems,
    liveFingerprint: fingerprintLive(live, scope, fingerprint),
    configDigest: options.configDigest,
    summary: summarize(ordered),
  };
}

/** Roles to create and alter, roles to drop (state: absent), and users that must exist already. */
function planRoles(desired: Desired, live: Live, authoritative: boolean, target: string, problems: PlanProblem[]): { changes: Change[]; absent: Set<string> } {
  const changes: Change[] = [];
  // Where users and roles are separate namespaces (Snowflake, Databricks), a user named
  // like a role is not that role: a role is found among roles, a user among users.
  const separate = catalogFor(desired.platform).usersAreRoles !== true;
  const liveRoles = new Map(live.roles.filter((r) => !separate || !r.isUser).map((r) => [r.name, r]));
  const liveUsers = new Set(live.roles.filter((r) => !separate || r.isUser).map((r) => r.name));
  const absent = new Set<string>();
  for (const r of desired.roles) {
    const lr = liveRoles.get(r.name);
    if (r.state === 'absent') {
      if (!lr) continue;
      if (!authoritative) {
        problems.push({
          severity: 'warning',
          message: `role ${r.name} is marked state: absent, but mode is additive: it is not dropped`,
          hint: 'switch mode to authoritative to drop retired roles',
        });
        continue;
      }
      absent.add(r.name);
      continue;
    }
    if (!lr) {
      changes.push({ kind: 'createRole', role: r.name, description: r.description, owner: r.owner });
    } else if ((lr.description ?? '') !== (r.description ?? '') || (lr.owner ?? '') !== (r.owner ?? '')) {
      changes.push({
        kind: 'alterRole',
        role: r.name,
        from: { description: lr.description, owner: lr.owner },
        to: { description: r.description, owner: r.owner },
      });
    }
  }
  const desiredRoleNames = new Set(desired.roles.map((r) => r.name));
  for (const u of desired.users) {
    if (!liveUsers.has(u) && (separate || !desiredRoleNames.has(u))) {
      problems.push({
        severity: 'error',
        message: `user ${u} does not exist on target ${target}`,
        hint: 'rbac does not create login users; create the user in the identity provider first, or remove it from members',
      });
    }
  }
  return { changes, absent };
}

function planMemberships(
  desired: Desired,
  live: Live,
  scope: ManagedScope,
  absentRoles: ReadonlySet<string>,
  authoritative: boolean,
  now: Date | undefined,
  problems: PlanProblem[],
): { grant: Change[]; revoke: Change[] } {
  const desiredRoleNames = new Set(desired.roles.map((r) => r.name));
  const desiredMembers = new Map<string, MembershipRecord>();
  // Temporary memberships outside their window: revoked when live, in either mode,
  // since the configuration names them (additive mode keeps only what it does not name).
  const outOfWindow = new Map<string, MembershipRecord>();
  const at = now?.toISOString();
  let clockMissing = false;
  const unknown = new Set<string>();
  for (const m of desired.memberships) {
    // A dropped role loses its members; a user of the same name (separate namespace) keeps hers.
    if (absentRoles.has(m.role) || (m.memberKind === 'role' && absentRoles.has(m.member))) continue;
    if (m.temporary) {
      if (at === undefined) {
        // Neither granted nor revoked: the plan carries an error instead.
        clockMissing = true;
        unknown.add(m.key);
        continue;
      }
      // ISO strings in UTC compare as times.
      if (at >= m.temporary.until || (m.temporary.since !== undefined && at < m.temporary.since)) {
        outOfWindow.set(m.key, m);
        continue;
      }
    }
    desiredMembers.set(m.key, m);
  }
  if (clockMissing) {
    problems.push({
      severity: 'error',
      message: 'the configuration has temporary memberships (until:), but the plan was made without a clock',
      hint: 'pass PlanOptions.now (the CLI passes the time of the run)',
    });
  }
  const liveMembers = new Map<string, MembershipRecord>();
  for (const m of live.memberships) {
    if (!inScopeMembership(m, scope)) continue;
    // The tool's own login may hold managed roles (Postgres 16+ grants a creator
    // ADMIN on the roles it creates); revoking it would lock the tool out.
    if (live.currentUser !== undefined && m.member === live.currentUser) continue;
    liveMembers.set(m.key, m);
  }
  const revoke: Change[] = [];
  const grant: Change[] = [];
  // Memberships the platform made itself (Live.systemGrants) are never revoked.
  const system = live.systemGrants?.length ? new Set(live.systemGrants) : undefined;
  for (const [k, m] of desiredMembers) {
    if (!liveMembers.has(k)) grant.push({ kind: 'grantMembership', role: m.role, member: m.member, memberKind: m.memberKind, ...(m.temporary ? { temporary: m.temporary } : {}) });
  }
  for (const [k, m] of outOfWindow) {
    if (!liveMembers.has(k) || system?.has(k)) continue;
    const t = m.temporary!;
    const expired = at! >= t.until;
    revoke.push({
      kind: 'revokeMembership',
      role: m.role,
      member: m.member,
      memberKind: m.memberKind,
      reason: `${expired ? `expired at ${t.until}` : `not before ${t.since}`}${t.reason === undefined ? '' : ` (${t.reason})`}`,
      temporary: { ...t, expired },
    });
  }
  if (authoritative) {
    for (const [k, m] of liveMembers) {
      if (desiredMembers.has(k) || outOfWindow.has(k) || unknown.has(k) || system?.has(k)) continue;
      revoke.push({
        kind: 'revokeMembership',
        role: m.role,
        member: m.member,
        memberKind: m.memberKind,
        reason: desiredRoleNames.has(m.member) || scope.roles.has(m.role) ? 'not in configuration' : undefined,
      });
    }
  }
  return { grant, revoke };
}

/** Future grants (default privileges) are few: compared by key, in scope only. */
function planFutures(desired: FutureGrantRecord[], live: Live, scope: ManagedScope, authoritative: boolean): { grant: FutureGrantRecord[]; revoke: FutureGrantRecord[] } {
  const want = new Map(desired.map((f) => [f.key, f]));
  const have = new Map<string, FutureGrantRecord>();
  for (const f of live.futureGrants) if (inScopeFuture(f, scope)) have.set(f.key, f);
  return {
    grant: [...want.values()].filter((f) => !have.has(f.key)),
    revoke: authoritative ? [...have.values()].filter((f) => !want.has(f.key)) : [],
  };
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Whether two masking policies mask the same way for the same roles (columns aside); a tampered one never does. */
export function sameMasking(a: MaskingPolicyRecord, b: MaskingPolicyRecord): boolean {
  return (
    !a.tampered?.length &&
    !b.tampered?.length &&
    objectKey(a.schema) === objectKey(b.schema) &&
    (a.mask ?? '') === (b.mask ?? '') &&
    (a.expression ?? '') === (b.expression ?? '') &&
    sameStrings(a.unmaskedFor, b.unmaskedFor) &&
    // zip3: the restricted prefixes it was compiled with (a changed Census list is a change).
    (a.mask !== 'zip3' || sameStrings(a.zip3Restricted ?? ZIP3_RESTRICTED, b.zip3Restricted ?? ZIP3_RESTRICTED))
  );
}

/** Whether two row access policies filter the same table by the same rules; a tampered one never does. */
export function sameRowAccess(a: RowAccessPolicyRecord, b: RowAccessPolicyRecord): boolean {
  return (
    !a.tampered?.length &&
    !b.tampered?.length &&
    objectKey(a.schema) === objectKey(b.schema) &&
    objectKey(a.table) === objectKey(b.table) &&
    a.rules.length === b.rules.length &&
    a.rules.every((r, i) => r.where === b.rules[i].where && sameStrings(r.roles, b.rules[i].roles))
  );
}

/**
 * Policies: readers report only policies the tool made, so every live policy is in
 * scope. A changed definition is an alter (the compiler picks the platform's
 * lifecycle); a changed column or tag set is attach/detach; a moved policy is drop +
 * create. Column tags (Snowflake) are set and unset by key, their value compared.
 */
function planPolicies(desired: Desired, live: Live, authoritative: boolean): { add: Change[]; remove: Change[]; tagSet: Change[]; tagUnset: Change[] } {
  const add: Change[] = [];
  const remove: Change[] = [];
  const liveMasking = new Map((live.maskingPolicies ?? []).map((p) => [p.key, p]));
  const desiredMasking = new Map((desired.maskingPolicies ?? []).map((p) => [p.key, p]));
  for (const [k, want] of desiredMasking) {
    const have = liveMasking.get(k);
    if (!have) {
      add.push({ kind: 'createMaskingPolicy', policy: want });
      continue;
    }
    if (objectKey(have.schema) !== objectKey(want.schema)) {
      if (authoritative) remove.push({ kind: 'dropMaskingPolicy', policy: have });
      add.push({ kind: 'createMaskingPolicy', policy: want });
      continue;
    }
    if (!sameMasking(have, want)) add.push({ kind: 'alterMaskingPolicy', from: have, to: want });
    const haveCols = new Map(have.columns.map((c) => [columnKey(c), c]));
    const wantCols = new Map(want.columns.map((c) => [columnKey(c), c]));
    for (const [ck, c] of wantCols) if (!haveCols.has(ck)) add.push({ kind: 'attachMaskingPolicy', policy: want, column: c });
    if (authoritative) {
      for (const [ck, c] of haveCols) if (!wantCols.has(ck)) remove.push({ kind: 'detachMaskingPolicy', policy: have, column: c });
    }
    // Tags, like columns: a policy set on a tag masks the columns carrying it.
    const haveTags = new Map((have.tags ?? []).map((t) => [objectKey(t), t]));
    const wantTags = new Map((want.tags ?? []).map((t) => [objectKey(t), t]));
    for (const [tk, t] of wantTags) if (!haveTags.has(tk)) add.push({ kind: 'attachMaskingTag', policy: want, tag: t });
    if (authoritative) {
      for (const [tk, t] of haveTags) if (!wantTags.has(tk)) remove.push({ kind: 'detachMaskingTag', policy: have, tag: t });
    }
  }
  if (authoritative) {
    for (const [k, have] of liveMasking) if (!desiredMasking.has(k)) remove.push({ kind: 'dropMaskingPolicy', policy: have });
  }

  const liveRow = new Map((live.rowAccessPolicies ?? []).map((p) => [p.key, p]));
  const desiredRow = new Map((desired.rowAccessPolicies ?? []).map((p) => [p.key, p]));
  for (const [k, want] of desiredRow) {
    const have = liveRow.get(k);
    if (!have) add.push({ kind: 'createRowAccessPolicy', policy: want });
    else if (objectKey(have.schema) !== objectKey(want.schema) || objectKey(have.table) !== objectKey(want.table)) {
      if (authoritative) remove.push({ kind: 'dropRowAccessPolicy', policy: have });
      add.push({ kind: 'createRowAccessPolicy', policy: want });
    } else if (!sameRowAccess(have, want)) add.push({ kind: 'alterRowAccessPolicy', from: have, to: want });
  }
  if (authoritative) {
    for (const [k, have] of liveRow) if (!desiredRow.has(k)) remove.push({ kind: 'dropRowAccessPolicy', policy: have });
  }

  // Column tags: the reader reads only the managed tags on the classified tables, so every
  // live one is in scope. A new value is a set (SET TAG replaces the value in place).
  const tagSet: Change[] = [];
  const tagUnset: Change[] = [];
  const liveTags = new Map((live.columnTags ?? []).map((t) => [t.key, t]));
  const desiredTags = new Map((desired.columnTags ?? []).map((t) => [t.key, t]));
  for (const [k, want] of desiredTags) {
    const have = liveTags.get(k);
    if (!have) tagSet.push({ kind: 'setColumnTag', column: want.column, tag: want.tag, value: want.value });
    else if (have.value !== want.value) tagSet.push({ kind: 'setColumnTag', column: want.column, tag: want.tag, value: want.value, from: have.value });
  }
  if (authoritative) {
    for (const [k, have] of liveTags) {
      if (!desiredTags.has(k)) tagUnset.push({ kind: 'unsetColumnTag', column: have.column, tag: have.tag, value: have.value, reason: 'column not classified in configuration' });
    }
  }
  return { add, remove, tagSet, tagUnset };
}

/**
 * Group atomic grants: table-level by (role, object); column-level by (role, object,
 * privilege); each group also by its flags, since one statement carries one WITH GRANT
 * OPTION / CASCADE. `optionOnly`: the records' privileges are held already and only
 * their grant option is granted or revoked.
 */
function groupGrants<K extends 'grant' | 'revoke'>(records: GrantRecord[], kind: K, cascade?: ReadonlySet<string>, optionOnly = false): Change[] {
  type Flags = { withOption: boolean; cascade: boolean };
  const tableLevel = new Map<string, { role: string; object: ObjectRef; privileges: Privilege[] } & Flags>();
  const columnLevel = new Map<string, { role: string; object: ObjectRef; privilege: Privilege; columns: string[] } & Flags>();
  const anyCascade = kind === 'revoke' && cascade !== undefined && cascade.size > 0;
  for (const g of records) {
    const ok = objectKey(g.object);
    const withOption = kind === 'grant' && g.grantOption === true;
    const casc = anyCascade && cascade!.has(g.key);
    // Flags are rare: the common key stays as short as it always was.
    const flags = withOption || casc ? `\u0000${withOption ? 'o' : ''}${casc ? 'c' : ''}` : '';
    if (g.column === undefined) {
      const k = `${g.role}\u0000${ok}${flags}`;
      let e = tableLevel.get(k);
      if (!e) tableLevel.set(k, (e = { role: g.role, object: g.object, privileges: [], withOption, cascade: casc }));
      e.privileges.push(g.privilege);
    } else {
      const k = `${g.role}\u0000${ok}\u0000${g.privilege}${flags}`;
      let e = columnLevel.get(k);
      if (!e) columnLevel.set(k, (e = { role: g.role, object: g.object, privilege: g.privilege, columns: [], withOption, cascade: casc }));
      e.columns.push(g.column);
    }
  }
  const change = (e: Flags & { role: string; object: ObjectRef }, privileges: Privilege[], columns?: string[]): Change => {
    const base = { role: e.role, privileges, object: e.object, ...(columns ? { columns } : {}) };
    if (kind === 'grant') return { kind: 'grant', ...base, ...(e.withOption ? { grantOption: true } : {}), ...(optionOnly ? { grantOptionOnly: true } : {}) };
    return {
      kind: 'revoke',
      ...base,
      ...(optionOnly ? { grantOptionOnly: true } : {}),
      ...(e.cascade ? { cascade: true } : {}),
      reason: optionOnly ? 'grant option not in configuration' : 'not in configuration',
    };
  };
  const out: Change[] = [];
  for (const e of tableLevel.values()) out.push(change(e, sortPrivileges(e.privileges)));
  for (const e of columnLevel.values()) out.push(change(e, [e.privilege], [...e.columns].sort()));
  return out;
}

function groupFuture(records: FutureGrantRecord[], kind: 'grantFuture' | 'revokeFuture'): Change[] {
  const groups = new Map<string, { f: FutureGrantRecord; privileges: Privilege[] }>();
  for (const f of records) {
    const k = `${f.role}\u0000${objectKey(f.schema)}\u0000${f.objectType}\u0000${f.forRole ?? ''}\u0000${f.grantOption ? 'o' : ''}`;
    let e = groups.get(k);
    if (!e) groups.set(k, (e = { f, privileges: [] }));
    e.privileges.push(f.privilege);
  }
  return [...groups.values()].map(({ f, privileges }) =>
    kind === 'grantFuture'
      ? { kind, role: f.role, privileges: sortPrivileges(privileges), schema: f.schema, objectType: f.objectType, forRole: f.forRole, ...(f.grantOption ? { grantOption: true } : {}) }
      : {
          kind,
          role: f.role,
          privileges: sortPrivileges(privileges),
          schema: f.schema,
          objectType: f.objectType,
          forRole: f.forRole,
          ...(f.grantOption ? { grantOption: true } : {}),
          reason: 'not in configuration',
        },
  );
}

function sortPrivileges(ps: Privilege[]): Privilege[] {
  return [...new Set(ps)].sort(comparePrivileges);
}

/** A sort key per change: role first, then object, then the rest. */
function changeSortKey(c: Change): string {
  switch (c.kind) {
    case 'createRole':
    case 'alterRole':
    case 'dropRole':
      return c.role;
    case 'grantMembership':
    case 'revokeMembership':
      return `${c.role}\u0000${c.member}`;
    case 'grant':
    case 'revoke':
      return `${c.role}\u0000${objectPath(c.object)}\u0000${c.object.kind}\u0000${c.columns ? c.privileges.join(',') : ''}`;
    case 'grantFuture':
    case 'revokeFuture':
      return `${c.role}\u0000${objectPath(c.schema)}\u0000${c.forRole ?? ''}`;
    case 'createMaskingPolicy':
    case 'dropMaskingPolicy':
    case 'createRowAccessPolicy':
    case 'dropRowAccessPolicy':
      return c.policy.name;
    case 'alterMaskingPolicy':
    case 'alterRowAccessPolicy':
      return c.to.name;
    case 'attachMaskingPolicy':
    case 'detachMaskingPolicy':
      return `${c.policy.name}\u0000${columnKey(c.column)}`;
    case 'attachMaskingTag':
    case 'detachMaskingTag':
      return `${c.policy.name}\u0000${objectKey(c.tag)}`;
    case 'setColumnTag':
    case 'unsetColumnTag':
      return `${objectKey(c.tag)}\u0000${columnKey(c.column)}`;
    default:
      return assertNever(c);
  }
}

function sortChanges(cs: Change[]): Change[] {
  const keyed = cs.map((c) => [changeSortKey(c), c] as const);
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return keyed.map(([, c]) => c);
}

/** Whether a change removes access or drops something: exactly the `-` changes. */
export function isDestructive(c: Change): boolean {
  return changeSymbol(c) === '-';
}

/** `+` adds, `-` removes, `~` changes in place. */
export function changeSymbol(c: Change): '+' | '-' | '~' {
  switch (c.kind) {
    case 'createRole':
    case 'grant':
    case 'grantMembership':
    case 'grantFuture':
    case 'createMaskingPolicy':
    case 'attachMaskingPolicy':
    case 'attachMaskingTag':
    case 'createRowAccessPolicy':
      return '+';
    case 'setColumnTag':
      return c.from === undefined ? '+' : '~';
    case 'revoke':
    case 'revokeMembership':
    case 'revokeFuture':
    case 'dropRole':
    case 'dropMaskingPolicy':
    case 'detachMaskingPolicy':
    case 'detachMaskingTag':
    case 'unsetColumnTag':
    case 'dropRowAccessPolicy':
      return '-';
    case 'alterRole':
    case 'alterMaskingPolicy':
    case 'alterRowAccessPolicy':
      return '~';
    default:
      return assertNever(c);
  }
}

export function summarize(changes: readonly Change[]): PlanSummary {
  const s: PlanSummary = { add: 0, change: 0, remove: 0, destructive: 0 };
  for (const c of changes) {
    const sym = changeSymbol(c);
    if (sym === '+') s.add++;
    else if (sym === '-') s.remove++;
    else s.change++;
    if (isDestructive(c)) s.destructive++;
  }
  return s;
}

/**
 * What a change is grouped under in renderers: its role, or for policy changes
 * `masking policy NAME` / `row access policy NAME`, and for a column's tag `tag PATH`.
 */
export function changeGroup(c: Change): string {
  switch (c.kind) {
    case 'createMaskingPolicy':
    case 'dropMaskingPolicy':
    case 'attachMaskingPolicy':
    case 'detachMaskingPolicy':
    case 'attachMaskingTag':
    case 'detachMaskingTag':
      return `masking policy ${c.policy.name}`;
    case 'alterMaskingPolicy':
      return `masking policy ${c.to.name}`;
    case 'setColumnTag':
    case 'unsetColumnTag':
      return `tag ${objectPath(c.tag)}`;
    case 'createRowAccessPolicy':
    case 'dropRowAccessPolicy':
      return `row access policy ${c.policy.name}`;
    case 'alterRowAccessPolicy':
      return `row access policy ${c.to.name}`;
    default:
      return c.role;
  }
}
