/**
 * Hold-out submissions for the monitoring labs 01, 02 and 04, judged as a
 * senior reviewer would: each is a realistic wrong submission kept in
 * `<lab>/__fixtures__/holdout/<case>/`, laid over a fresh workspace (after
 * the lab's setup), graded by the lab's real checks with the real tools
 * (the learner's service from its Procfile, promtool, Prometheus,
 * Alertmanager), and must fail the check it is about, with the reviewer's
 * reason in the message. The drift lab's cases are in holdouts-drift.test.ts.
 *
 * The pure judgements (metrics, rule files, routes, the hidden rule tests'
 * verdicts) are tested first, without tools.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLab, type LoadedLab } from '@mlops-lab/grader';
import { parseExposition, parseRuleTestFailures } from '@mlops-lab/grader/authoring';
import { expectReviewerVerdict, submissionWorkspace, workspacePerTest, type ReviewerVerdict } from '../../grader/test-support/holdout.ts';
import { describeWithTools, probeProgram, probePython, probeVenvTool, toolGate } from '../../grader/test-support/tools.ts';
import { judgeDriftGauge, judgeLatencyHistogram, judgePredictionCounter } from './_shared/metrics.ts';
import { alertRules, parseDuration } from './_shared/rules.ts';
import { judgeAlertRules } from './02-alert-rules-promtool/checks/alert-rules-are-valid.ts';
import { testedAlerts } from './02-alert-rules-promtool/checks/rule-unit-tests-pass.ts';
import { HIDDEN_CASES, hiddenTestFile, judgeCases } from './02-alert-rules-promtool/hidden-tests.ts';
import { routedWebhooks } from './04-alert-fires/checks/alertmanager-sends-to-a-webhook.ts';

const FEATURES = ['age', 'annual_income', 'loan_amount', 'credit_score', 'debt_to_income', 'late_payments_12m'];
const GOOD_PAGE = [
  '# TYPE loan_prediction_latency_seconds histogram',
  ...[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5].map((le) => `loan_prediction_latency_seconds_bucket{le="${le}"} 3.0`),
  'loan_prediction_latency_seconds_bucket{le="+Inf"} 3.0',
  'loan_prediction_latency_seconds_sum 0.004',
  'loan_prediction_latency_seconds_count 3.0',
  '# TYPE loan_predictions_total counter',
  'loan_predictions_total{class="repaid"} 2.0',
  'loan_predictions_total{class="default"} 1.0',
  '# TYPE loan_feature_drift_score gauge',
  ...FEATURES.map((f) => `loan_feature_drift_score{feature="${f}"} 0.0`),
].join('\n');

describe('the metric judgements (monitoring/01 and /04)', () => {
  it('pass what the reference service exposes', () => {
    const page = parseExposition(GOOD_PAGE);
    expect(page.problems).toEqual([]);
    expect(judgeLatencyHistogram(page).status).toBe('pass');
    expect(judgePredictionCounter(page).status).toBe('pass');
    expect(judgeDriftGauge(page).status).toBe('pass');
  });
  it('fail too few buckets, millisecond bounds, a class label from the input, a missing feature, a score above 1', () => {
    const few = GOOD_PAGE.split('\n')
      .filter((l) => !/le="(0\.005|0\.01|0\.025|0\.05|0\.1)"/.test(l))
      .join('\n');
    expect(judgeLatencyHistogram(parseExposition(few))).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/only 5 finite bucket/),
    });
    const ms = GOOD_PAGE.replaceAll('le="5"', 'le="5000"');
    expect(judgeLatencyHistogram(parseExposition(ms))).toMatchObject({ status: 'fail', message: expect.stringMatching(/milliseconds/) });
    const byIncome = GOOD_PAGE.replace('class="default"', 'class="52000"');
    expect(judgePredictionCounter(parseExposition(byIncome))).toMatchObject({ status: 'fail', actual: expect.stringContaining('52000') });
    const noAge = GOOD_PAGE.replace('loan_feature_drift_score{feature="age"} 0.0\n', '');
    expect(judgeDriftGauge(parseExposition(noAge))).toMatchObject({ status: 'fail', message: expect.stringMatching(/no series for age/) });
    const big = GOOD_PAGE.replace('{feature="credit_score"} 0.0', '{feature="credit_score"} 42');
    expect(judgeDriftGauge(parseExposition(big))).toMatchObject({ status: 'fail', message: expect.stringMatching(/outside 0…1/) });
  });
});

describe('the rule judgements (monitoring/02 and /04)', () => {
  const rules = (body: string): ReturnType<typeof alertRules> =>
    alertRules({ groups: [{ name: 'g', rules: JSON.parse(body) as unknown[] }] });
  it('want the three alerts, each with for: and a severity, p95 from histogram buckets', () => {
    const good = rules(
      JSON.stringify([
        { alert: 'HighPredictionErrorRate', expr: 'x > 0.05', for: '5m', labels: { severity: 'page' } },
        {
          alert: 'HighPredictionLatency',
          expr: 'histogram_quantile(0.95, sum by (le) (rate(loan_prediction_latency_seconds_bucket[5m]))) > 0.5',
          for: '5m',
          labels: { severity: 'page' },
        },
        { alert: 'FeatureDriftDetected', expr: 'loan_feature_drift_score > 0.2', for: '10m', labels: { severity: 'ticket' } },
      ]),
    );
    expect(judgeAlertRules(good)).toEqual([]);
    const average = good.map((r) =>
      r.alert === 'HighPredictionLatency'
        ? { ...r, expr: 'rate(loan_prediction_latency_seconds_sum[5m]) / rate(loan_prediction_latency_seconds_count[5m]) > 0.5' }
        : r,
    );
    expect(judgeAlertRules(average)).toEqual([expect.stringMatching(/histogram_quantile\(0\.95/)]);
    expect(judgeAlertRules(good.slice(1).map((r) => ({ ...r, forSeconds: 0, labels: {} })))).toEqual([
      expect.stringMatching(/HighPredictionLatency has no `for:`/),
      expect.stringMatching(/HighPredictionLatency has no severity/),
      'no alert named HighPredictionErrorRate',
      expect.stringMatching(/FeatureDriftDetected has no `for:`/),
      expect.stringMatching(/FeatureDriftDetected has no severity/),
    ]);
  });
  it('reads Prometheus durations', () => {
    expect([parseDuration('15s'), parseDuration('1m30s'), parseDuration('1h'), parseDuration('500ms')]).toEqual([15, 90, 3600, 0.5]);
    expect([parseDuration('5 minutes'), parseDuration(300), parseDuration('')]).toEqual([undefined, undefined, undefined]);
  });
  it('counts only tests that expect an alert to fire', () => {
    const { firing, ruleFiles } = testedAlerts({
      rule_files: ['alerts.yml'],
      tests: [
        {
          alert_rule_test: [
            { alertname: 'A', exp_alerts: [] },
            { alertname: 'B', exp_alerts: [{ exp_labels: {} }] },
          ],
        },
      ],
    });
    expect([...firing]).toEqual(['B']);
    expect(ruleFiles).toEqual(['alerts.yml']);
  });
  it('follows routes to the receivers that have a webhook', () => {
    expect(
      routedWebhooks({
        route: { receiver: 'nobody', routes: [{ receiver: 'hook', matchers: ['alertname="FeatureDriftDetected"'] }] },
        receivers: [{ name: 'nobody' }, { name: 'hook', webhook_configs: [{ url: 'http://x' }] }],
      }),
    ).toEqual({ routed: ['nobody', 'hook'], withWebhook: ['hook'] });
  });
  it('reads the hidden cases from promtool failures: a fires case must fail at each eval time with the alert, a quiet case not at all', () => {
    const stderr = [
      '  FAILED:',
      '    name: latency-slow,',
      '    alertname: HighPredictionLatency, time: 30m, ',
      '        exp:[], ',
      '        got:[',
      '            0:',
      '              Labels:{alertname="HighPredictionLatency", severity="page"}',
      '              Annotations:{}',
      '            ]',
      '',
      '    name: drift-clean,',
      '    alertname: FeatureDriftDetected, time: 10m, ',
      '        exp:[], ',
      '        got:[',
      '            0:',
      '              Labels:{alertname="FeatureDriftDetected", feature="age"}',
      '            ]',
    ].join('\n');
    const failures = parseRuleTestFailures(stderr);
    expect(failures.map((f) => [f.group, f.alertname, f.time, f.got])).toEqual([
      ['latency-slow', 'HighPredictionLatency', '30m', ['{alertname="HighPredictionLatency", severity="page"}']],
      ['drift-clean', 'FeatureDriftDetected', '10m', ['{alertname="FeatureDriftDetected", feature="age"}']],
    ]);
    const verdicts = judgeCases({ ok: false, failures, problems: [], output: stderr });
    expect(Object.fromEntries(verdicts.map((v) => [v.case.name, v.ok]))).toEqual({
      'latency-slow': true,
      'latency-healthy': true,
      'errors-high': false,
      'errors-low': true,
      'drift-shifted': false,
      'drift-clean': false,
    });
    expect(hiddenTestFile('/w/alerts.yml')).toContain('rule_files:\n  - "/w/alerts.yml"');
    expect(HIDDEN_CASES.every((c) => c.evalMinutes.every((m) => m < 40))).toBe(true);
  });
});

const python = await toolGate('python', probePython);
const uvicorn = await toolGate('uvicorn', probeVenvTool('uvicorn'));
const promtool = await toolGate('promtool', probeProgram('promtool'));
const prometheus = await toolGate('prometheus', probeProgram('prometheus'));
const alertmanager = await toolGate('alertmanager', probeProgram('alertmanager'));

/** A submission of `lab` graded with the checks of the verdict (and what they need), held to the verdict. */
function holdouts(labId: string, cases: Record<string, ReviewerVerdict>, timeout: number): void {
  let lab: LoadedLab;
  let parent: string;
  beforeAll(async () => {
    lab = await findLab(labId);
    parent = await mkdtemp(join(tmpdir(), 'mlops-monitoring-holdout-'));
  });
  afterAll(async () => {
    if (parent) await rm(parent, { recursive: true, force: true });
  });
  for (const [name, verdict] of Object.entries(cases)) {
    it(`${labId.split('/')[1]}: ${name}`, { timeout }, async () => {
      const dir = await submissionWorkspace(lab, join(parent, name), join(lab.dir, '__fixtures__', 'holdout', name), { setup: true });
      await expectReviewerVerdict(lab, dir, verdict);
    });
  }
}

