/**
 * Safe Harbor (45 CFR 164.514(b)(2)) as data the mask compilers and the linter share:
 * the restricted three-digit ZIP prefixes, the age at which ages are aggregated, and
 * which paragraph of 164.514(b)(2)(i) each built-in mask satisfies for each category.
 *
 * Invariants: `ZIP3_RESTRICTED` holds three-digit strings, sorted, no duplicates (checked
 * when this module loads, so a bad edit of the JSON fails every test at once); compilers
 * put them into SQL only through their dialect's literal quoter.
 */
import restricted from './zip3-restricted.json' with { type: 'json' };
import type { MaskFunction } from '../types.js';

function checkedPrefixes(list: unknown): readonly string[] {
  if (!Array.isArray(list) || !list.every((p) => typeof p === 'string' && /^\d{3}$/.test(p))) {
    throw new Error('src/model/safe-harbor/zip3-restricted.json: prefixes must be three-digit strings');
  }
  const sorted = [...new Set(list as string[])].sort();
  if (sorted.length !== list.length || sorted.some((p, i) => p !== list[i])) {
    throw new Error('src/model/safe-harbor/zip3-restricted.json: prefixes must be sorted and unique');
  }
  return Object.freeze(sorted);
}

/** Three-digit ZIP prefixes with 20,000 or fewer people: they become `000` (164.514(b)(2)(i)(B)). */
export const ZIP3_RESTRICTED: readonly string[] = checkedPrefixes(restricted.prefixes);
/** Where the list comes from (shown in documentation and lint). */
export const ZIP3_SOURCE: { title: string; url: string; published: string; census: string } = restricted.source;
/** What a restricted prefix becomes. */
export const ZIP3_RESTRICTED_VALUE = '000';

/**
 * A date element whose year lies this many years or more before the current year is
 * aggregated into the one "90 or older" category (164.514(b)(2)(i)(C)). Whole years on
 * purpose: a birth year 90 years back belongs to someone aged 89 or 90, and the year
 * alone cannot tell which, so it reveals a possible age over 89.
 */
export const AGE_AGGREGATION_YEARS = 90;

/** The Safe Harbor identifier categories and their paragraph of 164.514(b)(2)(i). */
export const SAFE_HARBOR_PARAGRAPH: Record<string, { letter: string; what: string }> = {
  name: { letter: 'A', what: 'names' },
  geographic: { letter: 'B', what: 'geographic subdivisions smaller than a state' },
  date: { letter: 'C', what: 'elements of dates (except year) and ages over 89' },
  telephone: { letter: 'D', what: 'telephone numbers' },
  fax: { letter: 'E', what: 'fax numbers' },
  email: { letter: 'F', what: 'email addresses' },
  ssn: { letter: 'G', what: 'Social Security numbers' },
  medical_record_number: { letter: 'H', what: 'medical record numbers' },
  health_plan_number: { letter: 'I', what: 'health plan beneficiary numbers' },
  account_number: { letter: 'J', what: 'account numbers' },
  license_number: { letter: 'K', what: 'certificate and license numbers' },
  vehicle_id: { letter: 'L', what: 'vehicle identifiers and serial numbers' },
  device_id: { letter: 'M', what: 'device identifiers and serial numbers' },
  url: { letter: 'N', what: 'URLs' },
  ip_address: { letter: 'O', what: 'IP addresses' },
  biometric: { letter: 'P', what: 'biometric identifiers' },
  photo: { letter: 'Q', what: 'full-face photographs and comparable images' },
  other_unique_id: { letter: 'R', what: 'any other unique identifying number, characteristic or code' },
};

/** `164.514(b)(2)(i)(B)` for a category. */
export function safeHarborCitation(category: string): string {
  return `164.514(b)(2)(i)(${SAFE_HARBOR_PARAGRAPH[category]?.letter ?? 'R'})`;
}

/**
 * How a mask stands under Safe Harbor for a column of a category:
 * - `satisfies`: the mask removes or generalizes the identifier as the paragraph asks;
 * - `derived`: the output is a code derived from the identifier (hash), which
 *   164.514(c) does not allow as a re-identification code: Expert Determination only
 *   (`surrogate`, a random key per value from a tool-owned mapping table, is the
 *   re-identification code 164.514(c) does allow: it satisfies);
 * - `partial`: the output keeps part of the identifier (last4, email_domain, zip3 or
 *   year on a category they do not generalize), which Safe Harbor does not allow;
 * - `unverified`: a custom expression rbac cannot judge.
 */
export type SafeHarborStanding = 'satisfies' | 'derived' | 'partial' | 'unverified';

/** The standing of `mask` (or a custom expression) on a column of `category`, with the reason in words. */
export function maskStanding(
  mask: MaskFunction | 'expression',
  category: string,
  /** The configured zip3 list (rbac.yaml `safe_harbor.zip3_restricted`), when there is one. */
  zip3?: { prefixes: readonly string[]; source: string },
): { standing: SafeHarborStanding; citation: string; why: string } {
  const citation = safeHarborCitation(category);
  const what = SAFE_HARBOR_PARAGRAPH[category]?.what ?? category;
  switch (mask) {
    case 'null':
    case 'redact':
      return { standing: 'satisfies', citation, why: `${mask} removes the value (${what})` };
    case 'zip3':
      return category === 'geographic'
        ? {
            standing: 'satisfies',
            citation,
            why: zip3
              ? `zip3 keeps the first three ZIP digits and makes the ${zip3.prefixes.length} restricted prefixes of the configured list (${zip3.source}) ${ZIP3_RESTRICTED_VALUE}`
              : `zip3 keeps the first three ZIP digits and makes the ${ZIP3_RESTRICTED.length} restricted prefixes ${ZIP3_RESTRICTED_VALUE}`,
          }
        : { standing: 'partial', citation, why: `zip3 keeps three characters of a ${category} value` };
    case 'year':
      return category === 'date'
        ? { standing: 'satisfies', citation, why: `year keeps only the year and aggregates years ${AGE_AGGREGATION_YEARS} or more back into one 90-or-older category (NULL)` }
        : { standing: 'partial', citation, why: `year keeps the year of a ${category} value` };
    case 'hash':
      return { standing: 'derived', citation, why: 'hash is a code derived from the identifier, not allowed as a re-identification code under 164.514(c)' };
    case 'surrogate':
      return {
        standing: 'satisfies',
        citation,
        why: 'surrogate replaces the identifier with a random key from a mapping table only rbac reads: a re-identification code not derived from the identifier and not translatable without the table (164.514(c))',
      };
    case 'last4':
      return { standing: 'partial', citation, why: 'last4 keeps four characters of the identifier' };
    case 'email_domain':
      return { standing: 'partial', citation, why: 'email_domain keeps the domain of the address' };
    case 'expression':
      return { standing: 'unverified', citation, why: 'a custom expression that rbac cannot check against Safe Harbor' };
    default: {
      const never: never = mask;
      throw new Error(`unknown mask ${String(never)}`);
    }
  }
}
