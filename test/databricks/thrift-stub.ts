/**
 * A wire-level stub of a Databricks SQL warehouse on loopback (127.0.0.1 only), for
 * @databricks/sql's Thrift backend: TCLIService over HTTP POST to the warehouse
 * `path`, TBinaryProtocol in a TBufferedTransport (unframed), the request and
 * response structs (de)serialized by the generated code shipped inside the driver
 * (`@databricks/sql/thrift/TCLIService_types.js`, `thrift` from the driver's own
 * dependencies).
 *
 * How the driver reaches it: the driver always speaks HTTPS (DBSQLClient hard-codes
 * `https: true` for its HttpConnection; no public option gives plain HTTP), so the
 * stub serves TLS with a self-signed certificate for 127.0.0.1 made at start
 * (./self-signed.ts). The client is given that certificate through the driver's
 * public `customCaCert` option and the stub's port through `port`, which
 * `connectDatabricks` accepts only for a loopback host (its `loopback` option).
 * Certificate checking stays on.
 *
 * Implemented:
 * - OpenSession (answers SPARK_CLI_SERVICE_PROTOCOL_V8), CloseSession;
 * - ExecuteStatement: by default direct results (operation status, result set
 *   metadata and the first page in the ExecuteStatement response, plus the
 *   CloseOperation response when that page holds every row), or, with
 *   `async: true`, a RUNNING operation the client must poll;
 * - GetOperationStatus (an async operation is FINISHED at the first poll),
 *   GetResultSetMetadata, FetchResults (FETCH_FIRST restarts, pages of `pageSize`
 *   rows, never more than the client's maxRows), CloseOperation;
 * - results are always COLUMN_BASED_SET (TRowSet.columns of TStringColumn with a
 *   null bitmap), every column STRING_TYPE, at least one column (an answer without
 *   columns is a fault: the driver would loop forever on its direct results). The
 *   driver offers Arrow, cloud fetch and LZ4 (canReadArrowResult,
 *   canDownloadResult, canDecompressLZ4Result) but the result format is the
 *   server's choice (TGetResultSetMetadataResp.resultFormat), so the stub never
 *   sends Arrow or URL_BASED_SET;
 * - errors: an operation in ERROR_STATE with SQLSTATE and message (`at:
 *   'operation'`, what a warehouse does for a failing statement), an
 *   ExecuteStatement ERROR_STATUS (`at: 'status'`), an HTTP status (429, 503...)
 *   with Retry-After instead of the ExecuteStatement answer (the one call the
 *   driver does not retry itself), HTTP 401 for a wrong token,
 *   INVALID_HANDLE_STATUS for unknown or closed handles, and a Thrift
 *   TApplicationException (UNKNOWN_METHOD) for every other call.
 *
 * Not implemented: Arrow / cloud fetch / LZ4 results, typed (non-string) columns,
 * parameters, query tags, GetInfo / GetCatalogs / metadata calls, CancelOperation,
 * progress updates, OAuth endpoints, the driver's telemetry and feature-flag
 * endpoints (the driver skips them for loopback hosts). It has no SQL engine: it
 * answers with what `respond(sql, attempt)` returns.
 */
import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { selfSignedCert } from './self-signed.js';

// The very copies of the generated code and of `thrift` the driver itself loads.
const driverRequire = createRequire(createRequire(import.meta.url).resolve('@databricks/sql'));
// The generated .d.ts declares its types without exporting them, so they are untyped here.
const T: Record<string, any> = driverRequire('../thrift/TCLIService_types');
const thrift: { TBufferedTransport: any; TBinaryProtocol: any; Thrift: any; Int64: new (n: number) => unknown } = driverRequire('thrift');
const { Thrift } = thrift;

/** What the stub answers to one SQL text. */
export type StubAnswer =
  | {
      rows: Record<string, string | null>[];
      /** Column names in order; default: the keys of the first row. */
      columns?: string[];
      /** Rows per page (direct results and each FetchResults); default: all in one. */
      pageSize?: number;
      /** Answer RUNNING and make the client poll GetOperationStatus. */
      async?: boolean;
    }
  | { error: { message: string; sqlState?: string; at?: 'operation' | 'status' } }
  | { status: number; retryAfterSeconds?: number };

