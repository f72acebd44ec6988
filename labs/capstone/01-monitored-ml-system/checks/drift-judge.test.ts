import { describe, expect, it } from 'vitest';
import type { VectorSample, WebhookDelivery } from '@mlops-lab/grader/authoring';
import {
  describeDriftSeries,
  driftPass,
  isDriftDelivery,
  judgeCleanPhase,
  judgeShiftedPhase,
  readDeclaredDrift,
  undeclaredDrift,
  type CleanPhase,
  type ShiftedPhase,
} from './drift-judge.ts';
import type { SentTraffic } from './drift-send.ts';

const sent = (rows: number, extra: Partial<SentTraffic> = {}): SentTraffic => ({
  rows,
  requests: rows / 20,
  failedRequests: 0,
  failures: [],
  firstRequestAt: 1_000,
  ...extra,
});
const gauge = (feature: string, value: number, name = 'capstone_feature_drift_detected'): VectorSample => ({
  metric: { __name__: name, job: 'income-api', instance: '127.0.0.1:1234', feature },
  value,
});
const delivery = (alertname: string, labels: Record<string, string> = {}, status = 'firing'): WebhookDelivery => ({
  receivedAt: 30_000,
  receiver: 'ml-team',
  status,
  alerts: [{ status, labels: { alertname, ...labels }, annotations: {} }],
});

const quietClean: CleanPhase = {
  quietSeconds: 40,
  fillRows: 2000,
  sent: sent(10_000),
  firing: [],
  deliveries: [],
  driftSeries: [gauge('age', 0), gauge('native_country', 0)],
};

const missedShift: ShiftedPhase = {
  boundSeconds: 90,
  sent: sent(18_000),
  driftAlerts: ['FeatureDriftDetected'],
  deliveries: [],
  promAlerts: [],
  amAlerts: [],
  driftSeries: [gauge('age', 0), gauge('hours_per_week', 0), gauge('age', 0.04, 'capstone_feature_drift_score')],
  ruleResult: { expr: 'max by (feature) (capstone_feature_drift_detected) == 1', samples: [] },
  rewrites: ['job "income-api": targets 127.0.0.1:8080 scraped at 127.0.0.1:1234, where the grader started your service'],
};

describe('judgeCleanPhase', () => {
  it('returns nothing when clean traffic went through and nothing fired', () => {
    expect(judgeCleanPhase(quietClean)).toBeUndefined();
  });

  it('fails naming the alert when one fires on clean traffic, with the drift series Prometheus saw', () => {
    const outcome = judgeCleanPhase({
      ...quietClean,
      firing: [{ labels: { alertname: 'FeatureDriftDetected', feature: 'native_country', severity: 'ticket' } }],
      driftSeries: [gauge('native_country', 1), gauge('age', 0)],
    });
    expect(outcome?.status).toBe('fail');
    expect(outcome?.message).toMatch(/^FeatureDriftDetected fired on clean traffic/);
    expect(outcome && 'actual' in outcome ? outcome.actual : '').toContain(
      'firing in Prometheus: {alertname="FeatureDriftDetected", feature="native_country", severity="ticket"}',
    );
    expect(outcome && 'actual' in outcome ? outcome.actual : '').toContain('capstone_feature_drift_detected{feature="native_country"} 1');
  });

  it('fails naming an alert that reached the webhook on clean traffic, even one that is not about drift', () => {
    const outcome = judgeCleanPhase({ ...quietClean, deliveries: [delivery('HighPredictionLatency', { severity: 'page' })] });
    expect(outcome?.message).toMatch(/^HighPredictionLatency fired on clean traffic/);
    expect(outcome && 'actual' in outcome ? outcome.actual : '').toContain('at the webhook (receiver "ml-team")');
  });

  it('fails on refused requests before judging alerts, quoting the first failures', () => {
    const outcome = judgeCleanPhase({
      ...quietClean,
      sent: sent(200, {
        failedRequests: 10,
        failures: ['request 1: HTTP 422: {"errors":[{"field":"rows[0].workclass"}]}'],
        gaveUp: '10 requests in a row failed',
      }),
    });
    expect(outcome?.message).toMatch(
      /10 of 10 POST \/predict requests of clean traffic failed \(the grader stopped: 10 requests in a row failed\)/,
    );
    expect(outcome && 'actual' in outcome ? outcome.actual : '').toContain('rows[0].workclass');
  });
});

