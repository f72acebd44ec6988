/**
 * Hold-outs of monitoring/03 (drift detection) and monitoring/05 (the Grafana
 * dashboard): realistic learner submissions kept in each lab's
 * __fixtures__/holdout/<case>/, laid over a fresh workspace and graded with
 * the checks each case is about, held to the verdict a senior reviewer would
 * give (status and the reason in the message). Lab 03 runs the learner's
 * Python for real (.venv with pandas and scipy); lab 05 needs no tool.
 * Also the bad days: a detector that hangs, floods stdout or prints NaN, a
 * dashboard that is huge or not a dashboard, all give a clear fail fast.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findLab, type LoadedLab } from '@mlops-lab/grader';
import { parsePromql } from '@mlops-lab/grader/authoring';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectReviewerVerdict, submissionWorkspace, type ReviewerVerdict } from '../../grader/test-support/holdout.ts';
import { describeWithTool, probeVenvTool, toolGate } from '../../grader/test-support/tools.ts';
import { pValuesAgree } from './03-detect-drift/checks/p-values-match-the-ks-test.ts';
import { expectedReport, parseReport, WINDOWS } from './03-detect-drift/checks/shared.ts';
import { judgeDriftQuery, judgeLatencyQuery, judgeTrafficQuery } from './05-grafana-dashboard/checks/panels.ts';

const LAB_03 = join(import.meta.dirname, '03-detect-drift');
const LAB_05 = join(import.meta.dirname, '05-grafana-dashboard');

describe('monitoring/03 grading windows', () => {
  it('stay quiet on the clean window and flag exactly half the features on the default shift', () => {
    const verdicts = Object.fromEntries(WINDOWS.map((w) => [w.name, expectedReport(w)]));
    expect(verdicts.clean!.driftedColumns).toBe(0);
    expect(verdicts.shifted!.columns.filter((c) => c.drifted).map((c) => c.column)).toEqual([
      'credit_score',
      'debt_to_income',
      'late_payments_12m',
    ]);
    expect(verdicts.shifted!.datasetDrift).toBe(true); // 3 of 6: the >= boundary
    expect(verdicts['shifted-elsewhere']!.columns.filter((c) => c.drifted).map((c) => c.column)).toEqual(['age', 'loan_amount']);
    expect(verdicts['shifted-elsewhere']!.datasetDrift).toBe(false);
  });
});

describe('pValuesAgree and parseReport (monitoring/03)', () => {
  it('accepts the asymptotic KS p-value and rejects another test', () => {
    expect(pValuesAgree(0.4123, 0.4011)).toBe(true);
    expect(pValuesAgree(0.71, 0.41)).toBe(false);
    expect(pValuesAgree(3e-66, 2.3e-67)).toBe(false);
    expect(pValuesAgree(4e-67, 2.3e-67)).toBe(true);
  });

  it('explains output that is not the report', () => {
    expect(parseReport('')).toMatchObject({ problem: expect.stringMatching(/nothing on stdout/) });
    expect(parseReport('{"features": {"age": {"p_value": NaN, "drifted": false}}}')).toMatchObject({
      problem: expect.stringMatching(/NaN/),
    });
    expect(parseReport('{"features": {}, "drift_share": 0, "dataset_drift": "no"}')).toMatchObject({
      problem: expect.stringMatching(/dataset_drift/),
    });
    expect(parseReport('loading data\n{"features": {}, "drift_share": 0, "dataset_drift": false}')).toMatchObject({
      problem: expect.stringMatching(/lacks age/),
    });
  });
});

describe('panel judgements (monitoring/05)', () => {
  const bucket = 'loan_prediction_latency_seconds_bucket';
  it('accepts the usual latency, traffic and drift queries, Grafana variables included', () => {
    expect(
      judgeLatencyQuery(`histogram_quantile(0.99, sum by (le, instance) (rate(${bucket}{job="loan"}[$__rate_interval])))`),
    ).toMatchObject({ ok: true });
    expect(judgeLatencyQuery(`histogram_quantile($q, sum without (instance) (irate(${bucket}[1m])))`)).toMatchObject({ ok: true });
    expect(judgeTrafficQuery('sum(increase(loan_predictions_total[1h]))')).toMatchObject({ ok: true });
    expect(judgeDriftQuery('max by (feature) (loan_feature_drift_score)')).toMatchObject({ ok: true });
    expect(judgeDriftQuery('loan_feature_drift_score{feature=~".+"} > 0')).toMatchObject({ ok: true });
  });

  it('names the mistake', () => {
    expect(judgeLatencyQuery(`histogram_quantile(0.95, sum without (le) (rate(${bucket}[5m])))`)).toMatchObject({
      problem: expect.stringMatching(/drops the le label/),
    });
    expect(
      judgeLatencyQuery('rate(loan_prediction_latency_seconds_sum[5m]) / rate(loan_prediction_latency_seconds_count[5m])'),
    ).toMatchObject({
      problem: expect.stringMatching(/mean latency/),
    });
    expect(judgeTrafficQuery('loan_predictions_total')).toMatchObject({ problem: expect.stringMatching(/counter only grows/) });
    expect(judgeDriftQuery('avg(loan_feature_drift_score)')).toMatchObject({ problem: expect.stringMatching(/folds the features/) });
    expect(judgeLatencyQuery('up')).toBeUndefined();
  });

  it('reports PromQL syntax errors with line, column and a caret, and never throws on hostile input', () => {
    const q = parsePromql('sum(rate(x[5m])');
    expect(q.errors[0]!.message).toMatch(/line 1, column 16: unexpected the end of the query/);
    expect(parsePromql('x'.repeat(50_000)).errors[0]!.message).toMatch(/at most/);
    expect(parsePromql('{{{{{{{{{{{{{{{{'.repeat(100)).errors.length).toBeGreaterThan(0);
    expect(parsePromql('').errors[0]!.message).toMatch(/empty/);
  });
});

interface HoldOut extends ReviewerVerdict {
  submission: string;
}

const DETECTOR_OK = { 'detector-prints-a-json-report': 'pass' } as const;

const LAB_03_HOLDOUTS: HoldOut[] = [
  {
    submission: 'good-asymptotic',
    verdicts: {
      ...DETECTOR_OK,
      'p-values-match-the-ks-test': 'pass',
      'flags-the-shifted-features': 'pass',
      'stays-quiet-on-clean-traffic': 'pass',
      'dataset-drift-follows-the-share-rule': 'pass',
    },
  },
  {
    submission: 'mann-whitney',
    verdicts: { ...DETECTOR_OK, 'p-values-match-the-ks-test': 'fail' },
    says: { 'p-values-match-the-ks-test': 'the KS test gives' },
  },
  {
    submission: 'drifted-when-p-above-alpha',
    verdicts: {
      ...DETECTOR_OK,
      'p-values-match-the-ks-test': 'pass',
      'flags-the-shifted-features': 'fail',
      'stays-quiet-on-clean-traffic': 'fail',
    },
    says: { 'flags-the-shifted-features': 'missed credit_score', 'stays-quiet-on-clean-traffic': 'it flags age' },
  },
  {
    submission: 'share-rule-strictly-more',
    verdicts: { ...DETECTOR_OK, 'flags-the-shifted-features': 'pass', 'dataset-drift-follows-the-share-rule': 'fail' },
    says: { 'dataset-drift-follows-the-share-rule': 'exactly half counts' },
  },
  {
    submission: 'hardcoded-features',
    verdicts: {
      ...DETECTOR_OK,
      'p-values-match-the-ks-test': 'pass',
      'flags-the-shifted-features': 'fail',
      'stays-quiet-on-clean-traffic': 'fail',
    },
    says: { 'flags-the-shifted-features': 'missed age', 'stays-quiet-on-clean-traffic': 'credit_score' },
  },
  {
    submission: 'numpy-bool',
    verdicts: { 'detector-prints-a-json-report': 'fail', 'flags-the-shifted-features': 'skip' },
    says: { 'detector-prints-a-json-report': 'not JSON serializable' },
  },
  {
    submission: 'nan-p-values',
    verdicts: { 'detector-prints-a-json-report': 'fail' },
    says: { 'detector-prints-a-json-report': 'NaN' },
  },
  {
    submission: 'waits-for-input',
    verdicts: { 'detector-prints-a-json-report': 'fail' },
    says: { 'detector-prints-a-json-report': 'EOFError' },
  },
  {
    submission: 'floods-output',
    verdicts: { 'detector-prints-a-json-report': 'fail' },
    says: { 'detector-prints-a-json-report': 'printed more than 256 KiB' },
  },
];

const LAB_05_ALL_PASS = {
  'dashboard-is-valid-json': 'pass',
  'queries-are-valid-promql': 'pass',
  'queries-use-the-service-metrics': 'pass',
  'datasource-is-a-variable': 'pass',
  'latency-panel-shows-a-quantile': 'pass',
  'traffic-panel-shows-a-rate': 'pass',
  'drift-panel-shows-every-feature': 'pass',
} as const;

const LAB_05_HOLDOUTS: HoldOut[] = [
  { submission: 'good-exported-for-sharing', verdicts: LAB_05_ALL_PASS },
  { submission: 'good-collapsed-rows', verdicts: LAB_05_ALL_PASS },
  {
    submission: 'sum-without-le',
    verdicts: { 'latency-panel-shows-a-quantile': 'fail', 'traffic-panel-shows-a-rate': 'pass' },
    says: { 'latency-panel-shows-a-quantile': 'drops the le label' },
  },
  {
    submission: 'quantile-95',
    verdicts: { 'latency-panel-shows-a-quantile': 'fail' },
    says: { 'latency-panel-shows-a-quantile': 'not 95' },
  },
  {
    submission: 'buckets-without-rate',
    verdicts: { 'latency-panel-shows-a-quantile': 'fail' },
    says: { 'latency-panel-shows-a-quantile': 'not wrapped in rate' },
  },
  {
    submission: 'avg-drift',
    verdicts: { 'drift-panel-shows-every-feature': 'fail', 'latency-panel-shows-a-quantile': 'pass' },
    says: { 'drift-panel-shows-every-feature': 'folds the features' },
  },
  {
    submission: 'single-feature-drift',
    verdicts: { 'drift-panel-shows-every-feature': 'fail' },
    says: { 'drift-panel-shows-every-feature': 'shows only feature="credit_score"' },
  },
  {
    submission: 'metric-name-typo',
    verdicts: { 'queries-use-the-service-metrics': 'fail', 'traffic-panel-shows-a-rate': 'skip', 'datasource-is-a-variable': 'pass' },
    says: { 'queries-use-the-service-metrics': 'did you mean loan_predictions_total?' },
  },
  {
    submission: 'unclosed-bracket',
    verdicts: { 'queries-are-valid-promql': 'fail', 'queries-use-the-service-metrics': 'skip' },
    says: { 'queries-are-valid-promql': /Errors \(rejected requests per second\)", query A: line 1, column \d+/ },
  },
  {
    submission: 'trailing-comma',
    verdicts: { 'dashboard-is-valid-json': 'fail', 'queries-are-valid-promql': 'skip', 'datasource-is-a-variable': 'skip' },
    says: { 'dashboard-is-valid-json': /not valid JSON \(line \d+, column \d+\)/ },
  },
];

const parents: string[] = [];
afterAll(async () => {
  for (const parent of parents) await rm(parent, { recursive: true, force: true });
});

async function gradeSubmission(lab: LoadedLab, labDir: string, holdOut: HoldOut): Promise<void> {
  const parent = await mkdtemp(join(tmpdir(), 'mlops-lab-holdout-'));
  parents.push(parent);
  const dir = await submissionWorkspace(lab, join(parent, 'w'), join(labDir, '__fixtures__', 'holdout', holdOut.submission));
  await expectReviewerVerdict(lab, dir, holdOut);
}

const python = await toolGate('python3 (.venv with pandas and scipy)', probeVenvTool('python3'));

describeWithTool(python, 'monitoring/03 hold-outs', () => {
  let lab: LoadedLab;
  beforeAll(async () => {
    lab = await findLab('monitoring/03-detect-drift');
  });
  for (const holdOut of LAB_03_HOLDOUTS) {
    it(
      `${holdOut.submission}: ${Object.entries(holdOut.verdicts)
        .map(([id, status]) => `${id} ${status}`)
        .join(', ')}`,
      { timeout: 180_000 },
      () => gradeSubmission(lab, LAB_03, holdOut),
    );
  }

  it('stops a detector that never finishes and says so', { timeout: 60_000 }, async () => {
    process.env.MLOPS_LAB_DRIFT_RUN_TIMEOUT_MS = '4000';
    try {
      await gradeSubmission(lab, LAB_03, {
        submission: 'never-finishes',
        verdicts: { 'detector-prints-a-json-report': 'fail' },
        says: { 'detector-prints-a-json-report': 'did not finish within 4 s' },
      });
    } finally {
      delete process.env.MLOPS_LAB_DRIFT_RUN_TIMEOUT_MS;
    }
  });
});

describe('monitoring/05 hold-outs', () => {
  let lab: LoadedLab;
  beforeAll(async () => {
    lab = await findLab('monitoring/05-grafana-dashboard');
  });
  for (const holdOut of LAB_05_HOLDOUTS) {
    it(`${holdOut.submission}: ${Object.entries(holdOut.verdicts)
      .map(([id, status]) => `${id} ${status}`)
      .join(', ')}`, () => gradeSubmission(lab, LAB_05, holdOut));
  }

  it('fails a huge file and a file that is JSON but no dashboard, fast', async () => {
    for (const [content, words] of [
      [`{"title": "x", "schemaVersion": 39, "panels": [], "pad": "${'x'.repeat(1_200_000)}"}`, 'the grader reads at most'],
      ['[1, 2, 3]', 'not a Grafana dashboard'],
      ['{"title": "x", "schemaVersion": 39, "panels": [{"title": "no type"}]}', 'panels[0].type'],
    ] as const) {
      const parent = await mkdtemp(join(tmpdir(), 'mlops-lab-hostile-'));
      parents.push(parent);
      const dir = await submissionWorkspace(lab, join(parent, 'w'), undefined);
      await writeFile(join(dir, 'dashboards', 'loan-model.json'), content);
      const started = performance.now();
      await expectReviewerVerdict(lab, dir, {
        verdicts: { 'dashboard-is-valid-json': 'fail' },
        says: { 'dashboard-is-valid-json': words },
      });
      expect(performance.now() - started).toBeLessThan(10_000);
    }
  });
});
