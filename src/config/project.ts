/**
 * The Project: everything the configuration directory says, validated and parsed but
 * not yet normalized for a platform (names keep their `NamePart` form; toDesired folds
 * them for one dialect).
 */
import type { NamePart } from '../dialects/types.js';
import type { Mode, Platform, Privilege, SecurableKind, SourceLocation } from '../model/types.js';
import type { MaskFunction, PhiCategory } from './schema.js';

/**
 * A name as written, with where it was written. A reference to a database role names
 * its database too (`ehr.phi_reader`: `database` ehr, `name` phi_reader).
 */
export interface NameRef {
  name: NamePart;
  database?: NamePart;
  source: SourceLocation;
}

/**
 * A `members:` entry. `temporary` is set for the long form with `until`: both times are
 * normalized to UTC ISO strings (`2026-12-03T18:00:00.000Z`) and, after a load without
 * errors, `since` (when set) is before `until`.
 */
export interface MemberRef extends NameRef {
  temporary?: { until: string; since?: string; reason?: string; source: SourceLocation };
}

/** A user principal (created by the identity provider, never by rbac). */
export interface UserDef {
  name: NamePart;
  email?: string;
  manager?: string;
  title?: string;
  /**
   * Databricks: a service principal (not a user), named in SCIM and in GRANT by its
   * application id. Invariant: set exactly when `applicationId` is.
   */
  servicePrincipal?: boolean;
  applicationId?: string;
  /** Databricks: a Delta Sharing recipient, granted SELECT on shares (`TO RECIPIENT`). */
  recipient?: boolean;
  source: SourceLocation;
}

/**
 * A role as configured. Invariants after a load without errors: `name` is unique
 * across files (platform-neutral comparison), is not `public`, every `inherits` entry
 * names a defined role, the inheritance graph has no cycle, and every `members` entry
 * names a defined user.
 */
export interface RoleDef {
  name: NamePart;
  /** Snowflake: a database role of this database (`database: ehr`), referred to as `ehr.<name>`. */
  database?: NamePart;
  databaseSource?: SourceLocation;
  description?: string;
  owner?: string;
  inherits: NameRef[];
  members: MemberRef[];
  state: 'present' | 'absent';
  privileged: boolean;
  /** An emergency role: after a load without errors every member has `temporary` with a reason. */
  breakGlass: boolean;
  justification?: string;
  deidentified: boolean;
  /** `expert_determination:` of a de-identified role (164.514(b)(1)); allows masks Safe Harbor does not. */
  expertDetermination?: ExpertDetermination;
  phiAccess: { category: PhiCategory; justification: string; source: SourceLocation }[];
  source: SourceLocation;
}

/** An Expert Determination as recorded in the configuration: who, when (YYYY-MM-DD), the report. */
export interface ExpertDetermination {
  by: string;
  date: string;
  report: string;
  source: SourceLocation;
}

/**
 * An object as a grant names it: `parts` as the kind's shape has them (1 for a
 * database, 2 for a schema or an object of the database, 3 for an object in a schema),
 * `signature` a routine's argument types as written, `glob` when a bare part holds `*`
 * or `?` (expanded against the live objects at plan time).
 */
export interface ObjectName {
  kind: SecurableKind;
  parts: NamePart[];
  signature?: string[];
  glob: boolean;
}

/** A privilege word of a grant: a catalog word or alias, or `all` (expanded by toDesired). */
export type PrivilegeWord = Privilege | 'all';

/**
 * One `grants:` entry. Invariants after a load without errors: `role` is `public`
 * (then `isPublic`) or a defined role; each privilege applies to the object kind on
 * at least one platform (column privileges when `columns` is set, table privileges
 * when `objects: tables`); `columns` only on tables/views; `objects` only on schemas;
 * no atomic grant is defined twice.
 */
export interface GrantDef {
  role: NamePart;
  /** The database of a database role grantee (`role: ehr.phi_reader`). */
  roleDatabase?: NamePart;
  roleSource: SourceLocation;
  isPublic: boolean;
  privileges: { word: PrivilegeWord; source: SourceLocation }[];
  object: ObjectName;
  objectSource: SourceLocation;
  columns?: NameRef[];
  /** `objects:`: every object of these kinds in the schema or database. */
  objects?: SecurableKind[];
  objectsSource?: SourceLocation;
  /** With `objects:`, also future objects (default true). */
  future: boolean;
  /** Only on these platforms; undefined: every platform. */
  platforms?: Platform[];
  /** `grant_option: true`: WITH GRANT OPTION. */
  grantOption?: boolean;
  grantOptionSource?: SourceLocation;
  reason?: string;
  source: SourceLocation;
}

