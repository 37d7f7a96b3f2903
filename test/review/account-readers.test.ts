/**
 * The account readers on recorded rows shaped as each platform documents its views:
 * Snowflake ACCOUNT_USAGE.GRANTS_TO_ROLES / GRANTS_TO_USERS, Databricks
 * information_schema (metastores, owners, *_privileges), PostgreSQL pg_roles /
 * pg_class. Who is an administrator, through which path, and who reads the tables in
 * scope; then the review's account section over those facts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACCOUNT_SQL as DBX_SQL, parseDatabricksAccount, readDatabricksAccount } from '../../src/dialects/databricks/account.js';
import { databricksDialect } from '../../src/dialects/databricks/quote.js';
import { parsePostgresAccount } from '../../src/dialects/postgres/account.js';
import { ACCOUNT_SQL as SF_SQL, parseSnowflakeAccount, readSnowflakeAccount } from '../../src/dialects/snowflake/account.js';
import { snowflakeDialect } from '../../src/dialects/snowflake/quote.js';
import { emptyProject } from '../../src/config/project.js';
import { buildAccountReview } from '../../src/review/account.js';
import type { Classification } from '../../src/review/access.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const rows = (platform: string, name: string): Record<string, unknown>[] => JSON.parse(readFileSync(join(FIXTURES, platform, 'account', `${name}.json`), 'utf8')).rows;
const brief = (f: { principal: string; privilege: string; object?: string; via: string[] }) => `${f.principal}: ${f.privilege}${f.object ? ` on ${f.object}` : ''}${f.via.length ? ` via ${f.via.join('>')}` : ''}`;

describe('Snowflake account reader (ACCOUNT_USAGE rows)', () => {
  const facts = parseSnowflakeAccount({ grantsToRoles: rows('snowflake', 'grants_to_roles'), grantsToUsers: rows('snowflake', 'grants_to_users'), users: rows('snowflake', 'users') });

  it('lists every user of the USERS view, one that holds no role and a disabled one included, never a dropped one', () => {
    const users = facts.principals.filter((p) => p.isUser).map((p) => p.name);
    expect(users).toContain('CONTRACTOR_NOROLE');
    expect(users).toContain('LOCKED_OUT');
    expect(users).not.toContain('GONE_USER');
    // Without the USERS rows only users holding a role are known.
    const without = parseSnowflakeAccount({ grantsToRoles: rows('snowflake', 'grants_to_roles'), grantsToUsers: rows('snowflake', 'grants_to_users') });
    expect(without.principals.some((p) => p.name === 'CONTRACTOR_NOROLE')).toBe(false);
  });

  it('finds holders of the system roles and MANAGE GRANTS, directly and through the hierarchy', () => {
    const admin = facts.privileged.filter((f) => f.principal === 'ADMIN').map(brief);
    expect(admin).toEqual([
      'ADMIN: ACCOUNTADMIN via ACCOUNTADMIN',
      'ADMIN: MANAGE GRANTS via ACCOUNTADMIN>SECURITYADMIN',
      'ADMIN: SECURITYADMIN via ACCOUNTADMIN>SECURITYADMIN',
      'ADMIN: SYSADMIN via ACCOUNTADMIN>SYSADMIN',
      'ADMIN: USERADMIN via ACCOUNTADMIN>SECURITYADMIN>USERADMIN',
    ]);
    expect(facts.privileged.filter((f) => f.principal === 'OPS_LEAD').map(brief)).toEqual([
      'OPS_LEAD: MANAGE GRANTS via PLATFORM_ADMIN>SECURITYADMIN',
      'OPS_LEAD: SECURITYADMIN via PLATFORM_ADMIN>SECURITYADMIN',
      'OPS_LEAD: USERADMIN via PLATFORM_ADMIN>SECURITYADMIN>USERADMIN',
    ]);
    expect(facts.privileged.filter((f) => f.principal === 'GRANT_BOT').map(brief)).toEqual(['GRANT_BOT: MANAGE GRANTS']);
    expect(facts.privileged.find((f) => f.principal === 'ETL_OWNER')).toMatchObject({ kind: 'ownership', object: 'EHR.CLINICAL.PATIENTS', readsAll: true });
    expect(facts.privileged.find((f) => f.principal === 'ADMIN')!.isUser).toBe(true);
  });

  it('skips revoked grants (DELETED_ON set) and lists who reads the tables in scope', () => {
    expect(facts.privileged.some((f) => f.principal === 'MALLORY' || f.principal === 'OLD_VENDOR')).toBe(false);
    expect(facts.reads.map((r) => `${r.principal} ${r.table}`).sort()).toEqual(['CLINICAL_ANALYST EHR.CLINICAL.PATIENTS', 'SHADOW_READER EHR.CLINICAL.PATIENTS']);
    // The role hierarchy reaches a managed role too: SYSADMIN holds CLINICAL_ANALYST.
    expect(facts.memberships).toContainEqual({ role: 'CLINICAL_ANALYST', member: 'SYSADMIN' });
  });

  it('reads through the query seam in three queries, scope names as literals', async () => {
    const sent: string[] = [];
    const f = await readSnowflakeAccount(async (sql) => {
      sent.push(sql);
      return sql.includes('GRANTS_TO_USERS') ? rows('snowflake', 'grants_to_users') : sql.includes('ACCOUNT_USAGE.USERS') ? rows('snowflake', 'users') : rows('snowflake', 'grants_to_roles');
    }, { schemas: [{ database: 'EHR', schema: "CLIN'ICAL" }] });
    expect(sent).toHaveLength(3);
    expect(sent[2]).toBe(SF_SQL.users());
    // The recorded rows answer exactly that query.
    expect(JSON.parse(readFileSync(join(FIXTURES, 'snowflake', 'account', 'users.json'), 'utf8')).command).toBe(SF_SQL.users());
    expect(f.principals.some((p) => p.name === 'CONTRACTOR_NOROLE' && p.isUser)).toBe(true);
    expect(sent[0]).toBe(SF_SQL.grantsToRoles({ schemas: [{ database: 'EHR', schema: "CLIN'ICAL" }] }));
    expect(sent[0]).toContain(`TABLE_SCHEMA = ${snowflakeDialect.quoteLiteral("CLIN'ICAL")}`);
    expect(f.privileged.length).toBe(facts.privileged.length);
  });
});

describe('Databricks account reader (information_schema rows)', () => {
  const names = ['metastores', 'catalogs', 'schemata', 'tables', 'metastore_privileges', 'catalog_privileges', 'schema_privileges', 'table_privileges'] as const;
  const recorded = Object.fromEntries(names.map((n) => [n, rows('databricks', n)]));
  const facts = parseDatabricksAccount({
    metastores: recorded.metastores,
    catalogs: recorded.catalogs,
    schemata: recorded.schemata,
    tables: recorded.tables,
    metastorePrivileges: recorded.metastore_privileges,
    catalogPrivileges: recorded.catalog_privileges,
    schemaPrivileges: recorded.schema_privileges,
    tablePrivileges: recorded.table_privileges,
  });

  it('finds the metastore admin, owners and MANAGE holders (inherited MANAGE rows are not separate grants)', () => {
    expect(facts.privileged.map(brief)).toEqual([
      'clinical_stewards: MANAGE on catalog ehr',
      'data-platform: OWNER on catalog ehr',
      'data-platform: OWNER on ehr.clinical.encounters',
      'data-platform: OWNER on schema ehr.clinical',
      'etl@example.org: OWNER on ehr.clinical.patients',
      'metastore-admins: METASTORE ADMIN on metastore prod-us-east',
      'security-team: MANAGE on metastore',
    ]);
    expect(facts.privileged.find((f) => f.principal === 'etl@example.org')).toMatchObject({ isUser: true, readsAll: true });
    expect(facts.privileged.find((f) => f.principal === 'metastore-admins')).toMatchObject({ isUser: false, readsAll: false });
  });

  it('lists every principal reading the tables in scope, SELECT or ALL PRIVILEGES, from any grantor', () => {
    expect(facts.reads.map((r) => `${r.principal} ${r.table}`).sort()).toEqual([
      'clinical_analyst ehr.clinical.patients',
      'shadow@example.org ehr.clinical.patients',
      'vendor-sync ehr.clinical.encounters',
    ]);
  });

  it('reads through the query seam in eight queries, names as literals', async () => {
    const sent: string[] = [];
    await readDatabricksAccount(async (sql) => {
      sent.push(sql);
      return [];
    }, { schemas: [{ database: 'ehr', schema: "o'brien" }] });
    expect(sent).toHaveLength(8);
    expect(sent).toContain(DBX_SQL.tablePrivileges({ schemas: [{ database: 'ehr', schema: "o'brien" }] }));
    expect(sent.join('\n')).toContain(databricksDialect.quoteLiteral("o'brien"));
  });
});

describe('PostgreSQL account reader (pg_roles / pg_class rows)', () => {
  const facts = parsePostgresAccount({
    principals: [
      { name: 'postgres', can_login: true, superuser: true, createrole: true, bypassrls: true },
      { name: 'etl_owner', can_login: false, superuser: false, createrole: false, bypassrls: false },
      { name: 'frank', can_login: true, superuser: false, createrole: false, bypassrls: false },
    ],
    memberships: [{ role: 'etl_owner', member: 'frank' }],
    databases: [
      {
        database: 'ehr',
        owners: [
          { schema: 'clinical', name: 'patients', owner: 'etl_owner', row_security: true, force_row_security: false },
          { schema: 'clinical', name: 'encounters', owner: 'etl_owner', row_security: true, force_row_security: true },
        ],
        reads: [{ schema: 'clinical', name: 'patients', column: 'ssn', grantee: 'frank' }],
      },
    ],
  });
  it('role attributes stay with their role; ownership reaches the owning role\'s members; FORCE RLS removes the bypass', () => {
    expect(facts.privileged.map(brief)).toEqual([
      'etl_owner: OWNER (FORCE ROW LEVEL SECURITY) on ehr.clinical.encounters',
      'etl_owner: OWNER (bypasses row level security) on ehr.clinical.patients',
      'frank: OWNER (FORCE ROW LEVEL SECURITY) on ehr.clinical.encounters via etl_owner',
      'frank: OWNER (bypasses row level security) on ehr.clinical.patients via etl_owner',
      'postgres: BYPASSRLS',
      'postgres: CREATEROLE',
      'postgres: SUPERUSER',
    ]);
    expect(facts.privileged.find((f) => f.object === 'ehr.clinical.encounters')!.readsAll).toBe(false);
    expect(facts.reads).toEqual([{ principal: 'frank', table: 'ehr.clinical.patients', columns: ['ssn'] }]);
  });
});

describe('the review over account facts', () => {
  it('justifies by principal and privilege, and reports unmanaged principals reaching PHI (masked where a mask applies)', () => {
    const facts = parseSnowflakeAccount({ grantsToRoles: rows('snowflake', 'grants_to_roles'), grantsToUsers: rows('snowflake', 'grants_to_users') });
    const project = emptyProject();
    const loc = { file: 'rbac.yaml', line: 7, column: 5 };
    project.privilegedAccess = [{ principal: { text: 'admin', quoted: false }, privilege: 'accountadmin', reason: 'Break-glass account (SEC-1)', source: loc }];
    const cls: Classification = {
      phi: new Map([['EHR.CLINICAL.PATIENTS.SSN', 'ssn'], ['EHR.CLINICAL.PATIENTS.MRN', 'medical_record_number']]),
      masks: new Map([['EHR.CLINICAL.PATIENTS.MRN', [{ policy: 'MRN_HASH', unmaskedFor: new Set(['PRIVACY_OFFICER']) }]]]),
      categories: ['ssn', 'medical_record_number'],
    };
    const review = buildAccountReview({ project, dialect: snowflakeDialect, facts, cls, managed: new Set(['CLINICAL_ANALYST', 'ALICE']) });
    const admin = review.privileged.filter((e) => e.principal === 'ADMIN');
    expect(admin.find((e) => e.privilege === 'ACCOUNTADMIN')).toMatchObject({ justification: 'Break-glass account (SEC-1)', justifiedAt: 'rbac.yaml:7:5' });
    // Only ACCOUNTADMIN was justified: the other powers it brings still need a reason.
    expect(admin.find((e) => e.privilege === 'MANAGE GRANTS')!.justification).toBeUndefined();
    expect(review.unmanagedPhi.map((u) => [u.principal, u.how, u.columns.map((c) => `${c.category}${c.masked ? ' masked' : ''}`)])).toEqual([
      ['ETL_OWNER', ['OWNERSHIP of EHR.CLINICAL.PATIENTS'], ['medical_record_number', 'ssn']],
      ['SHADOW_READER', ['SELECT on EHR.CLINICAL.PATIENTS'], ['medical_record_number masked', 'ssn']],
    ]);
  });
});

describe('an account that could not be read', () => {
  it('is said in the review, not left out', () => {
    const cls: Classification = { phi: new Map(), masks: new Map(), categories: [] };
    const r = buildAccountReview({ project: emptyProject(), dialect: snowflakeDialect, cls, managed: new Set(), error: 'SQL access control error: Insufficient privileges' });
    expect(r).toEqual({ read: false, error: 'SQL access control error: Insufficient privileges', privileged: [], unmanagedPhi: [] });
  });
});
