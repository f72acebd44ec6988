/**
 * Data drift of a current window against a reference, column by column, with
 * Evidently's default method selection (DataDriftPreset in Evidently 0.7):
 *
 * | reference rows | column                         | method                | drift when   |
 * | -------------- | ------------------------------ | --------------------- | ------------ |
 * | <= 1000        | numerical, > 5 distinct values | two-sample KS         | p <= 0.05    |
 * | <= 1000        | 3-5 distinct, or categorical   | chi-squared           | p < 0.05     |
 * | <= 1000        | <= 2 distinct values           | two-proportion Z-test | p < 0.05     |
 * | > 1000         | numerical, > 5 distinct values | Wasserstein / std     | >= 0.1       |
 * | > 1000         | otherwise                      | Jensen-Shannon        | >= 0.1       |
 *
 * Distinct values are counted over both samples. The dataset drifts when at
 * least `driftShare` (0.5) of the columns drift. Missing values (null,
 * undefined, NaN, ±Infinity) are dropped per column first, as Evidently does.
 */
import {
  chiSquareTest,
  jensenShannon,
  ksTest,
  METHOD_INFO,
  psi,
  wassersteinNormed,
  zTest,
  type Category,
  type ColumnKind,
  type DriftMethod,
  type TestResult,
} from './stattests.ts';

/** A cell of a frame; null, undefined and non-finite numbers count as missing. */
export type Cell = Category | null | undefined;

/** A table as rows (objects keyed by column) or as columns (arrays keyed by column). */
export type DriftFrame = readonly Readonly<Record<string, Cell>>[] | Readonly<Record<string, readonly Cell[]>>;

export interface DetectDriftOptions {
  /** Columns to compare; default: every column of the reference. */
  columns?: readonly string[];
  /** Column kinds; default: numerical when every value is a number, categorical otherwise. */
  kinds?: Readonly<Record<string, ColumnKind>>;
  /** One method for every column, or per column; default: Evidently's selection (table above). */
  method?: DriftMethod | Readonly<Record<string, DriftMethod>>;
  /** One threshold for every column, or per column; default: the method's own (0.05 for p-values, 0.1 for distances). */
  threshold?: number | Readonly<Record<string, number>>;
  /** Share of drifted columns at which the dataset drifts; default 0.5. */
  driftShare?: number;
}

export interface ColumnDrift extends TestResult {
  column: string;
  kind: ColumnKind;
  /** Evidently's display name of the method ("K-S p_value", "Wasserstein distance (normed)", ...). */
  methodLabel: string;
  /** Whether `score` is a p-value (drift when small) or a distance (drift when large). */
  scoreKind: 'p_value' | 'distance';
  referenceSize: number;
  currentSize: number;
}

export interface DriftReport {
  columns: ColumnDrift[];
  driftedColumns: number;
  /** driftedColumns / columns. */
  share: number;
  driftShare: number;
  datasetDrift: boolean;
}

/** The column's values with missing ones dropped. */
export function columnValues(frame: DriftFrame, column: string): Category[] {
  const raw: readonly Cell[] = Array.isArray(frame)
    ? (frame as readonly Readonly<Record<string, Cell>>[]).map((row) => row[column])
    : ((frame as Readonly<Record<string, readonly Cell[]>>)[column] ?? []);
  const out: Category[] = [];
  for (const v of raw) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'number' && !Number.isFinite(v)) continue;
    out.push(v);
  }
  return out;
}

function frameColumns(frame: DriftFrame): string[] {
  if (Array.isArray(frame)) return frame.length > 0 ? Object.keys(frame[0] as object) : [];
  return Object.keys(frame);
}

/** Evidently's default method for a column (see the table in this module's comment). */
export function defaultMethod(reference: readonly Category[], current: readonly Category[], kind: ColumnKind): DriftMethod {
  const distinct = new Set<Category>(reference);
  for (const v of current) distinct.add(v);
  const n = distinct.size;
  if (reference.length <= 1000) {
    if (kind === 'numerical' && n > 5) return 'ks';
    return n > 2 ? 'chisquare' : 'z';
  }
  if (kind === 'numerical' && n > 5) return 'wasserstein';
  return 'jensenshannon';
}

/** Runs one method on one column. */
export function runMethod(
  method: DriftMethod,
  reference: readonly Category[],
  current: readonly Category[],
  kind: ColumnKind,
  threshold: number,
): TestResult {
  switch (method) {
    case 'ks':
      return ksTest(numbers(reference), numbers(current), threshold);
    case 'wasserstein':
      return wassersteinNormed(numbers(reference), numbers(current), threshold);
    case 'chisquare':
      return chiSquareTest(reference, current, threshold);
    case 'z':
      return zTest(reference, current, threshold);
    case 'jensenshannon':
      return jensenShannon(reference, current, kind, threshold);
    case 'psi':
      return psi(reference, current, kind, threshold);
  }
}

function numbers(values: readonly Category[]): number[] {
  return values.map((v) => {
    if (typeof v !== 'number') throw new TypeError(`a numerical method got the non-number ${JSON.stringify(v)}`);
    return v;
  });
}

function pick<T>(value: T | Readonly<Record<string, T>> | undefined, column: string): T | undefined {
  if (value === undefined || typeof value !== 'object' || value === null) return value as T | undefined;
  return (value as Readonly<Record<string, T>>)[column];
}

/** Compares `current` with `reference`, column by column; see the module comment for the rules. */
export function detectDrift(reference: DriftFrame, current: DriftFrame, options: DetectDriftOptions = {}): DriftReport {
  const columns = options.columns ?? frameColumns(reference);
  const driftShare = options.driftShare ?? 0.5;
  const results: ColumnDrift[] = [];
  for (const column of columns) {
    const ref = columnValues(reference, column);
    const cur = columnValues(current, column);
    if (ref.length === 0) throw new RangeError(`column "${column}" has no values in the reference`);
    if (cur.length === 0) throw new RangeError(`column "${column}" has no values in the current window`);
    const kind =
      options.kinds?.[column] ??
      (ref.every((v) => typeof v === 'number') && cur.every((v) => typeof v === 'number') ? 'numerical' : 'categorical');
    const method = pick(options.method, column) ?? defaultMethod(ref, cur, kind);
    const threshold = pick(options.threshold, column) ?? METHOD_INFO[method].defaultThreshold;
    const result = runMethod(method, ref, cur, kind, threshold);
    results.push({
      ...result,
      column,
      kind,
      methodLabel: METHOD_INFO[method].label,
      scoreKind: METHOD_INFO[method].kind,
      referenceSize: ref.length,
      currentSize: cur.length,
    });
  }
  const drifted = results.filter((r) => r.drifted).length;
  const share = results.length === 0 ? 0 : drifted / results.length;
  return { columns: results, driftedColumns: drifted, share, driftShare, datasetDrift: results.length > 0 && share >= driftShare };
}
