/**
 * The access review as markdown (a pull request or wiki page), CSV (one row per user
 * and readable table, for spreadsheets) and HTML (one self-contained file: inline CSS,
 * no scripts, no external assets, printable). Pure.
 *
 * Every value is escaped for its format; CSV cells that a spreadsheet would run as a
 * formula (`=`, `+`, `-`, `@` first) are prefixed with `'`.
 */
import { md } from '../render/markdown.js';
import type { AccessReview, PhiCell, ReviewRole, ReviewUsage } from './review.js';
import { renderEmergencyHtml, renderEmergencyMarkdown } from './emergency.js';

const CELL_WORD: Record<PhiCell, string> = { clear: 'CLEAR', masked: 'masked', none: '·' };

function columnsText(r: ReviewRole['reads'][number]): string {
  return r.columns === 'all' ? 'all columns' : r.columns.join(', ');
}

function phiText(r: ReviewRole['reads'][number]): string {
  return r.phi.map((p) => `${p.category} (${p.column}${p.masked ? `, masked by ${p.masked}` : ''})`).join('; ');
}

const SIGN_OFF = ['Review date', 'Participants (name, role)', 'Changes made (removed users, changed roles, tickets)', 'Sign-off (privacy/security officer)'];

// --- markdown -------------------------------------------------------------------------

export function renderReviewMarkdown(r: AccessReview): string {
  const out: string[] = [];
  out.push(`# ${md(r.title)}: ${md(r.target)} (${r.platform})`, '');
  out.push(`Generated ${md(r.generatedAt)} from the live state of target ${md(r.target)}${r.configDigest ? ` and configuration digest \`${r.configDigest.slice(0, 12)}\`` : ''}.`, '');
  out.push(`${r.users.length} users, ${r.roles.length} roles, ${r.privileged.length} privileged roles, ${r.findings.length} findings.`, '');

  out.push('## Findings', '');
  if (r.findings.length === 0) out.push('None.');
  for (const f of r.findings) out.push(`- **${f.severity === 'action' ? 'ACTION' : 'check'}**: ${md(f.message)}`);
  out.push('');

  out.push('## PHI by role', '');
  if (r.categories.length === 0) out.push('No PHI columns are classified in the configuration (`phi:` in grants files).');
  else {
    out.push(`| role | ${r.categories.map(md).join(' | ')} |`);
    out.push(`|---|${r.categories.map(() => ':-:').join('|')}|`);
    for (const role of r.roles) out.push(`| ${md(role.name)} | ${r.categories.map((c) => CELL_WORD[role.phi[c]]).join(' | ')} |`);
    out.push('', 'CLEAR: readable in clear; masked: readable through a masking policy only; ·: no access.');
  }
  out.push('');

  out.push('## Users', '');
  out.push('| user | title | manager | direct roles | inherited roles | tables | PHI in clear | HR roster |');
  out.push('|---|---|---|---|---|---:|---|---|');
  for (const u of r.users) {
    const clear = r.categories.filter((c) => u.phi[c] === 'clear');
    out.push(
      `| ${md(u.name)}${u.onTarget ? '' : ' (not on target)'} | ${md(u.title ?? '')} | ${md(u.manager ?? '')} | ${md(u.direct.join(', ') || '—')} | ` +
        `${md(u.inherited.map((i) => i.role).join(', ') || '—')} | ${u.tables} | ${md(clear.join(', ') || '—')} | ${md(rosterText(u))} |`,
    );
  }
  out.push('');

  out.push('## Roles and what they can read', '');
  for (const role of r.roles) {
    out.push(`### ${md(role.name)}${role.privileged ? ' (privileged)' : ''}`, '');
    if (role.description) out.push(md(role.description), '');
    const facts = [
      role.owner ? `owner: ${md(role.owner)}` : '',
      role.inherits.length ? `inherits: ${md(role.inherits.join(', '))}` : '',
      role.members.length ? `members: ${md(role.members.join(', '))}` : '',
      role.deidentified ? 'de-identified only' : '',
      role.managed ? '' : 'not managed by rbac',
      role.onTarget ? '' : 'not on the target yet',
    ].filter(Boolean);
    if (facts.length) out.push(facts.join(' · '), '');
    if (role.reads.length === 0) out.push('Reads no tables.', '');
    else {
      out.push('| table | columns | PHI | via |', '|---|---|---|---|');
      for (const t of role.reads) {
        out.push(`| ${md(t.table)}${t.reachable ? '' : ' (no schema USAGE)'} | ${md(columnsText(t))} | ${md(phiText(t) || '—')} | ${md(t.via.join(', '))} |`);
      }
      out.push('');
    }
    if (role.other.length) {
      out.push(`Other privileges: ${role.other.map((o) => `${md(o.privileges.join(', '))} on ${md(o.object)}`).join('; ')}`, '');
    }
  }

  out.push('## Privileged roles', '');
  if (r.privileged.length === 0) out.push('None.');
  for (const p of r.privileged) out.push(`- **${md(p.role)}** (held by ${md(p.holders.join(', ') || 'nobody')}): ${md(p.justification ?? 'NO JUSTIFICATION')}`);
  out.push('');

  out.push(...accountMarkdown(r));

  out.push('## HR roster cross-check', '');
  if (r.roster.file === undefined && r.roster.missing.length === 0 && r.users.every((u) => u.roster === 'not checked')) {
    out.push('No roster given (`--roster hr.csv`): not checked.');
  } else {
    out.push(`Roster: ${md(r.roster.file ?? '(given)')}.`, '');
    out.push(`Users with access who are not on the roster (remove now): ${md(r.roster.missing.join(', ') || 'none')}.`, '');
    out.push(`Users with access whom the roster marks terminated (remove now): ${md(terminatedText(r))}.`, '');
    out.push(`On the roster without access (information): ${md(r.roster.withoutAccess.join(', ') || 'none')}.`);
  }
  out.push('');

  if (r.emergency) out.push(renderEmergencyMarkdown(r.emergency, md));
  if (r.usage) out.push(...renderUsageMarkdown(r.usage));
  out.push('## Sign-off', '');
  for (const s of SIGN_OFF) out.push(`- ${s}: ______________________________`);
  out.push('- Manager confirmations (each user\'s roles still match the job): ______________________________', '');
  return out.join('\n');
}

