/**
 * The secret salt of the `hash` mask on Databricks Unity Catalog.
 *
 * Why: a hash salted with a value every user can read (`current_metastore()`, which
 * rbac used before 0.2) is reversed by hashing every candidate of a low-entropy
 * identifier (an 8-digit MRN is 10^8 hashes). The salt must be a secret that the mask
 * function reads and the querying user cannot.
 *
 * Where: a table rbac owns in each catalog that holds a `hash` policy,
 * `<catalog>`.`rbac`.`settings` (one STRING column `salt`, one row), in a schema whose
 * COMMENT is TOOL_SCHEMA_MARKER (a schema `rbac` without it belongs to someone else, and
 * a hash policy in that catalog is refused rather than put there). The mask body reads
 * it with a scalar subquery. Unity Catalog evaluates a column mask's SQL UDF with the
 * function owner's privileges for the tables its body reads (the documented
 * "mapping table" pattern of row filters and column masks): the querying user needs,
 * and gets, nothing on the salt. Nobody but the owner (the principal that applies
 * rbac) and metastore admins can read it.
 *
 * A Databricks secret (`secret(scope, key)`) was the other choice the issue allowed.
 * It is not used: `secret()` checks the CALLER's READ on the scope, so every user who
 * may read a masked column would need READ on the scope, and could then call
 * `secret()` themselves.
 *
 * Invariants:
 * - the salt is generated inside Databricks (`uuid()`), inserted only while the table
 *   is empty; it never appears in a plan, a statement, a log or output;
 * - every grant on the tool schema or the salt table, whoever holds it, is in the
 *   managed scope (Live.toolObjects): one the configuration did not ask for is revoked;
 * - a grant that reaches the salt by INHERITANCE (SELECT, MODIFY, MANAGE or ALL
 *   PRIVILEGES on the catalog: Unity Catalog has no way to take an inherited privilege
 *   away on one table) is a plan error while a hash policy keeps its salt in that
 *   catalog, in the configuration (located) and in the live state alike;
 * - MODIFY counts as reaching it: whoever can overwrite the salt can set one they know.
 *
 * The `surrogate` mask's mapping table, `<catalog>`.`rbac`.`surrogates` (surrogates.ts),
 * lives in the same tool schema and is kept exactly like the salt: it is a tool object
 * (every grant on it managed), read by the same one query, and a catalog holding a
 * surrogate policy counts like a salted one for the problems below (whoever reads the
 * mapping translates every key back to its value; whoever can write it can plant keys).
 */
import { makeGrant, makeObject, objectKey } from '../../model/keys.js';
import type { Desired, GrantRecord, Live, ObjectRef, SourceLocation } from '../../model/types.js';
import type { PlanProblem, PolicyChange } from '../../plan/types.js';
import { databricksDialect } from './quote.js';
import { isDirect, str, type Row } from './inspect.js';

const q = (n: string) => databricksDialect.quoteIdent(n);
const lit = (s: string) => databricksDialect.quoteLiteral(s);

/** rbac's own schema in each catalog holding a `hash` or `surrogate` policy (Unity Catalog names are lower case). */
export const DATABRICKS_TOOL_SCHEMA = 'rbac';
/** The salt table in the tool schema, and its one column. */
export const DATABRICKS_SALT_TABLE = 'settings';
export const DATABRICKS_SALT_COLUMN = 'salt';
/** The COMMENT of the tool schema: a schema named `rbac` is rbac's only with it. */
export const DATABRICKS_TOOL_MARKER = 'rbac-tool-schema: holds the salt of the hash mask; managed by rbac, grant nothing here';

/** The `surrogate` mask's mapping table in the tool schema (surrogates.ts). */
export const DATABRICKS_SURROGATE_TABLE = 'surrogates';

/** Catalog-level privileges that reach the salt table by inheritance. */
const REACHING = new Set(['SELECT', 'MODIFY', 'MANAGE', 'ALL PRIVILEGES']);

export function toolSchemaRef(catalog: string): ObjectRef {
  return makeObject('schema', catalog, DATABRICKS_TOOL_SCHEMA);
}

export function saltTableRef(catalog: string): ObjectRef {
  return makeObject('table', catalog, DATABRICKS_TOOL_SCHEMA, DATABRICKS_SALT_TABLE);
}

