/** Golden SQL for every policy change kind on Snowflake, hostile names included. */
import { describe, expect, it } from 'vitest';
import { compileSnowflakePolicy } from '../../src/dialects/snowflake/policies.js';
import { maskingRecordFrom, parseShowPolicies, rowRecordFrom, sql } from '../../src/dialects/snowflake/inspect.js';
import { bodyDigest, encodePolicyMarker } from '../../src/dialects/policy-text.js';
import { compileSnowflake } from '../../src/dialects/snowflake/compile.js';
import { plan } from '../../src/plan/plan.js';
import { scopeOf } from '../../src/plan/scope.js';
import type { LiveTable, MaskingPolicyRecord, ObjectRef, RowAccessPolicyRecord } from '../../src/model/types.js';

const T: ObjectRef = { kind: 'table', database: 'a"b', schema: 'select', name: 'Été' };
const S: ObjectRef = { kind: 'schema', database: 'a"b', schema: 'select' };
const tables: LiveTable[] = [{ object: T, columns: ['SSN', 'Foo', 'BIRTH', 'a`b'], columnTypes: ['TEXT', 'TEXT', 'DATE', 'NUMBER'] }];
const P = '"a""b"."select"."Foo"';
const TT = '"a""b"."select"."Été"';
const mask = (over: Partial<MaskingPolicyRecord> = {}): MaskingPolicyRecord => ({
  key: 'policy:masking:Foo', name: 'Foo', schema: S, mask: 'hash', unmaskedFor: ["PRIVACY_OFFICER", "it's"], columns: [{ table: T, column: 'SSN' }, { table: T, column: 'Foo' }], ...over,
});
const row = (over: Partial<RowAccessPolicyRecord> = {}): RowAccessPolicyRecord => ({
  key: 'policy:row:Foo', name: 'Foo', schema: S, table: T, rules: [{ roles: ['CLINICAL_ANALYST'], where: `"a\`b" = 7 AND 'SSN' <> ''` }], ...over,
});
const ctx = { tables };

