/**
 * The editor and `rbac validate` agree. Every configuration the validator's tests write
 * (recorded in test/fixtures/validator-samples.json, see helpers.ts) is checked twice:
 * each file by strict ajv with its per-file schema (`rbac schema --file KIND`, what
 * yaml-language-server uses), and the whole directory as `rbac validate` checks it.
 * A file the editor rejects must be one validate rejects; a file validate rejects must
 * be one the editor rejects, unless every error validate reports there is of a kind a
 * schema of one file cannot see, listed below with why.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import Ajv2020Module from 'ajv/dist/2020.js';
import { toDesired } from '../../src/config/desired.js';
import type { Diagnostic, DiagnosticCode } from '../../src/config/diagnostics.js';
import { loadProject } from '../../src/config/load.js';
import { jsonSchemaFor, type FileKind } from '../../src/config/schema.js';
import { dialectFor, loadExpressionParsers } from '../../src/dialects/registry.js';
import type { Platform } from '../../src/model/types.js';
import { writeConfig } from './helpers.js';

type AjvClass = typeof Ajv2020Module.default;
const Ajv2020: AjvClass =
  (Ajv2020Module as unknown as { default?: AjvClass }).default ?? (Ajv2020Module as unknown as AjvClass);

/** Validator errors a per-file JSON Schema cannot express, by nature. */
export const NOT_IN_A_SCHEMA: Readonly<Partial<Record<DiagnosticCode, string>>> = {
  'yaml11-boolean': 'how a scalar was written (plain `no` vs quoted), which JSON does not keep; a warning',
  'yaml-alias-bomb': 'alias expansion is a property of the YAML text, not of the data',
  'yaml-alias-cycle': 'a YAML graph property; the editor never sees a cyclic value',
  'yaml-too-large': 'the size of the file on disk',
  'duplicate-key': 'JSON keeps one of the two keys, so the data has none',
  'undefined-role': 'cross-file reference: roles are defined in roles/*.yaml',
  'undefined-user': 'cross-file reference: users are defined in roles/*.yaml',
  'member-is-role': 'cross-file reference between users and roles',
  'inherits-cycle': 'a property of the whole role graph, across files',
  'duplicate-role': 'uniqueness across list items and files',
  'duplicate-user': 'uniqueness across list items and files',
  'duplicate-grant': 'uniqueness across list items and files',
  'conflicting-grant': 'two grants, possibly in two files',
  'duplicate-target': 'uniqueness after name folding',
  'absent-role-used': 'a grant to a role whose state is in another file',
  'privileged-without-justification': 'a warning about the text of a justification',
  'reserved-name': 'name folding per target platform (rbac.yaml decides the platform)',
  'name-too-long': 'byte length after the target platform folds the name',
  'name-collision': 'two names that fold to one on the target platform',
  'platform-unsupported': 'what the target platforms of rbac.yaml support',
  'bad-expression': 'SQL parsed by the platform grammar',
  'target-incomplete': 'environment variables and credentials at run time',
  'not-regular-file': 'the file system',
  'not-a-directory': 'the file system',
  'dangling-symlink': 'the file system',
  'symlink-loop': 'the file system',
  'permission-denied': 'the file system',
  io: 'the file system',
};

/**
 * Errors of these codes the schema sees in most cases; where a sample shows a case it
 * cannot, the message says which (matched here with its reason).
 */
const PARTLY: readonly { code: DiagnosticCode; message: RegExp; why: string }[] = [
  { code: 'bad-privilege', message: /on (postgres|snowflake|databricks)/, why: 'a privilege the target platform (from rbac.yaml) lacks, when the grant names no platforms:' },
  { code: 'bad-privilege', message: /of a (schema|database)|columns/, why: 'objects: asks every listed kind to take the word; columns: narrows to column privileges' },
  { code: 'bad-value', message: /database role|argument types|objects: schemas|hive_metastore|means different/, why: 'a database role (roles file) granted outside its database; a routine named without types on a signed platform; rules that depend on the other keys of the grant beyond the kind' },
];

