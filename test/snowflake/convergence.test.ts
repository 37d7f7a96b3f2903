/**
 * Convergence properties on SnowflakeGrantModel (a test double, grant-model.ts): plan ->
 * compile -> apply to the double -> read back through the real SnowflakeAdapter -> plan
 * again: nothing left to do, and nothing outside the managed scope touched.
 *
 * - The first property: roles, memberships, grants on tables and schemas, masking and row
 *   access policies.
 * - The second: every kind of the Snowflake catalog (the account, warehouses, routines with
 *   signatures, ownership transfers, grant options), database roles granted to account roles
 *   and to each other, a role named like a user, `objects:` on schemas and on databases for
 *   every future type; then new objects are created in the double, which applies future
 *   grants by Snowflake's precedence rule, and each must get what the configuration says
 *   (what proves that the planner's repeated database-level future grants take effect).
 * - Known defects in src/ are `it.fails` tests at the end; the properties steer clear of
 *   them, each place saying so.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SnowflakeAdapter } from '../../src/dialects/snowflake/adapter.js';
import { SNOWFLAKE_CATALOG } from '../../src/dialects/snowflake/catalog.js';
import { encodeRoleComment } from '../../src/dialects/snowflake/quote.js';
import { planHooks } from '../../src/dialects/registry.js';
import { catalogKinds, matchesOf, privilegeDef, privilegeSql, privilegeWords } from '../../src/model/catalog.js';
import { makeGrant, makeMembership, makeObject, objectKey, roleKey } from '../../src/model/keys.js';
import { KIND_SHAPES, SIGNATURE_KINDS, isAccountLevel } from '../../src/model/kinds.js';
import type { Desired, GrantRecord, MaskFunction, MaskingPolicyRecord, ObjectRef, Privilege, RowAccessPolicyRecord, SchemaWideGrant, SecurableKind } from '../../src/model/types.js';
import { maskingPolicyKey, rowAccessPolicyKey } from '../../src/model/keys.js';
import { plan } from '../../src/plan/plan.js';
import { introspectScopeOf, scopeOf, scopeSchemas } from '../../src/plan/scope.js';
import { SnowflakeGrantModel, accountRole, databaseRole, type Principal, type SfObject } from './grant-model.js';

const ROLES = ['CLINICAL_ANALYST', 'a"b', 'Foo'];
const UNMANAGED = 'SYSADMIN';
const TABLES: ObjectRef[] = [
  { kind: 'table', database: 'EHR', schema: 'CLINICAL', name: 'PATIENTS' },
  { kind: 'view', database: 'EHR', schema: 'CLINICAL', name: 'Mixed' },
  { kind: 'table', database: 'EHR', schema: 'x; drop table y; --', name: 'select' },
];
const OBJECTS: ObjectRef[] = [{ kind: 'database', database: 'EHR' }, { kind: 'schema', database: 'EHR', schema: 'CLINICAL' }, ...TABLES];
const PRIVS: Partial<Record<ObjectRef['kind'], Privilege[]>> = { database: ['usage', 'create'], schema: ['usage', 'create'], table: ['select', 'insert', 'delete'], view: ['select'] };
const WORD: Record<string, string> = { usage: 'USAGE', select: 'SELECT', insert: 'INSERT', delete: 'DELETE' };
const word = (o: ObjectRef, p: Privilege) => (p === 'create' ? (o.kind === 'database' ? 'CREATE SCHEMA' : 'CREATE TABLE') : WORD[p]);
const onWord = (o: ObjectRef) => (o.kind === 'database' ? 'DATABASE' : o.kind === 'schema' ? 'SCHEMA' : o.kind === 'view' ? 'VIEW' : 'TABLE');
/** A name quoted for SQL, and a string literal: for seeding the double with the statements Snowflake takes. */
const id = (s: string) => `"${s.replace(/"/g, '""')}"`;
const lit = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
const nameOf = (o: ObjectRef) => [o.database, ...(o.schema ? [o.schema] : []), ...(o.name ? [o.name] : [])];

const grantArb = fc.record({ role: fc.constantFrom(...ROLES), o: fc.integer({ min: 0, max: OBJECTS.length - 1 }), p: fc.integer({ min: 0, max: 2 }) })
  .map(({ role, o, p }) => { const object = OBJECTS[o]; const ps = PRIVS[object.kind]!; return { role, object, privilege: ps[p % ps.length] }; });

const scenario = fc.record({
  desiredRoles: fc.subarray(ROLES, { minLength: 1 }),
  description: fc.option(fc.constantFrom("PHI analyst; it's audited", 'x'), { nil: undefined }),
  desiredGrants: fc.array(grantArb, { maxLength: 6 }),
  schemaWide: fc.boolean(),
  members: fc.subarray(['ALICE', 'bob@example.org']),
  liveRoles: fc.subarray(ROLES),
  liveGrants: fc.array(grantArb, { maxLength: 6 }),
  liveMembers: fc.subarray(['ALICE', 'bob@example.org']),
  liveFuture: fc.boolean(),
  masking: fc.array(fc.record({ name: fc.constantFrom('MASK_IDS', 'a"b', 'Été'), mask: fc.constantFrom<MaskFunction>('hash', 'redact', 'year', 'null'), cols: fc.subarray(['MRN', 'SSN', 'BIRTH_DATE', 'select']), unmasked: fc.subarray(ROLES) }), { maxLength: 2 }),
  liveMasking: fc.array(fc.record({ name: fc.constantFrom('MASK_IDS', 'a"b', 'OLD'), mask: fc.constantFrom<MaskFunction>('hash', 'last4', 'null'), cols: fc.subarray(['MRN', 'SSN']), unmasked: fc.subarray(ROLES) }), { maxLength: 2 }),
  rowPolicy: fc.option(fc.record({ roles: fc.subarray(ROLES), where: fc.constantFrom('FACILITY_ID = 7', '"select" = \'x\'', 'TRUE') }), { nil: undefined }),
  liveRowPolicy: fc.option(fc.constantFrom('FACILITY_ID = 1', 'TRUE'), { nil: undefined }),
});

const PATIENTS = TABLES[0];
const COLUMNS: [string, string][] = [['MRN', 'TEXT'], ['SSN', 'TEXT'], ['BIRTH_DATE', 'DATE'], ['select', 'TEXT'], ['FACILITY_ID', 'NUMBER']];
const SCHEMA: ObjectRef = { kind: 'schema', database: 'EHR', schema: 'CLINICAL' };
const isDate = (c: string) => c === 'BIRTH_DATE';

