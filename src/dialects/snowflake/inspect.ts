/**
 * Snowflake live reader: the catalog commands it sends and PURE parsers from their
 * rows (by documented column name) into the canonical Live model.
 *
 * Commands (only managed roles are read; a huge system role such as ACCOUNTADMIN is
 * read only when the configuration manages it):
 * - `SHOW ROLES`                                 -> roles and their comments
 * - `SHOW USERS`                                 -> which member users exist
 * - `SHOW GRANTS TO ROLE "R"`   per managed role -> object grants; roles R holds
 * - `SHOW GRANTS OF ROLE "R"`   per managed role -> users and roles holding R
 * - `SHOW DATABASE ROLES IN DATABASE "D"` per database with managed database roles
 * - `SHOW GRANTS TO|OF DATABASE ROLE "D"."R"` per managed database role, as above
 * - `SHOW FUTURE GRANTS IN SCHEMA "D"."S"` per schema in scope
 * - `SHOW FUTURE GRANTS IN DATABASE "D"` per database in scope
 * - `SELECT ... FROM "D".INFORMATION_SCHEMA.TABLES` per database in scope
 * - `SHOW MASKING POLICIES` / `SHOW ROW ACCESS POLICIES IN DATABASE "D"`, then per
 *   policy the tool made `DESCRIBE ... POLICY` and `POLICY_REFERENCES(POLICY_NAME => ...)`
 * - `TAG_REFERENCES_ALL_COLUMNS` per classified table, when masking policies mask through
 *   a tag (IntrospectScope.columnTags): only those tags, set on the column itself
 * - rbac's tool schema per database in scope (SCHEMATA joined with TABLES), and when it
 *   is rbac's `SHOW GRANTS ON SCHEMA "D"."RBAC"` and `SHOW GRANTS ON TABLE` of
 *   "D"."RBAC"."SETTINGS" and "D"."RBAC"."SURROGATES" where they exist (every grant
 *   there is managed: Live.toolObjects)
 *
 * Traps handled here, each covered by a fixture test:
 * - future grants name their columns `grant_on`/`grant_to`, not `granted_on`/`granted_to`;
 * - IMPORTED PRIVILEGES on a shared database is listed as USAGE: `usage` and
 *   `imported_privileges` in the configuration both match it (plan/equivalent.ts);
 * - `granted_by` may be empty (kept as undefined: display only);
 * - a view may be reported as TABLE and a table as VIEW: both read as kind 'table';
 * - the `name` column quotes parts that need it (`DB.SCHEMA."Mixed"`);
 * - a database role is `D.R` in the model (config/normalize.ts); SHOW output names it
 *   qualified (`name` of a DATABASE_ROLE grant) or bare (`grantee_name` of SHOW GRANTS
 *   TO/OF DATABASE ROLE, SHOW DATABASE ROLES): bare ones are qualified with the
 *   database the command was sent for;
 * - the account is named by its locator (`AB12345`): read as the one account object;
 * - privileges and `granted_on` values outside the catalog (catalog.ts) are kept OUT
 *   of the model and listed in `ignored` (the plan reports them once per kind). The
 *   planner never sees them, so it can never revoke them: they are outside what this
 *   tool manages;
 * - a masking policy set on a TAG is reported by POLICY_REFERENCES as a row of domain
 *   TAG, and every column it masks through the tag as a column row naming the tag
 *   (TAG_NAME): read as the policy's tags, never as column attachments.
 */
import { databaseRoleName, databaseRoleParts, makeFutureGrant, makeGrant, makeMembership, makeObject } from '../../model/keys.js';
import { KIND_SHAPES, SIGNATURE_KINDS } from '../../model/kinds.js';
import { wordSignature } from '../signature.js';
import type {
  FutureGrantRecord,
  GrantRecord,
  LiveRole,
  LiveTable,
  MembershipRecord,
  ObjectRef,
  Privilege,
  SecurableKind,
} from '../../model/types.js';
import { decodeRoleComment, parseQualifiedName, snowflakeDialect } from './quote.js';
import { maskingPolicyKey, rowAccessPolicyKey, columnKey, columnTagKey, objectKey } from '../../model/keys.js';
import type { ColumnRef, ColumnTagRecord, MaskingPolicyRecord, RowAccessPolicyRecord } from '../../model/types.js';
import { bodyDigest, bodyTampering, decodePolicyMarker, type MaskingMarker, type RowMarker } from '../policy-text.js';
import { SALT_TABLE, SNOWFLAKE_TOOL_SCHEMA, SURROGATE_TABLE, TOOL_SCHEMA_MARKER, UNATTACHED_TABLE, snowflakeMaskingBody } from './policies.js';
import { SNOWFLAKE_CATALOG } from './catalog.js';
import { keywordReader } from '../../model/catalog.js';

/** A row as the driver returns it: column name -> value. */
export type Row = Record<string, unknown>;

/** Something the reader saw and deliberately left out of the model (display only). */
export interface IgnoredGrant {
  role: string;
  privilege: string;
  grantedOn: string;
  name: string;
}

const q = (n: string) => snowflakeDialect.quoteIdent(n);

