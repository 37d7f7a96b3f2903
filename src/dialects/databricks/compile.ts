/**
 * Change -> Databricks Unity Catalog SQL. Pure. Principals are account groups
 * (back-quoted); privilege and kind words come from the catalog (catalog.ts).
 *
 * What SQL cannot do on Unity Catalog, and how each change kind is handled:
 * - createRole / dropRole: account groups are created through SCIM or the identity
 *   provider, not SQL: these changes throw (PLAN_INVALID) so apply fails loudly
 *   before any statement runs; `databricksUnsupported` reports them at plan time.
 * - alterRole: a group has no comment: compiles to no statement (descriptions stay
 *   in the configuration; `prepareDatabricksDesired` removes them so no diff appears).
 * - grant/revokeMembership: group membership is SCIM-managed: throws; memberships in
 *   the config are reported as unmanaged by `databricksUnsupported`.
 * - grantFuture/revokeFuture on tables: Unity Catalog privileges inherit down, so a
 *   future grant is the schema-level privilege (`GRANT SELECT ON SCHEMA`).
 */
import { compileDatabricksPolicy } from './policies.js';
import { DATABRICKS_TOOL_SCHEMA, saltBootstrap, saltCatalog, saltTableRef } from './salt.js';
import { kindSql, privilegeSql } from '../../model/catalog.js';
import { RbacError } from '../../model/errors.js';
import { KIND_SHAPES, RELATION_KINDS } from '../../model/kinds.js';
import { DATABRICKS_CATALOG } from './catalog.js';
import type { ObjectRef, Privilege, SecurableKind } from '../../model/types.js';
import { assertNever, isPolicyChange, type Change } from '../../plan/types.js';
import type { CompileContext } from '../types.js';
import { databricksDialect } from './quote.js';

const q = (n: string) => databricksDialect.quoteIdent(n);

/**
 * Privilege words Unity Catalog accepts, per securable (closed; includes the words a
 * container takes for what inherits below it: SELECT on a schema reaches its tables).
 * The compiler checks every statement's words against it.
 */
export const DATABRICKS_WORDS: Partial<Record<SecurableKind, readonly string[]>> = {
  database: ['USE CATALOG', 'CREATE SCHEMA', 'USE SCHEMA', 'CREATE TABLE', 'SELECT', 'MODIFY', 'ALL PRIVILEGES'],
  schema: ['USE SCHEMA', 'CREATE TABLE', 'SELECT', 'MODIFY', 'ALL PRIVILEGES'],
  table: ['SELECT', 'MODIFY', 'ALL PRIVILEGES'],
  view: ['SELECT', 'ALL PRIVILEGES'],
};

/** The Unity Catalog keyword of a privilege on a kind, from the catalog (catalog.ts). */
export function databricksWord(kind: SecurableKind, p: Privilege): string {
  return privilegeSql(DATABRICKS_CATALOG, kind, p);
}

/** `CATALOG `c``, `SCHEMA `c`.`s``, `TABLE `c`.`s`.`t`` (views are granted ON TABLE too): the catalog's words. */
export function databricksObject(o: ObjectRef): string {
  const words = kindSql(DATABRICKS_CATALOG, o.kind);
  switch (KIND_SHAPES[o.kind]) {
    case 'database':
      return `${words} ${q(o.database)}`;
    case 'schema':
      return `${words} ${q(o.database)}.${q(o.schema ?? '')}`;
    case 'in-schema':
      return `${words} ${q(o.database)}.${q(o.schema ?? '')}.${q(o.name ?? '')}`;
    case 'in-database':
      return `${words} ${q(o.name ?? '')}`;
    case 'account':
      return words;
    case 'global':
      return `${words} ${q(o.name ?? '')}`;
  }
}

/** `GRANT|REVOKE words ON object TO|FROM `principal``; words must come from DATABRICKS_WORDS. */
export function grantStatement(verb: 'GRANT' | 'REVOKE', words: readonly string[], object: ObjectRef, principal: string): string {
  for (const w of words) {
    if (!DATABRICKS_WORDS[object.kind]?.includes(w)) throw new RbacError('PLAN_INVALID', `${w} is not a ${object.kind} privilege`);
  }
  return `${verb} ${words.join(', ')} ON ${databricksObject(object)} ${verb === 'GRANT' ? 'TO' : 'FROM'} ${q(principal)}`;
}

function noColumns(columns: string[] | undefined): void {
  if (columns && columns.length) {
    throw new RbacError('PLAN_INVALID', 'Unity Catalog has no column-level GRANT', 'use a column mask (a later step) or a view');
  }
}

function unsupported(what: string, hint: string): never {
  throw new RbacError('PLAN_INVALID', `${what} is not possible in SQL on Databricks Unity Catalog`, hint);
}

