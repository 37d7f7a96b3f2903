/**
 * Securables as data: the contract of the per-platform catalog, one table per platform
 * (src/dialects/<platform>/catalog.ts) that says, for every kind of object the platform
 * grants on, the SQL words that name it (`ON TABLE`, `ON SEQUENCE`, `ON FOREIGN
 * SERVER`), the privileges it takes (each the platform's keyword, written in the
 * configuration in snake_case), which of them go on single columns, what `table:` and
 * `objects:` reach, and the platform's mechanism for future objects. Name shapes are
 * platform-neutral (kinds.ts).
 *
 * Everything that needs kinds or privileges reads this table: the validator and the
 * JSON Schema (which words exist), toDesired (which words apply to a kind on the
 * target, and `all`), the planner's expansion of `objects:` and globs (what a kind
 * reaches, whether it has future objects), every compiler (the SQL words) and every
 * reader (keyword -> canonical word, the table read backwards). Adding a kind to a
 * platform is a row in its catalog, plus tests.
 *
 * Invariants of a catalog:
 * - every privilege word is snake_case, unique within its kind, and so are aliases;
 * - `sql` strings are constants of the catalog, never built from input;
 * - `matches` (default: the kind itself) and `future.reaches` list kinds the catalog has.
 */
import { RbacError } from './errors.js';
import { KIND_PLURALS, kindWords, aKind } from './kinds.js';
import type { FutureObjectType, Platform, Privilege, SecurableKind } from './types.js';

/** One privilege of a kind. */
export interface PrivilegeDef {
  /** The canonical word (a v1 word where one existed, else the keyword in snake_case). */
  word: Privilege;
  /** The platform's keyword, as SQL writes it: `SELECT`, `CREATE SCHEMA`, `USE CATALOG`. */
  sql: string;
  /** Other words the configuration may write for it (the keyword in snake_case when `word` is a v1 word). */
  aliases?: readonly string[];
  /** Grantable on single columns. */
  column?: boolean;
  /** Left out when `all` is expanded (ownership is transferred, never granted as part of all). */
  notInAll?: boolean;
  /**
   * Another word of the kind for the same grant, as the platform reports it (Snowflake:
   * IMPORTED PRIVILEGES on a shared database is listed as USAGE): a live grant of
   * either satisfies a desired grant of the other (plan/equivalent.ts).
   */
  sameAs?: Privilege;
}

/** The platform's mechanism for objects created later (default privileges, future grants). */
export interface FutureDef {
  /** The object type the mechanism names (`TABLES`, `SEQUENCES`, ...), lower case. */
  type: FutureObjectType;
  /** The containers it can be set on. */
  levels: readonly ('schema' | 'database')[];
  /** The kinds a future grant of this type reaches once created (PostgreSQL: TABLES reaches views too). */
  reaches: readonly SecurableKind[];
  /** The words that name the type in SQL (`MATERIALIZED VIEWS`); default: the type in upper case. */
  sql?: string;
}

/** One kind of securable on one platform. */
export interface KindDef {
  kind: SecurableKind;
  /** The words after ON that name an object of this kind. */
  sql: string;
  privileges: readonly PrivilegeDef[];
  /** The live kinds this kind's key (`table:`) and `objects:` word reach; default: the kind itself. */
  matches?: readonly SecurableKind[];
  /** Future objects of this kind, when the platform can grant on them. */
  future?: FutureDef;
  /**
   * The words after ALTER that name an object of this kind when ownership is transferred
   * by `ALTER <words> <name> OWNER TO` (Databricks: `VIEW`, `MATERIALIZED VIEW`); where a
   * platform transfers ownership so, a kind without them takes no `ownership`.
   */
  ownerSql?: string;
}

/** A platform's catalog. */
export interface Catalog {
  platform: Platform;
  kinds: Readonly<Partial<Record<SecurableKind, KindDef>>>;
  /** Whether the platform has WITH GRANT OPTION (`grant_option: true`). */
  grantOption: boolean;
  /** What to do instead, where it has none. */
  grantOptionHint?: string;
  /**
   * Users and roles are one namespace (PostgreSQL: a user is a role that can log in).
   * Elsewhere a role may share a user's name, and the two are different principals.
   */
  usersAreRoles?: boolean;
  /** Snowflake: roles of one database (`database:` on a role; CREATE DATABASE ROLE). */
  databaseRoles?: boolean;
  /**
   * Snowflake: when a schema has any future grant for an object type, the
   * database-level future grants for that type no longer apply in that schema. The
   * planner then repeats each database-level future grant in those schemas.
   */
  schemaFuturesHideDatabaseFutures?: boolean;
  /**
   * Databricks Unity Catalog: a privilege granted on a catalog or schema is inherited by
   * every object below it whose kind takes the same keyword (a catalog-level SELECT reaches
   * every table of every schema, existing and future). The container grant is therefore
   * the platform's mechanism for future objects, and the planner compares the effective
   * records on both sides (plan/inherit.ts).
   */
  inheritsDown?: boolean;
  /**
   * Routines are not overloaded (Unity Catalog): a function is named without argument
   * types and granted like any other object; a signature in the configuration is refused.
   */
  unsignedRoutines?: boolean;
  /**
   * Databases (catalogs) the tool refuses to grant on, with why and what to do instead
   * (Databricks: `hive_metastore`, legacy table ACLs, not Unity Catalog privileges).
   */
  refusedDatabases?: Readonly<Record<string, { why: string; hint: string }>>;
}

export function kindDef(c: Catalog, kind: SecurableKind): KindDef | undefined {
  return c.kinds[kind];
}

