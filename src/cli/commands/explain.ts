/**
 * `rbac explain ROLE [OBJECT]`: the paths through the role hierarchy and the grants at
 * their ends that let ROLE (a role or a user) reach OBJECT (`db`, `db.schema`,
 * `db.schema.table` or `db.schema.table.column`), from the live state, with the config
 * line of each grant. Exit 0 (an answer, also "cannot read"), 1 on error.
 */
import { PHI_CATEGORIES } from '../../config/schema.js';
import { parsePath } from '../../config/names.js';
import { explain, parseObjectArg, renderExplanation, targetOf } from '../../explain/explain.js';
import { RbacError } from '../../model/errors.js';
import { classify } from '../../review/access.js';
import { EXIT, type Io } from '../io.js';
import { loadConfig, planTarget } from '../session.js';

/** Arguments of `rbac explain`. */
export interface ExplainArgs {
  role: string;
  object?: string;
  config?: string;
  target?: string;
  format?: string;
}

export async function explainCommand(io: Io, args: ExplainArgs): Promise<number> {
  const format = args.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new RbacError('USAGE', `unknown format "${format}"`, 'use one of: text, json');
  const config = await loadConfig(io, args.config);
  const planned = await planTarget(io, { config, target: args.target });
  await planned.adapter?.close();
  const dialect = planned.adapter?.dialect ?? (await import('../../dialects/registry.js')).dialectFor(planned.live.platform);
  const role = parseObjectArg(args.role, dialect, parsePath);
  if (!role || role.length !== 1) throw new RbacError('USAGE', `"${args.role}" is not a role or user name`, 'quote names with dots or capitals as in the config: \'"Foo"\'');
  let target = {};
  if (args.object !== undefined) {
    const parts = parseObjectArg(args.object, dialect, parsePath);
    if (!parts) throw new RbacError('USAGE', `"${args.object}" is not an object name`, 'write database, database.schema, database.schema.table or database.schema.table.column');
    target = targetOf(parts);
  }
  const e = explain({
    principal: role[0],
    target,
    live: planned.live,
    desired: planned.desired,
    classification: classify(config.project, dialect, PHI_CATEGORIES),
  });
  io.out(format === 'json' ? JSON.stringify(e, null, 2) + '\n' : renderExplanation(e));
  return EXIT.OK;
}
