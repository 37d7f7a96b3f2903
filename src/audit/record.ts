/**
 * The audit record of one apply, and the recorder that builds it from the typed apply
 * events (the same stream the UI subscribes to). A record holds who (OS user, CI
 * actor, database principal), when, where (the masked target display, never a URL
 * with a password), which configuration (git commit, config digest), which plan
 * (live fingerprint), every statement with its outcome, and the plan after apply.
 *
 * No PHI and no secrets: statements are GRANT/REVOKE/COMMENT texts built from names
 * only, and every free-text field (driver errors) passes through `scrubSecrets`.
 */
import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import path from 'node:path';
import type { ApplyEvent, ApplyResult } from '../apply/types.js';
import type { Statement } from '../dialects/types.js';
import { scrubSecrets } from '../model/errors.js';
import type { Plan, PlanSummary } from '../plan/types.js';
import { describeChange } from '../render/describe.js';
import { appendRecord, type ChainFields } from './chain.js';
import { temporaryAccessEntries, type AuditTemporaryAccess } from './temporary.js';

/** Outcome of one statement in an audit record. */
export type StatementOutcome = 'applied' | 'failed' | 'rolled back' | 'not run' | 'unknown';

/** One statement of an apply, as audited. */
export interface AuditStatement {
  index: number;
  /** What the change does, in the plan's words. */
  change: string;
  sql: string;
  outcome: StatementOutcome;
  ms?: number;
  error?: string;
  code?: string;
}

/**
 * The payload of one audit record (chain fields are added on append). `outcome` is
 * `applied` (committed), `failed` (a statement failed or the connection was lost
 * before COMMIT: rolled back; see `statements`), `unknown` (the connection was lost
 * during COMMIT: plan again to see whether it committed), or `error` (apply did not
 * run to a result: lock timeout, a plan refused as stale under the lock; see `error`).
 */
export interface AuditRecord extends Record<string, unknown> {
  v: 1;
  event: 'apply';
  startedAt: string;
  finishedAt: string;
  actor: { osUser: string; ciActor?: string; dbUser?: string };
  target: { name: string; platform: string; display: string };
  git?: { commit: string; dirty: boolean };
  configDigest?: string;
  planFingerprint: string;
  /** Base name of the reviewed plan file, when one was applied. */
  planFile?: string;
  mode: Plan['mode'];
  summary: PlanSummary;
  outcome: 'applied' | 'failed' | 'error' | 'unknown';
  error?: string;
  statements: AuditStatement[];
  /** The plan computed right after apply: empty (`changes: 0`) when it converged. */
  after?: { changes: number; summary: PlanSummary };
  /** Temporary and emergency memberships granted or revoked (expired) by this apply; absent when none. */
  temporaryAccess?: AuditTemporaryAccess[];
}

/** Where the audit log goes: --audit-log, then RBAC_AUDIT_LOG, then `.rbac/audit.jsonl` under the config root. */
export function auditLogPath(opts: { flag?: string; env: NodeJS.ProcessEnv; cwd: string; root: string }): string {
  if (opts.flag) return path.resolve(opts.cwd, opts.flag);
  if (opts.env.RBAC_AUDIT_LOG) return path.resolve(opts.cwd, opts.env.RBAC_AUDIT_LOG);
  return path.join(opts.root, '.rbac', 'audit.jsonl');
}

function run(cmd: string, args: string[], cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: 5000 }, (err, stdout) => resolve(err ? undefined : String(stdout)));
  });
}

/** The git commit of the config root and whether its files differ from it; undefined outside git. */
export async function gitState(root: string): Promise<{ commit: string; dirty: boolean } | undefined> {
  const head = (await run('git', ['rev-parse', 'HEAD'], root))?.trim();
  if (!head || !/^[0-9a-f]{40,64}$/.test(head)) return undefined;
  const status = await run('git', ['status', '--porcelain', '--', '.'], root);
  return { commit: head, dirty: status === undefined ? true : status.trim() !== '' };
}

