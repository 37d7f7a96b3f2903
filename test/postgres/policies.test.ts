// Masking and row access on Postgres, pure: golden SQL for every policy change kind
// (hostile names included), the reader on recorded rows, and the desired-state
// transform that moves non-exempt reads onto the masking views.
import { describe, expect, it } from 'vitest';
import { compilePostgresPlan, compilePostgresPolicy } from '../../src/dialects/postgres/policies.js';
import {
  encodePolicyComment,
  encodeViewComment,
  maskSql,
  maskedViewName,
  postgresPolicyProblems,
  preparePostgresDesired,
} from '../../src/dialects/postgres/masking.js';
import { parseLive, type CatalogRows } from '../../src/dialects/postgres/inspect.js';
import { columnKey, makeGrant, makeMembership, maskingPolicyKey, rowAccessPolicyKey } from '../../src/model/keys.js';
import type { Desired, Live, LiveTable, MaskingPolicyRecord, ObjectRef, RowAccessPolicyRecord } from '../../src/model/types.js';
import type { Change, Plan } from '../../src/plan/types.js';
import type { CompileContext } from '../../src/dialects/types.js';

const t = (schema: string, name: string): ObjectRef => ({ kind: 'table', database: 'ehr', schema, name });
const s = (schema: string): ObjectRef => ({ kind: 'schema', database: 'ehr', schema });
const hostile = t('we"ird', 'a"b');
const hostileTable: LiveTable = { object: hostile, columns: ['id', 'Foo', 'born'], columnTypes: ['integer', 'character varying(20)', 'date'] };
const mask = (over: Partial<MaskingPolicyRecord> & { name: string }): MaskingPolicyRecord => ({
  key: maskingPolicyKey(over.name),
  schema: s('we"ird'),
  unmaskedFor: ['Privacy'],
  columns: [{ table: hostile, column: 'Foo' }],
  mask: 'last4',
  ...over,
});
const row = (over: Partial<RowAccessPolicyRecord> & { name: string }): RowAccessPolicyRecord => ({
  key: rowAccessPolicyKey(over.name),
  schema: s('we"ird'),
  table: hostile,
  rules: [
    { roles: ['Privacy'], where: 'true' },
    { roles: ['an"alyst'], where: "\"Foo\" LIKE 'F01%'" },
  ],
  ...over,
});
const ctx = (over: Partial<CompileContext> = {}): CompileContext => ({ tables: [hostileTable], livePolicies: { masking: [], rowAccess: [] }, ...over });

const VIEW = `CREATE OR REPLACE VIEW "we""ird"."a""b_masked" WITH (security_barrier) AS
SELECT "id",
       CASE WHEN pg_has_role(current_user, 'Privacy', 'MEMBER') THEN "Foo" ELSE CAST(regexp_replace(left("Foo", greatest(length("Foo") - 4, 0)), '[^- ]', '*', 'g') || right("Foo", 4) AS character varying(20)) END AS "Foo",
       "born"
FROM "we""ird"."a""b"`;
const BOOT = [
  'CREATE SCHEMA IF NOT EXISTS "rbac"',
  'REVOKE ALL ON SCHEMA "rbac" FROM PUBLIC',
  'CREATE TABLE IF NOT EXISTS "rbac".settings (salt text NOT NULL)',
  'REVOKE ALL ON TABLE "rbac".settings FROM PUBLIC',
];

