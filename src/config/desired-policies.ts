/**
 * toDesired, the policy part: classification (`phi:`), masking and row access
 * policies, and the SQL a person writes in them, checked by the platform's parser
 * (`dialect.expressions`) and kept as re-printed.
 *
 * Tag-based masking (Snowflake only): a masking policy's `tag:` becomes its `tags`, and
 * each such tag is set on every classified column, valued with the column's category
 * (`columnTags`). A policy with a tag and no columns lives in the tag's schema. On
 * another platform `tag:` is a located error (`platform-unsupported`); so are two
 * column-less policies of one signature type on one tag (Snowflake takes one policy
 * per data type on a tag).
 */
import type { Dialect } from '../dialects/types.js';
import { columnKey, columnTagKey, makeObject, maskingPolicyKey, objectKey, rowAccessPolicyKey, schemaOf } from '../model/keys.js';
import { ExpressionError, type ExpressionPolicy, type ExpressionUse } from '../model/expressions.js';
import { PUBLIC_ROLE, type ColumnRef, type ColumnTagRecord, type MaskingPolicyRecord, type ObjectRef, type RowAccessPolicyRecord, type SourceLocation } from '../model/types.js';
import type { NamePart } from '../dialects/types.js';
import { formatPath, isPublicName } from './names.js';
import type { Project } from './project.js';
import type { NormalizeContext } from './normalize.js';

/** What the policy part of a configuration becomes for one dialect. */
export interface DesiredPolicies {
  phi: { column: ColumnRef; category: string }[];
  /** Snowflake: each masking policy's tag on each classified column. */
  columnTags: ColumnTagRecord[];
  maskingPolicies: MaskingPolicyRecord[];
  rowAccessPolicies: RowAccessPolicyRecord[];
  expressions: ExpressionPolicy;
}

const fmt = (l: SourceLocation): string => `${l.file}:${l.line}:${l.column}`;