export function compileDatabricks(change: Change, _ctx: CompileContext = {}): string[] {
  if (isPolicyChange(change)) return compileDatabricksPolicy(change, _ctx);
  switch (change.kind) {
    case 'createRole':
      return unsupported(`creating group ${change.role}`, 'create the account group through SCIM or your identity provider, then plan again');
    case 'dropRole':
      return unsupported(`dropping group ${change.role}`, 'remove the account group through SCIM or your identity provider');
    case 'alterRole':
      return [];
    case 'grantMembership':
    case 'revokeMembership':
      return unsupported(`changing members of group ${change.role}`, 'group membership is managed through SCIM on this platform');
    case 'grant':
    case 'revoke': {
      noColumns(change.columns);
      if (change.kind === 'grant' ? change.grantOption : change.grantOptionOnly) {
        return unsupported('a grant option', 'Unity Catalog has no WITH GRANT OPTION; grant MANAGE (or ownership) to let a group grant on');
      }
      if (!change.privileges.length) return [];
      const words = change.privileges.map((p) => databricksWord(change.object.kind, p));
      return [grantStatement(change.kind === 'grant' ? 'GRANT' : 'REVOKE', words, change.object, change.role)];
    }
    case 'grantFuture':
    case 'revokeFuture': {
      if (change.forRole !== undefined) throw new RbacError('PLAN_INVALID', 'Databricks future grants have no creating role');
      if (change.objectType !== 'tables') throw new RbacError('PLAN_INVALID', `Unity Catalog has no future grants on ${change.objectType}`);
      const words = change.privileges.map((p) => databricksWord('table', p));
      return [grantStatement(change.kind === 'grantFuture' ? 'GRANT' : 'REVOKE', words, change.schema, change.role)];
    }
    default:
      return assertNever(change);
  }
}

// ---------------------------------------------------------------------------------
// Plan-level compile: inheritance-aware (the dialect hook for Unity Catalog).
// ---------------------------------------------------------------------------------
import { futureGrantKey, grantKey, makeObject, objectKey } from '../../model/keys.js';
import type { Plan } from '../../plan/types.js';
import type { Statement } from '../types.js';
import type { DatabricksProvenance, DatabricksSource } from './inspect.js';

/** An effective record as the hook sees it: where it is, which word grants it directly. */
interface Effective {
  key: string;
  role: string;
  object: ObjectRef; // table/schema/catalog; future records use their schema
  word: string;
  future: boolean;
}

function atomsOf(change: Change): Effective[] {
  switch (change.kind) {
    case 'grant':
    case 'revoke':
      return change.privileges.map((p) => ({
        key: grantKey(change.role, p, change.object),
        role: change.role,
        object: change.object,
        word: databricksWord(change.object.kind, p),
        future: false,
      }));
    case 'grantFuture':
    case 'revokeFuture':
      return change.privileges.map((p) => ({
        key: futureGrantKey(change.role, p, change.schema, change.objectType, change.forRole),
        role: change.role,
        object: change.schema,
        word: databricksWord('table', p),
        future: true,
      }));
    default:
      return [];
  }
}

const srcId = (s: DatabricksSource) => `${s.role}\u0000${objectKey(s.object)}\u0000${s.word}`;

/**
 * Compile a whole plan for Unity Catalog, using what the reader learnt about
 * inheritance (empty provenance = every record is a direct grant):
 * - a table grant whose privilege the same plan grants on its schema (future grant)
 *   is left out: the schema-level grant already covers it;
 * - a revoke of a record held through an inherited or ALL PRIVILEGES grant revokes
 *   that source grant, after re-granting directly every other record that came from
 *   the same source and that the plan keeps (so access the config wants is never lost
 *   and the next plan is empty). Re-grants come first: no window without access.
 */
