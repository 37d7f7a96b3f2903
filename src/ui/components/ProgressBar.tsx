import type { ReactNode } from 'react';
import { T, type Tone } from '../theme.js';

/** Props of ProgressBar: `done` of `total`, drawn `width` cells wide. */
export interface ProgressBarProps {
  done: number;
  total: number;
  width?: number;
  tone?: Tone;
}

/** `[██████░░░░]`: block characters, so it reads without colour. */
export function progressBarText(done: number, total: number, width = 20): string {
  const ratio = total > 0 ? Math.max(0, Math.min(1, done / total)) : 0;
  const full = Math.round(ratio * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}]`;
}

export function ProgressBar({ done, total, width = 20, tone }: ProgressBarProps): ReactNode {
  return <T tone={tone}>{progressBarText(done, total, width)}</T>;
}
