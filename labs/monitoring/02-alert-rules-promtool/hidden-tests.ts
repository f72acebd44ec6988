/**
 * The grader's own `promtool test rules` cases against the learner's
 * alerts.yml: for each alert, one series where it must fire and one where a
 * pager must stay quiet. The learner's alert labels are not known in
 * advance, so every case expects no alert: a "fires" case passes when
 * promtool reports exactly that expectation broken by the alert firing, a
 * "quiet" case when promtool reports nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promtoolTestRules, type CheckContext, type RuleTestReport } from '@mlops-lab/grader/authoring';
import { ALERTS, ALERTS_FILE } from '../_shared/rules.ts';

export interface HiddenCase {
  name: string;
  alert: string;
  expect: 'fires' | 'quiet';
  /** What the series are, in a learner's words. */
  story: string;
  /** `series` -> `values` (promtool expanding notation), one sample a minute. */
  series: Record<string, string>;
  /** Minutes at which the expectation is evaluated. */
  evalMinutes: number[];
}

const SERVICE = 'job="loan-api", instance="127.0.0.1:8000"';
const bucket = (le: string): string => `loan_prediction_latency_seconds_bucket{${SERVICE}, le="${le}"}`;

export const HIDDEN_CASES: readonly HiddenCase[] = [
  {
    name: 'latency-slow',
    alert: ALERTS.latency,
    expect: 'fires',
    story: '100 requests a minute for 40 minutes, 98 of them between 1 s and 2.5 s (p95 about 2.4 s)',
    series: {
      [bucket('0.05')]: '0+1x40',
      [bucket('0.1')]: '0+1x40',
      [bucket('0.5')]: '0+2x40',
      [bucket('1')]: '0+2x40',
      [bucket('2.5')]: '0+100x40',
      [bucket('5')]: '0+100x40',
      [bucket('+Inf')]: '0+100x40',
      [`loan_prediction_latency_seconds_count{${SERVICE}}`]: '0+100x40',
    },
    evalMinutes: [30],
  },
  {
    name: 'latency-healthy',
    alert: ALERTS.latency,
    expect: 'quiet',
    story: '100 requests a minute, 97 under 50 ms and 3 between 0.5 s and 1 s (p95 under 50 ms, p99 near 1 s)',
    series: {
      [bucket('0.05')]: '0+97x40',
      [bucket('0.1')]: '0+97x40',
      [bucket('0.5')]: '0+97x40',
      [bucket('1')]: '0+100x40',
      [bucket('2.5')]: '0+100x40',
      [bucket('5')]: '0+100x40',
      [bucket('+Inf')]: '0+100x40',
      [`loan_prediction_latency_seconds_count{${SERVICE}}`]: '0+100x40',
    },
    evalMinutes: [10, 20, 30],
  },
  {
    name: 'errors-high',
    alert: ALERTS.errors,
    expect: 'fires',
    story: '20 rejected and 80 answered requests a minute for 40 minutes (20% errors)',
    series: {
      [`loan_prediction_errors_total{${SERVICE}}`]: '0+20x40',
      [`loan_predictions_total{${SERVICE}, class="repaid"}`]: '0+60x40',
      [`loan_predictions_total{${SERVICE}, class="default"}`]: '0+20x40',
      [`loan_prediction_latency_seconds_count{${SERVICE}}`]: '0+80x40',
    },
    evalMinutes: [30],
  },
  {
    name: 'errors-low',
    alert: ALERTS.errors,
    expect: 'quiet',
    story: '1 rejected and 100 answered requests a minute (1% errors)',
    series: {
      [`loan_prediction_errors_total{${SERVICE}}`]: '0+1x40',
      [`loan_predictions_total{${SERVICE}, class="repaid"}`]: '0+75x40',
      [`loan_predictions_total{${SERVICE}, class="default"}`]: '0+25x40',
      [`loan_prediction_latency_seconds_count{${SERVICE}}`]: '0+100x40',
    },
    evalMinutes: [10, 20, 30],
  },
  {
    name: 'drift-shifted',
    alert: ALERTS.drift,
    expect: 'fires',
    story: 'credit_score drift score at 0.45 for 40 minutes, the other features at 0.05',
    series: {
      [`loan_feature_drift_score{${SERVICE}, feature="credit_score"}`]: '0.45x40',
      [`loan_feature_drift_score{${SERVICE}, feature="age"}`]: '0.05x40',
      [`loan_feature_drift_score{${SERVICE}, feature="debt_to_income"}`]: '0.05x40',
    },
    evalMinutes: [30],
  },
  {
    name: 'drift-clean',
    alert: ALERTS.drift,
    expect: 'quiet',
    story: 'every feature near 0.08, with one single-scrape blip of age to 0.3 at minute 10',
    series: {
      [`loan_feature_drift_score{${SERVICE}, feature="credit_score"}`]: '0.08x40',
      [`loan_feature_drift_score{${SERVICE}, feature="age"}`]: '0.07x9 0.3 0.07x30',
      [`loan_feature_drift_score{${SERVICE}, feature="debt_to_income"}`]: '0.09x40',
    },
    evalMinutes: [10, 20, 30],
  },
];

/** The test file, with the learner's rule file by absolute path. JSON strings are valid YAML. */
export function hiddenTestFile(rulesPath: string, cases: readonly HiddenCase[] = HIDDEN_CASES): string {
  const lines = ['rule_files:', `  - ${JSON.stringify(rulesPath)}`, 'evaluation_interval: 1m', 'tests:'];
  for (const c of cases) {
    lines.push(`  - name: ${JSON.stringify(c.name)}`, '    interval: 1m', '    input_series:');
    for (const [series, values] of Object.entries(c.series)) {
      lines.push(`      - series: ${JSON.stringify(series)}`, `        values: ${JSON.stringify(values)}`);
    }
    lines.push('    alert_rule_test:');
    for (const minute of c.evalMinutes) {
      lines.push(`      - eval_time: ${minute}m`, `        alertname: ${JSON.stringify(c.alert)}`, '        exp_alerts: []');
    }
  }
  return `${lines.join('\n')}\n`;
}

export interface CaseVerdict {
  case: HiddenCase;
  ok: boolean;
  /** What promtool reported for the case (alerts seen, and when). */
  observed: string;
}

/** Runs every hidden case once per grading run. */
export function runHiddenTests(ctx: CheckContext): Promise<{ report: RuleTestReport; verdicts: CaseVerdict[] }> {
  return ctx.memo('monitoring:hidden-rule-tests', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlops-lab-hidden-rules-'));
    try {
      const file = join(dir, 'hidden.test.yml');
      await writeFile(file, hiddenTestFile(await ctx.files.resolve(ALERTS_FILE)));
      const report = await promtoolTestRules(ctx.process, [file], { cwd: dir, signal: ctx.signal, timeoutMs: 60_000 });
      return { report, verdicts: judgeCases(report) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

/** Each case's verdict from promtool's report. */
export function judgeCases(report: RuleTestReport, cases: readonly HiddenCase[] = HIDDEN_CASES): CaseVerdict[] {
  return cases.map((c) => {
    const failures = report.failures.filter((f) => f.group === c.name);
    const firing = failures.filter((f) => f.alertname === c.alert && f.got.length > 0);
    const observed = firing.map((f) => `firing at ${f.time}: ${f.got.join(' ')}`).join('; ') || 'no alert firing';
    if (c.expect === 'quiet') return { case: c, ok: failures.length === 0, observed };
    return { case: c, ok: firing.length === c.evalMinutes.length, observed };
  });
}
