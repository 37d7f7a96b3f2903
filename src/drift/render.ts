/**
 * Drift reports as text (terminal, cron mail), JSON (machines; the shape below is a
 * public contract), markdown (an issue body) and the webhook payload (a Slack
 * compatible `text` plus the JSON report under `rbac`).
 *
 * JSON shape (version 1):
 *   { version: 1, target, platform, checkedAt, drifted,
 *     summary: { extra, missing, changed, expired? },
 *     items: [{ key, kind: extra|missing|changed|expired, role, description, grantedBy?, since, firstSeen?,
 *               temporary?: { member, reason?, since?, until, breakGlass? } }],
 *     problems: [{ severity, message, hint? }] }
 */
import { md } from '../render/markdown.js';
import type { DriftItem, DriftReport } from './drift.js';

const symbol = (i: DriftItem): string => (i.kind === 'extra' || i.kind === 'expired' ? '-' : i.kind === 'missing' ? '+' : '~');

function who(i: DriftItem): string {
  if (i.temporary) return `granted ${i.temporary.since ? `from ${i.temporary.since} ` : ''}until ${i.temporary.until}${i.temporary.reason === undefined ? '' : `, reason: ${i.temporary.reason}`}${i.firstSeen ? ` (first seen ${i.firstSeen})` : ''}`;
  const by = i.grantedBy ? `granted by ${i.grantedBy}` : i.kind === 'extra' ? 'grantor not recorded' : '';
  const since = `since ${i.since}${i.firstSeen ? ` (first seen ${i.firstSeen})` : ''}`;
  return [by, since].filter(Boolean).join(', ');
}

export function driftHeadline(r: DriftReport): string {
  if (!r.drifted) return `No drift: target ${r.target} matches the configuration.`;
  const s = r.summary;
  const parts = [s.expired ? `${s.expired} expired but still granted` : '', s.extra ? `${s.extra} granted by hand` : '', s.missing ? `${s.missing} missing` : '', s.changed ? `${s.changed} changed` : ''].filter(Boolean);
  const errors = r.problems.filter((p) => p.severity === 'error').length;
  if (errors) parts.push(`${errors} problem${errors === 1 ? '' : 's'}`);
  return `Drift on target ${r.target}: ${parts.join(', ')}.`;
}

export function renderDriftText(r: DriftReport): string {
  const lines = [`rbac drift · target ${r.target} (${r.platform}) · checked ${r.checkedAt}`, ''];
  for (const i of r.items) {
    const sym = symbol(i);
    lines.push(`  ${sym} ${i.description}`);
    lines.push(`      ${who(i)}`);
  }
  if (r.items.length) lines.push('');
  for (const p of r.problems) {
    lines.push(`${p.severity}: ${p.message}`);
    if (p.hint) lines.push(`  hint: ${p.hint}`);
  }
  if (r.problems.length) lines.push('');
  lines.push(driftHeadline(r));
  if (r.drifted) lines.push('`rbac plan` shows the SQL that restores the configuration; `rbac apply` runs it.');
  return lines.join('\n') + '\n';
}

export function renderDriftJson(r: DriftReport): string {
  return JSON.stringify({ version: 1, ...r }, null, 2) + '\n';
}

export function renderDriftMarkdown(r: DriftReport): string {
  const out = [`### rbac drift: ${md(r.target)} (${r.platform})`, '', `Checked ${md(r.checkedAt)}. ${md(driftHeadline(r))}`, ''];
  if (r.items.length) {
    out.push('| | drift | granted by | since | first seen |');
    out.push('|---|---|---|---|---|');
    for (const i of r.items) {
      const sym = symbol(i);
      out.push(`| \`${sym}\` | ${md(i.description)} | ${md(i.grantedBy ?? (i.kind === 'extra' ? 'not recorded' : ''))} | ${md(i.since)} | ${md(i.firstSeen ?? '')} |`);
    }
    out.push('');
  }
  for (const p of r.problems) out.push(`> **${p.severity}:** ${md(p.message)}`, '');
  if (r.drifted) out.push('Run `rbac plan` to see the SQL that restores the configuration, then fix by pull request or `rbac apply`.', '');
  return out.join('\n');
}

/** The webhook body: Slack reads `text`; other receivers read `rbac` (the JSON report). */
export function webhookPayload(r: DriftReport, maxLines = 20): { text: string; rbac: DriftReport & { version: 1 } } {
  const lines = [driftHeadline(r)];
  for (const i of r.items.slice(0, maxLines)) lines.push(`• ${i.description}${i.grantedBy ? ` (granted by ${i.grantedBy})` : ''}`);
  if (r.items.length > maxLines) lines.push(`… and ${r.items.length - maxLines} more`);
  return { text: lines.join('\n'), rbac: { version: 1, ...r } };
}
