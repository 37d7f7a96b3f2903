/**
 * Apply results and events. Apply emits typed events while running (the UI and the
 * audit log subscribe) and returns which statements were applied, which failed and
 * which never ran.
 *
 * Invariant: applied + failed + pending = all statements, in order. On a
 * transactional platform a failure rolls everything back, so `applied` is empty and
 * `rolledBack` is true.
 */
import type { Statement } from '../dialects/types.js';

export type ApplyEvent =
  | { type: 'lock'; holder?: string }
  | { type: 'start'; index: number; statement: Statement }
  | { type: 'done'; index: number; statement: Statement; ms: number }
  | { type: 'failed'; index: number; statement: Statement; error: string; code?: string }
  | { type: 'commit' }
  | { type: 'rollback' };

export interface ApplyResult {
  ok: boolean;
  applied: Statement[];
  failed?: { statement: Statement; error: string; code?: string };
  pending: Statement[];
  rolledBack: boolean;
  ms: number;
}

export type ApplyListener = (e: ApplyEvent) => void;
