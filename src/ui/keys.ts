/**
 * Key handling for the interactive screens as a pure reducer: UI state + one key ->
 * next UI state. Terminals (and tmux send-keys) can deliver several keys in one
 * chunk ("prod\r"), so chunks are split into single keys and folded one by one.
 */
import type { Key } from 'ink';
import type { Statement } from '../dialects/types.js';
import type { Plan } from '../plan/types.js';
import type { ApplyEnd, SummaryLine } from './apply-state.js';
import { countChanges } from './describe.js';
import { changeGroup } from '../plan/plan.js';
import { buildRows, cursorRow, groupByRole, isSelectable, moveCursor, roleKey, type TreeRow } from './tree.js';

/** How an interactive session ended. */
export type InteractiveOutcome = 'applied' | 'cancelled' | 'failed' | 'closed';

/** Which screen is showing and its own input. */
export type Mode =
  | { name: 'browse' }
  | { name: 'filter' }
  | { name: 'confirm'; typed: string; mismatch?: string }
  | { name: 'applying' }
  | { name: 'done'; end: ApplyEnd; summary: SummaryLine[] };

/**
 * All UI state of the interactive app. Invariant: `exit` is set at most once and
 * only `mode: applying` ever leads to the apply function being called.
 */
export interface UiState {
  mode: Mode;
  filter: string;
  toggledRoles: ReadonlySet<string>;
  expandedChanges: ReadonlySet<number>;
  cursorKey?: string;
  message?: string;
  /** Scroll offset of the statement list once the run is over. */
  applyScroll: number;
  exit?: InteractiveOutcome;
}

/** What the reducer reads besides the state. */
export interface KeyContext {
  plan: Plan;
  statements: readonly Statement[];
  targetName: string;
  readOnly: boolean;
  /** Rows the tree viewport shows, for page up/down. */
  pageSize: number;
  /** Columns available to SQL lines in the tree. */
  sqlWidth?: number;
}

export const initialUiState = (): UiState => ({
  mode: { name: 'browse' },
  filter: '',
  toggledRoles: new Set(),
  expandedChanges: new Set(),
  applyScroll: 0,
});

/** A key with every flag off; fields set as needed. */
export function plainKey(over: Partial<Key> = {}): Key {
  return {
    upArrow: false,
    downArrow: false,
    leftArrow: false,
    rightArrow: false,
    pageDown: false,
    pageUp: false,
    home: false,
    end: false,
    return: false,
    escape: false,
    ctrl: false,
    shift: false,
    tab: false,
    backspace: false,
    delete: false,
    meta: false,
    super: false,
    hyper: false,
    capsLock: false,
    numLock: false,
    ...over,
  } as Key;
}

/**
 * Splits what Ink delivered into single keys. A chunk of plain characters (no
 * modifier, no named key) becomes one key per character; `\r`/`\n` become Enter and
 * DEL/BS become Backspace.
 */
export function splitKeys(input: string, key: Key): { input: string; key: Key }[] {
  const named =
    key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageDown || key.pageUp ||
    key.home || key.end || key.return || key.escape || key.ctrl || key.tab || key.backspace || key.delete;
  if (named || input.length <= 1) return [{ input, key }];
  const out: { input: string; key: Key }[] = [];
  for (const ch of input) {
    if (ch === '\r' || ch === '\n') out.push({ input: '', key: plainKey({ return: true }) });
    else if (ch === '\x7f' || ch === '\b') out.push({ input: '', key: plainKey({ backspace: true }) });
    else if (ch >= ' ') out.push({ input: ch, key: plainKey({ shift: ch !== ch.toLowerCase() }) });
  }
  return out;
}

const toggle = <T,>(s: ReadonlySet<T>, v: T, on?: boolean): ReadonlySet<T> => {
  const n = new Set(s);
  if (on ?? !n.has(v)) n.add(v);
  else n.delete(v);
  return n;
};

/** Rows of the tree for a state (see tree.ts). */
export function rowsFor(state: UiState, ctx: KeyContext): TreeRow[] {
  return buildRows(ctx.plan, ctx.statements, {
    toggledRoles: state.toggledRoles,
    expandedChanges: state.expandedChanges,
    filter: state.filter,
    sqlWidth: ctx.sqlWidth,
  });
}

/** The cursor key actually in effect (the first item when the stored one is gone). */
export function effectiveCursor(rows: readonly TreeRow[], key: string | undefined): string | undefined {
  const at = cursorRow(rows, key);
  const row = at >= 0 ? rows[at] : undefined;
  return row && isSelectable(row) ? row.key : undefined;
}

function isText(input: string, key: Key): boolean {
  return input.length > 0 && !key.ctrl && !key.meta && !key.tab && !key.return && !key.escape && input >= ' ';
}

const isCtrlC = (input: string, key: Key): boolean => key.ctrl && input === 'c';

function withFilter(state: UiState, filter: string): UiState {
  // A new filter opens every role it leaves; earlier toggles would invert that.
  return { ...state, filter, toggledRoles: new Set() };
}

function navigate(state: UiState, rows: TreeRow[], input: string, key: Key, ctx: KeyContext, letters: boolean): UiState | undefined {
  const l = letters ? input : '';
  const page = Math.max(1, ctx.pageSize - 1);
  let delta = 0;
  if (key.upArrow || l === 'k') delta = -1;
  else if (key.downArrow || l === 'j') delta = 1;
  else if (key.pageUp) delta = -page;
  else if (key.pageDown) delta = page;
  else if (key.home || l === 'g') delta = -rows.length;
  else if (key.end || l === 'G') delta = rows.length;
  if (delta === 0) return undefined;
  return { ...state, cursorKey: moveCursor(rows, effectiveCursor(rows, state.cursorKey), delta) };
}

