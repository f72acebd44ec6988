import { mkdtemp, mkdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER as UCI_HEADER, convertUciFile } from '../data/regenerate.ts';
import {
  COLUMNS,
  DatasetError,
  MAX_CSV_BYTES,
  MAX_FILE_BYTES,
  loadDataset,
  parseAdultCsv,
  stratifiedSample,
  stratifiedSplit,
  type Dataset,
} from './data.ts';

/** The SHA-256 of the decompressed CSV, as DATASET.md states it. */
const SHIPPED_SHA256 = '9479f8b76861e48c66836d97937f2c5a469581672e12c795d770b297817ae3a1';

const HEADER =
  'age,workclass,fnlwgt,education,education_num,marital_status,occupation,relationship,race,sex,capital_gain,capital_loss,hours_per_week,native_country,income';
const GOOD = '39,State-gov,77516,Bachelors,13,Never-married,Adm-clerical,Not-in-family,White,Male,2174,0,40,United-States,<=50K';
const RICH = '52,Self-emp-inc,287927,HS-grad,9,Married-civ-spouse,Exec-managerial,Wife,White,Female,15024,0,40,United-States,>50K';
const csvOf = (...rows: string[]): string => `${HEADER}\n${rows.join('\n')}\n`;
const enough = (extra: string[] = []): string => csvOf(...Array(12).fill(GOOD), ...Array(8).fill(RICH), ...extra);

function datasetError(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DatasetError) return error;
    throw error;
  }
  throw new Error('expected a DatasetError');
}

