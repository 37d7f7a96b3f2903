/**
 * What the Databricks reader cannot read back (inspect.ts): no information_schema view
 * documents grants on shares and recipients, nor who owns a share,
 * a recipient or a registered model. A configuration that grants there is told so once:
 * such a grant is sent on every apply (GRANT and ALTER ... OWNER TO are idempotent) and
 * the planner never revokes what it cannot see.
 */
import { kindWords } from '../../model/kinds.js';
import type { Desired, SecurableKind } from '../../model/types.js';
import type { PlanProblem } from '../../plan/types.js';

/** Kinds whose grants are never read back. */
export const UNREAD_KINDS: ReadonlySet<SecurableKind> = new Set<SecurableKind>(['share', 'recipient']);

export function databricksUnreadProblems(desired: Desired): PlanProblem[] {
  const unread = desired.grants.filter((g) => UNREAD_KINDS.has(g.object.kind));
  if (!unread.length) return [];
  const kinds = [...new Set(unread.map((g) => kindWords(g.object.kind)))].sort();
  return [
    {
      severity: 'warning',
      message: `${unread.length} grant(s) on ${kinds.join(', ')} cannot be read back on Databricks (no information_schema view lists them): they are sent on every apply and never revoked`,
      hint: 'GRANT and ALTER ... OWNER TO are idempotent; check these grants in Catalog Explorer or with SHOW GRANTS',
    },
  ];
}
