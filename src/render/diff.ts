/**
 * Line diffs of text bodies (role comments today, policy bodies later), computed with
 * the `diff` package and flattened to one entry per line.
 */
import { diffLines } from 'diff';

/** One line of a body diff: `+` added, `-` removed, ` ` unchanged context. */
export interface DiffLine {
  op: '+' | '-' | ' ';
  text: string;
}

/**
 * Lines of a diff from `from` to `to`. Unchanged runs longer than `2 * context`
 * lines are cut to `context` lines at each end with a `…` marker between.
 */
export function bodyDiffLines(from: string, to: string, context = 3): DiffLine[] {
  const out: DiffLine[] = [];
  const parts = diffLines(from, to);
  parts.forEach((part, pi) => {
    const lines = part.value.replace(/\n$/, '').split('\n');
    if (part.value === '') return;
    const op: DiffLine['op'] = part.added ? '+' : part.removed ? '-' : ' ';
    if (op !== ' ' || lines.length <= context * 2) {
      for (const text of lines) out.push({ op, text });
      return;
    }
    const head = pi === 0 ? [] : lines.slice(0, context);
    const tail = pi === parts.length - 1 ? [] : lines.slice(-context);
    for (const text of head) out.push({ op, text });
    out.push({ op: ' ', text: `… ${lines.length - head.length - tail.length} unchanged lines` });
    for (const text of tail) out.push({ op, text });
  });
  return out;
}
