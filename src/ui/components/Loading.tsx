import type { ReactNode } from 'react';
import { Box } from 'ink';
import { Line, T } from '../theme.js';
import { progressBarText } from './ProgressBar.js';

/** The phases of reading live state, in the order they run. */
export const PHASES = ['roles', 'grants', 'policies'] as const;
/** One phase of reading live state. */
export type PhaseName = (typeof PHASES)[number];

/** Progress of one phase: `done` items read of `total` when the total is known. */
export interface PhaseProgress {
  done: number;
  total?: number;
}

/** Props of Loading: what has been reported per phase, and the spinner frame. */
export interface LoadingProps {
  phases: Partial<Record<PhaseName, PhaseProgress>>;
  /** Spinner frame counter; any integer. */
  frame: number;
}

/** Braille spinner frames. */
export const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A phase is done when its total is reached or a later phase has started. */
export function phaseState(phases: LoadingProps['phases'], name: PhaseName): 'waiting' | 'reading' | 'done' {
  const p = phases[name];
  if (!p) return 'waiting';
  if (p.total !== undefined && p.done >= p.total) return 'done';
  const later = PHASES.slice(PHASES.indexOf(name) + 1);
  return later.some((l) => phases[l] !== undefined) ? 'done' : 'reading';
}

export function Loading({ phases, frame }: LoadingProps): ReactNode {
  const spin = SPINNER[((frame % SPINNER.length) + SPINNER.length) % SPINNER.length];
  return (
    <Box flexDirection="column">
      <Line>
        <T tone="accent">{spin}</T> Reading live state…
      </Line>
      {PHASES.map((name) => {
        const p = phases[name];
        const st = phaseState(phases, name);
        const mark = st === 'done' ? <T tone="ok">✓</T> : st === 'reading' ? <T tone="accent">{spin}</T> : <T tone="muted">·</T>;
        let detail: string;
        if (!p) detail = 'waiting';
        else if (p.total !== undefined) detail = `${progressBarText(p.done, p.total, 20)} ${p.done}/${p.total}`;
        else detail = `${p.done} read${st === 'done' ? '' : '…'}`;
        return (
          <Line key={name}>
            {'  '}
            {mark} {name.padEnd(9)}{' '}
            <T tone={st === 'waiting' ? 'muted' : undefined}>{detail}</T>
          </Line>
        );
      })}
    </Box>
  );
}
