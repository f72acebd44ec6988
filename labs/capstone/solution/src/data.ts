/**
 * The Adult census data set: reading the shipped gzipped CSV, validating each
 * row with zod, and the seeded stratified train/validation/test split.
 */
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { CsvError, parseCsv } from './csv.ts';
import { FileReadError, readFileCapped } from './files.ts';
import { seededRandom, shuffled } from './random.ts';

/** The data set shipped with the reference system. */
export const DEFAULT_DATASET = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'adult.csv.gz');

/** Largest compressed file read (bytes). */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
/** Largest decompressed CSV (bytes): a gzip bomb stops here. */
export const MAX_CSV_BYTES = 100 * 1024 * 1024;
/** Row problems listed in one error before "and N more". */
const MAX_LISTED_PROBLEMS = 5;

export const NUMERIC_COLUMNS = ['age', 'fnlwgt', 'education_num', 'capital_gain', 'capital_loss', 'hours_per_week'] as const;
export const CATEGORICAL_COLUMNS = [
  'workclass',
  'education',
  'marital_status',
  'occupation',
  'relationship',
  'race',
  'sex',
  'native_country',
] as const;
export const LABEL_COLUMN = 'income';
/** Every column, in the shipped file's order. */
export const COLUMNS = [
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
  LABEL_COLUMN,
] as const;

export type NumericColumn = (typeof NUMERIC_COLUMNS)[number];
export type CategoricalColumn = (typeof CATEGORICAL_COLUMNS)[number];

/** Why the data could not be used; `code` is stable, `message` names the file and line. */
export class DatasetError extends Error {
  readonly code:
    | 'DATASET_UNREADABLE'
    | 'DATASET_TOO_LARGE'
    | 'DATASET_NOT_GZIP'
    | 'DATASET_BAD_CSV'
    | 'DATASET_BAD_HEADER'
    | 'DATASET_BAD_ROWS'
    | 'DATASET_TOO_SMALL';
  constructor(code: DatasetError['code'], message: string) {
    super(message);
    this.name = 'DatasetError';
    this.code = code;
  }
}

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d{1,12}$/, { message: 'expected a whole number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { message: `expected at least ${min}` })
        .max(max, { message: `expected at most ${max}` }),
    );

/** Empty or "?" is a missing value (null); anything else is kept, trimmed. */
const category = z
  .string()
  .max(100, { message: 'longer than 100 characters' })
  .transform((s) => s.trim())
  .transform((s) => (s === '' || s === '?' ? null : s));

/** One person in the census extract, as the features need it. */
export const adultRowSchema = z.object({
  age: wholeNumber(0, 120),
  fnlwgt: wholeNumber(0, 100_000_000),
  education_num: wholeNumber(0, 30),
  capital_gain: wholeNumber(0, 10_000_000),
  capital_loss: wholeNumber(0, 10_000_000),
  hours_per_week: wholeNumber(0, 168),
  workclass: category,
  education: category,
  marital_status: category,
  occupation: category,
  relationship: category,
  race: category,
  sex: category,
  native_country: category,
  income: z
    .string()
    .transform((s) => s.trim().replace(/\.$/, ''))
    .pipe(z.enum(['<=50K', '>50K'], { message: 'expected "<=50K" or ">50K"' })),
});

export type AdultRow = z.output<typeof adultRowSchema>;
/** A row as a caller may send it for prediction: the label is not needed. */
export type FeatureRow = Omit<AdultRow, 'income'>;

export interface Dataset {
  rows: AdultRow[];
  /** 1 when income is ">50K". */
  labels: number[];
  /** SHA-256 of the decompressed CSV text: names exactly what was trained on. */
  sha256: string;
  source: string;
}

async function readDataFile(path: string): Promise<Buffer> {
  try {
    return await readFileCapped(path, MAX_FILE_BYTES);
  } catch (error) {
    if (!(error instanceof FileReadError)) throw error;
    throw new DatasetError(error.kind === 'too-large' ? 'DATASET_TOO_LARGE' : 'DATASET_UNREADABLE', error.message);
  }
}

/** Decompresses a .gz file (capped) or returns plain bytes for a .csv. */
function decode(path: string, bytes: Buffer): string {
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (path.endsWith('.gz') && !gzipped) throw new DatasetError('DATASET_NOT_GZIP', `${path} ends in .gz but is not gzip data`);
  if (!gzipped) return bytes.toString('utf8');
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_CSV_BYTES }).toString('utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || /Cannot create a Buffer larger|maxOutputLength/i.test(String(error))) {
      throw new DatasetError('DATASET_TOO_LARGE', `${path} decompresses to more than ${MAX_CSV_BYTES} bytes`);
    }
    throw new DatasetError('DATASET_NOT_GZIP', `${path} is damaged gzip data: ${(error as Error).message}`);
  }
}