describe('loadDataset', () => {
  let shipped: Dataset;
  let dir: string;
  beforeAll(async () => {
    shipped = await loadDataset();
    dir = await mkdtemp(join(tmpdir(), 'capstone-data-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns all 48,842 Adult rows of the shipped file with the SHA-256 that DATASET.md states', () => {
    expect(shipped.rows).toHaveLength(48_842);
    expect(shipped.labels.filter((y) => y === 1)).toHaveLength(11_687);
    expect(shipped.sha256).toBe(SHIPPED_SHA256);
    expect(shipped.rows[0]).toMatchObject({ age: 39, workclass: 'State-gov', income: '<=50K', capital_gain: 2174 });
    // "?" in the original became an empty field, read as missing.
    expect(shipped.rows.filter((r) => r.occupation === null).length).toBe(2809);
  });

  it('reads a plain .csv as well as a .csv.gz', async () => {
    const plain = join(dir, 'small.csv');
    await writeFile(plain, enough());
    const gz = join(dir, 'small.csv.gz');
    await writeFile(gz, gzipSync(enough()));
    const [a, b] = await Promise.all([loadDataset(plain), loadDataset(gz)]);
    expect(a.rows).toEqual(b.rows);
    expect(a.sha256).toBe(b.sha256);
  });

  it('errors clearly on a missing file, a directory, a .gz that is not gzip, damaged gzip and a gzip bomb', async () => {
    await expect(loadDataset(join(dir, 'nope.csv.gz'))).rejects.toMatchObject({
      code: 'DATASET_UNREADABLE',
      message: expect.stringMatching(/no such file/),
    });
    await mkdir(join(dir, 'folder.csv'));
    await expect(loadDataset(join(dir, 'folder.csv'))).rejects.toMatchObject({
      code: 'DATASET_UNREADABLE',
      message: expect.stringMatching(/not a regular file/),
    });
    await writeFile(join(dir, 'plain.csv.gz'), enough());
    await expect(loadDataset(join(dir, 'plain.csv.gz'))).rejects.toMatchObject({
      code: 'DATASET_NOT_GZIP',
      message: expect.stringMatching(/is not gzip data/),
    });
    await writeFile(join(dir, 'cut.csv.gz'), gzipSync(enough()).subarray(0, 40));
    await expect(loadDataset(join(dir, 'cut.csv.gz'))).rejects.toMatchObject({
      code: 'DATASET_NOT_GZIP',
      message: expect.stringMatching(/damaged gzip/),
    });
    await writeFile(join(dir, 'huge.csv'), '');
    await truncate(join(dir, 'huge.csv'), MAX_FILE_BYTES + 1);
    await expect(loadDataset(join(dir, 'huge.csv'))).rejects.toMatchObject({
      code: 'DATASET_TOO_LARGE',
      message: expect.stringMatching(/the limit is/),
    });
    await writeFile(join(dir, 'bomb.csv.gz'), gzipSync(Buffer.alloc(MAX_CSV_BYTES + 1024, 0x41), { level: 9 }));
    await expect(loadDataset(join(dir, 'bomb.csv.gz'))).rejects.toMatchObject({
      code: 'DATASET_TOO_LARGE',
      message: expect.stringMatching(/decompresses to more than/),
    });
  });
});

describe('parseAdultCsv', () => {
  it('accepts columns in any order and ignores extra ones', () => {
    const names = HEADER.split(',');
    const order = [...names].reverse();
    const flip = (row: string): string => {
      const f = row.split(',');
      return [...order.map((n) => f[names.indexOf(n)]), 'extra'].join(',');
    };
    const text = `${order.join(',')},note\n${[...Array(12).fill(flip(GOOD)), ...Array(8).fill(flip(RICH))].join('\n')}\n`;
    expect(parseAdultCsv(text).rows[0]).toEqual(parseAdultCsv(enough()).rows[0]);
  });

  it('errors naming the missing columns when the header is wrong', () => {
    const error = datasetError(() => parseAdultCsv('age,sex\n1,Male\n', 'people.csv'));
    expect(error.code).toBe('DATASET_BAD_HEADER');
    expect(error.message).toContain('people.csv header lacks column(s) workclass, fnlwgt, education, education_num');
    expect(error.message).toContain('found: age, sex');
  });

  it('errors with the line, the column and the value of each bad row', () => {
    const bad = GOOD.replace(/^39/, 'forty');
    const error = datasetError(() => parseAdultCsv(enough([bad, GOOD.replace('<=50K', 'rich'), '1,2,3']), 'x.csv'));
    expect(error.code).toBe('DATASET_BAD_ROWS');
    expect(error.message).toContain('x.csv: 3 bad row(s)');
    expect(error.message).toContain('line 22: age: expected a whole number (got "forty")');
    expect(error.message).toContain('line 23: income: expected "<=50K" or ">50K" (got "rich")');
    expect(error.message).toContain('line 24: expected 15 fields, found 3');
  });

  it('errors on numbers out of range and on malformed CSV', () => {
    expect(() => parseAdultCsv(enough([GOOD.replace(',40,United', ',400,United')]))).toThrow(/hours_per_week: expected at most 168/);
    expect(() => parseAdultCsv(enough(['"unclosed']))).toThrow(expect.objectContaining({ code: 'DATASET_BAD_CSV' }));
  });

  it('errors when there are too few rows or only one class to learn from', () => {
    expect(datasetError(() => parseAdultCsv('')).code).toBe('DATASET_TOO_SMALL');
    expect(datasetError(() => parseAdultCsv(csvOf(...Array(30).fill(GOOD)))).message).toMatch(/30 rows \(0 with ">50K"\)/);
  });

  it('keeps every column of the schema', () => {
    expect(Object.keys(parseAdultCsv(enough()).rows[0] ?? {}).sort()).toEqual([...COLUMNS].sort());
  });
});

describe('stratifiedSplit', () => {
  const labels = Array.from({ length: 1000 }, (_, i) => (i % 4 === 0 ? 1 : 0));

  it('returns the same split for the same seed and a different one for another seed', () => {
    expect(stratifiedSplit(labels, 7)).toEqual(stratifiedSplit(labels, 7));
    expect(stratifiedSplit(labels, 7).test).not.toEqual(stratifiedSplit(labels, 8).test);
  });

  it('covers every row exactly once and keeps the class share in each part', () => {
    const split = stratifiedSplit(labels, 1, { validation: 0.2, test: 0.1 });
    const all = [...split.train, ...split.validation, ...split.test].sort((a, b) => a - b);
    expect(all).toEqual(labels.map((_, i) => i));
    expect([split.train.length, split.validation.length, split.test.length]).toEqual([700, 200, 100]);
    for (const part of [split.train, split.validation, split.test]) {
      expect(part.filter((i) => labels[i] === 1).length / part.length).toBeCloseTo(0.25, 2);
    }
  });

  it('rejects fractions that leave nothing to train on', () => {
    expect(() => stratifiedSplit(labels, 1, { validation: 0.5, test: 0.5 })).toThrow(RangeError);
  });
});

describe('stratifiedSample', () => {
  it('returns a seeded sample of about the asked size with the same class share', () => {
    const labels = Array.from({ length: 2000 }, (_, i) => (i % 5 === 0 ? 1 : 0));
    const sample = stratifiedSample(labels, 500, 3);
    expect(sample).toEqual(stratifiedSample(labels, 500, 3));
    expect(sample).toHaveLength(500);
    expect(sample.filter((i) => labels[i] === 1)).toHaveLength(100);
  });
});

describe('convertUciFile (data/regenerate.ts)', () => {
  it('drops the test file marker, turns "?" into empty fields and ">50K." into ">50K"', () => {
    const original = [
      '|1x3 Cross validator',
      '25, Private, 226802, 11th, 7, Never-married, ?, Own-child, Black, Male, 0, 0, 40, ?, >50K.',
      '',
    ].join('\n');
    expect(convertUciFile(original, 'adult.test')).toEqual(['25,Private,226802,11th,7,Never-married,,Own-child,Black,Male,0,0,40,,>50K']);
  });

  it('errors with the line of a row with the wrong number of fields', () => {
    expect(() => convertUciFile('1, 2, 3\n', 'adult.data')).toThrow('adult.data line 1: expected 15 fields, found 3');
  });

  it('writes the header the loader expects', () => {
    expect([...UCI_HEADER]).toEqual([...COLUMNS]);
  });
});
