import { describe, expect, it } from 'vitest';
import { toDesired } from '../../src/config/desired.js';
import { introspectScopeOf, scopeOf } from '../../src/plan/scope.js';
import { loadProject } from '../../src/config/load.js';
import { privilegeWords } from '../../src/model/catalog.js';
import { POSTGRES_CATALOG } from '../../src/dialects/postgres/catalog.js';
import { PUBLIC_ROLE } from '../../src/model/types.js';
import { dbLike, errors, load, pgLike, REPO_ROOT, sfLike } from './helpers.js';

const ROLES = 'users:\n  - name: Alice\nroles:\n  - name: Clinical_Analyst\n    members: [Alice]\n    inherits: [reader]\n  - name: reader\n';

async function project(grants: string, roles = ROLES) {
  const { project, diagnostics } = await load({ 'roles/a.yaml': roles, 'grants/a.yaml': grants });
  expect(errors(diagnostics)).toEqual([]);
  return project;
}

describe('toDesired', () => {
  it('folds unquoted names per dialect and keeps quoted names exact', async () => {
    const p = await project(
      "grants:\n  - role: Clinical_Analyst\n    privileges: [select]\n    on: { table: 'Ehr.\"Clinical\".Patients' }\n",
    );
    const pg = toDesired(p, pgLike);
    expect(pg.diagnostics).toEqual([]);
    expect(pg.desired.roles.map((r) => r.name)).toEqual(['clinical_analyst', 'reader']);
    expect(pg.desired.grants.map((g) => g.key)).toEqual(['grant:select:table:ehr.Clinical.patients:role:clinical_analyst']);
    const sf = toDesired(p, sfLike);
    expect(sf.desired.roles.map((r) => r.key)).toEqual(['role:CLINICAL_ANALYST', 'role:READER']);
    expect(sf.desired.grants.map((g) => g.key)).toEqual(['grant:select:table:EHR.Clinical.PATIENTS:role:CLINICAL_ANALYST']);
    expect(sf.desired.platform).toBe('snowflake');
  });

  it('builds user memberships and role inheritance (parent held by child)', async () => {
    const p = await project('grants: []\n');
    const { desired } = toDesired(p, pgLike);
    expect(desired.users).toEqual(['alice']);
    expect(desired.memberships.map((m) => [m.key, m.memberKind])).toEqual([
      ['member:clinical_analyst:alice', 'user'],
      ['member:reader:role:clinical_analyst', 'role'],
    ]);
    expect(desired.memberships[1]).toMatchObject({ role: 'reader', member: 'clinical_analyst' });
    expect(desired.memberships[0].source).toEqual({ file: 'roles/a.yaml', line: 5, column: 15 });
  });

  it('refuses names longer than the dialect allows (63 bytes on Postgres), never truncating', async () => {
    const n63 = 'r'.repeat(63);
    const n64 = 'r'.repeat(64);
    const p = await project('grants: []\n', `roles:\n  - name: ${n63}\n  - name: ${n64}\n`);
    const { desired, diagnostics } = toDesired(p, pgLike);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'name-too-long', file: 'roles/a.yaml', line: 3, column: 5 });
    expect(diagnostics[0].message).toBe(`role name ${n64} is 64 bytes; postgres allows at most 63`);
    expect(desired.roles.map((r) => r.name.length)).toEqual([63, 64]);
    // Snowflake allows 255 bytes: the same config is fine there.
    expect(toDesired(p, sfLike).diagnostics).toEqual([]);
  });

  it('counts UTF-8 bytes, not characters', async () => {
    const name = '"' + 'é'.repeat(32) + '"'; // 32 characters, 64 bytes
    const p = await project('grants: []\n', `roles:\n  - name: '${name}'\n`);
    expect(toDesired(p, pgLike).diagnostics.map((d) => d.code)).toEqual(['name-too-long']);
  });

  it('expands all to every privilege of the kind on the platform, except ownership', async () => {
    const p = await project(
      'grants:\n  - role: reader\n    privileges: [all]\n    on: { table: ehr.c.t }\n  - role: reader\n    privileges: [all]\n    on: { schema: ehr.c }\n',
    );
    const pg = toDesired(p, pgLike).desired;
    expect(pg.grants.filter((g) => g.object.kind === 'table').map((g) => g.privilege)).toEqual(privilegeWords(POSTGRES_CATALOG, 'table'));
    expect(pg.grants.filter((g) => g.object.kind === 'schema').map((g) => g.privilege)).toEqual(['usage', 'create']);
    const sf = toDesired(p, sfLike).desired;
    expect(sf.grants.filter((g) => g.object.kind === 'table').map((g) => g.privilege)).toEqual([
      'select',
      'insert',
      'update',
      'delete',
      'truncate',
      'references',
    ]);
    expect(toDesired(p, dbLike).desired.grants.map((g) => g.privilege)).toEqual(['select', 'modify', 'usage', 'create']);
  });

  it('emits one grant per privilege and column for column grants', async () => {
    const p = await project(
      'grants:\n  - role: reader\n    privileges: [select, update]\n    on: { table: ehr.c.patients, columns: [patient_id, zip3] }\n',
    );
    const { desired, diagnostics } = toDesired(p, pgLike);
    expect(diagnostics).toEqual([]);
    expect(desired.grants.map((g) => g.key)).toEqual([
      'grant:select:table:ehr.c.patients.patient_id:role:reader',
      'grant:select:table:ehr.c.patients.zip3:role:reader',
      'grant:update:table:ehr.c.patients.patient_id:role:reader',
      'grant:update:table:ehr.c.patients.zip3:role:reader',
    ]);
    expect(desired.grants[0].source).toEqual({ file: 'grants/a.yaml', line: 2, column: 5 });
  });

  it('Snowflake: stages, schema CREATE privileges, routines and database-wide objects: [tables, views]', async () => {
    const p = await project(`grants:
  - { role: reader, privileges: [read, write], on: { stage: ehr.raw.landing } }
  - { role: reader, privileges: [usage, create_table, create_view, create_stage, monitor], on: { schema: ehr.raw } }
  - { role: reader, privileges: [usage], on: { function: "ehr.util.zip3(varchar)" } }
  - { role: reader, privileges: [select], on: { database: ehr, objects: [tables, views] } }
`);
    const { desired, diagnostics } = toDesired(p, sfLike);
    expect(diagnostics).toEqual([]);
    expect(desired.grants.map((g) => g.key)).toEqual([
      'grant:read:stage:EHR.RAW.LANDING:role:READER',
      'grant:write:stage:EHR.RAW.LANDING:role:READER',
      'grant:usage:schema:EHR.RAW:role:READER',
      'grant:create:schema:EHR.RAW:role:READER',
      'grant:create_view:schema:EHR.RAW:role:READER',
      'grant:create_stage:schema:EHR.RAW:role:READER',
      'grant:monitor:schema:EHR.RAW:role:READER',
    ]);
    expect(desired.patterns?.map((x) => `${x.kind} ${x.database}.${x.schema}.${x.name}${x.signature}`)).toEqual(['function EHR.UTIL.ZIP3(VARCHAR)']);
    expect(desired.schemaWide.map((w) => [w.schema.kind, w.kinds])).toEqual([['database', ['table', 'view']]]);
  });

  it('refuses a privilege a kind does not take, at its line, naming what it takes', async () => {
    const { diagnostics } = await load({ 'roles/a.yaml': ROLES, 'grants/a.yaml': 'grants:\n  - { role: reader, privileges: [select], on: { stage: ehr.raw.landing } }\n' });
    expect(errors(diagnostics).map((d) => [d.file, d.line, d.message, d.hint])).toEqual([
      ['grants/a.yaml', 2, 'privilege select does not apply to a stage', 'privileges on a stage: ownership, read, usage, write'],
    ]);
  });

  it('objects: on a kind without future grants at that level is an error unless future: false', async () => {
    const p = await project(
      'grants:\n  - { role: reader, privileges: [select], on: { schema: ehr.rep, objects: views } }\n  - { role: reader, privileges: [select], on: { schema: ehr.rep, objects: [tables, views] } }\n  - { role: reader, privileges: [select], on: { schema: ehr.old, objects: views, future: false } }\n',
    );
    const { desired, diagnostics } = toDesired(p, pgLike);
    expect(diagnostics.map((d) => [d.code, d.line, d.message, d.hint])).toEqual([
      [
        'platform-unsupported',
        2,
        'postgres has no future grants for views in a schema',
        'list tables too (its future grants reach views), or write future: false to grant on the existing ones only',
      ],
    ]);
    expect(desired.schemaWide.map((w) => [w.schema.schema, w.kinds, w.future])).toEqual([
      ['rep', ['table', 'view'], true],
      ['old', ['view'], false],
    ]);
    // Snowflake has future grants for views of its own.
    expect(toDesired(p, sfLike).diagnostics).toEqual([]);
  });

  it('two owners for one object are an error at both grants', async () => {
    const p = await project('grants:\n  - { role: reader, privileges: [ownership], on: { schema: ehr.raw } }\n  - { role: Clinical_Analyst, privileges: [ownership], on: { schema: ehr.RAW } }\n');
    const { diagnostics } = toDesired(p, sfLike);
    expect(diagnostics.map((d) => [d.code, d.line, d.column, d.message])).toEqual([
      ['conflicting-grant', 2, 5, 'schema EHR.RAW is owned by READER here and by CLINICAL_ANALYST at grants/a.yaml:3:5'],
      ['conflicting-grant', 3, 5, 'schema EHR.RAW is owned by CLINICAL_ANALYST here and by READER at grants/a.yaml:2:5'],
    ]);
  });

  it('rejects column grants on platforms without column ACLs', async () => {
    const p = await project('grants:\n  - role: reader\n    privileges: [select]\n    on: { table: ehr.c.p, columns: [a] }\n');
    const { desired, diagnostics } = toDesired(p, sfLike);
    expect(diagnostics.map((d) => d.code)).toEqual(['platform-unsupported']);
    expect(desired.grants).toEqual([]);
  });

  it('checks privileges against the target platform', async () => {
    const p = await project('grants:\n  - role: reader\n    privileges: [modify]\n    on: { table: ehr.c.p }\n');
    const { diagnostics } = toDesired(p, pgLike);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'bad-privilege', line: 3, column: 18 });
    expect(diagnostics[0].message).toBe('privilege modify does not apply to a table on postgres');
    expect(toDesired(p, dbLike).diagnostics).toEqual([]);
  });

  it('objects: tables becomes a SchemaWideGrant per privilege', async () => {
    const p = await project('grants:\n  - role: reader\n    privileges: [select, insert]\n    on: { schema: EHR.Billing, objects: tables }\n');
    const { desired } = toDesired(p, pgLike);
    expect(desired.grants).toEqual([]);
    expect(desired.schemaWide).toEqual([
      { role: 'reader', privilege: 'select', schema: { kind: 'schema', database: 'ehr', schema: 'billing' }, kinds: ['table'], future: true, source: { file: 'grants/a.yaml', line: 2, column: 5 } },
      { role: 'reader', privilege: 'insert', schema: { kind: 'schema', database: 'ehr', schema: 'billing' }, kinds: ['table'], future: true, source: { file: 'grants/a.yaml', line: 2, column: 5 } },
    ]);
    const scope = scopeOf(desired, p);
    expect([...scope.schemas]).toEqual(['schema:ehr.billing']);
    expect(scope.managePublic).toBe(true);
  });

  it('PUBLIC grantee becomes PUBLIC_ROLE whatever the dialect folds to', async () => {
    const p = await project('grants:\n  - role: public\n    privileges: [usage]\n    on: { schema: ehr.c }\n');
    expect(toDesired(p, pgLike).desired.grants[0].role).toBe(PUBLIC_ROLE);
    expect(toDesired(p, sfLike).desired.grants[0].key).toBe('grant:usage:schema:EHR.C:role:PUBLIC');
  });

  it('views are their own kind, keyed in the relations\' namespace', async () => {
    const p = await project('grants:\n  - role: reader\n    privileges: [select]\n    on: { view: ehr.c.v }\n');
    const g = toDesired(p, pgLike).desired.grants[0];
    expect(g.object).toEqual({ kind: 'view', database: 'ehr', schema: 'c', name: 'v' });
    expect(g.key).toBe('grant:select:table:ehr.c.v:role:reader');
  });

  it('reports names that collide only after folding', async () => {
    const p = await project('grants: []\n', 'roles:\n  - name: abc\n  - name: \'"ABC"\'\n');
    expect(toDesired(p, pgLike).diagnostics).toEqual([]);
    const sf = toDesired(p, sfLike).diagnostics;
    expect(sf.map((d) => [d.code, d.line])).toEqual([['name-collision', 3]]);
  });

  it('turns the example config into a clean Desired for Postgres', async () => {
    const { project: p, diagnostics } = await loadProject(REPO_ROOT);
    expect(diagnostics).toEqual([]);
    const { desired, diagnostics: d2 } = toDesired(p, pgLike);
    expect(d2).toEqual([]);
    expect(desired.roles.map((r) => r.name).sort()).toEqual([
      'billing_auditor',
      'clinical_analyst',
      'data_scientist',
      'etl_loader',
      'phi_base_reader',
      'privacy_officer',
    ]);
    expect(desired.users).toEqual(['alice', 'bob', 'carol', 'dave', 'erin', 'frank']);
    // Every schema a reading role touches has USAGE for it (directly or inherited).
    const holders = new Map<string, Set<string>>();
    for (const g of desired.grants) if (g.privilege === 'usage') {
      const k = `${g.object.database}.${g.object.schema}`;
      if (!holders.has(k)) holders.set(k, new Set());
      holders.get(k)!.add(g.role);
    }
    const parents = (r: string): string[] => desired.memberships.filter((m) => m.member === r && m.memberKind === 'role').map((m) => m.role);
    const hasUsage = (role: string, schema: string): boolean =>
      holders.get(schema)?.has(role) === true || parents(role).some((p2) => hasUsage(p2, schema));
    for (const g of desired.grants) if (g.object.kind === 'table') expect(hasUsage(g.role, `${g.object.database}.${g.object.schema}`), g.key).toBe(true);
    for (const s of desired.schemaWide) expect(hasUsage(s.role, `${s.schema.database}.${s.schema.schema}`)).toBe(true);
    expect(p.phi).toHaveLength(8);
    // Every direct identifier of patients is masked; account numbers for everyone.
    expect(desired.maskingPolicies?.map((m) => `${m.name}:${m.mask}:${m.unmaskedFor.join(',')}`).sort()).toEqual([
      'account_last4:last4:',
      'birth_year_only:year:privacy_officer',
      'email_domain_only:email_domain:privacy_officer',
      'mrn_hash:hash:privacy_officer',
      'name_redact:redact:privacy_officer',
      'ssn_last4:last4:privacy_officer',
      'zip3_only:zip3:privacy_officer',
    ]);
    expect(desired.rowAccessPolicies?.map((r) => r.rules.map((x) => `${x.roles.join('+')}:${x.where}`))).toEqual([
      ['billing_auditor+privacy_officer:true', "clinical_analyst:facility_id = 'F01'"],
    ]);
    const scope = introspectScopeOf(desired, p);
    expect(scope.schemas).toEqual([
      { database: 'ehr', schema: 'billing' },
      { database: 'ehr', schema: 'clinical' },
      { database: 'ehr', schema: 'reporting' },
      { database: 'ehr', schema: 'util' },
      { database: 'research', schema: 'cohort' },
    ]);
  });
});

