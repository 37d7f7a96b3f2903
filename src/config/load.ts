/**
 * loadProject: read rbac.yaml, roles/*.yaml and grants/*.yaml of a config directory,
 * validate every file against schema.ts, then check references across files, and
 * return the Project with every problem found (never only the first).
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants, type Stats } from 'node:fs';
import { lstat, open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { anyPlatformKinds, anyPlatformWords, catalogFor } from '../dialects/catalogs.js';
import { KIND_PLURALS, KIND_SHAPES, RELATION_KINDS, SIGNATURE_KINDS, kindOfPlural, kindWords, aKind } from '../model/kinds.js';
import { PLATFORMS, type Platform, type SecurableKind, type SourceLocation } from '../model/types.js';
import type { NamePart } from '../dialects/types.js';
import { diag, sortDiagnostics, type Diagnostic, type DiagnosticCode } from './diagnostics.js';
import { formatPath, isGlobPart, isPublicName, neutralId, parsePart, parsePath, splitSignature, suggestion } from './names.js';
import {
  emptyProject,
  ROOT_FILE,
  type GrantDef,
  type MemberRef,
  type NameRef,
  type ObjectName,
  type Project,
  type PrivilegeWord,
  type RoleDef,
  type TargetDef,
  type UserDef,
} from './project.js';
import { FILE_SCHEMAS, type FileKind, type MaskFunction, type PhiCategory } from './schema.js';
import { parseYaml, validateDocument, type LMap, type LValue } from './validate.js';
import { parseTimestamp } from './timestamps.js';

/**
 * Files larger than this are refused (a config is a few hundred kilobytes at most).
 * Enforced on the bytes actually read, never on the size stat reports: files under
 * /proc report 0, and a file can grow between stat and read.
 */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

/** What loadProject returns; the project is unsafe to plan when diagnostics hold an error. */
export interface LoadResult {
  project: Project;
  diagnostics: Diagnostic[];
}

const at = (file: string, line = 1, column = 1): SourceLocation => ({ file, line, column });
const fmtLoc = (l: SourceLocation): string => `${l.file}:${l.line}:${l.column}`;

// ---------------------------------------------------------------------------------
// Reading the config directory
//
// Invariants: only regular files are ever read (symbolic links are followed, but must
// end at a regular file; something else swapped in after the stat may be opened, never
// blocking, but is refused by fstat before any read); no file contributes more than
// MAX_FILE_BYTES bytes; every file-system problem becomes a diagnostic located at the
// path relative to the config root. Diagnostics are built from errno codes only,
// never from a Node error's message, which holds the absolute path.

/**
 * O_NONBLOCK: a FIFO swapped in between stat and open must not block the open.
 * O_NOCTTY: a terminal swapped in must not become the controlling terminal.
 * Either is 0 on a platform that lacks it.
 */
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0) | (fsConstants.O_NOCTTY ?? 0);
const READ_CHUNK = 64 * 1024;

/** Words for errno codes a config directory can produce; the code follows in parentheses. */
const ERRNO_WORDS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ENAMETOOLONG: 'the path is too long',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
  ENXIO: 'no such device or address',
  ENODEV: 'no such device',
  ESTALE: 'stale file handle (network file system)',
  ETIMEDOUT: 'the file system timed out',
  EBUSY: 'the file is busy',
  EOVERFLOW: 'the file is too large for this system',
};
const inWords = (code: string): string => `${ERRNO_WORDS[code] ?? 'unexpected file-system error'} (${code})`;

/** The errno code of a Node system error; undefined for anything else (a bug, not a config problem). */
function errnoCode(e: unknown): string | undefined {
  const x = e as NodeJS.ErrnoException | undefined;
  return typeof x?.code === 'string' && typeof x.syscall === 'string' ? x.code : undefined;
}

function kindOf(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'a special file';
}

async function isSymlink(full: string): Promise<boolean> {
  try {
    return (await lstat(full)).isSymbolicLink();
  } catch {
    return false;
  }
}

/** `st` (what `full` resolves to) in words, saying so when `full` is a symbolic link to it. */
async function describe(full: string, st: Stats): Promise<string> {
  return `${(await isSymlink(full)) ? 'a symbolic link to ' : ''}${kindOf(st)}`;
}

/**
 * The diagnostic for a failed stat, open, read or readdir of `rel`; undefined for an
 * absent folder (roles/ and grants/ are optional). Rethrows what is not a file-system
 * error.
 */
