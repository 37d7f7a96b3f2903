/**
 * The terminal UI's public API, called by the CLI. Only src/ui imports `ink`; the
 * engine hands over a plan, compiled statements and an apply function.
 */
export {
  runInteractive,
  startLoading,
  canUseInteractive,
  type InteractiveOptions,
  type InteractiveOutcome,
  type LoadingHandle,
} from './run.js';
export { InteractiveApp, type InteractiveAppProps } from './App.js';
export { describeChange, isDestructive, changeSign, countChanges } from './describe.js';
export { colorEnabled } from './theme.js';
