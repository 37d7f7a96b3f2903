/**
 * The emergency-access log: every temporary membership (`members: [{name, until,
 * reason}]`, above all those of `break_glass: true` roles) with who, why, from when
 * to when, whether it is still granted, and when rbac granted and removed it (from
 * the audit log). Rendered as CSV for the auditor's sample and as a section of the
 * HTML and markdown review. Pure: the caller reads the live state and the audit log.
 */
import type { AuditTemporaryAccess } from '../audit/temporary.js';
import type { Live, MembershipRecord } from '../model/types.js';
import { membershipKey } from '../model/keys.js';
import { csvCell, esc } from './render.js';

/**
 * Where a temporary membership stands at `now`: `active` (granted, inside its window),
 * `expired, still granted` (until has passed; the next apply revokes it), `removed`
 * (until has passed and it is not granted), `scheduled` (since has not come),
 * `not granted yet` (inside its window, not granted: the next apply grants it).
 */
export type EmergencyStatus = 'active' | 'expired, still granted' | 'removed' | 'scheduled' | 'not granted yet';

/** One row of the log. Times are UTC ISO strings; `grantedAt`/`revokedAt` come from applied audit records. */
export interface EmergencyEntry {
  role: string;
  member: string;
  breakGlass: boolean;
  reason?: string;
  since?: string;
  until: string;
  status: EmergencyStatus;
  grantedAt?: string;
  grantedBy?: string;
  revokedAt?: string;
  revokedBy?: string;
  /** The entry is in the audit log only: the configuration no longer names it. */
  historyOnly?: boolean;
}

/** The part of an audit record the log reads. */
export interface AuditRecordLike {
  finishedAt?: string;
  actor?: { osUser?: string; ciActor?: string };
  temporaryAccess?: AuditTemporaryAccess[];
}

export interface EmergencyInput {
  /** The desired memberships (Desired.memberships); only those with `temporary` are listed. */
  memberships: readonly MembershipRecord[];
  live: Pick<Live, 'memberships'>;
  /** Audit records in file order (oldest first). */
  audit?: readonly AuditRecordLike[];
  now: Date;
}

const idOf = (role: string, member: string, until: string): string => `${role}\u0000${member}\u0000${until}`;

