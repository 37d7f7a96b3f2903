/**
 * `rbac usage` on PostgreSQL reads every csvlog file of the review period (issue 14): a
 * period spans rotated files. Fixture files: a log directory with files rotated before
 * and in the period, the CSV parser fed in pieces split at every point, reads folded so
 * memory does not grow with the log, and `--log` given twice or naming a directory on
 * the embedded demo. The real server's rotated files: test/usage/pgaudit-server.test.ts.
 */
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModule } from 'libpg-query';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvParser, csvRecords } from '../../src/usage/csv.js';
import { localLogFiles, readLocalLog, readServerLog } from '../../src/usage/logs.js';
import { PgauditCollector, parsePgauditCsv } from '../../src/usage/pgaudit.js';
import { cli, exampleConfig, removeDir } from '../cli-workflows/helpers.js';

/** A csvlog line of PostgreSQL 15 with a pgaudit SESSION READ entry (message is field 14). */
function line(time: string, user: string, db: string, object: string, statement: string): string {
  const msg = `AUDIT: SESSION,1,1,READ,SELECT,TABLE,${object},"${statement.replace(/"/g, '""')}",<not logged>`;
  return `${time} UTC,"${user}","${db}",123,"127.0.0.1:5000",abc.1,1,"SELECT",${time} UTC,3/4,0,LOG,00000,"${msg.replace(/"/g, '""')}",,,,,,,,,"psql","client backend",,0`;
}

const at = (iso: string) => new Date(iso);

beforeAll(() => loadModule());

describe('the CSV parser in pieces', () => {
  // Quoted commas, doubled quotes, a quoted newline, CRLF, a multi-byte character, no final newline.
  const text = 'a,"b,c","d ""e"" f"\r\n"multi\nline",ü,\r\nlast,"x"""';
  const whole = [...csvRecords(text)];

  it('reads the records of a whole text', () => {
    expect(whole).toEqual([
      ['a', 'b,c', 'd "e" f'],
      ['multi\nline', 'ü', ''],
      ['last', 'x"'],
    ]);
  });

  it('gives the same records wherever the text is cut in two or in single characters', () => {
    for (let i = 0; i <= text.length; i++) {
      const p = new CsvParser();
      const got = [...p.push(text.slice(0, i)), ...p.push(text.slice(i)), ...p.end()];
      expect(got, `cut at ${i}`).toEqual(whole);
    }
    const p = new CsvParser();
    const got: string[][] = [];
    for (const ch of text) got.push(...p.push(ch));
    got.push(...p.end());
    expect(got).toEqual(whole);
  });
});

describe('reads folded per user, table and column set', () => {
  it('counts repeated reads in one event with the latest time, and keeps different column sets apart', () => {
    const log = [
      line('2026-11-20 09:00:00.000', 'erin', 'ehr', 'clinical.patients', 'select mrn from clinical.patients'),
      line('2026-11-21 09:00:00.000', 'erin', 'ehr', 'clinical.patients', 'select mrn from clinical.patients where patient_id = 1'),
      line('2026-11-19 09:00:00.000', 'erin', 'ehr', 'clinical.patients', 'select p.mrn from clinical.patients p'),
      line('2026-11-22 09:00:00.000', 'erin', 'ehr', 'clinical.patients', 'select ssn from clinical.patients'),
    ].join('\n');
    const c = new PgauditCollector({ fold: true });
    c.push(log);
    c.endFile();
    expect(c.events).toEqual([
      { user: 'erin', time: '2026-11-20T09:00:00.000Z', table: ['ehr', 'clinical', 'patients'], columns: ['mrn'], count: 2 },
      { user: 'erin', time: '2026-11-21T09:00:00.000Z', table: ['ehr', 'clinical', 'patients'], columns: ['mrn', 'patient_id'], count: 1 },
      { user: 'erin', time: '2026-11-22T09:00:00.000Z', table: ['ehr', 'clinical', 'patients'], columns: ['ssn'], count: 1 },
    ]);
    // Unfolded, as parsePgauditCsv returns them: one event per line.
    expect(parsePgauditCsv(log)).toHaveLength(4);
  });

  it('ten thousand identical reads are one event (memory does not grow with the log)', () => {
    const c = new PgauditCollector({ fold: true });
    const l = line('2026-11-20 09:00:00.000', 'erin', 'ehr', 'clinical.patients', 'select mrn from clinical.patients') + '\n';
    for (let i = 0; i < 10_000; i++) c.push(l);
    c.endFile();
    expect(c.events).toEqual([{ user: 'erin', time: '2026-11-20T09:00:00.000Z', table: ['ehr', 'clinical', 'patients'], columns: ['mrn'], count: 10_000 }]);
  });
});

