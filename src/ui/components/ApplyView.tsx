import type { ReactNode } from 'react';
import { Box } from 'ink';
import type { Statement } from '../../dialects/types.js';
import { formatMs, type ApplyProgress, type StatementStatus, type SummaryLine } from '../apply-state.js';
import { scrollTop } from '../tree.js';
import { Line, T, type Tone } from '../theme.js';
import { ProgressBar } from './ProgressBar.js';

/** Props of ApplyView: statements, their progress, and the summary once finished. */
export interface ApplyViewProps {
  statements: readonly Statement[];
  progress: ApplyProgress;
  elapsedMs: number;
  /** Present once the run has ended. */
  summary?: SummaryLine[];
  /** Whether the run was rolled back: done statements are then shown as rolled back. */
  rolledBack?: boolean;
  /** Lines available; the view always renders exactly this many. */
  height: number;
  /** First visible statement; see `applyViewportTop`. */
  top: number;
}

const STATUS: Record<StatementStatus, { label: string; tone?: Tone }> = {
  pending: { label: '· pending', tone: 'muted' },
  running: { label: '▶ running', tone: 'accent' },
  done: { label: '✓ done', tone: 'ok' },
  failed: { label: '✗ failed', tone: 'danger' },
};

/** Lines ApplyView spends outside the statement list. */
export function applyChromeHeight(summary: SummaryLine[] | undefined): number {
  return 2 + (summary ? summary.length + 1 : 0);
}

/** First visible statement: follows the running (or failed) statement. */
export function applyViewportTop(prevTop: number, progress: ApplyProgress, listHeight: number, total: number): number {
  const at = progress.failure?.index ?? progress.current;
  return scrollTop(prevTop, at, Math.min(total - 1, at + 1), listHeight, total);
}

function statusText(s: StatementStatus, rolledBack: boolean): { label: string; tone?: Tone } {
  if (s === 'done' && rolledBack) return { label: '↺ rolled back', tone: 'warn' };
  return STATUS[s];
}

export function ApplyView(p: ApplyViewProps): ReactNode {
  const total = p.statements.length;
  const done = p.progress.statuses.filter((s) => s === 'done').length;
  const failed = p.progress.failure !== undefined;
  const listHeight = Math.max(1, p.height - applyChromeHeight(p.summary));
  const visible = p.statements.slice(p.top, p.top + listHeight);
  const state = p.summary ? (failed || p.rolledBack ? 'stopped' : 'finished') : p.progress.locked ? 'running' : 'starting';
  return (
    <Box flexDirection="column">
      <Line>
        <ProgressBar done={done} total={total} tone={failed ? 'danger' : 'ok'} /> {done}/{total} statements ·{' '}
        {formatMs(p.elapsedMs)} · {state}
        {p.progress.lockHolder ? ` · lock ${p.progress.lockHolder}` : ''}
      </Line>
      <Line>
        <T tone="muted">{'─'.repeat(40)}</T>
      </Line>
      {visible.map((s, i) => {
        const idx = p.top + i;
        const st = statusText(p.progress.statuses[idx] ?? 'pending', p.rolledBack === true);
        const ms = p.progress.ms[idx];
        const timing = ms !== undefined && p.progress.statuses[idx] === 'done' ? formatMs(ms) : '';
        return (
          <Line key={idx}>
            <T tone={st.tone}>{st.label.padEnd(13)}</T> {timing.padStart(6)} {s.sql.split('\n')[0]}
          </Line>
        );
      })}
      {Array.from({ length: Math.max(0, listHeight - visible.length) }, (_, i) => (
        <Line key={`pad${i}`} />
      ))}
      {p.summary ? (
        <>
          <Line />
          {p.summary.map((l, i) => (
            <Line key={`sum${i}`}>
              <T tone={l.tone}>{l.text}</T>
            </Line>
          ))}
        </>
      ) : null}
    </Box>
  );
}