describe('platforms: on a grant', () => {
  const grants = [
    'grants:',
    '  - role: reader',
    '    privileges: [select]',
    '    on: { table: ehr.clinical.patients, columns: [patient_id] }',
    '    platforms: [postgres]',
    '  - role: reader',
    '    privileges: [select]',
    '    on: { table: ehr.clinical.patients }',
    '    platforms: [snowflake, databricks]',
    '',
  ].join('\n');

  it('keeps a grant only on the platforms it names', async () => {
    const p = await project(grants);
    expect(p.grants.map((g) => g.platforms)).toEqual([['postgres'], ['snowflake', 'databricks']]);
    const pg = toDesired(p, pgLike);
    expect(pg.diagnostics).toEqual([]);
    expect(pg.desired.grants.map((g) => g.key)).toEqual(['grant:select:table:ehr.clinical.patients.patient_id:role:reader']);
    const sf = toDesired(p, sfLike);
    expect(sf.diagnostics).toEqual([]);
    expect(sf.desired.grants.map((g) => g.key)).toEqual(['grant:select:table:EHR.CLINICAL.PATIENTS:role:READER']);
  });

  it('still reports the same grant twice on one platform, and rejects an unknown platform', async () => {
    const dup = await load({
      'roles/a.yaml': ROLES,
      'grants/a.yaml': grants + '  - role: reader\n    privileges: [select]\n    on: { table: ehr.clinical.patients }\n    platforms: [snowflake]\n',
    });
    expect(errors(dup.diagnostics).map((d) => d.code)).toEqual(['duplicate-grant']);
    const bad = await load({
      'roles/a.yaml': ROLES,
      'grants/a.yaml': 'grants:\n  - role: reader\n    privileges: [select]\n    on: { table: ehr.clinical.patients }\n    platforms: [snowflak]\n',
    });
    const e = errors(bad.diagnostics);
    expect(e).toHaveLength(1);
    expect(e[0].message).toContain('snowflak');
    expect(e[0].hint ?? e[0].message).toContain('snowflake');
  });
});

