import {
  EvidenceError,
  defineCheck,
  fail,
  pass,
  startAlertmanager,
  startPrometheus,
  workspaceService,
  type CheckContext,
  type CheckOutcome,
  type PrometheusAlert,
  type RunningAlertmanager,
  type RunningPrometheus,
  type WebhookDelivery,
} from '@mlops-lab/grader/authoring';
import { sendPredictions } from '../../_shared/metrics.ts';
import { ALERTMANAGER_FILE, ALERTS, ALERTS_FILE, PROMETHEUS_FILE, yamlOrFail } from '../../_shared/rules.ts';
import { ROWS_PER_PHASE, cleanRows, describeScores, shiftedRows } from '../traffic-plan.ts';
import { timingsOf } from './timings-fit-the-alert-bound.ts';

/** From the first shifted request to the webhook, at most this long. */
export const ALERT_BOUND_SECONDS = 45;
/** Waiting for Prometheus's first successful scrape of the service. */
const TARGET_UP_SECONDS = 20;

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

const isDriftFiring = (d: WebhookDelivery): boolean => d.status === 'firing' && d.alerts.some((a) => a.labels.alertname === ALERTS.drift);
const labelsOf = (labels: Record<string, string>): string =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')}}`;

/** Starts Alertmanager (+ the grader's webhook receiver) and Prometheus, stopped when the run ends; a failing outcome when the learner's config does not start. */
async function startStack(
  ctx: CheckContext,
  servicePort: number,
): Promise<{ am: RunningAlertmanager; prom: RunningPrometheus } | { outcome: CheckOutcome }> {
  let am: RunningAlertmanager;
  try {
    am = await startAlertmanager({ workspaceDir: ctx.workspace.dir, process: ctx.process, signal: ctx.signal });
  } catch (error) {
    if (!(error instanceof EvidenceError) || error.code !== 'ALERTMANAGER_CONFIG_INVALID') throw error;
    return {
      outcome: fail({
        message: `Alertmanager does not start with your ${ALERTMANAGER_FILE}.`,
        expected: 'Alertmanager loads the file and answers /-/ready',
        actual: error.message,
        hint: `Run \`amtool check-config ${ALERTMANAGER_FILE}\` and fix what it reports.`,
      }),
    };
  }
  ctx.onRunEnd(() => am.stop());
  let prom: RunningPrometheus;
  try {
    prom = await startPrometheus({
      workspaceDir: ctx.workspace.dir,
      process: ctx.process,
      targetPort: servicePort,
      alertmanager: am.address,
      signal: ctx.signal,
    });
  } catch (error) {
    if (!(error instanceof EvidenceError) || error.code !== 'PROMETHEUS_CONFIG_INVALID') throw error;
    return {
      outcome: fail({
        message: `Prometheus does not start with your ${PROMETHEUS_FILE}.`,
        expected: 'Prometheus loads the config and its rule files',
        actual: error.message,
        hint: `Run \`promtool check config ${PROMETHEUS_FILE}\` and fix what it reports.`,
      }),
    };
  }
  ctx.onRunEnd(() => prom.stop());
  return { am, prom };
}

