/**
 * `rbac audit verify [FILE]`: check the chain of an audit log. Exit 0 when every record
 * links to the one before it (and, with RBAC_AUDIT_KEY, every record from the first
 * keyed one on verifies with the key, and with --expect-head the anchored record is
 * still there); 1 when a record was changed, removed, inserted, reordered, forged or
 * downgraded (the first broken record is named), the anchored record is missing, the
 * key policy is not met, or the file cannot be read.
 *
 * The key comes from `io.env` only and is never printed; only its key id is.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AUDIT_KEY_ENV, KEYED_ALG, verifyChain, type KeyedVerifyResult } from '../../audit/chain.js';
import { auditLogPath } from '../../audit/record.js';
import { RbacError } from '../../model/errors.js';
import { EXIT, type Io } from '../io.js';

/** Arguments of `rbac audit verify`; `expectHead` is 64 hex characters when set. */
export interface AuditVerifyArgs {
  file?: string;
  config?: string;
  format?: string;
  expectHead?: string;
  allowUnkeyed?: boolean;
}

const verbs = (n: number) => (n === 1 ? 'verifies' : 'verify');
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function anchorLines(v: KeyedVerifyResult): string {
  const a = v.anchor;
  if (!a) return '';
  if (!a.found) return `ANCHOR MISSING: ${a.expected}: the anchored record is missing: the log was cut or rewritten.\n`;
  const where = a.line !== undefined ? `line ${a.line} (seq ${a.seq})` : 'the empty log';
  if (a.appendedAfter === 0) return `anchor found at ${where}, the last record: unchanged since it was anchored.\n`;
  return `anchor found at ${where}; ${plural(a.appendedAfter!, 'record')} appended after it.\n`;
}

function renderText(shown: string, v: KeyedVerifyResult, allowUnkeyed: boolean): string {
  const count = plural(v.records, 'record');
  let out: string;
  if (v.brokenAt?.code === 'no-key') {
    const b = v.brokenAt;
    out =
      `CANNOT VERIFY: ${shown}: records from line ${b.line}${b.seq !== undefined ? ` (seq ${b.seq})` : ''} on are keyed and ${AUDIT_KEY_ENV} is not set.\n` +
      `${plural(v.records, 'unkeyed record')} before them ${verbs(v.records)}; set ${AUDIT_KEY_ENV} to the key the log was written with and run again.\n`;
  } else if (v.brokenAt) {
    const b = v.brokenAt;
    out =
      `BROKEN: ${shown}: record at line ${b.line}${b.seq !== undefined ? ` (seq ${b.seq})` : ''}: ${b.reason}.\n` +
      `${count} before it ${verbs(v.records)}; last good head ${v.head}\n`;
  } else if (v.keyId !== undefined && !v.keyed && !allowUnkeyed) {
    out =
      `NOT KEYED: ${shown}: ${count}, chain intact, but ${v.records === 0 ? 'there is no keyed record' : 'no record is keyed'}, so nothing is authenticated by ${AUDIT_KEY_ENV}.\n` +
      `The next rbac apply with ${AUDIT_KEY_ENV} set seals the log (its keyed record links to the head below); pass --allow-unkeyed to accept it as it is.\n`;
  } else if (v.keyed) {
    out = `OK: ${shown}: ${count}, chain intact, keyed (${KEYED_ALG}, key id ${v.keyId}).\n`;
    if (v.unauthenticated > 0) {
      out += `${plural(v.unauthenticated, 'legacy unkeyed record')} before the first keyed one ${v.unauthenticated === 1 ? 'is' : 'are'} protected only by the link into it.\n`;
    }
  } else {
    out =
      `OK: ${shown}: ${count}, chain intact.\n` +
      `unkeyed: plain SHA-256 detects accidental change only; anyone who can write the file can rewrite it and recompute every hash. ` +
      (v.keyId !== undefined ? `Accepted by --allow-unkeyed; the next rbac apply with ${AUDIT_KEY_ENV} set seals it.\n` : `Set ${AUDIT_KEY_ENV} so the next rbac apply seals it.\n`);
  }
  out += anchorLines(v);
  if (!v.brokenAt) out += `head ${v.head}\n`;
  return out;
}

export async function auditVerifyCommand(io: Io, args: AuditVerifyArgs): Promise<number> {
  const format = args.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new RbacError('USAGE', `unknown format "${format}"`, 'use one of: text, json');
  if (args.expectHead !== undefined && !/^[0-9a-f]{64}$/i.test(args.expectHead)) {
    throw new RbacError('USAGE', '--expect-head takes the 64-hex-character head printed by an earlier `rbac audit verify`');
  }
  const root = path.resolve(io.cwd, args.config ?? '.');
  const file = args.file !== undefined ? path.resolve(io.cwd, args.file) : auditLogPath({ env: io.env, cwd: io.cwd, root });
  const shown = path.relative(io.cwd, file) || path.basename(file);
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new RbacError('NOT_FOUND', `cannot read audit log ${shown}: ${e.code ?? 'read error'}`);
  });
  const allowUnkeyed = args.allowUnkeyed === true;
  const v = verifyChain(text, { env: io.env, allowUnkeyed, expectHead: args.expectHead });
  if (format === 'json') {
    const { ok, records, head, brokenAt, reason, keyed, unauthenticated, keyId, anchor } = v;
    io.out(JSON.stringify({ file: shown, ok, records, head, brokenAt, reason, keyed, unauthenticated, keyId, anchor }, null, 2) + '\n');
  } else {
    io.out(renderText(shown, v, allowUnkeyed));
  }
  return v.ok ? EXIT.OK : EXIT.ERROR;
}
