/**
 * Snowflake's securables, as data (src/model/catalog.ts). The v1 words keep their
 * meaning: `create` on a database is CREATE SCHEMA, on a schema CREATE TABLE; the
 * keywords in snake_case are accepted for them. OWNERSHIP is transferred, never granted
 * by `all` and never revoked (see the compiler). Future grants: ON FUTURE TABLES IN
 * SCHEMA. The issue "Snowflake as real accounts use it" fills in the rest of the kinds.
 */
import type { Catalog, PrivilegeDef } from '../../model/catalog.js';

const OWNERSHIP: PrivilegeDef = { word: 'ownership', sql: 'OWNERSHIP', notInAll: true };

export const SNOWFLAKE_CATALOG: Catalog = {
  platform: 'snowflake',
  grantOption: true,
  kinds: {
    database: {
      kind: 'database',
      sql: 'DATABASE',
      privileges: [{ word: 'usage', sql: 'USAGE' }, { word: 'create', sql: 'CREATE SCHEMA', aliases: ['create_schema'] }, OWNERSHIP],
    },
    schema: {
      kind: 'schema',
      sql: 'SCHEMA',
      privileges: [{ word: 'usage', sql: 'USAGE' }, { word: 'create', sql: 'CREATE TABLE', aliases: ['create_table'] }, OWNERSHIP],
    },
    table: {
      kind: 'table',
      sql: 'TABLE',
      privileges: [
        { word: 'select', sql: 'SELECT' },
        { word: 'insert', sql: 'INSERT' },
        { word: 'update', sql: 'UPDATE' },
        { word: 'delete', sql: 'DELETE' },
        { word: 'truncate', sql: 'TRUNCATE' },
        { word: 'references', sql: 'REFERENCES' },
        OWNERSHIP,
      ],
      matches: ['table', 'view'],
      future: { type: 'tables', levels: ['schema'], reaches: ['table'] },
    },
    view: {
      kind: 'view',
      sql: 'VIEW',
      privileges: [{ word: 'select', sql: 'SELECT' }, { word: 'references', sql: 'REFERENCES' }, OWNERSHIP],
    },
  },
};
