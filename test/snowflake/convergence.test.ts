/**
 * Convergence property: plan -> compile -> apply to SnowflakeGrantModel (a test
 * double) -> read back through the real adapter -> plan again: nothing left to do,
 * and nothing outside the managed scope touched.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SnowflakeAdapter } from '../../src/dialects/snowflake/adapter.js';
import { encodeRoleComment } from '../../src/dialects/snowflake/quote.js';
import { makeGrant, makeMembership, roleKey } from '../../src/model/keys.js';
import type { Desired, MaskFunction, MaskingPolicyRecord, ObjectRef, Privilege, RowAccessPolicyRecord } from '../../src/model/types.js';
import { maskingPolicyKey, rowAccessPolicyKey } from '../../src/model/keys.js';
import { plan } from '../../src/plan/plan.js';
import { scopeOf, scopeSchemas } from '../../src/plan/scope.js';
import { SnowflakeGrantModel, accountRole } from './grant-model.js';

const ROLES = ['CLINICAL_ANALYST', 'a"b', 'Foo'];
const UNMANAGED = 'SYSADMIN';
const TABLES: ObjectRef[] = [
  { kind: 'table', database: 'EHR', schema: 'CLINICAL', name: 'PATIENTS' },
  { kind: 'view', database: 'EHR', schema: 'CLINICAL', name: 'Mixed' },
  { kind: 'table', database: 'EHR', schema: 'x; drop table y; --', name: 'select' },
];
const OBJECTS: ObjectRef[] = [{ kind: 'database', database: 'EHR' }, { kind: 'schema', database: 'EHR', schema: 'CLINICAL' }, ...TABLES];
const PRIVS: Partial<Record<ObjectRef['kind'], Privilege[]>> = { database: ['usage', 'create'], schema: ['usage', 'create'], table: ['select', 'insert', 'delete'], view: ['select'] };
const WORD: Record<string, string> = { usage: 'USAGE', select: 'SELECT', insert: 'INSERT', delete: 'DELETE' };
const word = (o: ObjectRef, p: Privilege) => (p === 'create' ? (o.kind === 'database' ? 'CREATE SCHEMA' : 'CREATE TABLE') : WORD[p]);
const onWord = (o: ObjectRef) => (o.kind === 'database' ? 'DATABASE' : o.kind === 'schema' ? 'SCHEMA' : o.kind === 'view' ? 'VIEW' : 'TABLE');
/** A name quoted for SQL, and a string literal: for seeding the double with the statements Snowflake takes. */
const id = (s: string) => `"${s.replace(/"/g, '""')}"`;
const lit = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
const nameOf = (o: ObjectRef) => [o.database, ...(o.schema ? [o.schema] : []), ...(o.name ? [o.name] : [])];

const grantArb = fc.record({ role: fc.constantFrom(...ROLES), o: fc.integer({ min: 0, max: OBJECTS.length - 1 }), p: fc.integer({ min: 0, max: 2 }) })
  .map(({ role, o, p }) => { const object = OBJECTS[o]; const ps = PRIVS[object.kind]!; return { role, object, privilege: ps[p % ps.length] }; });

const scenario = fc.record({
  desiredRoles: fc.subarray(ROLES, { minLength: 1 }),
  description: fc.option(fc.constantFrom("PHI analyst; it's audited", 'x'), { nil: undefined }),
  desiredGrants: fc.array(grantArb, { maxLength: 6 }),
  schemaWide: fc.boolean(),
  members: fc.subarray(['ALICE', 'bob@example.org']),
  liveRoles: fc.subarray(ROLES),
  liveGrants: fc.array(grantArb, { maxLength: 6 }),
  liveMembers: fc.subarray(['ALICE', 'bob@example.org']),
  liveFuture: fc.boolean(),
  masking: fc.array(fc.record({ name: fc.constantFrom('MASK_IDS', 'a"b', 'Été'), mask: fc.constantFrom<MaskFunction>('hash', 'redact', 'year', 'null'), cols: fc.subarray(['MRN', 'SSN', 'BIRTH_DATE', 'select']), unmasked: fc.subarray(ROLES) }), { maxLength: 2 }),
  liveMasking: fc.array(fc.record({ name: fc.constantFrom('MASK_IDS', 'a"b', 'OLD'), mask: fc.constantFrom<MaskFunction>('hash', 'last4', 'null'), cols: fc.subarray(['MRN', 'SSN']), unmasked: fc.subarray(ROLES) }), { maxLength: 2 }),
  rowPolicy: fc.option(fc.record({ roles: fc.subarray(ROLES), where: fc.constantFrom('FACILITY_ID = 7', '"select" = \'x\'', 'TRUE') }), { nil: undefined }),
  liveRowPolicy: fc.option(fc.constantFrom('FACILITY_ID = 1', 'TRUE'), { nil: undefined }),
});

