import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import type { ApplyEvent, ApplyResult } from '../../src/apply/types.js';
import { ADDITIVE, ALL_KINDS, fakeApply, fakeStatements, makePlan } from './fixtures.js';
import { KEY, mount } from './helpers.js';

afterEach(() => cleanup());

describe('confirm and apply', () => {
  it('applies a non-destructive plan after a plain y and shows the summary', async () => {
    const statements = fakeStatements(ADDITIVE);
    const app = await mount({ plan: makePlan(ADDITIVE), statements, apply: fakeApply(statements), auditPath: 'audit/run-1.json' });
    expect(app.frame()).toContain('no destructive changes');
    await app.press('a');
    await app.until((f) => f.includes('Apply 5 changes (5 statements) to prod? [y/N]'));
    expect(app.apply).not.toHaveBeenCalled();
    await app.press('y');
    const f = await app.until((x) => x.includes('✓ applied 5 statements (5 changes) to prod'));
    expect(app.apply).toHaveBeenCalledTimes(1);
    expect(f).toContain('5/5 statements');
    expect(f.match(/✓ done/g)).toHaveLength(5);
    expect(f).toContain('audit record: audit/run-1.json');
    await app.press(KEY.enter);
    await app.until(() => app.onExit.mock.calls.length > 0);
    expect(app.onExit.mock.calls[0][0]).toBe('applied');
    expect(app.onExit.mock.calls[0][1].map((l: { text: string }) => l.text).join('\n')).toContain('audit record: audit/run-1.json');
  });

  it('any key but y at the y/N prompt goes back without applying', async () => {
    const statements = fakeStatements(ADDITIVE);
    const app = await mount({ plan: makePlan(ADDITIVE), statements });
    await app.press('a');
    await app.until((f) => f.includes('[y/N]'));
    await app.press('n');
    await app.until((f) => f.includes('not applied') && !f.includes('[y/N]'));
    expect(app.apply).not.toHaveBeenCalled();
  });

  it('a destructive plan needs the target name typed; a wrong name does not apply', async () => {
    const statements = fakeStatements(ALL_KINDS);
    const app = await mount({ plan: makePlan(ALL_KINDS), statements, apply: fakeApply(statements) });
    await app.press('a');
    await app.until((f) => f.includes('Type the target name prod'));
    await app.press('y'); // y alone is just a letter here
    await app.press(KEY.enter);
    await app.until((x) => x.includes('"y" is not "prod"; nothing applied'));
    expect(app.apply).not.toHaveBeenCalled();
    await app.press('p', 'r', 'd', KEY.backspace, 'o', 'd');
    await app.until((x) => x.includes('> prod_'));
    expect(app.apply).not.toHaveBeenCalled();
    await app.press(KEY.esc);
    await app.until((x) => !x.includes('Type the target name'));
    expect(app.apply).not.toHaveBeenCalled();
    // a whole chunk at once, as tmux send-keys or a paste delivers it
    await app.press('a');
    await app.until((x) => x.includes('Type the target name'));
    await app.press('prod\r');
    await app.until((x) => x.includes('✓ applied 10 statements'));
    expect(app.apply).toHaveBeenCalledTimes(1);
  });

  it('shows running and pending statements while the apply runs, and ignores q meanwhile', async () => {
    const statements = fakeStatements(ADDITIVE);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const apply = async (onEvent: (e: ApplyEvent) => void): Promise<ApplyResult> => {
      onEvent({ type: 'lock' });
      onEvent({ type: 'start', index: 0, statement: statements[0] });
      onEvent({ type: 'done', index: 0, statement: statements[0], ms: 5 });
      onEvent({ type: 'start', index: 1, statement: statements[1] });
      await gate;
      for (let i = 1; i < statements.length; i++) onEvent({ type: 'done', index: i, statement: statements[i], ms: 1 });
      return { ok: true, applied: statements, pending: [], rolledBack: false, ms: 9 };
    };
    const app = await mount({ plan: makePlan(ADDITIVE), statements, apply });
    await app.press('a', 'y');
    let f = await app.until((x) => x.includes('▶ running'));
    expect(f).toMatch(/✓ done\s+5ms DO \/\* createRole/);
    expect(f).toMatch(/▶ running\s+DO \/\* grantMembership/);
    expect(f.match(/· pending/g)).toHaveLength(3);
    expect(f).toContain('1/5 statements');
    await app.press('q');
    f = await app.until((x) => x.includes('apply in progress: wait for it to finish'));
    expect(app.onExit).not.toHaveBeenCalled();
    release();
    f = await app.until((x) => x.includes('✓ applied 5 statements'));
    expect(f).toContain('5/5 statements');
  });

  it('a failure on PostgreSQL shows the error and "rolled back, nothing applied"', async () => {
    const statements = fakeStatements(ADDITIVE);
    const app = await mount({
      plan: makePlan(ADDITIVE),
      statements,
      apply: fakeApply(statements, { failAt: 2, rolledBack: true, error: 'permission denied for table patients' }),
    });
    await app.press('a', 'y');
    const f = await app.until((x) => x.includes('rolled back, nothing applied'));
    expect(f).toContain('✗ failed at statement 3 of 5');
    expect(f).toContain('error [42501]: permission denied for table patients');
    expect(f).toMatch(/✗ failed\s+DO \/\* grant clinical_analyst \*\/ SELECT 3;/);
    expect(f).toMatch(/↺ rolled back\s+3ms DO \/\* createRole/);
    expect(f.match(/· pending/g)).toHaveLength(2);
    await app.press('q');
    await app.until(() => app.onExit.mock.calls.length > 0);
    expect(app.onExit.mock.calls[0][0]).toBe('failed');
  });

  it('a failure without a transaction says what was applied and what was not', async () => {
    const statements = fakeStatements(ADDITIVE);
    const app = await mount({ plan: makePlan(ADDITIVE), statements, apply: fakeApply(statements, { failAt: 2, rolledBack: false }) });
    await app.press('a', 'y');
    const f = await app.until((x) => x.includes('not applied:'));
    expect(f).toContain('applied: 2 statements; not applied: 3 (1 failed, 2 never ran)');
    expect(f).not.toContain('rolled back');
  });

  it('an apply that throws ends as failed with its message', async () => {
    const statements = fakeStatements(ADDITIVE);
    const apply = vi.fn(async () => {
      throw new Error('could not take the apply lock');
    });
    const app = await mount({ plan: makePlan(ADDITIVE), statements, apply });
    await app.press('a', 'y');
    await app.until((x) => x.includes('✗ apply failed: could not take the apply lock'));
    await app.press(KEY.enter);
    await app.until(() => app.onExit.mock.calls.length > 0);
    expect(app.onExit.mock.calls[0][0]).toBe('failed');
  });

  it('refuses to apply an empty plan or one with errors', async () => {
    const empty = await mount({ plan: makePlan([]), statements: [] });
    expect(empty.frame()).toContain('No changes: the target matches the configuration.');
    await empty.press('a');
    await empty.until((f) => f.includes('nothing to apply'));
    const bad = await mount({
      plan: makePlan(ADDITIVE, { problems: [{ severity: 'error', message: 'role x is undefined' }] }),
      statements: fakeStatements(ADDITIVE),
    });
    expect(bad.frame()).toContain('✗ error: role x is undefined');
    await bad.press('a');
    await bad.until((f) => f.includes('the plan has errors'));
    expect(empty.apply).not.toHaveBeenCalled();
    expect(bad.apply).not.toHaveBeenCalled();
  });
});
