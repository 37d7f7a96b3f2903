/**
 * Tag-based masking on Snowflake through the real adapter, against SnowflakeGrantModel (a
 * test double answering POLICY_REFERENCES and TAG_REFERENCES_ALL_COLUMNS with rows shaped
 * like the documented output): policies set on a tag, the tag set on each classified
 * column with its category, read back and diffed (drift sees a tag unset by hand), and
 * never a column unset for a column masked through the tag.
 */
import { describe, expect, it } from 'vitest';
import { SnowflakeAdapter } from '../../src/dialects/snowflake/adapter.js';
import { parseColumnTags, sql as inspectSql } from '../../src/dialects/snowflake/inspect.js';
import { compileSnowflakePolicy, tagCoverageProblems } from '../../src/dialects/snowflake/policies.js';
import { driftReport } from '../../src/drift/drift.js';
import { columnTagKey, maskingPolicyKey, objectKey } from '../../src/model/keys.js';
import type { ColumnRef, ColumnTagRecord, Desired, MaskingPolicyRecord, ObjectRef } from '../../src/model/types.js';
import { plan } from '../../src/plan/plan.js';
import { introspectScopeOf, scopeOf } from '../../src/plan/scope.js';
import { describeChange } from '../../src/render/describe.js';
import { SnowflakeGrantModel } from './grant-model.js';
import { desiredWith } from './patients-account.js';

const TAG: ObjectRef = { kind: 'tag', database: 'GOV', schema: 'tag"s', name: 'phi class' };
const TG = '"GOV"."tag""s"."phi class"';
const TAG_SCHEMA: ObjectRef = { kind: 'schema', database: 'GOV', schema: 'tag"s' };
const PATIENTS: ObjectRef = { kind: 'table', database: 'EHR', schema: 'Clinical.v2', name: 'Patients' };
const PT = '"EHR"."Clinical.v2"."Patients"';
const col = (column: string): ColumnRef => ({ table: PATIENTS, column });
const tagOn = (column: string, value: string): ColumnTagRecord => ({ key: columnTagKey(TAG, col(column)), column: col(column), tag: TAG, value });
const policy = (name: string, mask: MaskingPolicyRecord['mask'], over: Partial<MaskingPolicyRecord> = {}): MaskingPolicyRecord => ({
  key: maskingPolicyKey(name), name, schema: TAG_SCHEMA, mask, unmaskedFor: ['PRIVACY_OFFICER'], columns: [], tags: [TAG], ...over,
});
const CLASSIFIED = [tagOn('MRN', 'medical_record_number'), tagOn('Full Name', 'name'), tagOn('BIRTH_DATE', 'date')];
const desired = (over: Partial<Desired> = {}): Desired => desiredWith([policy('PHI_TEXT', 'hash'), policy('PHI_DATES', 'year')], { columnTags: CLASSIFIED, ...over });

function account(): SnowflakeGrantModel {
  const m = new SnowflakeGrantModel();
  m.exec('CREATE ROLE IF NOT EXISTS "PRIVACY_OFFICER"', 'USERADMIN');
  m.addDatabase('EHR');
  m.addDatabase('GOV');
  m.addSchema('EHR', 'Clinical.v2');
  m.addSchema('GOV', 'tag"s');
  m.addSchema('GOV', 'TAGS');
  m.addObject({ kind: 'TABLE', database: 'EHR', schema: 'Clinical.v2', name: 'Patients' });
  m.columns.set(JSON.stringify(['EHR', 'Clinical.v2', 'Patients']), [['MRN', 'TEXT'], ['Full Name', 'TEXT'], ['BIRTH_DATE', 'DATE'], ['NOTES', 'TEXT']]);
  m.addObject({ kind: 'TAG', database: 'GOV', schema: 'tag"s', name: 'phi class' });
  m.addObject({ kind: 'TAG', database: 'GOV', schema: 'TAGS', name: 'OWNER_TEAM' });
  // A tag set on the table: inherited by every column (LEVEL TABLE), not rbac's.
  m.tableTags.set(JSON.stringify(['EHR', 'Clinical.v2', 'Patients']), [[JSON.stringify(['GOV', 'tag"s', 'phi class']), 'inherited'], [JSON.stringify(['GOV', 'TAGS', 'OWNER_TEAM']), 'clinical']]);
  return m;
}