/** Desired masking policies from the scenario: one type per policy (the compiler refuses mixes). */
function maskingFrom(ps: { name: string; mask: MaskFunction; cols: string[]; unmasked: string[] }[]): MaskingPolicyRecord[] {
  const out = new Map<string, MaskingPolicyRecord>();
  const used = new Set<string>();
  for (const p of ps) {
    if (out.has(p.name)) continue;
    const cols = p.cols.filter((c) => !used.has(c) && (p.mask === 'year' ? isDate(c) : p.mask === 'null' || !isDate(c)));
    const typed = cols.filter((c) => isDate(c) === isDate(cols[0] ?? ''));
    typed.forEach((c) => used.add(c));
    out.set(p.name, { key: maskingPolicyKey(p.name), name: p.name, schema: SCHEMA, mask: p.mask, unmaskedFor: [...p.unmasked].sort(), columns: typed.sort().map((column) => ({ table: PATIENTS, column })) });
  }
  return [...out.values()];
}

describe('snowflake convergence (SnowflakeGrantModel, a test double)', () => {
  it('apply(plan) then plan again is empty; unmanaged grants are untouched', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const model = new SnowflakeGrantModel();
        for (const u of ['ALICE', 'bob@example.org']) model.addUser(u);
        model.addDatabase('EHR');
        for (const schema of ['CLINICAL', 'x; drop table y; --']) model.addSchema('EHR', schema);
        for (const t of TABLES) model.addObject({ kind: t.kind === 'view' ? 'VIEW' : 'TABLE', database: t.database, schema: t.schema, name: t.name });
        model.addAccountObject('WAREHOUSE', 'WH');
        model.exec('GRANT SELECT ON TABLE "EHR"."CLINICAL"."PATIENTS" TO ROLE "SYSADMIN"');
        for (const r of s.liveRoles) model.exec(`CREATE ROLE IF NOT EXISTS ${id(r)} COMMENT = ${lit(encodeRoleComment({ description: 'old' })!)}`);
        for (const g of s.liveGrants) if (s.liveRoles.includes(g.role)) model.exec(`GRANT ${word(g.object, g.privilege)} ON ${onWord(g.object)} ${nameOf(g.object).map(id).join('.')} TO ROLE ${id(g.role)}`);
        for (const r of s.liveRoles) for (const m of s.liveMembers) model.exec(`GRANT ROLE ${id(r)} TO USER ${id(m)}`);
        if (s.liveFuture && s.liveRoles.length) model.exec(`GRANT INSERT ON FUTURE TABLES IN SCHEMA "EHR"."CLINICAL" TO ROLE ${id(s.liveRoles[0])}`);
        // A grant the platform made itself (granted_by empty) on every live role: read, never revoked.
        for (const r of s.liveRoles) model.exec(`GRANT MONITOR ON WAREHOUSE "WH" TO ROLE ${id(r)}`, '');
        model.columns.set(JSON.stringify(['EHR', 'CLINICAL', 'PATIENTS']), COLUMNS);
        // Live policies the tool made earlier, applied through the compiler itself.
        const seed = new SnowflakeAdapter({ query: model.query, close: async () => undefined });
        await seed.introspect({ roles: [], users: [], databases: ['EHR'], schemas: [{ database: 'EHR', schema: 'CLINICAL' }], includePublic: false });
        const liveMasking = maskingFrom(s.liveMasking);
        const liveRow: RowAccessPolicyRecord[] = s.liveRowPolicy ? [{ key: rowAccessPolicyKey('ROWS'), name: 'ROWS', schema: SCHEMA, table: PATIENTS, rules: [{ roles: [ROLES[0]], where: s.liveRowPolicy }] }] : [];
        const seeded = await seed.apply(seed.compile(plan({ platform: 'snowflake', roles: [], users: [], memberships: [], grants: [], schemaWide: [], futureGrants: [], maskingPolicies: liveMasking, rowAccessPolicies: liveRow }, { platform: 'snowflake', roles: [], memberships: [], grants: [], futureGrants: [], schemas: [], tables: [] }, { mode: 'authoritative', target: 'seed', scope: scopeOf({ platform: 'snowflake', roles: [], users: [], memberships: [], grants: [], schemaWide: [], futureGrants: [] }) })));
        expect(seeded.ok, seeded.failed?.error).toBe(true);
        // A policy another tool made is never touched.
        model.policies.set(JSON.stringify(['MASKING_POLICY', 'EHR', 'CLINICAL', 'THEIRS']), 'made by hand');
        // Everything an unmanaged role holds (live roles the configuration does not name included).
        const unmanaged = [UNMANAGED, ...s.liveRoles.filter((r) => !s.desiredRoles.includes(r))].map(accountRole);
        const unmanagedBefore = unmanaged.map((r) => model.heldBy(r, { ownership: true }));

        const desired: Desired = {
          platform: 'snowflake',
          roles: s.desiredRoles.map((name) => ({ key: roleKey(name), name, state: 'present', description: s.description })),
          users: s.members,
          memberships: s.members.map((m) => makeMembership({ role: s.desiredRoles[0], member: m, memberKind: 'user' })),
          grants: s.desiredGrants.filter((g) => s.desiredRoles.includes(g.role)).map((g) => makeGrant(g)),
          schemaWide: s.schemaWide ? [{ role: s.desiredRoles[0], privilege: 'select', schema: { kind: 'schema', database: 'EHR', schema: 'CLINICAL' }, kinds: ['table'], future: true }] : [],
          futureGrants: [],
          maskingPolicies: maskingFrom(s.masking),
          rowAccessPolicies: s.rowPolicy ? [{ key: rowAccessPolicyKey('ROWS'), name: 'ROWS', schema: SCHEMA, table: PATIENTS, rules: [{ roles: [...s.rowPolicy.roles].sort(), where: s.rowPolicy.where }] }] : [],
        };
        // The scope always includes every schema the test touches, so live tables are listed.
        const scope = scopeOf(desired);
        const introScope = { roles: [...scope.roles], users: desired.users, databases: ['EHR'], schemas: [{ database: 'EHR', schema: 'CLINICAL' }, { database: 'EHR', schema: 'x; drop table y; --' }, ...scopeSchemas(desired)], includePublic: false };
        const adapter = new SnowflakeAdapter({ query: model.query, close: async () => undefined }, { parallelism: 3 });
        const options = { mode: 'authoritative' as const, target: 'model', scope };
        const first = plan(desired, await adapter.introspect(introScope), options);
        const result = await adapter.apply(adapter.compile(first));
        expect(result.ok, result.failed?.error).toBe(true);
        const second = plan(desired, await adapter.introspect(introScope), options);
        expect(second.changes).toEqual([]);
        expect(unmanaged.map((r) => model.heldBy(r, { ownership: true }))).toEqual(unmanagedBefore);
        expect(unmanaged.every((r) => model.hasRole(r))).toBe(true);
        for (const r of s.liveRoles) expect(model.grantOf(accountRole(r), 'MONITOR', { kind: 'WAREHOUSE', name: 'WH' })).toBeDefined();
        expect(model.policies.get(JSON.stringify(['MASKING_POLICY', 'EHR', 'CLINICAL', 'THEIRS']))).toBe('made by hand');
        expect(model.policies.size - 1).toBe((desired.maskingPolicies ?? []).length + (desired.rowAccessPolicies ?? []).length);
      }),
      { numRuns: 40, seed: 42 },
    );
  });

  it('a managed role that owns an object keeps it: the revoke of ownership compiles to no statement', async () => {
    const model = new SnowflakeGrantModel();
    model.exec('CREATE ROLE IF NOT EXISTS "R"');
    model.addDatabase('EHR');
    model.addSchema('EHR', 'C');
    model.addObject({ kind: 'TABLE', database: 'EHR', schema: 'C', name: 'T' }, 'R');
    const adapter = new SnowflakeAdapter({ query: model.query, close: async () => undefined });
    const desired: Desired = { platform: 'snowflake', roles: [{ key: roleKey('R'), name: 'R', state: 'present' }], users: [], memberships: [], grants: [], schemaWide: [], futureGrants: [] };
    const p = plan(desired, await adapter.introspect({ roles: ['R'], users: [], databases: [], schemas: [], includePublic: false }), { mode: 'authoritative', target: 'm', scope: scopeOf(desired) });
    expect(p.changes.map((c) => c.kind)).toEqual(['revoke']);
    expect(adapter.compile(p)).toEqual([]);
  });
});

