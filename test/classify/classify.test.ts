/**
 * `rbac classify` (issue 14): proposals from column names and comments on the embedded
 * demo (golden YAML), from recorded Snowflake TAG_REFERENCES and Databricks column_tags
 * rows, only SELECT statements sent, and a proposal that parses as YAML and, merged into
 * the configuration, validates. Golden files: test/classify/golden/ (UPDATE_GOLDEN=1
 * rewrites them after a deliberate change; then read them).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModule, parseSync } from 'libpg-query';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { commentCategory, nameCategory, propose, renderProposals, tagCategory } from '../../src/classify/classify.js';
import { classifyTarget, schemasInScope } from '../../src/classify/collect.js';
import { readSource, type ReadFn } from '../../src/classify/sources.js';
import { toDesired } from '../../src/config/desired.js';
import { loadProject } from '../../src/config/load.js';
import { resolveTarget } from '../../src/config/targets.js';
import { dialectFor, openAdapter } from '../../src/dialects/registry.js';
import { REPO_ROOT, cli, exampleConfig, removeDir, sqlOnDemo } from '../cli-workflows/helpers.js';

const GOLDEN = join(import.meta.dirname, 'golden');
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'classify');
const fixture = (name: string): Record<string, unknown>[] => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));

function golden(name: string, text: string): void {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

/** A reader over recorded rows that keeps every statement it was sent. */
function recorded(route: (sql: string) => Record<string, unknown>[]): { read: ReadFn; sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    read: async (sql) => {
      sent.push(sql);
      return route(sql);
    },
  };
}

describe('evidence', () => {
  it('names: the lint patterns plus the retained Safe Harbor forms', () => {
    expect(nameCategory('ssn')?.category).toBe('ssn');
    expect(nameCategory('birth_year')).toEqual({ category: 'date', why: 'a year or age reveals ages over 89' });
    expect(nameCategory('zip3')?.category).toBe('geographic');
    expect(nameCategory('patientAge')?.category).toBe('date');
    expect(nameCategory('facility_id')).toBeUndefined();
    expect(nameCategory('mrn_hash')).toBeUndefined();
  });
  it('comments: word runs the name patterns match, a bare "name" does not count', () => {
    expect(commentCategory('Patient date of birth (ISO 8601)')).toBe('date');
    expect(commentCategory("Free text; may hold the patient's SSN")).toBe('ssn');
    expect(commentCategory('Facility name')).toBeUndefined();
    expect(commentCategory('Three-digit ZIP prefix')).toBe('geographic');
  });
  it('tags: Snowflake semantic categories, Databricks class.* tags, a value naming our category', () => {
    expect(tagCategory({ tag: 'SEMANTIC_CATEGORY', value: 'NATIONAL_IDENTIFIER' })).toBe('ssn');
    expect(tagCategory({ tag: 'SEMANTIC_CATEGORY', value: 'US_SSN' })).toBe('ssn');
    expect(tagCategory({ tag: 'SEMANTIC_CATEGORY', value: 'US_DRIVERS_LICENSE' })).toBe('license_number');
    expect(tagCategory({ tag: 'SEMANTIC_CATEGORY', value: 'DATE_OF_BIRTH' })).toBe('date');
    expect(tagCategory({ tag: 'PRIVACY_CATEGORY', value: 'IDENTIFIER' })).toBeUndefined();
    expect(tagCategory({ tag: 'class.email_address', value: '' })).toBe('email');
    expect(tagCategory({ tag: 'phi_category', value: 'Health_Plan_Number' })).toBe('health_plan_number');
    expect(tagCategory({ tag: 'owner_team', value: 'clinical-data' })).toBeUndefined();
  });
  it('a tag outranks a comment and a name; disagreement is flagged', () => {
    const r = propose(
      { columns: [{ database: 'ehr', schema: 's', table: 't', column: 'zip3', comment: 'caller phone number' }], tags: [{ database: 'ehr', schema: 's', table: 't', column: 'zip3', tag: 'phi_category', value: 'geographic' }] },
      new Map(),
      (s) => s,
    );
    expect(r.proposals).toHaveLength(1);
    expect(r.proposals[0].category).toBe('geographic');
    expect(r.proposals[0].evidence.map((e) => `${e.kind}:${e.category}`)).toEqual(['tag:geographic', 'comment:telephone', 'name:geographic']);
    expect(r.proposals[0].conflicting).toBe(true);
  });
  it('a comment from the target cannot break out of its YAML comment', () => {
    const d = dialectFor('postgres');
    const r = propose({ columns: [{ database: 'ehr', schema: 's', table: 't', column: 'x', comment: 'SSN\nphi:\n  evil: ssn' }], tags: [] }, new Map(), (s) => s);
    const text = renderProposals(r, { target: 't', platform: 'postgres', dialect: d });
    expect(parseYaml(text)).toEqual({ phi: { 'ehr.s.t.x': 'ssn' } });
  });
  it('names that need quotes are written in config syntax', () => {
    const d = dialectFor('postgres');
    const r = propose({ columns: [{ database: 'ehr', schema: 'Clinical', table: 'pat.ients', column: 'SSN' }], tags: [] }, new Map(), (s) => s);
    const text = renderProposals(r, { target: 't', platform: 'postgres', dialect: d });
    expect(Object.keys(parseYaml(text).phi)).toEqual(['ehr."Clinical"."pat.ients"."SSN"']);
  });
});

