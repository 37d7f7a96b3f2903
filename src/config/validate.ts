/**
 * The validator: walks a YAML tree (with positions) against a schema node from
 * schema.ts and returns a located value tree of the parts that are valid, plus
 * diagnostics for the rest. It never throws on bad input.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar } from 'yaml';
import type { Alias, Document, Node as YNode } from 'yaml';
import type { SourceLocation } from '../model/types.js';
import { diag, type Diagnostic, type DiagnosticCode } from './diagnostics.js';
import { didYouMean, suggestion, testPattern } from './names.js';
import type { ListNode, MapNode, ObjectNode, SchemaNode, StringNode, VariantsNode } from './schema.js';

/** A scalar that passed validation, with where it was written. */
export interface LScalar {
  t: 'scalar';
  value: string | number | boolean;
  loc: SourceLocation;
}
/** A mapping that passed validation; every required key of its schema is present. */
export interface LMap {
  t: 'map';
  entries: Map<string, { keyLoc: SourceLocation; value: LValue }>;
  loc: SourceLocation;
}
/** A list; invalid items are left out (each was reported). */
export interface LList {
  t: 'list';
  items: LValue[];
  loc: SourceLocation;
}
/** A located, validated value: the shape is guaranteed to match its schema node. */
export type LValue = LScalar | LMap | LList;

/**
 * How many values aliases may add to one file when expanded. What an alias bomb
 * ("billion laughs") inflates is the expanded size, so that is what is limited: a file
 * with thousands of ordinary aliases (PyYAML writes one for every repeated object) adds
 * a few thousand values, a bomb adds billions.
 */
export const MAX_ALIAS_EXPANSION = 1_000_000;

/** Plain scalars YAML 1.1 reads as booleans; YAML 1.2 (what rbac uses) reads strings. */
const YAML11_BOOL = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;

interface Ctx {
  file: string;
  lc: LineCounter;
  doc: Document;
  diags: Diagnostic[];
  ancestors: Set<YNode>;
}

/** A parsed YAML file, ready to validate; undefined contents for an empty file. */
export interface ParsedYaml {
  file: string;
  doc: Document;
  lc: LineCounter;
}

function locAt(lc: LineCounter, file: string, offset: number): SourceLocation {
  const p = lc.linePos(offset);
  return { file, line: p.line, column: p.col };
}

/**
 * Parse one file as YAML 1.2 (core schema). Syntax errors, and alias expansion that adds
 * more than MAX_ALIAS_EXPANSION values, are reported and the file is not validated further.
 */
