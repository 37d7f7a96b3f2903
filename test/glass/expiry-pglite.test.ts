/**
 * Emergency access end to end on the embedded demo (PGlite), through the CLI with the
 * planner clock fixed by RBAC_NOW: a break-glass membership is granted while its time
 * runs, the apply is audited with who and why, the drift job reports it once the clock
 * passes `until`, the next apply revokes it (audited with the reason), the plan after
 * is empty, and the review and the emergency-access CSV show the whole story.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rbac, tempConfig } from '../helpers/cli.js';

const EMERGENCY = `roles:
  - name: emergency_clinical
    description: Break-glass read of clinical data during an incident.
    owner: security@example.org
    break_glass: true
    privileged: true
    justification: Emergency access procedure, 45 CFR 164.312(a)(2)(ii).
    inherits: [clinical_analyst]
    members:
      - {name: frank, since: 2026-12-03T10:00Z, until: 2026-12-03T18:00Z, reason: "INC-4411"}
`;
const BEFORE = '2026-12-03T12:00Z';
const AFTER = '2026-12-03T18:00:01Z';

describe('a break-glass membership on PGlite', () => {
  let dir: string;
  let log: string;
  const env = (now: string) => ({ RBAC_NOW: now, RBAC_AUDIT_LOG: log });
  beforeAll(async () => {
    dir = await tempConfig();
    log = path.join(dir, 'audit.jsonl');
    await rm(path.join(dir, 'grants', 'research.yaml'));
    await writeFile(path.join(dir, 'roles', 'emergency.yaml'), EMERGENCY);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is granted before until, with the reason in the plan', async () => {
    const p = await rbac(['plan', '--config', dir], { env: env(BEFORE) });
    expect(p.code, p.err).toBe(0);
    expect(p.out).toContain('grant role emergency_clinical to user frank until 2026-12-03T18:00:00.000Z (INC-4411)');
    expect(p.out).toContain('planner clock fixed by RBAC_NOW at 2026-12-03T12:00:00.000Z');
    const a = await rbac(['apply', '--config', dir, '--auto-approve'], { env: env(BEFORE) });
    expect(a.code, a.err + a.out).toBe(0);
    const again = await rbac(['plan', '--config', dir, '--detailed-exitcode'], { env: env(BEFORE) });
    expect(again.code, again.out).toBe(0);
  });

  it('a clock before since plans its revoke (authoritative)', async () => {
    // Outside its window but granted: revoked as not yet due.
    const p = await rbac(['plan', '--config', dir], { env: env('2026-12-03T09:00Z') });
    expect(p.out).toContain('revoke role emergency_clinical from user frank: not before 2026-12-03T10:00:00.000Z (INC-4411)');
  });

  it('drift at a clock after until reports it expired, with who, why and until', async () => {
    const d = await rbac(['drift', '--config', dir, '--format', 'json'], { env: env(AFTER) });
    expect(d.code).toBe(2); // drifted
    const report = JSON.parse(d.out);
    const item = report.items.find((i: { kind: string }) => i.kind === 'expired');
    expect(item).toMatchObject({
      role: 'emergency_clinical',
      temporary: { member: 'frank', reason: 'INC-4411', since: '2026-12-03T10:00:00.000Z', until: '2026-12-03T18:00:00.000Z', breakGlass: true },
    });
    expect(item.description).toBe('user frank in break-glass role emergency_clinical: expired at 2026-12-03T18:00:00.000Z (INC-4411), still granted');
    expect(report.summary.expired).toBe(1);
    expect(report.items.filter((i: { kind: string }) => i.kind !== 'expired')).toEqual([]);
  });

  it('after until, apply revokes it, audits the reason, and the next plan is empty', async () => {
    const p = await rbac(['plan', '--config', dir], { env: env(AFTER) });
    expect(p.out).toContain('revoke role emergency_clinical from user frank: expired at 2026-12-03T18:00:00.000Z (INC-4411)');
    const a = await rbac(['apply', '--config', dir, '--auto-approve'], { env: env(AFTER) });
    expect(a.code, a.err + a.out).toBe(0);
    const again = await rbac(['plan', '--config', dir, '--detailed-exitcode'], { env: env(AFTER) });
    expect(again.code, again.out).toBe(0);

    const records = (await readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const temporary = records.flatMap((r) => r.temporaryAccess ?? []);
    expect(temporary).toEqual([
      { action: 'granted', role: 'emergency_clinical', member: 'frank', memberKind: 'user', since: '2026-12-03T10:00:00.000Z', until: '2026-12-03T18:00:00.000Z', reason: 'INC-4411', breakGlass: true, outcome: 'applied' },
      { action: 'revoked', role: 'emergency_clinical', member: 'frank', memberKind: 'user', since: '2026-12-03T10:00:00.000Z', until: '2026-12-03T18:00:00.000Z', reason: 'INC-4411', breakGlass: true, expired: true, outcome: 'applied' },
    ]);
    const revoke = records.at(-1).statements.find((s: { change: string }) => s.change.startsWith('revoke role emergency_clinical'));
    expect(revoke).toMatchObject({ change: 'revoke role emergency_clinical from user frank: expired at 2026-12-03T18:00:00.000Z (INC-4411)', outcome: 'applied' });
    expect(revoke.sql).toBe('REVOKE "emergency_clinical" FROM "frank"');
  });

  it('the review and the emergency-access CSV show it was given and removed', async () => {
    const csv = await rbac(['review', '--config', dir, '--format', 'emergency-csv'], { env: env(AFTER) });
    expect(csv.code, csv.err).toBe(0);
    const records = (await readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const [header, row, ...rest] = csv.out.split('\r\n');
    expect(header).toBe('role,member,break_glass,reason,since,until,status,granted_at,granted_by,revoked_at,revoked_by,in_configuration');
    const cells = row.split(',');
    expect(cells.slice(0, 7)).toEqual(['emergency_clinical', 'frank', 'yes', 'INC-4411', '2026-12-03T10:00:00.000Z', '2026-12-03T18:00:00.000Z', 'removed']);
    expect(cells[7]).toBe(records[0].finishedAt);
    expect(cells[9]).toBe(records.at(-1).finishedAt);
    expect(cells[11]).toBe('yes');
    expect(rest).toEqual(['']);

    const html = await rbac(['review', '--config', dir, '--format', 'html'], { env: env(AFTER) });
    expect(html.out).toContain('<h2 id="emergency">Emergency access</h2>');
    expect(html.out).toMatch(/emergency_clinical <span class="badge action">break-glass<\/span><\/td><td>frank<\/td><td>INC-4411<\/td><td>2026-12-03T10:00:00.000Z → 2026-12-03T18:00:00.000Z<\/td><td>removed<\/td>/);
  });
});