describe('snowflake policy SQL', () => {
  it('create masking: typed signature, IS_ROLE_IN_SESSION exemptions, marker comment, attach each column', () => {
    const out = compileSnowflakePolicy({ kind: 'createMaskingPolicy', policy: mask() }, ctx);
    // The marker records the digest of the body it was written with: a body changed by hand is drift.
    // hash reads the secret salt of the policy's database with the policy owner's rights.
    const MASK_BODY = `CASE WHEN IS_ROLE_IN_SESSION('PRIVACY_OFFICER') OR IS_ROLE_IN_SESSION('it''s') THEN VAL ELSE SHA2(CONCAT((SELECT "SALT" FROM "a""b"."RBAC"."SETTINGS" LIMIT 1), ':', VAL), 256) END`;
    expect(out[0]).toBe(
      `CREATE OR REPLACE MASKING POLICY ${P} AS (VAL VARCHAR) RETURNS VARCHAR -> ${MASK_BODY} COMMENT = '${encodePolicyMarker({ policy: 'masking', name: 'Foo', mask: 'hash', unmaskedFor: ['PRIVACY_OFFICER', "it's"], body: bodyDigest(MASK_BODY) }).replace(/\\/g, '\\\\').replace(/'/g, "''")}'`,
    );
    expect(out.slice(1)).toEqual([
      `ALTER TABLE ${TT} MODIFY COLUMN "SSN" SET MASKING POLICY ${P} FORCE`,
      `ALTER TABLE ${TT} MODIFY COLUMN "Foo" SET MASKING POLICY ${P} FORCE`,
    ]);
  });

  it('year keeps a date a date; a custom expression is re-printed with {value} as the parameter, never inside a literal', () => {
    expect(compileSnowflakePolicy({ kind: 'createMaskingPolicy', policy: mask({ mask: 'year', unmaskedFor: [], columns: [{ table: T, column: 'BIRTH' }] }) }, ctx)[0])
      .toContain(' AS (VAL DATE) RETURNS DATE -> CASE WHEN YEAR(VAL) <= YEAR(CURRENT_DATE()) - 90 THEN NULL ELSE DATE_FROM_PARTS(YEAR(VAL), 1, 1) END COMMENT');
    expect(compileSnowflakePolicy({ kind: 'createMaskingPolicy', policy: mask({ mask: undefined, expression: "left({value}, 2) || 'x'", unmaskedFor: [] }) }, ctx)[0])
      .toContain(`-> LEFT("VAL", 2) || 'x' COMMENT`);
    // A policy record read back or from a snapshot is parsed again: `{value}` inside a literal, or a second statement, never reaches SQL.
    expect(() => compileSnowflakePolicy({ kind: 'createMaskingPolicy', policy: mask({ mask: undefined, expression: "LEFT({value}, 2) || '{value}'", unmaskedFor: [] }) }, ctx)).toThrow(/is refused/);
    expect(() => compileSnowflakePolicy({ kind: 'createMaskingPolicy', policy: mask({ mask: undefined, expression: "{value}'; DROP TABLE T; --", unmaskedFor: [] }) }, ctx)).toThrow(/is refused/);
  });

  it('refuses one policy over columns of different types, with a hint', () => {
    expect(() => compileSnowflakePolicy({ kind: 'createMaskingPolicy', policy: mask({ mask: 'null', columns: [{ table: T, column: 'SSN' }, { table: T, column: 'BIRTH' }] }) }, ctx))
      .toThrow(/different types \(VARCHAR: .*; DATE: .*\)/);
    expect(() => compileSnowflakePolicy({ kind: 'createMaskingPolicy', policy: mask({ mask: 'last4', columns: [{ table: T, column: 'a`b' }] }) }, ctx)).toThrow(/last4/);
  });

  it('alter with the same signature changes the body in place', () => {
    expect(compileSnowflakePolicy({ kind: 'alterMaskingPolicy', from: mask(), to: mask({ mask: 'redact', unmaskedFor: [] }) }, ctx)).toEqual([
      `ALTER MASKING POLICY ${P} SET BODY -> '****'`,
      expect.stringMatching(new RegExp(`^ALTER MASKING POLICY ${P.replace(/[."]/g, '\\$&')} SET COMMENT = '.*"mask":"redact"`)),
    ]);
  });

  it('type change lifecycle through the planner: detach, replace with the new signature, reattach', () => {
    const live = mask({ mask: 'hash', columns: [{ table: T, column: 'SSN' }] });
    const want = mask({ mask: 'year', columns: [{ table: T, column: 'BIRTH' }] });
    const empty = { platform: 'snowflake' as const, roles: [], users: [], memberships: [], grants: [], schemaWide: [], futureGrants: [] };
    const p = plan({ ...empty, maskingPolicies: [want] }, { platform: 'snowflake', roles: [], memberships: [], grants: [], futureGrants: [], schemas: [], tables, maskingPolicies: [live] }, { mode: 'authoritative', target: 't', scope: scopeOf(empty) });
    const sql = p.changes.flatMap((c) => compileSnowflake(c, ctx));
    expect(sql[0]).toBe(`ALTER TABLE ${TT} MODIFY COLUMN "SSN" UNSET MASKING POLICY`);
    expect(sql[1]).toMatch(/^CREATE OR REPLACE MASKING POLICY .* AS \(VAL DATE\) RETURNS DATE -> CASE WHEN .* THEN VAL ELSE CASE WHEN YEAR\(VAL\) <= YEAR\(CURRENT_DATE\(\)\) - 90 THEN NULL ELSE DATE_FROM_PARTS/);
    expect(sql[2]).toBe(`ALTER TABLE ${TT} MODIFY COLUMN "BIRTH" SET MASKING POLICY ${P} FORCE`);
    expect(sql).toHaveLength(3);
  });

  it('drop while attached: unset every column first, then drop', () => {
    expect(compileSnowflakePolicy({ kind: 'dropMaskingPolicy', policy: mask() }, ctx)).toEqual([
      `ALTER TABLE ${TT} MODIFY COLUMN "SSN" UNSET MASKING POLICY`,
      `ALTER TABLE ${TT} MODIFY COLUMN "Foo" UNSET MASKING POLICY`,
      `DROP MASKING POLICY IF EXISTS ${P}`,
    ]);
  });

  it('attach and detach one column', () => {
    expect(compileSnowflakePolicy({ kind: 'attachMaskingPolicy', policy: mask(), column: { table: T, column: 'a`b' } }, ctx)).toEqual([`ALTER TABLE ${TT} MODIFY COLUMN "a\`b" SET MASKING POLICY ${P} FORCE`]);
    expect(compileSnowflakePolicy({ kind: 'detachMaskingPolicy', policy: mask(), column: { table: T, column: 'a`b' } }, ctx)).toEqual([`ALTER TABLE ${TT} MODIFY COLUMN "a\`b" UNSET MASKING POLICY`]);
  });

  it('row access: arguments are the columns the where names (not those in literals), body per rule', () => {
    const out = compileSnowflakePolicy({ kind: 'createRowAccessPolicy', policy: row() }, ctx);
    expect(out[0]).toMatch(new RegExp(`^CREATE OR REPLACE ROW ACCESS POLICY ${P.replace(/[."]/g, '\\$&')} AS \\("a\`b" NUMBER\\) RETURNS BOOLEAN -> \\(\\(IS_ROLE_IN_SESSION\\('CLINICAL_ANALYST'\\)\\) AND \\("a\`b" = 7 AND 'SSN' <> ''\\)\\) COMMENT = `));
    expect(out[1]).toBe(`ALTER TABLE ${TT} ADD ROW ACCESS POLICY ${P} ON ("a\`b")`);
  });

  it('a database role is in session through IS_DATABASE_ROLE_IN_SESSION, by its relative name (a qualified one is always FALSE)', () => {
    expect(compileSnowflakePolicy({ kind: 'alterRowAccessPolicy', from: row(), to: row({ rules: [{ roles: ['EHR.PHI_READER', 'R'], where: '"a`b" > 1' }] }) }, ctx)[0]).toBe(
      `ALTER ROW ACCESS POLICY ${P} SET BODY -> ((IS_DATABASE_ROLE_IN_SESSION('PHI_READER') OR IS_ROLE_IN_SESSION('R')) AND ("a\`b" > 1))`,
    );
  });

  it('a body with a qualified database role (written before 0.2) reads as outdated, to be rewritten', () => {
    const body = "((IS_DATABASE_ROLE_IN_SESSION('EHR.PHI_READER')) AND (TRUE))";
    const [rshown] = parseShowPolicies('row', [{ name: 'Foo', database_name: 'a"b', schema_name: 'select', kind: 'ROW_ACCESS_POLICY', comment: encodePolicyMarker({ policy: 'row', name: 'Foo', table: { database: 'a"b', schema: 'select', name: 'Été' }, rules: row().rules, body: bodyDigest(body) }) }]);
    expect(rowRecordFrom(rshown, [], [{ name: 'Foo', body }]).tampered).toEqual([expect.stringMatching(/names a database role by its qualified name, which Snowflake evaluates to FALSE/)]);
    const relative = "((IS_DATABASE_ROLE_IN_SESSION('PHI_READER')) AND (TRUE))";
    const [fresh] = parseShowPolicies('row', [{ name: 'Foo', database_name: 'a"b', schema_name: 'select', kind: 'ROW_ACCESS_POLICY', comment: encodePolicyMarker({ policy: 'row', name: 'Foo', table: { database: 'a"b', schema: 'select', name: 'Été' }, rules: row().rules, body: bodyDigest(relative) }) }]);
    expect(rowRecordFrom(fresh, [], [{ name: 'Foo', body: relative }]).tampered).toBeUndefined();
  });

  it('row access alter: same arguments in place; new arguments drop, replace, add; drop detaches first', () => {
    expect(compileSnowflakePolicy({ kind: 'alterRowAccessPolicy', from: row(), to: row({ rules: [{ roles: ['R'], where: '"a`b" > 1' }] }) }, ctx)[0]).toBe(`ALTER ROW ACCESS POLICY ${P} SET BODY -> ((IS_ROLE_IN_SESSION('R')) AND ("a\`b" > 1))`);
    const moved = compileSnowflakePolicy({ kind: 'alterRowAccessPolicy', from: row(), to: row({ rules: [{ roles: ['R'], where: 'ssn = foo' }] }) }, ctx);
    expect(moved[0]).toBe(`ALTER TABLE ${TT} DROP ROW ACCESS POLICY ${P}`);
    expect(moved[1]).toContain('AS ("SSN" VARCHAR)');
    expect(moved[2]).toBe(`ALTER TABLE ${TT} ADD ROW ACCESS POLICY ${P} ON ("SSN")`);
    expect(compileSnowflakePolicy({ kind: 'dropRowAccessPolicy', policy: row() }, ctx)).toEqual([`ALTER TABLE ${TT} DROP ROW ACCESS POLICY ${P}`, `DROP ROW ACCESS POLICY IF EXISTS ${P}`]);
  });

  it('row access on a table the live state does not list fails loudly', () => {
    expect(() => compileSnowflakePolicy({ kind: 'createRowAccessPolicy', policy: row() }, {})).toThrow(/not in the live state/);
  });
});

