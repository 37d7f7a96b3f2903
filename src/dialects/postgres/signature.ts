/**
 * A routine's identity on PostgreSQL: its name and its input argument types. The
 * configuration writes the types as a person would (`zip3(text)`, `f(int, varchar(10))`,
 * `f(a integer, variadic b text[])`); the reader reads them from `pg_proc.proargtypes`.
 * Both become one canonical spelling, so a signature compares as a string:
 *
 * - a built-in type (pg_catalog) is written as `format_type(oid, NULL)` prints it:
 *   `integer`, `character varying`, `timestamp with time zone`, `"char"`; type modifiers
 *   are not part of a signature (PostgreSQL ignores them there);
 * - any other type is written qualified, `schema.name`, each part bare when it is lower
 *   case letters, digits, `_` and `$` only, otherwise double-quoted (inner quotes doubled);
 * - an array adds `[]`; the list is `(t1, t2)`, `()` for none; OUT arguments are not part
 *   of the identity and are left out; argument names and IN/INOUT/VARIADIC are dropped.
 *
 * The configuration's text is parsed by PostgreSQL's own parser (as the argument list of
 * a CREATE FUNCTION that is only parsed, never run), and only the parse tree is kept.
 * The compiler writes a signature back from the canonical form alone (`signatureTypes`):
 * built-in names from the closed list below, every other part through `quoteIdent`.
 */
import { parseSync } from 'libpg-query';
import { RbacError } from '../../model/errors.js';
import { postgresParserReady } from './expression.js';

/** The parser's internal names of built-in types -> how format_type prints them. */
const INTERNAL_NAMES: Readonly<Record<string, string>> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  varchar: 'character varying',
  bpchar: 'character',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  time: 'time without time zone',
  timetz: 'time with time zone',
  varbit: 'bit varying',
  char: '"char"',
};

/** Built-in types whose format_type name is their own name. */
const SAME_NAMES = [
  'text', 'numeric', 'bit', 'interval', 'date', 'uuid', 'json', 'jsonb', 'bytea', 'inet', 'cidr', 'macaddr', 'macaddr8',
  'money', 'oid', 'name', 'xml', 'point', 'line', 'lseg', 'box', 'path', 'polygon', 'circle', 'tsvector', 'tsquery',
  'regclass', 'regtype', 'regproc', 'regprocedure', 'regrole', 'regnamespace', 'int4range', 'int8range', 'numrange',
  'daterange', 'tsrange', 'tstzrange', 'record', 'anyelement', 'anyarray', 'anynonarray', 'anyenum', 'anyrange',
  'anycompatible', 'anycompatiblearray', 'cstring', 'pg_lsn', 'txid_snapshot', 'refcursor', 'tid', 'xid', 'cid',
] as const;

/** Every built-in spelling a canonical signature may hold (the compiler's closed list). */
const BUILTIN_DISPLAY: ReadonlySet<string> = new Set([...Object.values(INTERNAL_NAMES), ...SAME_NAMES]);
/** Parser name (after pg_catalog or alone) -> display name. */
const BUILTIN_BY_NAME: ReadonlyMap<string, string> = new Map<string, string>([
  ...Object.entries(INTERNAL_NAMES),
  ...SAME_NAMES.map((n): [string, string] => [n, n]),
]);

const BARE = /^[a-z_][a-z0-9_$]*$/;
const part = (s: string): string => (BARE.test(s) ? s : `"${s.replace(/"/g, '""')}"`);

type Json = Record<string, unknown>;

/** The canonical signature of argument types as the configuration writes them. Throws with a reason. */
export function canonicalPostgresSignature(types: readonly string[]): string {
  if (!postgresParserReady()) throw new Error('the PostgreSQL parser is not loaded');
  if (types.length === 0) return '()';
  for (const t of types) {
    if (t.trim() === '') throw new Error('an argument type is empty');
    if (/[;\u0000]|\$\$|--|\/\*/.test(t)) throw new Error(`${JSON.stringify(t)} is not a type`);
  }
  const text = `CREATE FUNCTION rbac_signature(${types.join(', ')}) RETURNS void LANGUAGE sql AS ''`;
  let tree: { stmts?: { stmt?: Json }[] };
  try {
    tree = parseSync(text) as typeof tree;
  } catch (e) {
    const d = (e as { sqlDetails?: { message?: string } }).sqlDetails;
    throw new Error(`not a list of PostgreSQL types (${d?.message ?? (e as Error).message})`);
  }
  const stmt = tree.stmts?.length === 1 ? (tree.stmts[0].stmt?.CreateFunctionStmt as Json | undefined) : undefined;
  const params = (stmt?.parameters as Json[] | undefined) ?? [];
  if (!stmt || params.length !== types.length) throw new Error('not a list of argument types');
  const out: string[] = [];
  for (const p of params) {
    const fp = p.FunctionParameter as Json | undefined;
    if (!fp || fp.defexpr !== undefined) throw new Error('an argument holds more than a type (write the types only)');
    if (fp.mode === 'FUNC_PARAM_OUT' || fp.mode === 'FUNC_PARAM_TABLE') continue;
    out.push(typeOf(fp.argType as Json));
  }
  return `(${out.join(', ')})`;
}