/** Validated rows from CSV text whose header names every column in {@link COLUMNS} (any order, extras ignored). */
export function parseAdultCsv(text: string, source = 'the CSV'): Omit<Dataset, 'sha256' | 'source'> {
  let parsed;
  try {
    parsed = parseCsv(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    if (error instanceof CsvError) throw new DatasetError('DATASET_BAD_CSV', `${source} ${error.message}`);
    throw error;
  }
  const [header, ...body] = parsed;
  if (!header) throw new DatasetError('DATASET_TOO_SMALL', `${source} is empty: expected a header row and data rows`);
  const names = header.fields.map((f) => f.trim());
  const missing = COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    throw new DatasetError(
      'DATASET_BAD_HEADER',
      `${source} header lacks column(s) ${missing.join(', ')}; found: ${names.slice(0, 20).join(', ') || '(nothing)'}`,
    );
  }
  const index = Object.fromEntries(COLUMNS.map((c) => [c, names.indexOf(c)]));
  const rows: AdultRow[] = [];
  const problems: string[] = [];
  let problemCount = 0;
  for (const { line, fields } of body) {
    if (fields.length !== names.length) {
      problemCount += 1;
      if (problems.length < MAX_LISTED_PROBLEMS) problems.push(`line ${line}: expected ${names.length} fields, found ${fields.length}`);
      continue;
    }
    const record = Object.fromEntries(COLUMNS.map((c) => [c, fields[index[c] as number] ?? '']));
    const result = adultRowSchema.safeParse(record);
    if (result.success) {
      rows.push(result.data);
      continue;
    }
    problemCount += 1;
    if (problems.length < MAX_LISTED_PROBLEMS) {
      const issue = result.error.issues[0];
      const column = String(issue?.path[0] ?? '?');
      problems.push(
        `line ${line}: ${column}: ${issue?.message ?? 'invalid'} (got ${JSON.stringify(String(record[column] ?? '').slice(0, 40))})`,
      );
    }
  }
  if (problemCount > 0) {
    const more = problemCount > problems.length ? `; and ${problemCount - problems.length} more` : '';
    throw new DatasetError('DATASET_BAD_ROWS', `${source}: ${problemCount} bad row(s): ${problems.join('; ')}${more}`);
  }
  const labels = rows.map((r) => (r.income === '>50K' ? 1 : 0));
  const positives = labels.reduce<number>((a, b) => a + b, 0);
  if (rows.length < 20 || positives < 5 || rows.length - positives < 5) {
    throw new DatasetError(
      'DATASET_TOO_SMALL',
      `${source} has ${rows.length} rows (${positives} with ">50K"): at least 20 rows and 5 of each class are needed to split and train`,
    );
  }
  return { rows, labels };
}

/** Loads and validates the data set (default: the shipped adult.csv.gz). */
export async function loadDataset(path: string = DEFAULT_DATASET): Promise<Dataset> {
  const bytes = await readDataFile(path);
  const text = decode(path, bytes);
  const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  return { ...parseAdultCsv(text, path), sha256, source: path };
}

export interface SplitFractions {
  validation: number;
  test: number;
}

export interface Split {
  train: number[];
  validation: number[];
  test: number[];
}

/**
 * Row indices split per class (stratified), so each part keeps the data's share
 * of ">50K". The same seed and labels always give the same split.
 */
export function stratifiedSplit(
  labels: readonly number[],
  seed: number,
  fractions: SplitFractions = { validation: 0.15, test: 0.15 },
): Split {
  if (!(fractions.validation > 0 && fractions.test > 0 && fractions.validation + fractions.test < 1)) {
    throw new RangeError('validation and test fractions must be above 0 and sum to less than 1');
  }
  const random = seededRandom(seed);
  const split: Split = { train: [], validation: [], test: [] };
  for (const cls of [0, 1]) {
    const members = shuffled(
      labels.flatMap((label, i) => (label === cls ? [i] : [])),
      random,
    );
    const nTest = Math.round(members.length * fractions.test);
    const nValidation = Math.round(members.length * fractions.validation);
    split.test.push(...members.slice(0, nTest));
    split.validation.push(...members.slice(nTest, nTest + nValidation));
    split.train.push(...members.slice(nTest + nValidation));
  }
  for (const part of [split.train, split.validation, split.test]) part.sort((a, b) => a - b);
  return split;
}

/** A seeded sample of about `size` row indices with the data's class balance (sorted). */
export function stratifiedSample(labels: readonly number[], size: number, seed: number): number[] {
  if (size >= labels.length) return labels.map((_, i) => i);
  const random = seededRandom(seed);
  const fraction = size / labels.length;
  const picked: number[] = [];
  for (const cls of [0, 1]) {
    const members = shuffled(
      labels.flatMap((label, i) => (label === cls ? [i] : [])),
      random,
    );
    picked.push(...members.slice(0, Math.round(members.length * fraction)));
  }
  return picked.sort((a, b) => a - b);
}