// --- CSV --------------------------------------------------------------------------------

export function csvCell(v: string | number): string {
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per user and readable table (or one row for a user who reads nothing). */
export function renderReviewCsv(r: AccessReview): string {
  const header = ['user', 'title', 'manager', 'hr_roster', 'direct_roles', 'inherited_roles', 'table', 'columns', 'via_roles', 'phi_clear', 'phi_masked', 'schema_usage'];
  const rows: (string | number)[][] = [header];
  const roleByName = new Map(r.roles.map((x) => [x.name, x]));
  for (const u of r.users) {
    const base = [u.name, u.title ?? '', u.manager ?? '', u.roster, u.direct.join(' '), u.inherited.map((i) => i.role).join(' ')];
    // The user's reads are the union of its roles' reads (and PUBLIC's).
    const held = new Set([...u.direct, ...u.inherited.map((i) => i.role), 'PUBLIC']);
    const tables = new Map<string, { cols: Set<string> | 'all'; via: Set<string>; clear: Set<string>; masked: Set<string>; reachable: boolean }>();
    for (const name of held) {
      for (const t of roleByName.get(name)?.reads ?? []) {
        let e = tables.get(t.table);
        if (!e) tables.set(t.table, (e = { cols: new Set(), via: new Set(), clear: new Set(), masked: new Set(), reachable: false }));
        if (t.columns === 'all') e.cols = 'all';
        else if (e.cols !== 'all') for (const c of t.columns) e.cols.add(c);
        for (const v of t.via) e.via.add(v);
        for (const p of t.phi) (p.masked ? e.masked : e.clear).add(p.category);
        e.reachable ||= t.reachable;
      }
    }
    if (tables.size === 0) rows.push([...base, '', '', '', '', '', '']);
    for (const [table, e] of [...tables.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const masked = [...e.masked].filter((c) => !e.clear.has(c));
      rows.push([...base, table, e.cols === 'all' ? 'ALL' : [...e.cols].sort().join(' '), [...e.via].sort().join(' '), [...e.clear].sort().join(' '), masked.sort().join(' '), e.reachable ? 'yes' : 'no']);
    }
  }
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

// --- HTML -------------------------------------------------------------------------------

/** The HR roster cell of a user: `terminated 2026-11-30: remove now` for someone who left and still holds roles. */
export function rosterText(u: AccessReview['users'][number]): string {
  if (u.roster !== 'terminated') return u.roster;
  return `terminated${u.terminatedOn ? ` ${u.terminatedOn}` : ''}${u.direct.length > 0 ? ': remove now' : ''}`;
}

function terminatedText(r: AccessReview): string {
  const list = r.roster.terminated ?? [];
  return list.map((n) => {
    const u = r.users.find((x) => x.name === n);
    return u?.terminatedOn ? `${n} (${u.terminatedOn})` : n;
  }).join(', ') || 'none';
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const CSS = `
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--clear:#ffd8d3;--clear-fg:#82071e;--masked:#fff1c2;--masked-fg:#6a4a00;--none:#f6f8fa}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);margin:2rem auto;max-width:1200px;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:.25rem}h3{font-size:1rem;margin:1.25rem 0 .25rem}
.meta{color:var(--muted)}table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.matrix{width:auto}.matrix td.c{text-align:center;font-weight:600;white-space:nowrap;min-width:4.5rem}.matrix th.cat{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;text-align:left;font-weight:600}
.clear{background:var(--clear);color:var(--clear-fg)}.masked{background:var(--masked);color:var(--masked-fg)}.none{background:var(--none);color:var(--muted)}
.badge{display:inline-block;border-radius:3px;padding:0 .35rem;font-size:.8rem;font-weight:600;border:1px solid currentColor}.action{color:#82071e}.check{color:#6a4a00}
ul.findings li{margin:.2rem 0}.signoff td{height:2.2rem}.legend span{margin-right:1rem}
table.users{table-layout:fixed}table.users td,table.users th{overflow-wrap:anywhere;word-break:break-word;hyphens:auto}
@page{margin:12mm}
@media print{body{margin:0;max-width:none;padding:0;font-size:9pt}h2{break-after:avoid}table{break-inside:auto}tr{break-inside:avoid}th,td{padding:.15rem .3rem}thead{display:table-header-group}td,th{overflow-wrap:anywhere}}
`;

export function renderReviewHtml(r: AccessReview): string {
  const h: string[] = [];
  const cellHtml = (c: PhiCell) => `<td class="c ${c}" title="${c}">${c === 'none' ? '·' : esc(CELL_WORD[c])}</td>`;
  h.push('<!doctype html>', '<html lang="en"><head><meta charset="utf-8">');
  h.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  h.push(`<title>${esc(r.title)}: ${esc(r.target)}</title>`, `<style>${CSS}</style></head><body>`);
  h.push(`<h1>${esc(r.title)}: ${esc(r.target)} <span class="meta">(${esc(r.platform)})</span></h1>`);
  h.push(
    `<p class="meta">Generated ${esc(r.generatedAt)} from the live state${r.configDigest ? ` and configuration digest <code>${esc(r.configDigest.slice(0, 12))}</code>` : ''}. ` +
      `${r.users.length} users, ${r.roles.length} roles, ${r.privileged.length} privileged, ${r.findings.length} findings.</p>`,
  );

  h.push('<h2 id="findings">Findings</h2>');
  if (r.findings.length === 0) h.push('<p>None.</p>');
  else {
    h.push('<ul class="findings">');
    for (const f of r.findings) h.push(`<li><span class="badge ${f.severity}">${f.severity === 'action' ? 'ACTION' : 'check'}</span> ${esc(f.message)}</li>`);
    h.push('</ul>');
  }

  h.push('<h2 id="matrix">PHI by role</h2>');
  if (r.categories.length === 0) h.push('<p>No PHI columns are classified in the configuration.</p>');
  else {
    h.push('<table class="matrix"><thead><tr><th>role</th>');
    for (const c of r.categories) h.push(`<th class="cat" scope="col">${esc(c)}</th>`);
    h.push('</tr></thead><tbody>');
    for (const role of r.roles) {
      h.push(`<tr><th scope="row">${esc(role.name)}${role.privileged ? ' <span class="badge check">privileged</span>' : ''}</th>${r.categories.map((c) => cellHtml(role.phi[c])).join('')}</tr>`);
    }
    h.push('</tbody></table>');
    h.push('<p class="legend"><span class="clear badge">CLEAR</span> readable in clear <span class="masked badge">masked</span> masked only <span class="none badge">·</span> no access</p>');
  }

  h.push('<h2 id="users">Users</h2>');
  // Fixed layout with set column widths: long names and role lists wrap inside their
  // cell instead of pushing the table past the page margin when printed.
  const widths = [13, 11, 11, 15, 15, 6, 17, 12];
  h.push(`<table class="users"><colgroup>${widths.map((w) => `<col style="width:${w}%">`).join('')}</colgroup><thead><tr>`);
  h.push('<th>user</th><th>title</th><th>manager</th><th>direct roles</th><th>inherited roles</th><th>tables</th><th>PHI in clear</th><th>HR roster</th></tr></thead><tbody>');
  for (const u of r.users) {
    const clear = r.categories.filter((c) => u.phi[c] === 'clear');
    const rosterCls = u.roster === 'missing' || u.roster === 'terminated' ? ' class="clear"' : '';
    h.push(
      `<tr><td>${esc(u.name)}${u.onTarget ? '' : ' <span class="meta">(not on target)</span>'}</td><td>${esc(u.title ?? '')}</td><td>${esc(u.manager ?? '')}</td>` +
        `<td>${esc(u.direct.join(', ') || '—')}</td><td>${u.inherited.map((i) => `<span title="${esc(i.path.join(' → '))}">${esc(i.role)}</span>`).join(', ') || '—'}</td>` +
        `<td>${u.tables}</td><td>${esc(clear.join(', ') || '—')}</td><td${rosterCls}>${esc(rosterText(u))}</td></tr>`,
    );
  }
  h.push('</tbody></table>');

  h.push('<h2 id="roles">Roles and what they can read</h2>');
  for (const role of r.roles) {
    h.push(`<h3>${esc(role.name)}${role.privileged ? ' <span class="badge check">privileged</span>' : ''}${role.deidentified ? ' <span class="badge">de-identified only</span>' : ''}</h3>`);
    const facts = [
      role.description ? esc(role.description) : '',
      role.owner ? `owner: ${esc(role.owner)}` : '',
      role.inherits.length ? `inherits: ${esc(role.inherits.join(', '))}` : '',
      role.members.length ? `members: ${esc(role.members.join(', '))}` : '',
      role.managed ? '' : 'not managed by rbac',
      role.onTarget ? '' : 'not on the target yet',
    ].filter(Boolean);
    if (facts.length) h.push(`<p class="meta">${facts.join(' · ')}</p>`);
    if (role.reads.length === 0) h.push('<p>Reads no tables.</p>');
    else {
      h.push('<table><thead><tr><th>table</th><th>columns</th><th>PHI</th><th>via</th></tr></thead><tbody>');
      for (const t of role.reads) {
        const phi = t.phi.map((p) => `<span class="${p.masked ? 'masked' : 'clear'}">${esc(p.category)}</span> <span class="meta">(${esc(p.column)}${p.masked ? `, masked by ${esc(p.masked)}` : ''})</span>`).join('<br>');
        h.push(`<tr><td>${esc(t.table)}${t.reachable ? '' : ' <span class="meta">(no schema USAGE)</span>'}</td><td>${esc(columnsText(t))}</td><td>${phi || '—'}</td><td>${esc(t.via.join(', '))}</td></tr>`);
      }
      h.push('</tbody></table>');
    }
    if (role.other.length) h.push(`<p class="meta">Other privileges: ${role.other.map((o) => `${esc(o.privileges.join(', '))} on ${esc(o.object)}`).join('; ')}</p>`);
  }

  h.push('<h2 id="privileged">Privileged roles</h2>');
  if (r.privileged.length === 0) h.push('<p>None.</p>');
  else {
    h.push('<table><thead><tr><th>role</th><th>held by</th><th>justification</th></tr></thead><tbody>');
    for (const p of r.privileged) h.push(`<tr><td>${esc(p.role)}</td><td>${esc(p.holders.join(', ') || 'nobody')}</td><td>${esc(p.justification ?? 'NO JUSTIFICATION')}</td></tr>`);
    h.push('</tbody></table>');
  }

  h.push(...accountHtml(r));

  h.push('<h2 id="roster">HR roster cross-check</h2>');
  if (r.users.every((u) => u.roster === 'not checked')) h.push('<p>No roster given: not checked.</p>');
  else {
    h.push(`<p>Roster: ${esc(r.roster.file ?? '(given)')}.</p>`);
    h.push(`<p><strong>Not on the roster, remove now:</strong> ${esc(r.roster.missing.join(', ') || 'none')}</p>`);
    h.push(`<p><strong>Terminated on the roster, remove now:</strong> ${esc(terminatedText(r))}</p>`);
    h.push(`<p>On the roster without access (information): ${esc(r.roster.withoutAccess.join(', ') || 'none')}</p>`);
  }

  if (r.emergency) h.push(renderEmergencyHtml(r.emergency));
  if (r.usage) h.push(...renderUsageHtml(r.usage));
  h.push('<h2 id="signoff">Sign-off</h2><table class="signoff"><tbody>');
  for (const s of [...SIGN_OFF, 'Manager confirmations']) h.push(`<tr><th style="width:30%">${esc(s)}</th><td></td></tr>`);
  h.push('</tbody></table>', '</body></html>');
  return h.join('\n') + '\n';
}

// --- use of PHI access (src/usage/, `rbac review --usage`) ------------------------------

const USAGE_NOTE =
  'From the platform\'s access history. A read the history names without its columns (SELECT *, a statement that does not parse) counts as a read of every PHI column of the table, so it never makes a removal candidate.';

/** Markdown: who read which PHI columns in the period, and PHI access granted but not used (removal candidates). */
export function renderUsageMarkdown(u: ReviewUsage): string[] {
  const out: string[] = ['## Use of PHI access', ''];
  if ('unavailable' in u) return [...out, `No access log is available: ${md(u.unavailable)}.${u.hint ? ` To include it: ${md(u.hint)}.` : ''}`, ''];
  const r = u.report;
  out.push(`Period: ${md(r.since)} to ${md(r.until)}. ${md(USAGE_NOTE)}`, '', '### PHI columns read', '');
  if (r.reads.length === 0) out.push('No reads of PHI columns recorded in the period.');
  else {
    out.push('| user | column | category | reads | last read |', '|---|---|---|---:|---|');
    for (const x of r.reads) out.push(`| ${md(x.user)} | ${md(x.column)} | ${md(x.category)} | ${x.count} | ${md(x.last)} |`);
  }
  out.push('', '### Granted but not used in the period (candidates for removal)', '');
  if (r.unused.length === 0) out.push('None: every PHI column a user can read was read in the period.');
  else {
    out.push('| user | column | category |', '|---|---|---|');
    for (const x of r.unused) out.push(`| ${md(x.user)} | ${md(x.column)} | ${md(x.category)} |`);
  }
  out.push('');
  return out;
}

/** HTML: as renderUsageMarkdown. */
export function renderUsageHtml(u: ReviewUsage): string[] {
  const h: string[] = ['<h2 id="usage">Use of PHI access</h2>'];
  if ('unavailable' in u) return [...h, `<p class="check">No access log is available: ${esc(u.unavailable)}.${u.hint ? ` To include it: ${esc(u.hint)}.` : ''}</p>`];
  const r = u.report;
  h.push(`<p class="meta">Period: ${esc(r.since)} to ${esc(r.until)}. ${esc(USAGE_NOTE)}</p>`, '<h3>PHI columns read</h3>');
  if (r.reads.length === 0) h.push('<p>No reads of PHI columns recorded in the period.</p>');
  else {
    h.push('<table><thead><tr><th>user</th><th>column</th><th>category</th><th>reads</th><th>last read</th></tr></thead><tbody>');
    for (const x of r.reads) h.push(`<tr><td>${esc(x.user)}</td><td>${esc(x.column)}</td><td>${esc(x.category)}</td><td>${x.count}</td><td>${esc(x.last)}</td></tr>`);
    h.push('</tbody></table>');
  }
  h.push('<h3>Granted but not used in the period (candidates for removal)</h3>');
  if (r.unused.length === 0) h.push('<p>None: every PHI column a user can read was read in the period.</p>');
  else {
    h.push('<table><thead><tr><th>user</th><th>column</th><th>category</th></tr></thead><tbody>');
    for (const x of r.unused) h.push(`<tr><td>${esc(x.user)}</td><td class="clear">${esc(x.column)}</td><td>${esc(x.category)}</td></tr>`);
    h.push('</tbody></table>');
  }
  return h;
}

// --- the whole account (review/account.ts) ---------------------------------------------
// Kept apart from the sections above so later sections (emergency access, usage) can be
// added beside it.

function factWhat(e: AccessReview['account']['privileged'][number]): string {
  return `${e.privilege}${e.object ? ` on ${e.object}` : ''}`;
}

/** PHI columns (`db.schema.table.column`) grouped by table, in order. */
function byTable(columns: AccessReview['account']['unmanagedPhi'][number]['columns']): [string, { name: string; category: string; masked?: string }[]][] {
  const m = new Map<string, { name: string; category: string; masked?: string }[]>();
  for (const c of columns) {
    const i = c.column.lastIndexOf('.');
    const t = c.column.slice(0, i);
    (m.get(t) ?? m.set(t, []).get(t)!).push({ name: c.column.slice(i + 1), category: c.category, masked: c.masked });
  }
  return [...m.entries()];
}

/** Markdown: the platform's administrators with their justification, and unmanaged principals reaching PHI. */
export function accountMarkdown(r: AccessReview): string[] {
  const out: string[] = ['## Privileged access (whole account)', ''];
  if (!r.account.read) return [...out, r.account.error ? `Could not be read: ${md(r.account.error)}` : `The ${md(r.platform)} reader does not read account-wide administrators: not checked.`, ''];
  if (r.account.privileged.length === 0) out.push('None.');
  else {
    out.push('| principal | kind | privilege | via | justification |', '|---|---|---|---|---|');
    for (const e of r.account.privileged) {
      out.push(
        `| ${md(e.principal)}${e.managed ? '' : ' (not managed)'} | ${e.isUser ? 'user' : 'role'} | ${md(factWhat(e))} | ${md(e.via.join(' → ') || 'direct')} | ` +
          `${e.justification ? `${md(e.justification)} (${md(e.justifiedAt ?? '')})` : '**NO JUSTIFICATION**'} |`,
      );
    }
  }
  out.push('', '## Unmanaged principals reaching PHI', '');
  if (r.account.unmanagedPhi.length === 0) out.push('None.');
  for (const u of r.account.unmanagedPhi) {
    out.push(`- **${md(u.principal)}** (${u.isUser ? 'user' : 'role'}; ${md(u.how.join('; '))}):`);
    for (const [table, cols] of byTable(u.columns)) {
      out.push(`  - ${md(table)}: ${md(cols.map((c) => `${c.name} (${c.category}${c.masked ? `, masked by ${c.masked}` : ', CLEAR'})`).join(', '))}`);
    }
  }
  out.push('');
  return out;
}

/** HTML: as accountMarkdown. */
export function accountHtml(r: AccessReview): string[] {
  const h: string[] = ['<h2 id="account-privileged">Privileged access (whole account)</h2>'];
  if (!r.account.read) return [...h, r.account.error ? `<p class="clear">Could not be read: ${esc(r.account.error)}</p>` : `<p>The ${esc(r.platform)} reader does not read account-wide administrators: not checked.</p>`];
  if (r.account.privileged.length === 0) h.push('<p>None.</p>');
  else {
    h.push('<table><thead><tr><th>principal</th><th>kind</th><th>privilege</th><th>via</th><th>justification</th></tr></thead><tbody>');
    for (const e of r.account.privileged) {
      h.push(
        `<tr><td>${esc(e.principal)}${e.managed ? '' : ' <span class="meta">(not managed)</span>'}</td><td>${e.isUser ? 'user' : 'role'}</td><td>${esc(factWhat(e))}</td>` +
          `<td>${esc(e.via.join(' → ') || 'direct')}</td>` +
          (e.justification ? `<td>${esc(e.justification)} <span class="meta">(${esc(e.justifiedAt ?? '')})</span></td>` : '<td class="clear">NO JUSTIFICATION</td>') +
          '</tr>',
      );
    }
    h.push('</tbody></table>');
  }
  h.push('<h2 id="account-phi">Unmanaged principals reaching PHI</h2>');
  if (r.account.unmanagedPhi.length === 0) h.push('<p>None.</p>');
  else {
    h.push('<table><thead><tr><th>principal</th><th>how</th><th>PHI columns</th></tr></thead><tbody>');
    for (const u of r.account.unmanagedPhi) {
      const cols = u.columns.map((c) => `<span class="${c.masked ? 'masked' : 'clear'}">${esc(c.category)}</span> <span class="meta">(${esc(c.column)}${c.masked ? `, masked by ${esc(c.masked)}` : ''})</span>`).join('<br>');
      h.push(`<tr><td>${esc(u.principal)} <span class="meta">(${u.isUser ? 'user' : 'role'})</span></td><td>${esc(u.how.join('; '))}</td><td>${cols}</td></tr>`);
    }
    h.push('</tbody></table>');
  }
  return h;
}

/**
 * The role x PHI-category matrix as CSV, for the auditor's sample: one row per role
 * (managed or not, PUBLIC included where it reads anything), one column per category
 * classified in the configuration, each cell `clear`, `masked` or `none`; then
 * `managed`, `privileged`, `deidentified` and `members` (users holding the role directly).
 */
export function renderPhiMatrixCsv(r: AccessReview): string {
  const rows: (string | number)[][] = [['role', ...r.categories, 'managed', 'privileged', 'deidentified', 'members']];
  for (const role of r.roles) {
    rows.push([role.name, ...r.categories.map((c) => role.phi[c]), role.managed ? 'yes' : 'no', role.privileged ? 'yes' : 'no', role.deidentified ? 'yes' : 'no', role.members.join(' ')]);
  }
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
