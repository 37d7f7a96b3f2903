// @vitest-environment happy-dom
// The PR comment always fits --max-chars: summary, problems and every destructive change
// are never cut; per-role details give way whole, the cut is announced, and the Mermaid
// block passes the real mermaid parser (which needs a DOM: happy-dom).
import { beforeAll, describe, expect, it } from 'vitest';
import { bigPlan, type BigPlan } from '../../bench/markdown.js';
import { isDestructive } from '../../src/plan/plan.js';
import { describeChange } from '../../src/render/describe.js';
import { DEFAULT_MAX_CHARS, MERMAID_MAX_EDGES, MERMAID_MAX_TEXT, md, mermaidGraph, renderPlanMarkdownFit } from '../../src/render/markdown.js';

let mermaid: { parse: (text: string) => Promise<unknown> };
let big: BigPlan;
beforeAll(async () => {
  mermaid = (await import('mermaid')).default;
  big = bigPlan(500);
});

function mermaidBlock(out: string): string | undefined {
  const m = /```mermaid\n([\s\S]*?)\n```/.exec(out);
  return m?.[1];
}

/** Fences open and close in pairs and every `<details>` closes: nothing was cut inside one. */
function expectWhole(out: string): void {
  const fences = out.split('\n').filter((l) => /^`{3,}/.test(l));
  expect(fences.length % 2).toBe(0);
  expect((out.match(/<details/g) ?? []).length).toBe((out.match(/<\/details>/g) ?? []).length);
  expect(out.endsWith('</sub>\n')).toBe(true);
}

function expectDestructiveShown(out: string, b: BigPlan): void {
  const destructive = b.plan.changes.filter(isDestructive);
  expect(destructive.length).toBeGreaterThan(0);
  for (const c of destructive) expect(out).toContain(md(describeChange(c)));
}

describe('markdown within --max-chars', () => {
  it('a 500-role plan fits the default, shows every destructive change and announces the cut', async () => {
    const r = renderPlanMarkdownFit(big.plan, big.statements, { hierarchy: big.hierarchy, fullPlan: { file: 'plan.json' } });
    const uncut = renderPlanMarkdownFit(big.plan, big.statements, { hierarchy: big.hierarchy, maxChars: Number.MAX_SAFE_INTEGER });
    expect(uncut.markdown.length).toBeGreaterThan(2 * DEFAULT_MAX_CHARS); // the cut is real
    expect(r.fits).toBe(true);
    expect(r.markdown.length).toBeLessThanOrEqual(DEFAULT_MAX_CHARS);
    expect(r.markdown).toContain(`| ${big.plan.summary.add} | 0 | ${big.plan.summary.remove} | **${big.plan.summary.destructive}** |`);
    expectDestructiveShown(r.markdown, big);
    expect(r.omittedRoles).toBeGreaterThan(0);
    expect(r.markdown).toContain(`> **Cut to fit one comment (60,000 characters).** ${r.omittedRoles} of the`);
    expect(r.markdown).toContain(`holding ${r.omittedChanges} of ${big.plan.changes.length} changes, are not shown.`);
    expect(r.markdown).toContain('See the full plan, plan.json');
    expectWhole(r.markdown);
    // The graph collapsed to what Mermaid accepts, and the real parser takes it.
    expect(r.graph).toBe('changed');
    const block = mermaidBlock(r.markdown)!;
    expect(block.length).toBeLessThanOrEqual(MERMAID_MAX_TEXT);
    expect((block.match(/-->|-\.->/g) ?? []).length).toBeLessThanOrEqual(MERMAID_MAX_EDGES);
    await expect(mermaid.parse(block)).resolves.toBeTruthy();
    // ... whereas the whole graph of this plan is one Mermaid refuses.
    const whole = mermaidBlock(mermaidGraph(big.plan, big.hierarchy))!;
    await expect(mermaid.parse(whole)).rejects.toThrow(/Edge limit exceeded/);
  });

  it('always fits, for any --max-chars, or says plainly that it cannot', () => {
    for (const maxChars of [1_000, 2_500, 5_000, 11_111, 20_000, 40_000, 60_000, 65_536]) {
      const r = renderPlanMarkdownFit(big.plan, big.statements, { hierarchy: big.hierarchy, maxChars });
      expect(r.markdown.length, `maxChars ${maxChars}`).toBeLessThanOrEqual(maxChars);
      expectWhole(r.markdown);
      if (r.fits) {
        expectDestructiveShown(r.markdown, big);
        expect(r.markdown).toContain('Cut to fit one comment');
      } else {
        expect(r.essentialChars).toBeGreaterThan(maxChars - 1000);
        expect(r.markdown).toContain('> **Too large for one comment.** The summary, 0 problems and 100 destructive changes alone need');
        // Never a part of the destructive list.
        expect(r.markdown).not.toContain('> - **');
      }
    }
    // A limit between the two: the smaller ones refuse, the larger ones fit.
    expect(renderPlanMarkdownFit(big.plan, big.statements, { maxChars: 5_000 }).fits).toBe(false);
    expect(renderPlanMarkdownFit(big.plan, big.statements, { maxChars: 20_000 }).fits).toBe(true);
  });

  it('matches the golden comment of a plan that must be cut', async () => {
    const small = bigPlan(24);
    const r = renderPlanMarkdownFit(small.plan, small.statements, {
      hierarchy: small.hierarchy,
      maxChars: 6_000,
      fullPlan: { url: 'https://github.com/org/repo/actions/runs/42' },
    });
    await expect(r.markdown).toMatchFileSnapshot('./fixtures/plan-cut.md');
    expect(r.markdown.length).toBeLessThanOrEqual(6_000);
    expect(r.omittedRoles).toBeGreaterThan(0);
    expectDestructiveShown(r.markdown, small);
    expect(r.markdown).toContain('See [the full plan](https://github.com/org/repo/actions/runs/42).');
    // A parenthesis in the link cannot end it early.
    const odd = renderPlanMarkdownFit(small.plan, small.statements, { maxChars: 6_000, fullPlan: { url: 'https://x.example/a)b (c)' } });
    expect(odd.markdown).toContain('See [the full plan](https://x.example/a%29b%20%28c%29).');
    expectWhole(r.markdown);
    expect(r.graph).toBe('full');
    await expect(mermaid.parse(mermaidBlock(r.markdown)!)).resolves.toBeTruthy();
  });

  it('the small golden plan fits whole and its graph parses', async () => {
    const small = bigPlan(6);
    const r = renderPlanMarkdownFit(small.plan, small.statements, { hierarchy: small.hierarchy });
    expect(r).toMatchObject({ fits: true, omittedRoles: 0, omittedChanges: 0, rolesWithoutSql: 0, graph: 'full' });
    expect(r.markdown).not.toContain('Cut to fit');
    expect(r.markdown).toContain('| role | add | change | remove |');
    await expect(mermaid.parse(mermaidBlock(r.markdown)!)).resolves.toBeTruthy();
  });
});
