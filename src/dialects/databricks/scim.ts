/**
 * A small SCIM 2.0 client for Databricks groups and their members, over Node's global
 * `fetch`. `readScim` gives a `ScimSnapshot`, the pure functions of `scim-model.ts` turn
 * it into model records and a plan's changes into `ScimOp`s (scim-plan.ts places them
 * among the plan's statements), and `scimOpRunner` / `applyScimOps` run those.
 *
 * What it does:
 * - account groups (the roles of the configuration) through the ACCOUNT SCIM API,
 *   `https://<accounts host>/api/2.0/accounts/<account_id>/scim/v2/{Groups,Users,
 *   ServicePrincipals}`: find (filtered, paged), read members (GET per managed group:
 *   the account list stopped returning members on 2025-08-22), create, PATCH members
 *   (`add` with path `members`; `remove` with path `members[value eq "<id>"]`), delete;
 * - users by `userName` and service principals by `applicationId`, resolved to SCIM ids
 *   in batched `or` filters, never one call per principal;
 * - workspace-local groups, read through the WORKSPACE SCIM API
 *   (`https://<workspace host>/api/2.0/preview/scim/v2/Groups`, `meta.resourceType`
 *   `WorkspaceGroup`) to report them. It never writes to the workspace API.
 *
 * What it does not: create, change or delete users or service principals (rbac never
 * creates login principals); change workspace-local groups; manage entitlements,
 * roles or group names.
 *
 * Transport rules:
 * - `Authorization: Bearer <token>`: a personal access token, or an OAuth M2M token
 *   fetched with client_credentials + scope `all-apis` from `/oidc/v1/token`
 *   (workspace) or `/oidc/accounts/<account_id>/v1/token` (accounts host), cached until
 *   a minute before it expires. The account API takes account-level OAuth tokens; a
 *   workspace personal access token is refused there (HTTP 401, with a hint).
 * - HTTP 429 and 503 are retried after `Retry-After` (seconds or an HTTP date), capped
 *   at `maxWaitMs`, at most `maxAttempts` requests in all; without the header, backoff.
 * - any other failure is a `ScimError` naming the operation and the resource. No token,
 *   client secret or Authorization header ever reaches a message: server text is
 *   scrubbed of every secret the client holds.
 * - https only. A base URL override (tests) may be plain http for a loopback host
 *   (127.0.0.1, ::1, localhost) and nothing else. Redirects are refused, so the
 *   Authorization header is never replayed to another host.
 * - filters escape values as RFC 7644 string literals (`"` and `\` backslash-escaped),
 *   and are chunked to stay well under Databricks' 200-node filter limit and a URL
 *   length every proxy accepts.
 */
import { RbacError, scrubSecrets, type ErrorCode } from '../../model/errors.js';
import { backoffMs, mapLimit, sleep as realSleep } from '../concurrency.js';
import type { ScimGroup, ScimMember, ScimMemberKind, ScimOp, ScimPrincipal, ScimSnapshot, ScimTarget } from './scim-model.js';

/** Which SCIM API a request goes to. */
export type ScimScope = 'account' | 'workspace';

/** Credentials: the SQL warehouse's. Invariant: exactly one of the two shapes. */
export type ScimAuth = { token: string } | { clientId: string; clientSecret: string };

