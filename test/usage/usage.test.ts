import { describe, expect, it } from 'vitest';
import { parsePgauditCsv, statementColumns } from '../../src/usage/pgaudit.js';
import { parseAccessHistory } from '../../src/usage/snowflake.js';
import { parseColumnLineage } from '../../src/usage/databricks.js';
import { buildUsage, renderUsageCsv, renderUsageText } from '../../src/usage/report.js';

// Recorded shape: csvlog line of PostgreSQL 15 with a pgaudit SESSION READ entry (message field 14).
const csvlog = [
  '2026-12-01 10:00:00.123 UTC,"alice","ehr",123,"127.0.0.1:5000",abc.1,1,"SELECT",2026-12-01 09:59:00 UTC,3/4,0,LOG,00000,"AUDIT: SESSION,1,1,READ,SELECT,TABLE,clinical.patients,""select mrn, first_name from clinical.patients where id = 1"",<not logged>",,,,,,,,,"psql","client backend",,0',
  '2026-12-01 10:05:00.000 UTC,"bob","ehr",124,"127.0.0.1:5001",abc.2,1,"SELECT",2026-12-01 09:59:00 UTC,3/5,0,LOG,00000,"AUDIT: SESSION,1,1,READ,SELECT,TABLE,clinical.patients,""select *\nfrom clinical.patients"",<not logged>",,,,,,,,,"psql","client backend",,0',
  '2026-12-01 10:06:00.000 UTC,"bob","ehr",124,"127.0.0.1:5001",abc.2,2,"idle",2026-12-01 09:59:00 UTC,3/5,0,ERROR,42P01,"relation ""nope"" does not exist",,,,,,,,,"psql","client backend",,0',
  '2026-11-01 10:00:00.000 UTC,"carol","ehr",125,"127.0.0.1:5002",abc.3,1,"SELECT",2026-11-01 09:59:00 UTC,3/6,0,LOG,00000,"AUDIT: SESSION,1,1,READ,SELECT,TABLE,clinical.patients,""select ssn from clinical.patients"",<not logged>",,,,,,,,,"psql","client backend",,0',
].join('\n');

describe('pgaudit csvlog', () => {
  it('reads READ lines with the columns of the statement, skips other lines and lines before since', () => {
    const ev = parsePgauditCsv(csvlog, { since: new Date('2026-11-15T00:00:00Z') });
    expect(ev).toEqual([
      { user: 'alice', time: '2026-12-01T10:00:00.123Z', table: ['ehr', 'clinical', 'patients'], columns: ['first_name', 'id', 'mrn'] },
      { user: 'bob', time: '2026-12-01T10:05:00.000Z', table: ['ehr', 'clinical', 'patients'], columns: 'unknown' },
    ]);
  });
  it("a read through rbac's masking view is the view's read: the base TABLE line pgaudit adds is not the user's", () => {
    const line = (user: string, type: string, object: string, statement: string) =>
      `2026-12-01 11:00:00.000 UTC,"${user}","ehr",126,"127.0.0.1:5003",abc.4,1,"SELECT",2026-12-01 10:59:00 UTC,3/7,0,LOG,00000,"AUDIT: SESSION,1,1,READ,SELECT,${type},${object},""${statement}"",<not logged>",,,,,,,,,"psql","client backend",,0`;
    const view = 'select mrn from clinical.patients_masked';
    const log = [line('dave', 'VIEW', 'clinical.patients_masked', view), line('dave', 'TABLE', 'clinical.patients', view)].join('\n');
    expect(parsePgauditCsv(log)).toEqual([{ user: 'dave', time: '2026-12-01T11:00:00.000Z', table: ['ehr', 'clinical', 'patients_masked'], columns: ['mrn'] }]);
    // A statement that names the table itself (a join of both, or the table alone) is a read of the table.
    const both = 'select p.mrn from clinical.patients p join clinical.patients_masked m using (patient_id)';
    expect(parsePgauditCsv(line('erin', 'TABLE', 'clinical.patients', both)).map((e) => e.table[2])).toEqual(['patients']);
    // Unqualified names count the same; an unparsable text keeps the table read (never a false "unused").
    expect(parsePgauditCsv(line('dave', 'TABLE', 'clinical.patients', 'select mrn from patients_masked'))).toEqual([]);
    expect(parsePgauditCsv(line('dave', 'TABLE', 'clinical.patients', 'select mrn from patients_masked where ('))).toHaveLength(1);
  });

  it('an unparsable statement is an unknown read, not an error', () => {
    expect(statementColumns('select from where (')).toBe('unknown');
    expect(statementColumns('select p.dob from clinical.patients p')).toEqual(['dob']);
  });
});

