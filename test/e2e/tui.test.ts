/**
 * The terminal UI driven as a person would: the real binary inside tmux against the
 * embedded demo. Open, expand a role, apply, confirm by typing the target's name,
 * leave; then `rbac plan --detailed-exitcode` exits 0.
 */
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rbac, repoRoot, tempConfig } from '../helpers/cli.js';

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const session = `rbac-e2e-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-t', session, '-p', '-S', '-60');

async function waitFor(pattern: RegExp, timeoutMs = 90_000): Promise<string> {
  const start = Date.now();
  let last = '';
  while (Date.now() - start < timeoutMs) {
    last = screen();
    if (pattern.test(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${pattern}; screen was:\n${last}`);
}

// tmux comes from Debian's package; .ci/run installs it. Without it the test says so.
describe.skipIf(!hasTmux())('terminal UI in tmux (needs tmux)', () => {
  let dir: string | undefined;
  let fresh: string | undefined;
  afterAll(async () => {
    if (fresh) await rm(fresh, { recursive: true, force: true });
    try {
      tmux('kill-session', '-t', session);
    } catch {
      // already gone
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reviews and applies the demo plan from the keyboard alone', { timeout: 300_000 }, async () => {
    dir = await tempConfig();
    const bin = path.join(repoRoot, 'bin/rbac.js');
    // CI is unset for the child: the UI (rightly) never starts under CI.
    const cmd = `cd '${dir}' && env -u CI NO_COLOR=1 node '${bin}' apply; echo EXIT=$?; sleep 120`;
    tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', cmd);

    const tree = await waitFor(/a apply/);
    expect(tree).toContain('clinical_analyst');
    expect(tree).toMatch(/! \d+ destructive/);

    // Move to clinical_analyst (the rows are sorted: PUBLIC, billing_auditor, clinical_analyst).
    tmux('send-keys', '-t', session, 'j', 'j', 'Enter');
    const expanded = await waitFor(/mallory/);
    expect(expanded).toMatch(/- revoke .*mallory/);

    tmux('send-keys', '-t', session, 'a');
    await waitFor(/Type the target name/);
    tmux('send-keys', '-t', session, 'wrong', 'Enter');
    await waitFor(/"wrong" is not "local"; nothing applied/);
    expect(screen()).not.toMatch(/applied \d+ statements/);
    tmux('send-keys', '-t', session, 'local', 'Enter');
    await waitFor(/applied \d+ statements/);
    tmux('send-keys', '-t', session, 'q');
    const end = await waitFor(/EXIT=\d+/);
    expect(end).toContain('EXIT=0');
    expect(end).toContain('Verified: the next plan is empty.');

    // The loading frame is gone from the normal screen once the UI has closed.
    expect(end).not.toContain('Reading live state');
    expect(end).not.toContain('a apply');

    const after = await rbac(['plan', '--config', dir, '--detailed-exitcode']);
    expect(after.code).toBe(0);
  });

  it('q leaves a clean terminal: no loading frame, one line saying nothing was applied, exit 0', { timeout: 300_000 }, async () => {
    try {
      tmux('kill-session', '-t', session);
    } catch {
      // the test above may not have left one
    }
    // A fresh copy: the test above has applied its own.
    fresh = await tempConfig();
    const bin = path.join(repoRoot, 'bin/rbac.js');
    const cmd = `cd '${fresh}' && echo BEFORE; env -u CI NO_COLOR=1 node '${bin}' apply; echo EXIT=$?; sleep 120`;
    tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', cmd);
    await waitFor(/BEFORE/);
    // Keys typed while live state is read are swallowed, not replayed into the browser.
    tmux('send-keys', '-t', session, 'j', 'j', 'a');
    const tree = await waitFor(/a apply/);
    expect(tree.split('\n').find((l) => l.startsWith('>'))).not.toContain('clinical_analyst');
    expect(tree).not.toContain('Type the target name');
    tmux('send-keys', '-t', session, 'q');
    const end = await waitFor(/EXIT=\d+/);
    expect(end).toContain('EXIT=0');
    expect(end).not.toContain('Reading live state');
    expect(end).not.toMatch(/roles\s+\[/);
    const lines = end.split('\n').filter((l) => l.trim() !== '');
    expect(lines[0]).toBe('BEFORE');
    expect(lines[1]).toMatch(/^Left the review: nothing was applied to local \(\d+ changes not applied\)\.$/);
    expect(lines[2]).toBe('EXIT=0');
  });
});
