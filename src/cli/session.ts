/**
 * The CLI's pipeline, shared by every command: load and validate the configuration,
 * open the target's adapter, normalize the desired state for its dialect, read the
 * live state of the managed scope, plan and compile. Each step is a function so the
 * commands compose them and tests can call them directly.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { formatDiagnostic, hasErrors, type Diagnostic } from '../config/diagnostics.js';
import { toDesired } from '../config/desired.js';
import { loadProject } from '../config/load.js';
import type { Project } from '../config/project.js';
import { objectCreatorsOf, resolveTarget, type ResolvedTarget } from '../config/targets.js';
import { openAdapter } from '../dialects/registry.js';
import type { Adapter, Dialect, Statement } from '../dialects/types.js';
import { RbacError } from '../model/errors.js';
import type { Desired, Live, Platform } from '../model/types.js';
import { plan as computePlan } from '../plan/plan.js';
import { introspectScopeOf, scopeOf } from '../plan/scope.js';
import type { ManagedScope, Plan, PlanOptions, PlanProblem } from '../plan/types.js';
import { parseTimestamp } from '../config/timestamps.js';
import { compileOffline, dialectFor, loadExpressionParsers, planHooks, type PlanHookOptions } from '../dialects/registry.js';
import type { Io } from './io.js';

export interface LoadedConfig {
  root: string;
  project: Project;
  warnings: Diagnostic[];
}

/** Load and validate; every problem is printed at once, errors stop the command. */
/**
 * Refuse a --config folder that does not exist, naming it as the user wrote it (never
 * resolved: no paths of the machine in output). Returns that spelling for messages.
 */
export async function configDirExists(root: string, configDir: string | undefined): Promise<string> {
  const shown = configDir ?? '.';
  const missing = await stat(root).then(
    () => false,
    (e: NodeJS.ErrnoException) => e.code === 'ENOENT' || e.code === 'ENOTDIR',
  );
  if (missing) {
    throw new RbacError('CONFIG', `the config directory "${shown}" does not exist`, 'pass --config the folder that holds rbac.yaml, or run rbac from it');
  }
  return shown;
}

export async function loadConfig(io: Io, configDir: string | undefined): Promise<LoadedConfig> {
  const root = path.resolve(io.cwd, configDir ?? '.');
  const shown = await configDirExists(root, configDir);
  const [{ project, diagnostics }] = await Promise.all([loadProject(root), loadExpressionParsers()]);
  printDiagnostics(io, diagnostics);
  if (hasErrors(diagnostics)) {
    const n = diagnostics.filter((d) => d.severity === 'error').length;
    throw new RbacError('CONFIG', `the configuration in "${shown}" has ${n} error${n === 1 ? '' : 's'}`, 'fix the errors above; `rbac validate` lists them');
  }
  return { root, project, warnings: diagnostics.filter((d) => d.severity !== 'error') };
}

export function printDiagnostics(io: Io, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) io.err(formatDiagnostic(d) + '\n');
}

/** Normalize the configuration for one dialect; name errors (too long, ...) stop here. */
export function desiredFor(io: Io, project: Project, dialect: Dialect): Desired {
  const { desired, diagnostics } = toDesired(project, dialect);
  printDiagnostics(io, diagnostics);
  if (hasErrors(diagnostics)) {
    throw new RbacError('CONFIG', `the configuration is not valid for ${dialect.platform}`, 'fix the errors above');
  }
  return desired;
}

export interface Planned {
  target: ResolvedTarget | { name: string; platform: Platform };
  desired: Desired;
  live: Live;
  scope: ManagedScope;
  plan: Plan;
  statements: Statement[];
  adapter?: Adapter;
}


export interface PlanRequest {
  config: LoadedConfig;
  target?: string;
  /** Plan against a snapshot file instead of a connection. */
  snapshot?: string;
  platform?: Platform;
  /** Called while reading, for progress displays. */
  onPhase?: (phase: 'roles' | 'grants' | 'policies', done: number, total?: number) => void;
  /** The planner's clock; default: RBAC_NOW when set (see planClock), else the time of the run. */
  now?: Date;
}

/**
 * The time temporary memberships are judged at. `RBAC_NOW` (an ISO-8601 time with a
 * zone) fixes it, for CI and reproducible reviews; a plan made with it says so in a
 * warning, since an earlier clock keeps expired access.
 */
export function planClock(io: Io, req: PlanRequest): { now: Date; warning?: PlanProblem } {
  if (req.now) return { now: req.now };
  const fixed = io.env.RBAC_NOW;
  if (fixed === undefined || fixed === '') return { now: new Date() };
  const iso = parseTimestamp(fixed);
  if (!iso) throw new RbacError('USAGE', `RBAC_NOW '${fixed}' is not an ISO-8601 time with a zone (e.g. 2026-12-03T18:00Z)`);
  return { now: new Date(iso), warning: { severity: 'warning', message: `planner clock fixed by RBAC_NOW at ${iso}`, hint: 'unset RBAC_NOW to judge temporary memberships at the time of the run' } };
}

