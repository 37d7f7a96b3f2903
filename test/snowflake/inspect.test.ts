import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listingSql, parseDatabaseRoles, parseFutureGrants, parseGrantsOfRole, parseGrantsToRole, parseImportedDatabases, parseListing, parseRoles, parseTables } from '../../src/dialects/snowflake/inspect.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/snowflake/${name}`, import.meta.url), 'utf8')).rows;

describe('snowflake readers on recorded rows', () => {
  const r = parseGrantsToRole('CLINICAL_ANALYST', fixture('show_grants_to_role.json'));
  const keys = r.grants.map((g) => g.key);

  it('reads database, schema and table grants by column name', () => {
    expect(keys).toContain('grant:usage:database:EHR:role:CLINICAL_ANALYST');
    expect(keys).toContain('grant:usage:schema:EHR.CLINICAL:role:CLINICAL_ANALYST');
    expect(keys).toContain('grant:select:table:EHR.CLINICAL.PATIENTS:role:CLINICAL_ANALYST');
  });
  it('reads IMPORTED PRIVILEGES reported as USAGE, with empty granted_by as undefined', () => {
    const g = r.grants.find((x) => x.key === 'grant:usage:database:SHARED_REF:role:CLINICAL_ANALYST');
    expect(g).toBeDefined();
    expect(g!.grantedBy).toBeUndefined();
  });
  it('keys views and tables alike (VIEW vs TABLE reporting), keeping the view hint', () => {
    const v = r.grants.find((x) => x.object.name === 'Mixed')!;
    expect(v.key).toBe('grant:select:table:EHR.CLINICAL.Mixed:role:CLINICAL_ANALYST');
    expect(v.object.kind).toBe('view');
    // ENCOUNTERS_V is a view reported as TABLE: same key shape, kind table.
    expect(keys).toContain('grant:select:table:EHR.CLINICAL.ENCOUNTERS_V:role:CLINICAL_ANALYST');
  });
  it('parses quoted name parts', () => {
    const g = r.grants.find((x) => x.object.database === 'my db')!;
    expect(g.object).toEqual({ kind: 'table', database: 'my db', schema: 'a.b', name: 'x"y' });
  });
  it('keeps OWNERSHIP (compiled as transfer, never revoked), reads every privilege the catalog lists, and leaves the rest out', () => {
    expect(keys).toContain('grant:ownership:table:EHR.CLINICAL.SCRATCH:role:CLINICAL_ANALYST');
    // Schema CREATE <kind> and database MONITOR are catalog words now: read, so drift on them is seen.
    expect(keys).toContain('grant:create_view:schema:EHR.CLINICAL:role:CLINICAL_ANALYST');
    expect(keys).toContain('grant:monitor:database:EHR:role:CLINICAL_ANALYST');
    // Warehouses and the account (named by its locator) are catalog kinds.
    expect(keys).toContain('grant:monitor:warehouse:ANALYST_WH:role:CLINICAL_ANALYST');
    expect(keys).toContain('grant:create_database:account::role:CLINICAL_ANALYST');
    // A compute pool is not in the catalog: outside what rbac manages, never revoked.
    expect(r.ignored.map((i) => `${i.privilege} ${i.grantedOn} ${i.name}`).sort()).toEqual(['USAGE COMPUTE_POOL POOL1']);
    expect(r.grants).toHaveLength(12);
  });
  it('reads a held role (USAGE on ROLE) as a role membership', () => {
    expect(r.memberships.map((m) => m.key)).toEqual(['member:PHI_READER:role:CLINICAL_ANALYST']);
    expect(r.memberships[0].memberKind).toBe('role');
  });
  it('SHOW GRANTS OF ROLE gives users and roles holding it', () => {
    const ms = parseGrantsOfRole('CLINICAL_ANALYST', fixture('show_grants_of_role.json'));
    expect(ms.map((m) => [m.member, m.memberKind, m.grantedBy])).toEqual([
      ['ALICE', 'user', 'SECURITYADMIN'],
      ['bob@example.org', 'user', undefined],
      ['PRIVACY_OFFICER', 'role', 'SECURITYADMIN'],
    ]);
  });
  it('future grants use grant_on/grant_to columns; every kind the catalog has future grants for', () => {
    const f = parseFutureGrants('EHR', 'CLINICAL', fixture('show_future_grants_in_schema.json'));
    expect(f.futureGrants.map((x) => x.key)).toEqual([
      'future:select:tables:schema:EHR.CLINICAL:role:CLINICAL_ANALYST',
      'future:select:views:schema:EHR.CLINICAL:role:CLINICAL_ANALYST',
      'future:insert:tables:schema:EHR.CLINICAL:role:ETL_LOADER',
      'future:ownership:tables:schema:EHR.CLINICAL:role:ETL_LOADER',
    ]);
    expect(f.ignored).toEqual([]);
    // Database-level future grants (SHOW FUTURE GRANTS IN DATABASE), of other kinds.
    const db = parseFutureGrants('EHR', undefined, [
      { privilege: 'USAGE', grant_on: 'STAGE', grant_to: 'ROLE', grantee_name: 'LOADER', name: 'EHR.<STAGE>' },
      { privilege: 'SELECT', grant_on: 'MATERIALIZED_VIEW', grant_to: 'ROLE', grantee_name: 'R', name: 'EHR.<MATERIALIZED VIEW>' },
      { privilege: 'USAGE', grant_on: 'WAREHOUSE', grant_to: 'ROLE', grantee_name: 'R', name: 'EHR.<WAREHOUSE>' },
    ]);
    expect(db.futureGrants.map((x) => x.key)).toEqual(['future:usage:stages:database:EHR:role:LOADER', 'future:select:materialized_views:database:EHR:role:R']);
    expect(db.ignored.map((i) => i.grantedOn)).toEqual(['FUTURE WAREHOUSE']);
    // the documented SHOW GRANTS spelling is accepted too
    const alt = parseFutureGrants('EHR', 'CLINICAL', [{ privilege: 'SELECT', granted_on: 'TABLE', granted_to: 'ROLE', grantee_name: 'X', name: 'EHR.CLINICAL.<TABLE>' }]);
    expect(alt.futureGrants).toHaveLength(1);
  });
  it('SHOW ROLES: managed roles only, comments decoded', () => {
    const roles = parseRoles(fixture('show_roles.json'), new Set(['CLINICAL_ANALYST', 'ETL_LOADER', 'PHI_READER']));
    expect(roles).toEqual([
      { name: 'CLINICAL_ANALYST', isUser: false, description: "Reads clinical tables; it's PHI", owner: 'data-platform' },
      { name: 'ETL_LOADER', isUser: false, description: 'hand written comment' },
      { name: 'PHI_READER', isUser: false },
    ]);
  });
  it('information_schema tables: views flagged', () => {
    const t = parseTables('EHR', fixture('information_schema_tables.json'));
    expect(t.map((x) => [x.object.name, x.object.kind === 'view'])).toEqual([
      ['ENCOUNTERS_V', true],
      ['Mixed', false],
      ['PATIENTS', false],
    ]);
  });
});