const PATIENTS = TABLES[0];
const COLUMNS: [string, string][] = [['MRN', 'TEXT'], ['SSN', 'TEXT'], ['BIRTH_DATE', 'DATE'], ['select', 'TEXT'], ['FACILITY_ID', 'NUMBER']];
const SCHEMA: ObjectRef = { kind: 'schema', database: 'EHR', schema: 'CLINICAL' };
const isDate = (c: string) => c === 'BIRTH_DATE';

/** Desired masking policies from the scenario: one type per policy (the compiler refuses mixes). */
function maskingFrom(ps: { name: string; mask: MaskFunction; cols: string[]; unmasked: string[] }[]): MaskingPolicyRecord[] {
  const out = new Map<string, MaskingPolicyRecord>();
  const used = new Set<string>();
  for (const p of ps) {
    if (out.has(p.name)) continue;
    const cols = p.cols.filter((c) => !used.has(c) && (p.mask === 'year' ? isDate(c) : p.mask === 'null' || !isDate(c)));
    const typed = cols.filter((c) => isDate(c) === isDate(cols[0] ?? ''));
    typed.forEach((c) => used.add(c));
    out.set(p.name, { key: maskingPolicyKey(p.name), name: p.name, schema: SCHEMA, mask: p.mask, unmaskedFor: [...p.unmasked].sort(), columns: typed.sort().map((column) => ({ table: PATIENTS, column })) });
  }
  return [...out.values()];
}