describeWithTools([python, uvicorn], 'monitoring/01 hold-outs: the learner service, started from its Procfile', () => {
  holdouts(
    'monitoring/01-instrument-metrics',
    {
      'summary-for-latency': {
        verdicts: { 'service-serves-metrics': 'pass', 'latency-histogram-has-sensible-buckets': 'fail' },
        says: { 'latency-histogram-has-sensible-buckets': /is a summary, not a histogram/ },
      },
      'millisecond-buckets': {
        verdicts: { 'latency-histogram-has-sensible-buckets': 'fail' },
        says: { 'latency-histogram-has-sensible-buckets': /look like milliseconds/ },
      },
      'gauge-counts-predictions': {
        verdicts: { 'predictions-counted-by-class': 'fail' },
        says: { 'predictions-counted-by-class': /Found loan_predictions \(gauge\) but no loan_predictions_total/ },
      },
      'hand-written-counter-without-total': {
        verdicts: {
          'latency-histogram-has-sensible-buckets': 'pass',
          'predictions-counted-by-class': 'fail',
          'drift-gauge-has-a-series-per-feature': 'pass',
        },
        says: { 'predictions-counted-by-class': /counters end in _total/ },
      },
      'counts-every-prediction-twice': {
        verdicts: { 'predictions-counted-by-class': 'pass', 'metrics-move-with-traffic': 'fail' },
        says: { 'metrics-move-with-traffic': /loan_predictions_total moved .*but the answers were/ },
      },
      'floods-metrics': {
        verdicts: { 'service-serves-metrics': 'fail' },
        says: { 'service-serves-metrics': /larger than 4 MiB/ },
      },
      'hangs-on-metrics': {
        verdicts: { 'service-serves-metrics': 'fail' },
        says: { 'service-serves-metrics': /got no answer within 10000 ms/ },
      },
    },
    120_000,
  );
});

