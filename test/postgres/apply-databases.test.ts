// The apply across several databases, at its seam: sessions that record what they are
// sent, so the order of the protocol (lock, roles first, one transaction per database,
// two-phase or one-by-one commit, drops last, compensation) is asserted exactly. The
// same code runs against a real server in databases.test.ts.
import { describe, expect, it } from 'vitest';
import { applyAcrossDatabases, type DatabaseSession } from '../../src/dialects/postgres/apply-databases.js';
import { ADVISORY_LOCK_KEY } from '../../src/dialects/postgres/batches.js';
import type { Statement } from '../../src/dialects/types.js';

function fakes(opts: { prepared: number; failOn?: (db: string, sql: string) => boolean; exclusive?: boolean }) {
  const log: string[] = [];
  const make = (physical: string): DatabaseSession => ({
    physical,
    async query(sql) {
      log.push(`${physical}: ${sql}`);
      if (sql.includes('pg_try_advisory_lock')) return [{ ok: true }];
      if (sql.includes('max_prepared_transactions')) return [{ n: opts.prepared }];
      return [];
    },
    async exec(sql) {
      log.push(`${physical}: ${sql}`);
      if (opts.failOn?.(physical, sql)) throw Object.assign(new Error(`boom in ${physical}`), { code: '42P01' });
    },
    async close() {},
  });
  const sessions = { ehr: make('ehr'), research: make('research') };
  const ctx = {
    primary: sessions.ehr,
    sessionFor: async (logical: string | undefined) => (logical === 'research' ? sessions.research : sessions.ehr),
    physicalOf: (logical: string | undefined) => (logical === 'research' ? 'research' : 'ehr'),
    batchSize: 100,
    lockHolder: async () => 'nobody',
    exclusive: opts.exclusive,
  };
  return { log, ctx };
}

const statements: Statement[] = [
  { sql: 'CREATE ROLE "r" NOLOGIN', changeIndex: 0, phase: 'createRole', role: 'r' },
  { sql: 'GRANT USAGE ON SCHEMA "c" TO "r"', changeIndex: 1, database: 'ehr' },
  { sql: 'GRANT USAGE ON SCHEMA "k" TO "r"', changeIndex: 2, database: 'research' },
  { sql: 'DROP ROLE IF EXISTS "old"', changeIndex: 3, phase: 'dropRole', role: 'old' },
];
const sent = (log: string[]) => log.filter((l) => !/: SAVEPOINT rbac_batch$|standard_conforming/.test(l)).map((l) => l.replace(/rbac-[0-9a-f-]{36}/, 'GID'));

