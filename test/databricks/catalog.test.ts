/**
 * The Unity Catalog securables (src/dialects/databricks/catalog.ts): golden SQL for every
 * kind and privilege with hostile names (test/databricks/golden/securables.sql; set
 * UPDATE_GOLDEN=1 to rewrite it after a deliberate change, then read it), ownership
 * transfers, the catalog checked against the compiler's independent word list, and the
 * other platforms refusing the new kinds.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DATABRICKS_CATALOG } from '../../src/dialects/databricks/catalog.js';
import { DATABRICKS_WORDS, compileDatabricks, compileDatabricksPlan } from '../../src/dialects/databricks/compile.js';
import { CATALOGS } from '../../src/dialects/catalogs.js';
import { catalogKinds } from '../../src/model/catalog.js';
import { KIND_SHAPES } from '../../src/model/kinds.js';
import type { ObjectRef, SecurableKind } from '../../src/model/types.js';
import type { Plan } from '../../src/plan/types.js';

const golden = new URL('./golden/securables.sql', import.meta.url);
const HOSTILE = { database: 'e`hr', schema: 'x; drop table y; --', name: 'données "日本" ü' };
const PRINCIPAL = 'Data Engineers`';
const objectOf = (kind: SecurableKind): ObjectRef => {
  switch (KIND_SHAPES[kind]) {
    case 'account':
      return { kind, database: '' };
    case 'global':
      return { kind, database: '', name: `${kind} 'name' \`q\`` };
    case 'database':
      return { kind, database: HOSTILE.database };
    case 'schema':
      return { kind, database: HOSTILE.database, schema: HOSTILE.schema };
    default:
      return { kind, ...HOSTILE };
  }
};
const planOf = (changes: Plan['changes']): Plan => ({
  formatVersion: 1, platform: 'databricks', target: 't', mode: 'authoritative', changes, problems: [], liveFingerprint: '', summary: { add: 0, change: 0, remove: 0, destructive: 0 },
});

describe('golden SQL for every Unity Catalog securable and privilege, hostile names', () => {
  const lines: string[] = [];
  for (const kind of catalogKinds(DATABRICKS_CATALOG)) {
    lines.push(`-- ${kind}`);
    for (const p of DATABRICKS_CATALOG.kinds[kind]!.privileges) {
      const object = objectOf(kind);
      lines.push(...compileDatabricks({ kind: 'grant', role: PRINCIPAL, privileges: [p.word], object }));
      if (p.word !== 'ownership') lines.push(...compileDatabricks({ kind: 'revoke', role: PRINCIPAL, privileges: [p.word], object }));
    }
  }
  const text = `${lines.join('\n')}\n`;

  it('matches the golden file', () => {
    if (process.env.UPDATE_GOLDEN || !existsSync(golden)) writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });
  it('quotes every name: no statement holds a hostile part unquoted', () => {
    for (const l of lines.filter((x) => !x.startsWith('--'))) {
      expect(l).toMatch(/ (TO|FROM) (RECIPIENT )?`Data Engineers```$/);
      expect(l).not.toMatch(/[^`]x; drop/);
    }
  });
  it('the metastore is granted without a name', () => {
    expect(compileDatabricks({ kind: 'grant', role: 'platform', privileges: ['create_catalog', 'create_external_location'], object: { kind: 'metastore', database: '' } })).toEqual([
      'GRANT CREATE CATALOG, CREATE EXTERNAL LOCATION ON METASTORE TO `platform`',
    ]);
  });
  it('refuses a name Spark would substitute into (`${`)', () => {
    for (const object of [
      { kind: 'external_location', database: '', name: 'zone_${env:HOME}' } as ObjectRef,
      { kind: 'volume', database: 'ehr', schema: 'raw', name: '${x}' } as ObjectRef,
    ]) {
      expect(() => compileDatabricks({ kind: 'grant', role: 'g', privileges: [object.kind === 'volume' ? 'read_volume' : 'read_files'], object })).toThrow(/\$\{/);
    }
    expect(() => compileDatabricks({ kind: 'grant', role: '${system:user}', privileges: ['ownership'], object: { kind: 'database', database: 'ehr' } })).toThrow(/\$\{/);
  });
});

describe('ownership', () => {
  it('is transferred with ALTER ... SET OWNER TO, each relation kind with its own words', () => {
    const owner = (o: ObjectRef) => compileDatabricks({ kind: 'grant', role: 'platform', privileges: ['select', 'ownership'].filter((p) => o.kind !== 'database' || p === 'ownership'), object: o });
    expect(owner({ kind: 'view', database: 'ehr', schema: 'c', name: 'v' })).toEqual(['GRANT SELECT ON TABLE `ehr`.`c`.`v` TO `platform`', 'ALTER VIEW `ehr`.`c`.`v` SET OWNER TO `platform`']);
    expect(owner({ kind: 'materialized_view', database: 'ehr', schema: 'c', name: 'mv' })).toEqual(['GRANT SELECT ON TABLE `ehr`.`c`.`mv` TO `platform`', 'ALTER MATERIALIZED VIEW `ehr`.`c`.`mv` SET OWNER TO `platform`']);
    expect(owner({ kind: 'database', database: 'ehr' })).toEqual(['ALTER CATALOG `ehr` SET OWNER TO `platform`']);
  });
  it('is never granted by all, and a kind without a SQL transfer takes none', () => {
    for (const kind of catalogKinds(DATABRICKS_CATALOG)) {
      const def = DATABRICKS_CATALOG.kinds[kind]!;
      const own = def.privileges.find((p) => p.word === 'ownership');
      if (own) expect(own.notInAll, kind).toBe(true);
      expect(own !== undefined, `${kind}: ownership iff ownerSql`).toBe(def.ownerSql !== undefined);
    }
    expect(() => compileDatabricks({ kind: 'grant', role: 'g', privileges: ['ownership'], object: { kind: 'model', database: 'e', schema: 's', name: 'm' } })).toThrow(/ownership/);
  });
  it('a plan never drops an owner to nobody: a revoke of ownership sends nothing', () => {
    expect(compileDatabricksPlan(planOf([{ kind: 'revoke', role: 'g', privileges: ['ownership'], object: { kind: 'volume', database: 'e', schema: 's', name: 'v' } }]))).toEqual([]);
  });
});

describe('the catalog against the compiler', () => {
  it('every keyword of every kind is one DATABRICKS_WORDS lists for it (ownership aside)', () => {
    for (const kind of catalogKinds(DATABRICKS_CATALOG)) {
      const words = DATABRICKS_CATALOG.kinds[kind]!.privileges.filter((p) => p.word !== 'ownership').map((p) => p.sql);
      expect(words.filter((w) => !DATABRICKS_WORDS[kind]?.includes(w)), kind).toEqual([]);
    }
  });
  it('v1 all keeps its meaning on catalogs, schemas, tables and views; MANAGE is never part of all', () => {
    const all = (k: SecurableKind) => DATABRICKS_CATALOG.kinds[k]!.privileges.filter((p) => !p.notInAll).map((p) => p.word);
    expect(all('database')).toEqual(['usage', 'create']);
    expect(all('schema')).toEqual(['usage', 'create']);
    expect(all('table')).toEqual(['select', 'modify']);
    expect(all('view')).toEqual(['select']);
    for (const k of catalogKinds(DATABRICKS_CATALOG)) expect(all(k), k).not.toContain('manage');
  });
  it('the other platforms have none of the Unity Catalog kinds', () => {
    const only: SecurableKind[] = ['metastore', 'volume', 'model', 'streaming_table', 'external_location', 'storage_credential', 'service_credential', 'connection', 'share', 'recipient'];
    for (const platform of ['postgres', 'snowflake'] as const) for (const k of only) expect(CATALOGS[platform].kinds[k], `${platform} ${k}`).toBeUndefined();
  });
});