export interface ScimClientOptions {
  /** The workspace host (`dbc-….cloud.databricks.com`, or `https://…`). */
  host: string;
  /** The account id: required for every account-group operation. */
  accountId?: string;
  /** The accounts host; derived from `host` for AWS, Azure and GCP hosts, required otherwise. */
  accountsHost?: string;
  auth: ScimAuth;
  /**
   * Base URLs that replace `https://<host>` and `https://<accounts host>` (tests). Plain
   * http is accepted for a loopback host only.
   */
  baseUrls?: { workspace?: string; accounts?: string };
  /** Results per page (Databricks caps `count` at 100). Default 100. */
  pageSize?: number;
  /** Values per `or` filter. Default 40 (Databricks allows 200 nodes). */
  filterChunk?: number;
  /** Requests in all for one call, first included, when throttled. Default 6. */
  maxAttempts?: number;
  /** Longest wait honoured for one Retry-After, in ms. Default 60 000. */
  maxWaitMs?: number;
  /** Per-request timeout in ms. Default 60 000. */
  timeoutMs?: number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

/** A failed SCIM call. `status` is the HTTP status (absent when no answer came). Never holds a secret. */
export class ScimError extends RbacError {
  constructor(
    code: ErrorCode,
    message: string,
    public readonly operation: string,
    public readonly resource: string,
    public readonly status?: number,
    hint?: string,
  ) {
    super(code, message, hint);
    this.name = 'ScimError';
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const SCHEMA_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const SCHEMA_PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** Longest filter text per request: with percent-encoding it stays under the 8 KB URL many proxies allow. */
const MAX_FILTER_CHARS = 2_000;
const MAX_PAGES = 1_000;
/** Refresh an OAuth token this long before the server says it expires. */
const TOKEN_SKEW_MS = 60_000;

/**
 * A base URL: `https://host[:port]`, or plain http for a loopback host only (a test
 * stub). Anything else would send the token in clear text.
 */
export function checkBaseUrl(raw: string, what: string): string {
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    throw new RbacError('CONFIG', `${what} ${JSON.stringify(raw)} is not a host or URL`);
  }
  if (u.protocol === 'http:' && !LOOPBACK.has(u.hostname)) {
    throw new RbacError('CONFIG', `${what} ${u.host} uses plain http: refused (the token would travel in clear text); only a loopback host may use http, for tests`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new RbacError('CONFIG', `${what} must be https, not ${u.protocol}`);
  if (u.username || u.password) throw new RbacError('CONFIG', `${what} must not carry credentials`);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

/** The accounts host of a workspace host, per cloud (AWS, Azure, GCP, AWS GovCloud); undefined when unknown. */
export function accountsHostFor(workspaceHost: string): string | undefined {
  const h = workspaceHost.replace(/^https?:\/\//i, '').replace(/[/:].*$/, '').toLowerCase();
  if (h.endsWith('.azuredatabricks.net')) return 'accounts.azuredatabricks.net';
  if (h.endsWith('.gcp.databricks.com')) return 'accounts.gcp.databricks.com';
  if (h.endsWith('.cloud.databricks.us')) return 'accounts.cloud.databricks.us';
  if (h.endsWith('.cloud.databricks.com')) return 'accounts.cloud.databricks.com';
  return undefined;
}

/** An RFC 7644 filter string literal: a JSON string (`"` and `\` escaped, control characters as \u). */
export function scimString(value: string): string {
  return JSON.stringify(value);
}

/**
 * `attr eq "v1" or attr eq "v2" ...`, one filter per chunk: at most `chunk` values and
 * about MAX_FILTER_CHARS characters each (a single longer value gets a filter alone).
 */
export function scimFilters(attr: string, values: readonly string[], chunk: number): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  let len = 0;
  for (const v of [...new Set(values)]) {
    const term = `${attr} eq ${scimString(v)}`;
    if (cur.length && (cur.length >= chunk || len + term.length + 4 > MAX_FILTER_CHARS)) {
      out.push(cur.join(' or '));
      cur = [];
      len = 0;
    }
    cur.push(term);
    len += term.length + 4;
  }
  if (cur.length) out.push(cur.join(' or '));
  return out;
}

/** `Retry-After` as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const t = header.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const at = Date.parse(t);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

interface ListResponse<T> {
  totalResults?: number;
  startIndex?: number;
  itemsPerPage?: number;
  Resources?: T[];
  resources?: T[];
}

interface RawGroup {
  id?: string;
  displayName?: string;
  meta?: { resourceType?: string };
  members?: { value?: string; display?: string; $ref?: string; type?: string }[];
}

/** The kind of a member from its `$ref` (`Users/123`, `ServicePrincipals/…`, `Groups/…`), else its `type`. */
function kindOf(m: { $ref?: string; type?: string }): ScimMemberKind | undefined {
  const ref = /(?:^|\/)(Users|ServicePrincipals|Groups)\/[^/]+$/.exec(m.$ref ?? '')?.[1];
  const word = ref ?? m.type;
  if (word === 'Users' || word === 'User') return 'user';
  if (word === 'ServicePrincipals' || word === 'ServicePrincipal') return 'servicePrincipal';
  if (word === 'Groups' || word === 'Group') return 'group';
  return undefined;
}

function toGroup(r: RawGroup): ScimGroup {
  const members: ScimMember[] = [];
  for (const m of r.members ?? []) {
    const kind = kindOf(m);
    if (m.value && kind) members.push({ id: m.value, kind, ...(m.display !== undefined ? { display: m.display } : {}) });
  }
  return { id: String(r.id ?? ''), displayName: String(r.displayName ?? ''), resourceType: r.meta?.resourceType ?? 'Group', members };
}

const RESOURCE: Record<ScimMemberKind, { path: string; attr: string; label: string }> = {
  user: { path: 'Users', attr: 'userName', label: 'user' },
  servicePrincipal: { path: 'ServicePrincipals', attr: 'applicationId', label: 'service principal' },
  group: { path: 'Groups', attr: 'displayName', label: 'group' },
};

export class ScimClient {
  private readonly workspaceBase: string;
  private readonly accountsBase?: string;
  private readonly accountId?: string;
  private readonly pageSize: number;
  private readonly filterChunk: number;
  private readonly maxAttempts: number;
  private readonly maxWaitMs: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly tokens = new Map<ScimScope, { token: string; expiresAt: number } | Promise<{ token: string; expiresAt: number }>>();
  private requests = 0;

  constructor(private readonly opts: ScimClientOptions) {
    if ('token' in opts.auth ? !opts.auth.token : !opts.auth.clientId || !opts.auth.clientSecret) {
      throw new RbacError('CONFIG', 'Databricks SCIM needs `token`, or `client_id` and `client_secret`');
    }
    this.workspaceBase = checkBaseUrl(opts.baseUrls?.workspace ?? opts.host, opts.baseUrls?.workspace ? 'workspace base URL' : 'host');
    this.accountId = opts.accountId;
    const accounts = opts.baseUrls?.accounts ?? opts.accountsHost ?? accountsHostFor(opts.host);
    if (accounts !== undefined) this.accountsBase = checkBaseUrl(accounts, opts.baseUrls?.accounts ? 'accounts base URL' : 'accounts host');
    this.pageSize = Math.max(1, Math.min(100, opts.pageSize ?? 100));
    this.filterChunk = Math.max(1, Math.min(90, opts.filterChunk ?? 40));
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 6);
    this.maxWaitMs = opts.maxWaitMs ?? 60_000;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.sleep = opts.sleep ?? realSleep;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  /** SCIM requests sent so far (retries included; OAuth token requests not counted). */
  requestCount(): number {
    return this.requests;
  }

  private secrets(): string[] {
    const a = this.opts.auth;
    const held = [...this.tokens.values()].flatMap((t) => ('token' in t ? [t.token] : []));
    return 'token' in a ? [a.token, ...held] : [a.clientSecret, ...held];
  }

  private scrub(text: string): string {
    return scrubSecrets(text, this.secrets());
  }

  private base(scope: ScimScope, operation: string, resource: string): string {
    if (scope === 'workspace') return this.workspaceBase;
    if (!this.accountId) throw new ScimError('CONFIG', `SCIM ${operation} ${resource}: account groups need the target's account_id`, operation, resource);
    if (!this.accountsBase) {
      throw new ScimError('CONFIG', `SCIM ${operation} ${resource}: the accounts host of ${this.opts.host} is not known; set accounts_host`, operation, resource);
    }
    return this.accountsBase;
  }

  private scimPath(scope: ScimScope): string {
    return scope === 'account' ? `/api/2.0/accounts/${encodeURIComponent(this.accountId ?? '')}/scim/v2` : '/api/2.0/preview/scim/v2';
  }

  /** The bearer token for a scope: the PAT, or a cached OAuth token (fetched once, refreshed before expiry). */
  private async bearer(scope: ScimScope, operation: string, resource: string): Promise<string> {
    const a = this.opts.auth;
    if ('token' in a) return a.token;
    const cached = this.tokens.get(scope);
    if (cached && !(cached instanceof Promise) && cached.expiresAt - TOKEN_SKEW_MS > this.now()) return cached.token;
    if (cached instanceof Promise) return (await cached).token;
    const pending = this.fetchToken(scope, a, operation, resource);
    this.tokens.set(scope, pending);
    try {
      const t = await pending;
      this.tokens.set(scope, t);
      return t.token;
    } catch (e) {
      this.tokens.delete(scope);
      throw e;
    }
  }

  private async fetchToken(scope: ScimScope, a: { clientId: string; clientSecret: string }, operation: string, resource: string) {
    const base = this.base(scope, operation, resource);
    const path = scope === 'account' ? `/oidc/accounts/${encodeURIComponent(this.accountId ?? '')}/v1/token` : '/oidc/v1/token';
    const what = `OAuth token for the ${scope} API`;
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method: 'POST',
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: {
          authorization: `Basic ${Buffer.from(`${a.clientId}:${a.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'all-apis' }).toString(),
      });
    } catch (e) {
      throw new ScimError('CONNECTION', `SCIM fetch ${what}: ${this.scrub(String((e as Error)?.message ?? e))}`, 'fetch', what);
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) {
      throw new ScimError(
        res.status === 401 || res.status === 403 ? 'PERMISSION' : 'CONNECTION',
        `SCIM fetch ${what}: HTTP ${res.status}${detailOf(text, (s) => this.scrub(s))}`,
        'fetch',
        what,
        res.status,
        res.status === 401 ? 'check client_id and client_secret (a service principal OAuth secret)' : undefined,
      );
    }
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text);
    } catch {
      body = {};
    }
    if (typeof body.access_token !== 'string' || !body.access_token) {
      throw new ScimError('CONNECTION', `SCIM fetch ${what}: the answer holds no access_token`, 'fetch', what, res.status);
    }
    const seconds = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? 3600);
    return { token: body.access_token, expiresAt: this.now() + (Number.isFinite(seconds) ? seconds : 3600) * 1000 };
  }

  /**
   * One SCIM request with the retry rules of the file comment. `operation` and
   * `resource` name it in errors (`create`, `group "Data Engineers"`). Returns the
   * parsed JSON body (undefined for an empty one).
   */
  private async request(
    scope: ScimScope,
    method: string,
    path: string,
    body: unknown,
    operation: string,
    resource: string,
    accept: (status: number) => boolean = () => false,
  ): Promise<{ status: number; body: unknown }> {
    const url = `${this.base(scope, operation, resource)}${this.scimPath(scope)}${path}`;
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const token = await this.bearer(scope, operation, resource);
      this.requests++;
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          redirect: 'error',
          signal: AbortSignal.timeout(this.timeoutMs),
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/scim+json, application/json',
            ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
      } catch (e) {
        throw new ScimError('CONNECTION', `SCIM ${operation} ${resource} on the ${scope} API: ${this.scrub(String((e as Error)?.message ?? e))}`, operation, resource);
      }
      const text = await res.text().catch(() => '');
      if (res.ok || accept(res.status)) return { status: res.status, body: text ? parseJson(text) : undefined };
      if ((res.status === 429 || res.status === 503) && attempt < this.maxAttempts) {
        const after = retryAfterMs(res.headers.get('retry-after'), this.now());
        const wait = Math.min(this.maxWaitMs, after ?? backoffMs({ retries: this.maxAttempts, baseMs: 500, maxMs: this.maxWaitMs, random: this.random }, attempt));
        await this.sleep(wait);
        continue;
      }
      // An OAuth token revoked or expired early: fetch a new one, once.
      if (res.status === 401 && !('token' in this.opts.auth) && !refreshed) {
        refreshed = true;
        this.tokens.delete(scope);
        continue;
      }
      const throttled = res.status === 429 || res.status === 503 ? ` (still throttled after ${attempt} attempts)` : '';
      throw new ScimError(
        codeFor(res.status),
        `SCIM ${operation} ${resource} on the ${scope} API: HTTP ${res.status}${throttled}${detailOf(text, (s) => this.scrub(s))}`,
        operation,
        resource,
        res.status,
        res.status === 401 && scope === 'account' && 'token' in this.opts.auth
          ? 'the account SCIM API takes an account-level OAuth token: use client_id and client_secret of a service principal that is an account admin'
          : res.status === 403
            ? 'the principal rbac runs as must be an account admin (account groups) or a workspace admin (workspace groups)'
            : undefined,
      );
    }
  }

  /** Every resource matching `filter`, page by page (`startIndex`/`count`), until `totalResults`. */
  private async list<T>(scope: ScimScope, resource: string, q: { filter?: string; attributes?: string }, operation: string, what: string): Promise<T[]> {
    const out: T[] = [];
    let start = 1;
    for (let page = 0; page < MAX_PAGES; page++) {
      const params = [
        ...(q.filter !== undefined ? [`filter=${encodeURIComponent(q.filter)}`] : []),
        ...(q.attributes !== undefined ? [`attributes=${encodeURIComponent(q.attributes)}`] : []),
        `startIndex=${start}`,
        `count=${this.pageSize}`,
      ];
      const { body } = await this.request(scope, 'GET', `/${resource}?${params.join('&')}`, undefined, operation, what);
      const r = (body ?? {}) as ListResponse<T>;
      const items = r.Resources ?? r.resources ?? [];
      out.push(...items);
      const total = typeof r.totalResults === 'number' ? r.totalResults : out.length;
      if (items.length === 0 || out.length >= total) return out;
      start += items.length;
    }
    throw new ScimError('TARGET', `SCIM ${operation} ${what}: more than ${MAX_PAGES} pages`, operation, what);
  }

  /**
   * The groups whose displayName is EXACTLY one of `names` (the server's filter is
   * case-insensitive; its other matches are dropped), without members.
   */
  async findGroups(scope: ScimScope, names: readonly string[]): Promise<ScimGroup[]> {
    const wanted = new Set(names);
    const found = new Map<string, ScimGroup>();
    for (const filter of scimFilters('displayName', names, this.filterChunk)) {
      const rows = await this.list<RawGroup>(scope, 'Groups', { filter, attributes: 'id,displayName,meta' }, 'find', `groups (${wanted.size} names)`);
      for (const r of rows) {
        const g = toGroup(r);
        if (wanted.has(g.displayName) && g.id) found.set(`${g.displayName}\u0000${g.id}`, { ...g, members: [] });
      }
    }
    return [...found.values()];
  }

  /** One group with its direct members. */
  async getGroup(scope: ScimScope, id: string, displayName: string): Promise<ScimGroup> {
    const { body } = await this.request(scope, 'GET', `/Groups/${encodeURIComponent(id)}?attributes=${encodeURIComponent('id,displayName,meta,members')}`, undefined, 'read', `group ${JSON.stringify(displayName)}`);
    return toGroup((body ?? {}) as RawGroup);
  }

  /**
   * Principals of one kind by name (users by userName, service principals by
   * applicationId, groups by displayName), on the account API, in batched filters.
   * Groups match exactly; users and service principals as the server matches them.
   */
  async findPrincipals(kind: ScimMemberKind, names: readonly string[]): Promise<ScimPrincipal[]> {
    if (kind === 'group') {
      return (await this.findGroups('account', names)).map((g) => ({ id: g.id, kind, name: g.displayName }));
    }
    const { path, attr, label } = RESOURCE[kind];
    const out = new Map<string, ScimPrincipal>();
    for (const filter of scimFilters(attr, names, this.filterChunk)) {
      const rows = await this.list<Record<string, unknown>>('account', path, { filter, attributes: `id,${attr}` }, 'find', `${label}s (${names.length} names)`);
      for (const r of rows) {
        if (typeof r.id === 'string' && typeof r[attr] === 'string') out.set(r.id, { id: r.id, kind, name: r[attr] as string });
      }
    }
    return [...out.values()];
  }

  /** Principals of one kind by SCIM id, in batched `id eq` filters. */
  async principalsById(kind: ScimMemberKind, ids: readonly string[]): Promise<ScimPrincipal[]> {
    const { path, attr, label } = RESOURCE[kind];
    const out: ScimPrincipal[] = [];
    for (const filter of scimFilters('id', ids, this.filterChunk)) {
      const rows = await this.list<Record<string, unknown>>('account', path, { filter, attributes: `id,${attr}` }, 'resolve', `${label} ids (${ids.length})`);
      for (const r of rows) if (typeof r.id === 'string' && typeof r[attr] === 'string') out.push({ id: r.id, kind, name: r[attr] as string });
    }
    return out;
  }

  /**
   * Create an account group (no members). A 409 (it exists already, made since the
   * read) re-reads it by its exact name and returns that one.
   */
  async createGroup(displayName: string): Promise<ScimGroup> {
    const what = `group ${JSON.stringify(displayName)}`;
    const { status, body } = await this.request('account', 'POST', '/Groups', { schemas: [SCHEMA_GROUP], displayName }, 'create', what, (s) => s === 409);
    if (status !== 409) return toGroup((body ?? {}) as RawGroup);
    const [existing] = await this.findGroups('account', [displayName]);
    if (!existing) throw new ScimError('TARGET', `SCIM create ${what}: HTTP 409, yet no group of exactly that name exists`, 'create', what, 409);
    return existing;
  }

  /** One PATCH: every add (one `add` of `members`), then one `remove` per member (`members[value eq "<id>"]`). */
  async patchMembers(groupId: string, displayName: string, add: readonly string[], remove: readonly string[]): Promise<void> {
    const Operations: { op: string; path: string; value?: { value: string }[] }[] = [];
    if (add.length) Operations.push({ op: 'add', path: 'members', value: add.map((value) => ({ value })) });
    for (const id of remove) Operations.push({ op: 'remove', path: `members[value eq ${scimString(id)}]` });
    if (!Operations.length) return;
    await this.request('account', 'PATCH', `/Groups/${encodeURIComponent(groupId)}`, { schemas: [SCHEMA_PATCH], Operations }, 'update members of', `group ${JSON.stringify(displayName)}`);
  }

  /** Delete an account group (a 404, already gone, is success). */
  async deleteGroup(groupId: string, displayName: string): Promise<void> {
    await this.request('account', 'DELETE', `/Groups/${encodeURIComponent(groupId)}`, undefined, 'delete', `group ${JSON.stringify(displayName)}`, (s) => s === 404);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text };
  }
}

