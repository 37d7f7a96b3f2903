/**
 * Privileges that inherit down (Catalog.inheritsDown: Databricks Unity Catalog), on the
 * desired side of the diff. Pure.
 *
 * A privilege granted on a catalog or a schema is held on every object below it whose
 * kind takes the same keyword, existing and future. The reader reports what a workspace
 * holds as EFFECTIVE records (the container grant itself, plus one record per object
 * below it in scope, each knowing its source: dialects/databricks/inspect.ts), so the
 * desired state is made effective the same way here, against the same live objects:
 * - a future grant (`objects:`, or a recording made before 0.2) is the container-level
 *   privilege itself, so it becomes that grant on the container;
 * - every grant on a container adds the records of the objects below it that take the
 *   same keyword (a catalog-level SELECT: SELECT on each table and view of each schema
 *   in scope).
 * Both sides then agree whatever mix of container and object grants the configuration
 * uses, and the compiler (compileDatabricksPlan) leaves out the object grants a container
 * grant of the same plan covers, so one statement is sent per container.
 */
import { catalogKinds, keywordReader, privilegeSql, type Catalog } from '../model/catalog.js';
import { makeGrant, objectKey, schemaOf } from '../model/keys.js';
import { KIND_SHAPES } from '../model/kinds.js';
import type { FutureGrantRecord, GrantRecord, Live, ObjectRef, SecurableKind } from '../model/types.js';

/** The kind whose privileges a future type takes (catalog `future.type`). */
function futureKind(catalog: Catalog, type: string): SecurableKind | undefined {
  return catalogKinds(catalog).find((k) => catalog.kinds[k]!.future?.type === type);
}

/** A future grant as the container grant it stands for on an inheritsDown platform, or undefined. */
export function futureAsContainerGrant(catalog: Catalog, f: FutureGrantRecord): GrantRecord | undefined {
  const kind = futureKind(catalog, f.objectType);
  if (!kind) return undefined;
  const word = keywordReader(catalog)(f.schema.kind, privilegeSql(catalog, kind, f.privilege));
  if (!word) return undefined;
  return makeGrant({ role: f.role, privilege: word, object: f.schema, source: f.source });
}

/**
 * The kinds of object a keyword granted on a container is meant for: the objects in a
 * schema that take it, or, below a catalog, the schemas when no object in a schema takes
 * it (USE SCHEMA, CREATE TABLE: a schema's own privileges; SELECT on a schema is only
 * passed on to its tables).
 */
export function kindsReached(catalog: Catalog, container: 'database' | 'schema', sql: string): SecurableKind[] {
  const read = keywordReader(catalog);
  const objects = catalogKinds(catalog).filter((k) => KIND_SHAPES[k] === 'in-schema' && read(k, sql) !== undefined);
  if (container === 'database' && !objects.length && read('schema', sql) !== undefined) return ['schema'];
  return objects;
}

/**
 * Desired grants and future grants made effective (see the file comment): futures become
 * container grants; container grants add the records of the live objects below them.
 */
export function inheritDesired(
  catalog: Catalog,
  grants: GrantRecord[],
  futures: FutureGrantRecord[],
  objects: readonly ObjectRef[],
): { grants: GrantRecord[]; futureGrants: FutureGrantRecord[] } {
  const read = keywordReader(catalog);
  const folded = foldFutures(catalog, grants, futures);
  const out = folded.grants;
  const keptFutures = folded.futureGrants;
  const seen = new Set(out.map((g) => g.key));
  const add = (g: GrantRecord) => {
    if (seen.has(g.key)) return;
    seen.add(g.key);
    out.push(g);
  };
  const containers = out.filter((g) => g.column === undefined && (g.object.kind === 'database' || g.object.kind === 'schema') && g.privilege !== 'ownership');
  if (!containers.length) return { grants: out, futureGrants: keptFutures };
  // The live objects below each container.
  const byDatabase = new Map<string, ObjectRef[]>();
  const bySchema = new Map<string, ObjectRef[]>();
  for (const o of objects) {
    const shape = KIND_SHAPES[o.kind];
    if (shape !== 'schema' && shape !== 'in-schema') continue;
    (byDatabase.get(o.database) ?? byDatabase.set(o.database, []).get(o.database)!).push(o);
    if (shape === 'in-schema') {
      const k = objectKey(schemaOf(o));
      (bySchema.get(k) ?? bySchema.set(k, []).get(k)!).push(o);
    }
  }
  for (const g of containers) {
    const sql = privilegeSql(catalog, g.object.kind, g.privilege);
    const below = g.object.kind === 'database' ? byDatabase.get(g.object.database) : bySchema.get(objectKey(g.object));
    for (const o of below ?? []) {
      const word = read(o.kind, sql);
      if (word) add(makeGrant({ role: g.role, privilege: word, object: o, source: g.source }));
    }
  }
  return { grants: out, futureGrants: keptFutures };
}

/** Grants plus the container grants the future grants stand for; the futures that stand for none are kept. */
function foldFutures(catalog: Catalog, grants: readonly GrantRecord[], futures: readonly FutureGrantRecord[]): { grants: GrantRecord[]; futureGrants: FutureGrantRecord[] } {
  const seen = new Set(grants.map((g) => g.key));
  const out = [...grants];
  const kept: FutureGrantRecord[] = [];
  for (const f of futures) {
    const g = futureAsContainerGrant(catalog, f);
    if (!g) kept.push(f);
    else if (!seen.has(g.key)) (seen.add(g.key), out.push(g));
  }
  return { grants: out, futureGrants: kept };
}

/** A live state's future grants (recordings made before 0.2) as the container grants they are. */
export function inheritLive(catalog: Catalog, live: Live): Live {
  if (!live.futureGrants.length) return live;
  return { ...live, ...foldFutures(catalog, live.grants, live.futureGrants) };
}
