/**
 * M6's judgements, pure: what the end-to-end drift run saw (traffic sent,
 * alerts in Prometheus and Alertmanager, webhook deliveries, the drift
 * series Prometheus scraped) in, a failing outcome that says where the
 * chain broke or the passing one with the figures out.
 */
import {
  fail,
  pass,
  type AlertmanagerAlert,
  type CheckOutcome,
  type PrometheusAlert,
  type VectorSample,
  type WebhookDelivery,
} from '@mlops-lab/grader/authoring';
import type { SentTraffic } from './drift-send.ts';
import { SHIFTED_FEATURES, describeShift } from './drift-traffic.ts';

/** The drift method and threshold the service declares in GET /ready (`drift: { method, threshold }`). */
export interface DeclaredDrift {
  method: string;
  threshold: number;
}

/** `drift` of the /ready body, or the reason it cannot be read. A per-feature map of methods is summarised. */
export function readDeclaredDrift(ready: unknown): DeclaredDrift | { problem: string } {
  const drift = ready && typeof ready === 'object' ? (ready as { drift?: unknown }).drift : undefined;
  if (!drift || typeof drift !== 'object') {
    return { problem: `GET /ready has no "drift" object (found: ${JSON.stringify(ready)?.slice(0, 200) ?? 'nothing'})` };
  }
  const { method, threshold } = drift as { method?: unknown; threshold?: unknown };
  let methodText: string | undefined;
  if (typeof method === 'string' && method.trim() !== '') methodText = method.trim();
  else if (method && typeof method === 'object' && !Array.isArray(method)) {
    const names = [...new Set(Object.values(method).filter((m): m is string => typeof m === 'string'))];
    if (names.length > 0) methodText = names.join(', ');
  }
  const thresholdNumber = typeof threshold === 'number' ? threshold : typeof threshold === 'string' ? Number(threshold) : NaN;
  const problems = [
    methodText ? '' : `drift.method is ${JSON.stringify(method) ?? 'missing'}, not the name of a method (e.g. "ks")`,
    Number.isFinite(thresholdNumber) ? '' : `drift.threshold is ${JSON.stringify(threshold) ?? 'missing'}, not a number (e.g. 0.1)`,
  ].filter(Boolean);
  if (problems.length > 0) return { problem: `GET /ready: ${problems.join('; ')}` };
  return { method: methodText!, threshold: thresholdNumber };
}

/** `{feature="age", severity="ticket"}` */
export function labelText(labels: Record<string, string>): string {
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')}}`;
}

/**
 * The drift series Prometheus holds, the shifted features first: `capstone_feature_drift_detected{feature="age"} 0`
 * (job and instance left out), at most `limit` of them.
 */
export function describeDriftSeries(series: readonly VectorSample[], limit = 16): string {
  if (series.length === 0) return 'no series with "drift" in its name';
  const rank = (s: VectorSample): number => (SHIFTED_FEATURES.includes(s.metric.feature as (typeof SHIFTED_FEATURES)[number]) ? 0 : 1);
  const sorted = [...series].sort((a, b) => rank(a) - rank(b) || seriesName(a).localeCompare(seriesName(b)));
  const shown = sorted.slice(0, limit).map((s) => `${seriesName(s)} ${Number(s.value.toPrecision(3))}`);
  return `${shown.join(', ')}${series.length > limit ? `, and ${series.length - limit} more` : ''}`;
}

function seriesName(s: VectorSample): string {
  const { __name__: name = '', job: _job, instance: _instance, ...labels } = s.metric;
  return `${name}${Object.keys(labels).length > 0 ? labelText(labels) : ''}`;
}

/** A firing notification that carries a firing drift alert. */
export function isDriftDelivery(delivery: WebhookDelivery, driftAlerts: ReadonlySet<string>): boolean {
  return delivery.status === 'firing' && delivery.alerts.some((a) => a.status !== 'resolved' && driftAlerts.has(a.labels.alertname ?? ''));
}

export interface CleanPhase {
  /** How long the grader watched after the window was full. */
  quietSeconds: number;
  /** Rows sent before the watch began. */
  fillRows: number;
  sent: SentTraffic;
  /** Alerts Prometheus had firing during clean traffic (one entry per label set). */
  firing: Pick<PrometheusAlert, 'labels'>[];
  /** Firing notifications that reached the webhook during clean traffic. */
  deliveries: WebhookDelivery[];
  /** The drift series in Prometheus when the alert showed up (or at the end). */
  driftSeries: VectorSample[];
}

