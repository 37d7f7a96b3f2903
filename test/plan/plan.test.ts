import { describe, expect, it } from 'vitest';
import { makeFutureGrant, makeGrant, makeMembership, makeObject, maskingPolicyKey, roleKey, rowAccessPolicyKey } from '../../src/model/keys.js';
import { PUBLIC_ROLE, type Desired, type Live, type MaskingPolicyRecord, type RowAccessPolicyRecord } from '../../src/model/types.js';
import { plan } from '../../src/plan/plan.js';
import { scopeOf } from '../../src/plan/scope.js';
import type { Change, PlanOptions } from '../../src/plan/types.js';
import { applyToModel } from '../helpers/grant-model.js';

const patients = makeObject('table', 'ehr', 'clinical', 'patients');
const encounters = makeObject('table', 'ehr', 'clinical', 'encounters');
const claims = makeObject('table', 'ehr', 'billing', 'claims');
const billing = makeObject('schema', 'ehr', 'billing');
const clinical = makeObject('schema', 'ehr', 'clinical');
const other = makeObject('table', 'ehr', 'scratch', 'notes');

function desired(p: Partial<Desired>): Desired {
  return { platform: 'postgres', roles: [], users: [], memberships: [], grants: [], schemaWide: [], futureGrants: [], ...p };
}
function live(p: Partial<Live>): Live {
  return { platform: 'postgres', roles: [], memberships: [], grants: [], futureGrants: [], schemas: [], tables: [], ...p };
}
const role = (name: string, extra: object = {}) => ({ key: roleKey(name), name, state: 'present' as const, ...extra });
const lrole = (name: string, extra: object = {}) => ({ name, isUser: false, ...extra });
const user = (name: string) => ({ name, isUser: true });
const opts = (d: Desired, p: Partial<PlanOptions> = {}): PlanOptions => ({
  mode: 'authoritative',
  target: 'test',
  scope: scopeOf(d),
  ...p,
});
const kinds = (cs: Change[]) => cs.map((c) => c.kind);

interface Case {
  name: string;
  desired: Desired;
  live: Live;
  options?: Partial<PlanOptions>;
  want: Change[];
}

