/**
 * What the Databricks reader cannot read back (inspect.ts): no information_schema view
 * documents who owns a share. A configuration that names a share's owner is told so
 * once: the transfer is sent on every apply (ALTER SHARE ... OWNER TO is idempotent) and
 * never undone. Recipients' SELECT on a share, and recipients' owners, are read.
 */
import type { Desired, GrantRecord } from '../../model/types.js';
import type { PlanProblem } from '../../plan/types.js';

/** A grant whose live state is never read. */
export const isUnread = (g: GrantRecord): boolean => g.object.kind === 'share' && g.privilege === 'ownership';

export function databricksUnreadProblems(desired: Desired): PlanProblem[] {
  const unread = desired.grants.filter(isUnread);
  if (!unread.length) return [];
  return [
    {
      severity: 'warning',
      message: `${unread.length} owner(s) of shares cannot be read back on Databricks (no information_schema view lists a share's owner): the transfer is sent on every apply`,
      hint: 'ALTER SHARE ... OWNER TO is idempotent; check the owner in Catalog Explorer or with DESCRIBE SHARE',
    },
  ];
}
