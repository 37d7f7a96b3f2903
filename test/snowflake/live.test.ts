/**
 * Live suite: runs only with credentials in the environment, visibly skipped otherwise.
 * Read-only: it introspects a role that the account always has.
 */
import { describe, expect, it } from 'vitest';
import { createSnowflakeAdapter } from '../../src/dialects/snowflake/adapter.js';

const env = process.env;
const creds = Boolean(env.SNOWFLAKE_ACCOUNT && env.SNOWFLAKE_USER && (env.SNOWFLAKE_PASSWORD || env.SNOWFLAKE_PRIVATE_KEY));

describe.skipIf(!creds)('snowflake live (set SNOWFLAKE_ACCOUNT, SNOWFLAKE_USER and SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY)', () => {
  it('connects and reads PUBLIC through SHOW commands', async () => {
    const adapter = await createSnowflakeAdapter({
      account: env.SNOWFLAKE_ACCOUNT!,
      username: env.SNOWFLAKE_USER!,
      password: env.SNOWFLAKE_PASSWORD,
      privateKey: env.SNOWFLAKE_PRIVATE_KEY,
      role: env.SNOWFLAKE_ROLE,
      warehouse: env.SNOWFLAKE_WAREHOUSE,
    });
    try {
      const live = await adapter.introspect({ roles: ['PUBLIC'], users: [], databases: [], schemas: [], includePublic: false });
      expect(live.roles.map((r) => r.name)).toContain('PUBLIC');
      expect(adapter.queryCount()).toBeGreaterThan(1);
    } finally {
      await adapter.close();
    }
  });
});
