/**
 * The embedded demo warehouse: a synthetic hospital database (schemas `clinical` and
 * `billing`) with login users and some hand-made drift for the tool to find. All data
 * comes from a seeded PRNG over small lists of made-up names; SSNs are in the 900-xx-xxxx
 * range, which the SSA never issues. It describes no real person.
 *
 * Ownership choice: the connecting user (the PGlite superuser `postgres`) owns the
 * schemas and tables, as an ETL superuser would. So owner ACL entries belong to an
 * unmanaged role and future grants default to `FOR ROLE <current user>`.
 */
import { AGE_AGGREGATION_YEARS, ZIP3_RESTRICTED, ZIP3_RESTRICTED_VALUE } from '../model/safe-harbor/index.js';
import { rmSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { quoteIdent, quoteLiteral } from '../dialects/postgres/quote.js';
import type { PGlite } from '@electric-sql/pglite';
import { openPglite, type PgSession } from '../dialects/postgres/driver.js';
import type { QueryFn } from '../dialects/types.js';

/** Login users of the demo; `mallory` is the former employee. */
export const DEMO_USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'mallory'] as const;
/** Number of synthetic patients. */
export const DEMO_PATIENTS = 200;
/** The logical database name the example config uses for the demo. */
export const DEMO_LOGICAL_DATABASE = 'ehr';
/** The demo's second database, for research on de-identified extracts (same name, logical and physical). */
export const DEMO_RESEARCH_DATABASE = 'research';

/** What seeding needs: a simple-protocol exec and a query. */
export interface SeedTarget {
  exec(sql: string): Promise<void>;
  query: QueryFn;
}

export interface SeedOptions {
  /**
   * Prefix for every role the seed creates. Roles are cluster-wide on a real server, so
   * tests that share one use a unique prefix; the demo uses none.
   */
  rolePrefix?: string;
  /** PRNG seed; the same seed gives byte-identical data. */
  seed?: number;
}

/** mulberry32: tiny, deterministic, good enough for fake rows. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Patient 1's ZIP: its prefix 059 is one of Safe Harbor's restricted 3-digit areas. */
export const DEMO_RESTRICTED_ZIP = '05901';
/** Patient 2's birth year (95 years old in 2026, over 89 from then on). */
export const DEMO_OLDEST_BIRTH_YEAR = 1931;
/** The year the demo's de-identified columns (birth_year, zip3) were extracted in. */
export const DEMO_EXTRACT_YEAR = 2026;

/**
 * The warehouse's own de-identified columns follow Safe Harbor as the masks do: a year
 * 90 or more years before the extract is the "90 or older" category (NULL), and a
 * restricted 3-digit ZIP area is `000` (164.514(b)(2)(i)(B), (C)).
 */
const deidYear = (year: number): string => (year <= DEMO_EXTRACT_YEAR - AGE_AGGREGATION_YEARS ? 'NULL' : String(year));
const deidZip3 = (zip: string): string => (ZIP3_RESTRICTED.includes(zip.slice(0, 3)) ? ZIP3_RESTRICTED_VALUE : zip.slice(0, 3));

const FIRST = ['Ada', 'Bram', 'Cleo', 'Dov', 'Edda', 'Finn', 'Gala', 'Hugo', 'Iris', 'Jonas', 'Kira', 'Lev', 'Mira', 'Nils', 'Oona', 'Pim'];
const LAST = ['Quill', 'Rook', 'Sorrel', 'Tamsin', 'Umber', 'Vale', 'Wren', 'Yarrow', 'Zephyr', 'Ashby', 'Brindle', 'Corvin'];
const FACILITIES = ['F01', 'F02', 'F03'];
const ZIPS = ['02139', '02446', '10027', '60614', '94110', '98105', '73301', '30307'];
const ENCOUNTER_TYPES = ['inpatient', 'outpatient', 'emergency', 'telehealth'];
const ICD10: [string, string][] = [
  ['E11.9', 'Type 2 diabetes mellitus without complications'],
  ['I10', 'Essential (primary) hypertension'],
  ['J45.909', 'Unspecified asthma, uncomplicated'],
  ['M54.5', 'Low back pain'],
  ['F41.1', 'Generalized anxiety disorder'],
  ['K21.9', 'Gastro-esophageal reflux disease without esophagitis'],
];
const PAYERS = ['Acme Health', 'Blue Meadow', 'Medicare', 'Medicaid', 'Self-pay'];
const CLAIM_STATUS = ['submitted', 'paid', 'denied', 'pending'];

