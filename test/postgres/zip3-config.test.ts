/**
 * `safe_harbor.zip3_restricted` in rbac.yaml replaces the built-in list of restricted
 * ZIP prefixes, end to end on the embedded demo (PGlite) through the CLI: the masking
 * view is compiled with the configured list and read as the de-identified role; a
 * changed list is a planned change of the policy, applied, and then nothing to do. An
 * unquoted prefix (YAML reads 036 as the number 36) is a located error.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/dialects/postgres/driver.js';
import { rbac, tempConfig } from '../helpers/cli.js';

const section = (prefixes: string) => `\nsafe_harbor:\n  zip3_restricted:\n    source: "2020 Census ZCTA populations (test)"\n    prefixes: ${prefixes}\n`;

describe('a configured zip3 list on PGlite', () => {
  let dir: string;
  let base: string;
  const zips = async () => {
    const s = await openPglite(path.join(dir, '.rbac/pglite'));
    try {
      const clear = (await s.query('SELECT zip FROM clinical.patients ORDER BY patient_id')).map((r) => String(r.zip));
      await s.query('SET ROLE data_scientist');
      // data_scientist reads the view's zip column only (no patient_id): compare as multisets.
      const masked = (await s.query('SELECT zip FROM clinical.patients_masked')).map((r) => String(r.zip)).sort();
      return { clear, masked };
    } finally {
      await s.close();
    }
  };
  beforeAll(async () => {
    dir = await tempConfig();
    await rm(path.join(dir, 'grants', 'research.yaml'));
    base = await readFile(path.join(dir, 'rbac.yaml'), 'utf8');
    await writeFile(path.join(dir, 'rbac.yaml'), base + section('["059", "021"]'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('the view makes the configured prefixes 000, and only those', async () => {
    const p = await rbac(['plan', '--config', dir]);
    expect(p.code, p.err).toBe(0);
    expect(p.out).toContain(`IN ('021', '059') THEN '000'`);
    const a = await rbac(['apply', '--config', dir, '--auto-approve']);
    expect(a.code, a.err + a.out).toBe(0);
    const { clear, masked } = await zips();
    const want = clear.map((z) => (['021', '059'].includes(z.slice(0, 3)) ? '000' : z.slice(0, 3))).sort();
    expect(masked).toEqual(want);
    // The demo has a 021 ZIP (not restricted by the 2000 list) and the restricted 05901.
    expect(clear.some((z) => z.startsWith('021'))).toBe(true);
    expect(masked.filter((z) => z === '000').length).toBe(clear.filter((z) => z.startsWith('021') || z.startsWith('059')).length);
    const again = await rbac(['plan', '--config', dir, '--detailed-exitcode']);
    expect(again.code, again.out).toBe(0);
    // The lint cites the configured list for the de-identified role's zip3 column.
    const lint = await rbac(['lint', '--config', dir]);
    expect(lint.out).toContain('makes the 2 restricted prefixes of the configured list (2020 Census ZCTA populations (test)) 000');
  });

  it('a changed list is a change of the policy; applied, the next plan is empty', async () => {
    await writeFile(path.join(dir, 'rbac.yaml'), base + section('["059"]'));
    const p = await rbac(['plan', '--config', dir, '--detailed-exitcode']);
    expect(p.code, p.out).toBe(2);
    expect(p.out).toContain(`IN ('059') THEN '000'`);
    expect((await rbac(['apply', '--config', dir, '--auto-approve'])).code).toBe(0);
    const { clear, masked } = await zips();
    expect(masked).toEqual(clear.map((z) => (z.startsWith('059') ? '000' : z.slice(0, 3))).sort());
    expect((await rbac(['plan', '--config', dir, '--detailed-exitcode'])).code).toBe(0);
    // Back to the built-in list: a change again.
    await writeFile(path.join(dir, 'rbac.yaml'), base);
    expect((await rbac(['plan', '--config', dir, '--detailed-exitcode'])).code).toBe(2);
  });

  it('an unquoted prefix is a located error that says to quote it', async () => {
    await writeFile(path.join(dir, 'rbac.yaml'), base + section('[059, "036"]'));
    const v = await rbac(['validate', '--config', dir]);
    expect(v.code).toBe(1);
    const line = (base + section('[059, "036"]')).split('\n').findIndex((l) => l.includes('prefixes:')) + 1;
    expect(v.err).toMatch(new RegExp(`rbac\\.yaml:${line}:\\d+: error`));
    expect(v.err).toContain('must be a three-digit ZIP prefix, got the number 059');
    expect(v.err).toContain('write it in quotes if you meant the text: "059"');
  });
});
