/**
 * SnowflakeGrantModel: a model of Snowflake's grant semantics, a TEST DOUBLE. It
 * parses back the statements our compiler emits (only those forms), keeps roles,
 * memberships, grants and future grants in memory, and answers the catalog commands
 * the reader sends with rows shaped like Snowflake's documented output. It is not a
 * SQL engine.
 */
import type { QueryFn } from '../../src/dialects/types.js';

type Row = Record<string, string | null>;
export interface ModelGrant { role: string; privilege: string; on: 'DATABASE' | 'SCHEMA' | 'TABLE' | 'VIEW'; name: string[]; by?: string }

function tokenize(sql: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === ' ') { i++; continue; }
    if (c === '"' || c === "'") {
      let j = i + 1; let v = '';
      for (;;) {
        if (sql[j] === '\\' && c === "'") { v += sql[j + 1]; j += 2; continue; }
        if (sql[j] === c) { if (sql[j + 1] === c) { v += c; j += 2; continue; } break; }
        if (j >= sql.length) throw new Error(`unterminated in ${sql}`);
        v += sql[j++];
      }
      out.push((c === '"' ? 'I:' : 'S:') + v); i = j + 1; continue;
    }
    if (c === ',' || c === '.' || c === '=') { out.push(c); i++; continue; }
    let j = i; while (j < sql.length && !' ,.="\''.includes(sql[j])) j++;
    out.push(sql.slice(i, j)); i = j;
  }
  return out;
}

const showName = (parts: string[]) => parts.map((p) => (/^[A-Z_][A-Z0-9_$]*$/.test(p) ? p : `"${p.replace(/"/g, '""')}"`)).join('.');

export class SnowflakeGrantModel {
  roles = new Map<string, string | null>(); // name -> comment
  users = new Set<string>();
  memberships = new Set<string>(); // JSON [role, kind, member]
  grants = new Set<string>(); // JSON ModelGrant
  future = new Set<string>(); // JSON [db, schema, privilege, role]
  tables: { db: string; schema: string; name: string; view: boolean }[] = [];
  schemas = new Set<string>(); // JSON [db, schema]
  statements: string[] = [];
  /** Columns per table (JSON [db, schema, table]) -> [name, DATA_TYPE][]; absent: none. */
  columns = new Map<string, [string, string][]>();
  /** Policies (JSON [kind, db, schema, name]) -> comment; kind MASKING_POLICY | ROW_ACCESS_POLICY. */
  policies = new Map<string, string | null>();
  /** Attachments: JSON [db, schema, table, column|null] -> policy key (as in `policies`). */
  attachments = new Map<string, string>();
  /** Policy bodies as DESCRIBE returns them (the text after `->`, as written). */
  bodies = new Map<string, string>();
  /** Schemas made by CREATE SCHEMA (JSON [db, schema]) -> comment. */
  schemaComments = new Map<string, string | null>();
  /** Tables made by CREATE TABLE (JSON [db, schema, table]) -> their rows (one string column). */
  madeTables = new Map<string, string[]>();
  /** Database-level future grants: [db, grant_on (SCHEMA|TABLE), privilege, role]; they reach schemas and tables created later. */
  futureInDb: [string, 'SCHEMA' | 'TABLE', string, string][] = [];
  /** The role statements run as: it owns what it creates. */
  currentRole = 'RBAC_ADMIN';
  /** Tags that exist (JSON [db, schema, name]) -> the masking policies set on them (keys as in `policies`). */
  tagPolicies = new Map<string, string[]>();
  /** Tags set on columns: JSON [db, schema, table, column] -> JSON tag [db, schema, name] -> value. */
  columnTagValues = new Map<string, Map<string, string>>();
  /** Tags a table inherits (set on the table): JSON [db, schema, table] -> [tag JSON, value][]. */
  tableTags = new Map<string, [string, string][]>();

  query: QueryFn = async (sql) => this.run(sql);

