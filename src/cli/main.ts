/**
 * The rbac command line. Parses arguments, dispatches to a command, maps errors to
 * exit codes. Commands and flags are a public contract (README "Commands").
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RbacError } from '../model/errors.js';
import { didYouMean } from '../config/names.js';
import { EXIT, formatError, processIo, type Io } from './io.js';

const USAGE = `rbac: access control as code for healthcare data platforms

Usage:
  rbac validate [--config DIR]
  rbac lint [--config DIR] [--target NAME|URL] [--format text|json|sarif] [--out FILE]
  rbac plan [--config DIR] [--target NAME|URL] [--format text|json|markdown] [--out FILE]
            [--detailed-exitcode] [--interactive] [--snapshot FILE --platform P]
            [--max-chars N (markdown, default 60000)] [--full-plan-url URL]
  rbac apply [PLANFILE] [--config DIR] [--target NAME|URL] [--auto-approve] [--allow-destructive]
             [--audit-log FILE]
  rbac audit verify [FILE] [--config DIR] [--expect-head HEX] [--allow-unkeyed]
                    [--format text|json]   (key: RBAC_AUDIT_KEY)
  rbac drift [--config DIR] [--target NAME|URL] [--format text|json|markdown] [--webhook URL]
             [--state FILE]
  rbac export [--config DIR] [--target NAME|URL] [--out DIR] [--match GLOB]
  rbac review [--config DIR] [--target NAME|URL] [--roster hr.csv] [--format markdown|csv|html|emergency-csv]
              [--out FILE] [--matrix-csv FILE] [--usage [--days N | --since TIME] [--usage-log FILE|DIR ...]]
  rbac usage [--config DIR] [--target NAME|URL] [--since TIME | --days N] [--log FILE|DIR ...]
             [--format text|json|csv] [--out FILE]
  rbac classify [--config DIR] [--target NAME|URL] [--out FILE]
  rbac surrogates [--config DIR] [--target NAME|URL] [--dry-run] [--format text|json]
  rbac explain ROLE [OBJECT] [--config DIR] [--target NAME|URL] [--format text|json]
  rbac snapshot [--config DIR] [--target NAME|URL] [--out FILE]
  rbac schema [--file rbac|roles|grants]
  rbac demo reset [--config DIR]
  rbac start            (what npm start runs: plan the default target, apply on a terminal)

Run \`rbac <command> --help\` (or \`rbac help <command>\`) for that command's flags and an example.
Exit codes: 0 ok / no changes, 1 error, 2 usage error, changes (plan --detailed-exitcode)
or drift (drift; there, and with --detailed-exitcode, a usage error is 1), 3 stale plan refused.
`;

/** What each flag means, shown by `rbac <command> --help`. */
const FLAG_DOC: Record<string, string> = {
  config: 'DIR      the folder that holds rbac.yaml (default: the current folder)',
  target: 'NAME|URL a target of rbac.yaml, or a connection URL',
  format: 'FORMAT   output format',
  out: 'FILE     write the output there; stdout keeps the summary only',
  'detailed-exitcode': '         exit 2 when there are changes',
  interactive: '         browse the plan in the terminal UI',
  snapshot: 'FILE     plan against a saved snapshot instead of a live target',
  platform: 'P        the platform of --snapshot (postgres, snowflake, databricks)',
  'auto-approve': '         apply without asking',
  'allow-destructive': '         allow revokes and drops',
  'audit-log': 'FILE     append what ran to this audit log',
  'expect-head': 'HEX      the chain head the log must end at',
  'allow-unkeyed': '         accept entries without an RBAC_AUDIT_KEY signature',
  webhook: 'URL      post drift found there',
  state: 'FILE     remember reported drift in this file',
  match: 'GLOB     only roles whose names match',
  roster: 'FILE     HR roster (CSV) to check users against',
  usage: '         add who read which PHI columns (the access history)',
  'usage-log': 'FILE|DIR PostgreSQL: a csvlog with pgaudit lines, or a directory of them (repeatable)',
  log: 'FILE|DIR PostgreSQL: a csvlog with pgaudit lines, or a directory of them (repeatable)',
  days: 'N        the period: the last N days (default 90)',
  since: 'TIME     the period: from this time (2026-09-01 or an ISO time)',
  'dry-run': '         count the values without a key; write nothing',
  help: '         show this help',
};

