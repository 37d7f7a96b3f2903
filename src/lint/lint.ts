/**
 * `lint(project, desired, live?)`: check a configuration (and optionally the live
 * state of its managed roles) against least privilege. Pure and synchronous; returns
 * findings sorted by file, line, column and rule, never throws on a bad configuration.
 *
 * Each PHI rule checks one policy, so one mistake may break two of them (a whole-table
 * grant of PHI to a role with no allowance is both `phi-clear-access` and
 * `schema-wide-phi`). The one exception: a `deidentified` role gets
 * `deidentified-reaches-phi` instead of `phi-clear-access`, whose advice (add an
 * allowance) would be wrong for it.
 */
import type { Project, RoleDef } from '../config/project.js';
import type { PhiCategory } from '../config/schema.js';
import { formatPath } from '../config/names.js';
import { makeObject, objectKey, objectPath } from '../model/keys.js';
import { KIND_PLURALS, KIND_SHAPES, kindWords, RELATION_KINDS } from '../model/kinds.js';
import { PUBLIC_ROLE, type Desired, type Live, type ObjectRef, type SecurableKind, type SourceLocation } from '../model/types.js';
import { catalogFor } from '../dialects/catalogs.js';
import {
  buildAccessModel,
  columnKey,
  effectiveAccess,
  foldFor,
  foldRole,
  type AccessGrant,
  type AccessModel,
  type ColumnAccess,
  type Fold,
  type Reach,
  type RoleAccess,
} from './access.js';
import { suggestCategory } from './patterns.js';
import { safeHarborCoverage } from './safe-harbor.js';
import { rule, type RuleId, type Severity } from './rules.js';

/**
 * One lint finding. Invariants: `file` is relative to the config root with `/`
 * separators; `line` and `column` are 1-based and point at the configuration entry to
 * change (for a live-only problem: the definition of the role concerned, or the first
 * grant on the object, its schema or its database; rbac.yaml 1:1 only when the
 * configuration names none of them); `severity` is the rule's; `message` is one line; `hint` is advice.
 */
export interface Finding {
  ruleId: RuleId;
  severity: Severity;
  message: string;
  file: string;
  line: number;
  column: number;
  hint: string;
}

/** Options of lint; `fold` defaults to the platform's folding rule (see access.ts). */
export interface LintOptions {
  fold?: Fold;
}

const ROOT: SourceLocation = { file: 'rbac.yaml', line: 1, column: 1 };
const at = (l: SourceLocation) => `${l.file}:${l.line}:${l.column}`;
const PLACEHOLDERS = new Set(['todo', 'tbd', 'tbc', 'na', 'n/a', 'none', 'fixme', 'xxx', 'needed', 'required', 'yes', 'because', 'see above', 'access']);

/** True when a justification is missing, blank, a placeholder or shorter than 12 characters. */
export function isPlaceholder(text: string | undefined): boolean {
  const t = (text ?? '').trim().toLowerCase();
  return t.replace(/[\s.!?-]/g, '').length < 12 || PLACEHOLDERS.has(t.replace(/[.!?]+$/, ''));
}

