/**
 * The `hash` mask's secret salt is made right before the first change whose statements
 * read it, once per container (a Snowflake database, a Databricks catalog), unless the
 * live state holds it already; a container whose tool schema rbac did not make is
 * refused rather than used (the salt would sit in someone else's schema). Shared by the
 * compilers of the platforms that keep a salt in a tool schema; each says where the
 * salt of a change lives, what makes it, and how to word the refusal.
 */
import { RbacError } from '../model/errors.js';
import { isPolicyChange, type Change, type PolicyChange } from '../plan/types.js';

export interface SaltOnce {
  /** The container whose salt a policy change reads, if any. */
  containerOf(change: PolicyChange): string | undefined;
  /** Whether the salt of a container exists already (the live state's tool objects). */
  exists(container: string): boolean;
  /** Containers holding a tool schema rbac did not make. */
  foreign: readonly string[];
  /** The statements that make the salt of a container. */
  bootstrap(container: string): string[];
  /** The refusal of a container with a foreign tool schema: message and hint. */
  refusal(container: string): [string, string];
}

/** A function that returns, for each change in plan order, the statements to run before it. */
export function saltOnce(s: SaltOnce): (change: Change) => string[] {
  const done = new Set<string>();
  return (change) => {
    const container = isPolicyChange(change) ? s.containerOf(change) : undefined;
    if (container === undefined || done.has(container)) return [];
    done.add(container);
    if (s.foreign.includes(container)) throw new RbacError('PLAN_INVALID', ...s.refusal(container));
    return s.exists(container) ? [] : s.bootstrap(container);
  };
}
