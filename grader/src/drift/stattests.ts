/**
 * The per-column drift tests Evidently uses by default, with Evidently's
 * thresholds and comparison directions (p-value tests drift when the p-value
 * is below the threshold, KS at or below; distances drift at or above).
 * Binning follows Evidently's `get_binned_data`: numerical columns with more
 * than 20 distinct reference values share Sturges-rule bins over both
 * samples; other columns compare the share of each value.
 */
import { ks2sampSorted, sortedCopy } from './ks.ts';
import { chiSquaredSf, normalCdf } from './special.ts';

/** A value of a categorical column (numbers, strings and booleans are distinct categories). */
export type Category = string | number | boolean;

export type DriftMethod = 'ks' | 'chisquare' | 'z' | 'wasserstein' | 'jensenshannon' | 'psi';

/** Whether a method's score is a p-value (drift when small) or a distance (drift when large). */
export const METHOD_INFO: Record<DriftMethod, { kind: 'p_value' | 'distance'; defaultThreshold: number; label: string }> = {
  ks: { kind: 'p_value', defaultThreshold: 0.05, label: 'K-S p_value' },
  chisquare: { kind: 'p_value', defaultThreshold: 0.05, label: 'chi-square p_value' },
  z: { kind: 'p_value', defaultThreshold: 0.05, label: 'Z-test p_value' },
  wasserstein: { kind: 'distance', defaultThreshold: 0.1, label: 'Wasserstein distance (normed)' },
  jensenshannon: { kind: 'distance', defaultThreshold: 0.1, label: 'Jensen-Shannon distance' },
  psi: { kind: 'distance', defaultThreshold: 0.1, label: 'PSI' },
};

export interface TestResult {
  method: DriftMethod;
  /** The p-value (p-value methods) or the distance (distance methods): what the threshold is compared with. */
  score: number;
  /** The test statistic behind a p-value (KS D, chi-squared, z); the distance itself for distance methods. */
  statistic: number;
  /** The p-value, for p-value methods. */
  pValue?: number;
  threshold: number;
  drifted: boolean;
}

function decide(method: DriftMethod, statistic: number, score: number, threshold: number): TestResult {
  const info = METHOD_INFO[method];
  if (info.kind === 'distance') return { method, score, statistic, threshold, drifted: score >= threshold };
  const drifted = method === 'ks' ? score <= threshold : score < threshold;
  return { method, score, statistic, pValue: score, threshold, drifted };
}

/** Two-sample KS test (scipy's ks_2samp p-value); drift when p <= threshold. */
export function ksTest(reference: ArrayLike<number>, current: ArrayLike<number>, threshold = METHOD_INFO.ks.defaultThreshold): TestResult {
  const r = ks2sampSorted(sortedCopy(reference), sortedCopy(current));
  return decide('ks', r.statistic, r.pValue, threshold);
}

/** Counts of each distinct value. */
export function valueCounts<T>(values: ArrayLike<T>): Map<T, number> {
  const counts = new Map<T, number>();
  for (let i = 0; i < values.length; i++) counts.set(values[i]!, (counts.get(values[i]!) ?? 0) + 1);
  return counts;
}

/** Distinct values of both samples. */
function unionKeys<T>(a: Map<T, number>, b: Map<T, number>): T[] {
  const keys = new Set<T>(a.keys());
  for (const k of b.keys()) keys.add(k);
  return [...keys];
}

/**
 * Chi-squared goodness of fit of the current counts against the reference
 * shares scaled to the current size (scipy.stats.chisquare); drift when p < threshold.
 */
export function chiSquareTest<T extends Category>(
  reference: ArrayLike<T>,
  current: ArrayLike<T>,
  threshold = METHOD_INFO.chisquare.defaultThreshold,
): TestResult {
  const ref = valueCounts(reference);
  const cur = valueCounts(current);
  const keys = unionKeys(ref, cur);
  const scale = current.length / reference.length;
  let stat = 0;
  for (const key of keys) {
    const expected = (ref.get(key) ?? 0) * scale;
    const observed = cur.get(key) ?? 0;
    stat += expected === 0 ? (observed === 0 ? Number.NaN : Infinity) : (observed - expected) ** 2 / expected;
  }
  const p = Number.isNaN(stat) ? Number.NaN : stat === Infinity ? 0 : chiSquaredSf(stat, keys.length - 1);
  return decide('chisquare', stat, p, threshold);
}

/**
 * Two-proportion z-test of a two-valued column (the first value in sorted
 * order counts as 0, the other as 1); drift when p < threshold.
 */
export function zTest<T extends Category>(
  reference: ArrayLike<T>,
  current: ArrayLike<T>,
  threshold = METHOD_INFO.z.defaultThreshold,
): TestResult {
  const ref = valueCounts(reference);
  const cur = valueCounts(current);
  if (ref.size === 1 && cur.size === 1 && [...ref.keys()][0] === [...cur.keys()][0]) return decide('z', 0, 1, threshold);
  const keys = unionKeys(ref, cur).sort(compareCategories);
  const zero = keys[0]!;
  const n1 = reference.length;
  const n2 = current.length;
  const p1 = (n1 - (ref.get(zero) ?? 0)) / n1;
  const p2 = (n2 - (cur.get(zero) ?? 0)) / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const p = Number.isNaN(z) ? Number.NaN : 2 * (1 - normalCdf(Math.abs(z)));
  return decide('z', z, p, threshold);
}

/** Python's ordering for sorted(): numbers (and booleans) by value, strings by code point. */
function compareCategories(a: Category, b: Category): number {
  const x = typeof a === 'boolean' ? Number(a) : a;
  const y = typeof b === 'boolean' ? Number(b) : b;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
}

