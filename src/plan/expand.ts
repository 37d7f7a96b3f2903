/**
 * The planner's first stage: what the configuration asks for, made concrete against the
 * live catalog. Pure.
 *
 * - `objects:` (SchemaWideGrant) becomes one grant per live object of the kinds it
 *   lists in the container (a schema, or every schema of a database), compared one by
 *   one so nothing is re-applied on every run, plus the platform's mechanism for
 *   future objects (the catalog's `future`: which type, at which levels, reaching which
 *   kinds). A kind with no mechanism of its own is covered only when another kind of
 *   the same grant has one that reaches it; otherwise a warning says future objects
 *   are not covered.
 * - patterns (globs, routines) are matched against the live objects: a glob expands,
 *   a routine's signature must match a live routine (an error names the candidates).
 * - objects named with a kind (`view:`) must have that kind live.
 * - a privilege reaches only the objects whose kind takes it (`objects: [tables]` with
 *   INSERT skips a materialized view, which takes none), per the catalog.
 *
 * Objects rbac owns (its masking views, Live.toolObjects) are never reached.
 */
import { catalogFor } from '../dialects/catalogs.js';
import { futureCoverage, keywordReader, matchesOf, privilegeDef, type Catalog } from '../model/catalog.js';
import { inheritDesired, kindsReached } from './inherit.js';
import { makeFutureGrant, makeGrant, makeObject, objectKey, objectPath, schemaOf } from '../model/keys.js';
import { KIND_PLURALS, KIND_SHAPES, kindWords, aKind } from '../model/kinds.js';
import type {
  Desired,
  FutureGrantRecord,
  GrantPattern,
  GrantRecord,
  Live,
  ObjectRef,
  SchemaWideGrant,
  SecurableKind,
} from '../model/types.js';
import type { PlanOptions, PlanProblem } from './types.js';

export interface Expanded {
  grants: GrantRecord[];
  futureGrants: FutureGrantRecord[];
  problems: PlanProblem[];
}

const at = (s: { source?: { file: string; line: number; column: number } }): string =>
  s.source ? ` (${s.source.file}:${s.source.line}:${s.source.column})` : '';

/** Every live object the reader saw: `objects` where the reader lists them, else schemas and tables (pre-0.2 recordings). */
export function liveObjects(live: Live): readonly ObjectRef[] {
  return live.objects ?? [...live.schemas, ...live.tables.map((t) => t.object)];
}

