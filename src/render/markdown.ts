/**
 * The markdown plan, for pull-request comments: a summary table, destructive changes
 * called out first, changes grouped by role, each role folded in `<details>` with its
 * SQL, and a Mermaid graph of the part of the role hierarchy that the plan touches.
 * The whole fits one comment (`maxChars`): only per-role details and the graph give
 * way, never the summary, a problem or a destructive change, and a cut is announced.
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
  /** The most characters the output may have (default DEFAULT_MAX_CHARS). */
  maxChars?: number;
  /** Where the whole plan is, named in the note when details are cut. */
  fullPlan?: FullPlanPointer;
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

/** GitHub refuses a comment body over 65,536 characters; the default leaves room for a header and footer. */
export const DEFAULT_MAX_CHARS = 60_000;
/** Below this even the "too large" notice may not fit; the CLI refuses smaller values. */
export const MIN_MAX_CHARS = 1_000;
/** Mermaid's defaults (`maxEdges`, `maxTextSize`): a flowchart past either is refused, not drawn. */
export const MERMAID_MAX_EDGES = 500;
export const MERMAID_MAX_TEXT = 50_000;

/** Where the whole plan is, for the line that announces a cut. */
export interface FullPlanPointer {
  /** A link to it (an http(s) URL, e.g. the CI run's artifact page). */
  url?: string;
  /** The plan file written next to the comment (`rbac plan --out`), named by its base name. */
  file?: string;
}

/** What the fitted comment left out; every count is 0 when nothing was. */
export interface MarkdownFit {
  markdown: string;
  /**
   * false when the summary, the problems and the destructive changes alone exceed
   * `maxChars`: `markdown` is then a short notice saying so, never a part of them.
   */
  fits: boolean;
  /** Characters the parts that are never cut need (header, summary, problems, destructive changes, closing lines). */
  essentialChars: number;
  omittedRoles: number;
  omittedChanges: number;
  /** Shown roles whose SQL was left out to fit. */
  rolesWithoutSql: number;
  /** How the role graph was drawn: all of it, roles only (users left out), changed edges only, left out, or not applicable. */
  graph: 'full' | 'roles' | 'changed' | 'omitted' | 'none';
}

/** The markdown plan, cut to fit `maxChars` (see renderPlanMarkdownFit). */
export function renderPlanMarkdown(plan: Plan, statements: readonly Statement[], opts: MarkdownOptions = {}): string {
  return renderPlanMarkdownFit(plan, statements, opts).markdown;
}

/**
 * The markdown plan within `opts.maxChars` (default DEFAULT_MAX_CHARS) characters
 * (UTF-16 code units, never fewer than GitHub counts). The header, the summary, every
 * problem and every destructive change always appear; the per-role details, folded in
 * `<details>`, are added whole, in plan order, while they fit (a role's SQL is dropped
 * before the role itself), and a note then says how many roles and changes are left out
 * and where the full plan is. Nothing is cut inside a line or a code fence. When the
 * parts that are never cut do not fit, the result is a short notice and `fits` is false.
 */
