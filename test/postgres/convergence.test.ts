// Convergence on a real engine (in-memory PGlite): plan against the seeded demo,
// compile, apply, read back, plan again: nothing may be left to do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAdapter, type PostgresAdapter } from '../../src/dialects/postgres/adapter.js';
import { seedDemo } from '../../src/demo/seed.js';
import { plan } from '../../src/plan/plan.js';
import { makeGrant, makeMembership, objectKey, roleKey } from '../../src/model/keys.js';
import type { Desired, ObjectRef } from '../../src/model/types.js';
import type { IntrospectScope } from '../../src/dialects/types.js';
import type { PlanOptions } from '../../src/plan/types.js';

const clinical: ObjectRef = { kind: 'schema', database: 'ehr', schema: 'clinical' };
const billing: ObjectRef = { kind: 'schema', database: 'ehr', schema: 'billing' };
const t = (schema: string, name: string): ObjectRef => ({ kind: 'table', database: 'ehr', schema, name });

const desired: Desired = {
  platform: 'postgres',
  roles: [
    { key: roleKey('clinical_analyst'), name: 'clinical_analyst', description: 'Clinical analytics', owner: 'data-governance', state: 'present' },
    { key: roleKey('billing_auditor'), name: 'billing_auditor', description: 'Reads claims', owner: 'compliance', state: 'present' },
  ],
  users: ['alice', 'bob'],
  memberships: [
    makeMembership({ role: 'clinical_analyst', member: 'alice', memberKind: 'user' }),
    makeMembership({ role: 'billing_auditor', member: 'bob', memberKind: 'user' }),
  ],
  grants: [
    makeGrant({ role: 'clinical_analyst', privilege: 'usage', object: clinical }),
    makeGrant({ role: 'clinical_analyst', privilege: 'select', object: t('clinical', 'encounters') }),
    makeGrant({ role: 'clinical_analyst', privilege: 'select', object: t('clinical', 'diagnoses') }),
    makeGrant({ role: 'clinical_analyst', privilege: 'select', object: t('clinical', 'patients'), column: 'patient_id' }),
    makeGrant({ role: 'clinical_analyst', privilege: 'select', object: t('clinical', 'patients'), column: 'birth_year' }),
    makeGrant({ role: 'billing_auditor', privilege: 'connect', object: { kind: 'database', database: 'ehr' } }),
    makeGrant({ role: 'billing_auditor', privilege: 'usage', object: billing }),
    makeGrant({ role: 'billing_auditor', privilege: 'select', object: t('billing', 'claims') }),
  ],
  schemaWide: [],
  futureGrants: [],
};

const introspectScope: IntrospectScope = {
  roles: desired.roles.map((r) => r.name),
  users: desired.users,
  databases: ['ehr'],
  schemas: [
    { database: 'ehr', schema: 'clinical' },
    { database: 'ehr', schema: 'billing' },
  ],
  includePublic: true,
};
const options: PlanOptions = {
  mode: 'authoritative',
  target: 'demo',
  scope: {
    roles: new Set(introspectScope.roles),
    schemas: new Set([objectKey(clinical), objectKey(billing)]),
    managePublic: true,
  },
};

describe('postgres convergence (PGlite)', () => {
  let adapter: PostgresAdapter;
  beforeAll(async () => {
    adapter = await createPostgresAdapter();
    await seedDemo(adapter.session);
  });
  afterAll(() => adapter?.close());

  it('fixes the seeded drift in one apply, and the next plan is empty', async () => {
    const live = await adapter.introspect(introspectScope);
    const first = plan(desired, live, options);
    expect(first.changes.length).toBeGreaterThan(0);
    const statements = adapter.compile(first);
    const sql = statements.map((s) => s.sql);
    // The drift is undone: former employee, PUBLIC on PHI, the extra DELETE.
    expect(sql).toContain('REVOKE "clinical_analyst" FROM "mallory"');
    expect(sql).toContain('REVOKE SELECT ON TABLE "clinical"."patients" FROM PUBLIC');
    expect(sql).toContain('REVOKE DELETE ON TABLE "clinical"."encounters" FROM "clinical_analyst"');
    const res = await adapter.apply(statements);
    expect(res.ok).toBe(true);

    const after = await adapter.introspect(introspectScope);
    const second = plan(desired, after, options);
    expect(second.changes).toEqual([]);
  });
});