/** The live objects, indexed by container (schema key and database) and by kind. */
class ObjectIndex {
  readonly bySchema = new Map<string, ObjectRef[]>();
  readonly byDatabase = new Map<string, ObjectRef[]>();
  readonly byKey = new Map<string, ObjectRef[]>();
  /** What containers and globs reach: neither rbac's own objects nor an extension's. */
  readonly all: ObjectRef[] = [];
  constructor(objects: readonly ObjectRef[], tool: ReadonlySet<string> | undefined, extension: ReadonlySet<string> | undefined) {
    for (const o of objects) {
      const key = objectKey(o);
      if (tool?.has(key)) continue;
      // An extension's object can be named, never reached through a container or a glob.
      push(this.byKey, signatureless(o), o);
      if (extension?.has(key)) continue;
      this.all.push(o);
      push(this.byDatabase, o.database, o);
      if (KIND_SHAPES[o.kind] === 'in-schema') push(this.bySchema, objectKey(schemaOf(o)), o);
    }
  }
  /** The objects of a container whose kind is one of `kinds` (a database container: every schema of it). */
  inContainer(container: ObjectRef, kinds: ReadonlySet<SecurableKind>): ObjectRef[] {
    const all = container.kind === 'database' ? this.byDatabase.get(container.database) : this.bySchema.get(objectKey(container));
    return (all ?? []).filter((o) => kinds.has(o.kind));
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** A routine's key without its signature: what its overloads share. */
function signatureless(o: ObjectRef): string {
  return o.signature === undefined ? objectKey(o) : objectKey({ ...o, signature: undefined });
}

/** Expand the desired grants of `desired` against `live` (see the file comment). */
export function expandDesiredGrants(desired: Desired, live: Live, options: Pick<PlanOptions, 'futureGrantCreators'>): Expanded {
  const absent = new Set(desired.roles.filter((r) => r.state === 'absent').map((r) => r.name));
  // Copy only when something must be dropped or added: the common case shares arrays.
  const grants = absent.size ? desired.grants.filter((g) => !absent.has(g.role)) : desired.grants;
  const futureGrants = absent.size ? desired.futureGrants.filter((f) => !absent.has(f.role)) : desired.futureGrants;
  const patterns = desired.patterns ?? [];
  const named = desired.named ?? [];
  const catalog = catalogFor(desired.platform);
  if (desired.schemaWide.length === 0 && patterns.length === 0 && named.length === 0) {
    if (!catalog.inheritsDown) return { grants, futureGrants, problems: [] };
    return { ...inheritDesired(catalog, grants, futureGrants, liveObjects(live)), problems: [] };
  }

  const out: Expanded = { grants: grants === desired.grants ? [...grants] : grants, futureGrants: [...futureGrants], problems: [] };
  const tool = live.toolObjects?.length ? new Set(live.toolObjects) : undefined;
  const extension = live.extensionObjects?.length ? new Set(live.extensionObjects) : undefined;
  const index = new ObjectIndex(liveObjects(live), tool, extension);
  const creators = options.futureGrantCreators?.length ? options.futureGrantCreators : [undefined];
  const futureSeen = new Set(out.futureGrants.map((f) => f.key));
  const warned = new Set<string>();

  const wide = (w: SchemaWideGrant) => expandWide(w, catalog, index, creators, out, futureSeen, warned);
  for (const w of desired.schemaWide) if (!absent.has(w.role)) wide(w);
  for (const p of patterns) if (!absent.has(p.role)) resolvePattern(p, catalog, index, live, out, wide);
  if (live.objects) for (const n of named) checkNamed(n, index, out);
  if (catalog.schemaFuturesHideDatabaseFutures) repeatHiddenFutures(out, live, new Set(desired.roles.map((r) => r.name)), futureSeen);
  out.futureGrants = oneOptionPerFuture(out.futureGrants);
  if (catalog.inheritsDown) Object.assign(out, inheritDesired(catalog, out.grants, out.futureGrants, index.all));
  return out;
}

/**
 * One future grant asked twice, once with the grant option (two `objects:` entries that
 * overlap): the platform holds one, so the plan asks for one, with the option, as it does
 * for object grants. (The option is part of a future grant's key.)
 */
function oneOptionPerFuture(futures: FutureGrantRecord[]): FutureGrantRecord[] {
  const withOption = new Set(futures.filter((f) => f.grantOption).map((f) => f.key.replace(/:grant-option$/, '')));
  return withOption.size ? futures.filter((f) => f.grantOption || !withOption.has(f.key)) : futures;
}

/**
 * Snowflake's precedence rule: in a schema that has any future grant for an object
 * type, the database-level future grants for that type do not apply. A database-level
 * future grant the configuration asks for is repeated at schema level in each such
 * schema, so it takes effect everywhere it says. Which schemas: those where the
 * configuration asks for a schema-level future grant of the type, or where a role rbac
 * does not manage holds one live (managed roles' live ones are the configuration's to
 * decide, and counting them would keep the repeated grants alive forever).
 */
function repeatHiddenFutures(out: Expanded, live: Live, managed: ReadonlySet<string>, seen: Set<string>): void {
  const atDatabase = out.futureGrants.filter((f) => f.schema.kind === 'database');
  if (!atDatabase.length) return;
  const scopeOf = (database: string, type: string) => `${JSON.stringify([database, type])}\u0000`;
  const hiding = new Map<string, ObjectRef>(); // scopeOf(database, type) + schema key -> schema
  const note = (f: FutureGrantRecord) => {
    if (f.schema.kind === 'schema') hiding.set(`${scopeOf(f.schema.database, f.objectType)}${objectKey(f.schema)}`, f.schema);
  };
  for (const f of out.futureGrants) note(f);
  for (const f of live.futureGrants) if (!managed.has(f.role)) note(f);
  for (const f of atDatabase) {
    for (const [k, schema] of hiding) {
      if (!k.startsWith(scopeOf(f.schema.database, f.objectType))) continue;
      const copy = makeFutureGrant({ role: f.role, privilege: f.privilege, schema, objectType: f.objectType, forRole: f.forRole, source: f.source, ...(f.grantOption ? { grantOption: true } : {}) });
      if (seen.has(copy.key)) continue;
      seen.add(copy.key);
      out.futureGrants.push(copy);
    }
  }
}

function expandWide(
  w: SchemaWideGrant,
  catalog: Catalog,
  index: ObjectIndex,
  creators: readonly (string | undefined)[],
  out: Expanded,
  futureSeen: Set<string>,
  warned: Set<string>,
): void {
  const reach = new Set(w.kinds.flatMap((k) => matchesOf(catalog, k)));
  const except = w.exceptTables?.length ? new Set(w.exceptTables) : undefined;
  const option = w.grantOption ? { grantOption: true } : {};
  for (const object of index.inContainer(w.schema, reach)) {
    if (except?.has(objectKey(object))) continue;
    // A privilege reaches only the objects whose kind takes it.
    if (!privilegeDef(catalog, object.kind, w.privilege)) continue;
    out.grants.push(makeGrant({ role: w.role, privilege: w.privilege, object, source: w.source, ...option }));
  }
  if (!w.future) return;
  const level = w.schema.kind === 'database' ? 'database' : 'schema';
  if (catalog.inheritsDown) return inheritedFuture(w, catalog, reach, level, out, warned);
  const { mechanisms, missing, hint } = futureCoverage(catalog, w.kinds, level);
  if (missing.length) {
    const id = `${w.role}|${objectKey(w.schema)}|${missing.join(',')}`;
    if (!warned.has(id)) {
      warned.add(id);
      out.problems.push({
        severity: 'warning',
        message: `${catalog.platform} has no future grants for ${missing.map((k) => KIND_PLURALS[k]).join(' and ')} in a ${level}: the grant to ${w.role} on ${objectPath(w.schema)}${at(w)} covers only the ones that exist when the plan is made`,
        hint,
      });
    }
  }
  for (const { def, kind } of mechanisms) {
    if (!privilegeDef(catalog, kind, w.privilege)) continue;
    for (const forRole of creators) {
      const f = makeFutureGrant({ role: w.role, privilege: w.privilege, schema: w.schema, objectType: def.type, forRole, source: w.source, ...option });
      if (futureSeen.has(f.key)) continue;
      futureSeen.add(f.key);
      out.futureGrants.push(f);
    }
  }
}

/**
 * `objects:` where privileges inherit down (Databricks): the container-level grant is the
 * mechanism for future objects, and it reaches every kind below that takes its keyword.
 * It is asked for only when the listed kinds cover all of those (`objects: [functions,
 * models]` with EXECUTE; SELECT with `tables`, which reaches every relation); otherwise
 * the per-object grants stand alone and a warning says future objects are not covered.
 */
function inheritedFuture(w: SchemaWideGrant, catalog: Catalog, reach: ReadonlySet<SecurableKind>, level: 'schema' | 'database', out: Expanded, warned: Set<string>): void {
  const def = w.kinds.map((k) => privilegeDef(catalog, k, w.privilege)).find((d) => d !== undefined);
  const word = def ? keywordReader(catalog)(w.schema.kind, def.sql) : undefined;
  const beyond = def ? kindsReached(catalog, level, def.sql).filter((k) => !reach.has(k)) : [];
  if (word && !beyond.length) {
    out.grants.push(makeGrant({ role: w.role, privilege: word, object: w.schema, source: w.source }));
    return;
  }
  const id = `${w.role}|${objectKey(w.schema)}|${w.privilege}`;
  if (warned.has(id)) return;
  warned.add(id);
  out.problems.push({
    severity: 'warning',
    message: `${w.privilege} for ${w.role} on the ${w.kinds.map((k) => KIND_PLURALS[k]).join(' and ')} of ${objectPath(w.schema)}${at(w)} is granted on each existing object: future objects are not covered${beyond.length ? ` (a ${level}-level ${def!.sql} would also reach its ${beyond.map((k) => KIND_PLURALS[k]).join(' and ')})` : ''}`,
    hint: beyond.length
      ? `list ${beyond.map((k) => KIND_PLURALS[k]).join(' and ')} too to grant ${def!.sql} on the ${level} itself, or write future: false to say existing objects only`
      : 'write future: false to say existing objects only (plan again after new ones are created)',
  });
}

function globRegex(pattern: string): RegExp {
  const body = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 's');
}

const isGlob = (s: string | undefined) => s !== undefined && /[*?]/.test(s);

/** Resolve one pattern against the live objects: globs expand, a routine must exist with its signature. */
function resolvePattern(p: GrantPattern, catalog: Catalog, index: ObjectIndex, live: Live, out: Expanded, wide: (w: SchemaWideGrant) => void): void {
  const glob = isGlob(p.database) || isGlob(p.schema) || isGlob(p.name);
  const kinds = new Set(matchesOf(catalog, p.kind));
  const option = p.grantOption ? { grantOption: true } : {};
  const shown = `${kindWords(p.kind)} ${[p.database, p.schema, p.name].filter((x) => x !== undefined).join('.')}${p.signature ?? ''}`;
  let matches: ObjectRef[];
  if (!glob) {
    // A routine named exactly: its overloads, then the one with this signature.
    const overloads = index.byKey.get(signatureless(makeObject(p.kind, p.database, p.schema, p.name))) ?? [];
    matches = overloads.filter((o) => kinds.has(o.kind) && (p.signature === undefined || o.signature === p.signature));
    if (!matches.length) {
      if (!live.objects && p.signature !== undefined) {
        // A recording without the object list: the routine is taken as named.
        matches = [makeObject(p.kind, p.database, p.schema, p.name, p.signature)];
      } else {
        const candidates = overloads.map((o) => `${objectPath(o)}`).sort();
        out.problems.push({
          severity: 'error',
          message: `${shown}${at(p)} does not exist on the target${candidates.length ? `; it has ${candidates.join(', ')}` : ''}`,
          hint: candidates.length ? 'write the argument types of one of these' : `create the ${kindWords(p.kind)} first, or check its schema and name`,
        });
        return;
      }
    }
  } else {
    const db = globRegex(p.database);
    const schema = p.schema !== undefined ? globRegex(p.schema) : undefined;
    const name = p.name !== undefined ? globRegex(p.name) : undefined;
    matches = index.all.filter(
      (o) =>
        kinds.has(o.kind) &&
        db.test(o.database) &&
        (schema === undefined || (o.schema !== undefined && schema.test(o.schema))) &&
        (name === undefined || (o.name !== undefined && name.test(o.name))) &&
        (p.signature === undefined || o.signature === p.signature),
    );
    if (!matches.length) {
      out.problems.push({ severity: 'warning', message: `${shown}${at(p)} matches no object on the target: it grants nothing yet`, hint: 'plan again once the objects exist, or check the pattern' });
      return;
    }
  }
  for (const object of matches) {
    if (p.kinds) {
      wide({ role: p.role, privilege: p.privilege, schema: object, kinds: p.kinds, future: p.future, source: p.source, ...option });
      continue;
    }
    if (!privilegeDef(catalog, object.kind, p.privilege)) continue;
    out.grants.push(makeGrant({ role: p.role, privilege: p.privilege, object, source: p.source, ...option }));
  }
}

/** `view: x` must be a view: a relation of another kind is an error, a missing one a warning. */
function checkNamed(n: { object: ObjectRef; source?: { file: string; line: number; column: number } }, index: ObjectIndex, out: Expanded): void {
  const found = index.byKey.get(signatureless(n.object));
  if (!found?.length) {
    out.problems.push({
      severity: 'warning',
      message: `${kindWords(n.object.kind)} ${objectPath(n.object)}${at(n)} does not exist on the target`,
      hint: 'the grant will fail at apply unless the object is created first',
    });
    return;
  }
  if (found.some((o) => o.kind === n.object.kind)) return;
  out.problems.push({
    severity: 'error',
    message: `${objectPath(n.object)}${at(n)} is ${aKind(found[0].kind)}, not ${aKind(n.object.kind)}`,
    hint: `write ${found[0].kind}: (or table:, which names any relation)`,
  });
}

/**
 * The live object a desired grant names, when its live kind differs (`table:` naming a
 * view): compilers write the live kind's SQL (`ON VIEW` on Snowflake).
 */
export function withLiveKinds(records: GrantRecord[], live: Live): GrantRecord[] {
  const other = new Map<string, ObjectRef>();
  for (const o of liveObjects(live)) if (o.kind === 'view' || o.kind === 'materialized_view') other.set(objectKey(o), o);
  if (!other.size) return records;
  return records.map((g) => {
    if (g.object.kind !== 'table') return g;
    const o = other.get(objectKey(g.object));
    return o ? { ...g, object: o } : g;
  });
}
