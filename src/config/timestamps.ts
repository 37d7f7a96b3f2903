/**
 * ISO-8601 timestamps with a zone, as the configuration writes them (`until:`,
 * `since:`). The schema's pattern checks the shape; this checks the date exists
 * (no 2026-02-30, no hour 25) and normalizes to UTC.
 */
const SHAPE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2}))$/;

/** The instant as a UTC ISO string (`2026-12-03T18:00:00.000Z`), or undefined when it is not a real time with a zone. */
export function parseTimestamp(text: string): string | undefined {
  const m = SHAPE.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number);
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const local = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Date.UTC rolls 02-30 over into March: a date that does not exist comes back changed.
  if (new Date(local).getUTCDate() !== d) return undefined;
  let offset = 0;
  if (m[8] !== 'Z') {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offset = (m[9] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return new Date(local - offset).toISOString();
}
