/**
 * DatabricksGrantModel: a model of Unity Catalog grant semantics, a TEST DOUBLE.
 * It stores DIRECT grants and owners only (the server's inheritance is what the reader
 * must recompute), parses back the GRANT/REVOKE and ALTER ... OWNER TO forms our compiler
 * emits, and answers the reader's information_schema queries with documented columns,
 * listing inherited rows too (INHERITED_FROM set), as the server does. REVOKE of a
 * privilege that is not granted directly is a no-op, as on the server; REVOKE of one
 * part of ALL PRIVILEGES does nothing either (the server stores ALL PRIVILEGES as one
 * grant). `hive_metastore` rows (legacy table ACLs) are listed in the privilege views,
 * as a workspace with a Hive metastore shows them; nothing may change them.
 */
import type { QueryFn } from '../../src/dialects/types.js';

/** The securable words after ON (and after ALTER for owners). */
export type ModelKind =
  | 'METASTORE' | 'CATALOG' | 'SCHEMA' | 'TABLE' | 'VIEW' | 'VOLUME' | 'FUNCTION' | 'EXTERNAL LOCATION' | 'STORAGE CREDENTIAL' | 'SERVICE CREDENTIAL' | 'CONNECTION' | 'SHARE' | 'RECIPIENT';

export interface DirectGrant { kind: ModelKind; name: string[]; word: string; principal: string }

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

/** The privilege views: their kind and the columns naming the object. */
const VIEWS: Record<string, { kind: ModelKind[]; cols: string[] }> = {
  catalog_privileges: { kind: ['CATALOG'], cols: ['catalog_name'] },
  schema_privileges: { kind: ['SCHEMA'], cols: ['catalog_name', 'schema_name'] },
  table_privileges: { kind: ['TABLE', 'VIEW'], cols: ['table_catalog', 'table_schema', 'table_name'] },
  volume_privileges: { kind: ['VOLUME'], cols: ['volume_catalog', 'volume_schema', 'volume_name'] },
  routine_privileges: { kind: ['FUNCTION'], cols: ['routine_catalog', 'routine_schema', 'routine_name'] },
  external_location_privileges: { kind: ['EXTERNAL LOCATION'], cols: ['external_location_name'] },
  // Storage and service credentials, each row with its credential's purpose (joined from CREDENTIALS).
  credential_privileges: { kind: ['STORAGE CREDENTIAL', 'SERVICE CREDENTIAL'], cols: ['credential_name'] },
  connection_privileges: { kind: ['CONNECTION'], cols: ['connection_name'] },
  metastore_privileges: { kind: ['METASTORE'], cols: [] },
  // Delta Sharing: a recipient's SELECT on a share; the grantee column is RECIPIENT_NAME.
  share_recipient_privileges: { kind: ['SHARE'], cols: ['share_name'] },
};

export class DatabricksGrantModel {
  groups = new Set<string>();
  grants = new Set<string>();
  /** JSON [kind, ...name] -> owner. */
  owners = new Map<string, string>();
  catalogs: string[] = ['ehr'];
  schemas: [string, string][] = [];
  tables: [string, string, string][] = [];
  views: [string, string, string][] = [];
  volumes: [string, string, string][] = [];
  functions: [string, string, string][] = [];
  globals: { kind: 'EXTERNAL LOCATION' | 'STORAGE CREDENTIAL' | 'SERVICE CREDENTIAL' | 'CONNECTION'; name: string }[] = [];
  /** Users and service principals (by application id): grantees, not listed by SHOW GROUPS. */
  users = new Set<string>();
  /** Delta Sharing recipients (grantees of `TO RECIPIENT` only). */
  recipients = new Set<string>();
  /** Legacy Hive table ACL rows shown in the privilege views (never changed). */
  hive: Record<string, unknown>[] = [];
  /** Every statement sent that changes something. */
  log: string[] = [];
  query: QueryFn = async (sql) => this.run(sql);

  private all(): DirectGrant[] { return [...this.grants].map((g) => JSON.parse(g)); }

  owner(kind: ModelKind, name: string[]): string { return this.owners.get(JSON.stringify([kind, ...name])) ?? 'admins'; }

