/**
 * Drift monitoring inside the server: the last `windowRows` input rows are
 * compared, feature by feature, with a reference sample of the training split
 * (the data the model learned from), using `detectDrift` from
 * `@mlops-lab/grader/drift` with Evidently's default method selection. The
 * result is exported as Prometheus gauges, so an alert rule such as
 * `capstone_dataset_drift == 1` fires when the inputs stop looking like the
 * training data.
 *
 * Which method Evidently's rules pick depends on the reference size. The
 * default reference here is 5,000 training rows (more than 1,000), so:
 *
 * | feature                                                                     | method                         | drift when |
 * | --------------------------------------------------------------------------- | ------------------------------ | ---------- |
 * | age, education_num, capital_gain, capital_loss, hours_per_week (numerical)  | Wasserstein distance / std     | >= 0.1     |
 * | workclass, education, marital_status, occupation, relationship, race, sex, native_country | Jensen-Shannon distance | >= 0.1 |
 *
 * With `--reference-rows 1000` or fewer the same rules pick two-sample KS for
 * the numerical features, chi-squared for categories with more than two
 * values and a two-proportion Z-test for `sex` (p-value < 0.05 is drift); the
 * p-value gauges are then filled. Distances were chosen as the default
 * because with hundreds of rows a p-value test flags a feature about one time
 * in twenty on perfectly clean traffic (that is what p < 0.05 means), while a
 * distance of 0.1 stays quiet until the shift is real.
 *
 * The window is 2,000 rows because a distance measured on a small sample is
 * noisy: on clean test-split traffic `native_country` (41 values, most of
 * them rare) scores about 0.09 with 600 rows, close to the 0.1 threshold, and
 * about 0.065 with 2,000; every other feature stays under 0.06.
 *
 * CPU is bounded: a computation (about 30 ms at these sizes) runs every
 * `everyRows` new rows or every `everyMs`, and never more often than once per
 * `minIntervalMs`.
 */
import { detectDrift, type Cell, type ColumnKind, type DriftReport } from '@mlops-lab/grader/drift';
import { CATEGORICAL_COLUMNS, type Dataset } from './data.ts';
import { FEATURE_NUMERIC } from './features.ts';
import type { ServingMetrics } from './metrics-registry.ts';
import { seededRandom, shuffled } from './random.ts';
import { DEFAULT_SEED, splitFor } from './train.ts';

/** The features the monitor watches: every feature the model uses. */
export const MONITORED_FEATURES: readonly string[] = [...FEATURE_NUMERIC, ...CATEGORICAL_COLUMNS];
const KINDS: Record<string, ColumnKind> = Object.fromEntries([
  ...FEATURE_NUMERIC.map((c) => [c, 'numerical'] as const),
  ...CATEGORICAL_COLUMNS.map((c) => [c, 'categorical'] as const),
]);

export const DEFAULT_REFERENCE_ROWS = 5000;

export interface MonitorOptions {
  /** Recent rows compared with the reference (default 2000). */
  windowRows?: number;
  /** No computation before the window holds this many rows (default 500). */
  minRows?: number;
  /** Compute after this many new rows (default 500). */
  everyRows?: number;
  /** ... or this long after the last computation when new rows came (ms, default 5000). */
  everyMs?: number;
  /** Never compute more often than this (ms, default 2000): bounds the CPU under heavy load. */
  minIntervalMs?: number;
}

export type ReferenceFrame = Record<string, Cell[]>;

/** A seeded sample of `size` rows of the training split (the same split the trainer used for `seed`), as columns. */
export function referenceSample(dataset: Dataset, size: number = DEFAULT_REFERENCE_ROWS, seed: number = DEFAULT_SEED): ReferenceFrame {
  const train = splitFor(dataset, seed).train;
  const picked = shuffled(train, seededRandom(seed ^ 0x7ef5a3)).slice(0, size);
  const frame: ReferenceFrame = Object.fromEntries(MONITORED_FEATURES.map((c) => [c, [] as Cell[]]));
  for (const i of picked) {
    const row = dataset.rows[i] as unknown as Record<string, Cell>;
    for (const c of MONITORED_FEATURES) (frame[c] as Cell[]).push(row[c]);
  }
  return frame;
}

/** The method Evidently's rules pick for each feature, given this reference and a current window like it. */
export function methodsFor(reference: ReferenceFrame): Record<string, string> {
  const report = detectDrift(reference, reference, { columns: MONITORED_FEATURES, kinds: KINDS });
  return Object.fromEntries(report.columns.map((c) => [c.column, c.method]));
}

/** What /ready declares about drift: the methods in use and their threshold, in words and numbers. */
export interface DriftSummary {
  /** e.g. `wasserstein distance / std (numerical), jensen-shannon distance (categorical); Evidently's defaults for a 5000-row reference`. */
  method: string;
  /** The threshold every feature uses (distance >= it, or p-value < it, is drift). */
  threshold: number;
  /** `distance` (drift when score >= threshold) or `p_value` (drift when p < threshold). */
  threshold_kind: 'distance' | 'p_value' | 'mixed';
  /** Features counted as drifted before the whole data set is (Evidently's drift share 0.5). */
  dataset_drift_share: number;
}

