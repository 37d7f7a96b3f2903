// One parser for connecting and for printing PostgreSQL targets: URLs whose password
// holds URL syntax, libpq key=value strings, and the masking that depends on them.
import { describe, expect, it } from 'vitest';
import { resolveTarget } from '../../src/config/targets.js';
import { parsePgConnection } from '../../src/dialects/postgres/connection.js';
import { openPg } from '../../src/dialects/postgres/driver.js';
import { maskUrl, RbacError, scrubSecrets, urlPassword } from '../../src/model/errors.js';
import { errors, load } from './helpers.js';

/** Every 4-character piece of a secret: none may show up in what is printed. */
function pieces(secret: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 4 <= secret.length; i++) out.push(secret.slice(i, i + 4));
  return out;
}

function expectNoPiece(text: string, secret: string) {
  for (const p of pieces(secret)) expect(text, `'${p}' of the secret`).not.toContain(p);
  expect(text).not.toContain(encodeURIComponent(secret));
}

function thrown(f: () => unknown): RbacError {
  try {
    f();
  } catch (e) {
    if (e instanceof RbacError) return e;
    throw e;
  }
  throw new Error('expected an RbacError');
}

interface UrlCase {
  url: string;
  user?: string;
  password?: string;
  host?: string;
  port?: number;
  database?: string;
  display: string;
  name: string;
}

const URLS: UrlCase[] = [
  {
    url: 'postgres://u:P@ssw0rd@db.example.org:5432/ehr',
    user: 'u',
    password: 'P@ssw0rd',
    host: 'db.example.org',
    port: 5432,
    database: 'ehr',
    display: 'postgres://u:****@db.example.org:5432/ehr',
    name: 'postgres://u@db.example.org:5432/ehr',
  },
  { url: 'postgres://u:Pa:ss:word@h/db', password: 'Pa:ss:word', display: 'postgres://u:****@h/db', name: 'postgres://u@h/db' },
  // What users paste: @, : and / raw in the password.
  { url: 'postgres://u:P@ss:w/rd@127.0.0.1:5432/db', password: 'P@ss:w/rd', host: '127.0.0.1', port: 5432, display: 'postgres://u:****@127.0.0.1:5432/db', name: 'postgres://u@127.0.0.1:5432/db' },
  { url: 'postgres://u:P%40ss%3Aw%2Frd@127.0.0.1:5432/db', password: 'P@ss:w/rd', display: 'postgres://u:****@127.0.0.1:5432/db', name: 'postgres://u@127.0.0.1:5432/db' },
  { url: 'postgres://u:P%40ssw0rd@h/db', password: 'P@ssw0rd', display: 'postgres://u:****@h/db', name: 'postgres://u@h/db' },
  // A password starting with digits reads as a port at first: the @ later gives it away.
  { url: 'postgres://u:12/ss@h/db', password: '12/ss', host: 'h', database: 'db', display: 'postgres://u:****@h/db', name: 'postgres://u@h/db' },
  { url: 'postgres://u:pa#ss@h/db', password: 'pa#ss', host: 'h', database: 'db', display: 'postgres://u:****@h/db', name: 'postgres://u@h/db' },
  { url: 'postgres://u:12#34@h/db', password: '12#34', host: 'h', database: 'db', display: 'postgres://u:****@h/db', name: 'postgres://u@h/db' },
  { url: 'postgres://u:pa?ss@h/db', password: 'pa?ss', host: 'h', database: 'db', display: 'postgres://u:****@h/db', name: 'postgres://u@h/db' },
  { url: 'postgres://u:12?ss@h/db', password: '12?ss', host: 'h', database: 'db', display: 'postgres://u:****@h/db', name: 'postgres://u@h/db' },
  { url: 'postgres://u:p w@h/my db', password: 'p w', database: 'my db', display: 'postgres://u:****@h/my%20db', name: 'postgres://u@h/my%20db' },
  { url: 'postgres://u:pw@[::1]:5433/db', password: 'pw', host: '::1', port: 5433, display: 'postgres://u:****@[::1]:5433/db', name: 'postgres://u@[::1]:5433/db' },
  { url: 'postgres://u:a@b/c@[2001:db8::1]/db', password: 'a@b/c', host: '2001:db8::1', display: 'postgres://u:****@[2001:db8::1]/db', name: 'postgres://u@[2001:db8::1]/db' },
  { url: 'postgres://u@h/db', user: 'u', display: 'postgres://u@h/db', name: 'postgres://u@h/db' },
  { url: 'postgres://u:@h/db', user: 'u', display: 'postgres://u@h/db', name: 'postgres://u@h/db' },
  { url: 'POSTGRESQL://h:5432/db', host: 'h', port: 5432, display: 'postgresql://h:5432/db', name: 'postgresql://h:5432/db' },
  // The mask pasted back (a display, or a plan written by an earlier version) is no password.
  { url: 'postgres://u:****@h/db', user: 'u', display: 'postgres://u@h/db', name: 'postgres://u@h/db' },
  // An @ in a query value of a valid URL stays where RFC 3986 puts it.
  { url: 'postgres://h/db?user=a@b', user: 'a@b', host: 'h', display: 'postgres://a%40b@h/db', name: 'postgres://a%40b@h/db' },
  { url: 'postgres://%2Fvar%2Frun%2Fpostgresql/db', host: '/var/run/postgresql', database: 'db', display: 'postgres://%2Fvar%2Frun%2Fpostgresql/db', name: 'postgres://%2Fvar%2Frun%2Fpostgresql/db' },
  {
    url: 'postgres://u:pw@h/db?sslmode=disable&application_name=rbac%20ci',
    password: 'pw',
    display: 'postgres://u:****@h/db?sslmode=disable&application_name=rbac%20ci',
    name: 'postgres://u@h/db?sslmode=disable&application_name=rbac%20ci',
  },
  {
    url: 'postgres://u@h/db?sslmode=disable&sslpassword=KeyPass99',
    display: 'postgres://u@h/db?sslmode=disable&sslpassword=****',
    name: 'postgres://u@h/db?sslmode=disable',
  },
  {
    url: 'postgres://u@h/db?password=Qu3ry-pw&sslmode=disable',
    password: 'Qu3ry-pw',
    display: 'postgres://u:****@h/db?sslmode=disable',
    name: 'postgres://u@h/db?sslmode=disable',
  },
];

