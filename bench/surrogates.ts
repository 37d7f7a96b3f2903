/**
 * `npm run bench -- surrogates`: the surrogate mask at size on PGlite. 200,000 patients
 * with 100,000 distinct MRNs (each twice): the time to map them all (the statement
 * apply runs), to top up 1,000 new ones (`rbac surrogates`), and to read the whole
 * masked column through the lookup, against the same read of the clear column.
 */
import { openPglite } from '../src/dialects/postgres/driver.js';
import { surrogateFillSql, surrogateTableSql, surrogateLookupSql } from '../src/dialects/postgres/surrogates.js';
import type { ColumnRef } from '../src/model/types.js';

const ms = (t0: bigint) => Number((process.hrtime.bigint() - t0) / 1_000_000n);

export async function benchSurrogates(): Promise<Record<string, unknown>> {
  const db = await openPglite();
  try {
    const rows = 200_000;
    await db.query('CREATE SCHEMA rbac');
    await db.query('CREATE SCHEMA clinical');
    await db.query('CREATE TABLE clinical.patients (patient_id bigint PRIMARY KEY, mrn text)');
    await db.query(`INSERT INTO clinical.patients SELECT g, 'MRN' || lpad((g % ${rows / 2})::text, 8, '0') FROM generate_series(1, ${rows}) g`);
    for (const s of surrogateTableSql(['PUBLIC'])) await db.query(s);
    const column: ColumnRef = { table: { kind: 'table', database: 'ehr', schema: 'clinical', name: 'patients' }, column: 'mrn' };
    let t0 = process.hrtime.bigint();
    await db.query(surrogateFillSql('mrn_surrogate', column));
    const fillMs = ms(t0);
    await db.query(`INSERT INTO clinical.patients SELECT g, 'NEW' || g FROM generate_series(${rows + 1}, ${rows + 1000}) g`);
    t0 = process.hrtime.bigint();
    await db.query(surrogateFillSql('mrn_surrogate', column));
    const topUpMs = ms(t0);
    await db.query('ANALYZE');
    t0 = process.hrtime.bigint();
    await db.query('SELECT count(mrn) FROM clinical.patients');
    const clearMs = ms(t0);
    t0 = process.hrtime.bigint();
    const n = await db.query(`SELECT count(${surrogateLookupSql('mrn_surrogate', 'mrn')}) AS n FROM clinical.patients`);
    const maskedMs = ms(t0);
    return { name: 'surrogates', rows: rows + 1000, distinct: rows / 2 + 1000, mapped: Number(n[0].n), fillMs, topUp1000Ms: topUpMs, readClearMs: clearMs, readMaskedMs: maskedMs };
  } finally {
    await db.close();
  }
}