/** Undefined when clean traffic went through and nothing fired; else a failing outcome naming the alert. */
export function judgeCleanPhase(phase: CleanPhase): CheckOutcome | undefined {
  const traffic = judgeTraffic('clean', phase.sent);
  if (traffic) return traffic;
  if (phase.firing.length === 0 && phase.deliveries.length === 0) return undefined;
  const names = [
    ...new Set([
      ...phase.firing.map((a) => a.labels.alertname ?? '?'),
      ...phase.deliveries.flatMap((d) => d.alerts.map((a) => a.labels.alertname ?? '?')),
    ]),
  ];
  const found = [
    ...phase.firing.map((a) => `firing in Prometheus: ${labelText(a.labels)}`),
    ...phase.deliveries.map((d) => `at the webhook (receiver "${d.receiver}"): ${d.alerts.map((a) => labelText(a.labels)).join(' ')}`),
  ];
  return fail({
    message: `${names.join(', ')} fired on clean traffic: rows drawn from the data set the model was trained on, nothing shifted. On call would be paged for nothing, and would soon stop trusting the alert.`,
    expected: `no alert firing and nothing at the webhook while ${phase.sent.rows} clean rows were sent (${phase.fillRows} to fill the drift window, then ${phase.quietSeconds} s of watching)`,
    actual: `${found.join('; ')}; drift series in Prometheus: ${describeDriftSeries(phase.driftSeries)}`,
    hint: 'Compare the drift scores your service reports on clean rows with the threshold: a window of a few hundred rows is noisy (more rows, or a distance such as Wasserstein instead of a p-value), and the alert needs a `for:` so one noisy computation does not page. Send clean rows yourself and run `curl -s localhost:8080/metrics | grep drift`.',
  });
}

export interface ShiftedPhase {
  boundSeconds: number;
  sent: SentTraffic;
  /** The names of the project's drift alerts. */
  driftAlerts: string[];
  /** The first firing drift notification at the webhook within the bound. */
  delivery?: WebhookDelivery;
  /** Every notification that reached the webhook after the shift began. */
  deliveries: WebhookDelivery[];
  /** At the end of the wait, when no drift notification came. */
  promAlerts: PrometheusAlert[];
  amAlerts: AlertmanagerAlert[];
  driftSeries: VectorSample[];
  /** The drift rule's own expression evaluated in Prometheus at the end: `{feature="age"} 1`. */
  ruleResult?: { expr: string; samples: VectorSample[] };
  /** What the grader changed in the project's configs. */
  rewrites: string[];
}

/** Undefined when the drift alert reached the webhook in time; else a failing outcome saying where the chain stopped. */
export function judgeShiftedPhase(phase: ShiftedPhase): CheckOutcome | undefined {
  if (phase.delivery) return undefined;
  const traffic = judgeTraffic('shifted', phase.sent);
  if (traffic) return traffic;
  const drift = new Set(phase.driftAlerts);
  const states = phase.promAlerts.filter((a) => drift.has(a.labels.alertname ?? '')).map((a) => `${a.state} ${labelText(a.labels)}`);
  const firingInPrometheus = phase.promAlerts.some((a) => drift.has(a.labels.alertname ?? '') && a.state === 'firing');
  const heldByAm = phase.amAlerts.filter((a) => drift.has(a.labels.alertname ?? ''));
  const where =
    heldByAm.length > 0
      ? `Alertmanager holds ${heldByAm.length} drift alert(s) but delivered none to a webhook: check the route (matchers, group_wait) and that the receiver has webhook_configs.`
      : firingInPrometheus
        ? 'Prometheus has the alert firing, but it did not reach Alertmanager in time.'
        : states.length > 0
          ? `Prometheus has the alert pending but not yet firing: its \`for:\` did not elapse within the bound (or the expression flickered, restarting it).`
          : 'Prometheus never had the drift alert pending: its expression did not match what it scraped from your service.';
  const ruleText = phase.ruleResult
    ? `; your rule's expression \`${phase.ruleResult.expr.trim().replace(/\s+/g, ' ')}\` returns ${phase.ruleResult.samples.length === 0 ? 'nothing' : phase.ruleResult.samples.map((s) => `${labelText(s.metric)} ${s.value}`).join(', ')}`
    : '';
  const other = phase.deliveries.filter((d) => !d.alerts.some((a) => drift.has(a.labels.alertname ?? '')));
  return fail({
    message: `No ${phase.driftAlerts.join(' or ')} notification reached the webhook within ${phase.boundSeconds} s of shifted traffic (${describeShift()}, ${phase.sent.rows} rows). ${where}`,
    expected: `a firing ${phase.driftAlerts.join(' or ')} notification at the grader's webhook within ${phase.boundSeconds} s of the first shifted request`,
    actual: `drift series in Prometheus: ${describeDriftSeries(phase.driftSeries)}${ruleText}; alert states: ${states.join(', ') || 'none'}; other notifications: ${other.map((d) => d.alerts.map((a) => a.labels.alertname).join(' ')).join(', ') || 'none'}; the grader's changes to your configs: ${phase.rewrites.join('; ') || 'none'}`,
    hint: `Run your service, Prometheus and Alertmanager yourself, send rows with ${describeShift()}, and watch the drift gauge of ${SHIFTED_FEATURES.join(' and ')} (\`curl -s localhost:8080/metrics | grep drift\`), then http://localhost:9090/alerts (pending, then firing after \`for:\`) and http://localhost:9093.`,
  });
}