describe('parsePgConnection: URLs', () => {
  it.each(URLS)('$url', (c) => {
    const conn = parsePgConnection(c.url);
    expect(conn.form).toBe('url');
    expect(conn.config).not.toHaveProperty('connectionString');
    expect(conn.config.password).toBe(c.password);
    expect(conn.hasPassword).toBe(c.password !== undefined);
    if (c.user !== undefined) expect(conn.config.user).toBe(c.user);
    if (c.host !== undefined) expect(conn.config.host).toBe(c.host);
    if (c.port !== undefined) expect(conn.config.port).toBe(c.port);
    if (c.database !== undefined) expect(conn.config.database).toBe(c.database);
    expect(conn.display).toBe(c.display);
    expect(conn.name).toBe(c.name);
    if (c.password !== undefined) {
      expect(conn.secrets).toContain(c.password);
      expectNoPiece(conn.display, c.password);
      expectNoPiece(conn.name, c.password);
    }
    // The name reads back to the same connection without its password ...
    const back = parsePgConnection(conn.name);
    const { password: _pw, ...rest } = conn.config;
    expect(back.config).toEqual(rest);
    expect(back.name).toBe(conn.name);
    expect(back.secrets).toEqual([]);
    // ... and a password added back (PGPASSWORD) reaches the same connection.
    expect(parsePgConnection(conn.withPassword('N3w@pw/:?#')).config).toEqual({ ...rest, password: 'N3w@pw/:?#' });
  });

  it('the secret query parameter is masked in display, left out of name, recorded', () => {
    const conn = parsePgConnection('postgres://u@h/db?sslmode=disable&sslpassword=KeyPass99');
    expect(conn.secrets).toEqual(['KeyPass99']);
    expect(conn.config).not.toHaveProperty('sslpassword');
  });

  it('records the password as written too when it was percent-encoded', () => {
    expect(parsePgConnection('postgres://u:P%40ssw0rd@h/db').secrets).toEqual(['P@ssw0rd', 'P%40ssw0rd']);
  });

  it('honours sslmode as pg does', () => {
    expect(parsePgConnection('postgres://h/db?sslmode=disable').config.ssl).toBe(false);
    expect(parsePgConnection('postgres://h/db?sslmode=no-verify').config.ssl).toEqual({ rejectUnauthorized: false });
  });

  it('maps connect_timeout (seconds) onto pg', () => {
    expect(parsePgConnection('postgres://h/db?connect_timeout=7').config.connectionTimeoutMillis).toBe(7000);
  });
});

