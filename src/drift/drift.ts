/**
 * Drift: what the plan would change, told as what someone changed by hand. Every
 * planned change is split into atomic items (one per privilege, per column, per
 * member) keyed by the canonical key of the record, so the state file and the webhook
 * can follow each drifted grant individually.
 *
 * Pure: `driftItems(plan, live)` has no I/O and no clock; the first-seen times come
 * from `applyDriftState`, which takes `now` as an argument.
 */
import { columnKey, columnTagKey, futureGrantKey, grantKey, membershipKey, objectKey, roleKey } from '../model/keys.js';
import type { Live } from '../model/types.js';
import { assertNever, type Change, type Plan, type PlanProblem } from '../plan/types.js';
import { changeGroup, describeChange, describeObject, privilegeList } from '../render/describe.js';

/**
 * What kind of drift an item is: `extra` exists live but not in the configuration
 * (granted by hand), `missing` is in the configuration but not live, `changed` exists
 * on both sides with different attributes (a role's comment), `expired` is a temporary
 * membership (`until:`) whose time has passed and that is still granted.
 */
export type DriftKind = 'extra' | 'missing' | 'changed' | 'expired';

/** One drifted record. `key` is the canonical key of the grant/membership/role. */
export interface DriftItem {
  key: string;
  kind: DriftKind;
  role: string;
  /** One line for humans: `SELECT on table ehr.clinical.patients to PUBLIC: granted by hand, not in configuration`. */
  description: string;
  /** Who granted it, where the platform records it (Postgres: the ACL grantor). */
  grantedBy?: string;
  /**
   * When the platform says it happened: no supported platform records grant times,
   * so this is always `unknown` today.
   */
  since: 'unknown' | string;
  /** When `rbac drift` first saw this item (from the state file); undefined without one. */
  firstSeen?: string;
  /** `expired` items: who held it, why it was given and from when to when. */
  temporary?: { member: string; reason?: string; since?: string; until: string; breakGlass?: boolean };
}

/** The result of one drift check. */
export interface DriftReport {
  target: string;
  platform: string;
  /** ISO time of the check. */
  checkedAt: string;
  drifted: boolean;
  items: DriftItem[];
  /** Plan problems (e.g. a configured user that does not exist). Errors count as drift. */
  problems: PlanProblem[];
  /** `expired` is present only when an expired temporary membership is still granted. */
  summary: { extra: number; missing: number; changed: number; expired?: number };
}

const EXTRA = 'granted by hand, not in configuration';
const MISSING = 'missing (in configuration, not on the target)';

/** Split a plan into drift items, with grantors looked up in the live state. */
export function driftItems(plan: Plan, live: Live): DriftItem[] {
  const grantors = new Map<string, string>();
  for (const g of live.grants) if (g.grantedBy) grantors.set(g.key, g.grantedBy);
  for (const m of live.memberships) if (m.grantedBy) grantors.set(m.key, m.grantedBy);
  const items: DriftItem[] = [];
  const push = (key: string, kind: DriftKind, role: string, what: string, why: string) => {
    const item: DriftItem = { key, kind, role, description: `${what}: ${why}`, since: 'unknown' };
    const by = grantors.get(key);
    if (by !== undefined && kind === 'extra') item.grantedBy = by;
    items.push(item);
  };
  for (const c of plan.changes) {
    if (c.kind === 'revokeMembership' && c.temporary?.expired) {
      // Not drift by hand: the configuration's own time ran out and the grant is still there.
      const t = c.temporary;
      items.push({
        key: membershipKey(c.role, c.member, c.memberKind),
        kind: 'expired',
        role: c.role,
        description: `${c.memberKind} ${c.member} in ${t.breakGlass ? 'break-glass ' : ''}role ${c.role}: expired at ${t.until}${t.reason === undefined ? '' : ` (${t.reason})`}, still granted`,
        since: t.since ?? 'unknown',
        temporary: { member: c.member, ...(t.reason !== undefined ? { reason: t.reason } : {}), ...(t.since ? { since: t.since } : {}), until: t.until, ...(t.breakGlass ? { breakGlass: true } : {}) },
      });
      continue;
    }
    itemsOf(c, push);
  }
  return items;
}

