import { describe, expect, it } from 'vitest';
import type { FeatureRow } from './data.ts';
import { MISSING, OTHER, encodeRow, encodingSchema, fitEncoding, transform } from './features.ts';

function person(overrides: Partial<FeatureRow> = {}): FeatureRow {
  return {
    age: 40,
    fnlwgt: 100_000,
    education_num: 10,
    capital_gain: 0,
    capital_loss: 0,
    hours_per_week: 40,
    workclass: 'Private',
    education: 'HS-grad',
    marital_status: 'Never-married',
    occupation: 'Sales',
    relationship: 'Not-in-family',
    race: 'White',
    sex: 'Male',
    native_country: 'United-States',
    ...overrides,
  };
}

const training: FeatureRow[] = [
  ...Array.from({ length: 30 }, (_, i) => person({ age: 20 + i, sex: i % 2 ? 'Female' : 'Male' })),
  person({ workclass: 'Never-worked' }),
  person({ workclass: null }),
  person({ capital_gain: 99_999 }),
];

describe('fitEncoding', () => {
  const encoding = fitEncoding(training, { minCount: 5, bins: 0 });
  const at = (name: string): number => encoding.featureNames.indexOf(name);

  it('standardises numbers with training statistics and leaves fnlwgt out', () => {
    const age = encoding.numeric.find((n) => n.name === 'age');
    const ages = training.map((r) => r.age);
    const mean = ages.reduce((a, b) => a + b, 0) / ages.length;
    expect(age?.mean).toBeCloseTo(mean, 10);
    expect(encoding.featureNames).not.toContain('fnlwgt');
    const row = encodeRow(encoding, person({ age: mean }));
    expect(row[at('age')]).toBeCloseTo(0, 6);
  });

  it('log-scales capital gain, so one huge value does not flatten the rest', () => {
    const gain = encoding.numeric.find((n) => n.name === 'capital_gain');
    expect(gain?.transform).toBe('log1p');
    expect(Math.abs(encodeRow(encoding, person({ capital_gain: 99_999 }))[at('capital_gain')] as number)).toBeLessThan(10);
  });

  it('gives rare, unseen and missing categories the "other" and "missing" columns', () => {
    expect(encoding.categorical.find((c) => c.name === 'workclass')?.categories).toEqual(['Private']);
    const rare = encodeRow(encoding, person({ workclass: 'Never-worked' }));
    const unseen = encodeRow(encoding, person({ workclass: 'Astronaut' }));
    const missing = encodeRow(encoding, person({ workclass: null }));
    const question = encodeRow(encoding, person({ workclass: '?' }));
    for (const [row, column] of [
      [rare, `workclass=${OTHER}`],
      [unseen, `workclass=${OTHER}`],
      [missing, `workclass=${MISSING}`],
      [question, `workclass=${MISSING}`],
    ] as const) {
      expect(row[at(column)]).toBe(1);
      expect(row[at('workclass=Private')]).toBe(0);
    }
  });

  it('sets exactly one column per categorical feature and fills a missing number with the mean', () => {
    const encodedRow = encodeRow(encoding, { sex: 'Female' });
    const ones = encoding.featureNames.filter((n, i) => n.includes('=') && encodedRow[i] === 1);
    expect(ones).toHaveLength(encoding.categorical.length);
    expect(ones).toContain('sex=Female');
    expect(encodedRow[at('age')]).toBe(0);
  });

  it('adds one-hot quantile bins, with a bin of their own for non-zero capital gains', () => {
    const rows = Array.from({ length: 200 }, (_, i) => person({ age: 17 + (i % 60), capital_gain: i % 10 === 0 ? 1000 * (i + 1) : 0 }));
    const binned = fitEncoding(rows, { minCount: 5, bins: 4 });
    const gain = binned.numeric.find((n) => n.name === 'capital_gain');
    expect(gain?.binEdges[0]).toBe(0);
    const row = encodeRow(binned, person({ capital_gain: 50_000 }));
    const gainBins = binned.featureNames.flatMap((n, i) => (/^capital_gain[<>]/.test(n) ? [row[i]] : []));
    expect(gainBins.filter((v) => v === 1)).toHaveLength(1);
    expect(gainBins[0]).toBe(0);
  });

  it('survives a JSON round trip through its schema and encodes the same', () => {
    const copy = encodingSchema.parse(JSON.parse(JSON.stringify(fitEncoding(training))));
    expect(transform(copy, training).values).toEqual(transform(fitEncoding(training), training).values);
  });

  it('errors on zero rows', () => {
    expect(() => fitEncoding([])).toThrow(/zero rows/);
  });
});
