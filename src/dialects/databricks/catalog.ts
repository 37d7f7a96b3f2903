/**
 * Databricks Unity Catalog's securables, as data (src/model/catalog.ts), from the
 * privileges reference ("Unity Catalog privileges and securable objects",
 * https://docs.databricks.com/aws/en/data-governance/unity-catalog/manage-privileges/privileges
 * and its table "What privileges apply to each securable object?") and the GRANT
 * reference (https://docs.databricks.com/aws/en/sql/language-manual/security-grant).
 *
 * - The v1 words keep their meaning: `usage` is USE CATALOG on a catalog and USE SCHEMA
 *   on a schema, `create` is CREATE SCHEMA and CREATE TABLE; the keywords in snake_case
 *   are accepted. `all` keeps its v1 meaning on the kinds v1 had (catalog, schema,
 *   table, view): every privilege added since is `notInAll` (`since02`).
 * - A catalog and a schema take, besides their own privileges, the privileges of the
 *   objects below them: granted there, they are inherited by every current and future
 *   object of a kind that takes the same keyword (`inheritsDown`).
 * - MANAGE is never part of `all`: the server's ALL PRIVILEGES does not include it, nor
 *   EXTERNAL USE SCHEMA and EXTERNAL USE LOCATION (`NOT_IN_ALL_PRIVILEGES`).
 * - OWNERSHIP is transferred with `ALTER <ownerSql> <name> OWNER TO` (compile.ts), never
 *   revoked; models take none here (a registered model's owner is MLflow's, not moved in
 *   SQL). Credentials move with `ALTER [ STORAGE | SERVICE ] CREDENTIAL ... OWNER TO`.
 * - Relations (tables, views, materialized views, streaming tables) are granted ON TABLE
 *   (`[ TABLE ] table_name` of the securable syntax). A registered model is a kind of
 *   function to Unity Catalog: it is granted ON FUNCTION and keyed as a function (one
 *   namespace, kinds.ts). Functions are not overloaded: no argument types.
 * - The metastore has no name (`on: { metastore: true }`, `GRANT ... ON METASTORE`).
 * - Service credentials are `CREDENTIAL` objects of purpose SERVICE
 *   (`[ STORAGE | SERVICE ] CREDENTIAL`). A share takes ownership, and SELECT granted to a
 *   Delta Sharing recipient (`GRANT SELECT ON SHARE s TO RECIPIENT r`: the configuration
 *   declares the recipient under `users:` with `recipient: true`); a recipient takes ownership.
 * - `hive_metastore` is refused: its legacy table ACLs (OWN, READ_METADATA, USAGE,
 *   DATABASE for schema) are not Unity Catalog privileges.
 */
import type { Catalog, PrivilegeDef } from '../../model/catalog.js';
import type { SecurableKind } from '../../model/types.js';

const OWNERSHIP: PrivilegeDef = { word: 'ownership', sql: 'OWNERSHIP', notInAll: true };
const w = (sql: string) => sql.toLowerCase().replace(/ /g, '_');
/** A privilege where `all` includes it (a kind v1 did not have). */
const p = (sql: string): PrivilegeDef => ({ word: w(sql), sql });
/** A privilege `all` leaves out: added to a v1 kind since 0.2, or MANAGE and EXTERNAL USE (never part of ALL PRIVILEGES). */
const since02 = (sql: string): PrivilegeDef => ({ word: w(sql), sql, notInAll: true });

/** Keywords the server's ALL PRIVILEGES leaves out (GRANT reference). */
export const NOT_IN_ALL_PRIVILEGES: ReadonlySet<string> = new Set(['MANAGE', 'EXTERNAL USE SCHEMA', 'EXTERNAL USE LOCATION', 'OWNERSHIP']);

/** What a schema takes for the objects below it, granted there and inherited down. */
const SCHEMA_CHILD_WORDS = ['EXECUTE', 'MODIFY', 'READ VOLUME', 'REFRESH', 'SELECT', 'WRITE VOLUME'];
/** A schema's own privileges besides USE SCHEMA and CREATE TABLE. */
const SCHEMA_OWN_WORDS = ['APPLY TAG', 'CREATE FUNCTION', 'CREATE MATERIALIZED VIEW', 'CREATE MODEL', 'CREATE VOLUME', 'EXTERNAL USE SCHEMA', 'MANAGE'];

const RELATIONS: readonly SecurableKind[] = ['table', 'view', 'materialized_view', 'streaming_table'];