describe('snowflake convergence (SnowflakeGrantModel, a test double)', () => {
  it('apply(plan) then plan again is empty; unmanaged grants are untouched', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const model = new SnowflakeGrantModel();
        for (const u of ['ALICE', 'bob@example.org']) model.addUser(u);
        model.addDatabase('EHR');
        for (const schema of ['CLINICAL', 'x; drop table y; --']) model.addSchema('EHR', schema);
        for (const t of TABLES) model.addObject({ kind: t.kind === 'view' ? 'VIEW' : 'TABLE', database: t.database, schema: t.schema, name: t.name });
        model.addAccountObject('WAREHOUSE', 'WH');
        model.exec('GRANT SELECT ON TABLE "EHR"."CLINICAL"."PATIENTS" TO ROLE "SYSADMIN"');
        for (const r of s.liveRoles) model.exec(`CREATE ROLE IF NOT EXISTS ${id(r)} COMMENT = ${lit(encodeRoleComment({ description: 'old' })!)}`);
        for (const g of s.liveGrants) if (s.liveRoles.includes(g.role)) model.exec(`GRANT ${word(g.object, g.privilege)} ON ${onWord(g.object)} ${nameOf(g.object).map(id).join('.')} TO ROLE ${id(g.role)}`);
        for (const r of s.liveRoles) for (const m of s.liveMembers) model.exec(`GRANT ROLE ${id(r)} TO USER ${id(m)}`);
        if (s.liveFuture && s.liveRoles.length) model.exec(`GRANT INSERT ON FUTURE TABLES IN SCHEMA "EHR"."CLINICAL" TO ROLE ${id(s.liveRoles[0])}`);
        // A grant the platform made itself (granted_by empty) on every live role: read, never revoked.
        for (const r of s.liveRoles) model.exec(`GRANT MONITOR ON WAREHOUSE "WH" TO ROLE ${id(r)}`, '');
        model.columns.set(JSON.stringify(['EHR', 'CLINICAL', 'PATIENTS']), COLUMNS);
        // Live policies the tool made earlier, applied through the compiler itself.
        const seed = new SnowflakeAdapter({ query: model.query, close: async () => undefined });
        await seed.introspect({ roles: [], users: [], databases: ['EHR'], schemas: [{ database: 'EHR', schema: 'CLINICAL' }], includePublic: false });
        const liveMasking = maskingFrom(s.liveMasking);
        const liveRow: RowAccessPolicyRecord[] = s.liveRowPolicy ? [{ key: rowAccessPolicyKey('ROWS'), name: 'ROWS', schema: SCHEMA, table: PATIENTS, rules: [{ roles: [ROLES[0]], where: s.liveRowPolicy }] }] : [];
        const seeded = await seed.apply(seed.compile(plan({ platform: 'snowflake', roles: [], users: [], memberships: [], grants: [], schemaWide: [], futureGrants: [], maskingPolicies: liveMasking, rowAccessPolicies: liveRow }, { platform: 'snowflake', roles: [], memberships: [], grants: [], futureGrants: [], schemas: [], tables: [] }, { mode: 'authoritative', target: 'seed', scope: scopeOf({ platform: 'snowflake', roles: [], users: [], memberships: [], grants: [], schemaWide: [], futureGrants: [] }) })));
        expect(seeded.ok, seeded.failed?.error).toBe(true);
        // A policy another tool made is never touched.
        model.policies.set(JSON.stringify(['MASKING_POLICY', 'EHR', 'CLINICAL', 'THEIRS']), 'made by hand');
        // Everything an unmanaged role holds (live roles the configuration does not name included).
        const unmanaged = [UNMANAGED, ...s.liveRoles.filter((r) => !s.desiredRoles.includes(r))].map(accountRole);
        const unmanagedBefore = unmanaged.map((r) => model.heldBy(r, { ownership: true }));

        const desired: Desired = {
          platform: 'snowflake',
          roles: s.desiredRoles.map((name) => ({ key: roleKey(name), name, state: 'present', description: s.description })),
          users: s.members,
          memberships: s.members.map((m) => makeMembership({ role: s.desiredRoles[0], member: m, memberKind: 'user' })),
          grants: s.desiredGrants.filter((g) => s.desiredRoles.includes(g.role)).map((g) => makeGrant(g)),
          schemaWide: s.schemaWide ? [{ role: s.desiredRoles[0], privilege: 'select', schema: { kind: 'schema', database: 'EHR', schema: 'CLINICAL' }, kinds: ['table'], future: true }] : [],
          futureGrants: [],
          maskingPolicies: maskingFrom(s.masking),
          rowAccessPolicies: s.rowPolicy ? [{ key: rowAccessPolicyKey('ROWS'), name: 'ROWS', schema: SCHEMA, table: PATIENTS, rules: [{ roles: [...s.rowPolicy.roles].sort(), where: s.rowPolicy.where }] }] : [],
        };
        // The scope always includes every schema the test touches, so live tables are listed.
        const scope = scopeOf(desired);
        const introScope = { roles: [...scope.roles], users: desired.users, databases: ['EHR'], schemas: [{ database: 'EHR', schema: 'CLINICAL' }, { database: 'EHR', schema: 'x; drop table y; --' }, ...scopeSchemas(desired)], includePublic: false };
        const adapter = new SnowflakeAdapter({ query: model.query, close: async () => undefined }, { parallelism: 3 });
        const options = { mode: 'authoritative' as const, target: 'model', scope };
        const first = plan(desired, await adapter.introspect(introScope), options);
        const result = await adapter.apply(adapter.compile(first));
        expect(result.ok, result.failed?.error).toBe(true);
        const second = plan(desired, await adapter.introspect(introScope), options);
        expect(second.changes).toEqual([]);
        expect(unmanaged.map((r) => model.heldBy(r, { ownership: true }))).toEqual(unmanagedBefore);
        expect(unmanaged.every((r) => model.hasRole(r))).toBe(true);
        for (const r of s.liveRoles) expect(model.grantOf(accountRole(r), 'MONITOR', { kind: 'WAREHOUSE', name: 'WH' })).toBeDefined();
        expect(model.policies.get(JSON.stringify(['MASKING_POLICY', 'EHR', 'CLINICAL', 'THEIRS']))).toBe('made by hand');
        expect(model.policies.size - 1).toBe((desired.maskingPolicies ?? []).length + (desired.rowAccessPolicies ?? []).length);
      }),
      { numRuns: 40, seed: 42 },
    );
  });

  it('a managed role that owns an object keeps it: the revoke of ownership compiles to no statement', async () => {
    const model = new SnowflakeGrantModel();
    model.exec('CREATE ROLE IF NOT EXISTS "R"');
    model.addDatabase('EHR');
    model.addSchema('EHR', 'C');
    model.addObject({ kind: 'TABLE', database: 'EHR', schema: 'C', name: 'T' }, 'R');
    const adapter = new SnowflakeAdapter({ query: model.query, close: async () => undefined });
    const desired: Desired = { platform: 'snowflake', roles: [{ key: roleKey('R'), name: 'R', state: 'present' }], users: [], memberships: [], grants: [], schemaWide: [], futureGrants: [] };
    const p = plan(desired, await adapter.introspect({ roles: ['R'], users: [], databases: [], schemas: [], includePublic: false }), { mode: 'authoritative', target: 'm', scope: scopeOf(desired) });
    expect(p.changes.map((c) => c.kind)).toEqual(['revoke']);
    expect(adapter.compile(p)).toEqual([]);
  });
});
