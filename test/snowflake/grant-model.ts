/**
 * SnowflakeGrantModel: a model of Snowflake's grant semantics, a TEST DOUBLE. It parses
 * back the statements our compiler emits (only those forms), keeps the account's
 * principals, objects, grants and future grants in memory, and answers the catalog
 * commands the reader sends with rows shaped like Snowflake's documented output. It is
 * not a SQL engine, and it does not read rbac's catalog: its kinds and future types are
 * written here from Snowflake's GRANT reference (grant-model.test.ts checks the two agree).
 *
 * What it models:
 * - principals: account roles, database roles (of one database, named bare in SHOW
 *   output) and users, three namespaces (a role may share a user's name);
 * - objects of every kind GRANT names (the account, warehouses, integrations,
 *   databases, a shared database, schemas, every object kind of a schema, routines by
 *   name and argument types); tables and views share one namespace;
 * - privilege grants with their grant option (`WITH GRANT OPTION`, `REVOKE GRANT OPTION
 *   FOR`), multi-word privileges, `granted_by`; IMPORTED PRIVILEGES on a shared
 *   database, which SHOW GRANTS lists as USAGE;
 * - ownership: exactly one owner per object; `GRANT OWNERSHIP ... COPY CURRENT GRANTS`
 *   transfers it; a dropped role's objects pass to the role that dropped it;
 * - role grants (role hierarchy), account and database roles alike;
 * - future grants at schema and database level for every type, and Snowflake's
 *   precedence rule at creation (`createObject`): when a schema has any future grant
 *   for an object type, the database-level ones for that type (OWNERSHIP included) do
 *   not apply there;
 * - masking and row access policies as before (DDL, attachments, DESCRIBE bodies);
 * - tags and tag-based masking: `ALTER TAG ... SET|UNSET MASKING POLICY`, `ALTER TABLE ...
 *   MODIFY COLUMN ... SET|UNSET TAG ... = '...'`, tags a table carries (inherited by its
 *   columns), answered through POLICY_REFERENCES (rows of domain TAG, and a row per column
 *   masked through a tag) and TAG_REFERENCES_ALL_COLUMNS;
 * - rbac's tool schema and its salt table, made by the statements the compiler emits:
 *   `CREATE SCHEMA|TABLE IF NOT EXISTS` (the creator, or a future OWNERSHIP, owns the new
 *   object, and it gets the future grants in effect by the precedence rule, FUTURE SCHEMAS
 *   of its database included), `INSERT` of the salt (generated here, never written in the
 *   statement), `REVOKE ALL PRIVILEGES ON ...`, the SCHEMATA/TABLES query that finds them,
 *   and `SHOW GRANTS ON SCHEMA|TABLE`;
 * - the surrogate mask's fill INSERT (`fill`): seeded column values (`data`) read through
 *   the masking policy set on the column (a stand-in `masked:<v>` unless the body's
 *   IS_ROLE_IN_SESSION condition holds for the current role), the guard evaluated the
 *   same way, one random key per new (policy, value) in `mappings`.
 *
 * What it refuses, as Snowflake does (SnowflakeDriverError with a code: 002003 for
 * what does not exist, 001003 for every other SQL compilation error, one code for all):
 * a role, user, object, schema or database that does not exist; privileges granted to
 * a user; a database role granted to a user (the rule of Snowflake's database-role docs,
 * which rbac's loader enforces too; recent releases relax it); an account role granted to a database
 * role; a database role granted to a database role of another database; a database
 * role holding privileges (or future grants) outside its database or on account-level
 * objects; a grant that makes a cycle of roles; OWNERSHIP in a privilege list, revoked
 * on an object, or on the account; GRANT OWNERSHIP on an object with grants and neither
 * COPY nor REVOKE CURRENT GRANTS; individual privileges on a shared database, and
 * IMPORTED PRIVILEGES on any other; a tag, policy or column that does not exist in ALTER
 * TAG or SET TAG; a masking policy set twice on one tag, or unset from a tag (a tag from a
 * column) that does not have it; a policy set on a tag dropped or replaced.
 *
 * Where Snowflake's behaviour is not documented the double accepts: `ON TABLE` names any
 * relation and `ON VIEW` a view or a materialized view (SHOW GRANTS still reports the real
 * kind); a second future OWNERSHIP for one type and container replaces the first; REVOKE of
 * a privilege not held does nothing.
 *
 * What it does not model: whether a privilege applies to an object's kind; dependent grants
 * (REVOKE ... CASCADE revokes nothing more); managed access schemas; who may read the salt
 * table from a policy body; shares. Seeding (`addSchema`, `addObject`) applies no future grant;
 * `createObject` and CREATE SCHEMA|TABLE do. INFORMATION_SCHEMA.TABLES lists the relations of
 * the schemas the query names, a dynamic table as a BASE TABLE.
 */
import { SnowflakeDriverError } from '../../src/dialects/snowflake/driver.js';
import type { QueryFn } from '../../src/dialects/types.js';

export type Row = Record<string, string | number | null>;

// --- principals ---------------------------------------------------------------------

/** An account role, a database role (of its database) or a user. */
export type Principal = { type: 'ROLE' | 'USER'; name: string } | { type: 'DATABASE_ROLE'; database: string; name: string };
export const accountRole = (name: string): Principal => ({ type: 'ROLE', name });
export const databaseRole = (database: string, name: string): Principal => ({ type: 'DATABASE_ROLE', database, name });
export const user = (name: string): Principal => ({ type: 'USER', name });
const pkey = (p: Principal): string => JSON.stringify(p.type === 'DATABASE_ROLE' ? [p.type, p.database, p.name] : [p.type, p.name]);
const sameDb = (p: Principal, database: string | undefined) => p.type !== 'DATABASE_ROLE' || p.database === database;

// --- objects --------------------------------------------------------------------------

type Level = 'account' | 'global' | 'database' | 'schema' | 'object';
interface KindDef {
  level: Level;
  /** Tables and views share one namespace. */
  relation?: true;
  /** Named with its argument types. */
  routine?: true;
  /** The words of its future grants (`ON FUTURE MATERIALIZED VIEWS`). */
  future?: string;
  /** TABLE_TYPE in INFORMATION_SCHEMA.TABLES (a dynamic table is a BASE TABLE there). */
  tableType?: string;
}

/** Object types as GRANT names them after ON (Snowflake's GRANT <privileges> reference). */
export const KINDS: Readonly<Record<string, KindDef>> = {
  ACCOUNT: { level: 'account' },
  WAREHOUSE: { level: 'global' },
  INTEGRATION: { level: 'global' },
  DATABASE: { level: 'database' },
  SCHEMA: { level: 'schema', future: 'SCHEMAS' },
  TABLE: { level: 'object', relation: true, future: 'TABLES', tableType: 'BASE TABLE' },
  VIEW: { level: 'object', relation: true, future: 'VIEWS', tableType: 'VIEW' },
  'MATERIALIZED VIEW': { level: 'object', relation: true, future: 'MATERIALIZED VIEWS', tableType: 'MATERIALIZED VIEW' },
  'DYNAMIC TABLE': { level: 'object', relation: true, future: 'DYNAMIC TABLES', tableType: 'BASE TABLE' },
  'EXTERNAL TABLE': { level: 'object', relation: true, future: 'EXTERNAL TABLES', tableType: 'EXTERNAL TABLE' },
  STAGE: { level: 'object', future: 'STAGES' },
  'FILE FORMAT': { level: 'object', future: 'FILE FORMATS' },
  SEQUENCE: { level: 'object', future: 'SEQUENCES' },
  FUNCTION: { level: 'object', routine: true, future: 'FUNCTIONS' },
  PROCEDURE: { level: 'object', routine: true, future: 'PROCEDURES' },
  STREAM: { level: 'object', future: 'STREAMS' },
  TASK: { level: 'object', future: 'TASKS' },
  PIPE: { level: 'object', future: 'PIPES' },
  TAG: { level: 'object' },
};
/** The INFORMATION_SCHEMA views that list objects of a kind (Snowflake's INFORMATION_SCHEMA reference). */
const LISTING_VIEWS: readonly [string, { view: string; schema: string; name: string; signature?: string }][] = [
  ['STAGE', { view: 'STAGES', schema: 'STAGE_SCHEMA', name: 'STAGE_NAME' }],
  ['FILE FORMAT', { view: 'FILE_FORMATS', schema: 'FILE_FORMAT_SCHEMA', name: 'FILE_FORMAT_NAME' }],
  ['SEQUENCE', { view: 'SEQUENCES', schema: 'SEQUENCE_SCHEMA', name: 'SEQUENCE_NAME' }],
  ['FUNCTION', { view: 'FUNCTIONS', schema: 'FUNCTION_SCHEMA', name: 'FUNCTION_NAME', signature: 'ARGUMENT_SIGNATURE' }],
  ['PROCEDURE', { view: 'PROCEDURES', schema: 'PROCEDURE_SCHEMA', name: 'PROCEDURE_NAME', signature: 'ARGUMENT_SIGNATURE' }],
  ['PIPE', { view: 'PIPES', schema: 'PIPE_SCHEMA', name: 'PIPE_NAME' }],
];
/** Kinds listed by `SHOW <words> IN DATABASE`. */
const SHOW_IN_DATABASE: readonly [string, string[]][] = [
  ['TASK', ['TASKS']],
  ['STREAM', ['STREAMS']],
  ['DYNAMIC TABLE', ['DYNAMIC', 'TABLES']],
  ['TAG', ['TAGS']],
];
/** `MATERIALIZED VIEWS` -> `MATERIALIZED VIEW`: the future types, read back to their kind. */
export const FUTURE_TYPES: ReadonlyMap<string, string> = new Map(Object.entries(KINDS).filter(([, d]) => d.future).map(([k, d]) => [d.future!, k]));

