/**
 * Databricks Unity Catalog's securables, as data (src/model/catalog.ts). The v1 words
 * keep their meaning (`usage` is USE CATALOG on a catalog and USE SCHEMA on a schema,
 * `create` is CREATE SCHEMA and CREATE TABLE); the keywords in snake_case are accepted.
 * Views are granted ON TABLE. Privileges granted on a catalog or schema inherit to what
 * is below: that is the mechanism for future tables. The issue "Databricks as real
 * workspaces use it" fills in the rest of the securables.
 */
import type { Catalog } from '../../model/catalog.js';

export const DATABRICKS_CATALOG: Catalog = {
  platform: 'databricks',
  grantOption: false,
  grantOptionHint: 'Unity Catalog has no WITH GRANT OPTION: grant MANAGE to let a group grant on, or leave this grant out on Databricks with platforms:',
  kinds: {
    database: {
      kind: 'database',
      sql: 'CATALOG',
      privileges: [
        { word: 'usage', sql: 'USE CATALOG', aliases: ['use_catalog'] },
        { word: 'create', sql: 'CREATE SCHEMA', aliases: ['create_schema'] },
      ],
    },
    schema: {
      kind: 'schema',
      sql: 'SCHEMA',
      privileges: [
        { word: 'usage', sql: 'USE SCHEMA', aliases: ['use_schema'] },
        { word: 'create', sql: 'CREATE TABLE', aliases: ['create_table'] },
      ],
    },
    table: {
      kind: 'table',
      sql: 'TABLE',
      privileges: [
        { word: 'select', sql: 'SELECT' },
        { word: 'modify', sql: 'MODIFY' },
      ],
      matches: ['table', 'view'],
      future: { type: 'tables', levels: ['schema'], reaches: ['table', 'view'] },
    },
    view: { kind: 'view', sql: 'TABLE', privileges: [{ word: 'select', sql: 'SELECT' }] },
  },
};