  /** Children of a container, as [kind, name] (schemas of a catalog, objects of a schema). */
  private below(kind: ModelKind, name: string[]): [ModelKind, string[]][] {
    const inSchema = (c: string, s?: string): [ModelKind, string[]][] => [
      ...this.tables.filter((t) => t[0] === c && (s === undefined || t[1] === s)).map((t): [ModelKind, string[]] => ['TABLE', t]),
      ...this.views.filter((t) => t[0] === c && (s === undefined || t[1] === s)).map((t): [ModelKind, string[]] => ['VIEW', t]),
      ...this.volumes.filter((t) => t[0] === c && (s === undefined || t[1] === s)).map((t): [ModelKind, string[]] => ['VOLUME', t]),
      ...this.functions.filter((t) => t[0] === c && (s === undefined || t[1] === s)).map((t): [ModelKind, string[]] => ['FUNCTION', t]),
    ];
    if (kind === 'CATALOG') return [...this.schemas.filter((s) => s[0] === name[0]).map((s): [ModelKind, string[]] => ['SCHEMA', s]), ...inSchema(name[0])];
    if (kind === 'SCHEMA') return inSchema(name[0], name[1]);
    return [];
  }

  /** The answer to one statement, synchronously (a wire stub answers with it). */
  run(sql: string): Record<string, unknown>[] {
    if (sql === 'SHOW GROUPS') return [...this.groups].map((name) => ({ name }));
    if (sql.startsWith('SELECT')) {
      const from = / FROM system\.information_schema\.(\w+)/.exec(sql)![1];
      const view = VIEWS[from];
      if (view) {
        const row = (g: DirectGrant, name: string[], inherited: string) => ({
          grantor: 'admin', [from === 'share_recipient_privileges' ? 'recipient_name' : 'grantee']: g.principal, ...Object.fromEntries(view.cols.map((c, i) => [c, name[i]])),
          ...(from === 'metastore_privileges' ? { metastore_id: '11111111-2222' } : {}),
          privilege_type: g.word, is_grantable: 'NO', inherited_from: inherited,
          ...(from === 'credential_privileges' ? { credential_purpose: g.kind === 'SERVICE CREDENTIAL' ? 'SERVICE' : 'STORAGE' } : {}),
        });
        const direct = this.all().filter((g) => view.kind.includes(g.kind)).map((g) => row(g, g.name, 'NONE'));
        // The server lists what a catalog or schema grant gives below it, with INHERITED_FROM.
        const inherited = this.all().filter((g) => g.kind === 'CATALOG' || g.kind === 'SCHEMA').flatMap((g) =>
          this.below(g.kind, g.name).filter(([k]) => view.kind.includes(k)).map(([, n]) => row(g, n, g.kind)));
        const hive = this.hive.filter((r) => r.view === from).map(({ view: _v, ...r }) => r);
        return [...direct, ...inherited, ...hive];
      }
      switch (from) {
        case 'catalogs': return this.catalogs.map((c) => ({ catalog_name: c, catalog_owner: this.owner('CATALOG', [c]) }));
        case 'schemata': return this.schemas.map(([c, s]) => ({ catalog_name: c, schema_name: s, schema_owner: this.owner('SCHEMA', [c, s]) }));
        case 'tables': return [
          ...this.tables.map(([c, s, n]) => ({ table_catalog: c, table_schema: s, table_name: n, table_type: 'MANAGED', table_owner: this.owner('TABLE', [c, s, n]) })),
          ...this.views.map(([c, s, n]) => ({ table_catalog: c, table_schema: s, table_name: n, table_type: 'VIEW', table_owner: this.owner('TABLE', [c, s, n]) })),
        ];
        case 'volumes': return this.volumes.map(([c, s, n]) => ({ volume_catalog: c, volume_schema: s, volume_name: n, volume_owner: this.owner('VOLUME', [c, s, n]) }));
        case 'routines':
          // The policy-function query asks for the tool's marker in the comment: none here.
          if (sql.includes('startswith(comment')) return [];
          return this.functions.map(([c, s, n]) => ({ routine_catalog: c, routine_schema: s, routine_name: n, routine_owner: this.owner('FUNCTION', [c, s, n]) }));
        case 'external_locations': case 'connections': {
          const kind = from === 'external_locations' ? 'EXTERNAL LOCATION' : 'CONNECTION';
          const col = kind.toLowerCase().replace(' ', '_');
          return this.globals.filter((g) => g.kind === kind).map((g) => ({ [`${col}_name`]: g.name, [`${col}_owner`]: this.owner(kind, [g.name]) }));
        }
        case 'recipients':
          return [...this.recipients].map((r) => ({ recipient_name: r, recipient_owner: this.owner('RECIPIENT', [r]) }));
        case 'credentials':
          return this.globals.filter((g) => g.kind === 'STORAGE CREDENTIAL' || g.kind === 'SERVICE CREDENTIAL').map((g) => ({
            credential_name: g.name, credential_owner: this.owner(g.kind, [g.name]), credential_purpose: g.kind === 'SERVICE CREDENTIAL' ? 'SERVICE' : 'STORAGE',
          }));
        // Policies are not modelled by this double (no policy DDL is ever sent to it).
        case 'columns': case 'column_masks': case 'row_filters': return [];
      }
      throw new Error(`model: ${sql}`);
    }
    this.log.push(sql);
    const t = tokenize(sql);
    if (t[0] === 'ALTER') {
      let p = 1; const kindWords: string[] = [];
      while (!t[p].startsWith('I:')) kindWords.push(t[p++]);
      const name = [t[p++].slice(2)]; while (t[p] === '.') { p++; name.push(t[p++].slice(2)); }
      // `[ SET ] OWNER TO`: SET is optional but for materialized views, where it is required.
      const set = t[p] === 'SET';
      if (set) p++;
      if (t[p] !== 'OWNER' || t[p + 1] !== 'TO') throw new Error(`model: unsupported ${sql}`);
      if (!set && kindWords.join(' ') === 'MATERIALIZED VIEW') throw new Error(`[PARSE_SYNTAX_ERROR] ALTER MATERIALIZED VIEW needs SET OWNER TO: ${sql}`);
      const principal = t[p + 2].slice(2);
      if (!this.groups.has(principal) && !this.users.has(principal)) throw new Error(`[PRINCIPAL_DOES_NOT_EXIST] ${principal}`);
      // Views, materialized views and streaming tables share the tables' namespace.
      const kind = (['VIEW', 'MATERIALIZED VIEW', 'STREAMING TABLE'].includes(kindWords.join(' ')) ? 'TABLE' : kindWords.join(' ')) as ModelKind;
      this.owners.set(JSON.stringify([kind, ...name]), principal);
      return [];
    }
    const grant = t[0] === 'GRANT';
    if (!grant && t[0] !== 'REVOKE') throw new Error(`model: unsupported ${sql}`);
    let p = 1; const words: string[] = [];
    for (;;) { let w = t[p++]; while (t[p] !== ',' && t[p] !== 'ON') w += ' ' + t[p++]; words.push(w); if (t[p] === 'ON') break; p++; }
    p++;
    const kindWords: string[] = [];
    while (!t[p].startsWith('I:') && t[p] !== 'TO' && t[p] !== 'FROM') kindWords.push(t[p++]);
    const kind = kindWords.join(' ') as ModelKind;
    const name: string[] = [];
    if (t[p].startsWith('I:')) { name.push(t[p++].slice(2)); while (t[p] === '.') { p++; name.push(t[p++].slice(2)); } }
    if (name.some((n) => n.toLowerCase() === 'hive_metastore') || (kind === 'CATALOG' && name[0] === 'hive_metastore')) throw new Error(`model: a Unity Catalog statement on hive_metastore: ${sql}`);
    p++;
    const toRecipient = t[p] === 'RECIPIENT';
    if (toRecipient) p++;
    const principal = t[p].slice(2);
    // A share's SELECT goes to a recipient, and only a recipient takes it.
    if (toRecipient !== (kind === 'SHARE')) throw new Error(`model: a share is granted to a RECIPIENT, nothing else is: ${sql}`);
    if (!(toRecipient ? this.recipients.has(principal) : this.groups.has(principal) || this.users.has(principal))) throw new Error(`[PRINCIPAL_DOES_NOT_EXIST] ${principal}`);
    for (const word of words) {
      const k = JSON.stringify({ kind, name, word, principal });
      if (grant) this.grants.add(k); else this.grants.delete(k);
    }
    return [];
  }
}
