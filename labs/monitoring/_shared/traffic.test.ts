import { describe, expect, it } from 'vitest';
import { DEFAULT_SHIFT, LOAN_FEATURES, loanColumn, loanRows, loanRowsCsv } from './traffic.js';

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const decimals = (x: number): number => (String(x).split('.')[1] ?? '').length;

describe('loanRows', () => {
  it('returns the same rows for the same seed and different rows for another seed', () => {
    const a = loanRows(200, { seed: 7 });
    expect(loanRows(200, { seed: 7 })).toEqual(a);
    expect(loanRows(200, { seed: 8 })).not.toEqual(a);
    expect(a).toHaveLength(200);
    expect(Object.keys(a[0]!)).toEqual([...LOAN_FEATURES]);
  });

  it('keeps every feature in the ranges and rounding of loan_data.py', () => {
    const rows = loanRows(5000, { seed: 1 });
    for (const r of rows) {
      expect(Number.isInteger(r.age) && r.age >= 21 && r.age <= 75).toBe(true);
      expect(r.annual_income >= 9_000 && r.annual_income <= 400_000 && decimals(r.annual_income) <= 2).toBe(true);
      expect(r.loan_amount >= 1_000 && r.loan_amount <= 80_000 && decimals(r.loan_amount) <= 2).toBe(true);
      expect(Number.isInteger(r.credit_score) && r.credit_score >= 300 && r.credit_score <= 850).toBe(true);
      expect(r.debt_to_income >= 0 && r.debt_to_income <= 0.95 && decimals(r.debt_to_income) <= 4).toBe(true);
      expect(Number.isInteger(r.late_payments_12m) && r.late_payments_12m >= 0 && r.late_payments_12m <= 12).toBe(true);
    }
    // Means of loan_data.py's load(100_000): age 41.2, credit 679.8, dti 0.285, late payments 0.47, income 44,494.
    expect(mean(loanColumn(rows, 'age'))).toBeCloseTo(41.2, 0);
    expect(Math.abs(mean(loanColumn(rows, 'credit_score')) - 680)).toBeLessThan(4);
    expect(Math.abs(mean(loanColumn(rows, 'debt_to_income')) - 0.286)).toBeLessThan(0.01);
    expect(Math.abs(mean(loanColumn(rows, 'late_payments_12m')) - 0.47)).toBeLessThan(0.05);
    expect(Math.abs(mean(loanColumn(rows, 'annual_income')) - 44_500)).toBeLessThan(1_500);
  });

  it('moves the shifted features and leaves the others alone', () => {
    const clean = loanRows(4000, { seed: 3 });
    const shifted = loanRows(4000, { seed: 3, shift: DEFAULT_SHIFT });
    expect(mean(loanColumn(shifted, 'credit_score')) - mean(loanColumn(clean, 'credit_score'))).toBeCloseTo(-90, -1);
    expect(mean(loanColumn(shifted, 'debt_to_income')) - mean(loanColumn(clean, 'debt_to_income'))).toBeGreaterThan(0.13);
    expect(mean(loanColumn(shifted, 'late_payments_12m'))).toBeGreaterThan(mean(loanColumn(clean, 'late_payments_12m')) * 1.3);
    expect(loanColumn(shifted, 'age')).toEqual(loanColumn(clean, 'age'));
    expect(loanColumn(shifted, 'annual_income')).toEqual(loanColumn(clean, 'annual_income'));
  });

  it('widens a feature with scale', () => {
    const sd = (xs: number[]): number => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
    const clean = loanColumn(loanRows(3000, { seed: 5 }), 'age');
    const wide = loanColumn(loanRows(3000, { seed: 5, shift: { age: { scale: 1.5 } } }), 'age');
    expect(sd(wide) / sd(clean)).toBeGreaterThan(1.25);
  });

  it('errors if n is not a non-negative integer', () => {
    expect(() => loanRows(-1, { seed: 1 })).toThrow(/non-negative integer/);
    expect(() => loanRows(1.5, { seed: 1 })).toThrow(/non-negative integer/);
  });
});

describe('loanRowsCsv', () => {
  it('writes a header and one line per row', () => {
    const csv = loanRowsCsv(loanRows(3, { seed: 2 }));
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe(LOAN_FEATURES.join(','));
    expect(lines).toHaveLength(4);
    expect(lines[1]!.split(',')).toHaveLength(6);
  });
});
