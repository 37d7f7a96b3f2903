/**
 * Temporary and emergency memberships in the audit record: every grant and every
 * revoke of a membership the configuration gives for a time, with who, why and from
 * when to when, and whether its statements ran. The emergency-access log
 * (src/review/emergency.ts) is built from these entries across records.
 */
import type { Statement } from '../dialects/types.js';
import type { Plan } from '../plan/types.js';

/**
 * One temporary membership change of an apply. `action` is what the plan did;
 * `outcome` is `applied` only when every statement of the change was applied.
 * `expired` is set on a revoke because `until` had passed.
 */
export interface AuditTemporaryAccess extends Record<string, unknown> {
  action: 'granted' | 'revoked';
  role: string;
  member: string;
  memberKind: 'user' | 'role';
  since?: string;
  until: string;
  reason?: string;
  breakGlass?: boolean;
  expired?: boolean;
  outcome: 'applied' | 'not applied';
}

/** The temporary-access entries of one apply; `applied` holds the statements that committed. */
export function temporaryAccessEntries(plan: Plan, statements: readonly Statement[], applied: ReadonlySet<Statement>, scrub: (s: string) => string): AuditTemporaryAccess[] {
  const out: AuditTemporaryAccess[] = [];
  plan.changes.forEach((c, i) => {
    if ((c.kind !== 'grantMembership' && c.kind !== 'revokeMembership') || !c.temporary) return;
    const own = statements.filter((s) => s.changeIndex === i);
    const t = c.temporary;
    const e: AuditTemporaryAccess = {
      action: c.kind === 'grantMembership' ? 'granted' : 'revoked',
      role: c.role,
      member: c.member,
      memberKind: c.memberKind,
      until: t.until,
      outcome: own.length > 0 && own.every((s) => applied.has(s)) ? 'applied' : 'not applied',
    };
    if (t.since) e.since = t.since;
    if (t.reason !== undefined) e.reason = scrub(t.reason);
    if (t.breakGlass) e.breakGlass = true;
    if (c.kind === 'revokeMembership' && c.temporary) e.expired = c.temporary.expired;
    out.push(e);
  });
  return out;
}
