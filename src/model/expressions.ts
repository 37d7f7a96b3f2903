/**
 * SQL that a person writes (a row filter's `where`, a custom mask's `expression`) is
 * the one place where text from the configuration reaches a statement. It is never
 * copied into SQL as written: each dialect parses it with a real grammar (PostgreSQL's
 * own parser; a strict expression grammar for Snowflake and Databricks), checks the
 * parse tree against an allowlist, and re-prints it from the tree. What the plan shows
 * and what runs is the re-printed text, so a reviewer reads exactly what executes, and
 * nothing outside one scalar expression can survive the round trip (no second
 * statement, no comment, no literal that ends early).
 *
 * Invariants of every `ExpressionParser`:
 * - `check` accepts exactly one scalar expression; it throws `ExpressionError` for
 *   anything else (statement separators, comments, parameters, subqueries over
 *   relations not in `policy.relations`, functions outside the dialect's safe list and
 *   `policy.functions`, aggregates, window functions, set-returning functions);
 * - `check(check(x).text)` returns the same text (re-printing is a fixed point);
 * - `render` re-parses its input (it may come from a saved plan, a snapshot or a
 *   comment read back from the target), so no text reaches SQL without passing the
 *   parser at compile time too;
 * - the placeholder `{value}` (masks only) stands for the masked column; it may not
 *   appear inside a literal or an identifier, and a `where` may not use it.
 */

/** What the expression is for: a row filter condition or a mask over `{value}`. */
export type ExpressionUse = 'where' | 'mask';

/** The placeholder of the masked column in a mask expression. */
export const VALUE_PLACEHOLDER = '{value}';

/**
 * What the configuration allows beyond the dialect's built-in safe list
 * (`expressions:` in rbac.yaml). Every name is `database.schema.name`, each part
 * normalized by the dialect (`Dialect.normalize`) and joined with `.` (the validator
 * refuses parts that hold a dot, so the join is unambiguous). Snowflake and
 * Databricks match calls and relations on all three parts; PostgreSQL objects live in
 * the connected database, so it matches `schema.name`. An expression must call or
 * read them schema-qualified: an unqualified name resolves through the session's
 * search path and could be another object.
 */
export interface ExpressionPolicy {
  /** Extra functions a where or mask may call. */
  functions: readonly string[];
  /** Relations a subquery in a where may read. */
  relations: readonly string[];
}

export const NO_EXTRAS: ExpressionPolicy = { functions: [], relations: [] };

/** A checked expression. */
export interface CheckedExpression {
  /** Re-printed from the parse tree; `{value}` where the mask's column goes. */
  text: string;
  /**
   * Column names the expression reads, as the dialect stores them (Snowflake: bare
   * names upper-cased, PostgreSQL: lower-cased, quoted names exact), in first-use
   * order, without duplicates; qualified references contribute their last part.
   */
  columns: string[];
}

/** Why an expression was refused; `position` is a 1-based character offset into the text as written. */
export class ExpressionError extends Error {
  constructor(
    message: string,
    public readonly position?: number,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

/** The per-dialect parser (see the invariants above). */
export interface ExpressionParser {
  /** Parse, check, re-print. Throws ExpressionError. */
  check(text: string, use: ExpressionUse, policy: ExpressionPolicy): CheckedExpression;
  /**
   * The SQL of a checked expression inside a statement: re-parsed, re-checked and
   * re-printed, with `{value}` (masks) replaced by a reference to `value`: the stored
   * name of the masked column (PostgreSQL view) or of the policy's parameter
   * (Snowflake, Databricks), printed as an identifier by the dialect's quoter. Throws
   * ExpressionError.
   */
  render(text: string, use: ExpressionUse, policy: ExpressionPolicy, opts?: { value?: string }): string;
}
