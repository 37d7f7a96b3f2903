/**
 * The JSON plan: a stable, documented shape (README "JSON plan format"). It is also
 * the saved-plan file that `rbac apply PLANFILE` reads, so it carries everything apply
 * needs to refuse a stale plan: the live fingerprint, the config digest, and the SQL
 * that was reviewed.
 *
 * Shape (formatVersion 1):
 *   { formatVersion, platform, target, mode, liveFingerprint, configDigest,
 *     summary: {add, change, remove, destructive},
 *     problems: [{severity, message, hint?}],
 *     changes: [{ kind, ...fields of the change, symbol, destructive, description, sql: [..] }] }
 */
import type { Statement } from '../dialects/types.js';
import type { Change, Plan } from '../plan/types.js';
import { changeSymbol, describeChange, isDestructive } from './describe.js';

export interface JsonChange extends Record<string, unknown> {
  kind: Change['kind'];
  symbol: '+' | '-' | '~';
  destructive: boolean;
  description: string;
  sql: string[];
}

export interface JsonPlan {
  formatVersion: 1;
  platform: Plan['platform'];
  target: string;
  mode: Plan['mode'];
  liveFingerprint: string;
  configDigest?: string;
  summary: Plan['summary'];
  problems: Plan['problems'];
  changes: JsonChange[];
}

export function toJsonPlan(plan: Plan, statements: readonly Statement[]): JsonPlan {
  const sql: string[][] = plan.changes.map(() => []);
  for (const st of statements) sql[st.changeIndex].push(st.sql);
  return {
    formatVersion: 1,
    platform: plan.platform,
    target: plan.target,
    mode: plan.mode,
    liveFingerprint: plan.liveFingerprint,
    configDigest: plan.configDigest,
    summary: plan.summary,
    problems: plan.problems,
    changes: plan.changes.map((c, i) => ({
      ...c,
      symbol: changeSymbol(c),
      destructive: isDestructive(c),
      description: describeChange(c),
      sql: sql[i],
    })),
  };
}

export function renderPlanJson(plan: Plan, statements: readonly Statement[]): string {
  return JSON.stringify(toJsonPlan(plan, statements), null, 2) + '\n';
}

/** Read a saved plan back: strip the display fields so the changes are pure `Change`s. */
export function fromJsonPlan(j: JsonPlan): { plan: Plan; sql: string[][] } {
  const changes = j.changes.map((c) => {
    const { symbol: _s, destructive: _d, description: _desc, sql: _sql, ...rest } = c;
    return rest as unknown as Change;
  });
  return {
    plan: {
      formatVersion: 1,
      platform: j.platform,
      target: j.target,
      mode: j.mode,
      changes,
      problems: j.problems,
      liveFingerprint: j.liveFingerprint,
      configDigest: j.configDigest,
      summary: j.summary,
    },
    sql: j.changes.map((c) => c.sql),
  };
}
