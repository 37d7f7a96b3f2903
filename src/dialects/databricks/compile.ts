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
 * - grantFuture/revokeFuture (plans saved before 0.3): Unity Catalog privileges inherit
 *   down, so a future grant is the container-level privilege (`GRANT SELECT ON SCHEMA`);
 *   the planner now plans that grant on the container itself (plan/inherit.ts).
 * - ownership: transferred with `ALTER <kind> <name> OWNER TO` (the catalog's `ownerSql`),
 *   never revoked: a revoke of it compiles to nothing, so an object is never left to
 *   nobody; the owner changes only when the configuration names a new one.
 */
import { compileDatabricksPolicy, type DatabricksCompileContext } from './policies.js';
import { DATABRICKS_TOOL_SCHEMA, saltBootstrap, saltCatalog, saltTableRef, surrogateTableRef, toolSchemaRef } from './salt.js';
import { surrogateBootstrap } from './surrogates.js';
import { saltOnce } from '../salt-once.js';
import { kindDef, kindSql, keywordReader, privilegeSql } from '../../model/catalog.js';
import { RbacError } from '../../model/errors.js';
import { KIND_SHAPES, aKind } from '../../model/kinds.js';
import { DATABRICKS_CATALOG } from './catalog.js';
import type { ObjectRef, Privilege, SecurableKind } from '../../model/types.js';
import { assertNever, isPolicyChange, type Change } from '../../plan/types.js';
import { databricksDialect } from './quote.js';

const q = (n: string) => databricksDialect.quoteIdent(n);

const CHILD_WORDS = ['EXECUTE', 'MODIFY', 'READ VOLUME', 'REFRESH', 'SELECT', 'WRITE VOLUME'];
const SCHEMA_WORDS = ['USE SCHEMA', 'CREATE TABLE', 'APPLY TAG', 'CREATE FUNCTION', 'CREATE MATERIALIZED VIEW', 'CREATE MODEL', 'CREATE VOLUME', 'EXTERNAL USE SCHEMA', 'MANAGE', ...CHILD_WORDS];

/**
 * Privilege words Unity Catalog accepts, per securable (closed, from the privileges
 * reference; includes the words a container takes for what inherits below it: SELECT on
 * a schema reaches its tables). Written out here rather than derived from the catalog, so
 * the compiler checks every statement's words against a second, independent list
 * (test/databricks/compile.test.ts checks the catalog against it). OWNERSHIP is not a
 * GRANT word: ownership is transferred with ALTER ... OWNER TO.
 */
export const DATABRICKS_WORDS: Partial<Record<SecurableKind, readonly string[]>> = {
  metastore: [
    'CREATE CATALOG', 'CREATE CLEAN ROOM', 'CREATE CONNECTION', 'CREATE EXTERNAL LOCATION', 'CREATE EXTERNAL METADATA', 'CREATE PROVIDER', 'CREATE RECIPIENT',
    'CREATE SERVICE CREDENTIAL', 'CREATE SHARE', 'CREATE STORAGE CREDENTIAL', 'MANAGE ALLOWLIST', 'SET SHARE PERMISSION', 'USE MARKETPLACE ASSETS', 'USE PROVIDER',
    'USE RECIPIENT', 'USE SHARE',
  ],
  database: ['USE CATALOG', 'CREATE SCHEMA', 'BROWSE', ...SCHEMA_WORDS, 'ALL PRIVILEGES'],
  schema: [...SCHEMA_WORDS, 'ALL PRIVILEGES'],
  table: ['SELECT', 'MODIFY', 'APPLY TAG', 'MANAGE', 'ALL PRIVILEGES'],
  view: ['SELECT', 'APPLY TAG', 'MANAGE', 'ALL PRIVILEGES'],
  materialized_view: ['SELECT', 'REFRESH', 'APPLY TAG', 'MANAGE', 'ALL PRIVILEGES'],
  streaming_table: ['SELECT', 'REFRESH', 'APPLY TAG', 'MANAGE', 'ALL PRIVILEGES'],
  volume: ['READ VOLUME', 'WRITE VOLUME', 'APPLY TAG', 'MANAGE', 'ALL PRIVILEGES'],
  function: ['EXECUTE', 'MANAGE', 'ALL PRIVILEGES'],
  model: ['EXECUTE', 'APPLY TAG', 'MANAGE', 'ALL PRIVILEGES'],
  external_location: [
    'READ FILES', 'WRITE FILES', 'CREATE EXTERNAL TABLE', 'CREATE EXTERNAL VOLUME', 'CREATE MANAGED STORAGE', 'CREATE FOREIGN SECURABLE', 'BROWSE', 'EXTERNAL USE LOCATION',
    'MANAGE', 'ALL PRIVILEGES',
  ],
  storage_credential: ['READ FILES', 'WRITE FILES', 'CREATE EXTERNAL TABLE', 'CREATE EXTERNAL LOCATION', 'MANAGE', 'ALL PRIVILEGES'],
  service_credential: ['ACCESS', 'CREATE CONNECTION', 'MANAGE', 'ALL PRIVILEGES'],
  connection: ['USE CONNECTION', 'CREATE FOREIGN CATALOG', 'MANAGE', 'ALL PRIVILEGES'],
  share: ['SELECT'],
  recipient: [],
};

/** The Unity Catalog keyword of a privilege on a kind, from the catalog (catalog.ts). */
export function databricksWord(kind: SecurableKind, p: Privilege): string {
  return privilegeSql(DATABRICKS_CATALOG, kind, p);
}

/** `` `c`.`s`.`t` ``, `` `landing_zone` ``, '' for the metastore: an object's name by its kind's shape, every part quoted. */
export function databricksName(o: ObjectRef): string {
  switch (KIND_SHAPES[o.kind]) {
    case 'database':
      return q(o.database);
    case 'schema':
      return `${q(o.database)}.${q(o.schema ?? '')}`;
    case 'in-schema':
      return `${q(o.database)}.${q(o.schema ?? '')}.${q(o.name ?? '')}`;
    case 'in-database':
    case 'global':
      return q(o.name ?? '');
    case 'account':
      return '';
  }
}

/** `CATALOG `c``, `SCHEMA `c`.`s``, `TABLE `c`.`s`.`t`` (views are granted ON TABLE too), `METASTORE`: the catalog's words. */
export function databricksObject(o: ObjectRef): string {
  const words = kindSql(DATABRICKS_CATALOG, o.kind);
  const name = databricksName(o);
  return name ? `${words} ${name}` : words;
}

/**
 * `ALTER <kind> <name> SET OWNER TO `principal``: the one way ownership moves on Unity
 * Catalog. `SET` is optional for most kinds but required by ALTER MATERIALIZED VIEW
 * (`SET OWNER TO principal`), so it is always written.
 * (never revoked; see the file comment). The kind's words are the catalog's `ownerSql`.
 */
export function ownerStatement(object: ObjectRef, principal: string): string {
  const words = kindDef(DATABRICKS_CATALOG, object.kind)?.ownerSql;
  if (!words) throw new RbacError('PLAN_INVALID', `ownership of ${aKind(object.kind)} cannot be transferred in SQL on Databricks`, 'leave ownership out of this grant');
  return `ALTER ${words} ${databricksName(object)} SET OWNER TO ${q(principal)}`;
}

/**
 * `GRANT|REVOKE words ON object TO|FROM `principal``; words must come from DATABRICKS_WORDS.
 * A share's SELECT goes to a Delta Sharing recipient: `TO RECIPIENT `r`` (the loader lets
 * only a recipient take it).
 */
export function grantStatement(verb: 'GRANT' | 'REVOKE', words: readonly string[], object: ObjectRef, principal: string): string {
  for (const w of words) {
    if (!DATABRICKS_WORDS[object.kind]?.includes(w)) throw new RbacError('PLAN_INVALID', `${w} is not a ${object.kind} privilege`);
  }
  const grantee = object.kind === 'share' ? `RECIPIENT ${q(principal)}` : q(principal);
  return `${verb} ${words.join(', ')} ON ${databricksObject(object)} ${verb === 'GRANT' ? 'TO' : 'FROM'} ${grantee}`;
}

function noColumns(columns: string[] | undefined): void {
  if (columns && columns.length) {
    throw new RbacError('PLAN_INVALID', 'Unity Catalog has no column-level GRANT', 'use a column mask (a later step) or a view');
  }
}

function unsupported(what: string, hint: string): never {
  throw new RbacError('PLAN_INVALID', `${what} is not possible in SQL on Databricks Unity Catalog`, hint);
}

export function compileDatabricks(change: Change, _ctx: DatabricksCompileContext = {}): string[] {
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
      // Ownership is transferred, never revoked: a revoke of it compiles to nothing (the
      // planner never plans one, PlanHooks.neverRevoke); the owner changes only when the
      // configuration names a new one.
      const plain = change.privileges.filter((p) => p !== 'ownership');
      const out: string[] = [];
      if (plain.length) {
        const words = plain.map((p) => databricksWord(change.object.kind, p));
        out.push(grantStatement(change.kind === 'grant' ? 'GRANT' : 'REVOKE', words, change.object, change.role));
      }
      if (change.kind === 'grant' && change.privileges.includes('ownership')) {
        databricksWord(change.object.kind, 'ownership');
        out.push(ownerStatement(change.object, change.role));
      }
      return out;
    }
    case 'grantFuture':
    case 'revokeFuture': {
      if (change.forRole !== undefined) throw new RbacError('PLAN_INVALID', 'Databricks future grants have no creating role');
      // The container-level privilege, of the kind the future type names (SELECT of tables, READ VOLUME of volumes).
      const kind = futureKind(change.objectType);
      const words = change.privileges.map((p) => databricksWord(kind, p));
      return [grantStatement(change.kind === 'grantFuture' ? 'GRANT' : 'REVOKE', words, change.schema, change.role)];
    }
    default:
      return assertNever(change);
  }
}

