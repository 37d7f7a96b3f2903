/**
 * Masking and row access policies on postgres: compile policy changes. The issue that
 * carries policies to every dialect fills this in; until then a policy change fails
 * loudly, never silently (a missing policy must never be skipped).
 */
import { RbacError } from '../../model/errors.js';
import type { PolicyChange } from '../../plan/types.js';
import type { CompileContext } from '../types.js';

export function compilePostgresPolicy(change: PolicyChange, _ctx: CompileContext = {}): string[] {
  throw new RbacError('TARGET', `${change.kind} is not supported on postgres yet`, 'remove the policy from the configuration or plan against another platform');
}
