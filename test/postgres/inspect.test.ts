// The pure reader on recorded rows, shaped exactly as CATALOG_QUERIES return them
// (column names and types as the `pg` driver delivers them: text, boolean, text[]).
import { describe, expect, it } from 'vitest';
import { parseLive, privilegeFromPg, schemaNamesInScope, type CatalogRows } from '../../src/dialects/postgres/inspect.js';
import type { IntrospectScope } from '../../src/dialects/types.js';

const scope: IntrospectScope = {
  roles: ['clinical_analyst', 'data_scientist', 'etl_loader'],
  users: ['alice', 'mallory'],
  databases: ['ehr'],
  schemas: [
    { database: 'ehr', schema: 'clinical' },
    { database: 'ehr', schema: 'billing' },
    { database: 'other', schema: 'ignored' },
  ],
  includePublic: true,
};

const acl = (grantee: string | null, privilege_type: string, extra: Partial<{ is_grantable: boolean; grantor: string }> = {}) => ({
  grantee,
  is_public: grantee === null,
  privilege_type,
  is_grantable: extra.is_grantable ?? false,
  grantor: extra.grantor ?? 'postgres',
});
const rel = (schema: string, name: string, owner = 'postgres', relkind = 'r') => ({ schema, name, relkind, owner });

function rows(over: Partial<CatalogRows> = {}): CatalogRows {
  return {
    database: [
      { database: 'hospital', current_user: 'postgres', owner: 'postgres', ...acl('clinical_analyst', 'CONNECT') },
      { database: 'hospital', current_user: 'postgres', owner: 'postgres', ...acl(null, 'TEMPORARY') },
    ],
    roles: [
      { name: 'mallory', can_login: true, comment: null },
      { name: 'clinical_analyst', can_login: false, comment: '{"description":"Reads clinical","owner":"dg"}' },
      { name: 'data_scientist', can_login: false, comment: 'hand-written note' },
    ],
    memberships: [
      { role: 'clinical_analyst', member: 'mallory', member_can_login: true, grantor: 'postgres' },
      { role: 'pg_read_all_stats', member: 'data_scientist', member_can_login: false, grantor: 'postgres' },
      { role: 'unmanaged_a', member: 'unmanaged_b', member_can_login: false, grantor: 'postgres' },
    ],
    schemas: [
      { schema: 'clinical', owner: 'postgres', ...acl('clinical_analyst', 'USAGE') },
      { schema: 'clinical', owner: 'postgres', ...acl(null, 'USAGE') },
      { schema: 'billing', owner: 'etl_loader', ...acl('etl_loader', 'CREATE', { grantor: 'etl_loader' }) },
    ],
    tables: [
      { ...rel('clinical', 'patients'), columns: ['patient_id', 'full_name', 'ssn'] },
      { ...rel('clinical', 'patients_deid', 'postgres', 'v'), columns: ['patient_id'] },
      { ...rel('billing', 'claims', 'etl_loader'), columns: ['claim_id'] },
    ],
    relationAcl: [
      { ...rel('clinical', 'patients'), ...acl(null, 'SELECT') },
      { ...rel('clinical', 'patients'), ...acl('clinical_analyst', 'SELECT', { is_grantable: true }) },
      // Same privilege from a second grantor: one grant.
      { ...rel('clinical', 'patients'), ...acl('clinical_analyst', 'SELECT', { grantor: 'other_admin' }) },
      { ...rel('clinical', 'patients_deid', 'postgres', 'v'), ...acl('data_scientist', 'SELECT') },
      // The owner's own entries: ownership is implicit, never reported.
      { ...rel('billing', 'claims', 'etl_loader'), ...acl('etl_loader', 'SELECT', { grantor: 'etl_loader' }) },
      { ...rel('billing', 'claims', 'etl_loader'), ...acl('etl_loader', 'DELETE', { grantor: 'etl_loader' }) },
      // A role outside the managed set (the SQL filters these; the parser must too).
      { ...rel('billing', 'claims', 'etl_loader'), ...acl('bob', 'SELECT') },
      // PG 17 MAINTAIN: not expressible in the config, not reported.
      { ...rel('billing', 'claims', 'etl_loader'), ...acl('data_scientist', 'MAINTAIN') },
    ],
    columnAcl: [
      // clinical_analyst holds table-level SELECT: column SELECT is redundant, dropped.
      { ...rel('clinical', 'patients'), column: 'ssn', ...acl('clinical_analyst', 'SELECT') },
      // ...but a column UPDATE is not covered by table-level SELECT.
      { ...rel('clinical', 'patients'), column: 'ssn', ...acl('clinical_analyst', 'UPDATE') },
      { ...rel('clinical', 'patients'), column: 'patient_id', ...acl('data_scientist', 'SELECT') },
      // PUBLIC holds table-level SELECT on patients: dropped too.
      { ...rel('clinical', 'patients'), column: 'full_name', ...acl(null, 'SELECT') },
      { ...rel('clinical', 'patients_deid', 'postgres', 'v'), column: 'patient_id', ...acl(null, 'SELECT') },
    ],
    defaultAcl: [
      { creator: 'etl_loader', schema: 'clinical', ...acl('data_scientist', 'SELECT') },
      { creator: 'etl_loader', schema: 'clinical', ...acl('etl_loader', 'SELECT') },
      { creator: 'postgres', schema: 'billing', ...acl(null, 'SELECT') },
    ],
    ...over,
  };
}

