// Snowflake's securable catalog at the seams we own: golden SQL for every kind and
// privilege with hostile names, future grants for every type at schema and database
// level (future ownership its own statement), routine names read in both SHOW formats,
// and system grants (no granted_by) that are never revoked.
import { describe, expect, it } from 'vitest';
import { compileSnowflake } from '../../src/dialects/snowflake/compile.js';
import { SNOWFLAKE_CATALOG } from '../../src/dialects/snowflake/catalog.js';
import { parseGrantsToRole, parseRoutineName, securableKind } from '../../src/dialects/snowflake/inspect.js';
import { snowflakeDialect } from '../../src/dialects/snowflake/quote.js';
import { catalogKinds, privilegeWords } from '../../src/model/catalog.js';
import { makeFutureGrant, makeGrant, makeMembership, makeObject, roleKey } from '../../src/model/keys.js';
import type { Desired, Live, ObjectRef, SecurableKind } from '../../src/model/types.js';
import { plan } from '../../src/plan/plan.js';
import { introspectScopeOf, scopeOf } from '../../src/plan/scope.js';

const H = 'x"; DROP TABLE y; --';
const QH = '"x""; DROP TABLE y; --"';

describe('golden SQL for every Snowflake kind, hostile names', () => {
  const obj = (kind: SecurableKind, sig?: string): ObjectRef =>
    kind === 'database'
      ? makeObject('database', H)
      : kind === 'schema'
        ? makeObject('schema', 'EHR', H)
        : kind === 'account'
          ? makeObject('account', '')
          : kind === 'warehouse' || kind === 'integration'
            ? makeObject(kind, '', undefined, H)
            : makeObject(kind, 'EHR', 'S', H, sig);
  const words: Record<string, string> = {
    database: `DATABASE ${QH}`,
    schema: `SCHEMA "EHR".${QH}`,
    account: 'ACCOUNT',
    warehouse: `WAREHOUSE ${QH}`,
    integration: `INTEGRATION ${QH}`,
  };
  const on = (kind: SecurableKind, sig?: string) => words[kind] ?? `${SNOWFLAKE_CATALOG.kinds[kind]!.sql} "EHR"."S".${QH}${sig ?? ''}`;
  const sigOf = (k: SecurableKind) => (k === 'function' || k === 'procedure' ? '(VARCHAR, NUMBER(38,0))' : undefined);

  it.each(catalogKinds(SNOWFLAKE_CATALOG))('%s: every privilege, granted with the option and revoked; ownership a transfer', (kind) => {
    const sig = sigOf(kind);
    const all = privilegeWords(SNOWFLAKE_CATALOG, kind);
    const plain = all.filter((p) => p !== 'ownership');
    const sql = plain.map((w) => SNOWFLAKE_CATALOG.kinds[kind]!.privileges.find((p) => p.word === w)!.sql).join(', ');
    // The account has no owner; every other kind's ownership is a transfer.
    expect(compileSnowflake({ kind: 'grant', role: 'R"1', privileges: all, object: obj(kind, sig), grantOption: true })).toEqual([
      `GRANT ${sql} ON ${on(kind, sig)} TO ROLE "R""1" WITH GRANT OPTION`,
      ...(all.includes('ownership') ? [`GRANT OWNERSHIP ON ${on(kind, sig)} TO ROLE "R""1" COPY CURRENT GRANTS`] : []),
    ]);
    expect(all.includes('ownership')).toBe(kind !== 'account');
    expect(compileSnowflake({ kind: 'revoke', role: 'R', privileges: all, object: obj(kind, sig) })).toEqual([`REVOKE ${sql} ON ${on(kind, sig)} FROM ROLE "R"`]);
  });

  // Written out, not derived from the catalog: the catalog's own words are what is under test.
  it.each([
    [makeObject('stage', 'EHR', 'RAW', 'LANDING'), ['read', 'write'], 'GRANT READ, WRITE ON STAGE "EHR"."RAW"."LANDING" TO ROLE "R"'],
    [makeObject('materialized_view', 'EHR', 'S', 'MV'), ['select'], 'GRANT SELECT ON MATERIALIZED VIEW "EHR"."S"."MV" TO ROLE "R"'],
    [makeObject('file_format', 'EHR', 'S', 'CSV'), ['usage'], 'GRANT USAGE ON FILE FORMAT "EHR"."S"."CSV" TO ROLE "R"'],
    [makeObject('task', 'EHR', 'S', 'NIGHTLY'), ['monitor', 'operate'], 'GRANT MONITOR, OPERATE ON TASK "EHR"."S"."NIGHTLY" TO ROLE "R"'],
    [makeObject('tag', 'EHR', 'S', 'PHI'), ['apply'], 'GRANT APPLY ON TAG "EHR"."S"."PHI" TO ROLE "R"'],
    [makeObject('procedure', 'EHR', 'S', 'LOAD', '()'), ['usage'], 'GRANT USAGE ON PROCEDURE "EHR"."S"."LOAD"() TO ROLE "R"'],
    [makeObject('warehouse', '', undefined, 'REPORTING_WH'), ['usage', 'operate', 'monitor'], 'GRANT USAGE, OPERATE, MONITOR ON WAREHOUSE "REPORTING_WH" TO ROLE "R"'],
    [makeObject('account', ''), ['create_database', 'execute_task', 'apply_masking_policy'], 'GRANT CREATE DATABASE, EXECUTE TASK, APPLY MASKING POLICY ON ACCOUNT TO ROLE "R"'],
    [makeObject('database', 'SNOWFLAKE'), ['imported_privileges'], 'GRANT IMPORTED PRIVILEGES ON DATABASE "SNOWFLAKE" TO ROLE "R"'],
    [makeObject('integration', '', undefined, 'S3_INT'), ['usage'], 'GRANT USAGE ON INTEGRATION "S3_INT" TO ROLE "R"'],
  ])('golden: %o', (object, privileges, want) => {
    expect(compileSnowflake({ kind: 'grant', role: 'R', privileges, object })).toEqual([want]);
  });

  it('takes the schema CREATE privileges by their keyword, v1 `create` still CREATE TABLE', () => {
    expect(compileSnowflake({ kind: 'grant', role: 'R', privileges: ['create', 'create_view', 'create_stage', 'monitor'], object: makeObject('schema', 'EHR', 'RAW') })).toEqual([
      'GRANT CREATE TABLE, CREATE VIEW, CREATE STAGE, MONITOR ON SCHEMA "EHR"."RAW" TO ROLE "R"',
    ]);
  });

  it('refuses a routine signature that is not canonical', () => {
    expect(() => compileSnowflake({ kind: 'grant', role: 'R', privileges: ['usage'], object: makeObject('function', 'EHR', 'S', 'F', '(VARCHAR); DROP TABLE X') })).toThrow(/signature/);
  });
});

