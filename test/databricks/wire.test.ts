/**
 * @databricks/sql driven for real, through src/dialects/databricks/driver.ts, against
 * the loopback Thrift stub (TLS on 127.0.0.1, see ./thrift-stub.ts), and the real
 * DatabricksAdapter reading recorded information_schema rows over that wire.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabricksAdapter, isDatabricksRetryable } from '../../src/dialects/databricks/adapter.js';
import { DatabricksDriverError, connectDatabricks, isLoopbackHost, type DatabricksConnection } from '../../src/dialects/databricks/driver.js';
import { OWNED_GLOBALS, PRIVILEGE_VIEWS, addDatabricksColumns, parseDatabricks, sql } from '../../src/dialects/databricks/inspect.js';
import { saltStateSql, saltTableRef, toolSchemaRef } from '../../src/dialects/databricks/salt.js';
import { grantKey, objectKey } from '../../src/model/keys.js';
import { RbacError } from '../../src/model/errors.js';
import { selfSignedCert } from './self-signed.js';
import { startThriftStub, type StubAnswer, type ThriftStub } from './thrift-stub.js';

type Row = Record<string, string | null>;
const fx = (name: string): Row[] => JSON.parse(readFileSync(new URL(`../fixtures/databricks/${name}`, import.meta.url), 'utf8')).rows;
// Shaped like a personal access token, so a leak would be recognisable.
const TOKEN = 'dapi0123456789abcdef0123456789abcdef';
const fast = { retries: 3, baseMs: 1, maxMs: 5 };
const roles = ['clinical_analyst', 'data_scientist', 'billing_auditor'];
const schemas = [
  { database: 'ehr', schema: 'clinical' },
  { database: 'ehr', schema: 'billing' },
];
const BIG: Row[] = Array.from({ length: 250 }, (_, i) => ({ n: String(i), note: i % 7 === 0 ? null : `row ${i}` }));
const MISSING = 'GRANT SELECT ON TABLE `ehr`.`clinical`.`missing` TO `clinical_analyst`';
// Databricks prints the error class first and the SQLSTATE last in the message.
const NOT_FOUND =
  '[TABLE_OR_VIEW_NOT_FOUND] The table or view `ehr`.`clinical`.`missing` cannot be found. Verify the spelling and correctness of the schema and catalog. SQLSTATE: 42P01';

/** Rows by information_schema relation, as the documented views print them. */
const views: Record<string, () => StubAnswer> = {
  catalog_privileges: () => ({ rows: fx('catalog_privileges.json') }),
  schema_privileges: () => ({ rows: fx('schema_privileges.json') }),
  table_privileges: () => ({ rows: fx('table_privileges.json') }),
  schemata: () => ({ rows: fx('schemata.json') }),
  tables: () => ({ rows: fx('tables.json') }),
  ...Object.fromEntries(
    ['volume_privileges', 'routine_privileges', 'external_location_privileges', 'credential_privileges', 'credentials', 'connection_privileges', 'metastore_privileges', 'share_recipient_privileges', 'recipients', 'catalogs', 'volumes', 'external_locations', 'connections'].map((v) => [v, () => ({ rows: fx(`${v}.json`) })]),
  ),
  // A slow statement read in pages: the client polls, asks for the schema, then fetches.
  columns: () => ({ rows: fx('columns.json'), pageSize: 4, async: true }),
  routines: () => ({ rows: [], columns: ['routine_catalog', 'routine_schema', 'routine_name', 'comment', 'routine_definition'] }),
  column_masks: () => ({ rows: [], columns: ['catalog_name', 'schema_name', 'table_name', 'column_name', 'mask_catalog', 'mask_schema', 'mask_name'] }),
  row_filters: () => ({ rows: [], columns: ['table_catalog', 'table_schema', 'table_name', 'filter_catalog', 'filter_schema', 'filter_name', 'target_columns'] }),
};

function respond(text: string, attempt: number): StubAnswer {
  if (text === 'SHOW GROUPS') return { rows: fx('show_groups.json') };
  if (text === saltStateSql()) return { rows: fx('salt_state.json') };
  const view = /FROM system\.information_schema\.(\w+)/.exec(text)?.[1];
  if (view && views[view]) return views[view]();
  if (text === 'SELECT n, note FROM big') return { rows: BIG, columns: ['n', 'note'], pageSize: 100 };
  if (text === MISSING) return { error: { message: NOT_FOUND, sqlState: '42P01' } };
  if (text.startsWith('GRAN ')) return { error: { at: 'status', message: "[PARSE_SYNTAX_ERROR] Syntax error at or near 'GRAN'. SQLSTATE: 42601", sqlState: '42601' } };
  if (text.includes('`throttled`') && attempt === 1) return { status: 429, retryAfterSeconds: 1 };
  if (text.includes('`unavailable`') && attempt === 1) return { status: 503, retryAfterSeconds: 1 };
  if (text === 'SELECT always_throttled') return { status: 429, retryAfterSeconds: 1 };
  // A server that echoes what it was given: the driver seam must scrub it.
  if (text === 'SELECT echo') return { error: { message: `[INVALID_PARAMETER_VALUE] token ${TOKEN} is not valid here`, sqlState: '22023' } };
  // No rows back, but a schema with a column (the stub sends no zero-column results).
  if (text.startsWith('GRANT') || text.startsWith('REVOKE')) return { rows: [], columns: ['result'] };
  return { rows: [{ ok: '1' }] };
}