describe('parseLive on recorded rows', () => {
  const live = parseLive(rows(), scope);
  const keys = live.grants.map((g) => g.key);

  it('names objects under the logical database and records the mapping', () => {
    expect(live.databases).toEqual({ ehr: 'hospital' });
    expect(live.currentUser).toBe('postgres');
    expect(live.schemas.map((s) => s.schema)).toEqual(['billing', 'clinical']);
    expect(live.tables.map((t) => `${t.object.database}.${t.object.schema}.${t.object.name}`)).toEqual([
      'ehr.billing.claims',
      'ehr.clinical.patients',
      'ehr.clinical.patients_deid',
    ]);
    expect(live.tables[2].object.kind).toBe('view');
    expect(live.tables[1].columns).toEqual(['patient_id', 'full_name', 'ssn']);
  });

  it('reads exactly the managed and in-scope PUBLIC grants', () => {
    expect(keys).toEqual([
      'grant:connect:database:ehr:role:clinical_analyst',
      'grant:select:table:ehr.clinical.patients.patient_id:role:data_scientist',
      'grant:select:table:ehr.clinical.patients:role:PUBLIC',
      'grant:select:table:ehr.clinical.patients:role:clinical_analyst',
      'grant:select:table:ehr.clinical.patients_deid.patient_id:role:PUBLIC',
      'grant:select:table:ehr.clinical.patients_deid:role:data_scientist',
      'grant:update:table:ehr.clinical.patients.ssn:role:clinical_analyst',
      'grant:usage:schema:ehr.clinical:role:PUBLIC',
      'grant:usage:schema:ehr.clinical:role:clinical_analyst',
    ]);
  });

  it('skips owner entries, unmanaged grantees, PUBLIC on the database, and unknown privileges', () => {
    expect(keys.some((k) => k.includes('role:etl_loader'))).toBe(false);
    expect(keys.some((k) => k.includes('role:bob'))).toBe(false);
    expect(keys.some((k) => k.startsWith('grant:temporary'))).toBe(false);
    expect(keys.some((k) => k.includes('billing.claims'))).toBe(false);
  });

  it('keeps a grant held WITH GRANT OPTION, once, with its first grantor', () => {
    const g = live.grants.find((x) => x.key === 'grant:select:table:ehr.clinical.patients:role:clinical_analyst');
    expect(g?.grantedBy).toBe('postgres');
  });

  it('drops a column grant only when the same privilege is held on the whole table', () => {
    expect(keys).not.toContain('grant:select:table:ehr.clinical.patients.ssn:role:clinical_analyst');
    expect(keys).not.toContain('grant:select:table:ehr.clinical.patients.full_name:role:PUBLIC');
    expect(keys).toContain('grant:update:table:ehr.clinical.patients.ssn:role:clinical_analyst');
    const col = live.grants.find((g) => g.column === 'patient_id');
    expect(col).toMatchObject({ role: 'data_scientist', privilege: 'select', column: 'patient_id' });
  });

  it('reads default privileges per creator, skipping the creator itself, with PUBLIC\'s built-in ones', () => {
    // Without a global pg_default_acl entry, PostgreSQL gives PUBLIC EXECUTE on new
    // functions and USAGE on new types: read as the database-wide defaults they are.
    expect(live.futureGrants.map((f) => f.key)).toEqual([
      'future:execute:functions:database:ehr:by:postgres:role:PUBLIC',
      'future:select:tables:schema:ehr.billing:by:postgres:role:PUBLIC',
      'future:select:tables:schema:ehr.clinical:by:etl_loader:role:data_scientist',
      'future:usage:types:database:ehr:by:postgres:role:PUBLIC',
    ]);
  });

  it('reads memberships touching a managed role, with the member kind', () => {
    expect(live.memberships).toEqual([
      { key: 'member:clinical_analyst:mallory', role: 'clinical_analyst', member: 'mallory', memberKind: 'user', grantedBy: 'postgres' },
      { key: 'member:pg_read_all_stats:role:data_scientist', role: 'pg_read_all_stats', member: 'data_scientist', memberKind: 'role', grantedBy: 'postgres' },
    ]);
  });

  it('parses role comments and LOGIN', () => {
    expect(live.roles).toEqual([
      { name: 'clinical_analyst', isUser: false, description: 'Reads clinical', owner: 'dg' },
      { name: 'data_scientist', isUser: false, description: 'hand-written note' },
      { name: 'mallory', isUser: true },
    ]);
  });

  it('leaves PUBLIC out when the scope does not include it', () => {
    const l = parseLive(rows(), { ...scope, includePublic: false });
    expect(l.grants.some((g) => g.role === 'PUBLIC')).toBe(false);
    expect(l.futureGrants.some((g) => g.role === 'PUBLIC')).toBe(false);
  });

  it('reads a database with no managed grantee (the LEFT JOIN row of nulls)', () => {
    const l = parseLive(
      rows({ database: [{ database: 'hospital', current_user: 'rbac', owner: 'postgres', grantee: null, is_public: null, privilege_type: null, is_grantable: null, grantor: null }] }),
      scope,
    );
    expect(l.grants.some((g) => g.object.kind === 'database')).toBe(false);
    expect(l.currentUser).toBe('rbac');
  });

  it('is deterministic whatever the row order', () => {
    const r = rows();
    const shuffled: CatalogRows = {
      ...r,
      roles: [...r.roles].reverse(),
      relationAcl: [...r.relationAcl].reverse(),
      columnAcl: [...r.columnAcl].reverse(),
      tables: [...r.tables].reverse(),
      schemas: [...r.schemas].reverse(),
    };
    const a = parseLive(shuffled, scope);
    // grantedBy may differ when two grantors exist; compare keys and shapes otherwise.
    expect(a.grants.map((g) => g.key)).toEqual(keys);
    expect(a.tables).toEqual(live.tables);
    expect(a.roles).toEqual(live.roles);
  });

  it('refuses a connection to another database than the mapped one', () => {
    expect(() => parseLive(rows(), scope, { databaseMap: { ehr: 'ehr_prod' } })).toThrow(/maps to "ehr_prod"/);
    expect(() => parseLive(rows(), scope, { databaseMap: { ehr: 'hospital' } })).not.toThrow();
  });

  it('uses only the schemas of the mapped logical database', () => {
    expect(schemaNamesInScope(scope)).toEqual(['billing', 'clinical']);
  });

  it('maps privileges from a closed table per kind', () => {
    expect(privilegeFromPg('table', 'SELECT')).toBe('select');
    expect(privilegeFromPg('schema', 'SELECT')).toBeUndefined();
    expect(privilegeFromPg('database', 'TEMPORARY')).toBe('temporary');
    expect(privilegeFromPg('table', 'MAINTAIN')).toBeUndefined();
  });
});

