/**
 * Column names that look like Safe Harbor identifiers (45 CFR 164.514(b)(2)), for the
 * `unclassified-phi-column` rule. Names are matched case-insensitively as
 * snake_case words; camelCase is split first (`firstName` -> `first_name`).
 *
 * The de-identified forms that Safe Harbor keeps are deliberately not matched:
 * `birth_year` (the year of a date), `zip3` (the first three ZIP digits), and
 * hashed or tokenized ids (`*_hash`, `*_token`).
 */
import type { PhiCategory } from '../config/schema.js';

/** One name pattern and the category it suggests. First match wins (order matters). */
export interface PhiPattern {
  category: PhiCategory;
  pattern: RegExp;
}

/** The patterns, most specific first (`email_address` is email, not an address). */
export const PHI_PATTERNS: readonly PhiPattern[] = [
  { category: 'ssn', pattern: /(^|_)(ssn|ssn_last4|social_security(_number|_no)?|sin)$/ },
  { category: 'medical_record_number', pattern: /(^|_)(mrn|medical_record(_number|_no|_num)?|chart_(number|no))$/ },
  { category: 'email', pattern: /(^|_)e_?mail(_address|_addr)?$/ },
  { category: 'ip_address', pattern: /(^|_)(ip|ip_?addr(ess)?|ipv4|ipv6|client_ip|remote_addr)$/ },
  { category: 'fax', pattern: /(^|_)fax(_number|_no|_num)?$/ },
  { category: 'telephone', pattern: /(^|_)(phone|telephone|tel|mobile|cell(_phone)?|phone_(number|no|num))(_number|_no)?$/ },
  { category: 'date', pattern: /(^|_)(dob|birth_?date|date_of_birth|birthday|birth_dt|death_date|date_of_death|dod)$/ },
  { category: 'geographic', pattern: /(^|_)(zip|zip_?code|zip5|zip9|postal(_?code)?|post_?code)$/ },
  {
    category: 'geographic',
    pattern: /(^|_)(address|addr|street|street_address|address_line_?\d|line_?[12]|city|town|county|latitude|longitude|lat|lon|lng|geo_?location|gps)$/,
  },
  { category: 'health_plan_number', pattern: /(^|_)(member_id|subscriber_id|beneficiary_(id|number)|health_plan_(id|number)|insurance_(id|number)|policy_(number|no))$/ },
  { category: 'account_number', pattern: /(^|_)(account_?(number|num|no)|acct_?(number|num|no)?|bank_account|iban|card_number|credit_card)$/ },
  { category: 'license_number', pattern: /(^|_)(licen[cs]e(_number|_no|_num)?|drivers?_licen[cs]e|certificate_(number|no)|dea_number)$/ },
  { category: 'vehicle_id', pattern: /(^|_)(vin|license_plate|plate_number|vehicle_id)$/ },
  { category: 'device_id', pattern: /(^|_)(device_?id|device_serial|serial(_number|_no)?|udi|imei|mac_address)$/ },
  { category: 'url', pattern: /(^|_)(url|uri|website|web_?address|homepage)$/ },
  { category: 'biometric', pattern: /(^|_)(fingerprint|voice_?print|retina_scan|iris_scan|biometric(_\w+)?)$/ },
  { category: 'photo', pattern: /(^|_)(photo|photograph|picture|headshot|face_image|portrait)(_url|_blob)?$/ },
  {
    category: 'name',
    pattern: /^(name|surname|nickname)$|(^|_)(first|last|middle|full|given|family|maiden|patient|preferred|guarantor|subscriber|emergency_contact|mother_maiden)_?name$/,
  },
];

/** snake_case lower-case form of a column name (camelCase and spaces split). */
export function snakeName(column: string): string {
  return column
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

/** The Safe Harbor category a column name suggests, or undefined when it looks harmless. */
export function suggestCategory(column: string): PhiCategory | undefined {
  const n = snakeName(column);
  if (/_(hash|hashed|token|tokenized|masked)$/.test(n)) return undefined;
  for (const p of PHI_PATTERNS) if (p.pattern.test(n)) return p.category;
  return undefined;
}
