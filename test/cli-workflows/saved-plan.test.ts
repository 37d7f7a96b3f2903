// The pull-request workflow end to end on the embedded demo: plan --format markdown
// --out plan.json, then apply plan.json. A grant made by hand in between makes the
// reviewed plan stale: exit 3 and nothing applied. Every apply leaves an audit record.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/chain.js';
import { cli, exampleConfig, removeDir, sqlOnDemo } from './helpers.js';

describe('saved plans: plan --out, then apply PLANFILE', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await exampleConfig();
    // A git repository, so the audit record carries the commit of the config.
    const git = (...a: string[]) => execFileSync('git', ['-c', 'user.email=t@example.invalid', '-c', 'user.name=t', ...a], { cwd: dir, stdio: 'pipe' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'config');
  });
  afterAll(() => removeDir(dir));

  it('prints a markdown plan for the PR comment and writes the JSON plan file', async () => {
    const r = await cli(dir, ['plan', '--format', 'markdown', '--out', 'plan.json']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('### rbac plan: local (postgres, authoritative)');
    expect(r.out).toMatch(/\*\*7 destructive changes\*\*/);
    expect(r.out).toContain('revoke role clinical_analyst from user mallory');
    expect(r.out).toMatch(/<details><summary>clinical_analyst \([^)]*\)<\/summary>/);
    expect(r.out).toContain('```sql');
    expect(r.out).toContain('```mermaid');
    const saved = JSON.parse(await readFile(join(dir, 'plan.json'), 'utf8'));
    expect(saved.formatVersion).toBe(1);
    expect(saved.changes.length).toBeGreaterThan(10);
  });

  it('cuts the comment to --max-chars, keeping every destructive change, or fails when even they do not fit', async () => {
    const full = await cli(dir, ['plan', '--format', 'markdown']);
    const destructive = full.out.split('\n').filter((l) => l.startsWith('> - **'));
    expect(destructive.length).toBe(7);
    const cut = await cli(dir, ['plan', '--format', 'markdown', '--max-chars', '3000', '--out', 'cut.json', '--full-plan-url', 'https://ci.example.org/runs/7']);
    expect(cut.code).toBe(0);
    expect(cut.out.length).toBeLessThanOrEqual(3000);
    expect(full.out.length).toBeGreaterThan(3000);
    for (const l of destructive) expect(cut.out).toContain(l);
    expect(cut.out).toContain('See [the full plan](https://ci.example.org/runs/7).');
    const tiny = await cli(dir, ['plan', '--format', 'markdown', '--max-chars', '1000']);
    expect(tiny.code).toBe(1);
    expect(tiny.out.length).toBeLessThanOrEqual(1000);
    expect(tiny.out).toContain('**Too large for one comment.**');
    expect(tiny.out).not.toContain('> - **');
    expect(tiny.err).toContain('more than --max-chars 1000');
  });

  it.each([
    [['--format', 'markdown', '--max-chars', '12k'], '--max-chars must be a whole number of at least 1000'],
    [['--format', 'markdown', '--max-chars', '999'], '--max-chars must be a whole number of at least 1000'],
    [['--max-chars', '5000'], '--max-chars and --full-plan-url apply to --format markdown only'],
    [['--format', 'markdown', '--full-plan-url', 'ftp://ci.example.org/plan.json'], '--full-plan-url must be an http(s) URL'],
    [['--format', 'markdown', '--full-plan-url', 'https://u:secret@ci.example.org/x'], '--full-plan-url must not carry credentials'],
  ])('refuses plan %j', async (flags, message) => {
    const r = await cli(dir, ['plan', ...flags]);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(message);
    expect(r.err).not.toContain('secret');
    expect(r.out).toBe('');
  });

  it('refuses the reviewed plan with exit 3 after a grant made by hand, and applies nothing', async () => {
    await sqlOnDemo(dir, 'GRANT UPDATE ON clinical.diagnoses TO clinical_analyst');
    const r = await cli(dir, ['apply', 'plan.json']);
    expect(r.code).toBe(3);
    expect(r.err).toContain('changed since plan.json was planned');
    // Nothing ran: the roles the plan creates still do not exist, no audit record.
    const rows = await sqlOnDemo(dir, `SELECT count(*)::int AS n FROM pg_roles WHERE rolname IN ('billing_auditor', 'phi_base_reader')`);
    expect(rows[0].n).toBe(0);
    await expect(readFile(join(dir, '.rbac', 'audit.jsonl'), 'utf8')).rejects.toThrow();
  });

  it('refuses a plan whose configuration changed since (exit 3)', async () => {
    const p = await cli(dir, ['plan', '--out', 'plan2.json']);
    expect(p.code).toBe(0);
    const roles = join(dir, 'roles', 'users.yaml');
    const text = await readFile(roles, 'utf8');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(roles, text + '\n# reviewed\n');
    try {
      const r = await cli(dir, ['apply', 'plan2.json']);
      expect(r.code).toBe(3);
      expect(r.err).toContain('configuration changed');
    } finally {
      await writeFile(roles, text);
    }
  });

  it('applies a fresh reviewed plan exactly, then records it in a valid audit chain', async () => {
    const p = await cli(dir, ['plan', '--out', 'plan3.json']);
    expect(p.code).toBe(0);
    const r = await cli(dir, ['apply', 'plan3.json'], { GITHUB_ACTOR: 'octo-reviewer' });
    expect(r.code).toBe(0);
    expect(r.out).toContain('Verified: the next plan is empty.');

    const log = await readFile(join(dir, '.rbac', 'audit.jsonl'), 'utf8');
    expect(verifyChain(log)).toMatchObject({ ok: true, records: 1 });
    const rec = JSON.parse(log.trim());
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir }).toString().trim();
    expect(rec).toMatchObject({
      v: 1,
      event: 'apply',
      seq: 1,
      outcome: 'applied',
      planFile: 'plan3.json',
      actor: { dbUser: 'postgres', ciActor: 'octo-reviewer' },
      target: { name: 'local', platform: 'postgres' },
      git: { commit: head },
      after: { changes: 0 },
    });
    expect(rec.planFingerprint).toBe(JSON.parse(await readFile(join(dir, 'plan3.json'), 'utf8')).liveFingerprint);
    expect(rec.statements.length).toBeGreaterThan(10);
    expect(rec.statements.every((s: { outcome: string }) => s.outcome === 'applied')).toBe(true);
    expect(rec.statements.map((s: { sql: string }) => s.sql)).toContain('REVOKE "clinical_analyst" FROM "mallory"');
    // No machine paths and no PHI: the only path is the plan file's base name.
    expect(log).not.toContain(dir);
    expect(log).not.toMatch(/9\d\d-\d\d-\d{4}/);

    const v = await cli(dir, ['audit', 'verify']);
    expect(v.code).toBe(0);
    expect(v.out).toContain('1 record, chain intact');
  });

  it('refuses to apply while the audit log is broken', async () => {
    const file = join(dir, '.rbac', 'audit.jsonl');
    const good = await readFile(file, 'utf8');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, good.replace('"outcome":"applied"', '"outcome":"failed"'));
    await sqlOnDemo(dir, 'GRANT DELETE ON clinical.diagnoses TO clinical_analyst');
    try {
      const r = await cli(dir, ['apply', '--auto-approve']);
      expect(r.code).toBe(1);
      expect(r.err).toContain('audit log audit.jsonl is broken at line 1');
      const rows = await sqlOnDemo(dir, `SELECT has_table_privilege('clinical_analyst', 'clinical.diagnoses', 'DELETE') AS d`);
      expect(rows[0].d).toBe(true);
    } finally {
      await writeFile(file, good);
    }
    // With the log restored, the same apply goes through and appends record 2.
    const r = await cli(dir, ['apply', '--auto-approve', '--audit-log', '.rbac/audit.jsonl']);
    expect(r.code).toBe(0);
    const v = verifyChain(await readFile(file, 'utf8'));
    expect(v).toMatchObject({ ok: true, records: 2 });
  });
});