const connectTo = (stub: ThriftStub, token = TOKEN) =>
  connectDatabricks({ host: stub.host, path: stub.path, token, loopback: { port: stub.port, caCert: stub.caCert } });

describe('@databricks/sql against a loopback Thrift stub', () => {
  let stub: ThriftStub;
  let conn: DatabricksConnection;
  let adapter: DatabricksAdapter;
  /** Every error the suite saw, to check none carries the token. */
  const errors: unknown[] = [];
  const failing = <T>(p: Promise<T>) => p.then(() => expect.unreachable('should have failed'), (e: unknown) => (errors.push(e), e as DatabricksDriverError));

  beforeAll(async () => {
    // Latency makes requests overlap, so the in-flight count is meaningful.
    stub = await startThriftStub({ respond, token: TOKEN, latencyMs: 40 });
    conn = await connectTo(stub);
    adapter = new DatabricksAdapter(conn, { retry: fast });
  });
  afterAll(async () => {
    await adapter?.close();
    expect(stub?.faults).toEqual([]);
    await stub?.close();
  });

  it('opens one session, sending the token only as the bearer header to the warehouse path', async () => {
    await conn.query('SELECT 1');
    expect(stub.sessions).toHaveLength(1);
    expect(stub.sessions[0].closed).toBe(false);
    expect(stub.requests.map((r) => r.call).slice(0, 2)).toEqual(['OpenSession', 'ExecuteStatement']);
    for (const r of stub.requests) {
      expect(r.path).toBe(stub.path);
      expect(r.authorization).toBe(`Bearer ${TOKEN}`);
      // Nowhere else: not in a Thrift body (OpenSession has username/password fields), not in another header.
      expect(r.body.includes(TOKEN)).toBe(false);
      expect(JSON.stringify({ ...r.headers, authorization: undefined })).not.toContain(TOKEN);
    }
  });

  it('round-trips recorded rows, NULLs included, through the column-based result format', async () => {
    const text = sql.tablePrivileges(roles);
    expect(await conn.query(text)).toEqual(fx('table_privileges.json'));
    // One page with the rows: the server closed the operation in its direct results.
    expect(stub.operations.filter((o) => o.sql === text).map((o) => o.calls)).toEqual([['ExecuteStatement']]);
  });

  it('reads a multi-page result completely, in order, then closes the operation', async () => {
    expect(await conn.query('SELECT n, note FROM big')).toEqual(BIG);
    const op = stub.operations.find((o) => o.sql === 'SELECT n, note FROM big')!;
    expect(op.calls.filter((c) => c === 'FetchResults').length).toBeGreaterThanOrEqual(2);
    expect(op.calls.at(-1)).toBe('CloseOperation');
    expect(op.closed).toBe(true);
  });

  it('introspects over the wire in 25 statements, 20 then five at once, as the seam reads the same rows', async () => {
    const before = stub.queries.length;
    stub.resetInFlight();
    // The first wave is held until twenty statements are in flight together (or 5 s).
    stub.gateNext(20);
    const live = await adapter.introspect({ roles, users: [], databases: ['ehr'], schemas, includePublic: false });
    const sent = stub.queries.slice(before);
    const expected = [
      sql.groups(),
      ...PRIVILEGE_VIEWS.map((v) => sql.privileges(v, roles)),
      sql.catalogs(['ehr']),
      sql.schemata(schemas),
      sql.tables(schemas),
      sql.volumes(schemas),
      sql.functions(schemas),
      ...OWNED_GLOBALS.map((g) => sql.owned(g, roles)),
      sql.columns(schemas),
      sql.policyFunctions(schemas),
      sql.columnMasks(schemas),
      sql.rowFilters(schemas),
      saltStateSql(),
    ];
    expect([...sent].sort()).toEqual([...expected].sort());
    expect(stub.maxInFlight()).toBe(20);

    // What the adapter made of the wire equals what the pure reader makes of the recorded rows.
    const direct = parseDatabricks(
      {
        groups: fx('show_groups.json'),
        catalogPrivileges: fx('catalog_privileges.json'),
        schemaPrivileges: fx('schema_privileges.json'),
        tablePrivileges: fx('table_privileges.json'),
        volumePrivileges: fx('volume_privileges.json'),
        routinePrivileges: fx('routine_privileges.json'),
        externalLocationPrivileges: fx('external_location_privileges.json'),
        credentialPrivileges: fx('credential_privileges.json'),
        connectionPrivileges: fx('connection_privileges.json'),
        metastorePrivileges: fx('metastore_privileges.json'),
        shareRecipientPrivileges: fx('share_recipient_privileges.json'),
        catalogs: fx('catalogs.json'),
        schemata: fx('schemata.json'),
        tables: fx('tables.json'),
        volumes: fx('volumes.json'),
        functions: [],
        externalLocations: fx('external_locations.json'),
        credentials: fx('credentials.json'),
        connections: fx('connections.json'),
        recipients: fx('recipients.json'),
      },
      roles,
    );
    addDatabricksColumns(direct.tables, fx('columns.json'));
    expect(live.roles).toEqual(direct.roles);
    // Besides: every direct grant on rbac's salt objects, whoever holds it (salt.ts).
    const tool = new Set([objectKey(toolSchemaRef('ehr')), objectKey(saltTableRef('ehr'))]);
    expect(live.grants.filter((g) => !tool.has(objectKey(g.object)))).toEqual(direct.grants);
    expect(live.toolObjects).toEqual([...tool].sort());
    expect(live.grants.filter((g) => tool.has(objectKey(g.object))).map((g) => g.key).sort()).toEqual([
      grantKey('mallory@example.org', 'select', saltTableRef('ehr')),
      grantKey('mallory@example.org', 'usage', toolSchemaRef('ehr')),
    ].sort());
    expect(live.saltReaders?.map((g) => [g.role, g.privilege, g.object.database])).toEqual([['bi_readers', 'select', 'ehr']]);
    expect(live.futureGrants).toEqual(direct.futureGrants);
    expect(live.schemas).toEqual(direct.schemas);
    expect(live.tables).toEqual(direct.tables);
    expect(live.grants.map((g) => g.key)).toContain('grant:select:table:ehr.clinical.patients:role:clinical_analyst');
    // All 11 column rows came through 3 pages of an operation the client had to poll.
    expect(live.tables.reduce((n, t) => n + t.columns.length, 0)).toBe(fx('columns.json').length);
    const columnsOp = stub.operations.find((o) => o.sql === sql.columns(schemas))!;
    expect(columnsOp.calls.slice(0, 4)).toEqual(['ExecuteStatement', 'GetOperationStatus', 'GetResultSetMetadata', 'FetchResults']);
    expect(columnsOp.calls.filter((c) => c === 'FetchResults').length).toBeGreaterThanOrEqual(3);
    expect(stub.operations.filter((o) => !o.closed).map((o) => o.sql)).toEqual([]);
  });

  it('a statement in ERROR_STATE surfaces as DatabricksDriverError with its error class; apply stops there', async () => {
    const statements = ['GRANT SELECT ON TABLE `ehr`.`clinical`.`patients` TO `clinical_analyst`', MISSING, 'GRANT SELECT ON TABLE `ehr`.`clinical`.`encounters_v` TO `clinical_analyst`'].map(
      (s, i) => ({ sql: s, changeIndex: i }),
    );
    const r = await adapter.apply(statements);
    errors.push(r.failed?.error);
    expect(r.ok).toBe(false);
    expect(r.applied).toEqual([statements[0]]);
    expect(r.failed?.code).toBe('TABLE_OR_VIEW_NOT_FOUND');
    expect(r.pending).toEqual([statements[2]]);
    expect(stub.queries).not.toContain(statements[2].sql);

    const e = await failing(conn.query(MISSING));
    expect(e).toBeInstanceOf(DatabricksDriverError);
    expect(e.message).toBe(NOT_FOUND);
    expect(e.code).toBe('TABLE_OR_VIEW_NOT_FOUND');
    // The SQLSTATE rides on the failed operation's status (TGetOperationStatusResp.sqlState).
    expect(e.sqlState).toBe('42P01');
    // The failed operations were closed all the same.
    expect(stub.operations.filter((o) => o.sql === MISSING).every((o) => o.state === 'error' && o.closed)).toBe(true);
  });

  it('an ExecuteStatement ERROR_STATUS (a parse error) maps its error class too', async () => {
    const e = await failing(conn.query('GRAN SELECT ON TABLE `a`.`b`.`c` TO `g`'));
    expect(e).toBeInstanceOf(DatabricksDriverError);
    expect(e.code).toBe('PARSE_SYNTAX_ERROR');
    expect(isDatabricksRetryable(e)).toBe(false);
  });

  it('HTTP 429 and 503 on ExecuteStatement: the driver does not retry them, the adapter retries with its policy', async () => {
    const n0 = stub.queries.filter((q) => q === 'SELECT always_throttled').length;
    const e = await failing(conn.query('SELECT always_throttled'));
    expect(e).toBeInstanceOf(DatabricksDriverError);
    expect(e.httpStatus).toBe(429);
    expect(isDatabricksRetryable(e)).toBe(true);
    // ExecuteStatement is not idempotent: the driver sent it once.
    expect(stub.queries.filter((q) => q === 'SELECT always_throttled').length - n0).toBe(1);

    for (const table of ['throttled', 'unavailable']) {
      const text = `GRANT SELECT ON TABLE \`ehr\`.\`clinical\`.\`${table}\` TO \`clinical_analyst\``;
      const q0 = adapter.queryCount();
      const r = await adapter.apply([{ sql: text, changeIndex: 0 }]);
      expect(r.ok).toBe(true);
      expect(adapter.queryCount() - q0).toBe(2);
      expect(stub.queries.filter((q) => q === text)).toHaveLength(2);
    }
  });

  it('retry codes name an error class or a SQLSTATE, both kept from the wire', async () => {
    const e = await failing(conn.query(MISSING));
    expect(isDatabricksRetryable(e)).toBe(false);
    expect(isDatabricksRetryable(e, ['TABLE_OR_VIEW_NOT_FOUND'])).toBe(true);
    expect(isDatabricksRetryable(e, ['42P01'])).toBe(true);
  });

  it('never puts the token in an error, even when the server echoes it', async () => {
    const e = await failing(conn.query('SELECT echo'));
    expect([e.code, e.sqlState]).toEqual(['INVALID_PARAMETER_VALUE', '22023']);
    expect(e.message).toContain('****');
    expect(errors.length).toBeGreaterThanOrEqual(5);
    for (const x of errors) {
      expect(String((x as Error)?.message ?? x)).not.toContain(TOKEN);
      expect(JSON.stringify(x)).not.toContain(TOKEN);
    }
  });
});

