/**
 * RFC 4180 records: fields separated by commas, a quoted field may hold commas, doubled
 * quotes and newlines. PostgreSQL's csvlog and pgaudit's message body are written this
 * way. Yields one string array per record.
 */
export function* csvRecords(text: string): Generator<string[]> {
  let field = '';
  let rec: string[] = [];
  let quoted = false;
  let i = 0;
  let any = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      quoted = true;
      any = true;
    } else if (ch === ',') {
      rec.push(field);
      field = '';
      any = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      if (any || field !== '') {
        rec.push(field);
        yield rec;
      }
      rec = [];
      field = '';
      any = false;
    } else {
      field += ch;
      any = true;
    }
    i++;
  }
  if (any || field !== '') {
    rec.push(field);
    yield rec;
  }
}