export function surrogateTableRef(catalog: string): ObjectRef {
  return makeObject('table', catalog, DATABRICKS_TOOL_SCHEMA, DATABRICKS_SURROGATE_TABLE);
}

/** The statement that makes a catalog's tool schema, with its marker (idempotent; shared by the salt and the surrogate mapping). */
export function toolSchemaSql(catalog: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${q(catalog)}.${q(DATABRICKS_TOOL_SCHEMA)} COMMENT ${lit(DATABRICKS_TOOL_MARKER)}`;
}

const saltTable = (catalog: string) => `${q(catalog)}.${q(DATABRICKS_TOOL_SCHEMA)}.${q(DATABRICKS_SALT_TABLE)}`;

/** The salt, as a mask body reads it (with the function owner's privileges). */
export function saltSql(catalog: string): string {
  return `(SELECT ${q(DATABRICKS_SALT_COLUMN)} FROM ${saltTable(catalog)} LIMIT 1)`;
}

/**
 * The statements that make a catalog's salt, each idempotent: the tool schema, the
 * table, then the salt itself, generated by Databricks and inserted only while the
 * table is empty. Nothing secret is in the text.
 */
export function saltBootstrap(catalog: string): string[] {
  const table = saltTable(catalog);
  return [
    toolSchemaSql(catalog),
    `CREATE TABLE IF NOT EXISTS ${table} (${q(DATABRICKS_SALT_COLUMN)} STRING NOT NULL)`,
    `INSERT INTO ${table} SELECT sha2(concat(uuid(), uuid(), uuid()), 256) AS ${q(DATABRICKS_SALT_COLUMN)} FROM (SELECT count(*) AS n FROM ${table}) WHERE n = 0`,
  ];
}

/** The catalog whose salt a change's statements read, if any (a `hash` policy created or changed). */
export function saltCatalog(change: PolicyChange): string | undefined {
  const p = change.kind === 'createMaskingPolicy' ? change.policy : change.kind === 'alterMaskingPolicy' ? change.to : undefined;
  return p && p.expression === undefined && p.mask === 'hash' ? p.schema.database : undefined;
}

/** The catalogs where the configuration keeps a table of rbac's with a built-in mask: `hash` (the salt) or `surrogate` (the mapping). */
function keptCatalogs(desired: Desired, mask: 'hash' | 'surrogate'): Set<string> {
  return new Set((desired.maskingPolicies ?? []).filter((p) => p.mask === mask && p.expression === undefined).map((p) => p.schema.database));
}

/** What rbac keeps in a catalog's tool schema: the salt, the surrogate mapping, or both (configured, or there already). */
function kept(catalog: string, desired: Desired, tool: ReadonlySet<string> = new Set()): { salt: boolean; map: boolean } {
  return {
    salt: keptCatalogs(desired, 'hash').has(catalog) || tool.has(objectKey(saltTableRef(catalog))),
    map: keptCatalogs(desired, 'surrogate').has(catalog) || tool.has(objectKey(surrogateTableRef(catalog))),
  };
}

/** The tables a catalog-level grant would reach, and what that gives away, as the problems word them. */
function reachedWords(catalog: string, k: { salt: boolean; map: boolean }): { tables: string; holds: string; exposed: string } {
  const salt = `${catalog}.${DATABRICKS_TOOL_SCHEMA}.${DATABRICKS_SALT_TABLE}`;
  const map = `${catalog}.${DATABRICKS_TOOL_SCHEMA}.${DATABRICKS_SURROGATE_TABLE}`;
  if (k.salt && k.map) {
    return {
      tables: `rbac's salt table ${salt} and surrogate mapping table ${map}`,
      holds: 'the secret salt of the hash mask and the mapping of the surrogate mask',
      exposed: "the hash mask's secret salt and the surrogate mapping (the value behind every key) are",
    };
  }
  if (k.map) return { tables: `rbac's surrogate mapping table ${map}`, holds: 'the mapping of the surrogate mask', exposed: 'the surrogate mapping (the value behind every key) is' };
  return { tables: `rbac's salt table ${salt}`, holds: 'the secret salt of the hash mask', exposed: "the hash mask's secret salt is" };
}

