/**
 * Synthetic loan-application traffic for the monitoring labs and the capstone:
 * the same six features, distributions and rounding as the MLflow labs'
 * `loan_data.py`, so the model trained there sees familiar inputs here.
 *
 * Deterministic: the same (n, seed, shift) always gives the same rows on every
 * machine, which is what lets a grader compare a learner's drift verdict with
 * its own on exactly the same windows.
 */

export const LOAN_FEATURES = ['age', 'annual_income', 'loan_amount', 'credit_score', 'debt_to_income', 'late_payments_12m'] as const;

export type LoanFeature = (typeof LOAN_FEATURES)[number];
export type LoanRow = Record<LoanFeature, number>;

/**
 * How one feature moves: the raw draw x becomes `center + (x - center) * scale + mean`
 * before clipping and rounding (`center` is the feature's typical value, so `scale`
 * widens or narrows the spread around it). For `late_payments_12m` the shift
 * applies to the expected count of the Poisson draw instead.
 */
export interface FeatureShift {
  /** Added to the feature (in its own unit: points of credit score, dollars, ...). Default 0. */
  mean?: number;
  /** Multiplies the spread around the feature's typical value. Default 1. */
  scale?: number;
}

export type TrafficShift = Partial<Record<LoanFeature, FeatureShift>>;

export interface LoanRowsOptions {
  /** Seed of the generator; windows with different seeds are independent samples. */
  seed: number;
  /** Features to move away from the reference distribution (none: clean traffic). */
  shift?: TrafficShift;
}

/**
 * What the labs call "shifted traffic": applicants with weaker credit and more
 * debt, as after an economic downturn or a new marketing channel. Late payments
 * follow credit score in the generator, so they drift too, as they would in life.
 */
export const DEFAULT_SHIFT: TrafficShift = Object.freeze({
  credit_score: Object.freeze({ mean: -90 }),
  debt_to_income: Object.freeze({ mean: 0.15 }),
});

/** The typical value each shift scales around (means of the unclipped draws). */
const CENTER: Record<LoanFeature, number> = {
  age: 41,
  annual_income: Math.exp(10.6 + 0.45 ** 2 / 2),
  loan_amount: 14_000,
  credit_score: 680,
  debt_to_income: 2.2 / (2.2 + 5.5),
  late_payments_12m: 1,
};

/** Rows of loan applications; see {@link LoanRowsOptions}. */
export function loanRows(n: number, options: LoanRowsOptions): LoanRow[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`loanRows: n must be a non-negative integer, got ${n}`);
  const shift = options.shift ?? {};
  const move = (feature: LoanFeature, x: number): number => {
    const s = shift[feature];
    if (!s) return x;
    const center = CENTER[feature];
    return center + (x - center) * (s.scale ?? 1) + (s.mean ?? 0);
  };
  const rows: LoanRow[] = [];
  for (let i = 0; i < n; i++) {
    // One generator per row: a row depends only on (seed, index), so shifting one
    // feature never changes the draws of the others, and longer windows extend shorter ones.
    const random = new Random(options.seed, i);
    const age = Math.round(clip(move('age', random.normal(41, 12)), 21, 75));
    const income = round(clip(move('annual_income', Math.exp(random.normal(10.6, 0.45))), 9_000, 400_000), 2);
    const loan = round(clip(move('loan_amount', income * random.uniform(0.05, 0.6)), 1_000, 80_000), 2);
    const score = Math.round(clip(move('credit_score', random.normal(680, 70)), 300, 850));
    const dti = round(clip(move('debt_to_income', random.beta(2.2, 5.5)), 0, 0.95), 4);
    const expectedLate = Math.max(0, move('late_payments_12m', Math.exp(-(score - 500) / 180) * 1.2));
    const late = Math.min(random.poisson(expectedLate), 12);
    rows.push({ age, annual_income: income, loan_amount: loan, credit_score: score, debt_to_income: dti, late_payments_12m: late });
  }
  return rows;
}

/** The rows as CSV text with a header line (the format the labs hand to learners' programs). */
export function loanRowsCsv(rows: readonly LoanRow[]): string {
  const lines: string[] = [LOAN_FEATURES.join(',')];
  for (const row of rows) lines.push(LOAN_FEATURES.map((f) => String(row[f])).join(','));
  return `${lines.join('\n')}\n`;
}

/** One column of the rows, in row order. */
export function loanColumn(rows: readonly LoanRow[], feature: LoanFeature): number[] {
  return rows.map((row) => row[feature]);
}

function clip(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * A small seeded generator (SplitMix32 for the state, then the usual
 * transformations: Box-Muller, Marsaglia-Tsang gamma, Knuth Poisson).
 */
class Random {
  private state: number;
  private spare: number | undefined;

  constructor(seed: number, stream: number) {
    this.state = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul((stream | 0) + 0x632be5ab, 0x85ebca6b)) >>> 0;
    this.next();
  }

  /** Uniform in [0, 1), never exactly 0 (so logs stay finite). */
  next(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z = (z ^ (z >>> 16)) >>> 0;
    return (z + 0.5) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  normal(mean: number, sd: number): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return mean + sd * z;
    }
    const r = Math.sqrt(-2 * Math.log(this.next()));
    const theta = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(theta);
    return mean + sd * r * Math.cos(theta);
  }

  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * this.next() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const z = this.normal(0, 1);
      const v = (1 + c * z) ** 3;
      if (v <= 0) continue;
      const u = this.next();
      if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
    }
  }

  beta(a: number, b: number): number {
    const x = this.gamma(a);
    return x / (x + this.gamma(b));
  }

  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    // Knuth's method is exact and fast for the small rates of this data (< 30).
    const limit = Math.exp(-Math.min(lambda, 700));
    let k = 0;
    let p = this.next();
    while (p > limit && k < 1000) {
      k++;
      p *= this.next();
    }
    return k;
  }
}