/** One line of usage and one example per command, for `rbac <command> --help`. */
const COMMAND_DOC: Record<string, { summary: string; usage: string; example: string }> = {
  validate: { summary: 'check the configuration files', usage: 'rbac validate [--config DIR]', example: 'rbac validate --config ./access' },
  lint: { summary: 'check least privilege and the PHI rules', usage: 'rbac lint [flags]', example: 'rbac lint --format sarif --out rbac.sarif' },
  schema: { summary: 'print the JSON Schema of the configuration', usage: 'rbac schema', example: 'rbac schema > rbac.schema.json' },
  plan: { summary: 'show what apply would change', usage: 'rbac plan [flags]', example: 'rbac plan --target prod --out plan.json --detailed-exitcode' },
  apply: { summary: 'make the target match the configuration', usage: 'rbac apply [PLANFILE] [flags]', example: 'rbac apply plan.json --target prod' },
  audit: { summary: 'verify the tamper-evident audit log', usage: 'rbac audit verify [FILE] [flags]', example: 'rbac audit verify audit.log --expect-head 3f2a...' },
  drift: { summary: 'report grants changed by hand', usage: 'rbac drift [flags]', example: 'rbac drift --target prod --format markdown' },
  export: { summary: 'write the live grants as configuration', usage: 'rbac export [flags]', example: 'rbac export --target prod --out ./imported' },
  review: { summary: 'produce the quarterly access review', usage: 'rbac review [flags]', example: 'rbac review --roster hr.csv --format html --out review.html' },
  classify: { summary: 'propose phi: entries from the target (read-only)', usage: 'rbac classify [flags]', example: 'rbac classify --target prod --out phi-proposed.yaml' },
  surrogates: { summary: 'give new values of surrogate-masked columns their keys', usage: 'rbac surrogates [flags]', example: 'rbac surrogates --target prod' },
  explain: { summary: 'why a role can (or cannot) read an object', usage: 'rbac explain ROLE [OBJECT] [flags]', example: 'rbac explain clinical_analyst ehr.clinical.patients' },
  snapshot: { summary: 'save the live grants for offline plans', usage: 'rbac snapshot [flags]', example: 'rbac snapshot --target prod --out live.json' },
  demo: { summary: 'reset the demo database', usage: 'rbac demo reset [--config DIR]', example: 'rbac demo reset' },
  start: { summary: 'plan the default target, apply on a terminal (npm start)', usage: 'rbac start [flags]', example: 'npm start' },
};

function commandHelp(command: string): string {
  const doc = COMMAND_DOC[command];
  const flags = Object.entries(OPTIONS[command] ?? {}).map(([name, o]) => {
    const short = o.short ? `-${o.short}, ` : '    ';
    return `  ${short}--${name.padEnd(18)} ${FLAG_DOC[name] ?? ''}`.trimEnd();
  });
  return `rbac ${command}: ${doc.summary}\n\nUsage:\n  ${doc.usage}\n\nFlags:\n${flags.join('\n')}\n\nExample:\n  ${doc.example}\n`;
}

/** A usage error: exit 2, the tool's own wording, a did-you-mean when one is close. */
function usage(message: string, hint: string): RbacError {
  return new RbacError('USAGE', message, hint);
}

