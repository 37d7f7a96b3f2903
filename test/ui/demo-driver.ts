/**
 * Manual and tmux check of the real-TTY UI with a hand-made plan and a fake apply:
 *   tmux new-session -d -x 80 -y 24 'npx tsx test/ui/demo-driver.ts [--read-only] [--fail] [--additive] [--many]'
 * Prints the outcome after the UI closes.
 */
import type { Change } from '../../src/plan/types.js';
import { runInteractive } from '../../src/ui/index.js';
import { ADDITIVE, ALL_KINDS, fakeApply, fakeStatements, makePlan } from './fixtures.js';

const args = new Set(process.argv.slice(2));
let changes: Change[] = args.has('--additive') ? ADDITIVE : ALL_KINDS;
if (args.has('--many')) {
  changes = [...changes];
  for (let i = 0; i < 40; i++)
    changes.push({ kind: 'grant', role: `role_${String(i % 7).padStart(2, '0')}`, privileges: ['select'], object: { kind: 'table', database: 'ehr', schema: 'clinical', name: `a_very_long_table_name_number_${i}_to_force_truncation_at_eighty_columns` } });
}
const plan = makePlan(changes);
const statements = fakeStatements(changes);
const outcome = await runInteractive({
  plan,
  statements,
  targetName: 'prod',
  readOnly: args.has('--read-only'),
  apply: fakeApply(statements, { failAt: args.has('--fail') ? 3 : undefined, rolledBack: true, delayMs: 150 }),
  auditPath: 'audit/2024-01-01T00-00-00Z-prod.json',
});
console.log(`outcome: ${outcome}`);
