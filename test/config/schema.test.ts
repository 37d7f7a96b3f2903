import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { Diagnostic } from '../../src/config/diagnostics.js';
import { FILE_SCHEMAS, FILE_SCHEMA_IDS, jsonSchema, jsonSchemaFor, type FileKind } from '../../src/config/schema.js';
import { CATALOGS } from '../../src/dialects/catalogs.js';
import { acceptedWords } from '../../src/model/catalog.js';
import { run } from '../../src/cli/main.js';
import { parseYaml, validateDocument } from '../../src/config/validate.js';
import { REPO_ROOT } from './helpers.js';

// ajv ships CommonJS; under ESM the class is either the module or its default.
type AjvClass = typeof Ajv2020Module.default;
const Ajv2020: AjvClass =
  (Ajv2020Module as unknown as { default?: AjvClass }).default ?? (Ajv2020Module as unknown as AjvClass);

/** Validator verdict on one document: schema errors only (see the note on YAML-only checks). */
function ourVerdict(kind: FileKind, text: string): boolean {
  const diags: Diagnostic[] = [];
  const parsed = parseYaml(`${kind}.yaml`, text, diags);
  if (!parsed) throw new Error(`sample does not parse: ${JSON.stringify(diags)}`);
  validateDocument(parsed, FILE_SCHEMAS[kind], diags);
  // yaml11-boolean looks at how a scalar was written, which JSON cannot express.
  return diags.filter((d) => d.severity === 'error' && d.code !== 'yaml11-boolean').length === 0;
}

function jsVerdict(kind: FileKind, text: string): boolean {
  const ajv = new Ajv2020({ allErrors: true });
  const validate = ajv.compile(jsonSchemaFor(kind));
  const diags: Diagnostic[] = [];
  const parsed = parseYaml(`${kind}.yaml`, text, diags)!;
  return validate(parsed.doc.toJS() ?? {}) as boolean;
}