describe('apply across databases', () => {
  it('commits with two-phase commit when the server allows prepared transactions', async () => {
    const { log, ctx } = fakes({ prepared: 10 });
    const r = await applyAcrossDatabases(statements, {}, ctx);
    expect(r.ok).toBe(true);
    expect(sent(log)).toEqual([
      `ehr: SELECT pg_try_advisory_lock(${ADVISORY_LOCK_KEY}) AS ok`,
      'ehr: BEGIN',
      'ehr: CREATE ROLE "r" NOLOGIN;\nRELEASE SAVEPOINT rbac_batch',
      'ehr: COMMIT',
      'ehr: BEGIN',
      'ehr: GRANT USAGE ON SCHEMA "c" TO "r";\nRELEASE SAVEPOINT rbac_batch',
      'research: BEGIN',
      'research: GRANT USAGE ON SCHEMA "k" TO "r";\nRELEASE SAVEPOINT rbac_batch',
      "ehr: SELECT current_setting('max_prepared_transactions')::int AS n",
      "ehr: PREPARE TRANSACTION 'GID-ehr'",
      "research: PREPARE TRANSACTION 'GID-research'",
      "ehr: COMMIT PREPARED 'GID-ehr'",
      "research: COMMIT PREPARED 'GID-research'",
      'ehr: BEGIN',
      'ehr: DROP ROLE IF EXISTS "old";\nRELEASE SAVEPOINT rbac_batch',
      'ehr: COMMIT',
      `ehr: SELECT pg_advisory_unlock(${ADVISORY_LOCK_KEY})`,
    ]);
  });

  it('commits one database after another without prepared transactions', async () => {
    const { log, ctx } = fakes({ prepared: 0 });
    const r = await applyAcrossDatabases(statements, {}, ctx);
    expect(r.ok).toBe(true);
    const commits = sent(log).filter((l) => /COMMIT|PREPARE/.test(l));
    expect(commits).toEqual(['ehr: COMMIT', 'ehr: COMMIT', 'research: COMMIT', 'ehr: COMMIT']);
  });

  it('a failure in the second database rolls back both and drops the role it created', async () => {
    const { log, ctx } = fakes({ prepared: 10, failOn: (db, sql) => db === 'research' && sql.startsWith('GRANT') });
    const r = await applyAcrossDatabases(statements, {}, ctx);
    expect(r.ok).toBe(false);
    expect(r.rolledBack).toBe(true);
    expect(r.failed?.statement.sql).toBe('GRANT USAGE ON SCHEMA "k" TO "r"');
    expect(r.failed?.error).toContain('boom in research');
    const tail = sent(log).slice(sent(log).indexOf('research: GRANT USAGE ON SCHEMA "k" TO "r"'));
    expect(tail).toEqual([
      'research: GRANT USAGE ON SCHEMA "k" TO "r"',
      'ehr: ROLLBACK',
      'research: ROLLBACK',
      'ehr: DROP ROLE IF EXISTS "r"',
      `ehr: SELECT pg_advisory_unlock(${ADVISORY_LOCK_KEY})`,
    ]);
    expect(log.some((l) => l.includes('PREPARE'))).toBe(false);
  });

  it('a failed PREPARE rolls back the prepared transactions too', async () => {
    const { log, ctx } = fakes({ prepared: 10, failOn: (db, sql) => db === 'research' && sql.startsWith('PREPARE') });
    await expect(applyAcrossDatabases(statements, {}, ctx)).rejects.toThrow(/boom in research/);
    const tail = sent(log).slice(sent(log).indexOf("research: PREPARE TRANSACTION 'GID-research'"));
    expect(tail).toEqual([
      "research: PREPARE TRANSACTION 'GID-research'",
      "ehr: ROLLBACK PREPARED 'GID-ehr'",
      'research: ROLLBACK',
      'ehr: DROP ROLE IF EXISTS "r"',
      `ehr: SELECT pg_advisory_unlock(${ADVISORY_LOCK_KEY})`,
    ]);
  });

  it('one database open at a time (embedded PGlite): each transaction prepared before the next database, committed once all are', async () => {
    const { log, ctx } = fakes({ prepared: 8, exclusive: true });
    const r = await applyAcrossDatabases(statements, {}, ctx);
    expect(r.ok).toBe(true);
    expect(sent(log).filter((l) => /BEGIN|COMMIT|PREPARE|lock/.test(l))).toEqual([
      'ehr: BEGIN',
      'ehr: COMMIT',
      'ehr: BEGIN',
      "ehr: PREPARE TRANSACTION 'GID-ehr'",
      'research: BEGIN',
      "research: PREPARE TRANSACTION 'GID-research'",
      "ehr: COMMIT PREPARED 'GID-ehr'",
      "research: COMMIT PREPARED 'GID-research'",
      'ehr: BEGIN',
      'ehr: COMMIT',
    ]);
  });

  it('embedded: a failure in the second database rolls back the prepared first one and the new role', async () => {
    const { log, ctx } = fakes({ prepared: 8, exclusive: true, failOn: (db, sql) => db === 'research' && sql.startsWith('GRANT') });
    const r = await applyAcrossDatabases(statements, {}, ctx);
    expect(r.ok).toBe(false);
    const tail = sent(log).slice(sent(log).indexOf('research: GRANT USAGE ON SCHEMA "k" TO "r"'));
    expect(tail).toEqual(['research: GRANT USAGE ON SCHEMA "k" TO "r"', 'research: ROLLBACK', "ehr: ROLLBACK PREPARED 'GID-ehr'", 'ehr: DROP ROLE IF EXISTS "r"']);
  });

  it('embedded: refuses before running anything when the prepared transactions would not fit', async () => {
    const { log, ctx } = fakes({ prepared: 1, exclusive: true });
    await expect(applyAcrossDatabases(statements, {}, ctx)).rejects.toThrow(/fewer prepared transactions than the 2 databases/);
    expect(log.some((l) => /BEGIN|CREATE|GRANT/.test(l))).toBe(false);
  });
});
