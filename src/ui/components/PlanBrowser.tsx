import type { ReactNode } from 'react';
import { Box } from 'ink';
import { changeSign, isDestructive, describeChange, type ChangeCounts } from '../describe.js';
import { NAME_GAP, cursorRow, destructiveNote, fitName, itemEnd, scrollTop, type RoleColumns, type TreeRow } from '../tree.js';
import { Line, T, signTone } from '../theme.js';
import { DiffLineView } from './BodyDiff.js';

/** Props of PlanBrowser: rows from `buildRows`, the cursor, and the viewport height. */
export interface PlanBrowserProps {
  rows: readonly TreeRow[];
  cursorKey: string | undefined;
  /** Lines available; the browser always renders exactly this many. */
  height: number;
  /** First visible row; see `viewportTop`. */
  top: number;
  /** Role-row columns from `roleColumns` over the whole plan, so a filter never moves them. */
  columns: RoleColumns;
}

/** The first visible row for the given rows and cursor, following the cursor. */
export function viewportTop(rows: readonly TreeRow[], cursorKey: string | undefined, height: number, prevTop: number): number {
  const at = cursorRow(rows, cursorKey);
  if (at < 0) return 0;
  return scrollTop(prevTop, at, itemEnd(rows, at), height, rows.length);
}

/** `+A -R ~C`, each count padded to its column so the signs line up from row to row. */
function Counts({ c, columns }: { c: ChangeCounts; columns: RoleColumns }): ReactNode {
  return (
    <>
      <T tone="add">{`+${c.add}`.padEnd(columns.add)}</T> <T tone="remove">{`-${c.remove}`.padEnd(columns.remove)}</T>{' '}
      <T tone="change">{`~${c.change}`.padEnd(columns.change)}</T>
      {c.destructive > 0 ? <T tone="danger">{destructiveNote(c)}</T> : null}
    </>
  );
}

/** Columns of indentation before SQL, diff and note lines. */
export const DETAIL_INDENT = 10;
const DETAIL = ' '.repeat(DETAIL_INDENT);

/** One row of the tree. `selected` adds the `>` cursor mark (and inverse when coloured). */
export function TreeLine({ row, selected, columns }: { row: TreeRow; selected: boolean; columns: RoleColumns }): ReactNode {
  const cur = selected ? <T tone="accent">{'>'}</T> : ' ';
  switch (row.type) {
    case 'problem':
      return (
        <Line>
          {'  '}
          <T tone={row.severity === 'error' ? 'danger' : 'warn'}>
            {row.severity === 'error' ? '✗ error' : '⚠ warning'}: {row.text}
          </T>
        </Line>
      );
    case 'role':
      return (
        <Line>
          {cur} {row.expanded ? '▾' : '▸'} <T tone={selected ? 'cursor' : 'strong'}>{fitName(row.role, columns.name)}</T>
          {' '.repeat(NAME_GAP)}
          <Counts c={row.counts} columns={columns} />
          {row.shown !== row.total ? <T tone="muted">{`  (${row.shown} of ${row.total} shown)`}</T> : null}
        </Line>
      );
    case 'change': {
      const sign = changeSign(row.change);
      const destructive = isDestructive(row.change);
      return (
        <Line>
          {cur}
          {'   '}
          {row.expanded ? '▾' : '▸'} {destructive ? <T tone="danger">!</T> : ' '}{' '}
          <T tone={selected ? 'cursor' : undefined}>
            <T tone={signTone(sign)}>
              {sign} {describeChange(row.change)}
            </T>
          </T>
        </Line>
      );
    }
    case 'sql':
      return (
        <Line>
          {DETAIL}
          <T tone="accent">{row.sql}</T>
        </Line>
      );
    case 'diff':
      return <DiffLineView line={row.line} indent={DETAIL.length} />;
    case 'note':
      return (
        <Line>
          {DETAIL}
          <T tone="muted">{row.text}</T>
        </Line>
      );
    case 'empty':
      return (
        <Line>
          {'  '}
          <T tone="muted">{row.text}</T>
        </Line>
      );
  }
}

/**
 * The plan tree in a viewport of exactly `height` lines starting at row `top`. The
 * owner keeps `top` following the cursor with `viewportTop`.
 */
export function PlanBrowser({ rows, cursorKey, height, top, columns }: PlanBrowserProps): ReactNode {
  const at = cursorRow(rows, cursorKey);
  const visible = rows.slice(top, top + height);
  const pad = Math.max(0, height - visible.length);
  return (
    <Box flexDirection="column">
      {visible.map((row, i) => (
        <TreeLine key={top + i} row={row} selected={top + i === at} columns={columns} />
      ))}
      {Array.from({ length: pad }, (_, i) => (
        <Line key={`pad${i}`} />
      ))}
    </Box>
  );
}
