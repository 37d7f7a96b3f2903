/**
 * The terminal UI's public face. The CLI calls these functions; nothing outside
 * src/ui imports `ink`. Everything here works with injected streams for tests.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { render } from 'ink';
import type { ApplyEvent, ApplyResult } from '../apply/types.js';
import type { Statement } from '../dialects/types.js';
import type { Plan } from '../plan/types.js';
import { InteractiveApp, type InteractiveOutcome } from './App.js';
import type { SummaryLine } from './apply-state.js';
import { Loading, PHASES, type PhaseName, type PhaseProgress } from './components/Loading.js';
import { ThemeContext, colorEnabled } from './theme.js';

export type { InteractiveOutcome } from './keys.js';

/** What `runInteractive` needs: the plan, its compiled statements and how to apply them. */
export interface InteractiveOptions {
  plan: Plan;
  /** Compiled statements; `changeIndex` points into `plan.changes`. */
  statements: Statement[];
  targetName: string;
  /** Browse only (`rbac plan --interactive`): `a` does nothing. */
  readOnly: boolean;
  /** Runs the apply; the UI subscribes to events through onEvent. */
  apply: (onEvent: (e: ApplyEvent) => void) => Promise<ApplyResult>;
  /** Shown at the end when set. */
  auditPath?: string;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** Environment read for NO_COLOR; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

const ALT_ON = '\x1b[?1049h\x1b[H';
const ALT_OFF = '\x1b[?1049l';

/**
 * Opens the full-screen plan browser and resolves how the user left it:
 * `applied`/`failed` after an apply, `cancelled` when leaving apply mode without
 * applying, `closed` when leaving read-only mode. The apply function is only ever
 * called after an explicit confirmation.
 */
export async function runInteractive(opts: InteractiveOptions): Promise<InteractiveOutcome> {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  const color = colorEnabled(opts.env ?? process.env);
  const alt = stdout.isTTY === true;
  let restored = false;
  const restore = (): void => {
    if (alt && !restored) stdout.write(ALT_OFF);
    restored = true;
  };
  if (alt) stdout.write(ALT_ON);
  // Leave the alternate screen even if the process dies underneath us.
  process.once('exit', restore);
  let outcome: InteractiveOutcome = opts.readOnly ? 'closed' : 'cancelled';
  let summary: SummaryLine[] | undefined;
  try {
    const instance = render(
      <InteractiveApp
        plan={opts.plan}
        statements={opts.statements}
        targetName={opts.targetName}
        readOnly={opts.readOnly}
        apply={opts.apply}
        auditPath={opts.auditPath}
        color={color}
        onExit={(o, s) => {
          outcome = o;
          summary = s;
          instance.unmount();
        }}
      />,
      { stdout, stdin, exitOnCtrlC: false, patchConsole: false },
    );
    await instance.waitUntilExit();
    if (alt) instance.clear();
  } finally {
    restore();
    process.removeListener('exit', restore);
  }
  // The full screen is gone; leave the outcome of an apply on the normal screen.
  if (summary && alt) stdout.write(summary.map((l) => l.text).join('\n') + '\n');
  return outcome;
}

/** A progress view while live state is read: phases with counts. */
export interface LoadingHandle {
  phase(name: 'roles' | 'grants' | 'policies', done: number, total?: number): void;
  /** Removes the progress view; safe to call twice. */
  stop(): void;
}

function LiveLoading(props: { phases: Partial<Record<PhaseName, PhaseProgress>>; color: boolean }): ReactNode {
  const [frame, setFrame] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setFrame((f) => f + 1), 80);
    return () => clearInterval(t);
  }, []);
  return (
    <ThemeContext.Provider value={{ color: props.color }}>
      <Loading phases={props.phases} frame={frame} />
    </ThemeContext.Provider>
  );
}

/** Shows a spinner and a progress line per phase until `stop()`; inline, not full-screen. */
export function startLoading(opts: { stdout?: NodeJS.WriteStream; env?: NodeJS.ProcessEnv } = {}): LoadingHandle {
  const stdout = opts.stdout ?? process.stdout;
  const color = colorEnabled(opts.env ?? process.env);
  let phases: Partial<Record<PhaseName, PhaseProgress>> = {};
  let stopped = false;
  const instance = render(<LiveLoading phases={phases} color={color} />, {
    stdout,
    // Loading takes no input; never touch the terminal's stdin mode for it.
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return {
    phase(name, done, total) {
      if (stopped || !PHASES.includes(name)) return;
      phases = { ...phases, [name]: { done, total } };
      instance.rerender(<LiveLoading phases={phases} color={color} />);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      instance.clear();
      instance.unmount();
    },
  };
}

/** Whether the interactive UI may start: stdout is a TTY, stdin is a TTY, and CI is not set. */
export function canUseInteractive(
  env: NodeJS.ProcessEnv = process.env,
  stdout: { isTTY?: boolean } = process.stdout,
  stdin: { isTTY?: boolean } = process.stdin,
): boolean {
  const ci = env.CI;
  const inCi = ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
  return stdout.isTTY === true && stdin.isTTY === true && !inCi;
}
