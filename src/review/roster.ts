/**
 * The HR roster: a CSV export with a header row. The user column is the first of
 * `user`, `username`, `login`, `account`, `user_name`, `name` (case-insensitive), else
 * the first column. A row says the person left when its `status` column says so
 * (terminated, inactive, left, leaver, disabled, separated) or when a `terminated`
 * (or `terminated_on`, `termination_date`) column holds a date: such people are not
 * on the roster, they are listed in `terminated` with that date, and the review says
 * "terminated: remove now". A file without either column reads as before. Names are
 * compared case-insensitively with the platform's users.
 */
import { RbacError } from '../model/errors.js';

/** Active people on the roster, by platform user name. */
export interface Roster {
  /** Base name of the roster file, for the report (never a full path). */
  file?: string;
  users: string[];
  /** People the roster marks as gone, with the date when it gives one. Absent in v0.1 callers. */
  terminated?: { user: string; date?: string }[];
}

const USER_COLUMNS = ['user', 'username', 'login', 'account', 'user_name', 'name'];
const GONE = new Set(['terminated', 'inactive', 'left', 'leaver', 'disabled', 'separated']);
const DATE_COLUMNS = ['terminated', 'terminated_on', 'termination_date'];
/** Values of a `terminated` column that mean "not terminated". */
const NOT_GONE = new Set(['', 'no', 'false', 'n', '0', '-']);

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const src = text.replace(/^\uFEFF/, '');
  while (i < src.length) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
    i++;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

export function parseRoster(text: string, file?: string): Roster {
  const rows = parseCsv(text);
  if (rows.length === 0) throw new RbacError('USAGE', `the roster${file ? ` ${file}` : ''} is empty`, 'export it from the HR system with a header row');
  const header = rows[0].map((h) => h.trim().toLowerCase());
  let col = USER_COLUMNS.map((c) => header.indexOf(c)).find((i) => i >= 0) ?? 0;
  if (col < 0) col = 0;
  const status = header.indexOf('status');
  const dateCol = DATE_COLUMNS.map((c) => header.indexOf(c)).find((i) => i >= 0) ?? -1;
  const users: string[] = [];
  const terminated = new Map<string, string | undefined>();
  for (const r of rows.slice(1)) {
    const u = (r[col] ?? '').trim();
    if (!u) continue;
    const when = dateCol >= 0 ? (r[dateCol] ?? '').trim() : '';
    const byStatus = status >= 0 && GONE.has((r[status] ?? '').trim().toLowerCase());
    const byDate = !NOT_GONE.has(when.toLowerCase());
    if (byStatus || byDate) {
      // `terminated: yes` is a mark, not a date
      const date = byDate && !['yes', 'true', 'y', '1'].includes(when.toLowerCase()) ? when : undefined;
      terminated.set(u, date ?? terminated.get(u));
      continue;
    }
    users.push(u);
  }
  const active = new Set(users.map((u) => u.toLowerCase()));
  // Someone listed both as active and as gone (a rehire) counts as active.
  const gone = [...terminated].filter(([u]) => !active.has(u.toLowerCase())).map(([user, date]) => (date ? { user, date } : { user }));
  return { file, users: [...new Set(users)], terminated: gone };
}
