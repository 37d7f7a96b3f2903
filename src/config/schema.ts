/**
 * The one description of every configuration key. Both the validator (validate.ts,
 * which walks the YAML tree with positions) and the JSON Schema (`jsonSchema()`,
 * printed by `rbac schema`, usable by editors) are generated from the definitions in
 * this file, so they cannot disagree on a key, a type, an enum or a pattern.
 *
 * The node kinds are deliberately few (string, integer, boolean, list, object, map,
 * variants); each has exactly one JSON Schema translation below.
 */
import { PLATFORMS, type SecurableKind } from '../model/types.js';
import { KIND_PLURALS, KIND_SHAPES, RELATION_KINDS, SIGNATURE_KINDS, kindWords, type KindShape } from '../model/kinds.js';
import { CATALOGS, allPrivilegeWords, anyPlatformKinds, anyPlatformWords } from '../dialects/catalogs.js';
import { acceptedWords } from '../model/catalog.js';
import { NAME_PATTERNS } from './names.js';

interface Described {
  description: string;
  /** Default applied by the loader when the key is absent (documented in JSON Schema). */
  default?: unknown;
}

/**
 * A string. `pattern` is ECMA-262 with the `u` flag and `patternLabel` names what the
 * string is in messages ("a role name"). `isName` marks strings that name something,
 * where YAML 1.1 booleans (`no`, `on`, `yes`...) are flagged.
 */
export interface StringNode extends Described {
  type: 'string';
  enum?: readonly string[];
  pattern?: string;
  patternLabel?: string;
  /** The hint of a value that does not match `pattern` (default: how names are written). */
  patternHint?: string;
  /** Label for enum messages: "unknown privilege 'x'". */
  enumLabel?: string;
  isName?: boolean;
  minLength?: number;
  /**
   * The long form: the same item may be written as a mapping of this shape instead of
   * the string (`members: [alice, {name: bob, until: ...}]`); the string stays valid.
   */
  mapForm?: ObjectNode;
}
export interface IntegerNode extends Described {
  type: 'integer';
  minimum?: number;
  maximum?: number;
  const?: number;
}
export interface BooleanNode extends Described {
  type: 'boolean';
  /** The only value accepted (`account: true`). */
  const?: boolean;
}
/** A YAML sequence. */
export interface ListNode extends Described {
  type: 'list';
  items: SchemaNode;
  minItems?: number;
  /** One item may be written alone, without the list (`objects: tables`). */
  acceptScalar?: boolean;
}
/**
 * A YAML mapping with fixed keys. `exactlyOne` lists keys of which exactly one must be
 * present (e.g. `mask` or `expression`); `atLeastOne` keys of which one or more must be
 * (a masking policy's `columns` and `tag`); `minProperties` counts present keys.
 */
export interface ObjectNode extends Described {
  type: 'object';
  properties: Record<string, SchemaNode>;
  required?: readonly string[];
  exactlyOne?: readonly string[];
  atLeastOne?: readonly string[];
  minProperties?: number;
}
/** A YAML mapping with free keys (matching `keys`) and uniform values. */
export interface MapNode extends Described {
  type: 'map';
  keys: StringNode;
  values: SchemaNode;
}
/**
 * One of several object shapes. `by: 'value'` picks the variant by the value of the
 * key `tagKey` (targets by `platform`); `by: 'presence'` picks it by which single
 * variant name is present as a key (`on: {table: ...}` vs `on: {schema: ...}`).
 */
export interface VariantsNode extends Described {
  type: 'variants';
  by: 'value' | 'presence';
  tagKey?: string;
  variants: Record<string, ObjectNode>;
}

/** Any schema node; a closed union so every consumer switches exhaustively. */
export type SchemaNode = StringNode | IntegerNode | BooleanNode | ListNode | ObjectNode | MapNode | VariantsNode;

// ---------------------------------------------------------------------------------
// Building blocks

const str = (description: string, extra: Partial<StringNode> = {}): StringNode => ({
  type: 'string',
  description,
  minLength: 1,
  ...extra,
});
const bool = (description: string, def?: boolean): BooleanNode =>
  def === undefined ? { type: 'boolean', description } : { type: 'boolean', description, default: def };