describe('a log directory with rotated files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rbac-usage-logs-'));
    await mkdir(join(dir, 'log'));
    const put = async (name: string, text: string, mtime: string) => {
      await writeFile(join(dir, 'log', name), text);
      await utimes(join(dir, 'log', name), at(mtime), at(mtime));
    };
    // Last written before the period: not read at all (its line is dated in the period only so that a read would show).
    await put('postgresql-2026-08-01_000000.csv', line('2026-11-25 00:00:00.000', 'mallory', 'ehr', 'clinical.patients', 'select ssn from clinical.patients') + '\n', '2026-08-31T23:00:00Z');
    await put('postgresql-2026-11-01_000000.csv', line('2026-11-20 09:00:00.000', 'erin', 'ehr', 'clinical.patients', 'select mrn from clinical.patients') + '\n', '2026-11-20T09:00:01Z');
    await put('postgresql-2026-11-21_000000.csv', line('2026-11-21 09:00:00.000', 'erin', 'ehr', 'clinical.patients', 'select ssn from clinical.patients') + '\n', '2026-11-21T09:00:01Z');
    // The stderr log beside it: not a csvlog.
    await put('postgresql-2026-11-21_000000.log', 'LOG:  database system is ready\n', '2026-11-21T09:00:01Z');
    await mkdir(join(dir, 'empty'));
    await writeFile(join(dir, 'empty', 'postgresql.log'), 'LOG: stderr only\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lists the csvlog files modified at or after the period start, oldest first', async () => {
    const files = await localLogFiles(['log'], dir, at('2026-11-01T00:00:00Z'));
    expect(files.map((f) => f.name.slice(dir.length + 1))).toEqual(['log/postgresql-2026-11-01_000000.csv', 'log/postgresql-2026-11-21_000000.csv']);
    // Modification times are whole seconds on the server: a period starting within a file's last second keeps it.
    expect((await localLogFiles(['log'], dir, at('2026-11-21T09:00:01.500Z'))).map((f) => f.name.slice(dir.length + 1))).toEqual(['log/postgresql-2026-11-21_000000.csv']);
    // The whole history when the period starts before every file.
    expect(await localLogFiles(['log'], dir, at('2026-01-01T00:00:00Z'))).toHaveLength(3);
  });

  it('a file given as well as its directory is read once; a file given by name is read whatever its time', async () => {
    const files = await localLogFiles(['log', 'log/postgresql-2026-11-21_000000.csv', 'log/postgresql-2026-08-01_000000.csv'], dir, at('2026-11-01T00:00:00Z'));
    expect(files.map((f) => f.name.slice(dir.length + 1))).toEqual([
      'log/postgresql-2026-08-01_000000.csv',
      'log/postgresql-2026-11-01_000000.csv',
      'log/postgresql-2026-11-21_000000.csv',
    ]);
  });

  it('reads the reads of every file', async () => {
    const c = new PgauditCollector({ since: at('2026-11-01T00:00:00Z'), fold: true });
    for (const f of await localLogFiles(['log'], dir, at('2026-11-01T00:00:00Z'))) await readLocalLog(f, c);
    expect(c.events.map((e) => [e.user, e.columns])).toEqual([
      ['erin', ['mrn']],
      ['erin', ['ssn']],
    ]);
  });

  it('a directory without a csvlog file, and a missing path, are errors that say so', async () => {
    await expect(localLogFiles(['empty'], dir, at('2026-11-01T00:00:00Z'))).rejects.toThrow('the log directory empty holds no csvlog file (*.csv)');
    await expect(localLogFiles(['nope'], dir, at('2026-11-01T00:00:00Z'))).rejects.toThrow('cannot read the pgaudit log nope: ENOENT');
  });
});

