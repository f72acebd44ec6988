/**
 * CSV as RFC 4180 writes it: comma-separated fields, optional double quotes
 * around a field, "" for a quote inside quotes, CRLF or LF line ends. Bounded:
 * a field, a row's field count and the number of rows all have caps, and a
 * problem names its line.
 */

export interface CsvLimits {
  /** Longest field in characters (default 10,000). */
  maxFieldChars: number;
  /** Most fields in a row (default 200). */
  maxFields: number;
  /** Most rows, the header included (default 1,000,000). */
  maxRows: number;
}

export const DEFAULT_CSV_LIMITS: CsvLimits = { maxFieldChars: 10_000, maxFields: 200, maxRows: 1_000_000 };

/** A malformed or oversized CSV; `line` is 1-based. */
export class CsvError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvError';
    this.line = line;
  }
}

export interface CsvRow {
  /** The 1-based line where the row starts. */
  line: number;
  fields: string[];
}

/** Parses all rows (header included). Blank lines are skipped; a final line end is optional. */
export function parseCsv(text: string, limits: Partial<CsvLimits> = {}): CsvRow[] {
  const { maxFieldChars, maxFields, maxRows } = { ...DEFAULT_CSV_LIMITS, ...limits };
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let quoted = false;
  let afterQuote = false;
  let i = 0;

  const pushField = (): void => {
    if (fields.length >= maxFields) throw new CsvError(rowLine, `more than ${maxFields} fields in one row`);
    fields.push(field);
    field = '';
    afterQuote = false;
  };
  const pushRow = (): void => {
    pushField();
    const blank = fields.length === 1 && fields[0] === '';
    if (!blank) {
      if (rows.length >= maxRows) throw new CsvError(rowLine, `more than ${maxRows} rows`);
      rows.push({ line: rowLine, fields });
    }
    fields = [];
  };

  while (i < text.length) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else {
          quoted = false;
          afterQuote = true;
          i += 1;
        }
        continue;
      }
      if (ch === '\n') line += 1;
      field += ch;
      if (field.length > maxFieldChars) throw new CsvError(rowLine, `a field is longer than ${maxFieldChars} characters`);
      i += 1;
      continue;
    }
    if (ch === ',') {
      pushField();
      i += 1;
    } else if (ch === '\n' || ch === '\r') {
      pushRow();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line += 1;
      rowLine = line;
    } else if (ch === '"') {
      if (field !== '' || afterQuote) throw new CsvError(line, 'a double quote in the middle of an unquoted field (quote the whole field)');
      quoted = true;
      i += 1;
    } else {
      if (afterQuote) throw new CsvError(line, 'text after a closing double quote (expected a comma or a line end)');
      field += ch;
      if (field.length > maxFieldChars) throw new CsvError(rowLine, `a field is longer than ${maxFieldChars} characters`);
      i += 1;
    }
  }
  if (quoted) throw new CsvError(rowLine, 'a quoted field is never closed (a double quote is missing)');
  if (field !== '' || fields.length > 0 || afterQuote) pushRow();
  return rows;
}
