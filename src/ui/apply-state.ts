/**
 * Apply progress as a pure reducer over ApplyEvents, and the end-of-run summary as
 * plain lines (shown in the UI and printed again after leaving the full screen).
 */
import type { ApplyEvent, ApplyResult } from '../apply/types.js';
import type { Statement } from '../dialects/types.js';

/** Status of one statement during an apply. */
export type StatementStatus = 'pending' | 'running' | 'done' | 'failed';

/**
 * What the UI knows about a running apply. `statuses[i]` is the status of
 * `statements[i]`; `ms[i]` is set once it is done.
 */
export interface ApplyProgress {
  statuses: StatementStatus[];
  ms: (number | undefined)[];
  /** Index of the statement the run is on (running, or the last one started). */
  current: number;
  failure?: { index: number; error: string; code?: string };
  lockHolder?: string;
  locked: boolean;
  committed: boolean;
  rolledBack: boolean;
}

export function initialProgress(count: number): ApplyProgress {
  return {
    statuses: Array.from({ length: count }, () => 'pending' as const),
    ms: Array.from({ length: count }, () => undefined),
    current: 0,
    locked: false,
    committed: false,
    rolledBack: false,
  };
}

function withStatus(p: ApplyProgress, index: number, s: StatementStatus, ms?: number): ApplyProgress {
  if (index < 0 || index >= p.statuses.length) return p;
  const statuses = p.statuses.slice();
  statuses[index] = s;
  const msList = p.ms.slice();
  if (ms !== undefined) msList[index] = ms;
  return { ...p, statuses, ms: msList, current: index };
}

/** Fold one event into the progress. Unknown indexes are ignored, never thrown on. */
export function reduceApply(p: ApplyProgress, e: ApplyEvent): ApplyProgress {
  switch (e.type) {
    case 'lock':
      return { ...p, locked: true, lockHolder: e.holder };
    case 'start':
      return withStatus(p, e.index, 'running');
    case 'done':
      return withStatus(p, e.index, 'done', e.ms);
    case 'failed':
      return { ...withStatus(p, e.index, 'failed'), failure: { index: e.index, error: e.error, code: e.code } };
    case 'commit':
      return { ...p, committed: true };
    case 'rollback':
      return { ...p, rolledBack: true };
  }
}

/** `850ms`, `1.2s`, `2m 03s`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line of the end-of-run summary; `tone` is a hint for colour only. */
export interface SummaryLine {
  tone?: 'ok' | 'danger' | 'warn' | 'muted';
  text: string;
}

/** How an apply ended: its result, or the error the apply function threw. */
export type ApplyEnd = { result: ApplyResult } | { thrown: string };

/**
 * The words of the end of a run. On failure they always say what was applied and
 * what was not; on a transactional target, `rolled back, nothing applied`.
 */
export function summaryLines(opts: {
  end: ApplyEnd;
  statements: readonly Statement[];
  progress: ApplyProgress;
  targetName: string;
  auditPath?: string;
}): SummaryLine[] {
  const { end, statements, progress, targetName, auditPath } = opts;
  const out: SummaryLine[] = [];
  const total = statements.length;
  const changesOf = (list: readonly Statement[]): number => new Set(list.map((s) => s.changeIndex)).size;
  if ('thrown' in end) {
    const ran = progress.statuses.filter((s) => s === 'done').length;
    out.push({ tone: 'danger', text: `✗ apply failed: ${end.thrown}` });
    out.push({
      tone: 'warn',
      text: `reported done before the error: ${ran} of ${plural(total, 'statement')}; check the target before retrying`,
    });
  } else if (end.result.ok) {
    const r = end.result;
    out.push({
      tone: 'ok',
      text: `✓ applied ${plural(r.applied.length, 'statement')} (${plural(changesOf(r.applied), 'change')}) to ${targetName} in ${formatMs(r.ms)}`,
    });
  } else {
    const r = end.result;
    const f = r.failed;
    const at = f ? statements.indexOf(f.statement) : -1;
    out.push({
      tone: 'danger',
      text: `✗ failed${at >= 0 ? ` at statement ${at + 1} of ${total}` : ''} after ${formatMs(r.ms)}`,
    });
    if (f) {
      out.push({ text: `  ${f.statement.sql.split('\n')[0]}` });
      out.push({ tone: 'danger', text: `  error${f.code ? ` [${f.code}]` : ''}: ${f.error}` });
    }
    if (r.rolledBack) {
      out.push({ tone: 'warn', text: 'rolled back, nothing applied' });
    } else {
      const notApplied = r.pending.length + (f ? 1 : 0);
      out.push({
        tone: 'warn',
        text: `applied: ${plural(r.applied.length, 'statement')}; not applied: ${notApplied} (${f ? '1 failed, ' : ''}${r.pending.length} never ran)`,
      });
    }
  }
  if (auditPath) out.push({ tone: 'muted', text: `audit record: ${auditPath}` });
  return out;
}