describe('future grants for every type, at schema and database level', () => {
  const types = Object.values(SNOWFLAKE_CATALOG.kinds).filter((d) => d!.future?.levels.includes('schema')).map((d) => [d!.future!.type, d!.future!.sql ?? d!.future!.type.toUpperCase(), d!.privileges.find((p) => p.word !== 'ownership')!] as const);
  it('future schemas exist at database level only', () => {
    expect(compileSnowflake({ kind: 'grantFuture', role: 'R', privileges: ['usage'], schema: makeObject('database', H), objectType: 'schemas' })).toEqual([`GRANT USAGE ON FUTURE SCHEMAS IN DATABASE ${QH} TO ROLE "R"`]);
    expect(() => compileSnowflake({ kind: 'grantFuture', role: 'R', privileges: ['usage'], schema: makeObject('schema', 'EHR', 'S'), objectType: 'schemas' })).toThrow(/no future grants on schemas in a schema/);
  });
  it.each(types)('%s', (type, sql, privilege) => {
    const schema = makeObject('schema', 'EHR', H);
    const database = makeObject('database', 'EHR');
    expect(compileSnowflake({ kind: 'grantFuture', role: 'R', privileges: [privilege.word, 'ownership'], schema, objectType: type })).toEqual([
      `GRANT ${privilege.sql} ON FUTURE ${sql} IN SCHEMA "EHR".${QH} TO ROLE "R"`,
      // Future ownership is its own statement: Snowflake refuses OWNERSHIP in a list.
      `GRANT OWNERSHIP ON FUTURE ${sql} IN SCHEMA "EHR".${QH} TO ROLE "R"`,
    ]);
    expect(compileSnowflake({ kind: 'revokeFuture', role: 'R', privileges: [privilege.word], schema: database, objectType: type })).toEqual([
      `REVOKE ${privilege.sql} ON FUTURE ${sql} IN DATABASE "EHR" FROM ROLE "R"`,
    ]);
  });
});

