/**
 * The interactive plan browser and apply screen. Its state is UI state only
 * (cursor, expansion, filter, confirm input, apply progress), driven by the pure
 * reducer in keys.ts; what it shows comes from the pure helpers in tree.ts and
 * apply-state.ts. The apply function runs only after the reducer enters `applying`.
 */
import { useEffect, useMemo, useReducer, useRef, useState, type ReactNode } from 'react';
import { Box, useInput, useStdout } from 'ink';
import type { ApplyEvent, ApplyResult } from '../apply/types.js';
import type { Statement } from '../dialects/types.js';
import type { Plan } from '../plan/types.js';
import { initialProgress, reduceApply, summaryLines, type ApplyEnd, type SummaryLine } from './apply-state.js';
import { ApplyView, applyChromeHeight, applyViewportTop } from './components/ApplyView.js';
import { ConfirmPrompt, confirmPromptHeight } from './components/ConfirmPrompt.js';
import { Header, Rule } from './components/Header.js';
import { DETAIL_INDENT, PlanBrowser, viewportTop } from './components/PlanBrowser.js';
import { countChanges } from './describe.js';
import { groupByRole, roleColumns } from './tree.js';
import {
  effectiveCursor,
  initialUiState,
  reduceKey,
  rowsFor,
  splitKeys,
  type InteractiveOutcome,
  type KeyContext,
  type UiState,
} from './keys.js';
import { Line, T, ThemeContext } from './theme.js';

export type { InteractiveOutcome } from './keys.js';

/** Props of InteractiveApp. `width`/`height` override the terminal size (tests). */
export interface InteractiveAppProps {
  plan: Plan;
  statements: Statement[];
  targetName: string;
  readOnly: boolean;
  apply: (onEvent: (e: ApplyEvent) => void) => Promise<ApplyResult>;
  auditPath?: string;
  /** Called once, when the user leaves; with the summary lines when an apply ran. */
  onExit: (outcome: InteractiveOutcome, summary?: SummaryLine[]) => void;
  /** Colour on (default) or off (NO_COLOR): off emits no ANSI styling at all. */
  color?: boolean;
  /** Columns to use; defaults to the terminal's. */
  width?: number;
  /** Lines to use; defaults to the terminal's rows minus one. */
  height?: number;
}

function useTerminalSize(width?: number, height?: number): { width: number; height: number } {
  const { stdout } = useStdout();
  // One line short of the screen: a full-height frame makes Ink clear the terminal on every render.
  const read = (): { width: number; height: number } => ({
    width: width ?? (stdout.columns || 80),
    height: height ?? Math.max(10, (stdout.rows || 24) - 1),
  });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = (): void => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout, width, height]);
  return width !== undefined && height !== undefined ? { width, height } : size;
}

type Action = { type: 'key'; input: string; key: import('ink').Key } | { type: 'finished'; end: ApplyEnd; summary: SummaryLine[]; top: number };

const CHROME = 3; // header (2) + rule

