/**
 * The closed lists of privileges per object kind, per platform. The config validator,
 * the JSON Schema and every compiler read them from here; no privilege name reaches
 * SQL unless it is in one of these lists.
 */
import type { Platform, Privilege, SecurableKind } from './types.js';

export const ALL_PRIVILEGES: readonly Privilege[] = [
  'connect',
  'create',
  'temporary',
  'usage',
  'select',
  'insert',
  'update',
  'delete',
  'truncate',
  'references',
  'trigger',
  'modify',
  'ownership',
];

/** Privileges that the configuration may name, per platform and object kind. */
export const PRIVILEGES: Record<Platform, Record<SecurableKind, readonly Privilege[]>> = {
  postgres: {
    database: ['connect', 'create', 'temporary'],
    schema: ['usage', 'create'],
    table: ['select', 'insert', 'update', 'delete', 'truncate', 'references', 'trigger'],
  },
  snowflake: {
    database: ['usage', 'create', 'ownership'],
    schema: ['usage', 'create', 'ownership'],
    table: ['select', 'insert', 'update', 'delete', 'truncate', 'references', 'ownership'],
  },
  databricks: {
    database: ['usage', 'create'],
    schema: ['usage', 'create'],
    table: ['select', 'modify'],
  },
};

/** The union over platforms: what the platform-neutral validator accepts per kind. */
export function anyPlatformPrivileges(kind: SecurableKind): Privilege[] {
  const set = new Set<Privilege>();
  for (const p of Object.values(PRIVILEGES)) for (const x of p[kind]) set.add(x);
  return ALL_PRIVILEGES.filter((p) => set.has(p));
}

/** Privileges that may be granted on single columns (Postgres column ACLs). */
export const COLUMN_PRIVILEGES: readonly Privilege[] = ['select', 'insert', 'update', 'references'];

export function isPrivilege(s: string): s is Privilege {
  return (ALL_PRIVILEGES as readonly string[]).includes(s);
}

/** A dialect's closed table: generic privilege -> the platform's keyword(s), per kind. */
export type PrivilegeWords = Record<SecurableKind, Partial<Record<Privilege, string>>>;

/**
 * The reverse of a dialect's keyword table, for its reader: keyword -> generic
 * privilege, per kind. One table serves both directions, so what the compiler writes
 * and what the reader recognizes can never disagree.
 */
export function privilegeReader(words: PrivilegeWords): (kind: SecurableKind, word: string) => Privilege | undefined {
  const reverse = {} as Record<SecurableKind, Map<string, Privilege>>;
  for (const kind of Object.keys(words) as SecurableKind[]) {
    reverse[kind] = new Map(Object.entries(words[kind]).map(([p, w]) => [w as string, p as Privilege]));
  }
  return (kind, word) => reverse[kind].get(word.trim().toUpperCase());
}