/** The tables in the tool schema that the state query reads (the salt and the surrogate mapping). */
const TOOL_TABLES = [DATABRICKS_SALT_TABLE, DATABRICKS_SURROGATE_TABLE];

/**
 * One query, whatever the number of catalogs: rbac's schemas, its tables there (salt and
 * surrogate mapping), the grants on them, and the catalog grants that reach them.
 * `object_name` names the table of a `table` or `table_grant` row (recordings made
 * before the surrogate mask have no such column: their tables are the salt).
 */
export const saltStateSql = (): string =>
  [
    `SELECT 'schema' AS what, catalog_name AS catalog, CAST(NULL AS STRING) AS grantee, CAST(NULL AS STRING) AS privilege_type, CAST(NULL AS STRING) AS inherited_from, comment, CAST(NULL AS STRING) AS object_name FROM system.information_schema.schemata WHERE schema_name = ${lit(DATABRICKS_TOOL_SCHEMA)}`,
    `SELECT 'table', table_catalog, NULL, NULL, NULL, NULL, table_name FROM system.information_schema.tables WHERE table_schema = ${lit(DATABRICKS_TOOL_SCHEMA)} AND table_name IN (${TOOL_TABLES.map(lit).join(', ')})`,
    `SELECT 'schema_grant', catalog_name, grantee, privilege_type, inherited_from, NULL, NULL FROM system.information_schema.schema_privileges WHERE schema_name = ${lit(DATABRICKS_TOOL_SCHEMA)}`,
    `SELECT 'table_grant', table_catalog, grantee, privilege_type, inherited_from, NULL, table_name FROM system.information_schema.table_privileges WHERE table_schema = ${lit(DATABRICKS_TOOL_SCHEMA)} AND table_name IN (${TOOL_TABLES.map(lit).join(', ')})`,
    `SELECT 'catalog_grant', catalog_name, grantee, privilege_type, inherited_from, NULL, NULL FROM system.information_schema.catalog_privileges WHERE privilege_type IN (${[...REACHING].map(lit).join(', ')})`,
  ].join(' UNION ALL ');

/** The tool table a row names: the surrogate mapping, or the salt (also when the row names none). */
const toolTableOf = (r: Row, catalog: string): ObjectRef =>
  (str(r, 'object_name') ?? '').toLowerCase() === DATABRICKS_SURROGATE_TABLE ? surrogateTableRef(catalog) : saltTableRef(catalog);

/** What the salt-state query says. */
export interface DatabricksSaltState {
  /** objectKeys of rbac's tool schemas, salt and surrogate mapping tables that exist (Live.toolObjects). */
  toolObjects: string[];
  /** Catalogs with a schema `rbac` that is not rbac's (no marker). */
  foreignToolSchemas: string[];
  /** Direct grants on rbac's objects, whoever holds them: managed, revoked when not configured. */
  grants: GrantRecord[];
  /** Direct catalog grants that reach everything in the catalog, rbac's salt included. */
  reaching: GrantRecord[];
}

/**
 * Pure: rows of `saltStateSql` -> the salt state. `principal` spells a grantee as the
 * rest of the reader does. Privilege words of direct grants on the tool objects are
 * read with `word` (the catalog read backwards); one it does not know is kept in its
 * SQL spelling in snake_case, so that it is still revoked.
 */
