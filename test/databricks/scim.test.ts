/**
 * The Databricks SCIM client against a loopback stub (test/databricks/scim-stub.ts):
 * paging, filters, PATCH add/remove, 409, 429/503 with Retry-After, OAuth M2M, secrets
 * kept out of errors, the pure model functions, and a convergence check through the
 * real planner.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  accountsHostFor,
  applyScimOps,
  checkBaseUrl,
  readScim,
  retryAfterMs,
  ScimClient,
  ScimError,
  scimFilters,
  scimString,
  type ScimClientOptions,
} from '../../src/dialects/databricks/scim.js';
import { compileScimChanges, scimLiveRoles, scimMemberships, type ScimSnapshot } from '../../src/dialects/databricks/scim-model.js';
import { makeMembership, membershipKey, roleKey } from '../../src/model/keys.js';
import type { Desired, Live, MembershipRecord } from '../../src/model/types.js';
import { plan } from '../../src/plan/plan.js';
import { scopeOf } from '../../src/plan/scope.js';
import type { Change } from '../../src/plan/types.js';
import { parseFilter, startScimStub, type ScimStub, type ScimStubOptions } from './scim-stub.js';

const TOKEN = 'dapi0123456789abcdef-super-secret';
const SECRET = 'oauth-client-secret-do-not-print';
const SP_APP = '8f2c1a6e-3b4d-4e5f-9a0b-1c2d3e4f5a6b';

const stubs: ScimStub[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});

async function fresh(o: ScimStubOptions = {}): Promise<ScimStub> {
  const s = await startScimStub({ token: TOKEN, ...o });
  stubs.push(s);
  return s;
}

function clientFor(stub: ScimStub, extra: Partial<ScimClientOptions> = {}) {
  const sleeps: number[] = [];
  const client = new ScimClient({
    host: 'dbc-1234.cloud.databricks.com',
    accountId: stub.accountId,
    auth: { token: TOKEN },
    baseUrls: { workspace: stub.url, accounts: stub.url },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...extra,
  });
  return { client, sleeps };
}

const lists = (s: ScimStub, resource: string) => s.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/scim/v2/${resource}`));
const caught = async (p: Promise<unknown>): Promise<ScimError> => {
  try {
    await p;
  } catch (e) {
    return e as ScimError;
  }
  throw new Error('expected a rejection');
};

describe('filters, URLs and Retry-After (pure)', () => {
  it('escapes values as RFC 7644 string literals that a SCIM parser reads back to the same text', () => {
    const hostile = ['Data Engineers', 'a"b', 'back\\slash', 'Ünïcødé 組 🚀', 'tab\there', '" or displayName eq "x'];
    const filters = scimFilters('displayName', hostile, 40);
    expect(filters).toHaveLength(1);
    expect(filters[0]).toContain('displayName eq "a\\"b"');
    const values: string[] = [];
    const walk = (f: any): void => {
      if ('op' in f) {
        walk(f.left);
        walk(f.right);
      } else values.push(f.value);
    };
    const parsed = parseFilter(filters[0]);
    walk(parsed.filter);
    expect(values).toEqual(hostile);
    // The injection attempt stayed one value: one comparison per input, joined by `or`.
    expect(parsed.nodes).toBe(hostile.length * 3 + hostile.length - 1);
    expect(scimString('a"b')).toBe('"a\\"b"');
  });

  it('chunks filters by count and by length, each value exactly once', () => {
    const many = Array.from({ length: 95 }, (_, i) => `group-${i}`);
    const byCount = scimFilters('displayName', many, 40);
    expect(byCount.map((f) => f.split(' or ').length)).toEqual([40, 40, 15]);
    const long = Array.from({ length: 10 }, (_, i) => `${i}-${'x'.repeat(500)}`);
    const byLength = scimFilters('displayName', long, 40);
    expect(byLength.length).toBeGreaterThan(1);
    for (const f of byLength) expect(f.length).toBeLessThanOrEqual(2_000);
    const back = byLength.flatMap((f) => f.split(' or ').map((t) => JSON.parse(t.slice('displayName eq '.length))));
    expect(back).toEqual(long);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2025, 0, 1, 12, 0, 0);
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs(new Date(now + 5000).toUTCString(), now)).toBe(5000);
    expect(retryAfterMs(new Date(now - 5000).toUTCString(), now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('accepts plain http for a loopback host only', () => {
    expect(checkBaseUrl('http://127.0.0.1:8080', 'x')).toBe('http://127.0.0.1:8080');
    expect(checkBaseUrl('http://localhost:1', 'x')).toBe('http://localhost:1');
    expect(checkBaseUrl('http://[::1]:1', 'x')).toBe('http://[::1]:1');
    expect(checkBaseUrl('dbc-1.cloud.databricks.com', 'x')).toBe('https://dbc-1.cloud.databricks.com');
    expect(checkBaseUrl('https://stub.example:8443/', 'x')).toBe('https://stub.example:8443');
    for (const bad of ['http://example.com', 'http://10.0.0.1:80', 'http://127.0.0.1.nip.io', 'ftp://127.0.0.1']) {
      expect(() => checkBaseUrl(bad, 'x'), bad).toThrow(/plain http|must be https/);
    }
    expect(() => new ScimClient({ host: 'http://dbc-1.cloud.databricks.com', auth: { token: TOKEN } })).toThrow(/plain http/);
    expect(() => new ScimClient({ host: 'h.cloud.databricks.com', auth: { token: TOKEN }, baseUrls: { accounts: 'http://evil.example' } })).toThrow(/plain http/);
  });

  it('knows the accounts host per cloud and refuses to guess one', async () => {
    expect(accountsHostFor('dbc-1.cloud.databricks.com')).toBe('accounts.cloud.databricks.com');
    expect(accountsHostFor('https://adb-1.2.azuredatabricks.net/')).toBe('accounts.azuredatabricks.net');
    expect(accountsHostFor('1.2.gcp.databricks.com')).toBe('accounts.gcp.databricks.com');
    expect(accountsHostFor('dbc-1.cloud.databricks.us')).toBe('accounts.cloud.databricks.us');
    expect(accountsHostFor('databricks.internal.example')).toBeUndefined();
    const nowhere = { workspace: 'http://127.0.0.1:9' }; // a closed loopback port: nothing leaves the machine if a guard breaks
    const c = new ScimClient({ host: 'databricks.internal.example', accountId: 'a', auth: { token: TOKEN }, baseUrls: nowhere });
    const e = await caught(c.findGroups('account', ['x']));
    expect(e).toBeInstanceOf(ScimError);
    expect(e.code).toBe('CONFIG');
    expect(e.message).toMatch(/accounts_host/);
    const noAccount = new ScimClient({ host: 'dbc-1.cloud.databricks.com', auth: { token: TOKEN }, baseUrls: { ...nowhere, accounts: 'http://127.0.0.1:9' } });
    expect((await caught(noAccount.createGroup('x'))).message).toMatch(/account_id/);
    expect(noAccount.requestCount()).toBe(0);
  });
});

describe('reads', () => {
  it('pages through results the server returns two at a time', async () => {
    const stub = await fresh({ pageSize: 2 });
    const names = Array.from({ length: 7 }, (_, i) => `g${i}`);
    for (const n of [...names, 'other-1', 'other-2']) stub.addGroup(n);
    const { client } = clientFor(stub);
    const found = await client.findGroups('account', names);
    expect(found.map((g) => g.displayName).sort()).toEqual(names);
    const pages = lists(stub, 'Groups');
    expect(pages.map((r) => r.query.startIndex)).toEqual(['1', '3', '5', '7']);
    expect(pages.every((r) => (r.returned ?? 0) <= 2)).toBe(true);
    expect(new Set(pages.map((r) => r.query.filter)).size).toBe(1);
  });

  it('compares group names exactly: `Data Engineers` is not `data engineers`', async () => {
    const stub = await fresh();
    const alice = stub.addUser('alice@example.com');
    const bob = stub.addUser('bob@example.com');
    const upper = stub.addGroup('Data Engineers', { members: [alice.id] });
    stub.addGroup('data engineers', { members: [bob.id] });
    const { client } = clientFor(stub);
    const snap = await readScim(client, { groups: ['Data Engineers'], principals: [] });
    expect(snap.groups.map((g) => [g.id, g.displayName])).toEqual([[upper.id, 'Data Engineers']]);
    expect((await client.findGroups('account', ['Data Engineers'])).map((g) => g.id)).toEqual([upper.id]);
    expect((await client.findGroups('account', ['data engineers'])).map((g) => g.id)).not.toContain(upper.id);
    // The server's filter matched both (as Databricks' does); the client kept the exact one.
    expect(lists(stub, 'Groups').find((r) => r.path.includes('/accounts/'))?.matched).toBe(2);
    expect(scimMemberships(snap).map((m) => [m.role, m.member])).toEqual([['Data Engineers', 'alice@example.com']]);
  });

  it('reads groups and principals in batched filters, not one call per user', async () => {
    const stub = await fresh();
    const users = Array.from({ length: 50 }, (_, i) => stub.addUser(`user${i}@example.com`));
    const sps = Array.from({ length: 20 }, (_, i) => stub.addServicePrincipal(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, `robot ${i}`));
    const groupNames = Array.from({ length: 60 }, (_, i) => `role ${i}`);
    groupNames.forEach((n, i) => stub.addGroup(n, { members: [users[i % 50].id, sps[i % 20].id] }));
    const { client } = clientFor(stub);
    const principals = [...users.map((u) => u.userName), ...sps.map((s) => s.applicationId)];
    const snap = await readScim(client, { groups: groupNames, principals });

    expect(snap.groups).toHaveLength(60);
    expect(scimMemberships(snap)).toHaveLength(120);
    const chunks = (n: number) => Math.ceil(n / 40);
    const userLists = lists(stub, 'Users');
    const spLists = lists(stub, 'ServicePrincipals');
    expect(userLists).toHaveLength(chunks(principals.length));
    // Only names no user matched are looked up as service principals.
    expect(spLists).toHaveLength(chunks(sps.length));
    expect(spLists.every((r) => !r.query.filter.includes('@'))).toBe(true);
    const groupGets = stub.requests.filter((r) => /\/Groups\/\d+$/.test(r.path));
    expect(groupGets).toHaveLength(60); // members: one GET per managed group (the account list no longer returns them)
    expect(client.requestCount()).toBe(chunks(60) * 2 + 60 + chunks(principals.length) + chunks(sps.length));
  });

  it('names members by userName, application id and group name, and resolves unknown ids in one filter per kind', async () => {
    const stub = await fresh();
    const alice = stub.addUser('alice@example.com', 'Alice Anders');
    const sp = stub.addServicePrincipal(SP_APP, 'ETL robot');
    const child = stub.addGroup('child group');
    const stray = stub.addUser('stray@example.com', 'Stray Person');
    stub.addGroup('parent', { members: [alice.id, sp.id, child.id, stray.id] });
    const { client } = clientFor(stub);
    const snap = await readScim(client, { groups: ['parent'], principals: ['alice@example.com'] });
    // The group lists display names ("Alice Anders", "ETL robot"); the records carry the names GRANT uses.
    expect(snap.groups[0].members.map((m) => m.display)).toContain('Alice Anders');
    expect(scimMemberships(snap).map((m) => `${m.memberKind}:${m.member}`).sort()).toEqual(
      ['role:child group', `user:${SP_APP}`, 'user:alice@example.com', 'user:stray@example.com'].sort(),
    );
    // stray, the service principal and the child group were not asked for by name: one `id eq` search per kind.
    const byId = stub.requests.filter((r) => r.query.filter?.startsWith('id eq'));
    expect(byId.map((r) => r.path.split('/').pop()).sort()).toEqual(['Groups', 'ServicePrincipals', 'Users']);
    expect(snap.unresolved).toEqual([]);
  });

  it('reports a member whose id resolves to nothing as unresolved', async () => {
    const stub = await fresh();
    const hidden = stub.addUser('hidden@example.com');
    stub.addGroup('g', { members: [hidden.id] });
    const { client } = clientFor(stub);
    // Resolution by id fails (the principal is gone between the group read and the lookup).
    const orig = client.principalsById.bind(client);
    client.principalsById = async (kind, ids) => (kind === 'user' ? [] : orig(kind, ids));
    const snap = await readScim(client, { groups: ['g'], principals: [] });
    expect(snap.unresolved).toEqual([{ group: 'g', member: { id: hidden.id, kind: 'user', display: 'hidden (display)' } }]);
    expect(scimMemberships(snap)).toEqual([]);
  });

  it('keeps workspace-local groups apart: read, reported, never a role', async () => {
    const stub = await fresh();
    stub.addGroup('Clinical Analysts', { local: true });
    stub.addGroup('billing');
    const { client } = clientFor(stub);
    const snap = await readScim(client, { groups: ['Clinical Analysts', 'billing'], principals: [] });
    expect(snap.workspaceGroups.map((g) => [g.displayName, g.resourceType])).toEqual([['Clinical Analysts', 'WorkspaceGroup']]);
    expect(snap.groups.map((g) => g.displayName)).toEqual(['billing']);
    const live = scimLiveRoles(snap);
    expect(live.roles.map((r) => r.name)).toEqual(['billing']);
    expect(live.workspaceLocal.map((r) => r.name)).toEqual(['Clinical Analysts']);
    expect(stub.requests.some((r) => r.path.startsWith('/api/2.0/preview/scim/v2/Groups'))).toBe(true);
    const compiled = compileScimChanges(
      [
        { kind: 'createRole', role: 'Clinical Analysts' },
        { kind: 'grantMembership', role: 'billing', member: 'Clinical Analysts', memberKind: 'role' },
      ],
      snap,
    );
    expect(compiled.problems.map((p) => p.severity)).toEqual(['warning']);
    expect(compiled.ops.map((o) => o.kind)).toEqual(['createGroup', 'patchMembers']);
    const notCreated = compileScimChanges([{ kind: 'grantMembership', role: 'billing', member: 'Clinical Analysts', memberKind: 'role' }], snap);
    expect(notCreated.ops).toEqual([]);
    expect(notCreated.problems[0]).toMatchObject({ severity: 'error', hint: expect.stringMatching(/workspace-local/) });
  });

  it('finds hostile names exactly', async () => {
    const stub = await fresh({ pageSize: 1 });
    const names = ['a"b', 'back\\slash', 'Ünïcødé 組 🚀', 'Data Engineers'];
    for (const n of [...names, 'A"B', 'data engineers']) stub.addGroup(n);
    const { client } = clientFor(stub);
    const found = await client.findGroups('account', names);
    expect(found.map((g) => g.displayName).sort()).toEqual([...names].sort());
  });
});

describe('writes', () => {
  it('sends one PATCH per group: one add of every new member, one remove per member', async () => {
    const stub = await fresh();
    const [a, b, c] = ['a@example.com', 'b@example.com', 'c@example.com'].map((n) => stub.addUser(n));
    const sp = stub.addServicePrincipal(SP_APP, 'robot');
    stub.addGroup('Data Engineers', { members: [c.id] });
    stub.addGroup('a"b');
    const { client } = clientFor(stub);
    const snap = await readScim(client, { groups: ['Data Engineers', 'a"b'], principals: ['a@example.com', 'b@example.com', SP_APP] });
    const changes: Change[] = [
      { kind: 'revokeMembership', role: 'Data Engineers', member: 'c@example.com', memberKind: 'user' },
      { kind: 'grantMembership', role: 'Data Engineers', member: 'a@example.com', memberKind: 'user' },
      { kind: 'grantMembership', role: 'Data Engineers', member: SP_APP, memberKind: 'user' },
      { kind: 'grantMembership', role: 'a"b', member: 'B@Example.com', memberKind: 'user' },
      { kind: 'grantMembership', role: 'Data Engineers', member: 'a"b', memberKind: 'role' },
    ];
    const { ops, problems } = compileScimChanges(changes, snap);
    expect(problems).toEqual([]);
    expect(ops.map((o) => [o.kind, o.group])).toEqual([
      ['patchMembers', 'Data Engineers'],
      ['patchMembers', 'a"b'],
    ]);
    const result = await applyScimOps(client, ops);
    expect(result.ok).toBe(true);
    const patches = stub.requests.filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(2);
    const de = stub.group('Data Engineers')!;
    const ab = stub.group('a"b')!;
    expect(patches.find((p) => p.path.endsWith(`/Groups/${de.id}`))?.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: a.id }, { value: sp.id }, { value: ab.id }] },
        { op: 'remove', path: `members[value eq "${c.id}"]` },
      ],
    });
    expect(de.members.sort()).toEqual([a.id, sp.id, ab.id].sort());
    expect(ab.members).toEqual([b.id]);
  });

  it('creates groups before patching them, and a 409 re-reads the group and carries on', async () => {
    const stub = await fresh();
    const alice = stub.addUser('alice@example.com');
    const { client } = clientFor(stub);
    const snap = await readScim(client, { groups: ['new team', 'raced'], principals: ['alice@example.com'] });
    expect(snap.groups).toEqual([]);
    const { ops, problems } = compileScimChanges(
      [
        { kind: 'grantMembership', role: 'new team', member: 'raced', memberKind: 'role' },
        { kind: 'createRole', role: 'new team' },
        { kind: 'createRole', role: 'raced' },
        { kind: 'grantMembership', role: 'raced', member: 'alice@example.com', memberKind: 'user' },
      ],
      snap,
    );
    expect(problems).toEqual([]);
    expect(ops.map((o) => o.kind)).toEqual(['createGroup', 'createGroup', 'patchMembers', 'patchMembers']);
    // Someone creates `raced` between the read and the apply.
    const raced = stub.addGroup('raced');
    const result = await applyScimOps(client, ops);
    expect(result).toMatchObject({ ok: true, pending: [] });
    const posts = stub.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Groups'));
    expect(posts.map((r) => [r.body.displayName, r.status])).toEqual([
      ['new team', 201],
      ['raced', 409],
    ]);
    expect(stub.groups.filter((g) => g.displayName === 'raced')).toHaveLength(1);
    expect(raced.members).toEqual([alice.id]);
    expect(stub.group('new team')!.members).toEqual([raced.id]);
  });

  it('deletes a dropped group without patching it first; an already deleted group is no error', async () => {
    const stub = await fresh();
    const u = stub.addUser('u@example.com');
    const old = stub.addGroup('retired', { members: [u.id] });
    const { client } = clientFor(stub);
    const snap = await readScim(client, { groups: ['retired'], principals: [] });
    const { ops } = compileScimChanges(
      [
        { kind: 'revokeMembership', role: 'retired', member: 'u@example.com', memberKind: 'user' },
        { kind: 'dropRole', role: 'retired' },
      ],
      snap,
    );
    expect(ops.map((o) => o.kind)).toEqual(['deleteGroup']);
    expect((await applyScimOps(client, ops)).ok).toBe(true);
    expect(stub.group('retired')).toBeUndefined();
    await expect(client.deleteGroup(old.id, 'retired')).resolves.toBeUndefined();
  });

  it('stops at the first failure and reports what ran and what did not', async () => {
    const stub = await fresh();
    const { client } = clientFor(stub);
    const ops = compileScimChanges(
      ['one', 'two', 'three'].map((role): Change => ({ kind: 'createRole', role })),
      { groups: [], workspaceGroups: [], principals: [], unresolved: [] },
    ).ops;
    stub.fail({ status: 400, match: (r) => r.method === 'POST' && stub.groups.length === 1 });
    const events: string[] = [];
    const result = await applyScimOps(client, ops, { onEvent: (e) => events.push(`${e.type}:${e.op.group}`) });
    expect(result.ok).toBe(false);
    expect(result.applied.map((o) => o.group)).toEqual(['one']);
    expect(result.failed?.op.group).toBe('three');
    expect(result.failed?.error).toMatch(/create group "three".*HTTP 400/);
    expect(result.pending.map((o) => o.group)).toEqual(['two']);
    expect(events).toEqual(['start:one', 'done:one', 'start:three', 'failed:three']);
  });
});

describe('throttling', () => {
  it('waits what Retry-After says (seconds) and succeeds', async () => {
    const stub = await fresh();
    stub.addGroup('g');
    stub.fail({ status: 429, retryAfter: '3', times: 2 });
    const { client, sleeps } = clientFor(stub);
    expect((await client.findGroups('account', ['g'])).map((g) => g.displayName)).toEqual(['g']);
    expect(sleeps).toEqual([3000, 3000]);
    expect(client.requestCount()).toBe(3);
  });

  it('reads an HTTP-date Retry-After on a 503', async () => {
    const stub = await fresh();
    const now = Date.UTC(2025, 5, 1, 8, 0, 0);
    stub.fail({ status: 503, retryAfter: new Date(now + 7000).toUTCString() });
    const { client, sleeps } = clientFor(stub, { now: () => now });
    await client.findGroups('account', ['g']);
    expect(sleeps).toEqual([7000]);
  });

  it('caps a long Retry-After, backs off without one', async () => {
    const stub = await fresh();
    stub.fail({ status: 429, retryAfter: '3600' });
    stub.fail({ status: 429 });
    const { client, sleeps } = clientFor(stub, { maxWaitMs: 10_000 });
    await client.findGroups('account', ['g']);
    expect(sleeps[0]).toBe(10_000);
    expect(sleeps[1]).toBeGreaterThan(0);
    expect(sleeps[1]).toBeLessThanOrEqual(10_000);
  });

  it('gives up after a bounded number of attempts with a clear error', async () => {
    const stub = await fresh();
    stub.fail({ status: 429, retryAfter: '1', times: 10 });
    const { client, sleeps } = clientFor(stub, { maxAttempts: 3 });
    const e = await caught(client.createGroup('Data Engineers'));
    expect(e).toBeInstanceOf(ScimError);
    expect(e.status).toBe(429);
    expect(e.message).toMatch(/create group "Data Engineers" on the account API: HTTP 429 \(still throttled after 3 attempts\)/);
    expect(stub.requests).toHaveLength(3);
    expect(sleeps).toEqual([1000, 1000]);
  });
});

describe('secrets never in errors', () => {
  it('names the operation and resource of a 4xx, never the token, even when the server echoes it', async () => {
    const stub = await fresh({ echoAuthorization: true });
    const g = stub.addGroup('Data Engineers');
    stub.fail({ status: 403, match: (r) => r.method === 'PATCH' });
    const { client } = clientFor(stub);
    const e = await caught(client.patchMembers(g.id, 'Data Engineers', ['1'], []));
    expect(e).toBeInstanceOf(ScimError);
    expect(e.code).toBe('PERMISSION');
    expect(e.operation).toBe('update members of');
    expect(e.resource).toBe('group "Data Engineers"');
    expect(e.message).toMatch(/^SCIM update members of group "Data Engineers" on the account API: HTTP 403/);
    // The stub did put the header in its answer: the client scrubbed it.
    expect(e.message).toContain('Authorization: Bearer ****');
    for (const text of [e.message, String(e.stack), JSON.stringify(e), e.hint ?? '']) expect(text).not.toContain(TOKEN);
  });

  it('hints at OAuth when the account API refuses a personal access token', async () => {
    const stub = await fresh({ token: 'another-token-entirely', echoAuthorization: true });
    const { client } = clientFor(stub);
    const e = await caught(client.findGroups('account', ['x']));
    expect(e.status).toBe(401);
    expect(e.hint).toMatch(/OAuth/);
    expect(e.message).not.toContain(TOKEN);
  });

  it('keeps the client secret and the access token out of OAuth errors', async () => {
    const stub = await fresh({ oauth: { clientId: 'sp-client', clientSecret: SECRET }, echoAuthorization: true });
    stub.fail({ status: 400, match: (r) => r.method === 'POST' && r.path.endsWith('/Groups') });
    const { client } = clientFor(stub, { auth: { clientId: 'sp-client', clientSecret: SECRET } });
    const e = await caught(client.createGroup('g'));
    expect(e.status).toBe(400);
    const issued = stub.requests.find((r) => r.path.endsWith('/v1/token'));
    expect(issued).toBeDefined();
    const accessToken = /^Bearer (.+)$/.exec(stub.requests.at(-1)!.authorization!)![1];
    expect(accessToken).toMatch(/^stub-oauth-/);
    for (const text of [e.message, String(e.stack)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(accessToken);
    }
    const bad = clientFor(stub, { auth: { clientId: 'sp-client', clientSecret: `${SECRET}-wrong` } }).client;
    const refused = await caught(bad.findGroups('workspace', ['g']));
    expect(refused.code).toBe('PERMISSION');
    expect(refused.message).toMatch(/OAuth token for the workspace API: HTTP 401/);
    expect(refused.message).not.toContain(SECRET);
  });

  it('keeps the token out of a connection failure', async () => {
    const stub = await fresh();
    const url = stub.url;
    await stub.close();
    stubs.splice(stubs.indexOf(stub), 1);
    const { client } = clientFor(stub, { baseUrls: { workspace: url, accounts: url } });
    const e = await caught(client.findGroups('workspace', ['g']));
    expect(e.code).toBe('CONNECTION');
    expect(e.message).toMatch(/^SCIM find groups \(1 names\) on the workspace API/);
    expect(e.message).not.toContain(TOKEN);
  });
});

describe('OAuth M2M', () => {
  it('fetches one token per API, caches it, and refreshes it shortly before expiry', async () => {
    const stub = await fresh({ oauth: { clientId: 'sp-client', clientSecret: SECRET, expiresIn: 3600 } });
    stub.addGroup('g');
    let now = 1_000_000;
    const { client } = clientFor(stub, { auth: { clientId: 'sp-client', clientSecret: SECRET }, now: () => now });
    await client.findGroups('account', ['g']);
    await client.findGroups('account', ['g']);
    await client.findGroups('workspace', ['g']);
    expect(stub.tokenRequests.map((t) => [t.scope, t.ok, t.form.scope, t.form.grant_type])).toEqual([
      ['account', true, 'all-apis', 'client_credentials'],
      ['workspace', true, 'all-apis', 'client_credentials'],
    ]);
    expect(stub.requests.filter((r) => r.path.includes('/oidc/')).map((r) => r.path)).toEqual([`/oidc/accounts/${stub.accountId}/v1/token`, '/oidc/v1/token']);
    const scimAuth = stub.requests.filter((r) => r.path.includes('/scim/')).map((r) => r.authorization);
    expect(scimAuth.every((a) => /^Bearer stub-oauth-/.test(a ?? ''))).toBe(true);
    now += 3600_000 - 30_000; // inside the minute before expiry
    await client.findGroups('account', ['g']);
    expect(stub.tokenRequests.filter((t) => t.scope === 'account')).toHaveLength(2);
  });

  it('fetches a new token once when the server revokes the cached one', async () => {
    const stub = await fresh({ oauth: { clientId: 'sp-client', clientSecret: SECRET } });
    stub.addGroup('g');
    const { client } = clientFor(stub, { auth: { clientId: 'sp-client', clientSecret: SECRET } });
    await client.findGroups('account', ['g']);
    stub.revokeTokens();
    expect(await client.findGroups('account', ['g'])).toHaveLength(1);
    expect(stub.tokenRequests).toHaveLength(2);
  });
});

describe('model functions (pure)', () => {
  const snap: ScimSnapshot = {
    groups: [
      { id: 'g1', displayName: 'Data Engineers', resourceType: 'Group', members: [{ id: 'u1', kind: 'user' }, { id: 's1', kind: 'servicePrincipal' }, { id: 'g2', kind: 'group' }] },
      { id: 'g2', displayName: 'a"b', resourceType: 'Group', members: [] },
    ],
    workspaceGroups: [{ id: 'w1', displayName: 'admins', resourceType: 'WorkspaceGroup', members: [] }],
    principals: [
      { id: 'u1', kind: 'user', name: 'alice@example.com' },
      { id: 's1', kind: 'servicePrincipal', name: SP_APP },
      { id: 'g1', kind: 'group', name: 'Data Engineers' },
      { id: 'g2', kind: 'group', name: 'a"b' },
    ],
    unresolved: [],
  };

  it('turns members into membership records: service principals by application id, nested groups as roles', () => {
    const records = scimMemberships(snap);
    const want: MembershipRecord[] = [
      makeMembership({ role: 'Data Engineers', member: 'alice@example.com', memberKind: 'user' }),
      makeMembership({ role: 'Data Engineers', member: SP_APP, memberKind: 'user' }),
      makeMembership({ role: 'Data Engineers', member: 'a"b', memberKind: 'role' }),
    ];
    expect(records.map((r) => r.key).sort()).toEqual(want.map((r) => r.key).sort());
    expect(records.map((r) => r.key)).toContain(membershipKey('Data Engineers', 'a"b', 'role'));
    expect(scimLiveRoles(snap)).toEqual({
      roles: [
        { name: 'Data Engineers', isUser: false },
        { name: 'a"b', isUser: false },
      ],
      workspaceLocal: [{ name: 'admins', isUser: false }],
    });
  });

  it('reports a user or service principal that does not exist as a plan error, not an exception', () => {
    const changes: Change[] = [
      { kind: 'grantMembership', role: 'Data Engineers', member: 'nobody@example.com', memberKind: 'user' },
      { kind: 'grantMembership', role: 'Data Engineers', member: '11111111-2222-4333-8444-555555555555', memberKind: 'user' },
      { kind: 'grantMembership', role: 'missing group', member: 'alice@example.com', memberKind: 'user' },
      { kind: 'grantMembership', role: 'a"b', member: 'alice@example.com', memberKind: 'user' },
      { kind: 'revokeMembership', role: 'a"b', member: 'alice@example.com', memberKind: 'user' },
      { kind: 'grant', role: 'Data Engineers', privileges: ['select'], object: { kind: 'table', database: 'ehr', schema: 'c', name: 't' } },
      { kind: 'alterRole', role: 'Data Engineers', from: {}, to: { description: 'd' } },
      // Exists already (read after the plan was made) / gone already: nothing to do for either.
      { kind: 'createRole', role: 'Data Engineers' },
      { kind: 'dropRole', role: 'never existed' },
    ];
    const { ops, problems } = compileScimChanges(changes, snap);
    expect(problems.filter((p) => p.severity === 'error').map((p) => p.message)).toEqual([
      'user or service principal "nobody@example.com" (member of "Data Engineers") does not exist in the Databricks account',
      'user or service principal "11111111-2222-4333-8444-555555555555" (member of "Data Engineers") does not exist in the Databricks account',
      'account group "missing group" does not exist and the plan does not create it: cannot add "alice@example.com"',
    ]);
    expect(problems.filter((p) => p.severity === 'warning')).toHaveLength(1);
    expect(problems.find((p) => p.message.includes('nobody'))?.hint).toMatch(/never creates users or service principals/);
    expect(ops).toEqual([
      { kind: 'patchMembers', group: 'a"b', groupId: 'g2', add: [{ kind: 'user', name: 'alice@example.com', id: 'u1' }], remove: [], source: [changes[3]] },
    ]);
  });
});

describe('convergence: desired -> plan -> SCIM ops -> stub -> read back -> nothing to do', () => {
  it('converges with hostile names, nesting, a service principal and a stray member', async () => {
    const stub = await fresh({ pageSize: 2 });
    const alice = stub.addUser('alice@example.com');
    const bob = stub.addUser('bob@example.com');
    const carol = stub.addUser('carol@example.com');
    stub.addServicePrincipal(SP_APP, 'ETL robot');
    stub.addGroup('Data Engineers', { members: [carol.id] });
    const lower = stub.addGroup('data engineers', { members: [bob.id] });
    const local = stub.addGroup('Ünïcødé 組 🚀', { local: true, members: [bob.id] });
    const { client } = clientFor(stub);

    const roles = ['Data Engineers', 'a"b', 'Ünïcødé 組 🚀'];
    const desired: Desired = {
      platform: 'databricks',
      roles: roles.map((name) => ({ key: roleKey(name), name, state: 'present' as const })),
      users: [],
      memberships: [
        makeMembership({ role: 'Data Engineers', member: 'alice@example.com', memberKind: 'user' }),
        makeMembership({ role: 'Data Engineers', member: 'a"b', memberKind: 'role' }),
        makeMembership({ role: 'a"b', member: SP_APP, memberKind: 'user' }),
        makeMembership({ role: 'Ünïcødé 組 🚀', member: 'bob@example.com', memberKind: 'user' }),
        makeMembership({ role: 'Ünïcødé 組 🚀', member: 'a"b', memberKind: 'role' }),
      ],
      grants: [],
      schemaWide: [],
      futureGrants: [],
    };
    const request = {
      groups: roles,
      principals: desired.memberships.filter((m) => m.memberKind === 'user').map((m) => m.member),
    };
    const liveOf = (snap: ScimSnapshot): Live => ({
      platform: 'databricks',
      roles: scimLiveRoles(snap).roles,
      memberships: scimMemberships(snap),
      grants: [],
      futureGrants: [],
      schemas: [],
      tables: [],
    });
    const planOf = (snap: ScimSnapshot) => plan(desired, liveOf(snap), { mode: 'authoritative', target: 'stub', scope: scopeOf(desired) });

    const before = await readScim(client, request);
    const first = planOf(before);
    expect(first.problems).toEqual([]);
    expect(first.changes.map((c) => c.kind).sort()).toEqual(
      ['createRole', 'createRole', 'grantMembership', 'grantMembership', 'grantMembership', 'grantMembership', 'grantMembership', 'revokeMembership'].sort(),
    );
    const compiled = compileScimChanges(first.changes, before);
    // The workspace-local group of the same name is reported, the account group created.
    expect(compiled.problems.map((p) => p.severity)).toEqual(['warning']);
    expect(compiled.ops.map((o) => o.kind)).toEqual(['createGroup', 'createGroup', 'patchMembers', 'patchMembers', 'patchMembers']);
    const applied = await applyScimOps(client, compiled.ops);
    expect(applied).toMatchObject({ ok: true, pending: [] });

    const after = await readScim(client, request);
    const second = planOf(after);
    expect(second.changes).toEqual([]);
    expect(compileScimChanges(second.changes, after).ops).toEqual([]);
    expect(scimMemberships(after).map((m) => m.key).sort()).toEqual(desired.memberships.map((m) => m.key).sort());

    // What rbac does not manage is as it was: the lower-case twin, the workspace-local group, the users.
    expect(lower.members).toEqual([bob.id]);
    expect(stub.groups.find((g) => g.local)).toEqual({ ...local, members: [bob.id] });
    expect(stub.users.map((u) => u.userName).sort()).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com']);
    expect(stub.group('Data Engineers')!.members).not.toContain(carol.id);
    expect(stub.group('Data Engineers')!.members).toContain(alice.id);
  });
});
