/**
 * M6's drift run end to end, without MLflow: the reference server
 * (`cli.ts serve` on a model trained here on a 4,000-row sample), a real
 * Prometheus and Alertmanager on the reference monitoring/ files, the
 * grader's webhook receiver, and the real traffic. The full check, with the
 * project trained and served from the grader's MLflow, is in
 * m6-reference.test.ts.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AttemptResult } from '@mlops-lab/grader';
import { defineCheck, fail, startService, type CheckOutcome } from '@mlops-lab/grader/authoring';
import { describeWithTools, probeProgram, toolGate } from '../../../../grader/test-support/tools.ts';
import { grade as gradeChecks } from '../test-support.ts';
import { runDriftAlert, type DriftTarget } from './drift-alert-run.ts';

const here = dirname(fileURLToPath(import.meta.url));
const SOLUTION = resolve(here, '..', '..', 'solution');
const CLI = join(SOLUTION, 'src', 'cli.ts');

const prometheus = await toolGate('prometheus', probeProgram('prometheus'));
const alertmanager = await toolGate('alertmanager', probeProgram('alertmanager'));

/** The drift run as a check, against the reference server serving `modelDir`. */
function driftCheck(modelDir: string, boundSeconds?: number) {
  const service = async (ctx: Parameters<typeof runDriftAlert>[0]): Promise<DriftTarget | CheckOutcome> => {
    const credentials = { username: 'grader', password: 'drift-run-password-1' };
    const running = await startService({
      workspaceDir: ctx.workspace.dir,
      argv: [process.execPath, CLI, 'serve', '--model', modelDir, '--port', '${PORT}'],
      env: { SERVING_USERNAME: credentials.username, SERVING_PASSWORD: credentials.password },
      readyPath: '/ready',
      readyTimeoutMs: 60_000,
      signal: ctx.signal,
    });
    ctx.onRunEnd(() => running.stop());
    const ready = await ctx.http.request(`${running.url}/ready`, { timeoutMs: 5_000 });
    if (ready.status !== 200) return fail({ message: `reference /ready answered ${ready.status}: ${ready.body}` });
    return {
      url: running.url,
      port: running.port,
      authHeader: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
      ready: ready.json(),
      stop: () => running.stop(),
    };
  };
  return defineCheck({
    id: 'm6-drift-alert-reaches-the-webhook',
    title: 'the drift run against the reference server',
    requires: ['prometheus', 'alertmanager'],
    timeoutMs: 240_000,
    run: (ctx) => runDriftAlert(ctx, { service, ...(boundSeconds ? { boundSeconds } : {}) }),
  });
}

describeWithTools([prometheus, alertmanager], 'M6 drift run against the reference server (real Prometheus and Alertmanager)', () => {
  let parent = '';
  let modelDir = '';
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'mlops-capstone-m6-run-'));
    modelDir = join(parent, 'model');
    await promisify(execFile)(process.execPath, [CLI, 'train', '--out', modelDir, '--sample', '4000', '--quiet'], { timeout: 180_000 });
  }, 200_000);
  afterAll(async () => {
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  const grade = async (name: string, rules?: string, boundSeconds?: number): Promise<AttemptResult['checks'][number]> => {
    const dir = join(parent, name);
    await cp(join(SOLUTION, 'monitoring'), join(dir, 'monitoring'), { recursive: true });
    if (rules) await writeFile(join(dir, 'monitoring', 'alert-rules.yml'), rules);
    const started = Date.now();
    const result = await gradeChecks([driftCheck(modelDir, boundSeconds)], dir);
    const check = result.checks[0]!;
    console.info(`drift run "${name}": ${check.status} in ${Math.round((Date.now() - started) / 1000)} s: ${check.message}`);
    return check;
  };

  it(
    'passes on the reference: quiet on clean traffic, FeatureDriftDetected at the webhook well within 90 s of the shift',
    { timeout: 240_000 },
    async () => {
      const check = await grade('reference');
      expect({ status: check.status, message: check.message, actual: check.actual }).toMatchObject({ status: 'pass' });
      const figures = check.figures!;
      expect(figures['drift.alert']).toBe('FeatureDriftDetected');
      expect(figures['drift.cleanAlerts']).toBe(0);
      expect(figures['drift.shiftedFeatures']).toBe('age, hours_per_week');
      expect(figures['drift.secondsToAlert']).toBeGreaterThan(0);
      expect(figures['drift.secondsToAlert']).toBeLessThan(90);
      expect(typeof figures['drift.method']).toBe('string');
      expect(figures['drift.threshold']).toBe(0.1);
      expect(check.message).toMatch(/for (age|hours_per_week)/);
    },
  );

  it('fails naming the alert when a rule fires on clean traffic (a threshold below the clean noise)', { timeout: 240_000 }, async () => {
    const noisy = [
      'groups:',
      '  - name: too-sensitive',
      '    rules:',
      '      - alert: AnyDriftAtAll',
      '        expr: max by (feature) (capstone_feature_drift_score) > 0.001',
      '        for: 5s',
      '        labels: {severity: ticket}',
      '',
    ].join('\n');
    const check = await grade('fires-on-clean', noisy);
    expect(check.status).toBe('fail');
    expect(check.message).toMatch(/^AnyDriftAtAll fired on clean traffic/);
    expect(check.actual).toContain('capstone_feature_drift_score{feature=');
  });

  it('fails with what Prometheus saw for the drift gauges when the rule never matches shifted traffic', { timeout: 240_000 }, async () => {
    const never = [
      'groups:',
      '  - name: never-matches',
      '    rules:',
      '      - alert: FeatureDriftDetected',
      '        expr: max by (feature) (capstone_feature_drift_detected) == 2',
      '        for: 15s',
      '',
    ].join('\n');
    // A 25 s bound instead of 90 s keeps the test short; the gauges are up long before.
    const check = await grade('never-matches', never, 25);
    expect(check.status).toBe('fail');
    expect(check.message).toContain('No FeatureDriftDetected notification reached the webhook within 25 s of shifted traffic');
    expect(check.message).toContain('Prometheus never had the drift alert pending');
    expect(check.actual).toMatch(/^drift series in Prometheus: capstone_feature_drift_detected\{feature="(age|hours_per_week)"\} 1, /);
    expect(check.actual).toContain('returns nothing');
  });
});