const analyst = role('clinical_analyst', { description: 'd', owner: 'o' });
const cases: Case[] = [
  {
    name: 'nothing to do when live matches',
    desired: desired({ roles: [analyst], grants: [makeGrant({ role: 'clinical_analyst', privilege: 'select', object: patients })] }),
    live: live({
      roles: [lrole('clinical_analyst', { description: 'd', owner: 'o' })],
      grants: [makeGrant({ role: 'clinical_analyst', privilege: 'select', object: patients })],
    }),
    want: [],
  },
  {
    name: 'creates a missing role before granting to it',
    desired: desired({ roles: [analyst], grants: [makeGrant({ role: 'clinical_analyst', privilege: 'select', object: patients })] }),
    live: live({}),
    want: [
      { kind: 'createRole', role: 'clinical_analyst', description: 'd', owner: 'o' },
      { kind: 'grant', role: 'clinical_analyst', privileges: ['select'], object: patients },
    ],
  },
  {
    name: 'groups table-level privileges of one object in canonical order',
    desired: desired({
      roles: [analyst],
      grants: [
        makeGrant({ role: 'clinical_analyst', privilege: 'update', object: patients }),
        makeGrant({ role: 'clinical_analyst', privilege: 'select', object: patients }),
      ],
    }),
    live: live({ roles: [lrole('clinical_analyst', { description: 'd', owner: 'o' })] }),
    want: [{ kind: 'grant', role: 'clinical_analyst', privileges: ['select', 'update'], object: patients }],
  },
  {
    name: 'column grants group by privilege with sorted columns; table-level extra is revoked first',
    desired: desired({
      roles: [analyst],
      grants: ['zip3', 'patient_id'].map((column) => makeGrant({ role: 'clinical_analyst', privilege: 'select', object: patients, column })),
    }),
    live: live({
      roles: [lrole('clinical_analyst', { description: 'd', owner: 'o' })],
      grants: [makeGrant({ role: 'clinical_analyst', privilege: 'select', object: patients })],
    }),
    want: [
      { kind: 'revoke', role: 'clinical_analyst', privileges: ['select'], object: patients, reason: 'not in configuration' },
      { kind: 'grant', role: 'clinical_analyst', privileges: ['select'], object: patients, columns: ['patient_id', 'zip3'] },
    ],
  },
  {
    name: 'additive mode never revokes, and a table-level grant covers a desired column grant',
    desired: desired({
      roles: [analyst],
      grants: [makeGrant({ role: 'clinical_analyst', privilege: 'select', object: patients, column: 'zip3' })],
    }),
    live: live({
      roles: [lrole('clinical_analyst', { description: 'd', owner: 'o' })],
      grants: [
        makeGrant({ role: 'clinical_analyst', privilege: 'select', object: patients }),
        makeGrant({ role: 'clinical_analyst', privilege: 'delete', object: encounters }),
      ],
    }),
    options: { mode: 'additive' },
    want: [],
  },
  {
    name: 'revokes a former member and an extra privilege; leaves unmanaged roles alone',
    desired: desired({
      roles: [analyst],
      users: ['alice'],
      memberships: [makeMembership({ role: 'clinical_analyst', member: 'alice', memberKind: 'user' })],
      grants: [makeGrant({ role: 'clinical_analyst', privilege: 'select', object: encounters })],
    }),
    live: live({
      roles: [lrole('clinical_analyst', { description: 'd', owner: 'o' }), user('alice'), user('mallory'), lrole('legacy')],
      memberships: [
        makeMembership({ role: 'clinical_analyst', member: 'alice', memberKind: 'user' }),
        makeMembership({ role: 'clinical_analyst', member: 'mallory', memberKind: 'user' }),
        makeMembership({ role: 'legacy', member: 'mallory', memberKind: 'user' }),
      ],
      grants: [
        makeGrant({ role: 'clinical_analyst', privilege: 'select', object: encounters }),
        makeGrant({ role: 'clinical_analyst', privilege: 'delete', object: encounters }),
        makeGrant({ role: 'legacy', privilege: 'select', object: patients }),
      ],
    }),
    want: [
      { kind: 'revokeMembership', role: 'clinical_analyst', member: 'mallory', memberKind: 'user', reason: 'not in configuration' },
      { kind: 'revoke', role: 'clinical_analyst', privileges: ['delete'], object: encounters, reason: 'not in configuration' },
    ],
  },
  {
    name: 'PUBLIC grants are revoked only inside managed schemas',
    desired: desired({ roles: [analyst], grants: [makeGrant({ role: 'clinical_analyst', privilege: 'select', object: encounters })] }),
    live: live({
      roles: [lrole('clinical_analyst', { description: 'd', owner: 'o' })],
      grants: [
        makeGrant({ role: 'clinical_analyst', privilege: 'select', object: encounters }),
        makeGrant({ role: PUBLIC_ROLE, privilege: 'select', object: patients }),
        makeGrant({ role: PUBLIC_ROLE, privilege: 'select', object: other }),
        makeGrant({ role: PUBLIC_ROLE, privilege: 'connect', object: makeObject('database', 'ehr') }),
      ],
    }),
    want: [{ kind: 'revoke', role: PUBLIC_ROLE, privileges: ['select'], object: patients, reason: 'not in configuration' }],
  },
  {
    name: 'objects: tables expands per live table and adds a future grant per creator',
    desired: desired({
      roles: [role('billing_auditor')],
      schemaWide: [{ role: 'billing_auditor', privilege: 'select', schema: billing, kinds: ['table'], future: true }],
    }),
    live: live({
      roles: [lrole('billing_auditor')],
      tables: [{ object: claims, columns: ['claim_id'] }, { object: patients, columns: [] }],
      grants: [makeGrant({ role: 'billing_auditor', privilege: 'select', object: claims })],
    }),
    options: { futureGrantCreators: ['owner'] },
    want: [
      { kind: 'grantFuture', role: 'billing_auditor', privileges: ['select'], schema: billing, objectType: 'tables', forRole: 'owner' },
    ],
  },
  {
    name: 'a retired role loses its grants and memberships, then is dropped last',
    desired: desired({ roles: [role('old_role', { state: 'absent' })] }),
    live: live({
      roles: [lrole('old_role'), user('erin')],
      memberships: [makeMembership({ role: 'old_role', member: 'erin', memberKind: 'user' })],
      grants: [makeGrant({ role: 'old_role', privilege: 'usage', object: clinical })],
      futureGrants: [makeFutureGrant({ role: 'old_role', privilege: 'select', schema: clinical, objectType: 'tables', forRole: 'owner' })],
    }),
    want: [
      { kind: 'revokeMembership', role: 'old_role', member: 'erin', memberKind: 'user', reason: 'not in configuration' },
      { kind: 'revokeFuture', role: 'old_role', privileges: ['select'], schema: clinical, objectType: 'tables', forRole: 'owner', reason: 'not in configuration' },
      { kind: 'revoke', role: 'old_role', privileges: ['usage'], object: clinical, reason: 'not in configuration' },
      { kind: 'dropRole', role: 'old_role' },
    ],
  },
  {
    name: 'description or owner drift is a change in place',
    desired: desired({ roles: [analyst] }),
    live: live({ roles: [lrole('clinical_analyst', { description: 'old', owner: 'o' })] }),
    want: [{ kind: 'alterRole', role: 'clinical_analyst', from: { description: 'old', owner: 'o' }, to: { description: 'd', owner: 'o' } }],
  },
  {
    name: 'the tool login keeps its own membership of managed roles',
    desired: desired({ roles: [analyst] }),
    live: live({
      currentUser: 'rbac_admin',
      roles: [lrole('clinical_analyst', { description: 'd', owner: 'o' }), user('rbac_admin')],
      memberships: [makeMembership({ role: 'clinical_analyst', member: 'rbac_admin', memberKind: 'user' })],
    }),
    want: [],
  },
  {
    name: 'a managed role that inherits an unmanaged role by hand loses it',
    desired: desired({ roles: [analyst] }),
    live: live({
      roles: [lrole('clinical_analyst', { description: 'd', owner: 'o' }), lrole('pg_read_all_data')],
      memberships: [makeMembership({ role: 'pg_read_all_data', member: 'clinical_analyst', memberKind: 'role' })],
    }),
    want: [{ kind: 'revokeMembership', role: 'pg_read_all_data', member: 'clinical_analyst', memberKind: 'role', reason: 'not in configuration' }],
  },
];

