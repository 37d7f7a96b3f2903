/**
 * The emergency-access log (src/review/emergency.ts): statuses at a clock, history
 * from applied audit records (entries the configuration has dropped included), and
 * the CSV for the auditor against test/glass/golden/emergency-access.csv (set
 * UPDATE_GOLDEN=1 to rewrite it after a deliberate change, then read it).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeMembership } from '../../src/model/keys.js';
import type { MembershipRecord, TemporaryAccess } from '../../src/model/types.js';
import { buildEmergencyLog, parseAuditLog, renderEmergencyCsv, renderEmergencyHtml, type AuditRecordLike } from '../../src/review/emergency.js';
import type { AuditTemporaryAccess } from '../../src/audit/temporary.js';

const golden = new URL('./golden/emergency-access.csv', import.meta.url);
const m = (role: string, member: string, temporary?: TemporaryAccess): MembershipRecord => makeMembership({ role, member, memberKind: 'user', ...(temporary ? { temporary } : {}) });
const bg = (until: string, reason?: string, since?: string): TemporaryAccess => ({ until, breakGlass: true, ...(reason ? { reason } : {}), ...(since ? { since } : {}) });
const entry = (action: 'granted' | 'revoked', role: string, member: string, until: string, extra: Partial<AuditTemporaryAccess> = {}): AuditTemporaryAccess => ({
  action, role, member, memberKind: 'user', until, outcome: 'applied', ...extra,
});

const now = new Date('2026-12-03T20:00:00Z');
const desired = [
  m('clinical_analyst', 'bob'), // permanent: not in the log
  m('emergency', 'alice', bg('2026-12-03T18:00:00.000Z', 'INC-4411', '2026-12-03T10:00:00.000Z')), // expired, removed
  m('emergency', 'dave', bg('2026-12-03T19:00:00.000Z', 'INC-4412')), // expired, still granted
  m('emergency', 'erin', bg('2026-12-04T08:00:00.000Z', '=HYPERLINK("http://x")')), // active; a formula in the reason
  m('oncall', 'frank', { until: '2026-12-10T00:00:00.000Z', since: '2026-12-05T00:00:00.000Z', reason: 'planned, "quoted", cover' }), // scheduled
];
const live = { memberships: [m('clinical_analyst', 'bob'), m('emergency', 'dave'), m('emergency', 'erin')] };
const audit: AuditRecordLike[] = [
  { finishedAt: '2026-11-20T09:00:00.000Z', actor: { osUser: 'ops' }, temporaryAccess: [entry('granted', 'emergency', 'carol', '2026-11-20T17:00:00.000Z', { reason: 'INC-4300', breakGlass: true })] },
  { finishedAt: '2026-11-21T09:00:00.000Z', actor: { osUser: 'ops', ciActor: 'ci-bot' }, temporaryAccess: [entry('revoked', 'emergency', 'carol', '2026-11-20T17:00:00.000Z', { reason: 'INC-4300', breakGlass: true, expired: true })] },
  { finishedAt: '2026-12-03T10:05:00.000Z', actor: { osUser: 'ops' }, temporaryAccess: [
    entry('granted', 'emergency', 'alice', '2026-12-03T18:00:00.000Z', { reason: 'INC-4411', breakGlass: true }),
    entry('granted', 'emergency', 'dave', '2026-12-03T19:00:00.000Z', { reason: 'INC-4412', breakGlass: true }),
    // A statement that did not run is no evidence of a grant.
    entry('granted', 'emergency', 'erin', '2026-12-04T08:00:00.000Z', { outcome: 'not applied' }),
  ] },
  { finishedAt: '2026-12-03T18:10:00.000Z', actor: { osUser: 'cron' }, temporaryAccess: [entry('revoked', 'emergency', 'alice', '2026-12-03T18:00:00.000Z', { reason: 'INC-4411', breakGlass: true, expired: true })] },
];

describe('the emergency-access log', () => {
  const log = buildEmergencyLog({ memberships: desired, live, audit, now });

  it('gives each temporary membership its status at the clock, and the audit log its history', () => {
    expect(log.map((e) => [e.role, e.member, e.status, e.grantedAt ?? '', e.revokedAt ?? '', e.historyOnly ?? false])).toEqual([
      ['emergency', 'carol', 'removed', '2026-11-20T09:00:00.000Z', '2026-11-21T09:00:00.000Z', true],
      ['emergency', 'alice', 'removed', '2026-12-03T10:05:00.000Z', '2026-12-03T18:10:00.000Z', false],
      ['emergency', 'dave', 'expired, still granted', '2026-12-03T10:05:00.000Z', '', false],
      ['emergency', 'erin', 'active', '', '', false],
      ['oncall', 'frank', 'scheduled', '', '', false],
    ]);
    expect(log[0]).toMatchObject({ grantedBy: 'ops', revokedBy: 'ci-bot', reason: 'INC-4300', breakGlass: true });
  });

  it('matches the golden CSV', () => {
    const text = renderEmergencyCsv(log);
    if (process.env.UPDATE_GOLDEN || !existsSync(golden)) writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, 'utf8'));
    // A spreadsheet never runs a reason as a formula.
    expect(text).toContain(`"'=HYPERLINK(""http://x"")"`);
  });

  it('reads a JSONL audit log, skipping a line it cannot parse', () => {
    const text = audit.map((r) => JSON.stringify(r)).join('\n') + '\n{not json\n';
    expect(buildEmergencyLog({ memberships: desired, live, audit: parseAuditLog(text), now })).toEqual(log);
  });

  it('renders the HTML section with every value escaped', () => {
    const html = renderEmergencyHtml(buildEmergencyLog({ memberships: [m('emergency', 'eve', bg('2026-12-04T00:00:00.000Z', '<script>x</script>'))], live: { memberships: [] }, now }));
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(renderEmergencyHtml([])).toContain('No temporary or break-glass memberships');
  });
});
