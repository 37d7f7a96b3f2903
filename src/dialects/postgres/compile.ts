/**
 * Plan -> PostgreSQL statements. Pure: no I/O, no clock. Every identifier goes through
 * `quoteIdent`, every keyword comes from the catalog (catalog.ts) through sql.ts, and
 * the switch over `Change` ends in `assertNever`.
 *
 * Policies compile per plan, not per change (a masking view depends on every policy of
 * its table: see policies.ts), so `compilePostgresPlan` is the entry point; it hands
 * policy changes to the plan's PolicyCompiler and compiles the rest here.
 *
 * Each statement names the logical database it runs in (`Statement.database`) when it
 * touches objects of one database; role statements and grants on a database itself
 * touch the cluster's shared catalogs and run on the first database's connection.
 */
import type { Change, Plan } from '../../plan/types.js';
import { assertNever, isPolicyChange } from '../../plan/types.js';
import type { CompileContext, Statement } from '../types.js';
import { quoteIdent } from './quote.js';
import { PolicyCompiler, policyDatabase } from './policies.js';
import { defaultPrivilegesSql, granteeSql, objectSql, privilegeList, roleCommentSql, encodeRoleComment } from './sql.js';

export { decodeRoleComment, encodeRoleComment, granteeSql, objectSql } from './sql.js';

/** Compile a whole plan (policies need the plan: see the file comment). */
export function compilePostgresPlan(plan: Plan, ctx: CompileContext): Statement[] {
  const policies = new PolicyCompiler(plan.changes, ctx);
  const out: Statement[] = [];
  plan.changes.forEach((change, changeIndex) => {
    if (isPolicyChange(change)) {
      for (const s of policies.compileStatements(change)) out.push({ sql: s.sql, changeIndex, database: s.database });
      return;
    }
    const database = changeDatabase(change);
    const phase = change.kind === 'createRole' || change.kind === 'dropRole' ? { phase: change.kind, role: change.role } : {};
    for (const sql of compilePostgres(change, ctx)) out.push(database === undefined ? { sql, changeIndex, ...phase } : { sql, changeIndex, database });
  });
  return out;
}

/**
 * The logical database a change's statements run in; undefined for what lives in the
 * cluster's shared catalogs (roles, memberships, grants on a database).
 */
export function changeDatabase(change: Change): string | undefined {
  if (isPolicyChange(change)) return policyDatabase(change);
  switch (change.kind) {
    case 'createRole':
    case 'alterRole':
    case 'dropRole':
    case 'grantMembership':
    case 'revokeMembership':
      return undefined;
    case 'grant':
    case 'revoke':
      return change.object.kind === 'database' ? undefined : change.object.database;
    case 'grantFuture':
    case 'revokeFuture':
      return change.schema.database;
    default:
      return assertNever(change);
  }
}

/** Compile one change that is not a policy change into PostgreSQL statements (no trailing semicolons). */
export function compilePostgres(change: Change, ctx: CompileContext): string[] {
  if (isPolicyChange(change)) return new PolicyCompiler([change], ctx).compile(change);
  switch (change.kind) {
    case 'createRole': {
      const out = [`CREATE ROLE ${quoteIdent(change.role)} NOLOGIN`];
      if (encodeRoleComment(change) !== undefined) out.push(roleCommentSql(change.role, change));
      return out;
    }
    case 'alterRole':
      return [roleCommentSql(change.role, change.to)];
    case 'dropRole':
      return [`DROP ROLE ${quoteIdent(change.role)}`];
    case 'grantMembership':
      return [`GRANT ${quoteIdent(change.role)} TO ${quoteIdent(change.member)}`];
    case 'revokeMembership':
      return [`REVOKE ${quoteIdent(change.role)} FROM ${quoteIdent(change.member)}`];
    case 'grant': {
      const option = change.grantOption ? ' WITH GRANT OPTION' : '';
      return [`GRANT ${privilegeList(change.privileges, change.object, change.columns)} ON ${objectSql(change.object, ctx)} TO ${granteeSql(change.role)}${option}`];
    }
    case 'revoke': {
      const what = change.grantOptionOnly ? 'GRANT OPTION FOR ' : '';
      const cascade = change.cascade ? ' CASCADE' : '';
      return [
        `REVOKE ${what}${privilegeList(change.privileges, change.object, change.columns)} ON ${objectSql(change.object, ctx)} FROM ${granteeSql(change.role)}${cascade}`,
      ];
    }
    case 'grantFuture':
      return [defaultPrivilegesSql('grant', change)];
    case 'revokeFuture':
      return [defaultPrivilegesSql('revoke', change)];
    default:
      return assertNever(change);
  }
}
