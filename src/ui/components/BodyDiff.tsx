import type { ReactNode } from 'react';
import { Box } from 'ink';
import { bodyDiffLines, type DiffLine } from '../../render/diff.js';
import { Line, T } from '../theme.js';

/** Props of BodyDiff: a text body before and after (a comment, a policy body). */
export interface BodyDiffProps {
  from: string;
  to: string;
  /** Unchanged lines kept around each change. */
  context?: number;
  indent?: number;
}

/** One diff line: the `+`/`-` sign carries the meaning, colour repeats it. */
export function DiffLineView({ line, indent = 0 }: { line: DiffLine; indent?: number }): ReactNode {
  const pad = ' '.repeat(indent);
  const tone = line.op === '+' ? 'add' : line.op === '-' ? 'remove' : 'muted';
  return (
    <Line>
      {pad}
      <T tone={tone}>
        {line.op} {line.text}
      </T>
    </Line>
  );
}

/** A coloured line diff of two text bodies. */
export function BodyDiff({ from, to, context = 3, indent = 0 }: BodyDiffProps): ReactNode {
  const lines = bodyDiffLines(from, to, context);
  return (
    <Box flexDirection="column">
      {lines.map((l, i) => (
        <DiffLineView key={i} line={l} indent={indent} />
      ))}
    </Box>
  );
}
