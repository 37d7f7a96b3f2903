/**
 * What every part of toDesired shares (desired.ts, desired-grants.ts,
 * desired-policies.ts): the target's dialect and catalog, the diagnostics sink, and the
 * name folding that refuses names the platform would truncate.
 */
import type { Catalog } from '../model/catalog.js';
import type { SourceLocation } from '../model/types.js';
import type { Dialect, NamePart } from '../dialects/types.js';
import type { DiagnosticCode } from './diagnostics.js';

export interface NormalizeContext {
  dialect: Dialect;
  catalog: Catalog;
  err(code: DiagnosticCode, at: SourceLocation, msg: string, hint?: string): void;
  /** Normalize one name part as the platform folds it, refusing names longer than it allows (never truncated). */
  norm(p: NamePart, at: SourceLocation, what: string): string;
  /**
   * A role's name in the model: `ANALYST`, or for a Snowflake database role its
   * database and name joined by a dot (`EHR.PHI_READER`). No account role name and no
   * part of a database role holds a dot on Snowflake (refused), so the dot says which.
   */
  normRole(r: { name: NamePart; database?: NamePart }, at: SourceLocation): string;
  /**
   * The principal a grant's `role:` names: a role (as `normRole`), or on Databricks a
   * user or service principal of `users:` (its user name, or application id); an error
   * on platforms that grant to roles only.
   */
  normGrantee(r: { name: NamePart; database?: NamePart }, at: SourceLocation): string;
  /** A user's principal name: a service principal's application id, else its folded user name. */
  principalOfUser(u: import('./project.js').UserDef, at: SourceLocation): string;
  /** Databricks: the principals that are Delta Sharing recipients (`users:` with `recipient: true`). */
  recipients: ReadonlySet<string>;
}
