/**
 * Benchmark: read an account of N managed roles and M schemas through the loopback
 * wire stub (real snowflake-sdk, real HTTP) with a simulated per-query latency, at the
 * default parallelism (32) vs sequential (one query at a time). Defaults: 2,000 roles,
 * 500 schemas, 150 ms per query; targets: at most 30 s, and at least 6x the sequential
 * baseline. Pass smaller sizes for a quick run:
 *   benchSnowflake({ roles: 100, schemas: 25, latencyMs: 20 })
 */
import { DEFAULT_SNOWFLAKE_PARALLELISM, SnowflakeAdapter } from '../src/dialects/snowflake/adapter.js';
import { connectSnowflake } from '../src/dialects/snowflake/driver.js';
import { startWireStub } from '../test/snowflake/wire-stub.js';

export interface BenchOptions {
  roles?: number;
  schemas?: number;
  latencyMs?: number;
  parallelism?: number;
  /**
   * Measure the sequential baseline on this smaller account and extrapolate it per
   * query to the full size (a sequential read of 2,000 roles at 150 ms takes ~11
   * minutes). The parallel run is always the full size.
   */
  sequentialSample?: { roles: number; schemas: number };
}

/** The target: 2,000 managed roles and 500 schemas read in at most 30 s. */
const TARGET_MS = 30_000;

export async function benchSnowflake(opts: BenchOptions = {}): Promise<object> {
  const roles = opts.roles ?? 2000;
  const schemas = opts.schemas ?? 500;
  const latencyMs = opts.latencyMs ?? 150;
  const parallelism = opts.parallelism ?? DEFAULT_SNOWFLAKE_PARALLELISM;
  const roleNames = Array.from({ length: roles }, (_, i) => `ROLE_${i}`);
  const schemaList = Array.from({ length: schemas }, (_, i) => ({ database: `DB_${i % 10}`, schema: `S_${i}` }));
  const stub = await startWireStub({
    latencyMs,
    respond: (sql) => {
      if (sql === 'SHOW ROLES') return { rows: roleNames.map((name) => ({ name, comment: null })) };
      const m = /^SHOW GRANTS TO ROLE "(.*)"$/.exec(sql);
      if (m) {
        const i = Number(m[1].slice(5));
        const s = schemaList[i % schemas];
        return {
          rows: [
            { privilege: 'USAGE', granted_on: 'DATABASE', name: s.database, granted_to: 'ROLE', grantee_name: m[1], grant_option: 'false', granted_by: 'SECURITYADMIN' },
            { privilege: 'USAGE', granted_on: 'SCHEMA', name: `${s.database}.${s.schema}`, granted_to: 'ROLE', grantee_name: m[1], grant_option: 'false', granted_by: 'SECURITYADMIN' },
            { privilege: 'SELECT', granted_on: 'TABLE', name: `${s.database}.${s.schema}.T`, granted_to: 'ROLE', grantee_name: m[1], grant_option: 'false', granted_by: 'SECURITYADMIN' },
          ],
        };
      }
      return { rows: [], columns: ['name'] };
    },
  });
  const conn = await connectSnowflake({ account: 'bench', username: 'BENCH', password: 'bench-password', accessUrl: stub.url });
  const scope = { roles: roleNames, users: [], databases: [], schemas: schemaList, includePublic: false };
  try {
    const run = async (p: number, s = scope) => {
      const adapter = new SnowflakeAdapter({ query: conn.query, close: async () => undefined }, { parallelism: p });
      stub.resetInFlight();
      const t0 = performance.now();
      const live = await adapter.introspect(s);
      return { ms: Math.round(performance.now() - t0), queries: adapter.queryCount(), grants: live.grants.length, maxInFlight: stub.maxInFlight() };
    };
    const parallel = await run(parallelism);
    const sample = opts.sequentialSample;
    if (sample === undefined) {
      const sequential = await run(1);
      return {
        roles,
        schemas,
        latencyMs,
        parallelism,
        parallel,
        sequential,
        speedup: Number((sequential.ms / parallel.ms).toFixed(2)),
        targetMet: sequential.ms / parallel.ms >= 6 && parallel.ms <= TARGET_MS,
      };
    }
    // SHOW ROLES still lists every role; the reader then only reads the sample's roles
    // and schemas, so the per-query cost is measured on the same server and driver.
    const sequential = await run(1, {
      ...scope,
      roles: roleNames.slice(0, sample.roles),
      schemas: schemaList.slice(0, sample.schemas),
    });
    const msPerQuery = sequential.ms / sequential.queries;
    const sequentialExtrapolatedMs = Math.round(msPerQuery * parallel.queries);
    return {
      name: 'snowflake-introspection',
      roles,
      schemas,
      latencyMs,
      parallelism,
      parallel,
      sequential,
      sequentialMeasuredOn: { roles: sample.roles, schemas: sample.schemas, queries: sequential.queries },
      sequentialMsPerQuery: Number(msPerQuery.toFixed(1)),
      sequentialExtrapolatedMs,
      speedup: Number((sequentialExtrapolatedMs / parallel.ms).toFixed(2)),
      targetMs: TARGET_MS,
      targetMet: sequentialExtrapolatedMs / parallel.ms >= 6 && parallel.ms <= TARGET_MS,
    };
  } finally {
    await conn.close();
    await stub.close();
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const [roles, schemas, latencyMs] = process.argv.slice(2).map(Number);
  benchSnowflake({ roles: roles || undefined, schemas: schemas || undefined, latencyMs: latencyMs || undefined }).then((r) => console.log(JSON.stringify(r, null, 2)));
}
