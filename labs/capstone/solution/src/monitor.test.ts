import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset, type Dataset } from './data.ts';
import { createServingMetrics } from './metrics-registry.ts';
import { DriftMonitor, MONITORED_FEATURES, driftSummary, methodsFor, referenceSample } from './monitor.ts';
import { applyShift, parseShift, pickRows } from './simulate.ts';
import { splitFor } from './train.ts';

describe('DriftMonitor', () => {
  let dataset: Dataset;
  beforeAll(async () => {
    dataset = await loadDataset();
  });

  it('returns the same reference for the same seed, another for another seed', () => {
    const a = referenceSample(dataset, 300, 42);
    expect(referenceSample(dataset, 300, 42)).toEqual(a);
    expect(referenceSample(dataset, 300, 43)).not.toEqual(a);
    expect(a.age).toHaveLength(300);
    expect(Object.keys(a).sort()).toEqual([...MONITORED_FEATURES].sort());
  });

  it("picks Evidently's methods for the reference size: distances above 1,000 rows, tests at or below", () => {
    expect(methodsFor(referenceSample(dataset, 5000, 42))).toEqual({
      age: 'wasserstein',
      education_num: 'wasserstein',
      capital_gain: 'wasserstein',
      capital_loss: 'wasserstein',
      hours_per_week: 'wasserstein',
      workclass: 'jensenshannon',
      education: 'jensenshannon',
      marital_status: 'jensenshannon',
      occupation: 'jensenshannon',
      relationship: 'jensenshannon',
      race: 'jensenshannon',
      sex: 'jensenshannon',
      native_country: 'jensenshannon',
    });
    expect(methodsFor(referenceSample(dataset, 1000, 42))).toMatchObject({
      age: 'ks',
      hours_per_week: 'ks',
      occupation: 'chisquare',
      sex: 'z',
    });
  });

  it('returns the method and threshold /ready declares: distances at 0.1 for the default reference, p-values at 0.05 for a small one', () => {
    expect(driftSummary(referenceSample(dataset, 5000, 42))).toEqual({
      method:
        "wasserstein distance / std (numerical), jensen-shannon distance (categorical); Evidently's default choice for a 5000-row reference",
      threshold: 0.1,
      threshold_kind: 'distance',
      dataset_drift_share: 0.5,
    });
    expect(driftSummary(referenceSample(dataset, 800, 42))).toMatchObject({
      method:
        "two-sample KS p-value (numerical), chi-squared p-value + two-proportion Z-test p-value (categorical); Evidently's default choice for a 800-row reference",
      threshold: 0.05,
      threshold_kind: 'p_value',
    });
  });

  it('computes nothing before minRows, keeps only the last windowRows rows, and fills the p-value gauge for tests', async () => {
    const metrics = createServingMetrics();
    const monitor = new DriftMonitor(referenceSample(dataset, 800, 42), metrics, {
      windowRows: 300,
      minRows: 300,
      everyRows: 1_000_000,
      minIntervalMs: 0,
    });
    const test = pickRows(dataset.rows, splitFor(dataset, 42).test, 600, 3);
    monitor.observe(test.slice(0, 299).map((r) => applyShift(r, parseShift('age=+30'))));
    expect(monitor.compute()).toBeUndefined();
    monitor.observe(test.slice(299, 300).map((r) => applyShift(r, parseShift('age=+30'))));
    expect(monitor.compute()?.columns.find((c) => c.column === 'age')?.drifted).toBe(true);
    // 300 clean rows push every shifted row out of the window.
    monitor.observe(test.slice(300, 600).map((r) => applyShift(r, [])));
    const report = monitor.compute();
    expect(report?.columns.find((c) => c.column === 'age')).toMatchObject({ method: 'ks', drifted: false, currentSize: 300 });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/capstone_feature_drift_p_value\{feature="age"\} 0\.\d+/);
    expect(text).toContain('capstone_drift_window_rows 300');
  });

  it('skips a feature every recent row left empty instead of failing', () => {
    const monitor = new DriftMonitor(referenceSample(dataset, 2000, 42), createServingMetrics(), {
      windowRows: 200,
      minRows: 200,
      minIntervalMs: 0,
    });
    const rows = pickRows(dataset.rows, splitFor(dataset, 42).test, 200, 4).map((r) => applyShift(r, parseShift('workclass=')));
    monitor.observe(rows);
    const report = monitor.compute();
    expect(monitor.lastError).toBeUndefined();
    expect(report?.columns.map((c) => c.column)).not.toContain('workclass');
    expect(report?.columns).toHaveLength(MONITORED_FEATURES.length - 1);
  });
});
