/**
 * `rbac export` on a Snowflake live state: database roles come back as `database:` roles
 * named `database.role`, warehouses and the account as their own `on:` keys, and the
 * written configuration plans empty against the state it came from.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toDesired } from '../../src/config/desired.js';
import { loadProject } from '../../src/config/load.js';
import { snowflakeDialect } from '../../src/dialects/snowflake/quote.js';
import { buildExport } from '../../src/export/export.js';
import { makeGrant, makeMembership, makeObject } from '../../src/model/keys.js';
import type { Live } from '../../src/model/types.js';
import { plan } from '../../src/plan/plan.js';
import { scopeOf } from '../../src/plan/scope.js';

const RBAC = 'version: 1\ndefault_target: prod\ntargets:\n  prod:\n    platform: snowflake\n    account: x\n    user: y\n    private_key_path: ${K}\n';

describe('export from Snowflake', () => {
  it('writes database roles, warehouses and the account so the round trip plans empty', async () => {
    const by = { grantedBy: 'SECURITYADMIN' };
    const live: Live = {
      platform: 'snowflake',
      roles: [
        { name: 'ANALYST', isUser: false },
        { name: 'EHR.PHI_READER', isUser: false, description: 'reads PHI' },
        { name: 'ALICE', isUser: true },
      ],
      memberships: [
        makeMembership({ role: 'EHR.PHI_READER', member: 'ANALYST', memberKind: 'role', ...by }),
        makeMembership({ role: 'ANALYST', member: 'ALICE', memberKind: 'user', ...by }),
      ],
      grants: [
        makeGrant({ role: 'ANALYST', privilege: 'usage', object: makeObject('warehouse', '', undefined, 'REPORTING_WH'), ...by }),
        makeGrant({ role: 'ANALYST', privilege: 'create_database', object: makeObject('account', ''), ...by }),
        makeGrant({ role: 'EHR.PHI_READER', privilege: 'usage', object: makeObject('schema', 'EHR', 'CLINICAL'), ...by }),
      ],
      futureGrants: [],
      schemas: [makeObject('schema', 'EHR', 'CLINICAL')],
      tables: [],
      objects: [makeObject('schema', 'EHR', 'CLINICAL')],
    };
    const out = buildExport(live, { dialect: snowflakeDialect, roles: ['ANALYST', 'EHR.PHI_READER'], includePublic: false, futureGrantCreators: [], rbacYaml: RBAC });
    expect(out.files['roles/roles.yaml']).toContain('  - name: PHI_READER\n    database: EHR\n');
    expect(out.files['roles/roles.yaml']).toContain('inherits: [EHR.PHI_READER]');
    expect(out.files['grants/account.yaml']).toContain('on: { warehouse: REPORTING_WH }');
    expect(out.files['grants/account.yaml']).toContain('on: { account: true }');
    const dir = await mkdtemp(join(tmpdir(), 'rbac-sf-export-'));
    for (const [p, text] of Object.entries(out.files)) {
      await mkdir(dirname(join(dir, p)), { recursive: true });
      await writeFile(join(dir, p), text);
    }
    const { project, diagnostics } = await loadProject(dir);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const { desired, diagnostics: d2 } = toDesired(project, snowflakeDialect);
    expect(d2).toEqual([]);
    const p = plan(desired, live, { mode: 'authoritative', target: 't', scope: scopeOf(desired) });
    expect(p.changes).toEqual([]);
  });
});