const samples: [name: string, kind: FileKind, text: string, valid: boolean][] = [
  ['minimal rbac.yaml', 'rbac', 'version: 1\n', true],
  ['rbac.yaml with all targets', 'rbac', [
    'version: 1', 'mode: additive', 'default_target: a', 'manage_public: false', 'targets:',
    '  a: { platform: postgres, url: "${DATABASE_URL}", database_map: { ehr: real_db }, object_creators: [loader] }',
    '  b: { platform: snowflake, account: x, user: y, authenticator: OAUTH, token: t, parallelism: 4 }',
    '  c: { platform: databricks, host: h, http_path: p, client_id: i, client_secret: s, manage_membership: true }',
  ].join('\n'), true],
  ['wrong version', 'rbac', 'version: 2\n', false],
  ['missing version', 'rbac', 'mode: additive\n', false],
  ['mode typo', 'rbac', 'version: 1\nmode: authoritive\n', false],
  ['unknown top-level key', 'rbac', 'version: 1\ntarget: {}\n', false],
  ['unknown platform', 'rbac', 'version: 1\ntargets:\n  a: { platform: oracle }\n', false],
  ['postgres with embedded and url', 'rbac', 'version: 1\ntargets:\n  a: { platform: postgres, embedded: x, url: y }\n', false],
  ['postgres with neither embedded nor url', 'rbac', 'version: 1\ntargets:\n  a: { platform: postgres }\n', false],
  ['snowflake key on a postgres target', 'rbac', 'version: 1\ntargets:\n  a: { platform: postgres, embedded: x, account: y }\n', false],
  ['snowflake without account', 'rbac', 'version: 1\ntargets:\n  a: { platform: snowflake, user: y }\n', false],
  ['parallelism out of range', 'rbac', 'version: 1\ntargets:\n  a: { platform: snowflake, account: x, user: y, parallelism: 0 }\n', false],
  ['bad target name', 'rbac', 'version: 1\ntargets:\n  "a b": { platform: postgres, embedded: x }\n', false],
  ['manage_public not a boolean', 'rbac', 'version: 1\nmanage_public: "yes"\n', false],
  ['roles and users', 'roles', 'users:\n  - { name: alice, email: a@example.org }\nroles:\n  - { name: r, inherits: [p], members: [alice], state: absent, privileged: true, justification: j, phi_access: [{ category: ssn, justification: x }] }\n', true],
  ['quoted role name', 'roles', 'roles:\n  - name: \'"Mixed Case"\'\n', true],
  ['role without name', 'roles', 'roles:\n  - description: x\n', false],
  ['role name with a space', 'roles', 'roles:\n  - name: a b\n', false],
  ['bad state', 'roles', 'roles:\n  - { name: r, state: gone }\n', false],
  ['phi_access without justification', 'roles', 'roles:\n  - { name: r, phi_access: [{ category: ssn }] }\n', false],
  ['members not a list', 'roles', 'roles:\n  - { name: r, members: alice }\n', false],
  ['grant on a table with columns', 'grants', 'grants:\n  - { role: r, privileges: [select], on: { table: a.b.c, columns: [x] } }\n', true],
  ['grant on a view', 'grants', 'grants:\n  - { role: r, privileges: [select], on: { view: a.b.c } }\n', true],
  ['schema-wide grant', 'grants', 'grants:\n  - { role: r, privileges: [all], on: { schema: a.b, objects: tables } }\n', true],
  ['database grant', 'grants', 'grants:\n  - { role: r, privileges: [connect], on: { database: a } }\n', true],
  ['quoted object path', 'grants', 'grants:\n  - { role: r, privileges: [select], on: { table: \'a."B.c"."d""e"\' } }\n', true],
  ['misspelt privileges key', 'grants', 'grants:\n  - { role: r, privilegs: [select], on: { table: a.b.c } }\n', false],
  ['unknown privilege', 'grants', 'grants:\n  - { role: r, privileges: [selct], on: { table: a.b.c } }\n', false],
  ['empty privileges', 'grants', 'grants:\n  - { role: r, privileges: [], on: { table: a.b.c } }\n', false],
  ['table path with two parts', 'grants', 'grants:\n  - { role: r, privileges: [select], on: { table: a.b } }\n', false],
  ['unterminated quote in path', 'grants', 'grants:\n  - { role: r, privileges: [select], on: { table: \'a.b."c\' } }\n', false],
  ['two objects', 'grants', 'grants:\n  - { role: r, privileges: [select], on: { table: a.b.c, schema: a.b } }\n', false],
  ['columns on a schema', 'grants', 'grants:\n  - { role: r, privileges: [select], on: { schema: a.b, columns: [x] } }\n', false],
  ['objects: views', 'grants', 'grants:\n  - { role: r, privileges: [select], on: { schema: a.b, objects: views } }\n', true],
  ['objects: a list of kinds', 'grants', 'grants:\n  - { role: r, privileges: [select], on: { database: a, objects: [tables, views] } }\n', true],
  ['objects: an unknown kind', 'grants', 'grants:\n  - { role: r, privileges: [select], on: { schema: a.b, objects: [vews] } }\n', false],
  ['a function with its signature', 'grants', 'grants:\n  - { role: r, privileges: [execute], on: { function: "a.b.f(text)" } }\n', true],
  ['an unknown kind key', 'grants', 'grants:\n  - { role: r, privileges: [usage], on: { sequense: a.b.s } }\n', false],
  ['no object', 'grants', 'grants:\n  - { role: r, privileges: [select], on: {} }\n', false],
  ['phi', 'grants', 'phi:\n  a.b.c.d: ssn\n  a.b.c.e: medical_record_number\n', true],
  ['phi bad category', 'grants', 'phi:\n  a.b.c.d: social\n', false],
  ['phi key not a column path', 'grants', 'phi:\n  a.b.c: ssn\n', false],
  ['masking policy with mask', 'grants', 'masking_policies:\n  - { name: m, columns: [a.b.c.d], mask: last4, unmasked_for: [r] }\n', true],
  ['masking policy with expression', 'grants', 'masking_policies:\n  - { name: m, columns: [a.b.c.d], expression: { snowflake: "sha2(val)" } }\n', true],
  ['masking policy with both', 'grants', 'masking_policies:\n  - { name: m, columns: [a.b.c.d], mask: hash, expression: { postgres: x } }\n', false],
  ['masking policy with neither', 'grants', 'masking_policies:\n  - { name: m, columns: [a.b.c.d] }\n', false],
  ['empty expression', 'grants', 'masking_policies:\n  - { name: m, columns: [a.b.c.d], expression: {} }\n', false],
  ['masking policy on a tag, no columns', 'grants', 'masking_policies:\n  - { name: m, tag: a.b.phi_class, mask: hash }\n', true],
  ['masking policy on a tag and columns', 'grants', 'masking_policies:\n  - { name: m, tag: \'a."B t".c\', columns: [a.b.c.d], mask: year }\n', true],
  ['masking policy with neither columns nor tag', 'grants', 'masking_policies:\n  - { name: m, mask: hash }\n', false],
  ['masking policy tag with two parts', 'grants', 'masking_policies:\n  - { name: m, tag: a.b, mask: hash }\n', false],
  ['masking policy with empty columns and no tag', 'grants', 'masking_policies:\n  - { name: m, columns: [], mask: hash }\n', false],
  ['row access policy', 'grants', 'row_access_policies:\n  - { name: p, table: a.b.c, allow: [{ roles: [r], where: "true" }] }\n', true],
  ['row access policy without where', 'grants', 'row_access_policies:\n  - { name: p, table: a.b.c, allow: [{ roles: [r] }] }\n', false],
];

