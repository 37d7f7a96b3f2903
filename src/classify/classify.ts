/**
 * `rbac classify`: propose `phi:` entries from what the target says about its columns
 * (names, comments, the platform's classification tags), as YAML to review and merge.
 *
 * Pure: records in, proposals and text out. Evidence is ranked tag > comment > name:
 * a platform's classifier looked at the data, a comment is a person's word, a name is
 * a guess. Columns the configuration already classifies are listed, never proposed.
 */
import { PHI_CATEGORIES, type PhiCategory } from '../config/schema.js';
import { configPart, yamlStr } from '../export/export.js';
import type { Dialect } from '../dialects/types.js';
import { snakeName, suggestCategory } from '../lint/patterns.js';
import { safeHarborCitation } from '../model/safe-harbor/index.js';
import type { ClassifySource, ColumnRow, ColumnTagRow } from './sources.js';

/** One piece of evidence for a column's category. */
export interface Evidence {
  kind: 'tag' | 'comment' | 'name';
  /** What was seen: `SNOWFLAKE.CORE.SEMANTIC_CATEGORY = US_SSN`, the comment, the name. */
  detail: string;
  category: PhiCategory;
}

/** A proposed entry: the column, the category chosen, and all the evidence. */
export interface Proposal {
  database: string;
  schema: string;
  table: string;
  column: string;
  category: PhiCategory;
  evidence: Evidence[];
  /** Evidence pointing at another category than the one chosen (shown for review). */
  conflicting: boolean;
}

export interface ClassifyResult {
  proposals: Proposal[];
  /** Columns the configuration already classifies that the target has: key, name parts and category. */
  alreadyClassified: { key: string; parts: [string, string, string, string]; category: string }[];
}

/**
 * Forms that the lint rule leaves alone because Safe Harbor keeps them after masking
 * (`birth_year`, `zip3`), but that are still Safe Harbor elements in the raw table: a
 * year reveals an age over 89 (164.514(b)(2)(i)(C)) and 17 three-digit prefixes must
 * read 000 (164.514(b)(2)(i)(B)); both need a `year` or `zip3` mask, so a `phi:` entry.
 */
const RETAINED_FORMS: readonly { category: PhiCategory; pattern: RegExp; why: string }[] = [
  { category: 'date', pattern: /(^|_)(birth_?year|year_of_birth|yob|death_year|age|age_years|age_at_\w+)$/, why: 'a year or age reveals ages over 89' },
  { category: 'geographic', pattern: /(^|_)(zip_?3|zip_prefix|zip3_code|postal_prefix)$/, why: 'restricted three-digit prefixes must read 000' },
];

/**
 * Snowflake's native semantic categories (the value of SNOWFLAKE.CORE.SEMANTIC_CATEGORY)
 * and the semantic subcategories the documentation names, mapped to Safe Harbor
 * categories. Each name is as the documentation spells it:
 *   https://docs.snowflake.com/en/user-guide/classify-native (global and country-specific
 *     identifiers, subcategories: NATIONAL_IDENTIFIER / US_SSN, BANK_ACCOUNT / IBAN ...)
 *   https://docs.snowflake.com/en/release-notes/2026/other/2026-02-04-sensitive-data-classification-subset-categories
 *     (TAX_IDENTIFIER, POSTAL_CODE)
 * A subcategory is the category prefixed with a two-letter country code (ISO 3166-1
 * alpha-2, per classify-native), so `US_DRIVERS_LICENSE` maps as DRIVERS_LICENSE.
 * test/fixtures/classify/documented-tags.json records each name and where it was read;
 * the classify tests fail on a name that is not there.
 */
export const SNOWFLAKE_SEMANTIC_CATEGORIES: Readonly<Record<string, PhiCategory>> = {
  BANK_ACCOUNT: 'account_number',
  IBAN: 'account_number',
  DRIVERS_LICENSE: 'license_number',
  IMEI: 'device_id',
  IP_ADDRESS: 'ip_address',
  NAME: 'name',
  NATIONAL_IDENTIFIER: 'ssn',
  US_SSN: 'ssn',
  PAYMENT_CARD: 'account_number',
  POSTAL_CODE: 'geographic',
  TAX_IDENTIFIER: 'other_unique_id',
  URL: 'url',
  VIN: 'vehicle_id',
};