interface KvCase {
  text: string;
  config: Record<string, unknown>;
  display: string;
  name: string;
}

const KVS: KvCase[] = [
  {
    text: 'host=db.example.org port=5433 dbname=ehr user=rbac password=secret-pw',
    config: { host: 'db.example.org', port: 5433, database: 'ehr', user: 'rbac', password: 'secret-pw' },
    display: 'postgres://rbac:****@db.example.org:5433/ehr',
    name: 'postgres://rbac@db.example.org:5433/ehr',
  },
  {
    text: "  host = db  port= 5432 user =u password = 'P@ss w0rd'  ",
    config: { host: 'db', port: 5432, user: 'u', password: 'P@ss w0rd' },
    display: 'postgres://u:****@db:5432',
    name: 'postgres://u@db:5432',
  },
  { text: "host=h password='it\\'s \\\\ here'", config: { host: 'h', password: "it's \\ here" }, display: 'postgres://:****@h', name: 'postgres://h' },
  { text: "host=h user=u password='it''s'", config: { host: 'h', user: 'u', password: "it's" }, display: 'postgres://u:****@h', name: 'postgres://u@h' },
  { text: 'host=h user=u password=a\\ b', config: { host: 'h', user: 'u', password: 'a b' }, display: 'postgres://u:****@h', name: 'postgres://u@h' },
  { text: "host=h user=u password=''", config: { host: 'h', user: 'u' }, display: 'postgres://u@h', name: 'postgres://u@h' },
  {
    text: "host=h user=u sslmode=disable sslpassword='kp-secret' dbname=x",
    config: { host: 'h', user: 'u', database: 'x', ssl: false },
    display: 'postgres://u@h/x?sslmode=disable&sslpassword=****',
    name: 'postgres://u@h/x?sslmode=disable',
  },
  { text: 'hostaddr=127.0.0.1 port=1 dbname=x', config: { host: '127.0.0.1', port: 1, database: 'x' }, display: 'postgres://127.0.0.1:1/x', name: 'postgres://127.0.0.1:1/x' },
  { text: 'host=::1 user=u', config: { host: '::1', user: 'u' }, display: 'postgres://u@[::1]', name: 'postgres://u@[::1]' },
  { text: 'host=/var/run/postgresql dbname=x', config: { host: '/var/run/postgresql', database: 'x' }, display: 'postgres://%2Fvar%2Frun%2Fpostgresql/x', name: 'postgres://%2Fvar%2Frun%2Fpostgresql/x' },
  {
    text: "host=h options='-c search_path=clinical' application_name=ci",
    config: { host: 'h', options: '-c search_path=clinical', application_name: 'ci' },
    display: 'postgres://h/?options=-c%20search_path%3Dclinical&application_name=ci',
    name: 'postgres://h/?options=-c%20search_path%3Dclinical&application_name=ci',
  },
  { text: 'host=h user=a user=b', config: { host: 'h', user: 'b' }, display: 'postgres://b@h', name: 'postgres://b@h' },
];

