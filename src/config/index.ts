/** The configuration stage: load + validate, normalize for a dialect, resolve targets. */
export { loadProject, type LoadResult } from './load.js';
export { toDesired, type DesiredResult, type ToDesiredOptions } from './desired.js';
export {
  resolveTarget,
  type ResolvedTarget,
  type PostgresTarget,
  type SnowflakeTarget,
  type DatabricksTarget,
  type Env,
} from './targets.js';
export { jsonSchema, jsonSchemaFor, PHI_CATEGORIES, MASK_FUNCTIONS, type FileKind, type PhiCategory } from './schema.js';
export { formatDiagnostic, hasErrors, type Diagnostic, type DiagnosticCode } from './diagnostics.js';
export type * from './project.js';
