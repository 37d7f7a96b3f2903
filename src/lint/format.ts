/**
 * Renderers of lint findings: text for terminals and CI logs, JSON with a stable
 * shape for scripts. SARIF (code scanning) is in sarif.ts. Pure: findings in, string out.
 */
import type { Finding } from './lint.js';
import { renderSarif } from './sarif.js';

/** The output formats of `rbac lint --format`. */
export const LINT_FORMATS = ['text', 'json', 'sarif'] as const;
/** One of LINT_FORMATS. */
export type LintFormat = (typeof LINT_FORMATS)[number];

/** Counts by severity; `total` is errors + warnings. */
export interface LintSummary {
  errors: number;
  warnings: number;
  total: number;
}

/**
 * The JSON document of `rbac lint --format json`. Stable: keys are only ever added.
 * `findings` are sorted by file, line, column and rule id; every finding has every
 * key (`hint` is always a string).
 */
export interface LintJson {
  findings: Finding[];
  summary: LintSummary;
}

/** Count findings by severity. */
export function summarize(findings: readonly Finding[]): LintSummary {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  return { errors, warnings, total: findings.length };
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

/** The closing line of the text output. */
export function summaryLine(findings: readonly Finding[]): string {
  const s = summarize(findings);
  return s.total === 0 ? 'lint: no findings' : `lint: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}`;
}

/** `file:line:col: error[rule-id]: message`, an indented `hint:` line, then the summary. */
export function renderLintText(findings: readonly Finding[], opts: { color?: boolean } = {}): string {
  const paint = (code: string, s: string) => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const lines: string[] = [];
  for (const f of findings) {
    const sev = f.severity === 'error' ? paint('31;1', 'error') : paint('33;1', 'warning');
    lines.push(`${f.file}:${f.line}:${f.column}: ${sev}[${f.ruleId}]: ${f.message}`);
    lines.push(`  hint: ${f.hint}`);
  }
  lines.push(summaryLine(findings));
  return lines.join('\n') + '\n';
}

/** The JSON document (see LintJson), pretty-printed, with a final newline. */
export function renderLintJson(findings: readonly Finding[]): string {
  const doc: LintJson = {
    findings: findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      file: f.file,
      line: f.line,
      column: f.column,
      hint: f.hint,
    })),
    summary: summarize(findings),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

/** Options of renderLint: `uriPrefix` is passed to SARIF (see SarifOptions). */
export interface RenderLintOptions {
  color?: boolean;
  uriPrefix?: string;
  toolVersion?: string;
}

/** Render in one of LINT_FORMATS. */
export function renderLint(findings: readonly Finding[], format: LintFormat, opts: RenderLintOptions = {}): string {
  switch (format) {
    case 'text':
      return renderLintText(findings, { color: opts.color });
    case 'json':
      return renderLintJson(findings);
    case 'sarif':
      return JSON.stringify(renderSarif(findings, { uriPrefix: opts.uriPrefix, toolVersion: opts.toolVersion }), null, 2) + '\n';
    default: {
      const never: never = format;
      throw new Error(`unknown lint format ${String(never)}`);
    }
  }
}
