/**
 * The acceptance configuration (examples/snowflake-permifrost: warehouses, account
 * privileges, schema CREATE privileges, database-wide grants, future views owned by the
 * transformer, database roles, a role per user named like the user) applied to the
 * Snowflake grant model through the real adapter: the next plan is empty, and a view the
 * transformer creates later is owned by it and readable by the reporter (the precedence rule).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toDesired } from '../../src/config/desired.js';
import { loadProject } from '../../src/config/load.js';
import { SnowflakeAdapter } from '../../src/dialects/snowflake/adapter.js';
import { snowflakeDialect } from '../../src/dialects/snowflake/quote.js';
import { plan } from '../../src/plan/plan.js';
import { introspectScopeOf, scopeOf } from '../../src/plan/scope.js';
import { SnowflakeGrantModel, accountRole } from './grant-model.js';

const config = fileURLToPath(new URL('../../examples/snowflake-permifrost/', import.meta.url));

describe('examples/snowflake-permifrost on the Snowflake grant model', () => {
  it('applies, then plans empty; new views in the reporting schema are the transformer\'s and the reporter reads them', async () => {
    const { project, diagnostics } = await loadProject(config);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const { desired, diagnostics: d2 } = toDesired(project, snowflakeDialect);
    expect(d2).toEqual([]);

    const m = new SnowflakeGrantModel();
    for (const u of ['ALICE', 'BOB', 'LOADER_SVC', 'DBT_SVC']) m.addUser(u);
    m.addDatabase('EHR');
    m.addDatabase('SNOWFLAKE', { shared: true, owner: 'ACCOUNTADMIN' });
    for (const s of ['RAW', 'REPORTING']) m.addSchema('EHR', s);
    m.addObject({ kind: 'TABLE', database: 'EHR', schema: 'RAW', name: 'ENCOUNTERS' });
    for (const w of ['LOADING_WH', 'TRANSFORMING_WH', 'REPORTING_WH']) m.addAccountObject('WAREHOUSE', w);

    const adapter = new SnowflakeAdapter({ query: m.query, close: async () => undefined });
    const scope = { ...introspectScopeOf(desired), includePublic: false };
    const options = { mode: 'authoritative' as const, target: 'model', scope: scopeOf(desired) };
    const first = plan(desired, await adapter.introspect(scope), options);
    expect(first.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const result = await adapter.apply(adapter.compile(first));
    expect(result.ok, result.failed?.error).toBe(true);
    const second = plan(desired, await adapter.introspect(scope), options);
    expect(second.changes).toEqual([]);

    // Existing objects got what objects: says: the reporter reads the raw table, the database role too.
    const encounters = { kind: 'TABLE', database: 'EHR', schema: 'RAW', name: 'ENCOUNTERS' };
    expect(m.grantOf(accountRole('REPORTER'), 'SELECT', encounters)).toBeDefined();
    // Later objects: a view in REPORTING (which has its own future grants for views) is owned by
    // the transformer, and the reporter's database-level SELECT still reaches it.
    const v = m.createObject({ kind: 'VIEW', database: 'EHR', schema: 'REPORTING', name: 'ENCOUNTERS_BY_MONTH' });
    expect(m.ownerOf(v)).toEqual(accountRole('TRANSFORMER'));
    expect(m.grantOf(accountRole('REPORTER'), 'SELECT', v)).toBeDefined();
    // A new raw table: the database role's schema-level futures and the reporter's repeated one both apply.
    const t = m.createObject({ kind: 'TABLE', database: 'EHR', schema: 'RAW', name: 'CLAIMS' });
    expect(m.grantOf(accountRole('REPORTER'), 'SELECT', t)).toBeDefined();
  });
});
