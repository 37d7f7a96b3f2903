/**
 * SnowflakeGrantModel: a model of Snowflake's grant semantics, a TEST DOUBLE. It
 * parses back the statements our compiler emits (only those forms), keeps roles,
 * memberships, grants and future grants in memory, and answers the catalog commands
 * the reader sends with rows shaped like Snowflake's documented output. It is not a
 * SQL engine.
 */
import type { QueryFn } from '../../src/dialects/types.js';

type Row = Record<string, string | null>;
export interface ModelGrant { role: string; privilege: string; on: 'DATABASE' | 'SCHEMA' | 'TABLE' | 'VIEW'; name: string[] }

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
    if (t[0] === 'SHOW' && t[1] === 'GRANTS') {
      p = 4; const role = ident();
      if (t[2] === 'TO') {
        const rows: Row[] = [];
        for (const g of [...this.grants].map((x) => JSON.parse(x) as ModelGrant)) {
          // A view may be reported either way: report views as TABLE half the time.
          if (g.role === role) rows.push({ privilege: g.privilege, granted_on: g.on === 'VIEW' && g.name[2].length % 2 ? 'TABLE' : g.on, name: showName(g.name), granted_to: 'ROLE', grantee_name: role, grant_option: 'false', granted_by: '' });
        }
        for (const m of [...this.memberships].map((x) => JSON.parse(x) as string[])) {
          if (m[1] === 'ROLE' && m[2] === role) rows.push({ privilege: 'USAGE', granted_on: 'ROLE', name: showName([m[0]]), granted_to: 'ROLE', grantee_name: role, grant_option: 'false', granted_by: 'SECURITYADMIN' });
        }
        rows.push({ privilege: 'MONITOR', granted_on: 'WAREHOUSE', name: 'WH', granted_to: 'ROLE', grantee_name: role, grant_option: 'false', granted_by: '' });
        return rows;
      }
      return [...this.memberships].map((x) => JSON.parse(x) as string[]).filter((m) => m[0] === role).map((m) => ({ role, granted_to: m[1], grantee_name: m[2], granted_by: '' }));
    }
    if (t[0] === 'SHOW' && t[1] === 'FUTURE') {
      p = 5; const [db, schema] = dotted();
      if (!this.schemas.has(JSON.stringify([db, schema]))) throw Object.assign(new Error('does not exist'), { code: '002003' });
      return [...this.future].map((x) => JSON.parse(x) as string[]).filter((f) => f[0] === db && f[1] === schema)
        .map((f) => ({ privilege: f[2], grant_on: 'TABLE', name: `${showName([db, schema])}.<TABLE>`, grant_to: 'ROLE', grantee_name: f[3], grant_option: 'false' }));
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
}
