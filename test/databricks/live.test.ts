/**
 * Live suite: runs only with credentials in the environment, visibly skipped otherwise.
 * Read-only.
 */
import { describe, expect, it } from 'vitest';
import { createDatabricksAdapter } from '../../src/dialects/databricks/adapter.js';

const env = process.env;
const creds = Boolean(env.DATABRICKS_HOST && env.DATABRICKS_HTTP_PATH && env.DATABRICKS_TOKEN);

describe.skipIf(!creds)('databricks live (set DATABRICKS_HOST, DATABRICKS_HTTP_PATH and DATABRICKS_TOKEN)', () => {
  it('connects and reads information_schema in its fixed eleven queries (the salt state among them)', async () => {
    const adapter = await createDatabricksAdapter({ host: env.DATABRICKS_HOST!, path: env.DATABRICKS_HTTP_PATH!, token: env.DATABRICKS_TOKEN! });
    try {
      const live = await adapter.introspect({ roles: ['account users'], users: [], databases: [], schemas: [], includePublic: false });
      expect(Array.isArray(live.grants)).toBe(true);
      expect(adapter.queryCount()).toBe(11);
    } finally {
      await adapter.close();
    }
  });
});

// The account SCIM API: read-only, one group (DATABRICKS_TEST_GROUP, default `admins`).
const scimCreds = Boolean(env.DATABRICKS_HOST && env.DATABRICKS_ACCOUNT_ID && (env.DATABRICKS_TOKEN || (env.DATABRICKS_CLIENT_ID && env.DATABRICKS_CLIENT_SECRET)));

describe.skipIf(!scimCreds)('databricks SCIM live (set DATABRICKS_HOST, DATABRICKS_ACCOUNT_ID and DATABRICKS_TOKEN or DATABRICKS_CLIENT_ID/SECRET)', () => {
  it('reads an account group with its members, and the workspace groups of that name, in a bounded number of requests', async () => {
    const { ScimClient, readScim } = await import('../../src/dialects/databricks/scim.js');
    const auth = env.DATABRICKS_CLIENT_ID && env.DATABRICKS_CLIENT_SECRET ? { clientId: env.DATABRICKS_CLIENT_ID, clientSecret: env.DATABRICKS_CLIENT_SECRET } : { token: env.DATABRICKS_TOKEN! };
    const client = new ScimClient({ host: env.DATABRICKS_HOST!, accountId: env.DATABRICKS_ACCOUNT_ID!, ...(env.DATABRICKS_ACCOUNTS_HOST ? { accountsHost: env.DATABRICKS_ACCOUNTS_HOST } : {}), auth });
    const group = env.DATABRICKS_TEST_GROUP ?? 'admins';
    const snap = await readScim(client, { groups: [group], principals: [] });
    expect(snap.groups.every((g) => g.displayName === group)).toBe(true);
    expect(snap.workspaceGroups.every((g) => g.displayName === group && g.resourceType === 'WorkspaceGroup')).toBe(true);
    // Two searches, one GET per group found, then id searches of 40 ids each per member kind: never one call per member.
    const members = snap.groups.reduce((n, g) => n + g.members.length, 0);
    expect(client.requestCount()).toBeLessThanOrEqual(2 + snap.groups.length + 3 + Math.ceil(members / 40));
  });
});
