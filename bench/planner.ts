/**
 * Planner benchmark: 1,000,000 desired grants against a live state that differs by
 * 10% (5% missing, 5% extra). Target: at most 3 s and 2 GB peak memory on 2 cores.
 * Only plan() is timed; building the inputs is not.
 */
import { makeGrant, makeObject, roleKey } from '../src/model/keys.js';
import type { Desired, GrantRecord, Live, Privilege } from '../src/model/types.js';
import { plan } from '../src/plan/plan.js';
import { scopeOf } from '../src/plan/scope.js';

export async function benchPlanner(size = 1_000_000): Promise<Record<string, unknown>> {
  const roles = 200;
  const privs: Privilege[] = ['select', 'insert', 'update', 'delete', 'truncate'];
  const tablesPerRole = Math.ceil(size / roles / privs.length);
  const desiredGrants: GrantRecord[] = [];
  const liveGrants: GrantRecord[] = [];
  let i = 0;
  outer: for (let r = 0; r < roles; r++) {
    for (let t = 0; t < tablesPerRole; t++) {
      const object = makeObject('table', 'ehr', `s${t % 50}`, `t${t}`);
      for (const privilege of privs) {
        if (i >= size) break outer;
        const g = makeGrant({ role: `role_${r}`, privilege, object });
        desiredGrants.push(g);
        // 5% missing from live, 5% extra in live (a different privilege on another table).
        // Live records are built separately, as a reader builds them: equal keys, but
        // distinct strings and objects, so the planner compares contents, not identities.
        if (i % 20 !== 0) liveGrants.push(makeGrant({ role: `role_${r}`, privilege, object: makeObject('table', 'ehr', `s${t % 50}`, `t${t}`) }));
        if (i % 20 === 1) liveGrants.push(makeGrant({ role: `role_${r}`, privilege, object: makeObject('table', 'ehr', 'extra', `x${i}`) }));
        i++;
      }
    }
  }
  const desired: Desired = {
    platform: 'postgres',
    roles: Array.from({ length: roles }, (_, r) => ({ key: roleKey(`role_${r}`), name: `role_${r}`, state: 'present' as const })),
    users: [],
    memberships: [],
    grants: desiredGrants,
    schemaWide: [],
    futureGrants: [],
  };
  const live: Live = {
    platform: 'postgres',
    roles: desired.roles.map((r) => ({ name: r.name, isUser: false })),
    memberships: [],
    grants: liveGrants,
    futureGrants: [],
    schemas: [],
    tables: [],
  };
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
  const t0 = performance.now();
  const p = plan(desired, live, { mode: 'authoritative', target: 'bench', scope: scopeOf(desired) });
  const ms = performance.now() - t0;
  clearInterval(timer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return {
    name: 'planner',
    desiredGrants: desiredGrants.length,
    liveGrants: liveGrants.length,
    changes: p.changes.length,
    add: p.summary.add,
    remove: p.summary.remove,
    ms: Math.round(ms),
    peakRssMB: Math.round(peakRss / 1048576),
    targetMs: 3000,
    targetPeakMB: 2048,
    pass: ms <= 3000 && peakRss <= 2 * 1024 ** 3,
  };
}
