/**
 * Words for changes: the vocabulary a text renderer uses, so the terminal UI, the
 * plan text and the audit log say the same thing. Pure; no Ink here.
 */
import { objectLabel, objectPath } from '../model/keys.js';
import type { ObjectRef } from '../model/types.js';
import { assertNever, isPolicyChange, type Change, type PlanSummary } from '../plan/types.js';
import { changeSymbol, isDestructive, summarize } from '../plan/plan.js';
import { changeBodies as renderChangeBodies, columnPath, describeChange as describePlain } from '../render/describe.js';

/**
 * The sign of a change: `+` adds access or a role, `-` removes access or drops
 * something, `~` changes something in place. Always shown with a word, never alone.
 */
export type ChangeSign = '+' | '-' | '~';

/** The word that goes with each sign, for legends and summaries. */
export const SIGN_WORD: Readonly<Record<ChangeSign, string>> = {
  '+': 'add',
  '-': 'remove',
  '~': 'change',
};

/** The sign of a change (same as every renderer's: see src/plan/plan.ts). */
export function changeSign(change: Change): ChangeSign {
  return changeSymbol(change);
}

export { isDestructive };

function privs(p: readonly string[]): string {
  return p.map((x) => x.toUpperCase()).join(', ');
}

function onObject(o: ObjectRef): string {
  return objectLabel(o);
}

function cols(columns: readonly string[] | undefined): string {
  return columns && columns.length > 0 ? ` (${columns.join(', ')})` : '';
}

function member(name: string, kind: 'user' | 'role'): string {
  return kind === 'role' ? `role ${name}` : name;
}

function alterFields(c: Extract<Change, { kind: 'alterRole' }>): string[] {
  const fields: string[] = [];
  if (c.from.description !== c.to.description) fields.push('description');
  if (c.from.owner !== c.to.owner) fields.push('owner');
  return fields;
}

/**
 * One line of words for a change, without its role (the UI groups by role):
 * `grant SELECT on table ehr.clinical.patients (patient_id, zip3)`,
 * `revoke membership of mallory`, `create role clinical_analyst`.
 */
export function describeChange(change: Change): string {
  if (isPolicyChange(change)) return describePlain(change);
  switch (change.kind) {
    case 'createRole':
      return `create role ${change.role}`;
    case 'alterRole': {
      const f = alterFields(change);
      return `change ${f.length > 0 ? f.join(' and ') : 'comment'} of role ${change.role}`;
    }
    case 'dropRole':
      return `drop role ${change.role}`;
    case 'grantMembership':
      return `grant membership of ${member(change.member, change.memberKind)}`;
    case 'revokeMembership':
      return `revoke membership of ${member(change.member, change.memberKind)}`;
    case 'grant':
      return `grant ${privs(change.privileges)} on ${onObject(change.object)}${cols(change.columns)}`;
    case 'revoke':
      return `revoke ${privs(change.privileges)} on ${onObject(change.object)}${cols(change.columns)}`;
    case 'grantFuture':
    case 'revokeFuture': {
      const verb = change.kind === 'grantFuture' ? 'grant' : 'revoke';
      const by = change.forRole ? ` created by ${change.forRole}` : '';
      return `${verb} ${privs(change.privileges)} on future ${change.objectType} in schema ${objectPath(change.schema)}${by}`;
    }
    default:
      return assertNever(change);
  }
}

/** The object a change is about, for filtering: an object path, a member or a role. */
export function changeSubject(change: Change): string {
  switch (change.kind) {
    case 'createRole':
    case 'alterRole':
    case 'dropRole':
      return change.role;
    case 'grantMembership':
    case 'revokeMembership':
      return change.member;
    case 'grant':
    case 'revoke':
      return objectPath(change.object);
    case 'grantFuture':
    case 'revokeFuture':
      return objectPath(change.schema);
    case 'createMaskingPolicy':
    case 'dropMaskingPolicy':
      return change.policy.columns.map(columnPath).join(' ');
    case 'attachMaskingPolicy':
    case 'detachMaskingPolicy':
    case 'setColumnTag':
    case 'unsetColumnTag':
      return columnPath(change.column);
    case 'attachMaskingTag':
    case 'detachMaskingTag':
      return objectPath(change.tag);
    case 'alterMaskingPolicy':
      return change.to.columns.map(columnPath).join(' ');
    case 'createRowAccessPolicy':
    case 'dropRowAccessPolicy':
      return objectPath(change.policy.table);
    case 'alterRowAccessPolicy':
      return objectPath(change.to.table);
    default:
      return assertNever(change);
  }
}

/**
 * A text body that changes from one version to another, shown as a line diff.
 * Today only role comments carry one; policy bodies will when that kind lands.
 */
export interface BodyChange {
  label: string;
  from: string;
  to: string;
}

export function changeBodies(change: Change): BodyChange[] {
  return renderChangeBodies(change);
}

/** The display-only reason of a removal, when the planner gave one. */
export function changeReason(change: Change): string | undefined {
  return 'reason' in change ? change.reason : undefined;
}

/** Counts of a list of changes by sign, plus how many are destructive (the plan summary's shape). */
export type ChangeCounts = PlanSummary;

/** The same counts as a plan's summary: one implementation, in src/plan/plan.ts. */
export const countChanges: (changes: readonly Change[]) => ChangeCounts = summarize;