const common = {
  config: { type: 'string' },
  target: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const OPTIONS: Record<string, ParseArgsConfig['options']> = {
  validate: { config: common.config, help: common.help },
  lint: { ...common, format: { type: 'string' }, out: { type: 'string' } },
  schema: { help: common.help, file: { type: 'string' } },
  plan: {
    ...common,
    format: { type: 'string' },
    out: { type: 'string' },
    'detailed-exitcode': { type: 'boolean' },
    interactive: { type: 'boolean' },
    snapshot: { type: 'string' },
    platform: { type: 'string' },
    'max-chars': { type: 'string' },
    'full-plan-url': { type: 'string' },
  },
  apply: { ...common, 'auto-approve': { type: 'boolean' }, 'allow-destructive': { type: 'boolean' }, 'audit-log': { type: 'string' } },
  audit: { config: common.config, help: common.help, format: { type: 'string' }, 'expect-head': { type: 'string' }, 'allow-unkeyed': { type: 'boolean' } },
  drift: { ...common, format: { type: 'string' }, webhook: { type: 'string' }, state: { type: 'string' } },
  export: { ...common, out: { type: 'string' }, match: { type: 'string' } },
  review: { ...common, roster: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, 'matrix-csv': { type: 'string' }, usage: { type: 'boolean' }, days: { type: 'string' }, since: { type: 'string' }, 'usage-log': { type: 'string', multiple: true } },
  explain: { ...common, format: { type: 'string' } },
  classify: { ...common, out: { type: 'string' } },
  surrogates: { ...common, 'dry-run': { type: 'boolean' }, format: { type: 'string' } },
  usage: { ...common, since: { type: 'string' }, days: { type: 'string' }, log: { type: 'string', multiple: true }, format: { type: 'string' }, out: { type: 'string' } },
  snapshot: { ...common, out: { type: 'string' } },
  start: { ...common, 'audit-log': { type: 'string' } },
  demo: { config: common.config, help: common.help },
};

function parse(command: string, argv: string[]) {
  const options = OPTIONS[command]!;
  const help = `run \`rbac ${command} --help\` for its flags`;
  // Checked here rather than through parseArgs's messages, which are Node's, not ours.
  for (const arg of argv) {
    if (arg === '--') break;
    if (!arg.startsWith('-') || arg === '-') continue;
    const long = arg.startsWith('--');
    const name = long ? arg.slice(2).split('=')[0] : arg.slice(1, 2);
    const known = long ? name in options : Object.values(options).some((o) => o.short === name);
    if (!known) {
      const close = long ? didYouMean(name, Object.keys(options)) : undefined;
      throw usage(`${command}: unknown flag ${long ? `--${name}` : `-${name}`}${close ? ` (did you mean --${close}?)` : ''}`, help);
    }
  }
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    const code = (e as { code?: string }).code;
    const m = /'(--?[\w-]+)/.exec((e as Error).message);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && m) {
      const name = m[1].replace(/^-+/, '');
      const flag = Object.entries(options).find(([k, o]) => k === name || o.short === name);
      if (flag && flag[1].type === 'string') throw usage(`${command}: --${flag[0]} needs a value`, help);
      throw usage(`${command}: --${flag?.[0] ?? name} takes no value`, help);
    }
    throw usage(`${command}: cannot read the arguments`, help);
  }
}

