import { afterEach, describe, expect, it, vi } from 'vitest';

// Colour support is decided when chalk loads; force it on so "no ANSI" can fail.
vi.hoisted(() => {
  process.env.FORCE_COLOR = '1';
});

import { cleanup } from 'ink-testing-library';
import { colorEnabled } from '../../src/ui/index.js';
import { ALL_KINDS, fakeApply, fakeStatements, makePlan } from './fixtures.js';
import { KEY, hasAnsi, mount } from './helpers.js';

afterEach(() => cleanup());

const plan = makePlan(ALL_KINDS);
const statements = fakeStatements(ALL_KINDS);

describe('colour', () => {
  it('NO_COLOR turns colour off only when set and not empty', () => {
    expect(colorEnabled({})).toBe(true);
    expect(colorEnabled({ NO_COLOR: '' })).toBe(true);
    expect(colorEnabled({ NO_COLOR: '1' })).toBe(false);
  });

  it('with colour the frames are styled, without colour no frame has an ANSI code', async () => {
    const colored = await mount({ plan, statements, color: true });
    await colored.press(KEY.enter);
    await colored.until((f) => f.includes('revoke membership'));
    expect(hasAnsi(colored.lastFrame() ?? '')).toBe(true);
    cleanup();

    const plain = await mount({ plan, statements, color: false, apply: fakeApply(statements, { failAt: 1, rolledBack: true }) });
    await plain.press(KEY.enter, 'j', KEY.enter, '/', 'r', KEY.enter, 'a', ...'prod', KEY.enter);
    await plain.until((f) => f.includes('rolled back, nothing applied'));
    expect(plain.frames.length).toBeGreaterThan(3);
    for (const frame of plain.frames) expect(hasAnsi(frame)).toBe(false);
  });

  it('meaning survives without colour: symbols and words', async () => {
    const app = await mount({ plan, statements, color: false });
    await app.press('e');
    const f = await app.until((x) => x.includes('drop role'));
    expect(f).toContain('! - revoke membership of mallory');
    expect(f).toContain('+ grant SELECT on table ehr.clinical.patients (patient_id, zip3)');
    expect(f).toContain('~ change description of role billing_clerk');
    expect(f).toContain('! - drop role legacy_reporting');
    expect(f).toContain('! 4 destructive');
  });
});

describe('80 columns', () => {
  it('no line of any frame is longer than 80 columns, through browse, confirm and apply', async () => {
    const long = 'n'.repeat(120);
    const changes = [
      ...ALL_KINDS,
      { kind: 'revokeMembership' as const, role: `role_${long}`, member: `user_${long}`, memberKind: 'user' as const, reason: long },
    ];
    const st = fakeStatements(changes).map((s) => ({ ...s, sql: `${s.sql} /* ${long} */` }));
    const app = await mount({
      plan: makePlan(changes, { problems: [{ severity: 'warning', message: long }] }),
      statements: st,
      apply: fakeApply(st, { failAt: 3, rolledBack: true, error: long }),
      color: false,
      width: 80,
      height: 24,
    });
    await app.press('e', 'G', KEY.enter, 'k', KEY.enter, '/', 'n', 'n', KEY.enter, KEY.esc, 'a', 'x', KEY.enter);
    await app.until((f) => f.includes('is not "prod"'));
    await app.press(...'prod', KEY.enter);
    await app.until((f) => f.includes('rolled back, nothing applied'));
    for (const frame of app.frames) {
      const lines = frame.split('\n');
      expect(lines.length).toBeLessThanOrEqual(24);
      for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(80);
    }
  });
});