export const sql = {
  showRoles: () => 'SHOW ROLES',
  showUsers: () => 'SHOW USERS',
  grantsToRole: (role: string) => `SHOW GRANTS TO ROLE ${q(role)}`,
  grantsOfRole: (role: string) => `SHOW GRANTS OF ROLE ${q(role)}`,
  databaseRoles: (database: string) => `SHOW DATABASE ROLES IN DATABASE ${q(database)}`,
  grantsToDatabaseRole: (role: string) => `SHOW GRANTS TO ${databaseRoleSql(role)}`,
  grantsOfDatabaseRole: (role: string) => `SHOW GRANTS OF ${databaseRoleSql(role)}`,
  futureGrantsInSchema: (database: string, schema: string) => `SHOW FUTURE GRANTS IN SCHEMA ${q(database)}.${q(schema)}`,
  futureGrantsInDatabase: (database: string) => `SHOW FUTURE GRANTS IN DATABASE ${q(database)}`,
  tablesInDatabase: (database: string, schemas: string[]) =>
    `SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM ${q(database)}.INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA IN (${schemas
      .map((s) => snowflakeDialect.quoteLiteral(s))
      .join(', ')}) ORDER BY TABLE_SCHEMA, TABLE_NAME`,
  columnsInDatabase: (database: string, schemas: string[]) =>
    `SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE FROM ${q(database)}.INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA IN (${schemas
      .map((s) => snowflakeDialect.quoteLiteral(s))
      .join(', ')}) ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`,
  maskingPoliciesInDatabase: (database: string) => `SHOW MASKING POLICIES IN DATABASE ${q(database)}`,
  showDatabases: () => 'SHOW DATABASES',
  schemata: (database: string) => `SELECT SCHEMA_NAME FROM ${q(database)}.INFORMATION_SCHEMA.SCHEMATA ORDER BY SCHEMA_NAME`,
  rowAccessPoliciesInDatabase: (database: string) => `SHOW ROW ACCESS POLICIES IN DATABASE ${q(database)}`,
  /** The body of one policy as Snowflake stores it (columns name, signature, return_type, body). */
  describePolicy: (kind: 'masking' | 'row', database: string, schema: string, name: string) =>
    `DESCRIBE ${kind === 'masking' ? 'MASKING' : 'ROW ACCESS'} POLICY ${q(database)}.${q(schema)}.${q(name)}`,
  /** rbac's tool schema of a database and which of its tables exist (the salt of `hash`, the mapping of `surrogate`): a row per table. */
  toolSchema: (database: string) =>
    `SELECT s.SCHEMA_NAME, s.COMMENT, t.TABLE_NAME FROM ${q(database)}.INFORMATION_SCHEMA.SCHEMATA s LEFT JOIN ${q(database)}.INFORMATION_SCHEMA.TABLES t ON t.TABLE_SCHEMA = s.SCHEMA_NAME AND t.TABLE_NAME IN (${snowflakeDialect.quoteLiteral(SALT_TABLE)}, ${snowflakeDialect.quoteLiteral(SURROGATE_TABLE)}) WHERE s.SCHEMA_NAME = ${snowflakeDialect.quoteLiteral(SNOWFLAKE_TOOL_SCHEMA)}`,
  /** Every grant on rbac's tool schema, salt table or mapping table, whoever holds it. */
  grantsOnToolSchema: (database: string) => `SHOW GRANTS ON SCHEMA ${q(database)}.${q(SNOWFLAKE_TOOL_SCHEMA)}`,
  grantsOnSaltTable: (database: string) => `SHOW GRANTS ON TABLE ${q(database)}.${q(SNOWFLAKE_TOOL_SCHEMA)}.${q(SALT_TABLE)}`,
  grantsOnSurrogateTable: (database: string) => `SHOW GRANTS ON TABLE ${q(database)}.${q(SNOWFLAKE_TOOL_SCHEMA)}.${q(SURROGATE_TABLE)}`,
  /**
   * Every tag on every column of one table, set on the column or inherited (LEVEL says
   * which); real time (ACCOUNT_USAGE.TAG_REFERENCES lags up to 2 hours).
   */
  columnTagsOfTable: (table: ObjectRef) =>
    `SELECT TAG_DATABASE, TAG_SCHEMA, TAG_NAME, TAG_VALUE, LEVEL, OBJECT_DATABASE, OBJECT_SCHEMA, OBJECT_NAME, DOMAIN, COLUMN_NAME FROM TABLE(${q(table.database)}.INFORMATION_SCHEMA.TAG_REFERENCES_ALL_COLUMNS(${snowflakeDialect.quoteLiteral(
      `${q(table.database)}.${q(table.schema ?? '')}.${q(table.name ?? '')}`,
    )}, 'table'))`,
  /** Attachments of one policy, real time (ACCOUNT_USAGE.POLICY_REFERENCES lags up to 2 hours). */
  policyReferences: (database: string, schema: string, name: string) =>
    `SELECT POLICY_DB, POLICY_SCHEMA, POLICY_NAME, POLICY_KIND, REF_DATABASE_NAME, REF_SCHEMA_NAME, REF_ENTITY_NAME, REF_ENTITY_DOMAIN, REF_COLUMN_NAME, REF_ARG_COLUMN_NAMES, TAG_DATABASE, TAG_SCHEMA, TAG_NAME, POLICY_STATUS FROM TABLE(${q(database)}.INFORMATION_SCHEMA.POLICY_REFERENCES(POLICY_NAME => ${snowflakeDialect.quoteLiteral(
      `${q(database)}.${q(schema)}.${q(name)}`,
    )}))`,
};