export function compileDatabricksPlan(plan: Plan, provenance: DatabricksProvenance = new Map(), ctx: CompileContext = {}): Statement[] {
  const revoked = new Set<string>();
  const futureGranted = new Set<string>();
  for (const c of plan.changes) {
    if (c.kind === 'revoke' || c.kind === 'revokeFuture') for (const a of atomsOf(c)) revoked.add(a.key);
    if (c.kind === 'grantFuture') for (const a of atomsOf(c)) futureGranted.add(`${a.role}\u0000${objectKey(a.object)}\u0000${a.word}`);
  }
  // Index: source -> effective records derived from it.
  const derived = new Map<string, { key: string; source: DatabricksSource }[]>();
  for (const [key, { sources }] of provenance) {
    for (const s of sources) derived.set(srcId(s), [...(derived.get(srcId(s)) ?? []), { key, source: s }]);
  }
  // Every source that the plan's revokes remove (direct or inherited alike).
  const revokedSources = new Set<string>();
  for (const c of plan.changes) {
    if (c.kind !== 'revoke' && c.kind !== 'revokeFuture') continue;
    for (const a of atomsOf(c)) for (const s of provenance.get(a.key)?.sources ?? []) revokedSources.add(srcId(s));
  }
  const restored = new Set<string>();
  const sourceRevoked = new Set<string>();
  const out: Statement[] = [];
  // The salt of a catalog (salt.ts) is made right before the first change whose
  // statements read it, once, unless the live state holds it already.
  const salted = new Set<string>();
  const have = new Set(ctx.toolObjects ?? []);
  const saltFirst = (change: Change): string[] => {
    const catalog = isPolicyChange(change) ? saltCatalog(change) : undefined;
    if (catalog === undefined || salted.has(catalog)) return [];
    salted.add(catalog);
    if (ctx.foreignToolSchemas?.includes(catalog)) {
      throw new RbacError(
        'PLAN_INVALID',
        `catalog ${catalog} has a schema ${DATABRICKS_TOOL_SCHEMA} that rbac did not make; the hash mask keeps its secret salt in ${catalog}.${DATABRICKS_TOOL_SCHEMA}`,
        `rename that schema (rbac reserves ${DATABRICKS_TOOL_SCHEMA} in every catalog holding a hash policy), or mask with another mask`,
      );
    }
    return have.has(objectKey(saltTableRef(catalog))) ? [] : saltBootstrap(catalog);
  };

  plan.changes.forEach((change, changeIndex) => {
    if (change.kind === 'grant' && RELATION_KINDS.has(change.object.kind) && !change.columns?.length) {
      const sk = objectKey(makeObject('schema', change.object.database, change.object.schema));
      const keep = change.privileges.filter((p) => !futureGranted.has(`${change.role}\u0000${sk}\u0000${databricksWord('table', p)}`));
      for (const text of compileDatabricks({ ...change, privileges: keep })) out.push({ sql: text, changeIndex });
      return;
    }
    if (change.kind !== 'revoke' && change.kind !== 'revokeFuture') {
      for (const text of [...saltFirst(change), ...compileDatabricks(change, ctx)]) out.push({ sql: text, changeIndex });
      return;
    }
    if (change.kind === 'revoke') noColumns(change.columns);
    const direct: Effective[] = [];
    const restores: string[] = [];
    const revokes: string[] = [];
    const touched: DatabricksSource[] = [];
    for (const atom of atomsOf(change)) {
      const sources = provenance.get(atom.key)?.sources;
      if (!sources) {
        direct.push(atom);
        continue;
      }
      for (const s of sources) {
        touched.push(s);
        if (sourceRevoked.has(srcId(s))) continue;
        sourceRevoked.add(srcId(s));
        if (objectKey(s.object) === objectKey(atom.object) && s.word === atom.word) direct.push(atom);
        else {
          revokes.push(grantStatement('REVOKE', [s.word], s.object, s.role));
        }
      }
    }
    // Records that lose every source but that the plan keeps are re-granted directly.
    for (const s of touched) {
      for (const d of derived.get(srcId(s)) ?? []) {
        if (revoked.has(d.key) || restored.has(d.key)) continue;
        const all = provenance.get(d.key)?.sources ?? [];
        if (!all.every((o) => revokedSources.has(srcId(o)))) continue;
        restored.add(d.key);
        const text = restoreStatement(d.key, provenance, revoked);
        if (text) restores.push(text);
      }
    }
    if (direct.length) {
      const words = [...new Set(direct.map((d) => d.word))];
      const obj = change.kind === 'revoke' ? change.object : change.schema;
      revokes.push(grantStatement('REVOKE', words, obj, change.role));
    }
    for (const text of [...new Set(restores), ...revokes]) out.push({ sql: text, changeIndex });
  });
  return out;
}

/**
 * The direct GRANT that re-creates one effective record. A table record is not
 * re-granted when its schema keeps (or gets back) the same privilege: the schema
 * grant covers it.
 */
function restoreStatement(key: string, provenance: DatabricksProvenance, revoked: ReadonlySet<string>): string | undefined {
  const parsed = provenance.get(key)?.record;
  if (!parsed) return undefined;
  if (RELATION_KINDS.has(parsed.object.kind) && !parsed.future) {
    const schema = makeObject('schema', parsed.object.database, parsed.object.schema);
    const fk = futureGrantKey(parsed.role, parsed.privilege, schema, 'tables');
    if (provenance.has(fk) && !revoked.has(fk)) return undefined;
  }
  const word = parsed.future ? databricksWord('table', parsed.privilege) : databricksWord(parsed.object.kind, parsed.privilege);
  return grantStatement('GRANT', [word], parsed.object, parsed.role);
}