describe('golden SQL for every policy change kind', () => {
  const p = mask({ name: 'foo_last4' });
  it('createMaskingPolicy: the salt bootstrap, the view, its ownership comment', () => {
    const sql = compilePostgresPolicy({ kind: 'createMaskingPolicy', policy: p }, ctx());
    expect(sql.slice(0, 4)).toEqual(BOOT);
    expect(sql[4]).toMatch(/^INSERT INTO "rbac".settings \(salt\) SELECT encode\(sha256\(.*gen_random_uuid.* WHERE NOT EXISTS/);
    expect(sql[5]).toBe(VIEW);
    expect(sql[6]).toBe(`COMMENT ON VIEW "we""ird"."a""b_masked" IS '${encodeViewComment(hostile, hostileTable.columns, [p])}'`);
    expect(JSON.parse(encodeViewComment(hostile, hostileTable.columns, [p]))).toEqual({
      rbac: 'masking-view',
      columns: ['id', 'Foo', 'born'],
      masking: [{ name: 'foo_last4', schema: 'we"ird', mask: 'last4', unmaskedFor: ['Privacy'], columns: ['Foo'] }],
    });
    expect(sql).toHaveLength(7);
  });
  it('alterMaskingPolicy rebuilds the view with the new body', () => {
    const to = { ...p, mask: undefined, expression: "'x' || {value}" };
    const sql = compilePostgresPolicy({ kind: 'alterMaskingPolicy', from: p, to }, ctx({ livePolicies: { masking: [p], rowAccess: [] } }));
    expect(sql[5]).toContain(`ELSE CAST(('x' || "Foo") AS character varying(20)) END AS "Foo"`);
  });
  it('attach adds a column to the view', () => {
    const r0 = { ...p, mask: 'redact' as const };
    const two = { ...r0, columns: [...p.columns, { table: hostile, column: 'born' }] };
    const attach = compilePostgresPolicy({ kind: 'attachMaskingPolicy', policy: two, column: { table: hostile, column: 'born' } }, ctx({ livePolicies: { masking: [r0], rowAccess: [] } }));
    expect(attach[5]).toContain(`THEN "born" ELSE CAST(NULL AS date) END AS "born"`);
    expect(attach[5]).toContain(`THEN "Foo" ELSE CAST('****' AS character varying(20)) END AS "Foo"`);
    expect(attach[6]).toContain('"columns":["Foo","born"]');
  });
  it('refuses a mask that cannot keep the column type', () => {
    const two = { ...p, columns: [...p.columns, { table: hostile, column: 'born' }] };
    expect(() => compilePostgresPolicy({ kind: 'createMaskingPolicy', policy: two }, ctx())).toThrow(/last4 cannot keep the type of column "born" \(date\)/);
  });
  it('detach and drop remove the view when no masked column is left', () => {
    const live = { masking: [p], rowAccess: [] };
    expect(compilePostgresPolicy({ kind: 'detachMaskingPolicy', policy: p, column: p.columns[0] }, ctx({ livePolicies: live }))).toEqual([
      'DROP VIEW IF EXISTS "we""ird"."a""b_masked"',
    ]);
    expect(compilePostgresPolicy({ kind: 'dropMaskingPolicy', policy: p }, ctx({ livePolicies: live }))).toEqual(['DROP VIEW IF EXISTS "we""ird"."a""b_masked"']);
  });
  const r = row({ name: 'own' });
  it('createRowAccessPolicy: enables RLS, one policy per rule with the JSON comment, write pass-through', () => {
    const sql = compilePostgresPolicy({ kind: 'createRowAccessPolicy', policy: r }, ctx());
    const comment = encodePolicyComment(r, true).replace(/'/g, "''");
    expect(sql).toEqual([
      'ALTER TABLE "we""ird"."a""b" ENABLE ROW LEVEL SECURITY',
      `CREATE POLICY "own__1" ON "we""ird"."a""b" AS PERMISSIVE FOR SELECT TO "Privacy" USING (true)`,
      `COMMENT ON POLICY "own__1" ON "we""ird"."a""b" IS '${comment}'`,
      `CREATE POLICY "own__2" ON "we""ird"."a""b" AS PERMISSIVE FOR SELECT TO "an""alyst" USING ("Foo" LIKE 'F01%')`,
      `COMMENT ON POLICY "own__2" ON "we""ird"."a""b" IS '${comment}'`,
      'CREATE POLICY "own__insert" ON "we""ird"."a""b" AS PERMISSIVE FOR INSERT TO PUBLIC WITH CHECK (true)',
      'CREATE POLICY "own__update" ON "we""ird"."a""b" AS PERMISSIVE FOR UPDATE TO PUBLIC USING (true) WITH CHECK (true)',
      'CREATE POLICY "own__delete" ON "we""ird"."a""b" AS PERMISSIVE FOR DELETE TO PUBLIC USING (true)',
    ]);
  });
  it('does not claim RLS it did not enable, and never disables it then', () => {
    const enabled = ctx({ tables: [{ ...hostileTable, rowSecurity: true }] });
    const sql = compilePostgresPolicy({ kind: 'createRowAccessPolicy', policy: r }, enabled);
    expect(sql[0]).toMatch(/^CREATE POLICY/);
    expect(sql[1]).toMatch(/^COMMENT ON POLICY .*"enabledRls":false/);
    const drop = compilePostgresPolicy({ kind: 'dropRowAccessPolicy', policy: { ...r, enabledRls: false } as RowAccessPolicyRecord }, enabled);
    expect(drop.some((x) => x.includes('DISABLE'))).toBe(false);
  });
  it('dropRowAccessPolicy drops every policy and disables RLS it enabled', () => {
    const live = { ...r, enabledRls: true } as RowAccessPolicyRecord;
    expect(compilePostgresPolicy({ kind: 'dropRowAccessPolicy', policy: live }, ctx({ livePolicies: { masking: [], rowAccess: [live] } }))).toEqual([
      'DROP POLICY IF EXISTS "own__1" ON "we""ird"."a""b"',
      'DROP POLICY IF EXISTS "own__2" ON "we""ird"."a""b"',
      'DROP POLICY IF EXISTS "own__insert" ON "we""ird"."a""b"',
      'DROP POLICY IF EXISTS "own__update" ON "we""ird"."a""b"',
      'DROP POLICY IF EXISTS "own__delete" ON "we""ird"."a""b"',
      'ALTER TABLE "we""ird"."a""b" DISABLE ROW LEVEL SECURITY',
    ]);
  });
  it('alterRowAccessPolicy replaces the policies and keeps who enabled RLS', () => {
    const from = { ...r, enabledRls: true } as RowAccessPolicyRecord;
    const to = row({ name: 'own', rules: [{ roles: ['Privacy'], where: 'true' }] });
    const sql = compilePostgresPolicy({ kind: 'alterRowAccessPolicy', from, to }, ctx({ tables: [{ ...hostileTable, rowSecurity: true }], livePolicies: { masking: [], rowAccess: [from] } }));
    expect(sql.filter((x) => x.startsWith('DROP POLICY'))).toHaveLength(5);
    expect(sql.some((x) => x.includes('DISABLE'))).toBe(false);
    expect(sql.filter((x) => x.startsWith('CREATE POLICY'))).toHaveLength(4);
    expect(sql.find((x) => x.startsWith('COMMENT'))).toContain('"enabledRls":true');
  });
  it('a plan emits one view per table, at its first policy change, filtered by the row rules', () => {
    const q = mask({ name: 'born_year', mask: 'year', columns: [{ table: hostile, column: 'born' }] });
    const changes: Change[] = [
      { kind: 'createMaskingPolicy', policy: p },
      { kind: 'createMaskingPolicy', policy: q },
      { kind: 'createRowAccessPolicy', policy: r },
    ];
    const plan = { platform: 'postgres', changes } as Plan;
    const st = compilePostgresPlan(plan, ctx());
    const views = st.filter((x) => x.sql.startsWith('CREATE OR REPLACE VIEW'));
    expect(views.map((v) => v.changeIndex)).toEqual([0]);
    expect(views[0].sql).toContain(`CAST(date_trunc('year', "born") AS date)`);
    expect(views[0].sql).toContain(
      `WHERE ((pg_has_role(current_user, 'Privacy', 'MEMBER')) AND (true)) OR ((pg_has_role(current_user, 'an"alyst', 'MEMBER')) AND ("Foo" LIKE 'F01%'))`,
    );
    expect(st.filter((x) => x.changeIndex === 1)).toEqual([]);
  });
  it('the masks keep the type and never interpolate a name unquoted', () => {
    expect(maskSql({ mask: 'null' }, 'Foo', 'numeric(12,2)')).toBe('CAST(NULL AS numeric(12,2))');
    expect(maskSql({ mask: 'redact' }, 'Foo', 'text')).toBe(`CAST('****' AS text)`);
    expect(maskSql({ mask: 'redact' }, 'Foo', 'integer')).toBe('CAST(NULL AS integer)');
    expect(maskSql({ mask: 'year' }, 'Foo', 'timestamp with time zone')).toBe(`CAST(date_trunc('year', "Foo") AS timestamp with time zone)`);
    expect(maskSql({ mask: 'hash' }, 'Foo', 'text')).toContain(`(SELECT s.salt FROM "rbac".settings s LIMIT 1) || "Foo"`);
    expect(() => maskSql({ expression: '{value}; DROP TABLE x' }, 'Foo', 'text')).toThrow(/single SQL expression/);
    expect(() => maskSql({ mask: 'zip3' }, 'Foo', 'integer')).toThrow(/zip3 cannot keep the type/);
  });
  it('a 63-byte table name leaves no room for _masked: a clear error, also as a plan problem', () => {
    const long = 'x'.repeat(63);
    expect(() => maskedViewName(long)).toThrow(/would be named "x{63}_masked" \(70 bytes\); PostgreSQL names hold at most 63/);
    expect(maskedViewName('x'.repeat(56))).toHaveLength(63);
    const d = { platform: 'postgres', maskingPolicies: [mask({ name: 'm', columns: [{ table: t('clinical', long), column: 'c' }] })] } as Desired;
    expect(postgresPolicyProblems(d)).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringContaining('70 bytes') })]);
  });
});