describe('plan (table-driven)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const p = plan(c.desired, c.live, opts(c.desired, c.options));
      expect(p.changes).toEqual(c.want);
      // Convergence on the model: applying the plan leaves nothing to do.
      const after = applyToModel(c.live, p.changes);
      expect(plan(c.desired, after, opts(c.desired, c.options)).changes).toEqual([]);
    });
  }
});

describe('plan metadata', () => {
  const d = desired({ roles: [analyst], users: ['zed'], memberships: [makeMembership({ role: 'clinical_analyst', member: 'zed', memberKind: 'user' })] });
  it('reports a member that does not exist as an error problem', () => {
    const p = plan(d, live({}), opts(d));
    expect(p.problems).toHaveLength(1);
    expect(p.problems[0].severity).toBe('error');
    expect(p.problems[0].message).toContain('user zed does not exist');
  });
  it('summarizes adds, removes and destructive changes', () => {
    const dd = cases[5].desired;
    const p = plan(dd, cases[5].live, opts(dd));
    expect(p.summary).toEqual({ add: 0, change: 0, remove: 2, destructive: 2 });
    expect(kinds(p.changes)).toEqual(['revokeMembership', 'revoke']);
  });
  it('fingerprint changes when an in-scope grant changes, not when an out-of-scope one does', () => {
    const base = cases[6].live;
    const f0 = plan(cases[6].desired, base, opts(cases[6].desired)).liveFingerprint;
    const outOfScope = live({ ...base, grants: [...base.grants, makeGrant({ role: 'legacy', privilege: 'select', object: patients })] });
    const inScope = live({ ...base, grants: [...base.grants, makeGrant({ role: 'clinical_analyst', privilege: 'insert', object: patients })] });
    expect(plan(cases[6].desired, outOfScope, opts(cases[6].desired)).liveFingerprint).toBe(f0);
    expect(plan(cases[6].desired, inScope, opts(cases[6].desired)).liveFingerprint).not.toBe(f0);
    const reordered = live({ ...base, grants: [...base.grants].reverse() });
    expect(plan(cases[6].desired, reordered, opts(cases[6].desired)).liveFingerprint).toBe(f0);
  });
  it('is deterministic whatever the input order', () => {
    const dd = desired({
      roles: [role('a'), role('b')],
      grants: [
        makeGrant({ role: 'b', privilege: 'select', object: patients }),
        makeGrant({ role: 'a', privilege: 'select', object: encounters }),
        makeGrant({ role: 'a', privilege: 'select', object: patients }),
      ],
    });
    const rev = { ...dd, roles: [...dd.roles].reverse(), grants: [...dd.grants].reverse() };
    expect(plan(dd, live({}), opts(dd)).changes).toEqual(plan(rev, live({}), opts(rev)).changes);
  });
});