describe('parsePgConnection: libpq key=value', () => {
  it.each(KVS)('$text', (c) => {
    const conn = parsePgConnection(c.text);
    expect(conn.form).toBe('keyvalue');
    expect(conn.config).toMatchObject(c.config);
    if (!('password' in c.config)) expect(conn.config).not.toHaveProperty('password');
    expect(conn.display).toBe(c.display);
    expect(conn.name).toBe(c.name);
    const pw = c.config.password as string | undefined;
    if (pw !== undefined) {
      expect(conn.secrets).toContain(pw);
      expectNoPiece(conn.display + conn.name, pw);
    }
    // The password-free name (a URL) reads back to the same connection.
    const { password: _pw, ...rest } = conn.config;
    expect(parsePgConnection(conn.name).config).toEqual(rest);
    expect(parsePgConnection(conn.withPassword("x'y\\z")).config).toEqual({ ...rest, password: "x'y\\z" });
  });

  it('the sslpassword becomes the key passphrase when a key is used', () => {
    const conn = parsePgConnection("host=h sslmode=no-verify sslpassword='kp-secret'");
    expect(conn.config.ssl).toEqual({ rejectUnauthorized: false, passphrase: 'kp-secret' });
    expect(conn.secrets).toEqual(['kp-secret']);
  });
});

describe('parsePgConnection: bad input never echoes the password', () => {
  const BAD: [string, RegExp][] = [
    ['postgres://u:Secr3t-pw@h:port/db', /no valid host\[:port\]/],
    ['postgres://u:Secr3t-pw@h1:5432,h2:5432/db', /several hosts/],
    ['postgres://u:Secr3t-pw@[::1/db', /no valid host/],
    ['host=db password=Secr3t-pw extra', /missing '=' after the word at position 28/],
    ['host=db password=Secr3t-pw tail=x', /unknown keyword at position 28/],
    ['host=db pasword=Secr3t-pw', /unknown keyword 'pasword' \(did you mean 'password'\?\)/],
    ["host=db password='Secr3t-pw", /unterminated quoted value of 'password'/],
    ['service=prod password=Secr3t-pw', /keyword 'service' is not supported/],
    ['host=a,b password=Secr3t-pw', /several hosts/],
    ['port=abc password=Secr3t-pw', /port must be a number/],
    ['host=db hostaddr=10.0.0.1 password=Secr3t-pw', /host together with hostaddr/],
    ['user:Secr3t-pw@h', /not a PostgreSQL connection string/],
  ];
  it.each(BAD)('%s', (text, message) => {
    const e = thrown(() => parsePgConnection(text));
    expect(e.code).toBe('TARGET');
    expect(e.message).toMatch(message);
    expectNoPiece(`${e.message} ${e.hint ?? ''}`, 'Secr3t-pw');
  });

  it('a keyword right after an unquoted password is not named (it may be the rest of the password)', () => {
    const e = thrown(() => parsePgConnection('password=first second=x'));
    expect(e.message).not.toContain('second');
  });
});