describe('rbac classify: the command', () => {
  it('has its help and refuses positionals (exit 2)', async () => {
    const dir = await exampleConfig('rbac-i14-classify-help-');
    try {
      const h = await cli(dir, ['classify', '--help']);
      expect(h.code).toBe(0);
      expect(h.out).toMatch(/^rbac classify: propose phi: entries from the target \(read-only\)/);
      expect(h.out).toContain('--out');
      const bad = await cli(dir, ['classify', 'extra']);
      expect(bad.code).toBe(2);
    } finally {
      await removeDir(dir);
    }
  });
});

describe('rbac classify on the embedded demo', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await exampleConfig('rbac-i14-classify-');
  }, 120_000);
  afterAll(() => removeDir(dir));

  it('proposes birth_year as date and zip3 as geographic, leaves classified columns out (golden)', async () => {
    // A comment is evidence too: one a person wrote on an unclassified column.
    const r0 = await cli(dir, ['classify', '--out', 'proposed.yaml']);
    expect(r0.code, r0.err).toBe(0);
    await sqlOnDemo(dir, "COMMENT ON COLUMN clinical.encounters.encounter_type IS 'Admission type; for transfers the referring clinic''s phone number'; SELECT 1;");
    const r = await cli(dir, ['classify']);
    expect(r.code, r.err).toBe(0);
    golden('demo.yaml', r.out);
    const doc = parseYaml(r.out) as { phi: Record<string, string> };
    expect(doc.phi['ehr.clinical.patients.birth_year']).toBe('date');
    expect(doc.phi['ehr.clinical.patients.zip3']).toBe('geographic');
    expect(doc.phi['ehr.clinical.encounters.encounter_type']).toBe('telephone');
    expect(doc.phi['ehr.clinical.patients.ssn']).toBeUndefined();
    expect(r.out).toMatch(/^# {3}ehr\.clinical\.patients\.ssn: ssn$/m);
    // --out writes the same proposals (without the comment added since) and says where.
    expect(r0.out).toMatch(/proposed phi: entr(y|ies) written to proposed\.yaml/);
    const first = parseYaml(await readFile(join(dir, 'proposed.yaml'), 'utf8')) as { phi: Record<string, string> };
    expect({ ...first.phi, 'ehr.clinical.encounters.encounter_type': 'telephone' }).toEqual(doc.phi);
  });

  it('merged into the configuration, the proposal validates and classify then proposes nothing new', async () => {
    const text = (await cli(dir, ['classify'])).out;
    await writeFile(join(dir, 'grants', 'proposed-phi.yaml'), text);
    const v = await cli(dir, ['validate']);
    expect(v.code, v.err).toBe(0);
    const again = await cli(dir, ['classify']);
    expect(again.code).toBe(0);
    expect(parseYaml(again.out)).toEqual({ phi: {} });
    expect(again.out).toMatch(/^# {3}ehr\.clinical\.patients\.zip3: geographic$/m);
  });

  it('sends only SELECT statements, one catalog query per database', async () => {
    await loadModule();
    const { project } = await loadProject(dir);
    const target = resolveTarget(project, undefined, {});
    const adapter = await openAdapter(target, dir);
    try {
      const base = (adapter as unknown as { readQuery: ReadFn }).readQuery;
      const sent: string[] = [];
      const read: ReadFn = (sql, params, db) => {
        sent.push(sql);
        return base(sql, params, db);
      };
      const { desired } = toDesired(project, adapter.dialect);
      const result = await classifyTarget({ project, desired, dialect: adapter.dialect, read });
      // The previous test merged the proposals: everything in scope is now already classified.
      expect(result.alreadyClassified.length).toBeGreaterThan(0);
      expect(sent.length).toBeGreaterThan(0);
      // One catalog query per database in scope (ehr and research), nothing else.
      expect(sent).toHaveLength(schemasInScope(desired, project).size);
      expect(sent).toHaveLength(2);
      // A whole database (`database: ehr, objects: ...`): every schema but the catalog's.
      const whole = await readSource('postgres', read, new Map([['ehr', 'all']]), adapter.dialect);
      const schemas = new Set(whole.columns.map((c) => c.schema));
      expect([...schemas].sort()).toEqual(['billing', 'clinical']);
      for (const sql of sent) {
        const stmts = parseSync(sql).stmts;
        expect(stmts).toHaveLength(1);
        expect(Object.keys(stmts[0].stmt)).toEqual(['SelectStmt']);
      }
    } finally {
      await adapter.close();
    }
  });
});