describe('account-level securables (Snowflake)', () => {
  it('reads account: true and a warehouse by name, and refuses them where the platform has none', async () => {
    const p = await project(
      'grants:\n  - { role: reader, privileges: [usage, operate], on: { warehouse: reporting_wh } }\n  - { role: reader, privileges: [create_database], on: { account: true } }\n',
    );
    const sf = toDesired(p, sfLike);
    expect(sf.diagnostics).toEqual([]);
    expect(sf.desired.grants.map((g) => g.key)).toEqual([
      'grant:usage:warehouse:REPORTING_WH:role:READER',
      'grant:operate:warehouse:REPORTING_WH:role:READER',
      'grant:create_database:account::role:READER',
    ]);
    const pg = toDesired(p, pgLike);
    expect(pg.diagnostics.map((d) => [d.code, d.line, d.message])).toEqual([
      ['platform-unsupported', 2, 'postgres has no warehouse'],
      ['platform-unsupported', 3, 'postgres has no account'],
    ]);
  });

  it('account: false, a glob warehouse and a database privilege on the account are located errors', async () => {
    const { diagnostics } = await load({
      'roles/a.yaml': ROLES,
      'grants/a.yaml': 'grants:\n  - { role: reader, privileges: [create_database], on: { account: false } }\n  - { role: reader, privileges: [usage], on: { account: true } }\n',
    });
    expect(errors(diagnostics).map((d) => [d.line, d.message])).toEqual([
      [2, 'grants[0].on.account must be true, got false'],
      [3, 'privilege usage does not apply to an account'],
    ]);
    const p = await project('grants:\n  - { role: reader, privileges: [usage], on: { warehouse: "etl_*" } }\n');
    expect(toDesired(p, sfLike).diagnostics.map((d) => [d.line, d.message])).toEqual([[2, 'a warehouse is named exactly: etl_* holds a glob']]);
  });
});

