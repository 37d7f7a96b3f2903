/**
 * Hand-made plans for the UI tests and the tmux demo: every change kind, a couple
 * of roles, and a fake apply that emits events like the real adapters.
 */
import { changeGroup } from '../../src/plan/plan.js';
import type { ApplyEvent, ApplyResult } from '../../src/apply/types.js';
import type { Statement } from '../../src/dialects/types.js';
import type { Change, Plan } from '../../src/plan/types.js';

const patients = { kind: 'table' as const, database: 'ehr', schema: 'clinical', name: 'patients' };
const clinical = { kind: 'schema' as const, database: 'ehr', schema: 'clinical' };

/** Every change kind, spread over three roles. */
export const ALL_KINDS: Change[] = [
  { kind: 'createRole', role: 'clinical_analyst', description: 'Reads de-identified clinical data' },
  { kind: 'alterRole', role: 'billing_clerk', from: { description: 'Billing' }, to: { description: 'Billing staff' } },
  { kind: 'revokeMembership', role: 'billing_clerk', member: 'mallory', memberKind: 'user', reason: 'not in config' },
  { kind: 'revoke', role: 'billing_clerk', privileges: ['update'], object: { kind: 'table', database: 'ehr', schema: 'billing', name: 'invoices' } },
  { kind: 'revokeFuture', role: 'billing_clerk', privileges: ['select'], schema: { kind: 'schema', database: 'ehr', schema: 'billing' }, objectType: 'tables' },
  { kind: 'grantMembership', role: 'clinical_analyst', member: 'alice', memberKind: 'user' },
  { kind: 'grant', role: 'clinical_analyst', privileges: ['select'], object: patients, columns: ['patient_id', 'zip3'] },
  { kind: 'grant', role: 'clinical_analyst', privileges: ['usage'], object: clinical },
  { kind: 'grantFuture', role: 'clinical_analyst', privileges: ['select'], schema: clinical, objectType: 'tables', forRole: 'etl' },
  { kind: 'dropRole', role: 'legacy_reporting' },
];

/** Only additions: applying it needs a plain `y`. */
export const ADDITIVE: Change[] = ALL_KINDS.filter((c) => c.kind === 'createRole' || c.kind.startsWith('grant'));

export function makePlan(changes: Change[], over: Partial<Plan> = {}): Plan {
  const destructive = changes.filter((c) => ['revoke', 'revokeMembership', 'revokeFuture', 'dropRole'].includes(c.kind)).length;
  return {
    formatVersion: 1,
    platform: 'postgres',
    target: 'prod',
    mode: 'authoritative',
    changes,
    problems: [],
    liveFingerprint: 'f'.repeat(64),
    summary: {
      add: changes.filter((c) => c.kind === 'createRole' || c.kind.startsWith('grant')).length,
      change: changes.filter((c) => c.kind === 'alterRole').length,
      remove: destructive,
      destructive,
    },
    ...over,
  };
}

/** A plausible SQL statement per change (the UI only displays it). */
export function fakeStatements(changes: Change[]): Statement[] {
  return changes.map((c, i) => ({ sql: `-- ${c.kind} ${changeGroup(c)}\nSELECT ${i + 1};`, changeIndex: i })).map((s) => ({
    ...s,
    sql: s.sql.replace('-- ', 'DO /* ').replace('\n', ' */ ').trim(),
  }));
}

/** Options for `fakeApply`: where to fail, whether the platform rolls back, a delay. */
export interface FakeApplyOptions {
  failAt?: number;
  rolledBack?: boolean;
  delayMs?: number;
  error?: string;
  code?: string;
}

/** An apply function that runs statements in order, emitting events like an adapter. */
export function fakeApply(statements: Statement[], o: FakeApplyOptions = {}) {
  return async (onEvent: (e: ApplyEvent) => void): Promise<ApplyResult> => {
    const wait = (): Promise<void> => new Promise((r) => setTimeout(r, o.delayMs ?? 0));
    onEvent({ type: 'lock' });
    const applied: Statement[] = [];
    for (let i = 0; i < statements.length; i++) {
      const statement = statements[i];
      onEvent({ type: 'start', index: i, statement });
      await wait();
      if (i === o.failAt) {
        const error = o.error ?? 'permission denied for table invoices';
        onEvent({ type: 'failed', index: i, statement, error, code: o.code ?? '42501' });
        if (o.rolledBack) onEvent({ type: 'rollback' });
        return {
          ok: false,
          applied: o.rolledBack ? [] : applied,
          failed: { statement, error, code: o.code ?? '42501' },
          pending: statements.slice(i + 1),
          rolledBack: o.rolledBack === true,
          ms: 42,
        };
      }
      applied.push(statement);
      onEvent({ type: 'done', index: i, statement, ms: 3 });
    }
    onEvent({ type: 'commit' });
    return { ok: true, applied, pending: [], rolledBack: false, ms: 42 };
  };
}