// --- Every kind, database roles, futures at both levels ----------------------------------
//
// The account: EHR (five schemas, hostile names), `lab db`, the shared SNOWFLAKE database,
// warehouses, an integration; an object of every catalog kind; SYSADMIN owns everything.
// Roles: account roles (one named like a user), database roles of two databases, and
// the unmanaged ETL_LOADER and EHR.THEIRS. The configuration asks for grants on every
// kind, role grants between account and database roles, `objects:` on schemas and on
// databases for every future type, and ownership for one role (Foo).

const EHR = 'EHR';
const LAB = 'lab db';
const SHARED = 'SNOWFLAKE';
const ALL_SCHEMAS: [string, string][] = [[EHR, 'CLINICAL'], [EHR, 'RAW'], [EHR, 'x; drop table y; --'], [EHR, 'Mixed.Case'], [LAB, 'S 1']];
const inSchema = (kind: SecurableKind, [database, schema]: [string, string], name: string, signature?: string) => makeObject(kind, database, schema, name, signature);
const [CLIN, RAW, HOSTILE, MIXED, LABS] = ALL_SCHEMAS;
/** Existing objects in schemas: one of every kind (routines overloaded), relations in every schema. */
const EXISTING: ObjectRef[] = [
  inSchema('table', CLIN, 'PATIENTS'), inSchema('view', CLIN, 'Mixed'), inSchema('materialized_view', CLIN, 'MV'), inSchema('sequence', CLIN, 'SEQ'),
  inSchema('function', CLIN, 'ZIP3', '(VARCHAR, NUMBER(38,0))'), inSchema('function', CLIN, 'ZIP3', '(VARCHAR)'), inSchema('tag', CLIN, 'PHI'),
  inSchema('table', RAW, 'a"b'), inSchema('dynamic_table', RAW, 'DT'), inSchema('external_table', RAW, 'EXT'), inSchema('stage', RAW, 'Landing zone'),
  inSchema('file_format', RAW, 'CSV'), inSchema('procedure', RAW, 'Load "it"', '()'), inSchema('stream', RAW, 'CHANGES'), inSchema('task', RAW, 'NIGHTLY'), inSchema('pipe', RAW, 'INGEST'),
  inSchema('table', HOSTILE, 'select'), inSchema('view', MIXED, 'v.w x'), inSchema('table', LABS, 'T'),
];
const OUTSIDE: ObjectRef[] = [
  makeObject('database', EHR), makeObject('database', LAB), makeObject('database', SHARED),
  ...ALL_SCHEMAS.map(([d, s]) => makeObject('schema', d, s)),
  makeObject('account', ''), makeObject('warehouse', '', undefined, 'REPORTING_WH'), makeObject('warehouse', '', undefined, 'etl wh'), makeObject('integration', '', undefined, 'S3_INT'),
];
const GRANTABLE = [...OUTSIDE, ...EXISTING];
const ACCOUNT_ROLES = ['CLINICAL_ANALYST', 'a"b', 'Foo', 'ALICE'];
const DB_ROLES = ['EHR.PHI_READER', 'EHR.phi "writer"', 'lab db.LAB_READER'];
const ALL_ROLES = [...ACCOUNT_ROLES, ...DB_ROLES];
const OWNER = 'Foo';
const USERS = ['ALICE', 'bob@example.org'];
const OTHERS = ['ETL_LOADER', 'EHR.THEIRS'];
const CONTAINERS: ObjectRef[] = [makeObject('database', EHR), makeObject('database', LAB), ...ALL_SCHEMAS.map(([d, s]) => makeObject('schema', d, s))];
const FUTURE_KINDS = catalogKinds(SNOWFLAKE_CATALOG).filter((k) => SNOWFLAKE_CATALOG.kinds[k]!.future);
/** The containers where every one of `kinds` has future grants (schemas: in a database only). */
const containersFor = (kinds: SecurableKind[]) => CONTAINERS.filter((x) => kinds.every((k) => SNOWFLAKE_CATALOG.kinds[k]!.future!.levels.includes(x.kind as 'schema' | 'database')));
/**
 * The `objects:` kinds whose existing objects the reader lists (INFORMATION_SCHEMA.TABLES and
 * the per-kind listings, in the schemas of the introspect scope): every kind of a schema.
 */
const LISTED_KINDS: ReadonlySet<SecurableKind> = new Set([
  'schema', 'table', 'view', 'materialized_view', 'dynamic_table', 'external_table',
  // Listed per kind and database (inspect.ts LISTINGS) for the kinds objects: reaches.
  'stage', 'file_format', 'sequence', 'function', 'procedure', 'pipe', 'stream', 'task', 'tag',
]);

