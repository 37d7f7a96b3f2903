/**
 * Change -> Snowflake SQL. Pure; every identifier goes through the dialect quoter and
 * every privilege word and kind word comes from the catalog (catalog.ts). Policy changes
 * are compiled in policies.ts; compileSnowflakePlan compiles a whole plan and adds the
 * statements that make the `hash` mask's salt and the `surrogate` mask's mapping table
 * before the first change that reads each.
 *
 * OWNERSHIP: Snowflake never revokes ownership, it transfers it. A grant of
 * `ownership` compiles to `GRANT OWNERSHIP ... TO ROLE r COPY CURRENT GRANTS` (a
 * transfer that keeps the object's other grants); a revoke of `ownership` compiles to
 * NO statement: taking ownership away from a managed role would need a new owner the
 * configuration does not name, and a REVOKE OWNERSHIP is an error on Snowflake. The
 * object keeps its owner until the configuration grants ownership to another role.
 */
import { compileSnowflakePolicy, saltBootstrap, saltDatabase, saltTableRef, SNOWFLAKE_TOOL_SCHEMA, surrogateBootstrap, surrogateDatabase, surrogateTableRef } from './policies.js';
import { columnKey } from '../../model/keys.js';
import type { MaskingPolicyRecord } from '../../model/types.js';
import { saltOnce } from '../salt-once.js';
import { objectKey, databaseRoleParts } from '../../model/keys.js';
import type { Statement } from '../../apply/types.js';
import { kindSql, privilegeSql } from '../../model/catalog.js';
import { RbacError } from '../../model/errors.js';
import { KIND_SHAPES } from '../../model/kinds.js';
import type { FutureObjectType, ObjectRef, Privilege, SecurableKind } from '../../model/types.js';
import { assertNever, isPolicyChange, type Change, type Plan } from '../../plan/types.js';
import type { CompileContext } from '../types.js';
import { SNOWFLAKE_CATALOG } from './catalog.js';
import { encodeRoleComment, snowflakeDialect } from './quote.js';

const q = (name: string) => snowflakeDialect.quoteIdent(name);

/** The SQL keyword of a privilege on a kind, from the catalog (a word it does not list is a plan error). */
function privilegeWord(kind: SecurableKind, p: Privilege): string {
  return privilegeSql(SNOWFLAKE_CATALOG, kind, p);
}

/** `DATABASE "D"`, `SCHEMA "D"."S"`, `TABLE "D"."S"."T"`, `WAREHOUSE "W"`, `ACCOUNT`: the catalog's words for the live kind. */
export function snowflakeObject(o: ObjectRef): string {
  const words = kindSql(SNOWFLAKE_CATALOG, o.kind);
  switch (KIND_SHAPES[o.kind]) {
    case 'database':
      return `${words} ${q(o.database)}`;
    case 'schema':
      return `${words} ${q(o.database)}.${q(need(o.schema, 'schema'))}`;
    case 'in-schema':
      return `${words} ${q(o.database)}.${q(need(o.schema, 'schema'))}.${q(need(o.name, 'name'))}${o.signature !== undefined ? signatureSql(o.signature) : ''}`;
    case 'in-database':
      return `${words} ${q(o.database)}.${q(need(o.name, 'name'))}`;
    case 'account':
      return words;
    case 'global':
      return `${words} ${q(need(o.name, 'name'))}`;
  }
}

/**
 * A routine's argument types as Snowflake writes them in GRANT: `(VARCHAR, NUMBER(38,0))`.
 * Only the canonical form (wordSignature) passes; nothing else reaches SQL.
 */
function signatureSql(signature: string): string {
  if (!/^\((?:[A-Z_][A-Z0-9_ ]*(?:\(\d+(?:,\d+)?\))?(?:, )?)*\)$/.test(signature)) {
    throw new RbacError('PLAN_INVALID', `not a canonical Snowflake signature: ${JSON.stringify(signature)}`);
  }
  return signature;
}

/** The kind whose future grants name `type` (`tables` -> table) and the SQL words of the type, from the catalog. */
function futureKind(type: FutureObjectType, level: 'schema' | 'database'): { kind: SecurableKind; sql: string } {
  for (const def of Object.values(SNOWFLAKE_CATALOG.kinds)) {
    if (def?.future?.type === type && def.future.levels.includes(level)) return { kind: def.kind, sql: def.future.sql ?? type.toUpperCase() };
  }
  throw new RbacError('PLAN_INVALID', `Snowflake has no future grants on ${type} in a ${level}`);
}

function need(v: string | undefined, what: string): string {
  if (v === undefined) throw new RbacError('PLAN_INVALID', `object reference without a ${what}`);
  return v;
}

function noColumns(columns: string[] | undefined): void {
  if (columns && columns.length) {
    throw new RbacError(
      'PLAN_INVALID',
      'Snowflake has no column-level GRANT',
      'restrict columns with a masking policy (a later step) or a secure view',
    );
  }
}

function commentClause(meta: { description?: string; owner?: string }): string | undefined {
  const c = encodeRoleComment(meta);
  return c === undefined ? undefined : snowflakeDialect.quoteLiteral(c);
}

