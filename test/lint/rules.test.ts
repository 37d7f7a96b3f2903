/**
 * One fixture per rule under test/fixtures/lint/: each triggers exactly the findings
 * listed (rule id, severity, file, line, column), and the clean fixture triggers none,
 * so every rule is shown both firing and quiet.
 */
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/lint/rules.js';
import { brief, lintFixture } from './helpers.js';
import { makeFutureGrant, makeObject } from '../../src/model/keys.js';
import type { Live } from '../../src/model/types.js';

const cases: { fixture: string; want: string[] }[] = [
  { fixture: 'phi-clear-access', want: ['phi-clear-access:error@grants/grants.yaml:3:5'] },
  { fixture: 'deidentified-reaches-phi', want: ['deidentified-reaches-phi:error@grants/grants.yaml:3:5'] },
  { fixture: 'deidentified-with-phi-access', want: ['deidentified-with-phi-access:error@roles/roles.yaml:7:9'] },
  { fixture: 'unclassified-phi-column', want: ['unclassified-phi-column:warning@grants/grants.yaml:5:63'] },
  { fixture: 'public-grant', want: ['public-grant:error@grants/grants.yaml:3:11'] },
  { fixture: 'all-privileges', want: ['all-privileges:warning@grants/grants.yaml:3:18'] },
  {
    fixture: 'schema-wide-phi',
    // One broad grant breaks two policies: the role reads PHI in clear, through a schema-wide grant.
    want: ['phi-clear-access:error@grants/grants.yaml:3:5', 'schema-wide-phi:error@grants/grants.yaml:3:5'],
  },
  { fixture: 'unmasked-without-phi-access', want: ['unmasked-without-phi-access:warning@grants/grants.yaml:8:20'] },
  { fixture: 'role-missing-description', want: ['role-missing-description:warning@roles/roles.yaml:2:5'] },
  { fixture: 'role-missing-owner', want: ['role-missing-owner:warning@roles/roles.yaml:2:5'] },
  { fixture: 'privileged-without-justification', want: ['privileged-without-justification:error@roles/roles.yaml:2:5'] },
  { fixture: 'phi-access-without-justification', want: ['phi-access-without-justification:error@roles/roles.yaml:6:9'] },
  // Snowflake: loader's future grants for tables in ehr.raw hide analyst's database-level ones there (views are not hidden).
  { fixture: 'hidden-future-grant', want: ['hidden-future-grant:warning@grants/grants.yaml:2:5'] },
  { fixture: 'deidentified-mask-not-safe-harbor', want: ['deidentified-mask-not-safe-harbor:error@roles/roles.yaml:2:5'] },
  { fixture: 'deidentified-custom-mask', want: ['deidentified-custom-mask:warning@roles/roles.yaml:2:5'] },
  { fixture: 'pseudonym-oracle', want: ['pseudonym-oracle:warning@grants/grants.yaml:3:5'] },
];

describe('lint fixtures', () => {
  it.each(cases)('$fixture triggers exactly its findings', async ({ fixture, want }) => {
    const got = await lintFixture(fixture);
    expect(brief(got)).toEqual(want);
    for (const f of got) {
      expect(f.message).not.toBe('');
      expect(f.hint).not.toBe('');
    }
  });

  it('the clean fixture triggers no rule', async () => {
    expect(await lintFixture('clean')).toEqual([]);
  });

  it('every rule has a fixture that triggers it', () => {
    const covered = new Set(cases.flatMap((c) => c.want.map((w) => w.split(':')[0])));
    expect(RULES.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it('messages name what is exposed and how', async () => {
    const [f] = await lintFixture('phi-clear-access');
    expect(f.message).toBe(
      'role analyst can read PHI in clear without a phi_access allowance for ssn: ehr.clinical.patients.ssn (ssn) through grant of SELECT on column ehr.clinical.patients.ssn to analyst',
    );
    const [h] = await lintFixture('hidden-future-grant');
    expect(h.message).toBe(
      "SELECT on future tables in database EHR to ANALYST does not apply in schema EHR.RAW, which has its own future grants for tables (LOADER's grant at grants/grants.yaml:5:5)",
    );
    const [u] = await lintFixture('unclassified-phi-column');
    expect(u.hint).toContain('phi: { ehr.clinical.patients.email: email }');
  });
});

describe('hidden-future-grant from the live state', () => {
  it("names a schema whose future grants come from a role rbac does not manage, and only for that type", async () => {
    const live: Live = {
      platform: 'snowflake',
      roles: [],
      memberships: [],
      grants: [],
      futureGrants: [makeFutureGrant({ role: 'OTHER', privilege: 'select', schema: makeObject('schema', 'EHR', 'STAGING'), objectType: 'views' })],
      schemas: [],
      tables: [],
    };
    const got = (await lintFixture('hidden-future-grant', live)).filter((f) => f.ruleId === 'hidden-future-grant');
    expect(got.map((f) => f.message)).toEqual([
      "SELECT on future tables in database EHR to ANALYST does not apply in schema EHR.RAW, which has its own future grants for tables (LOADER's grant at grants/grants.yaml:5:5)",
      'SELECT on future views in database EHR to ANALYST does not apply in schema EHR.STAGING, which has its own future grants for views (a live grant to OTHER, a role rbac does not manage)',
    ]);
  });
});