/** A model role name (`D.R` for a database role) as the double's principal and as SQL. */
const dbOf = (role: string) => (role.includes('.') ? role.slice(0, role.indexOf('.')) : undefined);
const principalOf = (role: string) => (dbOf(role) !== undefined ? databaseRole(dbOf(role)!, role.slice(role.indexOf('.') + 1)) : accountRole(role));
const roleSqlOf = (role: string) => (dbOf(role) !== undefined ? `DATABASE ROLE ${id(dbOf(role)!)}.${id(role.slice(role.indexOf('.') + 1))}` : `ROLE ${id(role)}`);
/** The double's object for an ObjectRef, and the SQL that names it (written here, not by the compiler under test). */
const sfKind = (k: SecurableKind) => k.toUpperCase().replace(/_/g, ' ');
const argsOf = (signature: string) => signature.slice(1, -1).split(/, (?![^(]*\))/).filter(Boolean);
function sfObject(o: ObjectRef): SfObject {
  if (o.kind === 'account') return { kind: 'ACCOUNT' };
  if (isAccountLevel(o.kind)) return { kind: sfKind(o.kind), name: o.name };
  return { kind: sfKind(o.kind), database: o.database, ...(o.schema !== undefined ? { schema: o.schema } : {}), ...(o.name !== undefined ? { name: o.name } : {}), ...(o.signature !== undefined ? { args: argsOf(o.signature) } : {}) };
}
function objectSql(o: ObjectRef): string {
  if (o.kind === 'account') return 'ACCOUNT';
  const parts = isAccountLevel(o.kind) ? [o.name!] : [o.database, o.schema, o.name].filter((x): x is string => x !== undefined);
  return `${sfKind(o.kind)} ${parts.map(id).join('.')}${o.signature ?? ''}`;
}
/** Whether a role may hold privileges on an object (a database role: inside its database only). */
const mayHold = (role: string, o: ObjectRef) => dbOf(role) === undefined || (!isAccountLevel(o.kind) && o.database === dbOf(role));
const wordsOn = (o: ObjectRef) => privilegeWords(SNOWFLAKE_CATALOG, o.kind).filter((p) => (o.database === SHARED ? p === 'imported_privileges' : p !== 'imported_privileges'));

/** `member` holds `role`: every edge Snowflake takes, none making a cycle (an order on each kind of role). */
const EDGES: { role: string; member: string }[] = [
  ...ACCOUNT_ROLES.flatMap((role, i) => ACCOUNT_ROLES.slice(i + 1).map((member) => ({ role, member }))),
  ...DB_ROLES.flatMap((role) => ACCOUNT_ROLES.map((member) => ({ role, member }))),
  ...DB_ROLES.flatMap((role, i) => DB_ROLES.slice(i + 1).filter((m) => dbOf(m) === dbOf(role)).map((member) => ({ role, member }))),
];

/**
 * Live only: role grants between managed and unmanaged roles, in scope and so revoked (a managed
 * role granted to an unmanaged one is seen only through SHOW GRANTS OF). No cycle: the order
 * CLINICAL_ANALYST, a"b, ETL_LOADER, Foo, ALICE holds.
 */
const EDGES_WITH_OTHERS: { role: string; member: string }[] = [
  ...['CLINICAL_ANALYST', 'a"b'].map((role) => ({ role, member: 'ETL_LOADER' })),
  ...['Foo', 'ALICE'].map((member) => ({ role: 'ETL_LOADER', member })),
  ...DB_ROLES.filter((r) => dbOf(r) === EHR).flatMap((role) => [{ role, member: 'EHR.THEIRS' }, { role, member: 'ETL_LOADER' }]),
];

const objectGrantArb = fc.record({ role: fc.constantFrom(...ALL_ROLES), o: fc.nat(), p: fc.nat(), grantOption: fc.boolean() }).map(({ role, o, p, grantOption }) => {
  const object = GRANTABLE[o % GRANTABLE.length];
  // Ownership goes to Foo only (one owner per object), and only of objects in schemas.
  const words = [...wordsOn(object).filter((w) => w !== 'ownership'), ...(role === OWNER && KIND_SHAPES[object.kind] === 'in-schema' ? ['ownership'] : [])];
  const privilege = words[p % words.length];
  return mayHold(role, object) ? { role, object, privilege, grantOption: grantOption && privilege !== 'ownership' } : undefined;
});

/** The kinds an `objects:` lists: mostly one of the scenario's focus kinds, so grants, futures and new objects meet. */
const kindsArb = (focus: SecurableKind[]) =>
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...focus).map((k) => [k]) }, { weight: 1, arbitrary: fc.constantFrom<SecurableKind[]>(['table', 'view']) });
const wideArb = (focus: SecurableKind[], roles: string[]) =>
  fc.record({ role: fc.constantFrom(...roles), c: fc.oneof(fc.constant(0), fc.nat()), kinds: kindsArb(focus), p: fc.nat(), future: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), grantOption: fc.boolean() })
    .map(({ role, c, kinds, p, future, grantOption }) => {
      const allowed = containersFor(kinds);
      const schema = allowed[c % allowed.length];
      // A privilege every kind it reaches takes (`tables` reaches every relation: the reader reads
      // dynamic and external tables as tables, it.fails below); ownership for Foo, not through
      // `views` (a materialized view reads as a view).
      const reached = kinds.flatMap((k) => matchesOf(SNOWFLAKE_CATALOG, k));
      const words = privilegeWords(SNOWFLAKE_CATALOG, kinds[0]).filter((w) => reached.every((k) => privilegeWords(SNOWFLAKE_CATALOG, k).includes(w)) && (w !== 'ownership' || (role === OWNER && !kinds.includes('view'))));
      const privilege = words[p % words.length];
      return dbOf(role) === undefined || schema.database === dbOf(role) ? { role, privilege, schema, kinds, future, grantOption: grantOption && privilege !== 'ownership' } : undefined;
    });

/** A future grant as it stands before the plan: of a managed role or of an unmanaged one, in a schema or a database. */
const liveFutureArb = (focus: SecurableKind[]) =>
  fc.record({ role: fc.constantFrom(...ALL_ROLES, ...OTHERS, ...OTHERS), c: fc.nat(), kinds: kindsArb(focus), p: fc.nat(), grantOption: fc.boolean() }).map(({ role, c, kinds, p, grantOption }) => {
    const kind = kinds[0];
    const allowed = containersFor([kind]);
    const container = allowed[c % allowed.length];
    const words = privilegeWords(SNOWFLAKE_CATALOG, kind).filter((w) => w !== 'ownership');
    return dbOf(role) === undefined || container.database === dbOf(role) ? { role, container, kind, privilege: words[p % words.length], grantOption } : undefined;
  });

