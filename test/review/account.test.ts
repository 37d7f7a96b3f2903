/**
 * The review covers the whole account (issue 14): on the embedded demo with an
 * unmanaged superuser and an unmanaged table owner added, the privileged-access section
 * lists them with "no justification", `privileged_access:` in rbac.yaml justifies one,
 * an unmanaged role reaching PHI is a finding, and `--matrix-csv` writes the role x
 * PHI-category matrix. Golden files: test/review/golden/ (UPDATE_GOLDEN=1 rewrites
 * them after a deliberate change; then read them).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/review/roster.js';
import { cli, exampleConfig, removeDir, sqlOnDemo } from '../cli-workflows/helpers.js';

const GOLDEN = join(import.meta.dirname, 'golden');

function golden(name: string, text: string): void {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

/** The sections of the markdown review from `## Privileged access` up to the roster. */
function accountSections(md: string): string {
  return md.slice(md.indexOf('## Privileged access (whole account)'), md.indexOf('## HR roster cross-check'));
}

describe('rbac review on the whole account (embedded demo)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await exampleConfig('rbac-i14-review-');
    expect((await cli(dir, ['apply', '--auto-approve'])).code).toBe(0);
    // Outside the configuration: a second superuser, a role owning a PHI table (owners
    // bypass row level security), and a role someone granted SELECT on PHI columns by hand.
    await sqlOnDemo(
      dir,
      'CREATE ROLE ops_admin LOGIN SUPERUSER; CREATE ROLE etl_owner NOLOGIN; CREATE ROLE rls_exempt LOGIN BYPASSRLS;' +
        'ALTER TABLE clinical.encounters OWNER TO etl_owner; ALTER TABLE billing.payments OWNER TO etl_owner; GRANT etl_owner TO frank;' +
        'CREATE ROLE shadow_reader LOGIN; GRANT USAGE ON SCHEMA clinical TO shadow_reader; GRANT SELECT (patient_id, ssn) ON clinical.patients TO shadow_reader;',
    );
  }, 120_000);
  afterAll(() => removeDir(dir));

  it('lists the superusers, the table owner and its members with "no justification", and unmanaged PHI readers', async () => {
    const r = await cli(dir, ['review', '--out', 'review.md']);
    expect(r.code).toBe(0);
    const md = await readFile(join(dir, 'review.md'), 'utf8');
    golden('demo-account.md', accountSections(md));
    // The embedded demo's own superuser and the one added, in the users table too.
    expect(md).toMatch(/\| postgres \(not managed\) \| user \| SUPERUSER \| direct \| \*\*NO JUSTIFICATION\*\* \|/);
    expect(md).toMatch(/\| ops_admin \(not managed\) \| user \| SUPERUSER \| direct \| \*\*NO JUSTIFICATION\*\* \|/);
    expect(md).toMatch(/\| etl_owner \(not managed\) \| role \| OWNER \(bypasses row level security\) on ehr\.clinical\.encounters \| direct \|/);
    // frank holds etl_owner (a managed user holding an unmanaged role): owner's power through the hierarchy.
    expect(md).toMatch(/\| frank \| user \| OWNER \(bypasses row level security\) on ehr\.clinical\.encounters \| etl_owner \|/);
    expect(md).toMatch(/\| rls_exempt \(not managed\) \| user \| BYPASSRLS \| direct \|/);
    expect(md).toMatch(/\| ops_admin \|/); // a user row of its own
    expect(md).toMatch(/\| frank \| [^\n]*\| etl_loader, etl_owner \|/);
    expect(md).toContain('**ACTION**: ops_admin holds SUPERUSER: no justification');
    expect(md).toMatch(/\*\*ACTION\*\*: shadow_reader is not managed by rbac and reads PHI in clear \(SELECT on ehr\.clinical\.patients \(patient_id, ssn\)\): ssn/);
    expect(md).toMatch(/\*\*ACTION\*\*: etl_owner is not managed by rbac and reads PHI in clear/);
    // Managed roles' own grants are not "unmanaged PHI readers".
    expect(accountSections(md)).not.toMatch(/\*\*clinical_analyst\*\*/);
  });

  it('takes justifications from privileged_access: in rbac.yaml, by principal and privilege', async () => {
    await appendFile(
      join(dir, 'rbac.yaml'),
      '\nprivileged_access:\n  - principal: postgres\n    reason: "Bootstrap superuser of the embedded demo; break-glass only (SEC-12)"\n' +
        '  - principal: etl_owner\n    privilege: OWNER\n    reason: "Owns the encounter tables it loads (ETL-7)"\n',
    );
    const r = await cli(dir, ['review', '--format', 'html', '--out', 'review.html']);
    expect(r.code).toBe(0);
    const html = await readFile(join(dir, 'review.html'), 'utf8');
    expect(html).toContain('<h2 id="account-privileged">Privileged access (whole account)</h2>');
    expect(html).toMatch(/<td>postgres <span class="meta">\(not managed\)<\/span><\/td><td>user<\/td><td>SUPERUSER<\/td><td>direct<\/td><td>Bootstrap superuser of the embedded demo; break-glass only \(SEC-12\) <span class="meta">\(rbac\.yaml:\d+:\d+\)<\/span><\/td>/);
    expect(html).toMatch(/<td>ops_admin <span class="meta">\(not managed\)<\/span><\/td><td>user<\/td><td>SUPERUSER<\/td><td>direct<\/td><td class="clear">NO JUSTIFICATION<\/td>/);
    const md = (await cli(dir, ['review'])).out;
    expect(md).not.toContain('postgres holds');
    expect(md).not.toContain('etl_owner holds');
    expect(md).toContain('ops_admin holds SUPERUSER: no justification');
  });

  it('refuses a privileged_access entry without a reason, naming file, line and column', async () => {
    const bad = await exampleConfig('rbac-i14-review-bad-');
    try {
      await appendFile(join(bad, 'rbac.yaml'), '\nprivileged_access:\n  - principal: postgres\n');
      const r = await cli(bad, ['validate']);
      expect(r.code).not.toBe(0);
      expect(r.err + r.out).toMatch(/rbac\.yaml:\d+:\d+[^\n]*reason/);
    } finally {
      await removeDir(bad);
    }
  });

  it('writes the role x PHI-category matrix as CSV (--matrix-csv)', async () => {
    const r = await cli(dir, ['review', '--matrix-csv', 'matrix.csv', '--out', 'review.md']);
    expect(r.code).toBe(0);
    const csv = await readFile(join(dir, 'matrix.csv'), 'utf8');
    golden('demo-matrix.csv', csv);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual(['role', 'name', 'geographic', 'date', 'telephone', 'email', 'ssn', 'medical_record_number', 'account_number', 'managed', 'privileged', 'deidentified', 'members']);
    const ds = rows.find((x) => x[0] === 'data_scientist')!;
    expect(ds.slice(1, 9)).toEqual(['none', 'masked', 'masked', 'none', 'none', 'none', 'masked', 'none']);
    expect(ds.slice(9, 12)).toEqual(['yes', 'no', 'yes']);
  });
});