describeWithTools([promtool], 'monitoring/02 hold-outs: promtool on the learner rules, and the grader hidden tests', () => {
  holdouts(
    'monitoring/02-alert-rules-promtool',
    {
      'config-does-not-parse': {
        verdicts: { 'prometheus-config-is-valid': 'fail' },
        says: { 'prometheus-config-is-valid': /prometheus\.yml is not valid YAML: line \d+/ },
      },
      'latency-for-an-hour': {
        verdicts: {
          'alert-rules-are-valid': 'pass',
          'latency-alert-fires-on-slow-predictions-only': 'fail',
          'rule-unit-tests-pass': 'fail',
        },
        says: { 'latency-alert-fires-on-slow-predictions-only': /did not fire after 30 minutes[\s\S]*for: 1h/ },
      },
      'drift-threshold-at-noise-level': {
        verdicts: {
          'rule-unit-tests-pass': 'pass',
          'drift-alert-fires-on-a-drifting-feature-only': 'fail',
          'latency-alert-fires-on-slow-predictions-only': 'pass',
        },
        says: { 'drift-alert-fires-on-a-drifting-feature-only': /fired on healthy traffic/ },
      },
      'drift-without-for': {
        verdicts: { 'alert-rules-are-valid': 'fail' },
        says: { 'alert-rules-are-valid': /FeatureDriftDetected has no `for:`/ },
      },
      'test-expects-wrong-severity': {
        verdicts: { 'rule-unit-tests-pass': 'fail', 'latency-alert-fires-on-slow-predictions-only': 'pass' },
        says: {
          'rule-unit-tests-pass': /test "slow predictions page", alert HighPredictionLatency at 15m: expected \{[^}]*severity="critical"/,
        },
      },
    },
    60_000,
  );
});

