/**
 * The rules of `rbac lint`: one closed list of stable ids, each with its severity and
 * the texts every output format shows (text hints, JSON, SARIF `tool.driver.rules`).
 * A rule id is a public contract: CI configurations and code-scanning alerts match on
 * it, so ids are never renamed or reused.
 */

/** Severity of a finding. `error` fails `rbac lint` (exit 1); `warning` does not. */
export type Severity = 'error' | 'warning';

/** Stable rule ids (kebab-case). */
export type RuleId =
  | 'phi-clear-access'
  | 'deidentified-reaches-phi'
  | 'deidentified-with-phi-access'
  | 'unclassified-phi-column'
  | 'public-grant'
  | 'all-privileges'
  | 'schema-wide-phi'
  | 'unmasked-without-phi-access'
  | 'role-missing-description'
  | 'role-missing-owner'
  | 'privileged-without-justification'
  | 'phi-access-without-justification'
  | 'hidden-future-grant'
  | 'deidentified-mask-not-safe-harbor'
  | 'deidentified-custom-mask'
  | 'pseudonym-oracle';

/**
 * What a rule is, independent of any finding. Invariants: `id` is unique in `RULES`;
 * `description` is one sentence (SARIF shortDescription); `rationale` says why the
 * rule exists (SARIF fullDescription); `help` says how to fix a finding.
 */
export interface RuleMeta {
  id: RuleId;
  severity: Severity;
  description: string;
  rationale: string;
  help: string;
}