/**
 * Semantic category names kept from the first version of this table that the stored
 * copy of the documentation did not show (its tables past the identifier section could
 * not be read): likely right, but not confirmed against the source. Listed apart so that
 * they can be confirmed or dropped; the fixture lists them as unconfirmed.
 */
export const SNOWFLAKE_UNCONFIRMED_CATEGORIES: Readonly<Record<string, PhiCategory>> = {
  EMAIL: 'email',
  PHONE_NUMBER: 'telephone',
  DATE_OF_BIRTH: 'date',
  YEAR_OF_BIRTH: 'date',
  AGE: 'date',
  PASSPORT: 'license_number',
  STREET_ADDRESS: 'geographic',
  CITY: 'geographic',
  US_COUNTY: 'geographic',
  LATITUDE: 'geographic',
  LONGITUDE: 'geographic',
  LAT_LONG: 'geographic',
};

/**
 * Databricks Data Classification's system tags (`class.*`, set on columns without a
 * value), mapped to Safe Harbor categories. The authoritative list is the "Supported
 * classification tags" of https://docs.databricks.com/aws/en/data-governance/unity-catalog/data-classification
 * (and .../data-classification-tags); the stored copy did not reach that table, so the
 * fixture records for each name where it was read instead: the provider docs of
 * databricks/terraform-provider-databricks (class.name, class.location, class.credit_card)
 * and two public lists of the tags that agree on the rest, one of them alone naming
 * class.age, class.driver_license, class.passport, class.license_plate and the br_ tags.
 * Tags naming no Safe Harbor identifier of a person (class.br_cnpj, a company's) are left out.
 */
export const DATABRICKS_CLASS_TAGS: Readonly<Record<string, PhiCategory>> = {
  'class.name': 'name',
  'class.email_address': 'email',
  'class.phone_number': 'telephone',
  'class.date_of_birth': 'date',
  'class.age': 'date',
  'class.location': 'geographic',
  'class.ip_address': 'ip_address',
  'class.url': 'url',
  'class.credit_card': 'account_number',
  'class.iban_code': 'account_number',
  'class.us_bank_number': 'account_number',
  'class.driver_license': 'license_number',
  'class.us_driver_license': 'license_number',
  'class.passport': 'license_number',
  'class.us_passport': 'license_number',
  'class.us_ssn': 'ssn',
  // Vehicle identifiers and serial numbers, including license plate numbers (L).
  'class.vin': 'vehicle_id',
  'class.license_plate': 'vehicle_id',
  // Health plan beneficiary numbers (I): the NHS number and the Medicare card number.
  'class.uk_nhs': 'health_plan_number',
  'class.au_medicare': 'health_plan_number',
  // Other national numbers of a person: any other unique identifying number (R).
  'class.us_itin': 'other_unique_id',
  'class.uk_nino': 'other_unique_id',
  'class.de_svnr': 'other_unique_id',
  'class.de_tax_id': 'other_unique_id',
  'class.de_id_card': 'other_unique_id',
  'class.au_tfn': 'other_unique_id',
  'class.br_cpf': 'other_unique_id',
  'class.br_rg': 'other_unique_id',
};

const SNOWFLAKE_ALL: Readonly<Record<string, PhiCategory>> = { ...SNOWFLAKE_UNCONFIRMED_CATEGORIES, ...SNOWFLAKE_SEMANTIC_CATEGORIES };

/** A Snowflake SEMANTIC_CATEGORY value: a category or subcategory, or a country-prefixed category. */
function snowflakeCategory(value: string): PhiCategory | undefined {
  const v = value.trim().toUpperCase();
  if (Object.hasOwn(SNOWFLAKE_ALL, v)) return SNOWFLAKE_ALL[v];
  const m = /^[A-Z]{2}_(.+)$/.exec(v);
  return m && Object.hasOwn(SNOWFLAKE_ALL, m[1]) ? SNOWFLAKE_ALL[m[1]] : undefined;
}

const CATEGORY_SET = new Set<string>(PHI_CATEGORIES);