const defined = <T>(xs: (T | undefined)[]) => xs.filter((x): x is T => x !== undefined);
const members = ACCOUNT_ROLES.flatMap((role) => USERS.map((u) => ({ role, member: u })));
const kindsScenario = fc.tuple(fc.subarray(FUTURE_KINDS, { minLength: 1, maxLength: 3 }), fc.subarray(ALL_ROLES, { minLength: 2 })).chain(([focus, desiredRoles]) =>
  fc.record({
    seed: fc.nat(),
    desiredRoles: fc.constant(desiredRoles),
    // A role named like a user is never absent here: the planner then drops that user's memberships (it.fails below).
    absent: fc.subarray(ALL_ROLES.filter((r) => !USERS.includes(r)), { maxLength: 2 }),
    description: fc.option(fc.constantFrom("PHI analyst; it's audited", 'back\\slash "q"'), { nil: undefined }),
    grants: fc.array(objectGrantArb, { maxLength: 14 }).map(defined),
    edges: fc.subarray(EDGES, { maxLength: 6 }),
    userMembers: fc.subarray(members, { maxLength: 4 }),
    wide: fc.array(wideArb(focus, desiredRoles), { minLength: 2, maxLength: 6 }).map(defined),
    liveRoles: fc.subarray(ALL_ROLES),
    liveGrants: fc.array(objectGrantArb, { maxLength: 10 }).map(defined),
    liveEdges: fc.subarray([...EDGES, ...EDGES_WITH_OTHERS], { maxLength: 6 }),
    liveUserMembers: fc.subarray(members, { maxLength: 3 }),
    liveFutures: fc.array(liveFutureArb(focus), { maxLength: 6 }).map(defined),
    created: fc.array(fc.record({ kind: fc.constantFrom(...focus, 'table', 'view'), s: fc.nat(), name: fc.constantFrom('NEW', 'a"b c', 'Mixed.Name'), args: fc.constantFrom<string[]>([], ['VARCHAR']) }), { minLength: 3, maxLength: 8 }),
  }),
);
type KindsScenario = typeof kindsScenario extends fc.Arbitrary<infer T> ? T : never;

/** The account before the plan: SYSADMIN owns every object; unmanaged roles hold grants, roles and futures of their own. */
function seedAccount(s: KindsScenario): SnowflakeGrantModel {
  const m = new SnowflakeGrantModel({ seed: s.seed });
  for (const u of USERS) m.addUser(u);
  m.addDatabase(EHR);
  m.addDatabase(LAB);
  m.addDatabase(SHARED, { shared: true, owner: 'ACCOUNTADMIN' });
  for (const [d, sc] of ALL_SCHEMAS) m.addSchema(d, sc);
  for (const o of EXISTING) m.addObject(sfObject(o));
  for (const w of ['REPORTING_WH', 'etl wh']) m.addAccountObject('WAREHOUSE', w);
  m.addAccountObject('INTEGRATION', 'S3_INT', 'ACCOUNTADMIN');
  m.exec('CREATE ROLE IF NOT EXISTS "ETL_LOADER"');
  m.exec('CREATE DATABASE ROLE IF NOT EXISTS "EHR"."THEIRS" COMMENT = \'made by hand\'');
  m.exec('GRANT ROLE "ETL_LOADER" TO ROLE "SYSADMIN"');
  m.exec('GRANT DATABASE ROLE "EHR"."THEIRS" TO ROLE "ETL_LOADER"');
  m.exec('GRANT SELECT, INSERT ON TABLE "EHR"."CLINICAL"."PATIENTS" TO ROLE "ETL_LOADER" WITH GRANT OPTION');
  m.exec('GRANT USAGE ON FUNCTION "EHR"."CLINICAL"."ZIP3"(VARCHAR) TO DATABASE ROLE "EHR"."THEIRS"');
  m.exec('GRANT USAGE ON WAREHOUSE "etl wh" TO ROLE "ETL_LOADER"');
  m.exec('GRANT IMPORTED PRIVILEGES ON DATABASE "SNOWFLAKE" TO ROLE "ETL_LOADER"');
  const comment = lit(encodeRoleComment({ description: 'old' })!);
  for (const r of s.liveRoles) m.exec(`CREATE ${dbOf(r) !== undefined ? 'DATABASE ROLE' : 'ROLE'} IF NOT EXISTS ${roleSqlOf(r).replace(/^(DATABASE )?ROLE /, '')} COMMENT = ${comment}`);
  const live = new Set(s.liveRoles);
  for (const g of s.liveGrants) {
    if (!live.has(g.role)) continue;
    // A live IMPORTED PRIVILEGES the configuration drops is the it.fails case below.
    if (g.privilege === 'imported_privileges' && !s.grants.some((d) => d.role === g.role && d.privilege === 'imported_privileges')) continue;
    const o = objectSql(g.object);
    if (g.privilege === 'ownership') m.exec(`GRANT OWNERSHIP ON ${o} TO ${roleSqlOf(g.role)} COPY CURRENT GRANTS`);
    else m.exec(`GRANT ${privilegeSql(SNOWFLAKE_CATALOG, g.object.kind, g.privilege)} ON ${o} TO ${roleSqlOf(g.role)}${g.grantOption ? ' WITH GRANT OPTION' : ''}`);
  }
  const exists = (r: string) => live.has(r) || OTHERS.includes(r);
  for (const e of s.liveEdges) if (exists(e.role) && exists(e.member)) m.exec(`GRANT ${roleSqlOf(e.role)} TO ${roleSqlOf(e.member)}`);
  for (const e of s.liveUserMembers) if (live.has(e.role)) m.exec(`GRANT ${roleSqlOf(e.role)} TO USER ${id(e.member)}`);
  for (const f of s.liveFutures) {
    if (!live.has(f.role) && !OTHERS.includes(f.role)) continue;
    const def = SNOWFLAKE_CATALOG.kinds[f.kind]!.future!;
    const where = f.container.kind === 'database' ? `DATABASE ${id(f.container.database)}` : `SCHEMA ${id(f.container.database)}.${id(f.container.schema!)}`;
    m.exec(`GRANT ${privilegeSql(SNOWFLAKE_CATALOG, f.kind, f.privilege)} ON FUTURE ${def.sql ?? def.type.toUpperCase()} IN ${where} TO ${roleSqlOf(f.role)}${f.grantOption ? ' WITH GRANT OPTION' : ''}`);
  }
  // A grant the platform made itself (granted_by empty): read, never revoked.
  m.addAccountObject('WAREHOUSE', 'COMPUTE_WH');
  for (const r of s.liveRoles) if (dbOf(r) === undefined) m.exec(`GRANT MONITOR ON WAREHOUSE "COMPUTE_WH" TO ROLE ${id(r)}`, '');
  return m;
}

