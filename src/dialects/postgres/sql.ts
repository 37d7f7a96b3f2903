/**
 * The SQL pieces every PostgreSQL statement is made of, from the catalog
 * (catalog.ts): the grantee, the object after ON, the privilege list, and the role
 * comment. Pure; every identifier goes through `quoteIdent`, every keyword comes from
 * the catalog's constants, a routine's argument types from `signatureSql`.
 *
 * Objects of a schema live in the connected database, so the logical database part of
 * their names is never emitted; only `ON DATABASE` names a database, mapped to its name
 * on the server through `ctx.databases`.
 */
import { kindSql, privilegeDef, privilegeSql } from '../../model/catalog.js';
import { RbacError } from '../../model/errors.js';
import { KIND_SHAPES, RELATION_KINDS, SIGNATURE_KINDS, kindWords, aKind } from '../../model/kinds.js';
import { PUBLIC_ROLE, type FutureObjectType, type ObjectRef, type Privilege } from '../../model/types.js';
import type { CompileContext } from '../types.js';
import { POSTGRES_CATALOG } from './catalog.js';
import { quoteIdent, quoteLiteral } from './quote.js';
import { signatureTypes } from './signature.js';

/** Grantee: the PUBLIC pseudo-role is a keyword (quoted it would name a real role "PUBLIC"). */
export function granteeSql(role: string): string {
  return role === PUBLIC_ROLE ? 'PUBLIC' : quoteIdent(role);
}

function required(v: string | undefined, field: string, o: ObjectRef): string {
  if (v === undefined) throw new RbacError('PLAN_INVALID', `${kindWords(o.kind)} object without ${field}: ${JSON.stringify(o)}`);
  return v;
}

/** `(text, "util"."zip")`: a canonical signature's types, built-in names from the closed list, others quoted. */
export function signatureSql(signature: string): string {
  const types = signatureTypes(signature).map((t) => `${'builtin' in t ? t.builtin : `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`}${t.array ? '[]' : ''}`);
  return `(${types.join(', ')})`;
}

/** The physical database of a logical one. */
export function physicalDatabase(database: string, ctx: CompileContext): string {
  return ctx.databases?.[database] ?? database;
}

/**
 * The object after ON: `DATABASE "x"`, `SCHEMA "s"`, `TABLE "s"."t"` (every relation),
 * `SEQUENCE "s"."q"`, `FUNCTION "s"."f"(text)`, `FOREIGN SERVER "x"` ...
 */
export function objectSql(o: ObjectRef, ctx: CompileContext): string {
  const words = kindSql(POSTGRES_CATALOG, o.kind);
  switch (KIND_SHAPES[o.kind]) {
    case 'database':
      return `${words} ${quoteIdent(physicalDatabase(o.database, ctx))}`;
    case 'schema':
      return `${words} ${quoteIdent(required(o.schema, 'schema', o))}`;
    case 'in-database':
      return `${words} ${quoteIdent(required(o.name, 'name', o))}`;
    case 'in-schema': {
      const name = `${quoteIdent(required(o.schema, 'schema', o))}.${quoteIdent(required(o.name, 'name', o))}`;
      if (!SIGNATURE_KINDS.has(o.kind)) return `${words} ${name}`;
      return `${words} ${name}${signatureSql(required(o.signature, 'signature', o))}`;
    }
    case 'account':
    case 'global':
      // PostgreSQL's catalog has no such kind: kindSql above has refused it already.
      throw new RbacError('PLAN_INVALID', `PostgreSQL has no ${o.kind}`);
  }
}

/** `SELECT, INSERT` or, on columns, `SELECT ("a", "b")`: keywords from the catalog only. */
export function privilegeList(privileges: readonly Privilege[], object: ObjectRef, columns?: readonly string[]): string {
  if (privileges.length === 0) throw new RbacError('PLAN_INVALID', 'grant/revoke change without privileges');
  if (columns === undefined) return privileges.map((p) => privilegeSql(POSTGRES_CATALOG, object.kind, p)).join(', ');
  if (!RELATION_KINDS.has(object.kind)) throw new RbacError('PLAN_INVALID', `column privileges on ${aKind(object.kind)}`);
  if (columns.length === 0) throw new RbacError('PLAN_INVALID', 'column grant without columns');
  const cols = columns.map(quoteIdent).join(', ');
  return privileges
    .map((p) => {
      const def = privilegeDef(POSTGRES_CATALOG, object.kind, p);
      if (!def?.column) throw new RbacError('PLAN_INVALID', `privilege "${p}" cannot be granted on columns`);
      return `${def.sql} (${cols})`;
    })
    .join(', ');
}

/** `TABLES`, `SEQUENCES`, `FUNCTIONS`, `TYPES`, `SCHEMAS`: the object types of ALTER DEFAULT PRIVILEGES. */
const DEFAULT_PRIVILEGE_TYPES: Readonly<Partial<Record<FutureObjectType, string>>> = {
  tables: 'TABLES',
  sequences: 'SEQUENCES',
  functions: 'FUNCTIONS',
  types: 'TYPES',
  schemas: 'SCHEMAS',
};

/** The kind whose privileges a default privilege of a type takes. */
export const DEFAULT_PRIVILEGE_KIND = {
  tables: 'table',
  sequences: 'sequence',
  functions: 'function',
  types: 'type',
  schemas: 'schema',
} as const satisfies Partial<Record<FutureObjectType, ObjectRef['kind']>>;

/**
 * `ALTER DEFAULT PRIVILEGES [FOR ROLE c] [IN SCHEMA s] GRANT|REVOKE ... ON TABLES ...`:
 * in a schema, or, when the container is the database, the global form (no IN SCHEMA),
 * which applies in every schema.
 */
export function defaultPrivilegesSql(
  action: 'grant' | 'revoke',
  c: { role: string; privileges: readonly Privilege[]; schema: ObjectRef; objectType: FutureObjectType; forRole?: string; grantOption?: boolean },
): string {
  if (c.privileges.length === 0) throw new RbacError('PLAN_INVALID', 'future grant without privileges');
  const type = DEFAULT_PRIVILEGE_TYPES[c.objectType];
  if (type === undefined) throw new RbacError('PLAN_INVALID', `PostgreSQL has no default privileges for ${String(c.objectType)}`);
  const global = c.schema.kind === 'database';
  if (c.objectType === 'schemas' && !global) throw new RbacError('PLAN_INVALID', 'default privileges on schemas are set for the whole database only');
  const forRole = c.forRole === undefined ? '' : `FOR ROLE ${quoteIdent(c.forRole)} `;
  const inSchema = global ? '' : `IN SCHEMA ${quoteIdent(required(c.schema.schema, 'schema', c.schema))} `;
  const kind = DEFAULT_PRIVILEGE_KIND[c.objectType as keyof typeof DEFAULT_PRIVILEGE_KIND];
  const privs = c.privileges.map((p) => privilegeSql(POSTGRES_CATALOG, kind, p)).join(', ');
  const body =
    action === 'grant'
      ? `GRANT ${privs} ON ${type} TO ${granteeSql(c.role)}${c.grantOption ? ' WITH GRANT OPTION' : ''}`
      : `REVOKE ${privs} ON ${type} FROM ${granteeSql(c.role)}`;
  return `ALTER DEFAULT PRIVILEGES ${forRole}${inSchema}${body}`;
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

export function roleCommentSql(role: string, c: { description?: string; owner?: string }): string {
  const text = encodeRoleComment(c);
  return `COMMENT ON ROLE ${quoteIdent(role)} IS ${text === undefined ? 'NULL' : quoteLiteral(text)}`;
}
