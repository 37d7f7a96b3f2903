/**
 * Snowflake's securables, as data (src/model/catalog.ts), from the GRANT <privileges>
 * reference. The v1 words keep their meaning: `create` on a database is CREATE SCHEMA,
 * on a schema CREATE TABLE; the keywords in snake_case are accepted for them. OWNERSHIP
 * is transferred, never granted by `all` and never revoked (see the compiler). Future
 * grants exist for every object kind in a schema, at schema and at database level
 * (`ON FUTURE <TYPE> IN SCHEMA|DATABASE`).
 *
 * The account (`on: { account: true }`) takes the global privileges (CREATE DATABASE,
 * EXECUTE TASK, APPLY MASKING POLICY, MANAGE GRANTS, ...); warehouses and integrations
 * are named alone (`warehouse: reporting_wh`). A shared database takes IMPORTED
 * PRIVILEGES (`imported_privileges`), the only privilege Snowflake grants on one.
 *
 * The future-grant precedence rule (a schema-level future grant for a type hides the
 * database-level ones for that type in that schema) is `schemaFuturesHideDatabaseFutures`.
 */
import type { Catalog, FutureDef, PrivilegeDef } from '../../model/catalog.js';
import type { FutureObjectType, SecurableKind } from '../../model/types.js';

const OWNERSHIP: PrivilegeDef = { word: 'ownership', sql: 'OWNERSHIP', notInAll: true };
const p = (word: string, sql: string): PrivilegeDef => ({ word, sql });
/**
 * A privilege added to a kind v1 already had: `all` keeps its v1 meaning there (a v1
 * configuration that says `all` on a schema must not start granting CREATE TASK).
 */
const since02 = (word: string, sql: string): PrivilegeDef => ({ word, sql, notInAll: true });
const future = (type: FutureObjectType, reaches: readonly SecurableKind[], sql?: string): FutureDef => ({
  type,
  levels: ['schema', 'database'],
  reaches,
  ...(sql ? { sql } : {}),
});

/** CREATE <kind> on a schema: every kind a schema holds. */
const SCHEMA_CREATE = [
  'VIEW',
  'MATERIALIZED VIEW',
  'DYNAMIC TABLE',
  'EXTERNAL TABLE',
  'STAGE',
  'FILE FORMAT',
  'SEQUENCE',
  'FUNCTION',
  'PROCEDURE',
  'STREAM',
  'TASK',
  'PIPE',
  'TAG',
  'MASKING POLICY',
  'ROW ACCESS POLICY',
].map((k) => since02(`create_${k.toLowerCase().replace(/ /g, '_')}`, `CREATE ${k}`));

/**
 * The global privileges, granted ON ACCOUNT (GRANT <privileges> reference,
 * globalPrivileges). MANAGE GRANTS and the other MANAGE words are administrative
 * rights the access review lists; none is part of `all` (an `all` on the account would
 * make a role an administrator).
 */
const ACCOUNT_PRIVILEGES: PrivilegeDef[] = [
  'CREATE ACCOUNT',
  'CREATE API INTEGRATION',
  'CREATE APPLICATION',
  'CREATE APPLICATION PACKAGE',
  'CREATE COMPUTE POOL',
  'CREATE CREDENTIAL',
  'CREATE DATA EXCHANGE LISTING',
  'CREATE DATABASE',
  'CREATE EXTERNAL VOLUME',
  'CREATE FAILOVER GROUP',
  'CREATE INTEGRATION',
  'CREATE NETWORK POLICY',
  'CREATE REPLICATION GROUP',
  'CREATE ROLE',
  'CREATE SHARE',
  'CREATE USER',
  'CREATE WAREHOUSE',
  'APPLY AGGREGATION POLICY',
  'APPLY AUTHENTICATION POLICY',
  'APPLY MASKING POLICY',
  'APPLY PACKAGES POLICY',
  'APPLY PASSWORD POLICY',
  'APPLY PROJECTION POLICY',
  'APPLY ROW ACCESS POLICY',
  'APPLY SESSION POLICY',
  'APPLY TAG',
  'ATTACH POLICY',
  'AUDIT',
  'BIND SERVICE ENDPOINT',
  'EXECUTE ALERT',
  'EXECUTE DATA METRIC FUNCTION',
  'EXECUTE MANAGED ALERT',
  'EXECUTE MANAGED TASK',
  'EXECUTE TASK',
  'IMPORT SHARE',
  'MANAGE ACCOUNT SUPPORT CASES',
  'MANAGE EVENT SHARING',
  'MANAGE GRANTS',
  'MANAGE LISTING AUTO FULFILLMENT',
  'MANAGE ORGANIZATION SUPPORT CASES',
  'MANAGE USER SUPPORT CASES',
  'MANAGE WAREHOUSES',
  'MODIFY LOG LEVEL',
  'MODIFY METRIC LEVEL',
  'MODIFY SESSION LOG LEVEL',
  'MODIFY SESSION METRIC LEVEL',
  'MODIFY SESSION TRACE LEVEL',
  'MODIFY TRACE LEVEL',
  'MONITOR',
  'MONITOR EXECUTION',
  'MONITOR SECURITY',
  'MONITOR USAGE',
  'OVERRIDE SHARE RESTRICTIONS',
  'PURCHASE DATA EXCHANGE LISTING',
  'RESOLVE ALL',
].map((k) => ({ word: k.toLowerCase().replace(/ /g, '_'), sql: k, notInAll: true }));