export function buildEmergencyLog(input: EmergencyInput): EmergencyEntry[] {
  const at = input.now.toISOString();
  const live = new Set(input.live.memberships.map((m) => m.key));
  const rows = new Map<string, EmergencyEntry>();
  for (const m of input.memberships) {
    const t = m.temporary;
    if (!t || m.memberKind !== 'user') continue;
    const granted = live.has(m.key);
    const status: EmergencyStatus =
      at >= t.until ? (granted ? 'expired, still granted' : 'removed') : t.since !== undefined && at < t.since ? 'scheduled' : granted ? 'active' : 'not granted yet';
    rows.set(idOf(m.role, m.member, t.until), {
      role: m.role,
      member: m.member,
      breakGlass: t.breakGlass === true,
      ...(t.reason !== undefined ? { reason: t.reason } : {}),
      ...(t.since ? { since: t.since } : {}),
      until: t.until,
      status,
    });
  }
  // The audit log adds when rbac granted and removed each one, and those the configuration has since dropped.
  for (const rec of input.audit ?? []) {
    const who = rec.actor?.ciActor ?? rec.actor?.osUser;
    for (const e of rec.temporaryAccess ?? []) {
      if (e.outcome !== 'applied' || e.memberKind !== 'user') continue;
      const id = idOf(e.role, e.member, e.until);
      let row = rows.get(id);
      if (!row) {
        const granted = live.has(membershipKey(e.role, e.member, 'user'));
        row = {
          role: e.role,
          member: e.member,
          breakGlass: e.breakGlass === true,
          ...(e.reason !== undefined ? { reason: e.reason } : {}),
          ...(e.since ? { since: e.since } : {}),
          until: e.until,
          status: at >= e.until ? (granted ? 'expired, still granted' : 'removed') : granted ? 'active' : 'not granted yet',
          historyOnly: true,
        };
        rows.set(id, row);
      }
      if (e.action === 'granted') {
        row.grantedAt = rec.finishedAt;
        if (who) row.grantedBy = who;
      } else {
        row.revokedAt = rec.finishedAt;
        if (who) row.revokedBy = who;
      }
    }
  }
  return [...rows.values()].sort((a, b) => (a.until < b.until ? -1 : a.until > b.until ? 1 : a.role < b.role ? -1 : a.role > b.role ? 1 : a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
}

/** Read the audit records of a JSONL audit log leniently (verification is `rbac audit verify`'s job). */
export function parseAuditLog(text: string): AuditRecordLike[] {
  const out: AuditRecordLike[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as AuditRecordLike;
      if (r && typeof r === 'object') out.push(r);
    } catch {
      // A broken line is reported by `rbac audit verify`; the log lists what it can read.
    }
  }
  return out;
}

export const EMERGENCY_CSV_HEADER = ['role', 'member', 'break_glass', 'reason', 'since', 'until', 'status', 'granted_at', 'granted_by', 'revoked_at', 'revoked_by', 'in_configuration'] as const;

/** The log as CSV (RFC 4180, CRLF), spreadsheet formulas neutralized. */
export function renderEmergencyCsv(entries: readonly EmergencyEntry[]): string {
  const rows: string[][] = [[...EMERGENCY_CSV_HEADER]];
  for (const e of entries) {
    rows.push([e.role, e.member, e.breakGlass ? 'yes' : 'no', e.reason ?? '', e.since ?? '', e.until, e.status, e.grantedAt ?? '', e.grantedBy ?? '', e.revokedAt ?? '', e.revokedBy ?? '', e.historyOnly ? 'no' : 'yes']);
  }
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

const window = (e: EmergencyEntry): string => `${e.since ?? e.grantedAt ?? '…'} → ${e.until}`;

/** The "Emergency access" section of the HTML review. */
export function renderEmergencyHtml(entries: readonly EmergencyEntry[]): string {
  const h = ['<h2 id="emergency">Emergency access</h2>'];
  if (entries.length === 0) {
    h.push('<p>No temporary or break-glass memberships in the configuration or the audit log.</p>');
    return h.join('\n');
  }
  h.push('<table><thead><tr><th>role</th><th>member</th><th>reason</th><th>from → until</th><th>status</th><th>granted</th><th>removed</th></tr></thead><tbody>');
  for (const e of entries) {
    const cls = e.status === 'expired, still granted' ? ' class="clear"' : '';
    h.push(
      `<tr><td>${esc(e.role)}${e.breakGlass ? ' <span class="badge action">break-glass</span>' : ''}</td><td>${esc(e.member)}</td><td>${esc(e.reason ?? 'NO REASON')}</td>` +
        `<td>${esc(window(e))}</td><td${cls}>${esc(e.status)}</td><td>${esc(e.grantedAt ? `${e.grantedAt}${e.grantedBy ? ` by ${e.grantedBy}` : ''}` : '—')}</td>` +
        `<td>${esc(e.revokedAt ? `${e.revokedAt}${e.revokedBy ? ` by ${e.revokedBy}` : ''}` : '—')}</td></tr>`,
    );
  }
  h.push('</tbody></table>');
  return h.join('\n');
}

/** The "Emergency access" section of the markdown review. */
export function renderEmergencyMarkdown(entries: readonly EmergencyEntry[], md: (s: string) => string): string {
  const out = ['## Emergency access', ''];
  if (entries.length === 0) return [...out, 'No temporary or break-glass memberships in the configuration or the audit log.', ''].join('\n');
  out.push('| role | member | reason | from → until | status | granted | removed |', '|---|---|---|---|---|---|---|');
  for (const e of entries) {
    out.push(`| ${md(e.role)}${e.breakGlass ? ' (break-glass)' : ''} | ${md(e.member)} | ${md(e.reason ?? 'NO REASON')} | ${md(window(e))} | ${md(e.status)} | ${md(e.grantedAt ?? '—')} | ${md(e.revokedAt ?? '—')} |`);
  }
  out.push('');
  return out.join('\n');
}
