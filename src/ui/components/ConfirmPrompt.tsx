import type { ReactNode } from 'react';
import { Box } from 'ink';
import { Line, T } from '../theme.js';

/**
 * Props of ConfirmPrompt. With destructive changes the user must type the target's
 * name (`typed` so far, `mismatch` after a wrong Enter); otherwise a plain y/N.
 */
export interface ConfirmPromptProps {
  targetName: string;
  changes: number;
  statements: number;
  destructive: number;
  typed: string;
  mismatch?: string;
}

/** How many lines ConfirmPrompt renders, so the owner can size the viewport. */
export function confirmPromptHeight(p: Pick<ConfirmPromptProps, 'destructive' | 'mismatch'>): number {
  return p.destructive > 0 ? (p.mismatch !== undefined ? 4 : 3) : 1;
}

export function ConfirmPrompt(p: ConfirmPromptProps): ReactNode {
  const what = `${p.changes} change${p.changes === 1 ? '' : 's'} (${p.statements} statement${p.statements === 1 ? '' : 's'})`;
  if (p.destructive <= 0) {
    return (
      <Line>
        <T tone="strong">Apply {what} to {p.targetName}?</T> [y/N]
      </Line>
    );
  }
  return (
    <Box flexDirection="column">
      <Line>
        <T tone="danger">! {p.destructive} destructive</T> of {what}: access will be removed.
      </Line>
      <Line>
        Type the target name <T tone="strong">{p.targetName}</T> and press Enter to apply (Esc cancels):
      </Line>
      <Line>
        {'> '}
        {p.typed}
        <T tone="muted">_</T>
      </Line>
      {p.mismatch !== undefined ? (
        <Line>
          <T tone="danger">
            ✗ "{p.mismatch}" is not "{p.targetName}"; nothing applied
          </T>
        </Line>
      ) : null}
    </Box>
  );
}
