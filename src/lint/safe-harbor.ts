/**
 * Safe Harbor for `deidentified: true` roles: for every PHI column such a role can
 * read, the mask it reads it through and the paragraph of 45 CFR 164.514(b)(2)(i) that
 * mask satisfies, or why it does not (model/safe-harbor). Pure and synchronous.
 *
 * `rbac lint` turns the masks that do not satisfy Safe Harbor into findings (unless the
 * role records an Expert Determination) and prints the whole list, so a privacy officer
 * sees which rule each mask meets.
 */
import type { Project, ExpertDetermination } from '../config/project.js';
import type { PhiCategory } from '../config/schema.js';
import type { Desired, Live, SourceLocation } from '../model/types.js';
import { maskStanding, type SafeHarborStanding } from '../model/safe-harbor/index.js';
import { buildAccessModel, effectiveAccess, foldFor, foldRole, type Fold } from './access.js';

/** One masked PHI column a de-identified role reads, and how its mask stands under Safe Harbor. */
export interface SafeHarborEntry {
  role: string;
  /** `ehr.clinical.patients.zip` */
  column: string;
  category: PhiCategory;
  policy: string;
  mask: string;
  standing: SafeHarborStanding;
  /** `164.514(b)(2)(i)(B)` */
  citation: string;
  why: string;
  /** The role's Expert Determination, when it records one. */
  expert?: ExpertDetermination;
  /** Where the role is defined (findings point here: `expert_determination:` goes on it). */
  roleSource: SourceLocation;
  /** Where the masking policy is defined. */
  policySource: SourceLocation;
}

/** Every masked PHI column of every de-identified role, sorted by role, column and policy. */
export function safeHarborCoverage(project: Project, desired: Desired, live?: Live, fold: Fold = foldFor(desired.platform)): SafeHarborEntry[] {
  const roles = project.roles.filter((r) => r.state === 'present' && r.deidentified);
  if (!roles.length) return [];
  const model = buildAccessModel({ project, desired, live, fold });
  const out: SafeHarborEntry[] = [];
  for (const def of roles) {
    const role = foldRole(fold, def);
    for (const c of effectiveAccess(model, role).columns) {
      if (!c.phi || c.clear) continue;
      for (const m of model.masks.get(c.key) ?? []) {
        if (!c.maskedBy.includes(m.policy)) continue;
        const s = maskStanding(m.mask, c.phi.category, project.zip3Restricted);
        out.push({
          role,
          column: c.key,
          category: c.phi.category,
          policy: m.policy,
          mask: m.mask,
          ...s,
          ...(def.expertDetermination ? { expert: def.expertDetermination } : {}),
          roleSource: def.source,
          policySource: m.source,
        });
      }
    }
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort((a, b) => cmp(a.role, b.role) || cmp(a.column, b.column) || cmp(a.policy, b.policy));
}

/** How the entry reads in one line: `ehr.clinical.patients.zip (geographic) by zip3_only (zip3): 164.514(b)(2)(i)(B) satisfied: ...`. */
export function describeEntry(e: SafeHarborEntry): string {
  const head = `${e.column} (${e.category}) masked by ${e.policy} (${e.mask})`;
  if (e.standing === 'satisfies') return `${head}: satisfies ${e.citation}: ${e.why}`;
  const ed = e.expert ? `; allowed by the Expert Determination of ${e.expert.by} on ${e.expert.date} (report ${e.expert.report})` : '';
  return `${head}: does not satisfy ${e.citation}: ${e.why}${ed}`;
}

/** The text block `rbac lint` prints: one line per entry, grouped by role; empty without entries. */
export function renderSafeHarborText(entries: readonly SafeHarborEntry[]): string {
  if (!entries.length) return '';
  const lines: string[] = [];
  let role: string | undefined;
  for (const e of entries) {
    if (e.role !== role) {
      role = e.role;
      lines.push(`safe harbor: de-identified role ${role} (45 CFR 164.514(b)(2))${e.expert ? `, Expert Determination by ${e.expert.by} on ${e.expert.date}` : ''}`);
    }
    lines.push(`  ${describeEntry(e)}`);
  }
  return lines.join('\n') + '\n';
}
