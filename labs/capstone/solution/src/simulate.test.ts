import { describe, expect, it } from 'vitest';
import type { FeatureRow } from './data.ts';
import { ShiftError, applyShift, parseShift, pickRows } from './simulate.ts';

const ROW: FeatureRow = {
  age: 39,
  fnlwgt: 77516,
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

describe('parseShift', () => {
  it('returns additions, subtractions, factors and category settings', () => {
    expect(parseShift('age=+15, hours_per_week=*0.6,education_num=-2,sex=Female,workclass=')).toEqual([
      { feature: 'age', op: '+', value: 15 },
      { feature: 'hours_per_week', op: '*', value: 0.6 },
      { feature: 'education_num', op: '+', value: -2 },
      { feature: 'sex', op: 'set', value: 'Female' },
      { feature: 'workclass', op: 'set', value: null },
    ]);
    expect(parseShift('')).toEqual([]);
  });

  it('errors naming the part: unknown feature, bad number change, twice, no "="', () => {
    expect(() => parseShift('agee=+1')).toThrow(ShiftError);
    expect(() => parseShift('agee=+1')).toThrow(/"agee" is not a feature; shift one of age,/);
    expect(() => parseShift('age=15')).toThrow(/"age=15": a number feature takes \+N, -N or \*N/);
    expect(() => parseShift('age=+1,age=+2')).toThrow(/shifted twice/);
    expect(() => parseShift('fnlwgt=+1')).toThrow(/not a feature/);
    expect(() => parseShift('age')).toThrow(/expected feature=CHANGE/);
  });
});

describe('applyShift', () => {
  it('shifts numbers (rounded, within the accepted range) and sets categories, leaving the input alone', () => {
    const shifted = applyShift(ROW, parseShift('age=+15,hours_per_week=*0.6,capital_loss=-50,sex=Female'));
    expect(shifted).toEqual({ ...ROW, fnlwgt: undefined, age: 54, hours_per_week: 24, capital_loss: 0, sex: 'Female' });
    expect(Object.keys(shifted)).not.toContain('fnlwgt');
    expect(ROW.age).toBe(39);
    expect(applyShift({ ...ROW, age: 110 }, parseShift('age=+15')).age).toBe(120);
    expect(applyShift({ ...ROW, hours_per_week: 37 }, parseShift('hours_per_week=*0.5')).hours_per_week).toBe(19);
  });

  it('changes nothing but drops fnlwgt when there is no shift', () => {
    const { fnlwgt: _f, ...features } = ROW;
    expect(applyShift(ROW, [])).toEqual(features);
  });
});

describe('pickRows', () => {
  it('returns the same rows for the same seed, others for another seed, cycling when more are asked', () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ ...ROW, age: 20 + i }));
    const test = [1, 3, 5, 7, 9];
    const a = pickRows(rows, test, 12, 7).map((r) => r.age);
    expect(pickRows(rows, test, 12, 7).map((r) => r.age)).toEqual(a);
    expect(pickRows(rows, test, 12, 8).map((r) => r.age)).not.toEqual(a);
    expect(new Set(a)).toEqual(new Set([21, 23, 25, 27, 29]));
    expect(a.slice(5, 10)).toEqual(a.slice(0, 5));
  });
});
