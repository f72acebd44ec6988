/**
 * M6's static checks (promtool on monitoring/, the webhook route, the
 * timing budget) graded by the real runner and the real promtool, on the
 * reference solution's monitoring/ folder and on broken copies of it.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { AttemptResult } from '@mlops-lab/grader';
import { describeWithTools, probeProgram, toolGate } from '../../../../grader/test-support/tools.ts';
import { alertRules } from '../../../monitoring/_shared/rules.ts';
import { alertTimings, driftRules, TIMING_BUDGET_SECONDS } from './drift-stack.ts';
import { listsAlertRules, m6Checks } from './m6.ts';
import { grade as gradeChecks, labOf } from '../test-support.ts';

const here = dirname(fileURLToPath(import.meta.url));
const SOLUTION_MONITORING = resolve(here, '..', '..', 'solution', 'monitoring');

const yamlOf = async (file: string): Promise<Record<string, unknown>> =>
  parse(await readFile(join(SOLUTION_MONITORING, file), 'utf8')) as Record<string, unknown>;

describe('m6Checks', () => {
  it('returns checks that form a valid lab manifest, each id starting with m6-', () => {
    expect(() => labOf(m6Checks)).not.toThrow();
    expect(m6Checks.every((c) => c.id.startsWith('m6-'))).toBe(true);
  });
});

describe('listsAlertRules', () => {
  it('returns true for rule_files that resolve to monitoring/alert-rules.yml from monitoring/', () => {
    expect(listsAlertRules(['alert-rules.yml'])).toBe(true);
    expect(listsAlertRules(['./alert-rules.yml'])).toBe(true);
    expect(listsAlertRules(['*.yml'])).toBe(true);
    expect(listsAlertRules(['alert-*.yml'])).toBe(true);
  });

  it('returns false for a path written from the workspace root (Prometheus would look in monitoring/monitoring/)', () => {
    expect(listsAlertRules(['monitoring/alert-rules.yml'])).toBe(false);
    expect(listsAlertRules(['alerts.yml'])).toBe(false);
    expect(listsAlertRules([])).toBe(false);
  });
});

describe('alertTimings', () => {
  it('returns a worst case within the budget for the reference configs', async () => {
    const timings = alertTimings(await yamlOf('prometheus.yml'), await yamlOf('alert-rules.yml'), await yamlOf('alertmanager.yml'));
    expect(timings.rule?.alert).toBe('FeatureDriftDetected');
    expect(timings.worstCaseSeconds).toBe(5 + 2 * 5 + 15 + 5);
    expect(timings.worstCaseSeconds).toBeLessThanOrEqual(TIMING_BUDGET_SECONDS);
    expect(timings.text).toBe('scrape_interval 5s, evaluation_interval 5s, for: 15s (FeatureDriftDetected), group_wait 5s');
  });

  it('returns Prometheus and Alertmanager defaults when nothing is set (1m, 1m, 30s)', () => {
    const timings = alertTimings(
      { scrape_configs: [{ job_name: 'api', static_configs: [{ targets: ['x:1'] }] }] },
      { groups: [{ name: 'g', rules: [{ alert: 'InputDrift', expr: 'drift_score > 0.2', for: '10m' }] }] },
      { route: { receiver: 'r' } },
    );
    expect(timings.worstCaseSeconds).toBe(60 + 120 + 600 + 30);
  });

  it('returns the longest group_wait of the route tree', () => {
    const timings = alertTimings({}, {}, { route: { group_wait: '5s', routes: [{ matchers: ['severity="ticket"'], group_wait: '45s' }] } });
    expect(timings.groupWaitSeconds).toBe(45);
  });

  it('returns a group_wait of 0 when the route says 0s, and the default 30 s without a route', () => {
    expect(alertTimings({}, {}, { route: { group_wait: '0s' } }).groupWaitSeconds).toBe(0);
    expect(alertTimings({}, {}, {}).groupWaitSeconds).toBe(30);
  });
});

describe('driftRules', () => {
  it('returns the alerts whose name or expression mentions drift', async () => {
    expect(driftRules(alertRules(await yamlOf('alert-rules.yml'))).map((r) => r.alert)).toEqual(['FeatureDriftDetected']);
    const rules = alertRules({
      groups: [
        {
          name: 'g',
          rules: [
            { alert: 'InputShift', expr: 'max(income_feature_drift_score) > 0.2' },
            { alert: 'SlowApi', expr: 'histogram_quantile(0.99, x) > 1' },
          ],
        },
      ],
    });
    expect(driftRules(rules).map((r) => r.alert)).toEqual(['InputShift']);
  });
});

const promtool = await toolGate('promtool', probeProgram('promtool'));

/** M6's static checks (the end-to-end one needs MLflow: drift-run.test.ts and m6-reference.test.ts). */
const STATIC_CHECKS = m6Checks.filter((c) => c.id !== 'm6-drift-alert-reaches-the-webhook');