const list = (items: SchemaNode, description: string, minItems?: number): ListNode =>
  minItems === undefined ? { type: 'list', items, description } : { type: 'list', items, description, minItems };
const obj = (
  description: string,
  properties: Record<string, SchemaNode>,
  required: readonly string[] = [],
  extra: Partial<ObjectNode> = {},
): ObjectNode => ({ type: 'object', description, properties, required, ...extra });

const roleName = (description: string): StringNode =>
  str(description, { pattern: NAME_PATTERNS.part, patternLabel: 'a role name', isName: true });
/** Where a role is referred to: a role, or a Snowflake database role as `database.role`. */
const roleRef = (description: string): StringNode =>
  str(`${description} A Snowflake database role is written database.role.`, { pattern: NAME_PATTERNS.roleRef, patternLabel: 'a role name (or database.role)', isName: true });
const userName = (description: string): StringNode =>
  str(description, { pattern: NAME_PATTERNS.part, patternLabel: 'a user name', isName: true });
const columnName = str('A column name (one name part).', {
  pattern: NAME_PATTERNS.part,
  patternLabel: 'a column name',
  isName: true,
});
const tablePath = (what: string): StringNode =>
  str(`The ${what} as database.schema.name; quote a part in double quotes to keep its case.`, {
    pattern: NAME_PATTERNS.table,
    patternLabel: `a ${what} path (database.schema.name)`,
    isName: true,
  });
const columnPath = str('A column as database.schema.table.column.', {
  pattern: NAME_PATTERNS.column,
  patternLabel: 'a column path (database.schema.table.column)',
  isName: true,
});
const envString = (description: string, extra: Partial<StringNode> = {}): StringNode =>
  str(`${description} \${VAR} is replaced by the environment variable VAR when the target is used.`, extra);

/** Safe Harbor identifier categories (45 CFR 164.514(b)(2)). */
export const PHI_CATEGORIES = [
  'name',
  'geographic',
  'date',
  'telephone',
  'fax',
  'email',
  'ssn',
  'medical_record_number',
  'health_plan_number',
  'account_number',
  'license_number',
  'vehicle_id',
  'device_id',
  'url',
  'ip_address',
  'biometric',
  'photo',
  'other_unique_id',
] as const;
/** One of the 18 Safe Harbor categories; closed list. */
export type PhiCategory = (typeof PHI_CATEGORIES)[number];

export const MASK_FUNCTIONS = ['redact', 'null', 'hash', 'surrogate', 'last4', 'year', 'zip3', 'email_domain'] as const;
/** A built-in mask; each compiler maps it to platform SQL. Closed list. */
export type MaskFunction = (typeof MASK_FUNCTIONS)[number];

export const AUTHENTICATORS = ['SNOWFLAKE_JWT', 'SNOWFLAKE', 'OAUTH', 'EXTERNALBROWSER'] as const;
/** Snowflake authentication method; decides which credential key is required. */
export type Authenticator = (typeof AUTHENTICATORS)[number];

/** What a grant's `privileges` list may hold: every platform's words for every kind, plus `all`. */
export const PRIVILEGE_WORDS: readonly string[] = [...allPrivilegeWords(), 'all'];

const phiCategory = str('A Safe Harbor identifier category.', { enum: PHI_CATEGORIES, enumLabel: 'PHI category' });

// ---------------------------------------------------------------------------------
// rbac.yaml

const platformTag = (p: string): StringNode => str('The platform of this target.', { enum: [p] });

const postgresTarget = obj(
  'A PostgreSQL target: an embedded PGlite data directory or a server URL.',
  {
    platform: platformTag('postgres'),
    embedded: str('PGlite data directory, relative to the config root.'),
    url: envString('postgres:// or postgresql:// connection URL.'),
    database_map: {
      type: 'map',
      description:
        'Logical database name used in the config -> database name on this server (the connected database).',
      keys: str('Logical database name.', {
        pattern: NAME_PATTERNS.part,
        patternLabel: 'a database name',
        isName: true,
      }),
      values: envString('Physical database name.'),
    },
    object_creators: list(
      roleName('A role that creates tables.'),
      'Roles whose future tables receive default privileges (ALTER DEFAULT PRIVILEGES FOR ROLE). Default: the connecting user.',
      1,
    ),
  },
  ['platform'],
  { exactlyOne: ['embedded', 'url'] },
);

