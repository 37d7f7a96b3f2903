/**
 * The platform classification names `rbac classify` maps are the ones their sources
 * document (issue 14): every Snowflake semantic category and Databricks `class.*` tag in
 * src/classify/classify.ts is recorded, spelt the same and mapped to the same Safe Harbor
 * category, in test/fixtures/classify/documented-tags.json, which says where each name was
 * read. A misspelt or invented name fails here; so does a documented name left unmapped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATABRICKS_CLASS_TAGS, SNOWFLAKE_SEMANTIC_CATEGORIES, SNOWFLAKE_UNCONFIRMED_CATEGORIES, tagCategory } from '../../src/classify/classify.js';
import { PHI_CATEGORIES } from '../../src/config/schema.js';

interface Entry {
  category: string | null;
  read: string | string[];
}
const doc = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'classify', 'documented-tags.json'), 'utf8')) as {
  snowflake: { sources: Record<string, string>; documented: Record<string, Entry>; unconfirmed: Record<string, string> };
  databricks: { sources: Record<string, string>; documented: Record<string, Entry> };
};

const snowflake = (value: string) => tagCategory({ tag: 'SEMANTIC_CATEGORY', value });
const databricks = (tag: string) => tagCategory({ tag, value: '' });

describe('Snowflake semantic categories', () => {
  it('every mapped name is documented, spelt and mapped as recorded', () => {
    for (const [name, category] of Object.entries(SNOWFLAKE_SEMANTIC_CATEGORIES)) {
      expect(doc.snowflake.documented[name], `${name} is not in the documented list`).toBeDefined();
      expect(doc.snowflake.documented[name].category, name).toBe(category);
    }
  });

  it('the names not yet confirmed are listed as such, apart from the documented ones', () => {
    expect(Object.entries(SNOWFLAKE_UNCONFIRMED_CATEGORIES)).toEqual(Object.entries(doc.snowflake.unconfirmed));
    for (const name of Object.keys(SNOWFLAKE_UNCONFIRMED_CATEGORIES)) expect(doc.snowflake.documented[name], name).toBeUndefined();
  });

  it('every documented name maps to its recorded category (subcategories by their country prefix)', () => {
    for (const [name, e] of Object.entries(doc.snowflake.documented)) expect(snowflake(name), name).toBe(e.category ?? undefined);
    expect(snowflake('us_drivers_license')).toBe('license_number');
    expect(snowflake('GENDER')).toBeUndefined();
  });

  it('every record names its source and a Safe Harbor category', () => {
    for (const [name, e] of Object.entries(doc.snowflake.documented)) {
      expect(e.read, name).toMatch(/^(classify-native|subset-release-note|the subcategory rule)/);
      if (e.category !== null) expect(PHI_CATEGORIES, name).toContain(e.category);
    }
    for (const url of Object.values(doc.snowflake.sources)) expect(url).toMatch(/^https:\/\/docs\.snowflake\.com\//);
  });
});

describe('Databricks class.* tags', () => {
  it('every mapped tag is documented, spelt and mapped as recorded', () => {
    for (const [name, category] of Object.entries(DATABRICKS_CLASS_TAGS)) {
      expect(doc.databricks.documented[name], `${name} is not in the documented list`).toBeDefined();
      expect(doc.databricks.documented[name].category, name).toBe(category);
    }
  });

  it('every documented tag maps to its recorded category, whatever its case', () => {
    for (const [name, e] of Object.entries(doc.databricks.documented)) {
      expect(databricks(name), name).toBe(e.category ?? undefined);
      expect(databricks(name.toUpperCase()), name).toBe(e.category ?? undefined);
      for (const s of e.read as string[]) expect(Object.keys(doc.databricks.sources), name).toContain(s);
    }
    // A near miss is no tag of Databricks' (the provider docs' example spells class.email).
    expect(databricks('class.email')).toBeUndefined();
    expect(databricks('class.ssn')).toBeUndefined();
  });
});