describe('neverRevoke', () => {
  it('keeps live grants of privileges the platform never revokes (Snowflake OWNERSHIP)', () => {
    const d = desired({ roles: [role('owner_role')] });
    const l = live({
      roles: [lrole('owner_role')],
      grants: [
        makeGrant({ role: 'owner_role', privilege: 'ownership', object: patients }),
        makeGrant({ role: 'owner_role', privilege: 'select', object: patients }),
      ],
    });
    const p = plan(d, l, opts(d, { neverRevoke: ['ownership'] }));
    expect(p.changes).toEqual([{ kind: 'revoke', role: 'owner_role', privileges: ['select'], object: patients, reason: 'not in configuration' }]);
    expect(plan(d, l, opts(d)).changes[0]).toMatchObject({ kind: 'revoke', privileges: ['select', 'ownership'] });
  });
});

describe('policies', () => {
  const ssn = { table: patients, column: 'ssn' };
  const name = { table: patients, column: 'full_name' };
  const mask = (over: Partial<MaskingPolicyRecord> = {}): MaskingPolicyRecord => ({
    key: maskingPolicyKey('ssn_last4'),
    name: 'ssn_last4',
    schema: clinical,
    mask: 'last4',
    unmaskedFor: ['privacy_officer'],
    columns: [ssn],
    ...over,
  });
  const rows = (over: Partial<RowAccessPolicyRecord> = {}): RowAccessPolicyRecord => ({
    key: rowAccessPolicyKey('own_facility'),
    name: 'own_facility',
    schema: clinical,
    table: encounters,
    rules: [{ roles: ['clinical_analyst'], where: "facility_id = 'F01'" }],
    ...over,
  });
  const run = (d: Partial<Desired>, l: Partial<Live>, mode: 'authoritative' | 'additive' = 'authoritative') => {
    const dd = desired(d);
    const ll = live(l);
    const p = plan(dd, ll, opts(dd, { mode }));
    expect(plan(dd, applyToModel(ll, p.changes), opts(dd, { mode })).changes).toEqual([]);
    return p;
  };

  it('creates missing policies before grants and after revokes', () => {
    const p = run(
      { roles: [analyst], maskingPolicies: [mask()], rowAccessPolicies: [rows()], grants: [makeGrant({ role: 'clinical_analyst', privilege: 'select', object: encounters })] },
      { roles: [lrole('clinical_analyst', { description: 'd', owner: 'o' })], grants: [makeGrant({ role: 'clinical_analyst', privilege: 'delete', object: encounters })] },
    );
    expect(kinds(p.changes)).toEqual(['revoke', 'createRowAccessPolicy', 'createMaskingPolicy', 'grant']);
  });

  it('an exemption change is an alter with a definition diff; a new column is an attach', () => {
    const p = run({ maskingPolicies: [mask({ unmaskedFor: ['auditor', 'privacy_officer'], columns: [name, ssn] })] }, { maskingPolicies: [mask()] });
    expect(p.changes).toEqual([
      { kind: 'alterMaskingPolicy', from: mask(), to: mask({ unmaskedFor: ['auditor', 'privacy_officer'], columns: [name, ssn] }) },
      { kind: 'attachMaskingPolicy', policy: mask({ unmaskedFor: ['auditor', 'privacy_officer'], columns: [name, ssn] }), column: name },
    ]);
    expect(p.summary).toEqual({ add: 1, change: 1, remove: 0, destructive: 0 });
  });

  it('a column no longer masked is a destructive detach; a policy no longer configured is dropped', () => {
    const p = run({}, { maskingPolicies: [mask({ columns: [name, ssn] })], rowAccessPolicies: [rows()] });
    expect(kinds(p.changes).sort()).toEqual(['dropMaskingPolicy', 'dropRowAccessPolicy']);
    expect(p.summary.destructive).toBe(2);
    const q = run({ maskingPolicies: [mask()] }, { maskingPolicies: [mask({ columns: [name, ssn] })] });
    expect(q.changes).toEqual([{ kind: 'detachMaskingPolicy', policy: mask({ columns: [name, ssn] }), column: name }]);
  });

  it('changed row rules are an alter; a moved policy is drop + create; additive never drops', () => {
    const p = run({ rowAccessPolicies: [rows({ rules: [{ roles: ['clinical_analyst'], where: "facility_id = 'F02'" }] })] }, { rowAccessPolicies: [rows()] });
    expect(kinds(p.changes)).toEqual(['alterRowAccessPolicy']);
    const moved = run({ rowAccessPolicies: [rows({ table: patients })] }, { rowAccessPolicies: [rows()] });
    expect(kinds(moved.changes)).toEqual(['dropRowAccessPolicy', 'createRowAccessPolicy']);
    const additive = plan(desired({}), live({ maskingPolicies: [mask()] }), opts(desired({}), { mode: 'additive' }));
    expect(additive.changes).toEqual([]);
  });

  it('the fingerprint covers policy definitions but not display bodies', () => {
    const d = desired({});
    const f = (l: Partial<Live>) => plan(d, live(l), opts(d)).liveFingerprint;
    expect(f({ maskingPolicies: [mask({ body: 'a' })] })).toBe(f({ maskingPolicies: [mask({ body: 'b' })] }));
    expect(f({ maskingPolicies: [mask()] })).not.toBe(f({ maskingPolicies: [mask({ mask: 'hash' })] }));
  });
});