describe('snowflake policy reader (recorded rows)', () => {
  it('keeps only policies with the tool marker and rebuilds them from POLICY_REFERENCES', () => {
    const marker = encodePolicyMarker({ policy: 'masking', name: 'Foo', mask: 'hash', unmaskedFor: ['PRIVACY_OFFICER'] });
    const shown = parseShowPolicies('masking', [
      { created_on: '2024-05-01 10:00:00.000 -0700', name: 'Foo', database_name: 'a"b', schema_name: 'select', kind: 'MASKING_POLICY', owner: 'SECURITYADMIN', comment: marker, owner_role_type: 'ROLE', options: '' },
      { created_on: '2024-05-01 10:00:00.000 -0700', name: 'HAND_MADE', database_name: 'a"b', schema_name: 'select', kind: 'MASKING_POLICY', owner: 'SECURITYADMIN', comment: 'by hand', owner_role_type: 'ROLE', options: '' },
      { created_on: '2024-05-01 10:00:00.000 -0700', name: 'COPY', database_name: 'a"b', schema_name: 'select', kind: 'MASKING_POLICY', owner: 'SECURITYADMIN', comment: marker, owner_role_type: 'ROLE', options: '' },
    ]);
    expect(shown.map((p) => p.object)).toEqual(['Foo']);
    const rec = maskingRecordFrom(shown[0], [
      { POLICY_DB: 'a"b', POLICY_SCHEMA: 'select', POLICY_NAME: 'Foo', POLICY_KIND: 'MASKING_POLICY', REF_DATABASE_NAME: 'a"b', REF_SCHEMA_NAME: 'select', REF_ENTITY_NAME: 'Été', REF_ENTITY_DOMAIN: 'TABLE', REF_COLUMN_NAME: 'SSN', REF_ARG_COLUMN_NAMES: null, POLICY_STATUS: 'ACTIVE' },
    ]);
    expect(rec).toEqual({ key: 'policy:masking:Foo', name: 'Foo', schema: S, mask: 'hash', unmaskedFor: ['PRIVACY_OFFICER'], columns: [{ table: { kind: 'table', database: 'a"b', schema: 'select', name: 'Été' }, column: 'SSN' }] });
    const rshown = parseShowPolicies('row', [{ name: 'Foo', database_name: 'a"b', schema_name: 'select', kind: 'ROW_ACCESS_POLICY', comment: encodePolicyMarker({ policy: 'row', name: 'Foo', table: { database: 'a"b', schema: 'select', name: 'Été' }, rules: row().rules }) }]);
    // Attachment removed by hand: the record's table differs, so the next plan re-creates it.
    expect(rowRecordFrom(rshown[0], []).table.name).toBe('');
    expect(rowRecordFrom(rshown[0], [{ POLICY_KIND: 'ROW_ACCESS_POLICY', REF_DATABASE_NAME: 'a"b', REF_SCHEMA_NAME: 'select', REF_ENTITY_NAME: 'Été', REF_ARG_COLUMN_NAMES: '[ "a`b" ]' }])).toEqual(row());
  });

  it('Safe Harbor golden SQL: zip3 zeroes the restricted prefixes, year aggregates 90 or more years back (DATE and TIMESTAMP)', () => {
    const zip = compileSnowflakePolicy({ kind: 'createMaskingPolicy', policy: mask({ mask: 'zip3', unmaskedFor: [], columns: [{ table: T, column: 'SSN' }] }) }, ctx)[0];
    expect(zip).toContain(
      "AS (VAL VARCHAR) RETURNS VARCHAR -> CASE WHEN LEFT(VAL, 3) IN ('036', '059', '063', '102', '203', '556', '692', '790', '821', '823', '830', '831', '878', '879', '884', '890', '893') THEN '000' ELSE LEFT(VAL, 3) END COMMENT",
    );
    const ts: LiveTable[] = [{ object: T, columns: ['AT'], columnTypes: ['TIMESTAMP_LTZ(9)'] }];
    expect(compileSnowflakePolicy({ kind: 'createMaskingPolicy', policy: mask({ mask: 'year', unmaskedFor: [], columns: [{ table: T, column: 'AT' }] }) }, { tables: ts })[0]).toContain(
      "AS (VAL TIMESTAMP_LTZ) RETURNS TIMESTAMP_LTZ -> CASE WHEN YEAR(VAL) <= YEAR(CURRENT_DATE()) - 90 THEN NULL ELSE DATE_TRUNC('YEAR', VAL) END COMMENT",
    );
  });

  it('a configured zip3 list is compiled in and recorded in the marker; read back, it is the same policy', () => {
    const policy = mask({ mask: 'zip3', unmaskedFor: [], columns: [{ table: T, column: 'SSN' }], zip3Restricted: ['021', '059'] });
    const out = compileSnowflakePolicy({ kind: 'createMaskingPolicy', policy }, ctx)[0];
    expect(out).toContain("RETURNS VARCHAR -> CASE WHEN LEFT(VAL, 3) IN ('021', '059') THEN '000' ELSE LEFT(VAL, 3) END COMMENT");
    const body = "CASE WHEN LEFT(VAL, 3) IN ('021', '059') THEN '000' ELSE LEFT(VAL, 3) END";
    const [shown] = parseShowPolicies('masking', [{ name: 'Foo', database_name: 'a"b', schema_name: 'select', kind: 'MASKING_POLICY', comment: encodePolicyMarker({ policy: 'masking', name: 'Foo', mask: 'zip3', unmaskedFor: [], zip3: ['021', '059'], body: bodyDigest(body) }) }]);
    const live = maskingRecordFrom(shown, [], [{ name: 'Foo', signature: '(VAL VARCHAR)', return_type: 'VARCHAR', body }]);
    expect(live.zip3Restricted).toEqual(['021', '059']);
    expect(live.tampered).toBeUndefined();
  });

  it('year on a NUMBER birth year keeps NUMBER and aggregates 90 or more years back; its body is not read as outdated', () => {
    const n: LiveTable[] = [{ object: T, columns: ['BIRTH_YEAR'], columnTypes: ['NUMBER(38,0)'] }];
    const out = compileSnowflakePolicy({ kind: 'createMaskingPolicy', policy: mask({ mask: 'year', unmaskedFor: [], columns: [{ table: T, column: 'BIRTH_YEAR' }] }) }, { tables: n })[0];
    expect(out).toContain('AS (VAL NUMBER) RETURNS NUMBER -> CASE WHEN VAL <= YEAR(CURRENT_DATE()) - 90 THEN NULL ELSE VAL END COMMENT');
    const body = 'CASE WHEN VAL <= YEAR(CURRENT_DATE()) - 90 THEN NULL ELSE VAL END';
    const [shown] = parseShowPolicies('masking', [{ name: 'Foo', database_name: 'a"b', schema_name: 'select', kind: 'MASKING_POLICY', comment: encodePolicyMarker({ policy: 'masking', name: 'Foo', mask: 'year', unmaskedFor: [], body: bodyDigest(body) }) }]);
    expect(maskingRecordFrom(shown, [], [{ name: 'Foo', signature: '(VAL NUMBER)', return_type: 'NUMBER', body }]).tampered).toBeUndefined();
  });

  it('a zip3 or year body from before the Safe Harbor masks is read as outdated (rewritten by the plan)', () => {
    const refs = [{ POLICY_KIND: 'MASKING_POLICY', REF_DATABASE_NAME: 'a"b', REF_SCHEMA_NAME: 'select', REF_ENTITY_NAME: 'Été', REF_COLUMN_NAME: 'SSN' }];
    const read = (m: 'zip3' | 'year', body: string) => {
      const [shown] = parseShowPolicies('masking', [{ name: 'Foo', database_name: 'a"b', schema_name: 'select', kind: 'MASKING_POLICY', comment: encodePolicyMarker({ policy: 'masking', name: 'Foo', mask: m, unmaskedFor: [], body: bodyDigest(body) }) }]);
      return maskingRecordFrom(shown, refs, [{ name: 'Foo', signature: '(VAL VARCHAR)', return_type: 'VARCHAR', body }]).tampered;
    };
    expect(read('zip3', 'LEFT(VAL, 3)')).toEqual([expect.stringMatching(/restricted 3-digit ZIP prefixes/)]);
    expect(read('year', 'DATE_FROM_PARTS(YEAR(VAL), 1, 1)')).toEqual([expect.stringMatching(/over 89/)]);
    expect(read('year', "CASE WHEN YEAR(VAL) <= YEAR(CURRENT_DATE()) - 90 THEN NULL ELSE DATE_TRUNC('YEAR', VAL) END")).toBeUndefined();
  });

  it('a body changed by hand under the marker (DESCRIBE ... body) is tampered, and the plan sets the body back in place', () => {
    const body = `CASE WHEN IS_ROLE_IN_SESSION('PRIVACY_OFFICER') THEN VAL ELSE SHA2(CONCAT((SELECT "SALT" FROM "a""b"."RBAC"."SETTINGS" LIMIT 1), ':', VAL), 256) END`;
    const marker = encodePolicyMarker({ policy: 'masking', name: 'Foo', mask: 'hash', unmaskedFor: ['PRIVACY_OFFICER'], body: bodyDigest(body) });
    const [shown] = parseShowPolicies('masking', [{ name: 'Foo', database_name: 'a"b', schema_name: 'select', kind: 'MASKING_POLICY', comment: marker }]);
    const refs = [{ POLICY_KIND: 'MASKING_POLICY', REF_DATABASE_NAME: 'a"b', REF_SCHEMA_NAME: 'select', REF_ENTITY_NAME: 'Été', REF_COLUMN_NAME: 'SSN' }];
    // DESCRIBE MASKING POLICY columns: name, signature, return_type, body.
    const described = (b: string) => [{ name: 'Foo', signature: '(VAL VARCHAR)', return_type: 'VARCHAR', body: b }];
    expect(maskingRecordFrom(shown, refs, described(` ${body}\n`)).tampered).toBeUndefined();
    const live = maskingRecordFrom(shown, refs, described('VAL'));
    expect(live.tampered).toEqual(['the body of masking policy Foo was changed by hand']);
    const unmarked = parseShowPolicies('masking', [{ name: 'Foo', database_name: 'a"b', schema_name: 'select', kind: 'MASKING_POLICY', comment: encodePolicyMarker({ policy: 'masking', name: 'Foo', mask: 'hash', unmaskedFor: ['PRIVACY_OFFICER'] }) }]);
    expect(maskingRecordFrom(unmarked[0], refs, described(body)).tampered).toEqual([expect.stringMatching(/carries no body digest/)]);

    const want = { ...live, tampered: undefined };
    const sql = compileSnowflakePolicy({ kind: 'alterMaskingPolicy', from: live, to: want }, ctx);
    expect(sql[0]).toMatch(/^ALTER MASKING POLICY .* SET BODY -> CASE WHEN IS_ROLE_IN_SESSION\('PRIVACY_OFFICER'\)/);
    expect(sql[1]).toContain(`"body":"${bodyDigest(body)}"`);
    const [rshown] = parseShowPolicies('row', [{ name: 'Foo', database_name: 'a"b', schema_name: 'select', kind: 'ROW_ACCESS_POLICY', comment: encodePolicyMarker({ policy: 'row', name: 'Foo', table: { database: 'a"b', schema: 'select', name: 'Été' }, rules: row().rules, body: bodyDigest('TRUE') }) }]);
    expect(rowRecordFrom(rshown, [], [{ name: 'Foo', body: 'TRUE OR TRUE' }]).tampered).toEqual(['the body of row access policy Foo was changed by hand']);
  });
});