function osUser(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? env.USERNAME ?? 'unknown';
  }
}

/** What the recorder needs to know about the apply it records. */
export interface RecorderInput {
  file: string;
  root: string;
  env: NodeJS.ProcessEnv;
  plan: Plan;
  statements: readonly Statement[];
  target: { name: string; platform: string; display: string; secrets?: string[] };
  dbUser?: string;
  planFile?: string;
}

/** Collects apply events, then appends one chained record. */
export interface AuditRecorder {
  readonly file: string;
  onEvent(e: ApplyEvent): void;
  /** The statements that run, when the apply re-planned under its lock (same SQL, new objects). */
  restate(statements: readonly Statement[]): void;
  /** Append the record for a finished apply (result) or one that threw (error). */
  finish(outcome: { result?: ApplyResult; error?: unknown; after?: Plan }): Promise<AuditRecord & ChainFields>;
}

export function createAuditRecorder(input: RecorderInput): AuditRecorder {
  const startedAt = new Date().toISOString();
  const ms = new Map<number, number>();
  const failed = new Map<number, { error: string; code?: string }>();
  const scrub = (s: string) => scrubSecrets(s, input.target.secrets ?? []);
  let current = input.statements;
  return {
    file: input.file,
    restate(statements) {
      current = statements;
    },
    onEvent(e) {
      if (e.type === 'done') ms.set(e.index, Math.round(e.ms * 100) / 100);
      else if (e.type === 'failed') failed.set(e.index, { error: e.error, code: e.code });
    },
    async finish({ result, error, after }) {
      const applied = new Set(result?.applied ?? []);
      const statements: AuditStatement[] = current.map((st, index) => {
        const f = failed.get(index) ?? (result?.failed?.statement === st ? { error: result.failed.error, code: result.failed.code } : undefined);
        let outcome: StatementOutcome;
        if (result?.outcomeUnknown && (ms.has(index) || f)) outcome = 'unknown';
        else if (f) outcome = 'failed';
        else if (applied.has(st)) outcome = 'applied';
        else if (ms.has(index)) outcome = 'rolled back';
        else outcome = 'not run';
        const s: AuditStatement = { index, change: describeChange(input.plan.changes[st.changeIndex]), sql: st.sql, outcome };
        if (outcome === 'applied' && ms.has(index)) s.ms = ms.get(index);
        if (f) {
          s.error = scrub(f.error);
          if (f.code) s.code = f.code;
        }
        return s;
      });
      const git = await gitState(input.root);
      const rec: AuditRecord = {
        v: 1,
        event: 'apply',
        startedAt,
        finishedAt: new Date().toISOString(),
        actor: { osUser: osUser(input.env), ciActor: input.env.GITHUB_ACTOR || undefined, dbUser: input.dbUser },
        target: { name: input.target.name, platform: input.target.platform, display: input.target.display },
        git,
        configDigest: input.plan.configDigest,
        planFingerprint: input.plan.liveFingerprint,
        planFile: input.planFile ? path.basename(input.planFile) : undefined,
        mode: input.plan.mode,
        summary: input.plan.summary,
        outcome: error !== undefined ? 'error' : result?.ok ? 'applied' : result?.outcomeUnknown ? 'unknown' : 'failed',
        error: error !== undefined ? scrub(error instanceof Error ? error.message : String(error)) : undefined,
        statements,
        after: after ? { changes: after.changes.length, summary: after.summary } : undefined,
      };
      const temporary = temporaryAccessEntries(input.plan, current, applied, scrub);
      if (temporary.length) rec.temporaryAccess = temporary;
      // The recorder's own environment, not process.env: the key that signs the record is
      // the one the caller configured (RBAC_AUDIT_KEY), and tests inject theirs.
      return appendRecord(input.file, rec, { env: input.env });
    },
  };
}