describe('recorded platform rows', () => {
  it('a whole database reads every schema but the catalog schema', async () => {
    for (const platform of ['snowflake', 'databricks'] as const) {
      const { read, sent } = recorded(() => []);
      await readSource(platform, read, new Map([['ehr', 'all']]), dialectFor(platform));
      expect(sent[0]).toMatch(/WHERE (TABLE_SCHEMA <> 'INFORMATION_SCHEMA'|table_schema <> 'information_schema') ORDER BY/);
    }
  });

  it('Snowflake: INFORMATION_SCHEMA.COLUMNS comments and TAG_REFERENCES semantic categories (golden)', async () => {
    const { project } = await loadProject(REPO_ROOT);
    const d = dialectFor('snowflake');
    const { desired } = toDesired(project, d);
    const { read, sent } = recorded((sql) => {
      if (sql.includes('SNOWFLAKE.ACCOUNT_USAGE.TAG_REFERENCES')) return fixture('snowflake_tag_references.json');
      if (sql.startsWith('SELECT TABLE_SCHEMA') && sql.includes('"EHR".INFORMATION_SCHEMA.COLUMNS') && sql.includes("'CLINICAL'")) return fixture('snowflake_columns.json');
      return [];
    });
    const result = await classifyTarget({ project, desired, dialect: d, read });
    const text = renderProposals(result, { target: 'prod', platform: 'snowflake', dialect: d });
    golden('snowflake.yaml', text);
    const phi = (parseYaml(text) as { phi: Record<string, string> }).phi;
    expect(phi).toEqual({
      'ehr.clinical.encounters.badge_code': 'other_unique_id',
      'ehr.clinical.encounters.caller': 'telephone',
      'ehr.clinical.encounters.home_phone': 'telephone',
      'ehr.clinical.patients.birth_year': 'date',
      'ehr.clinical.patients.contact': 'email',
      'ehr.clinical.patients.national_id': 'ssn',
      'ehr.clinical.patients.zip3': 'geographic',
    });
    expect(text).toMatch(/# {3}tag: PRIVACY_CATEGORY = IDENTIFIER\n/);
    // A tag on a schema outside the scope (EHR.ANALYTICS) is not proposed.
    expect(text).not.toContain('analytics');
    // Merged into the example configuration, the proposals validate.
    const dir = await exampleConfig('rbac-i14-classify-sf-');
    try {
      await writeFile(join(dir, 'grants', 'proposed-phi.yaml'), text);
      const v = await cli(dir, ['validate']);
      expect(v.code, v.err).toBe(0);
    } finally {
      await removeDir(dir);
    }
    expect(sent.every((s) => /^SELECT /.test(s) && !s.includes(';'))).toBe(true);
    expect(sent.some((s) => s.includes("TAG_NAME IN ('SEMANTIC_CATEGORY', 'PRIVACY_CATEGORY')") && s.includes("OBJECT_DATABASE IN ('EHR'"))).toBe(true);
  });

  it('Databricks: information_schema.columns and column_tags (golden)', async () => {
    const { project } = await loadProject(REPO_ROOT);
    const d = dialectFor('databricks');
    const { desired } = toDesired(project, d);
    const { read, sent } = recorded((sql) => {
      if (sql.includes('`ehr`.information_schema.column_tags') && sql.includes("'clinical'")) return fixture('databricks_column_tags.json');
      if (sql.includes('`ehr`.information_schema.columns') && sql.includes("'clinical'")) return fixture('databricks_columns.json');
      return [];
    });
    const result = await classifyTarget({ project, desired, dialect: d, read });
    const text = renderProposals(result, { target: 'lakehouse', platform: 'databricks', dialect: d });
    golden('databricks.yaml', text);
    expect((parseYaml(text) as { phi: Record<string, string> }).phi).toEqual({
      'ehr.clinical.patients.birth_year': 'date',
      'ehr.clinical.patients.member_ref': 'health_plan_number',
      'ehr.clinical.patients.notes': 'ssn',
      'ehr.clinical.patients.residence': 'geographic',
    });
    expect(result.alreadyClassified.map((a) => a.key)).toContain('ehr.clinical.patients.ssn');
    expect(sent.every((s) => /^SELECT /.test(s) && !s.includes(';'))).toBe(true);
  });
});
