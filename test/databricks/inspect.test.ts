import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DatabricksAdapter, databricksUnsupported, prepareDatabricksDesired } from '../../src/dialects/databricks/adapter.js';
import { queryFnFromSession, type DatabricksSessionLike } from '../../src/dialects/databricks/driver.js';
import { parseDatabricks } from '../../src/dialects/databricks/inspect.js';
import type { Desired } from '../../src/model/types.js';

const fx = (n: string) => JSON.parse(readFileSync(new URL(`../fixtures/databricks/${n}`, import.meta.url), 'utf8')).rows;
const allRows = () => ({
  groups: fx('show_groups.json'),
  catalogPrivileges: fx('catalog_privileges.json'),
  schemaPrivileges: fx('schema_privileges.json'),
  tablePrivileges: fx('table_privileges.json'),
  schemata: fx('schemata.json'),
  tables: fx('tables.json'),
});

describe('databricks reader on recorded information_schema rows', () => {
  const read = parseDatabricks(allRows(), ['clinical_analyst', 'data_scientist', 'billing_auditor']);
  const keys = read.grants.map((g) => g.key).sort();

  it('reads managed groups only, by their exact name: `Clinical_Analyst` is another group than `clinical_analyst`', () => {
    // Unity Catalog keeps group names unique case-sensitively and resolves a grantee by its exact name (ident.ts).
    expect(read.roles.map((r) => r.name)).toEqual(['data_scientist', 'billing_auditor']);
    // USE CATALOG is granted to `Clinical_Analyst` only: it is not clinical_analyst's.
    expect(keys).not.toContain('grant:usage:database:ehr:role:clinical_analyst');
    const both = parseDatabricks(allRows(), ['clinical_analyst', 'Clinical_Analyst']);
    expect(both.roles.map((r) => r.name)).toEqual(['Clinical_Analyst']);
    expect(both.grants.filter((g) => g.role === 'Clinical_Analyst').map((g) => `${g.privilege} ${g.object.kind} ${g.object.database}`)).toEqual(['usage database ehr']);
    expect(both.grants.filter((g) => g.role === 'clinical_analyst').length).toBeGreaterThan(0);
  });
  it('matches users and service principals case-insensitively, in the configuration\'s spelling', () => {
    const rows = { ...allRows(), catalogPrivileges: [{ grantor: 'admin', grantee: 'alice@example.org', catalog_name: 'ehr', privilege_type: 'USE CATALOG', inherited_from: 'NONE' }] };
    const r = parseDatabricks(rows, ['Alice@Example.org'], ['Alice@Example.org']);
    expect(r.grants.map((g) => g.key)).toEqual(['grant:usage:database:ehr:role:"Alice@Example.org"']);
    // Not a user: a group of that name in another case is not it.
    expect(parseDatabricks(rows, ['Alice@Example.org']).grants).toEqual([]);
  });
  it('emits effective grants: schema-level SELECT covers every table in the schema and is a future grant', () => {
    expect(keys).toContain('grant:select:table:ehr.clinical.patients:role:clinical_analyst');
    expect(keys).toContain('grant:select:table:ehr.clinical.encounters_v:role:clinical_analyst');
    expect(read.futureGrants.map((f) => f.key)).toContain('future:select:tables:schema:ehr.clinical:role:clinical_analyst');
  });
  it('expands ALL PRIVILEGES on a catalog to the closed set, down to schemas and tables', () => {
    const ds = keys.filter((k) => k.endsWith('role:data_scientist'));
    expect(ds).toEqual([
      'grant:create:database:ehr:role:data_scientist',
      'grant:create:schema:ehr.billing:role:data_scientist',
      'grant:create:schema:ehr.clinical:role:data_scientist',
      'grant:modify:table:ehr.billing.claims:role:data_scientist',
      'grant:modify:table:ehr.clinical.encounters_v:role:data_scientist',
      'grant:modify:table:ehr.clinical.patients:role:data_scientist',
      'grant:select:table:ehr.billing.claims:role:data_scientist',
      'grant:select:table:ehr.clinical.encounters_v:role:data_scientist',
      'grant:select:table:ehr.clinical.patients:role:data_scientist',
      'grant:usage:database:ehr:role:data_scientist',
      'grant:usage:schema:ehr.billing:role:data_scientist',
      'grant:usage:schema:ehr.clinical:role:data_scientist',
    ]);
  });
  it('expands ALL PRIVILEGES on a table; null inherited_from is direct', () => {
    expect(keys.filter((k) => k.endsWith('role:billing_auditor'))).toEqual([
      'grant:modify:table:ehr.billing.claims:role:billing_auditor',
      'grant:modify:table:ehr.clinical.patients:role:billing_auditor',
      'grant:select:table:ehr.billing.claims:role:billing_auditor',
    ]);
  });
  it('skips rows inherited from an ancestor (recomputed) and keeps unknown privileges out', () => {
    expect(read.ignored.map((i) => i.privilege).sort()).toEqual(['BROWSE', 'EXECUTE']);
    const p = read.provenance.get('grant:select:table:ehr.clinical.patients:role:clinical_analyst')!;
    expect(p.sources).toEqual([{ object: { kind: 'schema', database: 'ehr', schema: 'clinical' }, word: 'SELECT', role: 'clinical_analyst' }]);
  });
  it('marks views', () => expect(read.tables.find((t) => t.object.name === 'encounters_v')?.object.kind).toBe('view'));
});

