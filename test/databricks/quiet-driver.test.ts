/**
 * @databricks/sql logs JSON lines at info level to stdout by default ("Created
 * DBSQLClient"), which would corrupt `rbac ... --format json`. Checked in a child process:
 * the test runner intercepts the console, so only a real stdout shows it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

const run = promisify(execFile);

describe('the Databricks driver', () => {
  it('writes nothing to stdout when rbac connects (here, to a closed loopback port)', async () => {
    const script = [
      "import { connectDatabricks } from './src/dialects/databricks/driver.ts';",
      "try { await connectDatabricks({ host: '127.0.0.1', path: '/sql/1.0/warehouses/x', token: 'dapi-test', loopback: { port: 1, caCert: 'x' } }); } catch { /* refused: expected */ }",
      "await new Promise((r) => setTimeout(r, 200));",
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, timeout: 60_000 });
    expect(stdout).toBe('');
  }, 90_000);
});