const METHOD_WORDS: Record<string, string> = {
  wasserstein: 'wasserstein distance / std',
  jensenshannon: 'jensen-shannon distance',
  ks: 'two-sample KS p-value',
  chisquare: 'chi-squared p-value',
  z: 'two-proportion Z-test p-value',
  psi: 'PSI',
};

/** The methods Evidently's rules pick for this reference, and their shared threshold, as /ready reports them. */
export function driftSummary(reference: ReferenceFrame): DriftSummary {
  const report = detectDrift(reference, reference, { columns: MONITORED_FEATURES, kinds: KINDS });
  const byKind = new Map<string, Set<string>>();
  for (const c of report.columns) {
    const kind = KINDS[c.column] ?? 'categorical';
    if (!byKind.has(kind)) byKind.set(kind, new Set());
    (byKind.get(kind) as Set<string>).add(METHOD_WORDS[c.method] ?? c.method);
  }
  const parts = [...byKind].map(([kind, methods]) => `${[...methods].join(' + ')} (${kind})`);
  const thresholds = new Set(report.columns.map((c) => c.threshold));
  const kinds = new Set(report.columns.map((c) => c.scoreKind));
  const rows = reference[MONITORED_FEATURES[0] as string]?.length ?? 0;
  return {
    method: `${parts.join(', ')}; Evidently's default choice for a ${rows}-row reference`,
    threshold: Math.max(...thresholds),
    threshold_kind: kinds.size > 1 ? 'mixed' : kinds.has('p_value') ? 'p_value' : 'distance',
    dataset_drift_share: report.driftShare,
  };
}

export class DriftMonitor {
  private readonly window: Record<string, Cell>[] = [];
  private next = 0;
  private newRows = 0;
  private lastRunAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly o: Required<MonitorOptions>;
  /** The last report (undefined before the first computation). */
  last: DriftReport | undefined;
  /** The last computation's error, if it failed (kept for /ready and the logs). */
  lastError: string | undefined;
  private readonly reference: ReferenceFrame;
  private readonly metrics: ServingMetrics;

  constructor(reference: ReferenceFrame, metrics: ServingMetrics, options: MonitorOptions = {}) {
    this.reference = reference;
    this.metrics = metrics;
    this.o = { windowRows: 2000, minRows: 500, everyRows: 500, everyMs: 5000, minIntervalMs: 2000, ...options };
    if (this.o.minRows > this.o.windowRows) throw new RangeError('minRows must not exceed windowRows');
    metrics.driftReferenceRows.set(reference[MONITORED_FEATURES[0] as string]?.length ?? 0);
    metrics.driftWindowRows.set(0);
    metrics.driftLastRun.set(0);
  }

  /** Starts the timer that computes drift when rows came but `everyRows` was not reached. */
  start(): void {
    this.timer ??= setInterval(
      () => {
        if (this.newRows > 0 && Date.now() - this.lastRunAt >= this.o.everyMs) this.compute();
      },
      Math.max(50, Math.min(this.o.everyMs, 1000)),
    );
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Adds request rows to the window (oldest rows leave first); may run a computation. */
  observe(rows: readonly Readonly<Record<string, unknown>>[]): void {
    for (const row of rows) {
      const kept: Record<string, Cell> = {};
      for (const c of MONITORED_FEATURES) kept[c] = row[c] as Cell;
      if (this.window.length < this.o.windowRows) this.window.push(kept);
      else this.window[this.next] = kept;
      this.next = (this.next + 1) % this.o.windowRows;
    }
    this.newRows += rows.length;
    this.metrics.driftWindowRows.set(this.window.length);
    if (this.newRows >= this.o.everyRows && Date.now() - this.lastRunAt >= this.o.minIntervalMs) this.compute();
  }

  /** Computes drift now (when the window holds at least `minRows`) and updates the gauges. */
  compute(): DriftReport | undefined {
    if (this.window.length < this.o.minRows) return undefined;
    this.lastRunAt = Date.now();
    this.newRows = 0;
    // A feature every recent row left empty cannot be compared; it is skipped this time.
    const columns = MONITORED_FEATURES.filter((c) => this.window.some((r) => r[c] !== null && r[c] !== undefined));
    let report: DriftReport;
    try {
      report = detectDrift(this.reference, this.window, { columns, kinds: KINDS });
      this.lastError = undefined;
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      return undefined;
    }
    const m = this.metrics;
    m.driftScore.reset();
    m.driftPValue.reset();
    m.driftThreshold.reset();
    m.featureDrift.reset();
    for (const c of report.columns) {
      m.driftScore.set({ feature: c.column, method: c.method }, c.score);
      m.driftThreshold.set({ feature: c.column, method: c.method }, c.threshold);
      m.featureDrift.set({ feature: c.column }, c.drifted ? 1 : 0);
      if (c.pValue !== undefined) m.driftPValue.set({ feature: c.column }, c.pValue);
    }
    m.datasetDrift.set(report.datasetDrift ? 1 : 0);
    m.driftShare.set(report.share);
    m.driftLastRun.set(this.lastRunAt / 1000);
    this.last = report;
    return report;
  }
}
