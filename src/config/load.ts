/**
 * loadProject: read rbac.yaml, roles/*.yaml and grants/*.yaml of a config directory,
 * validate every file against schema.ts, then check references across files, and
 * return the Project with every problem found (never only the first).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { anyPlatformPrivileges, COLUMN_PRIVILEGES } from '../model/privileges.js';
import { PLATFORMS, type Platform, type Privilege, type SecurableKind, type SourceLocation } from '../model/types.js';
import type { NamePart } from '../dialects/types.js';
import { diag, sortDiagnostics, type Diagnostic, type DiagnosticCode } from './diagnostics.js';
import { formatPath, isPublicName, neutralId, parsePart, parsePath, suggestion } from './names.js';
import {
  emptyProject,
  ROOT_FILE,
  type GrantDef,
  type NameRef,
  type ObjectName,
  type Project,
  type PrivilegeWord,
  type RoleDef,
  type TargetDef,
} from './project.js';
import { FILE_SCHEMAS, type FileKind, type MaskFunction, type PhiCategory } from './schema.js';
import { parseYaml, validateDocument, type LMap, type LValue } from './validate.js';

/** Files larger than this are refused (a config is a few hundred kilobytes at most). */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

/** What loadProject returns; the project is unsafe to plan when diagnostics hold an error. */
export interface LoadResult {
  project: Project;
  diagnostics: Diagnostic[];
}

const at = (file: string, line = 1, column = 1): SourceLocation => ({ file, line, column });
const fmtLoc = (l: SourceLocation): string => `${l.file}:${l.line}:${l.column}`;

async function listYaml(dir: string, sub: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(join(dir, sub));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: string[] = [];
  for (const n of names) {
    if (!/\.ya?ml$/i.test(n) || n.startsWith('.')) continue;
    const st = await stat(join(dir, sub, n));
    if (st.isFile()) out.push(`${sub}/${n}`);
  }
  return out.sort();
}

/**
 * Load and validate a config directory. Reads `rbac.yaml` and every `.yaml`/`.yml`
 * file directly under `roles/` and `grants/` (sorted by path); never throws for a bad
 * configuration, only for I/O failures other than a missing file.
 */