async function fsProblem(dir: string, rel: string, e: unknown, what: 'file' | 'folder'): Promise<Diagnostic | undefined> {
  const code = errnoCode(e);
  if (code === undefined) throw e;
  const loc = at(rel);
  if (code === 'ENOENT') {
    if (await isSymlink(join(dir, rel))) {
      return diag(
        'error',
        'dangling-symlink',
        loc,
        `${rel} is a symbolic link to something that does not exist`,
        `fix the link so it points at an existing ${what === 'file' ? 'regular file' : 'folder'}, or remove it`,
      );
    }
    if (what === 'folder') return undefined;
    if (rel === ROOT_FILE) {
      return diag('error', 'io', loc, 'no rbac.yaml in the config directory', 'run rbac from the config root or pass --config DIR');
    }
    // Listed by readdir a moment ago: removed or renamed while we were reading.
    return diag(
      'error',
      'io',
      loc,
      `${rel} disappeared while the configuration was being read`,
      'run again once nothing is changing the config directory',
    );
  }
  if (code === 'ELOOP') {
    return diag(
      'error',
      'symlink-loop',
      loc,
      `${rel} is a symbolic link loop (too many levels of symbolic links, ELOOP)`,
      `point the link at ${what === 'file' ? 'a regular file' : 'a folder'}, or remove it`,
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return what === 'file'
      ? diag(
          'error',
          'permission-denied',
          loc,
          `cannot read ${rel}: ${inWords(code)}`,
          'give the user running rbac read permission on the file (and search permission on its folders)',
        )
      : diag(
          'error',
          'permission-denied',
          loc,
          `cannot list the folder ${rel}: ${inWords(code)}`,
          'give the user running rbac read and search permission on the folder',
        );
  }
  return diag(
    'error',
    'io',
    loc,
    `cannot ${what === 'file' ? 'read' : 'list the folder'} ${rel}: ${inWords(code)}`,
    `check the ${what} and the file system it is on, then run again`,
  );
}

/**
 * One diagnostic when the config root exists but cannot hold files (say `--config
 * rbac.yaml`), rather than one per path below it. An absent root is left to the read
 * of rbac.yaml, which reports it as a missing rbac.yaml.
 */
async function rootIsFolder(dir: string, diags: Diagnostic[]): Promise<boolean> {
  const hint = 'pass --config the folder that holds rbac.yaml, or run rbac from it';
  let st: Stats;
  try {
    st = await stat(dir);
  } catch (e) {
    const code = errnoCode(e);
    if (code === undefined) throw e;
    if (code === 'ENOENT') return true;
    const dcode = code === 'EACCES' || code === 'EPERM' ? 'permission-denied' : 'io';
    diags.push(diag('error', dcode, at(ROOT_FILE), `cannot open the config root: ${inWords(code)}`, hint));
    return false;
  }
  if (st.isDirectory()) return true;
  diags.push(diag('error', 'not-a-directory', at(ROOT_FILE), `the config root is ${kindOf(st)}, not a folder`, hint));
  return false;
}

/**
 * The `*.yaml` / `*.yml` entries directly under `sub` as root-relative paths, sorted,
 * dot-files skipped, whatever their type: readConfigFile decides what may be read, so a
 * FIFO or a folder named like YAML is reported instead of silently skipped.
 */
async function listYaml(dir: string, sub: string, diags: Diagnostic[]): Promise<string[]> {
  const full = join(dir, sub);
  const problem = async (e: unknown): Promise<string[]> => {
    const d = await fsProblem(dir, sub, e, 'folder');
    if (d) diags.push(d);
    return [];
  };
  let names: string[];
  try {
    // stat before readdir so a FIFO or device named `roles` is never opened.
    const st = await stat(full);
    if (!st.isDirectory()) {
      diags.push(
        diag(
          'error',
          'not-a-directory',
          at(sub),
          `${sub} is ${await describe(full, st)}, but it must be a folder of .yaml files`,
          `move ${sub} aside and create a folder ${sub}/ for the .yaml files, or remove it`,
        ),
      );
      return [];
    }
    names = await readdir(full);
  } catch (e) {
    return problem(e);
  }
  return names
    .filter((n) => /\.ya?ml$/i.test(n) && !n.startsWith('.'))
    .map((n) => `${sub}/${n}`)
    .sort();
}

/** Read from the handle's position to end of file, but never more than `limit` bytes. */
async function readAtMost(fh: FileHandle, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < limit) {
    const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, limit - total));
    const { bytesRead } = await fh.read(buf, 0, buf.length, null);
    if (bytesRead === 0) break;
    chunks.push(buf.subarray(0, bytesRead));
    total += bytesRead;
  }
  return Buffer.concat(chunks, total);
}

function notRegular(rel: string, what: string, isFolder: boolean): Diagnostic {
  const hint =
    rel === ROOT_FILE
      ? 'make rbac.yaml a regular file (a symbolic link to a regular file is fine)'
      : isFolder
        ? `only files directly under ${rel.slice(0, rel.indexOf('/'))}/ are read: rename the folder so its name does not end in .yaml or .yml`
        : 'replace it with a regular file (a symbolic link to one is fine), or remove it';
  return diag('error', 'not-regular-file', at(rel), `${rel} is ${what}, not a regular file; it was not read`, hint);
}

/**
 * The bytes of one config file, or undefined after pushing its diagnostic. stat refuses
 * anything but a regular file before it is opened; the non-blocking open and the fstat
 * of the open handle refuse whatever was swapped in between.
 */
async function readConfigFile(dir: string, rel: string, diags: Diagnostic[]): Promise<Buffer | undefined> {
  const full = join(dir, rel);
  let fh: FileHandle | undefined;
  try {
    const st = await stat(full);
    if (!st.isFile()) {
      diags.push(notRegular(rel, await describe(full, st), st.isDirectory()));
      return undefined;
    }
    fh = await open(full, OPEN_FLAGS);
    const opened = await fh.stat();
    if (!opened.isFile()) {
      diags.push(notRegular(rel, kindOf(opened), opened.isDirectory()));
      return undefined;
    }
    const buf = await readAtMost(fh, MAX_FILE_BYTES + 1);
    if (buf.length > MAX_FILE_BYTES) {
      diags.push(
        diag(
          'error',
          'yaml-too-large',
          at(rel),
          `${rel} is larger than ${MAX_FILE_BYTES} bytes (${MAX_FILE_BYTES / (1024 * 1024)} MiB); it was not read`,
          rel === ROOT_FILE
            ? 'a configuration file is a few hundred kilobytes at most: check that this is the intended file'
            : 'a configuration file is a few hundred kilobytes at most: check that this is the intended file, or split it into several files',
        ),
      );
      return undefined;
    }
    return buf;
  } catch (e) {
    const d = await fsProblem(dir, rel, e, 'file');
    if (d) diags.push(d);
    return undefined;
  } finally {
    // A read-only handle has nothing to flush, and the bytes are already in memory.
    await fh?.close().catch(() => undefined);
  }
}