/** The catalog whose surrogate mapping a change's statements fill or read, if any (a `surrogate` policy created, changed or attached). */
function surrogateCatalog(change: import('../../plan/types.js').PolicyChange): string | undefined {
  const p =
    change.kind === 'createMaskingPolicy' || change.kind === 'attachMaskingPolicy' ? change.policy : change.kind === 'alterMaskingPolicy' ? change.to : undefined;
  return p && p.expression === undefined && p.mask === 'surrogate' ? p.schema.database : undefined;
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
      // Ownership is no GRANT word and never revoked (compileDatabricks): not an atom.
      return change.privileges.filter((p) => p !== 'ownership').map((p) => ({
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
        word: databricksWord(futureKind(change.objectType), p),
        future: true,
      }));
    default:
      return [];
  }
}

/** The kind whose privileges a future type takes (catalog `future.type`). */
function futureKind(type: string): SecurableKind {
  for (const [kind, def] of Object.entries(DATABRICKS_CATALOG.kinds)) if (def?.future?.type === type) return kind as SecurableKind;
  throw new RbacError('PLAN_INVALID', `Unity Catalog has no future grants on ${type}`);
}

/** The containers above an object, nearest first: its schema and its catalog. */
function ancestorsOf(o: ObjectRef): ObjectRef[] {
  switch (KIND_SHAPES[o.kind]) {
    case 'in-schema':
      return [makeObject('schema', o.database, o.schema), makeObject('database', o.database)];
    case 'schema':
      return [makeObject('database', o.database)];
    default:
      return [];
  }
}