interface Sample {
  test: string;
  files: Record<string, string>;
}
const corpus = JSON.parse(readFileSync(new URL('../fixtures/validator-samples.json', import.meta.url), 'utf8')) as { samples: Sample[] };

function kindOf(path: string): FileKind | undefined {
  if (path === 'rbac.yaml') return 'rbac';
  if (/^roles\/[^/]+\.ya?ml$/.test(path)) return 'roles';
  if (/^grants\/[^/]+\.ya?ml$/.test(path)) return 'grants';
  return undefined;
}

const ajv = new Ajv2020({ strict: true, allErrors: true });
const editors = {
  rbac: ajv.compile(jsonSchemaFor('rbac')),
  roles: ajv.compile(jsonSchemaFor('roles')),
  grants: ajv.compile(jsonSchemaFor('grants')),
};

/** What `rbac validate` reports (src/cli/commands/validate.ts, without printing). */
async function validate(dir: string): Promise<Diagnostic[]> {
  const [{ project, diagnostics }] = await Promise.all([loadProject(dir), loadExpressionParsers()]);
  if (diagnostics.some((d) => d.severity === 'error')) return diagnostics;
  const platforms = new Set<Platform>(Object.values(project.targets).map((t) => t.platform));
  if (platforms.size === 0) platforms.add('postgres');
  return [...diagnostics, ...[...platforms].flatMap((p) => toDesired(project, dialectFor(p)).diagnostics)];
}

const tally = { bothReject: 0, bothAccept: 0, excused: 0 };
const excusedCodes = new Set<string>();

const excused = (d: Diagnostic) =>
  (d.code !== undefined && NOT_IN_A_SCHEMA[d.code] !== undefined) || PARTLY.some((p) => p.code === d.code && p.message.test(d.message));

describe('editor schemas and rbac validate agree on every validator sample', () => {
  it('has the recorded corpus', () => {
    expect(corpus.samples.length).toBeGreaterThan(50);
  });

  it.each(corpus.samples.map((s, i) => [`${i}: ${s.test}`, s] as const))('%s', async (_name, sample) => {
    const diags = await validate(await writeConfig(sample.files));
    for (const [path, text] of Object.entries(sample.files)) {
      const kind = kindOf(path);
      if (!kind) continue;
      const errs = diags.filter((d) => d.file === path && d.severity === 'error');
      const doc = parseDocument(text, { version: '1.2', schema: 'core', uniqueKeys: false });
      if (doc.errors.length) {
        // Both report a syntax error; the editor does so before any schema.
        expect(errs.map((d) => d.code), path).toContain('yaml-syntax');
        continue;
      }
      let data: unknown;
      try {
        // The editor's side expands aliases without a count limit (the validator limits the
        // expanded size instead, which is what a bomb inflates); a real bomb still throws here.
        data = doc.toJS({ maxAliasCount: -1 }) ?? {};
      } catch {
        expect(errs.map((d) => d.code), path).toContain('yaml-alias-bomb');
        continue;
      }
      const editorOk = editors[kind](data) as boolean;
      const mustReject = errs.filter((d) => !excused(d));
      tally[!editorOk ? 'bothReject' : errs.length ? 'excused' : 'bothAccept']++;
      if (editorOk && errs.length) for (const d of errs) excusedCodes.add(d.code ?? '');
      if (!editorOk) {
        expect(errs, `${path}: the editor rejects ${JSON.stringify(editors[kind].errors?.slice(0, 2))} but validate accepts`).not.toEqual([]);
      } else {
        expect(mustReject, `${path}: validate rejects what the editor accepts`).toEqual([]);
      }
    }
  });

  it('rejected and accepted files both occur, so the comparison has teeth', () => {
    if (process.env.RBAC_SHOW_TALLY) console.log(tally, [...excusedCodes]);
    expect(tally.bothReject).toBeGreaterThan(15);
    expect(tally.bothAccept).toBeGreaterThan(20);
    if (process.env.RBAC_SHOW_TALLY) console.log(tally, [...excusedCodes]);
  });
});