describe('a role named like a user', () => {
  const roles = 'users:\n  - name: alice\nroles:\n  - name: alice\n    description: her own role\n  - name: analyst\n    members: [alice]\n    inherits: []\n  - name: reader\n    inherits: [analyst]\n';
  it('is two principals on Snowflake and one (an error at the user) on PostgreSQL', async () => {
    const p = await project('grants: []\n', roles + '  - name: team\n    members: [alice]\n');
    const sf = toDesired(p, sfLike);
    expect(sf.diagnostics).toEqual([]);
    expect(sf.desired.roles.map((r) => r.name)).toContain('ALICE');
    expect(sf.desired.users).toEqual(['ALICE']);
    const pg = toDesired(p, pgLike);
    expect(pg.diagnostics.map((d) => [d.code, d.file, d.line, d.message])).toEqual([
      ['name-collision', 'roles/a.yaml', 2, 'alice is defined both as a user and as a role (roles/a.yaml:4:5); on postgres they are one principal'],
    ]);
  });
});

describe('database roles (Snowflake)', () => {
  const roles =
    'users:\n  - name: alice\nroles:\n  - name: analyst\n    members: [alice]\n    inherits: [ehr.phi_reader]\n  - name: phi_reader\n    database: ehr\n  - name: phi_writer\n    database: ehr\n    inherits: [ehr.phi_reader]\n';
  it('are named database.role, granted to roles and to database roles of their database', async () => {
    const p = await project('grants:\n  - { role: ehr.phi_reader, privileges: [select], on: { schema: ehr.clinical, objects: [tables] } }\n', roles);
    const { desired, diagnostics } = toDesired(p, sfLike);
    expect(diagnostics).toEqual([]);
    expect(desired.roles.map((r) => r.name)).toEqual(['ANALYST', 'EHR.PHI_READER', 'EHR.PHI_WRITER']);
    expect(desired.memberships.map((m) => m.key)).toEqual(['member:ANALYST:ALICE', 'member:"EHR.PHI_READER":role:ANALYST', 'member:"EHR.PHI_READER":role:"EHR.PHI_WRITER"']);
    expect(desired.schemaWide.map((w) => w.role)).toEqual(['EHR.PHI_READER']);
    // Elsewhere there are none: a located error at the database: key.
    expect(toDesired(p, pgLike).diagnostics.map((d) => [d.code, d.line, d.message])).toEqual([
      ['platform-unsupported', 8, 'postgres has no database roles (role ehr.phi_reader)'],
      ['platform-unsupported', 10, 'postgres has no database roles (role ehr.phi_writer)'],
    ]);
  });

  it('users as members, grants outside the database and account roles as parents are located errors', async () => {
    const { diagnostics } = await load({
      'roles/a.yaml':
        'users:\n  - name: alice\nroles:\n  - name: analyst\n  - name: phi_reader\n    database: ehr\n    members: [alice]\n    inherits: [analyst, research.other]\n  - name: other\n    database: research\n',
      'grants/a.yaml':
        'grants:\n  - { role: ehr.phi_reader, privileges: [select], on: { table: research.public.t } }\n  - { role: ehr.phi_reader, privileges: [usage], on: { warehouse: wh } }\n  - { role: phi_reader, privileges: [usage], on: { database: ehr } }\n',
    });
    expect(errors(diagnostics).map((d) => [d.file, d.line, d.message])).toEqual([
      ['grants/a.yaml', 2, 'database role ehr.phi_reader is granted on table research.public.t, outside its database ehr'],
      ['grants/a.yaml', 3, 'database role ehr.phi_reader is granted on warehouse wh, outside its database ehr'],
      ['grants/a.yaml', 4, "grant: role phi_reader is not defined (did you mean the database role 'ehr.phi_reader'?)"],
      ['roles/a.yaml', 7, 'database role ehr.phi_reader cannot have users as members: Snowflake grants a database role to roles only'],
      ['roles/a.yaml', 8, 'database role ehr.phi_reader cannot inherit account role analyst'],
      ['roles/a.yaml', 8, 'database role ehr.phi_reader cannot inherit research.other, a database role of another database'],
    ]);
  });

  it('an account role whose name holds a dot is refused on Snowflake (it would read as a database role)', async () => {
    const p = await project('grants: []\n', 'roles:\n  - name: \'"a.b"\'\n');
    expect(toDesired(p, sfLike).diagnostics.map((d) => d.message)).toEqual(['the role name "a.b" holds a dot, which on snowflake reads as a database role (database.role)']);
    expect(toDesired(p, pgLike).diagnostics).toEqual([]);
  });
});

