/**
 * Configuration problems as data. The loader and toDesired never throw on a bad
 * configuration: they collect every problem across every file and return them, so a
 * user fixes all of them in one round.
 */
import type { SourceLocation } from '../model/types.js';

/**
 * One problem in the configuration.
 *
 * Invariants: `file` is relative to the config root with `/` separators (never an
 * absolute machine path); `line` and `column` are 1-based and point at the offending
 * key or value (1:1 when the whole file is at fault); `message` is one line and never
 * holds a secret value; `hint` is display-only advice; `code` is a stable
 * kebab-case identifier tests and tools can match on.
 */
export interface Diagnostic {
  severity: 'error' | 'warning';
  message: string;
  file: string;
  line: number;
  column: number;
  hint?: string;
  code?: DiagnosticCode;
}

/** Stable identifiers of every diagnostic the config stage emits. */
export type DiagnosticCode =
  | 'yaml-syntax'
  | 'yaml-alias-bomb'
  | 'yaml-alias-cycle'
  | 'yaml-too-large'
  | 'yaml-multi-document'
  | 'duplicate-key'
  | 'unknown-key'
  | 'missing-key'
  | 'wrong-type'
  | 'bad-value'
  | 'yaml11-boolean'
  | 'invalid-name'
  | 'undefined-role'
  | 'undefined-user'
  | 'member-is-role'
  | 'inherits-cycle'
  | 'duplicate-role'
  | 'duplicate-user'
  | 'duplicate-grant'
  | 'conflicting-grant'
  | 'duplicate-target'
  | 'bad-privilege'
  | 'reserved-name'
  | 'name-too-long'
  | 'name-collision'
  | 'platform-unsupported'
  | 'bad-expression'
  | 'target-incomplete'
  | 'absent-role-used'
  | 'privileged-without-justification'
  | 'bad-timestamp'
  | 'break-glass-incomplete'
  // File-system problems of the config directory (the loader reads regular files only).
  | 'not-regular-file'
  | 'not-a-directory'
  | 'dangling-symlink'
  | 'symlink-loop'
  | 'permission-denied'
  | 'io';

/** Build a diagnostic at a source location. */
export function diag(
  severity: Diagnostic['severity'],
  code: DiagnosticCode,
  at: SourceLocation,
  message: string,
  hint?: string,
): Diagnostic {
  const d: Diagnostic = { severity, code, message, file: at.file, line: at.line, column: at.column };
  if (hint !== undefined) d.hint = hint;
  return d;
}

/** `file:line:col: error: message` plus an indented `hint:` line when there is one. */
export function formatDiagnostic(d: Diagnostic): string {
  const head = `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
  return d.hint ? `${head}\n  hint: ${d.hint}` : head;
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}

/** Stable order for output: by file, line, column, then message. */
export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds.sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}
