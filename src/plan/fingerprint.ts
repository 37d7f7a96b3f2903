/**
 * A fingerprint of the live state in scope: what a saved plan was computed from. Apply
 * of a saved plan re-reads the target and refuses when the fingerprint differs.
 *
 * The combination is order-independent (sums and xors of two 32-bit hashes per
 * record, then SHA-256 over those and the count), so readers that return rows in any
 * order (parallel Snowflake reads) give the same fingerprint, and it stays linear in
 * the number of records (no sort of a million keys). It is a staleness check, not a
 * security boundary; the audit log uses SHA-256 chains for tamper evidence.
 */
import { createHash } from 'node:crypto';
import { objectKey, roleKey, schemaOf } from '../model/keys.js';
import type { Live } from '../model/types.js';
import { liveObjects } from './expand.js';
import type { ManagedScope } from './types.js';
import { inScopeFuture, inScopeGrant, inScopeMembership } from './scope.js';


/** Order-independent accumulator of record keys (see the file comment). */
export class Accumulator {
  count = 0;
  sumA = 0;
  sumB = 0;
  xorA = 0;
  add(s: string): void {
    // Two independent 32-bit hashes (FNV-1a and a djb2 variant) in one pass.
    let a = 0x811c9dc5;
    let b = 5381;
    for (let i = 0; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      a = Math.imul(a ^ ch, 0x01000193);
      b = Math.imul(b, 33) ^ ch;
    }
    a >>>= 0;
    b >>>= 0;
    this.count++;
    this.sumA = (this.sumA + a) % 0x1_0000_0000_0000;
    this.sumB = (this.sumB + b) % 0x1_0000_0000_0000;
    this.xorA = (this.xorA ^ a) >>> 0;
  }
  digest(): string {
    return createHash('sha256')
      .update(`${this.count}:${this.sumA}:${this.sumB}:${this.xorA}`)
      .digest('hex');
  }
}

/**
 * `grantsAdded`, when given, is an accumulator that already holds exactly the keys of
 * the live grants that `inScopeGrant` accepts, their grant options and the dependent
 * grants (the planner adds them while it indexes them, when their characters are
 * still in cache).
 */
export function fingerprintLive(live: Live, scope: ManagedScope, grantsAdded?: Accumulator): string {
  const acc = grantsAdded ?? new Accumulator();
  acc.add(`platform:${live.platform}`);
  for (const r of live.roles) {
    if (!scope.roles.has(r.name)) continue;
    acc.add(`${roleKey(r.name)}:${r.isUser ? 'user' : 'role'}:${r.description ?? ''}\u0000${r.owner ?? ''}`);
  }
  for (const m of live.memberships) if (inScopeMembership(m, scope)) acc.add(m.key);
  if (!grantsAdded) {
    for (const g of live.grants) {
      if (!inScopeGrant(g, scope)) continue;
      acc.add(g.key);
      if (g.grantOption) acc.add(`${g.key}:grant-option`);
    }
    for (const g of live.dependentGrants ?? []) acc.add(`dependent:${g.key}:${(g.grantors ?? []).join(',')}`);
  }
  for (const f of live.futureGrants) if (inScopeFuture(f, scope)) acc.add(f.key);
  // Policies: their definitions, not the display-only bodies.
  for (const m of live.maskingPolicies ?? []) {
    const { body: _b, source: _s, ...def } = m;
    acc.add(JSON.stringify(def));
  }
  for (const r of live.rowAccessPolicies ?? []) {
    const { body: _b, source: _s, ...def } = r;
    acc.add(JSON.stringify(def));
  }
  // A column's tag decides which tag-based policy masks it (the reader reads only managed tags).
  for (const t of live.columnTags ?? []) acc.add(`${t.key}=${JSON.stringify(t.value)}`);
  // Objects matter too: a new table or function in a managed schema (or anywhere in a
  // database `objects:` covers) changes what `objects:` and globs expand to.
  for (const o of liveObjects(live)) {
    if (scope.wholeDatabases?.has(o.database) || (o.kind !== 'database' && scope.schemas.has(objectKey(schemaOf(o))))) acc.add(objectKey(o));
  }
  return acc.digest();
}
