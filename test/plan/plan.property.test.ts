import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeFutureGrant, makeGrant, makeMembership, makeObject, objectKey, roleKey } from '../../src/model/keys.js';
import { PUBLIC_ROLE, type Desired, type Live, type ObjectRef, type Privilege } from '../../src/model/types.js';
import { changeGroup, plan } from '../../src/plan/plan.js';
import { inScopeFuture, inScopeGrant, inScopeMembership, scopeOf } from '../../src/plan/scope.js';
import type { Mode } from '../../src/model/types.js';
import type { Change } from '../../src/plan/types.js';
import { applyToModel } from '../helpers/grant-model.js';

const ROLES = ['r1', 'r2', 'r3', 'r4'];
const UNMANAGED = ['u1', 'u2'];
const USERS = ['alice', 'bob', 'carol'];
const SCHEMAS = ['s1', 's2', 's3'];
const TABLES = ['t1', 't2'];
const PRIVS: Privilege[] = ['select', 'insert', 'update'];

const table = fc.tuple(fc.constantFrom(...SCHEMAS), fc.constantFrom(...TABLES)).map(([s, t]) => makeObject('table', 'db', s, t));
const schema = fc.constantFrom(...SCHEMAS).map((s) => makeObject('schema', 'db', s));
const column = fc.option(fc.constantFrom('c1', 'c2'), { nil: undefined });

// Every other kind, one object per schema each, with the privileges its catalog row lists.
const OTHER: [ObjectRef['kind'], string, string | undefined, Privilege[]][] = [
  ['view', 'v1', undefined, ['select', 'insert']],
  ['sequence', 'q1', undefined, ['usage', 'select', 'update']],
  ['function', 'f', '(text)', ['execute']],
  ['function', 'f', '(integer)', ['execute']],
  ['procedure', 'p', '()', ['execute']],
  ['type', 'ty', undefined, ['usage']],
];
const other = fc
  .tuple(fc.constantFrom(...SCHEMAS), fc.constantFrom(...OTHER), fc.nat(2))
  .map(([s, [kind, name, sig, privs], i]) => ({ object: makeObject(kind, 'db', s, name, sig), privilege: privs[i % privs.length] }));
const OBJECTS: ObjectRef[] = [
  ...SCHEMAS.map((s) => makeObject('schema', 'db', s)),
  ...SCHEMAS.flatMap((s) => TABLES.map((t) => makeObject('table', 'db', s, t))),
  ...SCHEMAS.flatMap((s) => OTHER.map(([kind, name, sig]) => makeObject(kind, 'db', s, name, sig))),
];
const WIDE_KINDS: { kinds: ObjectRef['kind'][]; privs: Privilege[] }[] = [
  { kinds: ['table'], privs: PRIVS },
  { kinds: ['table', 'view'], privs: ['select'] },
  { kinds: ['sequence'], privs: ['usage'] },
  { kinds: ['function'], privs: ['execute'] },
];

function grantArb(roles: string[]) {
  return fc.oneof(
    fc
      .tuple(fc.constantFrom(...roles), fc.constantFrom(...PRIVS), table, column, fc.boolean())
      .map(([role, privilege, object, col, go]) => makeGrant({ role, privilege, object, column: col, ...(go && !col ? { grantOption: true } : {}) })),
    fc.tuple(fc.constantFrom(...roles), other, fc.boolean()).map(([role, o, go]) => makeGrant({ role, ...o, ...(go ? { grantOption: true } : {}) })),
  );
}

const desiredArb = fc
  .record({
    managed: fc.subarray(ROLES, { minLength: 1 }),
    absent: fc.subarray(ROLES),
    grants: fc.array(fc.tuple(fc.nat(3), fc.constantFrom(...PRIVS), table, column), { maxLength: 12 }),
    others: fc.array(fc.tuple(fc.nat(3), other, fc.boolean()), { maxLength: 6 }),
    wide: fc.array(fc.tuple(fc.nat(3), fc.constantFrom(...WIDE_KINDS), fc.nat(2), fc.option(schema, { nil: undefined }), fc.boolean()), { maxLength: 3 }),
    members: fc.array(fc.tuple(fc.nat(3), fc.constantFrom(...USERS)), { maxLength: 5 }),
    inherits: fc.array(fc.tuple(fc.nat(3), fc.nat(3)), { maxLength: 3 }),
  })
  .map(({ managed, absent, grants, others, wide, members, inherits }): Desired => {
    const pick = (i: number) => managed[i % managed.length];
    const absentSet = new Set(absent.filter((r) => managed.includes(r) && r !== managed[0]));
    const present = managed.filter((r) => !absentSet.has(r));
    const pickPresent = (i: number) => present[i % present.length];
    return {
      platform: 'postgres',
      roles: managed.map((name) => ({ key: roleKey(name), name, state: absentSet.has(name) ? 'absent' : 'present', description: `${name} role` })),
      users: USERS,
      memberships: [
        ...members.map(([i, u]) => makeMembership({ role: pickPresent(i), member: u, memberKind: 'user' })),
        ...inherits
          .map(([a, b]) => [pickPresent(a), pickPresent(b)])
          .filter(([a, b]) => a !== b)
          .map(([a, b]) => makeMembership({ role: a, member: b, memberKind: 'role' })),
      ],
      grants: [
        ...grants.map(([i, privilege, object, col]) => makeGrant({ role: pick(i), privilege, object, column: col })),
        ...others.map(([i, o, go]) => makeGrant({ role: pick(i), ...o, ...(go ? { grantOption: true } : {}) })),
      ],
      // On a schema, or (no schema) on the whole database; existing and future or existing only.
      schemaWide: wide.map(([i, w, p, s, future]) => ({ role: pick(i), privilege: w.privs[p % w.privs.length], schema: s ?? makeObject('database', 'db'), kinds: w.kinds, future })),
      futureGrants: [],
    };
  });