export function renderPlanMarkdownFit(plan: Plan, statements: readonly Statement[], opts: MarkdownOptions = {}): MarkdownFit {
  const maxChars = opts.maxChars ?? DEFAULT_MAX_CHARS;
  const s = plan.summary;
  const head: string[] = [];
  head.push(`### rbac plan: ${md(plan.target)} (${plan.platform}, ${plan.mode})`, '');
  const summaryTable = [
    '| to add | to change | to remove | destructive |',
    '|---:|---:|---:|---:|',
    `| ${s.add} | ${s.change} | ${s.remove} | ${s.destructive > 0 ? `**${s.destructive}**` : '0'} |`,
  ];
  if (plan.changes.length === 0) head.push('**No changes.** The target matches the configuration.');
  else head.push(...summaryTable);
  head.push('');
  for (const p of plan.problems) {
    head.push(`> **${p.severity}:** ${md(p.message)}${p.hint ? `<br>hint: ${md(p.hint)}` : ''}`, '');
  }
  const destructive = plan.changes.filter(isDestructive);
  if (destructive.length > 0) {
    head.push(`> [!WARNING]`);
    head.push(`> **${destructive.length} destructive change${plural(destructive.length)}** remove access or drop roles:`);
    for (const c of destructive) {
      const reason = 'reason' in c && c.reason ? ` (${md(c.reason)})` : '';
      head.push(`> - **${md(changeGroup(c))}**: ${md(describeChange(c))}${reason}`);
    }
    head.push('');
  }
  const tail: string[] = [];
  if (plan.changes.length > 0) tail.push(summaryLine(plan), '');
  tail.push(`<sub>live fingerprint \`${plan.liveFingerprint.slice(0, 12)}\`${plan.configDigest ? ` · config digest \`${plan.configDigest.slice(0, 12)}\`` : ''}</sub>`);
  const headText = lines(head);
  const tailText = tail.join('\n') + '\n';

  const groups = [...groupChanges(plan.changes)];
  // The longest cut note this plan can need, so reserving it never overshoots.
  const worstNote = cutNote({ maxChars, roles: groups.length, omittedRoles: groups.length, changes: plan.changes.length, omittedChanges: plan.changes.length, rolesWithoutSql: groups.length, pointer: opts.fullPlan });
  const essentialChars = headText.length + tailText.length;
  const base: Omit<MarkdownFit, 'markdown' | 'fits'> = { essentialChars, omittedRoles: 0, omittedChanges: 0, rolesWithoutSql: 0, graph: 'none' };
  if (essentialChars + (plan.changes.length > 0 ? worstNote.length + 1 : 0) > maxChars) {
    return { ...base, fits: false, markdown: tooLargeNotice(plan, summaryTable, essentialChars, maxChars, opts.fullPlan) };
  }
  if (plan.changes.length === 0) return { ...base, fits: true, markdown: headText + tailText };

  // The graph takes at most a third of the comment; the details fill the rest.
  let budget = maxChars - essentialChars - worstNote.length - 1;
  const graphPick = opts.graph === false ? undefined : pickGraph(plan, opts.hierarchy ?? [], Math.min(MERMAID_MAX_TEXT, Math.floor(maxChars / 3), budget));
  const graphText = graphPick ? graphSection(graphPick) : '';
  budget -= graphText.length;

  const sqlByChange = new Map<number, string[]>();
  for (const st of statements) {
    let list = sqlByChange.get(st.changeIndex);
    if (!list) sqlByChange.set(st.changeIndex, (list = []));
    list.push(`${st.sql};`);
  }
  const blocks = groups.map(([role, idxs]) => ({ idxs, full: roleBlock(plan, role, idxs, sqlByChange, true), bare: roleBlock(plan, role, idxs, sqlByChange, false) }));
  // The table of roles comes first when every role's details fit beside it; else the
  // details' own summaries carry the counts.
  const table = roleTable(plan, groups);
  const all = blocks.reduce((n, b) => n + b.full.length, 0);
  let details = table.length + all <= budget ? table : '';
  let shownRoles = 0;
  let shownChanges = 0;
  let rolesWithoutSql = 0;
  for (const b of blocks) {
    if (details.length + b.full.length <= budget) details += b.full;
    else if (b.bare !== b.full && details.length + b.bare.length <= budget) {
      details += b.bare;
      rolesWithoutSql++;
    } else break;
    shownRoles++;
    shownChanges += b.idxs.length;
  }
  const omittedRoles = groups.length - shownRoles;
  const omittedChanges = plan.changes.length - shownChanges;
  const note =
    omittedRoles > 0 || rolesWithoutSql > 0
      ? cutNote({ maxChars, roles: groups.length, omittedRoles, changes: plan.changes.length, omittedChanges, rolesWithoutSql, pointer: opts.fullPlan }) + '\n'
      : '';
  const markdown = headText + details + note + graphText + tailText;
  return { ...base, fits: true, markdown, omittedRoles, omittedChanges, rolesWithoutSql, graph: opts.graph === false ? 'none' : (graphPick?.level ?? 'omitted') };
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}

function lines(ls: readonly string[]): string {
  return ls.length ? ls.join('\n') + '\n' : '';
}

/** Text inside an HTML block (a `<summary>`): markdown is not parsed there, so only HTML is escaped. */
function html(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, ' ');
}

function roleTable(plan: Plan, groups: readonly (readonly [string, number[]])[]): string {
  const out = ['| role | add | change | remove |', '|---|---:|---:|---:|'];
  for (const [role, idxs] of groups) {
    const n = { '+': 0, '~': 0, '-': 0 };
    for (const i of idxs) n[changeSymbol(plan.changes[i])]++;
    out.push(`| ${md(role)} | ${n['+']} | ${n['~']} | ${n['-']} |`);
  }
  out.push('');
  return lines(out);
}

/** One role's folded details: its changes, then (with `sql`) the statements they compile to. */
function roleBlock(plan: Plan, role: string, idxs: readonly number[], sqlByChange: ReadonlyMap<number, string[]>, sql: boolean): string {
  const n = { '+': 0, '~': 0, '-': 0 };
  for (const i of idxs) n[changeSymbol(plan.changes[i])]++;
  const counts = [n['+'] ? `+${n['+']}` : '', n['~'] ? `~${n['~']}` : '', n['-'] ? `-${n['-']}` : ''].filter(Boolean).join(' ');
  const out: string[] = [`<details><summary>${html(role)} (${counts})</summary>`, ''];
  for (const i of idxs) {
    const c = plan.changes[i];
    const mark = isDestructive(c) ? ' **(destructive)**' : '';
    const reason = 'reason' in c && c.reason ? ` — ${md(c.reason)}` : '';
    out.push(`- \`${changeSymbol(c)}\` ${md(describeChange(c))}${mark}${reason}`);
  }
  out.push('');
  const body = idxs.flatMap((i) => sqlByChange.get(i) ?? []).join('\n');
  if (body) {
    if (sql) {
      const fence = fenceFor(body);
      out.push(`${fence}sql`, body, fence, '');
    } else out.push('_SQL left out to fit; it is in the full plan._', '');
  }
  out.push('</details>', '');
  return lines(out);
}

