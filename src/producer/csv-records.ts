/**
 * Splits CSV text into records (RFC 4180: quoted fields, "" escapes, commas and line breaks inside
 * quotes, CRLF or LF). Each record keeps the line it starts on and its raw text, so a bad row can be
 * reported, and sent to a dead-letter queue, as it was written.
 */

export interface CsvRecord {
  /** 1-based line the record starts on. */
  readonly line: number;
  readonly raw: string;
  /** Field values, trimmed. */
  readonly fields: readonly string[];
  /** Set when the record cannot be read as fields, e.g. an unterminated quote. */
  readonly problem?: string;
}

/** Records of the text, blank lines left out (their line numbers still count). */
export function splitCsvRecords(text: string): CsvRecord[] {
  const input = text.startsWith('\ufeff') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  const n = input.length;
  let i = 0;
  let line = 1;

  while (i < n) {
    const startLine = line;
    const start = i;
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let atFieldStart = true;
    let problem: string | undefined;
    let end: number;

    for (;;) {
      if (i >= n) {
        if (quoted) problem = 'has a quoted field that is never closed';
        fields.push(field);
        end = n;
        break;
      }
      const c = input[i]!;
      if (quoted) {
        if (c === '"') {
          if (input[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            quoted = false;
            i += 1;
          }
          continue;
        }
        if (c === '\n' || (c === '\r' && input[i + 1] !== '\n')) line += 1;
        field += c;
        i += 1;
        continue;
      }
      if (c === '"' && atFieldStart) {
        quoted = true;
        atFieldStart = false;
        i += 1;
        continue;
      }
      if (c === ',') {
        fields.push(field);
        field = '';
        atFieldStart = true;
        i += 1;
        continue;
      }
      if (c === '\r' || c === '\n') {
        fields.push(field);
        end = i;
        i += c === '\r' && input[i + 1] === '\n' ? 2 : 1;
        line += 1;
        break;
      }
      if (!(atFieldStart && (c === ' ' || c === '\t'))) atFieldStart = false;
      field += c;
      i += 1;
    }

    const raw = input.slice(start, end);
    if (raw.trim() === '') continue;
    const trimmed = fields.map((f) => f.trim());
    records.push(problem ? { line: startLine, raw, fields: trimmed, problem } : { line: startLine, raw, fields: trimmed });
  }
  return records;
}