/**
 * Load and validate a config directory. Reads `rbac.yaml` and every `.yaml`/`.yml`
 * file directly under `roles/` and `grants/` (sorted by path). Never throws for a bad
 * configuration directory: every file-system problem (missing rbac.yaml, not a regular
 * file, dangling link, link loop, permission denied, too large, I/O error) is a
 * diagnostic, and the other files are still read and checked. What it does throw is
 * not a file-system error (a bug), so its message holds no path.
 */
export async function loadProject(dir: string): Promise<LoadResult> {
  const diags: Diagnostic[] = [];
  const project = emptyProject();
  const paths = (await rootIsFolder(dir, diags))
    ? [ROOT_FILE, ...(await listYaml(dir, 'roles', diags)), ...(await listYaml(dir, 'grants', diags))]
    : [];
  const texts: { path: string; kind: FileKind; text: string }[] = [];
  for (const path of paths) {
    const buf = await readConfigFile(dir, path, diags);
    if (!buf) continue;
    const text = buf.toString('utf8');
    project.files.push({ path, sha256: createHash('sha256').update(buf).digest('hex'), bytes: buf.length });
    const kind: FileKind = path === ROOT_FILE ? 'rbac' : path.startsWith('roles/') ? 'roles' : 'grants';
    texts.push({ path, kind, text });
  }
  project.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const digest = createHash('sha256');
  for (const f of project.files) {
    const t = texts.find((x) => x.path === f.path)!;
    digest.update(`${f.path}\u0000${f.bytes}\u0000`).update(t.text);
  }
  project.digest = digest.digest('hex');

  const b = new Builder(project, diags);
  for (const t of texts) {
    const parsed = parseYaml(t.path, t.text, diags);
    if (!parsed) continue;
    const root = validateDocument(parsed, FILE_SCHEMAS[t.kind], diags);
    if (!root) continue;
    if (t.kind === 'rbac') b.rbacFile(root);
    else if (t.kind === 'roles') b.rolesFile(root);
    else b.grantsFile(root);
  }
  b.crossChecks();
  return { project, diagnostics: sortDiagnostics(diags) };
}

// ---------------------------------------------------------------------------------
// Reading validated trees (shapes are guaranteed by the validator)

function get(m: LMap, key: string): LValue | undefined {
  return m.entries.get(key)?.value;
}
function str(m: LMap, key: string): string | undefined {
  const v = get(m, key);
  return v?.t === 'scalar' ? String(v.value) : undefined;
}
function bool(m: LMap, key: string): boolean | undefined {
  const v = get(m, key);
  return v?.t === 'scalar' && typeof v.value === 'boolean' ? v.value : undefined;
}
function items(m: LMap, key: string): LValue[] {
  const v = get(m, key);
  return v?.t === 'list' ? v.items : [];
}
function maps(m: LMap, key: string): LMap[] {
  return items(m, key).filter((x): x is LMap => x.t === 'map');
}
function expertDetermination(r: LMap): { expertDetermination?: RoleDef['expertDetermination'] } {
  const e = get(r, 'expert_determination');
  if (e?.t !== 'map') return {};
  return { expertDetermination: { by: str(e, 'by') ?? '', date: str(e, 'date') ?? '', report: str(e, 'report') ?? '', source: e.loc } };
}
function scalarLoc(m: LMap, key: string): SourceLocation {
  return get(m, key)?.loc ?? m.loc;
}
function names(m: LMap, key: string): NameRef[] {
  const out: NameRef[] = [];
  for (const v of items(m, key)) {
    if (v.t !== 'scalar') continue;
    const p = parsePart(String(v.value));
    if (p) out.push({ name: p, source: v.loc });
  }
  return out;
}
/** Role references (`inherits:`, `unmasked_for:`, a rule's `roles:`): a role, or a database role as `database.role`. */
function roleRefs(m: LMap, key: string): NameRef[] {
  const out: NameRef[] = [];
  for (const v of items(m, key)) {
    if (v.t !== 'scalar') continue;
    const parts = parsePath(String(v.value));
    if (parts?.length === 1) out.push({ name: parts[0], source: v.loc });
    else if (parts?.length === 2) out.push({ database: parts[0], name: parts[1], source: v.loc });
  }
  return out;
}
const show = (p: NamePart): string => formatPath([p]);
/** A role as the configuration refers to it: `analyst`, or `ehr.phi_reader` for a database role. */
const showRole = (r: { name: NamePart; database?: NamePart }): string => formatPath(r.database ? [r.database, r.name] : [r.name]);
/** A role's platform-neutral identity: a database role is told apart by its database. */
const roleId = (r: { name: NamePart; database?: NamePart }): string => neutralId(r.database ? [r.database, r.name] : [r.name]);

class Builder {
  private usersById = new Map<string, { source: SourceLocation }>();
  private rolesById = new Map<string, RoleDef>();

  constructor(
    private readonly p: Project,
    private readonly diags: Diagnostic[],
  ) {}

  private err(code: DiagnosticCode, loc: SourceLocation, message: string, hint?: string): void {
    this.diags.push(diag('error', code, loc, message, hint));
  }
  private warn(code: DiagnosticCode, loc: SourceLocation, message: string, hint?: string): void {
    this.diags.push(diag('warning', code, loc, message, hint));
  }

