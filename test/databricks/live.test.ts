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
