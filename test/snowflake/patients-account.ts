/**
 * The account the Snowflake salt and surrogate tests share (and the desired state the
 * tag and surrogate CLI tests build on too): database `Ehr "Prod"` with
 * schema `clinical.v2` and table `Patients` (column MRN), rbac applying as RBAC_ADMIN
 * (which owns what it creates), PRIVACY_OFFICER managed, and ANALYST_ALL given every
 * future schema and table of the database by someone else (so new tool objects start
 * with grants to revoke). A SnowflakeGrantModel (test double), plus the desired state
 * around one masking policy.
 */
import { SnowflakeAdapter } from '../../src/dialects/snowflake/adapter.js';
import { roleKey } from '../../src/model/keys.js';
import type { Desired, MaskingPolicyRecord, ObjectRef } from '../../src/model/types.js';
import { plan } from '../../src/plan/plan.js';
import { scopeOf } from '../../src/plan/scope.js';
import { SnowflakeGrantModel } from './grant-model.js';

export const DB = 'Ehr "Prod"';
export const QDB = `"Ehr ""Prod"""`;
export const SCHEMA: ObjectRef = { kind: 'schema', database: DB, schema: 'clinical.v2' };
export const PATIENTS: ObjectRef = { kind: 'table', database: DB, schema: 'clinical.v2', name: 'Patients' };
export const introScope = { roles: ['PRIVACY_OFFICER'], users: [], databases: [DB], schemas: [{ database: DB, schema: 'clinical.v2' }], includePublic: false };

/** The desired state of these tests: PRIVACY_OFFICER and the masking `policies`, with `over` on top. */
export function desiredWith(policies: MaskingPolicyRecord[], over: Partial<Desired> = {}): Desired {
  return {
    platform: 'snowflake',
    roles: [{ key: roleKey('PRIVACY_OFFICER'), name: 'PRIVACY_OFFICER', state: 'present' }],
    users: [],
    memberships: [],
    grants: [],
    schemaWide: [],
    futureGrants: [],
    maskingPolicies: policies,
    ...over,
  };
}

/** The account; `mrn` seeds the MRN column's values (the surrogate fill reads them). */
export function patientsAccount(mrn?: (string | null)[]): SnowflakeGrantModel {
  const m = new SnowflakeGrantModel();
  m.exec('CREATE ROLE IF NOT EXISTS "RBAC_ADMIN"', 'USERADMIN');
  m.currentRole = 'RBAC_ADMIN';
  m.exec('CREATE ROLE IF NOT EXISTS "PRIVACY_OFFICER"', 'USERADMIN');
  m.exec('CREATE ROLE IF NOT EXISTS "ANALYST_ALL"', 'USERADMIN');
  m.addDatabase(DB);
  m.addSchema(DB, 'clinical.v2');
  m.addObject({ kind: 'TABLE', database: DB, schema: 'clinical.v2', name: 'Patients' });
  m.columns.set(JSON.stringify([DB, 'clinical.v2', 'Patients']), [['MRN', 'TEXT']]);
  if (mrn) m.data.set(JSON.stringify([DB, 'clinical.v2', 'Patients', 'MRN']), mrn);
  m.exec(`GRANT SELECT ON FUTURE TABLES IN DATABASE ${QDB} TO ROLE "ANALYST_ALL"`, 'SECURITYADMIN');
  m.exec(`GRANT USAGE ON FUTURE SCHEMAS IN DATABASE ${QDB} TO ROLE "ANALYST_ALL"`, 'SECURITYADMIN');
  return m;
}

/** Read the account through the real adapter, plan `d` against it and compile. */
export async function planOn(m: SnowflakeGrantModel, d: Desired, mode: 'authoritative' | 'additive' = 'authoritative') {
  const adapter = new SnowflakeAdapter({ query: m.query, close: async () => undefined });
  const live = await adapter.introspect(introScope);
  const p = plan(d, live, { mode, target: 'model', scope: scopeOf(d), neverRevoke: ['ownership'] });
  return { adapter, live, p, statements: adapter.compile(p) };
}
