/**
 * A loopback (127.0.0.1 only) stub of the part of the Databricks SCIM API that
 * src/dialects/databricks/scim.ts uses, shaped like Databricks answers:
 * - account API `/api/2.0/accounts/<account>/scim/v2/{Groups,Users,ServicePrincipals}`
 *   (account groups only) and workspace API `/api/2.0/preview/scim/v2/Groups` (account
 *   groups as `Group`, workspace-local ones as `WorkspaceGroup`);
 * - list with `startIndex`/`count` that really pages (`itemsPerPage` capped by
 *   `pageSize`), `filter=` with `eq`, `and`, `or` and RFC 7644 string literals (escaped
 *   quotes), compared case-insensitively except `id` (as Databricks matches display
 *   names), a 400 past 200 filter nodes; the list omits members, GET /Groups/{id} has them;
 * - POST Groups (409 on an exact duplicate: Databricks group names are unique
 *   case-sensitively), PATCH `add` of `members` and `remove` of `members[value eq "id"]`,
 *   DELETE;
 * - OAuth client_credentials at `/oidc/v1/token` and `/oidc/accounts/<account>/v1/token`;
 * - injectable 429/503 with Retry-After, and arbitrary failures.
 *
 * Test double: state in memory, one account, one workspace.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubUser {
  id: string;
  userName: string;
  displayName: string;
}
export interface StubServicePrincipal {
  id: string;
  applicationId: string;
  displayName: string;
}
export interface StubGroup {
  id: string;
  displayName: string;
  local: boolean;
  /** Member ids. */
  members: string[];
}

export interface StubRequest {
  method: string;
  path: string;
  /** Decoded query parameters. */
  query: Record<string, string>;
  body: any;
  authorization?: string;
  status: number;
  /** For lists: how many resources matched the filter, and how many this page returned. */
  matched?: number;
  returned?: number;
}

export interface ScimStubOptions {
  accountId?: string;
  /** The bearer token accepted (besides OAuth tokens the stub issued). */
  token?: string;
  oauth?: { clientId: string; clientSecret: string; expiresIn?: number };
  /** Largest page the server returns whatever `count` asks. */
  pageSize?: number;
  /** Put the request's Authorization header into every error detail (a careless server). */
  echoAuthorization?: boolean;
}

type Fault = { status: number; retryAfter?: string; body?: unknown; times: number; match: (r: { method: string; path: string }) => boolean };

export interface ScimStub {
  url: string;
  accountId: string;
  users: StubUser[];
  servicePrincipals: StubServicePrincipal[];
  groups: StubGroup[];
  requests: StubRequest[];
  /** OAuth token requests: which scope, and whether the client authenticated correctly. */
  tokenRequests: { scope: 'account' | 'workspace'; ok: boolean; form: Record<string, string> }[];
  addUser(userName: string, displayName?: string): StubUser;
  addServicePrincipal(applicationId: string, displayName: string): StubServicePrincipal;
  addGroup(displayName: string, opts?: { local?: boolean; members?: string[] }): StubGroup;
  group(displayName: string): StubGroup | undefined;
  /** Answer the next `times` matching requests with `status` (and Retry-After). */
  fail(f: { status: number; retryAfter?: string; body?: unknown; times?: number; match?: (r: { method: string; path: string }) => boolean }): void;
  /** Revoke every OAuth token issued so far. */
  revokeTokens(): void;
  close(): Promise<void>;
}

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** Filter AST: comparisons joined by `and` / `or`. */
type Filter = { attr: string; value: string } | { op: 'and' | 'or'; left: Filter; right: Filter };

class FilterError extends Error {}

/** Parse `attr eq "v" (and|or) ...` with JSON string literals; counts nodes (comparisons count 3: attribute, operator, value). */
export function parseFilter(text: string): { filter: Filter; nodes: number } {
  const tokens: { t: 'word' | 'str'; v: string }[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new FilterError('unterminated string');
      tokens.push({ t: 'str', v: JSON.parse(text.slice(i, j + 1)) });
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !/\s/.test(text[j]) && text[j] !== '"') j++;
      tokens.push({ t: 'word', v: text.slice(i, j) });
      i = j;
    }
  }
  let p = 0;
  let nodes = 0;
  const comparison = (): Filter => {
    const a = tokens[p++];
    const op = tokens[p++];
    const v = tokens[p++];
    if (a?.t !== 'word' || op?.t !== 'word' || op.v.toLowerCase() !== 'eq' || v?.t !== 'str') throw new FilterError('expected: attr eq "value"');
    nodes += 3;
    return { attr: a.v, value: v.v };
  };
  const conj = (): Filter => {
    let left = comparison();
    while (tokens[p]?.t === 'word' && tokens[p].v.toLowerCase() === 'and') {
      p++;
      nodes++;
      left = { op: 'and', left, right: comparison() };
    }
    return left;
  };
  let f = conj();
  while (tokens[p]?.t === 'word' && tokens[p].v.toLowerCase() === 'or') {
    p++;
    nodes++;
    f = { op: 'or', left: f, right: conj() };
  }
  if (p !== tokens.length) throw new FilterError(`unexpected ${tokens[p].v}`);
  return { filter: f, nodes };
}