describe('tag-based masking (masking_policies[].tag, Snowflake only)', () => {
  const ROLES2 = 'roles:\n  - name: privacy_officer\n';
  const grants = [
    'phi:',
    '  ehr.clinical.patients.mrn: medical_record_number',
    '  ehr.clinical."Visit Notes".birth_date: date',
    'masking_policies:',
    '  - name: phi_text',
    '    tag: ehr.governance.phi_class',
    '    mask: hash',
    '    unmasked_for: [privacy_officer]',
    '  - name: phi_dates',
    '    tag: ehr.governance.phi_class',
    '    mask: year',
    '  - name: ssn_last4',
    '    columns: [ehr.clinical.patients.ssn]',
    '    mask: last4',
    '',
  ].join('\n');
  const TAG = { kind: 'tag', database: 'EHR', schema: 'GOVERNANCE', name: 'PHI_CLASS' };

  it('sets the policy on the tag (in the tag\'s schema) and the tag on every classified column, valued with its category', async () => {
    const p = await project(grants, ROLES2);
    const sf = toDesired(p, sfLike);
    expect(sf.diagnostics).toEqual([]);
    const byName = new Map((sf.desired.maskingPolicies ?? []).map((m) => [m.name, m]));
    expect(byName.get('PHI_TEXT')).toMatchObject({ tags: [TAG], columns: [], schema: { kind: 'schema', database: 'EHR', schema: 'GOVERNANCE' }, mask: 'hash' });
    expect(byName.get('PHI_DATES')?.tags).toEqual([TAG]);
    expect(byName.get('SSN_LAST4')?.tags).toBeUndefined();
    expect(sf.desired.columnTags?.map((t) => [t.key, t.value, `${t.source?.file}:${t.source?.line}`])).toEqual([
      ['columntag:tag:EHR.GOVERNANCE.PHI_CLASS:table:EHR.CLINICAL.PATIENTS.MRN', 'medical_record_number', 'grants/a.yaml:2'],
      ['columntag:tag:EHR.GOVERNANCE.PHI_CLASS:table:EHR.CLINICAL."Visit Notes".BIRTH_DATE', 'date', 'grants/a.yaml:3'],
    ]);
    // The reader is asked for those tags on those tables only, and reads the tables' column types.
    const scope = introspectScopeOf(sf.desired);
    // In key order (a quoted part sorts before a bare one).
    expect(scope.columnTags).toEqual({ tags: [TAG], tables: [
      { kind: 'table', database: 'EHR', schema: 'CLINICAL', name: 'Visit Notes' },
      { kind: 'table', database: 'EHR', schema: 'CLINICAL', name: 'PATIENTS' },
    ] });
    expect(scope.schemas).toEqual([{ database: 'EHR', schema: 'CLINICAL' }, { database: 'EHR', schema: 'GOVERNANCE' }]);
  });

  it('a configuration without tag: is unchanged (v0.1): no tags, no column tags', async () => {
    const p = await project(grants.replace(/  - name: phi_text[\s\S]*?(?=  - name: ssn_last4)/, ''), ROLES2);
    const sf = toDesired(p, sfLike);
    expect(sf.diagnostics).toEqual([]);
    expect(sf.desired.columnTags).toBeUndefined();
    expect(sf.desired.maskingPolicies?.map((m) => [m.name, m.tags])).toEqual([['SSN_LAST4', undefined]]);
  });

  it('is a located error on PostgreSQL and Databricks, with a hint; the column policies still load', async () => {
    const p = await project(grants, ROLES2);
    for (const dialect of [pgLike, dbLike]) {
      const { desired, diagnostics } = toDesired(p, dialect);
      expect(diagnostics.map((d) => [d.code, d.file, d.line, d.column])).toEqual([
        ['platform-unsupported', 'grants/a.yaml', 6, 10],
        ['platform-unsupported', 'grants/a.yaml', 10, 10],
      ]);
      expect(diagnostics[0].message).toMatch(/masking policy phi_text: tag: is Snowflake's tag-based masking/);
      expect(diagnostics[0].hint).toMatch(/columns:/);
      expect(desired.maskingPolicies?.map((m) => m.name)).toEqual(['ssn_last4']);
      expect(desired.columnTags).toBeUndefined();
    }
  });

  it('two column-less policies of one type on one tag are refused where the second is written', async () => {
    const p = await project(grants.replace('    mask: year', '    mask: redact'), ROLES2);
    const d = toDesired(p, sfLike).diagnostics;
    expect(d.map((x) => [x.code, x.line])).toEqual([['conflicting-grant', 10]]);
    expect(d[0].message).toMatch(/PHI_TEXT and PHI_DATES are both VARCHAR policies on tag ehr\.governance\.phi_class \(first at grants\/a\.yaml:6:10\)/);
  });
});
