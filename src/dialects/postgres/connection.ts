/**
 * PostgreSQL connection strings: ONE parser for connecting and for printing, so the
 * masked form a human sees and the connection `pg` opens can never disagree.
 *
 * Two forms are accepted:
 *
 * - a `postgres://` or `postgresql://` URL, parsed by `pg-connection-string` (the code
 *   `pg` itself uses). Before it gets there the userinfo is split off by the rule
 *   below and percent-encoded, so a password pasted raw (`P@ss:w/rd`) reaches the
 *   server intact. The userinfo ends at the LAST `@` before the host, as WHATWG URL
 *   parsing does; a password that holds a raw `/`, `?` or `#` is recognized too when
 *   the standard reading is implausible (an invalid port, an `@` in the path, the
 *   fragment or a query parameter's name, or an `@host/` shape in the query). A `%`
 *   followed by two hex digits is an escape, as in any URL; any other `%` is literal.
 * - a libpq key=value string (`host=db port=5432 dbname=ehr user=rbac password='x'`):
 *   optional spaces around `=`, single-quoted values with `\'` and `\\` escapes (and,
 *   beyond libpq, `''` inside quotes for one quote: libpq rejects that text, so no
 *   valid libpq string changes meaning). Unknown keywords are an error.
 *
 * Errors never echo the input: they name a keyword (only when it cannot be a piece of
 * a password) or a position.
 */
import { parse as parsePgUrl, toClientConfig } from 'pg-connection-string';
import type pg from 'pg';
import { didYouMean } from '../../config/names.js';
import { RbacError } from '../../model/errors.js';

/**
 * A parsed connection string. Invariants: `config` is what `pg.Client` is built with
 * (never a `connectionString`); it has no `password` when none was given, so `pg`
 * falls back to PGPASSWORD and then ~/.pgpass. `display` and `name` never hold any
 * part of a secret; `name` parses back (through `parsePgConnection`) to the same
 * connection without its secrets, and is the same for the same target whatever the
 * password. `secrets` holds every secret value as given (decoded).
 */
export interface PgConnection {
  /** How the string was written. */
  readonly form: 'url' | 'keyvalue';
  /** The configuration to connect with. Holds the password: never print it. */
  readonly config: pg.ClientConfig;
  /** For humans: `postgres://user:****@host:port/db?sslmode=require`; `****` only where a secret was given. */
  readonly display: string;
  /** Identifies the target without any secret: `postgres://user@host:port/db?sslmode=require`. */
  readonly name: string;
  /** Every secret value (password, sslpassword, token-like parameters), for `scrubSecrets`. */
  readonly secrets: string[];
  /** Whether a password was given (a password of exactly `****`, the mask, counts as none). */
  readonly hasPassword: boolean;
  /**
   * A connection string that connects like this one but with `password` (used when
   * the password comes from PGPASSWORD). Holds the password: never print it.
   */
  withPassword(password: string): string;
}

/** The mask this tool prints in place of a password; pasted back, it means "no password". */
export const MASK = '****';

const URL_SCHEME = /^(postgres(?:ql)?):\/\//i;

/**
 * Query parameters / keywords whose value is a secret (compared lower-cased):
 * masked in `display`, left out of `name`, recorded in `secrets`.
 */
const SECRET_PARAMS = new Set([
  'password',
  'sslpassword',
  'token',
  'secret',
  'access_token',
  'key',
  'client_secret',
  'oauth_client_secret',
  'passphrase',
  'sslkeypassword',
]);

/** libpq keywords `pg` can honour; the values of the first six build the URL's authority and path. */
const KV_CORE = new Set(['host', 'hostaddr', 'port', 'dbname', 'user', 'password']);
const KV_PARAMS = new Set([
  'options',
  'application_name',
  'fallback_application_name',
  'client_encoding',
  'connect_timeout',
  'keepalives',
  'keepalives_idle',
  'sslmode',
  'sslcert',
  'sslkey',
  'sslrootcert',
  'sslpassword',
  'sslnegotiation',
  'replication',
]);
/** libpq keywords the `pg` driver has no equivalent for: refused rather than silently ignored. */
const KV_UNSUPPORTED = new Set([
  'service',
  'passfile',
  'channel_binding',
  'keepalives_interval',
  'keepalives_count',
  'tcp_user_timeout',
  'sslcompression',
  'sslcertmode',
  'sslcrl',
  'sslcrldir',
  'sslsni',
  'requirepeer',
  'ssl_min_protocol_version',
  'ssl_max_protocol_version',
  'min_protocol_version',
  'max_protocol_version',
  'gssencmode',
  'krbsrvname',
  'gsslib',
  'gssdelegation',
  'target_session_attrs',
  'load_balance_hosts',
  'require_auth',
  'scram_client_key',
  'scram_server_key',
  'oauth_issuer',
  'oauth_client_id',
  'oauth_client_secret',
  'oauth_scope',
]);
const KV_KNOWN = [...KV_CORE, ...KV_PARAMS];

