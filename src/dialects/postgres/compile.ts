/**
 * Change -> PostgreSQL SQL. Pure: no I/O, no clock. Every identifier goes through
 * `quoteIdent`, every privilege keyword comes from the closed tables below, and the
 * switch over `Change` ends in `assertNever`.
 *
 * Postgres objects live in the connected database, so the logical database part of a
 * schema or table name is never emitted; only `ON DATABASE` uses it, mapped to the
 * physical name through `ctx.databases`.
 */
import { compilePostgresPolicy } from './policies.js';
import type { Change } from '../../plan/types.js';
import { assertNever, isPolicyChange } from '../../plan/types.js';
import type { CompileContext } from '../types.js';
import type { ObjectRef, Privilege, SecurableKind } from '../../model/types.js';
import { PUBLIC_ROLE } from '../../model/types.js';
import { COLUMN_PRIVILEGES, type PrivilegeWords } from '../../model/privileges.js';
import { RbacError } from '../../model/errors.js';
import { quoteIdent, quoteLiteral } from './quote.js';

/**
 * The only privilege keywords that can reach SQL, per object kind. A privilege not in
 * the table for its kind is a plan error, never interpolated.
 */
export const POSTGRES_PRIVILEGES: PrivilegeWords = {
  database: { connect: 'CONNECT', create: 'CREATE', temporary: 'TEMPORARY' },
  schema: { usage: 'USAGE', create: 'CREATE' },
  table: {
    select: 'SELECT',
    insert: 'INSERT',
    update: 'UPDATE',
    delete: 'DELETE',
    truncate: 'TRUNCATE',
    references: 'REFERENCES',
    trigger: 'TRIGGER',
  },
};

function privSql(kind: SecurableKind, p: Privilege): string {
  const sql = POSTGRES_PRIVILEGES[kind][p];
  if (!sql) throw new RbacError('PLAN_INVALID', `privilege "${p}" cannot be granted on a ${kind} in PostgreSQL`);
  return sql;
}

/** Grantee: the PUBLIC pseudo-role is a keyword (quoted it would name a real role "PUBLIC"). */
export function granteeSql(role: string): string {
  return role === PUBLIC_ROLE ? 'PUBLIC' : quoteIdent(role);
}

/** `DATABASE "x"`, `SCHEMA "s"` or `TABLE "s"."t"` (TABLE also covers views). */
export function objectSql(o: ObjectRef, ctx: CompileContext): string {
  switch (o.kind) {
    case 'database':
      return `DATABASE ${quoteIdent(ctx.databases?.[o.database] ?? o.database)}`;
    case 'schema':
      return `SCHEMA ${quoteIdent(required(o.schema, 'schema', o))}`;
    case 'table':
      return `TABLE ${quoteIdent(required(o.schema, 'schema', o))}.${quoteIdent(required(o.name, 'name', o))}`;
    default:
      return assertNever(o.kind);
  }
}

function required(v: string | undefined, field: string, o: ObjectRef): string {
  if (v === undefined) throw new RbacError('PLAN_INVALID', `${o.kind} object without ${field}: ${JSON.stringify(o)}`);
  return v;
}

function privilegeList(privileges: Privilege[], object: ObjectRef, columns?: string[]): string {
  if (privileges.length === 0) throw new RbacError('PLAN_INVALID', 'grant/revoke change without privileges');
  if (columns === undefined) return privileges.map((p) => privSql(object.kind, p)).join(', ');
  if (object.kind !== 'table') throw new RbacError('PLAN_INVALID', `column privileges on a ${object.kind}`);
  if (columns.length === 0) throw new RbacError('PLAN_INVALID', 'column grant without columns');
  const cols = columns.map(quoteIdent).join(', ');
  return privileges
    .map((p) => {
      if (!COLUMN_PRIVILEGES.includes(p)) throw new RbacError('PLAN_INVALID', `privilege "${p}" cannot be granted on columns`);
      return `${privSql('table', p)} (${cols})`;
    })
    .join(', ');
}

/**
 * Role comment encoding: a JSON object `{"description":..,"owner":..}` with keys in that
 * order and absent fields omitted. JSON (rather than "text + owner: line") so that any
 * description, including one that itself holds "owner:" lines or newlines, reads back
 * byte-identical; `decodeRoleComment` is its exact inverse. Returns undefined when
 * there is nothing to record (the comment is then removed).
 */
