/**
 * `rbac validate`: every problem in every file at once; exit 0 when valid, 1 otherwise.
 *
 * Besides the files' shape and references, the configuration is normalized for every
 * platform its targets use (PostgreSQL when it names none), so what a plan on that
 * platform would refuse (a custom expression its grammar rejects, a name too long,
 * a privilege the platform lacks) is reported here, in review, at its file:line:col.
 */
import { hasErrors, sortDiagnostics, type Diagnostic } from '../../config/diagnostics.js';
import { toDesired } from '../../config/desired.js';
import { loadProject } from '../../config/load.js';
import path from 'node:path';
import { dialectFor, loadExpressionParsers } from '../../dialects/registry.js';
import type { Platform } from '../../model/types.js';
import { EXIT, type Io } from '../io.js';
import { configDirExists, printDiagnostics } from '../session.js';

export async function validateCommand(io: Io, args: { config?: string }): Promise<number> {
  const root = path.resolve(io.cwd, args.config ?? '.');
  await configDirExists(root, args.config);
  const [{ project, diagnostics }] = await Promise.all([loadProject(root), loadExpressionParsers()]);
  const all: Diagnostic[] = [...diagnostics];
  if (!hasErrors(diagnostics)) {
    const platforms = new Set<Platform>(Object.values(project.targets).map((t) => t.platform));
    if (platforms.size === 0) platforms.add('postgres');
    // The same diagnostic from two platforms is one problem to fix.
    const seen = new Set(all.map((d) => JSON.stringify([d.file, d.line, d.column, d.message])));
    for (const platform of [...platforms].sort()) {
      for (const d of toDesired(project, dialectFor(platform)).diagnostics) {
        const id = JSON.stringify([d.file, d.line, d.column, d.message]);
        if (seen.has(id)) continue;
        seen.add(id);
        all.push(d);
      }
    }
  }
  printDiagnostics(io, sortDiagnostics(all));
  if (hasErrors(all)) return EXIT.ERROR;
  io.out(`Valid: ${project.files.length} files, ${project.roles.length} roles, ${project.grants.length} grants.\n`);
  return EXIT.OK;
}
