// rbac drift: exit 0 when the target matches, 2 when it drifted, 1 on error; every
// drifted grant named with its grantor; first-seen times kept across runs; a
// Slack-compatible webhook posted on drift (a local http server stands in for Slack).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDriftState, driftItems, driftReport } from '../../src/drift/drift.js';
import { makeGrant, makeMembership } from '../../src/model/keys.js';
import type { Live } from '../../src/model/types.js';
import type { Plan } from '../../src/plan/types.js';
import { cli, exampleConfig, removeDir, sqlOnDemo } from '../cli-workflows/helpers.js';

const patients = { kind: 'table', database: 'ehr', schema: 'clinical', name: 'patients' } as const;

function planOf(changes: Plan['changes']): Plan {
  return {
    formatVersion: 1,
    platform: 'postgres',
    target: 't',
    mode: 'authoritative',
    changes,
    problems: [],
    liveFingerprint: 'f',
    summary: { add: 0, change: 0, remove: 0, destructive: 0 },
  };
}

describe('drift items (pure)', () => {
  const live: Live = {
    platform: 'postgres',
    roles: [],
    memberships: [makeMembership({ role: 'analyst', member: 'mallory', memberKind: 'user', grantedBy: 'dba_bob' })],
    grants: [
      makeGrant({ role: 'analyst', privilege: 'select', object: patients, column: 'ssn', grantedBy: 'dba_bob' }),
      makeGrant({ role: 'analyst', privilege: 'select', object: patients, column: 'zip', grantedBy: 'dba_eve' }),
    ],
    futureGrants: [],
    schemas: [],
    tables: [],
  };

  it('splits changes into one item per privilege and column, with the grantor of each', () => {
    const items = driftItems(
      planOf([
        { kind: 'revoke', role: 'analyst', privileges: ['select'], object: patients, columns: ['ssn', 'zip'], reason: 'not in configuration' },
        { kind: 'revokeMembership', role: 'analyst', member: 'mallory', memberKind: 'user' },
        { kind: 'grant', role: 'analyst', privileges: ['select', 'insert'], object: patients },
      ]),
      live,
    );
    expect(items.map((i) => [i.kind, i.description, i.grantedBy])).toEqual([
      ['extra', 'SELECT on table ehr.clinical.patients (ssn) to analyst: granted by hand, not in configuration', 'dba_bob'],
      ['extra', 'SELECT on table ehr.clinical.patients (zip) to analyst: granted by hand, not in configuration', 'dba_eve'],
      ['extra', 'user mallory in role analyst: granted by hand, not in configuration', 'dba_bob'],
      ['missing', 'SELECT on table ehr.clinical.patients to analyst: missing (in configuration, not on the target)', undefined],
      ['missing', 'INSERT on table ehr.clinical.patients to analyst: missing (in configuration, not on the target)', undefined],
    ]);
    expect(items.every((i) => i.since === 'unknown')).toBe(true);
  });

  it('keeps first-seen times of items still drifted and forgets resolved ones', () => {
    const p = planOf([{ kind: 'revoke', role: 'analyst', privileges: ['select'], object: patients, columns: ['ssn', 'zip'] }]);
    const r1 = driftReport(p, live, 'T1');
    const s1 = applyDriftState(r1, undefined, 'T1');
    const r2 = driftReport(planOf([{ kind: 'revoke', role: 'analyst', privileges: ['select'], object: patients, columns: ['zip'] }]), live, 'T2');
    const s2 = applyDriftState(r2, s1, 'T2');
    expect(r2.items[0].firstSeen).toBe('T1');
    expect(Object.keys(s2.targets.t)).toHaveLength(1);
    const r3 = driftReport(p, live, 'T3');
    applyDriftState(r3, s2, 'T3');
    expect(r3.items.map((i) => i.firstSeen)).toEqual(['T3', 'T1']);
  });
});

describe('rbac drift on the embedded demo', () => {
  let dir: string;
  let server: Server;
  let hookUrl: string;
  const posts: { path: string; body: { text: string; rbac: { drifted: boolean; items: unknown[] } } }[] = [];

  beforeAll(async () => {
    dir = await exampleConfig();
    const a = await cli(dir, ['apply', '--auto-approve']);
    expect(a.code).toBe(0);
    server = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        posts.push({ path: req.url ?? '', body: JSON.parse(data) });
        res.writeHead(req.url?.includes('fail') ? 500 : 200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/secret-token`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await removeDir(dir);
  });

  it('exits 0 and posts nothing when the target matches the configuration', async () => {
    const r = await cli(dir, ['drift', '--webhook', hookUrl]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('No drift: target local matches the configuration.');
    expect(posts).toHaveLength(0);
  });

  it('exits 2 and names the hand-made grant, its grantor and since when', async () => {
    await sqlOnDemo(dir, 'GRANT SELECT ON clinical.patients TO etl_loader; REVOKE phi_base_reader FROM billing_auditor');
    const r = await cli(dir, ['drift', '--format', 'json']);
    expect(r.code).toBe(2);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ version: 1, target: 'local', drifted: true, summary: { extra: 1, missing: 1, changed: 0 } });
    const extra = j.items.find((i: { kind: string }) => i.kind === 'extra');
    expect(extra).toMatchObject({
      key: 'grant:select:table:ehr.clinical.patients:role:etl_loader',
      description: 'SELECT on table ehr.clinical.patients to etl_loader: granted by hand, not in configuration',
      grantedBy: 'postgres',
      since: 'unknown',
    });
    const missing = j.items.find((i: { kind: string }) => i.kind === 'missing');
    expect(missing.description).toBe('role billing_auditor in role phi_base_reader: missing (in configuration, not on the target)');

    const state = JSON.parse(await readFile(join(dir, '.rbac', 'drift-state.json'), 'utf8'));
    expect(state.targets.local[`extra:${extra.key}`]).toBe(extra.firstSeen);

    // A later run keeps the first-seen time; text and markdown say the same.
    const t = await cli(dir, ['drift']);
    expect(t.code).toBe(2);
    expect(t.out).toContain(`granted by postgres, since unknown (first seen ${extra.firstSeen})`);
    const m = await cli(dir, ['drift', '--format', 'markdown']);
    expect(m.code).toBe(2);
    expect(m.out).toContain('| `-` | SELECT on table ehr.clinical.patients to etl_loader: granted by hand, not in configuration | postgres | unknown |');
  });

  it('posts a Slack-compatible summary to the webhook on drift', async () => {
    const r = await cli(dir, ['drift', '--webhook', hookUrl]);
    expect(r.code).toBe(2);
    expect(posts).toHaveLength(1);
    expect(posts[0].body.text).toContain('Drift on target local: 1 granted by hand, 1 missing.');
    expect(posts[0].body.text).toContain('• SELECT on table ehr.clinical.patients to etl_loader: granted by hand, not in configuration (granted by postgres)');
    expect(posts[0].body.rbac.items).toHaveLength(2);
  });

  it('exits 1 when the webhook fails, without printing its secret path', async () => {
    const r = await cli(dir, ['drift', '--webhook', hookUrl.replace('services', 'fail')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('answered HTTP 500');
    expect(r.err).not.toContain('secret-token');
  });

  it('exits 1 on error (unknown target, bad format)', async () => {
    const r = await cli(dir, ['drift', '--target', 'nope']);
    expect(r.code).toBe(1);
    expect((await cli(dir, ['drift', '--format', 'yaml'])).code).toBe(1);
  });
});