function pointerText(p: FullPlanPointer | undefined): string {
  // encodeURIComponent leaves parentheses alone, and one would end the link.
  if (p?.url) return `[the full plan](${p.url.replace(/[()\s<>\\]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)})`;
  if (p?.file) return `the full plan, ${md(p.file)} (kept as the CI run's artifact)`;
  return 'the full plan (`rbac plan --out plan.json`)';
}

function cutNote(o: { maxChars: number; roles: number; omittedRoles: number; changes: number; omittedChanges: number; rolesWithoutSql: number; pointer?: FullPlanPointer }): string {
  const parts: string[] = [];
  if (o.omittedRoles > 0) {
    parts.push(`${num(o.omittedRoles)} of the ${num(o.roles)} role${plural(o.roles)} with changes, holding ${num(o.omittedChanges)} of ${num(o.changes)} change${plural(o.changes)}, are not shown.`);
  }
  if (o.rolesWithoutSql > 0) parts.push(`The SQL of ${num(o.rolesWithoutSql)} shown role${plural(o.rolesWithoutSql)} is left out.`);
  return [
    '> [!NOTE]',
    `> **Cut to fit one comment (${num(o.maxChars)} characters).** ${parts.join(' ')} Every destructive change and every problem is listed above. See ${pointerText(o.pointer)}.`,
    '',
  ].join('\n');
}

function tooLargeNotice(plan: Plan, summaryTable: readonly string[], needed: number, maxChars: number, pointer: FullPlanPointer | undefined): string {
  const target = plan.target.length > 80 ? `${plan.target.slice(0, 80)}…` : plan.target;
  const d = plan.summary.destructive;
  const np = plan.problems.length;
  return lines([
    `### rbac plan: ${md(target)} (${plan.platform}, ${plan.mode})`,
    '',
    ...summaryTable,
    '',
    '> [!CAUTION]',
    `> **Too large for one comment.** The summary, ${num(np)} problem${plural(np)} and ${num(d)} destructive change${plural(d)} alone need ${num(needed)} characters; the limit is ${num(maxChars)}. None of them is shown rather than only some. Review ${pointerText(pointer)}.`,
    '',
    `<sub>live fingerprint \`${plan.liveFingerprint.slice(0, 12)}\`</sub>`,
  ]);
}

function num(n: number): string {
  return n.toLocaleString('en-US');
}

function graphSection(g: GraphPick): string {
  if (g.level === 'omitted') return g.note + '\n\n';
  return lines(['<details open><summary>Role hierarchy around the changes</summary>', '', g.text, '', ...(g.note ? [g.note, ''] : []), '</details>', '']);
}

