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

/** Snowflake semantic categories (current and legacy names) and Databricks `class.*` tags -> Safe Harbor category. */
const TAG_CATEGORY: Record<string, PhiCategory> = {
  NAME: 'name',
  EMAIL: 'email',
  PHONE_NUMBER: 'telephone',
  DATE_OF_BIRTH: 'date',
  YEAR_OF_BIRTH: 'date',
  AGE: 'date',
  NATIONAL_IDENTIFIER: 'ssn',
  US_SSN: 'ssn',
  TAX_IDENTIFIER: 'other_unique_id',
  POSTAL_CODE: 'geographic',
  US_POSTAL_CODE: 'geographic',
  STREET_ADDRESS: 'geographic',
  US_STREET_ADDRESS: 'geographic',
  CITY: 'geographic',
  US_CITY: 'geographic',
  US_COUNTY: 'geographic',
  LATITUDE: 'geographic',
  LONGITUDE: 'geographic',
  LAT_LONG: 'geographic',
  IP_ADDRESS: 'ip_address',
  URL: 'url',
  BANK_ACCOUNT: 'account_number',
  US_BANK_ACCOUNT: 'account_number',
  IBAN: 'account_number',
  PAYMENT_CARD: 'account_number',
  DRIVERS_LICENSE: 'license_number',
  US_DRIVERS_LICENSE: 'license_number',
  PASSPORT: 'license_number',
  US_PASSPORT: 'license_number',
  VIN: 'vehicle_id',
  IMEI: 'device_id',
  'CLASS.NAME': 'name',
  'CLASS.EMAIL_ADDRESS': 'email',
  'CLASS.PHONE_NUMBER': 'telephone',
  'CLASS.DATE_OF_BIRTH': 'date',
  'CLASS.LOCATION': 'geographic',
  'CLASS.US_SSN': 'ssn',
  'CLASS.IP_ADDRESS': 'ip_address',
  'CLASS.URL': 'url',
  'CLASS.CREDIT_CARD': 'account_number',
  'CLASS.IBAN_CODE': 'account_number',
  'CLASS.US_BANK_NUMBER': 'account_number',
  'CLASS.DRIVER_LICENSE': 'license_number',
  'CLASS.US_DRIVER_LICENSE': 'license_number',
  'CLASS.PASSPORT': 'license_number',
  'CLASS.US_PASSPORT': 'license_number',
};

const CATEGORY_SET = new Set<string>(PHI_CATEGORIES);

/**
 * The category a tag names, or undefined. Snowflake's SEMANTIC_CATEGORY value and a
 * Databricks `class.*` tag name map through TAG_CATEGORY; a tag (any platform) whose
 * value is one of our category names (`phi_category = ssn`) is taken as written.
 * PRIVACY_CATEGORY (IDENTIFIER, QUASI_IDENTIFIER, SENSITIVE) names no category and is
 * evidence only alongside another.
 */
export function tagCategory(t: Pick<ColumnTagRow, 'tag' | 'value'>): PhiCategory | undefined {
  const tag = t.tag.toUpperCase();
  if (tag === 'SEMANTIC_CATEGORY') return TAG_CATEGORY[t.value.toUpperCase()];
  if (tag.startsWith('CLASS.')) return TAG_CATEGORY[tag];
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
