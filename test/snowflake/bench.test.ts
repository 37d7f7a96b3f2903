import { describe, expect, it } from 'vitest';
import { benchSnowflake } from '../../bench/snowflake.js';

describe('bench/snowflake (reduced sizes)', () => {
  it('parallel read is at least 6x faster than sequential at parallelism 8', async () => {
    const r = (await benchSnowflake({ roles: 32, schemas: 8, latencyMs: 100 })) as {
      parallel: { queries: number; grants: number };
      sequential: { queries: number; grants: number };
      speedup: number;
    };
    // SHOW ROLES + 2 per role + 1 per schema + 1 per database (8 DBs).
    expect(r.parallel.queries).toBe(1 + 64 + 8 + 8);
    expect(r.sequential.queries).toBe(r.parallel.queries);
    expect(r.parallel.grants).toBe(96);
    expect(r.speedup).toBeGreaterThanOrEqual(6);
  }, 60_000);
});
