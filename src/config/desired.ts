/**
 * toDesired: normalize a Project for one target dialect into the canonical Desired
 * model the planner compares with the live state. Platform-specific checks (name
 * length, privileges of the platform, column grants) happen here, not at load.
 */
import type { Dialect, IntrospectScope, NamePart } from '../dialects/types.js';
import {
  columnKey,
  makeGrant,
  makeMembership,
  makeObject,
  maskingPolicyKey,
  objectKey,
  roleKey,
  rowAccessPolicyKey,
  schemaOf,
} from '../model/keys.js';
import { COLUMN_PRIVILEGES, PRIVILEGES } from '../model/privileges.js';
import {
  PUBLIC_ROLE,
  type ColumnRef,
  type Desired,
  type GrantRecord,
  type MaskingPolicyRecord,
  type RowAccessPolicyRecord,
  type MembershipRecord,
  type ObjectRef,
  type Privilege,
  type RoleRecord,
  type SchemaWideGrant,
  type SourceLocation,
} from '../model/types.js';
import type { ManagedScope } from '../plan/types.js';
import { diag, type Diagnostic, type DiagnosticCode } from './diagnostics.js';
import { formatPath, isPublicName } from './names.js';
import { ExpressionError, type ExpressionPolicy, type ExpressionUse } from '../model/expressions.js';
import type { GrantDef, Project } from './project.js';

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

const fmt = (l: SourceLocation): string => `${l.file}:${l.line}:${l.column}`;

/**
 * Normalize every name with `dialect.normalize`, refuse names longer than
 * `dialect.maxIdentifierBytes` (UTF-8 bytes; never truncated), check privileges
 * against `PRIVILEGES[dialect.platform]`, expand `all` (every privilege of the kind on
 * the platform except `ownership`, which is transferred, never granted), and build
 * records with canonical keys: one GrantRecord per privilege (and per column), one
 * SchemaWideGrant per privilege for `objects: tables`, memberships for `members`
 * (memberKind user) and `inherits` (parent role held by the child, memberKind role).
 */
