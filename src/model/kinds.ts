/**
 * What every platform agrees on about a kind of securable: how its name is made (its
 * shape), the word `objects:` uses for it, and which kinds share a namespace. What a
 * platform grants on it, and in which SQL words, is in that platform's catalog
 * (src/dialects/<platform>/catalog.ts; the contract is src/model/catalog.ts).
 *
 * Invariants:
 * - the shape decides which name parts an ObjectRef of the kind carries and how its
 *   canonical path is written (keys.ts);
 * - relations (tables, views, materialized views) share one namespace on every
 *   platform (a schema cannot hold a table and a view of one name), so their keys use
 *   `table` for all of them: `table:` in the configuration names any of them, exactly
 *   as in v1, and the live kind decides the SQL;
 * - routines carry their argument types (`signature`) as part of their identity.
 */
import type { SecurableKind } from './types.js';

/**
 * - `database`: the database itself (`ehr`);
 * - `schema`: a schema of a database (`ehr.clinical`);
 * - `in-schema`: an object in a schema (`ehr.clinical.patients`, `ehr.util.zip3(text)`);
 * - `in-database`: an object of a database outside any schema (`ehr.my_server`);
 * - `account`: the account (or the Databricks metastore) itself, written `account: true`
 *   (`metastore: true`); no name parts;
 * - `global`: a named object of the account outside any database (a warehouse, an
 *   integration, an external location, a connection, a share: `reporting_wh`).
 * Objects of the last two shapes carry `database: ''` (they are in no database).
 */
export type KindShape = 'database' | 'schema' | 'in-schema' | 'in-database' | 'account' | 'global';

export const KIND_SHAPES: Readonly<Record<SecurableKind, KindShape>> = {
  database: 'database',
  schema: 'schema',
  table: 'in-schema',
  view: 'in-schema',
  materialized_view: 'in-schema',
  sequence: 'in-schema',
  function: 'in-schema',
  procedure: 'in-schema',
  type: 'in-schema',
  domain: 'in-schema',
  foreign_data_wrapper: 'in-database',
  foreign_server: 'in-database',
  dynamic_table: 'in-schema',
  external_table: 'in-schema',
  stage: 'in-schema',
  file_format: 'in-schema',
  stream: 'in-schema',
  task: 'in-schema',
  pipe: 'in-schema',
  tag: 'in-schema',
  account: 'account',
  warehouse: 'global',
  integration: 'global',
  streaming_table: 'in-schema',
  volume: 'in-schema',
  model: 'in-schema',
  metastore: 'account',
  external_location: 'global',
  storage_credential: 'global',
  service_credential: 'global',
  connection: 'global',
  share: 'global',
  recipient: 'global',
};

/** The word `objects:` uses for each kind. */
export const KIND_PLURALS: Readonly<Record<SecurableKind, string>> = {
  database: 'databases',
  schema: 'schemas',
  table: 'tables',
  view: 'views',
  materialized_view: 'materialized_views',
  sequence: 'sequences',
  function: 'functions',
  procedure: 'procedures',
  type: 'types',
  domain: 'domains',
  foreign_data_wrapper: 'foreign_data_wrappers',
  foreign_server: 'foreign_servers',
  dynamic_table: 'dynamic_tables',
  external_table: 'external_tables',
  stage: 'stages',
  file_format: 'file_formats',
  stream: 'streams',
  task: 'tasks',
  pipe: 'pipes',
  tag: 'tags',
  account: 'accounts',
  warehouse: 'warehouses',
  integration: 'integrations',
  streaming_table: 'streaming_tables',
  volume: 'volumes',
  model: 'models',
  metastore: 'metastores',
  external_location: 'external_locations',
  storage_credential: 'storage_credentials',
  service_credential: 'service_credentials',
  connection: 'connections',
  share: 'shares',
  recipient: 'recipients',
};

/** Every kind, in a stable order (the configuration's `on:` keys are these words). */
export const ALL_KINDS: readonly SecurableKind[] = Object.keys(KIND_SHAPES) as SecurableKind[];

/** The kinds that share the relations' namespace: keyed as `table`, named by `table:`. */
export const RELATION_KINDS: ReadonlySet<SecurableKind> = new Set<SecurableKind>(['table', 'view', 'materialized_view', 'dynamic_table', 'external_table', 'streaming_table']);

/** Kinds whose identity includes their argument types. */
export const SIGNATURE_KINDS: ReadonlySet<SecurableKind> = new Set<SecurableKind>(['function', 'procedure']);

/** Kinds outside every database (the account, warehouses, integrations): `database` is ''. */
export function isAccountLevel(kind: SecurableKind): boolean {
  const shape = KIND_SHAPES[kind];
  return shape === 'account' || shape === 'global';
}

/**
 * The kind written in keys: every relation is a `table` (one namespace), and a registered
 * model is a `function` (Unity Catalog models are functions: one namespace, granted ON
 * FUNCTION, read back as functions).
 */
export function keyKind(kind: SecurableKind): SecurableKind {
  return RELATION_KINDS.has(kind) ? 'table' : kind === 'model' ? 'function' : kind;
}

/** The kind an `objects:` word names, or undefined. */
export function kindOfPlural(word: string): SecurableKind | undefined {
  return ALL_KINDS.find((k) => KIND_PLURALS[k] === word);
}

/** `a view`, `an account`, `an external table`: the kind with its article, for messages. */
export function aKind(kind: SecurableKind): string {
  const w = kindWords(kind);
  return `${/^[aeiou]/.test(w) ? 'an' : 'a'} ${w}`;
}

/** `view` -> `view`, `materialized_view` -> `materialized view`: for messages. */
export function kindWords(kind: SecurableKind): string {
  return kind.replace(/_/g, ' ');
}
