/**
 * Benchmark (the reader and planner alone; bench/databricks.ts reads through the wire
 * stubs): read a Unity Catalog workspace of 500 managed groups, 20 catalogs and
 * 20,000 tables (plus a volume and a function per schema) through DatabricksGrantModel
 * (the test double answering the reader's information_schema queries), then plan the
 * same configuration against it. Prints the query count (fixed: independent of the
 * number of groups and objects), the effective records the reader built (catalog- and
 * schema-level grants inherited down), and the read and plan times.
 *   benchDatabricks({ groups: 50, catalogs: 4, tablesPerSchema: 10 }) for a quick run.
 */
import { DatabricksAdapter } from '../src/dialects/databricks/adapter.js';
import { makeGrant, makeObject, roleKey } from '../src/model/keys.js';
import type { Desired, GrantRecord } from '../src/model/types.js';
import { plan } from '../src/plan/plan.js';
import { introspectScopeOf, scopeOf } from '../src/plan/scope.js';
import { DatabricksGrantModel } from '../test/databricks/grant-model.js';

export interface DatabricksPlanBenchOptions {
  groups?: number;
  catalogs?: number;
  schemasPerCatalog?: number;
  tablesPerSchema?: number;
}

export async function benchDatabricksPlan(opts: DatabricksPlanBenchOptions = {}): Promise<object> {
  const groups = opts.groups ?? 500;
  const catalogs = opts.catalogs ?? 20;
  const perCatalog = opts.schemasPerCatalog ?? 10;
  const perSchema = opts.tablesPerSchema ?? 100;
  const model = new DatabricksGrantModel();
  model.groups = new Set(Array.from({ length: groups }, (_, i) => `group_${i}`));
  model.catalogs = Array.from({ length: catalogs }, (_, c) => `cat_${c}`);
  for (const c of model.catalogs) {
    for (let s = 0; s < perCatalog; s++) {
      model.schemas.push([c, `s${s}`]);
      for (let t = 0; t < perSchema; t++) model.tables.push([c, `s${s}`, `t${t}`]);
      model.volumes.push([c, `s${s}`, 'files']);
      model.functions.push([c, `s${s}`, 'mask']);
    }
  }
  // Each group: USE CATALOG on one catalog, USE SCHEMA and SELECT on two of its schemas,
  // SELECT on five tables elsewhere; every tenth group a catalog-level SELECT.
  const grants: GrantRecord[] = [];
  for (let i = 0; i < groups; i++) {
    const role = `group_${i}`;
    const c = `cat_${i % catalogs}`;
    const add = (kind: 'CATALOG' | 'SCHEMA' | 'TABLE', name: string[], word: string) => model.grants.add(JSON.stringify({ kind, name, word, principal: role }));
    const want = (privilege: string, object: ReturnType<typeof makeObject>) => grants.push(makeGrant({ role, privilege, object }));
    add('CATALOG', [c], 'USE CATALOG');
    want('usage', makeObject('database', c));
    if (i % 10 === 0) {
      add('CATALOG', [c], 'SELECT');
      want('select', makeObject('database', c));
    }
    for (const s of [`s${i % perCatalog}`, `s${(i + 1) % perCatalog}`]) {
      add('SCHEMA', [c, s], 'USE SCHEMA');
      add('SCHEMA', [c, s], 'SELECT');
      want('usage', makeObject('schema', c, s));
      want('select', makeObject('schema', c, s));
    }
    for (let t = 0; t < 5; t++) {
      const name = [`cat_${(i + 1) % catalogs}`, `s${t % perCatalog}`, `t${(i + t) % perSchema}`];
      add('TABLE', name, 'SELECT');
      want('select', makeObject('table', name[0], name[1], name[2]));
    }
  }
  const desired: Desired = {
    platform: 'databricks',
    roles: [...model.groups].map((name) => ({ key: roleKey(name), name, state: 'present' })),
    users: [], memberships: [], grants, schemaWide: [], futureGrants: [],
  };
  // The double recomputes inherited rows on every query: its answers are recorded once,
  // and the read is timed on them, so what is measured is the reader (parse, effective records).
  const answers = new Map<string, Record<string, unknown>[]>();
  const recorder = new DatabricksAdapter({ query: async (text) => { const rows = await model.query(text); answers.set(text, rows); return rows; }, close: async () => undefined });
  // Every schema of every catalog is in scope (the worst case for inherited records).
  const scope = { ...introspectScopeOf(desired), schemas: model.schemas.map(([database, schema]) => ({ database, schema })) };
  await recorder.introspect(scope);
  const adapter = new DatabricksAdapter({ query: async (text) => answers.get(text) ?? [], close: async () => undefined });
  const t0 = performance.now();
  const live = await adapter.introspect(scope);
  const readMs = performance.now() - t0;
  const t1 = performance.now();
  const p = plan(desired, live, { mode: 'authoritative', target: 'bench', scope: scopeOf(desired), neverRevoke: ['ownership'] });
  const planMs = performance.now() - t1;
  return {
    name: 'databricks-plan',
    groups, catalogs, tables: model.tables.length,
    queries: adapter.queryCount(),
    effectiveGrants: live.grants.length,
    readMs: Math.round(readMs),
    planMs: Math.round(planMs),
    changes: p.changes.length,
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  console.log(JSON.stringify(await benchDatabricksPlan()));
}
