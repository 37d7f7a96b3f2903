import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { ALL_KINDS, fakeStatements, makePlan } from './fixtures.js';
import { KEY, mount } from './helpers.js';

const plan = makePlan(ALL_KINDS);
const statements = fakeStatements(ALL_KINDS);

afterEach(() => cleanup());

/** The line holding the `>` cursor. */
const cursorLine = (f: string): string => f.split('\n').find((l) => l.startsWith('>')) ?? '';

describe('plan browser', () => {
  it('shows roles with per-role counts and the destructive count in the header', async () => {
    const app = await mount({ plan, statements });
    const f = app.frame();
    expect(f).toContain('10 changes: +5 add -4 remove ~1 change   ! 4 destructive');
    expect(f).toMatch(/▸ billing_clerk\s+\+0 -3 ~1  ! 3 destructive/);
    expect(f).toMatch(/▸ clinical_analyst\s+\+5 -0 ~0\n/);
    expect(f).toMatch(/▸ legacy_reporting\s+\+0 -1 ~0  ! 1 destructive/);
    // collapsed: no change lines yet
    expect(f).not.toContain('grant SELECT');
    expect(cursorLine(f)).toContain('billing_clerk');
  });

  it('moves the cursor with j/k and the arrow keys, clamped at the ends', async () => {
    const app = await mount({ plan, statements });
    await app.press('j');
    expect(cursorLine(await app.until((f) => cursorLine(f).includes('clinical_analyst')))).toContain('clinical_analyst');
    await app.press(KEY.down);
    await app.until((f) => cursorLine(f).includes('legacy_reporting'));
    await app.press(KEY.down, 'j'); // already last
    await app.press(KEY.up);
    await app.until((f) => cursorLine(f).includes('clinical_analyst'));
    await app.press('k', 'k', 'k');
    await app.until((f) => cursorLine(f).includes('billing_clerk'));
  });

  it('expands a role to its changes and a change to its SQL and reason', async () => {
    const app = await mount({ plan, statements });
    await app.press(KEY.enter);
    let f = await app.until((x) => x.includes('revoke membership of mallory'));
    expect(f).toMatch(/! - revoke membership of mallory/);
    expect(f).toMatch(/~ change description of role billing_clerk/);
    expect(f).not.toContain('SELECT 3;');
    await app.press('j', 'j', ' ');
    f = await app.until((x) => x.includes('SELECT 3;'));
    expect(f).toContain('reason: not in config');
    expect(f).toContain('DO /* revokeMembership billing_clerk */ SELECT 3;');
    // the comment change carries a body diff
    await app.press('k', KEY.enter);
    f = await app.until((x) => x.includes('+ Billing staff'));
    expect(f).toContain('- Billing');
    // collapse again with Enter
    await app.press(KEY.enter);
    await app.until((x) => !x.includes('+ Billing staff'));
  });

  it('filters with / by object, kind or role, and Esc clears', async () => {
    const app = await mount({ plan, statements });
    await app.press('/', 'p', 'a', 't', 'i');
    let f = await app.until((x) => x.includes('grant SELECT on table ehr.clinical.patients'));
    expect(f).not.toContain('billing_clerk');
    expect(f).not.toContain('legacy_reporting');
    expect(f).toContain('(1 of 5 shown)');
    await app.press(KEY.enter); // keep the filter, back to browsing
    await app.until((x) => x.includes('filter /pati'));
    await app.press(KEY.esc);
    f = await app.until((x) => x.includes('legacy_reporting') && !x.includes('filter /'));
    expect(f).toContain('billing_clerk');

    await app.press('/', ...'dropRole');
    f = await app.until((x) => x.includes('drop role legacy_reporting'));
    expect(f).not.toContain('clinical_analyst');
    await app.press(KEY.esc);
    await app.until((x) => x.includes('clinical_analyst'));

    await app.press('/', ...'billing');
    f = await app.until((x) => x.includes('revoke UPDATE on table ehr.billing.invoices'));
    expect(f).not.toContain('clinical_analyst');
    expect(f).toContain('revoke membership of mallory'); // role match keeps all its changes
  });

  it('q leaves without calling apply', async () => {
    const app = await mount({ plan, statements });
    await app.press('q');
    await app.until(() => app.onExit.mock.calls.length > 0);
    expect(app.onExit).toHaveBeenCalledWith('cancelled', undefined);
    expect(app.apply).not.toHaveBeenCalled();
  });

  it('Ctrl-C leaves without calling apply, even from the confirm prompt', async () => {
    const app = await mount({ plan, statements });
    await app.press('a');
    await app.until((f) => f.includes('Type the target name'));
    await app.press(KEY.ctrlC);
    await app.until(() => app.onExit.mock.calls.length > 0);
    expect(app.onExit).toHaveBeenCalledWith('cancelled', undefined);
    expect(app.apply).not.toHaveBeenCalled();
  });

  it('read-only mode ignores a and closes with q', async () => {
    const app = await mount({ plan, statements, readOnly: true });
    expect(app.frame()).not.toContain('a apply');
    await app.press('a');
    const f = await app.until((x) => x.includes('read-only: run `rbac apply`'));
    expect(f).not.toContain('Type the target name');
    expect(f).not.toContain('[y/N]');
    await app.press('q');
    await app.until(() => app.onExit.mock.calls.length > 0);
    expect(app.onExit).toHaveBeenCalledWith('closed', undefined);
    expect(app.apply).not.toHaveBeenCalled();
  });

  it('keeps the cursor on screen in a small terminal and cuts long lines at 80 columns', async () => {
    const many = [...ALL_KINDS];
    for (let i = 0; i < 30; i++)
      many.push({
        kind: 'grant',
        role: 'zz_wide',
        privileges: ['select', 'insert', 'update'],
        object: { kind: 'table', database: 'ehr', schema: 'clinical', name: `table_with_a_rather_long_name_${i}_${'x'.repeat(40)}` },
        columns: ['a', 'b'],
      });
    const app = await mount({ plan: makePlan(many), statements: fakeStatements(many).map((s) => ({ ...s, sql: s.sql + ' -- ' + 'y'.repeat(150) })) });
    await app.press('e', 'G', KEY.enter);
    const f = await app.until((x) => x.includes('SELECT 40;'));
    expect(cursorLine(f)).toContain('table_with_a_rathe…');
    const lines = f.split('\n');
    expect(lines.length).toBe(24);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    expect(f).toMatch(/lines \d+-\d+ of \d+/);
    // SQL of the expanded last change is cut into rows, not wrapped by the terminal
    expect(f).toContain('SELECT 40;');
    expect(f.match(/yyyy/g)?.length).toBeGreaterThan(1);
    await app.press('g');
    await app.until((x) => cursorLine(x).includes('billing_clerk'));
  });
});