/** A securable. `args` are a routine's argument types, as GRANT writes them (`NUMBER(38,0)`). */
export interface SfObject { kind: string; database?: string; schema?: string; name?: string; args?: string[] }
const okey = (o: SfObject): string => JSON.stringify([KINDS[o.kind].relation ? 'RELATION' : o.kind, o.database ?? null, o.schema ?? null, o.name ?? null, o.args ?? null]);

// --- errors and names -------------------------------------------------------------------

const NOT_FOUND = '002003';
const COMPILATION = '001003';
const notFound = (what: string) => new SnowflakeDriverError(`SQL compilation error:\n${what} does not exist or not authorized.`, NOT_FOUND);
const refused = (why: string) => new SnowflakeDriverError(`SQL compilation error:\n${why}`, COMPILATION);

/** A name part as SHOW prints it: bare when it is a plain upper-case identifier, else quoted. */
const showPart = (p: string) => (/^[A-Z_][A-Z0-9_$]*$/.test(p) ? p : `"${p.replace(/"/g, '""')}"`);
const showName = (parts: string[]) => parts.map(showPart).join('.');
const quoted = (p: string) => `"${p.replace(/"/g, '""')}"`;
const CREATED = '2024-01-01 00:00:00.000 -0800';

function tokenize(sql: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === ' ') { i++; continue; }
    if (c === '"' || c === "'") {
      let j = i + 1; let v = '';
      for (;;) {
        if (sql[j] === '\\' && c === "'") { v += sql[j + 1]; j += 2; continue; }
        if (sql[j] === c) { if (sql[j + 1] === c) { v += c; j += 2; continue; } break; }
        if (j >= sql.length) throw new Error(`unterminated in ${sql}`);
        v += sql[j++];
      }
      out.push((c === '"' ? 'I:' : 'S:') + v); i = j + 1; continue;
    }
    if (',.=()'.includes(c)) { out.push(c); i++; continue; }
    let j = i; while (j < sql.length && !' ,.=()"\''.includes(sql[j])) j++;
    out.push(sql.slice(i, j)); i = j;
  }
  return out;
}

/** A cursor over one statement's tokens. */
class Cursor {
  p = 0;
  constructor(readonly t: string[], readonly sql: string) {}
  peek(k = 0): string | undefined { return this.t[this.p + k]; }
  done(): boolean { return this.p >= this.t.length; }
  take(w: string): boolean { if (this.t[this.p] !== w) return false; this.p++; return true; }
  word(...ws: string[]): void { for (const w of ws) if (!this.take(w)) throw refused(`syntax error: expected ${w} at token ${this.p} in ${this.sql}`); }
  ident(): string { const x = this.t[this.p++]; if (!x?.startsWith('I:')) throw refused(`syntax error: expected an identifier in ${this.sql}`); return x.slice(2); }
  dotted(): string[] { const parts = [this.ident()]; while (this.take('.')) parts.push(this.ident()); return parts; }
  string(): string { const x = this.t[this.p++]; if (!x?.startsWith('S:')) throw refused(`syntax error: expected a string in ${this.sql}`); return x.slice(2); }
  /** Bare words up to (not including) one of `stops` or an identifier, joined by spaces. */
  words(...stops: string[]): string {
    const ws: string[] = [];
    while (!this.done() && !stops.includes(this.peek()!) && !this.peek()!.startsWith('I:')) ws.push(this.t[this.p++]);
    return ws.join(' ');
  }
  end(): void { if (!this.done()) throw refused(`syntax error: unexpected ${this.peek()} in ${this.sql}`); }
}

/** `(VARCHAR, NUMBER(38,0))` after a routine's name -> ['VARCHAR', 'NUMBER(38,0)']. */
function routineArgs(c: Cursor): string[] {
  c.word('(');
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (;;) {
    const x = c.t[c.p++];
    if (x === undefined) throw refused(`syntax error: unterminated argument list in ${c.sql}`);
    if (x === ')' && depth === 0) break;
    if (x === ',' && depth === 0) { out.push(cur); cur = ''; continue; }
    if (x === '(') depth++;
    if (x === ')') depth--;
    cur += (/\w$/.test(cur) && /^\w/.test(x) ? ' ' : '') + x;
  }
  if (cur) out.push(cur);
  return out.map((a) => a.toUpperCase());
}

/** The name after ROLE (`"A"`) or after DATABASE ROLE (`"D"."R"`). */
function roleName(c: Cursor, isDatabaseRole: boolean): Principal {
  if (!isDatabaseRole) return accountRole(c.ident());
  const parts = c.dotted();
  if (parts.length !== 2) throw refused(`a database role is named <database>.<role> in ${c.sql}`);
  return databaseRole(parts[0], parts[1]);
}

/** `ROLE "A"`, `DATABASE ROLE "D"."R"`, `USER "U"`. */
function principal(c: Cursor): Principal {
  if (c.take('USER')) return user(c.ident());
  const isDatabaseRole = c.take('DATABASE');
  c.word('ROLE');
  return roleName(c, isDatabaseRole);
}

/** `<privilege>, <privilege> ...` up to ON, each possibly several words (`CREATE MATERIALIZED VIEW`). */
function privilegeList(c: Cursor): string[] {
  const out: string[] = [];
  for (;;) {
    const w = c.words(',', 'ON');
    if (!w) throw refused(`syntax error: expected a privilege in ${c.sql}`);
    out.push(w);
    if (!c.take(',')) return out;
  }
}

/** The object after ON: `ACCOUNT`, `WAREHOUSE "W"`, `DATABASE "D"`, `SCHEMA "D"."S"`, `FILE FORMAT "D"."S"."F"`, `FUNCTION "D"."S"."F"(VARCHAR)`. */
function objectAfterOn(c: Cursor): SfObject {
  const kind = c.words('TO', 'FROM');
  const def = KINDS[kind];
  if (!def) throw refused(`syntax error: unknown object type ${kind} in ${c.sql}`);
  if (def.level === 'account') return { kind };
  const parts = c.dotted();
  const want = { global: 1, database: 1, schema: 2, object: 3 }[def.level];
  if (parts.length !== want) throw refused(`${kind} is named with ${want} parts in ${c.sql}`);
  if (def.level === 'global') return { kind, name: parts[0] };
  const [database, schema, name] = parts;
  const o: SfObject = { kind, database, ...(schema !== undefined ? { schema } : {}), ...(name !== undefined ? { name } : {}) };
  if (def.routine) o.args = routineArgs(c);
  return o;
}

/** `ON FUTURE <TYPES> IN SCHEMA "D"."S" | IN DATABASE "D"`. */
function futureTarget(c: Cursor): { type: string; database: string; schema?: string } {
  c.word('FUTURE');
  const type = c.words('IN');
  if (!FUTURE_TYPES.has(type)) throw refused(`syntax error: no future grants on ${type} in ${c.sql}`);
  c.word('IN');
  if (c.take('DATABASE')) return { type, database: c.ident() };
  c.word('SCHEMA');
  const [database, schema, ...rest] = c.dotted();
  if (schema === undefined || rest.length) throw refused(`a schema is named <database>.<schema> in ${c.sql}`);
  if (type === 'SCHEMAS') throw refused(`future schemas are granted in a database, not in a schema: ${c.sql}`);
  return { type, database, schema };
}