describe('the reader', () => {
  it('maps granted_on words to the catalog kinds; table variants read as tables', () => {
    expect(['MATERIALIZED_VIEW', 'DYNAMIC_TABLE', 'FILE_FORMAT', 'STAGE', 'INTERACTIVE_TABLE', 'ICEBERG_TABLE', 'WAREHOUSE', 'ACCOUNT', 'INTEGRATION', 'COMPUTE_POOL'].map(securableKind)).toEqual([
      'materialized_view',
      'dynamic_table',
      'file_format',
      'stage',
      'table',
      'table',
      'warehouse',
      'account',
      'integration',
      undefined,
    ]);
  });

  it('reads routine names in the current and in the older quoted format, to the canonical signature', () => {
    expect(parseRoutineName('EHR.UTIL.ZIP3(VARCHAR, NUMBER(38,0))')).toEqual({ parts: ['EHR', 'UTIL', 'ZIP3'], signature: '(VARCHAR, NUMBER(38,0))' });
    expect(parseRoutineName('EHR.UTIL."Zip3"(VARCHAR)')).toEqual({ parts: ['EHR', 'UTIL', 'Zip3'], signature: '(VARCHAR)' });
    expect(parseRoutineName('EHR.UTIL."ZIP3(ZIP VARCHAR, N NUMBER(38,0)):VARCHAR(16777216)"')).toEqual({ parts: ['EHR', 'UTIL', 'ZIP3'], signature: '(VARCHAR, NUMBER(38,0))' });
    expect(parseRoutineName('EHR.UTIL."NOW():TIMESTAMP_LTZ(9)"')).toEqual({ parts: ['EHR', 'UTIL', 'NOW'], signature: '()' });
  });

  it('keys a function grant the way the configuration names it', () => {
    const r = parseGrantsToRole('A', [{ privilege: 'USAGE', granted_on: 'FUNCTION', name: 'EHR.UTIL."ZIP3(ZIP VARCHAR):VARCHAR(3)"', granted_to: 'ROLE', grantee_name: 'A', grant_option: 'false', granted_by: 'SYSADMIN' }]);
    // The configuration's `function: "ehr.util.zip3(varchar)"` canonicalizes to the same signature.
    expect(snowflakeDialect.canonicalSignature(['varchar'])).toBe('(VARCHAR)');
    expect(r.grants.map((g) => g.key)).toEqual(['grant:usage:function:EHR.UTIL.ZIP3(VARCHAR):role:A']);
  });
});

describe('system grants', () => {
  it('are never revoked, grants and memberships alike', () => {
    const schema = makeObject('schema', 'EHR', 'S');
    const handMade = makeGrant({ role: 'A', privilege: 'usage', object: schema, grantedBy: 'SYSADMIN' });
    const system = makeGrant({ role: 'A', privilege: 'monitor', object: schema });
    const sysMember = makeMembership({ role: 'USERADMIN', member: 'A', memberKind: 'role' });
    const desired: Desired = { platform: 'snowflake', roles: [{ key: roleKey('A'), name: 'A', state: 'present' }], users: [], memberships: [], grants: [], schemaWide: [], futureGrants: [] };
    const live: Live = {
      platform: 'snowflake',
      roles: [{ name: 'A', isUser: false }],
      memberships: [sysMember],
      grants: [handMade, system],
      futureGrants: [],
      schemas: [schema],
      tables: [],
      systemGrants: [system.key, sysMember.key],
    };
    const p = plan(desired, live, { mode: 'authoritative', target: 't', scope: scopeOf(desired) });
    expect(p.changes.map((c) => (c.kind === 'revoke' ? `${c.kind} ${c.privileges.join(',')}` : c.kind))).toEqual(['revoke usage']);
  });
});

