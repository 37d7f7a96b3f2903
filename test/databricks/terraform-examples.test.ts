/**
 * The grants examples of the Databricks Terraform provider (docs/resources/grants.md),
 * written in our configuration (examples/databricks-terraform): they validate, plan from
 * a snapshot (golden: test/databricks/golden/terraform-examples-plan.txt), and, applied
 * to the Unity Catalog grant model through the real adapter, plan empty afterwards while
 * the grants of a principal the configuration does not name stay.
 *
 * The snapshot (test/fixtures/snapshots/databricks-terraform.json) is what the adapter
 * reads from the model before the first apply; UPDATE_GOLDEN=1 rewrites it and the plan.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toDesired } from '../../src/config/desired.js';
import { loadProject } from '../../src/config/load.js';
import { DatabricksAdapter, prepareDatabricksDesired } from '../../src/dialects/databricks/adapter.js';
import { databricksDialect } from '../../src/dialects/databricks/quote.js';
import { planHooks } from '../../src/dialects/registry.js';
import { writeSnapshot } from '../../src/dialects/snapshot.js';
import { plan } from '../../src/plan/plan.js';
import { introspectScopeOf, scopeOf } from '../../src/plan/scope.js';
import { rbac } from '../helpers/cli.js';
import { DatabricksGrantModel } from './grant-model.js';

const config = 'examples/databricks-terraform';
const snapshot = 'test/fixtures/snapshots/databricks-terraform.json';
const SP = '6a3f2c1e-9b8d-4e7f-a6b5-c4d3e2f1a0b9';

/** The workspace the examples assume: their catalogs, schemas, objects and principals, with some grants already there. */
function workspace(): DatabricksGrantModel {
  const m = new DatabricksGrantModel();
  m.groups = new Set(['Data Engineers', 'Data Scientists', 'Data Analyst', 'Data Analysts', 'Data Sharer', 'sensitive', 'my_group', 'admins']);
  m.users = new Set([SP, 'alice@example.org']);
  m.recipients = new Set(['my_recipient', 'other_recipient']);
  m.catalogs = ['sandbox', 'main'];
  m.schemas = [['sandbox', 'things'], ['main', 'reporting'], ['main', 'customers']];
  m.tables = [['sandbox', 'things', 'events'], ['sandbox', 'things', 'notes'], ['main', 'reporting', 'customers']];
  m.views = [['main', 'reporting', 'customer360'], ['main', 'customers', 'by_region']];
  m.volumes = [['sandbox', 'things', 'quickstart_volume']];
  m.functions = [['main', 'reporting', 'udf'], ['main', 'reporting', 'customer_model']];
  m.globals = [
    { kind: 'EXTERNAL LOCATION', name: 'external' },
    { kind: 'STORAGE CREDENTIAL', name: 'external_data_access' },
    { kind: 'SERVICE CREDENTIAL', name: 'external_service' },
    { kind: 'CONNECTION', name: 'mysql_connection' },
  ];
  const g = (kind: string, name: string[], word: string, principal: string) => m.grants.add(JSON.stringify({ kind, name, word, principal }));
  // Already as configured: no change.
  g('TABLE', ['main', 'reporting', 'customers'], 'SELECT', 'Data Analysts');
  // Given by hand to a managed group: revoked.
  g('TABLE', ['main', 'reporting', 'customers'], 'MODIFY', 'Data Analysts');
  g('CATALOG', ['sandbox'], 'ALL PRIVILEGES', 'Data Analyst');
  // Principals the configuration does not name: never touched.
  g('CATALOG', ['main'], 'USE CATALOG', 'admins');
  g('SHARE', ['my_share'], 'SELECT', 'other_recipient');
  return m;
}

async function desiredOfExample() {
  const { project, diagnostics } = await loadProject(fileURLToPath(new URL(`../../${config}/`, import.meta.url)));
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const { desired, diagnostics: d2 } = toDesired(project, databricksDialect);
  expect(d2).toEqual([]);
  return prepareDatabricksDesired(desired);
}

describe('examples/databricks-terraform: the provider\'s grants examples', () => {
  it('validates', async () => {
    const r = await rbac(['validate', '--config', config]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/7 roles, 24 grants/);
  });

  it('applies to the grant model, then plans empty; grants of principals it does not name stay', async () => {
    const desired = await desiredOfExample();
    const m = workspace();
    const adapter = new DatabricksAdapter({ query: m.query, close: async () => undefined });
    const scope = introspectScopeOf(desired);
    const options = { mode: 'authoritative' as const, target: 'model', scope: scopeOf(desired), neverRevoke: planHooks('databricks').neverRevoke };
    const live = await adapter.introspect(scope);
    const file = new URL(`../../${snapshot}`, import.meta.url);
    if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, writeSnapshot(live));
    expect(writeSnapshot(live)).toBe(readFileSync(file, 'utf8'));
    const first = plan(desired, live, options);
    expect(first.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const unnamed = [...m.grants].filter((x) => /"principal":"(admins|other_recipient)"/.test(x)).sort();
    const result = await adapter.apply(adapter.compile(first));
    expect(result.ok, result.failed?.error).toBe(true);
    const second = plan(desired, await adapter.introspect(scope), options);
    expect(second.changes).toEqual([]);
    expect([...m.grants].filter((x) => /"principal":"(admins|other_recipient)"/.test(x)).sort()).toEqual(unnamed);
    // The share went to its recipient, and the stray MODIFY is gone.
    expect(m.log).toContain('GRANT SELECT ON SHARE `my_share` TO RECIPIENT `my_recipient`');
    expect(m.log).toContain('REVOKE MODIFY ON TABLE `main`.`reporting`.`customers` FROM `Data Analysts`');
  });

  it('plans from the snapshot: one statement per block, every principal kind, the share to its recipient', async () => {
    const r = await rbac(['plan', '--config', config, '--snapshot', snapshot, '--platform', 'databricks']);
    expect(r.code, r.err).toBe(0);
    const golden = new URL('./golden/terraform-examples-plan.txt', import.meta.url);
    if (process.env.UPDATE_GOLDEN || !existsSync(golden)) writeFileSync(golden, r.out);
    expect(r.out).toBe(readFileSync(golden, 'utf8'));
    const sql = r.out.split('\n').map((l) => l.trim()).filter((l) => /^(GRANT|REVOKE|ALTER) /.test(l));
    expect(sql).toContain('GRANT CREATE CATALOG, CREATE EXTERNAL LOCATION ON METASTORE TO `Data Engineers`;');
    expect(sql).toContain('GRANT SELECT ON SHARE `my_share` TO RECIPIENT `my_recipient`;');
    expect(sql).toContain(`GRANT CREATE EXTERNAL TABLE, READ FILES ON EXTERNAL LOCATION \`external\` TO \`${SP}\`;`);
    expect(sql).toContain('GRANT CREATE EXTERNAL TABLE, READ FILES ON EXTERNAL LOCATION `external` TO `alice@example.org`;');
    expect(sql).toContain('GRANT CREATE CONNECTION ON SERVICE CREDENTIAL `external_service` TO `Data Engineers`;');
    expect(sql).toContain('REVOKE MODIFY ON TABLE `main`.`reporting`.`customers` FROM `Data Analysts`;');
    // objects: [tables] on a schema: the schema-level grant, which covers later tables too.
    expect(sql).toContain('GRANT SELECT, MODIFY ON SCHEMA `sandbox`.`things` TO `sensitive`;');
    expect(sql.filter((l) => l.includes('admins') || l.includes('other_recipient'))).toEqual([]);
  });
});