describe('database roles on recorded rows', () => {
  it('SHOW DATABASE ROLES: the managed ones, named D.R, with their comments', () => {
    const roles = parseDatabaseRoles('EHR', fixture('show_database_roles.json'), new Set(['EHR.PHI_READER', 'EHR.PHI_WRITER']));
    expect(roles).toEqual([
      { name: 'EHR.PHI_READER', isUser: false, description: 'reads PHI in ehr' },
      { name: 'EHR.PHI_WRITER', isUser: false },
    ]);
  });
  it('SHOW GRANTS TO DATABASE ROLE: grants keyed to D.R although grantee_name is bare; a held database role is a membership', () => {
    const r = parseGrantsToRole('EHR.PHI_READER', fixture('show_grants_to_database_role.json'));
    expect(r.grants.map((g) => g.key)).toEqual([
      'grant:usage:database:EHR:role:"EHR.PHI_READER"',
      'grant:usage:schema:EHR.CLINICAL:role:"EHR.PHI_READER"',
      'grant:select:table:EHR.CLINICAL.PATIENTS:role:"EHR.PHI_READER"',
    ]);
    expect(r.memberships.map((m) => [m.role, m.member, m.memberKind])).toEqual([['EHR.PHI_BASE', 'EHR.PHI_READER', 'role']]);
  });
  it('SHOW GRANTS OF DATABASE ROLE: account roles and database roles (qualified) hold it; a share is not a member', () => {
    expect(parseGrantsOfRole('EHR.PHI_READER', fixture('show_grants_of_database_role.json')).map((m) => m.key)).toEqual([
      'member:"EHR.PHI_READER":role:CLINICAL_ANALYST',
      'member:"EHR.PHI_READER":role:"EHR.PHI_WRITER"',
    ]);
  });
  it('SHOW GRANTS TO ROLE: a database role the role holds', () => {
    const r = parseGrantsToRole('CLINICAL_ANALYST', [{ privilege: 'USAGE', granted_on: 'DATABASE_ROLE', name: 'EHR.PHI_READER', granted_to: 'ROLE', grantee_name: 'CLINICAL_ANALYST', grant_option: 'false', granted_by: 'SECURITYADMIN' }]);
    expect(r.memberships.map((m) => m.key)).toEqual(['member:"EHR.PHI_READER":role:CLINICAL_ANALYST']);
  });
  it('future grants to a database role', () => {
    const f = parseFutureGrants('EHR', 'CLINICAL', [{ privilege: 'SELECT', grant_on: 'TABLE', name: 'EHR.CLINICAL.<TABLE>', grant_to: 'DATABASE_ROLE', grantee_name: 'PHI_READER', grant_option: 'false' }]);
    expect(f.futureGrants.map((x) => x.key)).toEqual(['future:select:tables:schema:EHR.CLINICAL:role:"EHR.PHI_READER"']);
  });
});