/**
 * The category a tag names, or undefined. Snowflake's SEMANTIC_CATEGORY value and a
 * Databricks `class.*` tag name map through the documented tables above; a tag (any platform) whose
 * value is one of our category names (`phi_category = ssn`) is taken as written.
 * PRIVACY_CATEGORY (IDENTIFIER, QUASI_IDENTIFIER, SENSITIVE) names no category and is
 * evidence only alongside another.
 */
export function tagCategory(t: Pick<ColumnTagRow, 'tag' | 'value'>): PhiCategory | undefined {
  const tag = t.tag.toUpperCase();
  if (tag === 'SEMANTIC_CATEGORY') return snowflakeCategory(t.value);
  if (tag.startsWith('CLASS.')) {
    const name = t.tag.trim().toLowerCase();
    return Object.hasOwn(DATABRICKS_CLASS_TAGS, name) ? DATABRICKS_CLASS_TAGS[name] : undefined;
  }
  const v = t.value.trim().toLowerCase();
  return CATEGORY_SET.has(v) ? (v as PhiCategory) : undefined;
}

/** The category a column name suggests: the lint patterns, then the retained forms. */
export function nameCategory(column: string): { category: PhiCategory; why?: string } | undefined {
  const c = suggestCategory(column);
  if (c) return { category: c };
  const n = snakeName(column);
  for (const f of RETAINED_FORMS) if (f.pattern.test(n)) return { category: f.category, why: f.why };
  return undefined;
}

/**
 * The category a comment suggests: any run of up to four of its words that the name
 * patterns match (`Patient date of birth` -> date_of_birth -> date), longest first; a
 * bare "name" is too common in comments to count on its own.
 */
export function commentCategory(comment: string): PhiCategory | undefined {
  const words = snakeName(comment).split('_').filter(Boolean);
  for (let len = Math.min(4, words.length); len >= 1; len--) {
    for (let i = 0; i + len <= words.length; i++) {
      const w = words.slice(i, i + len).join('_');
      if (len === 1 && (w === 'name' || w === 'age')) continue;
      const c = nameCategory(w);
      if (c) return c.category;
    }
  }
  return undefined;
}

const keyOf = (c: Pick<ColumnRow, 'database' | 'schema' | 'table' | 'column'>, fold: (s: string) => string) =>
  [c.database, c.schema, c.table, c.column].map(fold).join('.');

/** A tag as shown: `NAME = VALUE`, or the name alone for a tag without a value (Databricks `class.*`). */
const tagText = (t: Pick<ColumnTagRow, 'tag' | 'value'>): string => (t.value === '' ? t.tag : `${t.tag} = ${t.value}`);

const RANK: Record<Evidence['kind'], number> = { tag: 0, comment: 1, name: 2 };

/**
 * Proposals for the columns read. `classified` holds the configuration's column keys
 * (normalized with `fold`, the dialect's unquoted-name folding) and their category.
 */