/** `: <detail>` from a SCIM error body (RFC 7644 §3.12 `detail`, or Databricks' `message`), scrubbed and shortened. */
function detailOf(text: string, scrub: (s: string) => string): string {
  if (!text) return '';
  const b = parseJson(text) as { detail?: unknown; message?: unknown; error_description?: unknown };
  const raw = typeof b?.detail === 'string' ? b.detail : typeof b?.message === 'string' ? b.message : typeof b?.error_description === 'string' ? b.error_description : text;
  const clean = scrub(raw).replace(/\s+/g, ' ').trim();
  return clean ? `: ${clean.length > 300 ? `${clean.slice(0, 300)}…` : clean}` : '';
}

function codeFor(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'PERMISSION';
  if (status === 404) return 'NOT_FOUND';
  return 'TARGET';
}

/** What `readScim` is asked about. */
export interface ScimReadRequest {
  /** Display names of the groups the configuration manages: read with their members. */
  groups: readonly string[];
  /** `members:` names: users by userName, and (those no user matches) service principals by applicationId. */
  principals: readonly string[];
  /** Groups named as nested members that the configuration does not manage: resolved to ids only. */
  memberGroups?: readonly string[];
  /** Read workspace-local groups through the workspace API (default true). */
  workspace?: boolean;
  /** GETs of group members in flight at once (default 4). */
  parallelism?: number;
}