// --- the reader on recorded rows -------------------------------------------------
const scope = { roles: ['analyst'], users: [], databases: ['ehr'], schemas: [{ database: 'ehr', schema: 'clinical' }], includePublic: false };
const patients = t('clinical', 'patients');
function catalog(viewComment: string | null, policyComment: string | null, patientCols = ['id', 'ssn']): CatalogRows {
  return {
    database: [{ database: 'ehr', current_user: 'tool', owner: 'tool' }],
    roles: [],
    memberships: [],
    schemas: [{ schema: 'clinical', owner: 'tool' }],
    tables: [
      { schema: 'clinical', name: 'patients', relkind: 'r', owner: 'tool', columns: patientCols, column_types: patientCols.map(() => 'text'), row_security: true, comment: null },
      { schema: 'clinical', name: 'patients_masked', relkind: 'v', owner: 'tool', columns: ['id', 'ssn'], column_types: ['text', 'text'], row_security: false, comment: viewComment },
    ],
    relationAcl: [],
    columnAcl: [],
    defaultAcl: [],
    policies: [
      { schema: 'clinical', table: 'patients', name: 'own__1', comment: policyComment },
      { schema: 'clinical', table: 'patients', name: 'own__2', comment: policyComment },
      { schema: 'clinical', table: 'patients', name: 'someone_elses', comment: 'hand made' },
    ],
  };
}