describeWithTools(
  [python, uvicorn, promtool, prometheus, alertmanager],
  'monitoring/04 hold-outs: service, Prometheus and Alertmanager for real',
  () => {
    holdouts(
      'monitoring/04-alert-fires',
      {
        'webhook-not-routed': {
          verdicts: { 'alertmanager-sends-to-a-webhook': 'fail' },
          says: { 'alertmanager-sends-to-a-webhook': /have a webhook, but no route sends alerts to them/ },
        },
        'p-value-as-score': {
          verdicts: { 'service-reports-drift-per-feature': 'pass', 'drift-score-rises-on-shifted-traffic-only': 'fail' },
          says: { 'drift-score-rises-on-shifted-traffic-only': /the alert would fire on normal traffic/ },
        },
        'fires-on-clean-traffic': {
          verdicts: { 'drift-score-rises-on-shifted-traffic-only': 'pass', 'drift-alert-reaches-the-webhook': 'fail' },
          says: {
            'drift-alert-reaches-the-webhook':
              /An alert fired on clean traffic[\s\S]*firing in Prometheus: \{alertname="FeatureDriftDetected"/,
          },
        },
      },
      240_000,
    );
  },
);

const lab02 = await findLab('monitoring/02-alert-rules-promtool');

describeWithTools([promtool], 'monitoring/02 on a bad day: hostile files give a clear fail, fast', () => {
  const ws = workspacePerTest(lab02);
  it('a prometheus.yml that is a FIFO (nothing ever written to it)', { timeout: 30_000 }, async () => {
    await rm(join(ws.dir, 'prometheus.yml'));
    execFileSync('mkfifo', [join(ws.dir, 'prometheus.yml')]);
    const started = Date.now();
    const check = ws.check(await ws.grade(), 'prometheus-config-is-valid');
    expect(check).toMatchObject({ status: 'fail', message: expect.stringMatching(/not a regular file/) });
    expect(Date.now() - started).toBeLessThan(20_000);
  });
  it('an alerts.yml of 3 MB', { timeout: 30_000 }, async () => {
    await writeFile(join(ws.dir, 'alerts.yml'), `# ${'x'.repeat(3 * 1024 * 1024)}\ngroups: []\n`);
    const check = ws.check(await ws.grade(), 'alert-rules-are-valid');
    expect(check).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/alerts\.yml/),
      hint: expect.stringMatching(/promtool check rules/),
    });
  });
});