/**
 * Read what the configuration's groups are on Databricks, in a bounded number of
 * calls whatever the number of users: one filtered, paged search per chunk of group
 * names (account, and workspace for workspace-local groups), one GET per managed group
 * that exists (its members), one filtered search per chunk of principal names per
 * kind, and one `id eq` search per chunk of member ids not already known.
 */
export async function readScim(client: ScimClient, req: ScimReadRequest): Promise<ScimSnapshot> {
  const managed = new Set(req.groups);
  const groupNames = [...new Set([...req.groups, ...(req.memberGroups ?? [])])];
  const principalNames = [...new Set(req.principals)];
  const [accountGroups, workspaceGroups, users] = await Promise.all([
    groupNames.length ? client.findGroups('account', groupNames) : Promise.resolve([]),
    req.workspace !== false && req.groups.length ? client.findGroups('workspace', req.groups) : Promise.resolve([]),
    principalNames.length ? client.findPrincipals('user', principalNames) : Promise.resolve([]),
  ]);
  const userNames = new Set(users.map((u) => u.name.toLowerCase()));
  const leftover = principalNames.filter((n) => !userNames.has(n.toLowerCase()));
  const [sps, groups] = await Promise.all([
    leftover.length ? client.findPrincipals('servicePrincipal', leftover) : Promise.resolve([]),
    mapLimit(
      accountGroups.filter((g) => managed.has(g.displayName)),
      req.parallelism ?? 4,
      (g) => client.getGroup('account', g.id, g.displayName),
    ),
  ]);

  const principals = new Map<string, ScimPrincipal>();
  for (const p of [...users, ...sps]) principals.set(p.id, p);
  for (const g of accountGroups) principals.set(g.id, { id: g.id, kind: 'group', name: g.displayName });
  const missing: Record<ScimMemberKind, Set<string>> = { user: new Set(), servicePrincipal: new Set(), group: new Set() };
  for (const g of groups) for (const m of g.members) if (!principals.has(m.id)) missing[m.kind].add(m.id);
  const resolved = await Promise.all(
    (Object.keys(missing) as ScimMemberKind[]).map((k) => (missing[k].size ? client.principalsById(k, [...missing[k]]) : Promise.resolve([]))),
  );
  for (const p of resolved.flat()) principals.set(p.id, p);

  const unresolved: ScimSnapshot['unresolved'] = [];
  for (const g of groups) for (const m of g.members) if (principals.get(m.id)?.kind !== m.kind) unresolved.push({ group: g.displayName, member: m });
  return {
    groups,
    workspaceGroups: workspaceGroups.filter((g) => g.resourceType === 'WorkspaceGroup'),
    principals: [...principals.values()],
    unresolved,
  };
}

