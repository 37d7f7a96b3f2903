/**
 * Words for changes, shared by every renderer: the same vocabulary in text, JSON,
 * markdown and the terminal UI. Meaning is carried by words and symbols; colour (where
 * a renderer adds it) only repeats it.
 */
import { objectPath } from '../model/keys.js';
import type { ObjectRef, Privilege } from '../model/types.js';
import { changeSymbol, isDestructive } from '../plan/plan.js';
import { assertNever, type Change } from '../plan/types.js';

export function privilegeList(ps: readonly Privilege[]): string {
  return ps.map((p) => p.toUpperCase()).join(', ');
}

export function describeObject(o: ObjectRef): string {
  const kind = o.kind === 'table' && o.isView ? 'view' : o.kind;
  return `${kind} ${objectPath(o)}`;
}

/** One line that says what a change does, e.g. `grant SELECT on table ehr.clinical.patients (zip3)`. */
export function describeChange(c: Change): string {
  switch (c.kind) {
    case 'createRole':
      return `create role ${c.role}`;
    case 'alterRole': {
      const parts: string[] = [];
      if ((c.from.description ?? '') !== (c.to.description ?? '')) parts.push('description');
      if ((c.from.owner ?? '') !== (c.to.owner ?? '')) parts.push('owner');
      return `update role ${c.role} (${parts.join(', ')})`;
    }
    case 'dropRole':
      return `drop role ${c.role}`;
    case 'grantMembership':
      return `grant role ${c.role} to ${c.memberKind} ${c.member}`;
    case 'revokeMembership':
      return `revoke role ${c.role} from ${c.memberKind} ${c.member}`;
    case 'grant':
    case 'revoke': {
      const cols = c.columns ? ` (${c.columns.join(', ')})` : '';
      const verb = c.kind === 'grant' ? 'grant' : 'revoke';
      return `${verb} ${privilegeList(c.privileges)} on ${describeObject(c.object)}${cols}`;
    }
    case 'grantFuture':
    case 'revokeFuture': {
      const verb = c.kind === 'grantFuture' ? 'grant' : 'revoke';
      const by = c.forRole ? ` created by ${c.forRole}` : '';
      return `${verb} ${privilegeList(c.privileges)} on future ${c.objectType} in ${describeObject(c.schema)}${by}`;
    }
    default:
      return assertNever(c);
  }
}

/** The grouping key of a change in role-grouped views: the managed role it concerns. */
export function changeGroup(c: Change): string {
  return c.role;
}

export { changeSymbol, isDestructive };