/** Every rule, in the order output lists them (SARIF `ruleIndex` is the position here). */
export const RULES: readonly RuleMeta[] = [
  {
    id: 'phi-clear-access',
    severity: 'error',
    description: 'A column classified as PHI is readable in clear by a role that is not allowed its category.',
    rationale:
      'HIPAA minimum necessary (45 CFR 164.502(b), 164.514(d)): a role reads a PHI category only when its job needs it, and says why in a phi_access entry. Readable means a column, table or schema-wide grant, held directly or through inherited roles; in clear means no masking policy masks it for that role.',
    help: 'Add `phi_access: [{category, justification}]` to the role, mask the column with a masking policy (leaving the role out of unmasked_for), or narrow the grant to the columns the role needs.',
  },
  {
    id: 'deidentified-reaches-phi',
    severity: 'error',
    description: 'A role marked deidentified can read a Safe Harbor identifier column unmasked.',
    rationale:
      'A de-identified role (Safe Harbor, 45 CFR 164.514(b)(2)) must see every identifier column masked: hashed ids, dates reduced to the year, ZIP codes to three digits. Inherited grants count.',
    help: 'Remove the column from the grant, or cover it with a masking policy that does not list this role (or a role it inherits) in unmasked_for.',
  },
  {
    id: 'deidentified-with-phi-access',
    severity: 'error',
    description: 'A role marked deidentified also declares phi_access allowances.',
    rationale: 'A de-identified role sees no identifier in clear; an allowance on it contradicts the marking and hides mistakes.',
    help: 'Remove the phi_access entries, or remove `deidentified: true` if the role really needs identifiers.',
  },
  {
    id: 'unclassified-phi-column',
    severity: 'warning',
    description: 'A column looks like a Safe Harbor identifier but is not classified under phi:.',
    rationale:
      'Only classified columns are checked by the PHI rules; an identifier column that nobody classified is readable without any of those checks.',
    help: 'Classify the column under `phi:` with its Safe Harbor category (or rename it if it holds no identifier).',
  },
  {
    id: 'public-grant',
    severity: 'error',
    description: 'A privilege is granted to PUBLIC.',
    rationale: 'PUBLIC is every role and every user, present and future: no owner, no justification, no review.',
    help: 'Grant to a named role that the users who need it hold.',
  },
  {
    id: 'all-privileges',
    severity: 'warning',
    description: 'A grant uses `privileges: [all]`.',
    rationale: 'Least privilege: `all` grants write, delete and DDL-like privileges that a role rarely needs, and grows when the platform adds privileges.',
    help: 'List the privileges the role needs, e.g. `privileges: [select]`.',
  },
  {
    id: 'schema-wide-phi',
    severity: 'error',
    description: 'A whole-schema or whole-table grant reaches PHI columns of a role that has no PHI allowance.',
    rationale:
      'A grant on every table of a schema (objects: tables) or on a whole table exposes every column, PHI included, and every table created later; a role without any phi_access must only get the tables and columns it needs, or masked PHI.',
    help: 'Grant the tables or columns the role needs instead, or mask the PHI columns for this role.',
  },
  {
    id: 'unmasked-without-phi-access',
    severity: 'warning',
    description: 'A masking policy unmasks a PHI column for a role that is not allowed its category.',
    rationale: 'unmasked_for lets the role (and roles inheriting it) read clear values; the allowance with its justification belongs on the role.',
    help: 'Add the matching `phi_access` entry (with a justification) to the role, or remove it from unmasked_for.',
  },
  {
    id: 'role-missing-description',
    severity: 'warning',
    description: 'A role has no description.',
    rationale: 'Access reviews (45 CFR 164.308(a)(4)) ask managers whether a role still matches a job; the description says what the job is.',
    help: 'Add `description:` saying what the role is for.',
  },
  {
    id: 'role-missing-owner',
    severity: 'warning',
    description: 'A role has no owner.',
    rationale: 'Every grant needs someone accountable for it (45 CFR 164.312(a)); the owner answers for the role in access reviews.',
    help: 'Add `owner:` naming the accountable team or person.',
  },
  {
    id: 'privileged-without-justification',
    severity: 'error',
    description: 'A privileged role has no written justification (or a placeholder).',
    rationale: 'Access reviews list every privileged account with its written justification (45 CFR 164.308(a)(4)).',
    help: 'Add `justification:` explaining why the role needs its access, in a sentence an auditor can check.',
  },
  {
    id: 'phi-access-without-justification',
    severity: 'error',
    description: 'A phi_access allowance has an empty or placeholder justification.',
    rationale: 'Minimum necessary asks why each class of workforce needs each PHI category; the justification is that record.',
    help: 'Write why the role needs this category, e.g. "Match records across systems during an investigation."',
  },
  {
    id: 'hidden-future-grant',
    severity: 'warning',
    description: 'A database-level future grant does not apply in a schema that has its own future grants for that object type (Snowflake).',
    rationale:
      'On Snowflake, once a schema has any future grant for an object type, the database-level future grants for that type stop applying to objects created there; a reviewer reading the database-wide grant would believe it covers them.',
    help: 'rbac repeats the database-level grant in each such schema (the plan shows it); to avoid the surprise, grant at schema level where schemas have their own future grants.',
  },
  {
    id: 'deidentified-mask-not-safe-harbor',
    severity: 'error',
    description: 'A role marked deidentified reads a PHI column through a mask that does not satisfy Safe Harbor, and records no Expert Determination.',
    rationale:
      'Safe Harbor (45 CFR 164.514(b)(2)) removes the identifiers or generalizes them as each paragraph says (ZIP to three digits with the restricted prefixes as 000, dates to the year with ages over 89 aggregated). A hash is a code derived from the identifier, which 164.514(c) does not allow as a re-identification code; last4 and email_domain keep part of the identifier. Such masks are de-identification only under an Expert Determination (164.514(b)(1)).',
    help: 'Mask the column with null or redact (zip3 for ZIP codes, year for dates), mask it with `surrogate` instead of `hash`, or record `expert_determination: { by, date, report }` on the role.',
  },
  {
    id: 'deidentified-custom-mask',
    severity: 'warning',
    description: 'A role marked deidentified reads a PHI column through a custom mask expression, and records no Expert Determination.',
    rationale: 'rbac cannot tell whether a custom expression removes or generalizes an identifier as Safe Harbor (45 CFR 164.514(b)(2)) asks; someone has to check it, and write that down.',
    help: 'Check the expression against 164.514(b)(2) and record `expert_determination: { by, date, report }` on the role, or use a built-in mask (null, redact, zip3, year).',
  },
  {
    id: 'pseudonym-oracle',
    severity: 'warning',
    description: 'A role can write a column masked for it by a pseudonym (hash or surrogate) and read that policy\'s masked output.',
    rationale:
      'A hash or a surrogate key is the same for the same value: a role that writes a guessed identifier (an MRN, an SSN) into a row it can find again, and reads that row through the mask, learns the code of that identifier, which is also the code of the real patient who has it. Repeated over every candidate, it reverses the pseudonym (a dictionary attack), whatever the salt or the randomness of the keys.',
    help: 'Keep writing and reading the pseudonym apart: give the loading role no read of the masked columns (a separate role reads them), or, if its job needs the identifiers, let it read them in clear (unmasked_for) with a phi_access justification.',
  },
];

const BY_ID = new Map(RULES.map((r, i) => [r.id, { meta: r, index: i }]));

/** The metadata of a rule (throws on an unknown id: ids are a closed list). */
export function rule(id: RuleId): RuleMeta {
  const r = BY_ID.get(id);
  if (!r) throw new Error(`unknown lint rule ${id}`);
  return r.meta;
}

/** Position of a rule in RULES (SARIF ruleIndex). */
export function ruleIndex(id: RuleId): number {
  return BY_ID.get(id)?.index ?? -1;
}