/** The configuration of a scenario, as the loader would make it (Snowflake's rules hold: the loader refuses the rest). */
function desiredOf(s: KindsScenario): Desired {
  const absent = new Set(s.absent.filter((r) => s.desiredRoles.includes(r)));
  const present = new Set(s.desiredRoles.filter((r) => !absent.has(r)));
  const grants = new Map<string, GrantRecord>();
  for (const g of s.grants) if (present.has(g.role)) grants.set(makeGrant(g).key, makeGrant(g));
  return {
    platform: 'snowflake',
    roles: s.desiredRoles.map((name) => ({ key: roleKey(name), name, state: absent.has(name) ? 'absent' : 'present', description: s.description })),
    users: USERS,
    memberships: [
      ...s.edges.filter((e) => present.has(e.role) && present.has(e.member)).map((e) => makeMembership({ ...e, memberKind: 'role' })),
      ...s.userMembers.filter((e) => present.has(e.role)).map((e) => makeMembership({ ...e, memberKind: 'user' })),
    ],
    grants: [...grants.values()],
    // One grant option per role and privilege: future grants asked both with and without it never converge (it.fails below).
    schemaWide: s.wide.filter((w) => present.has(w.role)).map((w) => ({ ...w, grantOption: s.wide.some((x) => x.role === w.role && x.privilege === w.privilege && x.grantOption) })),
    futureGrants: [],
  };
}

/** Whether a desired `objects:` container holds an object (a database: every schema of it). */
const contains = (container: ObjectRef, o: { database?: string; schema?: string }) => container.database === o.database && (container.kind === 'database' || container.schema === o.schema);

/** A principal's name in the model: `D.R` for a database role. */
const modelName = (p: Principal) => (p.type === 'DATABASE_ROLE' ? `${p.database}.${p.name}` : p.name);

/** Whether an `objects:` reaches an existing object through the kinds whose objects the reader lists (relations). */
const reaches = (w: SchemaWideGrant, o: ObjectRef) =>
  contains(w.schema, o) && w.kinds.some((k) => LISTED_KINDS.has(k) && matchesOf(SNOWFLAKE_CATALOG, k).includes(o.kind)) && privilegeDef(SNOWFLAKE_CATALOG, o.kind, w.privilege) !== undefined;

/** What rbac leaves alone: everything unmanaged principals hold, and role grants between them. */
function unmanagedState(m: SnowflakeGrantModel, managed: ReadonlySet<string>): string {
  const isManaged = (p: Principal) => p.type !== 'USER' && managed.has(modelName(p));
  return JSON.stringify({
    roles: [...m.roles.values()].filter((r) => !isManaged(r.principal)).map((r) => [r.principal, r.comment]),
    grants: [...m.grants.values()].filter((g) => !isManaged(g.grantee)),
    memberships: [...m.memberships.values()].filter((x) => !isManaged(x.role) && !isManaged(x.member)),
    futures: [...m.futures.values()].filter((f) => !isManaged(f.grantee)),
  });
}

/** The role grants that involve a managed role (granted, or holding one as a role), as membership keys. */
function managedMemberships(m: SnowflakeGrantModel, managed: ReadonlySet<string>): string[] {
  return [...m.memberships.values()]
    .filter((x) => managed.has(modelName(x.role)) || (x.member.type !== 'USER' && managed.has(modelName(x.member))))
    .map((x) => makeMembership({ role: modelName(x.role), member: modelName(x.member), memberKind: x.member.type === 'USER' ? 'user' : 'role' }).key)
    .sort();
}

/** plan -> apply -> read back -> plan again, on a double, the way the CLI does it (planHooks' neverRevoke). */
async function converge(model: SnowflakeGrantModel, desired: Desired, introScope = { ...introspectScopeOf(desired), includePublic: false }) {
  const adapter = new SnowflakeAdapter({ query: model.query, close: async () => undefined });
  const options = { mode: 'authoritative' as const, target: 'model', scope: scopeOf(desired), neverRevoke: planHooks('snowflake').neverRevoke };
  const first = plan(desired, await adapter.introspect(introScope), options);
  const result = await adapter.apply(adapter.compile(first));
  const second = plan(desired, await adapter.introspect(introScope), options);
  return { first, result, second };
}
/** Checks after convergence: who owns what (Foo where the configuration gives ownership, else as before; a dropped role's objects pass to its dropper). */
function checkOwners(model: SnowflakeGrantModel, s: KindsScenario, desired: Desired, before: ReadonlyMap<string, Principal>): void {
  const dropped = new Set(desired.roles.filter((r) => r.state === 'absent' && s.liveRoles.includes(r.name)).map((r) => r.name));
  for (const o of [...OUTSIDE, ...EXISTING]) {
    const was = before.get(objectKey(o));
    if (!was) continue;
    const toOwner = desired.grants.some((g) => g.privilege === 'ownership' && objectKey(g.object) === objectKey(o)) || desired.schemaWide.some((w) => w.privilege === 'ownership' && reaches(w, o));
    const want = toOwner ? accountRole(OWNER) : dropped.has(modelName(was)) ? accountRole('SECURITYADMIN') : was;
    expect(model.ownerOf(sfObject(o)), `owner of ${objectKey(o)}`).toEqual(want);
  }
}

/** Every configured grant is held, with the grant option where asked and, unless an `objects:` of the role asks for one, without. */
function checkConfiguredGrants(model: SnowflakeGrantModel, desired: Desired): void {
  for (const g of desired.grants) {
    if (g.privilege === 'ownership') continue;
    const held = model.grantOf(principalOf(g.role), privilegeSql(SNOWFLAKE_CATALOG, g.object.kind, g.privilege), sfObject(g.object));
    expect(held, g.key).toBeDefined();
    if (g.grantOption) expect(held!.grantOption, `${g.key} with grant option`).toBe(true);
    else if (!desired.schemaWide.some((w) => w.role === g.role && w.privilege === g.privilege && w.grantOption)) expect(held!.grantOption, `${g.key} without grant option`).toBe(false);
  }
  // objects: on existing relations (the ones the reader lists: INFORMATION_SCHEMA.TABLES).
  for (const w of desired.schemaWide) {
    if (w.privilege === 'ownership') continue;
    for (const o of GRANTABLE) if (reaches(w, o)) expect(model.grantOf(principalOf(w.role), privilegeSql(SNOWFLAKE_CATALOG, o.kind, w.privilege), sfObject(o)), `${w.role} ${w.privilege} ${objectKey(o)}`).toBeDefined();
  }
}