  rbacFile(m: LMap): void {
    this.p.version = 1;
    const mode = str(m, 'mode');
    if (mode === 'authoritative' || mode === 'additive') this.p.mode = mode;
    const mp = bool(m, 'manage_public');
    if (mp !== undefined) this.p.managePublic = mp;
    const ex = get(m, 'expressions');
    if (ex?.t === 'map') {
      const paths = (key: string) =>
        items(ex, key)
          .filter((x) => x.t === 'scalar')
          .map((x) => ({ path: parsePath(String((x as { value: unknown }).value))!, source: x.loc }))
          .filter((x) => x.path !== undefined);
      this.p.expressions = { functions: paths('functions'), relations: paths('relations') };
    }
    const sh = get(m, 'safe_harbor');
    const zr = sh?.t === 'map' ? get(sh, 'zip3_restricted') : undefined;
    if (zr?.t === 'map') {
      const source = str(zr, 'source');
      const prefixes = items(zr, 'prefixes').flatMap((x) => (x.t === 'scalar' && typeof (x as { value: unknown }).value === 'string' && /^[0-9]{3}$/.test(String((x as { value: unknown }).value)) ? [String((x as { value: unknown }).value)] : []));
      // The schema reports a missing key or a malformed prefix at its location.
      if (source) this.p.zip3Restricted = { prefixes: [...new Set(prefixes)].sort(), source, location: zr.loc };
    }
    for (const x of maps(m, 'privileged_access')) {
      const principal = parsePart(str(x, 'principal') ?? '');
      const reason = str(x, 'reason');
      // The schema reports a missing principal or reason at its location; such an entry justifies nothing.
      if (!principal || !reason) continue;
      (this.p.privilegedAccess ??= []).push({ principal, privilege: str(x, 'privilege'), reason, source: x.loc });
    }
    const targets = get(m, 'targets');
    if (targets?.t === 'map') {
      for (const [name, e] of targets.entries) {
        if (e.value.t !== 'map') continue;
        this.p.targets[name] = this.target(name, e.value, e.keyLoc);
      }
    }
    const dt = str(m, 'default_target');
    if (dt !== undefined) {
      const loc = scalarLoc(m, 'default_target');
      this.p.defaultTarget = dt;
      this.p.defaultTargetSource = loc;
      if (!this.p.targets[dt]) {
        this.err(
          'bad-value',
          loc,
          `default_target '${dt}' is not defined under targets${suggestion(dt, Object.keys(this.p.targets))}`,
          Object.keys(this.p.targets).length ? `targets: ${Object.keys(this.p.targets).join(', ')}` : 'define it under targets:',
        );
      }
    }
  }

  private target(name: string, m: LMap, keyLoc: SourceLocation): TargetDef {
    const platform = str(m, 'platform') as Platform;
    const t: TargetDef = { name, platform, settings: {}, source: keyLoc };
    for (const [k, e] of m.entries) {
      if (e.value.t === 'scalar') t.settings[k] = { value: e.value.value, source: e.value.loc };
    }
    const dbm = get(m, 'database_map');
    if (dbm?.t === 'map') {
      t.databaseMap = {};
      for (const [k, e] of dbm.entries) {
        if (e.value.t === 'scalar') t.databaseMap[k] = { value: String(e.value.value), source: e.value.loc };
      }
    }
    const oc = get(m, 'object_creators');
    if (oc?.t === 'list') {
      t.objectCreators = oc.items.filter((x) => x.t === 'scalar').map((x) => ({ value: String((x as { value: unknown }).value), source: x.loc }));
    }
    // Which credentials an authentication method needs is known without the
    // environment, so a missing key is reported at load time for every target.
    const has = (k: string): boolean => k in t.settings;
    if (platform === 'snowflake') {
      const auth = String(t.settings.authenticator?.value ?? 'SNOWFLAKE_JWT');
      const need: Record<string, string | undefined> = {
        SNOWFLAKE_JWT: 'private_key_path',
        SNOWFLAKE: 'password',
        OAUTH: 'token',
        EXTERNALBROWSER: undefined,
      };
      const k = need[auth];
      if (k && !has(k)) {
        this.err('target-incomplete', keyLoc, `target '${name}': authenticator ${auth} needs '${k}'`, `add ${k}: \${ENV_VAR} to the target`);
      }
    }
    if (platform === 'databricks') {
      const oauth = has('client_id') || has('client_secret');
      if (oauth && !(has('client_id') && has('client_secret'))) {
        this.err('target-incomplete', keyLoc, `target '${name}': client_id and client_secret go together`);
      } else if (!oauth && !has('token')) {
        this.err('target-incomplete', keyLoc, `target '${name}' needs 'token' or 'client_id' and 'client_secret'`);
      }
      // Groups, members and nesting live in the account's SCIM API, addressed by account id.
      if (t.settings.manage_membership?.value === true && !has('account_id')) {
        this.err(
          'target-incomplete',
          t.settings.manage_membership.source,
          `target '${name}': manage_membership: true needs 'account_id' (account groups are managed through the account SCIM API)`,
          'add account_id: ${DATABRICKS_ACCOUNT_ID} to the target (the account console shows the id), or set manage_membership: false',
        );
      }
    }
    return t;
  }

