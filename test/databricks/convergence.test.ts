/**
 * Convergence property: plan -> compile (with the inheritance hook) -> apply to
 * DatabricksGrantModel (a test double) -> read back -> plan again: empty; grants of
 * unmanaged groups untouched.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DatabricksAdapter, prepareDatabricksDesired } from '../../src/dialects/databricks/adapter.js';
import { makeGrant, roleKey } from '../../src/model/keys.js';
import type { Desired, ObjectRef, Privilege } from '../../src/model/types.js';
import { plan } from '../../src/plan/plan.js';
import { scopeOf } from '../../src/plan/scope.js';
import { DatabricksGrantModel } from './grant-model.js';

const GROUPS = ['clinical_analyst', 'a`b', 'x; drop table y; --'];
const TABLES: [string, string, string][] = [['ehr', 'clinical', 'patients'], ['ehr', 'clinical', 'select'], ['ehr', 'billing', 'claims']];
const OBJECTS: ObjectRef[] = [
  { kind: 'database', database: 'ehr' },
  { kind: 'schema', database: 'ehr', schema: 'clinical' },
  { kind: 'schema', database: 'ehr', schema: 'billing' },
  ...TABLES.map(([d, s, n]): ObjectRef => ({ kind: 'table', database: d, schema: s, name: n })),
];
const PRIVS: Partial<Record<ObjectRef['kind'], Privilege[]>> = { database: ['usage', 'create'], schema: ['usage', 'create'], table: ['select', 'modify'] };
const KIND: Partial<Record<ObjectRef['kind'], string>> = { database: 'CATALOG', schema: 'SCHEMA', table: 'TABLE' };
const LIVE_WORDS: Record<string, string[]> = { CATALOG: ['USE CATALOG', 'USE SCHEMA', 'SELECT', 'ALL PRIVILEGES'], SCHEMA: ['USE SCHEMA', 'SELECT', 'MODIFY', 'ALL PRIVILEGES'], TABLE: ['SELECT', 'MODIFY', 'ALL PRIVILEGES'] };

const pick = <T>(xs: readonly T[]) => fc.integer({ min: 0, max: xs.length - 1 }).map((i) => xs[i]);
const desiredGrant = fc.record({ role: pick(GROUPS), object: pick(OBJECTS), p: fc.nat(1) }).map(({ role, object, p }) => ({ role, object, privilege: PRIVS[object.kind]![p] }));
const liveGrant = fc.record({ principal: pick([...GROUPS, 'admins']), object: pick(OBJECTS), w: fc.nat(3) }).map(({ principal, object, w }) => {
  const kind = KIND[object.kind]!;
  const name = [object.database, ...(object.schema ? [object.schema] : []), ...(object.name ? [object.name] : [])];
  const words = LIVE_WORDS[kind];
  return JSON.stringify({ kind, name, word: words[w % words.length], principal });
});

describe('databricks convergence (DatabricksGrantModel, a test double)', () => {
  it('apply(plan) then plan again is empty, inheritance and ALL PRIVILEGES included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ roles: fc.subarray(GROUPS, { minLength: 1 }), grants: fc.array(desiredGrant, { maxLength: 6 }), schemaWide: fc.boolean(), live: fc.array(liveGrant, { maxLength: 6 }) }),
        async (s) => {
          const model = new DatabricksGrantModel();
          model.groups = new Set([...GROUPS, 'admins']);
          model.schemas = [['ehr', 'clinical'], ['ehr', 'billing']];
          model.tables = TABLES;
          for (const g of s.live) model.grants.add(g);
          const adminsBefore = [...model.grants].filter((g) => g.includes('"principal":"admins"')).sort();
          const desired: Desired = prepareDatabricksDesired({
            platform: 'databricks',
            roles: s.roles.map((name) => ({ key: roleKey(name), name, state: 'present' })),
            users: [], memberships: [],
            grants: s.grants.filter((g) => s.roles.includes(g.role)).map((g) => makeGrant(g)),
            schemaWide: s.schemaWide ? [{ role: s.roles[0], privilege: 'select', schema: { kind: 'schema', database: 'ehr', schema: 'clinical' }, kinds: ['table'], future: true }] : [],
            futureGrants: [],
          });
          const scope = scopeOf(desired);
          const intro = { roles: [...scope.roles], users: [], databases: ['ehr'], schemas: [{ database: 'ehr', schema: 'clinical' }, { database: 'ehr', schema: 'billing' }], includePublic: false };
          const adapter = new DatabricksAdapter({ query: model.query, close: async () => undefined });
          const options = { mode: 'authoritative' as const, target: 'model', scope };
          const first = plan(desired, await adapter.introspect(intro), options);
          const r = await adapter.apply(adapter.compile(first));
          expect(r.ok, r.failed?.error).toBe(true);
          const second = plan(desired, await adapter.introspect(intro), options);
          expect(second.changes).toEqual([]);
          expect([...model.grants].filter((g) => g.includes('"principal":"admins"')).sort()).toEqual(adminsBefore);
        },
      ),
      { numRuns: 60, seed: 7 },
    );
  });
});
