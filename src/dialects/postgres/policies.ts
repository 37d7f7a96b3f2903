/**
 * Masking and row access policies on PostgreSQL: compile policy changes (see
 * masking.ts for the design).
 *
 * A masking view depends on every policy of its table and on the table's columns, so
 * policies compile per plan, not per change: the PolicyCompiler of a plan (compile.ts) applies the plan's
 * policy changes to the live policy set (`ctx.livePolicies`) to get the set after the
 * plan, and emits each affected table's view once, at the first policy change that
 * touches the table. Row access policies compile per change into row level security
 * policies on the base table (plus the view, which filters rows itself).
 *
 * Pure: no I/O. Every identifier through quoteIdent, every person-written expression
 * through the PostgreSQL parser (expression.ts), re-printed from its parse tree.
 */
import { columnKey, objectKey } from '../../model/keys.js';
import { RbacError } from '../../model/errors.js';
import type { LiveTable, MaskingPolicyRecord, ObjectRef, RowAccessPolicyRecord } from '../../model/types.js';
import type { Change, PolicyChange } from '../../plan/types.js';
import { assertNever } from '../../plan/types.js';
import type { CompileContext } from '../types.js';
import { granteeSql } from './sql.js';
import { surrogateFillSql, surrogateTableSql } from './surrogates.js';
import {
  TOOL_SCHEMA,
  encodePolicyComment,
  encodeViewComment,
  maskedColumnSql,
  maskedColumnsByTable,
  maskedViewRef,
  relationSql,
  rlsPolicyNames,
  rowFilterSql,
  whereSql,
  type PgRowAccessPolicyRecord,
} from './masking.js';
import { quoteIdent } from './quote.js';
import { stampPoliciesSql, stampViewSql } from './enforcement.js';
import { PUBLIC_ROLE } from '../../model/types.js';

/** Compile one policy change on its own (a plan of one change). */
export function compilePostgresPolicy(change: PolicyChange, ctx: CompileContext = {}): string[] {
  const state = new PolicyCompiler([change], ctx);
  return state.compile(change);
}

/** Tags are Snowflake's; the configuration refuses `tag:` on PostgreSQL, and a plan that still holds one is refused here. */
function snowflakeOnly(change: PolicyChange): never {
  throw new RbacError('PLAN_INVALID', `${change.kind}: tag-based masking is Snowflake only`, 'mask the columns with columns: on PostgreSQL');
}

/** The logical database a policy change's statements run in: its table's. */
export function policyDatabase(change: PolicyChange): string | undefined {
  switch (change.kind) {
    case 'createMaskingPolicy':
    case 'dropMaskingPolicy':
      return change.policy.columns[0]?.table.database ?? change.policy.schema.database;
    case 'alterMaskingPolicy':
      return change.to.columns[0]?.table.database ?? change.from.columns[0]?.table.database ?? change.to.schema.database;
    case 'attachMaskingPolicy':
    case 'detachMaskingPolicy':
      return change.column.table.database;
    case 'createRowAccessPolicy':
    case 'dropRowAccessPolicy':
      return change.policy.table.database;
    case 'alterRowAccessPolicy':
      return change.to.table.database;
    case 'attachMaskingTag':
    case 'detachMaskingTag':
    case 'setColumnTag':
    case 'unsetColumnTag':
      return snowflakeOnly(change);
    default:
      return assertNever(change);
  }
}

