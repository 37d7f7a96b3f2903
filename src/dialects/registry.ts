/**
 * One place that maps a platform to its dialect, compiler, adapter and planning
 * hooks, so the CLI never branches on the platform itself.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DatabricksTarget, ResolvedTarget, SnowflakeTarget } from '../config/targets.js';
import { RbacError, scrubSecrets } from '../model/errors.js';
import type { Desired, Live, Platform, Privilege } from '../model/types.js';
import { summarize } from '../plan/plan.js';
import { assertNever, isPolicyChange, type Change, type Plan, type PlanProblem } from '../plan/types.js';
import { compileDatabricksPlan } from './databricks/compile.js';
import { databricksDialect } from './databricks/quote.js';
import { databricksUnsupported, prepareDatabricksDesired } from './databricks/unsupported.js';
import { databricksLiveSaltProblems, databricksSaltProblems } from './databricks/salt.js';
import { compileWithScim, isScimChange, scimPlanProblems } from './databricks/scim-plan.js';
import { databricksUnreadProblems } from './databricks/unread.js';
import { postgresDialect } from './postgres/quote.js';
import { loadPostgresParser } from './postgres/expression.js';
import { postgresPolicyProblems, preparePostgresDesired } from './postgres/masking.js';
import { compilePostgres, compilePostgresPlan } from './postgres/compile.js';
import { compileSnowflake, compileSnowflakePlan } from './snowflake/compile.js';
import { snowflakeDialect } from './snowflake/quote.js';
import { snowflakePolicyProblems, tagCoverageProblems } from './snowflake/policies.js';
import type { Adapter, CompileContext, Compiler, Dialect, Statement } from './types.js';

/**
 * Load the parsers of person-written SQL that need loading (PostgreSQL's parser is
 * WebAssembly). Every command that normalizes the configuration awaits this first.
 */
export function loadExpressionParsers(): Promise<void> {
  return loadPostgresParser();
}

export function dialectFor(platform: Platform): Dialect {
  switch (platform) {
    case 'postgres':
      return postgresDialect;
    case 'snowflake':
      return snowflakeDialect;
    case 'databricks':
      return databricksDialect;
    default:
      return assertNever(platform);
  }
}

/**
 * The change-by-change compiler. Databricks compiles whole plans (its inheritance
 * hook looks across changes): use `compileOffline` or the adapter's `compile` for plans.
 */
export function compilerFor(platform: Platform): Compiler {
  switch (platform) {
    case 'postgres':
      return compilePostgres;
    case 'snowflake':
      return compileSnowflake;
    case 'databricks':
      return (change, ctx) => compileDatabricksPlan({ ...EMPTY_PLAN, changes: [change] }, new Map(), ctx).map((s) => s.sql);
    default:
      return assertNever(platform);
  }
}

const EMPTY_PLAN: Plan = {
  formatVersion: 1,
  platform: 'databricks',
  target: '',
  mode: 'authoritative',
  changes: [],
  problems: [],
  liveFingerprint: '',
  summary: { add: 0, change: 0, remove: 0, destructive: 0 },
};

/**
 * Compile a plan without an adapter (planning from a snapshot). Databricks has no
 * inheritance provenance offline, so every live record counts as a direct grant; a
 * plan that revokes says so, because the SQL computed against the workspace may then
 * differ (apply re-plans live and refuses a saved plan whose SQL changed).
 */
export function compileOffline(plan: Plan, ctx: CompileContext): { statements: Statement[]; problems: PlanProblem[] } {
  switch (plan.platform) {
    case 'postgres':
      return { statements: compilePostgresPlan(plan, ctx), problems: [] };
    case 'snowflake': {
      const problems: PlanProblem[] = [];
      const statements = compileSnowflakePlan(plan, ctx, (e, c) => {
        // Offline, a policy whose table the snapshot does not hold (a new account) cannot
        // be typed: the rest of the plan is still shown, and the policy says why it is not.
        if (!(e instanceof RbacError) || e.code !== 'PLAN_INVALID' || !isPolicyChange(c) || !/not in the live state/.test(e.message)) return false;
        problems.push({ severity: 'warning', message: `not compiled offline: ${e.message}`, hint: e.hint });
        return true;
      });
      return { statements, problems };
    }
    case 'databricks': {
      const revokes = plan.changes.some((c) => c.kind === 'revoke' || c.kind === 'revokeFuture');
      const scim = ctx.scim;
      return {
        statements: scim ? compileWithScim(plan, scim, (p) => compileDatabricksPlan(p, new Map(), ctx)) : compileDatabricksPlan(plan, new Map(), ctx),
        problems: revokes
          ? [
              {
                severity: 'warning',
                message: 'planned from a snapshot: revokes are compiled as if every grant were direct (a snapshot keeps no inheritance provenance)',
                hint: 'review only: against the workspace an inherited grant is revoked at its source, after direct re-grants of what the configuration keeps; rbac apply plans live and refuses a saved plan whose SQL changed',
              },
            ]
          : [],
      };
    }
    default:
      return assertNever(plan.platform);
  }
}

