/**
 * `rbac classify [--config DIR] [--target NAME|URL] [--out FILE]`: read the column
 * names, comments and the platform's classification tags of the schemas in scope and
 * print proposed `phi:` entries (YAML with the evidence as comments) to review and
 * merge. Read-only: only SELECT statements are sent. Exit 0 when written, 1 on error.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { classifyTarget } from '../../classify/collect.js';
import { renderProposals } from '../../classify/classify.js';
import type { ReadFn } from '../../classify/sources.js';
import { resolveTarget } from '../../config/targets.js';
import { openAdapter } from '../../dialects/registry.js';
import { RbacError } from '../../model/errors.js';
import { EXIT, type Io } from '../io.js';
import { desiredFor, loadConfig } from '../session.js';

export interface ClassifyArgs {
  config?: string;
  target?: string;
  out?: string;
}

export async function classifyCommand(io: Io, args: ClassifyArgs): Promise<number> {
  const config = await loadConfig(io, args.config);
  const target = resolveTarget(config.project, args.target, io.env);
  const adapter = await openAdapter(target, config.root);
  try {
    const reader = adapter as unknown as { readQuery?: ReadFn };
    if (typeof reader.readQuery !== 'function') throw new RbacError('TARGET', `classify: the ${adapter.platform} adapter cannot run catalog reads`);
    const desired = desiredFor(io, config.project, adapter.dialect);
    const result = await classifyTarget({ project: config.project, desired, dialect: adapter.dialect, read: reader.readQuery.bind(adapter) });
    const text = renderProposals(result, { target: target.name, platform: adapter.platform, dialect: adapter.dialect });
    if (args.out !== undefined) {
      await writeFile(path.resolve(io.cwd, args.out), text);
      io.out(`${result.proposals.length} proposed phi: entr${result.proposals.length === 1 ? 'y' : 'ies'} written to ${args.out}\n`);
    } else io.out(text);
    return EXIT.OK;
  } finally {
    await adapter.close();
  }
}
