/**
 * A wire-level stub of the Snowflake HTTP API on loopback (127.0.0.1 only), enough
 * for snowflake-sdk's password login, query-request with an inline rowtype+rowset
 * result, a result page (chunk) fetched by URL, error bodies and HTTP 429.
 *
 * Test double: it answers with what `respond(sql)` returns; it has no SQL engine.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the stub answers to one SQL text. */
export type StubAnswer =
  | { rows: Record<string, string | null>[]; columns?: string[]; pageSize?: number }
  | { error: { code: string; message: string; sqlState?: string } }
  | { status: number };

export interface WireStub {
  url: string;
  port: number;
  /** SQL texts received by query-request, in arrival order (retries included). */
  queries: string[];
  logins: { user: string; hadPassword: boolean }[];
  /** Highest number of query-requests in flight at once since the last reset. */
  maxInFlight(): number;
  resetInFlight(): void;
  close(): Promise<void>;
}

export interface WireStubOptions {
  respond: (sql: string, attempt: number) => StubAnswer;
  /** Answer every login with Snowflake's "incorrect username or password" body. */
  rejectLogin?: boolean;
  /** Simulated latency per query-request, in ms. */
  latencyMs?: number;
}

export async function startWireStub(opts: WireStubOptions): Promise<WireStub> {
  const queries: string[] = [];
  const logins: WireStub['logins'] = [];
  const attempts = new Map<string, number>();
  const pages = new Map<string, string>();
  let seq = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let base = '';

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, Buffer.concat(chunks).toString('utf8'), res);
    });
  });

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  async function handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body: any = {};
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = {};
      }
    }
    if (url.pathname === '/session/v1/login-request') {
      logins.push({ user: String(body?.data?.LOGIN_NAME ?? ''), hadPassword: Boolean(body?.data?.PASSWORD) });
      if (opts.rejectLogin) {
        return json(res, 200, { success: false, code: '390100', message: 'Incorrect username or password was specified.', data: { nextAction: 'RETRY_LOGIN' } });
      }
      return json(res, 200, {
        success: true,
        code: null,
        message: null,
        data: {
          token: 'stub-session-token',
          masterToken: 'stub-master-token',
          validityInSeconds: 3600,
          masterValidityInSeconds: 14400,
          sessionId: 1001,
          parameters: [{ name: 'TIMEZONE', value: 'UTC' }],
          sessionInfo: { databaseName: null, schemaName: null, warehouseName: null, roleName: 'RBAC_ADMIN' },
        },
      });
    }
    if (url.pathname.startsWith('/page/')) {
      const text = pages.get(url.pathname) ?? '';
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(text);
    }
    if (url.pathname === '/queries/v1/query-request') {
      const sql = String(body.sqlText ?? '');
      queries.push(sql);
      const n = (attempts.get(sql) ?? 0) + 1;
      attempts.set(sql, n);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
      inFlight--;
      const answer = opts.respond(sql, n);
      const queryId = `01b0-stub-${++seq}`;
      if ('status' in answer) return json(res, answer.status, { success: false, message: 'throttled' });
      if ('error' in answer) {
        return json(res, 200, {
          success: false,
          code: answer.error.code,
          message: answer.error.message,
          data: { queryId, sqlState: answer.error.sqlState ?? '02000', errorCode: answer.error.code },
        });
      }
      const columns = answer.columns ?? Object.keys(answer.rows[0] ?? {});
      const rowtype = columns.map((name) => ({
        name,
        database: '',
        schema: '',
        table: '',
        type: 'text',
        nullable: true,
        byteLength: 16777216,
        length: 16777216,
        scale: null,
        precision: null,
        collation: null,
      }));
      const asArray = answer.rows.map((r) => columns.map((c) => r[c] ?? null));
      const data: Record<string, unknown> = {
        parameters: [],
        rowtype,
        queryId,
        queryResultFormat: 'json',
        total: asArray.length,
        returned: asArray.length,
        statementTypeId: 4096,
        finalDatabaseName: null,
        finalSchemaName: null,
        version: 1,
      };
      const pageSize = answer.pageSize;
      if (pageSize && asArray.length > pageSize) {
        // First page inline, the rest as result pages (chunks) fetched by URL.
        data.rowset = asArray.slice(0, pageSize);
        const chunkCfgs = [];
        for (let i = pageSize; i < asArray.length; i += pageSize) {
          const part = asArray.slice(i, i + pageSize);
          const path = `/page/${queryId}/${i}`;
          pages.set(path, part.map((r) => JSON.stringify(r)).join(','));
          chunkCfgs.push({ url: `${base}${path}`, rowCount: part.length, uncompressedSize: 100, compressedSize: 100 });
        }
        // The driver reads inline rows only when no chunks are listed; list the
        // first page as a chunk too so every row comes through the page path.
        data.rowset = [];
        const first = `/page/${queryId}/0`;
        pages.set(first, asArray.slice(0, pageSize).map((r) => JSON.stringify(r)).join(','));
        data.chunks = [{ url: `${base}${first}`, rowCount: pageSize, uncompressedSize: 100, compressedSize: 100 }, ...chunkCfgs];
        data.chunkHeaders = {};
      } else {
        data.rowset = asArray;
      }
      return json(res, 200, { success: true, code: null, message: null, data });
    }
    // session delete, telemetry, heartbeat...: accept.
    return json(res, 200, { success: true, code: null, message: null, data: {} });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    port,
    queries,
    logins,
    maxInFlight: () => maxInFlight,
    resetInFlight: () => {
      maxInFlight = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
