// The Safe Harbor masks evaluated by a real engine (PGlite): the SQL maskSql writes for
// zip3 and year, run over restricted and ordinary ZIP codes and over people aged 89, 90,
// 91 and 95 today, for every column type the year mask takes. Golden SQL beside it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type PgSession } from '../../src/dialects/postgres/driver.js';
import { maskSql } from '../../src/dialects/postgres/masking.js';
import { ZIP3_RESTRICTED } from '../../src/model/safe-harbor/index.js';

let db: PgSession;
beforeAll(async () => {
  db = await openPglite();
});
afterAll(async () => db?.close());

const evaluate = async (sql: string, type: string, values: string[]) => {
  const rows = await db.query(`SELECT ${sql} AS m FROM (VALUES ${values.map((v) => `(${v}::${type})`).join(', ')}) AS t("v")`);
  return rows.map((r) => (r.m === null ? null : r.m instanceof Date ? r.m.toISOString().slice(0, 10) : String(r.m)));
};

describe('Safe Harbor masks on PostgreSQL', () => {
  it('golden SQL: zip3 lists the 17 prefixes as quoted literals; year for dates and for integer years', () => {
    expect(ZIP3_RESTRICTED).toEqual(['036', '059', '063', '102', '203', '556', '692', '790', '821', '823', '830', '831', '878', '879', '884', '890', '893']);
    expect(maskSql({ mask: 'zip3' }, 'zip"x', 'text')).toBe(
      `CAST(CASE WHEN left("zip""x", 3) IN ('036', '059', '063', '102', '203', '556', '692', '790', '821', '823', '830', '831', '878', '879', '884', '890', '893') THEN '000' ELSE left("zip""x", 3) END AS text)`,
    );
    expect(maskSql({ mask: 'year' }, 'born', 'date')).toBe(
      `CAST(CASE WHEN extract(year FROM "born") <= extract(year FROM current_date) - 90 THEN NULL ELSE date_trunc('year', "born") END AS date)`,
    );
    expect(maskSql({ mask: 'year' }, 'birth_year', 'integer')).toBe(
      `CAST(CASE WHEN "birth_year" <= extract(year FROM current_date) - 90 THEN NULL ELSE "birth_year" END AS integer)`,
    );
    expect(() => maskSql({ mask: 'year' }, 'x', 'numeric(4,0)')).toThrow(/mask year cannot keep the type of column "x"/);
  });

  it('golden SQL: surrogate is a lookup in rbac.surrogates by policy and value, on text columns only', () => {
    expect(maskSql({ mask: 'surrogate', name: "mrn's" }, 'mrn"x', 'character varying(20)')).toBe(
      `CAST((SELECT m.surrogate FROM "rbac"."surrogates" m WHERE m.policy = 'mrn''s' AND m.value = CAST("mrn""x" AS text)) AS character varying(20))`,
    );
    expect(() => maskSql({ mask: 'surrogate', name: 'ids' }, 'id', 'bigint')).toThrow(/mask surrogate cannot keep the type of column "id" \(bigint\)/);
  });

  it('zip3: every restricted prefix reads 000, others their first three digits, NULL stays NULL', async () => {
    const zips = [...ZIP3_RESTRICTED.map((p) => `${p}42`), '02139', '10027', '89401', '0', null];
    const got = await evaluate(maskSql({ mask: 'zip3' }, 'v', 'text'), 'text', zips.map((z) => (z === null ? 'NULL' : `'${z}'`)));
    expect(got).toEqual([...ZIP3_RESTRICTED.map(() => '000'), '021', '100', '894', '0', null]);
  });

  it.each(['date', 'timestamp without time zone', 'timestamp with time zone'])('year on %s: ages 89 kept as the year; 90, 91 and 95 aggregated (NULL)', async (type) => {
    const ages = [89, 90, 91, 95];
    const got = await evaluate(maskSql({ mask: 'year' }, 'v', type), type, ages.map((a) => `(current_date - interval '${a} years')`));
    const year = new Date().getFullYear();
    expect(got.map((g) => g?.slice(0, 4) ?? null)).toEqual([String(year - 89), null, null, null]);
    // The year's first day: nothing but the year remains.
    expect(got[0]).toMatch(/^\d{4}-01-01/);
  });

  it('year on an integer birth year: 89 years back kept, 90, 91 and 95 years back aggregated (NULL)', async () => {
    const year = new Date().getFullYear();
    const got = await evaluate(maskSql({ mask: 'year' }, 'v', 'integer'), 'integer', [89, 90, 91, 95].map((a) => String(year - a)));
    expect(got).toEqual([String(year - 89), null, null, null]);
  });
});
