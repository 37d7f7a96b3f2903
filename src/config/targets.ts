/**
 * resolveTarget: pick a target from rbac.yaml (or take a PostgreSQL URL or libpq
 * key=value string given directly) and expand `${VAR}` references from the
 * environment, for that target only. A missing variable of an unused target is never
 * an error. PostgreSQL connection strings go through one parser
 * (dialects/postgres/connection.ts) for connecting and for display.
 */
import { isPgUrl, looksLikeKeyValue, parsePgConnection, type PgConnection } from '../dialects/postgres/connection.js';
import { maskUrl, RbacError } from '../model/errors.js';
import type { Platform, SourceLocation } from '../model/types.js';
import { NAME_PATTERNS, parsePart, suggestion } from './names.js';
import type { Project, TargetDef, TargetValue } from './project.js';
import type { Authenticator } from './schema.js';

/** Fields every resolved target has. */
interface TargetBase {
  /**
   * Target name from rbac.yaml; for an ad-hoc PostgreSQL target its connection URL
   * without any secret (`postgres://user@host:port/db`), the same whatever the
   * password, which resolves back to the same target (the password then comes from
   * PGPASSWORD or ~/.pgpass). Recorded in plans, the audit log and the drift state.
   */
  name: string;
  platform: Platform;
  /** One line for humans (no secrets: URLs masked, no passwords or tokens). */
  display: string;
  /** Every secret value of this target, for `scrubSecrets` on driver errors. */
  secrets: string[];
  /** Where the target is defined; undefined for an ad-hoc connection string. */
  source?: SourceLocation;
}

/**
 * A Postgres target: exactly one of `embedded` (a PGlite data directory, relative to
 * the config root, as written) or `url` (the connection string to connect with: a
 * postgres:// URL or, for an ad-hoc target, a libpq key=value string; it may hold a
 * password, PGPASSWORD's included: print `display`, never `url`). `display` and
 * `secrets` of a `url` target come from the same parse `openPg` connects with.
 */
export interface PostgresTarget extends TargetBase {
  platform: 'postgres';
  embedded?: string;
  url?: string;
  /**
   * Logical database name (folded like every model name) -> physical database name
   * (exactly as written after ${VAR} expansion). May be empty.
   */
  databaseMap: Record<string, string>;
  /**
   * Roles whose future tables get default privileges, folded as Postgres folds
   * (bare lower-cased, quoted exact); undefined: the connecting user.
   */
  objectCreators?: string[];
}

/** A Snowflake target; the credential its authenticator needs is present. */
export interface SnowflakeTarget extends TargetBase {
  platform: 'snowflake';
  account: string;
  user: string;
  role?: string;
  warehouse?: string;
  authenticator: Authenticator;
  privateKeyPath?: string;
  privateKeyPassphrase?: string;
  password?: string;
  token?: string;
  parallelism: number;
  /** URL used instead of the one derived from `account` (private link, tests). */
  accessUrl?: string;
}

/** A Databricks target: `token`, or both `clientId` and `clientSecret`. */
export interface DatabricksTarget extends TargetBase {
  platform: 'databricks';
  host: string;
  httpPath: string;
  token?: string;
  clientId?: string;
  clientSecret?: string;
  /**
   * Groups, members and nesting through SCIM. Invariant: when true, `accountId` is set
   * (the loader refuses the target otherwise).
   */
  manageMembership: boolean;
  /** The account id of the account SCIM API. */
  accountId?: string;
  /** The accounts host (or https:// URL; plain http for a loopback stub only) when not derived from `host`. */
  accountsHost?: string;
}

/** A target with every `${VAR}` expanded. Holds secrets: never print it whole. */
export type ResolvedTarget = PostgresTarget | SnowflakeTarget | DatabricksTarget;

/** The environment `${VAR}` reads from (process.env in the CLI, a literal in tests). */
export type Env = Readonly<Record<string, string | undefined>>;

const VAR = /\$\{([^}]*)\}/g;
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECRET_KEYS = new Set(['password', 'token', 'client_secret', 'private_key_passphrase']);

const fmt = (l: SourceLocation): string => `${l.file}:${l.line}:${l.column}`;