describe('the reader rebuilds policies from the tool comments', () => {
  const ssn: MaskingPolicyRecord = { key: maskingPolicyKey('ssn_last4'), name: 'ssn_last4', schema: s('clinical'), mask: 'last4', unmaskedFor: ['po'], columns: [{ table: patients, column: 'ssn' }] };
  const own: RowAccessPolicyRecord = { key: rowAccessPolicyKey('own'), name: 'own', schema: s('clinical'), table: patients, rules: [{ roles: ['a', 'b'], where: "f = 'F01'" }] };
  it('reads masking policies from the view comment and row policies from pg_policy comments, once each', () => {
    const live = parseLive(catalog(encodeViewComment(patients, ['id', 'ssn'], [ssn]), encodePolicyComment(own, true)), scope);
    expect(live.maskingPolicies).toEqual([{ ...ssn, body: expect.stringContaining(`THEN "ssn" ELSE CAST(regexp_replace`) }]);
    expect(live.rowAccessPolicies).toEqual([{ ...own, enabledRls: true, body: expect.stringContaining(`POLICY "own__1" ON "clinical"."patients" FOR SELECT TO "a", "b" USING (f = 'F01')`) }]);
    expect(live.tables.find((x) => x.object.name === 'patients')).toMatchObject({ columnTypes: ['text', 'text'], rowSecurity: true });
  });
  it('ignores views and policies without the marker (not the tool\'s)', () => {
    const live = parseLive(catalog('{"note":"hand made"}', null), scope);
    expect(live.maskingPolicies).toEqual([]);
    expect(live.rowAccessPolicies).toEqual([]);
  });
  it('a view made before the table gained a column reports its columns unmasked (so the plan rebuilds it)', () => {
    const live = parseLive(catalog(encodeViewComment(patients, ['id', 'ssn'], [ssn]), null, ['id', 'ssn', 'added']), scope);
    expect(live.maskingPolicies?.[0].columns).toEqual([]);
  });
});