/** The policy set after applying `changes` to the live one. */
function policiesAfter(changes: readonly Change[], ctx: CompileContext): { masking: MaskingPolicyRecord[]; rowAccess: RowAccessPolicyRecord[] } {
  const masking = new Map((ctx.livePolicies?.masking ?? []).map((p) => [p.key, p]));
  const rowAccess = new Map((ctx.livePolicies?.rowAccess ?? []).map((p) => [p.key, p]));
  for (const c of changes) {
    switch (c.kind) {
      case 'createMaskingPolicy':
        masking.set(c.policy.key, c.policy);
        break;
      case 'alterMaskingPolicy': {
        const have = masking.get(c.from.key) ?? c.from;
        masking.set(c.to.key, { ...c.to, columns: have.columns });
        break;
      }
      case 'dropMaskingPolicy':
        masking.delete(c.policy.key);
        break;
      case 'attachMaskingPolicy': {
        const have = masking.get(c.policy.key) ?? { ...c.policy, columns: [] };
        const cols = new Map(have.columns.map((x) => [columnKey(x), x]));
        cols.set(columnKey(c.column), c.column);
        masking.set(c.policy.key, { ...have, columns: [...cols.values()] });
        break;
      }
      case 'detachMaskingPolicy': {
        const have = masking.get(c.policy.key);
        if (have) masking.set(c.policy.key, { ...have, columns: have.columns.filter((x) => columnKey(x) !== columnKey(c.column)) });
        break;
      }
      case 'createRowAccessPolicy':
        rowAccess.set(c.policy.key, c.policy);
        break;
      case 'alterRowAccessPolicy':
        rowAccess.set(c.to.key, c.to);
        break;
      case 'dropRowAccessPolicy':
        rowAccess.delete(c.policy.key);
        break;
      default:
        break;
    }
  }
  return { masking: [...masking.values()], rowAccess: [...rowAccess.values()] };
}

export class PolicyCompiler {
  private readonly after: { masking: MaskingPolicyRecord[]; rowAccess: RowAccessPolicyRecord[] };
  private readonly tables: Map<string, LiveTable>;
  private readonly viewsDone = new Set<string>();
  private readonly liveViewTables: Set<string>;
  private readonly rlsEnabledHere = new Set<string>();
  /** Tables whose FORCE switch and foreign policies this plan already handled. */
  private readonly tableSwitchesDone = new Set<string>();
  /** Databases whose tool schema this plan already made sure of. */
  private readonly bootstrapped = new Set<string>();
  /** Databases whose surrogate mapping table this plan already made sure of. */
  private readonly surrogateTables = new Set<string>();

  constructor(changes: readonly Change[], private readonly ctx: CompileContext) {
    this.after = policiesAfter(changes, ctx);
    this.tables = new Map((ctx.tables ?? []).map((t) => [objectKey(t.object), t]));
    this.liveViewTables = new Set(maskedColumnsByTable(ctx.livePolicies?.masking ?? []).keys());
  }

  /** The statements of a policy change. */
  compile(change: PolicyChange): string[] {
    return this.compileStatements(change).map((s) => s.sql);
  }

  /** The statements of a policy change, each with the logical database of the table it is about. */
  compileStatements(change: PolicyChange): Tagged[] {
    switch (change.kind) {
      case 'createMaskingPolicy':
      case 'dropMaskingPolicy':
        return this.views(change.policy.columns.map((c) => c.table));
      case 'alterMaskingPolicy':
        return this.views([...change.from.columns, ...change.to.columns].map((c) => c.table));
      case 'attachMaskingPolicy':
      case 'detachMaskingPolicy':
        return this.views([change.column.table]);
      case 'createRowAccessPolicy':
        return [...this.createRls(change.policy, this.tool_enabled(change.policy.table)), ...this.views([change.policy.table])];
      case 'alterRowAccessPolicy': {
        const enabled = (change.from as PgRowAccessPolicyRecord).enabledRls === true;
        return [...this.dropRls(change.from, false), ...this.createRls(change.to, enabled), ...this.views([change.to.table])];
      }
      case 'dropRowAccessPolicy': {
        const t = objectKey(change.policy.table);
        const remains = this.after.rowAccess.some((p) => objectKey(p.table) === t);
        const enabled = (change.policy as PgRowAccessPolicyRecord).enabledRls === true;
        return [...this.dropRls(change.policy, enabled && !remains), ...this.views([change.policy.table])];
      }
      case 'attachMaskingTag':
      case 'detachMaskingTag':
      case 'setColumnTag':
      case 'unsetColumnTag':
        return snowflakeOnly(change);
      default:
        return assertNever(change);
    }
  }

  /** Whether the tool enabled RLS on a table (a live tool policy says so) before this one. */
  private tool_enabled(table: ObjectRef): boolean {
    const k = objectKey(table);
    return (this.ctx.livePolicies?.rowAccess ?? []).some((p) => objectKey(p.table) === k && (p as PgRowAccessPolicyRecord).enabledRls === true);
  }