describe('maskUrl, urlPassword, scrubSecrets', () => {
  it.each([
    ['https://u:P@ssw0rd@hooks.example.org/x', 'https://u:****@hooks.example.org/x'],
    ['https://u:p%40ss@hooks.example.org/x', 'https://u:****@hooks.example.org/x'],
    ['https://u:pa/ss@hooks.example.org/x', 'https://u:****@hooks.example.org/x'],
    ['https://hooks.example.org/x?token=abc&x=1&Key=zz&sslpassword=q', 'https://hooks.example.org/x?token=****&x=1&Key=****&sslpassword=****'],
    ['https://hooks.example.org/x?access_token=abc#secret=s', 'https://hooks.example.org/x?access_token=****#secret=****'],
    ['https://hooks.example.org:8443/x?email=a@b', 'https://hooks.example.org:8443/x?email=a@b'],
    ['https://u@hooks.example.org/x', 'https://u@hooks.example.org/x'],
  ])('%s', (url, masked) => {
    expect(maskUrl(url)).toBe(masked);
  });

  it('urlPassword finds a password holding @ and decodes it', () => {
    expect(urlPassword('postgres://u:P@ssw0rd@h/db')).toBe('P@ssw0rd');
    expect(urlPassword('postgres://u:P%40ss%2Fw@h/db')).toBe('P@ss/w');
    expect(urlPassword('postgres://u@h/db')).toBeUndefined();
  });

  it('scrubSecrets removes a secret percent-encoded, with either hex case', () => {
    const s = 'P@ss:w/rd';
    expect(scrubSecrets(`a ${s} b`, [s])).toBe('a **** b');
    expect(scrubSecrets('a P%40ss%3Aw%2Frd b', [s])).toBe('a **** b');
    expect(scrubSecrets('a P%40ss%3aw%2frd b', [s])).toBe('a **** b');
    expect(scrubSecrets('a p+w%21 b', ['p w!'])).toBe('a **** b');
    expect(scrubSecrets('abc stays', ['abc'])).toBe('abc stays');
  });
});

const RBAC = [
  'version: 1',
  'default_target: local',
  'targets:',
  '  local:',
  '    platform: postgres',
  '    embedded: .rbac/pglite',
  '  warehouse:',
  '    platform: postgres',
  '    url: ${DATABASE_URL}',
  '',
].join('\n');

async function project() {
  const { project, diagnostics } = await load({ 'rbac.yaml': RBAC });
  expect(errors(diagnostics)).toEqual([]);
  return project;
}

