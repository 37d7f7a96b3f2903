import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_PATIENTS, demoPaths, demoSql, ensureDemo, isSeeded, resetDemo } from '../../src/demo/seed.js';

describe('demo warehouse', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rbac-demo-'));
  const dataDir = join(dir, 'pgdata');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('generates the same data for the same seed, other data for another', () => {
    expect(demoSql()).toBe(demoSql());
    expect(demoSql({ seed: 1 })).not.toBe(demoSql({ seed: 2 }));
    expect(demoSql({ rolePrefix: 'x_' })).toContain('CREATE ROLE "x_mallory" LOGIN');
  });

  it('seeds a data directory once, reopens it without reseeding, and resets it', async () => {
    let s = await ensureDemo(dataDir);
    try {
      const [stats] = await s.query(`SELECT count(*)::int AS n,
          bool_and(ssn ~ '^9[0-9]{2}-[0-9]{2}-[0-9]{4}$') AS ssn_invalid_range,
          bool_and(facility_id IN ('F01','F02','F03')) AS facilities,
          -- The de-identified columns follow Safe Harbor: a restricted 3-digit area is 000,
          -- a year 90 or more years before the extract (2026) is NULL.
          bool_and(zip3 = CASE WHEN left(zip, 3) IN ('036','059','063','102','203','556','692','790','821','823','830','831','878','879','884','890','893') THEN '000' ELSE left(zip, 3) END) AS zip3,
          bool_and(birth_year IS NOT DISTINCT FROM CASE WHEN extract(year FROM birth_date) <= 1936 THEN NULL ELSE extract(year FROM birth_date) END) AS years
        FROM clinical.patients`);
      expect(stats).toEqual({ n: DEMO_PATIENTS, ssn_invalid_range: true, facilities: true, zip3: true, years: true });
      const [enc] = await s.query(`SELECT count(*)::int AS n FROM clinical.encounters`);
      expect(enc.n).toBeGreaterThan(100);
      await s.exec(`INSERT INTO clinical.patients (patient_id, full_name, facility_id) VALUES (9999, 'Marker Row', 'F01')`);
    } finally {
      await s.close();
    }
    s = await ensureDemo(dataDir);
    try {
      expect(await isSeeded(s)).toBe(true);
      expect(await s.query(`SELECT 1 FROM clinical.patients WHERE patient_id = 9999`)).toHaveLength(1);
    } finally {
      await s.close();
    }
    s = await resetDemo(dataDir);
    try {
      expect(await s.query(`SELECT 1 FROM clinical.patients WHERE patient_id = 9999`)).toHaveLength(0);
      const [c] = await s.query(`SELECT count(*)::int AS n FROM clinical.patients`);
      expect(c.n).toBe(DEMO_PATIENTS);
    } finally {
      await s.close();
    }
  });

  it('keeps its files under .rbac of the base directory', () => {
    const p = demoPaths('/base');
    expect(p.root).toBe(join('/base', '.rbac'));
    expect(p.dataDir.startsWith(p.root)).toBe(true);
  });
});