describe('parseLive on recorded rows of every kind', () => {
  const none = { grantee: null, is_public: null, privilege_type: null, is_grantable: null, grantor: null };
  const fn = (name: string, args: [string, string, string, boolean][], extra: object = {}) => ({ schema: 'clinical', name, prokind: 'f', owner: 'postgres', arg_types: JSON.stringify(args), ...none, ...extra });
  const live = parseLive(
    rows({
      tables: [
        { ...rel('clinical', 'patients'), columns: ['patient_id'] },
        { ...rel('clinical', 'mv', 'postgres', 'm'), columns: ['n'] },
        { ...rel('clinical', 'ext', 'postgres', 'f'), columns: ['x'] },
        { ...rel('clinical', 'parts', 'postgres', 'p'), columns: ['x'] },
        { ...rel('billing', 'invoice_seq', 'postgres', 'S'), columns: [] },
      ],
      relationAcl: [
        { ...rel('billing', 'invoice_seq', 'postgres', 'S'), ...acl('etl_loader', 'USAGE') },
        { ...rel('billing', 'invoice_seq', 'postgres', 'S'), ...acl('etl_loader', 'UPDATE', { is_grantable: true }) },
        { ...rel('clinical', 'mv', 'postgres', 'm'), ...acl('data_scientist', 'SELECT') },
      ],
      columnAcl: [],
      defaultAcl: [],
      routines: [
        // The driver delivers json as text or parsed; both are read.
        { ...fn('zip3', [['pg_catalog', 'text', 'text', false]]), ...acl('clinical_analyst', 'EXECUTE') },
        { ...fn('zip3', [['pg_catalog', 'int4', 'integer', false]]), ...acl(null, 'EXECUTE') },
        { ...fn('load', [['clinical', 'mood', 'clinical.mood', true]], { prokind: 'p', arg_types: [['clinical', 'mood', 'clinical.mood', true]] }), ...acl('etl_loader', 'EXECUTE') },
        // An extension's function: PUBLIC's EXECUTE is the extension's, not read; the object is listed as the extension's.
        { ...fn('digest', [['pg_catalog', 'text', 'text', false]], { extension: true }), ...acl(null, 'EXECUTE') },
      ],
      types: [
        { schema: 'clinical', name: 'mood', typtype: 'e', owner: 'postgres', ...acl('data_scientist', 'USAGE') },
        { schema: 'clinical', name: 'us_zip', typtype: 'd', owner: 'postgres', ...none },
      ],
      foreign: [
        { kind: 'foreign_data_wrapper', name: 'postgres_fdw', owner: 'postgres', ...acl('etl_loader', 'USAGE') },
        { kind: 'foreign_server', name: 'lab system', owner: 'postgres', ...acl('etl_loader', 'USAGE') },
      ],
    }),
    scope,
  );
  const kinds = (live.objects ?? []).map((o) => `${o.kind} ${o.schema ?? '-'}.${o.name ?? '-'}${o.signature ?? ''}`);

  it('lists every object with its kind from relkind, prokind and typtype, routines with their signatures', () => {
    expect(kinds).toEqual(
      expect.arrayContaining([
        'table clinical.patients',
        'materialized_view clinical.mv',
        'table clinical.ext',
        'table clinical.parts',
        'sequence billing.invoice_seq',
        'function clinical.zip3(text)',
        'function clinical.zip3(integer)',
        'procedure clinical.load(clinical.mood[])',
        'function clinical.digest(text)',
        'type clinical.mood',
        'domain clinical.us_zip',
        'foreign_data_wrapper -.postgres_fdw',
        'foreign_server -.lab system',
      ]),
    );
    // A sequence is not a table: no columns, not in `tables`.
    expect(live.tables.map((t) => t.object.name)).not.toContain('invoice_seq');
    expect(live.extensionObjects).toEqual(['function:ehr.clinical.digest(text)']);
  });

  it('reads the grants of every kind with the catalog words, grant options included', () => {
    const keys = live.grants.map((g) => `${g.key}${g.grantOption ? ' +option' : ''}`);
    expect(keys).toEqual(
      expect.arrayContaining([
        'grant:usage:sequence:ehr.billing.invoice_seq:role:etl_loader',
        'grant:update:sequence:ehr.billing.invoice_seq:role:etl_loader +option',
        'grant:select:table:ehr.clinical.mv:role:data_scientist',
        'grant:execute:function:ehr.clinical.zip3(text):role:clinical_analyst',
        'grant:execute:function:ehr.clinical.zip3(integer):role:PUBLIC',
        'grant:execute:procedure:ehr.clinical.load(clinical.mood[]):role:etl_loader',
        'grant:usage:type:ehr.clinical.mood:role:data_scientist',
        'grant:usage:foreign_data_wrapper:ehr.postgres_fdw:role:etl_loader',
        'grant:usage:foreign_server:ehr."lab system":role:etl_loader',
      ]),
    );
    expect(keys.some((k) => k.includes('digest'))).toBe(false);
    expect(live.grants.find((g) => g.key.startsWith('grant:select:table:ehr.clinical.mv'))?.object.kind).toBe('materialized_view');
  });

  it('reads default privileges for every object type, in a schema and database-wide', () => {
    const d = parseLive(
      rows({
        defaultAcl: [
          { creator: 'etl_loader', schema: 'clinical', objtype: 'S', ...acl('data_scientist', 'USAGE') },
          { creator: 'etl_loader', schema: 'clinical', objtype: 'f', ...acl('clinical_analyst', 'EXECUTE') },
          { creator: 'etl_loader', schema: 'clinical', objtype: 'T', ...acl('clinical_analyst', 'USAGE') },
          // A global entry for functions replaces the built-in PUBLIC EXECUTE for that creator.
          { creator: 'postgres', schema: null, objtype: 'f', ...acl('clinical_analyst', 'EXECUTE') },
          { creator: 'postgres', schema: null, objtype: 'n', ...acl('data_scientist', 'USAGE') },
        ],
      }),
      scope,
    );
    expect(d.futureGrants.map((f) => f.key)).toEqual([
      'future:execute:functions:database:ehr:by:postgres:role:clinical_analyst',
      'future:execute:functions:schema:ehr.clinical:by:etl_loader:role:clinical_analyst',
      'future:usage:schemas:database:ehr:by:postgres:role:data_scientist',
      'future:usage:sequences:schema:ehr.clinical:by:etl_loader:role:data_scientist',
      'future:usage:types:database:ehr:by:postgres:role:PUBLIC',
      'future:usage:types:schema:ehr.clinical:by:etl_loader:role:clinical_analyst',
    ]);
  });
});