/** Events while applying, for a UI or the audit log. */
export type ScimApplyEvent =
  | { type: 'start'; index: number; op: ScimOp }
  | { type: 'done'; index: number; op: ScimOp; ms: number }
  | { type: 'failed'; index: number; op: ScimOp; error: string; code?: string };

/** Invariant: applied + failed + pending = all operations, in order. SCIM has no transaction: nothing is rolled back. */
export interface ScimApplyResult {
  ok: boolean;
  applied: ScimOp[];
  failed?: { op: ScimOp; error: string; code?: string };
  pending: ScimOp[];
}

/**
 * Run compiled operations in order; the first failure stops the run. Groups created
 * here give their ids to the PATCHes that follow (their own, and nested members).
 */
export async function applyScimOps(client: ScimClient, ops: readonly ScimOp[], opts: { onEvent?: (e: ScimApplyEvent) => void; now?: () => number } = {}): Promise<ScimApplyResult> {
  const now = opts.now ?? Date.now;
  const run = scimOpRunner(client);
  const applied: ScimOp[] = [];
  for (const [index, op] of ops.entries()) {
    opts.onEvent?.({ type: 'start', index, op });
    const t0 = now();
    try {
      await run(op);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      const code = e instanceof RbacError ? e.code : undefined;
      opts.onEvent?.({ type: 'failed', index, op, error, ...(code ? { code } : {}) });
      return { ok: false, applied, failed: { op, error, ...(code ? { code } : {}) }, pending: ops.slice(index + 1) };
    }
    applied.push(op);
    opts.onEvent?.({ type: 'done', index, op, ms: now() - t0 });
  }
  return { ok: true, applied, pending: [] };
}

