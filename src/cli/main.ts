/**
 * The rbac command line. Parses arguments, dispatches to a command, maps errors to
 * exit codes. Commands and flags are a public contract (README "Commands").
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RbacError } from '../model/errors.js';
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
  rbac review [--config DIR] [--target NAME|URL] [--roster hr.csv] [--format markdown|csv|html] [--matrix-csv FILE]
              [--out FILE]
  rbac usage [--config DIR] [--target NAME|URL] [--since TIME | --days N] [--log FILE]
             [--format text|json] [--out FILE]
  rbac explain ROLE [OBJECT] [--config DIR] [--target NAME|URL] [--format text|json]
  rbac snapshot [--config DIR] [--target NAME|URL] [--out FILE]
  rbac schema [--file rbac|roles|grants]
  rbac demo reset [--config DIR]
  rbac start            (what npm start runs: plan the default target, apply on a terminal)

Exit codes: 0 ok / no changes, 1 error, 2 changes (plan --detailed-exitcode) or drift (drift), 3 stale plan refused.
`;

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
  review: { ...common, roster: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, 'matrix-csv': { type: 'string' } },
  explain: { ...common, format: { type: 'string' } },
  usage: { ...common, since: { type: 'string' }, days: { type: 'string' }, log: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } },
  snapshot: { ...common, out: { type: 'string' } },
  start: { ...common, 'audit-log': { type: 'string' } },
  demo: { config: common.config, help: common.help },
};

function parse(command: string, argv: string[]) {
  const options = OPTIONS[command];
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new RbacError('USAGE', `${command}: ${(e as Error).message}`, `run \`rbac ${command} --help\``);
  }
}

export async function run(argv: string[], io: Io = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command ? EXIT.OK : EXIT.ERROR;
  }
  if (command === '--version' || command === 'version') {
    io.out('rbac 0.1.0\n');
    return EXIT.OK;
  }
  try {
    if (!(command in OPTIONS)) throw new RbacError('USAGE', `unknown command "${command}"`, 'run `rbac --help` for the list');
    const { values: v, positionals } = parse(command, rest);
    const values = v as Record<string, string | boolean | undefined>;
    if (values.help) {
      io.out(USAGE);
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
        return await reviewCommand(io, { config: str('config'), target: str('target'), roster: str('roster'), format: str('format'), out: str('out'), matrixCsv: str('matrix-csv') });
      }
      case 'usage': {
        noPositionals();
        const { usageCommand } = await import('./commands/usage.js');
        return await usageCommand(io, { config: str('config'), target: str('target'), since: str('since'), days: str('days'), log: str('log'), format: str('format'), out: str('out') });
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
    return e instanceof RbacError && e.code === 'STALE_PLAN' ? EXIT.STALE : EXIT.ERROR;
  }
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