function itemsOf(c: Change, push: (key: string, kind: DriftKind, role: string, what: string, why: string) => void): void {
  switch (c.kind) {
    case 'createRole':
      push(roleKey(c.role), 'missing', c.role, `role ${c.role}`, MISSING);
      return;
    case 'dropRole':
      push(roleKey(c.role), 'extra', c.role, `role ${c.role}`, 'exists, but the configuration says absent');
      return;
    case 'alterRole':
      push(roleKey(c.role), 'changed', c.role, `role ${c.role}`, 'description or owner changed by hand');
      return;
    case 'grantMembership':
    case 'revokeMembership': {
      const kind = c.kind === 'grantMembership' ? 'missing' : 'extra';
      push(membershipKey(c.role, c.member, c.memberKind), kind, c.role, `${c.memberKind} ${c.member} in role ${c.role}`, kind === 'extra' ? EXTRA : MISSING);
      return;
    }
    case 'grant':
    case 'revoke': {
      const kind = c.kind === 'grant' ? 'missing' : 'extra';
      for (const p of c.privileges) {
        for (const col of c.columns ?? [undefined]) {
          const on = `${describeObject(c.object)}${col === undefined ? '' : ` (${col})`}`;
          const key = grantKey(c.role, p, c.object, col);
          if (c.grantOptionOnly) {
            // The privilege itself matches: only the right to grant it on differs.
            const what = `grant option of ${privilegeList([p])} on ${on} ${kind === 'extra' ? 'held by' : 'for'} ${c.role}`;
            push(`${key}:grant-option`, kind, c.role, what, kind === 'extra' ? EXTRA : MISSING);
            continue;
          }
          const option = c.kind === 'grant' && c.grantOption ? ' with grant option' : '';
          push(key, kind, c.role, `${privilegeList([p])} on ${on} to ${c.role}${option}`, kind === 'extra' ? EXTRA : MISSING);
        }
      }
      return;
    }
    case 'grantFuture':
    case 'revokeFuture': {
      const kind = c.kind === 'grantFuture' ? 'missing' : 'extra';
      for (const p of c.privileges) {
        const by = c.forRole ? ` created by ${c.forRole}` : '';
        const what = `${privilegeList([p])} on future ${c.objectType} in ${describeObject(c.schema)}${by} to ${c.role}`;
        const key = futureGrantKey(c.role, p, c.schema, c.objectType, c.forRole) + (c.grantOption ? ':grant-option' : '');
        push(key, kind, c.role, what + (c.grantOption ? ' with grant option' : ''), kind === 'extra' ? EXTRA : MISSING);
      }
      return;
    }
    case 'createMaskingPolicy':
    case 'createRowAccessPolicy':
      push(c.policy.key, 'missing', changeGroup(c), describeChange(c), MISSING);
      return;
    case 'dropMaskingPolicy':
    case 'dropRowAccessPolicy':
      push(c.policy.key, 'extra', changeGroup(c), describeChange(c), EXTRA);
      return;
    case 'alterMaskingPolicy':
    case 'alterRowAccessPolicy':
      // A tampered policy says what was changed; its description carries the reasons.
      push(c.to.key, 'changed', changeGroup(c), describeChange(c), c.from.tampered?.length ? 'enforcement changed by hand' : 'definition changed by hand');
      return;
    case 'attachMaskingPolicy':
      push(`${c.policy.key}:${columnKey(c.column)}`, 'missing', changeGroup(c), describeChange(c), MISSING);
      return;
    case 'detachMaskingPolicy':
      push(`${c.policy.key}:${columnKey(c.column)}`, 'extra', changeGroup(c), describeChange(c), EXTRA);
      return;
    case 'attachMaskingTag':
      push(`${c.policy.key}:${objectKey(c.tag)}`, 'missing', changeGroup(c), describeChange(c), MISSING);
      return;
    case 'detachMaskingTag':
      push(`${c.policy.key}:${objectKey(c.tag)}`, 'extra', changeGroup(c), describeChange(c), EXTRA);
      return;
    case 'setColumnTag':
      // A tag unset by hand is missing; a value changed by hand is changed.
      push(columnTagKey(c.tag, c.column), c.from === undefined ? 'missing' : 'changed', changeGroup(c), describeChange(c), c.from === undefined ? MISSING : 'tag value changed by hand');
      return;
    case 'unsetColumnTag':
      push(columnTagKey(c.tag, c.column), 'extra', changeGroup(c), describeChange(c), EXTRA);
      return;
    default:
      assertNever(c);
  }
}

/** Build the report of one check. */
export function driftReport(plan: Plan, live: Live, checkedAt: string): DriftReport {
  const items = driftItems(plan, live);
  const summary: DriftReport['summary'] = { extra: 0, missing: 0, changed: 0 };
  for (const i of items) summary[i.kind] = (summary[i.kind] ?? 0) + 1;
  const errors = plan.problems.some((p) => p.severity === 'error');
  return {
    target: plan.target,
    platform: plan.platform,
    checkedAt,
    drifted: items.length > 0 || errors,
    items,
    problems: plan.problems,
    summary,
  };
}

/**
 * The state file (`.rbac/drift-state.json`): per target, when each drifted key was
 * first seen. Keys that are no longer drifted are forgotten, so a grant that drifts
 * again later gets a new first-seen time.
 */
export interface DriftState {
  version: 1;
  targets: Record<string, Record<string, string>>;
}

/** Set `firstSeen` on every item and return the state to save. Pure. */
export function applyDriftState(report: DriftReport, state: DriftState | undefined, now: string): DriftState {
  const prior = state?.targets[report.target] ?? {};
  const next: Record<string, string> = {};
  for (const item of report.items) {
    const id = `${item.kind}:${item.key}`;
    const seen = prior[id] ?? now;
    next[id] = seen;
    item.firstSeen = seen;
  }
  return { version: 1, targets: { ...(state?.targets ?? {}), [report.target]: next } };
}

/** Parse a state file leniently: an unreadable one starts over (it only holds hints). */
export function parseDriftState(text: string | undefined): DriftState | undefined {
  if (text === undefined) return undefined;
  try {
    const j = JSON.parse(text) as DriftState;
    if (j?.version !== 1 || typeof j.targets !== 'object' || j.targets === null) return undefined;
    return j;
  } catch {
    return undefined;
  }
}