/** Lint a configuration; with `live`, also the live grants and memberships of its managed roles. */
export function lint(project: Project, desired: Desired, live?: Live, opts: LintOptions = {}): Finding[] {
  const fold = opts.fold ?? foldFor(desired.platform);
  const out: Finding[] = [];
  const add = (id: RuleId, loc: SourceLocation, message: string, hint?: string): void => {
    const r = rule(id);
    out.push({ ruleId: id, severity: r.severity, message, file: loc.file, line: loc.line, column: loc.column, hint: hint ?? r.help });
  };

  const roleDefs = new Map<string, RoleDef>();
  for (const r of project.roles) if (r.state === 'present') roleDefs.set(foldRole(fold, r), r);
  const allowed = (role: string): Set<PhiCategory> => new Set(roleDefs.get(role)?.phiAccess.map((a) => a.category) ?? []);
  const roleLoc = (role: string): SourceLocation => roleDefs.get(role)?.source ?? ROOT;

  roleRules(project, add);
  const locate = configLocator(project, fold);
  grantShapeRules(project, desired, live, add, locate);
  hiddenFutureRules(desired, live, add);

  const model = buildAccessModel({ project, desired, live, fold });
  const roles = [...roleDefs.keys(), PUBLIC_ROLE];
  const access = new Map<string, RoleAccess>(roles.map((r) => [r, effectiveAccess(model, r)]));

  /** Where to fix one reach: the grant (direct), or the role's first inherits entry. */
  const anchor = (role: string, reach: Reach): SourceLocation => {
    // A live grant to a role the configuration does not define (PUBLIC) is fixed where the object is granted.
    if (reach.via.length === 0) return reach.grant.source ?? roleDefs.get(reach.grant.role)?.source ?? locate(reach.grant.object);
    return reach.via[0].source ?? roleLoc(role);
  };
  const how = (reach: Reach): string => {
    const g = describeGrant(reach.grant);
    const where = reach.grant.source ? ` at ${at(reach.grant.source)}` : ' (live, not in the configuration)';
    if (reach.via.length === 0) return reach.grant.origin === 'live' ? `through ${g}${where}` : `through ${g}`;
    const chain = reach.via.map((s) => s.role).join(' -> ');
    const liveStep = reach.via.some((s) => s.origin === 'live') ? ' (membership granted live, not in the configuration)' : '';
    return `through inherited role ${chain}${liveStep}: ${g}${where}`;
  };
  /** Group exposed columns by where they are fixed, skipping what PUBLIC's own findings report. */
  const groupExposures = (role: string, cols: ColumnAccess[]) => {
    const groups = new Map<string, { loc: SourceLocation; reach: Reach; cols: ColumnAccess[] }>();
    for (const c of cols) {
      for (const reach of c.reaches) {
        if (reach.via.some((s) => s.role === PUBLIC_ROLE) && role !== PUBLIC_ROLE) continue;
        const loc = anchor(role, reach);
        const k = `${at(loc)}|${how(reach)}`;
        const g = groups.get(k) ?? { loc, reach, cols: [] };
        if (!g.cols.includes(c)) g.cols.push(c);
        groups.set(k, g);
      }
    }
    return [...groups.values()];
  };
  const listCols = (cols: ColumnAccess[]) => cols.map((c) => `${c.key} (${c.phi!.category})`).join(', ');

  for (const role of roles) {
    const ra = access.get(role)!;
    const def = roleDefs.get(role);
    const who = role === PUBLIC_ROLE ? 'PUBLIC (every role)' : `role ${role}`;
    const clearPhi = ra.columns.filter((c) => c.phi && c.clear);
    if (def?.deidentified) {
      for (const g of groupExposures(role, clearPhi)) {
        add(
          'deidentified-reaches-phi',
          g.loc,
          `de-identified ${who} can read Safe Harbor identifiers unmasked: ${listCols(g.cols)} ${how(g.reach)}`,
        );
      }
    } else {
      const ok = allowed(role);
      const bad = clearPhi.filter((c) => !ok.has(c.phi!.category));
      for (const g of groupExposures(role, bad)) {
        const cats = [...new Set(g.cols.map((c) => c.phi!.category))];
        add(
          'phi-clear-access',
          g.loc,
          `${who} can read PHI in clear without a phi_access allowance for ${cats.join(', ')}: ${listCols(g.cols)} ${how(g.reach)}`,
        );
      }
    }

    // schema-wide-phi: the role's own whole-table and whole-schema grants.
    if (role === PUBLIC_ROLE || (def && def.phiAccess.length > 0)) continue;
    const byGrant = new Map<AccessGrant, ColumnAccess[]>();
    for (const c of clearPhi) {
      for (const r of c.reaches) {
        if (r.via.length || r.grant.scope === 'column') continue;
        const list = byGrant.get(r.grant) ?? [];
        list.push(c);
        byGrant.set(r.grant, list);
      }
    }
    for (const [g, cols] of byGrant) {
      const tables = new Map<string, string[]>();
      for (const c of cols) tables.set(objectPath(c.table), [...(tables.get(objectPath(c.table)) ?? []), c.column]);
      const list = [...tables].map(([t, cs]) => `${t} (${cs.join(', ')})`).join('; ');
      add(
        'schema-wide-phi',
        g.source ?? roleLoc(role),
        `${describeGrant(g)}${g.origin === 'live' ? ' (live, not in the configuration)' : ''} gives ${who}, which has no phi_access, every column of PHI tables: ${list}`,
      );
    }
  }

  maskingRules(project, fold, allowed, add);
  pseudonymOracleRule(model, access, roleLoc, add);
  safeHarborRules(project, desired, live, fold, add);
  unclassifiedRule(project, live, model, fold, add);
  return sortFindings(dedupe(out));
}