/**
 * Run operations one at a time, in the order given, remembering the ids of the groups
 * created so far: a PATCH of a group made by this run, or adding it as a nested member,
 * uses the id its creation returned. One runner per apply.
 */
export function scimOpRunner(client: ScimClient): (op: ScimOp) => Promise<void> {
  const ids = new Map<string, string>();
  const idOf = (t: ScimTarget): string => {
    const id = t.id ?? (t.kind === 'group' ? ids.get(t.name) : undefined);
    if (!id) throw new RbacError('APPLY_FAILED', `no SCIM id for ${t.kind} ${JSON.stringify(t.name)}: it was neither read nor created`);
    return id;
  };
  return async (op) => {
    switch (op.kind) {
      case 'createGroup': {
        const g = await client.createGroup(op.group);
        ids.set(op.group, g.id);
        return;
      }
      case 'patchMembers': {
        const groupId = op.groupId ?? ids.get(op.group);
        if (!groupId) throw new RbacError('APPLY_FAILED', `no SCIM id for group ${JSON.stringify(op.group)}`);
        await client.patchMembers(groupId, op.group, op.add.map(idOf), op.remove.map(idOf));
        return;
      }
      case 'deleteGroup':
        await client.deleteGroup(op.groupId, op.group);
        return;
      default: {
        const never: never = op;
        throw new Error(`unhandled SCIM op: ${JSON.stringify(never)}`);
      }
    }
  };
}

