/**
 * Snowflake's securables, as data (src/model/catalog.ts), from the GRANT <privileges>
 * reference. The v1 words keep their meaning: `create` on a database is CREATE SCHEMA,
 * on a schema CREATE TABLE; the keywords in snake_case are accepted for them. OWNERSHIP
 * is transferred, never granted by `all` and never revoked (see the compiler). Future
 * grants exist for every object kind in a schema, at schema and at database level
 * (`ON FUTURE <TYPE> IN SCHEMA|DATABASE`).
 *
 * Not yet here (the issue "Snowflake as real accounts use it"): the account, warehouses,
 * integrations, database roles, and the future-grant precedence rule (a schema-level
 * future grant for a type hides the database-level ones for that type in that schema).
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

export const SNOWFLAKE_CATALOG: Catalog = {
  platform: 'snowflake',
  grantOption: true,
  schemaFuturesHideDatabaseFutures: true,
  kinds: {
    database: {
      kind: 'database',
      sql: 'DATABASE',
      privileges: [
        p('usage', 'USAGE'),
        { word: 'create', sql: 'CREATE SCHEMA', aliases: ['create_schema'] },
        since02('monitor', 'MONITOR'),
        since02('create_database_role', 'CREATE DATABASE ROLE'),
        OWNERSHIP,
      ],
    },
    schema: {
      kind: 'schema',
      sql: 'SCHEMA',
      privileges: [p('usage', 'USAGE'), { word: 'create', sql: 'CREATE TABLE', aliases: ['create_table'] }, since02('monitor', 'MONITOR'), since02('modify', 'MODIFY'), ...SCHEMA_CREATE, OWNERSHIP],
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
  },
};