  rolesFile(m: LMap): void {
    for (const u of maps(m, 'users')) {
      const name = parsePart(str(u, 'name')!);
      if (!name) continue;
      const source = u.loc;
      if (isPublicName(name)) {
        this.err('reserved-name', scalarLoc(u, 'name'), `'${name.text}' is reserved for the PUBLIC pseudo-role and cannot name a user`);
        continue;
      }
      const id = neutralId([name]);
      const first = this.usersById.get(id);
      if (first) {
        this.err('duplicate-user', source, `user ${show(name)} is defined twice: here and at ${fmtLoc(first.source)}`, 'keep one definition');
        continue;
      }
      this.usersById.set(id, { source });
      const user: UserDef = { name, email: str(u, 'email'), manager: str(u, 'manager'), title: str(u, 'title'), source };
      // A Databricks service principal is named by its application id in SCIM and in GRANT.
      const sp = bool(u, 'service_principal') === true;
      const appId = str(u, 'application_id');
      if (sp && appId === undefined) {
        this.err('bad-value', scalarLoc(u, 'service_principal'), `service principal ${show(name)} has no application_id`, 'add application_id: <the UUID the account console shows for it>');
      } else if (!sp && appId !== undefined) {
        this.err('bad-value', scalarLoc(u, 'application_id'), `user ${show(name)} has an application_id but is not marked service_principal: true`, 'add service_principal: true, or remove application_id');
      } else if (sp) {
        user.servicePrincipal = true;
        user.applicationId = appId;
      }
      if (bool(u, 'recipient') === true) {
        if (sp) this.err('bad-value', scalarLoc(u, 'recipient'), `${show(name)} is marked both service_principal: true and recipient: true`, 'a Delta Sharing recipient is not a service principal: keep one of the two');
        else user.recipient = true;
      }
      this.p.users.push(user);
    }
    for (const r of maps(m, 'roles')) {
      const name = parsePart(str(r, 'name')!);
      if (!name) continue;
      const source = r.loc;
      if (isPublicName(name)) {
        this.err('reserved-name', scalarLoc(r, 'name'), `'${name.text}' is the PUBLIC pseudo-role and cannot be defined as a role`, 'grant to it with role: public');
        continue;
      }
      const dbText = str(r, 'database');
      const database = dbText === undefined ? undefined : parsePart(dbText);
      const id = roleId({ name, database });
      const first = this.rolesById.get(id);
      if (first) {
        this.err(
          'duplicate-role',
          source,
          `role ${showRole({ name, database })} is defined twice: here and at ${fmtLoc(first.source)}`,
          'merge the two definitions into one',
        );
        continue;
      }
      const state = str(r, 'state') === 'absent' ? 'absent' : 'present';
      const role: RoleDef = {
        name,
        ...(database ? { database, databaseSource: scalarLoc(r, 'database') } : {}),
        description: str(r, 'description'),
        owner: str(r, 'owner'),
        inherits: roleRefs(r, 'inherits'),
        members: this.members(r),
        state,
        privileged: bool(r, 'privileged') ?? false,
        breakGlass: bool(r, 'break_glass') ?? false,
        justification: str(r, 'justification'),
        deidentified: bool(r, 'deidentified') ?? false,
        ...expertDetermination(r),
        phiAccess: maps(r, 'phi_access').map((x) => ({
          category: str(x, 'category') as PhiCategory,
          justification: str(x, 'justification')!,
          source: x.loc,
        })),
        source,
      };
      if (role.privileged && !role.justification) {
        this.warn(
          'privileged-without-justification',
          source,
          `privileged role ${show(name)} has no justification`,
          'access reviews list every privileged role with its written justification',
        );
      }
      if (role.breakGlass) this.breakGlassMembers(role);
      this.rolesById.set(id, role);
      this.p.roles.push(role);
    }
  }

  /** `members:`: user names, and the long form `{name, until, since?, reason?}` for temporary access. */
  members(r: LMap): MemberRef[] {
    const out: MemberRef[] = [];
    for (const v of items(r, 'members')) {
      if (v.t === 'scalar') {
        const p = parsePart(String(v.value));
        if (p) out.push({ name: p, source: v.loc });
        continue;
      }
      if (v.t !== 'map') continue;
      const p = parsePart(str(v, 'name')!);
      if (!p) continue;
      const at = (key: string): { text: string; iso?: string; loc: SourceLocation } | undefined => {
        const text = str(v, key);
        if (text === undefined) return undefined;
        const iso = parseTimestamp(text);
        if (!iso) {
          this.err('bad-timestamp', scalarLoc(v, key), `${key} '${text}' of member ${show(p)} is not a real date and time`, 'write an existing date and time with a zone, e.g. 2026-12-03T18:00Z');
        }
        return { text, iso, loc: scalarLoc(v, key) };
      };
      const until = at('until');
      const since = at('since');
      if (!until?.iso || (since && !since.iso)) continue;
      if (since?.iso && since.iso >= until.iso) {
        this.err('bad-timestamp', since.loc, `member ${show(p)}: since ${since.text} is not before until ${until.text}`, 'a temporary membership starts before it ends');
        continue;
      }
      const reason = str(v, 'reason');
      out.push({
        name: p,
        source: scalarLoc(v, 'name'),
        temporary: { until: until.iso, ...(since?.iso ? { since: since.iso } : {}), ...(reason !== undefined ? { reason } : {}), source: v.loc },
      });
    }
    return out;
  }