/** The parts both forms reduce to; `render` turns them into `display`, `name` or a connect string. */
interface Parts {
  scheme: string;
  user: string;
  password?: string;
  host: string;
  port: string;
  database?: string;
  /** Every other parameter, in the order written. */
  params: [string, string][];
}

const fail = (message: string, hint?: string): never => {
  throw new RbacError('TARGET', message, hint);
};

/** A postgres:// or postgresql:// URL (by its scheme; the rest may still be malformed). */
export function isPgUrl(text: string): boolean {
  return URL_SCHEME.test(text.trim());
}

/**
 * Text that is meant as a libpq key=value string: it starts with a keyword followed by
 * `=`. Target names never contain `=`, so such text is never a name.
 */
export function looksLikeKeyValue(text: string): boolean {
  return !isPgUrl(text) && /^\s*[A-Za-z_][A-Za-z0-9_]*\s*=/.test(text);
}

/**
 * Parse a URL or a key=value string. Throws RbacError('TARGET') whose message names
 * no part of the input beyond a keyword or a position. Reads the files named by
 * sslcert/sslkey/sslrootcert, as `pg` does.
 */
export function parsePgConnection(text: string): PgConnection {
  const input = text.trim();
  if (isPgUrl(input)) return fromUrl(input);
  if (looksLikeKeyValue(input)) return fromKeyValue(input);
  return fail(
    'not a PostgreSQL connection string (the value is not shown: it may hold a password)',
    'write postgres://user@host:port/dbname or host=... port=... dbname=... user=...',
  );
}

// ---------------------------------------------------------------------------------
// URLs

interface Split {
  userinfo?: string;
  hostport: string;
  after: string;
}

