/**
 * The I/O side of `rbac classify`: which schemas are in scope (from the configuration),
 * read their columns and tags through the adapter's read seam, and propose. Read-only:
 * only SELECT statements reach the target (the readers in sources.ts send nothing else).
 */
import type { Project } from '../config/project.js';
import { PHI_CATEGORIES } from '../config/schema.js';
import type { Dialect } from '../dialects/types.js';
import { classify } from '../review/access.js';
import type { Desired, Platform } from '../model/types.js';
import { introspectScopeOf } from '../plan/scope.js';
import { propose, type ClassifyResult } from './classify.js';
import { readSource, type ReadFn, type SchemasByDatabase } from './sources.js';

/** The schemas the configuration reaches, by logical database (normalized names). */
export function schemasInScope(desired: Desired, project: Project): SchemasByDatabase {
  const scope = introspectScopeOf(desired, project);
  const out: SchemasByDatabase = new Map();
  for (const s of scope.schemas) {
    let list = out.get(s.database);
    if (list === 'all') continue;
    if (!list) out.set(s.database, (list = []));
    if (!list.includes(s.schema)) list.push(s.schema);
  }
  for (const db of scope.wholeDatabases ?? []) out.set(db, 'all');
  return out;
}

/** Column keys as the platform compares them: Databricks names are case-insensitive. */
export function foldFor(platform: Platform): (s: string) => string {
  return platform === 'databricks' ? (s) => s.toLowerCase() : (s) => s;
}

export interface ClassifyInput {
  project: Project;
  desired: Desired;
  dialect: Dialect;
  read: ReadFn;
  /** Logical -> physical database name (PostgreSQL's database_map is handled by its adapter). */
  physical?: (logical: string) => string;
}

export async function classifyTarget(input: ClassifyInput): Promise<ClassifyResult> {
  const { dialect } = input;
  const schemas = schemasInScope(input.desired, input.project);
  const source = await readSource(dialect.platform, input.read, schemas, dialect, input.physical);
  const { phi } = classify(input.project, dialect, PHI_CATEGORIES);
  return propose(source, phi, foldFor(dialect.platform));
}