  /** A break-glass role grants emergency access: only for a time, and only with a reason. */
  breakGlassMembers(role: RoleDef): void {
    for (const m of role.members) {
      if (!m.temporary) {
        this.err(
          'break-glass-incomplete',
          m.source,
          `member ${show(m.name)} of break-glass role ${show(role.name)} has no until: emergency access must end`,
          `write {name: ${m.name.text}, until: <when it ends, e.g. 2026-12-03T18:00Z>, reason: <incident or ticket>}`,
        );
      } else if (m.temporary.reason === undefined) {
        this.err(
          'break-glass-incomplete',
          m.temporary.source,
          `member ${show(m.name)} of break-glass role ${show(role.name)} has no reason: emergency access is logged with why it was given`,
          'add reason: <incident or ticket number>',
        );
      }
    }
  }

  grantsFile(m: LMap): void {
    for (const g of maps(m, 'grants')) {
      const def = this.grant(g);
      if (def) this.p.grants.push(def);
    }
    const phi = get(m, 'phi');
    if (phi?.t === 'map') {
      for (const [k, e] of phi.entries) {
        const column = parsePath(k);
        if (!column || e.value.t !== 'scalar') continue;
        this.p.phi.push({ column, category: e.value.value as PhiCategory, source: e.keyLoc });
      }
    }
    for (const mp of maps(m, 'masking_policies')) {
      const exprMap = get(mp, 'expression');
      let expression: Partial<Record<Platform, string>> | undefined;
      const expressionSource: Partial<Record<Platform, SourceLocation>> = {};
      if (exprMap?.t === 'map') {
        expression = {};
        for (const [k, e] of exprMap.entries) {
          if (e.value.t !== 'scalar') continue;
          expression[k as Platform] = String(e.value.value);
          expressionSource[k as Platform] = e.value.loc;
        }
      }
      this.p.maskingPolicies.push({
        name: parsePart(str(mp, 'name')!)!,
        columns: items(mp, 'columns')
          .filter((x) => x.t === 'scalar')
          .map((x) => ({ path: parsePath(String((x as { value: unknown }).value))!, source: x.loc })),
        ...(str(mp, 'tag') !== undefined ? { tag: { path: parsePath(str(mp, 'tag')!)!, source: scalarLoc(mp, 'tag') } } : {}),
        mask: str(mp, 'mask') as MaskFunction | undefined,
        expression,
        expressionSource,
        unmaskedFor: roleRefs(mp, 'unmasked_for'),
        source: mp.loc,
      });
    }
    for (const rp of maps(m, 'row_access_policies')) {
      this.p.rowAccessPolicies.push({
        name: parsePart(str(rp, 'name')!)!,
        table: parsePath(str(rp, 'table')!)!,
        allow: maps(rp, 'allow').map((a) => ({ roles: roleRefs(a, 'roles'), where: str(a, 'where')!, whereSource: scalarLoc(a, 'where'), source: a.loc })),
        source: rp.loc,
      });
    }
  }

  private grant(g: LMap): GrantDef | undefined {
    const roleParts = parsePath(str(g, 'role')!);
    const role = roleParts?.[roleParts.length - 1];
    const roleDatabase = roleParts?.length === 2 ? roleParts[0] : undefined;
    const on = get(g, 'on');
    if (!role || on?.t !== 'map') return undefined;
    let object: ObjectName | undefined;
    let objectSource = on.loc;
    for (const kind of anyPlatformKinds()) {
      if (KIND_SHAPES[kind] === 'account') {
        // `account: true`, `metastore: true`: the account itself, no name parts.
        if (bool(on, kind) !== true) continue;
        objectSource = scalarLoc(on, kind);
        object = { kind, parts: [], glob: false };
        continue;
      }
      // `catalog:` is Unity Catalog's word for a database: a synonym of `database:`.
      const key = kind === 'database' && str(on, kind) === undefined && str(on, 'catalog') !== undefined ? 'catalog' : kind;
      const text = str(on, key);
      if (text === undefined) continue;
      const { path, signature } = SIGNATURE_KINDS.has(kind) ? splitSignature(text) : { path: text, signature: undefined };
      const parts = parsePath(path, { glob: true });
      if (!parts) return undefined;
      objectSource = scalarLoc(on, key);
      object = { kind, parts, glob: parts.some(isGlobPart), ...(signature ? { signature } : {}) };
    }
    if (!object) return undefined;
    const columns = get(on, 'columns') ? names(on, 'columns') : undefined;
    const objectWords = get(on, 'objects') ? items(on, 'objects').filter((v) => v.t === 'scalar').map((v) => String((v as { value: unknown }).value)) : undefined;
    const objects = objectWords?.map((w) => kindOfPlural(w)).filter((k): k is SecurableKind => k !== undefined);
    const privileges: GrantDef['privileges'] = [];
    for (const v of items(g, 'privileges')) {
      if (v.t === 'scalar') privileges.push({ word: String(v.value) as PrivilegeWord, source: v.loc });
    }
    return {
      role,
      ...(roleDatabase ? { roleDatabase } : {}),
      roleSource: scalarLoc(g, 'role'),
      isPublic: !roleDatabase && isPublicName(role),
      privileges,
      object,
      objectSource,
      columns,
      ...(objects ? { objects, objectsSource: scalarLoc(on, 'objects') } : {}),
      future: bool(on, 'future') ?? true,
      ...(get(g, 'platforms') ? { platforms: items(g, 'platforms').filter((v) => v.t === 'scalar').map((v) => String(v.value) as Platform) } : {}),
      ...(bool(g, 'grant_option') ? { grantOption: true, grantOptionSource: scalarLoc(g, 'grant_option') } : {}),
      reason: str(g, 'reason'),
      source: g.loc,
    };
  }