/**
 * `ROLE "A"`, or `DATABASE ROLE "EHR"."PHI_READER"` for a database role: in the model a
 * role name with a dot is a database role, `<database>.<name>` (config/normalize.ts;
 * no account role name and no part of a database role holds a dot on Snowflake).
 */
export function roleSql(name: string): string {
  const [kind, quoted] = roleWords(name);
  return `${kind} ${quoted}`;
}

/** `['ROLE', '"A"']` or `['DATABASE ROLE', '"EHR"."R"']`: CREATE and DROP put IF [NOT] EXISTS between the two. */
function roleWords(name: string): [string, string] {
  const db = databaseRoleParts(name);
  if (!db) return ['ROLE', q(name)];
  if (db.role.includes('.')) throw new RbacError('PLAN_INVALID', `not a database role name: ${JSON.stringify(name)}`);
  return ['DATABASE ROLE', `${q(db.database)}.${q(db.role)}`];
}

function grantee(kind: 'user' | 'role', name: string): string {
  if (kind === 'user') return `USER ${q(name)}`;
  return roleSql(name);
}

/**
 * A database made from a share takes IMPORTED PRIVILEGES only: v0.1's `usage` there (which
 * SHOW GRANTS also lists it as) is granted and revoked as IMPORTED PRIVILEGES, where the
 * reader saw the database is shared (ctx.importedDatabases).
 */
function sharedWords(o: ObjectRef, privileges: readonly Privilege[], ctx: CompileContext): Privilege[] {
  if (o.kind !== 'database' || !ctx.importedDatabases?.includes(o.database)) return [...privileges];
  return [...new Set(privileges.map((p) => (p === 'usage' ? 'imported_privileges' : p)))];
}

export function compileSnowflake(change: Change, _ctx: CompileContext = {}): string[] {
  if (isPolicyChange(change)) return compileSnowflakePolicy(change, _ctx);
  switch (change.kind) {
    case 'createRole': {
      const c = commentClause(change);
      const [kind, name] = roleWords(change.role);
      return [`CREATE ${kind} IF NOT EXISTS ${name}${c ? ` COMMENT = ${c}` : ''}`];
    }
    case 'alterRole': {
      const c = commentClause(change.to);
      return [c ? `ALTER ${roleSql(change.role)} SET COMMENT = ${c}` : `ALTER ${roleSql(change.role)} UNSET COMMENT`];
    }
    case 'dropRole': {
      const [kind, name] = roleWords(change.role);
      return [`DROP ${kind} IF EXISTS ${name}`];
    }
    case 'grantMembership':
      return [`GRANT ${roleSql(change.role)} TO ${grantee(change.memberKind, change.member)}`];
    case 'revokeMembership':
      return [`REVOKE ${roleSql(change.role)} FROM ${grantee(change.memberKind, change.member)}`];
    case 'grant': {
      noColumns(change.columns);
      const obj = snowflakeObject(change.object);
      const plain = sharedWords(change.object, change.privileges, _ctx).filter((p) => p !== 'ownership');
      const out: string[] = [];
      if (plain.length) {
        const option = change.grantOption ? ' WITH GRANT OPTION' : '';
        out.push(`GRANT ${plain.map((p) => privilegeWord(change.object.kind, p)).join(', ')} ON ${obj} TO ${roleSql(change.role)}${option}`);
      }
      // Ownership is a transfer; COPY CURRENT GRANTS keeps every other grant on the object.
      if (change.privileges.includes('ownership')) {
        privilegeWord(change.object.kind, 'ownership');
        out.push(`GRANT OWNERSHIP ON ${obj} TO ${roleSql(change.role)} COPY CURRENT GRANTS`);
      }
      return out;
    }
    case 'revoke': {
      noColumns(change.columns);
      // Ownership is never revoked (see the module comment): it is left out here.
      const plain = sharedWords(change.object, change.privileges, _ctx).filter((p) => p !== 'ownership');
      if (!plain.length) return [];
      // Snowflake's default is RESTRICT: a grant option the role used is refused loudly
      // (its error names the dependent grants); CASCADE only when the plan found them managed.
      const what = change.grantOptionOnly ? 'GRANT OPTION FOR ' : '';
      return [
        `REVOKE ${what}${plain.map((p) => privilegeWord(change.object.kind, p)).join(', ')} ON ${snowflakeObject(change.object)} FROM ${roleSql(change.role)}${change.cascade ? ' CASCADE' : ''}`,
      ];
    }
    case 'grantFuture':
    case 'revokeFuture': {
      if (change.forRole !== undefined) {
        throw new RbacError('PLAN_INVALID', 'Snowflake future grants have no creating role (forRole is Postgres only)');
      }
      const level = change.schema.kind === 'database' ? 'database' : 'schema';
      const { kind, sql: type } = futureKind(change.objectType, level);
      const container =
        level === 'database' ? `DATABASE ${q(change.schema.database)}` : `SCHEMA ${q(change.schema.database)}.${q(need(change.schema.schema, 'schema'))}`;
      const on = `ON FUTURE ${type} IN ${container}`;
      // Future ownership is its own statement (Snowflake refuses OWNERSHIP in a list);
      // there are no current grants to copy on objects that do not exist yet.
      const plain = change.privileges.filter((p) => p !== 'ownership');
      const out: string[] = [];
      if (plain.length) {
        const privs = plain.map((p) => privilegeWord(kind, p)).join(', ');
        out.push(
          change.kind === 'grantFuture'
            ? `GRANT ${privs} ${on} TO ${roleSql(change.role)}${change.grantOption ? ' WITH GRANT OPTION' : ''}`
            : `REVOKE ${privs} ${on} FROM ${roleSql(change.role)}`,
        );
      }
      if (change.privileges.includes('ownership')) {
        privilegeWord(kind, 'ownership');
        out.push(change.kind === 'grantFuture' ? `GRANT OWNERSHIP ${on} TO ${roleSql(change.role)}` : `REVOKE OWNERSHIP ${on} FROM ${roleSql(change.role)}`);
      }
      return out;
    }
    default:
      return assertNever(change);
  }
}