export function parseYaml(file: string, text: string, diags: Diagnostic[]): ParsedYaml | undefined {
  const lc = new LineCounter();
  const doc = parseDocument(text, {
    version: '1.2',
    schema: 'core',
    uniqueKeys: false, // duplicates are reported by the validator, naming both places
    lineCounter: lc,
    prettyErrors: true,
  });
  for (const e of doc.errors) {
    const pos = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
    const line = 'line' in pos ? pos.line : 1;
    const col = 'col' in pos ? pos.col : 1;
    const msg = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    // `${VAR}` inside a flow collection reads as a nested `{`: the commonest cause.
    const srcLine = text.split('\n')[line - 1] ?? '';
    const hint = /[{[][^'"]*\$\{/.test(srcLine)
      ? 'quote values holding ${VAR} inside { } or [ ]: "${VAR}"'
      : undefined;
    diags.push(diag('error', 'yaml-syntax', { file, line, column: col }, `YAML syntax error: ${msg}`, hint));
  }
  for (const w of doc.warnings) {
    const pos = w.linePos?.[0];
    diags.push(
      diag(
        'warning',
        'yaml-syntax',
        { file, line: pos?.line ?? 1, column: pos?.col ?? 1 },
        `YAML: ${w.message.split('\n')[0]}`,
      ),
    );
  }
  if (doc.errors.length) return undefined;
  const bomb = aliasBomb(doc);
  if (bomb) {
    diags.push(
      diag(
        'error',
        'yaml-alias-bomb',
        locAt(lc, file, bomb.range?.[0] ?? 0),
        `expanding alias *${bomb.source} makes the file more than ${MAX_ALIAS_EXPANSION.toLocaleString('en-US')} values larger than written: this looks like an alias bomb ("billion laughs"); the file was not read`,
        'write the values out instead of nesting aliases inside aliased values',
      ),
    );
    return undefined;
  }
  return { file, doc, lc };
}

/**
 * The alias, in document order, at which the values added by expanding aliases pass
 * MAX_ALIAS_EXPANSION; undefined when the whole file stays within it. One walk of the
 * written tree with the expanded size of every anchored value memoized, so this costs
 * the written size of the file, never the expanded one. An alias resolves to the latest
 * anchor of its name before it, as YAML says; one that names a value still open around
 * it is a cycle, which the validator reports (yaml-alias-cycle), and adds nothing here.
 */
function aliasBomb(doc: Document): Alias | undefined {
  const anchors = new Map<string, YNode>();
  const sizes = new Map<YNode, number>();
  const open = new Set<YNode>();
  let added = 0;
  let found: Alias | undefined;
  const visit = (n: unknown): number => {
    if (found || !n || typeof n !== 'object') return 0;
    if (isAlias(n)) {
      const target = anchors.get(n.source);
      if (!target || open.has(target)) return 1;
      const size = sizes.get(target) ?? 1;
      added += size - 1;
      if (added > MAX_ALIAS_EXPANSION) found = n;
      return size;
    }
    const node = n as YNode;
    if (node.anchor) anchors.set(node.anchor, node);
    open.add(node);
    let total = 1;
    if (isMap(node)) for (const p of node.items) total += visit(p.key) + visit(p.value);
    else if (isSeq(node)) for (const item of node.items) total += visit(item);
    open.delete(node);
    sizes.set(node, total);
    return total;
  };
  visit(doc.contents);
  return found;
}

/** Validate a parsed file against its file schema. Empty files are valid and empty. */
export function validateDocument(p: ParsedYaml, schema: ObjectNode, diags: Diagnostic[]): LMap | undefined {
  const ctx: Ctx = { file: p.file, lc: p.lc, doc: p.doc, diags, ancestors: new Set() };
  const root = p.doc.contents as YNode | null;
  if (root === null || (isScalar(root) && root.value === null)) {
    return { t: 'map', entries: new Map(), loc: { file: p.file, line: 1, column: 1 } };
  }
  const v = check(ctx, root, schema, '');
  return v?.t === 'map' ? v : undefined;
}

function loc(ctx: Ctx, n: YNode | null | undefined): SourceLocation {
  return locAt(ctx.lc, ctx.file, n?.range?.[0] ?? 0);
}

function report(
  ctx: Ctx,
  code: DiagnosticCode,
  at: SourceLocation,
  message: string,
  hint?: string,
  severity: Diagnostic['severity'] = 'error',
): void {
  ctx.diags.push(diag(severity, code, at, message, hint));
}

function describe(n: YNode | null): string {
  if (n === null || n === undefined) return 'an empty value';
  if (isMap(n)) return 'a mapping';
  if (isSeq(n)) return 'a list';
  if (isScalar(n)) {
    const v = n.value;
    if (v === null) return 'an empty value';
    if (typeof v === 'boolean') return `the boolean ${v}`;
    if (typeof v === 'number') return `the number ${String(n.source ?? v)}`;
    if (typeof v === 'string') return `the string '${v}'`;
  }
  return 'an unsupported value';
}

function expected(s: SchemaNode): string {
  switch (s.type) {
    case 'string':
      return s.patternLabel ?? (s.enum ? `one of ${s.enum.join(', ')}` : 'a string');
    case 'integer':
      return 'an integer';
    case 'boolean':
      return 'true or false';
    case 'list':
      return 'a list';
    default:
      return 'a mapping';
  }
}

const where = (path: string): string => (path === '' ? 'the file' : path);

function wrongType(ctx: Ctx, n: YNode | null, s: SchemaNode, path: string, at?: SourceLocation): undefined {
  let hint: string | undefined;
  if (isScalar(n) && n.type === Scalar.PLAIN && n.value !== null && (s.type === 'string')) {
    hint = `write it in quotes if you meant the text: "${String(n.source ?? n.value)}"`;
  } else if (s.type === 'boolean' && isScalar(n) && typeof n.value === 'string') {
    hint = 'rbac reads YAML 1.2: only true and false are booleans';
  }
  report(ctx, 'wrong-type', at ?? loc(ctx, n), `${where(path)} must be ${expected(s)}, got ${describe(n)}`, hint);
  return undefined;
}

function check(ctx: Ctx, raw: YNode | null, s: SchemaNode, path: string): LValue | undefined {
  let n = raw;
  if (isAlias(n)) {
    const target = n.resolve(ctx.doc) as YNode | undefined;
    if (!target || ctx.ancestors.has(target)) {
      report(ctx, 'yaml-alias-cycle', loc(ctx, n), `${where(path)}: alias *${n.source} refers to a value that contains it`);
      return undefined;
    }
    n = target;
  }
  if (n && (isMap(n) || isSeq(n))) ctx.ancestors.add(n);
  try {
    switch (s.type) {
      case 'string':
        return checkString(ctx, n, s, path);
      case 'integer': {
        if (!isScalar(n) || typeof n.value !== 'number' || !Number.isInteger(n.value)) return wrongType(ctx, n, s, path);
        const v = n.value;
        if (s.const !== undefined && v !== s.const) {
          report(ctx, 'bad-value', loc(ctx, n), `${where(path)} must be ${s.const}, got ${v}`);
          return undefined;
        }
        if ((s.minimum !== undefined && v < s.minimum) || (s.maximum !== undefined && v > s.maximum)) {
          report(ctx, 'bad-value', loc(ctx, n), `${where(path)} must be between ${s.minimum} and ${s.maximum}, got ${v}`);
          return undefined;
        }
        return { t: 'scalar', value: v, loc: loc(ctx, n) };
      }
      case 'boolean':
        if (!isScalar(n) || typeof n.value !== 'boolean') return wrongType(ctx, n, s, path);
        if (s.const !== undefined && n.value !== s.const) {
          report(ctx, 'bad-value', loc(ctx, n), `${where(path)} must be ${s.const}, got ${n.value}`, `write ${path.split('.').pop()}: ${s.const}, or leave the grant out`);
          return undefined;
        }
        return { t: 'scalar', value: n.value, loc: loc(ctx, n) };
      case 'list':
        return checkList(ctx, n, s, path);
      case 'object':
        return checkObject(ctx, n, s, path);
      case 'map':
        return checkMap(ctx, n, s, path);
      case 'variants':
        return checkVariants(ctx, n, s, path);
    }
  } finally {
    if (n && (isMap(n) || isSeq(n))) ctx.ancestors.delete(n);
  }
}

function checkString(ctx: Ctx, n: YNode | null, s: StringNode, path: string, at?: SourceLocation): LScalar | LMap | undefined {
  // The long form of the same item (a temporary member as a mapping).
  if (s.mapForm && isMap(n)) return checkObject(ctx, n, s.mapForm, path);
  if (!isScalar(n) || typeof n.value !== 'string') return wrongType(ctx, n, s, path, at);
  const v = n.value;
  const here = at ?? loc(ctx, n);
  if (s.isName && n.type === Scalar.PLAIN && YAML11_BOOL.test(v)) {
    // Valid YAML 1.2, but YAML 1.1 tools (many CI linters, PyYAML) read a boolean here.
    report(
      ctx,
      'yaml11-boolean',
      here,
      `${where(path)}: '${v}' is read as a boolean by YAML 1.1 tools; a name was expected`,
      `write it in quotes: '${v}'`,
    );
  }
  if (s.minLength !== undefined && v.length < s.minLength) {
    report(ctx, 'bad-value', here, `${where(path)} must not be empty`);
    return undefined;
  }
  if (s.enum && !s.enum.includes(v)) {
    const what = s.enumLabel ?? 'value';
    report(
      ctx,
      'bad-value',
      here,
      `unknown ${what} '${v}' in ${where(path)}${suggestion(v, s.enum)}`,
      `expected one of: ${s.enum.join(', ')}`,
    );
    return undefined;
  }
  if (s.pattern && !testPattern(s.pattern, v)) {
    report(
      ctx,
      'invalid-name',
      here,
      `${where(path)}: '${v}' is not ${s.patternLabel ?? 'valid'}`,
      s.patternHint ?? (!s.isName && s.patternLabel ? `write ${s.patternLabel}` : 'bare names are letters, digits, _ and $ (not starting with a digit); put any other name part in double quotes inside the YAML string, e.g. \'ehr."Clinical".patients\''),
    );
    return undefined;
  }
  return { t: 'scalar', value: v, loc: here };
}

function checkList(ctx: Ctx, n: YNode | null, s: ListNode, path: string): LList | undefined {
  // A list that also takes one item alone (`objects: tables`, the v1 form).
  if (s.acceptScalar && isScalar(n)) {
    const v = check(ctx, n, s.items, path);
    return v ? { t: 'list', items: [v], loc: loc(ctx, n) } : undefined;
  }
  if (!isSeq(n)) return wrongType(ctx, n, s, path);
  const items: LValue[] = [];
  n.items.forEach((item, i) => {
    const v = check(ctx, item as YNode | null, s.items, `${path}[${i}]`);
    if (v) items.push(v);
  });
  if (s.minItems !== undefined && n.items.length < s.minItems) {
    report(ctx, 'bad-value', loc(ctx, n), `${where(path)} must have at least ${s.minItems} item${s.minItems === 1 ? '' : 's'}`);
    return undefined;
  }
  return { t: 'list', items, loc: loc(ctx, n) };
}

interface RawPair {
  key: string;
  keyNode: YNode;
  keyLoc: SourceLocation;
  value: YNode | null;
}

/** The pairs of a mapping with string keys; duplicates reported (first one wins). */
function pairs(ctx: Ctx, n: YNode, path: string, keySchema?: StringNode): RawPair[] {
  const out: RawPair[] = [];
  const seen = new Map<string, SourceLocation>();
  if (!isMap(n)) return out;
  for (const p of n.items) {
    const kn = p.key as YNode | null;
    const keyLoc = loc(ctx, kn);
    if (!isScalar(kn) || kn.value === null || typeof kn.value === 'object') {
      report(ctx, 'wrong-type', keyLoc, `${where(path)}: keys must be plain strings, got ${describe(kn)}`);
      continue;
    }
    const key = String(kn.value);
    const first = seen.get(key);
    if (first) {
      report(
        ctx,
        'duplicate-key',
        keyLoc,
        `duplicate key '${key}' in ${where(path)} (first at ${first.line}:${first.column})`,
        'YAML keeps only one of them; remove or merge the duplicate',
      );
      continue;
    }
    seen.set(key, keyLoc);
    if (keySchema) {
      const ok = typeof kn.value === 'string'
        ? checkString(ctx, kn, keySchema, path === '' ? key : `${path}.${key}`, keyLoc)
        : wrongType(ctx, kn, keySchema, `${path === '' ? '' : path + ': '}key ${key}`, keyLoc);
      if (!ok) continue;
    }
    out.push({ key, keyNode: kn, keyLoc, value: p.value as YNode | null });
  }
  return out;
}

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

function checkObject(ctx: Ctx, n: YNode | null, s: ObjectNode, path: string, already?: RawPair[]): LMap | undefined {
  if (!isMap(n)) return wrongType(ctx, n, s, path);
  const ps = already ?? pairs(ctx, n, path);
  const known = Object.keys(s.properties);
  const entries: LMap['entries'] = new Map();
  let ok = true;
  // A misspelt required key is reported once, as the unknown key with its suggestion.
  const suggested = new Set<string>();
  for (const p of ps) {
    const sub = s.properties[p.key];
    if (!sub) {
      const near = didYouMean(p.key, known);
      if (near) suggested.add(near);
      report(
        ctx,
        'unknown-key',
        p.keyLoc,
        `unknown key '${p.key}' in ${where(path)}${suggestion(p.key, known)}`,
        `allowed keys: ${known.join(', ')}`,
      );
      continue;
    }
    const v = check(ctx, p.value, sub, join(path, p.key));
    if (v) entries.set(p.key, { keyLoc: p.keyLoc, value: v });
    else if (s.required?.includes(p.key)) ok = false;
  }
  const present = new Set(ps.map((p) => p.key));
  for (const r of s.required ?? []) {
    if (!present.has(r)) {
      ok = false;
      if (suggested.has(r)) continue;
      report(ctx, 'missing-key', loc(ctx, n), `${where(path)} is missing required key '${r}'`);
    }
  }
  if (s.exactlyOne) {
    const have = ps.filter((p) => s.exactlyOne!.includes(p.key));
    if (have.length === 0) {
      report(ctx, 'missing-key', loc(ctx, n), `${where(path)} needs one of: ${s.exactlyOne.join(', ')}`);
      ok = false;
    } else if (have.length > 1) {
      report(
        ctx,
        'bad-value',
        have[1].keyLoc,
        `${where(path)} may have only one of: ${s.exactlyOne.join(', ')}`,
      );
      ok = false;
    }
  }
  if (s.atLeastOne && !ps.some((p) => s.atLeastOne!.includes(p.key))) {
    report(ctx, 'missing-key', loc(ctx, n), `${where(path)} needs at least one of: ${s.atLeastOne.join(', ')}`);
    ok = false;
  }
  if (s.minProperties !== undefined && ps.length < s.minProperties) {
    report(ctx, 'bad-value', loc(ctx, n), `${where(path)} must have at least ${s.minProperties} key(s): ${known.join(', ')}`);
    ok = false;
  }
  return ok ? { t: 'map', entries, loc: loc(ctx, n) } : undefined;
}

function checkMap(ctx: Ctx, n: YNode | null, s: MapNode, path: string): LMap | undefined {
  if (!isMap(n)) return wrongType(ctx, n, s, path);
  const entries: LMap['entries'] = new Map();
  for (const p of pairs(ctx, n, path, s.keys)) {
    const v = check(ctx, p.value, s.values, join(path, p.key));
    if (v) entries.set(p.key, { keyLoc: p.keyLoc, value: v });
  }
  return { t: 'map', entries, loc: loc(ctx, n) };
}

function checkVariants(ctx: Ctx, n: YNode | null, s: VariantsNode, path: string): LMap | undefined {
  if (!isMap(n)) return wrongType(ctx, n, s, path);
  const ps = pairs(ctx, n, path);
  const tags = Object.keys(s.variants);
  if (s.by === 'value') {
    const tagKey = s.tagKey!;
    const tag = ps.find((p) => p.key === tagKey);
    if (!tag) {
      report(ctx, 'missing-key', loc(ctx, n), `${where(path)} is missing required key '${tagKey}'`, `one of: ${tags.join(', ')}`);
      return undefined;
    }
    const tv = isScalar(tag.value) ? tag.value.value : undefined;
    if (typeof tv !== 'string' || !tags.includes(tv)) {
      const shown = typeof tv === 'string' ? `'${tv}'` : describe(tag.value);
      report(
        ctx,
        'bad-value',
        loc(ctx, tag.value),
        `unknown ${tagKey} ${shown} in ${where(path)}${typeof tv === 'string' ? suggestion(tv, tags) : ''}`,
        `expected one of: ${tags.join(', ')}`,
      );
      return undefined;
    }
    return checkObject(ctx, n, s.variants[tv], path, ps);
  }
  const present = ps.filter((p) => tags.includes(p.key));
  if (present.length === 1) return checkObject(ctx, n, s.variants[present[0].key], path, ps);
  if (present.length > 1) {
    report(
      ctx,
      'bad-value',
      present[1].keyLoc,
      `${where(path)} names both ${present[0].key} and ${present[1].key}; it must name exactly one of: ${tags.join(', ')}`,
    );
    return undefined;
  }
  const allKeys = [...new Set(Object.values(s.variants).flatMap((v) => Object.keys(v.properties)))];
  let reported = false;
  for (const p of ps) {
    if (!allKeys.includes(p.key)) {
      report(ctx, 'unknown-key', p.keyLoc, `unknown key '${p.key}' in ${where(path)}${suggestion(p.key, tags)}`, `${where(path)} needs exactly one of: ${tags.join(', ')}`);
      reported = true;
    }
  }
  if (!reported) report(ctx, 'missing-key', loc(ctx, n), `${where(path)} needs exactly one of: ${tags.join(', ')}`);
  return undefined;
}
