/**
 * The HR roster: a CSV export with a header row. The user column is the first of
 * `user`, `username`, `login`, `account`, `user_name`, `name` (case-insensitive), else
 * the first column. When a `status` column exists, rows whose status says the person
 * left (terminated, inactive, left, leaver, disabled, separated) do not count as on
 * the roster. Names are compared case-insensitively with the platform's users.
 */
import { RbacError } from '../model/errors.js';

/** Active people on the roster, by platform user name. */
export interface Roster {
  /** Base name of the roster file, for the report (never a full path). */
  file?: string;
  users: string[];
}

const USER_COLUMNS = ['user', 'username', 'login', 'account', 'user_name', 'name'];
const GONE = new Set(['terminated', 'inactive', 'left', 'leaver', 'disabled', 'separated']);

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
  const users: string[] = [];
  for (const r of rows.slice(1)) {
    const u = (r[col] ?? '').trim();
    if (!u) continue;
    if (status >= 0 && GONE.has((r[status] ?? '').trim().toLowerCase())) continue;
    users.push(u);
  }
  return { file, users: [...new Set(users)] };
}
