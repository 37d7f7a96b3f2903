/** Golden SQL for Databricks column masks and row filters, hostile names included, and the policy reader. */
import { describe, expect, it } from 'vitest';
import { compileDatabricksPolicy } from '../../src/dialects/databricks/policies.js';
import { parseDatabricksPolicies } from '../../src/dialects/databricks/inspect.js';
import { bodyDigest, encodePolicyMarker } from '../../src/dialects/policy-text.js';
import type { LiveTable, MaskingPolicyRecord, ObjectRef, RowAccessPolicyRecord } from '../../src/model/types.js';

const T: ObjectRef = { kind: 'table', database: 'a`b', schema: 'select', name: 'été' };
const S: ObjectRef = { kind: 'schema', database: 'a`b', schema: 'select' };
const tables: LiveTable[] = [{ object: T, columns: ['ssn', 'birth', 'facility_id'], columnTypes: ['string', 'date', 'decimal(10,0)'] }];
const F = '`a``b`.`select`.`foo`';
const TT = '`a``b`.`select`.`été`';
const mask = (over: Partial<MaskingPolicyRecord> = {}): MaskingPolicyRecord => ({ key: 'policy:masking:foo', name: 'foo', schema: S, mask: 'last4', unmaskedFor: ['privacy_officer'], columns: [{ table: T, column: 'ssn' }], ...over });
const row = (over: Partial<RowAccessPolicyRecord> = {}): RowAccessPolicyRecord => ({ key: 'policy:row:foo', name: 'foo', schema: S, table: T, rules: [{ roles: ['clinical_analyst'], where: 'FACILITY_ID = 7' }], ...over });
const ctx = { tables };

describe('databricks policy SQL', () => {
  it('mask function with is_account_group_member, marker comment, SET MASK', () => {
    const out = compileDatabricksPolicy({ kind: 'createMaskingPolicy', policy: mask() }, ctx);
    expect(out[0]).toMatch(/^CREATE OR REPLACE FUNCTION `a``b`\.`select`\.`foo`\(val STRING\) RETURNS STRING COMMENT 'rbac-policy:.*' RETURN CASE WHEN is_account_group_member\('privacy_officer'\) THEN val ELSE concat\(repeat\('\*', greatest\(length\(val\) - 4, 0\)\), right\(val, 4\)\) END$/);
    expect(out[1]).toBe(`ALTER TABLE ${TT} ALTER COLUMN \`ssn\` SET MASK ${F}`);
  });
  it('drop: DROP MASK on every column before DROP FUNCTION; detach one column', () => {
    expect(compileDatabricksPolicy({ kind: 'dropMaskingPolicy', policy: mask() }, ctx)).toEqual([`ALTER TABLE ${TT} ALTER COLUMN \`ssn\` DROP MASK`, `DROP FUNCTION IF EXISTS ${F}`]);
    expect(compileDatabricksPolicy({ kind: 'detachMaskingPolicy', policy: mask(), column: { table: T, column: 'a`b' } }, ctx)).toEqual([`ALTER TABLE ${TT} ALTER COLUMN \`a\`\`b\` DROP MASK`]);
  });
  it('year keeps DATE; mixed types are refused', () => {
    expect(compileDatabricksPolicy({ kind: 'createMaskingPolicy', policy: mask({ mask: 'year', unmaskedFor: [], columns: [{ table: T, column: 'birth' }] }) }, ctx)[0]).toMatch(/\(val DATE\) RETURNS DATE .* RETURN CASE WHEN year\(val\) <= year\(current_date\(\)\) - 90 THEN CAST\(NULL AS DATE\) ELSE make_date\(year\(val\), 1, 1\) END$/);
    expect(() => compileDatabricksPolicy({ kind: 'createMaskingPolicy', policy: mask({ mask: 'null', columns: [{ table: T, column: 'ssn' }, { table: T, column: 'birth' }] }) }, ctx)).toThrow(/different types/);
  });
  it('row filter: arguments are the named columns with exact types; alter in place; drop detaches first', () => {
    const out = compileDatabricksPolicy({ kind: 'createRowAccessPolicy', policy: row() }, ctx);
    expect(out[0]).toMatch(/^CREATE OR REPLACE FUNCTION `a``b`\.`select`\.`foo`\(`facility_id` DECIMAL\(10,0\)\) RETURNS BOOLEAN COMMENT '.*' RETURN \(\(is_account_group_member\('clinical_analyst'\)\) AND \(`facility_id` = 7\)\)$/);
    expect(out[1]).toBe(`ALTER TABLE ${TT} SET ROW FILTER ${F} ON (\`facility_id\`)`);
    expect(compileDatabricksPolicy({ kind: 'alterRowAccessPolicy', from: row(), to: row({ rules: [] }) }, ctx)[0]).toBe(`ALTER TABLE ${TT} DROP ROW FILTER`);
    expect(compileDatabricksPolicy({ kind: 'dropRowAccessPolicy', policy: row() }, ctx)).toEqual([`ALTER TABLE ${TT} DROP ROW FILTER`, `DROP FUNCTION IF EXISTS ${F}`]);
  });
});