type Add = (id: RuleId, loc: SourceLocation, message: string, hint?: string) => void;

function describeGrant(g: AccessGrant): string {
  const p = g.privilege.toUpperCase();
  if (g.scope === 'schema') return `grant of ${p} on every table of schema ${objectPath(g.object)} to ${g.role}`;
  if (g.scope === 'table') return `grant of ${p} on table ${objectPath(g.object)} to ${g.role}`;
  return `grant of ${p} on column ${objectPath(g.object)}.${g.column} to ${g.role}`;
}

function roleRules(project: Project, add: Add): void {
  for (const r of project.roles) {
    if (r.state !== 'present') continue;
    const name = formatPath([r.name]);
    if (!r.description?.trim()) add('role-missing-description', r.source, `role ${name} has no description`);
    if (!r.owner?.trim()) add('role-missing-owner', r.source, `role ${name} has no owner`);
    if (r.privileged && isPlaceholder(r.justification)) {
      add(
        'privileged-without-justification',
        r.source,
        r.justification?.trim()
          ? `privileged role ${name} has a placeholder justification ("${r.justification.trim()}")`
          : `privileged role ${name} has no justification`,
      );
    }
    for (const a of r.phiAccess) {
      if (isPlaceholder(a.justification)) {
        add(
          'phi-access-without-justification',
          a.source,
          `phi_access ${a.category} of role ${name} has ${a.justification?.trim() ? `a placeholder justification ("${a.justification.trim()}")` : 'no justification'}`,
        );
      }
    }
    if (r.deidentified && r.phiAccess.length) {
      add(
        'deidentified-with-phi-access',
        r.phiAccess[0].source,
        `role ${name} is marked deidentified but declares phi_access for ${r.phiAccess.map((a) => a.category).join(', ')}`,
      );
    }
  }
}

/**
 * Where the configuration speaks of a live object: the first grant on it, else on its
 * schema, else on its database (a live-only finding is shown at that line, not at
 * rbac.yaml:1:1); ROOT only when the configuration names none of them.
 */
function configLocator(project: Project, fold: Fold): (o: ObjectRef) => SourceLocation {
  const byKey = new Map<string, SourceLocation>();
  const put = (o: ObjectRef, l: SourceLocation) => {
    const k = objectKey(o);
    if (!byKey.has(k)) byKey.set(k, l);
  };
  for (const g of project.grants) {
    if (g.object.glob) continue;
    const [db, schema, name] = g.object.parts.map(fold);
    const shape = KIND_SHAPES[g.object.kind];
    if (shape === 'database') put(makeObject('database', db), g.objectSource);
    else if (shape === 'schema') put(makeObject('schema', db, schema), g.objectSource);
    else if (RELATION_KINDS.has(g.object.kind)) put(makeObject('table', db, schema, name), g.objectSource);
    else if (shape === 'in-schema') put(makeObject(g.object.kind, db, schema, name), g.objectSource);
    if (shape === 'in-schema') {
      put(makeObject('schema', db, schema), g.objectSource);
      put(makeObject('database', db), g.objectSource);
    } else if (shape === 'schema') put(makeObject('database', db), g.objectSource);
  }
  return (o) => {
    const own = RELATION_KINDS.has(o.kind) ? makeObject('table', o.database, o.schema, o.name) : o;
    return (
      byKey.get(objectKey(own)) ??
      (o.schema !== undefined ? byKey.get(objectKey(makeObject('schema', o.database, o.schema))) : undefined) ??
      (o.database ? byKey.get(objectKey(makeObject('database', o.database))) : undefined) ??
      ROOT
    );
  };
}