/** `DATABASE ROLE "D"."R"` for the model name `D.R`. */
function databaseRoleSql(role: string): string {
  const db = databaseRoleParts(role)!;
  return `DATABASE ROLE ${q(db.database)}.${q(db.role)}`;
}

/** A database role as SHOW names it (`D.R`, `"D"."R"` or bare `R` of `database`) -> the model name `D.R`. */
export function shownDatabaseRole(text: string, database: string | undefined): string | undefined {
  try {
    const parts = parseQualifiedName(text);
    if (parts.length === 2) return databaseRoleName(parts[0], parts[1]);
    if (parts.length === 1 && database !== undefined) return databaseRoleName(database, parts[0]);
  } catch {
    // not a name: undefined
  }
  return undefined;
}

function str(row: Row, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = row[n] ?? row[n.toUpperCase()];
    if (v !== undefined && v !== null) return String(v);
  }
  return undefined;
}

const fromSnowflakeWord = keywordReader(SNOWFLAKE_CATALOG);

/**
 * Snowflake privilege word on a kind -> generic privilege, or undefined (unmanaged):
 * the catalog read backwards. IMPORTED PRIVILEGES on a shared database is listed as
 * USAGE (read as `usage`) or by its name (`imported_privileges`); either matches either
 * word in the configuration (the catalog's `sameAs`, plan/equivalent.ts).
 */
export function genericPrivilege(kind: SecurableKind, word: string): Privilege | undefined {
  return fromSnowflakeWord(kind, word);
}

/**
 * `granted_on` value -> our kind, from the catalog's words. Table variants without
 * their own catalog row (event, iceberg, hybrid, interactive tables) read as `table`
 * (they are granted ON TABLE); anything else is outside the catalog (undefined).
 */
export function securableKind(grantedOn: string): SecurableKind | undefined {
  const word = grantedOn.trim().toUpperCase().replace(/_/g, ' ');
  if (TABLE_VARIANTS.has(word)) return 'table';
  return GRANTED_ON.get(word);
}
const TABLE_VARIANTS = new Set(['EVENT TABLE', 'ICEBERG TABLE', 'HYBRID TABLE', 'INTERACTIVE TABLE']);
const GRANTED_ON = new Map<string, SecurableKind>(
  Object.values(SNOWFLAKE_CATALOG.kinds).map((d) => [d!.sql, d!.kind] as const),
);

/**
 * A routine as SHOW GRANTS names it, in either format: the current `DB.SCH.F(FLOAT,
 * VARCHAR)` (argument types after the name) or the older `DB.SCH."F(X FLOAT):NUMBER"`
 * (argument names and the return type inside the quoted last part). The signature is
 * canonical (wordSignature), as the configuration's is.
 */
export function parseRoutineName(name: string): { parts: string[]; signature: string } | undefined {
  try {
    const open = matchingOpen(name);
    if (open > 0 && !name.slice(open).includes('"')) {
      // Current format: the argument list follows the (possibly quoted) name.
      const parts = parseQualifiedName(name.slice(0, open));
      const args = splitArgs(name.slice(open + 1, -1));
      return { parts, signature: wordSignature(args, (t) => t.toUpperCase()) };
    }
    const parts = parseQualifiedName(name);
    const last = parts[parts.length - 1];
    // NAME(ARG TYPE, ...):RETURN: the name holds no parenthesis; the arguments end at the first `):`.
    const m = /^([^(]*)\((.*?)\):/s.exec(last);
    if (!m) return undefined;
    const args = splitArgs(m[2]).map((a) => a.replace(/^\S+\s+/, ''));
    return { parts: [...parts.slice(0, -1), m[1]], signature: wordSignature(args, (t) => t.toUpperCase()) };
  } catch {
    return undefined;
  }
}

/** The index of the `(` that the final `)` closes, or -1. */
function matchingOpen(text: string): number {
  if (!text.endsWith(')')) return -1;
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    if (text[i] === ')') depth++;
    else if (text[i] === '(' && --depth === 0) return i;
  }
  return -1;
}

/** Split an argument list at the commas outside parentheses (`NUMBER(38,0), VARCHAR`). */
function splitArgs(text: string): string[] {
  if (text.trim() === '') return [];
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(text.slice(start).trim());
  return out;
}

function objectFromName(kind: SecurableKind, name: string): ObjectRef | undefined {
  if (SIGNATURE_KINDS.has(kind)) {
    const r = parseRoutineName(name);
    if (!r || r.parts.length !== 3) return undefined;
    return makeObject(kind, r.parts[0], r.parts[1], r.parts[2], r.signature);
  }
  const shape = KIND_SHAPES[kind];
  // The account is named by its locator in SHOW GRANTS: there is one, so the name is not kept.
  if (shape === 'account') return makeObject(kind, '');
  const parts = parseQualifiedName(name);
  if (shape === 'global') return parts.length === 1 ? makeObject(kind, '', undefined, parts[0]) : undefined;
  const want = kind === 'database' ? 1 : kind === 'schema' ? 2 : 3;
  if (parts.length !== want) return undefined;
  return makeObject(kind, parts[0], parts[1], parts[2]);
}

/** SHOW output's booleans arrive as `true`/`false` strings or booleans, depending on the driver path. */
function yes(v: unknown): boolean {
  return v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
}