const snowflakeTarget = obj(
  'A Snowflake account.',
  {
    platform: platformTag('snowflake'),
    account: envString('Account identifier (orgname-accountname).'),
    user: envString('User name to connect as.'),
    role: envString('Role to use (SECURITYADMIN or a role that owns the managed roles).'),
    warehouse: envString('Warehouse for SHOW queries that need one.'),
    authenticator: str('How to authenticate.', { enum: AUTHENTICATORS, default: 'SNOWFLAKE_JWT' }),
    private_key_path: envString('Path to the PKCS#8 private key (SNOWFLAKE_JWT), relative to the config root.'),
    private_key_passphrase: envString('Passphrase of an encrypted private key (SNOWFLAKE_JWT).'),
    password: envString('Password (authenticator SNOWFLAKE).'),
    token: envString('OAuth token (authenticator OAUTH).'),
    parallelism: {
      type: 'integer',
      description: 'At most this many catalog queries at once while reading (fewer while Snowflake answers that it is busy: halved, then raised one by one).',
      minimum: 1,
      maximum: 64,
      default: 32,
    },
    access_url: envString('https:// URL used instead of the one derived from `account` (private link, or a test stub).'),
  },
  ['platform', 'account', 'user'],
);

const databricksTarget = obj(
  'A Databricks SQL warehouse with Unity Catalog.',
  {
    platform: platformTag('databricks'),
    host: envString('Workspace host name.'),
    http_path: envString('HTTP path of the SQL warehouse.'),
    token: envString('Personal access token.'),
    client_id: envString('OAuth machine-to-machine client id (service principal).'),
    client_secret: envString('OAuth machine-to-machine client secret.'),
    account_id: envString('Databricks account id, for the account SCIM API (account groups, members, nesting); needed with manage_membership: true.'),
    accounts_host: envString('Accounts console host (or https:// URL) used instead of the one derived from `host` (a test stub, or a cloud rbac does not know).'),
    manage_membership: bool('Manage account groups, their members and nesting through SCIM (needs account admin and account_id).', false),
  },
  ['platform', 'host', 'http_path'],
);

const targetNode: VariantsNode = {
  type: 'variants',
  description: 'A connection target; its keys depend on `platform`.',
  by: 'value',
  tagKey: 'platform',
  variants: { postgres: postgresTarget, snowflake: snowflakeTarget, databricks: databricksTarget },
};

export const RBAC_FILE: ObjectNode = obj(
  'rbac.yaml: the config root.',
  {
    version: { type: 'integer', const: 1, description: 'Config format version. Always 1.' },
    mode: str('authoritative revokes what managed roles hold beyond the config; additive only adds.', {
      enum: ['authoritative', 'additive'],
      default: 'authoritative',
    }),
    default_target: str('Target used when --target is not given.', {
      pattern: NAME_PATTERNS.key,
      patternLabel: 'a target name',
      isName: true,
    }),
    manage_public: bool("Whether PUBLIC's grants on objects in managed schemas are in scope.", true),
    expressions: obj(
      'What person-written SQL (a row filter\'s where, a mask expression) may use beyond the built-in safe functions. Each expression is parsed by the platform\'s grammar and re-printed; anything else is refused.',
      {
        functions: list(
          str('A function as database.schema.function (unquoted parts fold as the platform folds them).', {
            pattern: NAME_PATTERNS.table,
            patternLabel: 'a function path (database.schema.function)',
            isName: true,
          }),
          'Functions, beyond the built-in scalar ones, that expressions may call (schema-qualified in the expression).',
        ),
        relations: list(tablePath('relation'), 'Relations a row filter may read in a subquery (EXISTS, IN (SELECT ...)).'),
      },
    ),
    safe_harbor: obj(
      'Safe Harbor data that rbac compiles into its masks, where it should follow newer Census data than the built-in list.',
      {
        zip3_restricted: obj(
          'The three-digit ZIP prefixes the zip3 mask makes 000 (areas of 20,000 people or fewer, 164.514(b)(2)(i)(B)); replaces the built-in 2000 Census list.',
          {
            prefixes: list(
              str('A three-digit ZIP prefix, quoted ("036": unquoted, YAML reads 036 as the number 36).', { pattern: '^[0-9]{3}$', patternLabel: 'a three-digit ZIP prefix', patternHint: 'write it as a quoted three-digit string, e.g. "036"' }),
              'The restricted prefixes.',
            ),
            source: str('Where the list comes from (the Census data and when it was computed): the lint and the review cite it.'),
          },
          ['prefixes', 'source'],
        ),
      },
    ),
    privileged_access: list(
      obj(
        'A written justification for an account administrator the access review lists (a superuser, an ACCOUNTADMIN holder, a table owner, a metastore admin).',
        {
          principal: str('The user or role as the platform names it.', { pattern: NAME_PATTERNS.part, patternLabel: 'a user or role name', isName: true }),
          privilege: str('Only this privilege, as the review names it (SUPERUSER, CREATEROLE, BYPASSRLS, OWNER, ACCOUNTADMIN, MANAGE GRANTS, METASTORE ADMIN, MANAGE); every privilege of the principal when absent.'),
          reason: str('Why the principal needs it (the review prints it; a privileged principal without one is a finding).', { minLength: 1 }),
        },
        ['principal', 'reason'],
      ),
      'Justifications for privileged principals the configuration does not manage (access review, checklist item 4).',
    ),
    targets: {
      type: 'map',
      description: 'Named connection targets.',
      keys: str('Target name.', { pattern: NAME_PATTERNS.key, patternLabel: 'a target name', isName: true }),
      values: targetNode,
    },
  },
  ['version'],
);