function grantShapeRules(project: Project, desired: Desired, live: Live | undefined, add: Add, locate: (o: ObjectRef) => SourceLocation): void {
  for (const g of project.grants) {
    const on = `${g.objects ? `every ${g.objects.map((k) => KIND_PLURALS[k].replace(/_/g, ' ')).join(' and ')} of ${g.object.kind}` : kindWords(g.object.kind)} ${formatPath(g.object.parts)}`;
    const privs = g.privileges.map((p) => p.word).join(', ');
    if (g.isPublic) add('public-grant', g.roleSource, `grant of ${privs} on ${on} to PUBLIC (every role and user)`);
    for (const p of g.privileges) {
      if (p.word === 'all') add('all-privileges', p.source, `role ${formatPath([g.role])} is granted all privileges on ${on}`);
    }
  }
  if (!live) return;
  const desiredKeys = new Set([...desired.grants.map((g) => g.key), ...desired.futureGrants.map((f) => f.key)]);
  const wide = new Set(desired.schemaWide.map((w) => `${w.role}|${w.privilege}|${objectKey(w.schema)}`));
  for (const g of live.grants) {
    if (g.role !== PUBLIC_ROLE || desiredKeys.has(g.key)) continue;
    if (RELATION_KINDS.has(g.object.kind) && wide.has(`${g.role}|${g.privilege}|${objectKey(makeObject('schema', g.object.database, g.object.schema))}`)) continue;
    const col = g.column === undefined ? '' : ` column ${g.column}`;
    add('public-grant', locate(g.object), `live grant of ${g.privilege.toUpperCase()} on ${g.object.kind} ${objectPath(g.object)}${col} to PUBLIC (not in the configuration)`, 'revoke it (`rbac apply` does with manage_public: true), then grant to a named role');
  }
  for (const f of live.futureGrants) {
    if (f.role !== PUBLIC_ROLE || desiredKeys.has(f.key) || wide.has(`${f.role}|${f.privilege}|${objectKey(f.schema)}`)) continue;
    const where = `${f.objectType} ${f.schema.kind === 'database' ? 'anywhere in database' : 'of schema'} ${objectPath(f.schema)}${f.forRole ? ` created by ${f.forRole}` : ''}`;
    // PostgreSQL's built-in defaults: PUBLIC executes every new function and uses every new type.
    const builtin = f.schema.kind === 'database' && (f.objectType === 'functions' || f.objectType === 'types') ? ' (PostgreSQL grants this to PUBLIC by default)' : '';
    add('public-grant', locate(f.schema), `live future grant of ${f.privilege.toUpperCase()} on ${where} to PUBLIC${builtin} (not in the configuration)`, 'revoke it (`rbac apply` does with manage_public: true where the configuration grants on that kind), then grant to a named role');
  }
}

/**
 * Snowflake's future-grant precedence (catalog `schemaFuturesHideDatabaseFutures`): a
 * database-wide `objects:` with future objects, in a database where a schema has its own
 * future grants for one of those types (from the configuration, or live from a role
 * rbac does not manage), does not reach that schema's new objects by itself.
 */
function hiddenFutureRules(desired: Desired, live: Live | undefined, add: Add): void {
  const catalog = catalogFor(desired.platform);
  if (!catalog.schemaFuturesHideDatabaseFutures) return;
  const typeOf = (k: SecurableKind) => catalog.kinds[k]?.future?.type;
  // Schema-level future grants per database and type: where they come from, for the message.
  const hiding = new Map<string, { schema: ObjectRef; why: string }[]>();
  const note = (schema: ObjectRef, type: string, why: string) => {
    const k = `${schema.database}\u0000${type}`;
    const list = hiding.get(k) ?? hiding.set(k, []).get(k)!;
    if (!list.some((x) => objectKey(x.schema) === objectKey(schema))) list.push({ schema, why });
  };
  for (const w of desired.schemaWide) {
    if (w.schema.kind !== 'schema' || !w.future) continue;
    for (const k of w.kinds) {
      const t = typeOf(k);
      if (t) note(w.schema, t, `${w.role}'s grant${w.source ? ` at ${at(w.source)}` : ''}`);
    }
  }
  const managed = new Set(desired.roles.map((r) => r.name));
  for (const f of live?.futureGrants ?? []) {
    if (f.schema.kind === 'schema' && !managed.has(f.role)) note(f.schema, f.objectType, `a live grant to ${f.role}, a role rbac does not manage`);
  }
  for (const w of desired.schemaWide) {
    if (w.schema.kind !== 'database' || !w.future || !w.source) continue;
    for (const k of w.kinds) {
      const t = typeOf(k);
      for (const h of (t && hiding.get(`${w.schema.database}\u0000${t}`)) || []) {
        add(
          'hidden-future-grant',
          w.source,
          `${w.privilege.toUpperCase()} on future ${t} in database ${objectPath(w.schema)} to ${w.role} does not apply in schema ${objectPath(h.schema)}, which has its own future grants for ${t} (${h.why})`,
          `rbac repeats the grant at schema level in ${objectPath(h.schema)} (the plan shows it); or grant there explicitly`,
        );
      }
    }
  }
}