function matches(f: Filter, r: Record<string, unknown>): boolean {
  if ('op' in f) return f.op === 'and' ? matches(f.left, r) && matches(f.right, r) : matches(f.left, r) || matches(f.right, r);
  const v = r[f.attr];
  if (typeof v !== 'string') return false;
  return f.attr === 'id' ? v === f.value : v.toLowerCase() === f.value.toLowerCase();
}

export async function startScimStub(opts: ScimStubOptions = {}): Promise<ScimStub> {
  const accountId = opts.accountId ?? 'acct-0000';
  const pageSize = opts.pageSize ?? 100;
  const users: StubUser[] = [];
  const servicePrincipals: StubServicePrincipal[] = [];
  const groups: StubGroup[] = [];
  const requests: StubRequest[] = [];
  const tokenRequests: ScimStub['tokenRequests'] = [];
  const faults: Fault[] = [];
  let issued = new Set<string>();
  let seq = 1000;
  const nextId = () => String(++seq);

  const refOf = (id: string): { $ref: string; display: string } | undefined => {
    const u = users.find((x) => x.id === id);
    if (u) return { $ref: `Users/${id}`, display: u.displayName };
    const sp = servicePrincipals.find((x) => x.id === id);
    if (sp) return { $ref: `ServicePrincipals/${id}`, display: sp.displayName };
    const g = groups.find((x) => x.id === id);
    if (g) return { $ref: `Groups/${id}`, display: g.displayName };
    return undefined;
  };
  const groupResource = (g: StubGroup, withMembers: boolean) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    id: g.id,
    displayName: g.displayName,
    meta: { resourceType: g.local ? 'WorkspaceGroup' : 'Group' },
    ...(withMembers ? { members: g.members.map((m) => ({ value: m, ...refOf(m) })) } : {}),
  });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks).toString('utf8'), res));
  });

  function handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const query = Object.fromEntries(url.searchParams.entries());
    let body: any;
    const ct = String(req.headers['content-type'] ?? '');
    if (raw && ct.includes('json')) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
    } else if (raw) {
      body = Object.fromEntries(new URLSearchParams(raw).entries());
    }
    const authorization = req.headers.authorization;
    const log: StubRequest = { method, path: url.pathname, query, body, authorization, status: 0 };
    requests.push(log);
    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      log.status = status;
      res.writeHead(status, { ...(payload !== undefined ? { 'content-type': 'application/scim+json' } : {}), ...headers });
      res.end(payload === undefined ? undefined : JSON.stringify(payload));
    };
    const error = (status: number, detail: string, headers: Record<string, string> = {}) =>
      send(status, { schemas: [ERROR_SCHEMA], status: String(status), detail: opts.echoAuthorization ? `${detail} (request had Authorization: ${authorization ?? 'none'})` : detail }, headers);

    // --- OAuth ------------------------------------------------------------------
    const tokenScope = url.pathname === '/oidc/v1/token' ? 'workspace' : url.pathname === `/oidc/accounts/${accountId}/v1/token` ? 'account' : undefined;
    if (tokenScope) {
      const o = opts.oauth;
      const expected = o ? `Basic ${Buffer.from(`${o.clientId}:${o.clientSecret}`).toString('base64')}` : undefined;
      const form = (body ?? {}) as Record<string, string>;
      const ok = method === 'POST' && expected !== undefined && authorization === expected && form.grant_type === 'client_credentials' && form.scope === 'all-apis';
      tokenRequests.push({ scope: tokenScope, ok, form });
      if (!ok) return send(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
      const token = `stub-oauth-${tokenScope}-${tokenRequests.length}-${'x'.repeat(8)}`;
      issued.add(token);
      return send(200, { access_token: token, token_type: 'Bearer', expires_in: o?.expiresIn ?? 3600, scope: 'all-apis' });
    }

    // --- faults -------------------------------------------------------------------
    const fault = faults.find((f) => f.times > 0 && f.match({ method, path: url.pathname }));
    if (fault) {
      fault.times--;
      const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {};
      if (fault.body !== undefined) return send(fault.status, fault.body, headers);
      return error(fault.status, fault.status === 429 ? 'Too many requests' : 'Service temporarily unavailable', headers);
    }

    // --- auth -------------------------------------------------------------------
    const bearer = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (!bearer || !(bearer === opts.token || issued.has(bearer))) return error(401, 'Invalid access token');

    // --- routes -------------------------------------------------------------------
    const account = new RegExp(`^/api/2\\.0/accounts/${accountId}/scim/v2/(Groups|Users|ServicePrincipals)(?:/([^/]+))?$`).exec(url.pathname);
    const workspace = /^\/api\/2\.0\/preview\/scim\/v2\/(Groups|Users|ServicePrincipals)(?:\/([^/]+))?$/.exec(url.pathname);
    const m = account ?? workspace;
    if (!m) return error(404, `no such endpoint ${url.pathname}`);
    const scope = account ? 'account' : 'workspace';
    const [, resource, rawId] = m;
    const id = rawId === undefined ? undefined : decodeURIComponent(rawId);
    if (scope === 'workspace' && method !== 'GET') return error(405, 'the stub serves only reads on the workspace API');

    const pool: Record<string, unknown>[] =
      resource === 'Users'
        ? users.map((u) => ({ ...u }))
        : resource === 'ServicePrincipals'
          ? servicePrincipals.map((s) => ({ ...s }))
          : groups.filter((g) => scope === 'workspace' || !g.local).map((g) => ({ ...groupResource(g, false) }));

    if (method === 'GET' && id === undefined) {
      let hits = pool;
      if (query.filter !== undefined) {
        let parsed;
        try {
          parsed = parseFilter(query.filter);
        } catch (e) {
          return error(400, `Invalid filter: ${(e as Error).message}`);
        }
        if (parsed.nodes > 200) return error(400, 'INVALID_FILTER: filter expressions are limited to 200 nodes');
        hits = pool.filter((r) => matches(parsed.filter, r));
      }
      const start = Math.max(1, Number(query.startIndex ?? 1));
      const count = Math.min(pageSize, Math.max(0, Number(query.count ?? pageSize)));
      const page = hits.slice(start - 1, start - 1 + count);
      log.matched = hits.length;
      log.returned = page.length;
      return send(200, { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: hits.length, startIndex: start, itemsPerPage: page.length, Resources: page });
    }
    if (resource !== 'Groups') return error(405, 'the stub changes only groups');
    const g = id === undefined ? undefined : groups.find((x) => x.id === id && (scope === 'workspace' || !x.local));
    if (method === 'GET') return g ? send(200, groupResource(g, true)) : error(404, `Group with id ${id} not found.`);
    if (method === 'POST' && id === undefined) {
      const name = body?.displayName;
      if (typeof name !== 'string' || !name) return error(400, 'displayName is required');
      if (groups.some((x) => !x.local && x.displayName === name)) return error(409, `Group with name ${name} already exists.`);
      return send(201, groupResource(addGroup(name), true));
    }
    if (!g) return error(404, `Group with id ${id} not found.`);
    if (method === 'DELETE') {
      groups.splice(groups.indexOf(g), 1);
      for (const other of groups) other.members = other.members.filter((x) => x !== g.id);
      return send(204);
    }
    if (method === 'PATCH') {
      if (!Array.isArray(body?.schemas) || !body.schemas.includes('urn:ietf:params:scim:api:messages:2.0:PatchOp')) return error(400, 'PatchOp schema required');
      const ops = body?.Operations;
      if (!Array.isArray(ops) || !ops.length) return error(400, 'Operations required');
      const next = [...g.members];
      for (const op of ops) {
        const kind = String(op?.op ?? '').toLowerCase();
        if (kind === 'add' && op.path === 'members' && Array.isArray(op.value)) {
          for (const v of op.value) {
            const mid = v?.value;
            if (typeof mid !== 'string' || !refOf(mid)) return error(400, `Invalid member ${JSON.stringify(mid)}`);
            if (!next.includes(mid)) next.push(mid);
          }
        } else if (kind === 'remove' && typeof op.path === 'string') {
          const pm = /^members\[(.*)\]$/.exec(op.path);
          if (!pm) return error(400, `Unsupported path ${op.path}`);
          let parsed;
          try {
            parsed = parseFilter(pm[1]);
          } catch (e) {
            return error(400, `Invalid path filter: ${(e as Error).message}`);
          }
          for (const mid of [...next]) if (matches(parsed.filter, { value: mid })) next.splice(next.indexOf(mid), 1);
        } else {
          return error(400, `Unsupported operation ${JSON.stringify(op)}`);
        }
      }
      g.members = next;
      return send(204);
    }
    return error(405, `${method} not allowed`);
  }

  function addGroup(displayName: string, o: { local?: boolean; members?: string[] } = {}): StubGroup {
    const g: StubGroup = { id: nextId(), displayName, local: o.local ?? false, members: [...(o.members ?? [])] };
    groups.push(g);
    return g;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accountId,
    users,
    servicePrincipals,
    groups,
    requests,
    tokenRequests,
    addUser(userName, displayName) {
      const u = { id: nextId(), userName, displayName: displayName ?? `${userName.split('@')[0]} (display)` };
      users.push(u);
      return u;
    },
    addServicePrincipal(applicationId, displayName) {
      const sp = { id: nextId(), applicationId, displayName };
      servicePrincipals.push(sp);
      return sp;
    },
    addGroup,
    group: (displayName) => groups.find((g) => !g.local && g.displayName === displayName),
    fail(f) {
      faults.push({ status: f.status, retryAfter: f.retryAfter, body: f.body, times: f.times ?? 1, match: f.match ?? (() => true) });
    },
    revokeTokens() {
      issued = new Set();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
