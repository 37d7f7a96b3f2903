/**
 * Grant options, and what revoking one reaches. A role holding a privilege WITH GRANT
 * OPTION can grant it on; the platform records it as the grantor of those grants.
 * Revoking the role's grant option (or the privilege) must then cascade to them, or
 * the platform refuses ("dependent privileges exist").
 *
 * Pure. Rules:
 * - a revoke needs CASCADE when some live grant of the same privilege on the same
 *   object (and column) names the revoked role among its grantors, directly or
 *   through a chain of such grants;
 * - every grant the cascade takes away must be in the managed scope; one that is not
 *   (a role the configuration does not manage) is an error problem naming it, so the
 *   plan is refused instead of revoking outside the scope;
 * - a grant the cascade takes away that the configuration wants is granted again,
 *   after the revokes, by rbac (a grant survives when another grantor outside the
 *   cascade also granted it).
 */
import { objectKey } from '../model/keys.js';
import type { GrantRecord, Live } from '../model/types.js';
import type { PlanProblem } from './types.js';

/** What revoking some grants (or their grant options) cascades to. */
export interface CascadeResult {
  /** Keys of the revokes that must be written with CASCADE. */
  cascade: Set<string>;
  /** Desired grants the cascade would take away: granted again after the revokes. */
  regrant: GrantRecord[];
  problems: PlanProblem[];
}

const groupKey = (g: GrantRecord) => `${objectKey(g.object)}\u0000${g.privilege}\u0000${g.column ?? ''}`;

function describe(g: GrantRecord): string {
  const col = g.column === undefined ? '' : ` (${g.column})`;
  return `${g.privilege.toUpperCase()} on ${g.object.kind} ${[g.object.database, g.object.schema, g.object.name].filter(Boolean).join('.')}${col}`;
}

/**
 * `revokes`: live grants whose privilege or grant option the plan revokes.
 * `inScope`: whether a live grant is managed. `desired`: the desired grant of a key.
 */
export function cascadeOf(
  revokes: readonly GrantRecord[],
  live: Pick<Live, 'grants' | 'dependentGrants'>,
  inScope: (g: GrantRecord) => boolean,
  desired: (key: string) => GrantRecord | undefined,
): CascadeResult {
  const out: CascadeResult = { cascade: new Set(), regrant: [], problems: [] };
  if (revokes.length === 0) return out;
  // Most targets have no grant made by a managed role: one cheap pass to find out, so a
  // million-grant plan pays nothing for cascades it cannot have.
  const grantors = new Set<string>();
  const all = [live.grants, live.dependentGrants ?? []];
  for (const list of all) for (const g of list) if (g.grantors) for (const r of g.grantors) grantors.add(r);
  const candidates = revokes.filter((r) => grantors.has(r.role));
  if (candidates.length === 0) return out;
  const groups = new Set(candidates.map(groupKey));
  const byGroup = new Map<string, GrantRecord[]>();
  for (const list of all) for (const g of list) {
    if (!g.grantors?.length) continue;
    const k = groupKey(g);
    if (!groups.has(k)) continue;
    let list = byGroup.get(k);
    if (!list) byGroup.set(k, (list = []));
    list.push(g);
  }
  const regranted = new Set<string>();
  for (const r of candidates) {
    const list = byGroup.get(groupKey(r));
    if (!list) continue;
    // Roles whose grant option goes: the revoked role, then every dependent left
    // with no grantor outside the cascade.
    const gone = new Set([r.role]);
    const lost: GrantRecord[] = [];
    for (let changed = true; changed; ) {
      changed = false;
      for (const g of list) {
        if (gone.has(g.role) || !g.grantors!.some((x) => gone.has(x))) continue;
        if (!g.grantors!.every((x) => gone.has(x))) continue;
        gone.add(g.role);
        lost.push(g);
        changed = true;
      }
    }
    const partial = list.filter((g) => !gone.has(g.role) && g.grantors!.some((x) => gone.has(x)));
    if (lost.length === 0 && partial.length === 0) continue;
    out.cascade.add(r.key);
    // A dependent that also holds the grant from someone outside the cascade keeps it.
    const outside = lost.filter((g) => !inScope(g));
    if (outside.length) {
      out.problems.push({
        severity: 'error',
        message: `revoking ${r.grantOption && desired(r.key) ? 'the grant option of ' : ''}${describe(r)} from ${r.role} would also revoke it from ${outside.map((g) => g.role).join(', ')}, which rbac does not manage (${r.role} granted it on)`,
        hint: `add ${outside.length > 1 ? 'those roles' : 'that role'} to the configuration, or have ${r.role} revoke ${outside.length > 1 ? 'their grants' : 'the grant'} by hand, then plan again`,
      });
    }
    for (const g of lost) {
      const want = desired(g.key);
      if (want && inScope(g) && !regranted.has(g.key)) {
        regranted.add(g.key);
        out.regrant.push(want);
      }
    }
  }
  return out;
}
