/**
 * Changes and plans. A change is one unit of intent that a reviewer reads; compile()
 * turns it into one or more statements of a dialect.
 *
 * Invariants:
 * - `Change` is a discriminated union on `kind`; every switch over it ends in
 *   `assertNever` so a new kind cannot be silently ignored.
 * - a grant/revoke change groups atomic grants of one role on one object: either
 *   table-level `privileges` (no `columns`), or one privilege over `columns`.
 * - `destructive` is true for every change that removes access or drops something.
 * - fields named `reason` or `hint` are display-only and never affect SQL.
 */
import type {
  ColumnRef,
  FutureGrantRecord,
  MaskingPolicyRecord,
  Mode,
  ObjectRef,
  Platform,
  Privilege,
  RowAccessPolicyRecord,
  TemporaryAccess,
} from '../model/types.js';

export interface CreateRole {
  kind: 'createRole';
  role: string;
  description?: string;
  owner?: string;
}
export interface AlterRoleComment {
  kind: 'alterRole';
  role: string;
  from: { description?: string; owner?: string };
  to: { description?: string; owner?: string };
}
export interface DropRole {
  kind: 'dropRole';
  role: string;
}
export interface GrantMembership {
  kind: 'grantMembership';
  role: string;
  member: string;
  memberKind: 'user' | 'role';
  /** Display-only: a membership for a time (until, reason); the audit log records it. */
  temporary?: TemporaryAccess;
}
export interface RevokeMembership {
  kind: 'revokeMembership';
  role: string;
  member: string;
  memberKind: 'user' | 'role';
  /** Display-only. */
  reason?: string;
  /** Display-only: the temporary membership this revokes, because `until` has passed (`expired`) or `since` has not come. */
  temporary?: TemporaryAccess & { expired: boolean };
}
export interface GrantPrivileges {
  kind: 'grant';
  role: string;
  privileges: Privilege[];
  object: ObjectRef;
  columns?: string[];
  /** WITH GRANT OPTION. */
  grantOption?: boolean;
  /** The privileges are held already; this grants their grant option (display and drift). */
  grantOptionOnly?: boolean;
}
export interface RevokePrivileges {
  kind: 'revoke';
  role: string;
  privileges: Privilege[];
  object: ObjectRef;
  columns?: string[];
  /** REVOKE GRANT OPTION FOR: the role keeps the privileges, loses the right to grant them on. */
  grantOptionOnly?: boolean;
  /** CASCADE: the role granted these on; the grants it made go too (see grant-option.ts). */
  cascade?: boolean;
  /** Display-only. */
  reason?: string;
}
export interface GrantFuture {
  kind: 'grantFuture';
  role: string;
  privileges: Privilege[];
  schema: ObjectRef;
  objectType: FutureGrantRecord['objectType'];
  forRole?: string;
  /** WITH GRANT OPTION. */
  grantOption?: boolean;
}
export interface RevokeFuture {
  kind: 'revokeFuture';
  role: string;
  privileges: Privilege[];
  schema: ObjectRef;
  objectType: FutureGrantRecord['objectType'];
  forRole?: string;
  /** The live default privilege is held WITH GRANT OPTION (display; the revoke removes both). */
  grantOption?: boolean;
  /** Display-only. */
  reason?: string;
}

/** Create a masking policy and attach it to its columns. */
export interface CreateMaskingPolicy {
  kind: 'createMaskingPolicy';
  policy: MaskingPolicyRecord;
}
/**
 * Change a masking policy's body or exemptions. The compiler picks the lifecycle its
 * platform needs: replace the body in place, or detach from every column, replace,
 * and reattach when the signature or type changes.
 */
export interface AlterMaskingPolicy {
  kind: 'alterMaskingPolicy';
  from: MaskingPolicyRecord;
  to: MaskingPolicyRecord;
}
/** Detach a masking policy from every column and drop it. */
export interface DropMaskingPolicy {
  kind: 'dropMaskingPolicy';
  policy: MaskingPolicyRecord;
}
/** Attach an existing masking policy to one more column. */
export interface AttachMaskingPolicy {
  kind: 'attachMaskingPolicy';
  policy: MaskingPolicyRecord; // the desired policy
  column: ColumnRef;
}
/** Detach a masking policy from one column it should no longer mask. */
export interface DetachMaskingPolicy {
  kind: 'detachMaskingPolicy';
  policy: MaskingPolicyRecord; // the live policy
  column: ColumnRef;
}
/** Set a masking policy on one more tag (Snowflake tag-based masking). */
export interface AttachMaskingTag {
  kind: 'attachMaskingTag';
  policy: MaskingPolicyRecord; // the desired policy
  tag: ObjectRef;
}
/** Unset a masking policy from a tag it should no longer be set on (the tag's columns are unmasked by it). */
export interface DetachMaskingTag {
  kind: 'detachMaskingTag';
  policy: MaskingPolicyRecord; // the live policy
  tag: ObjectRef;
}
/** Set a tag on a column, with a value, or change its value (Snowflake). */
export interface SetColumnTag {
  kind: 'setColumnTag';
  column: ColumnRef;
  tag: ObjectRef;
  value: string;
  /** Display-only: the value it replaces, when the column carries the tag already. */
  from?: string;
}
/** Unset a tag from a column the configuration no longer classifies (Snowflake). */
export interface UnsetColumnTag {
  kind: 'unsetColumnTag';
  column: ColumnRef;
  tag: ObjectRef;
  /** Display-only: the live value. */
  value?: string;
  /** Display-only. */
  reason?: string;
}
/** Create a row access policy and attach it to its table. */
export interface CreateRowAccessPolicy {
  kind: 'createRowAccessPolicy';
  policy: RowAccessPolicyRecord;
}
/** Change a row access policy's rules (or move it to another table). */
export interface AlterRowAccessPolicy {
  kind: 'alterRowAccessPolicy';
  from: RowAccessPolicyRecord;
  to: RowAccessPolicyRecord;
}
/** Detach a row access policy from its table and drop it. */
export interface DropRowAccessPolicy {
  kind: 'dropRowAccessPolicy';
  policy: RowAccessPolicyRecord;
}