/**
 * `SHOW GRANTS TO ROLE r` rows: created_on, privilege, granted_on, name, granted_to,
 * grantee_name, grant_option, granted_by. A `USAGE` row on `ROLE x` means r holds x
 * (role hierarchy) and becomes a membership {role: x, member: r}.
 */
export function parseGrantsToRole(
  role: string,
  rows: Row[],
): { grants: GrantRecord[]; memberships: MembershipRecord[]; ignored: IgnoredGrant[] } {
  const grants: GrantRecord[] = [];
  const memberships: MembershipRecord[] = [];
  const ignored: IgnoredGrant[] = [];
  for (const row of rows) {
    const privilege = str(row, 'privilege') ?? '';
    const grantedOn = str(row, 'granted_on', 'grant_on') ?? '';
    const name = str(row, 'name') ?? '';
    // A database role's grants list it bare: the model name is the one asked for.
    const grantee = databaseRoleParts(role) ? role : (str(row, 'grantee_name') ?? role);
    const grantedBy = str(row, 'granted_by') || undefined;
    const on = grantedOn.toUpperCase().replace(/ /g, '_');
    if (on === 'ROLE' || on === 'DATABASE_ROLE') {
      const held = on === 'ROLE' ? parseQualifiedName(name) : [shownDatabaseRole(name, undefined)];
      if (privilege.toUpperCase() === 'USAGE' && held.length === 1 && held[0] !== undefined) {
        memberships.push(makeMembership({ role: held[0], member: grantee, memberKind: 'role', grantedBy }));
      } else {
        ignored.push({ role: grantee, privilege, grantedOn, name });
      }
      continue;
    }
    const sk = securableKind(grantedOn);
    const generic = sk && genericPrivilege(sk, privilege);
    const object = sk && generic ? objectFromName(sk, name) : undefined;
    if (!sk || !generic || !object) {
      ignored.push({ role: grantee, privilege, grantedOn, name });
      continue;
    }
    const g = makeGrant({ role: grantee, privilege: generic, object, grantedBy });
    if (yes(row.grant_option)) g.grantOption = true;
    if (grantedBy) g.grantors = [grantedBy];
    grants.push(g);
  }
  return { grants, memberships, ignored };
}

/**
 * `SHOW GRANTS OF ROLE r` rows: created_on, role, granted_to (USER|ROLE),
 * grantee_name, granted_by.
 */
export function parseGrantsOfRole(role: string, rows: Row[]): MembershipRecord[] {
  const out: MembershipRecord[] = [];
  // SHOW GRANTS OF DATABASE ROLE: the role column may be bare; a database role member is of the same database.
  const database = databaseRoleParts(role)?.database;
  for (const row of rows) {
    const to = (str(row, 'granted_to') ?? '').toUpperCase().replace(/ /g, '_');
    const raw = str(row, 'grantee_name');
    const member = to === 'DATABASE_ROLE' && raw !== undefined ? shownDatabaseRole(raw, database) : raw;
    if (!member || (to !== 'USER' && to !== 'ROLE' && to !== 'DATABASE_ROLE')) continue;
    out.push(
      makeMembership({
        role: database !== undefined ? role : (str(row, 'role') ?? role),
        member,
        memberKind: to === 'USER' ? 'user' : 'role',
        grantedBy: str(row, 'granted_by') || undefined,
      }),
    );
  }
  return out;
}

/**
 * `SHOW FUTURE GRANTS IN SCHEMA d.s` rows: created_on, privilege, grant_on, name
 * (`D.S.<TABLE>`), grant_to, grantee_name, grant_option. Note the column names
 * differ from SHOW GRANTS (`grant_on`, not `granted_on`): both are accepted.
 */
export function parseFutureGrants(
  database: string,
  schema: string | undefined,
  rows: Row[],
): { futureGrants: FutureGrantRecord[]; ignored: IgnoredGrant[] } {
  const futureGrants: FutureGrantRecord[] = [];
  const ignored: IgnoredGrant[] = [];
  // SHOW FUTURE GRANTS IN SCHEMA, or (no schema) IN DATABASE.
  const container = schema === undefined ? makeObject('database', database) : makeObject('schema', database, schema);
  for (const row of rows) {
    const privilege = str(row, 'privilege') ?? '';
    const grantOn = (str(row, 'grant_on', 'granted_on') ?? '').toUpperCase();
    const grantTo = (str(row, 'grant_to', 'granted_to') ?? 'ROLE').toUpperCase().replace(/ /g, '_');
    const raw = str(row, 'grantee_name') ?? '';
    // A database role grantee is of the container's database (named bare or qualified).
    const role = grantTo === 'DATABASE_ROLE' ? (shownDatabaseRole(raw, database) ?? '') : raw;
    const name = str(row, 'name') ?? '';
    // The kind from the catalog, and the future type its row names.
    const kind = securableKind(grantOn);
    const type = kind ? SNOWFLAKE_CATALOG.kinds[kind]?.future?.type : undefined;
    const generic = kind ? genericPrivilege(kind, privilege) : undefined;
    if (!kind || !type || (grantTo !== 'ROLE' && grantTo !== 'DATABASE_ROLE') || !generic || !role) {
      ignored.push({ role, privilege, grantedOn: `FUTURE ${grantOn}`, name });
      continue;
    }
    futureGrants.push(makeFutureGrant({ role, privilege: generic, schema: container, objectType: type, ...(yes(row.grant_option) ? { grantOption: true } : {}) }));
  }
  return { futureGrants, ignored };
}

