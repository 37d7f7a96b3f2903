/**
 * The plain-text plan: changes grouped by role, `+` / `-` / `~` per change with the
 * SQL it runs beneath, destructive changes marked `!`, and a closing summary line.
 * Pure: colour is an option the CLI sets (never under NO_COLOR or without a TTY).
 */
import type { Statement } from '../dialects/types.js';
import type { Plan } from '../plan/types.js';
import { changeSymbol, describeChange, groupChanges, isDestructive } from './describe.js';

export interface TextOptions {
  color?: boolean;
  /** Show the SQL under each change (default true). */
  sql?: boolean;
}

const ANSI = { green: '\u001b[32m', red: '\u001b[31m', yellow: '\u001b[33m', bold: '\u001b[1m', dim: '\u001b[2m', reset: '\u001b[0m' };

export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  if (plan.changes.length === 0) return 'No changes. The target matches the configuration.';
  const destructive = s.destructive > 0 ? ` (${s.destructive} destructive)` : '';
  return `Plan: ${s.add} to add, ${s.change} to change, ${s.remove} to remove${destructive}.`;
}

export function renderPlanText(plan: Plan, statements: readonly Statement[], opts: TextOptions = {}): string {
  const c = opts.color ? ANSI : { green: '', red: '', yellow: '', bold: '', dim: '', reset: '' };
  const showSql = opts.sql ?? true;
  const sqlByChange = new Map<number, string[]>();
  for (const st of statements) {
    let list = sqlByChange.get(st.changeIndex);
    if (!list) sqlByChange.set(st.changeIndex, (list = []));
    list.push(st.sql);
  }
  const lines: string[] = [];
  lines.push(`${c.bold}rbac plan${c.reset} · target ${plan.target} (${plan.platform}) · mode ${plan.mode}`);
  lines.push('');

  for (const [role, idxs] of groupChanges(plan.changes)) {
    let add = 0;
    let rem = 0;
    let chg = 0;
    for (const i of idxs) {
      const sym = changeSymbol(plan.changes[i]);
      if (sym === '+') add++;
      else if (sym === '-') rem++;
      else chg++;
    }
    const counts = [add ? `+${add}` : '', chg ? `~${chg}` : '', rem ? `-${rem}` : ''].filter(Boolean).join(' ');
    lines.push(`${c.bold}${role}${c.reset}  (${counts})`);
    for (const i of idxs) {
      const ch = plan.changes[i];
      const sym = changeSymbol(ch);
      const colour = sym === '+' ? c.green : sym === '-' ? c.red : c.yellow;
      const mark = isDestructive(ch) ? ' !' : '';
      const reason = 'reason' in ch && ch.reason ? `${c.dim}  # ${ch.reason}${c.reset}` : '';
      lines.push(`  ${colour}${sym} ${describeChange(ch)}${mark}${c.reset}${reason}`);
      if (showSql) for (const sql of sqlByChange.get(i) ?? []) lines.push(`      ${c.dim}${sql};${c.reset}`);
    }
    lines.push('');
  }
  for (const p of plan.problems) {
    const colour = p.severity === 'error' ? c.red : c.yellow;
    lines.push(`${colour}${p.severity}: ${p.message}${c.reset}`);
    if (p.hint) lines.push(`  hint: ${p.hint}`);
  }
  if (plan.problems.length) lines.push('');
  lines.push(summaryLine(plan));
  return lines.join('\n') + '\n';
}
