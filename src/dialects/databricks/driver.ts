/**
 * The QueryFn seam over @databricks/sql. Only this file imports the driver. Tests
 * drive `queryFnFromSession` with a fake session (`DatabricksSessionLike`), and
 * `connectDatabricks` with the real driver against a loopback Thrift stub
 * (test/databricks/thrift-stub.ts, reached through the `loopback` option).
 *
 * Errors leave as `DatabricksDriverError` with the error class and the SQLSTATE when
 * the server gave them; the token never appears in a message.
 */
import { DBSQLClient } from '@databricks/sql';
import { RbacError, scrubSecrets } from '../../model/errors.js';
import type { QueryFn } from '../types.js';

/** The part of IDBSQLSession this tool uses. Invariant: each operation is closed after its rows are read. */
export interface DatabricksSessionLike {
  executeStatement(
    statement: string,
    options?: { runAsync?: boolean },
  ): Promise<{ fetchAll(): Promise<object[]>; close(): Promise<unknown> }>;
  close(): Promise<unknown>;
}

/**
 * Tests only: reach a wire stub on this machine. The driver always speaks HTTPS on
 * port 443 with the system's trusted CAs; this gives it another `port` and one more
 * trusted certificate (`caCert`, PEM, the stub's self-signed one, passed as the
 * driver's `customCaCert`). Server certificates are still checked.
 * Invariant: accepted only when `host` is a loopback IP literal (127.0.0.0/8, ::1),
 * so a real workspace is never reached on another port or through an extra CA.
 */
export interface DatabricksLoopback {
  port: number;
  caCert: string;
}

/**
 * Workspace connection. `path` is the SQL warehouse HTTP path (/sql/1.0/warehouses/...).
 * Invariant: either `token` (personal access token) or both `clientId` and
 * `clientSecret` (OAuth machine-to-machine, a service principal) are set.
 */
export type DatabricksConnectOptions = (
  | { host: string; path: string; token: string }
  | { host: string; path: string; clientId: string; clientSecret: string }
) & { loopback?: DatabricksLoopback };

/** An IP literal on this machine. Names (even `localhost`) are refused: they resolve elsewhere if DNS says so. */
export function isLoopbackHost(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1' || host === '[::1]';
}

/** The driver's `port` / `customCaCert` for a loopback stub; nothing for a workspace. */
function loopbackOptions(opts: DatabricksConnectOptions): { port?: number; customCaCert?: string } {
  if (!opts.loopback) return {};
  if (!isLoopbackHost(opts.host)) {
    throw new RbacError('CONNECTION', `refusing a test endpoint (port and extra CA) for ${opts.host}: only a loopback address (127.0.0.1, ::1) may use one`);
  }
  return { port: opts.loopback.port, customCaCert: opts.loopback.caCert };
}

export class DatabricksDriverError extends Error {
  constructor(
    message: string,
    /** The error class such as `TABLE_OR_VIEW_NOT_FOUND` when the server printed one, else the SQLSTATE, when known. */
    public readonly code?: string,
    public readonly httpStatus?: number,
    /** The SQLSTATE (`42P01`) when the server gave one. */
    public readonly sqlState?: string,
  ) {
    super(message);
    this.name = 'DatabricksDriverError';
  }
}

export function toDatabricksError(e: unknown, secrets: readonly (string | undefined)[]): DatabricksDriverError {
  if (e instanceof DatabricksDriverError) return e;
  const any = e as {
    message?: unknown;
    sqlState?: unknown;
    errorCode?: unknown;
    statusCode?: unknown;
    response?: { sqlState?: unknown; status?: { sqlState?: unknown }; statusCode?: unknown };
  };
  const message = scrubSecrets(String(any?.message ?? e), secrets);
  // Error classes are printed by the server as `[CLASS_NAME] ...` at the start of the message.
  const errorClass = /^\[([A-Z_.]+)\]/.exec(message)?.[1];
  // A failed statement is an OperationStateError whose `response` is the operation's
  // TGetOperationStatusResp, which carries `sqlState` itself (its `status` does not).
  const sqlState = [any?.sqlState, any?.response?.sqlState, any?.response?.status?.sqlState].find((s): s is string => typeof s === 'string' && s !== '');
  // The class first: it is what callers and retry codes name; one SQLSTATE covers many classes.
  const code = errorClass ?? sqlState ?? (any?.errorCode !== undefined ? String(any.errorCode) : undefined);
  const status = any?.statusCode ?? any?.response?.statusCode;
  return new DatabricksDriverError(message, code, typeof status === 'number' ? status : undefined, sqlState);
}

/** A QueryFn over one session; every operation is closed, even when fetching fails. */
export function queryFnFromSession(session: DatabricksSessionLike, secrets: readonly (string | undefined)[] = []): QueryFn {
  return async (sql, params) => {
    if (params && params.length) throw new DatabricksDriverError('positional parameters are not used by this adapter');
    let op: Awaited<ReturnType<DatabricksSessionLike['executeStatement']>> | undefined;
    try {
      op = await session.executeStatement(sql, { runAsync: true });
      return (await op.fetchAll()) as Record<string, unknown>[];
    } catch (e) {
      throw toDatabricksError(e, secrets);
    } finally {
      await op?.close().catch(() => undefined);
    }
  };
}

export interface DatabricksConnection {
  query: QueryFn;
  close(): Promise<void>;
}

/** A logger for @databricks/sql that writes nothing; errors reach us as rejections, mapped above. */
const QUIET_LOGGER = { log: (): void => undefined, getLevel: () => 'error' as never };

export async function connectDatabricks(opts: DatabricksConnectOptions): Promise<DatabricksConnection> {
  // Before any I/O: a workspace host with a test endpoint is a configuration error.
  const target = { host: opts.host, path: opts.path, ...loopbackOptions(opts) };
  // The driver logs JSON lines at info level to stdout by default, which would corrupt
  // `--format json` output (and its messages are not ours to vet for secrets): silenced.
  const client = new DBSQLClient({ logger: QUIET_LOGGER });
  let session: DatabricksSessionLike;
  const secrets = 'token' in opts ? [opts.token] : [opts.clientSecret];
  try {
    await client.connect(
      'token' in opts
        ? { ...target, token: opts.token }
        : // With a client secret the driver uses the client_credentials (M2M) flow, no browser.
          { ...target, authType: 'databricks-oauth', oauthClientId: opts.clientId, oauthClientSecret: opts.clientSecret },
    );
    session = (await client.openSession()) as unknown as DatabricksSessionLike;
  } catch (e) {
    const d = toDatabricksError(e, secrets);
    throw new RbacError('CONNECTION', `cannot connect to Databricks workspace ${opts.host}: ${d.message}`);
  }
  return {
    query: queryFnFromSession(session, secrets),
    close: async () => {
      await session.close().catch(() => undefined);
      await client.close();
    },
  };
}
