/**
 * The reader's concurrency under a busy server: never more queries in flight than the
 * configured parallelism, half as many after a busy answer, and back up once the server
 * keeps up again (AdaptiveLimit, src/dialects/concurrency.ts).
 */
import { describe, expect, it } from 'vitest';
import { AdaptiveLimit } from '../../src/dialects/concurrency.js';
import { SnowflakeAdapter } from '../../src/dialects/snowflake/adapter.js';
import { SnowflakeDriverError } from '../../src/dialects/snowflake/driver.js';

const tick = () => new Promise<void>((r) => setTimeout(r, 1));
const BUSY = () => new SnowflakeDriverError('Too many requests', undefined, undefined, 429);

describe('AdaptiveLimit', () => {
  it('halves on a busy answer, never below 1, and grows back by one per full run of successes', async () => {
    const l = new AdaptiveLimit(8);
    const busy = (e: unknown) => e === 'busy';
    await expect(l.run(() => Promise.reject('busy'), busy)).rejects.toBe('busy');
    expect(l.limit).toBe(4);
    await expect(l.run(() => Promise.reject('other'), busy)).rejects.toBe('other');
    expect(l.limit).toBe(4);
    for (let i = 0; i < 3; i++) await expect(l.run(() => Promise.reject('busy'), busy)).rejects.toBe('busy');
    expect(l.limit).toBe(1);
    for (let i = 0; i < 1 + 2 + 3; i++) await l.run(async () => 1, busy);
    expect(l.limit).toBe(4);
    expect(l.low).toBe(1);
  });

  it('never lets more than the current limit run at once', async () => {
    const l = new AdaptiveLimit(3);
    let inFlight = 0;
    let max = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        l.run(async () => {
          max = Math.max(max, ++inFlight);
          await tick();
          inFlight--;
        }, () => false),
      ),
    );
    expect(max).toBe(3);
  });
});

describe('the Snowflake reader against a server that saturates', () => {
  it('backs off to what the server takes, reads everything, and never exceeds the configured parallelism', async () => {
    // The server answers 429 whenever more than 4 queries are running.
    let inFlight = 0;
    let max = 0;
    let busy = 0;
    const roles = Array.from({ length: 40 }, (_, i) => `R${i}`);
    const query = async (sql: string) => {
      inFlight++;
      max = Math.max(max, inFlight);
      try {
        await tick();
        if (inFlight > 4) {
          busy++;
          throw BUSY();
        }
        if (sql === 'SHOW ROLES') return roles.map((name) => ({ name }));
        const m = /^SHOW GRANTS TO ROLE "(.*)"$/.exec(sql);
        if (m) return [{ privilege: 'USAGE', granted_on: 'DATABASE', name: 'EHR', granted_to: 'ROLE', grantee_name: m[1], grant_option: 'false', granted_by: 'SYSADMIN' }];
        return [];
      } finally {
        inFlight--;
      }
    };
    const adapter = new SnowflakeAdapter({ query, close: async () => undefined }, { parallelism: 16, retry: { retries: 20, baseMs: 1, maxMs: 4 } });
    const live = await adapter.introspect({ roles, users: [], databases: [], schemas: [], includePublic: false });
    expect(live.grants).toHaveLength(40);
    expect(max).toBeLessThanOrEqual(16);
    expect(busy).toBeGreaterThan(0);
    // It went down to what the server takes (4 or fewer) after the busy answers.
    expect(adapter.limit.low).toBeLessThanOrEqual(4);
  });
});