export function toDesired(project: Project, dialect: Dialect, opts: ToDesiredOptions = {}): DesiredResult {
  const diags: Diagnostic[] = [];
  const platform = dialect.platform;
  const err = (code: DiagnosticCode, at: SourceLocation, msg: string, hint?: string): void => {
    diags.push(diag('error', code, at, msg, hint));
  };

  /** Normalize one part and enforce the platform's identifier length. */
  const norm = (p: NamePart, at: SourceLocation, what: string): string => {
    const n = dialect.normalize(p);
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
  const normObject = (parts: NamePart[], kind: ObjectRef['kind'], isView: boolean, at: SourceLocation): ObjectRef => {
    const [db, schema, name] = parts.map((p) => norm(p, at, 'name'));
    const o = makeObject(kind, db, schema, name);
    if (isView) o.isView = true;
    return o;
  };

  const roles: RoleRecord[] = [];
  const roleSeen = new Map<string, SourceLocation>();
  const absent = new Set<string>();
  for (const r of project.roles) {
    const name = norm(r.name, r.source, 'role name');
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
    const name = norm(u.name, u.source, 'user name');
    const first = userSeen.get(name);
    if (first) err('name-collision', u.source, `user ${formatPath([u.name])} becomes ${name} on ${platform}, like the user at ${fmt(first)}`);
    userSeen.set(name, u.source);
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
    const role = dialect.normalize(r.name);
    if (absent.has(role)) continue; // an absent role is dropped; it gets no members
    for (const m of r.members) {
      const member = norm(m.name, m.source, 'user name');
      users.add(member);
      addMembership({ role, member, memberKind: 'user', source: m.source });
    }
    for (const parent of r.inherits) {
      const p = norm(parent.name, parent.source, 'role name');
      if (absent.has(p)) continue;
      addMembership({ role: p, member: role, memberKind: 'role', source: parent.source });
    }
  }

  const grants: GrantRecord[] = [];
  const schemaWide: SchemaWideGrant[] = [];
  const grantSeen = new Map<string, SourceLocation>();
  for (const g of project.grants) {
    if (g.platforms && !g.platforms.includes(platform)) continue;
    const role = g.isPublic ? PUBLIC_ROLE : norm(g.role, g.roleSource, 'role name');
    const privs = privilegesFor(g, platform, err);
    if (g.grantOption && platform === 'databricks') {
      err(
        'platform-unsupported',
        g.grantOptionSource ?? g.source,
        'Databricks Unity Catalog has no grant option (WITH GRANT OPTION)',
        "grant MANAGE to let a group grant on, or leave this grant out on Databricks with platforms:",
      );
      continue;
    }
    const option = g.grantOption ? { grantOption: true } : {};
    if (g.objects === 'tables') {
      const schema = normObject(g.object.parts, 'schema', false, g.objectSource);
      const seen = new Set<string>();
      for (const privilege of privs) {
        const id = `${privilege}|${objectKey(schema)}|${role}`;
        if (seen.has(id)) continue;
        seen.add(id);
        schemaWide.push({ role, privilege, schema, objectType: 'tables', source: g.source, ...option });
      }
      continue;
    }
    const object = normObject(g.object.parts, g.object.kind, g.object.isView, g.objectSource);
    const columns = g.columns?.map((c) => norm(c.name, c.source, 'column name'));
    if (columns && platform !== 'postgres') {
      err(
        'platform-unsupported',
        g.objectSource,
        `${platform} has no column-level grants (grant on ${formatPath(g.object.parts)} columns ${g.columns!.map((c) => formatPath([c.name])).join(', ')})`,
        'grant the table and hide the columns with a masking policy',
      );
      continue;
    }
    for (const privilege of privs) {
      for (const column of columns ?? [undefined]) {
        const rec = makeGrant(column === undefined ? { role, privilege, object, source: g.source, ...option } : { role, privilege, object, column, source: g.source, ...option });
        const first = grantSeen.get(rec.key);
        if (first) {
          if (first !== g.source) {
            err('duplicate-grant', g.source, `grant ${rec.key} is also defined at ${fmt(first)} (the names fold to the same on ${platform})`);
          }
          continue;
        }
        grantSeen.set(rec.key, g.source);
        grants.push(rec);
      }
    }
  }

  // --- custom SQL: parsed by the platform's grammar, kept as re-printed ----------------
  const expressions = expressionPolicy(project, dialect, err);
  /**
   * The expression re-printed from its parse tree (what the plan shows and runs), or
   * undefined after reporting why it was refused, at its place in the file.
   */
  const checkExpression = (text: string, use: ExpressionUse, at: SourceLocation, what: string): string | undefined => {
    try {
      const checked = dialect.expressions.check(text, use, expressions);
      // A Snowflake masking policy or Databricks mask function sees only the value it
      // masks; PostgreSQL's masking view can read the row's other columns.
      if (use === 'mask' && platform !== 'postgres' && checked.columns.length) {
        err(
          'bad-expression',
          at,
          `${what} reads column${checked.columns.length > 1 ? 's' : ''} ${checked.columns.join(', ')}: a ${platform} mask sees only the masked value`,
          'write the mask over {value} alone',
        );
        return undefined;
      }
      return checked.text;
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      const where = e.position !== undefined ? ` (at character ${e.position} of the expression)` : '';
      err(
        'bad-expression',
        at,
        `${what} is refused: ${e.message}${where}`,
        use === 'mask'
          ? `write one ${platform} SQL expression with {value} where the column's value goes`
          : `write one ${platform} SQL boolean expression over the table's columns`,
      );
      return undefined;
    }
  };

  // --- classification and policies -------------------------------------------------
  const columnRef = (parts: NamePart[], at: SourceLocation): ColumnRef | undefined => {
    if (parts.length !== 4) {
      err('bad-value', at, `column ${formatPath(parts)} must be written database.schema.table.column`);
      return undefined;
    }
    const [db, schema, table, column] = parts.map((p) => norm(p, at, 'name'));
    return { table: makeObject('table', db, schema, table), column };
  };
  const sortColumns = (cs: ColumnRef[]): ColumnRef[] => {
    const m = new Map(cs.map((c) => [columnKey(c), c]));
    return [...m.keys()].sort().map((k) => m.get(k)!);
  };
  const roleList = (refs: { name: NamePart; source: SourceLocation }[]): string[] =>
    [...new Set(refs.map((r) => (isPublicName(r.name) ? PUBLIC_ROLE : norm(r.name, r.source, 'role name'))))].sort();

  const phi: { column: ColumnRef; category: string }[] = [];
  for (const d of project.phi) {
    const c = columnRef(d.column, d.source);
    if (c) phi.push({ column: c, category: d.category });
  }

  const maskingPolicies: MaskingPolicyRecord[] = [];
  const maskedColumns = new Map<string, SourceLocation>();
  for (const m of project.maskingPolicies) {
    const name = norm(m.name, m.source, 'policy name');
    const columns = sortColumns(m.columns.map((c) => columnRef(c.path, c.source)).filter((c): c is ColumnRef => c !== undefined));
    for (const c of m.columns) {
      const ref = columnRef(c.path, c.source);
      if (!ref) continue;
      const first = maskedColumns.get(columnKey(ref));
      if (first) err('duplicate-grant', c.source, `column ${formatPath(c.path)} is already masked by the policy at ${fmt(first)}`, 'a column takes one masking policy');
      else maskedColumns.set(columnKey(ref), c.source);
    }
    if (columns.length === 0) continue;
    const rec: MaskingPolicyRecord = {
      key: maskingPolicyKey(name),
      name,
      schema: schemaOf(columns[0].table),
      unmaskedFor: roleList(m.unmaskedFor),
      columns,
      source: m.source,
    };
    if (m.mask !== undefined) rec.mask = m.mask;
    else {
      const expr = m.expression?.[platform];
      if (expr === undefined) {
        err(
          'platform-unsupported',
          m.source,
          `masking policy ${formatPath([m.name])} has no expression for ${platform}`,
          `add expression.${platform}, written in ${platform} SQL with {value} for the column, or use a built-in mask`,
        );
        continue;
      }
      const checked = checkExpression(expr, 'mask', m.expressionSource?.[platform] ?? m.source, `the ${platform} expression of masking policy ${formatPath([m.name])}`);
      if (checked === undefined) continue;
      rec.expression = checked;
    }
    maskingPolicies.push(rec);
  }

  const rowAccessPolicies: RowAccessPolicyRecord[] = [];
  for (const r of project.rowAccessPolicies) {
    const name = norm(r.name, r.source, 'policy name');
    if (r.table.length !== 3) {
      err('bad-value', r.source, `table ${formatPath(r.table)} must be written database.schema.table`);
      continue;
    }
    const table = normObject(r.table, 'table', false, r.source);
    const wheres = r.allow.map((a) => checkExpression(a.where, 'where', a.whereSource ?? a.source, `the where of row access policy ${formatPath([r.name])}`));
    if (wheres.some((w) => w === undefined)) continue;
    rowAccessPolicies.push({
      key: rowAccessPolicyKey(name),
      name,
      schema: schemaOf(table),
      table,
      rules: r.allow.map((a, i) => ({ roles: roleList(a.roles), where: wheres[i]! })),
      source: r.source,
    });
  }

  return {
    desired: {
      platform,
      roles,
      users: [...users].sort(),
      memberships,
      grants,
      schemaWide,
      futureGrants: [],
      maskingPolicies,
      rowAccessPolicies,
      phi,
      expressions,
    },
    diagnostics: diags,
  };
}

function privilegesFor(
  g: GrantDef,
  platform: Desired['platform'],
  err: (code: 'bad-privilege', at: SourceLocation, msg: string, hint?: string) => void,
): Privilege[] {
  const kind = g.objects === 'tables' ? 'table' : g.object.kind;
  let allowed: readonly Privilege[] = PRIVILEGES[platform][kind];
  let what = g.objects === 'tables' ? 'tables' : g.object.isView ? 'a view' : `a ${kind}`;
  if (g.columns) {
    allowed = allowed.filter((p) => COLUMN_PRIVILEGES.includes(p));
    what = 'columns';
  }
  const out: Privilege[] = [];
  for (const p of g.privileges) {
    if (p.word === 'all') {
      for (const x of allowed) if (x !== 'ownership' && !out.includes(x)) out.push(x);
      continue;
    }
    if (!allowed.includes(p.word)) {
      err('bad-privilege', p.source, `privilege ${p.word} does not apply to ${what} on ${platform}`, `${platform} privileges on ${what}: ${allowed.join(', ')}`);
      continue;
    }
    if (!out.includes(p.word)) out.push(p.word);
  }
  return out;
}


/**
 * `expressions:` of rbac.yaml for one dialect: every name `database.schema.name` with
 * each part normalized, joined with `.` (see ExpressionPolicy). A part holding a dot
 * would make the join ambiguous, so it is refused.
 */
function expressionPolicy(
  project: Project,
  dialect: Dialect,
  err: (code: DiagnosticCode, at: SourceLocation, msg: string, hint?: string) => void,
): ExpressionPolicy {
  const names = (list: Project['expressions']['functions'], what: string): string[] => {
    const out: string[] = [];
    for (const { path, source } of list) {
      if (path.length !== 3) {
        err('bad-value', source, `${what} ${formatPath(path)} must be written database.schema.name`);
        continue;
      }
      if (path.some((p) => p.text.includes('.'))) {
        err('invalid-name', source, `${what} ${formatPath(path)}: a name part holding "." cannot be listed here`, 'rename the object, or wrap it in a function whose name has no dot');
        continue;
      }
      out.push(path.map((p) => dialect.normalize(p)).join('.'));
    }
    return [...new Set(out)].sort();
  };
  return { functions: names(project.expressions.functions, 'function'), relations: names(project.expressions.relations, 'relation') };
}