  private liveTable(table: ObjectRef): LiveTable {
    const t = this.tables.get(objectKey(table));
    if (!t) throw new RbacError('PLAN_INVALID', `table ${objectKey(table)} is not on the target; a policy cannot be attached to it`, 'create the table first, or fix the policy');
    return t;
  }

  /**
   * The row level security policies of one row access policy, and the table's switches
   * as enforcement needs them: RLS on, FORCE off (FORCE subjects the owner, whose
   * rights the masking view reads with, to the policies: the view would show no
   * rows), and no policy on the table that rbac did not make (permissive policies are
   * OR'ed, so one hand-made `USING (true)` would show every row). Each policy is
   * stamped with the digest of its definition (enforcement.ts).
   */
  private createRls(p: RowAccessPolicyRecord, toolEnabledBefore: boolean): Tagged[] {
    return tag(this.createRlsSql(p, toolEnabledBefore), p.table.database);
  }

  private createRlsSql(p: RowAccessPolicyRecord, toolEnabledBefore: boolean): string[] {
    const out: string[] = [];
    const t = relationSql(p.table);
    const k = objectKey(p.table);
    const live = this.liveTable(p.table);
    let enabledRls = toolEnabledBefore || this.rlsEnabledHere.has(k);
    if (!live.rowSecurity && !this.rlsEnabledHere.has(k)) {
      out.push(`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`);
      this.rlsEnabledHere.add(k);
      enabledRls = true;
    }
    if (!this.tableSwitchesDone.has(k)) {
      this.tableSwitchesDone.add(k);
      if (live.forceRowSecurity) out.push(`ALTER TABLE ${t} NO FORCE ROW LEVEL SECURITY`);
      for (const name of live.foreignPolicies ?? []) out.push(`DROP POLICY IF EXISTS ${quoteIdent(name)} ON ${t}`);
    }
    const names = rlsPolicyNames(p);
    const comment = encodePolicyComment(p, enabledRls);
    p.rules.forEach((r, i) => {
      // A rule naming no role grants nothing; it still gets a policy so the reader sees it.
      const to = r.roles.length ? r.roles.map(granteeSql).join(', ') : 'CURRENT_USER';
      const using = r.roles.length ? `(${whereSql(p, r.where, this.ctx.expressions)})` : 'false';
      out.push(`CREATE POLICY ${quoteIdent(names.rules[i])} ON ${t} AS PERMISSIVE FOR SELECT TO ${to} USING ${using}`);
    });
    // Row access filters reads; writes stay governed by privileges alone.
    out.push(`CREATE POLICY ${quoteIdent(names.writes[0])} ON ${t} AS PERMISSIVE FOR INSERT TO PUBLIC WITH CHECK (true)`);
    out.push(`CREATE POLICY ${quoteIdent(names.writes[1])} ON ${t} AS PERMISSIVE FOR UPDATE TO PUBLIC USING (true) WITH CHECK (true)`);
    out.push(`CREATE POLICY ${quoteIdent(names.writes[2])} ON ${t} AS PERMISSIVE FOR DELETE TO PUBLIC USING (true)`);
    out.push(stampPoliciesSql(t, [...names.rules, ...names.writes].map((name) => ({ name, json: comment }))));
    return out;
  }

  private dropRls(p: RowAccessPolicyRecord, disable: boolean): Tagged[] {
    const t = relationSql(p.table);
    const names = rlsPolicyNames(p);
    const out = [...names.rules, ...names.writes].map((n) => `DROP POLICY IF EXISTS ${quoteIdent(n)} ON ${t}`);
    if (disable) out.push(`ALTER TABLE ${t} DISABLE ROW LEVEL SECURITY`);
    return tag(out, p.table.database);
  }

  /** The masking view of each table, once per plan: replaced, created or dropped. */
  private views(tables: ObjectRef[]): Tagged[] {
    const out: Tagged[] = [];
    for (const table of tables) out.push(...tag(this.view(table), table.database));
    return out;
  }