/**
 * `SHOW FUTURE GRANTS IN DATABASE d` rows -> the roles (any role, managed or not) that
 * the database's future grants give privileges on a new schema or table: rbac revokes
 * them from its salt schema and table right after creating them, before the salt exists.
 */
export function newObjectGranteesOf(rows: Row[]): string[] {
  const out = new Set<string>();
  for (const row of rows) {
    const on = (str(row, 'grant_on', 'granted_on') ?? '').toUpperCase();
    const to = (str(row, 'grant_to', 'granted_to') ?? 'ROLE').toUpperCase();
    const role = str(row, 'grantee_name');
    if (role && to === 'ROLE' && (on === 'SCHEMA' || on === 'TABLE')) out.add(role);
  }
  return [...out].sort();
}

/**
 * The tool schema query's rows (SCHEMA_NAME, COMMENT, TABLE_NAME from SCHEMATA left
 * joined with TABLES): `absent`; `rbac` when its COMMENT is rbac's marker (with whether
 * the salt table and the surrogate mapping table exist); `foreign` for a schema RBAC someone else made, which rbac
 * neither uses nor treats as its own.
 */
export function parseToolSchema(rows: Row[]): { state: 'absent' } | { state: 'rbac'; saltTable: boolean; surrogateTable?: true } | { state: 'foreign' } {
  const row = rows.find((r) => str(r, 'SCHEMA_NAME') === SNOWFLAKE_TOOL_SCHEMA);
  if (!row) return { state: 'absent' };
  if ((str(row, 'COMMENT') ?? '').trim() !== TOOL_SCHEMA_MARKER) return { state: 'foreign' };
  const has = (t: string) => rows.some((r) => str(r, 'TABLE_NAME') === t);
  return { state: 'rbac', saltTable: has(SALT_TABLE), ...(has(SURROGATE_TABLE) ? { surrogateTable: true as const } : {}) };
}

/**
 * `SHOW GRANTS ON SCHEMA|TABLE x` rows (created_on, privilege, granted_on, name,
 * granted_to, grantee_name, grant_option, granted_by) of one of rbac's own objects: the
 * grants to roles, but OWNERSHIP (the role that applied rbac owns them; Snowflake
 * transfers ownership and never revokes it). Grants to other grantees (a share, a
 * database role) cannot be revoked as a role's and are returned in `ignored`, so the
 * plan reports them.
 */
export function parseGrantsOn(rows: Row[]): { grants: GrantRecord[]; ignored: IgnoredGrant[] } {
  rows = rows.filter((r) => (str(r, 'privilege') ?? '').toUpperCase() !== 'OWNERSHIP');
  const toRoles = rows.filter((r) => (str(r, 'granted_to') ?? '').toUpperCase() === 'ROLE');
  const ignored: IgnoredGrant[] = rows
    .filter((r) => !toRoles.includes(r))
    .map((r) => ({ role: str(r, 'grantee_name') ?? '', privilege: str(r, 'privilege') ?? '', grantedOn: `${str(r, 'granted_on') ?? ''} (to ${str(r, 'granted_to') ?? '?'})`, name: str(r, 'name') ?? '' }));
  const r = parseGrantsToRole('', toRoles);
  return { grants: r.grants, ignored: [...ignored, ...r.ignored] };
}

/**
 * `TAG_REFERENCES_ALL_COLUMNS(table, 'table')` rows (TAG_DATABASE, TAG_SCHEMA, TAG_NAME,
 * TAG_VALUE, LEVEL, OBJECT_DATABASE, OBJECT_SCHEMA, OBJECT_NAME, DOMAIN, COLUMN_NAME) ->
 * the managed tags (`tags`, by objectKey) set on a column itself (LEVEL `COLUMN`). A tag
 * inherited from the table, schema or database is not the column's and cannot be unset
 * from it; other tags are not rbac's.
 */
export function parseColumnTags(table: ObjectRef, rows: Row[], tags: ReadonlySet<string>): ColumnTagRecord[] {
  const out = new Map<string, ColumnTagRecord>();
  for (const row of rows) {
    if ((str(row, 'LEVEL') ?? '').toUpperCase() !== 'COLUMN') continue;
    const db = str(row, 'TAG_DATABASE');
    const sch = str(row, 'TAG_SCHEMA');
    const name = str(row, 'TAG_NAME');
    const column = str(row, 'COLUMN_NAME');
    if (!db || !sch || !name || !column) continue;
    const tag = makeObject('tag', db, sch, name);
    if (!tags.has(objectKey(tag))) continue;
    const on = makeObject('table', str(row, 'OBJECT_DATABASE') ?? table.database, str(row, 'OBJECT_SCHEMA') ?? table.schema, str(row, 'OBJECT_NAME') ?? table.name);
    const c: ColumnRef = { table: on, column };
    const key = columnTagKey(tag, c);
    out.set(key, { key, column: c, tag, value: str(row, 'TAG_VALUE') ?? '' });
  }
  return sortedValues(out);
}

/** `SHOW ROLES` rows (name, comment, owner, ...) -> LiveRole for the roles asked for. */
export function parseRoles(rows: Row[], wanted: ReadonlySet<string> | undefined): LiveRole[] {
  const out: LiveRole[] = [];
  for (const row of rows) {
    const name = str(row, 'name');
    if (name && (!wanted || wanted.has(name))) out.push(liveRole(name, row));
  }
  return out;
}

