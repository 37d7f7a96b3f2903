// The planner judges temporary memberships at a fixed clock (PlanOptions.now): pure,
// no clock of its own. Before `until` a membership is granted; from `until` on it is
// revoked in either mode; without a clock the plan carries an error and touches nothing.
import { describe, expect, it } from 'vitest';
import { makeMembership, roleKey } from '../../src/model/keys.js';
import type { Desired, Live, MembershipRecord, Platform, TemporaryAccess } from '../../src/model/types.js';
import { plan } from '../../src/plan/plan.js';
import { scopeOf } from '../../src/plan/scope.js';
import type { Change, PlanOptions } from '../../src/plan/types.js';
import { compileSnowflake } from '../../src/dialects/snowflake/compile.js';
import { compileScimChanges, type ScimSnapshot } from '../../src/dialects/databricks/scim-model.js';
import { driftReport } from '../../src/drift/drift.js';
import { renderDriftText } from '../../src/drift/render.js';

const T: TemporaryAccess = { until: '2026-12-03T18:00:00.000Z', reason: 'INC-4411', breakGlass: true };
const temp = (t: TemporaryAccess = T): MembershipRecord => makeMembership({ role: 'oncall', member: 'alice', memberKind: 'user', temporary: t });
const held = makeMembership({ role: 'oncall', member: 'alice', memberKind: 'user' });

function desired(platform: Platform, memberships: MembershipRecord[]): Desired {
  return { platform, roles: [{ key: roleKey('oncall'), name: 'oncall', state: 'present' }], users: ['alice'], memberships, grants: [], schemaWide: [], futureGrants: [] };
}
function live(platform: Platform, memberships: MembershipRecord[]): Live {
  return { platform, roles: [{ name: 'oncall', isUser: false }, { name: 'alice', isUser: true }], memberships, grants: [], futureGrants: [], schemas: [], tables: [] };
}
const opts = (d: Desired, now: string | undefined, mode: PlanOptions['mode'] = 'authoritative'): PlanOptions => ({
  mode,
  target: 't',
  scope: scopeOf(d),
  ...(now ? { now: new Date(now) } : {}),
});

interface Case {
  name: string;
  now?: string;
  mode?: PlanOptions['mode'];
  member?: MembershipRecord;
  granted: boolean;
  want: Change[];
}
const revokeExpired: Change = {
  kind: 'revokeMembership', role: 'oncall', member: 'alice', memberKind: 'user',
  reason: 'expired at 2026-12-03T18:00:00.000Z (INC-4411)', temporary: { ...T, expired: true },
};
const cases: Case[] = [
  { name: 'before until, not granted: granted, with until and reason', now: '2026-12-03T17:59:59Z', granted: false, want: [{ kind: 'grantMembership', role: 'oncall', member: 'alice', memberKind: 'user', temporary: T }] },
  { name: 'before until, granted: nothing to do', now: '2026-12-03T17:59:59Z', granted: true, want: [] },
  { name: 'at until exactly: revoked', now: '2026-12-03T18:00:00Z', granted: true, want: [revokeExpired] },
  { name: 'after until: revoked', now: '2026-12-04T00:00Z', granted: true, want: [revokeExpired] },
  { name: 'after until, additive mode: still revoked (the configuration names it)', now: '2026-12-04T00:00Z', mode: 'additive', granted: true, want: [revokeExpired] },
  { name: 'after until, not granted: nothing to do', now: '2026-12-04T00:00Z', granted: false, want: [] },
  { name: 'before since: not granted', now: '2026-12-03T09:00Z', member: temp({ ...T, since: '2026-12-03T10:00:00.000Z' }), granted: false, want: [] },
  {
    name: 'before since, granted by hand: revoked as not yet due',
    now: '2026-12-03T09:00Z',
    member: temp({ ...T, since: '2026-12-03T10:00:00.000Z' }),
    granted: true,
    want: [{ kind: 'revokeMembership', role: 'oncall', member: 'alice', memberKind: 'user', reason: 'not before 2026-12-03T10:00:00.000Z (INC-4411)', temporary: { ...T, since: '2026-12-03T10:00:00.000Z', expired: false } }],
  },
  { name: 'a permanent membership ignores the clock', now: '2099-01-01T00:00Z', member: held, granted: true, want: [] },
];

