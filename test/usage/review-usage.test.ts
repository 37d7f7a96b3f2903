/**
 * `rbac review --usage` on the embedded demo (issue 14): the review's "Use of PHI access"
 * section, built by the same buildUsage report as `rbac usage`. PGlite has no pgaudit
 * and writes no server log, so without a log the section says so (and why) instead of
 * failing; with a recorded pgaudit csvlog (`--usage-log FILE`) it names who read which
 * PHI column and lists granted-but-unused PHI access as removal candidates. The review
 * stays read-only. Golden: test/usage/golden/ (UPDATE_GOLDEN=1 rewrites; then read it).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, exampleConfig, removeDir } from '../cli-workflows/helpers.js';

const GOLDEN = join(import.meta.dirname, 'golden');

function golden(name: string, text: string): void {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

/** csvlog lines of PostgreSQL 15 with pgaudit SESSION READ entries, as the server writes them (message is field 14). */
function line(time: string, user: string, db: string, object: string, statement: string): string {
  const msg = `AUDIT: SESSION,1,1,READ,SELECT,TABLE,${object},"${statement.replace(/"/g, '""')}",<not logged>`;
  return `${time} UTC,"${user}","${db}",123,"127.0.0.1:5000",abc.1,1,"SELECT",${time} UTC,3/4,0,LOG,00000,"${msg.replace(/"/g, '""')}",,,,,,,,,"psql","client backend",,0`;
}

const LOG = [
  // erin (privacy_officer) reads the MRN and SSN of one patient; the demo's ehr is PGlite's database `postgres`.
  line('2026-11-20 09:00:00.000', 'erin', 'postgres', 'clinical.patients', 'select mrn, ssn from clinical.patients where patient_id = 7'),
  line('2026-11-21 09:30:00.000', 'erin', 'postgres', 'clinical.patients', 'select p.mrn from clinical.patients p'),
  // Before the period: not counted.
  line('2026-08-01 09:00:00.000', 'erin', 'postgres', 'clinical.patients', 'select full_name from clinical.patients'),
  // Another tool's line in the same log: skipped.
  '2026-11-22 10:06:00.000 UTC,"bob","postgres",124,"127.0.0.1:5001",abc.2,2,"idle",2026-11-22 09:59:00 UTC,3/5,0,ERROR,42P01,"relation ""nope"" does not exist",,,,,,,,,"psql","client backend",,0',
].join('\n') + '\n';

/** The usage section of a markdown review, with the period's end (the time of the run) fixed. */
function usageSection(md: string): string {
  const s = md.slice(md.indexOf('## Use of PHI access'), md.indexOf('## Sign-off'));
  return s.replace(/ to \d{4}-\d\d-\d\dT[\d:.]+Z\./, ' to <now>.');
}

describe('rbac review --usage on the embedded demo', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await exampleConfig('rbac-i14-usage2-');
    expect((await cli(dir, ['apply', '--auto-approve'])).code).toBe(0);
    await writeFile(join(dir, 'pgaudit.csv'), LOG);
  });
  afterAll(() => removeDir(dir));

  it('without a log: the section says no access log is available and why, and the review still succeeds', async () => {
    const r = await cli(dir, ['review', '--usage']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const s = usageSection(r.out);
    expect(s).toContain('No access log is available: the embedded PGlite demo has no pgaudit and writes no server log, so reads of PHI are not recorded.');
    expect(s).toContain('pass --usage-log FILE');
    // The rest of the review is there as without --usage.
    expect(r.out).toContain('## Privileged access (whole account)');
    expect(r.out).toContain('## Sign-off');
  });

  it('without --usage: no usage section', async () => {
    const r = await cli(dir, ['review']);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('Use of PHI access');
  });

  it('with --usage-log: who read which PHI column, and granted-but-unused PHI as removal candidates (markdown)', async () => {
    const r = await cli(dir, ['review', '--usage', '--since', '2026-11-01T00:00:00Z', '--usage-log', 'pgaudit.csv']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const s = usageSection(r.out);
    expect(s).toContain('| erin | ehr.clinical.patients.mrn | medical_record_number | 2 | 2026-11-21T09:30:00.000Z |');
    expect(s).toContain('| erin | ehr.clinical.patients.ssn | ssn | 1 | 2026-11-20T09:00:00.000Z |');
    // The August read of full_name is before the period: erin's full_name access is unused.
    expect(s).not.toMatch(/\| erin \| ehr\.clinical\.patients\.full_name \| name \| \d/);
    const candidates = s.slice(s.indexOf('### Granted but not used'));
    expect(candidates).toContain('| erin | ehr.clinical.patients.full_name | name |');
    expect(candidates).not.toContain('| erin | ehr.clinical.patients.mrn |');
    expect(candidates).not.toContain('| erin | ehr.clinical.patients.ssn |');
    golden('review-usage.md', s);
  });

  it('HTML has the same section, escaped', async () => {
    const r = await cli(dir, ['review', '--usage', '--since', '2026-11-01T00:00:00Z', '--usage-log', 'pgaudit.csv', '--format', 'html', '--out', 'review.html']);
    expect(r.code).toBe(0);
    const html = await readFile(join(dir, 'review.html'), 'utf8');
    const s = html.slice(html.indexOf('<h2 id="usage">'), html.indexOf('<h2 id="signoff">'));
    expect(s).toContain('<h3>PHI columns read</h3>');
    expect(s).toContain('<tr><td>erin</td><td>ehr.clinical.patients.mrn</td><td>medical_record_number</td><td>2</td><td>2026-11-21T09:30:00.000Z</td></tr>');
    expect(s).toContain('<tr><td>erin</td><td class="clear">ehr.clinical.patients.full_name</td><td>name</td></tr>');
    const none = await cli(dir, ['review', '--usage', '--format', 'html']);
    expect(none.out).toContain('<p class="check">No access log is available: the embedded PGlite demo has no pgaudit');
  });

  it('stays read-only: the plan after the usage reviews has nothing to do', async () => {
    const r = await cli(dir, ['plan', '--detailed-exitcode']);
    expect(r.code).toBe(0);
  });

  it('usage flags without --usage, a bad --days and an unreadable --usage-log are errors', async () => {
    const a = await cli(dir, ['review', '--days', '30']);
    expect(a.code).toBe(2);
    expect(a.err).toContain('--days, --since and --usage-log go with --usage');
    const b = await cli(dir, ['review', '--usage', '--days', 'ten']);
    expect(b.code).toBe(2);
    expect(b.err).toContain('--days "ten" is not a positive whole number');
    const c = await cli(dir, ['review', '--usage', '--usage-log', 'missing.csv']);
    expect(c.code).toBe(1);
    expect(c.err).toContain('cannot read the pgaudit log missing.csv: ENOENT');
  });
});
