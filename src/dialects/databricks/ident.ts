/**
 * Databricks (Unity Catalog) identifiers and literals.
 *
 * Invariants:
 * - names of securables are case-insensitive and stored lower-case: `normalize`
 *   lower-cases every part, quoted or not, so `Foo` and `foo` are the same canonical name.
 * - principals are not securables: `normalizePrincipal` keeps a QUOTED principal name
 *   exactly as written (`"Data Engineers"`); a bare one is folded to lower case as the
 *   configuration's name syntax says of every bare name (config/names.ts), so v0.1
 *   configurations plan as before. Databricks keeps group names unique CASE-SENSITIVELY (`Admins` and
 *   `admins` are two groups: terraform-provider-databricks #3596/#3597) and resolves a
 *   GRANT's group by its exact name (`Could not find principal with name group123` for
 *   the group `Group123`: #2700; the provider stopped lower-casing principals in #3708).
 *   User names (e-mail addresses) and service principals' application ids (UUIDs) are
 *   matched case-insensitively by the server, which prints its own spelling (#3654):
 *   readers map such a name back to the configuration's spelling when the two differ in
 *   case only (inspect.ts, adapter.ts); group names are never folded.
 * - `quoteIdent` always back-quotes, doubling inner backticks; empty names, NUL and
 *   names over 255 UTF-8 bytes throw.
 * - `quoteLiteral` single-quotes and backslash-escapes `\` and `'` (Spark SQL string
 *   literals read backslash escapes).
 * - neither lets `${` through (Spark variable substitution, see `noSubstitution`).
 */
import { wordSignature } from '../signature.js';
import { RbacError } from '../../model/errors.js';
import type { Dialect, NamePart } from '../types.js';

export const DATABRICKS_MAX_IDENTIFIER_BYTES = 255;

/**
 * Spark substitutes `${name}`, `${env:NAME}` and `${system:name}` into a statement's
 * text before parsing it (spark.sql.variable.substitute), inside quotes too: a name
 * or literal holding `${` would change the statement, or read an environment variable
 * of the cluster into it. Refused wherever a name or literal reaches SQL.
 */
function noSubstitution(text: string, what: string): void {
  if (text.includes('${')) throw new RbacError('CONFIG', `${what} contains "\${", which Spark substitutes before parsing; rename it`);
}

export const databricksNames: Omit<Dialect, 'expressions'> = {
  platform: 'databricks',
  normalize(part: NamePart): string {
    return part.text.toLowerCase();
  },
  normalizePrincipal(part: NamePart): string {
    return part.quoted ? part.text : part.text.toLowerCase();
  },
  quoteIdent(name: string): string {
    if (name.length === 0) throw new RbacError('CONFIG', 'empty identifier');
    if (name.includes('\u0000')) throw new RbacError('CONFIG', 'identifier contains a NUL character');
    noSubstitution(name, 'identifier');
    const bytes = Buffer.byteLength(name, 'utf8');
    if (bytes > DATABRICKS_MAX_IDENTIFIER_BYTES) {
      throw new RbacError('CONFIG', `identifier is ${bytes} bytes, longer than the ${DATABRICKS_MAX_IDENTIFIER_BYTES}-byte limit`);
    }
    return '`' + name.replace(/`/g, '``') + '`';
  },
  canonicalSignature(types: readonly string[]): string {
    return wordSignature(types, (s) => s.toLowerCase());
  },
  quoteLiteral(value: string): string {
    if (value.includes('\u0000')) throw new RbacError('CONFIG', 'string literal contains a NUL character');
    noSubstitution(value, 'string literal');
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  },
  maxIdentifierBytes: DATABRICKS_MAX_IDENTIFIER_BYTES,
};

/**
 * User names and application ids compare case-insensitively on Databricks: the lower-cased
 * name -> the configuration's one spelling of it, or null when the configuration spells it
 * two ways (ambiguous: matched exactly only). Readers use it to name what the server
 * spells in another case as the configuration does, so the case is no diff.
 */
export function configuredSpellings(users: readonly string[]): Map<string, string | null> {
  const folded = new Map<string, string | null>();
  for (const u of users) {
    const k = u.toLowerCase();
    folded.set(k, folded.has(k) && folded.get(k) !== u ? null : u);
  }
  return folded;
}
