/**
 * toDesired, the grant part: each `grants:` entry becomes records of the target's
 * catalog (src/model/catalog.ts). A grant on one object becomes one GrantRecord per
 * privilege (and per column); `objects:` becomes a SchemaWideGrant per privilege; a
 * grant whose name holds a glob, or that names a routine, becomes a GrantPattern the
 * planner resolves against the live objects (globs expand, a routine's signature must
 * match a live routine). Every word is checked against the catalog of the target, with
 * a did-you-mean.
 */
import {
  acceptedWords,
  canonicalPrivilege,
  futureCoverage,
  kindDef,
  privilegeDef,
  privilegeWords,
  type Catalog,
} from '../model/catalog.js';
import { makeGrant, makeObject, objectKey } from '../model/keys.js';
import { KIND_PLURALS, KIND_SHAPES, RELATION_KINDS, SIGNATURE_KINDS, isAccountLevel, kindWords, aKind } from '../model/kinds.js';
import {
  PUBLIC_ROLE,
  type GrantPattern,
  type GrantRecord,
  type ObjectRef,
  type Privilege,
  type SchemaWideGrant,
  type SecurableKind,
  type SourceLocation,
} from '../model/types.js';
import { formatPath, suggestion } from './names.js';
import type { GrantDef, Project } from './project.js';
import type { NormalizeContext } from './normalize.js';

/** What the grants of a configuration become for one dialect. */
export interface DesiredGrants {
  grants: GrantRecord[];
  schemaWide: SchemaWideGrant[];
  patterns: GrantPattern[];
  named: { object: ObjectRef; source?: SourceLocation }[];
}

const fmt = (l: SourceLocation): string => `${l.file}:${l.line}:${l.column}`;

/** The grants of a configuration, for the target of `ctx` (see the file comment). */
export function desiredGrants(project: Project, ctx: NormalizeContext): DesiredGrants {
  const out: DesiredGrants = { grants: [], schemaWide: [], patterns: [], named: [] };
  const grantSeen = new Map<string, SourceLocation>();
  for (const g of project.grants) {
    if (g.platforms && !g.platforms.includes(ctx.dialect.platform)) continue;
    oneGrant(g, ctx, out, grantSeen);
  }
  twoOwners(out.grants, ctx);
  return out;
}

/** An object has one owner: two roles granted `ownership` of it is an error at both grants. */
function twoOwners(grants: readonly GrantRecord[], ctx: NormalizeContext): void {
  const owners = new Map<string, GrantRecord>();
  for (const g of grants) {
    if (g.privilege !== 'ownership' || g.column !== undefined) continue;
    const k = objectKey(g.object);
    const first = owners.get(k);
    if (!first) {
      owners.set(k, g);
      continue;
    }
    if (first.role === g.role || !first.source || !g.source) continue;
    const what = `${kindWords(g.object.kind)} ${k.slice(k.indexOf(':') + 1)}`;
    const hint = 'an object has one owner: keep one of the two grants (ownership is transferred, never shared)';
    ctx.err('conflicting-grant', first.source, `${what} is owned by ${first.role} here and by ${g.role} at ${fmt(g.source)}`, hint);
    ctx.err('conflicting-grant', g.source, `${what} is owned by ${g.role} here and by ${first.role} at ${fmt(first.source)}`, hint);
  }
}

