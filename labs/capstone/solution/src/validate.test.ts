import { describe, expect, it } from 'vitest';
import { predictRequestSchema, validatePredictRequest } from './validate.ts';

const ROW = {
  age: 39,
  workclass: 'State-gov',
  education: 'Bachelors',
  education_num: 13,
  marital_status: 'Never-married',
  occupation: 'Adm-clerical',
  relationship: 'Not-in-family',
  race: 'White',
  sex: 'Male',
  capital_gain: 2174,
  capital_loss: 0,
  hours_per_week: 40,
  native_country: 'United-States',
};

describe('validatePredictRequest', () => {
  it('returns the rows of a valid request; null categories and fnlwgt are accepted', () => {
    const result = validatePredictRequest({ rows: [ROW, { ...ROW, workclass: null, fnlwgt: 77516 }] });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.rows).toHaveLength(2);
  });

  it('errors naming each field: missing, wrong type, out of range, misspelt', () => {
    const { age: _age, ...noAge } = ROW;
    const result = validatePredictRequest({
      rows: [noAge, { ...ROW, hours_per_week: '40' }, { ...ROW, age: 400 }, { ...ROW, 'hours-per-week': 40 }],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      { field: 'rows[0].age', message: 'expected a number' },
      { field: 'rows[1].hours_per_week', message: 'expected a number' },
      { field: 'rows[2].age', message: 'expected at most 120' },
      { field: 'rows[3].hours-per-week', message: expect.stringContaining('unknown field') },
    ]);
  });

  it('errors on a body without rows, an empty list and too many rows', () => {
    const first = (body: unknown, max?: number) => {
      const r = validatePredictRequest(body, predictRequestSchema(max));
      return r.ok ? undefined : r.errors[0];
    };
    expect(first([ROW])).toEqual({ field: '(body)', message: expect.any(String) });
    expect(first({ rows: [] })).toEqual({ field: 'rows', message: 'expected at least one row' });
    expect(first({ rows: [ROW, ROW, ROW] }, 2)).toEqual({
      field: 'rows',
      message: 'at most 2 rows per request; split the rows over several requests',
    });
  });

  it('lists at most 20 errors and counts the rest', () => {
    const result = validatePredictRequest({ rows: Array.from({ length: 30 }, () => ({ ...ROW, age: -1 })) });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toHaveLength(20);
      expect(result.more).toBe(10);
    }
  });
});
