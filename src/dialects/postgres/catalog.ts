/**
 * PostgreSQL's securables (the GRANT reference and `\dp`), as data: see
 * src/model/catalog.ts for the contract. Relations (tables, partitioned and foreign
 * tables, views, materialized views) are all granted `ON TABLE`; default privileges
 * (`ALTER DEFAULT PRIVILEGES`) exist per creating role for TABLES (which also reach
 * views and materialized views created later), SEQUENCES, FUNCTIONS (functions and
 * procedures) and TYPES (types and domains), in a schema or for the whole database, and
 * for SCHEMAS for the whole database only.
 *
 * PostgreSQL 17's MAINTAIN is left out: a PostgreSQL 15 server refuses it, and the reader
 * ignores what the catalog does not list (outside what rbac manages).
 */
import type { Catalog, PrivilegeDef } from '../../model/catalog.js';

const RELATION: readonly PrivilegeDef[] = [
  { word: 'select', sql: 'SELECT', column: true },
  { word: 'insert', sql: 'INSERT', column: true },
  { word: 'update', sql: 'UPDATE', column: true },
  { word: 'delete', sql: 'DELETE' },
  { word: 'truncate', sql: 'TRUNCATE' },
  { word: 'references', sql: 'REFERENCES', column: true },
  { word: 'trigger', sql: 'TRIGGER' },
];

export const POSTGRES_CATALOG: Catalog = {
  platform: 'postgres',
  grantOption: true,
  usersAreRoles: true,
  kinds: {
    database: {
      kind: 'database',
      sql: 'DATABASE',
      privileges: [
        { word: 'connect', sql: 'CONNECT' },
        { word: 'create', sql: 'CREATE' },
        { word: 'temporary', sql: 'TEMPORARY', aliases: ['temp'] },
      ],
    },
    schema: {
      kind: 'schema',
      sql: 'SCHEMA',
      privileges: [
        { word: 'usage', sql: 'USAGE' },
        { word: 'create', sql: 'CREATE' },
      ],
      future: { type: 'schemas', levels: ['database'], reaches: ['schema'] },
    },
    table: {
      kind: 'table',
      sql: 'TABLE',
      privileges: RELATION,
      matches: ['table', 'view', 'materialized_view'],
      future: { type: 'tables', levels: ['schema', 'database'], reaches: ['table', 'view', 'materialized_view'] },
    },
    view: { kind: 'view', sql: 'TABLE', privileges: RELATION },
    materialized_view: {
      kind: 'materialized_view',
      sql: 'TABLE',
      privileges: [
        { word: 'select', sql: 'SELECT', column: true },
        { word: 'references', sql: 'REFERENCES', column: true },
      ],
    },
    sequence: {
      kind: 'sequence',
      sql: 'SEQUENCE',
      privileges: [
        { word: 'usage', sql: 'USAGE' },
        { word: 'select', sql: 'SELECT' },
        { word: 'update', sql: 'UPDATE' },
      ],
      future: { type: 'sequences', levels: ['schema', 'database'], reaches: ['sequence'] },
    },
    function: {
      kind: 'function',
      sql: 'FUNCTION',
      privileges: [{ word: 'execute', sql: 'EXECUTE' }],
      future: { type: 'functions', levels: ['schema', 'database'], reaches: ['function', 'procedure'] },
    },
    procedure: { kind: 'procedure', sql: 'PROCEDURE', privileges: [{ word: 'execute', sql: 'EXECUTE' }] },
    type: {
      kind: 'type',
      sql: 'TYPE',
      privileges: [{ word: 'usage', sql: 'USAGE' }],
      future: { type: 'types', levels: ['schema', 'database'], reaches: ['type', 'domain'] },
    },
    domain: { kind: 'domain', sql: 'DOMAIN', privileges: [{ word: 'usage', sql: 'USAGE' }] },
    foreign_data_wrapper: { kind: 'foreign_data_wrapper', sql: 'FOREIGN DATA WRAPPER', privileges: [{ word: 'usage', sql: 'USAGE' }] },
    foreign_server: { kind: 'foreign_server', sql: 'FOREIGN SERVER', privileges: [{ word: 'usage', sql: 'USAGE' }] },
  },
};