// ---------------------------------------------------------------------------------
// roles/*.yaml

const userNode = obj(
  'A user principal. Users are created by the identity provider, never by rbac.',
  {
    name: userName('User name as the platform knows it.'),
    email: str('Email address.'),
    manager: str('Manager who confirms this user’s roles in access reviews.'),
    title: str('Job title.'),
    service_principal: bool('Databricks: this is a service principal, not a user; members: and grants name it by its application_id.', false),
    recipient: bool('Databricks: this is a Delta Sharing recipient, not a user; grants give it SELECT on shares (GRANT SELECT ON SHARE ... TO RECIPIENT).', false),
    application_id: str('Databricks: the application id (a UUID) of a service principal (service_principal: true).', {
      pattern: '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$',
      patternLabel: 'a UUID',
    }),
  },
  ['name'],
);

/** ISO-8601 timestamp with a zone; the loader also checks the date exists. */
const timestamp = (description: string): StringNode =>
  str(`${description} An ISO-8601 timestamp with a zone: 2026-12-03T18:00Z, 2026-12-03T18:00:00+01:00.`, {
    pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?(?:Z|[+-]\\d{2}:?\\d{2})$',
    patternLabel: 'an ISO-8601 timestamp with a zone (2026-12-03T18:00Z)',
  });

/** A membership for a time: granted from `since` (or at once) until `until`, then revoked. */
const temporaryMember = obj(
  'A temporary membership: rbac plan grants it while now is before until (and after since), and revokes it once until has passed.',
  {
    name: userName('A user defined under users:.'),
    until: timestamp('When the membership ends; the first plan after it revokes the membership.'),
    since: timestamp('When the membership starts (default: at once).'),
    reason: str('Why (an incident or ticket number); recorded in the audit log, the review and the emergency-access log.'),
  },
  ['name', 'until'],
);