describe('JSON Schema', () => {
  it('is a draft 2020-12 schema that ajv compiles without strict-mode warnings', () => {
    const s = jsonSchema() as Record<string, unknown>;
    expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const warnings: unknown[] = [];
    const logger = { log: () => {}, warn: (...a: unknown[]) => warnings.push(a), error: (...a: unknown[]) => warnings.push(a) };
    // strictRequired is off: `oneOf: [{required: [embedded]}, ...]` names keys the
    // parent object defines, which that check does not look for.
    const ajv = new Ajv2020({ strict: 'log', strictRequired: false, logger });
    expect(() => ajv.compile(s)).not.toThrow();
    expect(warnings).toEqual([]);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('lists the keys of every file kind, with descriptions', () => {
    const defs = (jsonSchema() as { $defs: Record<string, { properties: Record<string, { description?: string }> }> }).$defs;
    expect(Object.keys(defs.rbacFile.properties)).toEqual(['version', 'mode', 'default_target', 'manage_public', 'expressions', 'safe_harbor', 'privileged_access', 'targets']);
    expect(Object.keys(defs.rolesFile.properties)).toEqual(['users', 'roles']);
    expect(Object.keys(defs.grantsFile.properties)).toEqual(['grants', 'phi', 'masking_policies', 'row_access_policies']);
    const grant = (defs.grantsFile.properties.grants as unknown as { items: { properties: Record<string, unknown>; required: string[] } }).items;
    expect(Object.keys(grant.properties)).toEqual(['role', 'privileges', 'on', 'platforms', 'grant_option', 'reason']);
    expect(grant.required).toEqual(['role', 'privileges', 'on']);
    for (const d of Object.values(defs)) for (const p of Object.values(d.properties)) expect(p.description).toBeTruthy();
  });

  it.each(samples)('agrees with the validator: %s', (_name, kind, text, valid) => {
    expect(ourVerdict(kind, text)).toBe(valid);
    expect(jsVerdict(kind, text)).toBe(valid);
  });

  it('accepts the example config files of the repository', async () => {
    const files: [string, FileKind][] = [
      ['rbac.yaml', 'rbac'],
      ['roles/users.yaml', 'roles'],
      ['roles/clinical.yaml', 'roles'],
      ['roles/billing.yaml', 'roles'],
      ['grants/schemas.yaml', 'grants'],
      ['grants/clinical.yaml', 'grants'],
      ['grants/billing.yaml', 'grants'],
    ];
    for (const [path, kind] of files) {
      const text = await readFile(join(REPO_ROOT, path), 'utf8');
      expect(jsVerdict(kind, text), path).toBe(true);
      expect(ourVerdict(kind, text), path).toBe(true);
    }
  });

  it('compiles in ajv strict mode, combined and per file', () => {
    for (const s of [jsonSchema(), jsonSchemaFor('rbac'), jsonSchemaFor('roles'), jsonSchemaFor('grants')]) {
      expect(() => new Ajv2020({ strict: true }).compile(s)).not.toThrow();
    }
  });
});

describe('per-file schemas (rbac schema --file)', () => {
  const compile = (kind: FileKind) => new Ajv2020({ strict: true, allErrors: true }).compile(jsonSchemaFor(kind));

  it('gives each file kind its own $id, distinct from the combined schema', () => {
    const ids = (['rbac', 'roles', 'grants'] as const).map((k) => (jsonSchemaFor(k) as { $id: string }).$id);
    expect(ids).toEqual([FILE_SCHEMA_IDS.rbac, FILE_SCHEMA_IDS.roles, FILE_SCHEMA_IDS.grants]);
    expect(new Set([...ids, (jsonSchema() as { $id: string }).$id]).size).toBe(4);
  });

  it('refuses grants: in a roles file, and version: in a grants file', () => {
    const roles = compile('roles');
    expect(roles({ grants: [] })).toBe(false);
    expect(roles.errors![0]).toMatchObject({ keyword: 'additionalProperties', params: { additionalProperty: 'grants' } });
    expect(compile('grants')({ version: 1 })).toBe(false);
  });

  it('reports a grants file problem in grants terms, never as a missing version', () => {
    const grants = compile('grants');
    expect(grants({ grants: [{ role: 'r', privileges: ['select'], on: { table: 'a.b' } }] })).toBe(false);
    const messages = grants.errors!.map((e) => e.message ?? '');
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.some((m) => /version/.test(m))).toBe(false);
    expect(grants.errors![0].instancePath.startsWith('/grants/0')).toBe(true);
  });

  it('accepts only the privileges of the object kind: connect on a database, not on a table', () => {
    const grants = compile('grants');
    expect(grants({ grants: [{ role: 'r', privileges: ['connect'], on: { database: 'a' } }] })).toBe(true);
    expect(grants({ grants: [{ role: 'r', privileges: ['connect'], on: { table: 'a.b.c' } }] })).toBe(false);
    expect(grants({ grants: [{ role: 'r', privileges: ['execute'], on: { table: 'a.b.c' } }] })).toBe(false);
    expect(grants({ grants: [{ role: 'r', privileges: ['all'], on: { table: 'a.b.c' } }] })).toBe(true);
  });

  it('offers per kind and per platform the words of the dialect catalogs', () => {
    const conds = (jsonSchemaFor('grants') as { properties: { grants: { items: { allOf: { if: { properties: Record<string, { properties?: Record<string, unknown>; items?: { const?: string } }> }; then: { properties: { privileges: { items: { enum: string[] } } } } }[] } } } }).properties.grants.items.allOf;
    const words = (key: string, platform?: string) =>
      conds.find((c) => c.if.properties.on.properties?.[key] !== undefined && c.if.properties.platforms?.items?.const === platform)!.then.properties.privileges.items.enum;
    const tableAny = words('table');
    expect(tableAny).toContain('select');
    expect(tableAny).not.toContain('connect');
    expect(tableAny).not.toContain('use_catalog');
    const onPostgres = words('table', 'postgres');
    expect(onPostgres).toEqual([...new Set([...acceptedWords(CATALOGS.postgres, 'table'), 'all'])].sort());
    expect(onPostgres).not.toContain('apply_tag'); // a Databricks word
    // with platforms: [postgres], a Databricks-only table word is refused
    const grants = compile('grants');
    expect(grants({ grants: [{ role: 'r', privileges: ['apply_tag'], on: { table: 'a.b.c' } }] })).toBe(true);
    expect(grants({ grants: [{ role: 'r', privileges: ['apply_tag'], on: { table: 'a.b.c' }, platforms: ['postgres'] }] })).toBe(false);
  });

  it('rbac schema --file prints one kind; without --file the combined schema as before; a bad kind is a usage error', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s), env: {}, stdoutIsTTY: false, stdinIsTTY: false, cwd: '.' };
    expect(await run(['schema', '--file', 'grants'], io)).toBe(0);
    expect(JSON.parse(out.join('')).$id).toBe(FILE_SCHEMA_IDS.grants);
    out.length = 0;
    expect(await run(['schema'], io)).toBe(0);
    expect(JSON.parse(out.join(''))).toEqual(jsonSchema());
    expect(await run(['schema', '--file', 'grant'], io)).not.toBe(0);
    expect(err.join('')).toMatch(/unknown file kind "grant".*did you mean 'grants'/s);
  });
});