describe('judgeShiftedPhase', () => {
  it('returns nothing when the drift alert reached the webhook', () => {
    expect(judgeShiftedPhase({ ...missedShift, delivery: delivery('FeatureDriftDetected', { feature: 'age' }) })).toBeUndefined();
  });

  it('fails with what Prometheus saw for the drift gauges when no alert came', () => {
    const outcome = judgeShiftedPhase(missedShift);
    expect(outcome?.status).toBe('fail');
    expect(outcome?.message).toContain(
      'No FeatureDriftDetected notification reached the webhook within 90 s of shifted traffic (age + 15, hours_per_week × 0.6',
    );
    expect(outcome?.message).toContain('Prometheus never had the drift alert pending');
    const actual = outcome && 'actual' in outcome ? outcome.actual! : '';
    expect(actual).toMatch(/^drift series in Prometheus: capstone_feature_drift_detected\{feature="age"\} 0, /);
    expect(actual).toContain('capstone_feature_drift_score{feature="age"} 0.04');
    expect(actual).toContain('returns nothing');
    expect(actual).toContain('where the grader started your service');
  });

  it('says the alert is stuck in pending when Prometheus has it pending', () => {
    const outcome = judgeShiftedPhase({
      ...missedShift,
      promAlerts: [{ labels: { alertname: 'FeatureDriftDetected', feature: 'age' }, annotations: {}, state: 'pending' }],
    });
    expect(outcome?.message).toContain('pending but not yet firing');
    expect(outcome && 'actual' in outcome ? outcome.actual : '').toContain(
      'alert states: pending {alertname="FeatureDriftDetected", feature="age"}',
    );
  });

  it('says Alertmanager kept the alert when it holds it but nothing was delivered', () => {
    const outcome = judgeShiftedPhase({
      ...missedShift,
      promAlerts: [{ labels: { alertname: 'FeatureDriftDetected', feature: 'age' }, annotations: {}, state: 'firing' }],
      amAlerts: [
        { labels: { alertname: 'FeatureDriftDetected', feature: 'age' }, annotations: {}, status: {}, receivers: [{ name: 'null' }] },
      ],
    });
    expect(outcome?.message).toContain('Alertmanager holds 1 drift alert(s) but delivered none to a webhook');
  });

  it('says Prometheus has it firing when Alertmanager never got it', () => {
    const outcome = judgeShiftedPhase({
      ...missedShift,
      promAlerts: [{ labels: { alertname: 'FeatureDriftDetected', feature: 'age' }, annotations: {}, state: 'firing' }],
    });
    expect(outcome?.message).toContain('Prometheus has the alert firing, but it did not reach Alertmanager in time');
  });
});

describe('isDriftDelivery', () => {
  it('returns true only for a firing notification carrying a drift alert', () => {
    const drift = new Set(['FeatureDriftDetected']);
    expect(isDriftDelivery(delivery('FeatureDriftDetected'), drift)).toBe(true);
    expect(isDriftDelivery(delivery('FeatureDriftDetected', {}, 'resolved'), drift)).toBe(false);
    expect(isDriftDelivery(delivery('HighPredictionLatency'), drift)).toBe(false);
  });
});

describe('describeDriftSeries', () => {
  it('returns the shifted features first, without job and instance, capped', () => {
    const text = describeDriftSeries([gauge('education', 0), gauge('age', 1), gauge('hours_per_week', 1), gauge('sex', 0)], 3);
    expect(text).toBe(
      'capstone_feature_drift_detected{feature="age"} 1, capstone_feature_drift_detected{feature="hours_per_week"} 1, capstone_feature_drift_detected{feature="education"} 0, and 1 more',
    );
    expect(describeDriftSeries([])).toBe('no series with "drift" in its name');
  });
});

describe('readDeclaredDrift', () => {
  it('returns the method and threshold /ready declares', () => {
    expect(readDeclaredDrift({ model_version: '2', drift: { method: 'ks', threshold: 0.05 } })).toEqual({ method: 'ks', threshold: 0.05 });
  });

  it('returns a per-feature map of methods as their names', () => {
    expect(
      readDeclaredDrift({ drift: { method: { age: 'wasserstein', sex: 'jensenshannon', race: 'jensenshannon' }, threshold: '0.1' } }),
    ).toEqual({
      method: 'wasserstein, jensenshannon',
      threshold: 0.1,
    });
  });

  it('returns a problem naming the missing field', () => {
    expect(readDeclaredDrift({ model_version: '2' })).toEqual({ problem: expect.stringContaining('GET /ready has no "drift" object') });
    expect(readDeclaredDrift({ drift: { method: 'ks' } })).toEqual({
      problem: 'GET /ready: drift.threshold is missing, not a number (e.g. 0.1)',
    });
  });
});

describe('driftPass', () => {
  const figures = {
    alert: 'FeatureDriftDetected',
    secondsToAlert: 27.4,
    receiver: 'ml-team',
    alertedFeatures: ['age', 'hours_per_week'],
    cleanRows: 10_000,
    quietSeconds: 40,
    shiftedRows: 5_400,
    rewrites: ["alerts sent to the grader's Alertmanager at 127.0.0.1:9"],
  };

  it('returns the contract figures, with the declared method and threshold', () => {
    const outcome = driftPass({ ...figures, declared: { method: 'ks', threshold: 0.05 } });
    expect(outcome.status).toBe('pass');
    expect(outcome.status === 'pass' ? outcome.figures : undefined).toEqual({
      'drift.method': 'ks',
      'drift.threshold': 0.05,
      'drift.alert': 'FeatureDriftDetected',
      'drift.secondsToAlert': 27.4,
      'drift.cleanAlerts': 0,
      'drift.shiftedFeatures': 'age, hours_per_week',
    });
    expect(outcome.message).toContain('27.4 s after the first shifted request');
    expect(outcome.message).toContain('Declared by /ready: ks, threshold 0.05');
  });

  it('fails when the alert works but /ready declares nothing', () => {
    const outcome = undeclaredDrift('GET /ready has no "drift" object', figures);
    expect(outcome.status).toBe('fail');
    expect(outcome.message).toContain('FeatureDriftDetected reached the webhook 27.4 s after the shift');
  });
});
