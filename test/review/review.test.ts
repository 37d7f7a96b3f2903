// The quarterly access review on the demo: every user with direct and inherited roles,
// the role x PHI matrix, privileged roles with justification, the HR roster
// cross-check (mallory left), and an HTML file that headless Chromium renders.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv, parseRoster } from '../../src/review/roster.js';
import { csvCell } from '../../src/review/render.js';
import { cli, exampleConfig, removeDir } from '../cli-workflows/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ROSTER = 'employee_id,username,status\n1,alice,active\n2,bob,active\n3,carol,active\n4,dave,active\n5,erin,active\n6,frank,active\n7,grace,active\n8,mallory,terminated\n';

describe('roster parsing', () => {
  it('reads quoted CSV, picks the user column and drops people who left', () => {
    expect(parseCsv('a,"b,""c"""\r\n1,2\n')).toEqual([['a', 'b,"c"'], ['1', '2']]);
    expect(parseRoster(ROSTER, 'hr.csv').users).toEqual(['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace']);
    expect(parseRoster('Name\nZed\n').users).toEqual(['Zed']);
  });
  it('neutralizes spreadsheet formulas in CSV cells', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('plain')).toBe('plain');
  });
});

describe('rbac review on the embedded demo', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await exampleConfig();
    await writeFile(join(dir, 'hr.csv'), ROSTER);
  });
  afterAll(() => removeDir(dir));

  it('before apply: flags mallory (terminated on the roster) and PHI open to PUBLIC', async () => {
    const r = await cli(dir, ['review', '--roster', 'hr.csv']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('# Access review: local (postgres)');
    expect(r.out).toContain('**ACTION**: mallory holds clinical_analyst but was terminated (HR roster): remove access now');
    expect(r.out).toContain('**ACTION**: PUBLIC holds SELECT on PHI');
    expect(r.out).toMatch(/\| mallory \|  \|  \| clinical_analyst \| — \| 3 \| name, geographic, date, telephone, email, ssn, medical_record_number \| terminated: remove now \|/);
    expect(r.out).toContain('Users with access who are not on the roster (remove now): none.');
    expect(r.out).toContain('Users with access whom the roster marks terminated (remove now): mallory.');
    expect(r.out).toContain('On the roster without access (information): alice, bob, carol, dave, erin, frank, grace.');
    expect(r.out).toMatch(/\| clinical_analyst \| CLEAR \| CLEAR \| CLEAR \| CLEAR \| CLEAR \| CLEAR \| CLEAR \| · \|/);
  });

  it('after apply: direct and inherited roles, the PHI matrix (masked through the views) and privileged roles', async () => {
    expect((await cli(dir, ['apply', '--auto-approve'])).code).toBe(0);
    const r = await cli(dir, ['review', '--roster', 'hr.csv', '--out', 'review.md']);
    expect(r.code).toBe(0);
    const md = await readFile(join(dir, 'review.md'), 'utf8');
    expect(md).toContain('| alice | Clinical quality analyst | carol | clinical_analyst | phi_base_reader | 5 | — | listed |');
    expect(md).toContain('| erin | Privacy officer |  | privacy_officer | phi_base_reader | 2 | name, geographic, date, telephone, email, ssn, medical_record_number | listed |');
    expect(md).toMatch(/\| privacy_officer \| CLEAR \| CLEAR \| CLEAR \| CLEAR \| CLEAR \| CLEAR \| CLEAR \| · \|/);
    // Postgres masks through the tool's <table>_masked views: reads there are masked.
    expect(md).toMatch(/\| data_scientist \| · \| masked \| masked \| · \| · \| · \| masked \| · \|/);
    expect(md).toMatch(/\| billing_auditor \| · \| · \| · \| · \| · \| · \| · \| masked \|/);
    expect(md).toContain('| ehr.clinical.patients_masked | birth_year, facility_id, patient_id, ssn, zip3 | ssn (ssn, masked by ssn_last4) | clinical_analyst |');
    expect(md).toContain('- **privacy_officer** (held by erin): Investigates privacy complaints');
    expect(md).toContain('| ehr.clinical.patients | birth_year, facility_id, patient_id, zip3 | — | clinical_analyst |');
    // The only findings left are the whole account's: the embedded demo's own superuser
    // (it owns the tables too) has no written justification (test/review/account.test.ts).
    const findings = md.slice(md.indexOf('## Findings'), md.indexOf('## PHI by role')).split('\n').filter((l) => l.startsWith('- '));
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) expect(f).toMatch(/^- \*\*ACTION\*\*: postgres (holds|is not managed by rbac and reads PHI in clear)/);
    expect(md).toContain('Users with access who are not on the roster (remove now): none.');
    expect(md).toContain('On the roster without access (information): grace.');
    expect(md).toContain('## Sign-off');
    // mallory's login stays on the server (the review lists every user of the account), without any role, and the roster marks her terminated.
    expect(md).toMatch(/\| mallory \|  \|  \| — \| — \| 0 \| — \| terminated \|/);
    expect(md.slice(md.indexOf('## Findings'), md.indexOf('## PHI by role'))).not.toContain('mallory');
  });

  it('writes CSV with one row per user and readable table', async () => {
    const r = await cli(dir, ['review', '--format', 'csv']);
    expect(r.code).toBe(0);
    const rows = parseCsv(r.out);
    expect(rows[0]).toEqual(['user', 'title', 'manager', 'hr_roster', 'direct_roles', 'inherited_roles', 'table', 'columns', 'via_roles', 'phi_clear', 'phi_masked', 'schema_usage']);
    const erin = rows.filter((x) => x[0] === 'erin');
    expect(erin.map((x) => x[6])).toEqual(['ehr.clinical.encounters', 'ehr.clinical.patients']);
    expect(erin[1][7]).toBe('ALL');
    expect(erin[1][9]).toBe('date email geographic medical_record_number name ssn telephone');
    expect(rows.find((x) => x[0] === 'dave' && x[6] === 'ehr.clinical.patients')![7]).toBe('birth_year patient_id zip3');
  });

  it('writes one self-contained HTML file that headless Chromium renders', async () => {
    const r = await cli(dir, ['review', '--roster', 'hr.csv', '--format', 'html', '--out', 'review.html']);
    expect(r.code).toBe(0);
    const html = await readFile(join(dir, 'review.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src=|url\(|@import/i);
    expect(html).toContain('<table class="matrix">');
    expect(html).toContain('<td class="c clear" title="clear">CLEAR</td>');
    expect(html).toContain('<td class="c masked" title="masked">masked</td>');
  });

  it.skipIf(!existsSync(CHROMIUM))('renders in headless Chromium without errors (needs /usr/bin/chromium)', async () => {
    const profile = await mkdtemp(join(tmpdir(), 'rbac-t6-chromium-'));
    try {
      const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
        execFile(
          CHROMIUM,
          ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync',
            `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0', '--dump-dom', pathToFileURL(join(dir, 'review.html')).href],
          { timeout: 60_000, maxBuffer: 16 << 20 },
          (err, stdout, stderr) => (err ? reject(err) : resolve({ stdout: String(stdout), stderr: String(stderr) })),
        );
      });
      // The DOM Chromium built holds the matrix and every section.
      expect(stdout).toContain('<table class="matrix">');
      for (const id of ['findings', 'matrix', 'users', 'roles', 'privileged', 'roster', 'signoff']) expect(stdout).toContain(`id="${id}"`);
      expect(stdout).toContain('privacy_officer');
      expect(stderr).not.toMatch(/CONSOLE|Uncaught|Failed to load resource|net::ERR_/);
    } finally {
      await removeDir(profile);
    }
  });
});