/** A fake IDBSQLSession: the driver's session seam, no network. */
function fakeSession(answer: (sql: string) => Record<string, unknown>[] | Error) {
  const seen: string[] = [];
  let closedOps = 0;
  const session: DatabricksSessionLike = {
    async executeStatement(sql) {
      seen.push(sql);
      const a = answer(sql);
      return {
        fetchAll: async () => {
          if (a instanceof Error) throw a;
          return a;
        },
        close: async () => void closedOps++,
      };
    },
    close: async () => undefined,
  };
  return { session, seen, closed: () => closedOps };
}

describe('databricks adapter through the session seam', () => {
  it('introspects in a fixed number of queries and closes every operation', async () => {
    const rows = allRows();
    const f = fakeSession((sql) =>
      sql === 'SHOW GROUPS' ? rows.groups
      : sql.includes('catalog_privileges') ? rows.catalogPrivileges
      : sql.includes('schema_privileges') ? rows.schemaPrivileges
      : sql.includes('table_privileges') ? rows.tablePrivileges
      : sql.includes('schemata') ? rows.schemata
      : rows.tables,
    );
    const adapter = new DatabricksAdapter({ query: queryFnFromSession(f.session), close: async () => undefined });
    const live = await adapter.introspect({
      roles: ['clinical_analyst'], users: [], databases: ['ehr'], schemas: [{ database: 'ehr', schema: 'clinical' }, { database: "o'hara", schema: 'x' }], includePublic: true,
    });
    // Six grant/table queries + columns, policy functions, column_masks, row_filters, the salt's state.
    expect(adapter.queryCount()).toBe(11);
    expect(f.closed()).toBe(11);
    expect(f.seen.find((s) => s.includes('schemata'))).toContain("(catalog_name = 'o\\'hara' AND schema_name = 'x')");
    expect(live.grants.every((g) => g.role === 'clinical_analyst')).toBe(true);
    expect(adapter.provenance.size).toBeGreaterThan(0);
  });

  it('apply stops at the first failure with the error class, token scrubbed', async () => {
    const token = 'dapi-0123456789abcdef';
    const f = fakeSession((sql) => (sql.includes('bad') ? new Error(`[TABLE_OR_VIEW_NOT_FOUND] The table bad cannot be found (token ${token})`) : []));
    const adapter = new DatabricksAdapter({ query: queryFnFromSession(f.session, [token]), close: async () => undefined });
    const st = ['GRANT SELECT ON TABLE `a`.`b`.`ok` TO `g`', 'GRANT SELECT ON TABLE `a`.`b`.`bad` TO `g`', 'GRANT SELECT ON TABLE `a`.`b`.`c` TO `g`'].map((sql, i) => ({ sql, changeIndex: i }));
    const r = await adapter.apply(st);
    expect(r.ok).toBe(false);
    expect(r.applied).toHaveLength(1);
    expect(r.failed?.code).toBe('TABLE_OR_VIEW_NOT_FOUND');
    expect(r.failed?.error).not.toContain(token);
    expect(r.pending).toEqual([st[2]]);
    expect(r.rolledBack).toBe(false);
  });

  it('retries a throttling error class with backoff', async () => {
    let n = 0;
    const f = fakeSession(() => (++n === 1 ? new Error('[REQUEST_LIMIT_EXCEEDED] slow down') : [{ name: 'g' }]));
    const adapter = new DatabricksAdapter({ query: queryFnFromSession(f.session), close: async () => undefined }, { retry: { retries: 2, baseMs: 1, maxMs: 2 } });
    const r = await adapter.apply([{ sql: 'GRANT SELECT ON TABLE `a`.`b`.`c` TO `g`', changeIndex: 0 }]);
    expect(r.ok).toBe(true);
    expect(adapter.queryCount()).toBe(2);
  });
});

describe('databricksUnsupported', () => {
  const desired: Desired = {
    platform: 'databricks',
    roles: [{ key: 'role:g', name: 'g', state: 'present', description: 'x' }],
    users: ['alice@example.org'],
    memberships: [{ key: 'member:g:alice', role: 'g', member: 'alice@example.org', memberKind: 'user' }],
    grants: [{ key: 'k', role: 'g', privilege: 'select', object: { kind: 'table', database: 'a', schema: 'b', name: 'c' }, column: 'ssn' }],
    schemaWide: [],
    futureGrants: [],
  };
  it('reports memberships as unmanaged, descriptions as unsupported, column grants as errors', () => {
    const p = databricksUnsupported(desired);
    expect(p.map((x) => x.severity)).toEqual(['warning', 'warning', 'error']);
    expect(p[0].message).toMatch(/not managed on Databricks/);
  });
  it('prepareDatabricksDesired drops what cannot be applied', () => {
    const d = prepareDatabricksDesired(desired);
    expect(d.memberships).toEqual([]);
    expect(d.roles[0].description).toBeUndefined();
  });
});
