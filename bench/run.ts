/**
 * `npm run bench`: runs every benchmark and prints one JSON object per line.
 * `npm run bench -- planner` runs only the named ones.
 */
import { benchPlanner } from './planner.js';
import { benchApply, benchIntrospection } from './postgres.js';

const all: Record<string, () => Promise<Record<string, unknown>>> = {
  planner: () => benchPlanner(),
  'postgres-introspection': () => benchIntrospection(),
  'postgres-apply': () => benchApply(),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const [name, fn] of Object.entries(all)) {
  if (wanted.length && !wanted.includes(name)) continue;
  try {
    console.log(JSON.stringify(await fn()));
  } catch (e) {
    console.log(JSON.stringify({ name, error: (e as Error).message }));
    process.exitCode = 1;
  }
}
