/**
 * SARIF 2.1.0 output of `rbac lint`, the format GitHub code scanning reads: upload it
 * with `github/codeql-action/upload-sarif` and findings appear on the pull request at
 * the line of the YAML entry.
 *
 * Every rule of RULES is listed in `tool.driver.rules` (not only those with results),
 * so a rule that stops firing closes its alerts. Artifact URIs are relative paths with
 * `uriBaseId: %SRCROOT%` (the repository root); no absolute machine path is written.
 */
import { createHash } from 'node:crypto';
import type { Finding } from './lint.js';
import { RULES, ruleIndex, type Severity } from './rules.js';

/** Where each rule is explained: the README section `#rule-<id>` (SARIF `helpUri`). */
export const RULES_DOC = 'https://rbac.dev/README.md';

/** The `helpUri` of a rule: its README anchor. */
export function ruleHelpUri(id: string): string {
  return `${RULES_DOC}#rule-${id}`;
}

/** The key of the one partial fingerprint rbac writes (versioned: a new scheme gets a new key). */
export const FINGERPRINT_KEY = 'rbacFinding/v1';

/**
 * A fingerprint that survives edits around the finding: the rule, the file and the
 * message with every `file:line:col` and line reference taken out, so it names what
 * the finding concerns (the role, grant, column) and not where it is written.
 */
export function findingFingerprint(f: Pick<Finding, 'ruleId' | 'file' | 'message'>): string {
  const what = f.message.replace(/\S+:\d+:\d+/g, '').replace(/\bline \d+/g, '').replace(/\s+/g, ' ').trim();
  return createHash('sha256').update(`${f.ruleId}\u0000${f.file}\u0000${what}`).digest('hex');
}

/** The SARIF schema URI written in `$schema`. */
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/**
 * Options of renderSarif. `uriPrefix` is the config root relative to the repository
 * root (`infra/rbac`, `/` separators, no leading or trailing slash; empty when the
 * config is at the root), prepended to each finding's file.
 */
export interface SarifOptions {
  uriPrefix?: string;
  toolVersion?: string;
}

/** The subset of the SARIF 2.1.0 log that rbac writes (see the OASIS spec for each field). */
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}

/** One run: the tool, its rules and the results. */
export interface SarifRun {
  tool: {
    driver: {
      name: string;
      version: string;
      informationUri: string;
      rules: SarifRule[];
    };
  };
  /** `%SRCROOT%` is the repository root; its absolute location is never written. */
  originalUriBaseIds: Record<'%SRCROOT%', { description: { text: string } }>;
  results: SarifResult[];
}

/** A reportingDescriptor: one rule's metadata. */
export interface SarifRule {
  id: string;
  name: string;
  helpUri: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; precision: string; 'security-severity'?: string };
}

/** SARIF result levels used here. */
export type SarifLevel = 'error' | 'warning';

/** One result: a finding at one physical location. */
export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  partialFingerprints: Record<string, string>;
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string; uriBaseId: '%SRCROOT%' };
      region: { startLine: number; startColumn: number };
    };
  }[];
}

const level = (s: Severity): SarifLevel => (s === 'error' ? 'error' : 'warning');

/** PascalCase name of a kebab-case rule id (SARIF `name`, shown by some viewers). */
function ruleName(id: string): string {
  return id.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

/** Join a prefix and a config-relative path into a repository-relative URI. */
export function artifactUri(file: string, prefix = ''): string {
  const p = prefix.replace(/\\/g, '/').replace(/^\.\/?/, '').replace(/\/+$/, '');
  const rel = p ? `${p}/${file}` : file;
  return rel.split('/').map(encodeURIComponent).join('/');
}

/** Build the SARIF log of a lint run. */
export function renderSarif(findings: readonly Finding[], opts: SarifOptions = {}): SarifLog {
  const rules: SarifRule[] = RULES.map((r) => ({
    id: r.id,
    name: ruleName(r.id),
    helpUri: ruleHelpUri(r.id),
    shortDescription: { text: r.description },
    fullDescription: { text: r.rationale },
    help: { text: r.help, markdown: `${r.rationale}\n\n**Fix:** ${r.help}` },
    defaultConfiguration: { level: level(r.severity) },
    properties: {
      tags: ['security', 'hipaa', 'least-privilege'],
      precision: r.id === 'unclassified-phi-column' ? 'medium' : 'high',
      // GitHub sorts security alerts by this score (0.0-10.0).
      'security-severity': r.severity === 'error' ? '7.5' : '4.0',
    },
  }));
  const results: SarifResult[] = findings.map((f) => ({
    ruleId: f.ruleId,
    ruleIndex: ruleIndex(f.ruleId),
    level: level(f.severity),
    message: { text: `${f.message}\nhint: ${f.hint}` },
    partialFingerprints: { [FINGERPRINT_KEY]: findingFingerprint(f) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: artifactUri(f.file, opts.uriPrefix), uriBaseId: '%SRCROOT%' },
          region: { startLine: Math.max(1, f.line), startColumn: Math.max(1, f.column) },
        },
      },
    ],
  }));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'rbac',
            version: opts.toolVersion ?? '0.1.0',
            informationUri: 'https://rbac.dev/docs/lint',
            rules,
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The root of the repository that holds the configuration.' } } },
        results,
      },
    ],
  };
}