/** A role and the description and owner its comment holds (the tool's marker). */
function liveRole(name: string, row: Row): LiveRole {
  const meta = decodeRoleComment(str(row, 'comment'));
  const r: LiveRole = { name, isUser: false };
  if (meta.description !== undefined) r.description = meta.description;
  if (meta.owner !== undefined) r.owner = meta.owner;
  return r;
}

/**
 * `SHOW DATABASE ROLES IN DATABASE d` rows (created_on, name, is_default, ..., owner,
 * comment, owner_role_type) -> LiveRole `D.NAME` for the database roles asked for.
 */
export function parseDatabaseRoles(database: string, rows: Row[], wanted: ReadonlySet<string>): LiveRole[] {
  const out: LiveRole[] = [];
  for (const row of rows) {
    const bare = str(row, 'name');
    const name = bare === undefined ? undefined : databaseRoleName(database, bare);
    if (name && wanted.has(name)) out.push(liveRole(name, row));
  }
  return out;
}

/** `SHOW USERS` rows (name, login_name, ...) -> LiveRole{isUser} for the users asked for. */
export function parseUsers(rows: Row[], wanted: ReadonlySet<string>): LiveRole[] {
  const out: LiveRole[] = [];
  for (const row of rows) {
    const name = str(row, 'name');
    if (name && wanted.has(name)) out.push({ name, isUser: true });
  }
  return out;
}

/**
 * INFORMATION_SCHEMA.TABLES rows (TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE) -> LiveTable,
 * with the kind TABLE_TYPE says (`MATERIALIZED VIEW`, `VIEW`, `EXTERNAL TABLE`; every
 * other type, event and temporary tables included, is a table): a privilege reaches only
 * the objects whose kind takes it (no INSERT on an external table).
 */
export function parseTables(database: string, rows: Row[]): LiveTable[] {
  const out: LiveTable[] = [];
  for (const row of rows) {
    const schema = str(row, 'TABLE_SCHEMA', 'table_schema');
    const name = str(row, 'TABLE_NAME', 'table_name');
    if (!schema || !name) continue;
    const type = (str(row, 'TABLE_TYPE', 'table_type') ?? '').toUpperCase().replace(/_/g, ' ');
    const kind: SecurableKind = type === 'MATERIALIZED VIEW' ? 'materialized_view' : type.includes('VIEW') ? 'view' : type === 'EXTERNAL TABLE' ? 'external_table' : 'table';
    out.push({ object: makeObject(kind, database, schema, name), columns: [] });
  }
  return out;
}

/** `SHOW DATABASES` rows (name, origin, kind, ...) -> the databases made from a share (kind IMPORTED DATABASE, or an origin). */
export function parseImportedDatabases(rows: Row[]): string[] {
  const out: string[] = [];
  for (const row of rows) {
    const name = str(row, 'name');
    const kind = (str(row, 'kind') ?? '').toUpperCase();
    if (name && (kind === 'IMPORTED DATABASE' || (str(row, 'origin') ?? '') !== '')) out.push(name);
  }
  return out.sort();
}

/** `SELECT SCHEMA_NAME FROM "D".INFORMATION_SCHEMA.SCHEMATA` rows -> the schemas of a database read whole. */
export function parseSchemata(rows: Row[]): string[] {
  return rows.map((r) => str(r, 'SCHEMA_NAME', 'schema_name')).filter((s): s is string => s !== undefined && s !== 'INFORMATION_SCHEMA');
}

/**
 * The listings of objects other than relations, per database: an INFORMATION_SCHEMA view
 * where there is one (columns: schema, name, and for routines the argument signature
 * `(X VARCHAR, N NUMBER)`), else `SHOW <KINDS> IN DATABASE` (columns name, schema_name).
 * Read only for the kinds the configuration's `objects:` and globs reach.
 */
export const LISTINGS: Partial<Record<SecurableKind, { view: string; schema: string; name: string; signature?: string } | { show: string }>> = {
  stage: { view: 'STAGES', schema: 'STAGE_SCHEMA', name: 'STAGE_NAME' },
  file_format: { view: 'FILE_FORMATS', schema: 'FILE_FORMAT_SCHEMA', name: 'FILE_FORMAT_NAME' },
  sequence: { view: 'SEQUENCES', schema: 'SEQUENCE_SCHEMA', name: 'SEQUENCE_NAME' },
  function: { view: 'FUNCTIONS', schema: 'FUNCTION_SCHEMA', name: 'FUNCTION_NAME', signature: 'ARGUMENT_SIGNATURE' },
  procedure: { view: 'PROCEDURES', schema: 'PROCEDURE_SCHEMA', name: 'PROCEDURE_NAME', signature: 'ARGUMENT_SIGNATURE' },
  pipe: { view: 'PIPES', schema: 'PIPE_SCHEMA', name: 'PIPE_NAME' },
  stream: { show: 'STREAMS' },
  task: { show: 'TASKS' },
  dynamic_table: { show: 'DYNAMIC TABLES' },
  tag: { show: 'TAGS' },
};

