/** `rbac validate`: every problem in every file at once; exit 0 when valid, 1 otherwise. */
import { hasErrors } from '../../config/diagnostics.js';
import { loadProject } from '../../config/load.js';
import path from 'node:path';
import { EXIT, type Io } from '../io.js';
import { printDiagnostics } from '../session.js';

export async function validateCommand(io: Io, args: { config?: string }): Promise<number> {
  const root = path.resolve(io.cwd, args.config ?? '.');
  const { project, diagnostics } = await loadProject(root);
  printDiagnostics(io, diagnostics);
  if (hasErrors(diagnostics)) return EXIT.ERROR;
  io.out(`Valid: ${project.files.length} files, ${project.roles.length} roles, ${project.grants.length} grants.\n`);
  return EXIT.OK;
}