const readWord = keywordReader(DATABRICKS_CATALOG);

const srcId = (s: DatabricksSource) => `${s.role}\u0000${objectKey(s.object)}\u0000${s.word}`;

/**
 * Compile a whole plan for Unity Catalog, using what the reader learnt about
 * inheritance (empty provenance = every record is a direct grant):
 * - a grant on a schema or an object whose keyword the same plan grants on a container
 *   above it (its catalog, its schema, or as a future grant) is left out: the container
 *   grant covers it (the planner lists the effective records of both, plan/inherit.ts);
 * - a revoke of a record held through an inherited or ALL PRIVILEGES grant revokes
 *   that source grant, after re-granting directly every other record that came from
 *   the same source and that the plan keeps (so access the config wants is never lost
 *   and the next plan is empty). Re-grants come first: no window without access.
 */
export function compileDatabricksPlan(plan: Plan, provenance: DatabricksProvenance = new Map(), ctx: DatabricksCompileContext = {}): Statement[] {
  const revoked = new Set<string>();
  // role, container, word: what the plan grants on a catalog or schema (future grants are
  // the schema- or catalog-level privilege too), so the objects below need no grant of it.
  const containerGranted = new Set<string>();
  const futureGranted = new Set<string>();
  const cid = (role: string, o: ObjectRef, word: string) => `${role}\u0000${objectKey(o)}\u0000${word}`;
  for (const c of plan.changes) {
    if (c.kind === 'revoke' || c.kind === 'revokeFuture') for (const a of atomsOf(c)) revoked.add(a.key);
    if (c.kind === 'grantFuture') for (const a of atomsOf(c)) futureGranted.add(cid(a.role, a.object, a.word));
    if (c.kind === 'grant' && (c.object.kind === 'database' || c.object.kind === 'schema')) {
      for (const a of atomsOf(c)) containerGranted.add(cid(a.role, a.object, a.word));
    }
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
  // The salt of a catalog (salt.ts) is made right before the first change that reads it.
  const have = new Set(ctx.toolObjects ?? []);
  const saltFirst = saltOnce({
    containerOf: saltCatalog,
    exists: (catalog) => have.has(objectKey(saltTableRef(catalog))),
    foreign: ctx.foreignToolSchemas ?? [],
    bootstrap: saltBootstrap,
    refusal: (catalog) => [
      `catalog ${catalog} has a schema ${DATABRICKS_TOOL_SCHEMA} that rbac did not make; the hash mask keeps its secret salt in ${catalog}.${DATABRICKS_TOOL_SCHEMA}`,
      `rename that schema (rbac reserves ${DATABRICKS_TOOL_SCHEMA} in every catalog holding a hash policy), or mask with another mask`,
    ],
  });
  // Likewise the surrogate mask's mapping table (surrogates.ts), before the first change that fills or reads it.
  const mapFirst = saltOnce({
    containerOf: surrogateCatalog,
    exists: (catalog) => have.has(objectKey(surrogateTableRef(catalog))),
    foreign: ctx.foreignToolSchemas ?? [],
    // The tool schema is made only where it is not there yet (the salt's may be).
    bootstrap: (catalog) => surrogateBootstrap(catalog).slice(have.has(objectKey(toolSchemaRef(catalog))) ? 1 : 0),
    refusal: (catalog) => [
      `catalog ${catalog} has a schema ${DATABRICKS_TOOL_SCHEMA} that rbac did not make; the surrogate mask keeps its mapping table in ${catalog}.${DATABRICKS_TOOL_SCHEMA}`,
      `rename that schema (rbac reserves ${DATABRICKS_TOOL_SCHEMA} in every catalog holding a hash or surrogate policy), or mask with another mask`,
    ],
  });

  plan.changes.forEach((change, changeIndex) => {
    if (change.kind === 'grant' && !change.columns?.length) {
      // A privilege the same plan grants on a container above (or as the same container's
      // future grant) is inherited: the object needs no grant of its own.
      const covered = (p: string) => {
        if (p === 'ownership') return false;
        const word = databricksWord(change.object.kind, p);
        if (futureGranted.has(cid(change.role, change.object, word))) return true;
        return ancestorsOf(change.object).some((a) => containerGranted.has(cid(change.role, a, word)) || futureGranted.has(cid(change.role, a, word)));
      };
      const keep = change.privileges.filter((p) => !covered(p));
      if (!keep.length) return;
      for (const text of compileDatabricks({ ...change, privileges: keep }, ctx)) out.push({ sql: text, changeIndex });
      return;
    }
    if (change.kind !== 'revoke' && change.kind !== 'revokeFuture') {
      for (const text of [...saltFirst(change), ...mapFirst(change), ...compileDatabricks(change, ctx)]) out.push({ sql: text, changeIndex });
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
  const word = parsed.future ? databricksWord(futureKind(parsed.futureType ?? 'tables'), parsed.privilege) : databricksWord(parsed.object.kind, parsed.privilege);
  // Not re-granted where a container above keeps (or gets back) the same privilege: it covers this one.
  for (const a of ancestorsOf(parsed.object)) {
    const above = readWord(a.kind, word);
    if (!above) continue;
    const k = grantKey(parsed.role, above, a);
    if (provenance.has(k) && !revoked.has(k)) return undefined;
  }
  if (!parsed.future && KIND_SHAPES[parsed.object.kind] === 'in-schema') {
    const fk = futureGrantKey(parsed.role, parsed.privilege, makeObject('schema', parsed.object.database, parsed.object.schema), 'tables');
    if (provenance.has(fk) && !revoked.has(fk)) return undefined;
  }
  return grantStatement('GRANT', [word], parsed.object, parsed.role);
}