/**
 * New objects of random kinds in random schemas: each role an `objects:` with future grants
 * names for that kind and container holds its privilege (with the grant option where asked),
 * and the new object's owner is Foo where an `objects:` gives it ownership, else its creator.
 */
function checkNewObjects(model: SnowflakeGrantModel, s: KindsScenario, desired: Desired): void {
  const managed = new Set(desired.roles.map((r) => r.name));
  // KNOWN BUG (it.fails below): the adapter drops the future grants of roles rbac does not manage
  // (ETL_LOADER, EHR.THEIRS, live roles the configuration does not name), so where one of them
  // hides the database-level grants for a type, the planner repeats none: those are not checked.
  const hiddenByUnmanaged = new Set(
    s.liveFutures.filter((f) => !managed.has(f.role) && (OTHERS.includes(f.role) || s.liveRoles.includes(f.role)) && f.container.kind === 'schema').map((f) => JSON.stringify([f.container.database, f.container.schema, f.kind])),
  );
  s.created.forEach((c, i) => {
    const [database, schema] = ALL_SCHEMAS[c.s % ALL_SCHEMAS.length];
    // A new schema is made in that schema's database.
    const ref = c.kind === 'schema'
      ? makeObject('schema', database, `${c.name} ${i}`)
      : makeObject(c.kind, database, schema, `${c.name} ${i}`, SIGNATURE_KINDS.has(c.kind) ? `(${c.args.join(', ')})` : undefined);
    const sf = model.createObject(sfObject(ref));
    const hidden = hiddenByUnmanaged.has(JSON.stringify([database, schema, c.kind]));
    let owner: Principal | undefined = accountRole('SYSADMIN');
    for (const w of desired.schemaWide) {
      if (!w.future || !w.kinds.includes(c.kind) || !contains(w.schema, ref) || !privilegeDef(SNOWFLAKE_CATALOG, c.kind, w.privilege)) continue;
      if (w.schema.kind === 'database' && hidden) {
        if (w.privilege === 'ownership') owner = undefined;
        continue;
      }
      if (w.privilege === 'ownership') {
        owner = accountRole(OWNER);
        continue;
      }
      const g = model.grantOf(principalOf(w.role), privilegeSql(SNOWFLAKE_CATALOG, c.kind, w.privilege), sf);
      expect(g, `${w.role} ${w.privilege} on new ${c.kind} ${objectKey(ref)} (objects: on ${objectKey(w.schema)})`).toBeDefined();
      if (w.grantOption) expect(g!.grantOption).toBe(true);
    }
    if (owner) expect(model.ownerOf(sf), `owner of new ${objectKey(ref)}`).toEqual(owner);
  });
}

describe('snowflake convergence: every kind, database roles, futures at both levels (SnowflakeGrantModel)', () => {
  it('plan -> apply -> read back -> plan again is empty; unmanaged grants untouched; existing and new objects get what objects: says', async () => {
    await fc.assert(
      fc.asyncProperty(kindsScenario, async (s) => {
        const model = seedAccount(s);
        const desired = desiredOf(s);
        const managed = new Set(desired.roles.map((r) => r.name));
        const before = unmanagedState(model, managed);
        const owners = new Map([...OUTSIDE, ...EXISTING].filter((o) => o.kind !== 'account').map((o) => [objectKey(o), model.ownerOf(sfObject(o))!]));
        // The adapter ignores wholeDatabases (it.fails below) and reads future grants only in the
        // containers it is given: every database and schema of the account is listed.
        const real = introspectScopeOf(desired);
        const introScope = { ...real, databases: [...new Set([...real.databases, EHR, LAB])], schemas: ALL_SCHEMAS.map(([database, schema]) => ({ database, schema })), includePublic: false };

        const { first, result, second } = await converge(model, desired, introScope);
        expect(first.problems.filter((p) => p.severity === 'error')).toEqual([]);
        expect(result.ok, `${result.failed?.statement.sql}: ${result.failed?.error}`).toBe(true);
        expect(second.changes).toEqual([]);
        expect(unmanagedState(model, managed)).toBe(before);
        // Authoritative: the role grants a managed role is part of are the configured ones, no more.
        expect(managedMemberships(model, managed)).toEqual(desired.memberships.map((x) => x.key).sort());
        // What the platform granted itself (granted_by empty) is never revoked.
        for (const r of s.liveRoles) if (dbOf(r) === undefined && model.hasRole(accountRole(r))) expect(model.grantOf(accountRole(r), 'MONITOR', { kind: 'WAREHOUSE', name: 'COMPUTE_WH' }), r).toBeDefined();
        checkOwners(model, s, desired, owners);
        checkConfiguredGrants(model, desired);
        checkNewObjects(model, s, desired);
      }),
      { numRuns: 30, seed: 20240611 },
    );
  });
});

// --- Known defects in src/ -----------------------------------------------------------------
// Each test states what Snowflake ends up holding when rbac is right; it fails today, so it is
// marked it.fails with what is wrong and where. When one is fixed, vitest reports it: drop the
// `.fails` (and the matching restriction of the property above).

const bare = (roles: string[], rest: Partial<Desired> = {}): Desired => ({
  platform: 'snowflake',
  roles: roles.map((name) => ({ key: roleKey(name), name, state: 'present' })),
  users: [],
  memberships: [],
  grants: [],
  schemaWide: [],
  futureGrants: [],
  ...rest,
});
/** EHR with schemas RAW and CLINICAL, roles R and the unmanaged ETL_LOADER. */
function smallAccount(): SnowflakeGrantModel {
  const m = new SnowflakeGrantModel();
  m.addDatabase(EHR);
  m.addSchema(EHR, 'RAW');
  m.addSchema(EHR, 'CLINICAL');
  m.exec('CREATE ROLE IF NOT EXISTS "R"');
  m.exec('CREATE ROLE IF NOT EXISTS "ETL_LOADER"');
  return m;
}
const EHR_DB = makeObject('database', EHR);