const liveArb = fc
  .record({
    roles: fc.subarray([...ROLES, ...UNMANAGED]),
    grants: fc.array(grantArb([...ROLES, ...UNMANAGED, PUBLIC_ROLE]), { maxLength: 15 }),
    members: fc.array(fc.tuple(fc.constantFrom(...ROLES, ...UNMANAGED), fc.constantFrom(...USERS)), { maxLength: 6 }),
    futures: fc.array(fc.tuple(fc.constantFrom(...ROLES, ...UNMANAGED), fc.constantFrom(...PRIVS), schema), { maxLength: 4 }),
    descriptions: fc.boolean(),
  })
  .map(({ roles, grants, members, futures, descriptions }): Live => ({
    platform: 'postgres',
    roles: [
      ...roles.map((name) => ({ name, isUser: false, description: descriptions ? `${name} role` : 'stale' })),
      ...USERS.map((name) => ({ name, isUser: true })),
    ],
    memberships: members.map(([role, u]) => makeMembership({ role, member: u, memberKind: 'user' })),
    grants,
    futureGrants: futures.map(([role, privilege, s]) => makeFutureGrant({ role, privilege, schema: s, objectType: 'tables', forRole: 'owner' })),
    schemas: SCHEMAS.map((s) => makeObject('schema', 'db', s)),
    tables: SCHEMAS.flatMap((s) => TABLES.map((t) => ({ object: makeObject('table', 'db', s, t), columns: ['c1', 'c2'] }))),
    objects: OBJECTS,
  }));

function touched(c: Change): { role: string; object?: ObjectRef } {
  if (c.kind === 'grant' || c.kind === 'revoke') return { role: c.role, object: c.object };
  return { role: changeGroup(c) };
}

