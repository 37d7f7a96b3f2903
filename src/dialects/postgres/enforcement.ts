/**
 * What enforcement depends on, made verifiable: the definition of every masking view
 * and row level security policy rbac creates is stamped, in the same transaction, with
 * a digest the server computes from its catalog entry, and the reader recomputes that
 * digest with the same SQL. A `CREATE OR REPLACE VIEW` or `ALTER POLICY` made by hand,
 * even one that keeps rbac's comment, changes the catalog entry and no longer matches
 * the stamp, so `rbac plan` and `rbac drift` see it and apply re-creates the object.
 *
 * The digests hash the stored parse trees (`pg_rewrite.ev_action`, `pg_policy.polqual`
 * and `polwithcheck`), not their deparsed text: `pg_get_viewdef` and `pg_get_expr`
 * print names relative to the session's search_path, the trees do not. The view digest
 * also covers the view's options (security_barrier) and owner, the policy digest its
 * command, permissiveness and roles. A dump/restore or major upgrade renumbers the
 * objects a tree refers to; the next plan then re-creates each object once.
 *
 * COMMENT takes only a literal, so the stamp is a DO block that computes the digest and
 * EXECUTEs the COMMENT through format(%L). Everything spliced into it is a literal
 * built by quoteLiteral (names, the comment's JSON), and the block is dollar-quoted with
 * a tag that does not occur in its body.
 */
import { quoteLiteral } from './quote.js';

/** The JSON key of the digest in rbac's comments. */
export const DIGEST_KEY = 'digest';

/**
 * The definition digest of a view, as a scalar subquery over `pg_class` row `c`.
 * NULL for relations that are not views.
 */
export function viewDigestSql(c: string): string {
  return (
    `(SELECT encode(sha256(convert_to(concat_ws('|', r.ev_action::text, coalesce(${c}.reloptions::text, ''), ${c}.relowner::text), 'UTF8')), 'hex') ` +
    `FROM pg_catalog.pg_rewrite r WHERE r.ev_class = ${c}.oid AND r.rulename = '_RETURN')`
  );
}

/** The definition digest of a row level security policy, over `pg_policy` row `p`. */
export function policyDigestSql(p: string): string {
  return (
    `encode(sha256(convert_to(concat_ws('|', ${p}.polcmd::text, ${p}.polpermissive::text, ${p}.polroles::text, ` +
    `coalesce(${p}.polqual::text, ''), coalesce(${p}.polwithcheck::text, '')), 'UTF8')), 'hex')`
  );
}

/** `$rbac$`, or `$rbac_N$` when the body already holds the tag. */
function dollarQuote(body: string): string {
  let tag = '$rbac$';
  for (let n = 1; body.includes(tag.slice(0, -1)); n++) tag = `$rbac_${n}$`;
  return `${tag}\n${body}\n${tag}`;
}

/**
 * A comment's JSON with the digest appended as its last key, as SQL: the literal
 * before the digest || d || the literal after it. `json` is a JSON object text.
 */
function withDigest(json: string, d: string): string {
  if (!json.endsWith('}') || json === '{}') throw new Error('a stamped comment must be a non-empty JSON object');
  return `${quoteLiteral(`${json.slice(0, -1)},"${DIGEST_KEY}":"`)} || ${d} || ${quoteLiteral('"}')}`;
}

/** Comment a view (`relation`: `"schema"."name"`) with `json` plus the digest of its definition, as the catalog holds it now. */
export function stampViewSql(relation: string, json: string): string {
  const reg = `${quoteLiteral(relation)}::pg_catalog.regclass`;
  const body = [
    'DECLARE d text;',
    'BEGIN',
    `  SELECT ${viewDigestSql('c')} INTO STRICT d FROM pg_catalog.pg_class c WHERE c.oid = ${reg};`,
    `  EXECUTE pg_catalog.format('COMMENT ON VIEW %s IS %L', ${reg}, ${withDigest(json, 'd')});`,
    'END',
  ].join('\n');
  return `DO ${dollarQuote(body)}`;
}

/** Comment each policy of a table with its JSON plus the digest of its definition. */
export function stampPoliciesSql(relation: string, policies: readonly { name: string; json: string }[]): string {
  const reg = `${quoteLiteral(relation)}::pg_catalog.regclass`;
  const lines = ['DECLARE d text;', 'BEGIN'];
  for (const p of policies) {
    const name = quoteLiteral(p.name);
    lines.push(`  SELECT ${policyDigestSql('p')} INTO STRICT d FROM pg_catalog.pg_policy p WHERE p.polrelid = ${reg} AND p.polname = ${name};`);
    lines.push(`  EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON %s IS %L', ${name}, ${reg}, ${withDigest(p.json, 'd')});`);
  }
  lines.push('END');
  return `DO ${dollarQuote(lines.join('\n'))}`;
}