export function encodeRoleComment(c: { description?: string; owner?: string }): string | undefined {
  const o: { description?: string; owner?: string } = {};
  if (c.description !== undefined) o.description = c.description;
  if (c.owner !== undefined) o.owner = c.owner;
  return Object.keys(o).length === 0 ? undefined : JSON.stringify(o);
}

/**
 * Inverse of `encodeRoleComment`. A comment that is not our JSON (written by hand) is
 * kept whole as the description, so a hand-edited comment shows up as a diff instead
 * of being lost.
 */
export function decodeRoleComment(comment: string | null | undefined): { description?: string; owner?: string } {
  if (comment === null || comment === undefined || comment === '') return {};
  if (comment.startsWith('{')) {
    try {
      const v: unknown = JSON.parse(comment);
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const rec = v as Record<string, unknown>;
        const keys = Object.keys(rec);
        const okKeys = keys.every((k) => k === 'description' || k === 'owner');
        const okTypes = keys.every((k) => typeof rec[k] === 'string');
        if (okKeys && okTypes) {
          const out: { description?: string; owner?: string } = {};
          if (typeof rec.description === 'string') out.description = rec.description;
          if (typeof rec.owner === 'string') out.owner = rec.owner;
          return out;
        }
      }
    } catch {
      // not JSON: a hand-written comment, kept as the description below
    }
  }
  return { description: comment };
}

function commentSql(role: string, c: { description?: string; owner?: string }): string {
  const text = encodeRoleComment(c);
  return `COMMENT ON ROLE ${quoteIdent(role)} IS ${text === undefined ? 'NULL' : quoteLiteral(text)}`;
}

/** Compile one change into PostgreSQL statements (no trailing semicolons). */
export function compilePostgres(change: Change, ctx: CompileContext): string[] {
  if (isPolicyChange(change)) return compilePostgresPolicy(change, ctx);
  switch (change.kind) {
    case 'createRole': {
      const out = [`CREATE ROLE ${quoteIdent(change.role)} NOLOGIN`];
      if (encodeRoleComment(change) !== undefined) out.push(commentSql(change.role, change));
      return out;
    }
    case 'alterRole':
      return [commentSql(change.role, change.to)];
    case 'dropRole':
      return [`DROP ROLE ${quoteIdent(change.role)}`];
    case 'grantMembership':
      return [`GRANT ${quoteIdent(change.role)} TO ${quoteIdent(change.member)}`];
    case 'revokeMembership':
      return [`REVOKE ${quoteIdent(change.role)} FROM ${quoteIdent(change.member)}`];
    case 'grant': {
      const option = change.grantOption ? ' WITH GRANT OPTION' : '';
      return [
        `GRANT ${privilegeList(change.privileges, change.object, change.columns)} ON ${objectSql(change.object, ctx)} TO ${granteeSql(change.role)}${option}`,
      ];
    }
    case 'revoke': {
      const what = change.grantOptionOnly ? 'GRANT OPTION FOR ' : '';
      const cascade = change.cascade ? ' CASCADE' : '';
      return [
        `REVOKE ${what}${privilegeList(change.privileges, change.object, change.columns)} ON ${objectSql(change.object, ctx)} FROM ${granteeSql(change.role)}${cascade}`,
      ];
    }
    case 'grantFuture':
    case 'revokeFuture': {
      if (change.objectType !== 'tables') return assertNever(change.objectType);
      const forRole = change.forRole === undefined ? '' : `FOR ROLE ${quoteIdent(change.forRole)} `;
      const schema = quoteIdent(required(change.schema.schema, 'schema', change.schema));
      const privs = change.privileges.map((p) => privSql('table', p)).join(', ');
      if (change.privileges.length === 0) throw new RbacError('PLAN_INVALID', 'future grant without privileges');
      const action =
        change.kind === 'grantFuture'
          ? `GRANT ${privs} ON TABLES TO ${granteeSql(change.role)}${change.grantOption ? ' WITH GRANT OPTION' : ''}`
          : `REVOKE ${privs} ON TABLES FROM ${granteeSql(change.role)}`;
      return [`ALTER DEFAULT PRIVILEGES ${forRole}IN SCHEMA ${schema} ${action}`];
    }
    default:
      return assertNever(change);
  }
}