describe('planner properties', () => {
  it('applying the plan to the live state leaves an empty next plan (both modes)', () => {
    fc.assert(
      fc.property(desiredArb, liveArb, fc.constantFrom<Mode>('authoritative', 'additive'), (d, l, mode) => {
        const options = { mode, target: 't', scope: scopeOf(d), futureGrantCreators: ['owner'] };
        const p1 = plan(d, l, options);
        const after = applyToModel(l, p1.changes);
        const p2 = plan(d, after, options);
        expect(p2.changes).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('never revokes anything outside the managed scope, and additive never revokes', () => {
    fc.assert(
      fc.property(desiredArb, liveArb, fc.constantFrom<Mode>('authoritative', 'additive'), (d, l, mode) => {
        const scope = scopeOf(d);
        const p = plan(d, l, { mode, target: 't', scope });
        for (const c of p.changes) {
          if (c.kind === 'revoke') expect(inScopeGrant({ role: c.role, object: c.object }, scope)).toBe(true);
          if (c.kind === 'revokeMembership') expect(inScopeMembership(makeMembership(c), scope)).toBe(true);
          if (c.kind === 'revokeFuture') {
            for (const privilege of c.privileges) expect(inScopeFuture(makeFutureGrant({ ...c, privilege }), scope)).toBe(true);
          }
          if (c.kind === 'dropRole') expect(d.roles.find((r) => r.name === c.role)?.state).toBe('absent');
          if (mode === 'additive') expect(['revoke', 'revokeMembership', 'revokeFuture', 'dropRole']).not.toContain(c.kind);
          const t = touched(c);
          expect(scope.roles.has(t.role) || t.role === PUBLIC_ROLE || c.kind === 'revokeMembership').toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

// --- rbac's own objects and grant options ------------------------------------------
// A masking view rbac owns: any grant on it the configuration did not ask for, by any
// grantee (managed or not, in either mode), must be gone after the plan is applied.
const TOOL_VIEW = makeObject('table', 'db', 's1', 't1_masked');
const toolGrantArb = fc
  .tuple(fc.constantFrom(...ROLES, ...UNMANAGED, PUBLIC_ROLE), fc.constantFrom(...PRIVS), fc.boolean())
  .map(([role, privilege, grantOption]) => ({ ...makeGrant({ role, privilege, object: TOOL_VIEW }), ...(grantOption ? { grantOption: true } : {}) }));

/** Live grants that carry grant options and grantors: managed roles passing privileges on to each other. */
const optionLiveArb = fc
  .tuple(
    liveArb,
    fc.array(toolGrantArb, { maxLength: 6 }),
    fc.array(fc.tuple(fc.nat(20), fc.boolean(), fc.constantFrom(...ROLES)), { maxLength: 8 }),
  )
  .map(([l, tool, options]): Live => {
    const grants = l.grants.map((g) => ({ ...g, grantors: ['owner'] }));
    for (const [i, withOption, grantor] of options) {
      const g = grants[i % Math.max(grants.length, 1)];
      if (!g) continue;
      // Either the grant option itself, or a grant another managed role made with one it holds.
      if (withOption) g.grantOption = true;
      else if (grantor !== g.role) {
        const source = grants.find((x) => x.role === grantor && x.privilege === g.privilege && objectKey(x.object) === objectKey(g.object) && (x.column ?? '') === (g.column ?? ''));
        if (source) {
          source.grantOption = true;
          g.grantors = [...new Set([...(g.grantors ?? []), grantor])].sort();
        }
      }
    }
    // A reader reports one record per key (two grantors, or the option from either, merged).
    const byKey = new Map<string, (typeof grants)[number]>();
    for (const g of [...grants, ...tool.map((g) => ({ ...g, grantors: ['owner'] }))]) {
      const have = byKey.get(g.key);
      if (!have) byKey.set(g.key, { ...g });
      else {
        if (g.grantOption) have.grantOption = true;
        have.grantors = [...new Set([...(have.grantors ?? []), ...(g.grantors ?? [])])].sort();
      }
    }
    return {
      ...l,
      grants: [...byKey.values()],
      tables: [...l.tables, { object: TOOL_VIEW, columns: ['c1', 'c2'] }],
      toolObjects: [objectKey(TOOL_VIEW)],
    };
  });

const optionDesiredArb = fc.tuple(desiredArb, fc.array(fc.nat(20), { maxLength: 4 }), fc.array(fc.constantFrom(...PRIVS), { maxLength: 2 })).map(([d, withOption, onView]): Desired => {
  const grants = d.grants.map((g, i) => (withOption.includes(i) ? { ...g, grantOption: true } : g));
  const managed = d.roles.filter((r) => r.state === 'present').map((r) => r.name);
  return { ...d, grants: [...grants, ...onView.map((privilege, i) => makeGrant({ role: managed[i % managed.length], privilege, object: TOOL_VIEW }))] };
});

describe('planner properties: rbac-owned objects and grant options', () => {
  it('no plan leaves a grant on an rbac-owned object that the configuration did not ask for (either mode)', () => {
    fc.assert(
      fc.property(optionDesiredArb, optionLiveArb, fc.constantFrom<Mode>('authoritative', 'additive'), (d, l, mode) => {
        const options = { mode, target: 't', scope: scopeOf(d), futureGrantCreators: ['owner'] };
        const p = plan(d, l, options);
        if (p.problems.some((x) => x.severity === 'error')) return;
        const after = applyToModel(l, p.changes);
        const wanted = new Set(d.grants.filter((g) => d.roles.find((r) => r.name === g.role)?.state !== 'absent').map((g) => g.key));
        const onTool = after.grants.filter((g) => objectKey(g.object) === objectKey(TOOL_VIEW));
        for (const g of onTool) expect(wanted.has(g.key), `${g.key} left on the rbac-owned view`).toBe(true);
        // `objects:` never reaches the view.
        for (const c of p.changes) if (c.kind === 'grant' && objectKey(c.object) === objectKey(TOOL_VIEW)) {
          for (const privilege of c.privileges) expect(wanted.has(makeGrant({ role: c.role, privilege, object: c.object }).key)).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('grant options converge: after an authoritative apply only the grant options asked for remain, and the next plan is empty', () => {
    fc.assert(
      fc.property(optionDesiredArb, optionLiveArb, (d, l) => {
        const options = { mode: 'authoritative' as const, target: 't', scope: scopeOf(d), futureGrantCreators: ['owner'] };
        const p1 = plan(d, l, options);
        // A cascade that would reach an unmanaged role is refused, never half done.
        if (p1.problems.some((x) => x.severity === 'error')) {
          expect(p1.problems.some((x) => /which rbac does not manage/.test(x.message))).toBe(true);
          return;
        }
        const after = applyToModel(l, p1.changes); // throws if a revoke lacks a needed CASCADE
        const p2 = plan(d, after, options);
        expect(p2.changes).toEqual([]);
        const scope = scopeOf(d);
        const optioned = new Set(d.grants.filter((g) => g.grantOption).map((g) => g.key));
        for (const g of after.grants) if (g.grantOption && inScopeGrant(g, scope)) expect(optioned.has(g.key), g.key).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});
