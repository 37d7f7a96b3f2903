/** Test helpers: mount the app through ink-testing-library and wait for frames. */
import { render } from 'ink-testing-library';
import { vi } from 'vitest';
import type { ApplyEvent, ApplyResult } from '../../src/apply/types.js';
import type { Statement } from '../../src/dialects/types.js';
import type { Plan } from '../../src/plan/types.js';
import { InteractiveApp } from '../../src/ui/index.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07/g;
/** Frame text with ANSI codes removed. */
export const strip = (s: string): string => s.replace(ANSI, '');
/** Whether a string holds any ANSI escape. */
export const hasAnsi = (s: string): boolean => /\x1b\[/.test(s);

/** Raw key sequences as a terminal sends them. */
export const KEY = {
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  enter: '\r',
  esc: '\x1b',
  backspace: '\x7f',
  ctrlC: '\x03',
} as const;

/** Polls `get()` until `ok` holds, failing with the last frame after `timeoutMs`. */
export async function waitFor(get: () => string, ok: (frame: string) => boolean, timeoutMs = 2000): Promise<string> {
  const until = Date.now() + timeoutMs;
  let frame = get();
  while (!ok(frame)) {
    if (Date.now() > until) throw new Error(`timed out; last frame:\n${frame}`);
    await new Promise((r) => setTimeout(r, 5));
    frame = get();
  }
  return frame;
}

/** Options for `mount`. */
export interface MountOptions {
  plan: Plan;
  statements: Statement[];
  readOnly?: boolean;
  apply?: (onEvent: (e: ApplyEvent) => void) => Promise<ApplyResult>;
  auditPath?: string;
  color?: boolean;
  width?: number;
  height?: number;
}

export async function mount(o: MountOptions) {
  const apply = vi.fn(
    o.apply ?? (async (): Promise<ApplyResult> => ({ ok: true, applied: o.statements, pending: [], rolledBack: false, ms: 1 })),
  );
  const onExit = vi.fn();
  const r = render(
    <InteractiveApp
      plan={o.plan}
      statements={o.statements}
      targetName="prod"
      readOnly={o.readOnly ?? false}
      apply={apply}
      auditPath={o.auditPath}
      onExit={onExit}
      color={o.color ?? false}
      width={o.width ?? 80}
      height={o.height ?? 24}
    />,
  );
  const frame = (): string => strip(r.lastFrame() ?? '');
  // Let Ink attach its stdin listener (an effect) before the first keystroke.
  await waitFor(frame, (f) => f.includes('rbac'));
  await new Promise((res) => setImmediate(res));
  /** Sends keys, one write per argument, yielding between writes like a typist. */
  const press = async (...keys: string[]): Promise<void> => {
    for (const k of keys) {
      r.stdin.write(k);
      await new Promise((res) => setTimeout(res, 2));
    }
  };
  const until = (ok: (f: string) => boolean | RegExpMatchArray | null): Promise<string> =>
    waitFor(frame, (f) => Boolean(ok(f)));
  return { ...r, apply, onExit, frame, press, until };
}
