/**
 * The traffic M6 sends: rows of the shipped UCI Adult file, drawn with a
 * seed, as /predict rows (the 13 features, missing categories as null, as in
 * the data the model trained on), and
 * the contract's shift (`age` + 15, `hours_per_week` × 0.6) applied to those
 * two features only. Pure: the same seed gives the same rows on every machine.
 */
import { seededRandom } from '../../solution/src/random.ts';
import { featuresOf, type DatasetRow, type FeatureName } from './shared.ts';

/** A /predict row: the 13 features, a missing category as null. */
export type RequestRow = Record<FeatureName, number | string | null>;

/** How a numeric feature moves in shifted traffic. */
export interface NumericShift {
  add?: number;
  multiply?: number;
}

/** The contract's shift (CONTRACT.md, M6): everyone 15 years older, working 60 % of the hours. */
export const CONTRACT_SHIFT: Readonly<Record<'age' | 'hours_per_week', Readonly<NumericShift>>> = Object.freeze({
  age: Object.freeze({ add: 15 }),
  hours_per_week: Object.freeze({ multiply: 0.6 }),
});
export const SHIFTED_FEATURES = Object.keys(CONTRACT_SHIFT) as (keyof typeof CONTRACT_SHIFT)[];

/** "age + 15, hours_per_week × 0.6" */
export function describeShift(shift: Readonly<Record<string, Readonly<NumericShift>>> = CONTRACT_SHIFT): string {
  return Object.entries(shift)
    .map(([feature, s]) =>
      [s.multiply !== undefined ? `${feature} × ${s.multiply}` : '', s.add !== undefined ? `${feature} + ${s.add}` : '']
        .filter(Boolean)
        .join(', '),
    )
    .join(', ');
}

/** The row with `shift` applied (multiply, then add, then rounded to a whole number, never below 0); a new object. */
export function shiftRow(row: RequestRow, shift: Readonly<Record<string, Readonly<NumericShift>>> = CONTRACT_SHIFT): RequestRow {
  const out = { ...row };
  for (const [feature, s] of Object.entries(shift)) {
    const value = out[feature as FeatureName];
    if (typeof value !== 'number') continue;
    out[feature as FeatureName] = Math.max(0, Math.round(value * (s.multiply ?? 1) + (s.add ?? 0)));
  }
  return out;
}

/**
 * An endless, seeded stream of data set rows (drawn uniformly with replacement, so it is as clean as the file
 * itself), optionally shifted. `take(n)` continues where the last call stopped.
 */
export class TrafficStream {
  readonly shifted: boolean;
  readonly #rows: readonly DatasetRow[];
  readonly #random: () => number;
  #taken = 0;

  constructor(rows: readonly DatasetRow[], options: { seed: number; shifted: boolean }) {
    if (rows.length === 0) throw new RangeError('TrafficStream: the data set has no rows to send');
    this.#rows = rows;
    this.#random = seededRandom(options.seed);
    this.shifted = options.shifted;
  }

  /** Rows handed out so far. */
  get taken(): number {
    return this.#taken;
  }

  take(count: number): RequestRow[] {
    const out: RequestRow[] = [];
    for (let i = 0; i < count; i++) {
      const row = featuresOf(this.#rows[Math.floor(this.#random() * this.#rows.length)]!);
      out.push(this.shifted ? shiftRow(row) : row);
    }
    this.#taken += count;
    return out;
  }
}