function expand(state: UiState, rows: TreeRow[], open: boolean | 'toggle'): UiState {
  const at = cursorRow(rows, state.cursorKey);
  const row = at >= 0 ? rows[at] : undefined;
  if (row?.type === 'role') {
    if (open === 'toggle' || open !== row.expanded) return { ...state, toggledRoles: toggle(state.toggledRoles, row.role) };
    return state;
  }
  if (row?.type === 'change') {
    const want = open === 'toggle' ? !row.expanded : open;
    // Left on a closed change goes up to its role, as in a file tree.
    if (!want && !row.expanded) return { ...state, cursorKey: roleKey(changeGroup(row.change)) };
    return { ...state, expandedChanges: toggle(state.expandedChanges, row.index, want) };
  }
  return state;
}

function startApply(state: UiState, ctx: KeyContext): UiState {
  if (ctx.readOnly) return { ...state, message: 'read-only: run `rbac apply` to apply this plan' };
  if (ctx.plan.problems.some((p) => p.severity === 'error'))
    return { ...state, message: 'the plan has errors; fix them before applying' };
  if (ctx.plan.changes.length === 0) return { ...state, message: 'nothing to apply' };
  return { ...state, message: undefined, mode: { name: 'confirm', typed: '' } };
}

/** Next UI state after one key. Pure: never calls apply, never exits by itself. */
export function reduceKey(state: UiState, input: string, key: Key, ctx: KeyContext): UiState {
  if (state.exit) return state;
  const mode = state.mode;
  if (mode.name === 'applying') {
    // Stopping midway is not offered: the apply decides what is kept (Postgres rolls back).
    if (isCtrlC(input, key) || input === 'q') return { ...state, message: 'apply in progress: wait for it to finish' };
    return state;
  }
  if (mode.name === 'done') {
    if (isCtrlC(input, key) || input === 'q' || key.return || key.escape) {
      const ok = 'result' in mode.end && mode.end.result.ok;
      return { ...state, exit: ok ? 'applied' : 'failed' };
    }
    if (key.upArrow || input === 'k') return { ...state, applyScroll: Math.max(0, state.applyScroll - 1) };
    if (key.downArrow || input === 'j')
      return { ...state, applyScroll: Math.min(Math.max(0, ctx.statements.length - 1), state.applyScroll + 1) };
    return state;
  }
  if (isCtrlC(input, key)) return { ...state, exit: ctx.readOnly ? 'closed' : 'cancelled' };
  const rows = rowsFor(state, ctx);
  if (mode.name === 'confirm') {
    const destructive = countChanges(ctx.plan.changes).destructive;
    if (destructive > 0) {
      if (key.escape) return { ...state, mode: { name: 'browse' }, message: 'not applied' };
      if (key.return) {
        if (mode.typed === ctx.targetName) return { ...state, mode: { name: 'applying' } };
        return { ...state, mode: { name: 'confirm', typed: '', mismatch: mode.typed } };
      }
      if (key.backspace || key.delete) return { ...state, mode: { ...mode, typed: mode.typed.slice(0, -1) } };
      if (isText(input, key)) return { ...state, mode: { ...mode, typed: mode.typed + input } };
      return state;
    }
    if (input === 'y' || input === 'Y') return { ...state, mode: { name: 'applying' } };
    return { ...state, mode: { name: 'browse' }, message: 'not applied' };
  }
  if (mode.name === 'filter') {
    if (key.escape) return { ...withFilter(state, ''), mode: { name: 'browse' } };
    if (key.return) return { ...state, mode: { name: 'browse' } };
    if (key.backspace || key.delete) return withFilter(state, state.filter.slice(0, -1));
    const moved = navigate(state, rows, input, key, ctx, false);
    if (moved) return moved;
    if (isText(input, key)) return withFilter(state, state.filter + input);
    return state;
  }
  // browse
  const s: UiState = { ...state, message: undefined };
  if (input === 'q') return { ...s, exit: ctx.readOnly ? 'closed' : 'cancelled' };
  if (key.escape) return withFilter(s, '');
  const moved = navigate(s, rows, input, key, ctx, true);
  if (moved) return moved;
  if (key.return || input === ' ') return expand(s, rows, 'toggle');
  if (key.rightArrow || input === 'l') return expand(s, rows, true);
  if (key.leftArrow || input === 'h') return expand(s, rows, false);
  const allRoles = (): ReadonlySet<string> => new Set(groupByRole(ctx.plan.changes).map((g) => g.role));
  const filtering = s.filter.trim() !== '';
  if (input === 'e') return { ...s, toggledRoles: filtering ? new Set() : allRoles() };
  if (input === 'c') {
    const at = cursorRow(rows, s.cursorKey);
    const row = at >= 0 ? rows[at] : undefined;
    return {
      ...s,
      expandedChanges: new Set(),
      toggledRoles: filtering ? allRoles() : new Set(),
      cursorKey: row?.type === 'change' ? roleKey(changeGroup(row.change)) : s.cursorKey,
    };
  }
  if (input === '/') return { ...s, mode: { name: 'filter' } };
  if (input === 'a') return startApply(s, ctx);
  return s;
}
