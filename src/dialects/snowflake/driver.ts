/**
 * The QueryFn seam over snowflake-sdk. Only this file imports the driver.
 *
 * Errors leave this file as `SnowflakeDriverError` carrying the driver's error code
 * (`002003` object does not exist, ...), the SQLSTATE and the HTTP status when the
 * failure was an HTTP one; messages are scrubbed of the password, private key and
 * token before anything can print them.
 */
import snowflake from 'snowflake-sdk';
import { RbacError, scrubSecrets } from '../../model/errors.js';
import type { QueryFn } from '../types.js';

/**
 * How to reach an account. Invariant: exactly one of password / privateKey / token
 * is set. `accessUrl` overrides the URL derived from `account` (tests: a loopback
 * stub; private link).
 */
export interface SnowflakeConnectOptions {
  account: string;
  username: string;
  password?: string;
  /** OAuth access token (authenticator OAUTH). */
  token?: string;
  /** PEM private key for key-pair (SNOWFLAKE_JWT) authentication. */
  privateKey?: string;
  privateKeyPass?: string;
  role?: string;
  warehouse?: string;
  accessUrl?: string;
  /** Seconds; the driver's own login timeout. */
  loginTimeout?: number;
}

/** A driver error, reduced to what callers branch on. Message is secret-free. */
export class SnowflakeDriverError extends Error {
  constructor(
    message: string,
    public readonly code?: string,
    public readonly sqlState?: string,
    public readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'SnowflakeDriverError';
  }
}

/** Snowflake's "object does not exist or not authorized". */
export const SF_OBJECT_DOES_NOT_EXIST = '002003';

export function toDriverError(e: unknown, secrets: readonly (string | undefined)[]): SnowflakeDriverError {
  if (e instanceof SnowflakeDriverError) return e;
  const any = e as { message?: unknown; code?: unknown; sqlState?: unknown; response?: { statusCode?: unknown; status?: unknown } };
  const message = scrubSecrets(String(any?.message ?? e), secrets);
  const status = any?.response?.statusCode ?? any?.response?.status;
  return new SnowflakeDriverError(
    message,
    any?.code === undefined || any.code === null ? undefined : String(any.code),
    typeof any?.sqlState === 'string' ? any.sqlState : undefined,
    typeof status === 'number' ? status : undefined,
  );
}

/** A connected QueryFn plus its close. */
export interface SnowflakeConnection {
  query: QueryFn;
  close(): Promise<void>;
}

let configured = false;

export async function connectSnowflake(opts: SnowflakeConnectOptions): Promise<SnowflakeConnection> {
  if ([opts.password, opts.privateKey, opts.token].filter(Boolean).length !== 1) {
    throw new RbacError('TARGET', 'snowflake target needs exactly one of password, private key or OAuth token');
  }
  const secrets = [opts.password, opts.privateKey, opts.privateKeyPass, opts.token];
  if (!configured) {
    // The driver logs to a file by default; keep it quiet (and secret-free).
    snowflake.configure({ logLevel: 'OFF' } as Parameters<typeof snowflake.configure>[0]);
    configured = true;
  }
  const conn = snowflake.createConnection({
    account: opts.account,
    username: opts.username,
    ...(opts.password ? { password: opts.password } : {}),
    ...(opts.privateKey
      ? { authenticator: 'SNOWFLAKE_JWT', privateKey: opts.privateKey, privateKeyPass: opts.privateKeyPass }
      : {}),
    ...(opts.token ? { authenticator: 'OAUTH', token: opts.token } : {}),
    role: opts.role,
    warehouse: opts.warehouse,
    ...(opts.accessUrl ? { accessUrl: opts.accessUrl } : {}),
    ...(opts.loginTimeout ? { loginTimeout: opts.loginTimeout } : {}),
    application: 'rbac',
  } as Parameters<typeof snowflake.createConnection>[0]);
  try {
    await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
  } catch (e) {
    const d = toDriverError(e, secrets);
    throw new RbacError('CONNECTION', `cannot connect to Snowflake account ${opts.account}: ${d.message}`);
  }
  const query: QueryFn = (sqlText, params) =>
    new Promise((resolve, reject) => {
      conn.execute({
        sqlText,
        binds: params as snowflake.Binds | undefined,
        complete: (err, _stmt, rows) => (err ? reject(toDriverError(err, secrets)) : resolve((rows ?? []) as Record<string, unknown>[])),
      });
    });
  return {
    query,
    close: () => new Promise<void>((resolve) => conn.destroy(() => resolve())),
  };
}
