/**
 * What Unity Catalog cannot hold of a configuration, kept apart from the adapter so
 * planning from a snapshot does not load the driver.
 */
import type { Desired } from '../../model/types.js';
import type { PlanProblem } from '../../plan/types.js';

/** How the target is managed: `manageMembership` (manage_membership: true) puts groups and members under SCIM. */
export interface DatabricksManaged {
  manageMembership?: boolean;
}

/**
 * What the configuration asks for that this tool cannot do on Unity Catalog. The CLI
 * adds these to the plan's problems:
 * - memberships: warning, unmanaged unless `manage_membership: true` (then SCIM
 *   manages them: scim-plan.ts);
 * - role descriptions/owners: warning, groups have no comment (not compared);
 * - users and service principals named as grantees: warning, not checked without SCIM;
 * - column grants: error, Unity Catalog has no column-level GRANT.
 */
export function databricksUnsupported(desired: Desired, managed: DatabricksManaged = {}): PlanProblem[] {
  const problems: PlanProblem[] = [];
  if (desired.memberships.length && !managed.manageMembership) {
    const roles = [...new Set(desired.memberships.map((m) => m.role))].sort();
    problems.push({
      severity: 'warning',
      message: `${desired.memberships.length} group membership(s) (${roles.join(', ')}) are not managed on Databricks: group members come from SCIM / the identity provider`,
      hint: 'manage members in the identity provider; rbac neither grants nor revokes them on this platform',
    });
  }
  // Without SCIM nothing says whether a user or service principal a grant names exists:
  // it is taken as existing (the reader cannot list account users), and a missing one
  // fails its GRANT at apply, which stops there.
  const recipients = new Set(desired.recipients ?? []);
  const roleNames = new Set(desired.roles.map((r) => r.name));
  const unchecked = [...new Set(desired.grants.map((g) => g.role))].filter((r) => desired.users.includes(r) && !roleNames.has(r) && !recipients.has(r)).sort();
  if (unchecked.length && !managed.manageMembership) {
    problems.push({
      severity: 'warning',
      message: `${unchecked.length} user(s) or service principal(s) named as grantees (${unchecked.join(', ')}) are not checked against the account: that needs SCIM (manage_membership: true)`,
      hint: 'a principal that does not exist fails its GRANT at apply, which stops there; set manage_membership: true and account_id to have the plan check them',
    });
  }
  const described = desired.roles.filter((r) => r.description !== undefined || r.owner !== undefined).map((r) => r.name);
  if (described.length) {
    problems.push({
      severity: 'warning',
      message: `descriptions/owners of ${described.length} role(s) are not stored on Databricks (account groups have no comment)`,
    });
  }
  for (const g of desired.grants) {
    if (g.column !== undefined) {
      problems.push({
        severity: 'error',
        message: `column grant ${g.privilege} on ${g.object.database}.${g.object.schema}.${g.object.name}.${g.column} for ${g.role}: Unity Catalog has no column-level GRANT`,
        hint: 'use a column mask or a view',
      });
    }
  }
  return problems;
}

/**
 * The desired state as Databricks can hold it: descriptions and owners removed, and
 * memberships too unless SCIM manages them (reported by `databricksUnsupported`), so
 * the planner never plans what cannot be applied nor shows a perpetual diff. Users
 * named as grantees stay: the reader resolves them.
 */
export function prepareDatabricksDesired(desired: Desired, managed: DatabricksManaged = {}): Desired {
  const roles = desired.roles.map(({ description: _d, owner: _o, ...r }) => r);
  if (managed.manageMembership) return { ...desired, roles };
  const grantees = new Set(desired.grants.map((g) => g.role));
  return { ...desired, roles, memberships: [], users: desired.users.filter((u) => grantees.has(u)) };
}