/**
 * Compile every change of a plan; each statement names the change it came from. The
 * salt of a database (policies.ts, saltBootstrap) is made right before the first change
 * whose statements read it, once, unless the live state already holds it
 * (`ctx.toolObjects`). A database whose schema RBAC exists without rbac's marker
 * (`ctx.foreignToolSchemas`) is refused rather than used: the salt would sit in
 * someone else's schema. `skip` may turn a change's compile error into a reason to
 * leave that change out (offline planning); it returns whether it did.
 */
export function compileSnowflakePlan(plan: Plan, ctx: CompileContext = {}, skip?: (e: unknown, change: Change) => boolean): Statement[] {
  const out: Statement[] = [];
  const have = new Set(ctx.toolObjects ?? []);
  const saltFirst = saltOnce({
    containerOf: saltDatabase,
    exists: (db) => have.has(objectKey(saltTableRef(db))),
    foreign: ctx.foreignToolSchemas ?? [],
    bootstrap: (db) => saltBootstrap(db, ctx.newObjectGrantees?.[db] ?? []),
    refusal: (db) => [
      `database ${db} has a schema ${SNOWFLAKE_TOOL_SCHEMA} that rbac did not make; the hash mask keeps its secret salt in ${db}.${SNOWFLAKE_TOOL_SCHEMA}`,
      `rename that schema (rbac reserves ${SNOWFLAKE_TOOL_SCHEMA} in every database holding a hash policy), or mask with another mask`,
    ],
  });
  // The surrogate mask's mapping table (policies.ts, surrogateBootstrap): the same way,
  // in the same tool schema; a database with only surrogate policies gets no salt.
  const mapFirst = saltOnce({
    containerOf: surrogateDatabase,
    exists: (db) => have.has(objectKey(surrogateTableRef(db))),
    foreign: ctx.foreignToolSchemas ?? [],
    bootstrap: (db) => surrogateBootstrap(db, ctx.newObjectGrantees?.[db] ?? []),
    refusal: (db) => [
      `database ${db} has a schema ${SNOWFLAKE_TOOL_SCHEMA} that rbac did not make; the surrogate mask keeps its mapping table in ${db}.${SNOWFLAKE_TOOL_SCHEMA}`,
      `rename that schema (rbac reserves ${SNOWFLAKE_TOOL_SCHEMA} in every database holding a hash or surrogate policy), or mask with another mask`,
    ],
  });
  // Which of rbac's policies masks each column as the plan goes (from the live ones,
  // ctx.livePolicies): a surrogate fill reads a column still masked by one through it.
  const masked = new Map<string, MaskingPolicyRecord>();
  for (const p of ctx.livePolicies?.masking ?? []) for (const col of p.columns) masked.set(columnKey(col), p);
  const follow = (c: Change) => {
    if (c.kind === 'createMaskingPolicy') for (const col of c.policy.columns) masked.set(columnKey(col), c.policy);
    else if (c.kind === 'attachMaskingPolicy') masked.set(columnKey(c.column), c.policy);
    else if (c.kind === 'detachMaskingPolicy') masked.delete(columnKey(c.column));
    else if (c.kind === 'dropMaskingPolicy') for (const col of c.policy.columns) masked.delete(columnKey(col));
    else if (c.kind === 'alterMaskingPolicy') for (const col of c.to.columns) if (masked.get(columnKey(col))?.name === c.from.name) masked.set(columnKey(col), c.to);
  };
  plan.changes.forEach((c, changeIndex) => {
    let texts: string[];
    try {
      texts = isPolicyChange(c) ? compileSnowflakePolicy(c, ctx, (col) => masked.get(columnKey(col))) : compileSnowflake(c, ctx);
    } catch (e) {
      if (skip?.(e, c)) return;
      throw e;
    } finally {
      follow(c);
    }
    for (const sql of [...saltFirst(c), ...mapFirst(c), ...texts]) out.push({ sql, changeIndex });
  });
  return out;
}

