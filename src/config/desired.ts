/**
 * toDesired: normalize a Project for one target dialect into the canonical Desired
 * model the planner compares with the live state. Platform-specific checks (name
 * length, the kinds and privileges of the platform's catalog, column grants,
 * expressions) happen here, not at load. Roles, users and memberships are here; grants
 * (desired-grants.ts) and policies (desired-policies.ts) each have their own module.
 */
import type { Dialect, NamePart } from '../dialects/types.js';
import { catalogFor } from '../dialects/catalogs.js';
import { makeMembership, roleKey, databaseRoleName } from '../model/keys.js';
import type { Desired, MembershipRecord, RoleRecord, SourceLocation } from '../model/types.js';
import { diag, type Diagnostic, type DiagnosticCode } from './diagnostics.js';
import { desiredGrants } from './desired-grants.js';
import { desiredPolicies } from './desired-policies.js';
import { formatPath, neutralId } from './names.js';
import type { NormalizeContext } from './normalize.js';
import type { Project } from './project.js';

export type { NormalizeContext } from './normalize.js';

/** Options of toDesired (none are required). */
export interface ToDesiredOptions {
  /**
   * Skip roles with `state: absent` and their memberships entirely instead of
   * emitting them as absent records. Default false: the planner sees them and drops.
   */
  omitAbsent?: boolean;
}

/** The result of toDesired; `desired` must not be planned when diagnostics hold an error. */
export interface DesiredResult {
  desired: Desired;
  diagnostics: Diagnostic[];
}

/** What every part of toDesired shares: the target, its catalog, and how problems and names are handled. */

const fmt = (l: SourceLocation): string => `${l.file}:${l.line}:${l.column}`;

/**
 * Normalize every name with `dialect.normalize` (never truncated), check every kind and
 * privilege against the target's catalog, parse every expression with the target's
 * parser, and build records with canonical keys (see the modules for grants and
 * policies); memberships for `members` (memberKind user) and `inherits` (parent role
 * held by the child, memberKind role).
 */
export function toDesired(project: Project, dialect: Dialect, opts: ToDesiredOptions = {}): DesiredResult {
  const diags: Diagnostic[] = [];
  const platform = dialect.platform;
  const err = (code: DiagnosticCode, at: SourceLocation, msg: string, hint?: string): void => {
    diags.push(diag('error', code, at, msg, hint));
  };
  const fold = (p: NamePart, at: SourceLocation, what: string, f: (p: NamePart) => string): string => {
    const n = f(p);
    const bytes = Buffer.byteLength(n, 'utf8');
    if (bytes > dialect.maxIdentifierBytes) {
      err(
        'name-too-long',
        at,
        `${what} ${formatPath([p])} is ${bytes} bytes; ${platform} allows at most ${dialect.maxIdentifierBytes}`,
        'rbac never truncates names (a truncated name could match another role or object); shorten it',
      );
    }
    return n;
  };
  const norm = (p: NamePart, at: SourceLocation, what: string): string => fold(p, at, what, (x) => dialect.normalize(x));
  // Principals fold as the platform compares principals (Databricks: exactly, see its ident.ts).
  const normPrincipal = (p: NamePart, at: SourceLocation, what: string): string =>
    fold(p, at, what, (x) => (dialect.normalizePrincipal ?? dialect.normalize)(x));
  const catalog = catalogFor(platform);
  const normRole = (r: { name: NamePart; database?: NamePart }, at: SourceLocation): string => {
    const name = normPrincipal(r.name, at, 'role name');
    if (!catalog.databaseRoles) return r.database ? databaseRoleName(norm(r.database, at, 'database name'), name) : name;
    const dotted = (n: string, what: string) => {
      if (n.includes('.')) err('bad-value', at, `the ${what} ${JSON.stringify(n)} holds a dot, which on ${platform} reads as a database role (database.role)`, 'rename it without the dot');
    };
    dotted(name, r.database ? 'database role name' : 'role name');
    if (!r.database) return name;
    const db = norm(r.database, at, 'database name');
    dotted(db, 'database of a database role');
    return databaseRoleName(db, name);
  };
  const usersById = new Map(project.users.map((u) => [neutralId([u.name]), u]));
  const rolesById = new Set(project.roles.filter((r) => !r.database).map((r) => neutralId([r.name])));
  /** A user's principal name: on Databricks a service principal's application id (its name in SCIM and GRANT), else its user name. */
  const principalOfUser = (u: Project['users'][number], at: SourceLocation): string =>
    platform === 'databricks' && u.servicePrincipal && u.applicationId !== undefined ? u.applicationId : normPrincipal(u.name, at, 'user name');
  const granteeUsers = new Set<string>();
  const normGrantee = (r: { name: NamePart; database?: NamePart }, at: SourceLocation): string => {
    const user = !r.database && !rolesById.has(neutralId([r.name])) ? usersById.get(neutralId([r.name])) : undefined;
    if (!user) return normRole(r, at);
    // Unity Catalog grants to any principal; Snowflake and PostgreSQL configurations grant to roles.
    if (platform !== 'databricks') {
      err('platform-unsupported', at, `grant to user ${formatPath([r.name])}: ${platform} grants privileges to roles, not to users`, 'grant to a role the user holds (members:), or keep this grant in a configuration for Databricks');
    }
    const name = principalOfUser(user, at);
    granteeUsers.add(name);
    return name;
  };
  const recipients = new Set(
    project.users.filter((u) => u.recipient).map((u) => {
      if (platform !== 'databricks') err('platform-unsupported', u.source, `user ${formatPath([u.name])} is a Delta Sharing recipient, which only Databricks has`, 'keep recipients in a configuration for Databricks targets');
      return principalOfUser(u, u.source);
    }),
  );
  const ctx: NormalizeContext = { dialect, catalog, err, norm, normRole, normGrantee, principalOfUser, recipients };
  const { roles, users, memberships } = desiredRoles(project, ctx, opts);
  const grants = desiredGrants(project, ctx);
  const policies = desiredPolicies(project, ctx);
  return {
    desired: {
      platform,
      roles,
      // Users and service principals named as members or as grantees, which readers resolve.
      users: granteeUsers.size ? [...new Set([...users, ...granteeUsers])].sort() : users,
      ...(recipients.size ? { recipients: [...recipients].filter((r) => granteeUsers.has(r)).sort() } : {}),
      memberships,
      grants: grants.grants,
      schemaWide: grants.schemaWide,
      ...(grants.patterns.length ? { patterns: grants.patterns } : {}),
      ...(grants.named.length ? { named: grants.named } : {}),
      futureGrants: [],
      maskingPolicies: policies.maskingPolicies,
      rowAccessPolicies: policies.rowAccessPolicies,
      phi: policies.phi,
      ...(policies.columnTags.length ? { columnTags: policies.columnTags } : {}),
      expressions: policies.expressions,
    },
    diagnostics: diags,
  };
}