/**
 * What a platform changes around the platform-neutral planner. Invariants: each hook
 * is pure; `prepareDesired` only removes what the platform cannot hold (so the plan
 * never shows a perpetual diff), and every removal is reported by `extraProblems`;
 * `finishPlan` only moves changes that SQL cannot make on the platform into problems.
 */
export interface PlanHooks {
  /**
   * The desired state as the platform can hold it. `live` is passed once the target
   * has been read (Postgres rewrites grants on masked columns onto its masking views);
   * without it (before introspection, to derive the read scope) a hook must not change
   * the roles or schemas in scope.
   */
  prepareDesired?(desired: Desired, live?: Live): Desired;
  /** Problems with the configuration on this platform (given the unprepared desired state). */
  extraProblems?(desired: Desired): PlanProblem[];
  /** Problems of the configuration against what the target holds (live column types). */
  liveProblems?(desired: Desired, live: Live): PlanProblem[];
  /** Privileges never revoked on this platform (PlanOptions.neverRevoke). */
  neverRevoke?: readonly Privilege[];
  /** Turn changes that the platform's SQL cannot make into problems (`live`: what the plan was made against). */
  finishPlan?(plan: Plan, live?: Live): Plan;
}

/** How a target is managed beyond its platform. */
export interface PlanHookOptions {
  /** Databricks: groups, members and nesting through SCIM (`manage_membership: true`). */
  manageMembership?: boolean;
}

export function planHooks(platform: Platform, opts: PlanHookOptions = {}): PlanHooks {
  switch (platform) {
    case 'postgres':
      return { prepareDesired: preparePostgresDesired, extraProblems: postgresPolicyProblems };
    case 'snowflake':
      // OWNERSHIP moves with GRANT OWNERSHIP ... COPY CURRENT GRANTS; it cannot be revoked.
      return { neverRevoke: ['ownership'], extraProblems: snowflakePolicyProblems, liveProblems: tagCoverageProblems };
    case 'databricks': {
      const managed = { manageMembership: opts.manageMembership === true };
      // Ownership moves with ALTER ... OWNER TO; it is never revoked (no owner is not an option).
      return {
        prepareDesired: (d) => prepareDatabricksDesired(d, managed),
        extraProblems: (d) => [...databricksUnsupported(d, managed), ...databricksUnreadProblems(d), ...databricksSaltProblems(d)],
        liveProblems: databricksLiveSaltProblems,
        neverRevoke: ['ownership'],
        finishPlan: managed.manageMembership ? finishDatabricksScimPlan : finishDatabricksPlan,
      };
    }
    default:
      return assertNever(platform);
  }
}

/**
 * With `manage_membership: true` groups are created, dropped and given members through
 * SCIM: the plan keeps those changes, and what SCIM says about them (a member that does
 * not exist is an error) joins its problems, so a plan with a missing member is refused
 * before anything runs. Without a SCIM read in `live` that cannot be known: an error.
 */
export function finishDatabricksScimPlan(plan: Plan, live?: Live): Plan {
  if (!live?.scim) {
    if (!plan.changes.some(isScimChange)) return plan;
    return {
      ...plan,
      problems: [
        ...plan.problems,
        {
          severity: 'error',
          message: 'groups and members are managed (manage_membership: true) but the live state holds no SCIM read',
          hint: 'plan against the target, or from a snapshot taken with manage_membership: true',
        },
      ],
    };
  }
  return { ...plan, problems: [...plan.problems, ...scimPlanProblems(plan, live.scim)] };
}

/**
 * Account groups are created and dropped through SCIM / the identity provider, never
 * SQL: a plan that needs one is refused (an error problem per group) and keeps only
 * the GRANT/REVOKE statements for review.
 */
export function finishDatabricksPlan(plan: Plan): Plan {
  const problems: PlanProblem[] = [];
  const changes: Change[] = [];
  for (const c of plan.changes) {
    if (c.kind === 'createRole') {
      problems.push({
        severity: 'error',
        message: `account group ${c.role} does not exist on ${plan.target}; Databricks groups cannot be created in SQL`,
        hint: 'create the group through SCIM or your identity provider, then plan again',
      });
    } else if (c.kind === 'dropRole') {
      problems.push({
        severity: 'error',
        message: `account group ${c.role} is marked state: absent; Databricks groups cannot be dropped in SQL`,
        hint: 'remove the group through SCIM or your identity provider, and its entry from the configuration',
      });
    } else changes.push(c);
  }
  if (!problems.length) return plan;
  return { ...plan, changes, problems: [...plan.problems, ...problems], summary: summarize(changes) };
}