/**
 * The members of the account groups named, transitively: each group's direct members
 * (users by userName, service principals by applicationId, groups by displayName), then
 * the members of the groups among them, to `maxDepth` levels; a cycle is read once.
 * For the access review (metastore admin and other privileged groups): read-only.
 * A name with no account group is left out (it is a user or a workspace group).
 */
export async function scimGroupMembers(client: ScimClient, names: readonly string[], maxDepth = 10): Promise<{ memberships: { role: string; member: string }[]; users: string[] }> {
  const memberships: { role: string; member: string }[] = [];
  const users = new Set<string>();
  const seen = new Set<string>();
  let level = [...new Set(names)];
  for (let depth = 0; level.length && depth < maxDepth; depth++) {
    const groups = await client.findGroups('account', level.filter((n) => !seen.has(n)));
    for (const n of level) seen.add(n);
    // Each group's members (one GET per group: lists leave members out), then their
    // names in one batched lookup per kind for the whole level.
    const full = await Promise.all(groups.map((g) => client.getGroup('account', g.id, g.displayName)));
    const byKind = new Map<ScimMemberKind, Set<string>>();
    for (const g of full) for (const m of g.members) (byKind.get(m.kind) ?? byKind.set(m.kind, new Set()).get(m.kind)!).add(m.id);
    const names = new Map<string, string>();
    for (const [kind, ids] of byKind) for (const p of await client.principalsById(kind, [...ids])) names.set(`${kind}\u0000${p.id}`, p.name);
    const next = new Set<string>();
    for (const g of full) {
      for (const m of g.members) {
        const name = names.get(`${m.kind}\u0000${m.id}`);
        if (name === undefined) continue;
        memberships.push({ role: g.displayName, member: name });
        if (m.kind === 'group') {
          if (!seen.has(name)) next.add(name);
        } else users.add(name);
      }
    }
    level = [...next];
  }
  return { memberships, users: [...users].sort() };
}
