/**
 * RFC 4180 records: fields separated by commas, a quoted field may hold commas, doubled
 * quotes and newlines. PostgreSQL's csvlog and pgaudit's message body are written this
 * way.
 *
 * `CsvParser` takes the text in pieces of any size (a record, a quote pair or a CRLF may
 * straddle two pieces), so a log of any length is read holding one record at a time;
 * `csvRecords` is the same over one string.
 */
export class CsvParser {
  private field = '';
  private rec: string[] = [];
  private quoted = false;
  /** In a quoted field, a `"` was the last character seen: a doubled quote or the field's end. */
  private quoteSeen = false;
  private any = false;

  /** The records completed by this piece of text. */
  *push(text: string): Generator<string[]> {
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (this.quoteSeen) {
        this.quoteSeen = false;
        if (ch === '"') {
          this.field += '"';
          continue;
        }
        this.quoted = false;
      }
      if (this.quoted) {
        // Copy the run of quoted text up to the next quote in one go.
        const q = text.indexOf('"', i);
        if (q === -1) {
          this.field += text.slice(i);
          i = text.length;
          break;
        }
        this.field += text.slice(i, q);
        i = q;
        this.quoteSeen = true;
        continue;
      }
      if (ch === '"') {
        this.quoted = true;
        this.any = true;
      } else if (ch === ',') {
        this.rec.push(this.field);
        this.field = '';
        this.any = true;
      } else if (ch === '\n' || ch === '\r') {
        // A CRLF split across two pieces ends the record at the CR; the LF then ends an empty line, which is skipped.
        if (ch === '\r' && text[i + 1] === '\n') i++;
        const r = this.take();
        if (r) yield r;
      } else {
        this.field += ch;
        this.any = true;
      }
    }
  }

  /** The last record, when the text does not end with a newline. */
  *end(): Generator<string[]> {
    this.quoteSeen = false;
    this.quoted = false;
    const r = this.take();
    if (r) yield r;
  }

  private take(): string[] | undefined {
    let out: string[] | undefined;
    if (this.any || this.field !== '') {
      this.rec.push(this.field);
      out = this.rec;
    }
    this.rec = [];
    this.field = '';
    this.any = false;
    return out;
  }
}

/** The records of one whole text. */
export function* csvRecords(text: string): Generator<string[]> {
  const p = new CsvParser();
  yield* p.push(text);
  yield* p.end();
}
