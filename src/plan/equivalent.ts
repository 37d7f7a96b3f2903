/**
 * Two words for one grant (PrivilegeDef.sameAs): Snowflake's IMPORTED PRIVILEGES on a
 * database made from a share is reported by SHOW GRANTS as USAGE, and v0.1 wrote it
 * `usage`. A live grant of one word is compared as the other where the configuration
 * asks for the other and not for the live word itself; everywhere else it keeps its own
 * word (an unasked one is revoked as itself). So both `usage` (v0.1) and
 * `imported_privileges` converge, whichever word the platform reports.
 */
import { catalogKinds, type Catalog } from '../model/catalog.js';
import { grantKey, makeGrant } from '../model/keys.js';
import type { GrantRecord, Live, Privilege, SecurableKind } from '../model/types.js';

/** `live` with each grant read as its other word where only that one is desired (the same object when none is). */
export function withEquivalents(live: Live, desired: readonly GrantRecord[], catalog: Catalog): Live {
  // kind -> word -> its other word, both directions.
  const other = new Map<SecurableKind, Map<Privilege, Privilege>>();
  for (const k of catalogKinds(catalog)) {
    for (const p of catalog.kinds[k]!.privileges) {
      if (!p.sameAs) continue;
      const m = other.get(k) ?? other.set(k, new Map()).get(k)!;
      m.set(p.word, p.sameAs);
      m.set(p.sameAs, p.word);
    }
  }
  if (!other.size) return live;
  const wanted = new Set<string>();
  for (const g of desired) if (other.get(g.object.kind)?.has(g.privilege)) wanted.add(g.key);
  if (!wanted.size) return live;
  let changed = false;
  const grants = live.grants.map((g) => {
    const alt = other.get(g.object.kind)?.get(g.privilege);
    if (alt === undefined || wanted.has(g.key)) return g;
    if (!wanted.has(grantKey(g.role, alt, g.object, g.column))) return g;
    changed = true;
    return makeGrant({ ...g, privilege: alt });
  });
  return changed ? { ...live, grants } : live;
}