// --- the desired-state transform ----------------------------------------------------
describe('preparePostgresDesired', () => {
  const payments = t('billing', 'payments');
  const claims = t('billing', 'claims');
  const base: Desired = {
    platform: 'postgres',
    roles: [],
    users: [],
    memberships: [makeMembership({ role: 'po', member: 'po_deputy', memberKind: 'role' })],
    grants: [
      makeGrant({ role: 'analyst', privilege: 'select', object: patients, column: 'id' }),
      makeGrant({ role: 'analyst', privilege: 'select', object: patients, column: 'ssn' }),
      makeGrant({ role: 'po', privilege: 'select', object: patients }),
      makeGrant({ role: 'po_deputy', privilege: 'select', object: patients }),
      makeGrant({ role: 'etl', privilege: 'update', object: patients }),
      makeGrant({ role: 'wide', privilege: 'select', object: patients }),
    ],
    schemaWide: [{ role: 'auditor', privilege: 'select', schema: s('billing'), objectType: 'tables' }],
    futureGrants: [],
    maskingPolicies: [
      { key: maskingPolicyKey('ssn'), name: 'ssn', schema: s('clinical'), mask: 'last4', unmaskedFor: ['po'], columns: [{ table: patients, column: 'ssn' }] },
      { key: maskingPolicyKey('acct'), name: 'acct', schema: s('billing'), mask: 'last4', unmaskedFor: [], columns: [{ table: payments, column: 'acct' }] },
    ],
  };
  const live = {
    platform: 'postgres',
    tables: [
      { object: patients, columns: ['id', 'ssn'], columnTypes: ['integer', 'text'] },
      { object: payments, columns: ['pid', 'acct'], columnTypes: ['integer', 'text'] },
      { object: claims, columns: ['cid'], columnTypes: ['integer'] },
    ],
    maskingPolicies: [],
  } as unknown as Live;
  const keys = (d: Desired) => d.grants.map((g) => g.key).sort();
  const view = (o: ObjectRef) => ({ ...o, name: `${o.name}_masked`, isView: true });

  it('moves non-exempt reads of masked columns to the view; exempt and inheriting roles keep the table', () => {
    const d = preparePostgresDesired(base, live);
    const k = keys(d);
    expect(k).toContain(makeGrant({ role: 'analyst', privilege: 'select', object: view(patients), column: 'ssn' }).key);
    expect(k).toContain(makeGrant({ role: 'analyst', privilege: 'select', object: view(patients), column: 'id' }).key);
    expect(k).toContain(makeGrant({ role: 'analyst', privilege: 'select', object: patients, column: 'id' }).key);
    expect(k).not.toContain(makeGrant({ role: 'analyst', privilege: 'select', object: patients, column: 'ssn' }).key);
    expect(k).toContain(makeGrant({ role: 'po', privilege: 'select', object: patients }).key);
    expect(k).toContain(makeGrant({ role: 'po_deputy', privilege: 'select', object: patients }).key);
    expect(k).toContain(makeGrant({ role: 'etl', privilege: 'update', object: patients }).key);
    // table-level select on a masked table: the unmasked columns plus the whole view
    expect(k).not.toContain(makeGrant({ role: 'wide', privilege: 'select', object: patients }).key);
    expect(k).toContain(makeGrant({ role: 'wide', privilege: 'select', object: patients, column: 'id' }).key);
    expect(k).toContain(makeGrant({ role: 'wide', privilege: 'select', object: view(patients) }).key);
  });
  it('objects: tables skips masked tables (their unmasked columns and view granted instead) and keeps the future grant', () => {
    const d = preparePostgresDesired(base, live);
    expect(d.schemaWide).toEqual([{ ...base.schemaWide[0], exceptTables: ['table:ehr.billing.payments'] }]);
    expect(keys(d)).toContain(makeGrant({ role: 'auditor', privilege: 'select', object: payments, column: 'pid' }).key);
    expect(keys(d)).toContain(makeGrant({ role: 'auditor', privilege: 'select', object: view(payments) }).key);
    expect(keys(d)).not.toContain(makeGrant({ role: 'auditor', privilege: 'select', object: payments, column: 'acct' }).key);
  });
  it('fails the plan when the view name is taken by a relation rbac does not own, or the column is missing', () => {
    const taken = { ...live, tables: [...live.tables, { object: view(patients), columns: ['x'] }] } as Live;
    expect(() => preparePostgresDesired(base, taken)).toThrow(/clinical.patients_masked exists that rbac does not own/);
    const missing = { ...live, tables: [{ object: patients, columns: ['id'] }, ...live.tables.slice(1)] } as Live;
    expect(() => preparePostgresDesired(base, missing)).toThrow(/masked column ssn does not exist/);
  });
  it('without the live state, nothing changes (scope derivation)', () => {
    expect(preparePostgresDesired(base)).toBe(base);
    expect(columnKey({ table: patients, column: 'ssn' })).toContain('ssn');
  });
});