describe('listings and database kinds on recorded rows', () => {
  it('TABLE_TYPE gives the kind: a privilege then reaches only the objects that take it', () => {
    const t = parseTables('EHR', [
      { TABLE_SCHEMA: 'S', TABLE_NAME: 'T', TABLE_TYPE: 'BASE TABLE' },
      { TABLE_SCHEMA: 'S', TABLE_NAME: 'V', TABLE_TYPE: 'VIEW' },
      { TABLE_SCHEMA: 'S', TABLE_NAME: 'MV', TABLE_TYPE: 'MATERIALIZED VIEW' },
      { TABLE_SCHEMA: 'S', TABLE_NAME: 'X', TABLE_TYPE: 'EXTERNAL TABLE' },
      { TABLE_SCHEMA: 'S', TABLE_NAME: 'E', TABLE_TYPE: 'EVENT TABLE' },
    ]);
    expect(t.map((x) => `${x.object.kind} ${x.object.name}`)).toEqual(['table T', 'view V', 'materialized_view MV', 'external_table X', 'table E']);
  });
  it('SHOW DATABASES: a database made from a share (kind IMPORTED DATABASE, or an origin)', () => {
    expect(
      parseImportedDatabases([
        { name: 'EHR', origin: '', kind: 'STANDARD' },
        { name: 'SHARED_REF', origin: 'ORG.PROVIDER.REF_SHARE', kind: 'IMPORTED DATABASE' },
        { name: 'SNOWFLAKE', origin: 'SNOWFLAKE.ACCOUNT_USAGE', kind: 'APPLICATION' },
      ]),
    ).toEqual(['SHARED_REF', 'SNOWFLAKE']);
  });
  it('INFORMATION_SCHEMA listings (routines with their argument names dropped) and SHOW ... IN DATABASE listings', () => {
    expect(listingSql('function', 'EHR', ['UTIL', "it's"])).toBe(`SELECT FUNCTION_SCHEMA, FUNCTION_NAME, ARGUMENT_SIGNATURE FROM "EHR".INFORMATION_SCHEMA.FUNCTIONS WHERE FUNCTION_SCHEMA IN ('UTIL', 'it''s')`);
    expect(listingSql('task', 'EHR', ['UTIL'])).toBe('SHOW TASKS IN DATABASE "EHR"');
    const fns = parseListing('function', 'EHR', new Set(['UTIL']), [
      { FUNCTION_SCHEMA: 'UTIL', FUNCTION_NAME: 'ZIP3', ARGUMENT_SIGNATURE: '(ZIP VARCHAR)' },
      { FUNCTION_SCHEMA: 'UTIL', FUNCTION_NAME: 'AGE', ARGUMENT_SIGNATURE: '(D DATE, AT NUMBER(38,0))' },
      { FUNCTION_SCHEMA: 'UTIL', FUNCTION_NAME: 'NOW', ARGUMENT_SIGNATURE: '()' },
    ]);
    expect(fns.map((o) => `${o.name}${o.signature}`)).toEqual(['ZIP3(VARCHAR)', 'AGE(DATE, NUMBER(38,0))', 'NOW()']);
    const tasks = parseListing('task', 'EHR', new Set(['UTIL']), [
      { created_on: '2024-01-01', name: 'NIGHTLY', database_name: 'EHR', schema_name: 'UTIL', owner: 'SYSADMIN' },
      { created_on: '2024-01-01', name: 'OTHER', database_name: 'EHR', schema_name: 'ELSEWHERE', owner: 'SYSADMIN' },
    ]);
    expect(tasks).toEqual([{ kind: 'task', database: 'EHR', schema: 'UTIL', name: 'NIGHTLY' }]);
  });
});