const DDL = `
CREATE SCHEMA clinical;
CREATE SCHEMA billing;
CREATE TABLE clinical.patients (
  patient_id int PRIMARY KEY, full_name text NOT NULL, ssn text, birth_date date, birth_year int,
  zip text, zip3 text, phone text, email text, mrn text, facility_id text NOT NULL);
CREATE TABLE clinical.encounters (
  encounter_id int PRIMARY KEY, patient_id int NOT NULL REFERENCES clinical.patients,
  facility_id text NOT NULL, admitted_at timestamptz NOT NULL, discharged_at timestamptz, encounter_type text NOT NULL);
CREATE TABLE clinical.diagnoses (
  diagnosis_id int PRIMARY KEY, encounter_id int NOT NULL REFERENCES clinical.encounters,
  icd10_code text NOT NULL, description text);
CREATE TABLE billing.claims (
  claim_id int PRIMARY KEY, patient_id int NOT NULL REFERENCES clinical.patients,
  encounter_id int REFERENCES clinical.encounters, payer text NOT NULL, amount numeric(12,2) NOT NULL,
  status text NOT NULL, submitted_at timestamptz NOT NULL);
CREATE TABLE billing.payments (
  payment_id int PRIMARY KEY, claim_id int NOT NULL REFERENCES billing.claims,
  amount numeric(12,2) NOT NULL, paid_at timestamptz NOT NULL, account_number text);
-- Invoice numbers the loader draws with nextval().
CREATE SEQUENCE billing.invoice_seq START 100000;
-- Reporting: aggregates without identifiers, for dashboards.
CREATE SCHEMA reporting;
CREATE VIEW reporting.encounters_by_facility AS
  SELECT facility_id, date_trunc('month', admitted_at) AS month, encounter_type, count(*) AS encounters
  FROM clinical.encounters GROUP BY 1, 2, 3;
-- De-identification helpers the analysts call (Safe Harbor: the first three ZIP digits).
CREATE SCHEMA util;
CREATE FUNCTION util.zip3(zip text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT left(zip, 3) $$;
`;

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

/** The seed's SQL, deterministic for a given seed and prefix (exported for tests). */
export function demoSql(opts: SeedOptions = {}): string {
  const rnd = prng(opts.seed ?? 20240601);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const L = quoteLiteral;
  const role = (n: string) => quoteIdent(`${opts.rolePrefix ?? ''}${n}`);

  const patients: string[] = [];
  const encounters: string[] = [];
  const diagnoses: string[] = [];
  const claims: string[] = [];
  const payments: string[] = [];
  let enc = 0;
  let dx = 0;
  let claim = 0;
  let pay = 0;
  for (let id = 1; id <= DEMO_PATIENTS; id++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    // Patient 1 lives in a restricted 3-digit ZIP area and patient 2 is 95 in 2026, so the
    // demo shows the Safe Harbor masks at work (zip3 -> 000, year -> the 90+ category).
    // The PRNG is drawn the same either way: every other row stays as it was.
    const drawnYear = int(1930, 2015);
    const drawnBirth = `${drawnYear}-${pad(int(1, 12), 2)}-${pad(int(1, 28), 2)}`;
    const drawnZip = pick(ZIPS);
    const year = id === 2 ? DEMO_OLDEST_BIRTH_YEAR : drawnYear;
    const birth = id === 2 ? `${DEMO_OLDEST_BIRTH_YEAR}-05-17` : drawnBirth;
    const zip = id === 1 ? DEMO_RESTRICTED_ZIP : drawnZip;
    const facility = pick(FACILITIES);
    const ssn = `9${pad(int(0, 99), 2)}-${pad(int(1, 99), 2)}-${pad(int(1, 9999), 4)}`;
    patients.push(
      `(${id}, ${L(`${first} ${last}`)}, ${L(ssn)}, ${L(birth)}, ${deidYear(year)}, ${L(zip)}, ${L(deidZip3(zip))}, ` +
        `${L(`555-01${pad(int(0, 99), 2)}`)}, ${L(`${first}.${last}${id}@example.invalid`.toLowerCase())}, ${L(`MRN${pad(id, 6)}`)}, ${L(facility)})`,
    );
    const nEnc = int(0, 3);
    for (let k = 0; k < nEnc; k++) {
      enc++;
      const day = int(1, 360);
      const admitted = new Date(Date.UTC(2024, 0, 1) + day * 86400000);
      const discharged = rnd() < 0.9 ? new Date(admitted.getTime() + int(0, 9) * 86400000) : undefined;
      encounters.push(
        `(${enc}, ${id}, ${L(facility)}, ${L(admitted.toISOString())}, ${discharged ? L(discharged.toISOString()) : 'NULL'}, ${L(pick(ENCOUNTER_TYPES))})`,
      );
      const nDx = int(1, 2);
      for (let d = 0; d < nDx; d++) {
        dx++;
        const [code, desc] = pick(ICD10);
        diagnoses.push(`(${dx}, ${enc}, ${L(code)}, ${L(desc)})`);
      }
      claim++;
      const amount = (int(5000, 900000) / 100).toFixed(2);
      const status = pick(CLAIM_STATUS);
      claims.push(`(${claim}, ${id}, ${enc}, ${L(pick(PAYERS))}, ${amount}, ${L(status)}, ${L(admitted.toISOString())})`);
      if (status === 'paid') {
        pay++;
        payments.push(
          `(${pay}, ${claim}, ${amount}, ${L(new Date(admitted.getTime() + 30 * 86400000).toISOString())}, ${L(`ACCT-${pad(int(0, 99999999), 8)}`)})`,
        );
      }
    }
  }
  const insert = (table: string, rows: string[]) => (rows.length ? `INSERT INTO ${table} VALUES\n${rows.join(',\n')};\n` : '');

  const users = DEMO_USERS.map((u) => `CREATE ROLE ${role(u)} LOGIN;`).join('\n');
  return [
    DDL,
    insert('clinical.patients', patients),
    insert('clinical.encounters', encounters),
    insert('clinical.diagnoses', diagnoses),
    insert('billing.claims', claims),
    insert('billing.payments', payments),
    users,
    // Hand-made drift, as found in a real warehouse before the tool took over:
    // a role made by hand, still holding a former employee;
    `CREATE ROLE ${role('clinical_analyst')} NOLOGIN;`,
    `GRANT ${role('clinical_analyst')} TO ${role('mallory')};`,
    `GRANT USAGE ON SCHEMA clinical TO ${role('clinical_analyst')};`,
    `GRANT SELECT ON clinical.encounters TO ${role('clinical_analyst')};`,
    // a privilege beyond the job (analysts never delete);
    `GRANT DELETE ON clinical.encounters TO ${role('clinical_analyst')};`,
    // PHI readable by every role;
    `GRANT SELECT ON clinical.patients TO PUBLIC;`,
    // and a grant option made by hand: the analyst could pass diagnoses on to anyone.
    `GRANT SELECT ON clinical.diagnoses TO ${role('clinical_analyst')} WITH GRANT OPTION;`,
  ].join('\n');
}