describe('databricks policy reader (recorded rows)', () => {
  it('reports only marked functions, with their masked columns and filtered table', () => {
    const r = parseDatabricksPolicies({
      functions: [
        { routine_catalog: 'a`b', routine_schema: 'select', routine_name: 'foo', comment: encodePolicyMarker({ policy: 'masking', name: 'foo', mask: 'last4', unmaskedFor: ['privacy_officer'] }) },
        { routine_catalog: 'a`b', routine_schema: 'select', routine_name: 'rows', comment: encodePolicyMarker({ policy: 'row', name: 'rows', table: { database: 'a`b', schema: 'select', name: 'été' }, rules: row().rules }) },
        { routine_catalog: 'a`b', routine_schema: 'select', routine_name: 'theirs', comment: 'hand made' },
      ],
      masks: [
        { catalog_name: 'a`b', schema_name: 'select', table_name: 'été', column_name: 'ssn', mask_catalog: 'a`b', mask_schema: 'select', mask_name: 'foo', mask_col_usage: null },
        { catalog_name: 'a`b', schema_name: 'select', table_name: 'été', column_name: 'birth', mask_catalog: 'a`b', mask_schema: 'select', mask_name: 'theirs', mask_col_usage: null },
      ],
      filters: [],
    });
    expect(r.maskingPolicies).toEqual([mask()]);
    expect(r.rowAccessPolicies.map((p) => [p.name, p.table.name])).toEqual([['rows', '']]);
  });
  it('a function body changed by hand under the marker (routine_definition) is tampered', () => {
    const body = "CASE WHEN is_account_group_member('privacy_officer') THEN val ELSE '****' END";
    const fn = (definition: string) => ({
      routine_catalog: 'a`b', routine_schema: 'select', routine_name: 'foo', routine_definition: definition,
      comment: encodePolicyMarker({ policy: 'masking', name: 'foo', mask: 'redact', unmaskedFor: ['privacy_officer'], body: bodyDigest(body) }),
    });
    const read = (definition: string) => parseDatabricksPolicies({ functions: [fn(definition)], masks: [], filters: [] }).maskingPolicies[0];
    expect(read(body).tampered).toBeUndefined();
    expect(read('val').tampered).toEqual(['the body of masking policy foo was changed by hand']);
    // What rbac writes records the digest of exactly the body it writes.
    const out = compileDatabricksPolicy({ kind: 'createMaskingPolicy', policy: mask({ mask: 'redact' }) }, ctx)[0];
    const written = out.slice(out.indexOf(' RETURN ') + ' RETURN '.length);
    expect(out).toContain(`\"body\":\"${bodyDigest(written)}\"`);
  });
});
