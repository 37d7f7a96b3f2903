/**
 * `npm run bench`: runs every benchmark and prints one JSON object per line.
 * `npm run bench -- planner` runs only the named ones.
 */
import { benchPlanner } from './planner.js';
import { benchApply, benchIntrospection } from './postgres.js';
import { benchSnowflake } from './snowflake.js';
import { benchDatabricks } from './databricks.js';
import { benchDatabricksPlan } from './databricks-plan.js';
import { benchMarkdown } from './markdown.js';
import { benchCliValidate } from './cli-validate.js';
import { benchSurrogates } from './surrogates.js';
import { benchPgauditLogs } from './pgaudit-logs.js';

const all: Record<string, () => Promise<Record<string, unknown>>> = {
  planner: () => benchPlanner(),
  'postgres-introspection': () => benchIntrospection(),
  'postgres-apply': () => benchApply(),
  // Full size in parallel; the ~11-minute sequential baseline is sampled and extrapolated per query.
  snowflake: async () => ({ ...(await benchSnowflake({ sequentialSample: { roles: 60, schemas: 15 } })) }),
  // 500 groups, 20 catalogs, 20,000 tables through the Thrift and SCIM stubs: its SQL query and SCIM request counts.
  databricks: async () => ({ ...(await benchDatabricks()) }),
  // The same size in the reader and planner alone (answers recorded from the grant model).
  'databricks-plan': async () => ({ ...(await benchDatabricksPlan()) }),
  // A 500-role plan rendered as the PR comment within --max-chars: size before and after, ms per render.
  markdown: () => benchMarkdown(),
  // `rbac validate` of 400 roles: precompiled, tsx and npx against `node -e ''`.
  'cli-validate': () => benchCliValidate(),
  // 200,000 rows, 101,000 distinct MRNs on PGlite: map, top up 1,000, read masked vs clear.
  surrogates: () => benchSurrogates(),
  // `rbac usage --log DIR` over 4 rotated csvlog files of 25 MB: MB/s and the heap it took.
  'pgaudit-logs': () => benchPgauditLogs(),
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
