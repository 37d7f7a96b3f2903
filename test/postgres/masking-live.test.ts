// Masking and row access enforced on a real engine, once on PGlite and once on a
// PostgreSQL server (RBAC_TEST_PG_URL): the example configuration applied to the
// seeded demo, then every example role reads every relation it can select, and no
// path may yield a clear SSN, name or account number to a role that is not exempt.
// Also: convergence, a policy body change planned as a diff, and a failing policy
// that rolls the whole apply back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAdapter, type PostgresAdapter } from '../../src/dialects/postgres/adapter.js';
import { seedDemo } from '../../src/demo/seed.js';
import { ZIP3_RESTRICTED } from '../../src/model/safe-harbor/index.js';
import { loadProject } from '../../src/config/load.js';
import { toDesired } from '../../src/config/desired.js';
import { planHooks } from '../../src/dialects/registry.js';
import { introspectScopeOf, scopeOf } from '../../src/plan/scope.js';
import { plan as computePlan } from '../../src/plan/plan.js';
import { renderPlanText } from '../../src/render/text.js';
import { changeBodies } from '../../src/render/describe.js';
import type { Desired } from '../../src/model/types.js';
import type { Plan } from '../../src/plan/types.js';
import type { Project } from '../../src/config/project.js';
import { repoRoot, withoutResearch } from '../helpers/cli.js';
import { freshServerDatabase, serverUrl, type ServerDatabase } from '../helpers/server.js';

type Row = Record<string, unknown>;