describe('fingerprint', () => {
  it('the planner, which folds grant keys in while indexing, agrees with fingerprintLive', async () => {
    const { fingerprintLive } = await import('../../src/plan/fingerprint.js');
    for (const c of cases) {
      const o = opts(c.desired, c.options);
      expect(plan(c.desired, c.live, o).liveFingerprint, c.name).toBe(fingerprintLive(c.live, o.scope));
    }
  });
});

describe('introspection scope', () => {
  it('reads the databases and schemas policies live in, even where no grant is', async () => {
    const { introspectScopeOf } = await import('../../src/plan/scope.js');
    const table = { kind: 'table' as const, database: 'AUDIT', schema: 'LOGS', name: 'ACCESS' };
    const scope = introspectScopeOf({
      platform: 'snowflake',
      roles: [],
      users: [],
      memberships: [],
      grants: [],
      schemaWide: [],
      futureGrants: [],
      maskingPolicies: [{ key: 'policy:masking:M', name: 'M', schema: { kind: 'schema', database: 'GOV', schema: 'POLICIES' }, mask: 'redact', unmaskedFor: [], columns: [{ table, column: 'WHO' }] }],
    });
    expect(scope.databases).toEqual(['AUDIT', 'GOV']);
    expect(scope.schemas).toEqual([
      { database: 'AUDIT', schema: 'LOGS' },
      { database: 'GOV', schema: 'POLICIES' },
    ]);
  });
});
