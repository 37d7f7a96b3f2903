/**
 * The surrogate mask end to end, once on the embedded demo (PGlite) and once on a
 * PostgreSQL server (RBAC_TEST_PG_URL), through the CLI: the
 * example's MRN policy switched from hash to surrogate; apply makes rbac's mapping
 * table and maps every MRN; the de-identified role reads random keys (one per MRN,
 * never the MRN, never a hash of it) and cannot read the mapping table; a patient
 * loaded afterwards reads NULL until `rbac surrogates` maps it; the top-up is no drift;
 * a grant made by hand on the mapping table is drift, and the next apply revokes it.
 */
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openPglite } from '../../src/dialects/postgres/driver.js';
import { rbac as cli, tempConfig } from '../helpers/cli.js';
import { freshServerDatabase, seedServerDemo, serverUrl, type ServerDatabase } from '../helpers/server.js';

type Row = Record<string, unknown>;

interface Where {
  /** Extra CLI arguments that name the target (none: the embedded default). */
  target: string[];
  /** One query on the target as the superuser, or as `role`. */
  sql(text: string, role?: string): Promise<Row[]>;
  done(): Promise<void>;
}

function defineSurrogateTests(open: (dir: string) => Promise<Where>) {
  let dir: string;
  let where: Where;
  const sql = (text: string, role?: string) => where.sql(text, role);
  const rbac = (argv: string[]) => cli([...argv, ...where.target]);

  beforeAll(async () => {
    dir = await tempConfig();
    where = await open(dir);
    await rm(path.join(dir, 'grants', 'research.yaml'));
    const file = path.join(dir, 'grants', 'clinical.yaml');
    const text = await readFile(file, 'utf8');
    const edited = text.replace('  - name: mrn_hash\n    columns: [ehr.clinical.patients.mrn]\n    mask: hash', '  - name: mrn_surrogate\n    columns: [ehr.clinical.patients.mrn]\n    mask: surrogate');
    expect(edited).not.toBe(text);
    await writeFile(file, edited);
  });
  afterAll(async () => {
    await where?.done();
    await rm(dir, { recursive: true, force: true });
  });

  it('plan shows the mapping table and the fill; apply converges', async () => {
    const p = await rbac(['plan', '--config', dir]);
    expect(p.code, p.err).toBe(0);
    expect(p.out).toContain('CREATE TABLE IF NOT EXISTS "rbac"."surrogates" (policy text NOT NULL, value text NOT NULL, surrogate text NOT NULL');
    expect(p.out).toContain(`SELECT 'mrn_surrogate', x.v, replace(gen_random_uuid()::text, '-', '')`);
    expect(p.out).toContain(`(SELECT m.surrogate FROM "rbac"."surrogates" m WHERE m.policy = 'mrn_surrogate' AND m.value = CAST("mrn" AS text))`);
    const a = await rbac(['apply', '--config', dir, '--auto-approve']);
    expect(a.code, a.err + a.out).toBe(0);
    const again = await rbac(['plan', '--config', dir, '--detailed-exitcode']);
    expect(again.code, again.out).toBe(0);
  });

  // The role holds SELECT on the view's masked columns only (birth_date, zip, mrn): it
  // reads the MRN column as a whole, so the checks compare multisets.
  const maskedMrns = async () => (await sql('SELECT mrn FROM clinical.patients_masked', 'data_scientist')).map((r) => r.mrn as string | null);
  const nulls = (xs: readonly (string | null)[]) => xs.filter((x) => x === null).length;

  it('the de-identified role reads one random key per MRN, never the MRN nor a hash of it', async () => {
    const clear = (await sql('SELECT mrn FROM clinical.patients')).map((r) => r.mrn as string | null);
    const masked = await maskedMrns();
    expect(masked.length).toBe(clear.length);
    expect(nulls(masked)).toBe(nulls(clear));
    const table = await sql(`SELECT value, surrogate FROM rbac.surrogates WHERE policy = 'mrn_surrogate'`);
    const keyOf = new Map(table.map((r) => [String(r.value), String(r.surrogate)]));
    // Every MRN is mapped, to a 32-hex key, distinct MRNs to distinct keys.
    expect([...keyOf.keys()].sort()).toEqual([...new Set(clear.filter((m) => m !== null))].sort());
    expect(new Set(keyOf.values()).size).toBe(keyOf.size);
    for (const [mrn, key] of keyOf) {
      expect(key).toMatch(/^[0-9a-f]{32}$/);
      // Not derived from the MRN: not its unsalted digest either.
      expect(key).not.toBe(createHash('md5').update(mrn).digest('hex'));
    }
    // What the role reads is exactly the keys of the MRNs, never an MRN.
    const expected = clear.filter((m) => m !== null).map((m) => keyOf.get(m!)!).sort();
    expect(masked.filter((m) => m !== null).sort()).toEqual(expected);
    expect(masked.some((m) => m !== null && keyOf.has(m))).toBe(false);
    await expect(sql('SELECT * FROM rbac.surrogates', 'data_scientist')).rejects.toThrow(/permission denied/);
    // The exempt role reads the MRN itself (from the table, which it may read).
    const officer = (await sql('SELECT mrn FROM clinical.patients', 'privacy_officer')).map((r) => r.mrn);
    expect(officer.sort()).toEqual([...clear].sort());
  });

  it('a patient loaded later reads NULL until rbac surrogates maps it; the top-up is no drift', async () => {
    const before = nulls(await maskedMrns());
    await sql(`INSERT INTO clinical.patients (patient_id, full_name, mrn, facility_id) SELECT max(patient_id) + 1, 'New Patient', 'MRN-NEW-0001', 'F01' FROM clinical.patients`);
    expect(nulls(await maskedMrns())).toBe(before + 1);

    const dry = await rbac(['surrogates', '--config', dir, '--dry-run', '--format', 'json']);
    expect(dry.code, dry.err).toBe(0);
    expect(JSON.parse(dry.out)).toEqual({
      platform: 'postgres',
      dryRun: true,
      columns: [{ policy: 'mrn_surrogate', column: 'ehr.clinical.patients.mrn', unmappedBefore: 1, mapped: 0, unmappedAfter: 1 }],
      notApplied: [],
    });
    expect(nulls(await maskedMrns())).toBe(before + 1);

    const run = await rbac(['surrogates', '--config', dir]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toBe('ehr.clinical.patients.mrn (mrn_surrogate): 1 key made, 0 values still without one\n');
    expect(nulls(await maskedMrns())).toBe(before);
    const key = (await sql(`SELECT surrogate FROM rbac.surrogates WHERE policy = 'mrn_surrogate' AND value = 'MRN-NEW-0001'`))[0]?.surrogate;
    expect(await maskedMrns()).toContain(key);
    const again = await rbac(['surrogates', '--config', dir]);
    expect(again.out).toBe('ehr.clinical.patients.mrn (mrn_surrogate): 0 keys made, 0 values still without one\n');

    const drift = await rbac(['drift', '--config', dir, '--format', 'json']);
    expect(drift.code, drift.out).toBe(0);
  });

  it('a grant on the mapping table made by hand is drift and is revoked', async () => {
    await sql('GRANT SELECT ON rbac.surrogates TO clinical_analyst');
    const drift = await rbac(['drift', '--config', dir, '--format', 'json']);
    expect(drift.code).toBe(2);
    const items = JSON.parse(drift.out).items as { description: string }[];
    expect(items.map((i) => i.description).join('\n')).toMatch(/clinical_analyst.*rbac\.surrogates|rbac\.surrogates.*clinical_analyst/);
    const p = await rbac(['plan', '--config', dir]);
    expect(p.out).toContain('REVOKE SELECT ON TABLE "rbac"."surrogates" FROM "clinical_analyst"');
    const a = await rbac(['apply', '--config', dir, '--auto-approve', '--allow-destructive']);
    expect(a.code, a.err + a.out).toBe(0);
    await expect(sql('SELECT * FROM rbac.surrogates', 'clinical_analyst')).rejects.toThrow(/permission denied/);
  });

  it('the lint accepts the surrogate for the de-identified role without an Expert Determination', async () => {
    const roles = path.join(dir, 'roles', 'clinical.yaml');
    const text = await readFile(roles, 'utf8');
    const without = text.replace(/    expert_determination:\n(      .*\n){3}/, '');
    expect(without).not.toBe(text);
    await writeFile(roles, without);
    // The configuration's lint (no --target: the live findings of a server are other tests').
    const lint = await cli(['lint', '--config', dir, '--format', 'json']);
    const findings = JSON.parse(lint.out).findings as { rule: string; message: string }[];
    expect(findings.filter((f) => f.rule === 'deidentified-mask-not-safe-harbor')).toEqual([]);
    const text2 = await cli(['lint', '--config', dir]);
    expect(text2.out).toMatch(/ehr\.clinical\.patients\.mrn \(medical_record_number\) masked by mrn_surrogate \(surrogate\): satisfies 164\.514\(b\)\(2\)\(i\)\(H\)/);
  });
}

describe('the surrogate mask on PGlite', () => {
  defineSurrogateTests(async (dir) => ({
    target: [],
    async sql(text, role) {
      const s = await openPglite(path.join(dir, '.rbac/pglite'));
      try {
        if (role) await s.query(`SET ROLE "${role}"`);
        return await s.query(text);
      } finally {
        await s.close();
      }
    },
    done: async () => undefined,
  }));
});

describe.skipIf(!serverUrl)(`the surrogate mask on a PostgreSQL server${serverUrl ? '' : ' (skipped: RBAC_TEST_PG_URL is not set)'}`, () => {
  defineSurrogateTests(async () => {
    const db: ServerDatabase = await freshServerDatabase('rbac_surrogate');
    await seedServerDemo(db.url);
    return {
      target: ['--target', db.url],
      async sql(text, role) {
        const c = new pg.Client({ connectionString: db.url });
        await c.connect();
        try {
          if (role) await c.query(`SET ROLE "${role}"`);
          return (await c.query(text)).rows;
        } finally {
          await c.end();
        }
      },
      done: () => db.drop(),
    };
  });
});