/** Classification and policies (see the file comment); problems go to `ctx.err`. */
export function desiredPolicies(project: Project, ctx: NormalizeContext): DesiredPolicies {
  const { dialect, err, norm } = ctx;
  const platform = dialect.platform;
  // --- custom SQL: parsed by the platform's grammar, kept as re-printed ----------------
  const expressions = expressionPolicy(project, dialect, err);
  /**
   * The expression re-printed from its parse tree (what the plan shows and runs), or
   * undefined after reporting why it was refused, at its place in the file.
   */
  const checkExpression = (text: string, use: ExpressionUse, at: SourceLocation, what: string): string | undefined => {
    try {
      const checked = dialect.expressions.check(text, use, expressions);
      // A Snowflake masking policy or Databricks mask function sees only the value it
      // masks; PostgreSQL's masking view can read the row's other columns.
      if (use === 'mask' && platform !== 'postgres' && checked.columns.length) {
        err(
          'bad-expression',
          at,
          `${what} reads column${checked.columns.length > 1 ? 's' : ''} ${checked.columns.join(', ')}: a ${platform} mask sees only the masked value`,
          'write the mask over {value} alone',
        );
        return undefined;
      }
      return checked.text;
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      const where = e.position !== undefined ? ` (at character ${e.position} of the expression)` : '';
      err(
        'bad-expression',
        at,
        `${what} is refused: ${e.message}${where}`,
        use === 'mask'
          ? `write one ${platform} SQL expression with {value} where the column's value goes`
          : `write one ${platform} SQL boolean expression over the table's columns`,
      );
      return undefined;
    }
  };

  // --- classification and policies -------------------------------------------------
  const columnRef = (parts: NamePart[], at: SourceLocation): ColumnRef | undefined => {
    if (parts.length !== 4) {
      err('bad-value', at, `column ${formatPath(parts)} must be written database.schema.table.column`);
      return undefined;
    }
    const [db, schema, table, column] = parts.map((p) => norm(p, at, 'name'));
    return { table: makeObject('table', db, schema, table), column };
  };
  const sortColumns = (cs: ColumnRef[]): ColumnRef[] => {
    const m = new Map(cs.map((c) => [columnKey(c), c]));
    return [...m.keys()].sort().map((k) => m.get(k)!);
  };
  const roleList = (refs: { name: NamePart; database?: NamePart; source: SourceLocation }[]): string[] =>
    [...new Set(refs.map((r) => (!r.database && isPublicName(r.name) ? PUBLIC_ROLE : ctx.normRole(r, r.source))))].sort();

  const phi: { column: ColumnRef; category: string }[] = [];
  const phiSources: SourceLocation[] = [];
  for (const d of project.phi) {
    const c = columnRef(d.column, d.source);
    if (c) (phi.push({ column: c, category: d.category }), phiSources.push(d.source));
  }

  const maskingPolicies: MaskingPolicyRecord[] = [];
  const maskedColumns = new Map<string, SourceLocation>();
  // Column-less policies per (tag, signature type): Snowflake sets one per data type on a tag.
  const tagTypes = new Map<string, { name: string; at: SourceLocation }>();
  const tagRef = (m: (typeof project.maskingPolicies)[number]): ObjectRef | undefined => {
    if (!m.tag) return undefined;
    if (platform !== 'snowflake') {
      err(
        'platform-unsupported',
        m.tag.source,
        `masking policy ${formatPath([m.name])}: tag: is Snowflake's tag-based masking, which ${platform} does not have`,
        `list the columns under columns: instead (every target of this configuration that is not Snowflake refuses tag:)`,
      );
      return undefined;
    }
    if (m.tag.path.length !== 3) {
      err('bad-value', m.tag.source, `tag ${formatPath(m.tag.path)} must be written database.schema.name`);
      return undefined;
    }
    const [db, schema, tname] = m.tag.path.map((p) => norm(p, m.tag!.source, 'name'));
    return makeObject('tag', db, schema, tname);
  };
  for (const m of project.maskingPolicies) {
    const name = norm(m.name, m.source, 'policy name');
    const tag = tagRef(m);
    if (m.tag && !tag) continue;
    const columns = sortColumns(m.columns.map((c) => columnRef(c.path, c.source)).filter((c): c is ColumnRef => c !== undefined));
    for (const c of m.columns) {
      const ref = columnRef(c.path, c.source);
      if (!ref) continue;
      const first = maskedColumns.get(columnKey(ref));
      if (first) err('duplicate-grant', c.source, `column ${formatPath(c.path)} is already masked by the policy at ${fmt(first)}`, 'a column takes one masking policy');
      else maskedColumns.set(columnKey(ref), c.source);
    }
    if (columns.length === 0 && !tag) continue;
    const rec: MaskingPolicyRecord = {
      key: maskingPolicyKey(name),
      name,
      schema: schemaOf(columns[0]?.table ?? tag!),
      unmaskedFor: roleList(m.unmaskedFor),
      columns,
      source: m.source,
    };
    if (tag) {
      rec.tags = [tag];
      if (columns.length === 0) {
        // Typed without columns: DATE for year, VARCHAR otherwise (snowflake/policies.ts).
        const type = m.mask === 'year' ? 'DATE' : 'VARCHAR';
        const k = `${objectKey(tag)}\u0000${type}`;
        const first = tagTypes.get(k);
        if (first) {
          err(
            'conflicting-grant',
            m.tag!.source,
            `masking policies ${first.name} and ${name} are both ${type} policies on tag ${formatPath(m.tag!.path)} (first at ${fmt(first.at)}); Snowflake sets one masking policy per data type on a tag`,
            'keep one, or give one of them columns: of another type',
          );
          continue;
        }
        tagTypes.set(k, { name, at: m.tag!.source });
      }
    }
    if (m.mask !== undefined) {
      rec.mask = m.mask;
      // The configured Census list, when rbac.yaml has one (safe_harbor.zip3_restricted).
      if (m.mask === 'zip3' && project.zip3Restricted) rec.zip3Restricted = [...project.zip3Restricted.prefixes];
    } else {
      const expr = m.expression?.[platform];
      if (expr === undefined) {
        err(
          'platform-unsupported',
          m.source,
          `masking policy ${formatPath([m.name])} has no expression for ${platform}`,
          `add expression.${platform}, written in ${platform} SQL with {value} for the column, or use a built-in mask`,
        );
        continue;
      }
      const checked = checkExpression(expr, 'mask', m.expressionSource?.[platform] ?? m.source, `the ${platform} expression of masking policy ${formatPath([m.name])}`);
      if (checked === undefined) continue;
      rec.expression = checked;
    }
    maskingPolicies.push(rec);
  }

  const rowAccessPolicies: RowAccessPolicyRecord[] = [];
  for (const r of project.rowAccessPolicies) {
    const name = norm(r.name, r.source, 'policy name');
    if (r.table.length !== 3) {
      err('bad-value', r.source, `table ${formatPath(r.table)} must be written database.schema.table`);
      continue;
    }
    const [tdb, tschema, tname] = r.table.map((p) => norm(p, r.source, 'name'));
    const table = makeObject('table', tdb, tschema, tname);
    const wheres = r.allow.map((a) => checkExpression(a.where, 'where', a.whereSource ?? a.source, `the where of row access policy ${formatPath([r.name])}`));
    if (wheres.some((w) => w === undefined)) continue;
    rowAccessPolicies.push({
      key: rowAccessPolicyKey(name),
      name,
      schema: schemaOf(table),
      table,
      rules: r.allow.map((a, i) => ({ roles: roleList(a.roles), where: wheres[i]! })),
      source: r.source,
    });
  }

  // Every tag a policy masks through goes on every classified column, valued with its category.
  const tags = new Map<string, ObjectRef>();
  for (const p of maskingPolicies) for (const t of p.tags ?? []) tags.set(objectKey(t), t);
  const columnTags: ColumnTagRecord[] = [];
  for (const t of [...tags.keys()].sort().map((k) => tags.get(k)!)) {
    phi.forEach((c, i) => columnTags.push({ key: columnTagKey(t, c.column), column: c.column, tag: t, value: c.category, source: phiSources[i] }));
  }
  return { phi, columnTags, maskingPolicies, rowAccessPolicies, expressions };
}

/**
 * `expressions:` of rbac.yaml for one dialect: every name `database.schema.name` with
 * each part normalized, joined with `.` (see ExpressionPolicy). A part holding a dot
 * would make the join ambiguous, so it is refused.
 */
function expressionPolicy(
  project: Project,
  dialect: Dialect,
  err: NormalizeContext['err'],
): ExpressionPolicy {
  const names = (list: Project['expressions']['functions'], what: string): string[] => {
    const out: string[] = [];
    for (const { path, source } of list) {
      if (path.length !== 3) {
        err('bad-value', source, `${what} ${formatPath(path)} must be written database.schema.name`);
        continue;
      }
      if (path.some((p) => p.text.includes('.'))) {
        err('invalid-name', source, `${what} ${formatPath(path)}: a name part holding "." cannot be listed here`, 'rename the object, or wrap it in a function whose name has no dot');
        continue;
      }
      out.push(path.map((p) => dialect.normalize(p)).join('.'));
    }
    return [...new Set(out)].sort();
  };
  return { functions: names(project.expressions.functions, 'function'), relations: names(project.expressions.relations, 'relation') };
}
