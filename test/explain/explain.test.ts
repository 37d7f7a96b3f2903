// rbac explain: the path through the role hierarchy to each grant, with the config
// line that asks for it; drift shown as such; the verdict for a table or column.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, renderExplanation } from '../../src/explain/explain.js';
import { makeGrant, makeMembership } from '../../src/model/keys.js';
import type { Desired, Live } from '../../src/model/types.js';
import { cli, exampleConfig, removeDir, sqlOnDemo } from '../cli-workflows/helpers.js';

const schema = { kind: 'schema', database: 'ehr', schema: 'clinical' } as const;
const patients = { kind: 'table', database: 'ehr', schema: 'clinical', name: 'patients' } as const;

describe('explain (pure)', () => {
  const live: Live = {
    platform: 'postgres',
    roles: [{ name: 'u', isUser: true }],
    memberships: [
      makeMembership({ role: 'mid', member: 'u', memberKind: 'user' }),
      makeMembership({ role: 'base', member: 'mid', memberKind: 'role' }),
      makeMembership({ role: 'base', member: 'u', memberKind: 'user' }),
    ],
    grants: [
      makeGrant({ role: 'base', privilege: 'usage', object: schema }),
      makeGrant({ role: 'mid', privilege: 'select', object: patients, column: 'zip3' }),
      makeGrant({ role: 'mid', privilege: 'select', object: patients, column: 'ssn' }),
    ],
    futureGrants: [],
    schemas: [],
    tables: [],
  };
  const desired: Desired = {
    platform: 'postgres',
    roles: [],
    users: [],
    memberships: [],
    grants: [makeGrant({ role: 'base', privilege: 'usage', object: schema, source: { file: 'grants/s.yaml', line: 3, column: 5 } })],
    schemaWide: [],
    futureGrants: [],
  };

  it('takes the shortest path and marks grants no config line asks for', () => {
    const e = explain({ principal: 'u', target: { object: patients, column: 'zip3' }, live, desired });
    expect(renderExplanation(e)).toBe(
      'u -> base: GRANT USAGE ON SCHEMA ehr.clinical (grants/s.yaml:3:5)\n' +
        'u -> mid: GRANT SELECT ON TABLE ehr.clinical.patients (zip3) (not in configuration: drift)\n\n' +
        'u can read ehr.clinical.patients.zip3.\n',
    );
  });

  it('says why a column cannot be read', () => {
    const e = explain({ principal: 'base', target: { object: patients, column: 'zip3' }, live, desired });
    expect(e.readable).toBe(false);
    expect(renderExplanation(e)).toContain('base cannot read ehr.clinical.patients.zip3: no SELECT on ehr.clinical.patients or its column zip3 reaches base.');
  });
});

describe('rbac explain on the embedded demo', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await exampleConfig();
    expect((await cli(dir, ['apply', '--auto-approve'])).code).toBe(0);
  });
  afterAll(() => removeDir(dir));

  it('explains a column a user can read through two roles, with config lines', async () => {
    const r = await cli(dir, ['explain', 'alice', 'ehr.clinical.patients.zip3']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      'alice -> clinical_analyst: GRANT SELECT ON TABLE ehr.clinical.patients (zip3) (grants/clinical.yaml:10:5)\n' +
        'alice -> clinical_analyst -> phi_base_reader: GRANT USAGE ON SCHEMA ehr.clinical (grants/schemas.yaml:3:5)\n\n' +
        'alice can read ehr.clinical.patients.zip3.\n',
    );
  });

  it('explains why a column is out of reach, and shows a hand-made grant as drift', async () => {
    const no = await cli(dir, ['explain', 'alice', 'ehr.clinical.patients.ssn']);
    expect(no.out).toContain('alice cannot read ehr.clinical.patients.ssn: no SELECT on ehr.clinical.patients or its column ssn reaches alice.');
    await sqlOnDemo(dir, 'GRANT SELECT ON clinical.patients TO PUBLIC');
    const yes = await cli(dir, ['explain', 'alice', 'ehr.clinical.patients.ssn']);
    expect(yes.out).toContain('alice -> PUBLIC: GRANT SELECT ON TABLE ehr.clinical.patients (not in configuration: drift)');
    expect(yes.out).toContain('alice can read ehr.clinical.patients.ssn.');
  });

  it('lists every grant of a role without an object, schema-wide grants traced to their line', async () => {
    const r = await cli(dir, ['explain', 'billing_auditor', '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const claims = j.lines.find((l: { statement: string }) => l.statement === 'GRANT SELECT ON TABLE ehr.billing.claims');
    expect(claims.path).toEqual(['billing_auditor']);
    expect(claims.source).toEqual({ file: 'grants/billing.yaml', line: 3, column: 5 });
  });

  it('refuses a malformed object name (exit 2, a usage error)', async () => {
    const r = await cli(dir, ['explain', 'alice', 'ehr..x']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('is not an object name');
  });
});
