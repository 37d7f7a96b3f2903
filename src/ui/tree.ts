/**
 * The plan as a tree of lines, grouped by role: pure functions from plan, compiled
 * statements and browser state to the rows the PlanBrowser shows. Keeping this out
 * of the components makes cursor, filter and viewport logic testable without Ink.
 */
import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import type { Statement } from '../dialects/types.js';
import type { Change, Plan } from '../plan/types.js';
import {
  changeBodies,
  changeReason,
  changeSign,
  changeSubject,
  countChanges,
  describeChange,
  isDestructive,
  type ChangeCounts,
} from './describe.js';
import { bodyDiffLines, type DiffLine } from '../render/diff.js';
import { changeGroup } from '../plan/plan.js';
import { groupChanges } from '../render/describe.js';

/** The changes of one role, by index into `plan.changes`, in plan order. */
export interface RoleGroup {
  role: string;
  indices: number[];
  counts: ChangeCounts;
}

/** Groups changes by role, roles sorted by name so the tree is stable. */
export function groupByRole(changes: readonly Change[]): RoleGroup[] {
  const by = groupChanges(changes);
  return [...by.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((role) => {
      const indices = by.get(role)!;
      return { role, indices, counts: countChanges(indices.map((i) => changes[i])) };
    });
}

/**
 * Whether a change matches a filter query: every whitespace-separated term must
 * appear (case-insensitively) in the role, the object, the kind or the description.
 * The term `!` matches destructive changes.
 */
export function matchesFilter(change: Change, query: string): boolean {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return true;
  const hay = [changeGroup(change), changeSubject(change), change.kind, describeChange(change)].join('\n').toLowerCase();
  return terms.every((t) => (t === '!' ? isDestructive(change) : hay.includes(t)));
}

/**
 * Browser state the tree depends on. A role is expanded when it is in
 * `toggledRoles` XOR a filter is active (a filter opens every role it leaves).
 */
export interface TreeState {
  toggledRoles: ReadonlySet<string>;
  expandedChanges: ReadonlySet<number>;
  filter: string;
  /** Columns available to a SQL line; longer lines are cut into several rows. */
  sqlWidth?: number;
}

/**
 * Wraps a line into rows of at most `width` terminal cells, breaking at spaces so
 * words stay whole; only a word longer than a row (a long quoted identifier) is cut.
 * The line's own indentation is kept on its first row; trailing spaces are dropped.
 * With no width (or a silly one) the line is returned whole.
 */
export function wrapLine(line: string, width: number | undefined): string[] {
  if (!width || width < 8 || stringWidth(line) <= width) return [line];
  return wrapAnsi(line, width, { hard: true, trim: false, wordWrap: true }).split('\n').map((l, i) => (i === 0 ? l.trimEnd() : l.trim()));
}

/**
 * Column widths of the role rows: `> ▸ NAME  +A -R ~C  ! D destructive`. Computed
 * from every role of the plan, never from the rows a filter leaves, so filtering
 * never moves a column. `name` is the longest role name, capped so the counts and
 * the destructive note still fit in `width` columns (never below 12).
 */
export interface RoleColumns {
  name: number;
  add: number;
  remove: number;
  change: number;
}

/** Cells before a role's name: cursor, space, arrow, space. */
export const ROLE_PREFIX = 4;
/** Cells between the name column and the counts. */
export const NAME_GAP = 2;

/** Lays out the role rows of `groups` for a terminal `width` columns wide. */
export function roleColumns(groups: readonly RoleGroup[], width: number): RoleColumns {
  const widest = (f: (g: RoleGroup) => string): number => Math.max(0, ...groups.map((g) => stringWidth(f(g))));
  const add = widest((g) => `+${g.counts.add}`);
  const remove = widest((g) => `-${g.counts.remove}`);
  const change = widest((g) => `~${g.counts.change}`);
  const note = widest((g) => destructiveNote(g.counts));
  const room = width - ROLE_PREFIX - NAME_GAP - (add + 1 + remove + 1 + change) - note;
  return { name: Math.min(widest((g) => g.role), Math.max(12, room)), add, remove, change };
}

/** `  ! 3 destructive` for a role with destructive changes, else empty. */
export function destructiveNote(c: ChangeCounts): string {
  return c.destructive > 0 ? `  ! ${c.destructive} destructive` : '';
}

/** A role name in exactly `width` cells: padded, or cut with an ellipsis. */
export function fitName(name: string, width: number): string {
  const cut = stringWidth(name) > width ? cliTruncate(name, width, { position: 'end' }) : name;
  return cut + ' '.repeat(Math.max(0, width - stringWidth(cut)));
}

/** One line of the tree. Only `role` and `change` rows are selectable (have a key). */
export type TreeRow =
  | { type: 'problem'; severity: 'error' | 'warning'; text: string }
  | { type: 'role'; key: string; role: string; counts: ChangeCounts; expanded: boolean; shown: number; total: number }
  | { type: 'change'; key: string; index: number; change: Change; expanded: boolean; statements: number }
  | { type: 'sql'; sql: string }
  | { type: 'diff'; line: DiffLine }
  | { type: 'note'; text: string }
  | { type: 'empty'; text: string };

/** Cursor key of a role row. */
export const roleKey = (role: string): string => `role:${role}`;
/** Cursor key of a change row. */
export const changeKey = (index: number): string => `change:${index}`;

export function isSelectable(row: TreeRow): row is Extract<TreeRow, { key: string }> {
  return row.type === 'role' || row.type === 'change';
}

export function buildRows(plan: Plan, statements: readonly Statement[], state: TreeState): TreeRow[] {
  const rows: TreeRow[] = [];
  for (const p of plan.problems) rows.push({ type: 'problem', severity: p.severity, text: p.message });
  const sqlBy = new Map<number, string[]>();
  for (const s of statements) {
    const list = sqlBy.get(s.changeIndex) ?? [];
    list.push(s.sql);
    sqlBy.set(s.changeIndex, list);
  }
  const filtering = state.filter.trim() !== '';
  for (const g of groupByRole(plan.changes)) {
    const roleHit = filtering && g.role.toLowerCase().includes(state.filter.trim().toLowerCase());
    const shown = roleHit ? g.indices : g.indices.filter((i) => matchesFilter(plan.changes[i], state.filter));
    if (shown.length === 0) continue;
    const expanded = state.toggledRoles.has(g.role) !== filtering;
    rows.push({
      type: 'role',
      key: roleKey(g.role),
      role: g.role,
      counts: g.counts,
      expanded,
      shown: shown.length,
      total: g.indices.length,
    });
    if (!expanded) continue;
    for (const i of shown) {
      const change = plan.changes[i];
      const sql = sqlBy.get(i) ?? [];
      const open = state.expandedChanges.has(i);
      rows.push({ type: 'change', key: changeKey(i), index: i, change, expanded: open, statements: sql.length });
      if (!open) continue;
      const reason = changeReason(change);
      if (reason) rows.push({ type: 'note', text: `reason: ${reason}` });
      for (const body of changeBodies(change)) {
        rows.push({ type: 'note', text: `${body.label}:` });
        for (const line of bodyDiffLines(body.from, body.to)) rows.push({ type: 'diff', line });
      }
      if (sql.length === 0) rows.push({ type: 'note', text: '(no SQL for this change)' });
      // A statement may span lines; each line is its own row so the viewport counts right,
      // and long lines are wrapped here, at word boundaries, rather than by the terminal.
      for (const s of sql) for (const l of s.split('\n')) for (const piece of wrapLine(l, state.sqlWidth)) rows.push({ type: 'sql', sql: piece });
    }
  }
  if (plan.changes.length === 0) rows.push({ type: 'empty', text: 'No changes: the target matches the configuration.' });
  else if (!rows.some(isSelectable)) rows.push({ type: 'empty', text: `No changes match /${state.filter}` });
  return rows;
}

/** Index of the row holding `key`, or of the first selectable row when it is gone. */
export function cursorRow(rows: readonly TreeRow[], key: string | undefined): number {
  const at = key === undefined ? -1 : rows.findIndex((r) => isSelectable(r) && r.key === key);
  if (at >= 0) return at;
  return rows.findIndex(isSelectable);
}

/** Key of the selectable row `delta` steps from the cursor (clamped at both ends). */
export function moveCursor(rows: readonly TreeRow[], key: string | undefined, delta: number): string | undefined {
  const keys = rows.filter(isSelectable).map((r) => r.key);
  if (keys.length === 0) return undefined;
  let at = key === undefined ? -1 : keys.indexOf(key);
  if (at < 0) at = 0;
  else at = Math.max(0, Math.min(keys.length - 1, at + delta));
  return keys[at];
}

/** Last row belonging to the item at `at` (a change's SQL and diff lines). */
export function itemEnd(rows: readonly TreeRow[], at: number): number {
  let end = at;
  if (rows[at]?.type !== 'change') return end;
  while (end + 1 < rows.length && !isSelectable(rows[end + 1]) && rows[end + 1].type !== 'empty') end++;
  return end;
}

/**
 * The first visible row of a viewport of `height` rows that follows the cursor:
 * it moves only as far as needed to show the cursor row and, when room allows, the
 * lines that belong to it (an expanded change's SQL).
 */
export function scrollTop(prevTop: number, cursor: number, end: number, height: number, total: number): number {
  if (height <= 0) return 0;
  let top = prevTop;
  const last = Math.min(end, cursor + height - 1);
  if (last >= top + height) top = last - height + 1;
  if (cursor < top) top = cursor;
  return Math.max(0, Math.min(top, Math.max(0, total - height)));
}

/** Summary counts line for a plan's header. */
export function planCounts(plan: Plan): ChangeCounts {
  return countChanges(plan.changes);
}

export { changeSign };