const roleNode = obj(
  'A role (group of privileges) that rbac creates and manages.',
  {
    name: roleName('Role name.'),
    database: str('Snowflake: make this a database role of this database (CREATE DATABASE ROLE); refer to it as database.name. It may hold privileges inside its database only, and is granted to roles, never to users.', {
      pattern: NAME_PATTERNS.part,
      patternLabel: 'a database name',
      isName: true,
    }),
    description: str('What the role is for; stored as the role comment.'),
    owner: str('Team or person accountable for the role.'),
    inherits: list(roleRef('A parent role.'), 'Roles whose privileges this role inherits.'),
    members: list(
      { ...userName('A user defined under users:.'), mapForm: temporaryMember },
      'Users who hold this role: a user name, or a mapping with until/reason for temporary (emergency) access.',
    ),
    state: str('present creates/keeps the role; absent drops it (with --allow-destructive).', {
      enum: ['present', 'absent'],
      default: 'present',
    }),
    privileged: bool('Marks a privileged role (listed with its justification in access reviews).', false),
    break_glass: bool('An emergency (break-glass) role: every member must carry until and reason; the review and the emergency-access log list each grant.', false),
    justification: str('Why the role needs its access (required reading for privileged roles).'),
    deidentified: bool('The role may only see de-identified data (every PHI column masked).', false),
    expert_determination: obj(
      'An Expert Determination (45 CFR 164.514(b)(1)) covering what this de-identified role reads: a qualified statistician certified in writing that the re-identification risk is very small. It allows masks that Safe Harbor does not (hash, last4, email_domain, custom expressions) for this role.',
      {
        by: str('Who made the determination (the expert or firm).'),
        date: str('When, as YYYY-MM-DD.', { pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$', patternLabel: 'a date (YYYY-MM-DD)', patternHint: 'write the date of the report as YYYY-MM-DD, e.g. 2026-01-15' }),
        report: str('Where the written report is kept (document id or URL).'),
      },
      ['by', 'date', 'report'],
    ),
    phi_access: list(
      obj(
        'Access to one PHI category, with its reason.',
        { category: phiCategory, justification: str('Why the role needs this category.') },
        ['category', 'justification'],
      ),
      'PHI categories this role may see unmasked, each with a justification.',
    ),
  },
  ['name'],
);

export const ROLES_FILE: ObjectNode = obj('roles/*.yaml: users and roles.', {
  users: list(userNode, 'User principals.'),
  roles: list(roleNode, 'Roles.'),
});

// ---------------------------------------------------------------------------------
// grants/*.yaml

const columnsNode = list(columnName, 'Grant on these columns only (column-level grant).', 1);

/** How a grant names an object of each shape (globs allowed in bare parts). */
const SHAPE_PATTERNS: Record<KindShape, { pattern: string; label: string; how: string }> = {
  database: { pattern: NAME_PATTERNS.globDatabase, label: 'a database name', how: 'the database name' },
  schema: { pattern: NAME_PATTERNS.globSchema, label: 'a schema path (database.schema)', how: 'database.schema' },
  'in-schema': { pattern: NAME_PATTERNS.globObject, label: 'an object path (database.schema.name)', how: 'database.schema.name' },
  'in-database': { pattern: NAME_PATTERNS.globInDatabase, label: 'a path (database.name)', how: 'database.name' },
  // The account takes `true` (see onVariant); a warehouse or integration is named alone.
  account: { pattern: NAME_PATTERNS.part, label: 'true', how: 'true' },
  global: { pattern: NAME_PATTERNS.globDatabase, label: 'a name', how: 'its name' },
};

/** The `objects:` words: every kind some platform has inside a schema, plus schemas. */
const OBJECT_WORDS = anyPlatformKinds()
  .filter((k) => k === 'schema' || KIND_SHAPES[k] === 'in-schema')
  .map((k) => KIND_PLURALS[k]);

const objectsNode: ListNode = {
  type: 'list',
  description:
    'Grant on every object of these kinds in the container, existing and future (`future: false`: existing only); compared object by object, never re-applied. `tables` reaches every relation, as `table:` does. A single word may stand alone.',
  items: str('A kind of object.', { enum: OBJECT_WORDS, enumLabel: 'kind of object' }),
  minItems: 1,
  acceptScalar: true,
};
const futureNode = bool('With objects: also the objects created later (the platform\'s default privileges or future grants).', true);

/** `on:` keys that name a kind by another word: Unity Catalog calls a database a catalog. */
const ON_SYNONYMS: Readonly<Record<string, SecurableKind>> = { catalog: 'database' };

function onVariant(kind: SecurableKind, key: string = kind): ObjectNode {
  const shape = KIND_SHAPES[kind];
  const sp = SIGNATURE_KINDS.has(kind)
    ? { pattern: NAME_PATTERNS.globRoutine, label: 'a routine with its argument types (database.schema.name(types))', how: 'database.schema.name(argument types), e.g. ehr.util.zip3(text)' }
    : SHAPE_PATTERNS[shape];
  const props: Record<string, SchemaNode> = {
    [key]:
      shape === 'account'
        ? { type: 'boolean', const: true, description: `The ${kindWords(kind)} itself: \`${kind}: true\`.` }
        : str(`The ${kindWords(kind)} as ${sp.how}; \`*\` and \`?\` in a bare part match several.`, { pattern: sp.pattern, patternLabel: sp.label, isName: true }),
  };
  if (RELATION_KINDS.has(kind)) props.columns = columnsNode;
  if (shape === 'database' || shape === 'schema') {
    props.objects = objectsNode;
    props.future = futureNode;
  }
  const what = kind === 'table' ? 'A table (or any relation: a view, a materialized view).' : key !== kind ? `A ${kindWords(kind)} (\`${key}:\` is a synonym of \`${kind}:\`).` : `A ${kindWords(kind)}.`;
  return obj(what, props, [key]);
}

const onNode: VariantsNode = {
  type: 'variants',
  description: `The securable: exactly one of ${anyPlatformKinds().join(', ')}.`,
  by: 'presence',
  variants: Object.fromEntries([
    ...anyPlatformKinds().map((k) => [k, onVariant(k)]),
    ...Object.entries(ON_SYNONYMS).map(([key, k]) => [key, onVariant(k, key)]),
  ]),
};

const grantNode = obj(
  'Privileges for one grantee on one securable.',
  {
    role: roleRef('Grantee role; `public` (any case, unquoted) is the PUBLIC pseudo-role.'),
    privileges: list(
      str('A privilege; `all` expands to every privilege of the object kind on the target platform.', {
        enum: PRIVILEGE_WORDS,
        enumLabel: 'privilege',
      }),
      'Privileges to grant.',
      1,
    ),
    on: onNode,
    platforms: list(
      str('A platform.', { enum: PLATFORMS, enumLabel: 'platform' }),
      'Only on these platforms (default: every platform). For what one platform expresses differently: column grants on PostgreSQL, table grants plus masking policies elsewhere.',
      1,
    ),
    grant_option: bool(
      'WITH GRANT OPTION: the grantee may grant these privileges on. Read back and compared: a grant option the configuration does not ask for is drift and is revoked. Not on Databricks (Unity Catalog has none).',
      false,
    ),
    reason: str('Why the grant exists (display only).'),
  },
  ['role', 'privileges', 'on'],
);

const maskingPolicyNode = obj(
  'A column mask applied to the listed columns (and, on Snowflake, to the columns carrying its tag) for everyone except unmasked_for.',
  {
    name: str('Policy name.', { pattern: NAME_PATTERNS.part, patternLabel: 'a policy name', isName: true }),
    columns: list(columnPath, 'Columns the mask applies to.', 1),
    tag: str(
      'Snowflake only: a tag as database.schema.name. The policy is set on the tag (tag-based masking) and masks every column carrying it whose type matches; with phi:, every classified column gets the tag, valued with its category.',
      { pattern: NAME_PATTERNS.table, patternLabel: 'a tag path (database.schema.name)', isName: true },
    ),
    mask: str('A built-in mask.', { enum: MASK_FUNCTIONS, enumLabel: 'mask' }),
    expression: obj(
      'A per-platform SQL expression over the column (instead of mask).',
      {
        postgres: str('PostgreSQL expression.'),
        snowflake: str('Snowflake expression.'),
        databricks: str('Databricks SQL expression.'),
      },
      [],
      { minProperties: 1 },
    ),
    unmasked_for: list(roleRef('A role that sees the raw value.'), 'Roles that see raw values.'),
  },
  ['name'],
  { exactlyOne: ['mask', 'expression'], atLeastOne: ['columns', 'tag'] },
);

const rowAccessPolicyNode = obj(
  'A row filter on one table.',
  {
    name: str('Policy name.', { pattern: NAME_PATTERNS.part, patternLabel: 'a policy name', isName: true }),
    table: tablePath('table'),
    allow: list(
      obj(
        'Roles that see the rows matching a SQL condition.',
        {
          roles: list(roleRef('A role.'), 'Roles this rule applies to.', 1),
          where: str('SQL boolean condition over the table’s columns.'),
        },
        ['roles', 'where'],
      ),
      'Rules; a row is visible when any rule for one of the session’s roles matches.',
      1,
    ),
  },
  ['name', 'table', 'allow'],
);

export const GRANTS_FILE: ObjectNode = obj('grants/*.yaml: grants and data classification.', {
  grants: list(grantNode, 'Grants.'),
  phi: {
    type: 'map',
    description: 'PHI classification: database.schema.table.column -> Safe Harbor category.',
    keys: columnPath,
    values: phiCategory,
  },
  masking_policies: list(maskingPolicyNode, 'Column masking policies.'),
  row_access_policies: list(rowAccessPolicyNode, 'Row access policies.'),
});

/** The three file kinds of a config directory. */
export type FileKind = 'rbac' | 'roles' | 'grants';

export const FILE_SCHEMAS: Record<FileKind, ObjectNode> = {
  rbac: RBAC_FILE,
  roles: ROLES_FILE,
  grants: GRANTS_FILE,
};

// ---------------------------------------------------------------------------------
// JSON Schema generation

type Json = Record<string, unknown>;

function toJson(n: SchemaNode): Json {
  const base: Json = { description: n.description };
  if (n.default !== undefined) base.default = n.default;
  switch (n.type) {
    case 'string': {
      const o: Json = { type: 'string', ...base };
      if (n.enum) o.enum = [...n.enum];
      else if (n.minLength !== undefined) o.minLength = n.minLength;
      if (n.pattern) o.pattern = n.pattern;
      if (n.mapForm) {
        const { description, ...scalar } = o;
        return { description, oneOf: [scalar, toJson(n.mapForm)] };
      }
      return o;
    }
    case 'integer': {
      const o: Json = { type: 'integer', ...base };
      if (n.const !== undefined) o.const = n.const;
      if (n.minimum !== undefined) o.minimum = n.minimum;
      if (n.maximum !== undefined) o.maximum = n.maximum;
      return o;
    }
    case 'boolean':
      return n.const === undefined ? { type: 'boolean', ...base } : { type: 'boolean', ...base, const: n.const };
    case 'list': {
      const o: Json = { type: 'array', ...base, items: toJson(n.items) };
      if (n.minItems !== undefined) o.minItems = n.minItems;
      if (n.acceptScalar) {
        const { description, ...arr } = o;
        return { description, oneOf: [toJson(n.items), arr] };
      }
      return o;
    }
    case 'object': {
      const props: Json = {};
      for (const [k, v] of Object.entries(n.properties)) props[k] = toJson(v);
      const o: Json = { type: 'object', ...base, properties: props, additionalProperties: false };
      if (n.required && n.required.length) o.required = [...n.required];
      if (n.minProperties !== undefined) o.minProperties = n.minProperties;
      // Each branch names the key it requires in its own `properties`, as ajv's strict mode asks.
      const needs = (k: string) => ({ type: 'object', properties: { [k]: true }, required: [k] });
      if (n.exactlyOne) o.oneOf = n.exactlyOne.map(needs);
      if (n.atLeastOne) o.anyOf = n.atLeastOne.map(needs);
      return o;
    }
    case 'map':
      return {
        type: 'object',
        ...base,
        propertyNames: toJson(n.keys),
        additionalProperties: toJson(n.values),
      };
    case 'variants': {
      const variants = Object.values(n.variants).map(toJson);
      if (n.by === 'value') {
        return {
          type: 'object',
          ...base,
          required: [n.tagKey],
          properties: { [n.tagKey!]: { enum: Object.keys(n.variants) } },
          oneOf: variants,
        };
      }
      return { type: 'object', ...base, oneOf: variants };
    }
  }
}

export const SCHEMA_ID = 'https://rbac.dev/schema/rbac-config.json';

/** The `$id` of each file kind's own schema (`rbac schema --file KIND`). */
export const FILE_SCHEMA_IDS: Readonly<Record<FileKind, string>> = {
  rbac: 'https://rbac.dev/schema/rbac.json',
  roles: 'https://rbac.dev/schema/roles.json',
  grants: 'https://rbac.dev/schema/grants.json',
};

const FILE_TITLES: Readonly<Record<FileKind, string>> = {
  rbac: 'rbac.yaml',
  roles: 'roles/*.yaml',
  grants: 'grants/*.yaml',
};

/** The `on:` keys and the kind each names (`catalog:` names a database). */
function onKeys(): [key: string, kind: SecurableKind][] {
  return [...anyPlatformKinds().map((k): [string, SecurableKind] => [k, k]), ...Object.entries(ON_SYNONYMS)];
}

/**
 * The kinds whose words a grant on `kind` may use: its own, and with `objects:` on a
 * schema or database those of every kind `objects:` can list (the validator then asks
 * that each listed kind take the word, which a schema cannot say without the list).
 */
function wordKinds(kind: SecurableKind): SecurableKind[] {
  const shape = KIND_SHAPES[kind];
  if (shape !== 'database' && shape !== 'schema') return [kind];
  const inside = anyPlatformKinds().filter((k) => k === 'schema' || KIND_SHAPES[k] === 'in-schema');
  return [kind, ...inside.filter((k) => k !== kind && (shape === 'database' || k !== 'schema'))];
}

/**
 * The privilege words of a grant, per object kind and per platform, as JSON Schema
 * conditions read from the dialect catalogs (the validator's source): `on: {table: ...}`
 * offers and accepts the words some platform takes on a table; with `platforms:` naming
 * one platform, that platform's words only. `all` is always accepted.
 */
function privilegeConditions(): Json[] {
  const out: Json[] = [];
  const onHas = (key: string): Json => ({
    type: 'object',
    properties: { on: { type: 'object', properties: { [key]: true }, required: [key] } },
    required: ['on'],
  });
  const privilegesIn = (words: readonly string[]): Json => ({
    type: 'object',
    properties: { privileges: { type: 'array', items: { enum: [...new Set([...words, 'all'])].sort() } } },
  });
  for (const [key, kind] of onKeys()) {
    const kinds = wordKinds(kind);
    out.push({ if: onHas(key), then: privilegesIn(kinds.flatMap((k) => anyPlatformWords(k))) });
    for (const p of PLATFORMS) {
      const c = CATALOGS[p];
      if (!c.kinds[kind]) continue;
      const onlyP: Json = {
        type: 'object',
        properties: {
          on: { type: 'object', properties: { [key]: true }, required: [key] },
          platforms: { type: 'array', items: { const: p } },
        },
        required: ['on', 'platforms'],
      };
      out.push({ if: onlyP, then: privilegesIn(kinds.flatMap((k) => acceptedWords(c, k))) });
    }
  }
  return out;
}

function fileJson(kind: FileKind): Json {
  const root = toJson(FILE_SCHEMAS[kind]);
  if (kind === 'roles') {
    // A service principal has an application id, and only a service principal has one.
    const users = (root.properties as Record<string, Json>).users;
    (users.items as Json).allOf = [
      { if: { type: 'object', properties: { service_principal: { const: true } }, required: ['service_principal'] }, then: { type: 'object', properties: { application_id: true }, required: ['application_id'] } },
      { if: { type: 'object', properties: { application_id: true }, required: ['application_id'] }, then: { type: 'object', properties: { service_principal: { const: true } }, required: ['service_principal'] } },
    ];
  }
  if (kind === 'grants') {
    const grants = (root.properties as Record<string, Json>).grants;
    (grants.items as Json).allOf = privilegeConditions();
  }
  return root;
}

/**
 * The JSON Schema (draft 2020-12) of every config file kind. `$defs.rbacFile`,
 * `$defs.rolesFile` and `$defs.grantsFile` describe one file each; the root accepts a
 * document matching any of them. Editors should map each file kind to its own schema
 * (`jsonSchemaFor`), which rejects a key of another kind (`grants:` in a roles file).
 */
export function jsonSchema(): object {
  const defs = {
    rbacFile: fileJson('rbac'),
    rolesFile: fileJson('roles'),
    grantsFile: fileJson('grants'),
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: SCHEMA_ID,
    title: 'rbac configuration',
    description: 'rbac.yaml, roles/*.yaml and grants/*.yaml of an rbac config directory.',
    $defs: defs,
    anyOf: [{ $ref: '#/$defs/rbacFile' }, { $ref: '#/$defs/rolesFile' }, { $ref: '#/$defs/grantsFile' }],
  };
}

/**
 * The JSON Schema of one file kind, standing alone (`rbac schema --file KIND`): its
 * own `$id`, the file's keys at the root, nothing of the other kinds, so an editor
 * reports a grants file's problems in grants terms and completes only its keys.
 */
export function jsonSchemaFor(kind: FileKind): object {
  const body = fileJson(kind);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: FILE_SCHEMA_IDS[kind],
    title: `rbac ${FILE_TITLES[kind]}`,
    ...body,
  };
}