export const SNOWFLAKE_CATALOG: Catalog = {
  platform: 'snowflake',
  grantOption: true,
  schemaFuturesHideDatabaseFutures: true,
  databaseRoles: true,
  kinds: {
    database: {
      kind: 'database',
      sql: 'DATABASE',
      privileges: [
        p('usage', 'USAGE'),
        { word: 'create', sql: 'CREATE SCHEMA', aliases: ['create_schema'] },
        since02('monitor', 'MONITOR'),
        since02('create_database_role', 'CREATE DATABASE ROLE'),
        since02('modify', 'MODIFY'),
        since02('applybudget', 'APPLYBUDGET'),
        // The one privilege on a database made from a share (`on: { database: snowflake }`).
        // SHOW GRANTS lists it as USAGE, and v0.1 wrote it `usage`: either word converges.
        { word: 'imported_privileges', sql: 'IMPORTED PRIVILEGES', notInAll: true, sameAs: 'usage' },
        OWNERSHIP,
      ],
    },
    schema: {
      kind: 'schema',
      sql: 'SCHEMA',
      privileges: [p('usage', 'USAGE'), { word: 'create', sql: 'CREATE TABLE', aliases: ['create_table'] }, since02('monitor', 'MONITOR'), since02('modify', 'MODIFY'), ...SCHEMA_CREATE, OWNERSHIP],
      // GRANT ... ON FUTURE SCHEMAS IN DATABASE: schemas have futures at database level only.
      future: { type: 'schemas', levels: ['database'], reaches: ['schema'] },
    },
    table: {
      kind: 'table',
      sql: 'TABLE',
      privileges: [p('select', 'SELECT'), p('insert', 'INSERT'), p('update', 'UPDATE'), p('delete', 'DELETE'), p('truncate', 'TRUNCATE'), p('references', 'REFERENCES'), OWNERSHIP],
      matches: ['table', 'view', 'materialized_view', 'dynamic_table', 'external_table'],
      future: future('tables', ['table']),
    },
    view: {
      kind: 'view',
      sql: 'VIEW',
      privileges: [p('select', 'SELECT'), p('references', 'REFERENCES'), OWNERSHIP],
      future: future('views', ['view']),
    },
    materialized_view: {
      kind: 'materialized_view',
      sql: 'MATERIALIZED VIEW',
      privileges: [p('select', 'SELECT'), p('references', 'REFERENCES'), OWNERSHIP],
      future: future('materialized_views', ['materialized_view'], 'MATERIALIZED VIEWS'),
    },
    dynamic_table: {
      kind: 'dynamic_table',
      sql: 'DYNAMIC TABLE',
      privileges: [p('select', 'SELECT'), p('monitor', 'MONITOR'), p('operate', 'OPERATE'), OWNERSHIP],
      future: future('dynamic_tables', ['dynamic_table'], 'DYNAMIC TABLES'),
    },
    external_table: {
      kind: 'external_table',
      sql: 'EXTERNAL TABLE',
      privileges: [p('select', 'SELECT'), p('references', 'REFERENCES'), OWNERSHIP],
      future: future('external_tables', ['external_table'], 'EXTERNAL TABLES'),
    },
    stage: {
      kind: 'stage',
      sql: 'STAGE',
      // USAGE for external stages, READ and WRITE for internal ones.
      privileges: [p('usage', 'USAGE'), p('read', 'READ'), p('write', 'WRITE'), OWNERSHIP],
      future: future('stages', ['stage']),
    },
    file_format: {
      kind: 'file_format',
      sql: 'FILE FORMAT',
      privileges: [p('usage', 'USAGE'), OWNERSHIP],
      future: future('file_formats', ['file_format'], 'FILE FORMATS'),
    },
    sequence: {
      kind: 'sequence',
      sql: 'SEQUENCE',
      privileges: [p('usage', 'USAGE'), OWNERSHIP],
      future: future('sequences', ['sequence']),
    },
    function: {
      kind: 'function',
      sql: 'FUNCTION',
      privileges: [p('usage', 'USAGE'), OWNERSHIP],
      future: future('functions', ['function']),
    },
    procedure: {
      kind: 'procedure',
      sql: 'PROCEDURE',
      privileges: [p('usage', 'USAGE'), OWNERSHIP],
      future: future('procedures', ['procedure']),
    },
    stream: {
      kind: 'stream',
      sql: 'STREAM',
      privileges: [p('select', 'SELECT'), OWNERSHIP],
      future: future('streams', ['stream']),
    },
    task: {
      kind: 'task',
      sql: 'TASK',
      privileges: [p('monitor', 'MONITOR'), p('operate', 'OPERATE'), OWNERSHIP],
      future: future('tasks', ['task']),
    },
    pipe: {
      kind: 'pipe',
      sql: 'PIPE',
      privileges: [p('monitor', 'MONITOR'), p('operate', 'OPERATE'), OWNERSHIP],
      future: future('pipes', ['pipe']),
    },
    tag: {
      kind: 'tag',
      sql: 'TAG',
      privileges: [p('apply', 'APPLY'), p('read', 'READ'), OWNERSHIP],
    },
    account: {
      kind: 'account',
      sql: 'ACCOUNT',
      privileges: ACCOUNT_PRIVILEGES,
    },
    warehouse: {
      kind: 'warehouse',
      sql: 'WAREHOUSE',
      privileges: [p('usage', 'USAGE'), p('operate', 'OPERATE'), p('monitor', 'MONITOR'), p('modify', 'MODIFY'), p('applybudget', 'APPLYBUDGET'), OWNERSHIP],
    },
    integration: {
      kind: 'integration',
      sql: 'INTEGRATION',
      privileges: [p('usage', 'USAGE'), p('use_any_role', 'USE_ANY_ROLE'), OWNERSHIP],
    },
  },
};
