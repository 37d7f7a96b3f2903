import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { Loading, phaseState } from '../../src/ui/components/Loading.js';
import { BodyDiff } from '../../src/ui/components/BodyDiff.js';
import { canUseInteractive, describeChange, runInteractive, startLoading } from '../../src/ui/index.js';
import { eraseFrame } from '../../src/ui/run.js';
import { bodyDiffLines } from '../../src/render/diff.js';
import { scrollTop } from '../../src/ui/tree.js';
import { ALL_KINDS, fakeApply, fakeStatements, makePlan } from './fixtures.js';
import { KEY, strip, waitFor } from './helpers.js';

afterEach(() => cleanup());

describe('describeChange', () => {
  it('says every change kind in words', () => {
    expect(ALL_KINDS.map(describeChange)).toEqual([
      'create role clinical_analyst',
      'change description of role billing_clerk',
      'revoke membership of mallory',
      'revoke UPDATE on table ehr.billing.invoices',
      'revoke SELECT on future tables in schema ehr.billing',
      'grant membership of alice',
      'grant SELECT on table ehr.clinical.patients (patient_id, zip3)',
      'grant USAGE on schema ehr.clinical',
      'grant SELECT on future tables in schema ehr.clinical created by etl',
      'drop role legacy_reporting',
    ]);
    expect(describeChange({ kind: 'grantMembership', role: 'a', member: 'b', memberKind: 'role' })).toBe('grant membership of role b');
    expect(
      describeChange({ kind: 'grant', role: 'a', privileges: ['select'], object: { kind: 'view', database: 'd', schema: 's', name: 'we.ird' } }),
    ).toBe('grant SELECT on view d.s."we.ird"');
  });
});

describe('BodyDiff', () => {
  it('shows removed and added lines with signs and keeps context short', () => {
    const from = ['using (', '  a', '  b', '  c', '  d', '  e', '  f', '  g', '  region = 1', ')'].join('\n');
    const to = from.replace('region = 1', 'region = current_setting(\'app.region\')');
    const lines = bodyDiffLines(from, to, 2);
    expect(lines).toContainEqual({ op: '-', text: '  region = 1' });
    expect(lines).toContainEqual({ op: '+', text: "  region = current_setting('app.region')" });
    expect(lines.some((l) => l.text.includes('unchanged lines'))).toBe(true);
    const f = strip(render(<BodyDiff from={from} to={to} context={2} />).lastFrame() ?? '');
    expect(f).toContain("+   region = current_setting('app.region')");
    expect(f).toContain('-   region = 1');
    expect(f).not.toContain('using (');
  });
});

describe('viewport', () => {
  it('moves only as far as needed to keep the cursor and its details in view', () => {
    expect(scrollTop(0, 5, 5, 10, 50)).toBe(0);
    expect(scrollTop(0, 12, 12, 10, 50)).toBe(3);
    expect(scrollTop(3, 12, 15, 10, 50)).toBe(6); // show an expanded change's SQL
    expect(scrollTop(6, 12, 40, 10, 50)).toBe(12); // but never push the cursor off the top
    expect(scrollTop(20, 4, 4, 10, 50)).toBe(4);
    expect(scrollTop(45, 49, 49, 10, 50)).toBe(40);
  });
});

