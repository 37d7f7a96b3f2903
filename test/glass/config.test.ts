import { describe, expect, it } from 'vitest';
import { errors, load, only } from '../config/helpers.js';
import { parseTimestamp } from '../../src/config/timestamps.js';

const users = 'users:\n  - name: alice\n  - name: bob\n';

describe('temporary members in roles/*.yaml', () => {
  it('reads the long form next to plain names (v0.1 strings keep working)', async () => {
    const { project, diagnostics } = await load({
      'roles/r.yaml': `${users}roles:\n  - name: oncall\n    members:\n      - bob\n      - {name: alice, until: 2026-12-03T18:00Z, reason: "INC-4411"}\n`,
    });
    expect(errors(diagnostics)).toEqual([]);
    const [bob, alice] = project.roles[0].members;
    expect(bob.temporary).toBeUndefined();
    expect(alice.temporary).toMatchObject({ until: '2026-12-03T18:00:00.000Z', reason: 'INC-4411' });
  });

  it('normalizes a zone offset to UTC and keeps since', async () => {
    const { project, diagnostics } = await load({
      'roles/r.yaml': `${users}roles:\n  - name: oncall\n    members:\n      - name: alice\n        since: 2026-12-03T10:00+01:00\n        until: 2026-12-03T18:00:00-05:00\n`,
    });
    expect(errors(diagnostics)).toEqual([]);
    expect(project.roles[0].members[0].temporary).toMatchObject({ since: '2026-12-03T09:00:00.000Z', until: '2026-12-03T23:00:00.000Z' });
  });

  it('a timestamp without a zone is a located error', async () => {
    const { diagnostics } = await load({
      'roles/r.yaml': `${users}roles:\n  - name: oncall\n    members:\n      - {name: alice, until: 2026-12-03T18:00, reason: x}\n`,
    });
    const d = only(diagnostics, 'invalid-name');
    expect(d).toMatchObject({ severity: 'error', file: 'roles/r.yaml', line: 7, column: 30 });
    expect(d.message).toContain('ISO-8601 timestamp with a zone');
    expect(d.hint).toContain('2026-12-03T18:00Z');
  });

  it('a date that does not exist is a located error', async () => {
    const { diagnostics } = await load({
      'roles/r.yaml': `${users}roles:\n  - name: oncall\n    members:\n      - name: alice\n        until: 2026-02-30T18:00Z\n`,
    });
    const d = only(diagnostics, 'bad-timestamp');
    expect(d).toMatchObject({ file: 'roles/r.yaml', line: 8, column: 16 });
    expect(d.message).toContain("until '2026-02-30T18:00Z'");
  });

  it('since must be before until', async () => {
    const { diagnostics } = await load({
      'roles/r.yaml': `${users}roles:\n  - name: oncall\n    members:\n      - {name: alice, since: 2026-12-04T00:00Z, until: 2026-12-03T18:00Z}\n`,
    });
    expect(only(diagnostics, 'bad-timestamp')).toMatchObject({ line: 7, column: 30 });
  });

  it('until is required in the long form; unknown keys are refused', async () => {
    const { diagnostics } = await load({
      'roles/r.yaml': `${users}roles:\n  - name: oncall\n    members:\n      - {name: alice, reason: x}\n      - {name: bob, until: 2026-12-03T18:00Z, expires: soon}\n`,
    });
    expect(only(diagnostics, 'missing-key').message).toContain('until');
    expect(only(diagnostics, 'unknown-key').line).toBe(8);
  });

  it('a break_glass role needs until and a reason on every member', async () => {
    const { diagnostics } = await load({
      'roles/r.yaml': `${users}roles:\n  - name: emergency\n    break_glass: true\n    members:\n      - bob\n      - {name: alice, until: 2026-12-03T18:00Z}\n`,
    });
    const ds = diagnostics.filter((d) => d.code === 'break-glass-incomplete');
    expect(ds.map((d) => [d.line, d.column, d.severity])).toEqual([
      [8, 9, 'error'],
      [9, 9, 'error'],
    ]);
    expect(ds[0].message).toContain('has no until');
    expect(ds[1].message).toContain('has no reason');
  });

  it('an undefined temporary member is reported like a plain one', async () => {
    const { diagnostics } = await load({
      'roles/r.yaml': `${users}roles:\n  - name: oncall\n    members:\n      - {name: carol, until: 2026-12-03T18:00Z}\n`,
    });
    expect(only(diagnostics, 'undefined-user')).toMatchObject({ line: 7, column: 16 });
  });
});

describe('parseTimestamp', () => {
  it.each([
    ['2026-12-03T18:00Z', '2026-12-03T18:00:00.000Z'],
    ['2026-12-03T18:00:05.25Z', '2026-12-03T18:00:05.250Z'],
    ['2026-12-03T18:00+0530', '2026-12-03T12:30:00.000Z'],
    ['2024-02-29T00:00Z', '2024-02-29T00:00:00.000Z'],
  ])('%s', (text, iso) => expect(parseTimestamp(text)).toBe(iso));
  it.each(['2026-12-03', '2026-12-03T18:00', '2025-02-29T00:00Z', '2026-13-01T00:00Z', '2026-12-03T24:00Z', 'tomorrow'])('rejects %s', (text) =>
    expect(parseTimestamp(text)).toBeUndefined());
});
