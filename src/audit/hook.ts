/**
 * The audit hook of `rbac apply`: one object per apply that wraps `adapter.apply`,
 * listens to its events and appends exactly one chained record, whether the apply
 * succeeded, failed or threw. The log's chain is checked right before the first
 * statement is sent, so a broken log stops the apply instead of leaving an unrecorded
 * change, while runs that apply nothing (no changes, plan only) never touch the log.
 */
import type { ApplyListener, ApplyResult } from '../apply/types.js';
import type { ResolvedTarget } from '../config/targets.js';
import type { Adapter, Statement } from '../dialects/types.js';
import type { Plan } from '../plan/types.js';
import { checkAppendable } from './chain.js';
import { auditLogPath, createAuditRecorder, type AuditRecorder } from './record.js';

/** An apply under audit. `record` is idempotent: the first call writes the record. */
export interface AuditedApply {
  readonly file: string;
  /**
   * Run the statements through the adapter. `verify` runs under the adapter's lock
   * before any statement (see ApplyOptions.verify); the statements it returns are the
   * ones recorded.
   */
  apply(adapter: Adapter, statements: Statement[], onEvent?: ApplyListener, verify?: () => Promise<Statement[]>): Promise<ApplyResult>;
  /** Write the record; pass the plan computed after apply when there is one. */
  record(after?: Plan): Promise<void>;
}

/** What an audited apply needs: where the log goes and what is being applied, to which target. */
export interface OpenAuditInput {
  flag?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  root: string;
  plan: Plan;
  statements: readonly Statement[];
  target: ResolvedTarget | { name: string; platform: string; display?: string; secrets?: string[] };
  dbUser?: string;
  planFile?: string;
}

export async function openAudit(input: OpenAuditInput): Promise<AuditedApply> {
  const file = auditLogPath({ flag: input.flag, env: input.env, cwd: input.cwd, root: input.root });
  const t = input.target;
  const recorder: AuditRecorder = createAuditRecorder({
    file,
    root: input.root,
    env: input.env,
    plan: input.plan,
    statements: input.statements,
    target: { name: t.name, platform: t.platform, display: ('display' in t && t.display) || t.name, secrets: ('secrets' in t && t.secrets) || [] },
    dbUser: input.dbUser,
    planFile: input.planFile,
  });
  let result: ApplyResult | undefined;
  let error: unknown;
  let done = false;
  const record = async (after?: Plan): Promise<void> => {
    if (done) return;
    done = true;
    await recorder.finish({ result, error, after });
  };
  return {
    file,
    record,
    async apply(adapter, statements, onEvent, verify) {
      // The same environment the recorder signs with: the check and the write agree on the key.
      await checkAppendable(file, { env: input.env });
      try {
        result = await adapter.apply(statements, {
          onEvent: (e) => {
            recorder.onEvent(e);
            onEvent?.(e);
          },
          ...(verify
            ? {
                verify: async () => {
                  const final = await verify();
                  recorder.restate(final);
                  return final;
                },
              }
            : {}),
        });
        return result;
      } catch (e) {
        error = e;
        await record();
        throw e;
      }
    },
  };
}
