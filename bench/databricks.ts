/**
 * Benchmark: read a Unity Catalog account of 500 groups, 20 catalogs and 20,000 tables
 * through the stubs: the real `@databricks/sql` driver against the loopback Thrift stub
 * (information_schema rows generated at that size, paged), and the SCIM client against
 * the loopback SCIM stub (500 account groups, 2,000 users, paged and filtered). Prints
 * the wall time, the SQL query count (fixed, whatever the size), the SCIM request count
 * (per chunk of names and per managed group, never per user) and the heap used.
 *   benchDatabricks({ groups: 50, catalogs: 4, tables: 2000 })   // a quick run
 */
import { DatabricksAdapter } from '../src/dialects/databricks/adapter.js';
import { connectDatabricks } from '../src/dialects/databricks/driver.js';
import { ScimClient } from '../src/dialects/databricks/scim.js';
import { startScimStub } from '../test/databricks/scim-stub.js';
import { startThriftStub, type StubAnswer } from '../test/databricks/thrift-stub.js';

export interface DatabricksBenchOptions {
  groups?: number;
  catalogs?: number;
  tables?: number;
  users?: number;
  /** Simulated latency per HTTP request to the warehouse, in ms. */
  latencyMs?: number;
}

const TOKEN = 'dapi-bench-0000000000000000000000000000';
type Row = Record<string, string | null>;

export async function benchDatabricks(opts: DatabricksBenchOptions = {}): Promise<object> {
  const nGroups = opts.groups ?? 500;
  const nCatalogs = opts.catalogs ?? 20;
  const nTables = opts.tables ?? 20_000;
  const nUsers = opts.users ?? 2000;
  const latencyMs = opts.latencyMs ?? 20;
  const schemasPerCatalog = 10;
  const tablesPerSchema = Math.max(1, Math.round(nTables / (nCatalogs * schemasPerCatalog)));
  const groups = Array.from({ length: nGroups }, (_, i) => `team_${i}`);
  const schemas = Array.from({ length: nCatalogs * schemasPerCatalog }, (_, i) => ({ database: `cat_${i % nCatalogs}`, schema: `s_${i}` }));
  const tableRows: Row[] = [];
  const columnRows: Row[] = [];
  for (const s of schemas) {
    for (let t = 0; t < tablesPerSchema; t++) {
      const name = `t_${t}`;
      tableRows.push({ table_catalog: s.database, table_schema: s.schema, table_name: name, table_type: t % 10 === 9 ? 'VIEW' : 'MANAGED' });
      for (const [c, type] of [['id', 'bigint'], ['mrn', 'string'], ['admitted', 'date']]) {
        columnRows.push({ table_catalog: s.database, table_schema: s.schema, table_name: name, column_name: c, full_data_type: type });
      }
    }
  }
  // Each group: USE CATALOG on one catalog, USE SCHEMA and schema-level SELECT on one schema, SELECT on three tables.
  const catalogPrivileges: Row[] = [];
  const schemaPrivileges: Row[] = [];
  const tablePrivileges: Row[] = [];
  groups.forEach((g, i) => {
    const s = schemas[i % schemas.length];
    catalogPrivileges.push({ grantor: 'admin', grantee: g, catalog_name: s.database, privilege_type: 'USE CATALOG', inherited_from: 'NONE' });
    schemaPrivileges.push({ grantor: 'admin', grantee: g, catalog_name: s.database, schema_name: s.schema, privilege_type: 'USE SCHEMA', inherited_from: 'NONE' });
    schemaPrivileges.push({ grantor: 'admin', grantee: g, catalog_name: s.database, schema_name: s.schema, privilege_type: 'SELECT', inherited_from: 'NONE' });
    for (let t = 0; t < 3; t++) {
      tablePrivileges.push({ grantor: 'admin', grantee: g, table_catalog: s.database, table_schema: s.schema, table_name: `t_${t}`, privilege_type: 'MODIFY', inherited_from: 'NONE' });
    }
  });
  const byView: Record<string, Row[]> = {
    catalog_privileges: catalogPrivileges,
    schema_privileges: schemaPrivileges,
    table_privileges: tablePrivileges,
    schemata: schemas.map((s) => ({ catalog_name: s.database, schema_name: s.schema })),
    tables: tableRows,
    columns: columnRows,
  };
  const respond = (text: string): StubAnswer => {
    if (text === 'SHOW GROUPS') return { rows: groups.map((name) => ({ name })) };
    if (text.includes(' UNION ALL ')) return { rows: [], columns: ['what', 'catalog', 'grantee', 'privilege_type', 'inherited_from', 'comment'] };
    const view = /FROM system\.information_schema\.(\w+)/.exec(text)?.[1] ?? '';
    const rows = byView[view];
    // Pages of 10,000 rows, as the driver fetches them (maxRows per FetchResults).
    if (rows) return rows.length ? { rows, pageSize: 10_000 } : { rows: [], columns: ['x'] };
    return { rows: [], columns: ['x'] };
  };

  const sqlStub = await startThriftStub({ respond, token: TOKEN, latencyMs });
  const scim = await startScimStub({ token: TOKEN, pageSize: 100 });
  try {
    const users = Array.from({ length: nUsers }, (_, i) => scim.addUser(`user${i}@example.org`));
    groups.forEach((g, i) => scim.addGroup(g, { members: [users[i % nUsers].id, users[(i * 7 + 3) % nUsers].id, users[(i * 13 + 5) % nUsers].id] }));
    const conn = await connectDatabricks({ host: sqlStub.host, path: sqlStub.path, token: TOKEN, loopback: { port: sqlStub.port, caCert: sqlStub.caCert } });
    const client = new ScimClient({ host: 'dbc-bench.cloud.databricks.com', accountId: scim.accountId, auth: { token: TOKEN }, baseUrls: { workspace: scim.url, accounts: scim.url } });
    // manage_membership: true, as the CLI opens it: SCIM is read alongside the SQL queries.
    const adapter = new DatabricksAdapter(conn, { scim: { client } });
    const members = users.slice(0, 600).map((u) => u.userName);
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const live = await adapter.introspect({ roles: [...groups, ...members], users: members, databases: [], schemas, includePublic: false });
    const ms = Math.round(performance.now() - t0);
    const snapshot = live.scim!;
    const heapMiB = Number(((process.memoryUsage().heapUsed - heap0) / 2 ** 20).toFixed(1));
    await adapter.close();
    return {
      name: 'databricks-introspection',
      groups: nGroups,
      catalogs: nCatalogs,
      schemas: schemas.length,
      tables: tableRows.length,
      latencyMs,
      ms,
      sqlQueries: adapter.queryCount(),
      scimRequests: client.requestCount(),
      effectiveGrants: live.grants.length,
      scimGroups: snapshot.groups.length,
      scimMembers: snapshot.groups.reduce((n, g) => n + g.members.length, 0),
      heapDeltaMiB: heapMiB,
    };
  } finally {
    await sqlStub.close();
    await scim.close();
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const [groups, catalogs, tables] = process.argv.slice(2).map(Number);
  benchDatabricks({ groups: groups || undefined, catalogs: catalogs || undefined, tables: tables || undefined }).then((r) => console.log(JSON.stringify(r, null, 2)));
}