  private run(sql: string): Row[] {
    const t = tokenize(sql);
    let p = 0;
    const word = (w: string) => { if (t[p] !== w) throw new Error(`model: expected ${w} at ${p} in ${sql}`); p++; };
    const ident = () => { const x = t[p++]; if (!x?.startsWith('I:')) throw new Error(`model: expected identifier in ${sql}`); return x.slice(2); };
    const dotted = () => { const parts = [ident()]; while (t[p] === '.') { p++; parts.push(ident()); } return parts; };
    const privs = () => { const ps: string[] = []; for (;;) { let w = t[p++]; if (w === 'CREATE') w += ' ' + t[p++]; ps.push(w); if (t[p] !== ',') return ps; p++; } };
    if (sql === 'SHOW ROLES') return [...this.roles].map(([name, comment]) => ({ name, comment, owner: 'USERADMIN' }));
    if (sql === 'SHOW USERS') return [...this.users].map((name) => ({ name, login_name: name }));
    if (sql === 'SHOW DATABASES') return [...new Set([...this.schemas].map((x) => JSON.parse(x)[0] as string))].map((name) => ({ name, origin: '', kind: 'STANDARD' }));
    if (t[0] === 'SHOW' && t[1] === 'GRANTS' && t[2] === 'ON') {
      p = 4; const name = dotted(); const on = t[3];
      if (!this.exists(on, name)) throw Object.assign(new Error('does not exist'), { code: '002003' });
      return [...this.grants].map((x) => JSON.parse(x) as ModelGrant).filter((g) => g.on === on && JSON.stringify(g.name) === JSON.stringify(name))
        .map((g) => ({ created_on: '2024-01-01', privilege: g.privilege, granted_on: on, name: showName(name), granted_to: 'ROLE', grantee_name: g.role, grant_option: 'false', granted_by: g.by ?? 'SECURITYADMIN' }));
    }
    if (t[0] === 'SHOW' && t[1] === 'GRANTS') {
      p = 4; const role = ident();
      if (t[2] === 'TO') {
        const rows: Row[] = [];
        for (const g of [...this.grants].map((x) => JSON.parse(x) as ModelGrant)) {
          // A view may be reported either way: report views as TABLE half the time.
          if (g.role === role) rows.push({ privilege: g.privilege, granted_on: g.on === 'VIEW' && g.name[2].length % 2 ? 'TABLE' : g.on, name: showName(g.name), granted_to: 'ROLE', grantee_name: role, grant_option: 'false', granted_by: 'SECURITYADMIN' });
        }
        for (const m of [...this.memberships].map((x) => JSON.parse(x) as string[])) {
          if (m[1] === 'ROLE' && m[2] === role) rows.push({ privilege: 'USAGE', granted_on: 'ROLE', name: showName([m[0]]), granted_to: 'ROLE', grantee_name: role, grant_option: 'false', granted_by: 'SECURITYADMIN' });
        }
        rows.push({ privilege: 'MONITOR', granted_on: 'WAREHOUSE', name: 'WH', granted_to: 'ROLE', grantee_name: role, grant_option: 'false', granted_by: '' });
        return rows;
      }
      return [...this.memberships].map((x) => JSON.parse(x) as string[]).filter((m) => m[0] === role).map((m) => ({ role, granted_to: m[1], grantee_name: m[2], granted_by: 'SECURITYADMIN' }));
    }
    if (t[0] === 'SHOW' && t[1] === 'FUTURE') {
      if (t[4] === 'DATABASE') {
        p = 5; const db = ident();
        return this.futureInDb.filter((f) => f[0] === db).map((f) => ({ created_on: '2024-01-01', privilege: f[2], grant_on: f[1], name: `${showName([db])}.<${f[1]}>`, grant_to: 'ROLE', grantee_name: f[3], grant_option: 'false' }));
      }
      p = 5; const [db, schema] = dotted();
      if (!this.schemas.has(JSON.stringify([db, schema]))) throw Object.assign(new Error('does not exist'), { code: '002003' });
      return [...this.future].map((x) => JSON.parse(x) as string[]).filter((f) => f[0] === db && f[1] === schema)
        .map((f) => ({ privilege: f[2], grant_on: 'TABLE', name: `${showName([db, schema])}.<TABLE>`, grant_to: 'ROLE', grantee_name: f[3], grant_option: 'false' }));
    }
    if (t[0] === 'SHOW' && (t[1] === 'MASKING' || t[1] === 'ROW')) {
      const kind = t[1] === 'MASKING' ? 'MASKING_POLICY' : 'ROW_ACCESS_POLICY';
      p = t.indexOf('DATABASE') + 1; const db = ident();
      return [...this.policies].map(([k, comment]) => [JSON.parse(k) as string[], comment] as const).filter(([k]) => k[0] === kind && k[1] === db)
        .map(([k, comment]) => ({ created_on: '2024-01-01', name: k[3], database_name: k[1], schema_name: k[2], kind: kind.replace(/_POLICY$/, '').replace('_', ' '), owner: 'SECURITYADMIN', comment, owner_role_type: 'ROLE', options: '' }));
    }
    if (t[0] === 'SELECT' && t[1] === 'TAG_DATABASE') {
      // TAG_REFERENCES_ALL_COLUMNS('"D"."S"."T"', 'table'): tags set on each column, and those inherited from the table.
      const lit = t.find((x) => x.startsWith('S:'))!.slice(2);
      const name = tokenize(lit).filter((x) => x !== '.').map((x) => x.slice(2));
      if (!this.exists('TABLE', name)) throw Object.assign(new Error('does not exist'), { code: '002003' });
      const cols = (this.columns.get(JSON.stringify(name)) ?? []).map(([c]) => c);
      const rows: Row[] = [];
      const row = (tag: string, value: string, level: string, column: string) => {
        const [td, ts, tn] = JSON.parse(tag) as string[];
        rows.push({ TAG_DATABASE: td, TAG_SCHEMA: ts, TAG_NAME: tn, TAG_VALUE: value, LEVEL: level, OBJECT_DATABASE: name[0], OBJECT_SCHEMA: name[1], OBJECT_NAME: name[2], DOMAIN: 'COLUMN', COLUMN_NAME: column });
      };
      for (const c of cols) {
        for (const [tag, v] of this.columnTagValues.get(JSON.stringify([...name, c])) ?? []) row(tag, v, 'COLUMN', c);
        for (const [tag, v] of this.tableTags.get(JSON.stringify(name)) ?? []) row(tag, v, 'TABLE', c);
      }
      return rows;
    }
    if (t[0] === 'ALTER' && t[1] === 'TABLE' && t.includes('TAG')) {
      this.statements.push(sql);
      p = 2; const table = dotted(); word('MODIFY'); word('COLUMN'); const col = ident();
      const set = t[p] === 'SET'; p += 2; const tag = JSON.stringify(dotted());
      if (!this.tagPolicies.has(tag)) throw Object.assign(new Error('tag does not exist'), { code: '002003' });
      if (!(this.columns.get(JSON.stringify(table)) ?? []).some(([c]) => c === col)) throw Object.assign(new Error('column does not exist'), { code: '002003' });
      const k = JSON.stringify([...table, col]);
      const m = this.columnTagValues.get(k) ?? this.columnTagValues.set(k, new Map()).get(k)!;
      if (set) { word('='); m.set(tag, t[p].slice(2)); }
      else if (!m.delete(tag)) throw Object.assign(new Error('tag not set on the column'), { code: '002003' });
      return [];
    }
    if (t[0] === 'SELECT' && t[1] === 'POLICY_DB') {
      // POLICY_NAME => '"D"."S"."P"': the literal holds a quoted dotted name.
      const lit = t.find((x) => x.startsWith('S:'))!.slice(2);
      const parts = tokenize(lit).filter((x) => x !== '.').map((x) => x.slice(2));
      const rows: Row[] = [];
      for (const [a, pk] of this.attachments) {
        const pol = JSON.parse(pk) as string[];
        if (JSON.stringify(pol.slice(1)) !== JSON.stringify(parts)) continue;
        const [db, schema, table, column] = JSON.parse(a) as (string | null)[];
        rows.push({ POLICY_DB: pol[1], POLICY_SCHEMA: pol[2], POLICY_NAME: pol[3], POLICY_KIND: pol[0], REF_DATABASE_NAME: db, REF_SCHEMA_NAME: schema, REF_ENTITY_NAME: table, REF_ENTITY_DOMAIN: 'TABLE', REF_COLUMN_NAME: column, REF_ARG_COLUMN_NAMES: null, TAG_DATABASE: null, TAG_SCHEMA: null, TAG_NAME: null, POLICY_STATUS: 'ACTIVE' });
      }
      // Tag-based masking: the policy's row on each tag, and a row per column masked through it.
      const pk = JSON.stringify(['MASKING_POLICY', ...parts]);
      for (const [tag, pols] of this.tagPolicies) {
        if (!pols.includes(pk)) continue;
        const [td, ts, tn] = JSON.parse(tag) as string[];
        rows.push({ POLICY_DB: parts[0], POLICY_SCHEMA: parts[1], POLICY_NAME: parts[2], POLICY_KIND: 'MASKING_POLICY', REF_DATABASE_NAME: td, REF_SCHEMA_NAME: ts, REF_ENTITY_NAME: tn, REF_ENTITY_DOMAIN: 'TAG', REF_COLUMN_NAME: null, REF_ARG_COLUMN_NAMES: null, TAG_DATABASE: null, TAG_SCHEMA: null, TAG_NAME: null, POLICY_STATUS: null });
        for (const [ck, tagsOn] of this.columnTagValues) {
          if (!tagsOn.has(tag)) continue;
          const [db, schema, table, column] = JSON.parse(ck) as string[];
          rows.push({ POLICY_DB: parts[0], POLICY_SCHEMA: parts[1], POLICY_NAME: parts[2], POLICY_KIND: 'MASKING_POLICY', REF_DATABASE_NAME: db, REF_SCHEMA_NAME: schema, REF_ENTITY_NAME: table, REF_ENTITY_DOMAIN: 'TABLE', REF_COLUMN_NAME: column, REF_ARG_COLUMN_NAMES: null, TAG_DATABASE: td, TAG_SCHEMA: ts, TAG_NAME: tn, POLICY_STATUS: this.attachments.has(ck) ? 'MULTIPLE_MASKING_POLICY_ASSIGNED_TO_THE_COLUMN' : 'ACTIVE' });
        }
      }
      return rows;
    }
    if (t[0] === 'SELECT' && t[3] === 'SCHEMA_NAME') {
      // rbac's tool schema: SCHEMATA left joined with TABLES (the salt table).
      p = t.indexOf('FROM') + 1; const db = ident();
      const want = t.filter((x) => x.startsWith('S:')).map((x) => x.slice(2));
      const [table, schema] = want;
      return [...this.schemaComments].map(([k, comment]) => [JSON.parse(k) as string[], comment] as const).filter(([k]) => k[0] === db && k[1] === schema)
        .map(([, comment]) => ({ SCHEMA_NAME: schema, COMMENT: comment, TABLE_NAME: this.madeTables.has(JSON.stringify([db, schema, table])) ? table : null }));
    }
    if (t[0] === 'CREATE' && (t[1] === 'SCHEMA' || t[1] === 'TABLE')) {
      this.statements.push(sql);
      p = t.indexOf('EXISTS') + 1; const name = dotted();
      if (this.exists(t[1], name)) return [];
      if (t[1] === 'SCHEMA') {
        const i = t.lastIndexOf('COMMENT');
        this.schemaComments.set(JSON.stringify(name), i >= 0 ? t[i + 2].slice(2) : null);
        this.schemas.add(JSON.stringify(name));
      } else {
        if (!this.exists('SCHEMA', name.slice(0, 2))) throw Object.assign(new Error('schema does not exist'), { code: '002003' });
        this.madeTables.set(JSON.stringify(name), []);
      }
      this.grants.add(JSON.stringify({ role: this.currentRole, privilege: 'OWNERSHIP', on: t[1], name, by: this.currentRole }));
      // What the database's future grants give a new object, as Snowflake does.
      for (const f of this.futureInDb) if (f[0] === name[0] && f[1] === t[1]) this.grants.add(JSON.stringify({ role: f[3], privilege: f[2], on: t[1], name }));
      return [];
    }
    if (t[0] === 'INSERT') {
      this.statements.push(sql);
      p = 2; const name = dotted();
      const rows = this.madeTables.get(JSON.stringify(name));
      if (!rows) throw Object.assign(new Error('table does not exist'), { code: '002003' });
      // SELECT <salt generated by Snowflake> FROM (SELECT COUNT(*) ...) WHERE N = 0
      if (!rows.length) rows.push(`salt-${Math.random().toString(36).slice(2)}`);
      return [];
    }
    if (t[0] === 'REVOKE' && t[1] === 'ALL' && t[2] === 'PRIVILEGES') {
      this.statements.push(sql);
      p = 5; const on = t[4]; const name = dotted(); word('FROM'); word('ROLE'); const role = ident();
      for (const x of [...this.grants]) { const g = JSON.parse(x) as ModelGrant; if (g.role === role && g.on === on && JSON.stringify(g.name) === JSON.stringify(name) && g.privilege !== 'OWNERSHIP') this.grants.delete(x); }
      return [];
    }
    if (t[0] === 'SELECT' && t[5] === 'COLUMN_NAME') {
      p = t.indexOf('FROM') + 1; const db = ident();
      const rows: Row[] = [];
      for (const [k, cols] of this.columns) { const [d, schema, name] = JSON.parse(k) as string[]; if (d === db) for (const [c, type] of cols) rows.push({ TABLE_SCHEMA: schema, TABLE_NAME: name, COLUMN_NAME: c, DATA_TYPE: type }); }
      return rows;
    }
    if (t[0] === 'DESCRIBE') {
      const kind = t[1] === 'MASKING' ? 'MASKING_POLICY' : 'ROW_ACCESS_POLICY';
      p = t.indexOf('POLICY') + 1;
      const k = JSON.stringify([kind, ...dotted()]);
      if (!this.policies.has(k)) throw Object.assign(new Error('does not exist'), { code: '002003' });
      return [{ name: JSON.parse(k)[3], signature: '(VAL VARCHAR)', return_type: 'VARCHAR', body: this.bodies.get(k) ?? '' }];
    }
    if (t.includes('POLICY') && (t[0] === 'CREATE' || t[0] === 'DROP' || (t[0] === 'ALTER' && t[1] !== 'ROLE'))) {
      this.statements.push(sql);
      return this.policyStatement(sql, t);
    }
    if (t[0] === 'SELECT') {
      p = t.indexOf('FROM') + 1; const db = ident();
      return this.tables.filter((x) => x.db === db).map((x) => ({ TABLE_SCHEMA: x.schema, TABLE_NAME: x.name, TABLE_TYPE: x.view ? 'VIEW' : 'BASE TABLE' }));
    }
    this.statements.push(sql);
    if (t[0] === 'CREATE') { p = 5; const r = ident(); if (!this.roles.has(r)) this.roles.set(r, t[p] === 'COMMENT' ? t[p + 2].slice(2) : null); return []; }
    if (t[0] === 'ALTER') { p = 2; const r = ident(); this.roles.set(r, t[p] === 'SET' ? t[p + 3].slice(2) : null); return []; }
    if (t[0] === 'DROP') {
      p = 4; const r = ident(); this.roles.delete(r);
      for (const x of [...this.grants]) if ((JSON.parse(x) as ModelGrant).role === r) this.grants.delete(x);
      for (const x of [...this.memberships]) { const m = JSON.parse(x); if (m[0] === r || (m[1] === 'ROLE' && m[2] === r)) this.memberships.delete(x); }
      for (const x of [...this.future]) if (JSON.parse(x)[3] === r) this.future.delete(x);
      return [];
    }
    const grant = t[0] === 'GRANT';
    if (!grant && t[0] !== 'REVOKE') throw new Error(`model: unsupported ${sql}`);
    p = 1;
    if (t[1] === 'ROLE') {
      p = 2; const role = ident(); word(grant ? 'TO' : 'FROM'); const kind = t[p++]; const member = ident();
      if (!this.roles.has(role)) throw Object.assign(new Error(`role ${role} does not exist`), { code: '002003' });
      const k = JSON.stringify([role, kind, member]);
      if (grant) this.memberships.add(k); else this.memberships.delete(k);
      return [];
    }
    const ps = privs();
    word('ON');
    if (t[p] === 'FUTURE') {
      p += 4; const [db, schema] = dotted(); word(grant ? 'TO' : 'FROM'); word('ROLE'); const role = ident();
      for (const pr of ps) { const k = JSON.stringify([db, schema, pr, role]); if (grant) this.future.add(k); else this.future.delete(k); }
      return [];
    }
    const on = t[p++] as ModelGrant['on']; const name = dotted(); word(grant ? 'TO' : 'FROM'); word('ROLE'); const role = ident();
    if (!this.roles.has(role) && role !== 'PUBLIC') throw Object.assign(new Error(`role ${role} does not exist`), { code: '002003' });
    for (const pr of ps) {
      // Grants on a view and on a table key alike in Snowflake: one object.
      const norm = (g: ModelGrant) => JSON.stringify({ role: g.role, privilege: g.privilege, on: g.on === 'VIEW' ? 'TABLE' : g.on, name: g.name });
      const mine = norm({ role, privilege: pr, on, name });
      for (const x of [...this.grants]) if (norm(JSON.parse(x)) === mine) this.grants.delete(x);
      if (grant) this.grants.add(JSON.stringify({ role, privilege: pr, on, name }));
    }
    return [];
  }