interface GraphPick {
  level: 'full' | 'roles' | 'changed' | 'omitted';
  text: string;
  note: string;
}

/**
 * The most detailed graph within Mermaid's limits and `maxText`: all of it, then roles
 * only (user memberships left out), then only the edges the plan changes; else a note.
 */
function pickGraph(plan: Plan, hierarchy: readonly HierarchyEdge[], maxText: number): GraphPick | undefined {
  let last: MermaidGraph | undefined;
  for (const level of ['full', 'roles', 'changed'] as const) {
    const g = buildMermaidGraph(plan, hierarchy, level);
    if (!g.text) return undefined;
    last = g;
    if (g.edges <= MERMAID_MAX_EDGES && g.text.length <= maxText) {
      const note =
        level === 'full'
          ? ''
          : level === 'roles'
            ? `<sub>Roles only: ${num(g.leftOut)} user membership${plural(g.leftOut)} not drawn, to stay within Mermaid's limits.</sub>`
            : `<sub>Changed role-to-role edges only: ${num(g.leftOut)} other edge${plural(g.leftOut)} (user memberships, unchanged edges) not drawn, to stay within Mermaid's limits.</sub>`;
      return { level, text: g.text, note };
    }
  }
  return {
    level: 'omitted',
    text: '',
    note: `_The role graph is left out: even its changed edges (${num(last!.edges)}) exceed what Mermaid draws (${MERMAID_MAX_EDGES} edges, ${num(MERMAID_MAX_TEXT)} characters) or this comment's room. The changes are listed by role above._`,
  };
}

/** A Mermaid block and what it holds. */
interface MermaidGraph {
  text: string;
  edges: number;
  /** Edges the level left out (user memberships, unchanged context edges). */
  leftOut: number;
}

/**
 * A Mermaid flowchart of the changed part of the hierarchy: every role a change is
 * about, the membership edges the plan adds (`+`) or removes (`-`, dotted), and the
 * configured role-to-role edges touching those roles. Arrows point from the member to
 * the role it holds, the way privileges flow upward in reverse. Not limited in size:
 * the markdown renderer picks a level that Mermaid accepts.
 */
export function mermaidGraph(plan: Plan, hierarchy: readonly HierarchyEdge[]): string {
  return buildMermaidGraph(plan, hierarchy, 'full').text;
}

/** `roles`: user nodes and their memberships left out; `changed`: also the unchanged context edges. */
function buildMermaidGraph(plan: Plan, hierarchy: readonly HierarchyEdge[], level: 'full' | 'roles' | 'changed'): MermaidGraph {
  const changed = new Set<string>();
  for (const c of plan.changes) if ('role' in c) changed.add(c.role);
  if (changed.size === 0) return { text: '', edges: 0, leftOut: 0 };
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
  // Collapsed levels draw only roles on an edge: at scale, lone nodes are noise.
  if (level === 'full') for (const r of [...changed].sort()) node(r, 'role');
  const edges: string[] = [];
  const seen = new Set<string>();
  let leftOut = 0;
  for (const c of plan.changes) {
    if (c.kind !== 'grantMembership' && c.kind !== 'revokeMembership') continue;
    if (level !== 'full' && c.memberKind === 'user') {
      leftOut++;
      continue;
    }
    const from = node(c.member, c.memberKind);
    const to = node(c.role, 'role');
    seen.add(`${c.member}\u0000${c.role}`);
    edges.push(c.kind === 'grantMembership' ? `  ${from} -->|"+"| ${to}` : `  ${from} -.->|"- revoke"| ${to}`);
  }
  for (const e of [...hierarchy].sort((a, b) => (a.member + '\u0000' + a.role < b.member + '\u0000' + b.role ? -1 : 1))) {
    if (!changed.has(e.role) && !changed.has(e.member)) continue;
    if (seen.has(`${e.member}\u0000${e.role}`)) continue;
    seen.add(`${e.member}\u0000${e.role}`);
    if (level === 'changed') {
      leftOut++;
      continue;
    }
    edges.push(`  ${node(e.member, 'role')} --> ${node(e.role, 'role')}`);
  }
  const text = ['```mermaid', 'flowchart LR', ...nodeLines, ...edges, '  classDef changed stroke-width:3px', '```'].join('\n');
  return { text, edges: edges.length, leftOut };
}