export type PolicyChange =
  | CreateMaskingPolicy
  | AlterMaskingPolicy
  | DropMaskingPolicy
  | AttachMaskingPolicy
  | DetachMaskingPolicy
  | AttachMaskingTag
  | DetachMaskingTag
  | SetColumnTag
  | UnsetColumnTag
  | CreateRowAccessPolicy
  | AlterRowAccessPolicy
  | DropRowAccessPolicy;

const POLICY_KINDS: ReadonlySet<string> = new Set<PolicyChange['kind']>([
  'createMaskingPolicy',
  'alterMaskingPolicy',
  'dropMaskingPolicy',
  'attachMaskingPolicy',
  'detachMaskingPolicy',
  'attachMaskingTag',
  'detachMaskingTag',
  'setColumnTag',
  'unsetColumnTag',
  'createRowAccessPolicy',
  'alterRowAccessPolicy',
  'dropRowAccessPolicy',
]);

/** Whether a change is about a policy (the compilers hand those to their policies.ts). */
export function isPolicyChange(c: Change): c is PolicyChange {
  return POLICY_KINDS.has(c.kind);
}

export type Change =
  | PolicyChange
  | CreateRole
  | AlterRoleComment
  | DropRole
  | GrantMembership
  | RevokeMembership
  | GrantPrivileges
  | RevokePrivileges
  | GrantFuture
  | RevokeFuture;

export type ChangeKind = Change['kind'];

/** Compile-time exhaustiveness: call in the default branch of a switch over a union. */
export function assertNever(x: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(x)}`);
}

/** A problem the planner found that stops the plan from being applied. */
export interface PlanProblem {
  severity: 'error' | 'warning';
  message: string;
  hint?: string;
}

export interface PlanSummary {
  add: number;
  change: number;
  remove: number;
  /** Changes that remove access or drop something (a subset of the above). */
  destructive: number;
}

/**
 * The result of plan(): an ordered list of changes plus what they were computed from.
 * Order: create roles, comment changes, revokes (memberships, future grants, grants),
 * then grants (memberships, privileges, future grants), then drops.
 */
export interface Plan {
  formatVersion: 1;
  platform: Platform;
  target: string;
  mode: Mode;
  changes: Change[];
  problems: PlanProblem[];
  /** sha256 over the canonical in-scope live state the plan was computed from. */
  liveFingerprint: string;
  /** sha256 over the configuration files, when known. */
  configDigest?: string;
  summary: PlanSummary;
}

/** What the planner manages; anything outside it is never revoked or dropped. */
export interface ManagedScope {
  /** Managed role names (normalized): every role defined in the config. */
  roles: ReadonlySet<string>;
  /**
   * Schema keys (objectKey of a schema) whose objects are in scope for PUBLIC grants
   * and for `objects: tables` expansion.
   */
  schemas: ReadonlySet<string>;
  /** Whether PUBLIC's grants on objects in managed schemas are managed. */
  managePublic: boolean;
  /**
   * Where PUBLIC's grants on sequences, routines, types and objects of a database are
   * managed (see scope.ts): `functions:<schema key>`, `functions:<database key>` (the
   * database-wide default privileges), `object:<object key>`. Empty or absent: none.
   */
  publicKinds?: ReadonlySet<string>;
  /** Logical databases whose every schema the configuration reaches (`database: x, objects:`, globs): their objects count in the fingerprint. */
  wholeDatabases?: ReadonlySet<string>;
  /**
   * objectKeys of the objects rbac owns outright (Live.toolObjects): every grant on
   * them is in scope, whoever holds it, in either mode.
   */
  toolObjects?: ReadonlySet<string>;
}

export interface PlanOptions {
  mode: Mode;
  target: string;
  scope: ManagedScope;
  /**
   * Postgres: the roles whose future tables get default privileges (default
   * privileges are per creating role). Undefined elsewhere: future grants name no
   * creator.
   */
  futureGrantCreators?: readonly string[];
  configDigest?: string;
  /**
   * Privileges the platform never revokes (Snowflake OWNERSHIP is transferred, never
   * revoked): live grants of these are neither revoked nor counted as drift.
   */
  neverRevoke?: readonly Privilege[];
  /**
   * The planner's clock: temporary memberships (`until:`) are held while
   * `since <= now < until` and revoked after, in either mode. The CLI passes the time
   * of the run; tests a fixed one. Without it, a configuration with temporary
   * memberships plans an error (the planner never reads a clock itself).
   */
  now?: Date;
}
