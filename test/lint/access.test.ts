/** Effective access: inheritance, whole-table and schema-wide grants, masking, live union. */
import { describe, expect, it } from 'vitest';
import { accessByRole, buildAccessModel, effectiveAccess, foldFor } from '../../src/lint/access.js';
import { suggestCategory, snakeName } from '../../src/lint/patterns.js';
import { makeGrant, makeObject } from '../../src/model/keys.js';
import { PUBLIC_ROLE } from '../../src/model/types.js';
import { fixture, loadDir } from './helpers.js';

const cols = (ra: ReturnType<typeof effectiveAccess>) =>
  ra.columns.map((c) => `${c.key}${c.phi ? `[${c.phi.category}]` : ''}${c.clear ? '' : ` masked by ${c.maskedBy.join(',')}`}`);

describe('effectiveAccess on the clean fixture', () => {
  it('lists each role’s readable columns, PHI tags and masking', async () => {
    const { project, desired } = await loadDir(fixture('clean'));
    const model = buildAccessModel({ project, desired });
    const all = accessByRole(model, ['analyst', 'researcher', 'privacy_officer', 'reader_base', PUBLIC_ROLE]);

    expect(cols(all.get('analyst')!)).toEqual([
      'ehr.clinical.patients.birth_year',
      'ehr.clinical.patients.patient_id',
      'ehr.clinical.patients.zip3',
    ]);
    // analyst reads diagnoses whole; no column of it is known without a live state.
    expect(all.get('analyst')!.tables.map((t) => t.table.name)).toEqual(['diagnoses']);
    expect(cols(all.get('researcher')!)).toEqual(['ehr.clinical.patients.patient_id', 'ehr.clinical.patients.ssn[ssn] masked by ssn_hash']);
    // A whole-table grant reaches every known column: classified, granted elsewhere, masked.
    expect(cols(all.get('privacy_officer')!)).toEqual([
      'ehr.clinical.patients.birth_year',
      'ehr.clinical.patients.full_name[name]',
      'ehr.clinical.patients.patient_id',
      'ehr.clinical.patients.ssn[ssn]',
      'ehr.clinical.patients.zip3',
    ]);
    expect(all.get('reader_base')!.columns).toEqual([]);
    expect(all.get(PUBLIC_ROLE)!.columns).toEqual([]);
  });

  it('records the inheritance path, PUBLIC implicitly included', async () => {
    const { project, desired } = await loadDir(fixture('clean'));
    const ra = effectiveAccess(buildAccessModel({ project, desired }), 'researcher');
    expect([...ra.inherits.keys()]).toEqual(['reader_base', PUBLIC_ROLE]);
    expect(ra.inherits.get('reader_base')![0]).toMatchObject({ role: 'reader_base', member: 'researcher', origin: 'config', source: { file: 'roles/roles.yaml', line: 14, column: 16 } });
    expect(ra.inherits.get(PUBLIC_ROLE)![0].implicit).toBe(true);
  });

  it('adds live grants and tables with origin live; schema-wide grants cover live tables', async () => {
    const { project, desired } = await loadDir(fixture('schema-wide-phi'));
    const claims = makeObject('table', 'ehr', 'billing', 'claims');
    const payments = makeObject('table', 'ehr', 'billing', 'payments');
    const model = buildAccessModel({
      project,
      desired,
      live: {
        platform: 'postgres',
        roles: [],
        memberships: [],
        // The expansion of the schema-wide grant: already in the config, so not added again.
        grants: [makeGrant({ role: 'billing_auditor', privilege: 'select', object: claims }), makeGrant({ role: 'billing_auditor', privilege: 'insert', object: payments })],
        futureGrants: [],
        schemas: [],
        tables: [
          { object: claims, columns: ['claim_id', 'payer'] },
          { object: payments, columns: ['payment_id', 'account_number'] },
        ],
      },
    });
    expect(model.grants.map((g) => `${g.origin}:${g.scope}:${g.privilege}`)).toEqual(['config:schema:select', 'live:table:insert']);
    const ra = effectiveAccess(model, 'billing_auditor');
    expect(ra.tables.map((t) => t.table.name)).toEqual(['claims', 'payments']);
    expect(cols(ra)).toEqual([
      'ehr.billing.claims.claim_id',
      'ehr.billing.claims.payer',
      'ehr.billing.payments.account_number[account_number]',
      'ehr.billing.payments.payment_id',
    ]);
  });
});

describe('foldFor', () => {
  it('folds unquoted parts as the platform does and keeps quoted ones', () => {
    expect(foldFor('postgres')({ text: 'Patients', quoted: false })).toBe('patients');
    expect(foldFor('snowflake')({ text: 'Patients', quoted: false })).toBe('PATIENTS');
    expect(foldFor('snowflake')({ text: 'Patients', quoted: true })).toBe('Patients');
  });
});

describe('suggestCategory', () => {
  it.each([
    ['ssn', 'ssn'],
    ['patient_ssn', 'ssn'],
    ['mrn', 'medical_record_number'],
    ['email', 'email'],
    ['contact_email_address', 'email'],
    ['home_phone', 'telephone'],
    ['fax_number', 'fax'],
    ['dob', 'date'],
    ['birth_date', 'date'],
    ['dateOfBirth', 'date'],
    ['zip', 'geographic'],
    ['postal_code', 'geographic'],
    ['street_address', 'geographic'],
    ['city', 'geographic'],
    ['ip_address', 'ip_address'],
    ['first_name', 'name'],
    ['lastName', 'name'],
    ['full_name', 'name'],
    ['account_number', 'account_number'],
    ['drivers_license', 'license_number'],
    ['device_serial', 'device_id'],
    ['serial_number', 'device_id'],
    ['website_url', 'url'],
    ['photo', 'photo'],
    ['member_id', 'health_plan_number'],
  ])('%s looks like %s', (column, category) => {
    expect(suggestCategory(column)).toBe(category);
  });

  it.each(['patient_id', 'birth_year', 'zip3', 'icd10_code', 'amount', 'facility_id', 'encounter_type', 'ssn_hash', 'description', 'payer', 'admitted_at'])(
    '%s looks harmless',
    (column) => {
      expect(suggestCategory(column)).toBeUndefined();
    },
  );

  it('splits camelCase', () => {
    expect(snakeName('dateOfBirth')).toBe('date_of_birth');
  });
});
