// The printed access review fits the page: headless Chromium lays the report out at
// the printable width of an A4 page (the narrower of A4 and Letter) with the print
// styles applied, and a script measures that no table runs past the right margin.
// Also: a user the HR roster marks terminated shows as "terminated: remove now".
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderReviewHtml, renderReviewMarkdown } from '../../src/review/render.js';
import type { AccessReview, ReviewUser } from '../../src/review/review.js';
import { parseRoster } from '../../src/review/roster.js';
import { removeDir } from '../cli-workflows/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const CATS = ['name', 'geographic', 'date', 'telephone', 'email', 'ssn', 'medical_record_number', 'health_plan_beneficiary_number'];

function user(name: string, over: Partial<ReviewUser> = {}): ReviewUser {
  return {
    name,
    title: 'Clinical research coordinator, oncology department (east wing)',
    manager: 'dr_margaret_hamilton_chief_medical_information_officer',
    inConfig: true,
    onTarget: true,
    direct: ['clinical_research_coordinator_oncology_east', 'phi_base_reader_with_a_long_name'],
    inherited: [{ role: 'deidentified_reader_for_population_health_research', path: [name, 'x', 'y'] }],
    phi: Object.fromEntries(CATS.map((c) => [c, 'clear'])),
    tables: 12,
    roster: 'listed',
    ...over,
  };
}

const review: AccessReview = {
  title: 'Access review',
  target: 'prod',
  platform: 'snowflake',
  generatedAt: '2026-12-01T00:00:00Z',
  categories: CATS,
  users: [
    user('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@hospital.example.org'),
    user('mallory', { roster: 'terminated', terminatedOn: '2026-11-30' }),
    user('bob'),
  ],
  roles: [],
  privileged: [],
  roster: { file: 'hr.csv', missing: [], terminated: ['mallory'], withoutAccess: [] },
  account: { read: false, privileged: [], unmanagedPhi: [] },
  findings: [],
};

describe('terminated users', () => {
  it('the roster reads status: terminated and a terminated date column; old files read as before', () => {
    const r = parseRoster('username,status,terminated\nalice,active,\nmallory,active,2026-11-30\nbob,terminated,\ncarol,,no\n');
    expect(r.users).toEqual(['alice', 'carol']);
    expect(r.terminated).toEqual([{ user: 'mallory', date: '2026-11-30' }, { user: 'bob' }]);
    expect(parseRoster('username\nalice\n').terminated).toEqual([]);
    // a rehire listed twice counts as active
    expect(parseRoster('username,status\nzoe,terminated\nzoe,active\n')).toMatchObject({ users: ['zoe'], terminated: [] });
  });

  it('the review shows them as terminated, remove now, in markdown and HTML', () => {
    const md = renderReviewMarkdown(review);
    expect(md).toMatch(/\| mallory \|.*\| terminated 2026-11-30: remove now \|/);
    expect(md).toContain('Users with access whom the roster marks terminated (remove now): mallory (2026-11-30).');
    const html = renderReviewHtml(review);
    expect(html).toContain('<td class="clear">terminated 2026-11-30: remove now</td>');
    expect(html).toContain('<strong>Terminated on the roster, remove now:</strong> mallory (2026-11-30)');
  });
});

/** Width in CSS pixels of the printable area of an A4 page with the report's 12 mm margins. */
const A4_PRINTABLE_PX = Math.floor(((210 - 2 * 12) / 25.4) * 96);

/** Lays the report out with its print styles at `width` px and returns what the script measured. */
async function measure(html: string, width: number): Promise<{ page: number; tables: { cls: string; right: number; scroll: number; client: number }[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'rbac-print-'));
  try {
    // Print styles applied on screen; the script is added to this copy only (the report has none).
    const probe = `<script>
      const page = document.documentElement.clientWidth;
      const tables = [...document.querySelectorAll('table')].map((t) => ({ cls: t.className, right: Math.ceil(t.getBoundingClientRect().right), scroll: t.scrollWidth, client: t.clientWidth }));
      const out = document.createElement('pre'); out.id = 'probe'; out.textContent = JSON.stringify({ page, tables }); document.body.append(out);
    </script>`;
    const copy = html.replace('@media print{', '@media all{').replace('</body>', `${probe}</body>`);
    await writeFile(join(dir, 'r.html'), copy);
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        CHROMIUM,
        ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync',
          '--hide-scrollbars', `--user-data-dir=${join(dir, 'profile')}`, `--window-size=${width},1200`, '--dump-dom', pathToFileURL(join(dir, 'r.html')).href],
        { timeout: 60_000, maxBuffer: 16 << 20 },
        (err, out) => (err ? reject(err) : resolve(String(out))),
      );
    });
    const m = /<pre id="probe">([^<]*)<\/pre>/.exec(stdout);
    if (!m) throw new Error(`no probe output:\n${stdout.slice(0, 500)}`);
    return JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
  } finally {
    await removeDir(dir);
  }
}

describe.skipIf(!existsSync(CHROMIUM))('printed review (needs /usr/bin/chromium)', () => {
  it('no table runs past the right margin of an A4 page, long unbreakable names included', { timeout: 120_000 }, async () => {
    const { page, tables } = await measure(renderReviewHtml(review), A4_PRINTABLE_PX);
    expect(page).toBeLessThanOrEqual(A4_PRINTABLE_PX);
    const users = tables.find((t) => t.cls === 'users');
    expect(users).toBeDefined();
    for (const t of tables) {
      expect(t.right, `table.${t.cls} right edge`).toBeLessThanOrEqual(page);
      expect(t.scroll, `table.${t.cls} overflows its box`).toBeLessThanOrEqual(t.client);
    }
  });
});