function judgeTraffic(kind: 'clean' | 'shifted', sent: SentTraffic): CheckOutcome | undefined {
  if (sent.failedRequests === 0) return undefined;
  return fail({
    message: `${sent.failedRequests} of ${sent.requests} POST /predict requests of ${kind} traffic failed${sent.gaveUp ? ` (the grader stopped: ${sent.gaveUp})` : ''}, so the drift alert could not be judged.`,
    expected: 'every request answered 200: rows of the data set, 13 features each, a missing category as null',
    actual: sent.failures.join('; '),
    hint: 'Send such a request yourself (m5 checks show one) and watch the service output; a category may be null where the data set has no value.',
  });
}

export interface DriftRunFigures {
  declared: DeclaredDrift;
  alert: string;
  secondsToAlert: number;
  receiver: string;
  /** The features the drift notification named (its `feature` labels). */
  alertedFeatures: string[];
  cleanRows: number;
  quietSeconds: number;
  shiftedRows: number;
  rewrites: string[];
}

/** The passing outcome with M6's figures. */
export function driftPass(f: DriftRunFigures): CheckOutcome {
  return pass(
    `${f.alert} reached the webhook (receiver "${f.receiver}") ${f.secondsToAlert} s after the first shifted request (${describeShift()}), ${f.alertedFeatures.length > 0 ? `for ${f.alertedFeatures.join(', ')}` : 'without a feature label'}; ${f.cleanRows} clean rows, watched for ${f.quietSeconds} s once the window was full, fired nothing. Declared by /ready: ${f.declared.method}, threshold ${f.declared.threshold}.`,
    {
      actual: `${f.shiftedRows} shifted rows sent; the grader ran your configs with these changes: ${f.rewrites.join('; ') || 'none'}`,
      figures: {
        'drift.method': f.declared.method,
        'drift.threshold': f.declared.threshold,
        'drift.alert': f.alert,
        'drift.secondsToAlert': f.secondsToAlert,
        'drift.cleanAlerts': 0,
        'drift.shiftedFeatures': SHIFTED_FEATURES.join(', '),
      },
    },
  );
}

/** The alert worked but /ready does not declare the drift method and threshold the contract asks for. */
export function undeclaredDrift(problem: string, f: Omit<DriftRunFigures, 'declared'>): CheckOutcome {
  return fail({
    message: `${f.alert} reached the webhook ${f.secondsToAlert} s after the shift and clean traffic fired nothing, but ${problem}.`,
    expected: 'GET /ready -> { "model_name", "model_version", "drift": { "method": "<test or distance>", "threshold": <number> } }',
    actual: problem,
    hint: 'Add the drift object to /ready: the method your monitor uses (e.g. "ks") and the threshold it compares with; then `curl -s localhost:8080/ready`.',
  });
}