function typeOf(t: Json): string {
  if (t.pct_type || t.setof) throw new Error('%TYPE and SETOF are not argument types');
  const names = ((t.names as Json[]) ?? []).map((n) => String((n.String as Json | undefined)?.sval ?? ''));
  const array = Array.isArray(t.arrayBounds) && t.arrayBounds.length > 0 ? '[]' : '';
  let base: string | undefined;
  if (names.length === 2 && names[0] === 'pg_catalog') base = BUILTIN_BY_NAME.get(names[1]) ?? `pg_catalog.${part(names[1])}`;
  else if (names.length === 1) {
    base = BUILTIN_BY_NAME.get(names[0]);
    if (base === undefined) {
      throw new Error(`type ${part(names[0])} is not a built-in type: write it with its schema (${'schema'}.${part(names[0])}), as the signature of a routine names its types exactly`);
    }
  } else if (names.length === 2) base = `${part(names[0])}.${part(names[1])}`;
  else throw new Error(`type ${names.map(part).join('.')} has too many name parts (a type is schema.name)`);
  return `${base}${array}`;
}

/** One input argument as the reader's query returns it: [schema, type name, format_type, is an array]. */
export type CatalogArgType = [string, string, string, boolean];

/** The canonical signature of a routine read from the catalog (see the file comment). */
export function signatureFromCatalog(args: readonly CatalogArgType[]): string {
  return `(${args
    .map(([schema, name, formatted, isArray]) => {
      const base = schema === 'pg_catalog' && BUILTIN_DISPLAY.has(formatted) ? formatted : `${part(schema)}.${part(name)}`;
      return `${base}${isArray ? '[]' : ''}`;
    })
    .join(', ')})`;
}

/** One argument type of a canonical signature: a built-in spelling (closed list) or a qualified name. */
export type SignatureType = ({ builtin: string } | { schema: string; name: string }) & { array: boolean };

/**
 * The types of a canonical signature, for the compiler: a built-in name from the closed
 * list, or the two parts of a qualified one. A signature that is not canonical is a
 * plan error.
 */
export function signatureTypes(signature: string): SignatureType[] {
  const bad = () => new RbacError('PLAN_INVALID', `not a canonical PostgreSQL signature: ${JSON.stringify(signature)}`);
  if (!signature.startsWith('(') || !signature.endsWith(')')) throw bad();
  const body = signature.slice(1, -1);
  const types: SignatureType[] = [];
  if (body === '') return types;
  let i = 0;
  const parseName = (): string => {
    if (body[i] === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= body.length) throw bad();
        if (body[i] === '"') {
          if (body[i + 1] === '"') {
            s += '"';
            i += 2;
            continue;
          }
          i++;
          if (s === '') throw bad();
          return s;
        }
        s += body[i++];
      }
    }
    const m = /^[a-z_][a-z0-9_$]*/.exec(body.slice(i));
    if (!m) throw bad();
    i += m[0].length;
    return m[0];
  };
  while (i < body.length) {
    const builtin = [...BUILTIN_DISPLAY]
      .filter((b) => body.startsWith(b, i) && /^(\[\]|, |$)/.test(body.slice(i + b.length)))
      .sort((a, b) => b.length - a.length)[0];
    let t: { builtin: string } | { schema: string; name: string };
    if (builtin !== undefined) {
      t = { builtin };
      i += builtin.length;
    } else {
      const schema = parseName();
      if (body[i] !== '.') throw bad();
      i++;
      t = { schema, name: parseName() };
    }
    const array = body.startsWith('[]', i);
    if (array) i += 2;
    types.push({ ...t, array });
    if (i === body.length) break;
    if (!body.startsWith(', ', i)) throw bad();
    i += 2;
    if (i === body.length) throw bad();
  }
  return types;
}