  /** Whether a schema or table the model made exists (other objects: the fixed `schemas`/`tables`). */
  private exists(on: string, name: string[]): boolean {
    if (on === 'SCHEMA') return this.schemaComments.has(JSON.stringify(name)) || this.schemas.has(JSON.stringify(name));
    if (on === 'TABLE') return this.madeTables.has(JSON.stringify(name)) || this.tables.some((x) => JSON.stringify([x.db, x.schema, x.name]) === JSON.stringify(name));
    return true;
  }

  /** Policy DDL as our compiler writes it; Snowflake's refusals (attached policy) are modelled. */
  private policyStatement(sql: string, t: string[]): Row[] {
    const err = (m: string) => Object.assign(new Error(m), { code: '002003' });
    const dottedAt = (i: number) => { const parts = [t[i].slice(2)]; while (t[i + 1] === '.') { i += 2; parts.push(t[i].slice(2)); } return parts; };
    const at = (w: string) => t.indexOf(w);
    const commentOf = () => { const i = t.lastIndexOf('COMMENT'); return i >= 0 && t[i + 1] === '=' ? t[i + 2].slice(2) : null; };
    const attachedTo = (k: string) => [...this.attachments.values()].includes(k) || [...this.tagPolicies.values()].some((ps) => ps.includes(k));
    if (t[0] === 'ALTER' && t[1] === 'TAG') {
      const tag = JSON.stringify(dottedAt(2));
      const pols = this.tagPolicies.get(tag);
      if (!pols) throw err('tag does not exist');
      const k = JSON.stringify(['MASKING_POLICY', ...dottedAt(at('POLICY') + 1)]);
      if (!this.policies.has(k)) throw err('policy does not exist');
      if (t.includes('SET')) {
        // A tag takes one policy per data type; the model's policies are all one type unless they are year.
        if (pols.includes(k)) throw err('policy already set on the tag');
        pols.push(k);
      } else {
        if (!pols.includes(k)) throw err('policy not set on the tag');
        pols.splice(pols.indexOf(k), 1);
      }
      return [];
    }
    if (t[0] === 'CREATE') {
      const kind = t.includes('MASKING') ? 'MASKING_POLICY' : 'ROW_ACCESS_POLICY';
      const k = JSON.stringify([kind, ...dottedAt(at('POLICY') + 1)]);
      if (this.policies.has(k) && !t.includes('REPLACE')) throw err('already exists');
      if (attachedTo(k)) throw err(`policy ${k} is attached and cannot be replaced`);
      this.policies.set(k, commentOf());
      this.bodies.set(k, sql.slice(sql.indexOf('->') + 2, sql.lastIndexOf(' COMMENT = ')).trim());
      return [];
    }
    if (t[0] === 'DROP') {
      const kind = t[1] === 'MASKING' ? 'MASKING_POLICY' : 'ROW_ACCESS_POLICY';
      const i = at('EXISTS') >= 0 ? at('EXISTS') + 1 : at('POLICY') + 1;
      const k = JSON.stringify([kind, ...dottedAt(i)]);
      if (attachedTo(k)) throw err(`policy ${k} is attached and cannot be dropped`);
      this.policies.delete(k);
      return [];
    }
    if (t[1] === 'MASKING' || t[1] === 'ROW') {
      const kind = t[1] === 'MASKING' ? 'MASKING_POLICY' : 'ROW_ACCESS_POLICY';
      const k = JSON.stringify([kind, ...dottedAt(at('POLICY') + 1)]);
      if (!this.policies.has(k)) throw err(`policy ${k} does not exist`);
      if (t.includes('COMMENT')) this.policies.set(k, commentOf());
      else if (t.includes('BODY')) this.bodies.set(k, sql.slice(sql.indexOf('->') + 2).trim());
      return [];
    }
    // ALTER TABLE "D"."S"."T" ...
    const table = dottedAt(2);
    if (t.includes('MODIFY')) {
      const col = t[at('COLUMN') + 1].slice(2);
      const a = JSON.stringify([...table, col]);
      if (t.includes('UNSET')) { if (!this.attachments.delete(a)) throw err('no masking policy on the column'); return []; }
      const k = JSON.stringify(['MASKING_POLICY', ...dottedAt(at('POLICY') + 1)]);
      if (!this.policies.has(k)) throw err('policy does not exist');
      // FORCE replaces the policy a column already has, in one statement.
      if (this.attachments.has(a) && !t.includes('FORCE')) throw err('column already has a masking policy');
      this.attachments.set(a, k);
      return [];
    }
    const a = JSON.stringify([...table, null]);
    const k = JSON.stringify(['ROW_ACCESS_POLICY', ...dottedAt(at('POLICY') + 1)]);
    if (t.includes('ADD')) {
      if (!this.policies.has(k)) throw err('policy does not exist');
      if (this.attachments.has(a)) throw err('table already has a row access policy');
      this.attachments.set(a, k);
    } else if (this.attachments.get(a) === k) this.attachments.delete(a);
    else throw err('row access policy not attached to the table');
    return [];
  }
}