/** The kinds of a catalog, in its order. */
export function catalogKinds(c: Catalog): SecurableKind[] {
  return Object.keys(c.kinds) as SecurableKind[];
}

/** The definition of a word (canonical or alias) on a kind. */
export function privilegeDef(c: Catalog, kind: SecurableKind, word: string): PrivilegeDef | undefined {
  const def = c.kinds[kind];
  return def?.privileges.find((p) => p.word === word || p.aliases?.includes(word));
}

/** The canonical word of a word (canonical or alias) on a kind, or undefined. */
export function canonicalPrivilege(c: Catalog, kind: SecurableKind, word: string): Privilege | undefined {
  return privilegeDef(c, kind, word)?.word;
}

/** The canonical words of a kind, in catalog order. */
export function privilegeWords(c: Catalog, kind: SecurableKind, opts: { column?: boolean } = {}): Privilege[] {
  return (c.kinds[kind]?.privileges ?? []).filter((p) => !opts.column || p.column).map((p) => p.word);
}

/** Every word the configuration may write for a kind (canonical and aliases). */
export function acceptedWords(c: Catalog, kind: SecurableKind): string[] {
  return (c.kinds[kind]?.privileges ?? []).flatMap((p) => [p.word, ...(p.aliases ?? [])]);
}

/** The SQL keyword of a privilege; a privilege the kind does not take is a plan error, never interpolated. */
export function privilegeSql(c: Catalog, kind: SecurableKind, word: Privilege): string {
  const p = privilegeDef(c, kind, word);
  if (!p) throw new RbacError('PLAN_INVALID', `privilege "${word}" cannot be granted on ${aKind(kind)} in ${c.platform}`);
  return p.sql;
}

/** The SQL words naming a kind (`TABLE`, `FOREIGN SERVER`); an unknown kind is a plan error. */
export function kindSql(c: Catalog, kind: SecurableKind): string {
  const def = c.kinds[kind];
  if (!def) throw new RbacError('PLAN_INVALID', `${c.platform} has no ${kindWords(kind)}`);
  return def.sql;
}

/** The live kinds a kind reaches (`table` -> every relation). */
export function matchesOf(c: Catalog, kind: SecurableKind): readonly SecurableKind[] {
  return c.kinds[kind]?.matches ?? [kind];
}

/**
 * The reader's side of the table: a platform keyword on a kind -> the canonical word,
 * so what a compiler writes and what its reader recognizes cannot disagree. Keywords
 * the catalog does not list return undefined (outside what rbac manages).
 */
export function keywordReader(c: Catalog): (kind: SecurableKind, keyword: string) => Privilege | undefined {
  const reverse = new Map<SecurableKind, Map<string, Privilege>>();
  for (const kind of catalogKinds(c)) {
    reverse.set(kind, new Map(c.kinds[kind]!.privileges.map((p) => [p.sql, p.word])));
  }
  return (kind, keyword) => reverse.get(kind)?.get(keyword.trim().replace(/\s+/g, ' ').toUpperCase());
}

/** The future type that reaches a kind on this platform, with its definition. */
export function futureReaching(c: Catalog, kind: SecurableKind): FutureDef | undefined {
  for (const k of catalogKinds(c)) {
    const f = c.kinds[k]!.future;
    if (f && f.reaches.includes(kind)) return f;
  }
  return undefined;
}

/**
 * The future mechanisms a grant on `kinds` in a container at `level` uses (one per
 * future type, with the kind whose privileges it takes), and the kinds none of them
 * reaches: a kind without a mechanism of its own is covered when another listed kind's
 * reaches it (PostgreSQL: TABLES reaches views).
 */
export function futureCoverage(
  c: Catalog,
  kinds: readonly SecurableKind[],
  level: 'schema' | 'database',
): { mechanisms: { def: FutureDef; kind: SecurableKind }[]; missing: SecurableKind[]; hint: string } {
  const byType = new Map<string, { def: FutureDef; kind: SecurableKind }>();
  for (const k of kinds) {
    const def = c.kinds[k]?.future;
    if (def && def.levels.includes(level) && !byType.has(def.type)) byType.set(def.type, { def, kind: k });
  }
  const mechanisms = [...byType.values()];
  const missing = kinds.filter((k) => !mechanisms.some((m) => m.def.reaches.includes(k)));
  const words = (ks: readonly SecurableKind[]) => ks.map((k) => KIND_PLURALS[k]).join(' and ');
  const via = catalogKinds(c).filter((k) => c.kinds[k]!.future?.levels.includes(level) && missing.every((m) => c.kinds[k]!.future!.reaches.includes(m)));
  const hint = via.length
    ? `list ${via.map((k) => KIND_PLURALS[k]).join(' or ')} too (its future grants reach ${words(missing)}), or write future: false to grant on the existing ones only`
    : 'write future: false to grant on the existing ones only (plan again after new ones are created)';
  return { mechanisms, missing, hint };
}

/**
 * A stable order of privilege words for display and grouping: the v1 words in their
 * v1 order, then every other word alphabetically. Platform-neutral, so a plan's
 * privilege lists read the same whatever the target.
 */
const V1_ORDER = ['connect', 'create', 'temporary', 'usage', 'select', 'insert', 'update', 'delete', 'truncate', 'references', 'trigger', 'modify', 'ownership'];
export function comparePrivileges(a: Privilege, b: Privilege): number {
  const ia = V1_ORDER.indexOf(a);
  const ib = V1_ORDER.indexOf(b);
  if (ia >= 0 || ib >= 0) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}