/**
 * Fold a config name as PostgreSQL does (bare -> lower case, quoted -> exact). Only
 * Postgres targets carry names (database_map keys, object_creators), so the rule is
 * fixed here rather than borrowed from a dialect object.
 */
function pgFold(text: string): string {
  const p = parsePart(text);
  if (!p) return text;
  return p.quoted ? p.text : p.text.toLowerCase();
}

/**
 * The object_creators of a named Postgres target, folded as the live read folds them,
 * without expanding any connection setting (an offline plan needs no secrets).
 * Undefined for an unknown name, a URL, another platform or no object_creators.
 */
export function objectCreatorsOf(project: Project, name: string | undefined): string[] | undefined {
  const def = name === undefined ? undefined : Object.prototype.hasOwnProperty.call(project.targets, name) ? project.targets[name] : undefined;
  if (!def || def.platform !== 'postgres' || !def.objectCreators?.length) return undefined;
  return def.objectCreators.map((c) => pgFold(c.value));
}

/**
 * Choose and expand a target. `nameOrUrl` is a target name from rbac.yaml, a
 * `postgres://`/`postgresql://` URL or a libpq key=value string (an ad-hoc Postgres
 * target), or undefined for `default_target` (or the only target). A connection
 * string without a password takes PGPASSWORD from `env` when set (else `pg` reads
 * ~/.pgpass). Throws RbacError('TARGET') naming every missing variable with its place
 * in rbac.yaml; messages never hold secret values, nor a value that is not a target
 * name (it may be a mistyped connection string).
 */
export function resolveTarget(project: Project, nameOrUrl: string | undefined, env: Env): ResolvedTarget {
  if (nameOrUrl !== undefined && (isPgUrl(nameOrUrl) || looksLikeKeyValue(nameOrUrl))) {
    const conn = parsePgConnection(nameOrUrl);
    const t: PostgresTarget = { name: conn.name, platform: 'postgres', display: conn.display, url: nameOrUrl, databaseMap: {}, secrets: [...conn.secrets] };
    return withEnvPassword(t, conn, env);
  }
  if (nameOrUrl !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(nameOrUrl)) {
    throw new RbacError(
      'TARGET',
      `only postgres:// and postgresql:// URLs can be given as a target, not ${maskUrl(nameOrUrl).replace(/:\/\/.*/, '://...')}`,
      'configure Snowflake and Databricks targets in rbac.yaml and pass their name',
    );
  }
  const names = Object.keys(project.targets);
  let name = nameOrUrl ?? project.defaultTarget;
  if (name === undefined) {
    if (names.length === 1) name = names[0];
    else
      throw new RbacError(
        'TARGET',
        names.length ? 'no target given and rbac.yaml has no default_target' : 'no target given and rbac.yaml defines no targets',
        names.length ? `pass --target with one of: ${names.join(', ')}` : 'pass --target postgres://... or add targets: to rbac.yaml',
      );
  }
  const def = Object.hasOwn(project.targets, name) ? project.targets[name] : undefined;
  if (!def) {
    // Only a well-formed name is echoed: anything else may be a mistyped connection string.
    const shown = TARGET_NAME.test(name) ? `'${name}'${suggestion(name, names)}` : '(not shown: it is not a target name and may hold a password)';
    throw new RbacError(
      'TARGET',
      `unknown target ${shown}`,
      names.length ? `targets in rbac.yaml: ${names.join(', ')}` : 'rbac.yaml defines no targets',
    );
  }
  return expandTarget(def, env);
}

const TARGET_NAME = new RegExp(NAME_PATTERNS.key, 'u');

/** A connection without a password connects with PGPASSWORD from `env`, recorded as a secret. */
function withEnvPassword(t: PostgresTarget, conn: PgConnection, env: Env): PostgresTarget {
  const pw = env.PGPASSWORD;
  if (!conn.hasPassword && pw) {
    t.url = conn.withPassword(pw);
    t.secrets.push(pw);
  }
  return t;
}