export function InteractiveApp(props: InteractiveAppProps): ReactNode {
  const { plan, statements, targetName, readOnly } = props;
  const { width, height } = useTerminalSize(props.width, props.height);
  const counts = useMemo(() => countChanges(plan.changes), [plan]);
  const columns = useMemo(() => roleColumns(groupByRole(plan.changes), width), [plan, width]);
  const ctx: KeyContext = { plan, statements, targetName, readOnly, pageSize: Math.max(1, height - CHROME - 2), sqlWidth: width - DETAIL_INDENT };
  const heightRef = useRef(height);
  heightRef.current = height;
  const ctxRef = useRef(ctx);
  ctxRef.current = ctx;
  const [state, dispatch] = useReducer((s: UiState, a: Action): UiState => {
    if (a.type === 'finished') return { ...s, mode: { name: 'done', end: a.end, summary: a.summary }, applyScroll: a.top };
    return reduceKey(s, a.input, a.key, ctxRef.current);
  }, undefined, initialUiState);
  const [progress, setProgress] = useState(() => initialProgress(statements.length));
  const [startedAt, setStartedAt] = useState(0);
  const [now, setNow] = useState(0);
  const browseTop = useRef(0);
  const applyTop = useRef(0);
  const exited = useRef(false);

  useInput((input, key) => {
    for (const k of splitKeys(input, key)) dispatch({ type: 'key', input: k.input, key: k.key });
  });

  useEffect(() => {
    if (state.exit === undefined || exited.current) return;
    exited.current = true;
    props.onExit(state.exit, state.mode.name === 'done' ? state.mode.summary : undefined);
  });

  // Start the apply once, on entering `applying`; events fold into progress.
  const applying = state.mode.name === 'applying';
  useEffect(() => {
    if (!applying) return;
    let live = true;
    const t0 = Date.now();
    setStartedAt(t0);
    setNow(t0);
    const tick = setInterval(() => setNow(Date.now()), 250);
    // Progress is also kept here: the result may arrive before React renders the last events.
    let local = initialProgress(statements.length);
    const finish = (end: ApplyEnd): void => {
      clearInterval(tick);
      if (!live) return;
      setNow(Date.now());
      const summary = summaryLines({ end, statements, progress: local, targetName, auditPath: props.auditPath });
      // Once over, show the failed statement, or the last ones when all went through.
      const list = Math.max(1, heightRef.current - CHROME - 1 - applyChromeHeight(summary));
      const failed = local.failure?.index;
      const top = failed !== undefined ? failed - Math.floor(list / 2) : statements.length - list;
      dispatch({ type: 'finished', end, summary, top: Math.max(0, top) });
    };
    Promise.resolve()
      .then(() =>
        props.apply((e) => {
          if (!live) return;
          local = reduceApply(local, e);
          setProgress(local);
        }),
      )
      .then(
        (result) => finish({ result }),
        (err: unknown) => finish({ thrown: err instanceof Error ? err.message : String(err) }),
      );
    return () => {
      live = false;
      clearInterval(tick);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [applying]);

  const mode = state.mode;
  const title = readOnly ? 'plan' : mode.name === 'applying' || mode.name === 'done' ? 'apply' : 'apply · review';
  let body: ReactNode;
  let footer: ReactNode;
  if (mode.name === 'applying' || mode.name === 'done') {
    const summary = mode.name === 'done' ? mode.summary : undefined;
    const viewHeight = Math.max(1, height - CHROME - 1);
    const listHeight = Math.max(1, viewHeight - applyChromeHeight(summary));
    let top: number;
    if (mode.name === 'applying') {
      top = applyViewportTop(applyTop.current, progress, listHeight, statements.length);
      applyTop.current = top;
    } else top = Math.min(state.applyScroll, Math.max(0, statements.length - listHeight));
    const end = mode.name === 'done' ? mode.end : undefined;
    const elapsed = end && 'result' in end ? end.result.ms : Math.max(0, now - startedAt);
    const rolledBack = end && 'result' in end ? end.result.rolledBack : progress.rolledBack;
    body = (
      <ApplyView
        statements={statements}
        progress={progress}
        elapsedMs={elapsed}
        summary={summary}
        rolledBack={rolledBack}
        height={viewHeight}
        top={top}
      />
    );
    footer = (
      <Line>
        <T tone={state.message ? 'warn' : 'muted'}>
          {mode.name === 'done' ? 'q/⏎ exit  ↑↓ scroll' : (state.message ?? 'applying… (runs to the end; cannot be interrupted)')}
        </T>
      </Line>
    );
  } else {
    const rows = rowsFor(state, ctx);
    const cursor = effectiveCursor(rows, state.cursorKey);
    const confirm = mode.name === 'confirm';
    const footerLines = confirm ? confirmPromptHeight({ destructive: counts.destructive, mismatch: mode.mismatch }) + 1 : 2;
    const bodyHeight = Math.max(1, height - CHROME - footerLines);
    const top = viewportTop(rows, cursor, bodyHeight, browseTop.current);
    browseTop.current = top;
    body = <PlanBrowser rows={rows} cursorKey={cursor} height={bodyHeight} top={top} columns={columns} />;
    const position = rows.length > bodyHeight ? `lines ${top + 1}-${Math.min(rows.length, top + bodyHeight)} of ${rows.length}` : '';
    let status: ReactNode;
    if (mode.name === 'filter')
      status = (
        <>
          <T tone="accent">/</T>
          {state.filter}_ <T tone="muted">(role, object or kind; ! destructive; ⏎ keep, Esc clear)</T>
        </>
      );
    else if (state.message) status = <T tone="warn">{state.message}</T>;
    else if (state.filter)
      status = (
        <>
          filter <T tone="accent">/{state.filter}</T> <T tone="muted">(Esc clears)</T>
          {position ? `  ${position}` : ''}
        </>
      );
    else status = <T tone="muted">{position || ' '}</T>;
    const keys = `↑↓/jk move  ⏎/space expand  e/c all  / filter  ${readOnly ? '' : 'a apply  '}q quit`;
    footer = confirm ? (
      <Box flexDirection="column">
        <ConfirmPrompt
          targetName={targetName}
          changes={plan.changes.length}
          statements={statements.length}
          destructive={counts.destructive}
          typed={mode.typed}
          mismatch={mode.mismatch}
        />
        <Line>
          <T tone="muted">{counts.destructive > 0 ? '⏎ confirm  Esc cancel' : 'y apply  any other key cancels'}</T>
        </Line>
      </Box>
    ) : (
      <Box flexDirection="column">
        <Line>{status}</Line>
        <Line>
          <T tone="muted">{keys}</T>
        </Line>
      </Box>
    );
  }

  return (
    <ThemeContext.Provider value={{ color: props.color ?? true }}>
      <Box flexDirection="column" width={width}>
        <Header plan={plan} targetName={targetName} readOnly={readOnly} title={title} />
        <Rule width={width} />
        {body}
        {footer}
      </Box>
    </ThemeContext.Provider>
  );
}
