import { describe, expect, it } from 'vitest';
import { rbac } from '../helpers/cli.js';
import { useColor, type Io } from '../../src/cli/io.js';

// argv -> exit code, the stream that carries the message, and what it must say.
const USAGE_ERRORS: { argv: string[]; code: number; err: RegExp }[] = [
  { argv: [], code: 2, err: /Usage:\n  rbac validate/ },
  { argv: ['plna'], code: 2, err: /unknown command "plna" \(did you mean "plan"\?\)/ },
  { argv: ['vaildate'], code: 2, err: /unknown command "vaildate" \(did you mean "validate"\?\)/ },
  { argv: ['frobnicate'], code: 2, err: /^error: unknown command "frobnicate"\n  hint: run `rbac --help` for the list\n$/ },
  { argv: ['plan', '--formt', 'json'], code: 2, err: /plan: unknown flag --formt \(did you mean --format\?\)/ },
  // Where exit 2 reports a finding (drift; plan --detailed-exitcode), a usage error is exit 1.
  { argv: ['drift', '--formt', 'json'], code: 1, err: /drift: unknown flag --formt \(did you mean --format\?\)/ },
  { argv: ['plan', '--detailed-exitcode', '--formt', 'json'], code: 1, err: /plan: unknown flag --formt/ },
  { argv: ['lint', '--outt', 'x'], code: 2, err: /lint: unknown flag --outt \(did you mean --out\?\)/ },
  { argv: ['validate', '--zzz'], code: 2, err: /^error: validate: unknown flag --zzz\n  hint: run `rbac validate --help` for its flags\n$/ },
  { argv: ['validate', '-x'], code: 2, err: /validate: unknown flag -x/ },
  { argv: ['plan', '--config'], code: 2, err: /plan: --config needs a value/ },
  { argv: ['plan', '--detailed-exitcode=yes'], code: 2, err: /plan: --detailed-exitcode takes no value/ },
  { argv: ['validate', 'extra'], code: 2, err: /validate: unexpected argument "extra"/ },
  { argv: ['plan', '--format', 'yaml'], code: 2, err: /unknown format "yaml"/ },
  { argv: ['help', 'plna'], code: 2, err: /did you mean "plan"/ },
];

describe('usage errors: the tool’s own words, exit 2', () => {
  for (const t of USAGE_ERRORS) {
    it(`rbac ${t.argv.join(' ') || '(nothing)'}`, async () => {
      const r = await rbac(t.argv);
      expect(r.code).toBe(t.code);
      expect(r.err).toMatch(t.err);
      // Never Node's parseArgs wording.
      expect(r.err).not.toMatch(/ERR_PARSE_ARGS|Unknown option|To specify a positional/);
      expect(r.out).toBe('');
    });
  }
});

describe('help and version', () => {
  it('per-command help lists that command’s flags and an example', async () => {
    for (const argv of [['plan', '--help'], ['help', 'plan'], ['plan', '-h']]) {
      const r = await rbac(argv);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^rbac plan: /);
      expect(r.out).toContain('--detailed-exitcode');
      expect(r.out).toContain('--snapshot');
      expect(r.out).toMatch(/Example:\n  rbac plan /);
      expect(r.out).not.toContain('--roster');
    }
    const sg = await rbac(['surrogates', '--help']);
    expect(sg.out).toMatch(/^rbac surrogates: give new values of surrogate-masked columns their keys/);
    expect(sg.out).toContain('--dry-run');
    expect(sg.out).toContain('count the values without a key; write nothing');
    expect((await rbac(['surrogates', '--format', 'xml'])).code).toBe(2);
    expect((await rbac(['surrogates', '--dry-rn'])).err).toContain('did you mean --dry-run?');
    const v = await rbac(['validate', '--help']);
    expect(v.out).toContain('--config');
    expect(v.out).not.toContain('--target');
  });

  it('rbac --help is the global help, exit 0', async () => {
    const r = await rbac(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('rbac <command> --help');
  });

  it('-v, --version and version print the version', async () => {
    for (const a of ['-v', '--version', 'version']) {
      const r = await rbac([a]);
      expect(r).toMatchObject({ code: 0, out: 'rbac 0.1.0\n' });
    }
  });
});

describe('colour: NO_COLOR and FORCE_COLOR', () => {
  const io = (env: NodeJS.ProcessEnv, tty: boolean): Io => ({ out() {}, err() {}, env, stdoutIsTTY: tty, stdinIsTTY: tty, cwd: '.' });
  const cases: [NodeJS.ProcessEnv, boolean, boolean][] = [
    [{}, true, true],
    [{}, false, false],
    [{ NO_COLOR: '1' }, true, false],
    [{ NO_COLOR: '' }, true, true], // no-color.org: present and not empty
    [{ TERM: 'dumb' }, true, false],
    [{ FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '2' }, false, true],
    [{ FORCE_COLOR: '3' }, false, true],
    [{ FORCE_COLOR: '' }, false, true],
    [{ FORCE_COLOR: 'true' }, false, true],
    [{ FORCE_COLOR: '0' }, true, false],
    [{ FORCE_COLOR: 'false' }, true, false],
    [{ FORCE_COLOR: '1', NO_COLOR: '1' }, false, true], // as Node: FORCE_COLOR wins
  ];
  for (const [env, tty, want] of cases) {
    it(`${JSON.stringify(env)} tty=${tty} -> ${want}`, () => expect(useColor(io(env, tty))).toBe(want));
  }
});

describe('--config errors name the directory as written', () => {
  for (const command of ['validate', 'plan', 'lint']) {
    it(`${command} --config does/not/exist`, async () => {
      const r = await rbac([command, '--config', 'does/not/exist']);
      expect(r.code).toBe(1);
      expect(r.err).toContain('error: the config directory "does/not/exist" does not exist');
      expect(r.err).toContain('hint: pass --config the folder that holds rbac.yaml');
    });
  }
});