describe('snowflake tag-based masking read back (POLICY_REFERENCES rows as documented)', () => {
  // INFORMATION_SCHEMA.POLICY_REFERENCES(POLICY_NAME => ...) columns, by name: a direct
  // column attachment, the policy's own row on a tag (REF_ENTITY_DOMAIN = 'TAG'), and a
  // column masked through that tag (TAG_DATABASE/TAG_SCHEMA/TAG_NAME set).
  const TAG: ObjectRef = { kind: 'tag', database: 'Gov.DB', schema: 'tag"s', name: 'phi class' };
  const base = { POLICY_DB: 'a"b', POLICY_SCHEMA: 'select', POLICY_NAME: 'Foo', POLICY_KIND: 'MASKING_POLICY', REF_ARG_COLUMN_NAMES: null };
  const rows = [
    { ...base, REF_DATABASE_NAME: 'a"b', REF_SCHEMA_NAME: 'select', REF_ENTITY_NAME: 'Été', REF_ENTITY_DOMAIN: 'TABLE', REF_COLUMN_NAME: 'SSN', TAG_DATABASE: null, TAG_SCHEMA: null, TAG_NAME: null, POLICY_STATUS: 'ACTIVE' },
    { ...base, REF_DATABASE_NAME: 'Gov.DB', REF_SCHEMA_NAME: 'tag"s', REF_ENTITY_NAME: 'phi class', REF_ENTITY_DOMAIN: 'TAG', REF_COLUMN_NAME: null, TAG_DATABASE: null, TAG_SCHEMA: null, TAG_NAME: null, POLICY_STATUS: null },
    { ...base, REF_DATABASE_NAME: 'a"b', REF_SCHEMA_NAME: 'select', REF_ENTITY_NAME: 'Été', REF_ENTITY_DOMAIN: 'TABLE', REF_COLUMN_NAME: 'Foo', TAG_DATABASE: 'Gov.DB', TAG_SCHEMA: 'tag"s', TAG_NAME: 'phi class', POLICY_STATUS: 'ACTIVE' },
    { ...base, REF_DATABASE_NAME: 'a"b', REF_SCHEMA_NAME: 'select', REF_ENTITY_NAME: 'Été', REF_ENTITY_DOMAIN: 'TABLE', REF_COLUMN_NAME: 'BIRTH', TAG_DATABASE: 'Gov.DB', TAG_SCHEMA: 'tag"s', TAG_NAME: 'phi class', POLICY_STATUS: 'COLUMN_DATATYPE_MISMATCH_FOR_SECONDARY_ARG' },
  ];
  const [shown] = parseShowPolicies('masking', [{ name: 'Foo', database_name: 'a"b', schema_name: 'select', kind: 'MASKING_POLICY', comment: encodePolicyMarker({ policy: 'masking', name: 'Foo', mask: 'hash', unmaskedFor: ['PRIVACY_OFFICER', "it's"] }) }]);

  it('asks POLICY_REFERENCES for the TAG_* columns it reads', () => {
    expect(sql.policyReferences('a"b', 'select', 'Foo')).toMatch(/REF_ENTITY_DOMAIN, .*TAG_DATABASE, TAG_SCHEMA, TAG_NAME, POLICY_STATUS FROM TABLE\("a""b"\.INFORMATION_SCHEMA\.POLICY_REFERENCES\(POLICY_NAME => '"a""b"\."select"\."Foo"'\)\)/);
  });

  it('a tag row is a tag attachment; a column masked through the tag is not a column attachment', () => {
    const rec = maskingRecordFrom(shown, rows);
    expect(rec.columns).toEqual([{ table: T, column: 'SSN' }]);
    expect(rec.tags).toEqual([TAG]);
    // Without the tag row, a column masked through a tag still never reads as attached.
    expect(maskingRecordFrom(shown, [rows[2]]).columns).toEqual([]);
    expect(maskingRecordFrom(shown, [rows[2]]).tags).toBeUndefined();
  });

  it('an authoritative plan never unsets a column masked through a tag', () => {
    const live = maskingRecordFrom(shown, rows);
    const want = mask({ columns: [{ table: T, column: 'SSN' }], tags: [TAG] });
    const empty = { platform: 'snowflake' as const, roles: [], users: [], memberships: [], grants: [], schemaWide: [], futureGrants: [] };
    const p = plan({ ...empty, maskingPolicies: [want] }, { platform: 'snowflake', roles: [], memberships: [], grants: [], futureGrants: [], schemas: [], tables, maskingPolicies: [live] }, { mode: 'authoritative', target: 't', scope: scopeOf(empty) });
    expect(p.changes).toEqual([]);
    const sqlText = p.changes.flatMap((c) => compileSnowflake(c, ctx)).join('\n');
    expect(sqlText).not.toMatch(/UNSET MASKING POLICY/);
  });

  it('drop and a signature change unset the policy from its tags (Snowflake refuses otherwise); hostile tag names are quoted', () => {
    const live = maskingRecordFrom(shown, rows);
    const TG = '"Gov.DB"."tag""s"."phi class"';
    expect(compileSnowflakePolicy({ kind: 'dropMaskingPolicy', policy: live }, ctx)).toEqual([
      `ALTER TABLE ${TT} MODIFY COLUMN "SSN" UNSET MASKING POLICY`,
      `ALTER TAG ${TG} UNSET MASKING POLICY ${P}`,
      `DROP MASKING POLICY IF EXISTS ${P}`,
    ]);
    // hash on SSN (VARCHAR) -> year on BIRTH (DATE): SSN is detached by its own change;
    // the tag is unset, the policy replaced with the new signature, and set back on the tag.
    const to = { ...live, mask: 'year' as const, columns: [{ table: T, column: 'BIRTH' }] };
    const out = compileSnowflakePolicy({ kind: 'alterMaskingPolicy', from: live, to }, ctx);
    expect(out[0]).toBe(`ALTER TAG ${TG} UNSET MASKING POLICY ${P}`);
    expect(out[1]).toMatch(/^CREATE OR REPLACE MASKING POLICY .* AS \(VAL DATE\)/);
    expect(out.slice(2)).toEqual([`ALTER TAG ${TG} SET MASKING POLICY ${P}`]);
  });
});