/** Open the adapter of a resolved target. Relative paths are relative to the config root. */
export async function openAdapter(target: ResolvedTarget, root: string): Promise<Adapter> {
  switch (target.platform) {
    case 'postgres': {
      const { createPostgresAdapter } = await import('./postgres/adapter.js');
      if (target.url !== undefined) {
        return createPostgresAdapter({ url: target.url, databaseMap: target.databaseMap, objectCreators: target.objectCreators });
      }
      const dataDir = path.resolve(root, target.embedded ?? '.rbac/pglite');
      const { ensureDemo } = await import('../demo/seed.js');
      // Open the data directory once: seeding and the adapter share the session.
      // The adapter owns the directory from here: it switches its instance between databases.
      const session = await ensureDemo(dataDir);
      return createPostgresAdapter({ embedded: dataDir, embeddedSession: session, databaseMap: target.databaseMap, objectCreators: target.objectCreators });
    }
    case 'snowflake':
      return scrubbed(target, () => openSnowflake(target, root));
    case 'databricks':
      return scrubbed(target, () => openDatabricks(target));
    default:
      return assertNever(target);
  }
}

/** Driver errors may quote what was sent: no secret of the target leaves in a message. */
async function scrubbed<T>(target: ResolvedTarget, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (e) {
    if (e instanceof RbacError) throw new RbacError(e.code, scrubSecrets(e.message, target.secrets), e.hint && scrubSecrets(e.hint, target.secrets));
    throw new RbacError('CONNECTION', `target '${target.name}': ${scrubSecrets(String((e as Error)?.message ?? e), target.secrets)}`);
  }
}

async function openSnowflake(t: SnowflakeTarget, root: string): Promise<Adapter> {
  const { createSnowflakeAdapter } = await import('./snowflake/adapter.js');
  const credential: { password?: string; privateKey?: string; privateKeyPass?: string; token?: string } = {};
  switch (t.authenticator) {
    case 'SNOWFLAKE_JWT': {
      const file = path.resolve(root, t.privateKeyPath ?? '');
      // The key is a secret: name the file, never its content.
      const pem = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
        throw new RbacError('TARGET', `target '${t.name}': cannot read private_key_path ${t.privateKeyPath}: ${e.code ?? 'unreadable'}`, 'point private_key_path at a PKCS#8 PEM file');
      });
      credential.privateKey = pem;
      if (t.privateKeyPassphrase) credential.privateKeyPass = t.privateKeyPassphrase;
      break;
    }
    case 'SNOWFLAKE':
      credential.password = t.password;
      break;
    case 'OAUTH':
      credential.token = t.token;
      break;
    case 'EXTERNALBROWSER':
      throw new RbacError(
        'TARGET',
        `target '${t.name}': authenticator EXTERNALBROWSER is not supported by rbac`,
        'use SNOWFLAKE_JWT (key-pair) for automation, or OAUTH with a token from your identity provider',
      );
    default:
      return assertNever(t.authenticator);
  }
  return createSnowflakeAdapter(
    {
      account: t.account,
      username: t.user,
      ...credential,
      ...(t.role ? { role: t.role } : {}),
      ...(t.warehouse ? { warehouse: t.warehouse } : {}),
      ...(t.accessUrl ? { accessUrl: t.accessUrl } : {}),
    },
    { parallelism: t.parallelism, readUsers: true },
  );
}

async function openDatabricks(t: DatabricksTarget): Promise<Adapter> {
  const { createDatabricksAdapter } = await import('./databricks/adapter.js');
  // The driver wants a bare host name; accept the workspace URL as copied from a browser.
  const host = t.host.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  const scim = t.manageMembership ? { client: await databricksScimClient(t) } : undefined;
  if (t.token) return createDatabricksAdapter({ host, path: t.httpPath, token: t.token }, { scim });
  if (t.clientId && t.clientSecret) return createDatabricksAdapter({ host, path: t.httpPath, clientId: t.clientId, clientSecret: t.clientSecret }, { scim });
  throw new RbacError('TARGET', `target '${t.name}' needs token, or client_id and client_secret`);
}

/**
 * The SCIM client of a target with `manage_membership: true`: the SQL warehouse's
 * credentials, the account id, and the accounts host derived from the workspace host
 * unless `accounts_host` says otherwise.
 */
export async function databricksScimClient(t: DatabricksTarget): Promise<import('./databricks/scim.js').ScimClient> {
  const { ScimClient, accountsHostFor } = await import('./databricks/scim.js');
  if (!t.accountId) {
    throw new RbacError('TARGET', `target '${t.name}': manage_membership: true needs account_id`, 'add account_id: ${DATABRICKS_ACCOUNT_ID} to the target');
  }
  if (t.accountsHost === undefined && accountsHostFor(t.host) === undefined) {
    throw new RbacError('TARGET', `target '${t.name}': the accounts host of ${t.host} is not known`, 'add accounts_host: to the target (for example accounts.cloud.databricks.com)');
  }
  const auth = t.token ? { token: t.token } : t.clientId && t.clientSecret ? { clientId: t.clientId, clientSecret: t.clientSecret } : undefined;
  if (!auth) throw new RbacError('TARGET', `target '${t.name}' needs token, or client_id and client_secret`);
  return new ScimClient({ host: t.host, accountId: t.accountId, ...(t.accountsHost !== undefined ? { accountsHost: t.accountsHost } : {}), auth });
}