  /** Checks that need every file: references, cycles, duplicates across files. */
  crossChecks(): void {
    const roleNames = this.p.roles.map((r) => showRole(r));
    const userNames = this.p.users.map((u) => show(u.name));
    const roleRef = (ref: NameRef, what: string): RoleDef | undefined => {
      const r = this.rolesById.get(roleId(ref));
      if (!r) {
        const unqualified = !ref.database && this.p.roles.find((x) => x.database && neutralId([x.name]) === neutralId([ref.name]));
        this.err(
          'undefined-role',
          ref.source,
          `${what}: role ${showRole(ref)} is not defined${unqualified ? ` (did you mean the database role '${showRole(unqualified)}'?)` : suggestion(showRole(ref), roleNames)}`,
          'define it under roles: in a roles/*.yaml file',
        );
      }
      return r;
    };

    // A user and a role of one name: an error only where they share a namespace (toDesired, PostgreSQL).

    for (const r of this.p.roles) {
      for (const ref of r.inherits) {
        const parent = roleRef(ref, `inherits of role ${showRole(r)}`);
        if (parent) this.databaseRoleEdge(r, parent, ref.source);
      }
      if (r.database && r.members.length) {
        this.err(
          'bad-value',
          r.members[0].source,
          `database role ${showRole(r)} cannot have users as members: Snowflake grants a database role to roles only`,
          `write inherits: [${showRole(r)}] on an account role the users hold`,
        );
      }
      for (const m of r.members) {
        if (this.usersById.has(neutralId([m.name]))) continue;
        if (this.rolesById.has(neutralId([m.name]))) {
          this.err(
            'member-is-role',
            m.source,
            `member ${show(m.name)} of role ${show(r.name)} is a role, not a user`,
            `write inherits: [${show(r.name)}] on role ${show(m.name)} instead`,
          );
          continue;
        }
        this.err(
          'undefined-user',
          m.source,
          `member ${show(m.name)} of role ${show(r.name)} is not a defined user${suggestion(m.name.text, userNames)}`,
          'define it under users: in a roles/*.yaml file',
        );
      }
    }
    this.cycles();

    const seen = new Map<string, SourceLocation>();
    for (const g of this.p.grants) {
      // Unity Catalog grants to any principal: a grant's role may name a user or service principal of users:.
      const toUser = !g.isPublic && !g.roleDatabase && !this.rolesById.has(neutralId([g.role])) && this.usersById.has(neutralId([g.role]));
      if (!g.isPublic && !toUser) {
        const r = roleRef({ name: g.role, ...(g.roleDatabase ? { database: g.roleDatabase } : {}), source: g.roleSource }, 'grant');
        if (r?.database) this.databaseRoleGrant(r, g);
        if (r?.state === 'absent') {
          this.err('absent-role-used', g.roleSource, `grant to role ${show(g.role)}, which has state: absent`, 'remove the grant or keep the role');
        }
      }
      this.checkPrivileges(g);
      // Atomic identity, platform-neutral: the same grant written twice, in one file or two.
      const overlap: string[] = [];
      let firstAt: SourceLocation | undefined;
      const cols = g.columns?.map((c) => neutralId([c.name])) ?? [''];
      // Entries for different platforms (`platforms:`) may repeat a grant.
      for (const platform of g.platforms ?? PLATFORMS) {
        for (const pw of new Set(g.privileges.map((p) => p.word))) {
          for (const c of cols) {
            const id = [platform, roleId({ name: g.role, database: g.roleDatabase }), pw, g.object.kind, neutralId(g.object.parts), (g.object.signature ?? []).join(','), c, (g.objects ?? []).join(',')].join('|');
            const first = seen.get(id);
            if (first && first !== g.source) {
              overlap.push(pw);
              firstAt ??= first;
            } else seen.set(id, g.source);
          }
        }
      }
      if (firstAt) {
        this.err(
          'duplicate-grant',
          g.source,
          `grant of ${[...new Set(overlap)].join(', ')} on ${kindWords(g.object.kind)} ${formatPath(g.object.parts)} to ${showRole({ name: g.role, database: g.roleDatabase })} is already defined at ${fmtLoc(firstAt)}`,
          'remove one of the two entries',
        );
      }
    }

    const phiSeen = new Map<string, SourceLocation>();
    for (const p of this.p.phi) {
      const id = neutralId(p.column);
      const first = phiSeen.get(id);
      if (first) this.err('duplicate-key', p.source, `column ${formatPath(p.column)} is classified twice; first at ${fmtLoc(first)}`);
      else phiSeen.set(id, p.source);
    }
    for (const mp of this.p.maskingPolicies) for (const r of mp.unmaskedFor) if (r.database || !isPublicName(r.name)) roleRef(r, `unmasked_for of masking policy ${show(mp.name)}`);
    for (const rp of this.p.rowAccessPolicies) for (const a of rp.allow) for (const r of a.roles) if (r.database || !isPublicName(r.name)) roleRef(r, `row access policy ${show(rp.name)}`);
  }

  /**
   * `child` inherits `parent`: Snowflake grants a database role to an account role or to a
   * database role of the same database, and never an account role to a database role.
   */
  private databaseRoleEdge(child: RoleDef, parent: RoleDef, at: SourceLocation): void {
    if (!child.database) return;
    if (!parent.database) {
      this.err('bad-value', at, `database role ${showRole(child)} cannot inherit account role ${showRole(parent)}`, `Snowflake grants database roles to account roles, never an account role to a database role: to let ${showRole(parent)} hold ${showRole(child)}, write inherits: [${showRole(child)}] on ${showRole(parent)}`);
    } else if (neutralId([parent.database]) !== neutralId([child.database])) {
      this.err('bad-value', at, `database role ${showRole(child)} cannot inherit ${showRole(parent)}, a database role of another database`, 'a database role is granted to database roles of its own database, or to account roles');
    }
  }

