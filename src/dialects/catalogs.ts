/**
 * Every platform's catalog of securables (src/model/catalog.ts), for the stages that
 * read it: the validator and JSON Schema (the words of every platform), toDesired and
 * the planner (the target's), the compilers and readers (their own).
 */
import { acceptedWords, catalogKinds, type Catalog } from '../model/catalog.js';
import { ALL_KINDS } from '../model/kinds.js';
import { PLATFORMS, type Platform, type SecurableKind } from '../model/types.js';
import { DATABRICKS_CATALOG } from './databricks/catalog.js';
import { POSTGRES_CATALOG } from './postgres/catalog.js';
import { SNOWFLAKE_CATALOG } from './snowflake/catalog.js';

export const CATALOGS: Readonly<Record<Platform, Catalog>> = {
  postgres: POSTGRES_CATALOG,
  snowflake: SNOWFLAKE_CATALOG,
  databricks: DATABRICKS_CATALOG,
};

export function catalogFor(platform: Platform): Catalog {
  return CATALOGS[platform];
}

/** The kinds some platform has, in the platform-neutral order. */
export function anyPlatformKinds(): SecurableKind[] {
  const have = new Set(PLATFORMS.flatMap((p) => catalogKinds(CATALOGS[p])));
  return ALL_KINDS.filter((k) => have.has(k));
}

/** Every word some platform accepts on a kind (the platform-neutral validator's list), sorted. */
export function anyPlatformWords(kind: SecurableKind, opts: { column?: boolean } = {}): string[] {
  const out = new Set<string>();
  for (const p of PLATFORMS) {
    const c = CATALOGS[p];
    const def = c.kinds[kind];
    if (!def) continue;
    for (const pr of def.privileges) if (!opts.column || pr.column) for (const w of [pr.word, ...(pr.aliases ?? [])]) out.add(w);
  }
  return [...out].sort();
}

/** Every privilege word of every kind on every platform (the JSON Schema's enum), sorted. */
export function allPrivilegeWords(): string[] {
  return [...new Set(PLATFORMS.flatMap((p) => catalogKinds(CATALOGS[p]).flatMap((k) => acceptedWords(CATALOGS[p], k))))].sort();
}
