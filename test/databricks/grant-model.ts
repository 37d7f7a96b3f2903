/**
 * DatabricksGrantModel: a model of Unity Catalog grant semantics, a TEST DOUBLE.
 * It stores DIRECT grants only (the server's inheritance is what the reader must
 * recompute), parses back the GRANT/REVOKE forms our compiler emits, and answers the
 * reader's information_schema queries with documented columns. REVOKE of a privilege
 * that is not granted directly is a no-op, as on the server; REVOKE of one part of
 * ALL PRIVILEGES does nothing either (the server stores ALL PRIVILEGES as one grant).
 */
import type { QueryFn } from '../../src/dialects/types.js';

export interface DirectGrant { kind: 'CATALOG' | 'SCHEMA' | 'TABLE'; name: string[]; word: string; principal: string }

function tokenize(sql: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === ' ') { i++; continue; }
    if (c === '`') {
      let j = i + 1; let v = '';
      for (;;) { if (sql[j] === '`') { if (sql[j + 1] === '`') { v += '`'; j += 2; continue; } break; } v += sql[j++]; }
      out.push('I:' + v); i = j + 1; continue;
    }
    if (c === ',' || c === '.') { out.push(c); i++; continue; }
    let j = i; while (j < sql.length && !' ,.`'.includes(sql[j])) j++;
    out.push(sql.slice(i, j)); i = j;
  }
  return out;
}

export class DatabricksGrantModel {
  groups = new Set<string>();
  grants = new Set<string>();
  schemas: [string, string][] = [];
  tables: [string, string, string][] = [];
  query: QueryFn = async (sql) => this.run(sql);

  private all(): DirectGrant[] { return [...this.grants].map((g) => JSON.parse(g)); }

  /** The answer to one statement, synchronously (a wire stub answers with it). */
  run(sql: string): Record<string, unknown>[] {
    if (sql === 'SHOW GROUPS') return [...this.groups].map((name) => ({ name }));
    if (sql.startsWith('SELECT')) {
      const from = / FROM system\.information_schema\.(\w+)/.exec(sql)![1];
      const rows = (kind: DirectGrant['kind']) => this.all().filter((g) => g.kind === kind);
      switch (from) {
        case 'catalog_privileges': return rows('CATALOG').map((g) => ({ grantor: 'admin', grantee: g.principal, catalog_name: g.name[0], privilege_type: g.word, inherited_from: 'NONE' }));
        case 'schema_privileges': return rows('SCHEMA').map((g) => ({ grantor: 'admin', grantee: g.principal, catalog_name: g.name[0], schema_name: g.name[1], privilege_type: g.word, inherited_from: 'NONE' }));
        case 'table_privileges': {
          // The server also lists inherited rows: the reader must skip them.
          const inherited = rows('SCHEMA').filter((g) => g.word === 'SELECT').flatMap((g) => this.tables.filter((t) => t[0] === g.name[0] && t[1] === g.name[1])
            .map((t) => ({ grantor: 'admin', grantee: g.principal, table_catalog: t[0], table_schema: t[1], table_name: t[2], privilege_type: 'SELECT', inherited_from: 'SCHEMA' })));
          return [...rows('TABLE').map((g) => ({ grantor: 'admin', grantee: g.principal, table_catalog: g.name[0], table_schema: g.name[1], table_name: g.name[2], privilege_type: g.word, inherited_from: 'NONE' })), ...inherited];
        }
        case 'schemata': return this.schemas.map(([c, s]) => ({ catalog_name: c, schema_name: s }));
        case 'tables': return this.tables.map(([c, s, n]) => ({ table_catalog: c, table_schema: s, table_name: n, table_type: 'MANAGED' }));
        // Policies are not modelled by this double (no policy DDL is ever sent to it).
        case 'columns': case 'routines': case 'column_masks': case 'row_filters': return [];
      }
      throw new Error(`model: ${sql}`);
    }
    const t = tokenize(sql);
    const grant = t[0] === 'GRANT';
    if (!grant && t[0] !== 'REVOKE') throw new Error(`model: unsupported ${sql}`);
    let p = 1; const words: string[] = [];
    for (;;) { let w = t[p++]; while (t[p] !== ',' && t[p] !== 'ON') w += ' ' + t[p++]; words.push(w); if (t[p] === 'ON') break; p++; }
    p++; const kind = t[p++] as DirectGrant['kind'];
    const name = [t[p++].slice(2)]; while (t[p] === '.') { p++; name.push(t[p++].slice(2)); }
    p++; const principal = t[p].slice(2);
    if (!this.groups.has(principal)) throw new Error(`[PRINCIPAL_DOES_NOT_EXIST] ${principal}`);
    for (const word of words) {
      const k = JSON.stringify({ kind, name, word, principal });
      if (grant) this.grants.add(k); else this.grants.delete(k);
    }
    return [];
  }
}
