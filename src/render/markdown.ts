/**
 * The markdown plan, for pull-request comments: a summary table, destructive changes
 * called out first, changes grouped by role, the SQL folded in `<details>`, and a
 * Mermaid graph of the part of the role hierarchy that the plan touches.
 *
 * Pure and deterministic (no clock, no paths), so it is golden-tested. Every name that
 * reaches the output passes through `md()` (or sits in a fenced block whose fence is
 * longer than any backtick run inside), so a hostile role name cannot break the table,
 * inject HTML or close the SQL block.
 */
import type { Statement } from '../dialects/types.js';
import type { Plan } from '../plan/types.js';
import { changeGroup, changeSymbol, describeChange, groupChanges, isDestructive } from './describe.js';
import { summaryLine } from './text.js';

/** A role-to-role edge of the configured hierarchy: `member` inherits `role`. */
export interface HierarchyEdge {
  role: string;
  member: string;
}

/** Options of the markdown renderer. */
export interface MarkdownOptions {
  /**
   * The configured role hierarchy (role-to-role memberships), so the graph can show the
   * unchanged edges around the changed roles. Without it only changed edges are drawn.
   */
  hierarchy?: readonly HierarchyEdge[];
  /** Omit the Mermaid graph (default: drawn when the plan touches any role). */
  graph?: boolean;
}

/** Escape text for markdown prose and table cells (also neutralizes inline HTML). */
export function md(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*[\]#|~])/g, '\\$1')
    // Intraword underscores never start emphasis (clinical_analyst stays readable).
    .replace(/_/g, (u, i: number, all: string) => (/[\p{L}\p{N}]/u.test(all[i - 1] ?? '') && /[\p{L}\p{N}]/u.test(all[i + 1] ?? '') ? u : '\\_'))
    .replace(/\r?\n/g, ' ');
}

