/**
 * Terminal I/O helpers for the CLI: colour decisions, error printing, exit codes.
 * The exit codes are a public contract (README "Exit codes").
 */
import { RbacError } from '../model/errors.js';

export const EXIT = {
  OK: 0,
  ERROR: 1,
  /** plan --detailed-exitcode: changes present; drift: drift found. */
  CHANGES: 2,
  /** A usage error (unknown command or flag, missing value): what most CLIs exit with. */
  USAGE: 2,
  /** apply PLANFILE: the live state or the configuration changed since the plan. */
  STALE: 3,
} as const;

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
  stdoutIsTTY: boolean;
  stdinIsTTY: boolean;
  cwd: string;
}

export function processIo(): Io {
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    env: process.env,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    cwd: process.cwd(),
  };
}

/**
 * FORCE_COLOR decides first, as Node and chalk read it: 0 or false turns colour off;
 * 1, 2, 3, true or empty turns it on, even without a TTY. Otherwise colour only on a
 * TTY, never under NO_COLOR set and not empty (no-color.org), never for TERM=dumb.
 */
export function useColor(io: Io): boolean {
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) return !(force === '0' || force.toLowerCase() === 'false');
  const noColor = io.env.NO_COLOR;
  return io.stdoutIsTTY && (noColor === undefined || noColor === '') && io.env.TERM !== 'dumb';
}

export function formatError(e: unknown): string {
  if (e instanceof RbacError) {
    return `error: ${e.message}\n${e.hint ? `  hint: ${e.hint}\n` : ''}`;
  }
  const msg = e instanceof Error ? e.message : String(e);
  return `error: ${msg}\n`;
}

/** CI is set to something that means yes (CI=false and CI=0 are not CI). */
export function isCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}