/** Roles, the users named as members, and memberships. */
function desiredRoles(project: Project, ctx: NormalizeContext, opts: ToDesiredOptions): { roles: RoleRecord[]; users: string[]; memberships: MembershipRecord[] } {
  const { dialect, err } = ctx;
  const platform = dialect.platform;
  const roles: RoleRecord[] = [];
  const usersById = new Map(project.users.map((u) => [neutralId([u.name]), u]));
  const roleSeen = new Map<string, SourceLocation>();
  // Each role's name, normalized (and its problems reported) once.
  const normalized = new Map<Project['roles'][number], string>();
  const absent = new Set<string>();
  for (const r of project.roles) {
    if (r.database && !ctx.catalog.databaseRoles) {
      err('platform-unsupported', r.databaseSource ?? r.source, `${platform} has no database roles (role ${formatPath([r.database, r.name])})`, 'database roles exist on Snowflake; keep this role in a configuration for Snowflake targets');
      continue;
    }
    const name = ctx.normRole(r, r.source);
    normalized.set(r, name);
    const first = roleSeen.get(name);
    if (first) {
      err('name-collision', r.source, `role ${formatPath([r.name])} becomes ${name} on ${platform}, like the role at ${fmt(first)}`, 'rename one of them');
      continue;
    }
    roleSeen.set(name, r.source);
    if (r.state === 'absent') {
      absent.add(name);
      if (opts.omitAbsent) continue;
    }
    const rec: RoleRecord = { key: roleKey(name), name, state: r.state, source: r.source };
    if (r.description !== undefined) rec.description = r.description;
    if (r.owner !== undefined) rec.owner = r.owner;
    if (r.justification !== undefined) rec.justification = r.justification;
    roles.push(rec);
  }

  const users = new Set<string>();
  const userSeen = new Map<string, SourceLocation>();
  for (const u of project.users) {
    const name = ctx.principalOfUser(u, u.source);
    const first = userSeen.get(name);
    if (first) err('name-collision', u.source, `user ${formatPath([u.name])} becomes ${name} on ${platform}, like the user at ${fmt(first)}`);
    userSeen.set(name, u.source);
    // One namespace (PostgreSQL): a user and a role of one name are one principal.
    const role = roleSeen.get(name);
    if (role && ctx.catalog.usersAreRoles) {
      err('name-collision', u.source, `${formatPath([u.name])} is defined both as a user and as a role (${fmt(role)}); on ${platform} they are one principal`, 'rename one of them: a PostgreSQL user is a role that can log in');
    }
  }

  const memberships: MembershipRecord[] = [];
  const memberSeen = new Set<string>();
  const addMembership = (m: Omit<MembershipRecord, 'key'>): void => {
    const rec = makeMembership(m);
    if (memberSeen.has(rec.key)) return; // same membership written twice after folding: harmless
    memberSeen.add(rec.key);
    memberships.push(rec);
  };
  for (const r of project.roles) {
    const role = normalized.get(r);
    if (role === undefined) continue;
    if (absent.has(role)) continue; // an absent role is dropped; it gets no members
    for (const m of r.members) {
      const def = usersById.get(neutralId([m.name]));
      if (def?.recipient) {
        err('bad-value', m.source, `${formatPath([m.name])} is a Delta Sharing recipient: a recipient is no member of a group`, 'remove it from members: and grant it SELECT on the share instead');
        continue;
      }
      // Members name users of users: (the loader checks): a service principal by its application id.
      const member = def ? ctx.principalOfUser(def, m.source) : ctx.normRole({ name: m.name }, m.source);
      users.add(member);
      const temporary = m.temporary
        ? { until: m.temporary.until, ...(m.temporary.since ? { since: m.temporary.since } : {}), ...(m.temporary.reason !== undefined ? { reason: m.temporary.reason } : {}), ...(r.breakGlass ? { breakGlass: true } : {}) }
        : undefined;
      addMembership({ role, member, memberKind: 'user', source: m.source, ...(temporary ? { temporary } : {}) });
    }
    for (const parent of r.inherits) {
      const p = ctx.normRole(parent, parent.source);
      if (absent.has(p)) continue;
      addMembership({ role: p, member: role, memberKind: 'role', source: parent.source });
    }
  }

  return { roles, users: [...users].sort(), memberships };
}