describe('a server log read in chunks', () => {
  // The bytes pg_read_binary_file(name, offset, length) returns, from a recorded file.
  const file = Buffer.from(
    [
      line('2026-11-20 09:00:00.000', 'zoë', 'ehr', 'clinical.patients', "select mrn from clinical.patients where full_name = 'Zoë Müller'"),
      line('2026-11-21 09:00:00.000', 'erin', 'ehr', 'clinical.patients', 'select ssn from clinical.patients'),
    ].join('\n') + '\n',
  );
  const calls: unknown[][] = [];
  const query = async (sql: string, params?: unknown[]) => {
    calls.push(params ?? []);
    expect(sql).toContain('pg_read_binary_file(');
    const [, offset, length] = params as [string, number, number];
    return [{ b: file.subarray(offset, offset + length) }];
  };

  it('decodes characters cut between chunks and reads to the end of the file', async () => {
    // A chunk of 1 byte cuts every multi-byte character.
    for (const chunk of [1, 2, 5, 7, 64, file.length, file.length + 1]) {
      calls.length = 0;
      const c = new PgauditCollector({ fold: true });
      await readServerLog(query, { name: 'postgresql.csv', modified: at('2026-11-21T09:00:01Z') }, c, '--log', chunk);
      expect(c.events.map((e) => [e.user, e.columns]), `chunk ${chunk}`).toEqual([
        ['zoë', ['full_name', 'mrn']],
        ['erin', ['ssn']],
      ]);
      expect(calls.length).toBe(Math.floor(file.length / chunk) + 1);
      expect(calls[0][0]).toBe('postgresql.csv');
    }
  });
});

describe('rbac usage --log on the embedded demo', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await exampleConfig('rbac-i14-usage-logs-');
    expect((await cli(dir, ['apply', '--auto-approve'])).code).toBe(0);
    // The demo's ehr is PGlite's database `postgres`. Two rotated files in logs/, one more elsewhere.
    await mkdir(join(dir, 'logs'));
    await writeFile(join(dir, 'logs', 'postgresql-1.csv'), line('2026-11-20 09:00:00.000', 'erin', 'postgres', 'clinical.patients', 'select mrn from clinical.patients') + '\n');
    await writeFile(join(dir, 'logs', 'postgresql-2.csv'), line('2026-11-21 09:00:00.000', 'erin', 'postgres', 'clinical.patients', 'select mrn, ssn from clinical.patients') + '\n');
    await writeFile(join(dir, 'other.csv'), line('2026-11-22 09:00:00.000', 'erin', 'postgres', 'clinical.patients', 'select full_name from clinical.patients') + '\n');
  });
  afterAll(() => removeDir(dir));

  it('reads every file of a directory and a second --log file', async () => {
    const r = await cli(dir, ['usage', '--since', '2026-11-01T00:00:00Z', '--log', 'logs', '--log', 'other.csv', '--format', 'json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const erin = JSON.parse(r.out).reads.filter((x: { user: string }) => x.user === 'erin');
    expect(erin).toEqual([
      { user: 'erin', column: 'ehr.clinical.patients.full_name', category: 'name', count: 1, last: '2026-11-22T09:00:00.000Z' },
      { user: 'erin', column: 'ehr.clinical.patients.mrn', category: 'medical_record_number', count: 2, last: '2026-11-21T09:00:00.000Z' },
      { user: 'erin', column: 'ehr.clinical.patients.ssn', category: 'ssn', count: 1, last: '2026-11-21T09:00:00.000Z' },
    ]);
  });

  it('rbac review --usage-log takes a directory too', async () => {
    const r = await cli(dir, ['review', '--usage', '--since', '2026-11-01T00:00:00Z', '--usage-log', 'logs']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/\| erin \| ehr\.clinical\.patients\.mrn \| medical_record_number \| 2 \| 2026-11-21T09:00:00\.000Z \|/);
  });
});