function maskingRules(project: Project, fold: Fold, allowed: (role: string) => Set<PhiCategory>, add: Add): void {
  const phi = new Map(project.phi.map((p) => [p.column.map(fold).join('\u0000'), p.category]));
  for (const mp of project.maskingPolicies) {
    const cats = new Set<PhiCategory>();
    for (const c of mp.columns) {
      const cat = phi.get(c.path.map(fold).join('\u0000'));
      if (cat) cats.add(cat);
    }
    for (const u of mp.unmaskedFor) {
      const role = foldRole(fold, u);
      const missing = [...cats].filter((c) => !allowed(role).has(c));
      if (missing.length) {
        add(
          'unmasked-without-phi-access',
          u.source,
          `masking policy ${formatPath([mp.name])} shows ${missing.join(', ')} in clear to role ${role}, which has no phi_access for ${missing.length === 1 ? 'it' : 'them'}`,
        );
      }
    }
  }
}

/** Privileges that write a column's values (Databricks: MODIFY). */
const WRITE_PRIVILEGES = new Set(['insert', 'update', 'modify']);
/** Masks whose output is the same for the same value, so a chosen value reveals its code. */
const PSEUDONYMS = new Set(['hash', 'surrogate']);

/**
 * A role that can write a column masked for it by a pseudonym and read the same
 * policy's masked output can learn the code of any value it writes (see the rule).
 * Reported once per role and policy, at the write grant (or the role, when inherited).
 */
function pseudonymOracleRule(model: AccessModel, access: Map<string, RoleAccess>, roleLoc: (role: string) => SourceLocation, add: Add): void {
  for (const [role, ra] of access) {
    const holders = new Set([role, ...ra.inherits.keys()]);
    // Policies whose masked output the role reads.
    const reads = new Map<string, string>();
    for (const c of ra.columns) for (const p of c.maskedBy) if (!reads.has(p)) reads.set(p, c.key);
    if (!reads.size) continue;
    const done = new Set<string>();
    for (const g of model.grants) {
      if (!holders.has(g.role) || !WRITE_PRIVILEGES.has(g.privilege)) continue;
      const tables = [...model.tables.values()].filter((t) =>
        g.scope === 'schema' ? t.object.database === g.object.database && t.object.schema === g.object.schema : objectKey(t.object) === objectKey(makeObject('table', g.object.database, g.object.schema, g.object.name)),
      );
      for (const t of tables) {
        for (const col of g.scope === 'column' ? [g.column!] : [...t.columns]) {
          const key = columnKey(t.object, col);
          for (const m of model.masks.get(key) ?? []) {
            if (!PSEUDONYMS.has(m.mask) || !reads.has(m.policy) || done.has(m.policy)) continue;
            if (m.unmaskedFor.has(role) || [...ra.inherits.keys()].some((r) => m.unmaskedFor.has(r))) continue;
            done.add(m.policy);
            const via = g.role === role ? '' : ` (through inherited role ${g.role})`;
            add(
              'pseudonym-oracle',
              g.role === role ? (g.source ?? roleLoc(role)) : roleLoc(role),
              `${role === PUBLIC_ROLE ? 'PUBLIC (every role)' : `role ${role}`} can write ${key} (through the ${describeGrant(g)}${via}) and read ${reads.get(m.policy)} through mask ${m.mask} of policy ${m.policy}: writing a guessed value and reading it back gives that value's code, the code of every real row that holds it`,
            );
          }
        }
      }
    }
  }
}

/**
 * A de-identified role reads a PHI column through a mask that is not Safe Harbor (a
 * hash, a partial value, a custom expression), and records no Expert Determination.
 */
