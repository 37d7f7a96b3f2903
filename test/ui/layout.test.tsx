/**
 * Layout at real widths: role count columns line up (by column position in the frame
 * text) for long role names at 80 and 120 columns and do not move when filtering;
 * SQL wraps at word boundaries.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import stringWidth from 'string-width';
import type { Change } from '../../src/plan/types.js';
import { groupByRole, roleColumns, wrapLine } from '../../src/ui/tree.js';
import { ALL_KINDS, fakeStatements, makePlan } from './fixtures.js';
import { KEY, mount } from './helpers.js';

afterEach(() => cleanup());

const LONG = 'clinical_research_coordinator_for_the_oncology_department_east_wing';
const table = (name: string) => ({ kind: 'table' as const, database: 'ehr', schema: 'clinical', name });
const changes: Change[] = [
  ...ALL_KINDS,
  { kind: 'createRole', role: LONG },
  ...Array.from({ length: 12 }, (_, i): Change => ({ kind: 'grant', role: LONG, privileges: ['select'], object: table(`t${i}`) })),
  { kind: 'revoke', role: LONG, privileges: ['update'], object: table('notes') },
  { kind: 'createRole', role: 'ops_médecin_臨床' },
];
const plan = makePlan(changes);
const statements = fakeStatements(changes);

/** Role rows of a frame (the lines with a ▸/▾ right after the cursor column). */
const roleLines = (f: string): string[] => f.split('\n').filter((l) => /^[> ] [▸▾] /.test(l));
/** Display column where `needle` starts in `line` (wide characters count as two). */
const col = (line: string, re: RegExp): number => {
  const m = re.exec(line);
  if (!m) throw new Error(`no ${re} in ${JSON.stringify(line)}`);
  return stringWidth(line.slice(0, m.index));
};
/** Columns of the +, - and ~ counts of every role row. */
const countColumns = (f: string) =>
  roleLines(f).map((l) => [col(l, / \+\d/), col(l, / -\d/), col(l, / ~\d/)].map((c) => c + 1));

describe.each([80, 120])('role rows at %i columns', (width) => {
  it('line the counts up for long names, cut names with an ellipsis, and stay inside the width', async () => {
    const app = await mount({ plan, statements, width, height: 24 });
    const f = app.frame();
    const rows = roleLines(f);
    expect(rows.length).toBe(5);
    const cols = countColumns(f);
    for (const c of cols) expect(c).toEqual(cols[0]);
    // at 80 the long name is cut with an ellipsis so the counts still fit; at 120 it is whole
    const long = rows.find((l) => l.includes('clinical_research'))!;
    expect(long).toMatch(/\+13 -1 ~0  ! 1 destructive$/);
    for (const l of f.split('\n')) expect(stringWidth(l)).toBeLessThanOrEqual(width);
    if (width === 80) {
      const shown = long.slice(4, long.indexOf('…'));
      expect(long).toContain('…');
      expect(LONG.startsWith(shown)).toBe(true);
      expect(stringWidth(shown)).toBe(roleColumns(groupByRole(changes), width).name - 1);
    } else expect(long).toContain(`${LONG}  +13`);
    // the non-ASCII name is padded by display width, not by code units
    expect(cols[rows.findIndex((l) => l.includes('臨床'))]).toEqual(cols[0]);
  });

  it('keeps the columns where they are when a filter hides the long name', async () => {
    const app = await mount({ plan, statements, width, height: 24 });
    const before = countColumns(app.frame())[0];
    await app.press('/', ...'billing');
    const f = await app.until((x) => x.includes('revoke UPDATE on table ehr.billing.invoices') && !x.includes('clinical_research'));
    expect(roleLines(f).length).toBe(1);
    expect(countColumns(f)[0]).toEqual(before);
    await app.press(KEY.esc);
    await app.until((x) => x.includes('clinical_research'));
    expect(countColumns(app.frame())[0]).toEqual(before);
  });
});

describe('roleColumns', () => {
  it('uses the longest name when it fits and a cap that grows with the terminal', () => {
    const short = roleColumns(groupByRole(ALL_KINDS), 80);
    expect(short.name).toBe('clinical_analyst'.length);
    const at80 = roleColumns(groupByRole(changes), 80).name;
    const at120 = roleColumns(groupByRole(changes), 120).name;
    expect(at80).toBeLessThan(LONG.length);
    expect(at120).toBeGreaterThan(at80);
    expect(roleColumns(groupByRole(changes), 20).name).toBe(12);
  });
});

describe('SQL wrapping', () => {
  const sql = 'GRANT SELECT ("patient_id", "zip3", "birth_year") ON TABLE "ehr"."clinical"."patients" TO ROLE "clinical_research_coordinator";';

  it('breaks at spaces, never inside a word that fits a row', () => {
    for (const width of [40, 50, 70]) {
      const rows = wrapLine(sql, width);
      expect(rows.length).toBeGreaterThan(1);
      for (const r of rows) expect(stringWidth(r)).toBeLessThanOrEqual(width);
      // every row is whole words of the statement, in order
      expect(rows.join(' ')).toBe(sql);
    }
    expect(wrapLine(sql, 200)).toEqual([sql]);
    // only a word longer than a row is cut
    const narrow = wrapLine(sql, 30);
    for (const r of narrow) expect(stringWidth(r)).toBeLessThanOrEqual(30);
    expect(narrow.join(' ').replace('_coo rdinator', '_coordinator')).toBe(sql);
    expect(wrapLine('  USING (facility_id = current_setting(\'app.facility\'))', 30)[0]).toMatch(/^ {2}USING/);
  });

  it('wraps SQL in the browser at word boundaries at 80 and 120 columns', async () => {
    for (const width of [80, 120]) {
      const one: Change[] = [{ kind: 'grant', role: 'clinical_analyst', privileges: ['select'], object: table('patients') }];
      const long = sql + ' -- ' + Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
      const app = await mount({ plan: makePlan(one), statements: [{ sql: long, changeIndex: 0 }], width, height: 24 });
      await app.press(KEY.enter, 'j', KEY.enter);
      const f = await app.until((x) => x.includes('word29'));
      const sqlRows = f.split('\n').filter((l) => /^ {10}\S/.test(l)).map((l) => l.slice(10));
      expect(sqlRows.length).toBeGreaterThan(1);
      expect(sqlRows.join(' ')).toBe(long);
      for (const r of sqlRows) expect(stringWidth(r)).toBeLessThanOrEqual(width - 10);
      cleanup();
    }
  });
});
