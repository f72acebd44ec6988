/**
 * Rebuilds adult.csv.gz from the two original UCI Adult files.
 *
 *   node labs/capstone/solution/data/regenerate.ts --data DIR/adult.data --test DIR/adult.test [--out FILE]
 *
 * DATASET.md says where the two files come from and how to get them from a
 * package registry. The inputs are checked against their known SHA-256 first,
 * so a different copy (a re-encoded or cleaned one) is refused instead of
 * quietly giving a different data set.
 *
 * What changes, and only this: one header row with snake_case names; the
 * ", " separators become ","; the "?" of a missing value becomes an empty
 * field; the test file's first line ("|1x3 Cross validator") and blank lines
 * are dropped; the test file's labels lose their trailing "." (">50K." ->
 * ">50K"). Rows keep their order: the 32,561 rows of adult.data, then the
 * 16,281 of adult.test.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

export const SOURCE_SHA256 = {
  data: '5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d',
  test: 'a2a9044bc167a35b2361efbabec64e89d69ce82d9790d2980119aac5fd7e9c05',
} as const;

export const HEADER = [
  'age',
  'workclass',
  'fnlwgt',
  'education',
  'education_num',
  'marital_status',
  'occupation',
  'relationship',
  'race',
  'sex',
  'capital_gain',
  'capital_loss',
  'hours_per_week',
  'native_country',
  'income',
] as const;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The rows of one original file as CSV lines (no header). */
export function convertUciFile(text: string, fileName: string): string[] {
  const lines: string[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('|')) return;
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length !== HEADER.length) {
      throw new Error(`${fileName} line ${index + 1}: expected ${HEADER.length} fields, found ${fields.length}`);
    }
    const cleaned = fields.map((f, i) => {
      if (f === '?') return '';
      if (i === HEADER.length - 1) return f.replace(/\.$/, '');
      if (/[",\r\n]/.test(f)) throw new Error(`${fileName} line ${index + 1}: field ${HEADER[i]} needs quoting: ${f}`);
      return f;
    });
    lines.push(cleaned.join(','));
  });
  return lines;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      test: { type: 'string' },
      out: { type: 'string', default: join(dirname(fileURLToPath(import.meta.url)), 'adult.csv.gz') },
    },
  });
  if (!values.data || !values.test) {
    throw new Error('usage: node regenerate.ts --data PATH/adult.data --test PATH/adult.test [--out FILE]');
  }
  const inputs = { data: await readFile(values.data), test: await readFile(values.test) };
  for (const key of ['data', 'test'] as const) {
    const actual = sha256(inputs[key]);
    if (actual !== SOURCE_SHA256[key]) {
      throw new Error(`adult.${key} has SHA-256 ${actual}, expected ${SOURCE_SHA256[key]}: not the original UCI file`);
    }
  }
  const rows = [
    ...convertUciFile(inputs.data.toString('utf8'), 'adult.data'),
    ...convertUciFile(inputs.test.toString('utf8'), 'adult.test'),
  ];
  const csv = Buffer.from(`${HEADER.join(',')}\n${rows.join('\n')}\n`, 'utf8');
  // gzip level 9 with no file name and mtime 0 (Node's default): the same input gives the same bytes.
  const gz = gzipSync(csv, { level: 9 });
  await writeFile(values.out, gz);
  process.stdout.write(
    `${JSON.stringify({ out: values.out, rows: rows.length, csvBytes: csv.length, csvSha256: sha256(csv), gzBytes: gz.length, gzSha256: sha256(gz) }, null, 2)}\n`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
