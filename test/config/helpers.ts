import { appendFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Dialect, NamePart } from '../../src/dialects/types.js';
import type { Diagnostic } from '../../src/config/diagnostics.js';
import { loadProject } from '../../src/config/load.js';
import { postgresExpressions } from '../../src/dialects/postgres/expression.js';
import { postgresDialect } from '../../src/dialects/postgres/quote.js';
import { snowflakeDialect } from '../../src/dialects/snowflake/quote.js';
import { snowflakeExpressions } from '../../src/dialects/snowflake/expression.js';
import { databricksExpressions } from '../../src/dialects/databricks/expression.js';

/** The repository root (where the example rbac.yaml lives). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const BASE_RBAC = 'version: 1\ntargets:\n  local:\n    platform: postgres\n    embedded: .rbac/pglite\n';

/** Write a config directory under the OS temp dir; rbac.yaml defaults to BASE_RBAC. */
export async function writeConfig(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rbac-config-'));
  const all = { 'rbac.yaml': BASE_RBAC, ...files };
  // RBAC_RECORD_SAMPLES=FILE collects every config the validator's tests write, one JSON
  // line each: the corpus the editor-schema agreement test reads (see test/config/editor-agreement.test.ts).
  const record = process.env.RBAC_RECORD_SAMPLES;
  if (record) appendFileSync(record, JSON.stringify({ test: expect.getState().currentTestName ?? '', files: all }) + '\n');
  for (const [path, text] of Object.entries(all)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

export async function load(files: Record<string, string>) {
  return loadProject(await writeConfig(files));
}

export function errors(ds: Diagnostic[]): Diagnostic[] {
  return ds.filter((d) => d.severity === 'error');
}

/** The one diagnostic with this code; fails loudly when there are none or several. */
export function only(ds: Diagnostic[], code: string): Diagnostic {
  const hits = ds.filter((d) => d.code === code);
  if (hits.length !== 1) {
    throw new Error(`expected exactly one ${code}, got ${hits.length}: ${JSON.stringify(ds, null, 2)}`);
  }
  return hits[0];
}

/** Postgres-like test dialect: folds unquoted names to lower case, 63-byte names. */
export const pgLike: Dialect = {
  platform: 'postgres',
  normalize: (p: NamePart) => (p.quoted ? p.text : p.text.toLowerCase()),
  quoteIdent: (s) => `"${s.replace(/"/g, '""')}"`,
  quoteLiteral: (s) => `'${s.replace(/'/g, "''")}'`,
  maxIdentifierBytes: 63,
  // The real parser: person-written SQL is checked by the platform's grammar.
  expressions: postgresExpressions,
  canonicalSignature: postgresDialect.canonicalSignature,
};

/** Snowflake-like test dialect: folds unquoted names to upper case, 255-byte names. */
export const sfLike: Dialect = {
  platform: 'snowflake',
  normalize: (p: NamePart) => (p.quoted ? p.text : p.text.toUpperCase()),
  quoteIdent: (s) => `"${s.replace(/"/g, '""')}"`,
  quoteLiteral: (s) => `'${s.replace(/'/g, "''")}'`,
  maxIdentifierBytes: 255,
  expressions: snowflakeExpressions,
  canonicalSignature: snowflakeDialect.canonicalSignature,
};

/** Databricks-like: lower case, 255 bytes. */
export const dbLike: Dialect = { ...pgLike, platform: 'databricks', maxIdentifierBytes: 255, expressions: databricksExpressions };
