import type { ReactNode } from 'react';
import { Box } from 'ink';
import type { Plan } from '../../plan/types.js';
import { countChanges } from '../describe.js';
import { Line, T } from '../theme.js';

/** Props of Header: the plan and where it goes. */
export interface HeaderProps {
  plan: Plan;
  targetName: string;
  readOnly: boolean;
  /** What the screen is doing: `plan`, `apply`, `applying`, … */
  title: string;
}

/**
 * Two lines: the target, then the counts. The destructive count is always spelled
 * out (`! 2 destructive`), never left to colour.
 */
export function Header({ plan, targetName, readOnly, title }: HeaderProps): ReactNode {
  const c = countChanges(plan.changes);
  const errors = plan.problems.filter((p) => p.severity === 'error').length;
  const warnings = plan.problems.length - errors;
  return (
    <Box flexDirection="column">
      <Line>
        <T tone="strong">rbac {title}</T> · target <T tone="accent">{targetName}</T> · {plan.platform} · {plan.mode}
        {readOnly ? <T tone="muted"> · read-only</T> : null}
      </Line>
      <Line>
        {plan.changes.length} changes: <T tone="add">+{c.add} add</T> <T tone="remove">-{c.remove} remove</T>{' '}
        <T tone="change">~{c.change} change</T>
        {'   '}
        {c.destructive > 0 ? <T tone="danger">! {c.destructive} destructive</T> : <T tone="muted">no destructive changes</T>}
        {errors > 0 ? <T tone="danger">{`   ✗ ${errors} error${errors === 1 ? '' : 's'}`}</T> : null}
        {warnings > 0 ? <T tone="warn">{`   ⚠ ${warnings} warning${warnings === 1 ? '' : 's'}`}</T> : null}
      </Line>
    </Box>
  );
}

/** A horizontal rule `width` cells wide. */
export function Rule({ width }: { width: number }): ReactNode {
  return (
    <Line>
      <T tone="muted">{'─'.repeat(Math.max(1, width))}</T>
    </Line>
  );
}
