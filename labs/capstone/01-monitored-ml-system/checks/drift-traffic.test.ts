import { describe, expect, it } from 'vitest';
import { CONTRACT_SHIFT, SHIFTED_FEATURES, TrafficStream, describeShift, shiftRow, type RequestRow } from './drift-traffic.ts';
import { FEATURES, readDatasetRows } from './shared.ts';

const rows = await readDatasetRows();

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const numbers = (sample: RequestRow[], feature: keyof RequestRow): number[] => sample.map((r) => r[feature] as number);

describe('TrafficStream', () => {
  it('returns the same rows for the same seed, and other rows for another seed', () => {
    const a = new TrafficStream(rows, { seed: 6001, shifted: false }).take(500);
    const b = new TrafficStream(rows, { seed: 6001, shifted: false }).take(500);
    const c = new TrafficStream(rows, { seed: 6002, shifted: false }).take(500);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('returns a stream that continues where the last take stopped', () => {
    const whole = new TrafficStream(rows, { seed: 7, shifted: false }).take(300);
    const stream = new TrafficStream(rows, { seed: 7, shifted: false });
    expect([...stream.take(100), ...stream.take(200)]).toEqual(whole);
    expect(stream.taken).toBe(300);
  });

  it('returns rows with exactly the 13 request features, missing categories as null', () => {
    const sample = new TrafficStream(rows, { seed: 1, shifted: false }).take(3000);
    for (const row of sample) expect(Object.keys(row)).toEqual([...FEATURES]);
    expect(sample.some((r) => r.workclass === null)).toBe(true);
    expect(sample.every((r) => !('fnlwgt' in r) && !('income' in r))).toBe(true);
  });

  it('returns clean rows distributed like the data set', () => {
    const sample = new TrafficStream(rows, { seed: 11, shifted: false }).take(4000);
    const all = rows.map((r) => ({ age: r.age, hours: r.hours_per_week }));
    expect(mean(numbers(sample, 'age'))).toBeCloseTo(mean(all.map((r) => r.age)), 0);
    expect(Math.abs(mean(numbers(sample, 'hours_per_week')) - mean(all.map((r) => r.hours)))).toBeLessThan(1);
  });

  it('returns shifted rows that differ from the clean ones with the same seed in age and hours_per_week only', () => {
    const clean = new TrafficStream(rows, { seed: 42, shifted: false }).take(2000);
    const shifted = new TrafficStream(rows, { seed: 42, shifted: true }).take(2000);
    const changed = new Set<string>();
    clean.forEach((row, i) => {
      for (const f of FEATURES) if (row[f] !== shifted[i]![f]) changed.add(f);
      expect(shifted[i]!.age).toBe((row.age as number) + 15);
      expect(shifted[i]!.hours_per_week).toBe(Math.round((row.hours_per_week as number) * 0.6));
    });
    expect([...changed].sort()).toEqual([...SHIFTED_FEATURES].sort());
  });
});

describe('shiftRow', () => {
  it('returns a new row, leaving the input and null categories alone', () => {
    const row = { ...new TrafficStream(rows, { seed: 3, shifted: false }).take(1)[0]!, workclass: null };
    const before = { ...row };
    const out = shiftRow(row);
    expect(row).toEqual(before);
    expect(out.workclass).toBeNull();
    expect(out.age).toBe((row.age as number) + 15);
  });

  it('returns whole numbers, never below 0', () => {
    const row = new TrafficStream(rows, { seed: 5, shifted: false }).take(1)[0]!;
    expect(shiftRow({ ...row, hours_per_week: 1 }).hours_per_week).toBe(1);
    expect(shiftRow({ ...row, age: 3 }, { age: { add: -10 } }).age).toBe(0);
    expect(shiftRow({ ...row, hours_per_week: 37 }).hours_per_week).toBe(22);
  });
});

describe('describeShift', () => {
  it('returns the contract shift in words', () => {
    expect(describeShift()).toBe('age + 15, hours_per_week × 0.6');
    expect(Object.keys(CONTRACT_SHIFT)).toEqual(['age', 'hours_per_week']);
  });
});
