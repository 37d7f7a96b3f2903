/**
 * The Databricks access review with manage_membership: the groups that hold
 * administrative power (the metastore admin group, an owner group) are expanded through
 * SCIM, nested groups included, so the review names the users behind them. The real
 * ScimClient against the loopback SCIM stub; the information_schema rows recorded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT_SQL, privilegedGroups, readDatabricksAccount } from '../../src/dialects/databricks/account.js';
import { ScimClient, scimGroupMembers } from '../../src/dialects/databricks/scim.js';
import { startScimStub, type ScimStub } from './scim-stub.js';

const TOKEN = 'dapi-account-review-token';
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'databricks', 'account');
const rows = (name: string): Record<string, unknown>[] => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')).rows;
const ANSWERS: [(scope: { schemas: [] }) => string, string][] = [
  [() => ACCOUNT_SQL.metastores(), 'metastores'],
  [ACCOUNT_SQL.catalogs, 'catalogs'],
  [ACCOUNT_SQL.schemata, 'schemata'],
  [ACCOUNT_SQL.tables, 'tables'],
  [() => ACCOUNT_SQL.metastorePrivileges(), 'metastore_privileges'],
  [ACCOUNT_SQL.catalogPrivileges, 'catalog_privileges'],
  [ACCOUNT_SQL.schemaPrivileges, 'schema_privileges'],
  [ACCOUNT_SQL.tablePrivileges, 'table_privileges'],
];
const scope = { schemas: [] as [] };
const query = async (sql: string) => rows(ANSWERS.find(([f]) => f(scope) === sql)?.[1] ?? 'none');

let stub: ScimStub | undefined;
afterEach(async () => stub?.close());

describe('Databricks review: privileged groups expanded through SCIM', () => {
  it('names the users of the metastore admin group and of its nested group, with the path', async () => {
    const facts = await readDatabricksAccount(query, scope);
    const groups = privilegedGroups(facts);
    const admin = facts.privileged.find((f) => f.kind === 'metastore_admin')!;
    expect(admin.isUser).toBe(false);
    expect(groups).toContain(admin.principal);

    stub = await startScimStub({ token: TOKEN });
    const ann = stub.addUser('ann@example.org');
    const sp = stub.addServicePrincipal('8f2c1a6e-3b4d-4e5f-9a0b-1c2d3e4f5a6b', 'ops-bot');
    const oncall = stub.addGroup('platform-oncall', { members: [ann.id] });
    stub.addGroup(admin.principal, { members: [oncall.id, sp.id] });
    stub.addGroup('unrelated', { members: [ann.id] });
    const client = new ScimClient({ host: 'dbc-1234.cloud.databricks.com', accountId: stub.accountId, auth: { token: TOKEN }, baseUrls: { workspace: stub.url, accounts: stub.url } });

    const expanded = await readDatabricksAccount(query, scope, (g) => scimGroupMembers(client, g));
    const annAdmin = expanded.privileged.filter((f) => f.principal === 'ann@example.org' && f.kind === 'metastore_admin');
    expect(annAdmin).toEqual([expect.objectContaining({ isUser: true, via: ['platform-oncall', admin.principal], privilege: 'METASTORE ADMIN' })]);
    expect(expanded.privileged.some((f) => f.principal === '8f2c1a6e-3b4d-4e5f-9a0b-1c2d3e4f5a6b' && f.kind === 'metastore_admin' && f.isUser)).toBe(true);
    expect(expanded.principals).toContainEqual({ name: 'ann@example.org', isUser: true });
    // Only the privileged groups were read: no request named the unrelated group.
    expect(stub.requests.some((r) => JSON.stringify(r.query).includes('unrelated'))).toBe(false);
    // Read-only: every request a GET on the account SCIM API.
    expect(stub.requests.every((r) => r.method === 'GET' && r.path.startsWith(`/api/2.0/accounts/${stub!.accountId}/scim/v2/`))).toBe(true);
  });

  it('a cycle of nested groups is read once; without SCIM the group stays one principal', async () => {
    stub = await startScimStub({ token: TOKEN });
    const a = stub.addGroup('a');
    const b = stub.addGroup('b', { members: [a.id] });
    a.members.push(b.id);
    const client = new ScimClient({ host: 'dbc-1234.cloud.databricks.com', accountId: stub.accountId, auth: { token: TOKEN }, baseUrls: { workspace: stub.url, accounts: stub.url } });
    const m = await scimGroupMembers(client, ['a']);
    expect(m.memberships.sort((x, y) => (x.role < y.role ? -1 : 1))).toEqual([
      { role: 'a', member: 'b' },
      { role: 'b', member: 'a' },
    ]);
    expect(m.users).toEqual([]);
    const plain = await readDatabricksAccount(query, scope);
    expect(plain.memberships).toEqual([]);
  });
});