describe('Snowflake ACCESS_HISTORY', () => {
  it('reads base_objects_accessed tables and columns, not functions', () => {
    const rows = [
      {
        QUERY_START_TIME: '2026-12-01T10:00:00.000Z',
        USER_NAME: 'JSMITH',
        BASE_OBJECTS_ACCESSED: JSON.stringify([
          { objectDomain: 'FUNCTION', objectName: 'GOVERNANCE.FUNCTIONS.RETURN_SUM', objectId: '2', argumentSignature: '(NUM1 NUMBER, NUM2 NUMBER)', dataType: 'NUMBER(38,0)' },
          { columns: [{ columnId: 68610, columnName: 'MRN' }], objectDomain: 'Table', objectId: 66564, objectName: 'EHR.CLINICAL.PATIENTS' },
        ]),
      },
    ];
    expect(parseAccessHistory(rows)).toEqual([{ user: 'JSMITH', time: '2026-12-01T10:00:00.000Z', table: ['EHR', 'CLINICAL', 'PATIENTS'], columns: ['MRN'] }]);
  });
});

describe('Databricks column lineage', () => {
  it('one event per source column', () => {
    const rows = [{ created_by: 'ann@example.org', event_time: '2026-12-01T10:00:00Z', source_table_full_name: 'ehr.clinical.patients', source_column_name: 'dob' }];
    expect(parseColumnLineage(rows)).toEqual([{ user: 'ann@example.org', time: '2026-12-01T10:00:00.000Z', table: ['ehr', 'clinical', 'patients'], columns: ['dob'] }]);
  });
});

describe('usage report', () => {
  it('names readers of PHI columns and granted-but-unread columns', () => {
    const phi = new Map([
      ['ehr.clinical.patients.mrn', 'medical_record_number'],
      ['ehr.clinical.patients.ssn', 'ssn'],
      ['ehr.clinical.patients.first_name', 'name'],
    ]);
    const r = buildUsage({
      phi,
      granted: new Map([
        ['alice', new Set(['ehr.clinical.patients.mrn', 'ehr.clinical.patients.ssn'])],
        ['bob', new Set(['ehr.clinical.patients.ssn'])],
      ]),
      events: parsePgauditCsv(csvlog, { since: new Date('2026-11-15T00:00:00Z') }),
      fold: (s) => s.toLowerCase(),
      since: '2026-11-15T00:00:00Z',
      until: '2026-12-02T00:00:00Z',
    });
    expect(r.reads.map((x) => `${x.user} ${x.column} ${x.count}`)).toEqual([
      'alice ehr.clinical.patients.first_name 1',
      'alice ehr.clinical.patients.mrn 1',
      'bob ehr.clinical.patients.first_name 1',
      'bob ehr.clinical.patients.mrn 1',
      'bob ehr.clinical.patients.ssn 1',
    ]);
    // alice can read ssn and did not: a removal candidate; bob's select * counts as reading it.
    expect(r.unused).toEqual([{ user: 'alice', column: 'ehr.clinical.patients.ssn', category: 'ssn' }]);
    expect(renderUsageText(r)).toContain('alice: ehr.clinical.patients.ssn (ssn)');
  });
});

describe('usage CSV', () => {
  it('one row per user and PHI column, read or unused, with the period; formulas neutralized', () => {
    const csv = renderUsageCsv({
      since: '2026-11-01T00:00:00.000Z',
      until: '2026-12-01T00:00:00.000Z',
      reads: [{ user: 'alice', column: 'ehr.clinical.patients.mrn', category: 'medical_record_number', count: 3, last: '2026-11-20T09:00:00.000Z' }],
      unused: [{ user: '=HYPERLINK("x")', column: 'ehr.clinical.patients.ssn', category: 'ssn' }],
    });
    expect(csv.split('\r\n')).toEqual([
      'user,column,category,status,reads,last_read,period_start,period_end',
      'alice,ehr.clinical.patients.mrn,medical_record_number,read,3,2026-11-20T09:00:00.000Z,2026-11-01T00:00:00.000Z,2026-12-01T00:00:00.000Z',
      `"'=HYPERLINK(""x"")",ehr.clinical.patients.ssn,ssn,unused,0,,2026-11-01T00:00:00.000Z,2026-12-01T00:00:00.000Z`,
      '',
    ]);
  });
});