export const DATABRICKS_CATALOG: Catalog = {
  platform: 'databricks',
  grantOption: false,
  grantOptionHint: 'Unity Catalog has no WITH GRANT OPTION: grant MANAGE to let a group grant on, or leave this grant out on Databricks with platforms:',
  inheritsDown: true,
  unsignedRoutines: true,
  refusedDatabases: {
    hive_metastore: {
      why: 'hive_metastore is the legacy Hive metastore: its table access control lists (OWN, READ_METADATA, USAGE, DATABASE for a schema) are not Unity Catalog privileges and rbac does not manage them',
      hint: 'upgrade the tables to a Unity Catalog catalog and grant there, or leave this grant out on Databricks with platforms:',
    },
  },
  kinds: {
    metastore: {
      kind: 'metastore',
      sql: 'METASTORE',
      // None is part of `all`: each is an administrative right the access review lists.
      privileges: [
        'CREATE CATALOG',
        'CREATE CLEAN ROOM',
        'CREATE CONNECTION',
        'CREATE EXTERNAL LOCATION',
        'CREATE EXTERNAL METADATA',
        'CREATE PROVIDER',
        'CREATE RECIPIENT',
        'CREATE SERVICE CREDENTIAL',
        'CREATE SHARE',
        'CREATE STORAGE CREDENTIAL',
        'MANAGE ALLOWLIST',
        'SET SHARE PERMISSION',
        'USE MARKETPLACE ASSETS',
        'USE PROVIDER',
        'USE RECIPIENT',
        'USE SHARE',
      ].map(since02),
    },
    database: {
      kind: 'database',
      sql: 'CATALOG',
      ownerSql: 'CATALOG',
      privileges: [
        { word: 'usage', sql: 'USE CATALOG', aliases: ['use_catalog'] },
        { word: 'create', sql: 'CREATE SCHEMA', aliases: ['create_schema'] },
        since02('APPLY TAG'),
        since02('BROWSE'),
        // Inherited by the schemas and objects of the catalog.
        since02('USE SCHEMA'),
        since02('CREATE TABLE'),
        ...SCHEMA_OWN_WORDS.filter((x) => x !== 'APPLY TAG').map(since02),
        ...SCHEMA_CHILD_WORDS.map(since02),
        OWNERSHIP,
      ],
    },
    schema: {
      kind: 'schema',
      sql: 'SCHEMA',
      ownerSql: 'SCHEMA',
      privileges: [
        { word: 'usage', sql: 'USE SCHEMA', aliases: ['use_schema'] },
        { word: 'create', sql: 'CREATE TABLE', aliases: ['create_table'] },
        ...SCHEMA_OWN_WORDS.map(since02),
        ...SCHEMA_CHILD_WORDS.map(since02),
        OWNERSHIP,
      ],
      future: { type: 'schemas', levels: ['database'], reaches: ['schema'] },
    },
    table: {
      kind: 'table',
      sql: 'TABLE',
      ownerSql: 'TABLE',
      privileges: [{ word: 'select', sql: 'SELECT' }, { word: 'modify', sql: 'MODIFY' }, since02('APPLY TAG'), since02('MANAGE'), OWNERSHIP],
      matches: RELATIONS,
      future: { type: 'tables', levels: ['schema', 'database'], reaches: RELATIONS },
    },
    view: { kind: 'view', sql: 'TABLE', ownerSql: 'VIEW', privileges: [{ word: 'select', sql: 'SELECT' }, since02('APPLY TAG'), since02('MANAGE'), OWNERSHIP] },
    materialized_view: { kind: 'materialized_view', sql: 'TABLE', ownerSql: 'MATERIALIZED VIEW', privileges: [p('SELECT'), p('REFRESH'), p('APPLY TAG'), since02('MANAGE'), OWNERSHIP] },
    streaming_table: { kind: 'streaming_table', sql: 'TABLE', ownerSql: 'STREAMING TABLE', privileges: [p('SELECT'), p('REFRESH'), p('APPLY TAG'), since02('MANAGE'), OWNERSHIP] },
    volume: {
      kind: 'volume',
      sql: 'VOLUME',
      ownerSql: 'VOLUME',
      privileges: [p('READ VOLUME'), p('WRITE VOLUME'), p('APPLY TAG'), since02('MANAGE'), OWNERSHIP],
      future: { type: 'volumes', levels: ['schema', 'database'], reaches: ['volume'] },
    },
    function: {
      kind: 'function',
      sql: 'FUNCTION',
      ownerSql: 'FUNCTION',
      privileges: [p('EXECUTE'), since02('MANAGE'), OWNERSHIP],
      future: { type: 'functions', levels: ['schema', 'database'], reaches: ['function'] },
    },
    model: {
      kind: 'model',
      sql: 'FUNCTION',
      // Its owner is the registered model's (MLflow), not changed in SQL: no ownership here.
      privileges: [p('EXECUTE'), p('APPLY TAG'), since02('MANAGE')],
      future: { type: 'models', levels: ['schema', 'database'], reaches: ['model'] },
    },
    external_location: {
      kind: 'external_location',
      sql: 'EXTERNAL LOCATION',
      ownerSql: 'EXTERNAL LOCATION',
      privileges: [
        p('READ FILES'),
        p('WRITE FILES'),
        p('CREATE EXTERNAL TABLE'),
        p('CREATE EXTERNAL VOLUME'),
        p('CREATE MANAGED STORAGE'),
        p('CREATE FOREIGN SECURABLE'),
        p('BROWSE'),
        since02('EXTERNAL USE LOCATION'),
        since02('MANAGE'),
        OWNERSHIP,
      ],
    },
    storage_credential: {
      kind: 'storage_credential',
      sql: 'STORAGE CREDENTIAL',
      ownerSql: 'STORAGE CREDENTIAL',
      privileges: [p('READ FILES'), p('WRITE FILES'), p('CREATE EXTERNAL TABLE'), p('CREATE EXTERNAL LOCATION'), since02('MANAGE'), OWNERSHIP],
    },
    service_credential: {
      kind: 'service_credential',
      sql: 'SERVICE CREDENTIAL',
      ownerSql: 'SERVICE CREDENTIAL',
      privileges: [p('ACCESS'), p('CREATE CONNECTION'), since02('MANAGE'), OWNERSHIP],
    },
    connection: {
      kind: 'connection',
      sql: 'CONNECTION',
      ownerSql: 'CONNECTION',
      privileges: [p('USE CONNECTION'), p('CREATE FOREIGN CATALOG'), since02('MANAGE'), OWNERSHIP],
    },
    // SELECT on a share is Delta Sharing's grant to a RECIPIENT (`users:` with recipient: true).
    share: { kind: 'share', sql: 'SHARE', ownerSql: 'SHARE', privileges: [p('SELECT'), OWNERSHIP] },
    recipient: { kind: 'recipient', sql: 'RECIPIENT', ownerSql: 'RECIPIENT', privileges: [OWNERSHIP] },
  },
};