/** First Wasserstein distance of two samples (scipy.stats.wasserstein_distance). */
export function wassersteinDistance(u: ArrayLike<number>, v: ArrayLike<number>): number {
  const a = sortedCopy(u);
  const b = sortedCopy(v);
  const all = new Float64Array(a.length + b.length);
  all.set(a);
  all.set(b, a.length);
  all.sort();
  let i = 0;
  let j = 0;
  let sum = 0;
  for (let k = 0; k < all.length - 1; k++) {
    const x = all[k]!;
    while (i < a.length && a[i]! <= x) i++;
    while (j < b.length && b[j]! <= x) j++;
    sum += Math.abs(i / a.length - j / b.length) * (all[k + 1]! - x);
  }
  return sum;
}

/** Population standard deviation (numpy's np.std, ddof 0). */
function std(values: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i]!;
  mean /= values.length;
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += (values[i]! - mean) ** 2;
  return Math.sqrt(ss / values.length);
}

/** Wasserstein distance divided by the reference's standard deviation (at least 0.001); drift when >= threshold. */
export function wassersteinNormed(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  threshold = METHOD_INFO.wasserstein.defaultThreshold,
): TestResult {
  const value = wassersteinDistance(reference, current) / Math.max(std(reference), 0.001);
  return decide('wasserstein', value, value, threshold);
}

export type ColumnKind = 'numerical' | 'categorical';

/** The share of each sample in each bin (Evidently's get_binned_data). */
export function binnedShares(
  reference: ArrayLike<Category>,
  current: ArrayLike<Category>,
  kind: ColumnKind,
  fillZeroes: boolean,
): { reference: number[]; current: number[] } {
  const refCounts = valueCounts(reference);
  let refShares: number[];
  let curShares: number[];
  if (kind === 'numerical' && refCounts.size > 20) {
    const edges = sturgesEdges(reference as ArrayLike<number>, current as ArrayLike<number>);
    refShares = histogram(reference as ArrayLike<number>, edges).map((c) => c / reference.length);
    curShares = histogram(current as ArrayLike<number>, edges).map((c) => c / current.length);
  } else {
    const curCounts = valueCounts(current);
    const keys = unionKeys(refCounts, curCounts);
    refShares = keys.map((k) => (refCounts.get(k) ?? 0) / reference.length);
    curShares = keys.map((k) => (curCounts.get(k) ?? 0) / current.length);
  }
  if (fillZeroes) {
    fillZeros(refShares);
    fillZeros(curShares);
  }
  return { reference: refShares, current: curShares };
}

function fillZeros(shares: number[]): void {
  let min = Infinity;
  for (const s of shares) if (s !== 0 && s < min) min = s;
  const fill = min <= 0.0001 ? min / 10 ** 6 : 0.0001;
  for (let i = 0; i < shares.length; i++) if (shares[i] === 0) shares[i] = fill;
}

/** numpy.histogram_bin_edges(concat(a, b), bins='sturges'). */
export function sturgesEdges(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  let min = Infinity;
  let max = -Infinity;
  for (const xs of [a, b]) {
    for (let i = 0; i < xs.length; i++) {
      if (xs[i]! < min) min = xs[i]!;
      if (xs[i]! > max) max = xs[i]!;
    }
  }
  const size = a.length + b.length;
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = (max - min) / (Math.log2(size) + 1);
  const bins = width ? Math.ceil((last - first) / width) : 1;
  const step = (last - first) / bins;
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = i * step + first;
  edges[bins] = last;
  return edges;
}

/** numpy.histogram with explicit edges: [e_i, e_{i+1}) bins, the last one closed. */
export function histogram(values: ArrayLike<number>, edges: Float64Array): number[] {
  const sorted = sortedCopy(values);
  const positions: number[] = [];
  for (let i = 0; i < edges.length - 1; i++) positions.push(lowerBound(sorted, edges[i]!));
  positions.push(upperBound(sorted, edges[edges.length - 1]!));
  const counts: number[] = [];
  for (let i = 0; i < positions.length - 1; i++) counts.push(positions[i + 1]! - positions[i]!);
  return counts;
}

function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Jensen-Shannon distance (natural log, scipy.spatial.distance.jensenshannon) of binned shares; drift when >= threshold. */
export function jensenShannon(
  reference: ArrayLike<Category>,
  current: ArrayLike<Category>,
  kind: ColumnKind,
  threshold = METHOD_INFO.jensenshannon.defaultThreshold,
): TestResult {
  const shares = binnedShares(reference, current, kind, false);
  const p = normalise(shares.reference);
  const q = normalise(shares.current);
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i]! + q[i]!) / 2;
    js += relEntr(p[i]!, m) + relEntr(q[i]!, m);
  }
  const value = Math.sqrt(js / 2);
  return decide('jensenshannon', value, value, threshold);
}

function normalise(xs: number[]): number[] {
  const total = xs.reduce((a, b) => a + b, 0);
  return xs.map((x) => x / total);
}

function relEntr(x: number, y: number): number {
  if (x === 0) return 0;
  return x * Math.log(x / y);
}

/**
 * Population stability index over Evidently's bins (empty bins get a tiny
 * share so the logarithm stays finite); drift when >= threshold (0.1).
 */
export function psi(
  reference: ArrayLike<Category>,
  current: ArrayLike<Category>,
  kind: ColumnKind,
  threshold = METHOD_INFO.psi.defaultThreshold,
): TestResult {
  const shares = binnedShares(reference, current, kind, true);
  let value = 0;
  for (let i = 0; i < shares.reference.length; i++) {
    const r = shares.reference[i]!;
    const c = shares.current[i]!;
    value += (r - c) * Math.log(r / c);
  }
  return decide('psi', value, value, threshold);
}
