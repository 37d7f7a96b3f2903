/**
 * The terminal UI's public face. The CLI calls these functions; nothing outside
 * src/ui imports `ink`. Everything here works with injected streams for tests.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { render, renderToString } from 'ink';
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
  } finally {
    restore();
    process.removeListener('exit', restore);
  }
  // The full screen is gone; leave what happened on the normal screen: the outcome of
  // an apply, or that nothing was applied.
  if (alt) stdout.write((summary ? summary.map((l) => l.text) : [leftWithout(outcome, opts)]).join('\n') + '\n');
  return outcome;
}

/** The line left on the screen after leaving the browser without applying. */
export function leftWithout(outcome: InteractiveOutcome, opts: Pick<InteractiveOptions, 'plan' | 'targetName' | 'readOnly'>): string {
  const n = opts.plan.changes.length;
  const pending = n === 0 ? 'no changes' : `${n} change${n === 1 ? '' : 's'} not applied`;
  if (outcome === 'cancelled') return `Left the review: nothing was applied to ${opts.targetName} (${pending}).`;
  return `Closed the plan for ${opts.targetName}: ${pending}${n > 0 ? '; `rbac apply` applies them' : ''}.`;
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

/**
 * Shows a spinner and a progress line per phase until `stop()`; inline, not
 * full-screen. `stop()` leaves the terminal as it was: no frame behind.
 *
 * Keys typed while loading are swallowed (the terminal is put in raw mode, so they do
 * not echo either): replaying them into the plan browser would act on a screen the
 * user had not seen yet, and an echoed `a` or `prod⏎` drew twice. Ctrl-C still
 * interrupts: it stops the view and raises SIGINT as the terminal would have.
 */
export function startLoading(opts: { stdout?: NodeJS.WriteStream; stdin?: NodeJS.ReadStream; env?: NodeJS.ProcessEnv } = {}): LoadingHandle {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  const color = colorEnabled(opts.env ?? process.env);
  let phases: Partial<Record<PhaseName, PhaseProgress>> = {};
  let stopped = false;
  const instance = render(<LiveLoading phases={phases} color={color} />, {
    stdout,
    // Input is held below, not by Ink: the loading view must not own stdin.
    exitOnCtrlC: false,
    patchConsole: false,
  });
  const raw = stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  // Read the way Ink does ('readable' + read()), so Ink can take the stream over after.
  const onReadable = (): void => {
    let chunk: unknown;
    let interrupt = false;
    while ((chunk = stdin.read()) !== null) if (String(chunk).includes('\x03')) interrupt = true;
    if (interrupt) {
      handle.stop();
      process.kill(process.pid, 'SIGINT');
    }
  };
  if (raw) {
    stdin.setRawMode(true);
    stdin.ref();
    stdin.addListener('readable', onReadable);
  }
  const handle: LoadingHandle = {
    phase(name, done, total) {
      if (stopped || !PHASES.includes(name)) return;
      phases = { ...phases, [name]: { done, total } };
      instance.rerender(<LiveLoading phases={phases} color={color} />);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (raw) {
        stdin.removeListener('readable', onReadable);
        stdin.setRawMode(false);
        stdin.unref();
      }
      // Ink's clear() followed by unmount() is not enough: unmount flushes a throttled
      // render (the spinner ticks) and writes the frame again. So unmount first, which
      // writes the last frame synchronously, then erase exactly that frame's lines.
      instance.unmount();
      const frame = renderToString(
        <ThemeContext.Provider value={{ color: false }}>
          <Loading phases={phases} frame={0} />
        </ThemeContext.Provider>,
        { columns: stdout.columns || 80 },
      );
      stdout.write(eraseFrame(frame.split('\n').length, stdout));
    },
  };
  return handle;
}

/**
 * The escape sequence that erases an inline Ink frame of `lines` lines just written.
 * Ink ends a frame shorter than the screen with a newline, so the cursor sits on the
 * line below it; a frame as tall as the screen has no newline after it.
 */
export function eraseFrame(lines: number, stdout: { isTTY?: boolean; rows?: number }): string {
  const fullscreen = stdout.isTTY === true && stdout.rows !== undefined && lines >= stdout.rows;
  const n = fullscreen ? lines : lines + 1;
  let out = '';
  for (let i = 0; i < n; i++) out += '\x1b[2K' + (i < n - 1 ? '\x1b[1A' : '');
  return out + '\x1b[G';
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
