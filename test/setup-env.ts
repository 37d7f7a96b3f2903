/**
 * Runs before every test file. Ink reads CI / CONTINUOUS_INTEGRATION from the
 * environment when it is first imported and, in CI, renders only the last frame; the
 * terminal-UI tests drive Ink frame by frame on fake TTYs, so they must not inherit the
 * CI runner's variables. Code under test never reads process.env.CI for decisions: the
 * CLI passes its environment explicitly, and tests of "never start under CI" pass
 * `CI=true` in that explicit environment.
 */
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
// An audit key in the developer's shell would key every log a test writes; tests that
// need one pass it in an explicit environment.
delete process.env.RBAC_AUDIT_KEY;

// PostgreSQL's real parser (WebAssembly) checks every person-written expression; it
// loads once, asynchronously, as the CLI loads it with the configuration.
import { loadPostgresParser } from '../src/dialects/postgres/expression.js';
await loadPostgresParser();
