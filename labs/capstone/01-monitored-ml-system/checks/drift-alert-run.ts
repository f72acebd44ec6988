/**
 * M6 end to end: the project's `web` service (a process of its own, so its
 * drift window holds only this traffic), a real Alertmanager and Prometheus
 * on the project's monitoring/ files, then
 *
 *   1. clean traffic (seeded rows of the data set) until FILL_ROWS were sent,
 *      then for as long as a drift alert could take to arrive: nothing may
 *      fire in Prometheus or reach the webhook;
 *   2. shifted traffic (age + 15, hours_per_week × 0.6) until a drift alert
 *      reaches the grader's webhook, within ALERT_BOUND_SECONDS of the first
 *      shifted request.
 *
 * The grader keeps the project's intervals (scrape, evaluation, `for:`,
 * group_wait): it rewrites only targets, the Alertmanager address and the
 * webhook URLs (the rewrites are listed in the result).
 */
import type { CheckContext, CheckOutcome, PrometheusAlert, VectorSample, WebhookDelivery } from '@mlops-lab/grader/authoring';
import { fail } from '@mlops-lab/grader/authoring';
import { alertRules, yamlOrFail } from '../../../monitoring/_shared/rules.ts';
import {
  driftPass,
  isDriftDelivery,
  judgeCleanPhase,
  judgeShiftedPhase,
  readDeclaredDrift,
  undeclaredDrift,
  type DriftRunFigures,
} from './drift-judge.ts';
import { startTraffic, type SentTraffic } from './drift-send.ts';
import { ALERT_BOUND_SECONDS, MONITORING_FILES, alertTimings, driftRules, startMonitoringStack } from './drift-stack.ts';
import { TrafficStream } from './drift-traffic.ts';
import { isOutcome, readDatasetRows, webService } from './shared.ts';

/** Clean rows sent before the watch starts: fills a drift window of up to this many rows. */
export const FILL_ROWS = 2000;
export const TRAFFIC = { rowsPerSecond: 200, rowsPerRequest: 20 } as const;
export const SEEDS = { clean: 6001, shifted: 6002 } as const;
/** The watch on clean traffic lasts the project's worst case (+5 s), within these bounds. */
export const QUIET_SECONDS = { min: 20, max: 60 } as const;
/** The most the first FILL_ROWS clean rows may take (at the pace asked they take 10 s). */
export const FILL_SECONDS = 60;
/** Waiting for Prometheus's first successful scrape of the service. */
const TARGET_UP_SECONDS = 30;
/** The service's own memo key: a drift window nobody else writes to. */
export const M6_SERVICE_KEY = 'capstone:web:m6-drift';

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/** Every series whose name mentions drift (what the service exports for it). */
const DRIFT_SERIES = '{__name__=~".*[Dd]rift.*"}';

/** What the drift run needs of the service: where it listens, how to log in, what /ready said, how to stop it. */
export interface DriftTarget {
  readonly url: string;
  readonly port: number;
  readonly authHeader: string;
  /** The body of GET /ready when the service became ready. */
  readonly ready: unknown;
  stop(): Promise<void>;
}

export interface DriftRunOptions {
  /** The service to drive; default: the project's Procfile `web`, a process of its own, serving the champion. */
  service?: (ctx: CheckContext) => Promise<DriftTarget | CheckOutcome>;
  /** From the first shifted request to the webhook, at most this long; default ALERT_BOUND_SECONDS (tests shorten it). */
  boundSeconds?: number;
}

const projectService = (ctx: CheckContext): Promise<DriftTarget | CheckOutcome> => webService(ctx, { key: M6_SERVICE_KEY });