describe('Loading', () => {
  it('shows each phase with counts, a bar when the total is known, and waiting phases', () => {
    const f = strip(render(<Loading phases={{ roles: { done: 12, total: 12 }, grants: { done: 40, total: 100 } }} frame={0} />).lastFrame() ?? '');
    expect(f).toContain('Reading live state');
    expect(f).toMatch(/✓ roles\s+\[█{20}\] 12\/12/);
    expect(f).toMatch(/grants\s+\[█{8}░{12}\] 40\/100/);
    expect(f).toMatch(/· policies\s+waiting/);
    expect(phaseState({ roles: { done: 3 }, grants: { done: 0 } }, 'roles')).toBe('done');
    expect(phaseState({ roles: { done: 3 } }, 'roles')).toBe('reading');
  });

  it('startLoading renders to the given stream and clears on stop', async () => {
    const out = fakeStdout(false);
    const h = startLoading({ stdout: out as unknown as NodeJS.WriteStream, env: { NO_COLOR: '1' } });
    h.phase('roles', 3, 10);
    await waitFor(() => out.text(), (t) => t.includes('3/10'));
    h.phase('grants', 7);
    await waitFor(() => out.text(), (t) => t.includes('7 read'));
    h.stop();
    h.stop();
    expect(out.text()).not.toMatch(/\x1b\[3\dm/);
  });

  it('stop() leaves no frame behind: the last write erases the whole frame, and the spinner writes nothing after', async () => {
    const out = fakeStdout(true);
    const h = startLoading({ stdout: out as unknown as NodeJS.WriteStream, stdin: fakeStdin() as unknown as NodeJS.ReadStream, env: { NO_COLOR: '1' } });
    h.phase('roles', 8, 8);
    h.phase('grants', 2, 6);
    // let the spinner tick so a throttled render is pending when stop() runs
    await new Promise((r) => setTimeout(r, 100));
    h.phase('grants', 6, 6);
    h.stop();
    const atStop = out.text();
    await new Promise((r) => setTimeout(r, 200));
    expect(out.text()).toBe(atStop);
    // 4 frame lines plus the line Ink leaves the cursor on
    const erase = eraseFrame(4, { isTTY: true, rows: 24 });
    expect(erase.match(/\x1b\[2K/g)).toHaveLength(5);
    expect(atStop.endsWith(erase)).toBe(true);
    // the erase comes after the last frame Ink wrote
    const last = atStop.lastIndexOf('Reading live state');
    expect(last).toBeGreaterThan(-1);
    expect(atStop.indexOf(erase, last)).toBe(atStop.length - erase.length);
  });

  it('swallows keys typed while loading (raw mode, no echo), hands the terminal back on stop', async () => {
    const out = fakeStdout(true);
    const stdin = fakeStdin();
    const h = startLoading({ stdout: out as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, env: { NO_COLOR: '1' } });
    expect(stdin.rawMode).toBe(true);
    stdin.type('jja');
    stdin.type('prod\r');
    expect(stdin.pending()).toBe(0); // read and dropped, not left for the plan browser
    h.stop();
    expect(stdin.rawMode).toBe(false);
    expect(stdin.listenerCount('readable')).toBe(0);
    stdin.type('q');
    expect(stdin.pending()).toBe(1); // after stop the next reader (the browser) gets keys
    expect(strip(out.text())).not.toContain('prod');
  });
});

describe('eraseFrame', () => {
  it('erases the frame and the cursor line, or just the frame when it fills the screen', () => {
    expect(eraseFrame(4, { isTTY: true, rows: 24 })).toBe('\x1b[2K\x1b[1A'.repeat(4) + '\x1b[2K\x1b[G');
    expect(eraseFrame(4, { isTTY: true, rows: 4 })).toBe('\x1b[2K\x1b[1A'.repeat(3) + '\x1b[2K\x1b[G');
  });
});

describe('canUseInteractive', () => {
  it('needs both TTYs and no CI', () => {
    const tty = { isTTY: true };
    expect(canUseInteractive({}, tty, tty)).toBe(true);
    expect(canUseInteractive({ CI: 'true' }, tty, tty)).toBe(false);
    expect(canUseInteractive({ CI: '1' }, tty, tty)).toBe(false);
    expect(canUseInteractive({ CI: 'false' }, tty, tty)).toBe(true);
    expect(canUseInteractive({}, { isTTY: false }, tty)).toBe(false);
    expect(canUseInteractive({}, tty, {})).toBe(false);
  });
});

/** A writable stream that records output, like a terminal of 80x24. */
function fakeStdout(isTTY: boolean) {
  const e = new EventEmitter() as EventEmitter & Record<string, unknown>;
  const chunks: string[] = [];
  Object.assign(e, {
    isTTY,
    columns: 80,
    rows: 24,
    write: (s: string) => {
      chunks.push(s);
      return true;
    },
    text: () => chunks.join(''),
  });
  return e as unknown as EventEmitter & { text(): string; write(s: string): boolean };
}

/** A readable TTY-like stream Ink can read keys from. */
function fakeStdin() {
  const e = new EventEmitter() as EventEmitter & Record<string, unknown>;
  const queue: string[] = [];
  Object.assign(e, {
    isTTY: true,
    rawMode: false,
    setRawMode: (on: boolean) => {
      e.rawMode = on;
    },
    pending: () => queue.length,
    setEncoding: () => undefined,
    resume: () => undefined,
    pause: () => undefined,
    ref: () => undefined,
    unref: () => undefined,
    read: () => queue.shift() ?? null,
    type: (s: string) => {
      queue.push(s);
      e.emit('readable');
    },
  });
  return e as unknown as EventEmitter & { type(s: string): void; rawMode: boolean; pending(): number };
}

describe('runInteractive', () => {
  it('uses the alternate screen on a TTY, resolves cancelled on q, and never applies', async () => {
    const out = fakeStdout(true);
    const stdin = fakeStdin();
    const statements = fakeStatements(ALL_KINDS);
    const apply = vi.fn(fakeApply(statements));
    const done = runInteractive({
      plan: makePlan(ALL_KINDS),
      statements,
      targetName: 'prod',
      readOnly: false,
      apply,
      stdout: out as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      env: {},
    });
    await waitFor(() => strip(out.text()), (t) => t.includes('billing_clerk'));
    await new Promise((r) => setImmediate(r));
    stdin.type('q');
    await expect(done).resolves.toBe('cancelled');
    expect(apply).not.toHaveBeenCalled();
    const text = out.text();
    expect(text.indexOf('\x1b[?1049h')).toBeGreaterThanOrEqual(0);
    expect(text.lastIndexOf('\x1b[?1049l')).toBeGreaterThan(text.indexOf('\x1b[?1049h'));
    // on the normal screen: one line saying nothing was applied, no browser frame
    const after = strip(text.slice(text.lastIndexOf('\x1b[?1049l')));
    expect(after.trim()).toBe('Left the review: nothing was applied to prod (10 changes not applied).');
  });

  it('applies after the typed confirmation and prints the summary on the normal screen', async () => {
    const out = fakeStdout(true);
    const stdin = fakeStdin();
    const statements = fakeStatements(ALL_KINDS);
    const done = runInteractive({
      plan: makePlan(ALL_KINDS),
      statements,
      targetName: 'prod',
      readOnly: false,
      apply: fakeApply(statements),
      auditPath: 'audit/x.json',
      stdout: out as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      env: { NO_COLOR: '1' },
    });
    await waitFor(() => strip(out.text()), (t) => t.includes('billing_clerk'));
    await new Promise((r) => setImmediate(r));
    stdin.type('a');
    await waitFor(() => strip(out.text()), (t) => t.includes('Type the target name'));
    stdin.type('prod\r');
    await waitFor(() => strip(out.text()), (t) => t.includes('✓ applied 10 statements'));
    stdin.type(KEY.enter);
    await expect(done).resolves.toBe('applied');
    const after = out.text().slice(out.text().lastIndexOf('\x1b[?1049l'));
    expect(after).toContain('✓ applied 10 statements (10 changes) to prod');
    expect(after).toContain('audit record: audit/x.json');
  });
});