// Mirrors: prometheus --config.file=prometheus.yml & alertmanager --config.file=alertmanager.yml &
//          (clean traffic: nothing fires) then (shifted traffic: FeatureDriftDetected reaches the webhook)
export default defineCheck({
  id: 'drift-alert-reaches-the-webhook',
  title: `Shifted traffic makes FeatureDriftDetected reach the webhook within ${ALERT_BOUND_SECONDS} s; clean traffic fires nothing`,
  needs: ['timings-fit-the-alert-bound', 'alertmanager-sends-to-a-webhook', 'drift-score-rises-on-shifted-traffic-only'],
  requires: ['prometheus', 'alertmanager'],
  hint: 'Run the three yourself (the instructions show the commands), send shifted traffic, and watch http://localhost:9090/alerts.',
  timeoutMs: 180_000,
  async run(ctx) {
    const files = await Promise.all([
      yamlOrFail(ctx, PROMETHEUS_FILE, `promtool check config ${PROMETHEUS_FILE}`),
      yamlOrFail(ctx, ALERTS_FILE, `promtool check rules ${ALERTS_FILE}`),
      yamlOrFail(ctx, ALERTMANAGER_FILE, `amtool check-config ${ALERTMANAGER_FILE}`),
    ]);
    for (const file of files) if ('outcome' in file) return file.outcome;
    const [prometheusData, rulesData, amData] = files.map((f) => ('data' in f ? f.data : {}));
    const timings = timingsOf(prometheusData!, rulesData!, amData!);

    // A service of its own: its drift window holds only this check's traffic.
    ctx.progress('starting your service, Alertmanager and Prometheus');
    const service = await workspaceService(ctx, { key: 'service:web:alert-run' });
    const stack = await startStack(ctx, service.port);
    if ('outcome' in stack) return stack.outcome;
    const { am, prom } = stack;
    const rewrites = [...prom.notes, ...am.notes].join('; ');

    // 1. Prometheus scrapes the service.
    const upBy = Date.now() + TARGET_UP_SECONDS * 1000;
    let targets = await prom.client.targets(ctx.signal);
    while (!targets.some((t) => t.health === 'up') && Date.now() < upBy && !ctx.signal.aborted) {
      await sleep(500, ctx.signal);
      targets = await prom.client.targets(ctx.signal);
    }
    if (!targets.some((t) => t.health === 'up')) {
      return fail({
        message: `Prometheus did not scrape your service within ${TARGET_UP_SECONDS} s.`,
        expected: 'a scrape target with health "up"',
        actual: targets.map((t) => `${t.scrapePool} ${t.scrapeUrl}: ${t.health} ${t.lastError}`).join('; ') || 'no scrape targets',
        hint: `Keep one scrape job with static target(s) and metrics_path /metrics; the grader points it at your service (${rewrites}).`,
      });
    }

    // 2. Clean traffic: nothing may fire for as long as a real drift would take to arrive.
    const quietSeconds = Math.min(40, timings.worstCase + 3);
    ctx.progress(`clean traffic, then ${quietSeconds} s of watching that nothing fires`);
    const clean = await sendPredictions(ctx, service, cleanRows(5201));
    if (clean.failures.length > 0) {
      return fail({
        message: `${clean.failures.length} of ${ROWS_PER_PHASE} clean predictions failed.`,
        expected: 'every /predict answered',
        actual: clean.failures.slice(0, 3).join('; '),
        hint: 'Run the service yourself and watch its output while you send requests.',
      });
    }
    const quietUntil = Date.now() + quietSeconds * 1000;
    let firing: PrometheusAlert[] = [];
    while (Date.now() < quietUntil && !ctx.signal.aborted) {
      firing = (await prom.client.alerts(ctx.signal)).filter((a) => a.state === 'firing');
      if (firing.length > 0 || am.receiver.deliveries().length > 0) break;
      await sleep(1000, ctx.signal);
    }
    const early = am.receiver.deliveries();
    if (firing.length > 0 || early.length > 0) {
      const scores = await prom.client.query('loan_feature_drift_score', ctx.signal).catch(() => []);
      return fail({
        message: `An alert fired on clean traffic, drawn like the training data: on call would be paged for nothing, and soon stop trusting the alert.`,
        expected: `no alert firing and nothing at the webhook during ${quietSeconds} s of clean traffic`,
        actual: `${[...firing.map((a) => `firing in Prometheus: ${labelsOf(a.labels)}`), ...early.map((d) => `webhook ${d.receiver}: ${d.status} ${d.alerts.map((a) => labelsOf(a.labels)).join(' ')}`)].join('; ')}; drift scores: ${describeScores(Object.fromEntries(scores.map((s) => [s.metric.feature ?? '?', s.value])))}`,
        hint: `Check the threshold in ${ALERTS_FILE} (0.2 on the KS statistic) against the scores your service reports on clean traffic: \`curl -s localhost:8000/metrics | grep drift\`.`,
      });
    }

    // 3. Shifted traffic: the drift alert reaches the webhook within the bound.
    ctx.progress(`shifted traffic; waiting up to ${ALERT_BOUND_SECONDS} s for the webhook`);
    const shiftStarted = Date.now();
    const shifted = await sendPredictions(ctx, service, shiftedRows(5202));
    if (shifted.failures.length > 0) {
      return fail({
        message: `${shifted.failures.length} of ${ROWS_PER_PHASE} shifted predictions failed.`,
        expected: 'every /predict answered',
        actual: shifted.failures.slice(0, 3).join('; '),
        hint: 'Run the service yourself and watch its output while you send requests.',
      });
    }
    const remaining = ALERT_BOUND_SECONDS * 1000 - (Date.now() - shiftStarted);
    const delivery = await am.receiver.waitFor(isDriftFiring, Math.max(0, remaining), ctx.signal);
    if (!delivery) {
      const [alerts, amAlerts, scores] = await Promise.all([
        prom.client.alerts(ctx.signal),
        am.client.alerts(ctx.signal),
        prom.client.query('loan_feature_drift_score', ctx.signal),
      ]);
      const states = alerts.filter((a) => a.labels.alertname === ALERTS.drift).map((a) => `${a.state} ${labelsOf(a.labels)}`);
      const stuck =
        amAlerts.length > 0
          ? `Alertmanager holds ${amAlerts.length} alert(s) but delivered nothing to a webhook: check the route and the receiver.`
          : states.length > 0
            ? `Prometheus has the alert ${states.join(', ')} but it did not reach Alertmanager in time.`
            : 'Prometheus never had the alert pending: the expression did not match the scores it scraped.';
      return fail({
        message: `${ALERTS.drift} did not reach the webhook within ${ALERT_BOUND_SECONDS} s of shifted traffic. ${stuck}`,
        expected: `a firing ${ALERTS.drift} notification at the webhook within ${ALERT_BOUND_SECONDS} s`,
        actual: `drift scores in Prometheus: ${describeScores(Object.fromEntries(scores.map((s) => [s.metric.feature ?? '?', s.value])))}; alert states: ${states.join(', ') || 'none'}; deliveries: ${am.receiver.deliveries().length}; grader's rewrites: ${rewrites}`,
        hint: 'Open http://localhost:9090/alerts (pending → firing after `for:`) and http://localhost:9093 (Alertmanager) while you send shifted traffic yourself.',
      });
    }
    const seconds = Math.round((delivery.receivedAt - shiftStarted) / 100) / 10;
    const features = delivery.alerts.filter((a) => a.labels.alertname === ALERTS.drift).map((a) => a.labels.feature ?? labelsOf(a.labels));
    return pass(
      `${ALERTS.drift} reached the webhook (receiver "${delivery.receiver}") ${seconds} s after shifted traffic began, for ${features.join(', ')}; clean traffic fired nothing for ${quietSeconds} s.`,
      {
        actual: `The grader ran your configs with these changes: ${rewrites}`,
      },
    );
  },
});