function oneGrant(g: GrantDef, ctx: NormalizeContext, out: DesiredGrants, grantSeen: Map<string, SourceLocation>): void {
  const { catalog, err, norm } = ctx;
  const platform = catalog.platform;
  const kind = g.object.kind;
  const kinds = g.objects ?? [kind];
  for (const k of [kind, ...kinds]) {
    if (!kindDef(catalog, k)) {
      err(
        'platform-unsupported',
        g.objects && k !== kind ? (g.objectsSource ?? g.objectSource) : g.objectSource,
        `${platform} has no ${kindWords(k)}`,
        `${platform} grants on: ${Object.keys(catalog.kinds).join(', ')}; leave this grant out on ${platform} with platforms:`,
      );
      return;
    }
  }
  if (g.grantOption && !catalog.grantOption) {
    err('platform-unsupported', g.grantOptionSource ?? g.source, `${platform} has no grant option (WITH GRANT OPTION)`, catalog.grantOptionHint);
    return;
  }

  if (g.columns && privilegeWords(catalog, kind, { column: true }).length === 0) {
    err(
      'platform-unsupported',
      g.objectSource,
      `${platform} has no column-level grants (grant on ${formatPath(g.object.parts)} columns ${g.columns.map((c) => formatPath([c.name])).join(', ')})`,
      'grant the table and hide the columns with a masking policy',
    );
    return;
  }

  if (g.object.glob && isAccountLevel(kind)) {
    err('bad-value', g.objectSource, `${aKind(kind)} is named exactly: ${formatPath(g.object.parts)} holds a glob`, `name each ${kindWords(kind)} in its own grant`);
    return;
  }
  // A grant in a refused database (hive_metastore on Databricks) is never made, whatever it names there.
  const refused = catalog.refusedDatabases && !isAccountLevel(kind) && g.object.parts.length ? catalog.refusedDatabases[norm(g.object.parts[0], g.objectSource, 'name')] : undefined;
  if (refused) {
    err('platform-unsupported', g.objectSource, `${platform}: ${refused.why}`, refused.hint);
    return;
  }
  if (SIGNATURE_KINDS.has(kind) && !g.object.glob && (g.object.signature === undefined) === !catalog.unsignedRoutines) {
    err(
      'bad-value',
      g.objectSource,
      catalog.unsignedRoutines
        ? `${platform} names ${aKind(kind)} without argument types (its routines are not overloaded): ${formatPath(g.object.parts)}(...)`
        : `the ${kindWords(kind)} ${formatPath(g.object.parts)} is named without its argument types on ${platform}`,
      catalog.unsignedRoutines
        ? `write ${formatPath(g.object.parts)} alone, or keep this grant to the other platforms with platforms:`
        : `argument types are part of a routine's name: write it as ${formatPath(g.object.parts)}(text, integer), or () for none`,
    );
    return;
  }
  const privileges = privilegesFor(g, kinds, catalog, err);
  if (privileges === undefined) return;
  const role = g.isPublic ? PUBLIC_ROLE : ctx.normGrantee({ name: g.role, database: g.roleDatabase }, g.roleSource);
  // Delta Sharing: SELECT on a share goes to a recipient, and a recipient takes nothing else.
  const toRecipient = ctx.recipients.has(role);
  if (kind === 'share' && privileges.includes('select') && !toRecipient) {
    err('bad-privilege', g.roleSource, `SELECT on a share is granted to a Delta Sharing recipient, and ${formatPath([g.role])} is not one`, 'declare the recipient under users: with recipient: true and name it in role:');
    return;
  }
  if (toRecipient && (kind !== 'share' || privileges.some((p) => p !== 'select'))) {
    err('bad-privilege', g.roleSource, `${formatPath([g.role])} is a Delta Sharing recipient: it takes only select on a share`, 'grant this to a group, user or service principal instead');
    return;
  }
  const option = g.grantOption ? { grantOption: true } : {};
  const parts = g.object.parts.map((p) => norm(p, g.objectSource, 'name'));

  if (g.objects && g.future && !futuresCovered(g, kinds, catalog, err)) return;

  if (g.objects) {
    // `objects:` on a schema or a database: the container's objects, per object, plus future ones.
    if (g.object.glob) {
      for (const privilege of privileges) {
        out.patterns.push({ role, privilege, kind, ...pathOf(kind, parts), kinds, future: g.future, source: g.source, ...option });
      }
      return;
    }
    const container = objectOf(kind, parts);
    const seen = new Set<string>();
    for (const privilege of privileges) {
      const id = `${privilege}|${objectKey(container)}|${role}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.schemaWide.push({ role, privilege, schema: container, kinds, future: g.future, source: g.source, ...option });
    }
    return;
  }

  const signature = g.object.signature !== undefined ? canonicalSignature(g, ctx) : undefined;
  if (g.object.signature !== undefined && signature === undefined) return;
  if (g.object.glob || (SIGNATURE_KINDS.has(kind) && !catalog.unsignedRoutines)) {
    // Resolved against the live objects: a glob expands, a routine's signature must match.
    for (const privilege of privileges) {
      out.patterns.push({ role, privilege, kind, ...pathOf(kind, parts), ...(signature !== undefined ? { signature } : {}), future: false, source: g.source, ...option });
    }
    return;
  }

  const object = objectOf(kind, parts);
  // `view:` names only a view: the planner checks the live kind.
  if (RELATION_KINDS.has(kind) && kind !== 'table') out.named.push({ object, source: g.objectSource });
  const columns = g.columns?.map((c) => norm(c.name, c.source, 'column name'));
  for (const privilege of privileges) {
    for (const column of columns ?? [undefined]) {
      const rec = makeGrant({ role, privilege, object, column, source: g.source, ...option });
      const first = grantSeen.get(rec.key);
      if (first) {
        if (first !== g.source) err('duplicate-grant', g.source, `grant ${rec.key} is also defined at ${fmt(first)} (the names fold to the same on ${platform})`);
        continue;
      }
      grantSeen.set(rec.key, g.source);
      out.grants.push(rec);
    }
  }
}

/**
 * `objects:` means future objects too (unless `future: false`): every kind listed needs
 * a future mechanism at the container's level, its own or another listed kind's that
 * reaches it (PostgreSQL's TABLES reaches views). Else a located error: the grant would
 * silently miss every object created later.
 */
function futuresCovered(g: GrantDef, kinds: readonly SecurableKind[], catalog: Catalog, err: NormalizeContext['err']): boolean {
  // Where privileges inherit down, the container grant covers future objects, or the
  // planner grants per object and warns (plan/expand.ts): never an error.
  if (catalog.inheritsDown) return true;
  const level = g.object.kind === 'database' ? 'database' : 'schema';
  const { missing, hint } = futureCoverage(catalog, kinds, level);
  if (!missing.length) return true;
  err('platform-unsupported', g.objectsSource ?? g.objectSource, `${catalog.platform} has no future grants for ${missing.map((k) => KIND_PLURALS[k]).join(' and ')} in a ${level}`, hint);
  return false;
}

function pathOf(kind: SecurableKind, parts: string[]): { database: string; schema?: string; name?: string } {
  switch (KIND_SHAPES[kind]) {
    case 'database':
      return { database: parts[0] };
    case 'schema':
      return { database: parts[0], schema: parts[1] };
    case 'in-database':
      return { database: parts[0], name: parts[1] };
    case 'in-schema':
      return { database: parts[0], schema: parts[1], name: parts[2] };
    case 'account':
      return { database: '' };
    case 'global':
      return { database: '', name: parts[0] };
  }
}

function objectOf(kind: SecurableKind, parts: string[]): ObjectRef {
  const p = pathOf(kind, parts);
  return makeObject(kind, p.database, p.schema, p.name);
}

/** The argument types of a routine in the dialect's canonical spelling, `(text, integer)`. */
function canonicalSignature(g: GrantDef, ctx: NormalizeContext): string | undefined {
  try {
    return ctx.dialect.canonicalSignature(g.object.signature!);
  } catch (e) {
    ctx.err('bad-value', g.objectSource, `the argument types of ${formatPath(g.object.parts)} are not valid: ${(e as Error).message}`, 'write the types as the platform names them, e.g. (text, integer)');
    return undefined;
  }
}

/**
 * The canonical words of a grant on the target: each word (or alias) must apply to
 * every kind it reaches (`objects:` lists several), `all` expands to every word they
 * all take (but ownership), and column grants take only column words. Undefined when
 * a word was refused (reported).
 */
function privilegesFor(g: GrantDef, kinds: readonly SecurableKind[], catalog: Catalog, err: NormalizeContext['err']): Privilege[] | undefined {
  const platform = catalog.platform;
  const what = g.columns
    ? 'columns'
    : g.objects
      ? `the ${kinds.map((k) => KIND_PLURALS[k]).join(' and ')} of a ${g.object.kind}`
      : `${aKind(g.object.kind)}`;
  const words = (k: SecurableKind) => (g.columns ? privilegeWords(catalog, k, { column: true }) : acceptedWords(catalog, k));
  const common = kinds.map(words).reduce((a, b) => a.filter((w) => b.includes(w)));
  const out: Privilege[] = [];
  let ok = true;
  for (const p of g.privileges) {
    if (p.word === 'all') {
      const all = kinds
        .map((k) => (catalog.kinds[k]?.privileges ?? []).filter((x) => !x.notInAll && (!g.columns || x.column)).map((x) => x.word))
        .reduce((a, b) => a.filter((w) => b.includes(w)));
      for (const x of all) if (!out.includes(x)) out.push(x);
      continue;
    }
    const canonical = kinds.map((k) => canonicalPrivilege(catalog, k, p.word));
    if (canonical.some((c) => c === undefined) || !common.includes(p.word)) {
      err(
        'bad-privilege',
        p.source,
        `privilege ${p.word} does not apply to ${what} on ${platform}${suggestion(p.word, common)}`,
        `${platform} privileges on ${what}: ${common.join(', ') || '(none)'}`,
      );
      ok = false;
      continue;
    }
    const word = canonical[0]!;
    if (kinds.some((k) => privilegeDef(catalog, k, p.word)?.word !== word)) {
      err('bad-privilege', p.source, `privilege ${p.word} means different things on ${kinds.map((k) => KIND_PLURALS[k]).join(' and ')} on ${platform}`, 'write one grant per kind of object');
      ok = false;
      continue;
    }
    if (!out.includes(word)) out.push(word);
  }
  return ok ? out : undefined;
}

