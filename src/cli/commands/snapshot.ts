/**
 * `rbac snapshot`: write the live state of the managed scope as JSON, so
 * `rbac plan --snapshot FILE` can plan without a connection (pull-request CI).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeSnapshot } from '../../dialects/snapshot.js';
import { EXIT, type Io } from '../io.js';
import { loadConfig, planTarget } from '../session.js';

export async function snapshotCommand(io: Io, args: { config?: string; target?: string; out?: string }): Promise<number> {
  const config = await loadConfig(io, args.config);
  const planned = await planTarget(io, { config, target: args.target });
  await planned.adapter?.close();
  const text = writeSnapshot(planned.live);
  if (args.out !== undefined) {
    await writeFile(path.resolve(io.cwd, args.out), text);
    io.err(`Wrote the live state of ${planned.plan.target} to ${args.out}.\n`);
  } else io.out(text);
  return EXIT.OK;
}