describeWithTools([promtool], 'M6 static checks with the real promtool', () => {
  let parent = '';
  let dir = '';
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'mlops-capstone-m6-'));
  });
  afterAll(async () => {
    if (parent) await rm(parent, { recursive: true, force: true });
  });
  let n = 0;
  beforeEach(async () => {
    dir = join(parent, `w${++n}`);
    await cp(SOLUTION_MONITORING, join(dir, 'monitoring'), { recursive: true });
  });
  const grade = (): Promise<AttemptResult> => gradeChecks(STATIC_CHECKS, dir);
  const check = (result: AttemptResult, id: string) => result.checks.find((c) => c.id === id)!;
  const edit = async (file: string, change: (data: Record<string, unknown>) => void): Promise<void> => {
    const path = join(dir, 'monitoring', file);
    const data = parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    change(data);
    await writeFile(path, stringify(data));
  };

  it('passes every static check on the reference configs', { timeout: 60_000 }, async () => {
    const result = await grade();
    for (const c of result.checks) expect({ id: c.id, status: c.status, message: c.message }).toMatchObject({ status: 'pass' });
    expect(check(result, 'm6-alert-rule-tests-pass').message).toContain('FeatureDriftDetected');
    expect(check(result, 'm6-alert-can-arrive-within-the-bound').message).toContain('about 35 s');
  });

  it('fails m6-prometheus-config-is-valid when rule_files is written from the workspace root', { timeout: 60_000 }, async () => {
    await edit('prometheus.yml', (d) => (d.rule_files = ['monitoring/alert-rules.yml']));
    const result = await grade();
    const c = check(result, 'm6-prometheus-config-is-valid');
    expect(c.status).toBe('fail');
    // promtool itself refuses: the file it would load does not exist.
    expect(c.message).toContain('promtool rejects monitoring/prometheus.yml');
    expect(c.hint).toBe(
      'rule_files are relative to prometheus.yml, which is already in monitoring/: write `alert-rules.yml`, not `monitoring/alert-rules.yml`.',
    );
  });

  it('fails m6-prometheus-config-is-valid when no job has a static target', { timeout: 60_000 }, async () => {
    await edit('prometheus.yml', (d) => (d.scrape_configs = [{ job_name: 'income-api', file_sd_configs: [{ files: ['targets.json'] }] }]));
    const c = check(await grade(), 'm6-prometheus-config-is-valid');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('no scrape job with a static target');
  });

  it('fails m6-alert-rules-are-valid when no alert is about drift', { timeout: 60_000 }, async () => {
    await edit('alert-rules.yml', (d) => {
      const groups = d.groups as { rules: { alert: string }[] }[];
      d.groups = groups
        .map((g) => ({ ...g, rules: g.rules.filter((r) => r.alert !== 'FeatureDriftDetected') }))
        .filter((g) => g.rules.length > 0);
    });
    const result = await grade();
    expect(check(result, 'm6-alert-rules-are-valid').message).toContain('has no drift alert');
    expect(check(result, 'm6-alert-can-arrive-within-the-bound').status).toBe('skip');
  });

  it('fails m6-alert-rules-are-valid when the drift alert has no for:', { timeout: 60_000 }, async () => {
    await edit('alert-rules.yml', (d) => {
      const rule = (d.groups as { rules: Record<string, unknown>[] }[])[0]!.rules[0]!;
      delete rule.for;
    });
    const c = check(await grade(), 'm6-alert-rules-are-valid');
    expect(c.status).toBe('fail');
    expect(c.message).toBe('FeatureDriftDetected has no `for:`, so one noisy drift computation would page someone.');
  });

  it(
    'fails m6-alert-rule-tests-pass naming the broken expectation when the rules change under the tests',
    { timeout: 60_000 },
    async () => {
      await edit('alert-rules.yml', (d) => {
        const rule = (d.groups as { rules: Record<string, unknown>[] }[])[0]!.rules[0]!;
        rule.for = '1m';
      });
      const c = check(await grade(), 'm6-alert-rule-tests-pass');
      expect(c.status).toBe('fail');
      expect(c.actual).toContain('alert FeatureDriftDetected');
      expect(c.actual).toMatch(/expected \{.*feature="age".*\}, got none/);
    },
  );

  it('fails m6-alert-rule-tests-pass when no test shows the drift alert firing', { timeout: 60_000 }, async () => {
    await edit('alert-rules.test.yml', (d) => {
      d.tests = (d.tests as { name: string }[]).filter((t) => !/drift|replicas|noisy/i.test(t.name));
    });
    const c = check(await grade(), 'm6-alert-rule-tests-pass');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('no test shows FeatureDriftDetected firing');
  });

  it('fails m6-alertmanager-routes-to-a-webhook when the routed receiver has no webhook', { timeout: 60_000 }, async () => {
    await edit('alertmanager.yml', (d) => {
      d.receivers = [{ name: 'ml-team' }, { name: 'on-call' }];
    });
    const c = check(await grade(), 'm6-alertmanager-routes-to-a-webhook');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('No receiver in monitoring/alertmanager.yml has a webhook');
  });

  it('fails m6-alert-can-arrive-within-the-bound with production intervals, naming each', { timeout: 60_000 }, async () => {
    await edit('prometheus.yml', (d) => (d.global = { scrape_interval: '15s', evaluation_interval: '15s' }));
    await edit('alertmanager.yml', (d) => ((d.route as Record<string, unknown>).group_wait = '30s'));
    const c = check(await grade(), 'm6-alert-can-arrive-within-the-bound');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('could take 90 s');
    expect(c.actual).toBe('scrape_interval 15s, evaluation_interval 15s, for: 15s (FeatureDriftDetected), group_wait 30s');
  });

  it('fails every file check with the file named when monitoring/ is missing', { timeout: 60_000 }, async () => {
    await rm(join(dir, 'monitoring'), { recursive: true });
    const result = await grade();
    expect(check(result, 'm6-prometheus-config-is-valid').message).toContain('monitoring/prometheus.yml');
    expect(check(result, 'm6-alertmanager-routes-to-a-webhook').status).toBe('fail');
  });
});