/** The query listing the objects of `kind` in the given schemas of `database` (LISTINGS). */
export function listingSql(kind: SecurableKind, database: string, schemas: readonly string[]): string | undefined {
  const l = LISTINGS[kind];
  if (!l) return undefined;
  if ('show' in l) return `SHOW ${l.show} IN DATABASE ${q(database)}`;
  const cols = [l.schema, l.name, ...(l.signature ? [l.signature] : [])].join(', ');
  return `SELECT ${cols} FROM ${q(database)}.INFORMATION_SCHEMA.${l.view} WHERE ${l.schema} IN (${schemas.map((s) => snowflakeDialect.quoteLiteral(s)).join(', ')})`;
}

/** Rows of a listing (listingSql) -> the objects, routines with their canonical signature; other schemas are left out. */
export function parseListing(kind: SecurableKind, database: string, schemas: ReadonlySet<string>, rows: Row[]): ObjectRef[] {
  const l = LISTINGS[kind];
  if (!l) return [];
  const out: ObjectRef[] = [];
  for (const row of rows) {
    const schema = 'show' in l ? str(row, 'schema_name') : str(row, l.schema);
    const name = 'show' in l ? str(row, 'name') : str(row, l.name);
    if (!schema || !name || !schemas.has(schema)) continue;
    if ('show' in l || !l.signature) {
      out.push(makeObject(kind, database, schema, name));
      continue;
    }
    // `(ZIP VARCHAR, N NUMBER)`: argument names, then types.
    const sig = str(row, l.signature) ?? '()';
    const inner = sig.trim().replace(/^\(/, '').replace(/\)$/, '');
    const types = splitArgs(inner).map((a) => a.replace(/^\S+\s+/, ''));
    out.push(makeObject(kind, database, schema, name, wordSignature(types, (t) => t.toUpperCase())));
  }
  return out;
}

/** INFORMATION_SCHEMA.COLUMNS rows (TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE) -> fill columns and columnTypes. */
export function addColumns(database: string, tables: LiveTable[], rows: Row[]): void {
  const byKey = new Map(tables.map((t) => [JSON.stringify([t.object.schema, t.object.name]), t]));
  for (const row of rows) {
    const t = byKey.get(JSON.stringify([str(row, 'TABLE_SCHEMA'), str(row, 'TABLE_NAME')]));
    const column = str(row, 'COLUMN_NAME');
    if (!t || !column || t.object.database !== database) continue;
    t.columns.push(column);
    (t.columnTypes ??= []).push(str(row, 'DATA_TYPE') ?? '');
  }
}

/** A policy the tool made, as SHOW ... POLICIES lists it, with its decoded marker. */
export interface MarkedPolicy<M> {
  database: string;
  schema: string;
  /** The object name (equal to the marker's name for policies this tool made). */
  object: string;
  marker: M;
}

/**
 * `SHOW MASKING POLICIES` / `SHOW ROW ACCESS POLICIES` rows (created_on, name,
 * database_name, schema_name, kind, owner, comment, ...): only policies whose
 * comment holds the tool's marker of the right kind, whose name is the object's own
 * name, are kept; every other policy is never reported, hence never touched.
 */
export function parseShowPolicies<K extends 'masking' | 'row'>(kind: K, rows: Row[]): MarkedPolicy<K extends 'masking' ? MaskingMarker : RowMarker>[] {
  const out: MarkedPolicy<K extends 'masking' ? MaskingMarker : RowMarker>[] = [];
  for (const row of rows) {
    const name = str(row, 'name');
    const database = str(row, 'database_name');
    const schema = str(row, 'schema_name');
    const marker = decodePolicyMarker(str(row, 'comment'));
    if (!name || !database || !schema || !marker || marker.policy !== kind || marker.name !== name) continue;
    out.push({ database, schema, object: name, marker: marker as K extends 'masking' ? MaskingMarker : RowMarker });
  }
  return out;
}

