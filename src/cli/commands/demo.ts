/** `rbac demo reset`: throw the embedded demo warehouse away and seed it anew. */
import path from 'node:path';
import { resetDemo } from '../../demo/seed.js';
import { RbacError } from '../../model/errors.js';
import { EXIT, type Io } from '../io.js';
import { loadConfig } from '../session.js';

export async function demoResetCommand(io: Io, args: { config?: string }): Promise<number> {
  const { project, root } = await loadConfig(io, args.config);
  const embedded = Object.values(project.targets).find((t) => t.platform === 'postgres' && t.settings.embedded !== undefined);
  if (!embedded) throw new RbacError('TARGET', 'no embedded target in rbac.yaml', 'add a target with `embedded: .rbac/pglite`');
  const dataDir = path.resolve(root, String(embedded.settings.embedded!.value));
  const session = await resetDemo(dataDir);
  await session.close();
  io.out(`Reset the demo warehouse of target ${embedded.name}.\n`);
  return EXIT.OK;
}