/** `phi:` entry: a column (4 parts: database.schema.table.column) and its category. */
export interface PhiDef {
  column: NamePart[];
  category: PhiCategory;
  source: SourceLocation;
}

/**
 * A masking policy (parsed only; planned by a later stage). Exactly one of
 * mask/expression; `columns` (possibly empty) and `tag` not both absent.
 */
export interface MaskingPolicyDef {
  name: NamePart;
  columns: { path: NamePart[]; source: SourceLocation }[];
  /** `tag:` (Snowflake tag-based masking): the tag as written, and where. */
  tag?: { path: NamePart[]; source: SourceLocation };
  mask?: MaskFunction;
  expression?: Partial<Record<Platform, string>>;
  /** Where each platform's expression is written (diagnostics point into it). */
  expressionSource?: Partial<Record<Platform, SourceLocation>>;
  unmaskedFor: NameRef[];
  source: SourceLocation;
}

/** A row access policy (parsed only; planned by a later stage). */
export interface RowAccessPolicyDef {
  name: NamePart;
  table: NamePart[];
  allow: { roles: NameRef[]; where: string; whereSource?: SourceLocation; source: SourceLocation }[];
  source: SourceLocation;
}

/** A scalar setting of a target, still unexpanded (`${VAR}` kept as written). */
export interface TargetValue {
  value: string | number | boolean;
  source: SourceLocation;
}

/**
 * A target as written in rbac.yaml. Secrets and `${VAR}` references are kept
 * unexpanded; `resolveTarget` expands them for the chosen target only.
 * `databaseMap` and `objectCreators` are set for Postgres targets only.
 */
export interface TargetDef {
  name: string;
  platform: Platform;
  settings: Record<string, TargetValue>;
  databaseMap?: Record<string, TargetValue>;
  objectCreators?: { value: string; source: SourceLocation }[];
  source: SourceLocation;
}

/** A file that was read: path relative to the config root (`/` separators). */
export interface ConfigFile {
  path: string;
  sha256: string;
  bytes: number;
}

/**
 * The whole configuration. Lists keep file order (files sorted by relative path,
 * entries in document order), so output built from a Project is stable. When the
 * load reported errors the Project holds what could be read and must not be planned.
 * `digest` is sha256 (hex) over the sorted relative paths and contents of `files`.
 */
export interface Project {
  version: 1;
  mode: Mode;
  managePublic: boolean;
  /** `expressions:` of rbac.yaml: extra functions and relations custom SQL may use (paths as written). */
  expressions: { functions: { path: NamePart[]; source: SourceLocation }[]; relations: { path: NamePart[]; source: SourceLocation }[] };
  defaultTarget?: string;
  defaultTargetSource?: SourceLocation;
  targets: Record<string, TargetDef>;
  users: UserDef[];
  roles: RoleDef[];
  grants: GrantDef[];
  phi: PhiDef[];
  maskingPolicies: MaskingPolicyDef[];
  rowAccessPolicies: RowAccessPolicyDef[];
  /** `privileged_access:` of rbac.yaml: justifications for account administrators the review lists. */
  privilegedAccess?: PrivilegedAccessDef[];
  /** `safe_harbor.zip3_restricted:` of rbac.yaml: the zip3 mask's restricted prefixes, replacing the built-in list. */
  zip3Restricted?: { prefixes: string[]; source: string; location: SourceLocation };
  files: ConfigFile[];
  digest: string;
}

/** One `privileged_access:` entry: `privilege` undefined justifies every privilege of the principal. */
export interface PrivilegedAccessDef {
  principal: NamePart;
  privilege?: string;
  reason: string;
  source: SourceLocation;
}

/** The name of the root config file, relative to the config root. */
export const ROOT_FILE = 'rbac.yaml';

export function emptyProject(): Project {
  return {
    version: 1,
    mode: 'authoritative',
    managePublic: true,
    expressions: { functions: [], relations: [] },
    targets: {},
    users: [],
    roles: [],
    grants: [],
    phi: [],
    maskingPolicies: [],
    rowAccessPolicies: [],
    files: [],
    digest: '',
  };
}