/** A code fence longer than any run of backticks in `body`. */
export function fenceFor(body: string): string {
  let longest = 0;
  for (const m of body.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

/** Text for a Mermaid node label: quotes and markup become entity codes. */
function mermaidLabel(s: string): string {
  return s.replace(/[#"<>&;|[\]{}()`]/g, (ch) => `#${ch.charCodeAt(0)};`);
}

export function renderPlanMarkdown(plan: Plan, statements: readonly Statement[], opts: MarkdownOptions = {}): string {
  const out: string[] = [];
  const s = plan.summary;
  out.push(`### rbac plan: ${md(plan.target)} (${plan.platform}, ${plan.mode})`);
  out.push('');
  if (plan.changes.length === 0) {
    out.push('**No changes.** The target matches the configuration.');
  } else {
    out.push('| to add | to change | to remove | destructive |');
    out.push('|---:|---:|---:|---:|');
    out.push(`| ${s.add} | ${s.change} | ${s.remove} | ${s.destructive > 0 ? `**${s.destructive}**` : '0'} |`);
  }
  out.push('');

  for (const p of plan.problems) {
    out.push(`> **${p.severity}:** ${md(p.message)}${p.hint ? `<br>hint: ${md(p.hint)}` : ''}`);
    out.push('');
  }

  const destructive = plan.changes.filter(isDestructive);
  if (destructive.length > 0) {
    out.push(`> [!WARNING]`);
    out.push(`> **${destructive.length} destructive change${destructive.length === 1 ? '' : 's'}** remove access or drop roles:`);
    for (const c of destructive) {
      const reason = 'reason' in c && c.reason ? ` (${md(c.reason)})` : '';
      out.push(`> - **${md(changeGroup(c))}**: ${md(describeChange(c))}${reason}`);
    }
    out.push('');
  }

  if (plan.changes.length > 0) {
    // Group by role, keeping the plan's order inside each group.
    const groups = groupChanges(plan.changes);
    out.push('| role | add | change | remove |');
    out.push('|---|---:|---:|---:|');
    for (const [role, idxs] of groups) {
      const n = { '+': 0, '~': 0, '-': 0 };
      for (const i of idxs) n[changeSymbol(plan.changes[i])]++;
      out.push(`| ${md(role)} | ${n['+']} | ${n['~']} | ${n['-']} |`);
    }
    out.push('');

    for (const [role, idxs] of groups) {
      out.push(`#### ${md(role)}`);
      out.push('');
      for (const i of idxs) {
        const c = plan.changes[i];
        const mark = isDestructive(c) ? ' **(destructive)**' : '';
        const reason = 'reason' in c && c.reason ? ` — ${md(c.reason)}` : '';
        out.push(`- \`${changeSymbol(c)}\` ${md(describeChange(c))}${mark}${reason}`);
      }
      out.push('');
    }

    const sql = statements.map((st) => `${st.sql};`).join('\n');
    const fence = fenceFor(sql);
    out.push(`<details><summary>SQL (${statements.length} statement${statements.length === 1 ? '' : 's'})</summary>`);
    out.push('');
    out.push(`${fence}sql`);
    out.push(sql);
    out.push(fence);
    out.push('');
    out.push('</details>');
    out.push('');

    const graph = opts.graph === false ? '' : mermaidGraph(plan, opts.hierarchy ?? []);
    if (graph) {
      out.push('<details open><summary>Role hierarchy around the changes</summary>');
      out.push('');
      out.push(graph);
      out.push('');
      out.push('</details>');
      out.push('');
    }
  }

  if (plan.changes.length > 0) out.push(summaryLine(plan), '');
  out.push(`<sub>live fingerprint \`${plan.liveFingerprint.slice(0, 12)}\`${plan.configDigest ? ` · config digest \`${plan.configDigest.slice(0, 12)}\`` : ''}</sub>`);
  return out.join('\n') + '\n';
}

/**
 * A Mermaid flowchart of the changed part of the hierarchy: every role a change is
 * about, the membership edges the plan adds (`+`) or removes (`-`, dotted), and the
 * configured role-to-role edges touching those roles. Arrows point from the member to
 * the role it holds, the way privileges flow upward in reverse.
 */
export function mermaidGraph(plan: Plan, hierarchy: readonly HierarchyEdge[]): string {
  const changed = new Set<string>();
  for (const c of plan.changes) if ('role' in c) changed.add(c.role);
  if (changed.size === 0) return '';
  const ids = new Map<string, string>();
  const nodeLines: string[] = [];
  const node = (name: string, kind: 'role' | 'user'): string => {
    const k = `${kind}\u0000${name}`;
    let id = ids.get(k);
    if (!id) {
      id = `n${ids.size}`;
      ids.set(k, id);
      const label = mermaidLabel(name);
      nodeLines.push(kind === 'user' ? `  ${id}(["${label}"])` : changed.has(name) ? `  ${id}["${label}"]:::changed` : `  ${id}["${label}"]`);
    }
    return id;
  };
  for (const r of [...changed].sort()) node(r, 'role');
  const edges: string[] = [];
  const seen = new Set<string>();
  for (const c of plan.changes) {
    if (c.kind !== 'grantMembership' && c.kind !== 'revokeMembership') continue;
    const from = node(c.member, c.memberKind);
    const to = node(c.role, 'role');
    seen.add(`${c.member}\u0000${c.role}`);
    edges.push(c.kind === 'grantMembership' ? `  ${from} -->|"+"| ${to}` : `  ${from} -.->|"- revoke"| ${to}`);
  }
  for (const e of [...hierarchy].sort((a, b) => (a.member + '\u0000' + a.role < b.member + '\u0000' + b.role ? -1 : 1))) {
    if (!changed.has(e.role) && !changed.has(e.member)) continue;
    if (seen.has(`${e.member}\u0000${e.role}`)) continue;
    seen.add(`${e.member}\u0000${e.role}`);
    edges.push(`  ${node(e.member, 'role')} --> ${node(e.role, 'role')}`);
  }
  return ['```mermaid', 'flowchart LR', ...nodeLines, ...edges, '  classDef changed stroke-width:3px', '```'].join('\n');
}
