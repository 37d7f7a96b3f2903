// Masking and row access on Postgres, pure: golden SQL for every policy change kind
// (hostile names included), the reader on recorded rows, and the desired-state
// transform that moves non-exempt reads onto the masking views.
import { describe, expect, it } from 'vitest';
import { compilePostgresPlan } from '../../src/dialects/postgres/compile.js';
import { compilePostgresPolicy } from '../../src/dialects/postgres/policies.js';
import {
  encodePolicyComment,
  encodeViewComment,
  maskSql,
  maskedViewName,
  postgresPolicyProblems,
  preparePostgresDesired,
} from '../../src/dialects/postgres/masking.js';
import { parseLive, type CatalogRows, type PolicyRow } from '../../src/dialects/postgres/inspect.js';
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
const VIEW_STAMP = `DO $rbac$
DECLARE d text;
BEGIN
  SELECT (SELECT encode(sha256(convert_to(concat_ws('|', r.ev_action::text, coalesce(c.reloptions::text, ''), c.relowner::text), 'UTF8')), 'hex') FROM pg_catalog.pg_rewrite r WHERE r.ev_class = c.oid AND r.rulename = '_RETURN') INTO STRICT d FROM pg_catalog.pg_class c WHERE c.oid = '"we""ird"."a""b_masked"'::pg_catalog.regclass;
  EXECUTE pg_catalog.format('COMMENT ON VIEW %s IS %L', '"we""ird"."a""b_masked"'::pg_catalog.regclass, '{"rbac":"masking-view","columns":["id","Foo","born"],"masking":[{"name":"foo_last4","schema":"we\\"ird","mask":"last4","unmaskedFor":["Privacy"],"columns":["Foo"]}],"digest":"' || d || '"}');
END
$rbac$`;
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
    // A new view gets the creator's default privileges: none may stay.
    expect(sql[6]).toBe('REVOKE ALL ON TABLE "we""ird"."a""b_masked" FROM PUBLIC');
    // The comment is stamped with the digest the server computes of the stored definition.
    expect(sql[7]).toBe(VIEW_STAMP);
    expect(JSON.parse(encodeViewComment(hostile, hostileTable.columns, [p]))).toEqual({
      rbac: 'masking-view',
      columns: ['id', 'Foo', 'born'],
      masking: [{ name: 'foo_last4', schema: 'we"ird', mask: 'last4', unmaskedFor: ['Privacy'], columns: ['Foo'] }],
    });
    expect(sql).toHaveLength(8);
  });
  it("a new view: every role the creator's default privileges reach is revoked; an existing view keeps its grants", () => {
    const withDefaults = ctx({ newObjectGrantees: { 'we"ird': ['le"gacy', 'PUBLIC'], '': ['global_reader'] } });
    const sql = compilePostgresPolicy({ kind: 'createMaskingPolicy', policy: p }, withDefaults);
    expect(sql.filter((x) => x.startsWith('REVOKE ALL ON TABLE "we""ird"."a""b_masked"'))).toEqual([
      'REVOKE ALL ON TABLE "we""ird"."a""b_masked" FROM PUBLIC',
      'REVOKE ALL ON TABLE "we""ird"."a""b_masked" FROM "le""gacy"',
    ]);
    const existing = ctx({ newObjectGrantees: { 'we"ird': ['le"gacy'] }, tables: [hostileTable, { object: { ...hostile, name: 'a"b_masked', kind: 'view' }, columns: ['id', 'Foo', 'born'] }] });
    const again = compilePostgresPolicy({ kind: 'createMaskingPolicy', policy: p }, existing);
    expect(again.some((x) => x.startsWith('REVOKE ALL ON TABLE "we""ird"."a""b_masked"'))).toBe(false);
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
    expect(attach.find((x) => x.startsWith('DO $rbac$'))).toContain('"columns":["Foo","born"]');
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
    expect(sql.slice(0, 6)).toEqual([
      'ALTER TABLE "we""ird"."a""b" ENABLE ROW LEVEL SECURITY',
      `CREATE POLICY "own__1" ON "we""ird"."a""b" AS PERMISSIVE FOR SELECT TO "Privacy" USING (true)`,
      `CREATE POLICY "own__2" ON "we""ird"."a""b" AS PERMISSIVE FOR SELECT TO "an""alyst" USING ("Foo" LIKE 'F01%')`,
      'CREATE POLICY "own__insert" ON "we""ird"."a""b" AS PERMISSIVE FOR INSERT TO PUBLIC WITH CHECK (true)',
      'CREATE POLICY "own__update" ON "we""ird"."a""b" AS PERMISSIVE FOR UPDATE TO PUBLIC USING (true) WITH CHECK (true)',
      'CREATE POLICY "own__delete" ON "we""ird"."a""b" AS PERMISSIVE FOR DELETE TO PUBLIC USING (true)',
    ]);
    // One DO block stamps every policy's comment with the digest of its stored definition.
    const stamp = (name: string) =>
      `  SELECT encode(sha256(convert_to(concat_ws('|', p.polcmd::text, p.polpermissive::text, p.polroles::text, coalesce(p.polqual::text, ''), coalesce(p.polwithcheck::text, '')), 'UTF8')), 'hex') INTO STRICT d FROM pg_catalog.pg_policy p WHERE p.polrelid = '"we""ird"."a""b"'::pg_catalog.regclass AND p.polname = '${name}';\n` +
      `  EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON %s IS %L', '${name}', '"we""ird"."a""b"'::pg_catalog.regclass, '${comment.slice(0, -1)},"digest":"' || d || '"}');\n`;
    expect(sql[6]).toBe(`DO $rbac$\nDECLARE d text;\nBEGIN\n${['own__1', 'own__2', 'own__insert', 'own__update', 'own__delete'].map(stamp).join('')}END\n$rbac$`);
    expect(sql).toHaveLength(7);
  });
  it("createRowAccessPolicy drops the table's hand-made policies and turns FORCE off, once per table", () => {
    const tampered = ctx({ tables: [{ ...hostileTable, rowSecurity: true, forceRowSecurity: true, foreignPolicies: ['open to "all"'] }] });
    const sql = compilePostgresPolicy({ kind: 'createRowAccessPolicy', policy: r }, tampered);
    expect(sql.slice(0, 2)).toEqual(['ALTER TABLE "we""ird"."a""b" NO FORCE ROW LEVEL SECURITY', 'DROP POLICY IF EXISTS "open to ""all""" ON "we""ird"."a""b"']);
    expect(sql.some((x) => x.includes('ENABLE ROW LEVEL SECURITY'))).toBe(false);
  });
  it('a where that is not one expression never reaches a statement, whatever the source of the record', () => {
    const injected = row({ name: 'own', rules: [{ roles: ['a'], where: "f = E'x\\'; CREATE ROLE evil SUPERUSER; --'" }] });
    const sql = compilePostgresPolicy({ kind: 'createRowAccessPolicy', policy: injected }, ctx());
    // The escape string is one literal: re-printed as a standard string, no second statement.
    expect(sql[1]).toBe(`CREATE POLICY "own__1" ON "we""ird"."a""b" AS PERMISSIVE FOR SELECT TO "a" USING (f = 'x''; CREATE ROLE evil SUPERUSER; --')`);
    const two = row({ name: 'own', rules: [{ roles: ['a'], where: 'true; CREATE ROLE evil SUPERUSER' }] });
    expect(() => compilePostgresPolicy({ kind: 'createRowAccessPolicy', policy: two }, ctx())).toThrow(/more than one statement/);
  });
  it('does not claim RLS it did not enable, and never disables it then', () => {
    const enabled = ctx({ tables: [{ ...hostileTable, rowSecurity: true }] });
    const sql = compilePostgresPolicy({ kind: 'createRowAccessPolicy', policy: r }, enabled);
    expect(sql[0]).toMatch(/^CREATE POLICY/);
    expect(sql.find((x) => x.startsWith('DO $rbac$'))).toMatch(/"enabledRls":false/);
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
    expect(sql.find((x) => x.startsWith('DO $rbac$'))).toContain('"enabledRls":true');
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
    expect(views[0].sql).toContain(`CAST(CASE WHEN extract(year FROM "born") <= extract(year FROM current_date) - 90 THEN NULL ELSE date_trunc('year', "born") END AS date)`);
    expect(views[0].sql).toContain(
      `WHERE ((pg_has_role(current_user, 'Privacy', 'MEMBER')) AND (true)) OR ((pg_has_role(current_user, 'an"alyst', 'MEMBER')) AND ("Foo" LIKE 'F01%'))`,
    );
    expect(st.filter((x) => x.changeIndex === 1)).toEqual([]);
  });
  it('the masks keep the type and never interpolate a name unquoted', () => {
    expect(maskSql({ mask: 'null' }, 'Foo', 'numeric(12,2)')).toBe('CAST(NULL AS numeric(12,2))');
    expect(maskSql({ mask: 'redact' }, 'Foo', 'text')).toBe(`CAST('****' AS text)`);
    expect(maskSql({ mask: 'redact' }, 'Foo', 'integer')).toBe('CAST(NULL AS integer)');
    expect(maskSql({ mask: 'year' }, 'Foo', 'timestamp with time zone')).toBe(
      `CAST(CASE WHEN extract(year FROM "Foo") <= extract(year FROM current_date) - 90 THEN NULL ELSE date_trunc('year', "Foo") END AS timestamp with time zone)`,
    );
    expect(maskSql({ mask: 'hash' }, 'Foo', 'text')).toContain(`(SELECT s.salt FROM "rbac".settings s LIMIT 1) || "Foo"`);
    expect(() => maskSql({ expression: '{value}; DROP TABLE x' }, 'Foo', 'text')).toThrow(/more than one statement/);
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
/** A JSON comment as rbac's stamp leaves it: the digest appended as the last key. */
const stamped = (json: string, digest: string) => `${json.slice(0, -1)},"digest":"${digest}"}`;
interface CatalogOpts {
  viewComment: string | null;
  policyComment: string | null;
  patientCols?: string[];
  viewDigest?: string;
  policyDigest?: (name: string) => string | undefined;
  rowSecurity?: boolean;
  force?: boolean;
  policyNames?: string[];
  extraPolicies?: PolicyRow[];
}
function catalog(o: CatalogOpts): CatalogRows {
  const cols = o.patientCols ?? ['id', 'ssn'];
  const names = o.policyNames ?? ['own__1', 'own__insert', 'own__update', 'own__delete'];
  return {
    database: [{ database: 'ehr', current_user: 'tool', owner: 'tool' }],
    roles: [],
    memberships: [],
    schemas: [{ schema: 'clinical', owner: 'tool' }],
    tables: [
      { schema: 'clinical', name: 'patients', relkind: 'r', owner: 'tool', columns: cols, column_types: cols.map(() => 'text'), row_security: o.rowSecurity ?? true, force_row_security: o.force ?? false, comment: null },
      { schema: 'clinical', name: 'patients_masked', relkind: 'v', owner: 'tool', columns: ['id', 'ssn'], column_types: ['text', 'text'], row_security: false, comment: o.viewComment, definition_digest: o.viewDigest ?? 'v1' },
    ],
    relationAcl: [],
    columnAcl: [],
    defaultAcl: [],
    policies: [
      ...names.map((name) => ({ schema: 'clinical', table: 'patients', name, comment: o.policyComment, command: 'r', permissive: true, roles: ['a', 'b'], definition_digest: o.policyDigest?.(name) ?? `d-${name}` })),
      ...(o.extraPolicies ?? []),
    ],
  };
}

describe('the reader rebuilds policies from the tool comments and checks what enforces them', () => {
  const ssn: MaskingPolicyRecord = { key: maskingPolicyKey('ssn_last4'), name: 'ssn_last4', schema: s('clinical'), mask: 'last4', unmaskedFor: ['po'], columns: [{ table: patients, column: 'ssn' }] };
  const own: RowAccessPolicyRecord = { key: rowAccessPolicyKey('own'), name: 'own', schema: s('clinical'), table: patients, rules: [{ roles: ['a', 'b'], where: "f = 'F01'" }] };
  const view = stamped(encodeViewComment(patients, ['id', 'ssn'], [ssn]), 'v1');
  // Each pg policy carries its own digest in its comment.
  const rows = (o: Partial<CatalogOpts> = {}) => {
    const c = catalog({ viewComment: view, policyComment: null, ...o });
    for (const p of c.policies!) if (p.comment === null && p.name.startsWith('own__')) p.comment = stamped(encodePolicyComment(own, true), `d-${p.name}`);
    return c;
  };

  it('reads masking policies from the view comment and row policies from pg_policy comments, once each', () => {
    const live = parseLive(rows(), scope);
    expect(live.maskingPolicies).toEqual([{ ...ssn, body: expect.stringContaining(`THEN "ssn" ELSE CAST(regexp_replace`) }]);
    expect(live.rowAccessPolicies).toEqual([{ ...own, enabledRls: true, body: expect.stringContaining(`POLICY "own__1" ON "clinical"."patients" FOR SELECT TO "a", "b" USING (f = 'F01')`) }]);
    expect(live.tables.find((x) => x.object.name === 'patients')).toMatchObject({ columnTypes: ['text', 'text'], rowSecurity: true });
    expect(live.tables.find((x) => x.object.name === 'patients')?.foreignPolicies).toBeUndefined();
    expect(live.toolObjects).toEqual(['table:ehr.clinical.patients_masked']);
  });
  it('a view replaced by hand (the stamped digest no longer matches) marks its masking policies tampered', () => {
    const live = parseLive(rows({ viewDigest: 'v2-by-hand' }), scope);
    expect(live.maskingPolicies?.[0].tampered).toEqual([expect.stringMatching(/definition of view clinical.patients_masked was changed by hand/)]);
    expect(live.maskingPolicies?.[0].columns).toEqual(ssn.columns);
  });
  it('a view made before digests were stamped is re-created once', () => {
    const live = parseLive(rows({ viewComment: encodeViewComment(patients, ['id', 'ssn'], [ssn]) }), scope);
    expect(live.maskingPolicies?.[0].tampered).toEqual([expect.stringMatching(/carries no definition digest/)]);
  });
  it('a zip3 view made before the Safe Harbor masks (no safeHarbor mark) is re-created; one made since is not', () => {
    const zip: MaskingPolicyRecord = { ...ssn, key: maskingPolicyKey('zip3_only'), name: 'zip3_only', mask: 'zip3' };
    const now = encodeViewComment(patients, ['id', 'ssn'], [zip]);
    expect(JSON.parse(now).safeHarbor).toBe(1);
    const before = JSON.stringify({ ...JSON.parse(now), safeHarbor: undefined });
    expect(parseLive(rows({ viewComment: stamped(before, 'v1') }), scope).maskingPolicies?.[0].tampered).toEqual([expect.stringMatching(/before Safe Harbor masks .* re-created/)]);
    expect(parseLive(rows({ viewComment: stamped(now, 'v1') }), scope).maskingPolicies?.[0].tampered).toBeUndefined();
    // Other masks never carried the mark and need none.
    expect(JSON.parse(encodeViewComment(patients, ['id', 'ssn'], [ssn])).safeHarbor).toBeUndefined();
  });
  it('RLS disabled, FORCE set, a policy changed, missing or not made by rbac: each is a reason on the row access policy', () => {
    expect(parseLive(rows({ rowSecurity: false }), scope).rowAccessPolicies?.[0].tampered).toEqual(['row level security is disabled on clinical.patients']);
    expect(parseLive(rows({ force: true }), scope).rowAccessPolicies?.[0].tampered).toEqual([expect.stringMatching(/^FORCE ROW LEVEL SECURITY is set on clinical.patients/)]);
    expect(parseLive(rows({ policyDigest: (n) => (n === 'own__1' ? 'by-hand' : undefined) }), scope).rowAccessPolicies?.[0].tampered).toEqual([
      'policy own__1 on clinical.patients was changed by hand',
    ]);
    expect(parseLive(rows({ policyNames: ['own__1', 'own__insert', 'own__update'] }), scope).rowAccessPolicies?.[0].tampered).toEqual([
      'policy own__delete on clinical.patients is missing',
    ]);
    const open: PolicyRow = { schema: 'clinical', table: 'patients', name: 'open', comment: null, command: 'r', permissive: true, roles: ['PUBLIC'], using_expr: 'true', definition_digest: 'x' };
    const live = parseLive(rows({ extraPolicies: [open] }), scope);
    expect(live.rowAccessPolicies?.[0].tampered).toEqual(['policy open on clinical.patients was not made by rbac (PERMISSIVE FOR SELECT TO PUBLIC USING (true))']);
    expect(live.tables.find((x) => x.object.name === 'patients')?.foreignPolicies).toEqual(['open']);
  });
  it('ignores views and policies without the marker (not the tool\'s)', () => {
    const live = parseLive(catalog({ viewComment: '{"note":"hand made"}', policyComment: null }), scope);
    expect(live.maskingPolicies).toEqual([]);
    expect(live.rowAccessPolicies).toEqual([]);
    expect(live.toolObjects).toEqual([]);
  });
  it('a view made before the table gained a column reports its columns unmasked (so the plan rebuilds it)', () => {
    const live = parseLive(catalog({ viewComment: view, policyComment: null, patientCols: ['id', 'ssn', 'added'] }), scope);
    expect(live.maskingPolicies?.[0].columns).toEqual([]);
  });
  it('every grant on a masking view or in the rbac schema is read, whoever holds it; defaults of the connecting role are kept for new objects', () => {
    const c = rows();
    c.relationAcl = [
      { schema: 'clinical', name: 'patients_masked', relkind: 'v', owner: 'tool', grantee: 'legacy_app', is_public: false, privilege_type: 'UPDATE', is_grantable: false, grantor: 'tool' },
      { schema: 'clinical', name: 'patients', relkind: 'r', owner: 'tool', grantee: 'legacy_app', is_public: false, privilege_type: 'UPDATE', is_grantable: false, grantor: 'tool' },
      { schema: 'rbac', name: 'settings', relkind: 'r', owner: 'tool', grantee: 'snoop', is_public: false, privilege_type: 'SELECT', is_grantable: false, grantor: 'tool' },
    ];
    c.schemas.push({ schema: 'rbac', owner: 'tool', grantee: null, is_public: true, privilege_type: 'USAGE', is_grantable: false, grantor: 'tool' });
    c.defaultAcl = [
      { creator: 'tool', schema: 'clinical', grantee: 'legacy_app', is_public: false, privilege_type: 'UPDATE', is_grantable: false },
      { creator: 'tool', schema: null, grantee: 'reporting', is_public: false, privilege_type: 'SELECT', is_grantable: false },
      { creator: 'someone', schema: 'clinical', grantee: 'other', is_public: false, privilege_type: 'SELECT', is_grantable: false },
    ];
    const live = parseLive(c, scope);
    expect(live.grants.map((g) => g.key)).toEqual([
      'grant:select:table:ehr.rbac.settings:role:snoop',
      'grant:update:table:ehr.clinical.patients_masked:role:legacy_app',
      'grant:usage:schema:ehr.rbac:role:PUBLIC',
    ]);
    expect(live.toolObjects).toEqual(['schema:ehr.rbac', 'table:ehr.clinical.patients_masked', 'table:ehr.rbac.settings']);
    expect(live.newObjectGrantees).toEqual({ '': ['reporting'], clinical: ['legacy_app', 'reporting'] });
    // rbac's schema is not one of the configuration's: it lists no tables of it.
    expect(live.tables.map((x) => x.object.name)).toEqual(['patients', 'patients_masked']);
  });
  it('reads WITH GRANT OPTION and every grantor; grants a managed role made to others are dependents', () => {
    const c = rows();
    c.relationAcl = [
      { schema: 'clinical', name: 'patients', relkind: 'r', owner: 'tool', grantee: 'analyst', is_public: false, privilege_type: 'SELECT', is_grantable: true, grantor: 'tool' },
      { schema: 'clinical', name: 'patients', relkind: 'r', owner: 'tool', grantee: 'intern', is_public: false, privilege_type: 'SELECT', is_grantable: false, grantor: 'analyst' },
    ];
    const live = parseLive(c, scope);
    expect(live.grants).toEqual([expect.objectContaining({ role: 'analyst', privilege: 'select', grantOption: true, grantors: ['tool'] })]);
    expect(live.dependentGrants).toEqual([expect.objectContaining({ role: 'intern', privilege: 'select', grantors: ['analyst'] })]);
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
    schemaWide: [{ role: 'auditor', privilege: 'select', schema: s('billing'), kinds: ['table'], future: true }],
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