function defineMaskingTests(open: () => Promise<{ adapter: PostgresAdapter; done: () => Promise<void> }>) {
  let adapter: PostgresAdapter;
  let done: () => Promise<void>;
  let project: Project;
  const q = (sql: string) => adapter.session.query(sql) as Promise<Row[]>;

  async function planWith(edit: (d: Desired) => Desired = (d) => d): Promise<{ plan: Plan; desired: Desired }> {
    // One database here: the example's research grants are the demo's second database.
    const configured = edit(withoutResearch(toDesired(project, adapter.dialect).desired));
    const hooks = planHooks('postgres');
    const live = await adapter.introspect(introspectScopeOf(configured, project));
    const desired = hooks.prepareDesired!(configured, live);
    const p = computePlan(desired, live, {
      mode: project.mode,
      target: 'test',
      scope: scopeOf(desired, { managePublic: project.managePublic }),
      futureGrantCreators: live.currentUser ? [live.currentUser] : undefined,
    });
    return { plan: p, desired };
  }
  async function apply(p: Plan) {
    return adapter.apply(adapter.compile(p));
  }
  async function asRole<T>(role: string, fn: () => Promise<T>): Promise<T> {
    await q(`SET ROLE "${role}"`);
    try {
      return await fn();
    } finally {
      await q('RESET ROLE');
    }
  }
  /** Every relation and column the current role can select in the managed schemas. */
  async function readable(): Promise<Map<string, string[]>> {
    const rows = await q(`
      SELECT n.nspname AS s, c.relname AS t, a.attname AS c
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname IN ('clinical', 'billing', 'rbac') AND c.relkind IN ('r', 'v', 'm', 'p')
        AND has_column_privilege(c.oid, a.attnum, 'SELECT')
      ORDER BY 1, 2, a.attnum`);
    const out = new Map<string, string[]>();
    for (const r of rows) {
      const k = `"${r.s}"."${r.t}"`;
      out.set(k, [...(out.get(k) ?? []), `"${r.c}"`]);
    }
    return out;
  }

  let clear: { ssn: Set<string>; name: Set<string>; account: Set<string>; mrn: Set<string> };
  let totalEncounters = 0;

  beforeAll(async () => {
    ({ adapter, done } = await open());
    project = (await loadProject(repoRoot)).project;
    const [pa] = [await q('SELECT ssn, full_name, mrn FROM clinical.patients'), undefined];
    const acct = await q('SELECT account_number FROM billing.payments WHERE account_number IS NOT NULL');
    clear = {
      ssn: new Set(pa.map((r) => String(r.ssn))),
      name: new Set(pa.map((r) => String(r.full_name))),
      mrn: new Set(pa.map((r) => String(r.mrn))),
      account: new Set(acct.map((r) => String(r.account_number))),
    };
    totalEncounters = Number((await q('SELECT count(*) AS n FROM clinical.encounters'))[0].n);
    const first = await planWith();
    const res = await apply(first.plan);
    expect(res.ok, JSON.stringify(res.failed)).toBe(true);
  });
  afterAll(async () => done?.());

  it('converges: the next plan is empty', async () => {
    const { plan } = await planWith();
    expect(plan.changes).toEqual([]);
  });

  const roles = ['clinical_analyst', 'data_scientist', 'billing_auditor', 'etl_loader', 'phi_base_reader', 'alice', 'dave', 'carol', 'mallory'];
  it.each(roles)('%s reads no clear SSN, name, MRN or account number through any relation', async (role) => {
    await asRole(role, async () => {
      const rels = await readable();
      expect([...rels.keys()].some((k) => k.startsWith('"rbac"')), 'the salt is readable').toBe(false);
      for (const [rel, cols] of rels) {
        const rows = await q(`SELECT ${cols.join(', ')} FROM ${rel}`);
        for (const r of rows) {
          for (const v of Object.values(r)) {
            const s = String(v);
            expect(clear.ssn.has(s) || clear.name.has(s) || clear.account.has(s) || clear.mrn.has(s), `${role} read ${s} from ${rel}`).toBe(false);
          }
        }
      }
    });
  });

  it('privacy_officer (and erin, a member) read clear values from the table and the view', async () => {
    for (const role of ['privacy_officer', 'erin']) {
      const rows = await asRole(role, () => q('SELECT ssn, full_name, birth_date FROM clinical.patients ORDER BY patient_id LIMIT 5'));
      expect(rows.every((r) => clear.ssn.has(String(r.ssn)) && clear.name.has(String(r.full_name)))).toBe(true);
    }
    // Account numbers are masked for everyone, the privacy officer included: no grant at all.
    await expect(asRole('privacy_officer', () => q('SELECT account_number FROM billing.payments'))).rejects.toThrow();
  });

  it('clinical_analyst reads the SSN as ***-**-6789 and only facility F01 encounters', async () => {
    const rows = await asRole('clinical_analyst', () => q('SELECT ssn FROM clinical.patients_masked WHERE ssn IS NOT NULL'));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => /^\*\*\*-\*\*-\d{4}$/.test(String(r.ssn)))).toBe(true);
    await expect(asRole('clinical_analyst', () => q('SELECT ssn FROM clinical.patients'))).rejects.toThrow();
    const enc = await asRole('clinical_analyst', () => q('SELECT DISTINCT facility_id FROM clinical.encounters'));
    expect(enc.map((r) => r.facility_id)).toEqual(['F01']);
  });

  it('data_scientist sees birth year, ZIP3 and a stable hashed MRN; no row of encounters (no rule)', async () => {
    const rows = await asRole('data_scientist', () => q('SELECT birth_date::text AS b, zip, mrn FROM clinical.patients_masked ORDER BY patient_id'));
    const raw = await q('SELECT birth_date::text AS b, zip FROM clinical.patients ORDER BY patient_id');
    const cap = new Date().getFullYear() - 90;
    expect(rows.length).toBe(raw.length);
    // The year, or NULL (the one 90-or-older category) for a year 90 or more years back.
    expect(rows.map((r) => r.b)).toEqual(raw.map((r) => (Number(String(r.b).slice(0, 4)) <= cap ? null : `${String(r.b).slice(0, 4)}-01-01`)));
    expect(rows.some((r) => r.b === null)).toBe(true);
    expect(rows.map((r) => r.zip)).toEqual(raw.map((r) => (ZIP3_RESTRICTED.includes(String(r.zip).slice(0, 3)) ? '000' : String(r.zip).slice(0, 3))));
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(String(r.mrn)))).toBe(true);
    const again = await asRole('dave', () => q('SELECT mrn FROM clinical.patients_masked ORDER BY patient_id'));
    expect(again.map((r) => r.mrn)).toEqual(rows.map((r) => r.mrn));
    expect(await asRole('data_scientist', () => q('SELECT encounter_id FROM clinical.encounters'))).toEqual([]);
  });

  it('Safe Harbor through the view as the role: a restricted ZIP prefix reads 000; ages 89, 90, 91 and 95', async () => {
    // Ages relative to the server's date: exactly 89 today, 90, 91 and 95 today, and 89
    // with the 90th birthday tomorrow (born 90 years back by the calendar year).
    await q(`INSERT INTO clinical.patients (patient_id, full_name, birth_date, zip, facility_id) VALUES
      (900089, 'Age Eightynine', current_date - interval '89 years', '82301', 'F01'),
      (900090, 'Age Ninety', current_date - interval '90 years', '03601', 'F01'),
      (900091, 'Age Ninetyone', current_date - interval '91 years', '10027', 'F01'),
      (900095, 'Age Ninetyfive', current_date - interval '95 years', '89301', 'F01'),
      (900189, 'Age Almostninety', current_date - interval '90 years' + interval '1 day', '02139', 'F01')`);
    try {
      for (const role of ['data_scientist', 'dave']) {
        const rows = await asRole(role, () => q('SELECT patient_id AS id, birth_date::text AS b, zip FROM clinical.patients_masked WHERE patient_id >= 900000 ORDER BY patient_id'));
        const year = (n: number) => String(new Date().getFullYear() - n);
        const almost = (await q(`SELECT extract(year FROM current_date - interval '90 years' + interval '1 day')::int AS y`))[0].y;
        expect(rows).toEqual([
          { id: 900089, b: `${year(89)}-01-01`, zip: '000' },
          { id: 900090, b: null, zip: '000' },
          { id: 900091, b: null, zip: '100' },
          { id: 900095, b: null, zip: '000' },
          { id: 900189, b: Number(almost) <= new Date().getFullYear() - 90 ? null : `${almost}-01-01`, zip: '021' },
        ]);
      }
      // The privacy officer is exempt: clear values, from the table.
      const po = await asRole('privacy_officer', () => q('SELECT zip FROM clinical.patients WHERE patient_id = 900095'));
      expect(po).toEqual([{ zip: '89301' }]);
      // The demo seed itself holds a restricted ZIP (patient 1) and a 95-year-old (patient 2).
      const demo = await asRole('data_scientist', () => q('SELECT patient_id AS id, birth_date, zip FROM clinical.patients_masked WHERE patient_id IN (1, 2) ORDER BY 1'));
      expect(demo[0]).toMatchObject({ id: 1, zip: '000' });
      expect(demo[1]).toMatchObject({ id: 2, birth_date: null });
      // And its column grants on the table itself: the warehouse's own de-identified
      // columns follow the same rules, so nothing the role can read shows 059 or 1931.
      const cols = await asRole('data_scientist', () => q('SELECT patient_id AS id, birth_year, zip3 FROM clinical.patients WHERE patient_id IN (1, 2) ORDER BY 1'));
      expect(cols).toEqual([{ id: 1, birth_year: expect.any(Number), zip3: '000' }, { id: 2, birth_year: null, zip3: expect.any(String) }]);
    } finally {
      await q('DELETE FROM clinical.patients WHERE patient_id >= 900000');
    }
  });

  it('billing_auditor sees every encounter; etl_loader still writes under RLS', async () => {
    const n = await asRole('billing_auditor', () => q('SELECT count(*) AS n FROM clinical.encounters'));
    expect(Number(n[0].n)).toBe(totalEncounters);
    // Row access filters reads only: the write pass-through policies let ETL insert.
    await asRole('etl_loader', () =>
      q(`INSERT INTO clinical.encounters (encounter_id, patient_id, facility_id, admitted_at, encounter_type) VALUES (999999, 1, 'F02', now(), 'outpatient')`),
    );
    await asRole('etl_loader', () => q(`UPDATE clinical.encounters SET encounter_type = 'inpatient' WHERE false`));
    const acct = await asRole('billing_auditor', () => q('SELECT account_number FROM billing.payments_masked WHERE account_number IS NOT NULL LIMIT 3'));
    expect(acct.every((r) => /^\*{4}-\*{4}\d{4}$/.test(String(r.account_number)))).toBe(true);
  });

  it('a body change plans an alter with a diff, applies, converges; a failing policy rolls the whole apply back', async () => {
    const withExpr = (expr: string) => (d: Desired): Desired => ({
      ...d,
      maskingPolicies: d.maskingPolicies!.map((m) => (m.name === 'ssn_last4' ? { ...m, mask: undefined, expression: expr } : m)),
    });
    const changed = await planWith(withExpr("'XXX-XX-' || right({value}, 4)"));
    expect(changed.plan.changes.map((c) => c.kind)).toEqual(['alterMaskingPolicy']);
    const text = renderPlanText(changed.plan, adapter.compile(changed.plan));
    // The expression as re-printed from its parse tree: what runs is what the plan shows.
    expect(text).toContain(`CAST(('XXX-XX-' || "right"(ssn, 4)) AS text)`);
    const bodies = changeBodies(changed.plan.changes[0]);
    expect(bodies.find((b) => b.label === 'definition')).toMatchObject({
      from: expect.stringContaining('mask: last4'),
      to: expect.stringContaining("expression: 'XXX-XX-' || right({value}, 4)"),
    });
    const body = bodies.find((b) => b.label === 'body');
    expect(body?.from).toContain('regexp_replace(left("ssn"');
    expect(body?.to).toContain(`'XXX-XX-' || "right"(ssn, 4)`);
    expect((await apply(changed.plan)).ok).toBe(true);
    expect((await planWith(withExpr("'XXX-XX-' || right({value}, 4)"))).plan.changes).toEqual([]);
    const rows = await asRole('clinical_analyst', () => q('SELECT ssn FROM clinical.patients_masked WHERE ssn IS NOT NULL LIMIT 3'));
    expect(rows.every((r) => /^XXX-XX-\d{4}$/.test(String(r.ssn)))).toBe(true);

    // text + integer: the view cannot be created; nothing of the plan may stay.
    const bad = await planWith((d) => {
      const e = withExpr('{value} + 1')(d);
      return { ...e, rowAccessPolicies: [] };
    });
    expect(bad.plan.changes.map((c) => c.kind).sort()).toEqual(['alterMaskingPolicy', 'dropRowAccessPolicy']);
    const res = await apply(bad.plan);
    expect(res.ok).toBe(false);
    expect(res.rolledBack).toBe(true);
    expect(res.failed?.statement.sql).toContain('CREATE OR REPLACE VIEW');
    // Rolled back: the row policy is still there and the previous mask still applies.
    expect((await planWith(withExpr("'XXX-XX-' || right({value}, 4)"))).plan.changes).toEqual([]);

    // Back to the configuration as written.
    expect((await apply((await planWith()).plan)).ok).toBe(true);
    expect((await planWith()).plan.changes).toEqual([]);
  });
}

describe('masking and row access on PGlite', () => {
  defineMaskingTests(async () => {
    const adapter = await createPostgresAdapter();
    await seedDemo(adapter.session);
    return { adapter, done: () => adapter.close() };
  });
});

describe.skipIf(!serverUrl)('masking and row access on a PostgreSQL server', () => {
  defineMaskingTests(async () => {
    const db: ServerDatabase = await freshServerDatabase('rbac_mask');
    const adapter = await createPostgresAdapter({ url: db.url });
    await seedDemo(adapter.session);
    return {
      adapter,
      done: async () => {
        await adapter.close();
        await db.drop();
      },
    };
  });
});