/** A map's values in the order of their keys (canonical keys: a stable, documented order). */
function sortedValues<T>(m: Map<string, T>): T[] {
  return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

/** The body DESCRIBE returned, when it returned one. */
function describedBody(described: Row[] | undefined): string | undefined {
  return described?.length ? str(described[0], 'body') : undefined;
}

/**
 * POLICY_REFERENCES rows of one masking policy -> its record; `described` (DESCRIBE
 * MASKING POLICY) is compared with the body digest of the marker. The rows, by their
 * documented columns:
 * - REF_ENTITY_DOMAIN `TAG`: the policy is set on that tag (REF_DATABASE_NAME,
 *   REF_SCHEMA_NAME, REF_ENTITY_NAME name it) -> `tags`;
 * - a column row whose TAG_NAME is set: the column is masked THROUGH that tag
 *   (tag-based masking, POLICY_STATUS says whether it is in force). Not a column
 *   attachment: Snowflake refuses to UNSET it from the column, so it never reaches
 *   `columns`, and the planner never detaches it;
 * - a column row without TAG_NAME: the policy is set on the column -> `columns`.
 */
export function maskingRecordFrom(p: MarkedPolicy<MaskingMarker>, refs: Row[], described?: Row[]): MaskingPolicyRecord {
  const columns = new Map<string, ColumnRef>();
  const tags = new Map<string, ObjectRef>();
  for (const r of refs) {
    if ((str(r, 'POLICY_KIND') ?? 'MASKING_POLICY').toUpperCase() !== 'MASKING_POLICY') continue;
    const db = str(r, 'REF_DATABASE_NAME');
    const sch = str(r, 'REF_SCHEMA_NAME');
    const entity = str(r, 'REF_ENTITY_NAME');
    if (!db || !sch || !entity) continue;
    if ((str(r, 'REF_ENTITY_DOMAIN') ?? '').toUpperCase() === 'TAG') {
      const tag = makeObject('tag', db, sch, entity);
      tags.set(objectKey(tag), tag);
      continue;
    }
    if (str(r, 'TAG_NAME')) continue;
    const column = str(r, 'REF_COLUMN_NAME');
    if (!column) continue;
    const c: ColumnRef = { table: makeObject('table', db, sch, entity), column };
    columns.set(columnKey(c), c);
  }
  const rec: MaskingPolicyRecord = {
    key: maskingPolicyKey(p.marker.name),
    name: p.marker.name,
    schema: makeObject('schema', p.database, p.schema),
    unmaskedFor: p.marker.unmaskedFor,
    columns: sortedValues(columns),
  };
  if (tags.size) rec.tags = sortedValues(tags);
  if (p.marker.mask !== undefined) rec.mask = p.marker.mask;
  if (p.marker.zip3 !== undefined) rec.zip3Restricted = p.marker.zip3;
  if (p.marker.expression !== undefined) rec.expression = p.marker.expression;
  const body = describedBody(described);
  const why = bodyTampering('masking policy', p.marker.name, p.marker.body, body) ?? qualifiedDatabaseRole('masking policy', p.marker.name, body) ?? outdatedHash(rec, body);
  if (why) rec.tampered = [why];
  return rec;
}

/**
 * A body written by rbac before 0.2 named a database role by its qualified name
 * (`IS_DATABASE_ROLE_IN_SESSION('EHR.PHI_READER')`), which Snowflake always evaluates to
 * FALSE: the role never saw clear values or its rows. Rewritten with the relative name.
 */
function qualifiedDatabaseRole(what: string, name: string, body: string | undefined): string | undefined {
  if (body === undefined || !/IS_DATABASE_ROLE_IN_SESSION\(\s*'(?:[^'.]|'')*\./i.test(body)) return undefined;
  return `${what} ${name} names a database role by its qualified name, which Snowflake evaluates to FALSE (written by rbac before 0.2): its body is rewritten with the relative name`;
}

/**
 * A built-in mask whose body rbac now writes differently is rewritten:
 * - a `hash` body from before the salt was secret (salted with CURRENT_ACCOUNT(), which
 *   every user can read);
 * - a `zip3` or `year` body from before the masks were Safe Harbor (restricted ZIP
 *   prefixes passed through, ages over 89 were not aggregated).
 * These bodies depend only on the record and the signature (VARCHAR for hash and zip3;
 * DATE, a timestamp or NUMBER for year), so they are recomputed here. A `surrogate`
 * body has no older form: it is checked against its marker's digest only
 * (bodyTampering), so a body edited by hand is still caught.
 */
function outdatedHash(rec: MaskingPolicyRecord, body: string | undefined): string | undefined {
  if (body === undefined || rec.expression !== undefined) return undefined;
  const types = rec.mask === 'hash' || rec.mask === 'zip3' ? ['VARCHAR'] : rec.mask === 'year' ? ['DATE', 'TIMESTAMP_NTZ', 'NUMBER'] : [];
  if (!types.length || types.some((t) => bodyDigest(body) === bodyDigest(snowflakeMaskingBody(rec, t)))) return undefined;
  if (rec.mask === 'hash') return `masking policy ${rec.name} hashes with a salt every user can read (written by rbac before 0.2): its body is rewritten to read the secret salt`;
  return rec.mask === 'zip3'
    ? `masking policy ${rec.name} keeps the restricted 3-digit ZIP prefixes (written by rbac before Safe Harbor masks): its body is rewritten to make them 000`
    : `masking policy ${rec.name} shows years of people over 89 (written by rbac before Safe Harbor masks): its body is rewritten to aggregate them`;
}

/**
 * POLICY_REFERENCES rows of one row access policy -> its record. Not attached: the
 * table name is UNATTACHED_TABLE, so the plan differs from the configuration and the
 * policy is re-created and attached (a detached row policy never passes silently).
 */
export function rowRecordFrom(p: MarkedPolicy<RowMarker>, refs: Row[], described?: Row[]): RowAccessPolicyRecord {
  const ref = refs.find((r) => (str(r, 'POLICY_KIND') ?? 'ROW_ACCESS_POLICY').toUpperCase() === 'ROW_ACCESS_POLICY' && str(r, 'REF_ENTITY_NAME'));
  const table = ref
    ? makeObject('table', str(ref, 'REF_DATABASE_NAME') ?? p.database, str(ref, 'REF_SCHEMA_NAME') ?? p.schema, str(ref, 'REF_ENTITY_NAME'))
    : makeObject('table', p.marker.table.database, p.marker.table.schema, UNATTACHED_TABLE);
  const rec: RowAccessPolicyRecord = {
    key: rowAccessPolicyKey(p.marker.name),
    name: p.marker.name,
    schema: makeObject('schema', p.database, p.schema),
    table,
    rules: p.marker.rules,
  };
  const body = describedBody(described);
  const why = bodyTampering('row access policy', p.marker.name, p.marker.body, body) ?? qualifiedDatabaseRole('row access policy', p.marker.name, body);
  if (why) rec.tampered = [why];
  return rec;
}