export async function run(argv: string[], io: Io = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  // Bare `rbac` is a usage error (exit 2, help on stderr), as git, docker and kubectl do:
  // a script that forgot its command must not read success.
  if (!command) {
    io.err(USAGE);
    return EXIT.USAGE;
  }
  if (command === '--help' || command === '-h') {
    io.out(USAGE);
    return EXIT.OK;
  }
  if (command === 'help') {
    if (rest[0] === undefined) {
      io.out(USAGE);
      return EXIT.OK;
    }
    if (rest[0] in COMMAND_DOC) {
      io.out(commandHelp(rest[0]));
      return EXIT.OK;
    }
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    io.out('rbac 0.1.0\n');
    return EXIT.OK;
  }
  try {
    const asked = command === 'help' ? rest[0]! : command;
    if (!(asked in OPTIONS)) {
      const close = didYouMean(asked, Object.keys(OPTIONS));
      throw usage(`unknown command "${asked}"${close ? ` (did you mean "${close}"?)` : ''}`, 'run `rbac --help` for the list');
    }
    const { values: v, positionals } = parse(command, rest);
    const values = v as Record<string, string | boolean | undefined>;
    if (values.help) {
      io.out(commandHelp(command));
      return EXIT.OK;
    }
    const str = (k: string) => values[k] as string | undefined;
    const bool = (k: string) => values[k] === true;
    const noPositionals = () => {
      if (positionals.length) throw new RbacError('USAGE', `${command}: unexpected argument "${positionals[0]}"`);
    };
    switch (command) {
      case 'validate': {
        noPositionals();
        const { validateCommand } = await import('./commands/validate.js');
        return await validateCommand(io, { config: str('config') });
      }
      case 'lint': {
        noPositionals();
        const { lintCommand } = await import('./commands/lint.js');
        return await lintCommand(io, { config: str('config'), target: str('target'), format: str('format'), out: str('out') });
      }
      case 'schema': {
        noPositionals();
        const { schemaCommand } = await import('./commands/schema.js');
        return schemaCommand(io, { file: str('file') });
      }
      case 'plan': {
        noPositionals();
        const { planCommand } = await import('./commands/plan.js');
        return await planCommand(io, {
          config: str('config'),
          target: str('target'),
          format: str('format'),
          out: str('out'),
          detailedExitcode: bool('detailed-exitcode'),
          interactive: bool('interactive'),
          snapshot: str('snapshot'),
          platform: str('platform'),
          maxChars: str('max-chars'),
          fullPlanUrl: str('full-plan-url'),
        });
      }
      case 'apply': {
        if (positionals.length > 1) throw new RbacError('USAGE', 'apply takes at most one plan file');
        const { applyCommand } = await import('./commands/apply.js');
        return await applyCommand(io, {
          planFile: positionals[0],
          config: str('config'),
          target: str('target'),
          autoApprove: bool('auto-approve'),
          allowDestructive: bool('allow-destructive'),
          auditLog: str('audit-log'),
        });
      }
      case 'start': {
        noPositionals();
        const { applyCommand } = await import('./commands/apply.js');
        return await applyCommand(io, { config: str('config'), target: str('target'), startMode: true, auditLog: str('audit-log') });
      }
      case 'snapshot': {
        noPositionals();
        const { snapshotCommand } = await import('./commands/snapshot.js');
        return await snapshotCommand(io, { config: str('config'), target: str('target'), out: str('out') });
      }
      case 'audit': {
        if (positionals[0] !== 'verify' || positionals.length > 2) throw new RbacError('USAGE', 'audit: expected `rbac audit verify [FILE]`');
        const { auditVerifyCommand } = await import('./commands/audit.js');
        return await auditVerifyCommand(io, {
          file: positionals[1],
          config: str('config'),
          format: str('format'),
          expectHead: str('expect-head'),
          allowUnkeyed: bool('allow-unkeyed'),
        });
      }
      case 'drift': {
        noPositionals();
        const { driftCommand } = await import('./commands/drift.js');
        return await driftCommand(io, { config: str('config'), target: str('target'), format: str('format'), webhook: str('webhook'), state: str('state') });
      }
      case 'export': {
        noPositionals();
        const { exportCommand } = await import('./commands/export.js');
        return await exportCommand(io, { config: str('config'), target: str('target'), out: str('out'), match: str('match') });
      }
      case 'review': {
        noPositionals();
        const { reviewCommand } = await import('./commands/review.js');
        return await reviewCommand(io, { config: str('config'), target: str('target'), roster: str('roster'), format: str('format'), out: str('out'), matrixCsv: str('matrix-csv'), usage: values.usage === true, days: str('days'), since: str('since'), usageLog: values['usage-log'] as unknown as string[] | undefined });
      }
      case 'usage': {
        noPositionals();
        const { usageCommand } = await import('./commands/usage.js');
        return await usageCommand(io, { config: str('config'), target: str('target'), since: str('since'), days: str('days'), log: values.log as unknown as string[] | undefined, format: str('format'), out: str('out') });
      }
      case 'classify': {
        noPositionals();
        const { classifyCommand } = await import('./commands/classify.js');
        return await classifyCommand(io, { config: str('config'), target: str('target'), out: str('out') });
      }
      case 'surrogates': {
        noPositionals();
        const { surrogatesCommand } = await import('./commands/surrogates.js');
        return await surrogatesCommand(io, { config: str('config'), target: str('target'), dryRun: values['dry-run'] === true, format: str('format') });
      }
      case 'explain': {
        if (positionals.length < 1 || positionals.length > 2) throw new RbacError('USAGE', 'explain: expected `rbac explain ROLE [OBJECT]`');
        const { explainCommand } = await import('./commands/explain.js');
        return await explainCommand(io, { role: positionals[0], object: positionals[1], config: str('config'), target: str('target'), format: str('format') });
      }
      case 'demo': {
        if (positionals[0] !== 'reset' || positionals.length !== 1) {
          throw new RbacError('USAGE', 'demo: expected `rbac demo reset`');
        }
        const { demoResetCommand } = await import('./commands/demo.js');
        return await demoResetCommand(io, { config: str('config') });
      }
    }
    throw new RbacError('USAGE', `unknown command "${command}"`);
  } catch (e) {
    io.err(formatError(e));
    // Where exit 2 already means "drifted" (drift) or "changes" (plan --detailed-exitcode),
    // a usage error exits 1, so a cron job or a pipeline never reads a typo as drift.
    if (e instanceof RbacError && e.code === 'USAGE') return twoMeansFound(argv) ? EXIT.ERROR : EXIT.USAGE;
    return e instanceof RbacError && e.code === 'STALE_PLAN' ? EXIT.STALE : EXIT.ERROR;
  }
}

/** `drift`, and `plan` with --detailed-exitcode: commands whose exit 2 reports a finding. */
function twoMeansFound(argv: readonly string[]): boolean {
  const command = argv.find((a) => !a.startsWith('-'));
  return command === 'drift' || (command === 'plan' && argv.includes('--detailed-exitcode'));
}

/** Entry point of the `rbac` binary (bin/rbac.js). */
export async function main(): Promise<void> {
  try {
    process.exitCode = await run(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(formatError(e));
    process.exitCode = EXIT.ERROR;
  }
}