/**
 * The research database: de-identified extracts (no direct identifier: a study id, the
 * birth year, the 3-digit ZIP, diagnoses) and the sequence that numbers the subjects.
 * Deterministic for a given seed.
 */
export function researchSql(opts: SeedOptions = {}): string {
  const rnd = prng((opts.seed ?? 20240601) + 1);
  const L = quoteLiteral;
  const rows: string[] = [];
  for (let id = 1; id <= 50; id++) {
    const [code] = ICD10[Math.floor(rnd() * ICD10.length)];
    rows.push(`(nextval('cohort.subject_ids'), ${deidYear(1930 + Math.floor(rnd() * 86))}, ${L(deidZip3(ZIPS[Math.floor(rnd() * ZIPS.length)]))}, ${L(code)})`);
  }
  return `CREATE SCHEMA cohort;
CREATE SEQUENCE cohort.subject_ids;
CREATE TABLE cohort.subjects (subject_id bigint PRIMARY KEY, birth_year int, zip3 text, icd10_code text);
INSERT INTO cohort.subjects VALUES
${rows.join(',\n')};
`;
}

/** Create and fill the demo warehouse in the connected database, in one transaction. */
export async function seedDemo(db: SeedTarget, opts: SeedOptions = {}): Promise<void> {
  await db.exec(`BEGIN;\n${demoSql(opts)}\nCOMMIT;`);
}

/** True when the connected database already holds a complete seed (it is one transaction, so the last table is enough). */
export async function isSeeded(db: SeedTarget): Promise<boolean> {
  const rows = await db.query(`SELECT to_regclass('billing.payments') IS NOT NULL AS seeded`);
  return rows[0]?.seeded === true;
}

/** Where the demo keeps its files, relative to a base directory (the CLI passes its own). */
export function demoPaths(baseDir: string = process.cwd()): { root: string; dataDir: string } {
  const root = resolve(baseDir, '.rbac');
  return { root, dataDir: join(root, 'demo-pgdata') };
}

/**
 * Open the demo data directory, creating and seeding it on first use: the warehouse in
 * the first database, the research extracts in a second one (PGlite opens one database
 * per instance, so seeding it closes the first and opens it again).
 */
export async function ensureDemo(dataDir: string): Promise<PgSession & { pglite: PGlite }> {
  if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true });
  let session = await openPglite(dataDir);
  try {
    if (!(await isSeeded(session))) await seedDemo(session);
    const research = await session.query('SELECT 1 FROM pg_database WHERE datname = $1', [DEMO_RESEARCH_DATABASE]);
    if (research.length === 0) {
      await session.exec(`CREATE DATABASE ${quoteIdent(DEMO_RESEARCH_DATABASE)}`);
      await session.close();
      const r = await openPglite(dataDir, DEMO_RESEARCH_DATABASE);
      try {
        await r.exec(`BEGIN;\n${researchSql()}\nCOMMIT;`);
      } finally {
        await r.close();
      }
      session = await openPglite(dataDir);
    }
  } catch (err) {
    await session.close();
    throw err;
  }
  return session;
}

/** Throw the demo data away and seed it anew. */
export async function resetDemo(dataDir: string): Promise<PgSession & { pglite: PGlite }> {
  rmSync(dataDir, { recursive: true, force: true });
  return ensureDemo(dataDir);
}
