/**
 * `rbac audit verify [FILE]`: check the hash chain of an audit log. Exit 0 when every
 * record links to the one before it, 1 when a record was changed, removed, inserted or
 * reordered (the first broken record is named), or the file cannot be read.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { verifyChain } from '../../audit/chain.js';
import { auditLogPath } from '../../audit/record.js';
import { RbacError } from '../../model/errors.js';
import { EXIT, type Io } from '../io.js';

/** Arguments of `rbac audit verify`. */
export interface AuditVerifyArgs {
  file?: string;
  config?: string;
  format?: string;
}

export async function auditVerifyCommand(io: Io, args: AuditVerifyArgs): Promise<number> {
  const format = args.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new RbacError('USAGE', `unknown format "${format}"`, 'use one of: text, json');
  const root = path.resolve(io.cwd, args.config ?? '.');
  const file = args.file !== undefined ? path.resolve(io.cwd, args.file) : auditLogPath({ env: io.env, cwd: io.cwd, root });
  const shown = path.relative(io.cwd, file) || file;
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new RbacError('NOT_FOUND', `cannot read audit log ${shown}: ${e.code ?? e.message}`);
  });
  const v = verifyChain(text);
  if (format === 'json') {
    io.out(JSON.stringify({ file: shown, ...v }, null, 2) + '\n');
  } else if (v.ok) {
    io.out(`OK: ${shown}: ${v.records} record${v.records === 1 ? '' : 's'}, chain intact.\nhead ${v.head}\n`);
  } else {
    const b = v.brokenAt!;
    io.out(
      `BROKEN: ${shown}: record at line ${b.line}${b.seq !== undefined ? ` (seq ${b.seq})` : ''}: ${b.reason}.\n` +
        `${v.records} record${v.records === 1 ? '' : 's'} before it verify; last good head ${v.head}\n`,
    );
  }
  return v.ok ? EXIT.OK : EXIT.ERROR;
}
