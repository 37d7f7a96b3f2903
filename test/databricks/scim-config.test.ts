/**
 * The configuration side of Databricks SCIM: `account_id` / `accounts_host` on a target,
 * service principals under `users:`, grants to users and service principals, principal
 * names kept as Databricks compares them, the SCIM client a target opens, and the SCIM
 * read carried by snapshots.
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { toDesired } from '../../src/config/desired.js';
import { resolveTarget, type DatabricksTarget } from '../../src/config/targets.js';
import { databricksDialect } from '../../src/dialects/databricks/quote.js';
import { scimStatementText } from '../../src/dialects/databricks/scim-plan.js';
import { databricksScimClient } from '../../src/dialects/registry.js';
import { readSnapshot, writeSnapshot } from '../../src/dialects/snapshot.js';
import { snowflakeDialect } from '../../src/dialects/snowflake/quote.js';
import { RbacError } from '../../src/model/errors.js';
import type { Live } from '../../src/model/types.js';
import { errors, load } from '../config/helpers.js';

const SP_APP = '8f2c1a6e-3b4d-4e5f-9a0b-1c2d3e4f5a6b';

const target = (extra: string) =>
  [
    'version: 1', //                              1
    'targets:', //                                2
    '  lakehouse:', //                            3
    '    platform: databricks', //                4
    '    host: ${DATABRICKS_HOST}', //            5
    '    http_path: /sql/1.0/warehouses/abc', //  6
    '    token: ${DATABRICKS_TOKEN}', //          7
    extra,
    '',
  ].join('\n');

describe('a Databricks target with manage_membership', () => {
  it('needs account_id: a located error with a hint', async () => {
    const { diagnostics } = await load({ 'rbac.yaml': target('    manage_membership: true') });
    const [e] = errors(diagnostics);
    expect(formatDiagnostic(e)).toMatch(/^rbac\.yaml:8:24: error: target 'lakehouse': manage_membership: true needs 'account_id'/);
    expect(e.hint).toMatch(/account_id: \$\{DATABRICKS_ACCOUNT_ID\}/);
  });

  it('reads account_id (with ${VAR}) and accounts_host, and opens a SCIM client on the derived accounts host', async () => {
    const { project, diagnostics } = await load({ 'rbac.yaml': target('    account_id: ${DATABRICKS_ACCOUNT_ID}\n    manage_membership: true') });
    expect(errors(diagnostics)).toEqual([]);
    const t = resolveTarget(project, 'lakehouse', { DATABRICKS_HOST: 'dbc-1.cloud.databricks.com', DATABRICKS_TOKEN: 'dapi-x', DATABRICKS_ACCOUNT_ID: 'acct-42' }) as DatabricksTarget;
    expect(t).toMatchObject({ manageMembership: true, accountId: 'acct-42' });
    expect(t.accountsHost).toBeUndefined();
    await expect(databricksScimClient(t)).resolves.toBeDefined();
    // A host whose cloud is unknown needs accounts_host; a plain-http accounts host is refused unless loopback.
    await expect(databricksScimClient({ ...t, host: 'databricks.internal.example' })).rejects.toThrow(/accounts host of databricks\.internal\.example is not known/);
    await expect(databricksScimClient({ ...t, accountsHost: 'http://accounts.example' })).rejects.toThrow(/plain http: refused/);
    await expect(databricksScimClient({ ...t, accountsHost: 'http://127.0.0.1:9' })).resolves.toBeDefined();
    await expect(databricksScimClient({ ...t, accountId: undefined })).rejects.toThrow(RbacError);
  });

  it('is accepted by the JSON schema with accounts_host', async () => {
    const { diagnostics } = await load({ 'rbac.yaml': target('    account_id: acct-1\n    accounts_host: accounts.example.com\n    manage_membership: true') });
    expect(diagnostics).toEqual([]);
  });
});

describe('service principals and grants to users', () => {
  const ROLES = [
    'users:',
    '  - name: \'"Alice@Example.org"\'',
    '  - name: etl_robot',
    '    service_principal: true',
    `    application_id: ${SP_APP}`,
    'roles:',
    '  - name: \'"Data Engineers"\'',
    '    members: [\'"Alice@Example.org"\', etl_robot]',
    '  - name: Analysts',
    '    inherits: [\'"Data Engineers"\']',
    '',
  ].join('\n');
  const GRANTS = [
    'grants:',
    '  - role: etl_robot',
    '    privileges: [modify]',
    '    on: { table: ehr.clinical.patients }',
    '  - role: \'"Alice@Example.org"\'',
    '    privileges: [select]',
    '    on: { table: ehr.clinical.patients }',
    '  - role: \'"Data Engineers"\'',
    '    privileges: [select]',
    '    on: { table: ehr.Clinical.Patients }',
    '',
  ].join('\n');

  it('names a service principal by its application id in members and grants; quoted principals keep their case, bare ones fold', async () => {
    const { project, diagnostics } = await load({ 'roles/a.yaml': ROLES, 'grants/a.yaml': GRANTS });
    expect(errors(diagnostics)).toEqual([]);
    const { desired, diagnostics: d2 } = toDesired(project, databricksDialect);
    expect(errors(d2)).toEqual([]);
    expect(desired.roles.map((r) => r.name)).toEqual(['Data Engineers', 'analysts']);
    expect(desired.memberships.map((m) => `${m.role} <- ${m.member} (${m.memberKind})`).sort()).toEqual(
      ['Data Engineers <- Alice@Example.org (user)', `Data Engineers <- ${SP_APP} (user)`, 'Data Engineers <- analysts (role)'].sort(),
    );
    // Principals exact, securables folded (Unity Catalog names are case-insensitive).
    expect(desired.grants.map((g) => `${g.privilege} ${g.object.database}.${g.object.schema}.${g.object.name} ${g.role}`).sort()).toEqual(
      ['modify ehr.clinical.patients ' + SP_APP, 'select ehr.clinical.patients Alice@Example.org', 'select ehr.clinical.patients Data Engineers'].sort(),
    );
    expect(desired.users).toEqual([SP_APP, 'Alice@Example.org']);
  });

  it('refuses a grant to a user on a platform that grants to roles only', async () => {
    const { project } = await load({ 'roles/a.yaml': ROLES, 'grants/a.yaml': GRANTS });
    const { diagnostics } = toDesired(project, snowflakeDialect);
    expect(errors(diagnostics).map((d) => d.message)).toEqual(expect.arrayContaining([expect.stringMatching(/grant to user "Alice@Example.org": snowflake grants privileges to roles, not to users/)]));
  });

  it('wants application_id with service_principal, and the other way round, at their line', async () => {
    const { diagnostics } = await load({
      'roles/a.yaml': 'users:\n  - name: robot\n    service_principal: true\n  - name: other\n    application_id: ' + SP_APP + '\n',
    });
    expect(errors(diagnostics).map(formatDiagnostic)).toEqual([
      expect.stringMatching(/^roles\/a\.yaml:3:24: error: service principal robot has no application_id/),
      expect.stringMatching(/^roles\/a\.yaml:5:21: error: user other has an application_id but is not marked service_principal: true/),
    ]);
    const bad = await load({ 'roles/a.yaml': 'users:\n  - name: robot\n    service_principal: true\n    application_id: not-a-uuid\n' });
    expect(errors(bad.diagnostics).map((d) => d.message).join('\n')).toMatch(/UUID/);
  });
});

describe('SCIM statements and snapshots', () => {
  it('prints one readable line per operation, names as JSON strings so no name ends the line', () => {
    expect(scimStatementText({ kind: 'createGroup', group: 'Data Engineers', source: [] })).toBe('-- SCIM: create account group "Data Engineers"');
    expect(scimStatementText({ kind: 'patchMembers', group: 'a"b', groupId: 'g', add: [{ kind: 'user', name: 'x\ny', id: 'u' }], remove: [], source: [] })).toBe(
      '-- SCIM: add user "x\\ny" to "a\\"b"',
    );
    expect(scimStatementText({ kind: 'patchMembers', group: 'g', add: [], remove: [{ kind: 'servicePrincipal', name: SP_APP, id: 's' }], source: [] })).toBe(
      `-- SCIM: remove service principal "${SP_APP}" from "g"`,
    );
    expect(scimStatementText({ kind: 'deleteGroup', group: 'old', groupId: '9', source: [] })).toBe('-- SCIM: delete account group "old"');
  });

  it('round-trips the SCIM read through a snapshot, sorted, and names a bad field by its path', () => {
    const live: Live = {
      platform: 'databricks',
      roles: [{ name: 'Data Engineers', isUser: false }],
      memberships: [],
      grants: [],
      futureGrants: [],
      schemas: [],
      tables: [],
      scim: {
        groups: [{ id: '2', displayName: 'Data Engineers', resourceType: 'Group', members: [{ id: 'u9', kind: 'user' }, { id: 'g1', kind: 'group', display: 'x' }] }],
        workspaceGroups: [],
        principals: [
          { id: 'u9', kind: 'user', name: 'alice@example.org' },
          { id: 'g1', kind: 'group', name: 'Data Engineers' },
        ],
        unresolved: [],
      },
    };
    const text = writeSnapshot(live);
    const back = readSnapshot(text);
    expect(back.scim?.groups[0].members).toEqual([{ id: 'g1', kind: 'group', display: 'x' }, { id: 'u9', kind: 'user' }]);
    expect(writeSnapshot(back)).toBe(text);
    const doc = JSON.parse(text);
    doc.scim.principals[1].kind = 'robot';
    expect(() => readSnapshot(JSON.stringify(doc))).toThrow(/scim\.principals\[\d\]\.kind must be one of user, servicePrincipal, group/);
  });
});