export function parseSaltState(rows: readonly Row[], principal: (s: string) => string, word: (kind: 'schema' | 'table', keyword: string) => string | undefined): DatabricksSaltState {
  const norm = (s: string) => s.toLowerCase();
  const tool = new Set<string>();
  const foreign = new Set<string>();
  const tables = new Set<string>();
  for (const r of rows) {
    const catalog = str(r, 'catalog');
    if (!catalog) continue;
    if (str(r, 'what') === 'schema') (str(r, 'comment') === DATABRICKS_TOOL_MARKER ? tool : foreign).add(norm(catalog));
    if (str(r, 'what') === 'table') tables.add(objectKey(toolTableOf(r, norm(catalog))));
  }
  const toolObjects: string[] = [];
  for (const c of tool) {
    toolObjects.push(objectKey(toolSchemaRef(c)));
    for (const t of [saltTableRef(c), surrogateTableRef(c)]) if (tables.has(objectKey(t))) toolObjects.push(objectKey(t));
  }
  const grants: GrantRecord[] = [];
  const reaching: GrantRecord[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    const what = str(r, 'what');
    const catalog = norm(str(r, 'catalog') ?? '');
    const grantee = str(r, 'grantee');
    const keyword = (str(r, 'privilege_type') ?? '').trim().toUpperCase();
    if (!catalog || !grantee || !keyword || !isDirect(r)) continue;
    if (what === 'catalog_grant') {
      if (REACHING.has(keyword)) reaching.push(makeGrant({ role: principal(grantee), privilege: keyword.toLowerCase().replace(/ /g, '_'), object: makeObject('database', catalog) }));
      continue;
    }
    if (!tool.has(catalog) || (what !== 'schema_grant' && what !== 'table_grant')) continue;
    const kind = what === 'schema_grant' ? 'schema' : 'table';
    const object = kind === 'schema' ? toolSchemaRef(catalog) : toolTableOf(r, catalog);
    const g = makeGrant({ role: principal(grantee), privilege: word(kind, keyword) ?? keyword.toLowerCase().replace(/ /g, '_'), object });
    if (!seen.has(g.key)) (seen.add(g.key), grants.push(g));
  }
  return { toolObjects: toolObjects.sort(), foreignToolSchemas: [...foreign].sort(), grants, reaching };
}

const at = (s?: SourceLocation) => (s ? ` (${s.file}:${s.line}:${s.column})` : '');

/**
 * Problems of the configuration that need no live state: a grant in rbac's tool schema,
 * and a catalog-level grant that would reach the salt or the surrogate mapping, in a
 * catalog where a `hash` or `surrogate` policy keeps it.
 */
export function databricksSaltProblems(desired: Desired): PlanProblem[] {
  const salted = new Set([...keptCatalogs(desired, 'hash'), ...keptCatalogs(desired, 'surrogate')]);
  if (!salted.size) return [];
  const problems: PlanProblem[] = [];
  for (const g of desired.grants) {
    const o = g.object;
    if (!salted.has(o.database)) continue;
    const words = reachedWords(o.database, kept(o.database, desired));
    if (o.kind !== 'database' && o.schema === DATABRICKS_TOOL_SCHEMA) {
      problems.push({
        severity: 'error',
        message: `a grant to ${g.role} names ${objectKey(o)}, in the schema ${DATABRICKS_TOOL_SCHEMA} that rbac owns in catalog ${o.database} (it holds ${words.holds})`,
        hint: `grant nothing in ${o.database}.${DATABRICKS_TOOL_SCHEMA}${at(g.source)}`,
      });
    } else if (o.kind === 'database' && REACHING.has(g.privilege.toUpperCase().replace(/_/g, ' '))) {
      problems.push({
        severity: 'error',
        message: `${g.privilege} on catalog ${o.database} to ${g.role} is inherited by every table of the catalog, ${words.tables} too: ${words.exposed} then readable`,
        hint: `grant ${g.privilege} on the catalog's schemas instead of the catalog${at(g.source)}`,
      });
    }
  }
  return problems;
}

/**
 * Problems of the live state: a principal that reaches a salt or a surrogate mapping by
 * a catalog-level grant (which cannot be revoked on one table alone), in a catalog
 * where that table exists or that the configuration keeps one in.
 */
export function databricksLiveSaltProblems(desired: Desired, live: Live): PlanProblem[] {
  const tool = new Set(live.toolObjects ?? []);
  return (live.saltReaders ?? [])
    .map((g) => ({ g, k: kept(g.object.database, desired, tool) }))
    .filter(({ k }) => k.salt || k.map)
    .map(({ g, k }) => {
      const word = g.privilege.replace(/_/g, ' ').toUpperCase();
      return {
        severity: 'error' as const,
        message: `${g.role} holds ${word} on catalog ${g.object.database}, which reaches ${reachedWords(g.object.database, k).tables}: ${reachedWords(g.object.database, k).exposed} readable (or writable) by them`,
        hint: `revoke it on the catalog and grant it on the catalog's schemas instead (REVOKE ${word} ON CATALOG ${q(g.object.database)} FROM ${q(g.role)})`,
      };
    });
}
