/**
 * A test double: a platform-neutral model of grant semantics. It applies planned
 * changes to a Live state the way an ideal platform would, so planner properties
 * (convergence, scope) can be checked without a database. Real-engine convergence is
 * tested separately against PGlite and a PostgreSQL server.
 */
import { columnKey, columnTagKey, makeFutureGrant, makeGrant, makeMembership, objectKey } from '../../src/model/keys.js';
import type { GrantRecord, Live } from '../../src/model/types.js';
import { assertNever, type Change } from '../../src/plan/types.js';

/**
 * What CASCADE takes away: every grant of the same privilege on the same object whose
 * grantors all lost the grant option, transitively (a grant that another grantor also
 * made survives, without that grantor).
 */
function cascade(grants: Map<string, GrantRecord>, role: string, like: GrantRecord): void {
  const gone = new Set([role]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const x of [...grants.values()]) {
      if (objectKey(x.object) !== objectKey(like.object) || x.privilege !== like.privilege || (x.column ?? '') !== (like.column ?? '')) continue;
      if (!x.grantors?.some((r) => gone.has(r))) continue;
      const left = x.grantors.filter((r) => !gone.has(r));
      if (left.length) grants.set(x.key, { ...x, grantors: left });
      else {
        grants.delete(x.key);
        gone.add(x.role);
        changed = true;
      }
    }
  }
}

export function applyToModel(live: Live, changes: readonly Change[]): Live {
  const roles = new Map(live.roles.map((r) => [r.name, { ...r }]));
  const memberships = new Map(live.memberships.map((m) => [m.key, m]));
  // One grant read twice (two grantors) is held with the option if either holds it, as the planner reads it.
  const grants = new Map<string, GrantRecord>();
  for (const g of live.grants) {
    const seen = grants.get(g.key);
    grants.set(g.key, seen ? { ...seen, grantOption: seen.grantOption || g.grantOption ? true : undefined } : g);
  }
  const futures = new Map(live.futureGrants.map((f) => [f.key, f]));
  const masking = new Map((live.maskingPolicies ?? []).map((p) => [p.key, p]));
  const rows = new Map((live.rowAccessPolicies ?? []).map((p) => [p.key, p]));
  const columnTags = new Map((live.columnTags ?? []).map((t) => [t.key, t]));
  for (const c of changes) {
    switch (c.kind) {
      case 'createRole':
        roles.set(c.role, { name: c.role, isUser: false, description: c.description, owner: c.owner });
        break;
      case 'alterRole': {
        const r = roles.get(c.role)!;
        roles.set(c.role, { ...r, description: c.to.description, owner: c.to.owner });
        break;
      }
      case 'dropRole':
        roles.delete(c.role);
        break;
      case 'grantMembership': {
        const m = makeMembership({ role: c.role, member: c.member, memberKind: c.memberKind });
        memberships.set(m.key, m);
        break;
      }
      case 'revokeMembership':
        memberships.delete(makeMembership({ role: c.role, member: c.member, memberKind: c.memberKind }).key);
        break;
      case 'grant':
      case 'revoke':
        for (const privilege of c.privileges) {
          for (const column of c.columns ?? [undefined]) {
            const g = makeGrant({ role: c.role, privilege, object: c.object, column });
            const have = grants.get(g.key);
            if (c.kind === 'grant') {
              // Granted by the tool (the owner); WITH GRANT OPTION adds the option, never takes it away.
              const grantors = [...new Set([...(have?.grantors ?? []), 'owner'])].sort();
              grants.set(g.key, { ...g, grantors, ...(c.grantOption || have?.grantOption ? { grantOption: true } : {}) });
              continue;
            }
            if (!have) continue;
            // The platform refuses to revoke a grant option its holder used, unless CASCADE.
            const dependents = [...grants.values()].filter(
              (x) => x.key !== g.key && objectKey(x.object) === objectKey(g.object) && x.privilege === privilege && (x.column ?? '') === (column ?? '') && x.grantors?.includes(c.role),
            );
            if (dependents.length && !c.cascade) throw new Error(`model: dependent privileges exist for ${g.key}`);
            if (c.grantOptionOnly) {
              const { grantOption: _o, ...rest } = have;
              grants.set(g.key, rest);
            } else grants.delete(g.key);
            if (c.cascade) cascade(grants, c.role, g);
          }
        }
        break;
      case 'grantFuture':
      case 'revokeFuture':
        for (const privilege of c.privileges) {
          const f = makeFutureGrant({ role: c.role, privilege, schema: c.schema, objectType: c.objectType, forRole: c.forRole, ...(c.grantOption ? { grantOption: true } : {}) });
          if (c.kind === 'grantFuture') futures.set(f.key, f);
          else futures.delete(f.key);
        }
        break;
      case 'createMaskingPolicy':
        masking.set(c.policy.key, c.policy);
        break;
      case 'alterMaskingPolicy':
        masking.set(c.to.key, { ...c.to, columns: masking.get(c.from.key)!.columns });
        break;
      case 'dropMaskingPolicy':
        masking.delete(c.policy.key);
        break;
      case 'attachMaskingPolicy':
      case 'detachMaskingPolicy': {
        const p = masking.get(c.policy.key)!;
        const others = p.columns.filter((x) => columnKey(x) !== columnKey(c.column));
        const columns = c.kind === 'attachMaskingPolicy' ? [...others, c.column] : others;
        columns.sort((a, b) => (columnKey(a) < columnKey(b) ? -1 : 1));
        masking.set(p.key, { ...p, columns });
        break;
      }
      case 'attachMaskingTag':
      case 'detachMaskingTag': {
        const p = masking.get(c.policy.key)!;
        const others = (p.tags ?? []).filter((x) => objectKey(x) !== objectKey(c.tag));
        const tags = c.kind === 'attachMaskingTag' ? [...others, c.tag] : others;
        tags.sort((a, b) => (objectKey(a) < objectKey(b) ? -1 : 1));
        const { tags: _t, ...rest } = p;
        masking.set(p.key, tags.length ? { ...rest, tags } : rest);
        break;
      }
      case 'setColumnTag': {
        const t = { key: columnTagKey(c.tag, c.column), column: c.column, tag: c.tag, value: c.value };
        columnTags.set(t.key, t);
        break;
      }
      case 'unsetColumnTag':
        columnTags.delete(columnTagKey(c.tag, c.column));
        break;
      case 'createRowAccessPolicy':
        rows.set(c.policy.key, c.policy);
        break;
      case 'alterRowAccessPolicy':
        rows.set(c.to.key, c.to);
        break;
      case 'dropRowAccessPolicy':
        rows.delete(c.policy.key);
        break;
      default:
        assertNever(c);
    }
  }
  return {
    ...live,
    roles: [...roles.values()],
    memberships: [...memberships.values()],
    grants: [...grants.values()],
    futureGrants: [...futures.values()],
    maskingPolicies: [...masking.values()],
    rowAccessPolicies: [...rows.values()],
    ...(columnTags.size || live.columnTags ? { columnTags: [...columnTags.values()] } : {}),
  };
}
