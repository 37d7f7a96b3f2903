import { describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { loadProject } from '../../src/config/load.js';
import { errors, load, only, writeConfig } from './helpers.js';

// Line numbers below are 1-based and refer to these texts.
const ROLES = [
  'users:', //                 1
  '  - name: alice', //        2
  '  - name: bob', //          3
  'roles:', //                 4
  '  - name: analyst', //      5
  '    members: [alice]', //   6
  '  - name: reader', //       7
  '',
].join('\n');

const GRANT_OK = 'grants:\n  - role: analyst\n    privileges: [select]\n    on: { table: ehr.clinical.patients }\n';

describe('loadProject: valid input', () => {
  it('reads a small config without diagnostics and parses names into parts', async () => {
    const { project, diagnostics } = await load({
      'roles/a.yaml': ROLES,
      'grants/a.yaml':
        'grants:\n  - role: analyst\n    privileges: [select]\n    on: { table: \'ehr."Clinical"."a""b"\', columns: [id, "\\"Name\\""] }\n',
    });
    expect(diagnostics).toEqual([]);
    expect(project.roles.map((r) => r.name.text)).toEqual(['analyst', 'reader']);
    const g = project.grants[0];
    expect(g.object).toEqual({
      kind: 'table',
      glob: false,
      parts: [
        { text: 'ehr', quoted: false },
        { text: 'Clinical', quoted: true },
        { text: 'a"b', quoted: true },
      ],
    });
    expect(g.columns!.map((c) => c.name)).toEqual([
      { text: 'id', quoted: false },
      { text: 'Name', quoted: true },
    ]);
    expect(g.source).toEqual({ file: 'grants/a.yaml', line: 2, column: 5 });
  });

  it('treats role: public in any case as the PUBLIC pseudo-role, not an undefined role', async () => {
    const { project, diagnostics } = await load({
      'roles/a.yaml': ROLES,
      'grants/a.yaml': 'grants:\n  - role: Public\n    privileges: [usage]\n    on: { schema: ehr.clinical }\n',
    });
    expect(diagnostics).toEqual([]);
    expect(project.grants[0].isPublic).toBe(true);
  });

  it('does not flag the on: key of a grant as a YAML 1.1 boolean', async () => {
    const { diagnostics } = await load({ 'roles/a.yaml': ROLES, 'grants/a.yaml': GRANT_OK });
    expect(diagnostics).toEqual([]);
  });

  it('parses phi, masking_policies and row_access_policies into the project', async () => {
    const { project, diagnostics } = await load({
      'roles/a.yaml': ROLES,
      'grants/p.yaml': [
        'phi:',
        '  ehr.clinical.patients.ssn: ssn',
        'masking_policies:',
        '  - name: ssn_last4',
        '    columns: [ehr.clinical.patients.ssn]',
        '    mask: last4',
        '    unmasked_for: [reader]',
        '  - name: custom',
        '    columns: [ehr.clinical.patients.zip]',
        '    expression: { postgres: "left(zip, 3)" }',
        'row_access_policies:',
        '  - name: own_facility',
        '    table: ehr.clinical.encounters',
        '    allow:',
        '      - roles: [analyst, reader]',
        '        where: "true"',
        '',
      ].join('\n'),
    });
    expect(diagnostics).toEqual([]);
    expect(project.phi).toEqual([
      {
        column: ['ehr', 'clinical', 'patients', 'ssn'].map((text) => ({ text, quoted: false })),
        category: 'ssn',
        source: { file: 'grants/p.yaml', line: 2, column: 3 },
      },
    ]);
    expect(project.maskingPolicies.map((m) => [m.name.text, m.mask, m.expression])).toEqual([
      ['ssn_last4', 'last4', undefined],
      ['custom', undefined, { postgres: 'left(zip, 3)' }],
    ]);
    expect(project.maskingPolicies[0].unmaskedFor[0].name.text).toBe('reader');
    expect(project.rowAccessPolicies[0].allow[0].roles.map((r) => r.name.text)).toEqual(['analyst', 'reader']);
    expect(project.rowAccessPolicies[0].allow[0].where).toBe('true');
  });

  it('computes a digest over sorted paths and contents, and lists files in order', async () => {
    const dir = await writeConfig({ 'roles/b.yaml': ROLES, 'grants/a.yaml': GRANT_OK, 'roles/notes.txt': 'ignored' });
    const a = await loadProject(dir);
    const b = await loadProject(dir);
    expect(a.project.files.map((f) => f.path)).toEqual(['grants/a.yaml', 'rbac.yaml', 'roles/b.yaml']);
    expect(a.project.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(b.project.digest).toBe(a.project.digest);
    await writeFile(join(dir, 'grants/a.yaml'), GRANT_OK + '# changed\n');
    const c = await loadProject(dir);
    expect(c.project.digest).not.toBe(a.project.digest);
  });
});

describe('loadProject: one diagnostic per problem, with file, line and column', () => {
  it('YAML syntax error', async () => {
    const { diagnostics } = await load({ 'roles/a.yaml': ROLES, 'grants/a.yaml': 'grants:\n  - role: a: b\n' });
    const d = only(diagnostics, 'yaml-syntax');
    expect(d).toMatchObject({ severity: 'error', file: 'grants/a.yaml', line: 2, column: 11 });
    expect(d.message).toBe('YAML syntax error: Nested mappings are not allowed in compact mappings');
  });

  it('YAML syntax error from an unquoted ${VAR} in a flow mapping hints at quoting', async () => {
    const { diagnostics } = await load({
      'rbac.yaml': 'version: 1\ntargets:\n  w:\n    platform: postgres\n    url: x\n    database_map: { ehr: ${EHR_DB} }\n',
    });
    const ds = diagnostics.filter((d) => d.code === 'yaml-syntax');
    expect(ds.length).toBeGreaterThan(0);
    expect(ds[0]).toMatchObject({ file: 'rbac.yaml', line: 6 });
    expect(ds[0].hint).toBe('quote values holding ${VAR} inside { } or [ ]: "${VAR}"');
  });

  it('unknown key with did-you-mean, and no extra "missing privileges" for the misspelt key', async () => {
    const { diagnostics } = await load({
      'roles/a.yaml': ROLES,
      'grants/a.yaml': 'grants:\n  - role: analyst\n    privilegs: [select]\n    on: { table: ehr.clinical.patients }\n',
    });
    expect(errors(diagnostics)).toHaveLength(1);
    const d = only(diagnostics, 'unknown-key');
    expect(d).toMatchObject({ file: 'grants/a.yaml', line: 3, column: 5 });
    expect(d.message).toBe("unknown key 'privilegs' in grants[0] (did you mean 'privileges'?)");
    expect(d.hint).toContain('privileges');
  });

  it('unknown key inside on: suggests the object kind', async () => {
    const { diagnostics } = await load({
      'roles/a.yaml': ROLES,
      'grants/a.yaml': 'grants:\n  - role: analyst\n    privileges: [select]\n    on: { tabel: ehr.clinical.patients }\n',
    });
    const d = only(diagnostics, 'unknown-key');
    expect(d).toMatchObject({ line: 4, column: 11 });
    expect(d.message).toContain("(did you mean 'table'?)");
  });

  it('duplicate key in a mapping names the first occurrence', async () => {
    const { diagnostics } = await load({
      'roles/a.yaml': ROLES,
      'grants/a.yaml': 'grants:\n  - role: analyst\n    role: reader\n    privileges: [select]\n    on: { table: ehr.clinical.patients }\n',
    });
    const d = only(diagnostics, 'duplicate-key');
    expect(d).toMatchObject({ file: 'grants/a.yaml', line: 3, column: 5 });
    expect(d.message).toBe("duplicate key 'role' in grants[0] (first at 2:5)");
  });

  it('wrong type', async () => {
    const { diagnostics } = await load({
      'roles/a.yaml': ROLES,
      'grants/a.yaml': 'grants:\n  - role: analyst\n    privileges: select\n    on: { table: ehr.clinical.patients }\n',
    });
    const d = only(diagnostics, 'wrong-type');
    expect(d).toMatchObject({ line: 3, column: 17 });
    expect(d.message).toBe("grants[0].privileges must be a list, got the string 'select'");
  });

  it('a number where a name is expected hints at quoting', async () => {
    const { diagnostics } = await load({ 'roles/a.yaml': 'roles:\n  - name: 007\n' });
    const d = only(diagnostics, 'wrong-type');
    expect(d).toMatchObject({ file: 'roles/a.yaml', line: 2, column: 11 });
    expect(d.message).toBe('roles[0].name must be a role name, got the number 007');
    expect(d.hint).toContain('"007"');
  });

  it('grant to a role that is not defined, with did-you-mean', async () => {
    const { diagnostics } = await load({
      'roles/a.yaml': ROLES,
      'grants/a.yaml': 'grants:\n  - role: analyts\n    privileges: [select]\n    on: { table: ehr.clinical.patients }\n',
    });
    const d = only(diagnostics, 'undefined-role');
    expect(d).toMatchObject({ file: 'grants/a.yaml', line: 2, column: 11 });
    expect(d.message).toBe("grant: role analyts is not defined (did you mean 'analyst'?)");
  });

  it('inherited role that is not defined', async () => {
    const { diagnostics } = await load({ 'roles/a.yaml': 'roles:\n  - name: analyst\n    inherits: [reeder]\n  - name: reader\n' });
    const d = only(diagnostics, 'undefined-role');
    expect(d).toMatchObject({ file: 'roles/a.yaml', line: 3, column: 16 });
    expect(d.message).toBe("inherits of role analyst: role reeder is not defined (did you mean 'reader'?)");
  });

  it('member that is not a defined user, with did-you-mean', async () => {
    const { diagnostics } = await load({
      'roles/a.yaml': 'users:\n  - name: alice\nroles:\n  - name: analyst\n    members: [alice, alcie]\n',
    });
    const d = only(diagnostics, 'undefined-user');
    expect(d).toMatchObject({ file: 'roles/a.yaml', line: 5, column: 22 });
    expect(d.message).toBe("member alcie of role analyst is not a defined user (did you mean 'alice'?)");
  });

  it('member that is a role points at inherits', async () => {
    const { diagnostics } = await load({ 'roles/a.yaml': 'roles:\n  - name: analyst\n    members: [reader]\n  - name: reader\n' });
    const d = only(diagnostics, 'member-is-role');
    expect(d).toMatchObject({ line: 3, column: 15 });
    expect(d.hint).toBe('write inherits: [analyst] on role reader instead');
  });

  it('cycle in inherits shows the cycle', async () => {
    const { diagnostics } = await load({
      'roles/a.yaml': 'roles:\n  - name: a\n    inherits: [b]\n  - name: b\n    inherits: [c]\n  - name: c\n    inherits: [a]\n',
    });
    const d = only(diagnostics, 'inherits-cycle');
    expect(d.message).toBe('inheritance cycle: a -> b -> c -> a');
    expect(d).toMatchObject({ file: 'roles/a.yaml', line: 7, column: 16 });
  });

  it('a role inheriting itself is a cycle', async () => {
    const { diagnostics } = await load({ 'roles/a.yaml': 'roles:\n  - name: a\n    inherits: [a]\n' });
    expect(only(diagnostics, 'inherits-cycle').message).toBe('inheritance cycle: a -> a');
  });

  it('the same role defined in two files points at both', async () => {
    const { diagnostics } = await load({
      'roles/a.yaml': 'roles:\n  - name: analyst\n',
      'roles/b.yaml': '# second\nroles:\n  - name: Analyst\n',
    });
    const d = only(diagnostics, 'duplicate-role');
    expect(d).toMatchObject({ file: 'roles/b.yaml', line: 3, column: 5 });
    expect(d.message).toBe('role Analyst is defined twice: here and at roles/a.yaml:2:5');
  });

  it('quoted and bare names of different case are different roles', async () => {
    const { diagnostics } = await load({ 'roles/a.yaml': 'roles:\n  - name: analyst\n  - name: \'"Analyst"\'\n' });
    expect(diagnostics).toEqual([]);
  });

  it('the same grant defined in two files points at both', async () => {
    const { diagnostics } = await load({
      'roles/a.yaml': ROLES,
      'grants/a.yaml': GRANT_OK,
      'grants/b.yaml': 'grants:\n  - role: ANALYST\n    privileges: [insert, select]\n    on: { table: EHR.clinical.patients }\n',
    });
    const d = only(diagnostics, 'duplicate-grant');
    expect(d).toMatchObject({ file: 'grants/b.yaml', line: 2, column: 5 });
    expect(d.message).toBe('grant of select on table EHR.clinical.patients to ANALYST is already defined at grants/a.yaml:2:5');
  });

  it('a privilege that does not apply to the object kind', async () => {
    const { diagnostics } = await load({
      'roles/a.yaml': ROLES,
      'grants/a.yaml': 'grants:\n  - role: analyst\n    privileges: [select, usage]\n    on: { table: ehr.clinical.patients }\n',
    });
    const d = only(diagnostics, 'bad-privilege');
    expect(d).toMatchObject({ line: 3, column: 26 });
    expect(d.message).toBe('privilege usage does not apply to a table');
    expect(d.hint).toContain('on: { schema: ehr.clinical }');
  });

  it('a table privilege on columns that columns cannot have', async () => {
    const { diagnostics } = await load({
      'roles/a.yaml': ROLES,
      'grants/a.yaml': 'grants:\n  - role: analyst\n    privileges: [delete]\n    on: { table: ehr.clinical.patients, columns: [a] }\n',
    });
    expect(only(diagnostics, 'bad-privilege').message).toBe('privilege delete does not apply to columns');
  });

  it('an unknown privilege word gets did-you-mean', async () => {
    const { diagnostics } = await load({
      'roles/a.yaml': ROLES,
      'grants/a.yaml': 'grants:\n  - role: analyst\n    privileges: [selct]\n    on: { table: ehr.clinical.patients }\n',
    });
    const d = only(diagnostics, 'bad-value');
    expect(d).toMatchObject({ line: 3, column: 18 });
    expect(d.message).toBe("unknown privilege 'selct' in grants[0].privileges[0] (did you mean 'select'?)");
  });

  it('YAML 1.1 booleans where a name was meant (plain only; quoted is fine)', async () => {
    const { diagnostics } = await load({
      'roles/a.yaml': "users:\n  - name: no\n  - name: 'yes'\nroles:\n  - name: analyst\n    members: [no, 'yes']\n",
    });
    const ds = diagnostics.filter((d) => d.code === 'yaml11-boolean');
    expect(ds.map((d) => [d.line, d.column])).toEqual([
      [2, 11],
      [6, 15],
    ]);
    expect(ds[0].message).toBe("users[0].name: 'no' is read as a boolean by YAML 1.1 tools; a name was expected");
    expect(ds[0].hint).toBe("write it in quotes: 'no'");
  });

  it('YAML 1.2 booleans where a name was meant are a type error', async () => {
    const { diagnostics } = await load({ 'roles/a.yaml': 'roles:\n  - name: true\n' });
    expect(only(diagnostics, 'wrong-type').message).toBe('roles[0].name must be a role name, got the boolean true');
  });

  it('alias bomb ("billion laughs"): refused, located at the alias that passes the budget', async () => {
    // Nine levels of nine: 9^9 (387 million) values from 10 written lines.
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < names.length; i++) lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(', ')}]`);
    lines.push('grants: *i', '');
    const { diagnostics } = await load({ 'grants/bomb.yaml': lines.join('\n') });
    const d = only(diagnostics, 'yaml-alias-bomb');
    // Levels b..f add 672,543 values; the first *f on line 7 (597,871 values) passes the budget.
    expect(d).toMatchObject({ file: 'grants/bomb.yaml', line: 7, column: 8, severity: 'error' });
    expect(d.message).toBe(
      'expanding alias *f makes the file more than 1,000,000 values larger than written: this looks like an alias bomb ("billion laughs"); the file was not read',
    );
    expect(d.hint).toContain('write the values out');
  });

  it('a small nested expansion (thousands of values) is no bomb: the file is validated', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'grants: *b', ''].join('\n');
    const { diagnostics } = await load({ 'grants/small.yaml': bomb });
    expect(diagnostics.some((d) => d.code === 'yaml-alias-bomb')).toBe(false);
    // Read, then rejected for what it says: unknown keys and a list of lists as grants.
    expect(diagnostics.some((d) => d.file === 'grants/small.yaml' && d.severity === 'error')).toBe(true);
  });

  it('1,000 ordinary aliases (as PyYAML writes shared objects) load without a diagnostic', async () => {
    const roles = Array.from({ length: 1000 }, (_, i) => `r${i}`);
    const grants = ['grants:'];
    grants.push('  - role: r0', '    privileges: &privs [select, insert, update]', '    on: &obj { table: ehr.clinical.patients }');
    for (let i = 1; i < 1000; i++) grants.push(`  - role: r${i}`, '    privileges: *privs', '    on: *obj');
    const { project, diagnostics } = await load({
      'roles/a.yaml': `roles:\n${roles.map((r) => `  - name: ${r}`).join('\n')}\n`,
      'grants/a.yaml': grants.join('\n') + '\n',
    });
    expect(diagnostics).toEqual([]);
    expect(project.grants).toHaveLength(1000);
    expect(project.grants[999].privileges.map((p) => p.word)).toEqual(['select', 'insert', 'update']);
  });

  it('an alias that contains itself', async () => {
    const { diagnostics } = await load({ 'roles/a.yaml': 'roles: &r\n  - *r\n' });
    expect(only(diagnostics, 'yaml-alias-cycle')).toMatchObject({ line: 2, column: 5 });
  });

  it('invalid names', async () => {
    const { diagnostics } = await load({
      'roles/a.yaml': 'roles:\n  - name: 1bad\n  - name: analyst\n',
      'grants/a.yaml': 'grants:\n  - role: analyst\n    privileges: [select]\n    on: { table: ehr.clinical }\n',
    });
    const ds = diagnostics.filter((d) => d.code === 'invalid-name');
    expect(ds.map((d) => [d.file, d.line, d.column, d.message])).toEqual([
      ['grants/a.yaml', 4, 18, "grants[0].on.table: 'ehr.clinical' is not an object path (database.schema.name)"],
      ['roles/a.yaml', 2, 11, "roles[0].name: '1bad' is not a role name"],
    ]);
  });

  it('public cannot be defined as a role', async () => {
    const { diagnostics } = await load({ 'roles/a.yaml': 'roles:\n  - name: PUBLIC\n' });
    expect(only(diagnostics, 'reserved-name')).toMatchObject({ line: 2, column: 11 });
  });

  it('on: naming two objects', async () => {
    const { diagnostics } = await load({
      'roles/a.yaml': ROLES,
      'grants/a.yaml': 'grants:\n  - role: analyst\n    privileges: [select]\n    on: { table: ehr.c.p, schema: ehr.c }\n',
    });
    expect(only(diagnostics, 'bad-value')).toMatchObject({ line: 4, column: 27 });
  });

  it('enum values in rbac.yaml get did-you-mean; default_target must exist', async () => {
    const { diagnostics } = await load({
      'rbac.yaml': 'version: 1\nmode: authoritive\ndefault_target: locl\ntargets:\n  local:\n    platform: postgress\n',
    });
    const msgs = errors(diagnostics).map((d) => `${d.line}:${d.column} ${d.message}`);
    expect(msgs).toEqual([
      "2:7 unknown value 'authoritive' in mode (did you mean 'authoritative'?)",
      "3:17 default_target 'locl' is not defined under targets",
      "6:15 unknown platform 'postgress' in targets.local (did you mean 'postgres'?)",
    ]);
  });

  it('target missing the credential its authenticator needs', async () => {
    const { diagnostics } = await load({
      'rbac.yaml': 'version: 1\ntargets:\n  sf:\n    platform: snowflake\n    account: a\n    user: u\n    authenticator: SNOWFLAKE\n',
    });
    const d = only(diagnostics, 'target-incomplete');
    expect(d).toMatchObject({ file: 'rbac.yaml', line: 3, column: 3 });
    expect(d.message).toBe("target 'sf': authenticator SNOWFLAKE needs 'password'");
  });

  it('missing rbac.yaml and a wrong version', async () => {
    const dir = await writeConfig({ 'roles/a.yaml': ROLES });
    await writeFile(join(dir, 'rbac.yaml'), 'version: 2\n');
    const v = await loadProject(dir);
    expect(only(v.diagnostics, 'bad-value').message).toBe('version must be 1, got 2');
    const { rm } = await import('node:fs/promises');
    await rm(join(dir, 'rbac.yaml'));
    const m = await loadProject(dir);
    expect(only(m.diagnostics, 'io')).toMatchObject({ file: 'rbac.yaml', line: 1, column: 1 });
  });

  it('collects problems of every file in one run, sorted by file and line', async () => {
    const { diagnostics } = await load({
      'roles/a.yaml': 'roles:\n  - name: a\n    inherit: [b]\n',
      'grants/a.yaml': 'grants:\n  - role: zz\n    privileges: [select]\n    on: { table: ehr.c.p }\n',
      'grants/b.yaml': 'grants: [\n',
    });
    expect(errors(diagnostics).map((d) => `${d.file}:${d.line} ${d.code}`)).toEqual([
      'grants/a.yaml:2 undefined-role',
      'grants/b.yaml:2 yaml-syntax',
      'roles/a.yaml:3 unknown-key',
    ]);
  });

  it('formats a diagnostic as file:line:col: severity: message plus hint', () => {
    expect(
      formatDiagnostic({ severity: 'error', message: 'bad', file: 'grants/a.yaml', line: 3, column: 5, hint: 'fix it' }),
    ).toBe('grants/a.yaml:3:5: error: bad\n  hint: fix it');
    expect(formatDiagnostic({ severity: 'warning', message: 'meh', file: 'rbac.yaml', line: 1, column: 1 })).toBe(
      'rbac.yaml:1:1: warning: meh',
    );
  });
});
