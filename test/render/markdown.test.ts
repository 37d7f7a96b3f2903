// The markdown plan (PR comment) is golden-tested: test/render/fixtures/*.md are the
// reviewed outputs. Hostile names must not break the table, inject HTML or close the
// SQL fence.
import { describe, expect, it } from 'vitest';
import type { Statement } from '../../src/dialects/types.js';
import { changeGroup, summarize } from '../../src/plan/plan.js';
import type { Change, Plan } from '../../src/plan/types.js';
import { fenceFor, md, renderPlanMarkdown } from '../../src/render/markdown.js';

const t = (schema: string, name: string) => ({ kind: 'table', database: 'ehr', schema, name }) as const;

const CHANGES: Change[] = [
  { kind: 'createRole', role: 'billing_auditor', description: 'Revenue-cycle auditors', owner: 'rc@example.org' },
  { kind: 'alterRole', role: 'clinical_analyst', from: {}, to: { description: 'Care quality' } },
  { kind: 'revokeMembership', role: 'clinical_analyst', member: 'mallory', memberKind: 'user', reason: 'not in configuration' },
  { kind: 'revoke', role: 'clinical_analyst', privileges: ['delete'], object: t('clinical', 'encounters'), reason: 'not in configuration' },
  { kind: 'revoke', role: 'PUBLIC', privileges: ['select'], object: t('clinical', 'patients'), reason: 'not in configuration' },
  { kind: 'grantMembership', role: 'phi_base_reader', member: 'billing_auditor', memberKind: 'role' },
  { kind: 'grantMembership', role: 'clinical_analyst', member: 'alice', memberKind: 'user' },
  { kind: 'grant', role: 'billing_auditor', privileges: ['select'], object: t('billing', 'claims') },
  { kind: 'grant', role: 'clinical_analyst', privileges: ['select'], object: t('clinical', 'patients'), columns: ['birth_year', 'zip3'] },
  { kind: 'grantFuture', role: 'billing_auditor', privileges: ['select'], schema: { kind: 'schema', database: 'ehr', schema: 'billing' }, objectType: 'tables', forRole: 'postgres' },
  { kind: 'dropRole', role: 'legacy_reader' },
];

function planOf(changes: Change[], target = 'warehouse'): Plan {
  return {
    formatVersion: 1,
    platform: 'postgres',
    target,
    mode: 'authoritative',
    changes,
    problems: [],
    liveFingerprint: 'a'.repeat(64),
    configDigest: 'b'.repeat(64),
    summary: summarize(changes),
  };
}

// Illustrative SQL (the renderer only folds what it is given).
function sqlOf(changes: Change[]): Statement[] {
  return changes.map((c, i) => ({ sql: `-- ${c.kind} ${changeGroup(c)}`, changeIndex: i }));
}

describe('renderPlanMarkdown', () => {
  it('matches the golden PR comment', async () => {
    const out = renderPlanMarkdown(planOf(CHANGES), sqlOf(CHANGES), {
      hierarchy: [
        { role: 'phi_base_reader', member: 'clinical_analyst' },
        { role: 'phi_base_reader', member: 'data_scientist' },
        { role: 'unrelated', member: 'other' },
      ],
    });
    await expect(out).toMatchFileSnapshot('./fixtures/plan.md');
    // What a reviewer must see, independently of the golden file:
    expect(out).toContain('> **4 destructive changes** remove access or drop roles:');
    expect(out).toContain('> - **PUBLIC**: revoke SELECT on table ehr.clinical.patients (not in configuration)');
    expect(out).toContain('<details><summary>clinical_analyst (+2 ~1 -2)</summary>');
    expect(out).toContain('| clinical_analyst | 2 | 1 | 2 |');
    expect(out).not.toContain('Cut to fit');
    expect(out).toContain('n5(["mallory"])');
    expect(out).toContain('n5 -.->|"- revoke"| n2'); // mallory leaves clinical_analyst
    expect(out).toContain('n7 --> n4'); // unchanged context edge data_scientist -> phi_base_reader
    expect(out).not.toContain('unrelated');
  });

  it('says so when there is nothing to change', async () => {
    const out = renderPlanMarkdown(planOf([], 'local'), []);
    await expect(out).toMatchFileSnapshot('./fixtures/plan-empty.md');
    expect(out).toContain('**No changes.**');
    expect(out).not.toContain('<details>');
  });

  it('escapes hostile names in tables and prose and never lets SQL close its fence', () => {
    const evil = 'x|y<img src=x onerror=alert(1)>`*_[a](b)';
    const changes: Change[] = [{ kind: 'revoke', role: evil, privileges: ['select'], object: t('s', 'a"b') }];
    const out = renderPlanMarkdown(planOf(changes), [{ sql: 'REVOKE SELECT ON "s"."a""b" FROM "x```y"', changeIndex: 0 }]);
    expect(out).not.toContain('<img');
    expect(out).toContain('&lt;img');
    const tableRow = out.split('\n').find((l) => l.startsWith('| x'))!;
    expect(tableRow.split(/(?<!\\)\|/).length).toBe(6); // 4 cells + the outer bars
    expect(out).toContain('````sql');
    expect(out).toContain('\n````\n');
    expect(md('a_b _c_ *d*')).toBe('a_b \\_c\\_ \\*d\\*');
    expect(fenceFor('x ```` y')).toBe('`````');
    // Mermaid labels carry no raw quotes or brackets.
    const graph = out.slice(out.indexOf('```mermaid'));
    expect(graph).not.toMatch(/\["[^"]*[<>|`][^"]*"\]/);
  });
});