/** A small seeded generator: the double picks between equally valid SHOW formats with it. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// --- state ------------------------------------------------------------------------------

interface Grant { grantee: Principal; privilege: string; object: SfObject; grantOption: boolean; grantedBy: string }
interface Membership { role: Principal; member: Principal; grantedBy: string }
interface FutureGrant { database: string; schema?: string; type: string; privilege: string; grantee: Principal; grantOption: boolean }
interface RoleState { principal: Principal; comment: string | null; owner: string }
interface ObjectState { object: SfObject; owner: Principal; shared?: boolean; comment?: string | null }

const gkey = (p: Principal, privilege: string, o: SfObject) => JSON.stringify([pkey(p), privilege, okey(o)]);
const fkey = (f: Omit<FutureGrant, 'grantOption'>) => JSON.stringify([f.database, f.schema ?? null, f.type, f.privilege, pkey(f.grantee)]);

export class SnowflakeGrantModel {
  /** The account locator SHOW GRANTS prints as the account's name. */
  readonly locator = 'AB12345';
  /** The role the reader and the compiler's statements run as (`query`). */
  currentRole = 'SECURITYADMIN';
  roles = new Map<string, RoleState>(); // pkey -> role
  users = new Set<string>();
  objects = new Map<string, ObjectState>(); // okey -> object
  grants = new Map<string, Grant>(); // gkey -> grant
  memberships = new Map<string, Membership>();
  futures = new Map<string, FutureGrant>(); // fkey -> future grant
  /** Every statement `query` ran that changes state (DDL, GRANT, REVOKE), in order. */
  statements: string[] = [];
  /** Columns per table (JSON [db, schema, table]) -> [name, DATA_TYPE][]; absent: none. */
  columns = new Map<string, [string, string][]>();
  /** Policies (JSON [kind, db, schema, name]) -> comment; kind MASKING_POLICY | ROW_ACCESS_POLICY. */
  policies = new Map<string, string | null>();
  /** Attachments: JSON [db, schema, table, column|null] -> policy key (as in `policies`). */
  attachments = new Map<string, string>();
  /** Policy bodies as DESCRIBE returns them (the text after `->`, as written). */
  bodies = new Map<string, string>();
  /** The masking policies set on each tag (JSON [db, schema, name]; keys as in `policies`); the tag itself is an object of kind TAG. */
  tagPolicies = new Map<string, string[]>();
  /** Tags set on columns: JSON [db, schema, table, column] -> JSON tag [db, schema, name] -> value. */
  columnTagValues = new Map<string, Map<string, string>>();
  /** Tags a table carries (set on the table, inherited by every column): JSON [db, schema, table] -> [tag JSON, value][]. */
  tableTags = new Map<string, [string, string][]>();
  /** Rows of the tables made by CREATE TABLE (JSON [db, schema, table]; one string column): the salt. */
  madeTables = new Map<string, string[]>();
  /** Rows of the surrogate mapping tables (JSON [db, schema, table]) filled by rbac's fill INSERT. */
  mappings = new Map<string, { policy: string; value: string; surrogate: string }[]>();
  /** Values of seeded tables' columns (JSON [db, schema, table, column]), read by the fill INSERT. */
  data = new Map<string, (string | null)[]>();
  private readonly rand: () => number;

  constructor(opts: { seed?: number } = {}) {
    this.rand = mulberry32(opts.seed ?? 1);
    // The system roles and their hierarchy, granted by the platform itself (granted_by empty).
    for (const r of ['ACCOUNTADMIN', 'SECURITYADMIN', 'USERADMIN', 'SYSADMIN', 'PUBLIC']) this.roles.set(pkey(accountRole(r)), { principal: accountRole(r), comment: null, owner: '' });
    for (const [role, member] of [['SYSADMIN', 'ACCOUNTADMIN'], ['SECURITYADMIN', 'ACCOUNTADMIN'], ['USERADMIN', 'SECURITYADMIN']]) {
      this.memberships.set(JSON.stringify([pkey(accountRole(role)), pkey(accountRole(member))]), { role: accountRole(role), member: accountRole(member), grantedBy: '' });
    }
  }

  query: QueryFn = async (sql) => this.run(sql, this.currentRole, true);

  /** Run a statement as `as` (recorded as granted_by; '' for a grant the platform made), outside the statement log: seeding. */
  exec(sql: string, as = 'SYSADMIN'): Row[] {
    return this.run(sql, as, false);
  }

  // --- seeding and inspection -------------------------------------------------------------

  addUser(name: string): void { this.users.add(name); }
  addDatabase(name: string, opts: { shared?: boolean; owner?: string } = {}): void {
    this.objects.set(okey({ kind: 'DATABASE', database: name }), { object: { kind: 'DATABASE', database: name }, owner: accountRole(opts.owner ?? 'SYSADMIN'), ...(opts.shared ? { shared: true } : {}) });
  }
  /** A schema that exists already; `comment` as SCHEMATA shows it. */
  addSchema(database: string, schema: string, opts: { owner?: string; comment?: string | null } = {}): void {
    if (!this.objects.has(okey({ kind: 'DATABASE', database }))) throw notFound(`Database '${database}'`);
    this.objects.set(okey({ kind: 'SCHEMA', database, schema }), { object: { kind: 'SCHEMA', database, schema }, owner: accountRole(opts.owner ?? 'SYSADMIN'), comment: opts.comment ?? null });
  }
  /** A warehouse or an integration. */
  addAccountObject(kind: 'WAREHOUSE' | 'INTEGRATION', name: string, owner = 'SYSADMIN'): void {
    this.objects.set(okey({ kind, name }), { object: { kind, name }, owner: accountRole(owner) });
  }
  /** An object that exists already, as it is (no future grant applies). */
  addObject(o: SfObject, owner = 'SYSADMIN'): void {
    this.checkNewObject(o);
    this.objects.set(okey(o), { object: o, owner: accountRole(owner) });
  }

  /**
   * CREATE <kind> (an object of a schema, or a schema) as role `by`: the object gets the
   * future grants in effect for its type, by Snowflake's precedence rule (futuresFor); a
   * future OWNERSHIP makes its grantee the owner, else the creator owns it.
   */
  createObject(o: SfObject, by = 'SYSADMIN', comment: string | null = null): SfObject {
    this.checkNewObject(o);
    const futures = this.futuresFor(o);
    const owner = futures.find((f) => f.privilege === 'OWNERSHIP')?.grantee ?? accountRole(by);
    this.objects.set(okey(o), { object: o, owner, ...(o.kind === 'SCHEMA' ? { comment } : {}) });
    for (const f of futures) {
      if (f.privilege === 'OWNERSHIP') continue;
      this.grants.set(gkey(f.grantee, f.privilege, o), { grantee: f.grantee, privilege: f.privilege, object: o, grantOption: f.grantOption, grantedBy: owner.name });
    }
    return o;
  }

  /**
   * The future grants a new object gets: its schema's own for its type when the schema
   * has any (of any privilege, OWNERSHIP included), else its database's for that type
   * (a new schema: its database's FUTURE SCHEMAS).
   */
  futuresFor(o: SfObject): FutureGrant[] {
    const type = KINDS[o.kind].future;
    if (!type) return [];
    const all = [...this.futures.values()].filter((f) => f.database === o.database && f.type === type);
    const inSchema = all.filter((f) => f.schema === o.schema);
    return inSchema.length ? inSchema : all.filter((f) => f.schema === undefined);
  }

  hasRole(p: Principal): boolean { return p.type === 'USER' ? this.users.has(p.name) : this.roles.has(pkey(p)); }
  ownerOf(o: SfObject): Principal | undefined { return this.objects.get(okey(o))?.owner; }
  grantOf(p: Principal, privilege: string, o: SfObject): Grant | undefined { return this.grants.get(gkey(p, privilege, o)); }
  /** Who holds what on `o`: its owner (OWNERSHIP) first, then the privileges granted on it. */
  grantsOn(o: SfObject): { grantee: Principal; privilege: string; grantOption: boolean; grantedBy: string }[] {
    const k = okey(o);
    const state = this.objects.get(k);
    return [
      ...(state ? [{ grantee: state.owner, privilege: 'OWNERSHIP', grantOption: true, grantedBy: state.owner.name }] : []),
      ...[...this.grants.values()].filter((g) => okey(g.object) === k).map((g) => ({ grantee: g.grantee, privilege: g.privilege, grantOption: g.grantOption, grantedBy: g.grantedBy })),
    ];
  }
  /** Everything `p` holds or was granted (grants, roles, futures), as sorted JSON: to compare before and after. */
  heldBy(p: Principal, opts: { ownership?: boolean } = {}): string[] {
    const k = pkey(p);
    return [
      ...[...this.grants.values()].filter((g) => pkey(g.grantee) === k).map((g) => JSON.stringify(['grant', g.privilege, okey(g.object), g.grantOption])),
      ...(opts.ownership ? [...this.objects.values()].filter((o) => pkey(o.owner) === k).map((o) => JSON.stringify(['owns', okey(o.object)])) : []),
      ...[...this.memberships.values()].filter((m) => pkey(m.member) === k || pkey(m.role) === k).map((m) => JSON.stringify(['member', pkey(m.role), pkey(m.member)])),
      ...[...this.futures.values()].filter((f) => pkey(f.grantee) === k).map((f) => JSON.stringify(['future', fkey(f), f.grantOption])),
    ].sort();
  }

  private checkNewObject(o: SfObject): void {
    const def = KINDS[o.kind];
    if (def?.level === 'schema') {
      if (!o.database || !o.schema || o.name !== undefined) throw new Error(`model: incomplete name for ${JSON.stringify(o)}`);
      if (!this.objects.has(okey({ kind: 'DATABASE', database: o.database }))) throw notFound(`Database '${o.database}'`);
      if (this.objects.has(okey(o))) throw refused(`Schema '${o.schema}' already exists.`);
      return;
    }
    if (!def || def.level !== 'object') throw new Error(`model: ${o.kind} is not an object of a schema`);
    if (!o.database || !o.schema || !o.name || (def.routine && !o.args)) throw new Error(`model: incomplete name for ${JSON.stringify(o)}`);
    if (!this.objects.has(okey({ kind: 'SCHEMA', database: o.database, schema: o.schema }))) throw notFound(`Schema '${o.database}.${o.schema}'`);
    if (this.objects.has(okey(o))) throw refused(`Object '${o.name}' already exists.`);
  }

  // --- the statement dispatcher -------------------------------------------------------------

  private run(sql: string, as: string, logged: boolean): Row[] {
    const t = tokenize(sql);
    const c = new Cursor(t, sql);
    if (t[0] === 'SHOW') return this.show(c);
    if (t[0] === 'SELECT') return this.select(sql, t);
    if (t[0] === 'DESCRIBE') return this.describe(t);
    if (logged) this.statements.push(sql);
    const roleDdl = (t[1] === 'ROLE' || (t[1] === 'DATABASE' && t[2] === 'ROLE'));
    if (['CREATE', 'ALTER', 'DROP'].includes(t[0]) && roleDdl) return this.roleDdl(c, as);
    if (t.includes('POLICY') && (t[0] === 'CREATE' || t[0] === 'DROP' || t[0] === 'ALTER')) return this.policyStatement(sql, t);
    if (t[0] === 'ALTER' && t[1] === 'TABLE' && t.includes('TAG')) return this.columnTag(c);
    if (t[0] === 'CREATE' && (t[1] === 'SCHEMA' || t[1] === 'TABLE')) return this.createStatement(c, as);
    if (t[0] === 'INSERT') return this.insert(c);
    if (t[0] === 'GRANT' || t[0] === 'REVOKE') return this.grantStatement(c, as);
    throw new Error(`model: unsupported ${sql}`);
  }


  // --- rbac's tool schema, the salt, column tags ---------------------------------------------

  /**
   * CREATE SCHEMA IF NOT EXISTS "D"."S" [WITH MANAGED ACCESS] [COMMENT = '...'];
   * CREATE TABLE IF NOT EXISTS "D"."S"."T" (<columns>). An existing one: nothing happens.
   */
  private createStatement(c: Cursor, as: string): Row[] {
    c.word('CREATE');
    const kind = c.t[c.p++];
    c.word('IF', 'NOT', 'EXISTS');
    const parts = c.dotted();
    if (kind === 'SCHEMA') {
      if (parts.length !== 2) throw refused(`a schema is named <database>.<schema> in ${c.sql}`);
      const o: SfObject = { kind: 'SCHEMA', database: parts[0], schema: parts[1] };
      if (c.take('WITH')) c.word('MANAGED', 'ACCESS');
      const comment = c.take('COMMENT') ? (c.word('='), c.string()) : null;
      c.end();
      if (!this.objects.has(okey(o))) this.createObject(o, as, comment);
      return [];
    }
    if (parts.length !== 3) throw refused(`a table is named <database>.<schema>.<table> in ${c.sql}`);
    const o: SfObject = { kind: 'TABLE', database: parts[0], schema: parts[1], name: parts[2] };
    // The column list: `("SALT" VARCHAR NOT NULL)`, one string column.
    c.word('(');
    const cols: [string, string][] = [];
    while (!c.take(')')) {
      const name = c.ident();
      const type = c.words(',', ')');
      cols.push([name, type.replace(/ NOT NULL$/, '').replace(/^VARCHAR$/, 'TEXT')]);
      c.take(',');
    }
    c.end();
    if (this.objects.has(okey(o))) return [];
    this.createObject(o, as);
    this.columns.set(JSON.stringify(parts), cols);
    this.madeTables.set(JSON.stringify(parts), []);
    return [];
  }

  /** INSERT INTO "D"."S"."T" ("SALT") SELECT <a salt Snowflake generates> FROM (SELECT COUNT(*) AS N FROM ...) WHERE N = 0: a row only into an empty table. */
  private insert(c: Cursor): Row[] {
    if (c.sql.includes(' RBAC_X WHERE NOT EXISTS ')) return this.fill(c.sql);
    c.word('INSERT', 'INTO');
    const parts = c.dotted();
    if (!this.objects.has(okey({ kind: 'TABLE', database: parts[0], schema: parts[1], name: parts[2] }))) throw notFound(`Table '${parts.join('.')}'`);
    const k = JSON.stringify(parts);
    const rows = this.madeTables.get(k) ?? this.madeTables.set(k, []).get(k)!;
    if (!/WHERE N = 0$/.test(c.sql)) throw new Error(`model: unsupported ${c.sql}`);
    if (!rows.length) rows.push(`salt-${Math.random().toString(36).slice(2)}`);
    return [];
  }

  /**
   * Whether a role is in the session (IS_ROLE_IN_SESSION): the current role and every
   * role it inherits through role grants. A database role `D.R`: granted to one of those.
   */
  inSession(role: string): boolean {
    const seen = new Set<string>([pkey(accountRole(this.currentRole))]);
    const todo = [accountRole(this.currentRole)];
    while (todo.length) {
      const member = todo.pop()!;
      for (const m of this.memberships.values()) {
        if (pkey(m.member) !== pkey(member) || seen.has(pkey(m.role))) continue;
        seen.add(pkey(m.role));
        todo.push(m.role);
      }
    }
    return [...seen].some((k) => {
      const p = JSON.parse(k) as string[];
      return p.length === 2 ? p[1] === role : `${p[1]}.${p[2]}` === role;
    });
  }

  /**
   * `IS_ROLE_IN_SESSION('A') OR IS_DATABASE_ROLE_IN_SESSION('R') ...`: true when one is in
   * the session. As Snowflake documents it, a database role's name is relative and
   * resolved in `database` (the protected table's, in a policy); a qualified name is FALSE.
   */
  private condition(text: string, database: string): boolean {
    const calls = [...text.matchAll(/IS_(DATABASE_)?ROLE_IN_SESSION\('((?:[^']|'')*)'\)/g)].map((m) => ({ db: m[1] !== undefined, name: m[2].replace(/''/g, "'") }));
    if (!calls.length) throw new Error(`model: unsupported condition ${text}`);
    return calls.some((c) => (c.db ? !c.name.includes('.') && this.inSession(`${database}.${c.name}`) : this.inSession(c.name)));
  }

  /**
   * What the session reads of a column: the seeded values, through the masking policy set
   * on the column, if any. The model of a mask: the value itself when the session meets
   * the body's `CASE WHEN <in session> THEN VAL`, else a stand-in `masked:<value>`.
   */
  readColumn(table: string[], column: string): (string | null)[] {
    const values = this.data.get(JSON.stringify([...table, column])) ?? [];
    const policy = this.attachments.get(JSON.stringify([...table, column]));
    if (!policy) return values;
    const body = this.bodies.get(policy) ?? '';
    const when = /^CASE WHEN (.*?) THEN VAL ELSE /.exec(body);
    const clear = when ? this.condition(when[1], table[0]) : false;
    return values.map((v) => (v === null || clear ? v : `masked:${v}`));
  }

  /**
   * rbac's surrogate fill, in the one shape the compiler writes:
   * INSERT INTO <map> ("POLICY", "VALUE", "SURROGATE") SELECT '<p>', RBAC_X.RBAC_VALUE, <random key>
   * FROM (SELECT DISTINCT TO_VARCHAR("<c>") AS RBAC_VALUE FROM <table> WHERE "<c>" IS NOT NULL [AND (<guard>)]) RBAC_X
   * WHERE NOT EXISTS (<a row of the policy with that value>).
   */
  private fill(sql: string): Row[] {
    const m =
      /^INSERT INTO (.+?) \("POLICY", "VALUE", "SURROGATE"\) SELECT '((?:[^']|'')*)', RBAC_X\.RBAC_VALUE, LOWER\(REPLACE\(UUID_STRING\(\), '-', ''\)\) FROM \(SELECT DISTINCT TO_VARCHAR\(("(?:[^"]|"")*")\) AS RBAC_VALUE FROM (.+?) WHERE \3 IS NOT NULL(?: AND \((.*)\))?\) RBAC_X WHERE NOT EXISTS \(SELECT 1 FROM \1 RBAC_M WHERE RBAC_M\."POLICY" = '\2' AND RBAC_M\."VALUE" = RBAC_X\.RBAC_VALUE\)$/.exec(sql);
    if (!m) throw new Error(`model: unsupported ${sql}`);
    const dotted = (text: string) => tokenize(text).filter((x) => x !== '.').map((x) => x.slice(2));
    const map = dotted(m[1]);
    const table = dotted(m[4]);
    const column = tokenize(m[3])[0].slice(2);
    const policy = m[2].replace(/''/g, "'");
    if (!this.objects.has(okey({ kind: 'TABLE', database: map[0], schema: map[1], name: map[2] }))) throw notFound(`Table '${map.join('.')}'`);
    if (!this.objects.has(okey({ kind: 'TABLE', database: table[0], schema: table[1], name: table[2] }))) throw notFound(`Table '${table.join('.')}'`);
    if (m[5] !== undefined && !this.condition(m[5], table[0])) return [];
    const rows = this.mappings.get(JSON.stringify(map)) ?? this.mappings.set(JSON.stringify(map), []).get(JSON.stringify(map))!;
    for (const value of new Set(this.readColumn(table, column))) {
      if (value === null || rows.some((r) => r.policy === policy && r.value === value)) continue;
      rows.push({ policy, value, surrogate: Array.from({ length: 32 }, () => Math.floor(this.rand() * 16).toString(16)).join('') });
    }
    return [];
  }

  /** ALTER TABLE "D"."S"."T" MODIFY COLUMN "C" SET TAG "D"."S"."G" = '<value>' | UNSET TAG "D"."S"."G". */
  private columnTag(c: Cursor): Row[] {
    c.word('ALTER', 'TABLE');
    const table = c.dotted();
    c.word('MODIFY', 'COLUMN');
    const column = c.ident();
    const set = c.take('SET');
    if (!set) c.word('UNSET');
    c.word('TAG');
    const tagParts = c.dotted();
    const value = set ? (c.word('='), c.string()) : undefined;
    c.end();
    if (tagParts.length !== 3 || !this.objects.has(okey({ kind: 'TAG', database: tagParts[0], schema: tagParts[1], name: tagParts[2] }))) throw notFound(`Tag '${tagParts.join('.')}'`);
    if (!this.objects.has(okey({ kind: 'TABLE', database: table[0], schema: table[1], name: table[2] }))) throw notFound(`Table '${table.join('.')}'`);
    if (!(this.columns.get(JSON.stringify(table)) ?? []).some(([name]) => name === column)) throw notFound(`Column '${column}'`);
    const tag = JSON.stringify(tagParts);
    const k = JSON.stringify([...table, column]);
    const m = this.columnTagValues.get(k) ?? this.columnTagValues.set(k, new Map()).get(k)!;
    if (set) m.set(tag, value!);
    else if (!m.delete(tag)) throw refused(`tag ${tagParts.join('.')} is not set on column ${column}`);
    return [];
  }

  // --- roles ------------------------------------------------------------------------------

  /** CREATE [DATABASE] ROLE IF NOT EXISTS x [COMMENT = '...'], ALTER [DATABASE] ROLE x SET COMMENT = '...' | UNSET COMMENT, DROP [DATABASE] ROLE IF EXISTS x. */
  private roleDdl(c: Cursor, as: string): Row[] {
    const verb = c.t[c.p++];
    const isDatabaseRole = c.take('DATABASE');
    c.word('ROLE');
    if (verb === 'CREATE') c.word('IF', 'NOT', 'EXISTS');
    if (verb === 'DROP') c.word('IF', 'EXISTS');
    const p = roleName(c, isDatabaseRole);
    if (verb === 'CREATE') {
      const comment = c.take('COMMENT') ? (c.word('='), c.string()) : null;
      c.end();
      if (p.type === 'DATABASE_ROLE' && !this.objects.has(okey({ kind: 'DATABASE', database: p.database }))) throw notFound(`Database '${p.database}'`);
      if (!this.roles.has(pkey(p))) this.roles.set(pkey(p), { principal: p, comment, owner: as });
      return [];
    }
    if (verb === 'ALTER') {
      const r = this.roles.get(pkey(p));
      if (!r) throw notFound(`Role '${p.name}'`);
      if (c.take('SET')) {
        c.word('COMMENT', '=');
        r.comment = c.string();
      } else {
        c.word('UNSET', 'COMMENT');
        r.comment = null;
      }
      c.end();
      return [];
    }
    c.end();
    this.dropRole(p, as);
    return [];
  }

  /** DROP ROLE: its grants, role grants and future grants go; what it owned passes to the role that dropped it. */
  private dropRole(p: Principal, as: string): void {
    const k = pkey(p);
    if (!this.roles.has(k)) return;
    if (p.type === 'ROLE' && ['ACCOUNTADMIN', 'SECURITYADMIN', 'USERADMIN', 'SYSADMIN', 'PUBLIC'].includes(p.name)) throw refused(`system role ${p.name} cannot be dropped`);
    this.roles.delete(k);
    for (const [gk, g] of this.grants) if (pkey(g.grantee) === k) this.grants.delete(gk);
    for (const [mk, m] of this.memberships) if (pkey(m.role) === k || pkey(m.member) === k) this.memberships.delete(mk);
    for (const [fk, f] of this.futures) if (pkey(f.grantee) === k) this.futures.delete(fk);
    for (const o of this.objects.values()) if (pkey(o.owner) === k) o.owner = accountRole(as);
    for (const r of this.roles.values()) if (p.type === 'ROLE' && r.owner === p.name) r.owner = as;
  }

  /** GRANT [DATABASE] ROLE x TO ROLE | DATABASE ROLE | USER y; REVOKE ... FROM ... */
  private roleGrant(c: Cursor, grant: boolean, as: string): Row[] {
    const isDatabaseRole = c.take('DATABASE');
    c.word('ROLE');
    const role = roleName(c, isDatabaseRole);
    c.word(grant ? 'TO' : 'FROM');
    const member = principal(c);
    c.end();
    if (!this.hasRole(role)) throw notFound(`Role '${role.name}'`);
    if (!this.hasRole(member)) throw notFound(`${member.type === 'USER' ? 'User' : 'Role'} '${member.name}'`);
    if (role.type === 'DATABASE_ROLE' && member.type === 'USER') throw refused(`database role ${role.database}.${role.name} cannot be granted to a user; grant it to a role`);
    if (role.type === 'ROLE' && member.type === 'DATABASE_ROLE') throw refused(`account role ${role.name} cannot be granted to a database role`);
    if (role.type === 'DATABASE_ROLE' && member.type === 'DATABASE_ROLE' && role.database !== member.database) {
      throw refused(`database role ${role.database}.${role.name} cannot be granted to a database role of another database`);
    }
    const k = JSON.stringify([pkey(role), pkey(member)]);
    if (!grant) {
      this.memberships.delete(k);
      return [];
    }
    if (member.type !== 'USER' && this.holds(role, member)) throw refused(`granting ${role.name} to ${member.name} would make a cycle of roles`);
    if (!this.memberships.has(k)) this.memberships.set(k, { role, member, grantedBy: as });
    return [];
  }

  /** Whether `holder` is `role` or holds it through the roles it holds. */
  private holds(holder: Principal, role: Principal): boolean {
    const want = pkey(role);
    const seen = new Set<string>();
    const todo = [pkey(holder)];
    while (todo.length) {
      const k = todo.pop()!;
      if (k === want) return true;
      if (seen.has(k)) continue;
      seen.add(k);
      for (const m of this.memberships.values()) if (pkey(m.member) === k) todo.push(pkey(m.role));
    }
    return false;
  }

  // --- privilege grants -----------------------------------------------------------------------

  /** A principal privileges may be granted to, on an object of `database` (undefined: of the account). */
  private checkGrantee(p: Principal, database: string | undefined): void {
    if (p.type === 'USER') throw refused('privileges are granted to roles, not to users');
    if (!this.hasRole(p)) throw notFound(`Role '${p.name}'`);
    if (p.type === 'DATABASE_ROLE' && !sameDb(p, database)) throw refused(`database role ${p.database}.${p.name} cannot hold privileges outside its database ${p.database}`);
  }

  /** The stored object a GRANT names: `ON TABLE` names any relation, `ON VIEW` a view or a materialized view. */
  private lookup(o: SfObject): SfObject {
    if (o.kind === 'ACCOUNT') return o;
    const found = this.objects.get(okey(o))?.object;
    const fits = found && (found.kind === o.kind || (o.kind === 'TABLE' && KINDS[found.kind].relation) || (o.kind === 'VIEW' && found.kind === 'MATERIALIZED VIEW'));
    if (!found || !fits) throw notFound(`${o.kind[0]}${o.kind.slice(1).toLowerCase()} '${[o.database, o.schema, o.name].filter((x) => x !== undefined).join('.') || o.name}'`);
    return found;
  }

  /** GRANT|REVOKE [GRANT OPTION FOR] <privileges> ON <object> | ON FUTURE ... TO|FROM <grantee> [flags]. */
  private grantStatement(c: Cursor, as: string): Row[] {
    const grant = c.t[c.p++] === 'GRANT';
    if (c.peek() === 'ROLE' || (c.peek() === 'DATABASE' && c.peek(1) === 'ROLE')) return this.roleGrant(c, grant, as);
    const optionOnly = !grant && c.take('GRANT');
    if (optionOnly) c.word('OPTION', 'FOR');
    const privileges = privilegeList(c);
    if (privileges.includes('OWNERSHIP') && privileges.length > 1) throw refused('OWNERSHIP cannot be granted in a list of privileges');
    c.word('ON');
    if (c.peek() === 'FUTURE') return this.futureGrant(c, grant, privileges);
    const named = objectAfterOn(c);
    c.word(grant ? 'TO' : 'FROM');
    const grantee = principal(c);
    const flags = c.t.slice(c.p).join(' ');
    const allowed = grant ? ['', 'WITH GRANT OPTION', 'COPY CURRENT GRANTS', 'REVOKE CURRENT GRANTS'] : ['', 'CASCADE', 'RESTRICT'];
    if (!allowed.includes(flags)) throw refused(`syntax error: unexpected ${flags} in ${c.sql}`);
    this.checkGrantee(grantee, named.database);
    const object = this.lookup(named);
    if (privileges[0] === 'OWNERSHIP') {
      if (!grant) throw refused('OWNERSHIP cannot be revoked; transfer it with GRANT OWNERSHIP');
      this.transferOwnership(object, grantee, flags);
      return [];
    }
    if (privileges[0] === 'ALL PRIVILEGES' || privileges[0] === 'ALL') {
      // REVOKE ALL PRIVILEGES: every privilege the grantee holds on the object (ownership is not a grant).
      if (grant) throw new Error(`model: unsupported ${c.sql}`);
      const k = okey(object);
      for (const [gk, g] of this.grants) {
        if (pkey(g.grantee) !== pkey(grantee) || okey(g.object) !== k) continue;
        if (optionOnly) g.grantOption = false;
        else this.grants.delete(gk);
      }
      return [];
    }
    const shared = object.kind === 'DATABASE' && this.objects.get(okey(object))?.shared === true;
    for (const privilege of privileges) {
      if (shared && privilege !== 'IMPORTED PRIVILEGES') throw refused(`individual privileges on imported database ${object.database} are not allowed; use IMPORTED PRIVILEGES`);
      if (!shared && privilege === 'IMPORTED PRIVILEGES') throw refused(`IMPORTED PRIVILEGES is granted on a database made from a share only`);
      const k = gkey(grantee, privilege, object);
      const held = this.grants.get(k);
      if (!grant) {
        if (optionOnly) { if (held) held.grantOption = false; }
        else this.grants.delete(k);
        continue;
      }
      if (held) held.grantOption ||= flags === 'WITH GRANT OPTION';
      else this.grants.set(k, { grantee, privilege, object, grantOption: flags === 'WITH GRANT OPTION', grantedBy: as });
    }
    return [];
  }

  /** GRANT OWNERSHIP: the one owner changes; grants on the object are kept (COPY) or dropped (REVOKE); neither is refused when there are any. */
  private transferOwnership(object: SfObject, to: Principal, flags: string): void {
    const state = this.objects.get(okey(object));
    if (!state) throw refused('the account has no owner');
    const k = okey(object);
    const onIt = [...this.grants].filter(([, g]) => okey(g.object) === k);
    if (onIt.length && flags !== 'COPY CURRENT GRANTS' && flags !== 'REVOKE CURRENT GRANTS') {
      throw refused(`${object.kind} ${object.name ?? object.database} has grants: transfer its ownership with COPY CURRENT GRANTS or REVOKE CURRENT GRANTS`);
    }
    if (flags === 'REVOKE CURRENT GRANTS') for (const [gk] of onIt) this.grants.delete(gk);
    state.owner = to;
  }

  /** GRANT|REVOKE <privileges> ON FUTURE <TYPES> IN SCHEMA|DATABASE ... TO|FROM <grantee> [WITH GRANT OPTION]. */
  private futureGrant(c: Cursor, grant: boolean, privileges: string[]): Row[] {
    const target = futureTarget(c);
    c.word(grant ? 'TO' : 'FROM');
    const grantee = principal(c);
    const withOption = grant && c.take('WITH');
    if (withOption) c.word('GRANT', 'OPTION');
    c.end();
    if (!this.objects.has(okey({ kind: 'DATABASE', database: target.database }))) throw notFound(`Database '${target.database}'`);
    if (target.schema !== undefined && !this.objects.has(okey({ kind: 'SCHEMA', database: target.database, schema: target.schema }))) {
      throw notFound(`Schema '${target.database}.${target.schema}'`);
    }
    this.checkGrantee(grantee, target.database);
    for (const privilege of privileges) {
      const f = { ...target, privilege, grantee };
      const k = fkey(f);
      if (!grant) {
        this.futures.delete(k);
        continue;
      }
      // One role holds the future OWNERSHIP of a type in a container: a new one replaces it.
      if (privilege === 'OWNERSHIP') {
        for (const [ok, o] of this.futures) if (o.privilege === 'OWNERSHIP' && o.type === f.type && o.database === f.database && o.schema === f.schema && ok !== k) this.futures.delete(ok);
      }
      const held = this.futures.get(k);
      if (held) held.grantOption ||= withOption;
      else this.futures.set(k, { ...f, grantOption: withOption });
    }
    return [];
  }

  // --- SHOW -----------------------------------------------------------------------------------

  private show(c: Cursor): Row[] {
    c.word('SHOW');
    if (c.take('ROLES')) return this.showRoles();
    if (c.take('USERS')) return [...this.users].map((name) => ({ name, created_on: CREATED, login_name: name.toUpperCase(), display_name: name, disabled: 'false', owner: 'USERADMIN' }));
    for (const [kind, words] of SHOW_IN_DATABASE) {
      if (c.peek() !== words[0] || (words[1] !== undefined && c.peek(1) !== words[1])) continue;
      for (const w of words) c.word(w);
      c.word('IN', 'DATABASE');
      const database = c.ident();
      c.end();
      return this.showInDatabase(kind, database);
    }
    if (c.take('DATABASES')) {
      c.end();
      // A database made from a share has an origin and kind IMPORTED DATABASE.
      return [...this.objects.values()]
        .filter((o) => o.object.kind === 'DATABASE')
        .map((o) => ({ created_on: CREATED, name: o.object.database ?? '', is_default: 'N', is_current: 'N', origin: o.shared ? 'ORG.PROVIDER.SHARE' : '', owner: o.shared ? '' : o.owner.name, comment: '', options: '', retention_time: '1', kind: o.shared ? 'IMPORTED DATABASE' : 'STANDARD' }));
    }
    if (c.take('DATABASE')) {
      c.word('ROLES', 'IN', 'DATABASE');
      const database = c.ident();
      c.end();
      return this.showDatabaseRoles(database);
    }
    if (c.take('GRANTS')) {
      if (c.take('ON')) {
        const object = this.lookup(objectAfterOn(c));
        c.end();
        return this.grantsOnShown(object);
      }
      const to = c.take('TO');
      if (!to) c.word('OF');
      const isDatabaseRole = c.take('DATABASE');
      c.word('ROLE');
      const p = roleName(c, isDatabaseRole);
      c.end();
      if (!this.hasRole(p)) throw notFound(`Role '${p.name}'`);
      return to ? this.grantsTo(p) : this.grantsOf(p);
    }
    if (c.take('FUTURE')) {
      c.word('GRANTS', 'IN');
      if (c.take('DATABASE')) {
        const database = c.ident();
        c.end();
        return this.showFutures(database, undefined);
      }
      c.word('SCHEMA');
      const [database, schema] = c.dotted();
      c.end();
      return this.showFutures(database, schema);
    }
    if (c.peek() === 'MASKING' || c.peek() === 'ROW') return this.showPolicies(c.t);
    throw new Error(`model: unsupported ${c.sql}`);
  }

  private showRoles(): Row[] {
    const count = (f: (m: Membership) => boolean) => String([...this.memberships.values()].filter(f).length);
    return [...this.roles.values()]
      .filter((r) => r.principal.type === 'ROLE')
      .map((r) => {
        const k = pkey(r.principal);
        return {
          created_on: CREATED,
          name: r.principal.name,
          is_default: 'N',
          is_current: r.principal.name === this.currentRole ? 'Y' : 'N',
          is_inherited: 'N',
          assigned_to_users: count((m) => pkey(m.role) === k && m.member.type === 'USER'),
          granted_to_roles: count((m) => pkey(m.role) === k && m.member.type !== 'USER'),
          granted_roles: count((m) => pkey(m.member) === k),
          owner: r.owner,
          comment: r.comment,
        };
      });
  }

  /** SHOW DATABASE ROLES IN DATABASE d: names bare. */
  private showDatabaseRoles(database: string): Row[] {
    if (!this.objects.has(okey({ kind: 'DATABASE', database }))) throw notFound(`Database '${database}'`);
    const count = (f: (m: Membership) => boolean) => [...this.memberships.values()].filter(f).length;
    return [...this.roles.values()]
      .filter((r) => r.principal.type === 'DATABASE_ROLE' && r.principal.database === database)
      .map((r) => {
        const k = pkey(r.principal);
        return {
          created_on: CREATED,
          name: r.principal.name,
          is_default: 'N',
          is_current: 'N',
          is_inherited: 'N',
          granted_to_roles: count((m) => pkey(m.role) === k && m.member.type === 'ROLE'),
          granted_to_database_roles: count((m) => pkey(m.role) === k && m.member.type === 'DATABASE_ROLE'),
          granted_database_roles: count((m) => pkey(m.member) === k),
          owner: r.owner,
          comment: r.comment,
          owner_role_type: 'ROLE',
        };
      });
  }

  /** `granted_on`: the kind with underscores; a view is reported as TABLE now and then, as Snowflake may. */
  private grantedOn(o: SfObject): string {
    if (o.kind === 'VIEW' && this.rand() < 0.5) return 'TABLE';
    return o.kind.replace(/ /g, '_');
  }

  /** `name` of SHOW GRANTS: the locator, a quoted-where-needed dotted name, a routine in either format. */
  private shownName(o: SfObject): string {
    const level = KINDS[o.kind].level;
    if (level === 'account') return this.locator;
    if (level === 'global') return showPart(o.name!);
    if (level === 'database') return showPart(o.database!);
    if (level === 'schema') return showName([o.database!, o.schema!]);
    if (!KINDS[o.kind].routine) return showName([o.database!, o.schema!, o.name!]);
    // Routines: the current format, or the older one with argument names and the return type in the quoted last part.
    if (this.rand() < 0.5) return `${showName([o.database!, o.schema!, o.name!])}(${o.args!.join(', ')})`;
    return `${showName([o.database!, o.schema!])}.${quoted(`${o.name}(${o.args!.map((a, i) => `A${i + 1} ${a}`).join(', ')}):VARCHAR(16777216)`)}`;
  }

  private static roleShown(p: Principal): string {
    return p.type === 'DATABASE_ROLE' ? showName([p.database, p.name]) : showPart(p.name);
  }

  /**
   * SHOW GRANTS TO [DATABASE] ROLE: its privileges (IMPORTED PRIVILEGES listed as USAGE),
   * OWNERSHIP of what it owns, USAGE on the roles it holds; grantee_name is bare.
   */
  private grantsTo(p: Principal): Row[] {
    const k = pkey(p);
    const row = (privilege: string, granted_on: string, name: string, grantOption: boolean, granted_by: string): Row => ({
      created_on: CREATED,
      privilege,
      granted_on,
      name,
      granted_to: p.type,
      grantee_name: p.name,
      grant_option: String(grantOption),
      granted_by,
    });
    const rows: Row[] = [];
    for (const g of this.grants.values()) {
      if (pkey(g.grantee) === k) rows.push(row(g.privilege === 'IMPORTED PRIVILEGES' ? 'USAGE' : g.privilege, this.grantedOn(g.object), this.shownName(g.object), g.grantOption, g.grantedBy));
    }
    for (const o of this.objects.values()) if (pkey(o.owner) === k) rows.push(row('OWNERSHIP', this.grantedOn(o.object), this.shownName(o.object), true, p.name));
    for (const m of this.memberships.values()) if (pkey(m.member) === k) rows.push(row('USAGE', m.role.type, SnowflakeGrantModel.roleShown(m.role), false, m.grantedBy));
    if (p.type === 'ROLE') for (const r of this.roles.values()) if (r.owner === p.name) rows.push(row('OWNERSHIP', r.principal.type, SnowflakeGrantModel.roleShown(r.principal), true, p.name));
    return rows;
  }

  /** SHOW GRANTS ON <object>: its owner's OWNERSHIP and every privilege on it; a database role grantee as `D.R`. */
  private grantsOnShown(o: SfObject): Row[] {
    return this.grantsOn(o).map((g) => ({
      created_on: CREATED,
      privilege: g.privilege === 'IMPORTED PRIVILEGES' ? 'USAGE' : g.privilege,
      granted_on: this.grantedOn(o),
      name: this.shownName(o),
      granted_to: g.grantee.type,
      grantee_name: SnowflakeGrantModel.roleShown(g.grantee),
      grant_option: String(g.grantOption),
      granted_by: g.grantedBy,
    }));
  }

  /** SHOW GRANTS OF [DATABASE] ROLE: who holds it (role bare, grantee_name bare). */
  private grantsOf(p: Principal): Row[] {
    const k = pkey(p);
    return [...this.memberships.values()]
      .filter((m) => pkey(m.role) === k)
      .map((m) => ({ created_on: CREATED, role: p.name, granted_to: m.member.type, grantee_name: m.member.name, granted_by: m.grantedBy }));
  }

  /** SHOW FUTURE GRANTS IN SCHEMA|DATABASE: columns grant_on / grant_to, name `D.S.<TABLE>`. */
  private showFutures(database: string, schema: string | undefined): Row[] {
    const container = schema === undefined ? { kind: 'DATABASE', database } : { kind: 'SCHEMA', database, schema };
    if (!this.objects.has(okey(container))) throw notFound(`${schema === undefined ? 'Database' : 'Schema'} '${[database, schema].filter((x) => x !== undefined).join('.')}'`);
    return [...this.futures.values()]
      .filter((f) => f.database === database && f.schema === schema)
      .map((f) => {
        const on = FUTURE_TYPES.get(f.type)!.replace(/ /g, '_');
        return {
          created_on: CREATED,
          privilege: f.privilege,
          grant_on: on,
          name: `${showName(schema === undefined ? [database] : [database, schema])}.<${on}>`,
          grant_to: f.grantee.type,
          grantee_name: f.grantee.name,
          grant_option: String(f.grantOption),
        };
      });
  }

  // --- INFORMATION_SCHEMA, policies ---------------------------------------------------------------

  /** `WHERE TABLE_SCHEMA IN ('A', 'B')` of an INFORMATION_SCHEMA query. */
  private static schemasIn(t: string[]): Set<string> {
    const i = t.indexOf('IN');
    const out = new Set<string>();
    for (let j = i + 2; j < t.length && t[j] !== ')'; j++) if (t[j].startsWith('S:')) out.add(t[j].slice(2));
    return out;
  }

  private select(sql: string, t: string[]): Row[] {
    if (t[1] === 'POLICY_DB') return this.policyReferences(t);
    if (t[1] === 'TAG_DATABASE') return this.tagReferences(t);
    if (t.includes('SCHEMATA') && t[1] === 'SCHEMA_NAME' && t[2] === 'FROM') return this.schemata(t);
    if (t.includes('SCHEMATA')) return this.toolSchema(t);
    const view = LISTING_VIEWS.find(([, v]) => t.includes(v.view));
    if (view) return this.listing(view[0], view[1], t);
    const database = t[t.indexOf('FROM') + 1].slice(2);
    if (!this.objects.has(okey({ kind: 'DATABASE', database }))) throw notFound(`Database '${database}'`);
    const schemas = SnowflakeGrantModel.schemasIn(t);
    if (t.includes('COLUMN_NAME')) {
      const rows: Row[] = [];
      for (const [k, cols] of this.columns) {
        const [d, schema, name] = JSON.parse(k) as string[];
        if (d === database && schemas.has(schema)) for (const [c, type] of cols) rows.push({ TABLE_SCHEMA: schema, TABLE_NAME: name, COLUMN_NAME: c, DATA_TYPE: type });
      }
      return rows;
    }
    if (!t.includes('TABLE_TYPE')) throw new Error(`model: unsupported ${sql}`);
    return [...this.objects.values()]
      .map((o) => o.object)
      .filter((o) => KINDS[o.kind].relation && o.database === database && schemas.has(o.schema!))
      .sort((a, b) => (a.schema! < b.schema! ? -1 : a.schema! > b.schema! ? 1 : a.name! < b.name! ? -1 : a.name! > b.name! ? 1 : 0))
      .map((o) => ({ TABLE_SCHEMA: o.schema!, TABLE_NAME: o.name!, TABLE_TYPE: KINDS[o.kind].tableType! }));
  }

  private showPolicies(t: string[]): Row[] {
    const kind = t[1] === 'MASKING' ? 'MASKING_POLICY' : 'ROW_ACCESS_POLICY';
    const db = t[t.indexOf('DATABASE') + 1].slice(2);
    return [...this.policies]
      .map(([k, comment]) => [JSON.parse(k) as string[], comment] as const)
      .filter(([k]) => k[0] === kind && k[1] === db)
      .map(([k, comment]) => ({ created_on: CREATED, name: k[3], database_name: k[1], schema_name: k[2], kind: kind.replace(/_POLICY$/, '').replace('_', ' '), owner: 'SECURITYADMIN', comment, owner_role_type: 'ROLE', options: '' }));
  }

  /** POLICY_REFERENCES(POLICY_NAME => '"D"."S"."P"'): the literal holds a quoted dotted name. */
  private policyReferences(t: string[]): Row[] {
    const lit = t.find((x) => x.startsWith('S:'))!.slice(2);
    const parts = tokenize(lit).filter((x) => x !== '.').map((x) => x.slice(2));
    const rows: Row[] = [];
    for (const [a, pk] of this.attachments) {
      const pol = JSON.parse(pk) as string[];
      if (JSON.stringify(pol.slice(1)) !== JSON.stringify(parts)) continue;
      const [db, schema, table, column] = JSON.parse(a) as (string | null)[];
      rows.push({ POLICY_DB: pol[1], POLICY_SCHEMA: pol[2], POLICY_NAME: pol[3], POLICY_KIND: pol[0], REF_DATABASE_NAME: db, REF_SCHEMA_NAME: schema, REF_ENTITY_NAME: table, REF_ENTITY_DOMAIN: 'TABLE', REF_COLUMN_NAME: column, REF_ARG_COLUMN_NAMES: null, TAG_DATABASE: null, TAG_SCHEMA: null, TAG_NAME: null, POLICY_STATUS: 'ACTIVE' });
    }
    // Tag-based masking: the policy's row on each tag, and a row per column masked through it.
    const pk = JSON.stringify(['MASKING_POLICY', ...parts]);
    for (const [tag, pols] of this.tagPolicies) {
      if (!pols.includes(pk)) continue;
      const [td, ts, tn] = JSON.parse(tag) as string[];
      rows.push({ POLICY_DB: parts[0], POLICY_SCHEMA: parts[1], POLICY_NAME: parts[2], POLICY_KIND: 'MASKING_POLICY', REF_DATABASE_NAME: td, REF_SCHEMA_NAME: ts, REF_ENTITY_NAME: tn, REF_ENTITY_DOMAIN: 'TAG', REF_COLUMN_NAME: null, REF_ARG_COLUMN_NAMES: null, TAG_DATABASE: null, TAG_SCHEMA: null, TAG_NAME: null, POLICY_STATUS: null });
      for (const [ck, tagsOn] of this.columnTagValues) {
        if (!tagsOn.has(tag)) continue;
        const [db, schema, table, column] = JSON.parse(ck) as string[];
        rows.push({ POLICY_DB: parts[0], POLICY_SCHEMA: parts[1], POLICY_NAME: parts[2], POLICY_KIND: 'MASKING_POLICY', REF_DATABASE_NAME: db, REF_SCHEMA_NAME: schema, REF_ENTITY_NAME: table, REF_ENTITY_DOMAIN: 'TABLE', REF_COLUMN_NAME: column, REF_ARG_COLUMN_NAMES: null, TAG_DATABASE: td, TAG_SCHEMA: ts, TAG_NAME: tn, POLICY_STATUS: this.attachments.has(ck) ? 'MULTIPLE_MASKING_POLICY_ASSIGNED_TO_THE_COLUMN' : 'ACTIVE' });
      }
    }
    return rows;
  }

  /** TAG_REFERENCES_ALL_COLUMNS('"D"."S"."T"', 'table'): the tags set on each column (LEVEL COLUMN), and those inherited from the table (LEVEL TABLE). */
  private tagReferences(t: string[]): Row[] {
    const lit = t.find((x) => x.startsWith('S:'))!.slice(2);
    const name = tokenize(lit).filter((x) => x !== '.').map((x) => x.slice(2));
    if (!this.objects.has(okey({ kind: 'TABLE', database: name[0], schema: name[1], name: name[2] }))) throw notFound(`Table '${name.join('.')}'`);
    const rows: Row[] = [];
    const row = (tag: string, value: string, level: string, column: string) => {
      const [td, ts, tn] = JSON.parse(tag) as string[];
      rows.push({ TAG_DATABASE: td, TAG_SCHEMA: ts, TAG_NAME: tn, TAG_VALUE: value, LEVEL: level, OBJECT_DATABASE: name[0], OBJECT_SCHEMA: name[1], OBJECT_NAME: name[2], DOMAIN: 'COLUMN', COLUMN_NAME: column });
    };
    for (const [column] of this.columns.get(JSON.stringify(name)) ?? []) {
      for (const [tag, v] of this.columnTagValues.get(JSON.stringify([...name, column])) ?? []) row(tag, v, 'COLUMN', column);
      for (const [tag, v] of this.tableTags.get(JSON.stringify(name)) ?? []) row(tag, v, 'TABLE', column);
    }
    return rows;
  }

  /** rbac's tool schema: SCHEMATA (the schema named in WHERE) left joined with TABLES (the table named in ON). */
  /** `SELECT SCHEMA_NAME FROM "D".INFORMATION_SCHEMA.SCHEMATA`: every schema, INFORMATION_SCHEMA included. */
  private schemata(t: string[]): Row[] {
    const database = t[t.indexOf('FROM') + 1].slice(2);
    if (!this.objects.has(okey({ kind: 'DATABASE', database }))) throw notFound(`Database '${database}'`);
    const names = [...this.objects.values()].map((o) => o.object).filter((o) => o.kind === 'SCHEMA' && o.database === database).map((o) => o.schema!);
    return ['INFORMATION_SCHEMA', ...names].sort().map((SCHEMA_NAME) => ({ SCHEMA_NAME }));
  }

  /** An INFORMATION_SCHEMA listing (STAGES, FUNCTIONS, ...): routines with `ARGUMENT_SIGNATURE` as `(A1 T1, A2 T2)`. */
  private listing(kind: string, v: { view: string; schema: string; name: string; signature?: string }, t: string[]): Row[] {
    const database = t[t.indexOf('FROM') + 1].slice(2);
    if (!this.objects.has(okey({ kind: 'DATABASE', database }))) throw notFound(`Database '${database}'`);
    const schemas = SnowflakeGrantModel.schemasIn(t);
    return [...this.objects.values()]
      .map((o) => o.object)
      .filter((o) => o.kind === kind && o.database === database && schemas.has(o.schema!))
      .map((o) => ({
        [v.schema]: o.schema!,
        [v.name]: o.name!,
        ...(v.signature ? { [v.signature]: `(${(o.args ?? []).map((a, i) => `ARG${i + 1} ${a}`).join(', ')})` } : {}),
      }));
  }

  /** `SHOW TASKS|STREAMS|DYNAMIC TABLES|TAGS IN DATABASE d`: name, database_name, schema_name. */
  private showInDatabase(kind: string, database: string): Row[] {
    if (!this.objects.has(okey({ kind: 'DATABASE', database }))) throw notFound(`Database '${database}'`);
    return [...this.objects.values()]
      .filter((o) => o.object.kind === kind && o.object.database === database)
      .map((o) => ({ created_on: CREATED, name: o.object.name!, database_name: database, schema_name: o.object.schema!, owner: o.owner.name }));
  }

  private toolSchema(t: string[]): Row[] {
    const database = t[t.indexOf('FROM') + 1].slice(2);
    if (!this.objects.has(okey({ kind: 'DATABASE', database }))) throw notFound(`Database '${database}'`);
    // `t.TABLE_NAME = 'A'` or `t.TABLE_NAME IN ('A', 'B')` in ON, then the schema in WHERE.
    const literals = t.filter((x) => x.startsWith('S:')).map((x) => x.slice(2));
    const schema = literals.pop()!;
    const state = this.objects.get(okey({ kind: 'SCHEMA', database, schema }));
    if (!state) return [];
    const found = literals.filter((name) => this.objects.has(okey({ kind: 'TABLE', database, schema, name })));
    return (found.length ? found : [null]).map((name) => ({ SCHEMA_NAME: schema, COMMENT: state.comment ?? null, TABLE_NAME: name }));
  }

  private describe(t: string[]): Row[] {
    const kind = t[1] === 'MASKING' ? 'MASKING_POLICY' : 'ROW_ACCESS_POLICY';
    const c = new Cursor(t, t.join(' '));
    c.p = t.indexOf('POLICY') + 1;
    const k = JSON.stringify([kind, ...c.dotted()]);
    if (!this.policies.has(k)) throw notFound(`Policy '${JSON.parse(k).slice(1).join('.')}'`);
    return [{ name: JSON.parse(k)[3], signature: '(VAL VARCHAR)', return_type: 'VARCHAR', body: this.bodies.get(k) ?? '' }];
  }

  /** Policy DDL as our compiler writes it; Snowflake's refusals (attached policy) are modelled. */
  private policyStatement(sql: string, t: string[]): Row[] {
    const dottedAt = (i: number) => { const parts = [t[i].slice(2)]; while (t[i + 1] === '.') { i += 2; parts.push(t[i].slice(2)); } return parts; };
    const at = (w: string) => t.indexOf(w);
    const commentOf = () => { const i = t.lastIndexOf('COMMENT'); return i >= 0 && t[i + 1] === '=' ? t[i + 2].slice(2) : null; };
    const attachedTo = (k: string) => [...this.attachments.values()].includes(k) || [...this.tagPolicies.values()].some((ps) => ps.includes(k));
    if (t[0] === 'ALTER' && t[1] === 'TAG') {
      // ALTER TAG "D"."S"."G" SET|UNSET MASKING POLICY "D"."S"."P"
      const tagParts = dottedAt(2);
      if (!this.objects.has(okey({ kind: 'TAG', database: tagParts[0], schema: tagParts[1], name: tagParts[2] }))) throw notFound(`Tag '${tagParts.join('.')}'`);
      const tag = JSON.stringify(tagParts);
      const pols = this.tagPolicies.get(tag) ?? this.tagPolicies.set(tag, []).get(tag)!;
      const k = JSON.stringify(['MASKING_POLICY', ...dottedAt(at('POLICY') + 1)]);
      if (!this.policies.has(k)) throw notFound(`Policy ${k}`);
      if (t[at('MASKING') - 1] === 'SET') {
        // A tag takes one masking policy per data type; the double refuses only the same policy twice.
        if (pols.includes(k)) throw refused(`policy ${k} is already set on tag ${tag}`);
        pols.push(k);
      } else {
        if (!pols.includes(k)) throw refused(`policy ${k} is not set on tag ${tag}`);
        pols.splice(pols.indexOf(k), 1);
      }
      return [];
    }
    if (t[0] === 'CREATE') {
      const kind = t.includes('MASKING') ? 'MASKING_POLICY' : 'ROW_ACCESS_POLICY';
      const k = JSON.stringify([kind, ...dottedAt(at('POLICY') + 1)]);
      if (this.policies.has(k) && !t.includes('REPLACE')) throw refused(`policy ${k} already exists`);
      if (attachedTo(k)) throw refused(`policy ${k} is attached and cannot be replaced`);
      this.policies.set(k, commentOf());
      this.bodies.set(k, sql.slice(sql.indexOf('->') + 2, sql.lastIndexOf(' COMMENT = ')).trim());
      return [];
    }
    if (t[0] === 'DROP') {
      const kind = t[1] === 'MASKING' ? 'MASKING_POLICY' : 'ROW_ACCESS_POLICY';
      const i = at('EXISTS') >= 0 ? at('EXISTS') + 1 : at('POLICY') + 1;
      const k = JSON.stringify([kind, ...dottedAt(i)]);
      if (attachedTo(k)) throw refused(`policy ${k} is attached and cannot be dropped`);
      this.policies.delete(k);
      return [];
    }
    if (t[1] === 'MASKING' || t[1] === 'ROW') {
      const kind = t[1] === 'MASKING' ? 'MASKING_POLICY' : 'ROW_ACCESS_POLICY';
      const k = JSON.stringify([kind, ...dottedAt(at('POLICY') + 1)]);
      if (!this.policies.has(k)) throw notFound(`Policy ${k}`);
      if (t.includes('COMMENT')) this.policies.set(k, commentOf());
      else if (t.includes('BODY')) this.bodies.set(k, sql.slice(sql.indexOf('->') + 2).trim());
      return [];
    }
    // ALTER TABLE "D"."S"."T" ...
    const table = dottedAt(2);
    if (t.includes('MODIFY')) {
      const col = t[at('COLUMN') + 1].slice(2);
      const a = JSON.stringify([...table, col]);
      if (t.includes('UNSET')) { if (!this.attachments.delete(a)) throw refused('no masking policy on the column'); return []; }
      const k = JSON.stringify(['MASKING_POLICY', ...dottedAt(at('POLICY') + 1)]);
      if (!this.policies.has(k)) throw notFound('Policy');
      // FORCE replaces the policy a column already has, in one statement.
      if (this.attachments.has(a) && !t.includes('FORCE')) throw refused('column already has a masking policy');
      this.attachments.set(a, k);
      return [];
    }
    const a = JSON.stringify([...table, null]);
    const k = JSON.stringify(['ROW_ACCESS_POLICY', ...dottedAt(at('POLICY') + 1)]);
    if (t.includes('ADD')) {
      if (!this.policies.has(k)) throw notFound('Policy');
      if (this.attachments.has(a)) throw refused('table already has a row access policy');
      this.attachments.set(a, k);
    } else if (this.attachments.get(a) === k) this.attachments.delete(a);
    else throw refused('row access policy not attached to the table');
    return [];
  }
}