  /** A database role holds privileges inside its database only. */
  private databaseRoleGrant(r: RoleDef, g: GrantDef): void {
    const shape = KIND_SHAPES[g.object.kind];
    const inDb = shape !== 'account' && shape !== 'global' && g.object.parts.length > 0 && neutralId([g.object.parts[0]]) === neutralId([r.database!]);
    if (!inDb) {
      this.err(
        'bad-value',
        g.objectSource,
        `database role ${showRole(r)} is granted on ${shape === 'account' ? 'the account' : `${kindWords(g.object.kind)} ${formatPath(g.object.parts)}`}, outside its database ${show(r.database!)}`,
        `a database role holds privileges on ${show(r.database!)} and its objects only; grant this to an account role`,
      );
    }
  }

  /**
   * Platform-neutral checks of a grant's shape and words: columns only on relations,
   * `objects:` only on a schema or database, a routine named with its argument types
   * (unless its name is a glob), and each word known on some platform for the kind (or
   * for each kind `objects:` lists). The target's own words are checked by toDesired.
   */
  private checkPrivileges(g: GrantDef): void {
    const shape = KIND_SHAPES[g.object.kind];
    if (g.columns && !RELATION_KINDS.has(g.object.kind)) {
      this.err('bad-value', g.objectSource, `columns: applies to tables and views, not to ${aKind(g.object.kind)}`, 'remove columns:, or name the table');
      return;
    }
    if (g.objects && shape !== 'schema' && shape !== 'database') {
      this.err('bad-value', g.objectsSource ?? g.objectSource, `objects: applies to a schema or a database, not to ${aKind(g.object.kind)}`, 'name the schema or database whose objects the grant reaches');
      return;
    }
    if (g.objects && shape === 'schema' && g.objects.includes('schema')) {
      this.err('bad-value', g.objectsSource ?? g.objectSource, 'objects: schemas applies to a database', 'write on: { database: ..., objects: [schemas] }');
      return;
    }
    // Unity Catalog routines are not overloaded: named alone there, so a grant that may
    // reach such a platform is checked per target by toDesired instead.
    const signed = (g.platforms ?? PLATFORMS).every((pl) => !catalogFor(pl).unsignedRoutines);
    if (signed && SIGNATURE_KINDS.has(g.object.kind) && g.object.signature === undefined && !g.object.glob) {
      this.err(
        'bad-value',
        g.objectSource,
        `the ${kindWords(g.object.kind)} ${formatPath(g.object.parts)} is named without its argument types`,
        `argument types are part of a routine's name: write it as ${formatPath(g.object.parts)}(text, integer), or () for none`,
      );
      return;
    }
    const kinds = g.objects ?? [g.object.kind];
    let allowed: string[];
    let what: string;
    if (g.columns) {
      allowed = anyPlatformWords(g.object.kind, { column: true });
      what = 'columns';
    } else {
      // Every listed kind must take the word: one entry is one set of privileges.
      allowed = kinds.map((k) => anyPlatformWords(k)).reduce((a, b) => a.filter((w) => b.includes(w)));
      what = g.objects ? `the ${kinds.map((k) => KIND_PLURALS[k]).join(' and ')} of a ${g.object.kind}` : `${aKind(g.object.kind)}`;
    }
    const seen = new Set<string>();
    for (const p of g.privileges) {
      if (seen.has(p.word)) {
        this.warn('duplicate-grant', p.source, `privilege ${p.word} is listed twice`);
        continue;
      }
      seen.add(p.word);
      if (p.word === 'all') continue;
      if (!allowed.includes(p.word)) {
        const schemaWord = g.object.kind === 'table' && !g.columns && (p.word === 'usage' || p.word === 'create');
        this.err(
          'bad-privilege',
          p.source,
          `privilege ${p.word} does not apply to ${what}${suggestion(p.word, allowed)}`,
          `privileges on ${what}: ${allowed.join(', ')}${schemaWord ? ` (${p.word} is a schema privilege: on: { schema: ${formatPath(g.object.parts.slice(0, 2))} })` : ''}`,
        );
      }
    }
  }

  private cycles(): void {
    const color = new Map<string, 0 | 1 | 2>();
    const stack: RoleDef[] = [];
    const reported = new Set<string>();
    const visit = (r: RoleDef): void => {
      const id = roleId(r);
      color.set(id, 1);
      stack.push(r);
      for (const ref of r.inherits) {
        const parent = this.rolesById.get(roleId(ref));
        if (!parent) continue;
        const pid = roleId(parent);
        const c = color.get(pid) ?? 0;
        if (c === 1) {
          const start = stack.findIndex((x) => roleId(x) === pid);
          const cyc = stack.slice(start);
          const canon = cyc.map((x) => roleId(x)).sort().join(',');
          if (!reported.has(canon)) {
            reported.add(canon);
            const path = [...cyc, parent].map((x) => showRole(x)).join(' -> ');
            this.err('inherits-cycle', ref.source, `inheritance cycle: ${path}`, 'a role cannot inherit itself, directly or through other roles');
          }
        } else if (c === 0) visit(parent);
      }
      stack.pop();
      color.set(id, 2);
    };
    for (const r of this.p.roles) if ((color.get(roleId(r)) ?? 0) === 0) visit(r);
  }
}