export async function loadProject(dir: string): Promise<LoadResult> {
  const diags: Diagnostic[] = [];
  const project = emptyProject();
  const paths = [ROOT_FILE, ...(await listYaml(dir, 'roles')), ...(await listYaml(dir, 'grants'))];
  const texts: { path: string; kind: FileKind; text: string }[] = [];
  for (const path of paths) {
    let buf: Buffer;
    try {
      const st = await stat(join(dir, path));
      if (st.size > MAX_FILE_BYTES) {
        diags.push(diag('error', 'yaml-too-large', at(path), `file is larger than ${MAX_FILE_BYTES} bytes; refusing to read it`));
        continue;
      }
      buf = await readFile(join(dir, path));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (path === ROOT_FILE && code === 'ENOENT') {
        diags.push(
          diag('error', 'io', at(path), 'no rbac.yaml in the config directory', 'run rbac from the config root or pass --config DIR'),
        );
        continue;
      }
      diags.push(diag('error', 'io', at(path), `cannot read the file (${code ?? 'error'})`));
      continue;
    }
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
const show = (p: NamePart): string => formatPath([p]);

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
      this.p.users.push({ name, email: str(u, 'email'), manager: str(u, 'manager'), title: str(u, 'title'), source });
    }
    for (const r of maps(m, 'roles')) {
      const name = parsePart(str(r, 'name')!);
      if (!name) continue;
      const source = r.loc;
      if (isPublicName(name)) {
        this.err('reserved-name', scalarLoc(r, 'name'), `'${name.text}' is the PUBLIC pseudo-role and cannot be defined as a role`, 'grant to it with role: public');
        continue;
      }
      const id = neutralId([name]);
      const first = this.rolesById.get(id);
      if (first) {
        this.err(
          'duplicate-role',
          source,
          `role ${show(name)} is defined twice: here and at ${fmtLoc(first.source)}`,
          'merge the two definitions into one',
        );
        continue;
      }
      const state = str(r, 'state') === 'absent' ? 'absent' : 'present';
      const role: RoleDef = {
        name,
        description: str(r, 'description'),
        owner: str(r, 'owner'),
        inherits: names(r, 'inherits'),
        members: names(r, 'members'),
        state,
        privileged: bool(r, 'privileged') ?? false,
        justification: str(r, 'justification'),
        deidentified: bool(r, 'deidentified') ?? false,
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
      this.rolesById.set(id, role);
      this.p.roles.push(role);
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
      if (exprMap?.t === 'map') {
        expression = {};
        for (const [k, e] of exprMap.entries) if (e.value.t === 'scalar') expression[k as Platform] = String(e.value.value);
      }
      this.p.maskingPolicies.push({
        name: parsePart(str(mp, 'name')!)!,
        columns: items(mp, 'columns')
          .filter((x) => x.t === 'scalar')
          .map((x) => ({ path: parsePath(String((x as { value: unknown }).value))!, source: x.loc })),
        mask: str(mp, 'mask') as MaskFunction | undefined,
        expression,
        unmaskedFor: names(mp, 'unmasked_for'),
        source: mp.loc,
      });
    }
    for (const rp of maps(m, 'row_access_policies')) {
      this.p.rowAccessPolicies.push({
        name: parsePart(str(rp, 'name')!)!,
        table: parsePath(str(rp, 'table')!)!,
        allow: maps(rp, 'allow').map((a) => ({ roles: names(a, 'roles'), where: str(a, 'where')!, source: a.loc })),
        source: rp.loc,
      });
    }
  }

  private grant(g: LMap): GrantDef | undefined {
    const role = parsePart(str(g, 'role')!);
    const on = get(g, 'on');
    if (!role || on?.t !== 'map') return undefined;
    let object: ObjectName | undefined;
    let objectSource = on.loc;
    for (const kind of ['table', 'view', 'schema', 'database'] as const) {
      const text = str(on, kind);
      if (text === undefined) continue;
      const parts = parsePath(text);
      if (!parts) return undefined;
      objectSource = scalarLoc(on, kind);
      const sk: SecurableKind = kind === 'view' ? 'table' : kind;
      object = { kind: sk, parts, isView: kind === 'view' };
    }
    if (!object) return undefined;
    const columns = get(on, 'columns') ? names(on, 'columns') : undefined;
    const objects = str(on, 'objects') === 'tables' ? ('tables' as const) : undefined;
    const privileges: GrantDef['privileges'] = [];
    for (const v of items(g, 'privileges')) {
      if (v.t === 'scalar') privileges.push({ word: String(v.value) as PrivilegeWord, source: v.loc });
    }
    return {
      role,
      roleSource: scalarLoc(g, 'role'),
      isPublic: isPublicName(role),
      privileges,
      object,
      objectSource,
      columns,
      objects,
      ...(get(g, 'platforms') ? { platforms: items(g, 'platforms').filter((v) => v.t === 'scalar').map((v) => String(v.value) as Platform) } : {}),
      reason: str(g, 'reason'),
      source: g.loc,
    };
  }

  /** Checks that need every file: references, cycles, duplicates across files. */
  crossChecks(): void {
    const roleNames = this.p.roles.map((r) => show(r.name));
    const userNames = this.p.users.map((u) => show(u.name));
    const roleRef = (ref: NameRef, what: string): RoleDef | undefined => {
      const r = this.rolesById.get(neutralId([ref.name]));
      if (!r) {
        this.err(
          'undefined-role',
          ref.source,
          `${what}: role ${show(ref.name)} is not defined${suggestion(ref.name.text, roleNames)}`,
          'define it under roles: in a roles/*.yaml file',
        );
      }
      return r;
    };

    for (const u of this.p.users) {
      if (this.rolesById.has(neutralId([u.name]))) {
        this.err('name-collision', u.source, `${show(u.name)} is defined both as a user and as a role`, 'users and roles share one namespace on every platform');
      }
    }

    for (const r of this.p.roles) {
      for (const parent of r.inherits) roleRef(parent, `inherits of role ${show(r.name)}`);
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
      if (!g.isPublic) {
        const r = roleRef({ name: g.role, source: g.roleSource }, 'grant');
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
            const id = [platform, neutralId([g.role]), pw, g.object.kind, neutralId(g.object.parts), c, g.objects ?? ''].join('|');
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
          `grant of ${[...new Set(overlap)].join(', ')} on ${g.object.isView ? 'view' : g.object.kind} ${formatPath(g.object.parts)} to ${show(g.role)} is already defined at ${fmtLoc(firstAt)}`,
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
    for (const mp of this.p.maskingPolicies) for (const r of mp.unmaskedFor) if (!isPublicName(r.name)) roleRef(r, `unmasked_for of masking policy ${show(mp.name)}`);
    for (const rp of this.p.rowAccessPolicies) for (const a of rp.allow) for (const r of a.roles) if (!isPublicName(r.name)) roleRef(r, `row access policy ${show(rp.name)}`);
  }

  private checkPrivileges(g: GrantDef): void {
    let allowed: readonly Privilege[];
    let what: string;
    if (g.columns) {
      allowed = COLUMN_PRIVILEGES;
      what = 'columns';
    } else if (g.objects === 'tables') {
      allowed = anyPlatformPrivileges('table');
      what = 'the tables of a schema';
    } else {
      allowed = anyPlatformPrivileges(g.object.kind);
      what = g.object.isView ? 'a view' : `a ${g.object.kind}`;
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
        this.err(
          'bad-privilege',
          p.source,
          `privilege ${p.word} does not apply to ${what}`,
          `privileges on ${what}: ${allowed.join(', ')}${g.object.kind === 'table' && !g.columns && (p.word === 'usage' || p.word === 'create') ? ` (${p.word} is a schema privilege: on: { schema: ${formatPath(g.object.parts.slice(0, 2))} })` : ''}`,
        );
      }
    }
  }

  private cycles(): void {
    const color = new Map<string, 0 | 1 | 2>();
    const stack: RoleDef[] = [];
    const reported = new Set<string>();
    const visit = (r: RoleDef): void => {
      const id = neutralId([r.name]);
      color.set(id, 1);
      stack.push(r);
      for (const ref of r.inherits) {
        const parent = this.rolesById.get(neutralId([ref.name]));
        if (!parent) continue;
        const pid = neutralId([parent.name]);
        const c = color.get(pid) ?? 0;
        if (c === 1) {
          const start = stack.findIndex((x) => neutralId([x.name]) === pid);
          const cyc = stack.slice(start);
          const canon = cyc.map((x) => neutralId([x.name])).sort().join(',');
          if (!reported.has(canon)) {
            reported.add(canon);
            const path = [...cyc, parent].map((x) => show(x.name)).join(' -> ');
            this.err('inherits-cycle', ref.source, `inheritance cycle: ${path}`, 'a role cannot inherit itself, directly or through other roles');
          }
        } else if (c === 0) visit(parent);
      }
      stack.pop();
      color.set(id, 2);
    };
    for (const r of this.p.roles) if ((color.get(neutralId([r.name])) ?? 0) === 0) visit(r);
  }
}