async function planOn(m: SnowflakeGrantModel, d: Desired, mode: 'authoritative' | 'additive' = 'authoritative') {
  const adapter = new SnowflakeAdapter({ query: m.query, close: async () => undefined });
  const live = await adapter.introspect(introspectScopeOf(d, { managePublic: false }));
  const p = plan(d, live, { mode, target: 'model', scope: scopeOf(d), neverRevoke: ['ownership'] });
  return { adapter, live, p, statements: adapter.compile(p).map((s) => s.sql) };
}

async function converged(m: SnowflakeGrantModel, d = desired()) {
  const first = await planOn(m, d);
  const result = await first.adapter.apply(first.adapter.compile(first.p));
  expect(result.ok, result.failed?.error).toBe(true);
  return first;
}

const tagPoliciesOf = (m: SnowflakeGrantModel) => m.tagPolicies.get(JSON.stringify(['GOV', 'tag"s', 'phi class']))!.map((k) => JSON.parse(k)[3]).sort();
const columnTagsOf = (m: SnowflakeGrantModel, column: string) => Object.fromEntries(m.columnTagValues.get(JSON.stringify(['EHR', 'Clinical.v2', 'Patients', column])) ?? []);

describe('snowflake tag-based masking', () => {
  it('sets each policy on the tag, then the tag on every classified column; hostile names quoted, the value a literal', async () => {
    const m = account();
    const { statements } = await converged(m);
    const tagged = statements.filter((s) => / TAG /.test(s));
    expect(tagged).toEqual([
      `ALTER TAG ${TG} SET MASKING POLICY "GOV"."tag""s"."PHI_DATES"`,
      `ALTER TAG ${TG} SET MASKING POLICY "GOV"."tag""s"."PHI_TEXT"`,
      // In key order: a quoted part sorts before a bare one.
      `ALTER TABLE ${PT} MODIFY COLUMN "Full Name" SET TAG ${TG} = 'name'`,
      `ALTER TABLE ${PT} MODIFY COLUMN "BIRTH_DATE" SET TAG ${TG} = 'date'`,
      `ALTER TABLE ${PT} MODIFY COLUMN "MRN" SET TAG ${TG} = 'medical_record_number'`,
    ]);
    // Column-less policies are typed by their mask; each lives in the tag's schema.
    expect(statements.find((s) => s.includes('"PHI_DATES" AS'))).toMatch(/^CREATE OR REPLACE MASKING POLICY "GOV"\."tag""s"\."PHI_DATES" AS \(VAL DATE\) RETURNS DATE/);
    expect(statements.find((s) => s.includes('"PHI_TEXT" AS'))).toMatch(/AS \(VAL VARCHAR\) RETURNS VARCHAR .*SELECT "SALT" FROM "GOV"\."RBAC"\."SETTINGS"/);
    // Every policy is on the tag before the first column gets it.
    const lastPolicy = statements.findIndex((s) => s.includes('SET MASKING POLICY "GOV"."tag""s"."PHI_TEXT"'));
    expect(statements.findIndex((s) => s.includes('SET TAG'))).toBeGreaterThan(lastPolicy);
    expect(tagPoliciesOf(m)).toEqual(['PHI_DATES', 'PHI_TEXT']);
    expect(columnTagsOf(m, 'MRN')).toEqual({ [JSON.stringify(['GOV', 'tag"s', 'phi class'])]: 'medical_record_number' });
    expect(columnTagsOf(m, 'NOTES')).toEqual({});
    expect(compileSnowflakePolicy({ kind: 'setColumnTag', column: col("it's"), tag: TAG, value: "a'b" })).toEqual([`ALTER TABLE ${PT} MODIFY COLUMN "it's" SET TAG ${TG} = 'a''b'`]);
    expect(compileSnowflakePolicy({ kind: 'unsetColumnTag', column: col('Full Name'), tag: TAG })).toEqual([`ALTER TABLE ${PT} MODIFY COLUMN "Full Name" UNSET TAG ${TG}`]);
  });

  it('reads it all back: the next plan is empty, and no column masked through the tag is unset', async () => {
    const m = account();
    await converged(m);
    const again = await planOn(m, desired());
    expect(again.live.maskingPolicies?.map((p) => [p.name, p.tags, p.columns])).toEqual([['PHI_DATES', [TAG], []], ['PHI_TEXT', [TAG], []]]);
    // Only the managed tag, only where set on the column itself (not the table's inherited ones).
    expect(again.live.columnTags?.map((t) => `${t.column.column}=${t.value}`)).toEqual(['Full Name=name', 'BIRTH_DATE=date', 'MRN=medical_record_number']);
    expect(again.p.changes).toEqual([]);
    expect(again.statements.join('\n')).not.toMatch(/UNSET/);
  });

  it('drift sees a tag unset by hand (missing) and a value changed by hand (changed); apply sets them back', async () => {
    const m = account();
    await converged(m);
    const tag = JSON.stringify(['GOV', 'tag"s', 'phi class']);
    m.columnTagValues.get(JSON.stringify(['EHR', 'Clinical.v2', 'Patients', 'MRN']))!.delete(tag);
    m.columnTagValues.get(JSON.stringify(['EHR', 'Clinical.v2', 'Patients', 'Full Name']))!.set(tag, 'other_unique_id');
    const { p, live, statements, adapter } = await planOn(m, desired(), 'additive');
    const report = driftReport(p, live, '2025-01-01T00:00:00Z');
    expect(report.drifted).toBe(true);
    expect(report.items.map((i) => [i.kind, i.key])).toEqual([
      ['changed', columnTagKey(TAG, col('Full Name'))],
      ['missing', columnTagKey(TAG, col('MRN'))],
    ]);
    expect(p.changes.map((c) => describeChange(c))).toEqual([
      `change tag GOV."tag""s"."phi class" of column EHR."Clinical.v2".Patients."Full Name" from 'other_unique_id' to 'name'`,
      `tag column EHR."Clinical.v2".Patients.MRN with GOV."tag""s"."phi class" = 'medical_record_number'`,
    ]);
    expect(statements).toEqual([
      `ALTER TABLE ${PT} MODIFY COLUMN "Full Name" SET TAG ${TG} = 'name'`,
      `ALTER TABLE ${PT} MODIFY COLUMN "MRN" SET TAG ${TG} = 'medical_record_number'`,
    ]);
    expect((await adapter.apply(adapter.compile(p))).ok).toBe(true);
    expect((await planOn(m, desired())).p.changes).toEqual([]);
  });

  it('a policy unset from the tag by hand is set back; the managed tag on an unclassified column is unset only in authoritative mode; other tags are never touched', async () => {
    const m = account();
    await converged(m);
    const tag = JSON.stringify(['GOV', 'tag"s', 'phi class']);
    m.tagPolicies.set(tag, m.tagPolicies.get(tag)!.filter((k) => !k.includes('PHI_DATES')));
    m.columnTagValues.set(JSON.stringify(['EHR', 'Clinical.v2', 'Patients', 'NOTES']), new Map([[tag, 'name'], [JSON.stringify(['GOV', 'TAGS', 'OWNER_TEAM']), 'x']]));
    const additive = await planOn(m, desired(), 'additive');
    expect(additive.statements).toEqual([`ALTER TAG ${TG} SET MASKING POLICY "GOV"."tag""s"."PHI_DATES"`]);
    const authoritative = await planOn(m, desired());
    expect(authoritative.statements).toEqual([
      `ALTER TABLE ${PT} MODIFY COLUMN "NOTES" UNSET TAG ${TG}`,
      `ALTER TAG ${TG} SET MASKING POLICY "GOV"."tag""s"."PHI_DATES"`,
    ]);
    expect(authoritative.p.summary).toMatchObject({ add: 1, remove: 1, destructive: 1 });
    expect((await authoritative.adapter.apply(authoritative.adapter.compile(authoritative.p))).ok).toBe(true);
    expect(columnTagsOf(m, 'NOTES')).toEqual({ [JSON.stringify(['GOV', 'TAGS', 'OWNER_TEAM'])]: 'x' });
  });

  it('a policy removed from the configuration is unset from the tag before it is dropped (Snowflake refuses otherwise)', async () => {
    const m = account();
    await converged(m);
    const { statements, adapter, p } = await planOn(m, desired({ maskingPolicies: [policy('PHI_TEXT', 'hash')] }));
    expect(statements).toEqual([`ALTER TAG ${TG} UNSET MASKING POLICY "GOV"."tag""s"."PHI_DATES"`, `DROP MASKING POLICY IF EXISTS "GOV"."tag""s"."PHI_DATES"`]);
    expect((await adapter.apply(adapter.compile(p))).ok).toBe(true);
    expect(tagPoliciesOf(m)).toEqual(['PHI_TEXT']);
  });

  it('refuses a classified column whose type no policy on its tag takes; a direct mask or a typed policy on the tag covers it', async () => {
    const m = account();
    m.columns.set(JSON.stringify(['EHR', 'Clinical.v2', 'Patients']), [['MRN', 'TEXT'], ['Full Name', 'TEXT'], ['BIRTH_DATE', 'DATE'], ['FACILITY_ID', 'NUMBER(38,0)']]);
    const withNumber = desired({ columnTags: [...CLASSIFIED, { ...tagOn('FACILITY_ID', 'other_unique_id'), source: { file: 'grants/phi.yaml', line: 7, column: 3 } }] });
    const { live } = await planOn(m, withNumber);
    const problems = tagCoverageProblems(withNumber, live);
    expect(problems).toEqual([
      expect.objectContaining({
        severity: 'error',
        message: expect.stringMatching(/EHR\.Clinical\.v2\.Patients\.FACILITY_ID \(NUMBER\) gets tag GOV\.tag"s\.phi class, but no masking policy on that tag takes NUMBER \(DATE, VARCHAR\): it would stay unmasked/),
        hint: expect.stringContaining('grants/phi.yaml:7:3'),
      }),
    ]);
    const direct = { ...withNumber, maskingPolicies: [...withNumber.maskingPolicies!, policy('IDS', 'null', { tags: undefined, schema: { kind: 'schema', database: 'EHR', schema: 'Clinical.v2' }, columns: [col('FACILITY_ID')] })] };
    expect(tagCoverageProblems(direct, live)).toEqual([]);
    const typed = { ...withNumber, maskingPolicies: [...withNumber.maskingPolicies!, policy('IDS', 'null', { columns: [col('FACILITY_ID')] })] };
    expect(tagCoverageProblems(typed, live)).toEqual([]);
  });

  it('reads TAG_REFERENCES_ALL_COLUMNS rows by name: a managed tag set on a column, never an inherited or another tag', () => {
    expect(inspectSql.columnTagsOfTable(PATIENTS)).toBe(
      `SELECT TAG_DATABASE, TAG_SCHEMA, TAG_NAME, TAG_VALUE, LEVEL, OBJECT_DATABASE, OBJECT_SCHEMA, OBJECT_NAME, DOMAIN, COLUMN_NAME FROM TABLE("EHR".INFORMATION_SCHEMA.TAG_REFERENCES_ALL_COLUMNS('"EHR"."Clinical.v2"."Patients"', 'table'))`,
    );
    const base = { OBJECT_DATABASE: 'EHR', OBJECT_SCHEMA: 'Clinical.v2', OBJECT_NAME: 'Patients', DOMAIN: 'COLUMN' };
    const rows = [
      { ...base, TAG_DATABASE: 'GOV', TAG_SCHEMA: 'tag"s', TAG_NAME: 'phi class', TAG_VALUE: 'ssn', LEVEL: 'COLUMN', COLUMN_NAME: 'SSN' },
      { ...base, TAG_DATABASE: 'GOV', TAG_SCHEMA: 'tag"s', TAG_NAME: 'phi class', TAG_VALUE: 'x', LEVEL: 'TABLE', COLUMN_NAME: 'MRN' },
      { ...base, TAG_DATABASE: 'GOV', TAG_SCHEMA: 'TAGS', TAG_NAME: 'OWNER_TEAM', TAG_VALUE: 'y', LEVEL: 'COLUMN', COLUMN_NAME: 'MRN' },
      { ...base, TAG_DATABASE: 'GOV', TAG_SCHEMA: 'tag"s', TAG_NAME: 'phi class', TAG_VALUE: '', LEVEL: 'COLUMN', COLUMN_NAME: 'Full Name' },
    ];
    expect(parseColumnTags(PATIENTS, rows, new Set([objectKey(TAG)]))).toEqual([tagOn('Full Name', ''), tagOn('SSN', 'ssn')]);
  });
});