describe('defects the grant model found (fixed; each comment says what was wrong and where)', () => {
  // src/plan/plan.ts planMemberships skips a desired membership when `absentRoles.has(m.member)`
  // without looking at memberKind, and counts the live one as not desired: a USER named like a
  // role in state: absent loses its membership in the plan that drops that role (and gets it
  // back in the next plan). Users and roles are separate namespaces on Snowflake.
  it("keeps user ALICE's membership while the role ALICE (state: absent) is dropped", async () => {
    const m = smallAccount();
    m.addUser('ALICE');
    m.exec('CREATE ROLE IF NOT EXISTS "ALICE"');
    m.exec('GRANT ROLE "R" TO USER "ALICE"');
    const desired = bare(['R'], {
      roles: [{ key: roleKey('R'), name: 'R', state: 'present' }, { key: roleKey('ALICE'), name: 'ALICE', state: 'absent' }],
      users: ['ALICE'],
      memberships: [makeMembership({ role: 'R', member: 'ALICE', memberKind: 'user' })],
    });
    const { first } = await converge(m, desired);
    expect(first.changes.map((c) => c.kind)).toEqual(['dropRole']);
  });

  // src/plan/expand.ts + model/keys.ts makeFutureGrant: the grant option is part of a future
  // grant's key and two `objects:` that reach one future type for one role and privilege, one
  // with grant_option: true, make two desired future grants. Snowflake holds one (with the
  // option), so the one without is planned again on every run. Object grants are merged
  // ("asks for the grant option when either does", plan/grants.ts); future grants are not.
  it('converges when two objects: ask for one future grant, one of them with the grant option', async () => {
    const m = smallAccount();
    const desired = bare(['R'], {
      schemaWide: [
        { role: 'R', privilege: 'select', schema: EHR_DB, kinds: ['view'], future: true, grantOption: true },
        { role: 'R', privilege: 'select', schema: EHR_DB, kinds: ['table', 'view'], future: true },
      ],
    });
    const { result, second } = await converge(m, desired);
    expect(result.ok).toBe(true);
    expect(second.changes).toEqual([]);
  });

  // src/dialects/snowflake/adapter.ts introspect ('future' job) keeps only managed roles' future
  // grants (and PUBLIC's), so plan/expand.ts repeatHiddenFutures, which counts "a role rbac does
  // not manage [that] holds one live", never sees them: in a schema where an unmanaged role has
  // a schema-level future grant for TABLES, the database-level future grant the configuration
  // asks for is hidden by Snowflake's precedence rule and never repeated there.
  it("a database-level future grant reaches new tables in a schema where an unmanaged role has its own", async () => {
    const m = smallAccount();
    m.exec('GRANT INSERT ON FUTURE TABLES IN SCHEMA "EHR"."RAW" TO ROLE "ETL_LOADER"');
    const desired = bare(['R'], { schemaWide: [{ role: 'R', privilege: 'select', schema: EHR_DB, kinds: ['table'], future: true }] });
    const { result } = await converge(m, desired, { ...introspectScopeOf(desired), schemas: [{ database: EHR, schema: 'RAW' }], includePublic: false });
    expect(result.ok).toBe(true);
    const t = m.createObject({ kind: 'TABLE', database: EHR, schema: 'RAW', name: 'NEW' });
    expect(m.grantOf(accountRole('R'), 'SELECT', t)).toBeDefined();
  });

  // src/dialects/snowflake/adapter.ts never reads IntrospectScope.wholeDatabases: it lists tables
  // (and reads future grants) only in scope.schemas, and a database-wide `objects:` adds no
  // schema there (plan/scope.ts scopeSchemas). So `{ database: EHR, objects: [tables] }`
  // grants nothing on the tables of a schema the configuration names nowhere else.
  it('a database-wide objects: grants on the tables of every schema of the database', async () => {
    const m = smallAccount();
    const t: SfObject = { kind: 'TABLE', database: EHR, schema: 'RAW', name: 'T' };
    m.addObject(t);
    const desired = bare(['R'], { schemaWide: [{ role: 'R', privilege: 'select', schema: EHR_DB, kinds: ['table'], future: true }] });
    await converge(m, desired);
    expect(m.grantOf(accountRole('R'), 'SELECT', t)).toBeDefined();
  });

  // src/dialects/snowflake/inspect.ts parseTables reads every INFORMATION_SCHEMA.TABLES row that
  // is not a view as kind `table`: an EXTERNAL TABLE (and a dynamic table, a BASE TABLE there
  // with IS_DYNAMIC = YES, a column the reader does not select). So `objects: tables` with
  // INSERT (a table privilege) grants INSERT ON TABLE on an external table. Snowflake has no
  // INSERT on external tables; if it refuses, the apply fails; if it took the grant, SHOW GRANTS
  // lists it on EXTERNAL_TABLE, where the reader leaves INSERT out of the catalog, and the plan
  // grants it again on every run (what this double, which does not check privileges, shows).
  it('objects: tables with INSERT reaches base tables only, and converges', async () => {
    const m = smallAccount();
    m.addObject({ kind: 'TABLE', database: EHR, schema: 'RAW', name: 'T' });
    m.addObject({ kind: 'EXTERNAL TABLE', database: EHR, schema: 'RAW', name: 'EXT' });
    const desired = bare(['R'], { schemaWide: [{ role: 'R', privilege: 'insert', schema: makeObject('schema', EHR, 'RAW'), kinds: ['table'], future: false }] });
    const { second } = await converge(m, desired);
    expect(m.grantOf(accountRole('R'), 'INSERT', { kind: 'TABLE', database: EHR, schema: 'RAW', name: 'T' })).toBeDefined();
    expect(second.changes).toEqual([]);
  });

  // IMPORTED PRIVILEGES on a shared database is listed by SHOW GRANTS as USAGE, read as `usage`
  // (inspect.ts genericPrivilege), and plan/equivalent.ts only renames it when the configuration
  // asks for the other word. When the configuration drops it, the plan revokes `usage`:
  // `REVOKE USAGE ON DATABASE "SNOWFLAKE"`, which is not the privilege the role holds (this
  // double refuses individual privileges on an imported database, as Snowflake documents for
  // GRANT; were it a no-op, the role would keep IMPORTED PRIVILEGES just the same).
  it('revokes IMPORTED PRIVILEGES on a shared database the configuration no longer grants', async () => {
    const m = smallAccount();
    m.addDatabase(SHARED, { shared: true, owner: 'ACCOUNTADMIN' });
    m.exec('GRANT IMPORTED PRIVILEGES ON DATABASE "SNOWFLAKE" TO ROLE "R"');
    await converge(m, bare(['R']));
    expect(m.grantOf(accountRole('R'), 'IMPORTED PRIVILEGES', { kind: 'DATABASE', database: SHARED })).toBeUndefined();
  });
});
