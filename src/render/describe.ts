/**
 * Words for changes, shared by every renderer: the same vocabulary in text, JSON,
 * markdown and the terminal UI. Meaning is carried by words and symbols; colour (where
 * a renderer adds it) only repeats it.
 */
import { keyPart, objectLabel, objectPath } from '../model/keys.js';
import type { ColumnRef, MaskingPolicyRecord, ObjectRef, Privilege, RowAccessPolicyRecord } from '../model/types.js';
import { changeGroup, changeSymbol, isDestructive } from '../plan/plan.js';
import { assertNever, type Change } from '../plan/types.js';

export function privilegeList(ps: readonly Privilege[]): string {
  return ps.map((p) => p.toUpperCase()).join(', ');
}

export function describeObject(o: ObjectRef): string {
  return objectLabel(o);
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
      return `grant role ${c.role} to ${c.memberKind} ${c.member}${c.temporary ? ` until ${c.temporary.until}${c.temporary.reason === undefined ? '' : ` (${c.temporary.reason})`}` : ''}`;
    case 'revokeMembership':
      return `revoke role ${c.role} from ${c.memberKind} ${c.member}${c.temporary ? `: ${c.reason}` : ''}`;
    case 'grant':
    case 'revoke': {
      const cols = c.columns ? ` (${c.columns.join(', ')})` : '';
      const verb = c.kind === 'grant' ? 'grant' : 'revoke';
      const what = c.grantOptionOnly ? `the grant option of ${privilegeList(c.privileges)}` : privilegeList(c.privileges);
      const option = c.kind === 'grant' && c.grantOption && !c.grantOptionOnly ? ' WITH GRANT OPTION' : '';
      const cascade = c.kind === 'revoke' && c.cascade ? `, with the grants ${c.role} made on with it (CASCADE)` : '';
      return `${verb} ${what} on ${describeObject(c.object)}${cols}${option}${cascade}`;
    }
    case 'grantFuture':
    case 'revokeFuture': {
      const verb = c.kind === 'grantFuture' ? 'grant' : 'revoke';
      const by = c.forRole ? ` created by ${c.forRole}` : '';
      const option = c.grantOption ? ' WITH GRANT OPTION' : '';
      return `${verb} ${privilegeList(c.privileges)} on future ${c.objectType} in ${describeObject(c.schema)}${by}${option}`;
    }
    case 'createMaskingPolicy':
      return `create masking policy ${c.policy.name} (${maskWords(c.policy)}) on ${[...c.policy.columns.map(columnPath), ...(c.policy.tags ?? []).map((t) => `tag ${objectPath(t)}`)].join(', ')}`;
    case 'alterMaskingPolicy':
      if (c.from.tampered?.length) return `restore masking policy ${c.to.name}: ${c.from.tampered.join('; ')}`;
      return `change masking policy ${c.to.name} (${maskWords(c.to)})`;
    case 'dropMaskingPolicy':
      return `drop masking policy ${c.policy.name} from ${[...c.policy.columns.map(columnPath), ...(c.policy.tags ?? []).map((t) => `tag ${objectPath(t)}`)].join(', ')}`;
    case 'attachMaskingPolicy':
      return `mask column ${columnPath(c.column)} with ${c.policy.name}`;
    case 'detachMaskingPolicy':
      return `unmask column ${columnPath(c.column)} (detach ${c.policy.name})`;
    case 'attachMaskingTag':
      return `mask every column carrying tag ${objectPath(c.tag)} with ${c.policy.name}`;
    case 'detachMaskingTag':
      return `unmask the columns carrying tag ${objectPath(c.tag)} (unset ${c.policy.name} from the tag)`;
    case 'setColumnTag':
      return c.from === undefined
        ? `tag column ${columnPath(c.column)} with ${objectPath(c.tag)} = '${c.value}'`
        : `change tag ${objectPath(c.tag)} of column ${columnPath(c.column)} from '${c.from}' to '${c.value}'`;
    case 'unsetColumnTag':
      return `untag column ${columnPath(c.column)} (unset ${objectPath(c.tag)}${c.value !== undefined ? ` = '${c.value}'` : ''})`;
    case 'createRowAccessPolicy':
      return `create row access policy ${c.policy.name} on ${describeObject(c.policy.table)}`;
    case 'alterRowAccessPolicy':
      if (c.from.tampered?.length) return `restore row access policy ${c.to.name} on ${describeObject(c.to.table)}: ${c.from.tampered.join('; ')}`;
      return `change row access policy ${c.to.name} on ${describeObject(c.to.table)}`;
    case 'dropRowAccessPolicy':
      return `drop row access policy ${c.policy.name} from ${describeObject(c.policy.table)}`;
    default:
      return assertNever(c);
  }
}

export function columnPath(c: ColumnRef): string {
  return `${objectPath(c.table)}.${keyPart(c.column)}`;
}

function maskWords(p: MaskingPolicyRecord): string {
  const how = p.mask ? `mask ${p.mask}` : 'custom expression';
  const clear = p.unmaskedFor.length ? `; clear for ${p.unmaskedFor.join(', ')}` : '; clear for no role';
  return how + clear;
}

/**
 * The definition of a policy as text, one fact per line, for line diffs of a policy
 * change (the platform's compiled body is in the change's SQL).
 */
export function policyDefinition(p: MaskingPolicyRecord | RowAccessPolicyRecord): string {
  if ('rules' in p) {
    return [`table: ${objectPath(p.table)}`, ...p.rules.map((r) => `allow ${r.roles.join(', ')} where ${r.where}`)].join('\n') + '\n';
  }
  return (
    [
      p.mask ? `mask: ${p.mask}` : `expression: ${p.expression}`,
      `unmasked_for: ${p.unmaskedFor.join(', ') || '(none)'}`,
      ...p.columns.map((c) => `column: ${columnPath(c)}`),
      ...(p.tags ?? []).map((t) => `tag: ${objectPath(t)}`),
    ].join('\n') + '\n'
  );
}

/** For changes that alter a policy: the old and new definition, for a line diff. */
export function changeBodies(c: Change): { label: string; from: string; to: string }[] {
  if (c.kind === 'alterMaskingPolicy' || c.kind === 'alterRowAccessPolicy') {
    const out = [{ label: 'definition', from: policyDefinition(c.from), to: policyDefinition(c.to) }];
    if (c.from.body !== undefined && c.to.body !== undefined && c.from.body !== c.to.body) {
      out.push({ label: 'body', from: c.from.body, to: c.to.body });
    }
    return out;
  }
  if (c.kind === 'alterRole') {
    const out: { label: string; from: string; to: string }[] = [];
    if ((c.from.description ?? '') !== (c.to.description ?? '')) out.push({ label: 'description', from: c.from.description ?? '', to: c.to.description ?? '' });
    if ((c.from.owner ?? '') !== (c.to.owner ?? '')) out.push({ label: 'owner', from: c.from.owner ?? '', to: c.to.owner ?? '' });
    return out;
  }
  return [];
}

/** Indices of changes per group (see changeGroup), groups in order of first appearance. */
export function groupChanges(changes: readonly Change[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  changes.forEach((c, i) => {
    const g = changeGroup(c);
    let list = groups.get(g);
    if (!list) groups.set(g, (list = []));
    list.push(i);
  });
  return groups;
}

export { changeGroup, changeSymbol, isDestructive };