describe('objects: on a Snowflake database', () => {
  it('grants on every table and view of every schema, plus database-level future grants for both types', () => {
    const desired: Desired = {
      platform: 'snowflake',
      roles: [{ key: roleKey('R'), name: 'R', state: 'present' }],
      users: [],
      memberships: [],
      grants: [],
      schemaWide: [{ role: 'R', privilege: 'select', schema: makeObject('database', 'EHR'), kinds: ['table', 'view'], future: true }],
      futureGrants: [],
    };
    const objects = [makeObject('schema', 'EHR', 'A'), makeObject('table', 'EHR', 'A', 'T'), makeObject('view', 'EHR', 'B', 'V'), makeObject('stage', 'EHR', 'B', 'S')];
    const live: Live = { platform: 'snowflake', roles: [{ name: 'R', isUser: false }], memberships: [], grants: [], futureGrants: [], schemas: [], tables: [], objects };
    const p = plan(desired, live, { mode: 'authoritative', target: 't', scope: scopeOf(desired) });
    expect(p.problems).toEqual([]);
    expect(p.changes.flatMap((c) => compileSnowflake(c))).toEqual([
      'GRANT SELECT ON TABLE "EHR"."A"."T" TO ROLE "R"',
      'GRANT SELECT ON VIEW "EHR"."B"."V" TO ROLE "R"',
      'GRANT SELECT ON FUTURE TABLES IN DATABASE "EHR" TO ROLE "R"',
      'GRANT SELECT ON FUTURE VIEWS IN DATABASE "EHR" TO ROLE "R"',
    ]);
  });
});

describe("Snowflake's future-grant precedence", () => {
  const base = (schemaWide: Desired['schemaWide']): Desired => ({
    platform: 'snowflake',
    roles: [{ key: roleKey('R'), name: 'R', state: 'present' }, { key: roleKey('L'), name: 'L', state: 'present' }],
    users: [],
    memberships: [],
    grants: [],
    schemaWide,
    futureGrants: [],
  });
  const db = makeObject('database', 'EHR');
  const raw = makeObject('schema', 'EHR', 'RAW');
  const live = (futureGrants: Live['futureGrants']): Live => ({ platform: 'snowflake', roles: [{ name: 'R', isUser: false }, { name: 'L', isUser: false }], memberships: [], grants: [], futureGrants, schemas: [], tables: [], objects: [] });
  const futures = (p: ReturnType<typeof plan>) => p.changes.flatMap((c) => compileSnowflake(c)).filter((s) => s.includes('FUTURE'));

  it('repeats a database-level future grant in a schema whose own future grants for that type hide it', () => {
    const d = base([
      { role: 'R', privilege: 'select', schema: db, kinds: ['table'], future: true },
      { role: 'L', privilege: 'insert', schema: raw, kinds: ['table'], future: true },
    ]);
    const p = plan(d, live([]), { mode: 'authoritative', target: 't', scope: scopeOf(d) });
    expect(futures(p)).toEqual([
      'GRANT INSERT ON FUTURE TABLES IN SCHEMA "EHR"."RAW" TO ROLE "L"',
      'GRANT SELECT ON FUTURE TABLES IN DATABASE "EHR" TO ROLE "R"',
      'GRANT SELECT ON FUTURE TABLES IN SCHEMA "EHR"."RAW" TO ROLE "R"',
    ]);
  });

  it("counts an unmanaged role's schema-level future grant, and only for its type", () => {
    const d = base([{ role: 'R', privilege: 'select', schema: db, kinds: ['table', 'view'], future: true }]);
    const theirs = [makeFutureGrant({ role: 'OTHER', privilege: 'select', schema: raw, objectType: 'views' })];
    const p = plan(d, live(theirs), { mode: 'authoritative', target: 't', scope: scopeOf(d) });
    expect(futures(p)).toEqual([
      'GRANT SELECT ON FUTURE TABLES IN DATABASE "EHR" TO ROLE "R"',
      'GRANT SELECT ON FUTURE VIEWS IN DATABASE "EHR" TO ROLE "R"',
      'GRANT SELECT ON FUTURE VIEWS IN SCHEMA "EHR"."RAW" TO ROLE "R"',
    ]);
  });
});

