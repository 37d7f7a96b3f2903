/**
 * PostgreSQL's logs for `rbac usage`: a review period spans rotated files, so every
 * csvlog file written in the period is read, the server's own (listed with
 * pg_ls_logdir, read with pg_read_binary_file) or local ones (`--log FILE|DIR`, given
 * once or more). A file last modified before the period starts holds no line of it and
 * is skipped. Files are read in chunks of CHUNK_BYTES into a PgauditCollector, so memory
 * does not grow with the size of the log.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { RbacError } from '../model/errors.js';
import type { PgauditCollector } from './pgaudit.js';

export const CHUNK_BYTES = 1 << 20;

/** The privileges the server's log needs, for error hints. */
export const SERVER_LOG_GRANTS =
  'connect as a superuser, or GRANT pg_monitor TO the target user (pg_ls_logdir) and GRANT EXECUTE ON FUNCTION pg_read_binary_file(text, bigint, bigint) TO it (plus pg_read_server_files where log_directory is outside the data directory)';

type Query = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export interface LogFile {
  /** What to read: a local path, or the name in the server's log directory. */
  name: string;
  modified: Date;
}

const byTime = (a: LogFile, b: LogFile) => a.modified.getTime() - b.modified.getTime() || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Whether a file last modified at `modified` may hold lines of a period from `since`:
 * pg_ls_logdir gives modification times to the second, so the period's start is taken
 * down to its second (a file written at 10:00:00.7 lists as 10:00:00).
 */
const inPeriod = (modified: Date, since: Date) => modified.getTime() >= Math.floor(since.getTime() / 1000) * 1000;

const notReadable = (p: string, e: NodeJS.ErrnoException) => new RbacError('NOT_FOUND', `cannot read the pgaudit log ${p}: ${e.code ?? e.message}`);

/**
 * The local files to read, oldest first: each path as given, or for a directory its
 * `*.csv` files modified at or after `since`. A directory without any csvlog file is an
 * error (the wrong directory, or a server writing only stderr logs).
 */
export async function localLogFiles(paths: readonly string[], cwd: string, since: Date): Promise<LogFile[]> {
  const files = new Map<string, LogFile>();
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    const st = await stat(abs).catch((e: NodeJS.ErrnoException) => {
      throw notReadable(p, e);
    });
    if (!st.isDirectory()) {
      files.set(abs, { name: abs, modified: st.mtime });
      continue;
    }
    const entries = await readdir(abs, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
      throw notReadable(p, e);
    });
    const csv = entries.filter((d) => d.isFile() && d.name.endsWith('.csv'));
    if (!csv.length) {
      throw new RbacError('NOT_FOUND', `the log directory ${p} holds no csvlog file (*.csv)`, "pass the directory the server writes its csvlog to (log_destination = 'csvlog', log_directory), or a csvlog file");
    }
    for (const d of csv) {
      const f = path.join(abs, d.name);
      const m = (await stat(f)).mtime;
      if (inPeriod(m, since)) files.set(f, { name: f, modified: m });
    }
  }
  return [...files.values()].sort(byTime);
}

/** Stream one local file into the collector. */
export async function readLocalLog(file: LogFile, into: PgauditCollector): Promise<void> {
  const stream = createReadStream(file.name, { encoding: 'utf8', highWaterMark: CHUNK_BYTES });
  try {
    for await (const chunk of stream) into.push(chunk as string);
  } catch (e) {
    throw notReadable(file.name, e as NodeJS.ErrnoException);
  }
  into.endFile();
}

/**
 * The server's csvlog files modified at or after `since`, oldest first. Throws when the
 * log directory cannot be listed (naming the role that lists it) or holds no csvlog.
 */
export async function serverLogFiles(query: Query, since: Date, flag: string): Promise<LogFile[]> {
  const rows = await query(`SELECT name, modification FROM pg_ls_logdir() WHERE name LIKE '%.csv'`).catch((e: Error) => {
    throw new RbacError('TARGET', `usage: cannot list the server's log directory (pg_ls_logdir needs superuser or pg_monitor): ${e.message}`, `${SERVER_LOG_GRANTS}; or pass ${flag} FILE|DIR`);
  });
  if (!rows.length) throw new RbacError('TARGET', 'usage: the server writes no csvlog', `set log_destination = 'csvlog' and logging_collector = on, or pass ${flag} FILE|DIR`);
  return rows
    .map((r) => ({ name: String(r.name), modified: r.modification instanceof Date ? r.modification : new Date(String(r.modification)) }))
    .filter((f) => inPeriod(f.modified, since))
    .sort(byTime);
}

function bytesOf(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string' && v.startsWith('\\x')) return Buffer.from(v.slice(2), 'hex');
  return new Uint8Array(0);
}

/**
 * Read one server log file in chunks (bytes, decoded as UTF-8 across chunk edges) into
 * the collector, to its end at the time of reading: the current file may still grow.
 */
export async function readServerLog(query: Query, file: LogFile, into: PgauditCollector, flag: string, chunk = CHUNK_BYTES): Promise<void> {
  const decoder = new TextDecoder('utf-8');
  for (let offset = 0; ; offset += chunk) {
    const rows = await query(`SELECT pg_read_binary_file(current_setting('log_directory') || '/' || $1, $2::bigint, $3::bigint) AS b`, [file.name, offset, chunk]).catch((e: Error) => {
      throw new RbacError('TARGET', `usage: cannot read the server log ${file.name} (pg_read_binary_file needs superuser or an EXECUTE grant): ${e.message}`, `${SERVER_LOG_GRANTS}; or pass ${flag} FILE|DIR`);
    });
    const bytes = bytesOf(rows[0]?.b);
    if (bytes.length) into.push(decoder.decode(bytes, { stream: true }));
    if (bytes.length < chunk) break;
  }
  into.push(decoder.decode());
  into.endFile();
}