function expandTarget(def: TargetDef, env: Env): ResolvedTarget {
  const missing: string[] = [];
  const bad: string[] = [];
  const secrets: string[] = [];
  const expand = (v: TargetValue | undefined, secret = false): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v.value !== 'string') return String(v.value);
    const out = v.value.replace(VAR, (whole, varName: string) => {
      if (!VAR_NAME.test(varName)) {
        bad.push(`${whole} at ${fmt(v.source)}`);
        return '';
      }
      const val = env[varName];
      if (val === undefined || val === '') {
        missing.push(`${varName} (${fmt(v.source)})`);
        return '';
      }
      return val;
    });
    if (secret && out) secrets.push(out);
    return out;
  };
  const s = def.settings;
  const get = (k: string): string | undefined => expand(s[k], SECRET_KEYS.has(k));

  const base = { name: def.name, source: def.source, secrets };
  let t: ResolvedTarget;
  switch (def.platform) {
    case 'postgres': {
      const url = get('url');
      const embedded = get('embedded');
      const databaseMap: Record<string, string> = {};
      for (const [k, v] of Object.entries(def.databaseMap ?? {})) databaseMap[pgFold(k)] = expand(v) ?? '';
      t = { ...base, platform: 'postgres', display: '', databaseMap };
      if (url !== undefined) t.url = url;
      if (embedded !== undefined) t.embedded = embedded;
      if (def.objectCreators) t.objectCreators = def.objectCreators.map((c) => pgFold(c.value));
      break;
    }
    case 'snowflake':
      t = {
        ...base,
        platform: 'snowflake',
        display: '',
        account: get('account') ?? '',
        user: get('user') ?? '',
        role: get('role'),
        warehouse: get('warehouse'),
        authenticator: (get('authenticator') ?? 'SNOWFLAKE_JWT') as Authenticator,
        privateKeyPath: get('private_key_path'),
        privateKeyPassphrase: get('private_key_passphrase'),
        password: get('password'),
        token: get('token'),
        // SHOW commands run in the cloud services layer: 32 at once by default (adapter.ts).
        parallelism: typeof s.parallelism?.value === 'number' ? s.parallelism.value : 32,
        accessUrl: get('access_url'),
      };
      break;
    case 'databricks':
      t = {
        ...base,
        platform: 'databricks',
        display: '',
        host: get('host') ?? '',
        httpPath: get('http_path') ?? '',
        token: get('token'),
        clientId: get('client_id'),
        clientSecret: get('client_secret'),
        manageMembership: s.manage_membership?.value === true,
        accountId: get('account_id'),
        accountsHost: get('accounts_host'),
      };
      break;
  }
  if (bad.length) {
    throw new RbacError('TARGET', `target '${def.name}': malformed variable reference ${bad.join(', ')}`, 'write ${NAME} with NAME made of letters, digits and _');
  }
  if (missing.length) {
    const plural = missing.length > 1;
    throw new RbacError(
      'TARGET',
      `target '${def.name}' needs environment variable${plural ? 's' : ''} ${missing.join(', ')}, which ${plural ? 'are' : 'is'} not set`,
      `set ${plural ? 'them' : 'it'} in the environment, or choose another target with --target`,
    );
  }
  if (t.platform === 'postgres') {
    if (t.url !== undefined && !isPgUrl(t.url)) {
      // The value may be anything, a secret included: name the setting, never the value.
      throw new RbacError('TARGET', `target '${def.name}': url (${fmt(s.url!.source)}) is not a postgres:// or postgresql:// URL`);
    }
    if (t.url !== undefined) {
      let conn: PgConnection;
      try {
        conn = parsePgConnection(t.url);
      } catch (e) {
        if (!(e instanceof RbacError)) throw e;
        throw new RbacError('TARGET', `target '${def.name}': url (${fmt(s.url!.source)}): ${e.message}`, e.hint);
      }
      t.display = conn.display;
      secrets.push(...conn.secrets);
      withEnvPassword(t, conn, env);
    } else t.display = `pglite:${t.embedded}`;
  } else if (t.platform === 'snowflake') {
    if (t.accessUrl !== undefined && !/^https?:\/\//i.test(t.accessUrl)) {
      throw new RbacError('TARGET', `target '${def.name}': access_url (${fmt(s.access_url!.source)}) is not an http:// or https:// URL`);
    }
    t.display = `snowflake://${t.user}@${t.account}${t.role ? ` (role ${t.role})` : ''}`;
  } else {
    t.display = `databricks://${t.host}${t.httpPath}`;
  }
  return t;
}