describe('grants outside the catalog', () => {
  it('are reported once per kind in the plan, and never revoked', () => {
    const desired: Desired = { platform: 'snowflake', roles: [{ key: roleKey('A'), name: 'A', state: 'present' }], users: [], memberships: [], grants: [], schemaWide: [], futureGrants: [] };
    const live: Live = {
      platform: 'snowflake',
      roles: [{ name: 'A', isUser: false }],
      memberships: [],
      grants: [],
      futureGrants: [],
      schemas: [],
      tables: [],
      unmanagedGrants: [{ on: 'WAREHOUSE', privileges: ['MONITOR', 'USAGE'], count: 3 }],
    };
    const p = plan(desired, live, { mode: 'authoritative', target: 't', scope: scopeOf(desired) });
    expect(p.changes).toEqual([]);
    expect(p.problems.map((x) => `${x.severity}: ${x.message}`)).toEqual([
      'warning: 3 grants of MONITOR, USAGE on WAREHOUSE to managed roles are outside what rbac manages on snowflake: left alone, never revoked',
    ]);
  });
});

describe('IMPORTED PRIVILEGES on a shared database', () => {
  const shared = makeObject('database', 'SNOWFLAKE');
  const desired = (privilege: string): Desired => ({
    platform: 'snowflake',
    roles: [{ key: roleKey('A'), name: 'A', state: 'present' }],
    users: [],
    memberships: [],
    grants: [makeGrant({ role: 'A', privilege, object: shared })],
    schemaWide: [],
    futureGrants: [],
  });
  const live = (privilege: string): Live => ({
    platform: 'snowflake',
    roles: [{ name: 'A', isUser: false }],
    memberships: [],
    grants: [makeGrant({ role: 'A', privilege, object: shared, grantedBy: 'ACCOUNTADMIN' })],
    futureGrants: [],
    schemas: [],
    tables: [],
  });
  const run = (want: string, have: string) => {
    const d = desired(want);
    return plan(d, live(have), { mode: 'authoritative', target: 't', scope: scopeOf(d) }).changes.flatMap((c) => compileSnowflake(c));
  };

  it.each([
    ['usage', 'usage'],
    ['usage', 'imported_privileges'],
    ['imported_privileges', 'usage'],
    ['imported_privileges', 'imported_privileges'],
  ])('configured as %s, listed as %s: converged', (want, have) => {
    expect(run(want, have)).toEqual([]);
  });

  it('is revoked as itself when the configuration no longer asks for it', () => {
    const d: Desired = { ...desired('usage'), grants: [] };
    const p = plan(d, live('imported_privileges'), { mode: 'authoritative', target: 't', scope: scopeOf(d) });
    expect(p.changes.flatMap((c) => compileSnowflake(c))).toEqual(['REVOKE IMPORTED PRIVILEGES ON DATABASE "SNOWFLAKE" FROM ROLE "A"']);
  });
});

describe('account-level objects', () => {
  it('plan against the account and warehouses without reading any database for them', () => {
    const d: Desired = {
      platform: 'snowflake',
      roles: [{ key: roleKey('A'), name: 'A', state: 'present' }],
      users: [],
      memberships: [],
      grants: [makeGrant({ role: 'A', privilege: 'usage', object: makeObject('warehouse', '', undefined, 'WH') }), makeGrant({ role: 'A', privilege: 'create_database', object: makeObject('account', '') })],
      schemaWide: [],
      futureGrants: [],
    };
    const scope = introspectScopeOf(d);
    expect(scope.databases).toEqual([]);
    expect(scope.schemas).toEqual([]);
    // A hand-made MODIFY on the warehouse is drift: revoked; PUBLIC's USAGE on another warehouse is not in scope.
    const live: Live = {
      platform: 'snowflake',
      roles: [{ name: 'A', isUser: false }],
      memberships: [],
      grants: [
        makeGrant({ role: 'A', privilege: 'modify', object: makeObject('warehouse', '', undefined, 'WH'), grantedBy: 'SYSADMIN' }),
        makeGrant({ role: 'PUBLIC', privilege: 'usage', object: makeObject('warehouse', '', undefined, 'OTHER'), grantedBy: 'SYSADMIN' }),
      ],
      futureGrants: [],
      schemas: [],
      tables: [],
    };
    const p = plan(d, live, { mode: 'authoritative', target: 't', scope: scopeOf(d) });
    expect(p.changes.flatMap((c) => compileSnowflake(c))).toEqual([
      'REVOKE MODIFY ON WAREHOUSE "WH" FROM ROLE "A"',
      'GRANT CREATE DATABASE ON ACCOUNT TO ROLE "A"',
      'GRANT USAGE ON WAREHOUSE "WH" TO ROLE "A"',
    ]);
  });
});