/** One HTTP request as received (the stub keeps everything to let tests look for leaks). */
export interface StubRequest {
  /** Thrift method name, or '' when the body was not a Thrift call. */
  call: string;
  path: string;
  authorization: string | undefined;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface StubOperation {
  sql: string;
  state: 'running' | 'finished' | 'error';
  closed: boolean;
  /** Thrift calls made on it, in order, from ExecuteStatement on. */
  calls: string[];
}

export interface ThriftStub {
  host: string;
  port: number;
  path: string;
  /** PEM certificate of the stub's TLS server, for the client's trusted CAs. */
  caCert: string;
  /** SQL texts received by ExecuteStatement, in arrival order (retries included). */
  queries: string[];
  requests: StubRequest[];
  sessions: { clientProtocol: number | undefined; closed: boolean }[];
  operations: StubOperation[];
  /** Misuses of the stub (answered with HTTP 500), e.g. a result without columns. Tests should find none. */
  faults: string[];
  /** Highest number of HTTP requests in flight at once since the last reset. */
  maxInFlight(): number;
  resetInFlight(): void;
  /**
   * Hold the next requests until `n` are in flight at once (or 5 s have passed since
   * the first), then answer them all: how many a client sends concurrently is then
   * observed whatever the machine's load, not raced against the stub's latency.
   */
  gateNext(n: number): void;
  close(): Promise<void>;
}

export interface ThriftStubOptions {
  respond: (sql: string, attempt: number) => StubAnswer;
  /** The warehouse HTTP path; other paths get 404. */
  path?: string;
  /** When set, a request without `Authorization: Bearer <token>` gets HTTP 401, as a workspace answers. */
  token?: string;
  /** Simulated latency per HTTP request, in ms. */
  latencyMs?: number;
}

interface Op extends StubOperation {
  handle: unknown;
  rows: Record<string, string | null>[];
  columns: string[];
  pageSize: number;
  cursor: number;
  error?: { message: string; sqlState?: string };
}

const ok = () => new T.TStatus({ statusCode: T.TStatusCode.SUCCESS_STATUS });
const invalidHandle = (what: string) => new T.TStatus({ statusCode: T.TStatusCode.INVALID_HANDLE_STATUS, errorMessage: `Invalid ${what}` });
// The driver prints handles as UUIDs and refuses bytes that are not one: guids are v4 UUIDs.
const newId = () => new T.THandleIdentifier({ guid: Buffer.from(randomUUID().replace(/-/g, ''), 'hex'), secret: randomBytes(16) });
const key = (id: { guid: Buffer } | undefined) => id?.guid?.toString('hex') ?? '';

/** Read one Thrift call: message header, then the `*_args` struct whose field 1 is the request. */
function readCall(body: Buffer): { fname: string; seqid: number; req: any } {
  let transport: unknown;
  thrift.TBufferedTransport.receiver((t: unknown) => (transport = t))(body);
  const input = new thrift.TBinaryProtocol(transport);
  const { fname, rseqid } = input.readMessageBegin();
  const Req = T[`T${fname}Req`];
  let req: any;
  if (Req) {
    input.readStructBegin();
    for (;;) {
      const { ftype, fid } = input.readFieldBegin();
      if (ftype === Thrift.Type.STOP) break;
      if (fid === 1 && ftype === Thrift.Type.STRUCT) {
        req = new Req();
        req.read(input);
      } else input.skip(ftype);
      input.readFieldEnd();
    }
    input.readStructEnd();
    input.readMessageEnd();
  }
  return { fname, seqid: rseqid, req };
}

/** Write a REPLY (the `*_result` struct, field 0 = success) or an EXCEPTION. */
function writeReply(fname: string, seqid: number, resp: any | { exception: string }): Buffer {
  let out: Buffer = Buffer.alloc(0);
  const output = new thrift.TBinaryProtocol(new thrift.TBufferedTransport(undefined, (buf: Buffer) => (out = buf)));
  if ('exception' in resp) {
    output.writeMessageBegin(fname, Thrift.MessageType.EXCEPTION, seqid);
    new Thrift.TApplicationException(Thrift.TApplicationExceptionType.UNKNOWN_METHOD, resp.exception).write(output);
  } else {
    output.writeMessageBegin(fname, Thrift.MessageType.REPLY, seqid);
    output.writeStructBegin(`TCLIService_${fname}_result`);
    output.writeFieldBegin('success', Thrift.Type.STRUCT, 0);
    resp.write(output);
    output.writeFieldEnd();
    output.writeFieldStop();
    output.writeStructEnd();
  }
  output.writeMessageEnd();
  output.flush();
  return out;
}

function schema(columns: string[]) {
  return new T.TTableSchema({
    columns: columns.map(
      (columnName, i) =>
        new T.TColumnDesc({
          columnName,
          position: i + 1,
          typeDesc: new T.TTypeDesc({ types: [new T.TTypeEntry({ primitiveEntry: new T.TPrimitiveTypeEntry({ type: T.TTypeId.STRING_TYPE }) })] }),
        }),
    ),
  });
}

/** Rows -> column-based TRowSet: one TStringColumn per column, bit i of `nulls` set when row i is NULL. */
function rowSet(op: Op, start: number, rows: Record<string, string | null>[]) {
  const columns = op.columns.map((c) => {
    const nulls = Buffer.alloc(Math.ceil(rows.length / 8));
    const values = rows.map((r, i) => {
      const v = r[c] ?? null;
      if (v === null) nulls[Math.floor(i / 8)] |= 1 << i % 8;
      return v ?? '';
    });
    return new T.TColumn({ stringVal: new T.TStringColumn({ values, nulls }) });
  });
  return new T.TRowSet({ startRowOffset: new thrift.Int64(start), rows: [], columns });
}

export async function startThriftStub(opts: ThriftStubOptions): Promise<ThriftStub> {
  const path = opts.path ?? '/sql/1.0/warehouses/stub';
  const { cert, key: tlsKey } = selfSignedCert('127.0.0.1');
  const queries: string[] = [];
  const requests: StubRequest[] = [];
  const sessions = new Map<string, ThriftStub['sessions'][number]>();
  const ops = new Map<string, Op>();
  const operations: StubOperation[] = [];
  const attempts = new Map<string, number>();
  const faults: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let gate: { n: number; open: () => void; opened: Promise<void>; timer?: NodeJS.Timeout } | undefined;

  const statusOf = (op: Op) =>
    new T.TGetOperationStatusResp({
      status: ok(),
      operationState:
        op.state === 'running' ? T.TOperationState.RUNNING_STATE : op.state === 'error' ? T.TOperationState.ERROR_STATE : T.TOperationState.FINISHED_STATE,
      // Spark's Thrift server always says an ExecuteStatement operation has a result set.
      hasResultSet: true,
      ...(op.error ? { sqlState: op.error.sqlState, errorMessage: op.error.message, displayMessage: op.error.message } : {}),
    });
  const metadataOf = (op: Op) =>
    new T.TGetResultSetMetadataResp({ status: ok(), schema: schema(op.columns), resultFormat: T.TSparkRowSetType.COLUMN_BASED_SET, lz4Compressed: false });
  const page = (op: Op, maxRows: number) => {
    const n = Math.max(0, Math.min(op.pageSize, maxRows));
    const start = op.cursor;
    const rows = op.rows.slice(start, start + n);
    op.cursor += rows.length;
    return new T.TFetchResultsResp({ status: ok(), hasMoreRows: op.cursor < op.rows.length, results: rowSet(op, start, rows) });
  };
  const findOp = (fname: string, req: any) => {
    const op = ops.get(key(req?.operationHandle?.operationId));
    op?.calls.push(fname);
    return op && !op.closed ? op : undefined;
  };

  function executeStatement(req: any): any | { http: number; retryAfterSeconds?: number } {
    const session = sessions.get(key(req.sessionHandle?.sessionId));
    if (!session || session.closed) return new T.TExecuteStatementResp({ status: invalidHandle('SessionHandle') });
    const sql = String(req.statement ?? '');
    queries.push(sql);
    const n = (attempts.get(sql) ?? 0) + 1;
    attempts.set(sql, n);
    const answer = opts.respond(sql, n);
    if ('status' in answer) return { http: answer.status, retryAfterSeconds: answer.retryAfterSeconds };
    if ('error' in answer && answer.error.at === 'status') {
      return new T.TExecuteStatementResp({
        status: new T.TStatus({ statusCode: T.TStatusCode.ERROR_STATUS, sqlState: answer.error.sqlState, errorMessage: answer.error.message, displayMessage: answer.error.message }),
      });
    }
    const rows = 'rows' in answer ? answer.rows : [];
    const columns = 'rows' in answer ? answer.columns ?? Object.keys(rows[0] ?? {}) : [];
    // The driver never consumes a direct-results page of a schema without columns
    // (its JSON handler returns [] before reading it) and loops forever: refuse one.
    if ('rows' in answer && !columns.length) throw new Error(`stub: the answer to ${JSON.stringify(sql)} has no columns`);
    const handle = new T.TOperationHandle({ operationId: newId(), operationType: T.TOperationType.EXECUTE_STATEMENT, hasResultSet: true });
    const op: Op = {
      sql,
      handle,
      rows,
      columns,
      pageSize: 'rows' in answer && answer.pageSize ? answer.pageSize : Math.max(1, rows.length),
      cursor: 0,
      state: 'error' in answer ? 'error' : 'rows' in answer && answer.async ? 'running' : 'finished',
      closed: false,
      calls: ['ExecuteStatement'],
      ...('error' in answer ? { error: answer.error } : {}),
    };
    ops.set(key(handle.operationId), op);
    operations.push(op);
    if (op.state !== 'finished') {
      return new T.TExecuteStatementResp({ status: ok(), operationHandle: handle, directResults: new T.TSparkDirectResults({ operationStatus: statusOf(op) }) });
    }
    const maxRows = Number(req.getDirectResults?.maxRows ?? 0);
    if (!maxRows) return new T.TExecuteStatementResp({ status: ok(), operationHandle: handle });
    const first = page(op, maxRows);
    // Everything fit in the first page: the server closes the operation itself.
    const done = op.cursor >= op.rows.length;
    if (done) op.closed = true;
    return new T.TExecuteStatementResp({
      status: ok(),
      operationHandle: handle,
      directResults: new T.TSparkDirectResults({
        operationStatus: statusOf(op),
        resultSetMetadata: metadataOf(op),
        resultSet: first,
        ...(done ? { closeOperation: new T.TCloseOperationResp({ status: ok() }) } : {}),
      }),
    });
  }

  function answer(fname: string, req: any): any {
    switch (fname) {
      case 'OpenSession': {
        const id = newId();
        const protocol = req?.client_protocol_i64 ? Number(req.client_protocol_i64) : req?.client_protocol;
        sessions.set(key(id), { clientProtocol: protocol, closed: false });
        return new T.TOpenSessionResp({
          status: ok(),
          serverProtocolVersion: T.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8,
          sessionHandle: new T.TSessionHandle({ sessionId: id }),
          configuration: {},
          canUseMultipleCatalogs: true,
        });
      }
      case 'CloseSession': {
        const s = sessions.get(key(req?.sessionHandle?.sessionId));
        if (!s || s.closed) return new T.TCloseSessionResp({ status: invalidHandle('SessionHandle') });
        s.closed = true;
        return new T.TCloseSessionResp({ status: ok() });
      }
      case 'ExecuteStatement':
        return executeStatement(req);
      case 'GetOperationStatus': {
        const op = findOp(fname, req);
        if (!op) return new T.TGetOperationStatusResp({ status: invalidHandle('OperationHandle') });
        if (op.state === 'running') op.state = 'finished';
        return statusOf(op);
      }
      case 'GetResultSetMetadata': {
        const op = findOp(fname, req);
        return op ? metadataOf(op) : new T.TGetResultSetMetadataResp({ status: invalidHandle('OperationHandle') });
      }
      case 'FetchResults': {
        const op = findOp(fname, req);
        if (!op || op.state !== 'finished') return new T.TFetchResultsResp({ status: invalidHandle('OperationHandle') });
        if (req.orientation === T.TFetchOrientation.FETCH_FIRST) op.cursor = 0;
        return page(op, Number(req.maxRows));
      }
      case 'CloseOperation': {
        const op = findOp(fname, req);
        if (!op) return new T.TCloseOperationResp({ status: invalidHandle('OperationHandle') });
        op.closed = true;
        return new T.TCloseOperationResp({ status: ok() });
      }
      default:
        return { exception: `stub: ${fname} is not implemented` };
    }
  }

  async function handle(req: IncomingMessage, body: Buffer, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const record: StubRequest = { call: '', path: url.pathname, authorization: req.headers.authorization, headers: req.headers, body };
    requests.push(record);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    if (gate) {
      const g = gate;
      g.timer ??= setTimeout(g.open, 5000);
      if (inFlight >= g.n) g.open();
      await g.opened;
    }
    try {
      if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
      if (req.method !== 'POST' || url.pathname !== path) return void res.writeHead(404).end();
      let call: ReturnType<typeof readCall>;
      try {
        call = readCall(body);
      } catch {
        return void res.writeHead(400).end();
      }
      record.call = call.fname;
      if (opts.token !== undefined && req.headers.authorization !== `Bearer ${opts.token}`) {
        return void res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized');
      }
      let resp: any;
      try {
        resp = answer(call.fname, call.req);
      } catch (e) {
        faults.push((e as Error).message);
        return void res.writeHead(500).end();
      }
      if (resp && typeof resp.http === 'number') {
        const headers: Record<string, string> = { 'content-type': 'text/plain' };
        if (resp.retryAfterSeconds !== undefined) headers['retry-after'] = String(resp.retryAfterSeconds);
        return void res.writeHead(resp.http, headers).end(resp.http === 429 ? 'Too Many Requests' : 'Service Unavailable');
      }
      res.writeHead(200, { 'content-type': 'application/x-thrift' }).end(writeReply(call.fname, call.seqid, resp));
    } finally {
      inFlight--;
    }
  }

  const server = https.createServer({ cert, key: tlsKey }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void handle(req, Buffer.concat(chunks), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    path,
    caCert: cert,
    queries,
    requests,
    get sessions() {
      return [...sessions.values()];
    },
    operations,
    faults,
    maxInFlight: () => maxInFlight,
    resetInFlight: () => {
      maxInFlight = inFlight;
    },
    gateNext: (n: number) => {
      let open!: () => void;
      const opened = new Promise<void>((r) => (open = r));
      const g = {
        n,
        opened,
        open: () => {
          if (g.timer) clearTimeout(g.timer);
          if (gate === g) gate = undefined;
          open();
        },
      } as NonNullable<typeof gate>;
      gate = g;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