const HOSTPORT = /^(?:\[[0-9A-Fa-f:.]+\]|(?:[A-Za-z0-9._~!$&'()*+;=-]|%[0-9A-Fa-f]{2})*)(?::[0-9]*)?$/;

function standardSplit(rest: string): Split | undefined {
  const end = firstOf(rest, '/?#');
  const auth = rest.slice(0, end);
  const at = auth.lastIndexOf('@');
  const hostport = auth.slice(at + 1);
  if (!HOSTPORT.test(hostport)) return undefined;
  return { userinfo: at >= 0 ? auth.slice(0, at) : undefined, hostport, after: rest.slice(end) };
}

/** The standard reading is implausible when an `@` shows up where a raw password would put it. */
function plausible(s: Split): boolean {
  const hash = s.after.indexOf('#');
  const beforeHash = hash < 0 ? s.after : s.after.slice(0, hash);
  const q = beforeHash.indexOf('?');
  const path = q < 0 ? beforeHash : beforeHash.slice(0, q);
  const query = q < 0 ? '' : beforeHash.slice(q + 1);
  if (path.includes('@')) return false;
  if (hash >= 0 && s.after.slice(hash).includes('@')) return false;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if ((eq < 0 ? pair : pair.slice(0, eq)).includes('@')) return false;
  }
  if (s.userinfo === undefined && /@[^?#&]*\//.test(query)) return false;
  return true;
}

function fallbackSplit(rest: string): Split | undefined {
  const at = rest.lastIndexOf('@');
  if (at < 0) return undefined;
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
  if (/[/?#]/.test(user)) return undefined;
  const remainder = rest.slice(at + 1);
  const end = firstOf(remainder, '/?#');
  const hostport = remainder.slice(0, end);
  if (!HOSTPORT.test(hostport)) return undefined;
  return { userinfo, hostport, after: remainder.slice(end) };
}

function fromUrl(input: string): PgConnection {
  const m = URL_SCHEME.exec(input)!;
  const scheme = m[1].toLowerCase();
  const rest = input.slice(m[0].length);
  const standard = standardSplit(rest);
  const split = standard && plausible(standard) ? standard : (fallbackSplit(rest) ?? standard);
  if (!split) {
    const end = firstOf(rest, '/?#');
    const hp = rest.slice(rest.lastIndexOf('@', end - 1) + 1, end);
    if (hp.includes(',')) fail('several hosts in one PostgreSQL URL are not supported', 'give one host:port');
    fail(
      'the PostgreSQL URL has no valid host[:port] (the value is not shown: it may hold a password)',
      'percent-encode special characters in the user name and password (@ as %40, / as %2F, : as %3A)',
    );
  }
  const s = split!;

  let user: string | undefined;
  let password: string | undefined;
  const rawSecrets: string[] = [];
  if (s.userinfo !== undefined) {
    const colon = s.userinfo.indexOf(':');
    user = decodeLenient(colon < 0 ? s.userinfo : s.userinfo.slice(0, colon));
    if (colon >= 0) {
      const raw = s.userinfo.slice(colon + 1);
      password = decodeLenient(raw);
      if (raw !== password) rawSecrets.push(raw);
    }
  }
  // Percent-encode the userinfo and escape what pg-connection-string would re-encode
  // (spaces, a lone %), so its decoding yields exactly what was written.
  const userinfo =
    s.userinfo === undefined ? '' : `${encodeURIComponent(user!)}${password !== undefined ? `:${encodeURIComponent(password)}` : ''}@`;
  const after = s.after.replace(/ /g, '%20').replace(/%(?![0-9A-Fa-f]{2})/g, '%25');
  const normalized = `${scheme}://${userinfo}${s.hostport}${after}`;

  const opts = callParser(() => parsePgUrl(normalized));
  const hash = after.indexOf('#');
  const q = after.indexOf('?');
  const query = q < 0 || (hash >= 0 && hash < q) ? '' : after.slice(q + 1, hash < 0 ? undefined : hash);
  const params: [string, string][] = [];
  for (const [k, v] of new URLSearchParams(query)) {
    if (k === 'user' || k === 'password' || k === 'host' || k === 'port') continue;
    params.push([k, v]);
  }
  const parts: Parts = {
    scheme,
    user: typeof opts.user === 'string' ? opts.user : '',
    password: typeof opts.password === 'string' && opts.password !== '' ? opts.password : undefined,
    host: typeof opts.host === 'string' ? opts.host : '',
    port: typeof opts.port === 'string' ? opts.port : '',
    database: typeof opts.database === 'string' ? opts.database : undefined,
    params,
  };
  const secrets = [password, opts.password as string | undefined, ...rawSecrets];
  return finish('url', parts, opts, secrets, (pw) => render({ ...parts, password: pw }, 'connect'));
}

// ---------------------------------------------------------------------------------
// key=value

interface Pair {
  key: string;
  value: string;
  /** 1-based position of the keyword. */
  pos: number;
}

const isSpace = (c: string | undefined): boolean => c !== undefined && /[ \t\n\v\f\r]/.test(c);

/** A word is named in an error only when it cannot be the tail of an unquoted password. */
function nameable(word: string, previous: Pair | undefined): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(word) && !(previous && SECRET_PARAMS.has(previous.key.toLowerCase()));
}

const QUOTE_HINT = "quote values that contain spaces or quotes: password='it\\'s here'";

/** libpq's conninfo_parse, without echoing any of the input in its errors. */
function parseKeyValue(text: string): Pair[] {
  const pairs: Pair[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    if (isSpace(text[i])) {
      i++;
      continue;
    }
    const start = i;
    while (i < n && text[i] !== '=' && !isSpace(text[i])) i++;
    const key = text.slice(start, i);
    const previous = pairs[pairs.length - 1];
    const what = nameable(key, previous) ? `'${key}'` : `the word at position ${start + 1}`;
    while (isSpace(text[i])) i++;
    if (key === '') fail(`connection string: '=' without a keyword at position ${start + 1}`, QUOTE_HINT);
    if (text[i] !== '=') fail(`connection string: missing '=' after ${what}`, QUOTE_HINT);
    i++;
    while (isSpace(text[i])) i++;
    let value = '';
    if (text[i] === "'") {
      i++;
      for (;;) {
        if (i >= n) fail(`connection string: unterminated quoted value of ${what}`, QUOTE_HINT);
        const c = text[i];
        if (c === '\\') {
          if (i + 1 < n) value += text[i + 1];
          i += 2;
        } else if (c === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          value += c;
          i++;
        }
      }
    } else {
      while (i < n && !isSpace(text[i])) {
        if (text[i] === '\\') {
          if (i + 1 < n) value += text[i + 1];
          i += 2;
        } else value += text[i++];
      }
    }
    pairs.push({ key, value, pos: start + 1 });
  }
  // Validate after reading everything, so a misplaced password value is never named.
  for (let k = 0; k < pairs.length; k++) {
    const { key, pos } = pairs[k];
    if (KV_CORE.has(key) || KV_PARAMS.has(key)) continue;
    const previous = pairs[k - 1];
    if (KV_UNSUPPORTED.has(key)) {
      fail(`connection string: keyword '${key}' is not supported by the pg driver rbac uses`, 'remove it, or configure the equivalent in the environment');
    }
    if (!nameable(key, previous)) fail(`connection string: unknown keyword at position ${pos}`, QUOTE_HINT);
    const s = didYouMean(key, KV_KNOWN);
    fail(`connection string: unknown keyword '${key}'${s ? ` (did you mean '${s}'?)` : ''}`, `keywords: ${KV_KNOWN.join(', ')}`);
  }
  return pairs;
}

function fromKeyValue(input: string): PgConnection {
  const pairs = parseKeyValue(input);
  const get = (k: string): string | undefined => {
    let v: string | undefined;
    for (const p of pairs) if (p.key === k) v = p.value; // the last one wins, as in libpq
    return v;
  };
  const host = get('host');
  const hostaddr = get('hostaddr');
  if (host !== undefined && host !== '' && hostaddr !== undefined && hostaddr !== '') {
    fail('connection string: host together with hostaddr is not supported by the pg driver', 'give one of them');
  }
  const h = host || hostaddr || '';
  if (h.includes(',')) fail('connection string: several hosts are not supported', 'give one host');
  const port = get('port') ?? '';
  if (!/^[0-9]*$/.test(port)) fail('connection string: port must be a number', 'give one port, e.g. port=5432');

  const params: [string, string][] = [];
  const seen = new Map<string, number>();
  for (const p of pairs) {
    if (KV_CORE.has(p.key)) continue;
    const at = seen.get(p.key);
    if (at === undefined) {
      seen.set(p.key, params.length);
      params.push([p.key, p.value]);
    } else params[at] = [p.key, p.value];
  }
  const password = get('password');
  const parts: Parts = {
    scheme: 'postgres',
    user: get('user') ?? '',
    password: password === '' ? undefined : password,
    host: h,
    port,
    database: get('dbname') || undefined,
    params,
  };
  // The SSL options go through pg-connection-string, like a URL's; the rest is set directly.
  const query = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const opts = callParser(() => parsePgUrl(`postgres:///${query ? `?${query}` : ''}`));
  opts.host = parts.host;
  opts.port = parts.port;
  opts.database = parts.database ?? null;
  if (parts.user) opts.user = parts.user;
  else delete opts.user;
  if (parts.password !== undefined) opts.password = parts.password;
  else delete opts.password;
  return finish('keyvalue', parts, opts, [password], (pw) => `${input} password=${kvQuote(pw)}`);
}

function kvQuote(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

// ---------------------------------------------------------------------------------
// shared

type ParsedOptions = ReturnType<typeof parsePgUrl>;

function callParser(f: () => ParsedOptions): ParsedOptions {
  try {
    return f();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (typeof err?.code === 'string' && typeof err.syscall === 'string') {
      // Reading sslcert/sslkey/sslrootcert: the file name is not a secret, but keep to the code.
      fail(`cannot read an SSL file named in the connection string (sslcert, sslkey or sslrootcert): ${err.code}`);
    }
    // pg-connection-string's own refusals name settings, never values: keep their words.
    const msg = typeof err?.message === 'string' ? err.message : '';
    if (/^(SECURITY WARNING: Using sslmode=verify-ca|Both useLibpqCompat and uselibpqcompat)/.test(msg)) fail(`connection string: ${msg}`);
    return fail(
      'the PostgreSQL connection string cannot be parsed (the value is not shown: it may hold a password)',
      'percent-encode special characters in the user name and password (@ as %40, / as %2F, : as %3A)',
    );
  }
}

function finish(
  form: PgConnection['form'],
  parts: Parts,
  opts: ParsedOptions,
  given: (string | undefined)[],
  connectWith: (password: string) => string,
): PgConnection {
  // The mask pasted back (a display, or a plan written by an earlier version) is not a password.
  if (parts.password === MASK) {
    parts.password = undefined;
    delete opts.password;
  }
  const secrets = new Set<string>();
  for (const s of given) if (s && s !== MASK) secrets.add(s);
  for (const [k, v] of parts.params) if (SECRET_PARAMS.has(k.toLowerCase()) && v && v !== MASK) secrets.add(v);

  let config: pg.ClientConfig;
  try {
    config = toClientConfig(opts);
  } catch {
    return fail('connection string: port must be a number');
  }
  const extra = config as Record<string, unknown>;
  // Empty means "not given": pg then reads PGUSER/PGHOST/PGPASSWORD (and ~/.pgpass).
  for (const k of ['user', 'password', 'host'] as const) if (extra[k] === '') delete extra[k];
  // What libpq names differently from pg: map it, so the setting is not silently ignored.
  const sslpassword = extra.sslpassword;
  delete extra.sslpassword;
  if (typeof sslpassword === 'string' && sslpassword !== '' && config.ssl && typeof config.ssl === 'object') {
    config.ssl = { ...config.ssl, passphrase: sslpassword };
  }
  const timeout = numeric(extra.connect_timeout, 'connect_timeout');
  if (timeout !== undefined && timeout > 0) config.connectionTimeoutMillis = Math.max(2, timeout) * 1000;
  const keepalives = numeric(extra.keepalives, 'keepalives');
  if (keepalives !== undefined) config.keepAlive = keepalives !== 0;
  const idle = numeric(extra.keepalives_idle, 'keepalives_idle');
  if (idle !== undefined) config.keepAliveInitialDelayMillis = idle * 1000;

  return {
    form,
    config,
    display: render(parts, 'display'),
    name: render(parts, 'name'),
    secrets: [...secrets],
    hasPassword: parts.password !== undefined,
    withPassword: connectWith,
  };
}

function numeric(v: unknown, key: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?[0-9]+$/.test(v)) return Number(v);
  return fail(`connection string: ${key} must be a whole number`);
}

/**
 * `display`: secrets as `****`; `name`: secrets left out; `connect`: everything (a
 * string `parsePgConnection` reads back to the same parts).
 */
function render(p: Parts, mode: 'display' | 'name' | 'connect'): string {
  let out = `${p.scheme}://`;
  const pw = p.password === undefined ? '' : mode === 'display' ? `:${MASK}` : mode === 'connect' ? `:${encodeURIComponent(p.password)}` : '';
  if (p.user || pw) out += `${encodeURIComponent(p.user)}${pw}@`;
  if (p.host.includes(':') && !p.host.includes('/')) out += `[${p.host}]`;
  else out += encodeURIComponent(p.host);
  if (p.port) out += `:${p.port}`;
  if (p.database !== undefined) out += `/${encodeDatabase(p.database)}`;
  const params: string[] = [];
  for (const [k, v] of p.params) {
    const secret = SECRET_PARAMS.has(k.toLowerCase());
    if (secret && mode === 'name') continue;
    params.push(`${encodeParam(k)}=${secret && mode === 'display' ? MASK : encodeParam(v)}`);
  }
  if (params.length) out += `${p.database === undefined ? '/' : ''}?${params.join('&')}`;
  return out;
}

/** pg-connection-string decodes the path with decodeURI: encode so that it reads back. */
function encodeDatabase(db: string): string {
  return encodeURI(db).replace(/\?/g, '%3F').replace(/#/g, '%23');
}

/** Readable and read back by URLSearchParams: `/` and `:` stay, the rest as encodeURIComponent. */
function encodeParam(v: string): string {
  return encodeURIComponent(v).replace(/%2F/g, '/').replace(/%3A/g, ':');
}

/** Decode %XX escapes (UTF-8); a `%` that starts no valid escape stays as written. */
function decodeLenient(s: string): string {
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

function firstOf(s: string, chars: string): number {
  for (let i = 0; i < s.length; i++) if (chars.includes(s[i])) return i;
  return s.length;
}