export async function runDriftAlert(ctx: CheckContext, options: DriftRunOptions = {}): Promise<CheckOutcome> {
  const files = await Promise.all([
    yamlOrFail(ctx, MONITORING_FILES.prometheus, `promtool check config ${MONITORING_FILES.prometheus}`),
    yamlOrFail(ctx, MONITORING_FILES.rules, `promtool check rules ${MONITORING_FILES.rules}`),
    yamlOrFail(ctx, MONITORING_FILES.alertmanager, `amtool check-config ${MONITORING_FILES.alertmanager}`),
  ]);
  for (const file of files) if ('outcome' in file) return file.outcome;
  const [prometheusData, rulesData, amData] = files.map((f) => ('data' in f ? f.data : {})) as [
    Record<string, unknown>,
    Record<string, unknown>,
    Record<string, unknown>,
  ];
  const timings = alertTimings(prometheusData, rulesData, amData);
  const rules = driftRules(alertRules(rulesData));
  if (rules.length === 0) {
    return fail({
      message: `${MONITORING_FILES.rules} has no drift alert, so there is nothing to wait for.`,
      expected: 'an alerting rule whose name or expression mentions drift',
      actual:
        alertRules(rulesData)
          .map((r) => r.alert)
          .join(', ') || 'no alerting rules',
      hint: 'See m6-alert-rules-are-valid.',
    });
  }
  const driftAlerts = new Set(rules.map((r) => r.alert));
  const bound = options.boundSeconds ?? ALERT_BOUND_SECONDS;
  const quietSeconds = Math.min(QUIET_SECONDS.max, Math.max(QUIET_SECONDS.min, timings.worstCaseSeconds + 5));

  const rows = await readDatasetRows();
  ctx.progress('starting your `web` service for the drift run');
  const web = await (options.service ?? projectService)(ctx);
  if (isOutcome(web)) return web;
  try {
    ctx.progress('starting Alertmanager and Prometheus on your monitoring/ files');
    const stack = await startMonitoringStack(ctx, web.port);
    if ('outcome' in stack) return stack.outcome;
    const { am, prom, rewrites } = stack;
    try {
      // 0. Prometheus scrapes the service.
      const upSeconds = Math.max(TARGET_UP_SECONDS, 2 * timings.scrapeSeconds);
      const upBy = Date.now() + upSeconds * 1000;
      let targets = await prom.client.targets(ctx.signal);
      while (!targets.some((t) => t.health === 'up') && Date.now() < upBy && !ctx.signal.aborted) {
        await sleep(500, ctx.signal);
        targets = await prom.client.targets(ctx.signal);
      }
      if (!targets.some((t) => t.health === 'up')) {
        return fail({
          message: `Prometheus did not scrape your service successfully within ${upSeconds} s.`,
          expected: 'a scrape target with health "up"',
          actual: targets.map((t) => `${t.scrapePool} ${t.scrapeUrl}: ${t.health} ${t.lastError}`).join('; ') || 'no scrape targets',
          hint: `Keep a scrape job with a static target and metrics_path /metrics (no auth on /metrics); the grader points it at your service (${rewrites.join('; ')}).`,
        });
      }

      // 1. Clean traffic: fill the window, then watch for as long as an alert could take.
      ctx.progress(`clean traffic: ${FILL_ROWS} rows, then ${quietSeconds} s of watching that nothing fires`);
      const clean = startTraffic(ctx, web, new TrafficStream(rows, { seed: SEEDS.clean, shifted: false }), TRAFFIC);
      let cleanStopped = false;
      void clean.done.then(() => (cleanStopped = true));
      const firing = new Map<string, PrometheusAlert>();
      let watchUntil: number | undefined;
      let fillRows = 0;
      let cleanSeries: VectorSample[] = [];
      const fillBy = Date.now() + FILL_SECONDS * 1000;
      for (;;) {
        if (ctx.signal.aborted) break;
        const sent = clean.sent();
        if (watchUntil === undefined && sent.rows < FILL_ROWS && Date.now() >= fillBy) {
          await clean.stop();
          return fail({
            message: `Your service answered only ${sent.rows} clean rows in ${FILL_SECONDS} s (${sent.requests} requests of ${TRAFFIC.rowsPerRequest} rows): too slow to fill a drift window of ${FILL_ROWS} rows, so the drift run stopped.`,
            expected: `${FILL_ROWS} rows within ${FILL_SECONDS} s (the grader asks for ${TRAFFIC.rowsPerSecond} rows/s, one request at a time)`,
            actual: `${sent.rows} rows, ${sent.failedRequests} failed request(s)`,
            hint: 'Time a request of 20 rows yourself (`time curl -u … -d @rows.json localhost:8080/predict`): predict a batch in one model call, and keep drift computations off the request path.',
          });
        }
        if (watchUntil === undefined && sent.rows >= FILL_ROWS) {
          fillRows = sent.rows;
          watchUntil = Date.now() + quietSeconds * 1000;
        }
        for (const alert of await prom.client.alerts(ctx.signal)) {
          if (alert.state === 'firing') firing.set(JSON.stringify(alert.labels), alert);
        }
        const delivered = am.receiver.deliveries().filter((d) => d.status === 'firing');
        if (
          firing.size > 0 ||
          delivered.length > 0 ||
          sent.failedRequests > 0 ||
          cleanStopped ||
          (watchUntil !== undefined && Date.now() >= watchUntil)
        ) {
          cleanSeries = await prom.client.query(DRIFT_SERIES, ctx.signal).catch(() => []);
          break;
        }
        await sleep(1000, ctx.signal);
      }
      const cleanSent = await clean.stop();
      const cleanOutcome = judgeCleanPhase({
        quietSeconds,
        fillRows,
        sent: cleanSent,
        firing: [...firing.values()],
        deliveries: am.receiver.deliveries().filter((d) => d.status === 'firing'),
        driftSeries: cleanSeries,
      });
      if (cleanOutcome) return cleanOutcome;
      if (ctx.signal.aborted) throw new Error('The drift run was cancelled during clean traffic.');
      const deliveredBefore = am.receiver.deliveries().length;

      // 2. Shifted traffic until a drift alert reaches the webhook.
      ctx.progress(`shifted traffic; waiting up to ${bound} s for a drift alert at the webhook`);
      const shifted = startTraffic(ctx, web, new TrafficStream(rows, { seed: SEEDS.shifted, shifted: true }), {
        ...TRAFFIC,
        seconds: bound + 5,
      });
      const isDrift = (d: WebhookDelivery): boolean => isDriftDelivery(d, driftAlerts);
      // Waits until a drift notification, the bound, or the traffic stopping on failures.
      const waitStarted = Date.now();
      let delivery: WebhookDelivery | undefined;
      while (!ctx.signal.aborted) {
        const firstAt = shifted.sent().firstRequestAt ?? waitStarted;
        const left = firstAt + bound * 1000 - Date.now();
        if (left <= 0) break;
        delivery = await am.receiver.waitFor(isDrift, Math.min(left, 1000), ctx.signal);
        if (delivery || shifted.sent().gaveUp) break;
      }
      const shiftedSent: SentTraffic = await shifted.stop();
      const shiftStartedAt = shiftedSent.firstRequestAt ?? waitStarted;
      const inTime = delivery && delivery.receivedAt - shiftStartedAt <= bound * 1000 ? delivery : undefined;
      const after = am.receiver.deliveries().slice(deliveredBefore);
      if (!inTime) {
        const [promAlerts, amAlerts, driftSeries, ruleSamples] = await Promise.all([
          prom.client.alerts(ctx.signal).catch(() => []),
          am.client.alerts(ctx.signal).catch(() => []),
          prom.client.query(DRIFT_SERIES, ctx.signal).catch(() => []),
          prom.client.query(rules[0]!.expr, ctx.signal).catch(() => undefined),
        ]);
        return judgeShiftedPhase({
          boundSeconds: bound,
          sent: shiftedSent,
          driftAlerts: [...driftAlerts],
          deliveries: after,
          promAlerts,
          amAlerts,
          driftSeries,
          ruleResult: ruleSamples ? { expr: rules[0]!.expr, samples: ruleSamples } : undefined,
          rewrites,
        })!;
      }
      const driftInDelivery = inTime.alerts.filter((a) => driftAlerts.has(a.labels.alertname ?? ''));
      const figures: Omit<DriftRunFigures, 'declared'> = {
        alert: driftInDelivery[0]!.labels.alertname!,
        secondsToAlert: Math.round((inTime.receivedAt - shiftStartedAt) / 100) / 10,
        receiver: inTime.receiver,
        alertedFeatures: [...new Set(driftInDelivery.map((a) => a.labels.feature).filter((f): f is string => Boolean(f)))],
        cleanRows: cleanSent.rows,
        quietSeconds,
        shiftedRows: shiftedSent.rows,
        rewrites,
      };
      const declared = readDeclaredDrift(web.ready);
      return 'problem' in declared ? undeclaredDrift(declared.problem, figures) : driftPass({ ...figures, declared });
    } finally {
      await prom.stop();
      await am.stop();
    }
  } finally {
    await web.stop();
  }
}