describe('temporary memberships at a fixed clock', () => {
  for (const platform of ['postgres', 'snowflake', 'databricks'] as const) {
    for (const c of cases) {
      it(`${platform}: ${c.name}`, () => {
        const d = desired(platform, [c.member ?? temp()]);
        const p = plan(d, live(platform, c.granted ? [held] : []), opts(d, c.now, c.mode));
        expect(p.problems).toEqual([]);
        expect(p.changes).toEqual(c.want);
      });
    }
  }

  it('without a clock: an error, and the live membership is neither granted nor revoked', () => {
    const d = desired('postgres', [temp()]);
    for (const granted of [true, false]) {
      const p = plan(d, live('postgres', granted ? [held] : []), opts(d, undefined));
      expect(p.changes).toEqual([]);
      expect(p.problems).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringContaining('without a clock') })]);
    }
  });

  it('the same inputs and clock give the same plan (pure)', () => {
    const d = desired('postgres', [temp()]);
    const l = live('postgres', [held]);
    expect(plan(d, l, opts(d, '2026-12-04T00:00Z'))).toEqual(plan(d, l, opts(d, '2026-12-04T00:00Z')));
  });
});

describe('the revoke of an expired membership on each platform', () => {
  it('Snowflake: REVOKE ROLE ... FROM USER', () => {
    // Names in the model are already normalized; the quoter keeps them as they are.
    expect(compileSnowflake(revokeExpired)).toEqual(['REVOKE ROLE "oncall" FROM USER "alice"']);
  });

  it('Databricks (manage_membership): a SCIM patch removing the user from the group', () => {
    const snap: ScimSnapshot = {
      groups: [{ id: 'g1', displayName: 'oncall', resourceType: 'Group', members: [{ id: 'u1', kind: 'user' }] }],
      workspaceGroups: [],
      principals: [{ id: 'u1', kind: 'user', name: 'alice' }],
      unresolved: [],
    };
    const compiled = compileScimChanges([revokeExpired], snap);
    expect(compiled.problems).toEqual([]);
    expect(compiled.ops).toEqual([expect.objectContaining({ kind: 'patchMembers', group: 'oncall', groupId: 'g1', add: [], remove: [{ kind: 'user', name: 'alice', id: 'u1' }] })]);
  });
});

describe('drift at a clock after until', () => {
  it('reports an expired membership still granted, distinct from drift by hand', () => {
    const d = desired('postgres', [temp({ ...T, since: '2026-12-03T10:00:00.000Z' })]);
    const l = live('postgres', [held, makeMembership({ role: 'oncall', member: 'bob', memberKind: 'user' })]);
    const p = plan(d, l, opts(d, '2026-12-04T00:00Z'));
    const r = driftReport(p, l, '2026-12-04T00:00:00.000Z');
    expect(r.summary).toEqual({ extra: 1, missing: 0, changed: 0, expired: 1 });
    const expired = r.items.find((i) => i.kind === 'expired');
    expect(expired).toEqual({
      key: held.key,
      kind: 'expired',
      role: 'oncall',
      description: 'user alice in break-glass role oncall: expired at 2026-12-03T18:00:00.000Z (INC-4411), still granted',
      since: '2026-12-03T10:00:00.000Z',
      temporary: { member: 'alice', reason: 'INC-4411', since: '2026-12-03T10:00:00.000Z', until: '2026-12-03T18:00:00.000Z', breakGlass: true },
    });
    const text = renderDriftText(r);
    expect(text).toContain('  - user alice in break-glass role oncall: expired at 2026-12-03T18:00:00.000Z (INC-4411), still granted\n      granted from 2026-12-03T10:00:00.000Z until 2026-12-03T18:00:00.000Z, reason: INC-4411\n');
    expect(text).toContain('Drift on target t: 1 expired but still granted, 1 granted by hand.');
  });
});