  /** The masking view of one table. */
  private view(table: ObjectRef): string[] {
    const out: string[] = [];
    const masked = maskedColumnsByTable(this.after.masking);
    {
      const k = objectKey(table);
      if (this.viewsDone.has(k)) return out;
      this.viewsDone.add(k);
      const e = masked.get(k);
      const view = relationSql(maskedViewRef(table));
      if (!e) {
        // No masked column left: the view goes (its grants were revoked before).
        if (this.liveViewTables.has(k)) out.push(`DROP VIEW IF EXISTS ${view}`);
        return out;
      }
      if (!this.bootstrapped.has(table.database)) {
        // The tool's schema, once per database that gets a masking view.
        out.push(...bootstrapSql(this.grantees(TOOL_SCHEMA, table.database)));
        this.bootstrapped.add(table.database);
      }
      const surrogate = [...e.columns].filter(([, p]) => p.mask === 'surrogate' && p.expression === undefined);
      if (surrogate.length && !this.surrogateTables.has(table.database)) {
        // The mapping table, once per database with a surrogate mask (before the view reads it).
        out.push(...surrogateTableSql(this.grantees(TOOL_SCHEMA, table.database).map(granteeSql)));
        this.surrogateTables.add(table.database);
      }
      const lt = this.liveTable(table);
      const items = lt.columns.map((c, i) => {
        const p = e.columns.get(c);
        if (!p) return quoteIdent(c);
        const type = lt.columnTypes?.[i];
        if (!type) throw new RbacError('TARGET', `the type of column ${c} of ${k} is unknown; cannot mask it`);
        return maskedColumnSql(p, c, type, this.ctx.expressions);
      });
      for (const c of e.columns.keys()) {
        if (!lt.columns.includes(c)) throw new RbacError('PLAN_INVALID', `masked column ${c} does not exist in table ${k}`);
      }
      const rows = this.after.rowAccess.filter((p) => objectKey(p.table) === k);
      const where = rows.length ? `\nWHERE ${rowFilterSql(rows, this.ctx.expressions)}` : '';
      out.push(`CREATE OR REPLACE VIEW ${view} WITH (security_barrier) AS\nSELECT ${items.join(',\n       ')}\nFROM ${relationSql(table)}${where}`);
      if (!this.tables.has(objectKey(maskedViewRef(table)))) {
        // A new relation gets the creator's default privileges (ALTER DEFAULT
        // PRIVILEGES): none may reach the view, whose only grants are the ones planned.
        out.push(...this.grantees(table.schema ?? '', table.database).map((g) => `REVOKE ALL ON TABLE ${view} FROM ${granteeSql(g)}`));
      }
      const policies = [...new Set(e.columns.values())];
      out.push(stampViewSql(view, encodeViewComment(table, lt.columns, policies)));
      // Every value present gets its key now; later rows: `rbac surrogates`.
      for (const [c, p] of surrogate) out.push(surrogateFillSql(p.name, { table, column: c }));
    }
    return out;
  }

  /** PUBLIC and every role that default privileges give a new relation in `schema` of `database`. */
  private grantees(schema: string, database: string): string[] {
    const byDb = this.ctx.newObjectGranteesByDatabase?.[database];
    const of = byDb ?? this.ctx.newObjectGrantees;
    const g = of?.[schema] ?? of?.[''] ?? [];
    return [PUBLIC_ROLE, ...[...g].filter((x) => x !== PUBLIC_ROLE).sort()];
  }
}

/** One statement of a policy change and the logical database it runs in. */
export interface Tagged {
  sql: string;
  database: string;
}

function tag(sql: readonly string[], database: string): Tagged[] {
  return sql.map((s) => ({ sql: s, database }));
}

/**
 * The tool's schema and its salt for `hash`, created once: a random salt that no role
 * but the tool's login (the masking views' owner) can read.
 */
export function bootstrapSql(grantees: readonly string[] = [PUBLIC_ROLE]): string[] {
  const s = quoteIdent(TOOL_SCHEMA);
  const from = grantees.map(granteeSql).join(', ');
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `REVOKE ALL ON SCHEMA ${s} FROM PUBLIC`,
    `CREATE TABLE IF NOT EXISTS ${s}.settings (salt text NOT NULL)`,
    `REVOKE ALL ON TABLE ${s}.settings FROM ${from}`,
    `INSERT INTO ${s}.settings (salt) SELECT encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text || clock_timestamp()::text, 'UTF8')), 'hex') WHERE NOT EXISTS (SELECT 1 FROM ${s}.settings)`,
  ];
}
