/**
 * SARIF output, validated against the SARIF 2.1.0 JSON Schema that the
 * @microsoft/jest-sarif package ships (lib/schemas/sarif-2.1.0-rtm.5.json, the OASIS
 * 2.1.0 schema as published on SchemaStore). That file is written for draft-04; the
 * only draft-04 construct in it is the top-level `id`, so it is read as draft-07 (ajv's
 * default) after renaming `id` to `$id` and dropping `$schema`; one of its patterns
 * (`language`) is not valid with the `u` flag, hence `unicodeRegExp: false`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { renderLint, renderLintJson, renderLintText } from '../../src/lint/format.js';
import type { Finding } from '../../src/lint/lint.js';
import { RULES } from '../../src/lint/rules.js';
import { artifactUri, renderSarif } from '../../src/lint/sarif.js';
import { lintFixture } from './helpers.js';

function sarifValidator() {
  const file = fileURLToPath(new URL('../../node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json', import.meta.url));
  const { $schema: _draft04, id, ...schema } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  const isUri = (s: string) => {
    try {
      new URL(s);
      return true;
    } catch {
      return false;
    }
  };
  ajv.addFormat('uri', isUri);
  ajv.addFormat('uri-reference', (s: string) => isUri(s) || (!/^[a-z][a-z0-9+.-]*:/i.test(s) && !/\s/.test(s)));
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  return ajv.compile({ ...schema, $id: String(id) });
}

const validate = sarifValidator();

const finding = (over: Partial<Finding> = {}): Finding => ({
  ruleId: 'phi-clear-access',
  severity: 'error',
  message: 'role analyst can read PHI in clear',
  file: 'grants/clinical.yaml',
  line: 3,
  column: 5,
  hint: 'add phi_access',
  ...over,
});

describe('SARIF 2.1.0', () => {
  it('is valid against the SARIF schema, for real findings of every fixture kind', async () => {
    const findings = [...(await lintFixture('schema-wide-phi')), ...(await lintFixture('role-missing-owner')), ...(await lintFixture('unclassified-phi-column'))];
    expect(findings.length).toBe(4);
    const log = JSON.parse(renderLint(findings, 'sarif', { uriPrefix: 'infra/rbac' }));
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the validator rejects what GitHub would reject (it can fail)', () => {
    const log = renderSarif([finding()]) as unknown as { version: string; runs: { results: { level: string }[] }[] };
    expect(validate(structuredClone({ ...log, version: '2.0.0' }))).toBe(false);
    const bad = structuredClone(log);
    bad.runs[0].results[0].level = 'fatal';
    expect(validate(bad)).toBe(false);
  });

  it('lists every rule with descriptions, help and default level; results point at repo-relative files', () => {
    const log = renderSarif([finding(), finding({ ruleId: 'role-missing-owner', severity: 'warning', file: 'roles/a b.yaml', line: 7, column: 9 })], {
      uriPrefix: 'infra/rbac/',
    });
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe('rbac');
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    const owner = run.tool.driver.rules.find((r) => r.id === 'role-missing-owner')!;
    expect(owner.defaultConfiguration.level).toBe('warning');
    expect(owner.shortDescription.text).toBe('A role has no owner.');
    expect(owner.fullDescription.text).not.toBe('');
    expect(owner.help.text).toContain('owner:');
    const [a, b] = run.results;
    expect(a).toMatchObject({ ruleId: 'phi-clear-access', level: 'error', ruleIndex: 0 });
    expect(a.message.text).toBe('role analyst can read PHI in clear\nhint: add phi_access');
    expect(a.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'infra/rbac/grants/clinical.yaml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 3, startColumn: 5 },
    });
    expect(b.level).toBe('warning');
    expect(run.tool.driver.rules[b.ruleIndex].id).toBe('role-missing-owner');
    expect(b.locations[0].physicalLocation.artifactLocation.uri).toBe('infra/rbac/roles/a%20b.yaml');
  });

  it('meets the GitHub code scanning requirements: helpUri per rule, partialFingerprints, relative URIs with a declared uriBaseId, startLine >= 1', async () => {
    const findings = [...(await lintFixture('schema-wide-phi')), ...(await lintFixture('role-missing-owner')), ...(await lintFixture('public-grant'))];
    const log = renderSarif(findings, { uriPrefix: 'infra/rbac' });
    expect(validate(JSON.parse(JSON.stringify(log)))).toBe(true);
    const run = log.runs[0];
    for (const r of run.tool.driver.rules) {
      expect(r.helpUri).toBe(`https://rbac.dev/README.md#rule-${r.id}`);
      expect(() => new URL(r.helpUri)).not.toThrow();
    }
    expect(Object.keys(run.originalUriBaseIds)).toEqual(['%SRCROOT%']);
    // No machine path: neither a file: URI nor an absolute POSIX or Windows path.
    expect(JSON.stringify(run.originalUriBaseIds)).not.toMatch(/file:|"\/|[A-Za-z]:\\\\/);
    expect(run.results.length).toBe(findings.length);
    for (const res of run.results) {
      const { artifactLocation, region } = res.locations[0].physicalLocation;
      expect(artifactLocation.uriBaseId).toBe('%SRCROOT%');
      expect(artifactLocation.uri).toMatch(/^infra\/rbac\/[^/]/);
      expect(() => new URL(artifactLocation.uri)).toThrow(); // relative, not absolute
      expect(region.startLine).toBeGreaterThanOrEqual(1);
      expect(res.partialFingerprints['rbacFinding/v1']).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(new Set(run.results.map((r) => r.partialFingerprints['rbacFinding/v1'])).size).toBe(run.results.length);
  });

  it('partialFingerprints do not move when lines shift, and differ for a different subject', () => {
    const fp = (f: Finding) => renderSarif([f]).runs[0].results[0].partialFingerprints['rbacFinding/v1'];
    const base = finding({ message: 'role analyst reads ssn through grant at grants/clinical.yaml:3:5' });
    expect(fp({ ...base, line: 40, column: 7, message: 'role analyst reads ssn through grant at grants/clinical.yaml:42:5' })).toBe(fp(base));
    expect(fp({ ...base, message: 'role billing reads ssn through grant at grants/clinical.yaml:3:5' })).not.toBe(fp(base));
    expect(fp({ ...base, ruleId: 'public-grant' })).not.toBe(fp(base));
  });

  it('artifactUri never produces an absolute path', () => {
    expect(artifactUri('rbac.yaml')).toBe('rbac.yaml');
    expect(artifactUri('rbac.yaml', '.')).toBe('rbac.yaml');
    expect(artifactUri('grants/x.yaml', './cfg')).toBe('cfg/grants/x.yaml');
  });
});

describe('text and JSON', () => {
  it('text: one line per finding, a hint line, and a summary', () => {
    const text = renderLintText([finding(), finding({ ruleId: 'all-privileges', severity: 'warning', line: 9, column: 18, message: 'm', hint: 'h' })]);
    expect(text).toBe(
      'grants/clinical.yaml:3:5: error[phi-clear-access]: role analyst can read PHI in clear\n' +
        '  hint: add phi_access\n' +
        'grants/clinical.yaml:9:18: warning[all-privileges]: m\n' +
        '  hint: h\n' +
        'lint: 1 error, 1 warning\n',
    );
    expect(renderLintText([])).toBe('lint: no findings\n');
  });

  it('json: the documented stable shape', () => {
    const doc = JSON.parse(renderLintJson([finding()]));
    expect(doc).toEqual({
      findings: [
        {
          ruleId: 'phi-clear-access',
          severity: 'error',
          message: 'role analyst can read PHI in clear',
          file: 'grants/clinical.yaml',
          line: 3,
          column: 5,
          hint: 'add phi_access',
        },
      ],
      summary: { errors: 1, warnings: 0, total: 1 },
    });
  });
});