export function propose(source: ClassifySource, classified: ReadonlyMap<string, string>, fold: (s: string) => string): ClassifyResult {
  const tagsOf = new Map<string, ColumnTagRow[]>();
  for (const t of source.tags) {
    const k = keyOf(t, fold);
    let list = tagsOf.get(k);
    if (!list) tagsOf.set(k, (list = []));
    list.push(t);
  }
  const proposals: Proposal[] = [];
  const already = new Map<string, { parts: [string, string, string, string]; category: string }>();
  const seen = new Set<string>();
  for (const c of source.columns) {
    const k = keyOf(c, fold);
    if (seen.has(k)) continue;
    seen.add(k);
    const known = classified.get(k);
    if (known !== undefined) {
      already.set(k, { parts: [c.database, c.schema, c.table, c.column], category: known });
      continue;
    }
    const evidence: Evidence[] = [];
    const tags = [...(tagsOf.get(k) ?? [])].sort((a, b) => (a.tag + a.value < b.tag + b.value ? -1 : 1));
    for (const t of tags) {
      const cat = tagCategory(t);
      if (cat) evidence.push({ kind: 'tag', detail: tagText(t), category: cat });
    }
    if (c.comment) {
      const cat = commentCategory(c.comment);
      if (cat) evidence.push({ kind: 'comment', detail: c.comment, category: cat });
    }
    const byName = nameCategory(c.column);
    if (byName) evidence.push({ kind: 'name', detail: byName.why ? `${c.column} (${byName.why})` : c.column, category: byName.category });
    // Snowflake's IDENTIFIER privacy category alone: a direct identifier of a kind the
    // semantic categories do not name, Safe Harbor's catch-all (R).
    if (!evidence.length) {
      const id = tags.find((t) => t.tag.toUpperCase() === 'PRIVACY_CATEGORY' && t.value.toUpperCase() === 'IDENTIFIER');
      if (id) evidence.push({ kind: 'tag', detail: tagText(id), category: 'other_unique_id' });
    }
    if (!evidence.length) continue;
    evidence.sort((a, b) => RANK[a.kind] - RANK[b.kind]);
    // Privacy-category tags name no category but back the proposal up.
    for (const t of tags) if (!tagCategory(t) && t.tag.toUpperCase() === 'PRIVACY_CATEGORY' && !evidence.some((e) => e.detail === tagText(t))) evidence.push({ kind: 'tag', detail: tagText(t), category: evidence[0].category });
    const category = evidence[0].category;
    proposals.push({ database: c.database, schema: c.schema, table: c.table, column: c.column, category, evidence, conflicting: evidence.some((e) => e.category !== category) });
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  proposals.sort((a, b) => cmp(keyOf(a, fold), keyOf(b, fold)));
  return { proposals, alreadyClassified: [...already].map(([key, a]) => ({ key, ...a })).sort((a, b) => cmp(a.key, b.key)) };
}

/** A comment's text on one line (a comment from the target must not end the YAML comment early or inject keys). */
function oneLine(s: string, max = 120): string {
  const t = s.replace(/[\r\n\t\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/**
 * A name part in config syntax, lower-case where the platform folds a bare lower-case
 * name to it (Snowflake's `EHR` is written `ehr`, as the configuration does).
 */
function part(name: string, dialect: Dialect): string {
  const lower = name.toLowerCase();
  if (lower !== name && /^[\p{L}_][\p{L}\p{N}_$]*$/u.test(lower) && dialect.normalize({ text: lower, quoted: false }) === name) return lower;
  return configPart(name, dialect);
}

/**
 * The proposals as YAML: a `phi:` mapping grouped by table (a comment line per table),
 * each entry preceded by its evidence as comments. Column paths are written in config
 * syntax for the dialect, so a name that needs quotes gets them.
 */
export function renderProposals(result: ClassifyResult, opts: { target: string; platform: string; dialect: Dialect }): string {
  const { dialect } = opts;
  const lines = [
    `# rbac classify: proposed Safe Harbor classification (45 CFR 164.514(b)(2)) for target ${opts.target} (${opts.platform}).`,
    '# Read-only: nothing on the target was changed. Review each entry, then merge it under phi: in grants/*.yaml.',
  ];
  if (result.alreadyClassified.length) {
    lines.push('# Already classified in the configuration (not proposed):');
    for (const a of result.alreadyClassified) lines.push(`#   ${oneLine(a.parts.map((x) => part(x, dialect)).join('.'))}: ${a.category}`);
  }
  if (!result.proposals.length) {
    lines.push('# No unclassified column looks like a Safe Harbor identifier.', 'phi: {}');
    return lines.join('\n') + '\n';
  }
  lines.push('phi:');
  let table = '';
  for (const p of result.proposals) {
    const t = [p.database, p.schema, p.table].map((x) => part(x, dialect)).join('.');
    if (t !== table) {
      lines.push(`  # ${oneLine(t)}`);
      table = t;
    }
    for (const e of p.evidence) {
      const note = e.category === p.category ? '' : ` (suggests ${e.category})`;
      lines.push(`  #   ${e.kind}: ${oneLine(e.detail)}${note}`);
    }
    lines.push(`  ${yamlStr(`${t}.${part(p.column, dialect)}`)}: ${p.category}   # ${safeHarborCitation(p.category)}${p.conflicting ? ', evidence disagrees: check' : ''}`);
  }
  return lines.join('\n') + '\n';
}