describe('databricks connection over the wire', () => {
  it('close() closes the session on the server', async () => {
    const stub = await startThriftStub({ respond, token: TOKEN });
    try {
      const conn = await connectTo(stub);
      await conn.query('SELECT 1');
      expect(stub.sessions.map((s) => s.closed)).toEqual([false]);
      await conn.close();
      expect(stub.sessions.map((s) => s.closed)).toEqual([true]);
      expect(stub.requests.at(-1)?.call).toBe('CloseSession');
    } finally {
      await stub.close();
    }
  });

  it('a rejected token (HTTP 401) is a CONNECTION error that does not print the token', async () => {
    const stub = await startThriftStub({ respond, token: TOKEN });
    const wrong = 'dapiffffffffffffffffffffffffffffffff';
    try {
      const e = await connectTo(stub, wrong).then(
        () => expect.unreachable('should not connect'),
        (x: unknown) => x as RbacError,
      );
      expect(e).toBeInstanceOf(RbacError);
      expect(e.code).toBe('CONNECTION');
      expect(e.message).toMatch(/cannot connect to Databricks workspace 127\.0\.0\.1: .*401/);
      expect(e.message).not.toContain(wrong);
      expect(stub.requests.map((r) => [r.call, r.authorization])).toEqual([['OpenSession', `Bearer ${wrong}`]]);
    } finally {
      await stub.close();
    }
  });

  it('still checks the server certificate: another CA is refused before any request', async () => {
    const stub = await startThriftStub({ respond });
    try {
      const p = connectDatabricks({ host: stub.host, path: stub.path, token: TOKEN, loopback: { port: stub.port, caCert: selfSignedCert().cert } });
      await expect(p).rejects.toThrow(/cannot connect.*(self[- ]signed|certificate)/i);
      expect(stub.requests).toEqual([]);
    } finally {
      await stub.close();
    }
  });

  it('accepts a test endpoint (port, extra CA) for a loopback IP only, never for a workspace', async () => {
    for (const host of ['adb-1234567890123456.7.azuredatabricks.net', 'localhost', '127.0.0.1.nip.io', '10.0.0.1']) {
      expect(isLoopbackHost(host)).toBe(false);
      await expect(connectDatabricks({ host, path: '/sql/1.0/warehouses/x', token: TOKEN, loopback: { port: 8443, caCert: 'x' } })).rejects.toThrow(
        /refusing a test endpoint .* only a loopback address/,
      );
    }
    for (const host of ['127.0.0.1', '127.10.20.30', '::1', '[::1]']) expect(isLoopbackHost(host)).toBe(true);
  });
});
