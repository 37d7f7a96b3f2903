/**
 * The `hash` mask's secret salt on Databricks (src/dialects/databricks/salt.ts): the
 * SQL that makes it and reads it, the reader of its state, the problems that keep it
 * secret, and the planner revoking what someone granted on it by hand.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileDatabricksPlan } from '../../src/dialects/databricks/compile.js';
import { parseDatabricksPolicies } from '../../src/dialects/databricks/inspect.js';
import { compileDatabricksPolicy, databricksMaskingBody } from '../../src/dialects/databricks/policies.js';
import {
  DATABRICKS_TOOL_MARKER,
  databricksLiveSaltProblems,
  databricksSaltProblems,
  parseSaltState,
  saltBootstrap,
  saltTableRef,
  toolSchemaRef,
} from '../../src/dialects/databricks/salt.js';
import { planHooks } from '../../src/dialects/registry.js';
import { readSnapshot, writeSnapshot } from '../../src/dialects/snapshot.js';
import { bodyDigest, encodePolicyMarker } from '../../src/dialects/policy-text.js';
import { keywordReader } from '../../src/model/catalog.js';
import { DATABRICKS_CATALOG } from '../../src/dialects/databricks/catalog.js';
import { makeGrant, objectKey, roleKey } from '../../src/model/keys.js';
import type { Desired, Live, MaskingPolicyRecord, ObjectRef } from '../../src/model/types.js';
import { plan } from '../../src/plan/plan.js';
import { scopeOf } from '../../src/plan/scope.js';

const S: ObjectRef = { kind: 'schema', database: 'e`hr', schema: 'clinical' };
const T: ObjectRef = { kind: 'table', database: 'e`hr', schema: 'clinical', name: 'patients' };
const hash = (over: Partial<MaskingPolicyRecord> = {}): MaskingPolicyRecord => ({
  key: 'policy:masking:mrn_hash', name: 'mrn_hash', schema: S, mask: 'hash', unmaskedFor: ['privacy_officer'], columns: [{ table: T, column: 'mrn' }], ...over,
});
const tables = [{ object: T, columns: ['mrn'], columnTypes: ['string'] }];
const SALT = '(SELECT `salt` FROM `e``hr`.`rbac`.`settings` LIMIT 1)';
const fx = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/databricks/${name}`, import.meta.url), 'utf8')).rows;
const word = keywordReader(DATABRICKS_CATALOG);

describe('the hash mask reads a secret salt, not current_metastore()', () => {
  it('the mask body hashes with the salt of its catalog, read by a scalar subquery', () => {
    const [create] = compileDatabricksPolicy({ kind: 'createMaskingPolicy', policy: hash() }, { tables });
    expect(create).toContain(`ELSE sha2(concat(${SALT}, ':', val), 256) END`);
    expect(create).not.toMatch(/current_metastore|current_user|secret\(/i);
  });

  it('the salt is made before the first change that reads it, once per catalog, its value never in the text', () => {
    const p = { target: 't', mode: 'authoritative' as const, changes: [
      { kind: 'createMaskingPolicy' as const, policy: hash() },
      { kind: 'createMaskingPolicy' as const, policy: hash({ key: 'policy:masking:h2', name: 'h2', columns: [] }) },
    ], problems: [], summary: { add: 0, change: 0, destroy: 0 } };
    const out = compileDatabricksPlan(p as never, new Map(), { tables });
    expect(out.map((s) => [s.changeIndex, s.sql])).toEqual([
      [0, 'CREATE SCHEMA IF NOT EXISTS `e``hr`.`rbac` COMMENT \'rbac-tool-schema: holds the salt of the hash mask; managed by rbac, grant nothing here\''],
      [0, 'CREATE TABLE IF NOT EXISTS `e``hr`.`rbac`.`settings` (`salt` STRING NOT NULL)'],
      [0, 'INSERT INTO `e``hr`.`rbac`.`settings` SELECT sha2(concat(uuid(), uuid(), uuid()), 256) AS `salt` FROM (SELECT count(*) AS n FROM `e``hr`.`rbac`.`settings`) WHERE n = 0'],
      [0, expect.stringMatching(/^CREATE OR REPLACE FUNCTION `e``hr`\.`clinical`\.`mrn_hash`/)],
      [0, 'ALTER TABLE `e``hr`.`clinical`.`patients` ALTER COLUMN `mrn` SET MASK `e``hr`.`clinical`.`mrn_hash`'],
      [1, expect.stringMatching(/^CREATE OR REPLACE FUNCTION `e``hr`\.`clinical`\.`h2`/)],
    ]);
    expect(saltBootstrap('e`hr')).toEqual(out.slice(0, 3).map((s) => s.sql));
    // Already there: not made again. Someone else's `rbac` schema: refused, nothing compiled.
    const have = compileDatabricksPlan(p as never, new Map(), { tables, toolObjects: [objectKey(toolSchemaRef('e`hr')), objectKey(saltTableRef('e`hr'))] });
    expect(have.map((s) => s.sql).filter((s) => s.includes('`rbac`') && !s.includes('FUNCTION'))).toEqual([]);
    expect(() => compileDatabricksPlan(p as never, new Map(), { tables, foreignToolSchemas: ['e`hr'] })).toThrow(/schema rbac that rbac did not make/);
    // Other masks need no salt.
    const redact = compileDatabricksPlan({ ...p, changes: [{ kind: 'createMaskingPolicy', policy: hash({ mask: 'redact' }) }] } as never, new Map(), { tables });
    expect(redact.some((s) => s.sql.includes('`rbac`'))).toBe(false);
  });

  it('a hash body written before 0.2 (current_metastore()) is read as outdated, so the plan rewrites it', () => {
    const old = "CASE WHEN is_account_group_member('privacy_officer') THEN val ELSE sha2(concat(current_metastore(), ':', val), 256) END";
    const fn = (definition: string, body: string) => ({
      routine_catalog: 'e`hr', routine_schema: 'clinical', routine_name: 'mrn_hash', routine_definition: definition,
      comment: encodePolicyMarker({ policy: 'masking', name: 'mrn_hash', mask: 'hash', unmaskedFor: ['privacy_officer'], body: bodyDigest(body) }),
    });
    const read = (definition: string, body = definition) => parseDatabricksPolicies({ functions: [fn(definition, body)], masks: [], filters: [] }).maskingPolicies[0];
    expect(read(old).tampered?.[0]).toMatch(/salt every user can read .* rewritten/);
    const now = databricksMaskingBody(hash(), 'STRING');
    expect(now).toContain(SALT);
    expect(read(now).tampered).toBeUndefined();
  });
});

describe('Safe Harbor bodies on Databricks', () => {
  const fn = (name: string, mask: 'zip3' | 'year', body: string) => ({
    routine_catalog: 'ehr', routine_schema: 'clinical', routine_name: name, routine_definition: body,
    comment: encodePolicyMarker({ policy: 'masking', name, mask, unmaskedFor: ['privacy_officer'], body: bodyDigest(body) }),
  });
  const read = (f: ReturnType<typeof fn>) => parseDatabricksPolicies({ functions: [f], masks: [], filters: [] }).maskingPolicies[0];
  it('a zip3 or year body from before the Safe Harbor masks is read as outdated; the current bodies are not', () => {
    expect(read(fn('zip3_only', 'zip3', "CASE WHEN is_account_group_member('privacy_officer') THEN val ELSE left(val, 3) END")).tampered?.[0]).toMatch(/restricted 3-digit ZIP prefixes .* 000/);
    expect(read(fn('birth_year_only', 'year', "CASE WHEN is_account_group_member('privacy_officer') THEN val ELSE make_date(year(val), 1, 1) END")).tampered?.[0]).toMatch(/over 89 .* aggregate/);
    const rec = (name: string, mask: 'zip3' | 'year') => ({ key: name, name, schema: { kind: 'schema' as const, database: 'ehr', schema: 'clinical' }, mask, unmaskedFor: ['privacy_officer'], columns: [] });
    expect(read(fn('zip3_only', 'zip3', databricksMaskingBody(rec('zip3_only', 'zip3'), 'STRING'))).tampered).toBeUndefined();
    for (const t of ['DATE', 'TIMESTAMP', 'TIMESTAMP_NTZ', 'INT', 'BIGINT']) expect(read(fn('birth_year_only', 'year', databricksMaskingBody(rec('birth_year_only', 'year'), t))).tampered).toBeUndefined();
  });
  it('golden: the zip3 and year masks for restricted prefixes and ages over 89', () => {
    const rec = (mask: 'zip3' | 'year') => ({ key: 'p', name: 'p', schema: { kind: 'schema' as const, database: 'ehr', schema: 'clinical' }, mask, unmaskedFor: [], columns: [] });
    expect(databricksMaskingBody(rec('zip3'), 'STRING')).toBe(
      "CASE WHEN left(val, 3) IN ('036', '059', '063', '102', '203', '556', '692', '790', '821', '823', '830', '831', '878', '879', '884', '890', '893') THEN '000' ELSE left(val, 3) END",
    );
    expect(databricksMaskingBody(rec('year'), 'TIMESTAMP')).toBe("CASE WHEN year(val) <= year(current_date()) - 90 THEN CAST(NULL AS TIMESTAMP) ELSE date_trunc('YEAR', val) END");
    expect(databricksMaskingBody(rec('year'), 'INT')).toBe('CASE WHEN val <= year(current_date()) - 90 THEN CAST(NULL AS INT) ELSE val END');
  });
  it('a configured zip3 list (safe_harbor.zip3_restricted) is compiled in and recorded in the marker, so the body reads back current', () => {
    const rec = { key: 'p', name: 'zip3_only', schema: { kind: 'schema' as const, database: 'ehr', schema: 'clinical' }, mask: 'zip3' as const, unmaskedFor: ['privacy_officer'], columns: [], zip3Restricted: ['021', "05'9"] };
    const body = databricksMaskingBody(rec, 'STRING');
    expect(body).toBe("CASE WHEN is_account_group_member('privacy_officer') THEN val ELSE CASE WHEN left(val, 3) IN ('021', '05\\'9') THEN '000' ELSE left(val, 3) END END");
    const f = { ...fn('zip3_only', 'zip3', body), comment: encodePolicyMarker({ policy: 'masking', name: 'zip3_only', mask: 'zip3', unmaskedFor: ['privacy_officer'], zip3: rec.zip3Restricted, body: bodyDigest(body) }) };
    const live = read(f);
    expect(live.zip3Restricted).toEqual(['021', "05'9"]);
    expect(live.tampered).toBeUndefined();
    // Read back without the list in the marker, the same body is not the built-in one: outdated.
    expect(read(fn('zip3_only', 'zip3', body)).tampered?.[0]).toMatch(/restricted 3-digit ZIP prefixes/);
  });
});

describe('the salt state reader (recorded rows of the one salt-state query)', () => {
  it('tells rbac\'s schema from someone else\'s, keeps direct grants on it, skips inherited rows', () => {
    const s = parseSaltState(fx('salt_state.json'), (g) => g.toLowerCase(), (kind, keyword) => word(kind, keyword));
    expect(s.toolObjects).toEqual([objectKey(toolSchemaRef('ehr')), objectKey(saltTableRef('ehr'))].sort());
    expect(s.foreignToolSchemas).toEqual(['lab']);
    // lab's `rbac` schema is not rbac's: grants there are not read as rbac's.
    expect(s.grants.map((g) => [g.role, g.privilege, objectKey(g.object)])).toEqual([
      ['mallory@example.org', 'usage', objectKey(toolSchemaRef('ehr'))],
      ['mallory@example.org', 'select', objectKey(saltTableRef('ehr'))],
    ]);
    // The direct catalog-level SELECT reaches the salt; the MODIFY inherited from the metastore is read at its source, not here.
    expect(s.reaching.map((g) => [g.role, g.privilege, g.object.database])).toEqual([['bi_readers', 'select', 'ehr']]);
  });

  it('a grant on the salt whose keyword the catalog does not know is still kept (and so revoked)', () => {
    const s = parseSaltState([{ what: 'schema', catalog: 'ehr', comment: DATABRICKS_TOOL_MARKER }, { what: 'schema_grant', catalog: 'ehr', grantee: 'x', privilege_type: 'SOMETHING NEW', inherited_from: 'NONE' }], (g) => g, () => undefined);
    expect(s.grants.map((g) => g.privilege)).toEqual(['something_new']);
  });
});

const desired = (grants: Desired['grants']): Desired => ({
  platform: 'databricks',
  roles: ['analysts', 'privacy_officer'].map((name) => ({ key: roleKey(name), name, state: 'present' as const })),
  users: [], memberships: [], futureGrants: [], schemaWide: [],
  grants,
  maskingPolicies: [hash({ schema: { kind: 'schema', database: 'ehr', schema: 'clinical' }, columns: [] })],
});

describe('keeping the salt secret', () => {
  it('a catalog-level SELECT or MODIFY in a salted catalog, or a grant in its rbac schema, is a located error', () => {
    const source = { file: 'grants/lakehouse.yaml', line: 7, column: 5 };
    const problems = databricksSaltProblems(desired([
      makeGrant({ role: 'analysts', privilege: 'select', object: { kind: 'database', database: 'ehr' }, source }),
      makeGrant({ role: 'analysts', privilege: 'usage', object: { kind: 'database', database: 'ehr' } }),
      makeGrant({ role: 'analysts', privilege: 'modify', object: { kind: 'database', database: 'other' } }),
      makeGrant({ role: 'analysts', privilege: 'select', object: saltTableRef('ehr') }),
    ]));
    expect(problems.map((p) => [p.severity, p.message.slice(0, 40)])).toEqual([
      ['error', 'select on catalog ehr to analysts is inh'],
      ['error', 'a grant to analysts names table:ehr.rbac'],
    ]);
    expect(problems[0].hint).toContain('(grants/lakehouse.yaml:7:5)');
    // Wired into the Databricks plan hooks.
    expect(planHooks('databricks').extraProblems!(desired([makeGrant({ role: 'analysts', privilege: 'select', object: { kind: 'database', database: 'ehr' } })])).some((p) => p.message.includes('salt'))).toBe(true);
  });

  it('a live catalog-level grant that reaches the salt is an error while the catalog keeps one', () => {
    const live = { toolObjects: [objectKey(saltTableRef('lab'))], saltReaders: [
      makeGrant({ role: 'bi_readers', privilege: 'select', object: { kind: 'database', database: 'ehr' } }),
      makeGrant({ role: 'lab_team', privilege: 'all_privileges', object: { kind: 'database', database: 'lab' } }),
      makeGrant({ role: 'x', privilege: 'select', object: { kind: 'database', database: 'unsalted' } }),
    ] } as unknown as Live;
    const problems = databricksLiveSaltProblems(desired([]), live);
    // A snapshot keeps them, so an offline plan reports the same.
    const full: Live = { platform: 'databricks', roles: [], memberships: [], grants: [], futureGrants: [], schemas: [], tables: [], toolObjects: live.toolObjects, saltReaders: live.saltReaders };
    const byMessage = (ps: typeof problems) => [...ps].sort((a, b) => (a.message < b.message ? -1 : 1));
    expect(byMessage(databricksLiveSaltProblems(desired([]), readSnapshot(writeSnapshot(full))))).toEqual(byMessage(problems));
    expect(problems.map((p) => p.message.split(',')[0])).toEqual(['bi_readers holds SELECT on catalog ehr', 'lab_team holds ALL PRIVILEGES on catalog lab']);
    expect(problems[0].hint).toContain('REVOKE SELECT ON CATALOG `ehr` FROM `bi_readers`');
    expect(planHooks('databricks').liveProblems).toBe(databricksLiveSaltProblems);
  });

  it('a grant someone made by hand on the salt is revoked, whoever holds it', () => {
    const d = desired([]);
    const live: Live = {
      platform: 'databricks', roles: [{ name: 'analysts', isUser: false }, { name: 'privacy_officer', isUser: false }], memberships: [], futureGrants: [], schemas: [], tables: [],
      grants: [makeGrant({ role: 'mallory@example.org', privilege: 'select', object: saltTableRef('ehr') })],
      toolObjects: [objectKey(toolSchemaRef('ehr')), objectKey(saltTableRef('ehr'))],
      maskingPolicies: d.maskingPolicies,
    };
    const p = plan(d, live, { mode: 'additive', target: 't', scope: scopeOf(d) });
    expect(p.changes.map((c) => [c.kind, 'role' in c ? c.role : ''])).toEqual([['revoke', 'mallory@example.org']]);
    expect(compileDatabricksPlan(p, new Map(), { toolObjects: live.toolObjects }).map((s) => s.sql)).toEqual(['REVOKE SELECT ON TABLE `ehr`.`rbac`.`settings` FROM `mallory@example.org`']);
  });
});