function safeHarborRules(project: Project, desired: Desired, live: Live | undefined, fold: Fold, add: Add): void {
  for (const e of safeHarborCoverage(project, desired, live, fold)) {
    if (e.standing === 'satisfies' || e.expert) continue;
    const msg = `de-identified role ${e.role} reads ${e.column} (${e.category}) through mask ${e.mask} of policy ${e.policy}, which does not satisfy Safe Harbor ${e.citation}: ${e.why}`;
    const ed = 'record the Expert Determination that allows it on the role (`expert_determination: { by, date, report }`)';
    if (e.standing === 'unverified') {
      add('deidentified-custom-mask', e.roleSource, msg, `check the expression against 45 CFR 164.514(b)(2) and ${ed}, or use null, redact, zip3 (ZIP codes) or year (dates)`);
    } else if (e.standing === 'derived') {
      add(
        'deidentified-mask-not-safe-harbor',
        e.roleSource,
        msg,
        `mask it with surrogate instead (a random key per identifier from a mapping table only rbac reads: not derived from the identifier, 164.514(c)), with null or redact, or ${ed}; masking policy at ${at(e.policySource)}`,
      );
    } else {
      add('deidentified-mask-not-safe-harbor', e.roleSource, msg, `mask it with null or redact (zip3 for ZIP codes, year for dates), or ${ed}; masking policy at ${at(e.policySource)}`);
    }
  }
}

function unclassifiedRule(
  project: Project,
  live: Live | undefined,
  model: ReturnType<typeof buildAccessModel>,
  fold: Fold,
  add: Add,
): void {
  const reported = new Set<string>();
  const check = (table: ObjectRef, column: string, loc: SourceLocation, where: string): void => {
    const key = columnKey(table, column);
    if (reported.has(key) || model.phi.has(key)) return;
    const cat = suggestCategory(column);
    if (!cat) return;
    reported.add(key);
    add(
      'unclassified-phi-column',
      loc,
      `column ${objectPath(table)}.${column} (${where}) looks like a Safe Harbor identifier (${cat}) but is not classified under phi:`,
      `classify it: \`phi: { ${objectPath(table)}.${column}: ${cat} }\` (or rename the column if it holds no identifier)`,
    );
  };
  const tableLoc = new Map<string, SourceLocation>();
  const schemaLoc = new Map<string, SourceLocation>();
  for (const g of project.grants) {
    const parts = g.object.parts.map(fold);
    if (g.objects) {
      if (g.object.kind !== 'schema' || g.object.glob) continue;
      const k = objectKey(makeObject('schema', parts[0], parts[1]));
      if (!schemaLoc.has(k)) schemaLoc.set(k, g.objectSource);
      continue;
    }
    if (!RELATION_KINDS.has(g.object.kind)) continue;
    const table = makeObject('table', parts[0], parts[1], parts[2]);
    if (!tableLoc.has(objectKey(table))) tableLoc.set(objectKey(table), g.objectSource);
    for (const c of g.columns ?? []) check(table, fold(c.name), c.source, 'granted here');
  }
  for (const mp of project.maskingPolicies) {
    for (const c of mp.columns) {
      const [db, schema, name, column] = c.path.map(fold);
      check(makeObject('table', db, schema, name), column, c.source, `masked by ${formatPath([mp.name])}`);
    }
  }
  if (!live) return;
  for (const t of live.tables) {
    const table = makeObject('table', t.object.database, t.object.schema, t.object.name);
    const loc =
      tableLoc.get(objectKey(table)) ?? schemaLoc.get(objectKey(makeObject('schema', table.database, table.schema))) ?? ROOT;
    for (const c of t.columns) check(table, c, loc, 'live table column');
  }
}

function dedupe(fs: Finding[]): Finding[] {
  const seen = new Set<string>();
  return fs.filter((f) => {
    const k = `${f.ruleId}|${f.file}|${f.line}|${f.column}|${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Stable order: file, line, column, rule id, message. */
export function sortFindings(fs: Finding[]): Finding[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return fs.sort((a, b) => cmp(a.file, b.file) || a.line - b.line || a.column - b.column || cmp(a.ruleId, b.ruleId) || cmp(a.message, b.message));
}
