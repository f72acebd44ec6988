import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv } from './csv.ts';

describe('parseCsv', () => {
  it('returns fields with their line numbers, skipping blank lines', () => {
    expect(parseCsv('a,b\n1,2\n\n3,4\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
      { line: 4, fields: ['3', '4'] },
    ]);
  });

  it('reads quoted fields with commas, doubled quotes, line breaks and CRLF line ends', () => {
    const rows = parseCsv('name,note\r\n"Smith, J","said ""hi"""\r\n"two\nlines",x\r\nlast,');
    expect(rows.map((r) => r.fields)).toEqual([
      ['name', 'note'],
      ['Smith, J', 'said "hi"'],
      ['two\nlines', 'x'],
      ['last', ''],
    ]);
    expect(rows[3]?.line).toBe(5);
  });

  it('errors with the line of an unclosed quote', () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3\n')).toThrow(new CsvError(2, 'a quoted field is never closed (a double quote is missing)'));
  });

  it('errors on a quote inside an unquoted field and on text after a closing quote', () => {
    expect(() => parseCsv('a,b\n1,x"y\n')).toThrow(/line 2: a double quote in the middle of an unquoted field/);
    expect(() => parseCsv('a,b\n1,"x"y\n')).toThrow(/line 2: text after a closing double quote/);
  });

  it('errors when a field, a row or the file is over its cap', () => {
    expect(() => parseCsv(`a\n${'x'.repeat(50)}\n`, { maxFieldChars: 10 })).toThrow(/line 2: a field is longer than 10 characters/);
    expect(() => parseCsv(`"${'x'.repeat(50)}"`, { maxFieldChars: 10 })).toThrow(/longer than 10/);
    expect(() => parseCsv('1,2,3,4\n', { maxFields: 3 })).toThrow(/line 1: more than 3 fields/);
    expect(() => parseCsv('a\n1\n2\n3\n', { maxRows: 3 })).toThrow(/line 4: more than 3 rows/);
  });
});