/** Open the target (or the snapshot), read it, plan and compile. The adapter stays open. */
export async function planTarget(io: Io, req: PlanRequest): Promise<Planned> {
  const { project, root } = req.config;
  if (req.snapshot !== undefined) {
    const text = await readFile(path.resolve(io.cwd, req.snapshot), 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new RbacError('NOT_FOUND', `cannot read snapshot ${req.snapshot}: ${e.code ?? e.message}`);
    });
    const { readSnapshot } = await import('../dialects/snapshot.js');
    const live = readSnapshot(text);
    const platform = req.platform ?? live.platform;
    const dialect = dialectFor(platform);
    const configured = desiredFor(io, project, dialect);
    // A snapshot taken with manage_membership: true holds the SCIM read: members are managed from it.
    const hookOptions = { manageMembership: live.scim !== undefined };
    const desired = planHooks(platform, hookOptions).prepareDesired?.(configured, { ...live, platform }) ?? configured;
    const scope = scopeOf(desired, { managePublic: project.managePublic });
    const name = `snapshot:${path.basename(req.snapshot)}`;
    const clock = planClock(io, req);
    // The same creators as the live plan (planWith): the target's object_creators, else
    // the connected user; and, as the live read does, only their default privileges.
    const configuredCreators = platform === 'postgres' ? objectCreatorsOf(project, req.target ?? project.defaultTarget) : undefined;
    const creators = platform === 'postgres' ? (configuredCreators ?? (live.currentUser ? [live.currentUser] : undefined)) : undefined;
    const read = configuredCreators
      ? { ...live, futureGrants: live.futureGrants.filter((f) => f.forRole === undefined || configuredCreators.includes(f.forRole)) }
      : live;
    const p = planOnPlatform(configured, desired, { ...read, platform }, {
      mode: project.mode,
      target: name,
      scope,
      configDigest: project.digest,
      now: clock.now,
      futureGrantCreators: creators,
    }, hookOptions);
    if (clock.warning) p.problems.push(clock.warning);
    const { statements, problems } = compileOffline(p, {
      ...(live.scim ? { scim: live.scim } : {}),
      expressions: desired.expressions,
      databases: live.databases,
      tables: live.tables,
      livePolicies: { masking: live.maskingPolicies ?? [], rowAccess: live.rowAccessPolicies ?? [] },
      newObjectGrantees: live.newObjectGrantees,
      toolObjects: live.toolObjects,
    });
    p.problems.push(...problems);
    return { target: { name, platform }, desired, live, scope, plan: p, statements };
  }

  const target = resolveTarget(project, req.target, io.env);
  const adapter = await openAdapter(target, root);
  try {
    return await planWith(io, req, target, adapter);
  } catch (e) {
    await adapter.close();
    throw e;
  }
}

/** Plan with an adapter that is already open (apply re-plans to verify on the same one). */
export async function planWith(io: Io, req: PlanRequest, target: ResolvedTarget, adapter: Adapter): Promise<Planned> {
  const { project } = req.config;
  {
    const configured = desiredFor(io, project, adapter.dialect);
    const hookOptions = { manageMembership: target.platform === 'databricks' && target.manageMembership };
    const hooks = planHooks(adapter.platform, hookOptions);
    // Prepared without the live state only to derive what to read; the hooks keep roles and schemas.
    const scoped = hooks.prepareDesired?.(configured) ?? configured;
    req.onPhase?.('roles', 0, scoped.roles.length);
    const live = await adapter.introspect(introspectScopeOf(scoped, project));
    const desired = hooks.prepareDesired?.(configured, live) ?? configured;
    const scope = scopeOf(desired, { managePublic: project.managePublic });
    req.onPhase?.('roles', live.roles.length, live.roles.length);
    req.onPhase?.('grants', live.grants.length, live.grants.length);
    const clock = planClock(io, req);
    const creators = target.platform === 'postgres' ? (target.objectCreators?.length ? target.objectCreators : live.currentUser ? [live.currentUser] : undefined) : undefined;
    const p = planOnPlatform(configured, desired, live, {
      mode: project.mode,
      target: target.name,
      scope,
      configDigest: project.digest,
      now: clock.now,
      futureGrantCreators: creators,
    }, hookOptions);
    if (clock.warning) p.problems.push(clock.warning);
    const statements = adapter.compile(p, { expressions: desired.expressions });
    return { target, desired, live, scope, plan: p, statements, adapter };
  }
}

/**
 * Plan with the platform's hooks (registry.planHooks): `configured` is the desired
 * state as written (its problems on this platform are reported), `desired` the one
 * prepared for the platform (what is planned).
 */
function planOnPlatform(configured: Desired, desired: Desired, live: Live, options: PlanOptions, hookOptions: PlanHookOptions = {}): Plan {
  const hooks = planHooks(desired.platform, hookOptions);
  const p = computePlan(desired, live, { ...options, neverRevoke: hooks.neverRevoke });
  p.problems.push(...(hooks.extraProblems?.(configured) ?? []), ...(hooks.liveProblems?.(configured, live) ?? []));
  return hooks.finishPlan?.(p, live) ?? p;
}