describe('resolveTarget with connection strings', () => {
  it('an ad-hoc URL: password-free name, masked display, the password as a secret', async () => {
    const url = 'postgres://u:P@ssw0rd@127.0.0.1:1/db';
    const t = resolveTarget(await project(), url, {});
    expect(t).toMatchObject({ platform: 'postgres', url, name: 'postgres://u@127.0.0.1:1/db', display: 'postgres://u:****@127.0.0.1:1/db', secrets: ['P@ssw0rd'] });
    expect(t.source).toBeUndefined();
  });

  it('an ad-hoc key=value string: the same name and display as the URL', async () => {
    const t = resolveTarget(await project(), "host=127.0.0.1 port=1 dbname=db user=u password='P@ssw0rd'", {});
    expect(t).toMatchObject({ platform: 'postgres', name: 'postgres://u@127.0.0.1:1/db', display: 'postgres://u:****@127.0.0.1:1/db', secrets: ['P@ssw0rd'] });
  });

  it('a bad key=value string is refused without echoing it', async () => {
    const p = await project();
    const e = thrown(() => resolveTarget(p, 'host=db pasword=P@ssw0rd', {}));
    expect(e.code).toBe('TARGET');
    expect(e.message).not.toContain('ssw0rd');
  });

  it('the name resolves back to the same target; PGPASSWORD from the given env supplies the password', async () => {
    const p = await project();
    const first = resolveTarget(p, 'postgres://u:P@ssw0rd@127.0.0.1:1/db', {});
    const again = resolveTarget(p, first.name, {});
    expect(again.name).toBe(first.name);
    expect(again.display).toBe('postgres://u@127.0.0.1:1/db');
    expect(again.secrets).toEqual([]);
    if (again.platform !== 'postgres') throw new Error('platform');
    expect(parsePgConnection(again.url!).config.password).toBeUndefined();

    const withEnv = resolveTarget(p, first.name, { PGPASSWORD: 'Env-P@ss/1' });
    if (withEnv.platform !== 'postgres') throw new Error('platform');
    expect(withEnv.name).toBe(first.name);
    expect(withEnv.display).not.toContain('Env-P@ss');
    expect(withEnv.secrets).toEqual(['Env-P@ss/1']);
    expect(parsePgConnection(withEnv.url!).config).toMatchObject({ user: 'u', host: '127.0.0.1', port: 1, database: 'db', password: 'Env-P@ss/1' });
  });

  it('a password in the target wins over PGPASSWORD', async () => {
    const url = 'postgres://u:Own-pw1@h/db';
    const t = resolveTarget(await project(), url, { PGPASSWORD: 'Env-pw-2' });
    if (t.platform !== 'postgres') throw new Error('platform');
    expect(t.url).toBe(url);
    expect(t.secrets).toEqual(['Own-pw1']);
  });

  it('a plan name written by an earlier version (password masked) reconnects with PGPASSWORD', async () => {
    const t = resolveTarget(await project(), 'postgres://u:****@h/db', { PGPASSWORD: 'Env-pw-3' });
    if (t.platform !== 'postgres') throw new Error('platform');
    expect(t.name).toBe('postgres://u@h/db');
    expect(parsePgConnection(t.url!).config.password).toBe('Env-pw-3');
  });

  it('url: ${DATABASE_URL} holding a password with @ displays it masked, the name stays the config name', async () => {
    const env = { DATABASE_URL: 'postgres://u:P@ssw0rd@127.0.0.1:1/db' };
    const t = resolveTarget(await project(), 'warehouse', env);
    expect(t).toMatchObject({ name: 'warehouse', platform: 'postgres', url: env.DATABASE_URL, display: 'postgres://u:****@127.0.0.1:1/db' });
    expect(t.secrets).toContain('P@ssw0rd');
    expect(JSON.stringify({ name: t.name, display: t.display })).not.toContain('ssw0rd');
  });

  it('a url: that cannot be parsed names the setting and its place, never the value', async () => {
    const p = await project();
    const e = thrown(() => resolveTarget(p, 'warehouse', { DATABASE_URL: 'postgres://u:P@ssw0rd@h:port/db' }));
    expect(e.message).toMatch(/^target 'warehouse': url \(rbac\.yaml:9:10\): /);
    expect(e.message).not.toContain('ssw0rd');
  });

  it.each(['postgres:/u:P@ssw0rd@h/db', 'u:P@ssw0rd@h', 'warehouse P@ssw0rd'])('an unknown target %s that is no name is not echoed', async (name) => {
    const p = await project();
    const e = thrown(() => resolveTarget(p, name, {}));
    expect(e.message).toBe('unknown target (not shown: it is not a target name and may hold a password)');
  });
});

describe('openPg connects with the parsed configuration (no server needed)', () => {
  it('a raw / in the password reaches the socket (pg alone would reject the URL)', async () => {
    const err = await openPg('postgres://u:P@ss:w/rd@127.0.0.1:1/db').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RbacError);
    expect((err as RbacError).code).toBe('CONNECTION');
    expect((err as RbacError).message).toMatch(/^cannot connect to postgres:\/\/u:\*\*\*\*@127\.0\.0\.1:1\/db: /);
    expect((err as RbacError).message).not.toContain('ss:w');
  });

  it('a key=value string connects too, and its password is never printed', async () => {
    const err = await openPg("host=127.0.0.1 port=1 user=u dbname=db password='P@ssw0rd'").catch((e: unknown) => e);
    expect((err as RbacError).code).toBe('CONNECTION');
    expect((err as RbacError).message).toContain('postgres://u:****@127.0.0.1:1/db');
    expect((err as RbacError).message).not.toContain('ssw0rd');
  });

  it('takes an already parsed connection', async () => {
    const err = await openPg(parsePgConnection('postgres://u:P@ssw0rd@127.0.0.1:1/db')).catch((e: unknown) => e);
    expect((err as RbacError).code).toBe('CONNECTION');
  });
});