describe('users and roles are separate namespaces', () => {
  it('creates the role ALICE although a user ALICE exists, and keeps her user and role memberships apart', () => {
    const d: Desired = {
      platform: 'snowflake',
      roles: [
        { key: roleKey('ALICE'), name: 'ALICE', state: 'present' },
        { key: roleKey('ANALYST'), name: 'ANALYST', state: 'present' },
      ],
      users: ['ALICE'],
      memberships: [
        makeMembership({ role: 'ANALYST', member: 'ALICE', memberKind: 'user' }),
        makeMembership({ role: 'ANALYST', member: 'ALICE', memberKind: 'role' }),
      ],
      grants: [],
      schemaWide: [],
      futureGrants: [],
    };
    const live: Live = {
      platform: 'snowflake',
      roles: [{ name: 'ANALYST', isUser: false }, { name: 'ALICE', isUser: true }],
      memberships: [makeMembership({ role: 'ANALYST', member: 'ALICE', memberKind: 'user', grantedBy: 'SECURITYADMIN' })],
      grants: [],
      futureGrants: [],
      schemas: [],
      tables: [],
    };
    const p = plan(d, live, { mode: 'authoritative', target: 't', scope: scopeOf(d) });
    expect(p.problems).toEqual([]);
    expect(p.changes.flatMap((c) => compileSnowflake(c))).toEqual(['CREATE ROLE IF NOT EXISTS "ALICE"', 'GRANT ROLE "ANALYST" TO ROLE "ALICE"']);
    // Converged: both memberships live, nothing to do.
    const after: Live = { ...live, roles: [...live.roles, { name: 'ALICE', isUser: false }], memberships: [...live.memberships, makeMembership({ role: 'ANALYST', member: 'ALICE', memberKind: 'role', grantedBy: 'SECURITYADMIN' })] };
    expect(plan(d, after, { mode: 'authoritative', target: 't', scope: scopeOf(d) }).changes).toEqual([]);
  });
});

describe('database roles: golden SQL, hostile names', () => {
  const R = `EHR.${H}`; // the model name of a database role: <database>.<name>
  const DR = `DATABASE ROLE "EHR".${QH}`;
  it.each([
    [{ kind: 'createRole', role: R, description: 'PHI' }, `CREATE DATABASE ROLE IF NOT EXISTS "EHR".${QH} COMMENT = 'rbac:{"description":"PHI"}'`],
    [{ kind: 'alterRole', role: R, from: {}, to: {} }, `ALTER ${DR} UNSET COMMENT`],
    [{ kind: 'dropRole', role: R }, `DROP DATABASE ROLE IF EXISTS "EHR".${QH}`],
    [{ kind: 'grantMembership', role: R, member: 'A"N', memberKind: 'role' }, `GRANT ${DR} TO ROLE "A""N"`],
    [{ kind: 'grantMembership', role: R, member: 'EHR.W', memberKind: 'role' }, `GRANT ${DR} TO DATABASE ROLE "EHR"."W"`],
    [{ kind: 'revokeMembership', role: R, member: 'A', memberKind: 'role' }, `REVOKE ${DR} FROM ROLE "A"`],
    [{ kind: 'grant', role: R, privileges: ['select'], object: makeObject('table', 'EHR', 'C', 'P') }, `GRANT SELECT ON TABLE "EHR"."C"."P" TO ${DR}`],
    [{ kind: 'revoke', role: R, privileges: ['select'], object: makeObject('table', 'EHR', 'C', 'P') }, `REVOKE SELECT ON TABLE "EHR"."C"."P" FROM ${DR}`],
    [{ kind: 'grantFuture', role: R, privileges: ['select'], schema: makeObject('schema', 'EHR', 'C'), objectType: 'tables' }, `GRANT SELECT ON FUTURE TABLES IN SCHEMA "EHR"."C" TO ${DR}`],
  ] as const)('%o', (change, want) => {
    expect(compileSnowflake(change as never)).toEqual([want]);
  });
});
