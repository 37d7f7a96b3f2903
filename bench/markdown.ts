/**
 * Markdown benchmark: a 500-role PostgreSQL plan (each role grants on its tables, holds
 * two parent roles and three users; a tenth of it changed by hand), planned, compiled
 * and rendered as the pull-request comment within the default --max-chars. Prints
 * the render time, the full and the fitted size and what was left out. The same
 * generator feeds test/render/markdown-fit.test.ts.
 */
import { compilePostgresPlan } from '../src/dialects/postgres/compile.js';
import type { Statement } from '../src/dialects/types.js';
import { makeGrant, makeMembership, makeObject, roleKey } from '../src/model/keys.js';
import type { Desired, GrantRecord, Live, MembershipRecord } from '../src/model/types.js';
import { plan } from '../src/plan/plan.js';
import { scopeOf } from '../src/plan/scope.js';
import type { Plan } from '../src/plan/types.js';
import { DEFAULT_MAX_CHARS, renderPlanMarkdownFit, type HierarchyEdge } from '../src/render/markdown.js';

export interface BigPlan {
  plan: Plan;
  statements: Statement[];
  hierarchy: HierarchyEdge[];
}

/** A plan over `roles` roles in which every 10th role lost a grant and a user by hand-made drift, and every 7th is new. */
export function bigPlan(roles = 500): BigPlan {
  const name = (r: number) => `clinical_role_${String(r).padStart(4, '0')}`;
  const desiredGrants: GrantRecord[] = [];
  const liveGrants: GrantRecord[] = [];
  const desiredMembers: MembershipRecord[] = [];
  const liveMembers: MembershipRecord[] = [];
  for (let r = 0; r < roles; r++) {
    const role = name(r);
    const isNew = r % 7 === 3;
    for (let t = 0; t < 4; t++) {
      const g = makeGrant({ role, privilege: 'select', object: makeObject('table', 'ehr', `facility_${r % 20}`, `encounters_${t}`) });
      desiredGrants.push(g);
      if (!isNew) liveGrants.push(g);
    }
    // Hand-made drift: an extra grant and an extra user, which an authoritative plan revokes.
    if (r % 10 === 0) {
      liveGrants.push(makeGrant({ role, privilege: 'delete', object: makeObject('table', 'ehr', `facility_${r % 20}`, 'patients') }));
      liveMembers.push(makeMembership({ role, member: `contractor_${r}`, memberKind: 'user' }));
    }
    for (let u = 0; u < 3; u++) {
      const m = makeMembership({ role, member: `user_${r}_${u}`, memberKind: 'user' });
      desiredMembers.push(m);
      if (!isNew) liveMembers.push(m);
    }
    for (const p of [Math.floor(r / 2), Math.floor(r / 3)]) {
      if (p === r) continue;
      const m = makeMembership({ role: name(p), member: role, memberKind: 'role' });
      desiredMembers.push(m);
      if (!isNew && r % 5 !== 1) liveMembers.push(m);
    }
  }
  const roleNames = Array.from({ length: roles }, (_, r) => name(r));
  const users = [...new Set(desiredMembers.filter((m) => m.memberKind === 'user').map((m) => m.member))];
  const desired: Desired = {
    platform: 'postgres',
    roles: roleNames.map((n) => ({ key: roleKey(n), name: n, state: 'present' as const })),
    users,
    memberships: desiredMembers,
    grants: desiredGrants,
    schemaWide: [],
    futureGrants: [],
  };
  // Every user exists on the target (rbac does not create users), members or not.
  const liveUsers = [...new Set([...users, ...liveMembers.filter((m) => m.memberKind === 'user').map((m) => m.member)])];
  const live: Live = {
    platform: 'postgres',
    roles: [...roleNames.filter((_, r) => r % 7 !== 3).map((n) => ({ name: n, isUser: false })), ...liveUsers.map((u) => ({ name: u, isUser: true }))],
    memberships: liveMembers,
    grants: liveGrants,
    futureGrants: [],
    schemas: [],
    tables: [],
  };
  const p = plan(desired, live, { mode: 'authoritative', target: 'warehouse', scope: scopeOf(desired) });
  return {
    plan: p,
    statements: compilePostgresPlan(p, {}),
    hierarchy: desiredMembers.filter((m) => m.memberKind === 'role').map((m) => ({ role: m.role, member: m.member })),
  };
}

export async function benchMarkdown(roles = 500): Promise<Record<string, unknown>> {
  const big = bigPlan(roles);
  const full = renderPlanMarkdownFit(big.plan, big.statements, { hierarchy: big.hierarchy, maxChars: Number.MAX_SAFE_INTEGER });
  const runs = 20;
  const t0 = performance.now();
  let fit = renderPlanMarkdownFit(big.plan, big.statements, { hierarchy: big.hierarchy });
  for (let i = 1; i < runs; i++) fit = renderPlanMarkdownFit(big.plan, big.statements, { hierarchy: big.hierarchy });
  const ms = (performance.now() - t0) / runs;
  return {
    name: 'markdown',
    roles,
    changes: big.plan.changes.length,
    destructive: big.plan.summary.destructive,
    statements: big.statements.length,
    fullChars: full.markdown.length,
    maxChars: DEFAULT_MAX_CHARS,
    chars: fit.markdown.length,
    omittedRoles: fit.omittedRoles,
    omittedChanges: fit.omittedChanges,
    graph: fit.graph,
    msPerRender: Math.round(ms * 10) / 10,
    pass: fit.fits && fit.markdown.length <= DEFAULT_MAX_CHARS,
  };
}
