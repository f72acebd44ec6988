/**
 * The loan service's metrics as the monitoring labs define them, how the
 * grader reads them from a running service (bounded scrape, strict parse)
 * and the judgements on each metric, shared by monitoring/01 and /04.
 */
import {
  EvidenceError,
  fail,
  histogramProblems,
  histogramSeries,
  parseExposition,
  pass,
  seriesKey,
  sumOf,
  workspaceService,
  type CheckContext,
  type CheckOutcome,
  type Exposition,
  type MetricFamily,
  type RunningService,
} from '@mlops-lab/grader/authoring';
import { LOAN_FEATURES, type LoanRow } from './traffic.ts';

/** Metric names (as exposed, i.e. counters with `_total`). */
export const METRICS = {
  latency: 'loan_prediction_latency_seconds',
  predictions: 'loan_predictions_total',
  drift: 'loan_feature_drift_score',
  errors: 'loan_prediction_errors_total',
} as const;

/** The classes the model predicts. */
export const CLASSES = ['repaid', 'default'] as const;

/** A /metrics page larger than this is cut off and judged a flood. */
export const SCRAPE_MAX_BYTES = 4 * 1024 * 1024;
export const SCRAPE_TIMEOUT_MS = 10_000;
const RUN_HINT = 'Run it yourself: `uvicorn app.main:app --port 8000`, then `curl -s localhost:8000/metrics | head -40`.';

export type Scrape = { ok: true; exposition: Exposition; bytes: number } | { ok: false; outcome: CheckOutcome };

/** The workspace's service (Procfile `web`), or a failing outcome saying why it did not start. */
export async function serviceOrFail(ctx: CheckContext): Promise<{ service: RunningService } | { outcome: CheckOutcome }> {
  try {
    return { service: await workspaceService(ctx) };
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (!(error instanceof EvidenceError) || !code.startsWith('SERVICE_')) throw error;
    return {
      outcome: fail({
        message: `The grader could not start your service from the Procfile: ${firstLine(error.message)}`,
        expected: 'the `web` process of the Procfile starts and answers GET /health on $PORT',
        actual: tail(error.message, 1500),
        hint: `${error.nextStep ?? ''} ${RUN_HINT}`.trim(),
      }),
    };
  }
}

/** GET /metrics once, capped in time and bytes, parsed strictly. */
export async function scrapeMetrics(ctx: CheckContext, service: RunningService): Promise<Scrape> {
  const url = `${service.url}/metrics`;
  let response;
  try {
    response = await ctx.http.request(url, { timeoutMs: SCRAPE_TIMEOUT_MS, maxBytes: SCRAPE_MAX_BYTES, signal: ctx.signal });
  } catch (error) {
    if (!(error instanceof EvidenceError)) throw error;
    return {
      ok: false,
      outcome: fail({
        message: `GET /metrics did not give a page: ${error.message}`,
        expected: `an answer within ${SCRAPE_TIMEOUT_MS / 1000} s (Prometheus gives up on a scrape after its scrape_timeout)`,
        actual: firstLine(error.message),
        hint: `Serve /metrics from the service itself, without blocking work in the handler. ${RUN_HINT}`,
      }),
    };
  }
  if (response.truncated) {
    return {
      ok: false,
      outcome: fail({
        message: `/metrics is larger than ${SCRAPE_MAX_BYTES / 1024 / 1024} MiB: the grader stopped reading. A page this size means unbounded labels (a user id, a raw input value) or a runaway loop.`,
        expected: 'a /metrics page of a few KiB (every label value is one more series Prometheus stores forever)',
        actual: `more than ${SCRAPE_MAX_BYTES} bytes`,
        hint: 'Keep label values to a small fixed set (class, feature). Check the size with `curl -s localhost:8000/metrics | wc -c`.',
      }),
    };
  }
  if (response.status !== 200) {
    return {
      ok: false,
      outcome: fail({
        message: `GET /metrics answered HTTP ${response.status}.`,
        expected: 'HTTP 200 with the text exposition format',
        actual: `HTTP ${response.status}: ${response.body.slice(0, 200)}`,
        hint: `Add a /metrics route that returns \`generate_latest()\` with CONTENT_TYPE_LATEST. ${RUN_HINT}`,
      }),
    };
  }
  const exposition = parseExposition(response.body);
  if (exposition.problems.length > 0 || exposition.families.size === 0) {
    return {
      ok: false,
      outcome: fail({
        message:
          exposition.families.size === 0
            ? '/metrics answered, but with no metrics in the Prometheus text format.'
            : `/metrics is not valid Prometheus text format (${exposition.problems.length} problem(s)).`,
        expected: 'lines like `# TYPE loan_predictions_total counter` and `loan_predictions_total{class="repaid"} 3.0`',
        actual: exposition.problems.slice(0, 5).join('; ') || response.body.slice(0, 200),
        hint: `Let prometheus_client write the page (\`generate_latest()\`) rather than formatting it by hand. ${RUN_HINT}`,
      }),
    };
  }
  return { ok: true, exposition, bytes: Buffer.byteLength(response.body) };
}

/** The first scrape of this grading run, shared by the checks that judge a metric. */
export function firstScrape(ctx: CheckContext): Promise<Scrape> {
  return ctx.memo('monitoring:first-scrape', async () => {
    const started = await serviceOrFail(ctx);
    if ('outcome' in started) return { ok: false, outcome: started.outcome };
    return await scrapeMetrics(ctx, started.service);
  });
}

/** A one-line list of the families whose name starts like `name`, with their types (for "found instead"). */
function lookalikes(exposition: Exposition, name: string): string {
  const stem = name
    .replace(/_(total|seconds|score)$/, '')
    .split('_')
    .slice(0, 2)
    .join('_');
  const found = [...exposition.families.values()].filter((f) => f.name.startsWith(stem)).map((f) => `${f.name} (${f.type})`);
  return found.length > 0 ? `found ${found.join(', ')}` : `no metric starting with ${stem}`;
}

function missing(exposition: Exposition, name: string, type: string, code: string): CheckOutcome {
  return fail({
    message: `/metrics has no ${type} named ${name}.`,
    expected: `# TYPE ${name} ${type}`,
    actual: lookalikes(exposition, name),
    hint: `Declare it in app/main.py: \`${code}\`, then restart the service and run \`curl -s localhost:8000/metrics | grep ${name}\`.`,
  });
}

function wrongType(family: MetricFamily, type: string, why: string, code: string): CheckOutcome {
  return fail({
    message: `${family.name} is a ${family.type}, not a ${type}: ${why}`,
    expected: `# TYPE ${family.name} ${type}`,
    actual: `# TYPE ${family.name} ${family.type}`,
    hint: `Declare it with \`${code}\`.`,
  });
}

const HISTOGRAM_CODE = `Histogram("${METRICS.latency}", "…", buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))`;

/** The latency histogram: a histogram, consistent, with buckets from milliseconds to seconds. */
export function judgeLatencyHistogram(exposition: Exposition): CheckOutcome {
  const family = exposition.families.get(METRICS.latency);
  if (!family) return missing(exposition, METRICS.latency, 'histogram', HISTOGRAM_CODE);
  if (family.type !== 'histogram') {
    const why =
      family.type === 'summary'
        ? 'a summary computes quantiles inside one process, and quantiles cannot be added up across replicas; histogram buckets can, and histogram_quantile() turns them into p95 on the Prometheus side.'
        : 'latency is a distribution, and only a histogram keeps its shape (bucket counts) for histogram_quantile().';
    return wrongType(family, 'histogram', why, HISTOGRAM_CODE);
  }
  const problems = histogramProblems(family);
  if (problems.length > 0) {
    return fail({
      message: `${family.name} is not a consistent histogram.`,
      expected: 'cumulative _bucket counts ending in le="+Inf", equal to _count, and a _sum',
      actual: problems.slice(0, 3).join('; '),
      hint: "Use prometheus_client's Histogram and `.observe(seconds)`; do not write the bucket lines yourself.",
    });
  }
  const bounds = histogramSeries(family)[0]!
    .buckets.map((b) => b.le)
    .filter((le) => Number.isFinite(le));
  const shown = bounds.join(', ');
  const smallest = bounds[0] ?? Infinity;
  const largest = bounds.at(-1) ?? 0;
  const issue =
    largest > 100
      ? `the largest bucket is ${largest}: bounds look like milliseconds, but the metric is in seconds`
      : bounds.length < 6
        ? `only ${bounds.length} finite bucket(s): a p95 read from so few is off by a whole bucket width`
        : smallest > 0.025
          ? `the smallest bucket is ${smallest} s: every fast answer (a few ms) falls in it, so fast and "fast enough" look the same`
          : largest < 1
            ? `the largest bucket is ${largest} s: everything slower lands in +Inf, so a latency alert cannot tell 1 s from 30 s`
            : undefined;
  if (issue) {
    return fail({
      message: `The buckets of ${family.name} do not suit a model API: ${issue}.`,
      expected: 'at least 6 bounds in seconds, from 0.025 s or less up to 1 s or more (e.g. 0.005 … 5)',
      actual: `le = ${shown}`,
      hint: `Pass buckets explicitly: \`${HISTOGRAM_CODE}\`.`,
    });
  }
  return pass(`${family.name} is a histogram with ${bounds.length} buckets from ${smallest} s to ${largest} s.`, {
    actual: `le = ${shown}`,
  });
}

const COUNTER_CODE = `Counter("loan_predictions", "…", ["class"])`;

/** The predictions counter: loan_predictions_total, a counter labelled by class. */
export function judgePredictionCounter(exposition: Exposition): CheckOutcome {
  const family = exposition.families.get(METRICS.predictions);
  if (!family) {
    const bare = exposition.families.get('loan_predictions');
    if (bare) {
      return fail({
        message: `Found ${bare.name} (${bare.type}) but no ${METRICS.predictions}: a count of events is a counter, and counters end in _total so rate() and readers know what they are.`,
        expected: `# TYPE ${METRICS.predictions} counter`,
        actual: `# TYPE ${bare.name} ${bare.type}`,
        hint: `Use \`${COUNTER_CODE}\` (prometheus_client adds _total; with prom-client name it loan_predictions_total yourself).`,
      });
    }
    return missing(exposition, METRICS.predictions, 'counter', COUNTER_CODE);
  }
  if (family.type !== 'counter') {
    return wrongType(
      family,
      'counter',
      'a gauge can go down, so Prometheus cannot tell a restart from a drop, and rate() on it is meaningless.',
      COUNTER_CODE,
    );
  }
  const series = family.samples.filter((s) => s.name === METRICS.predictions);
  const unlabelled = series.filter((s) => !('class' in s.labels));
  if (series.length === 0 || unlabelled.length > 0) {
    return fail({
      message: `${METRICS.predictions} is not labelled by class, so nobody can see the share of "default" answers move.`,
      expected: `${METRICS.predictions}{class="repaid"} and ${METRICS.predictions}{class="default"}`,
      actual: series.map((s) => seriesKey(s.name, s.labels)).join(', ') || 'no samples yet',
      hint: `Declare the label (\`${COUNTER_CODE}\`) and count with \`PREDICTIONS.labels(label).inc()\`.`,
    });
  }
  const odd = series.filter((s) => !(CLASSES as readonly string[]).includes(s.labels.class!));
  if (odd.length > 0) {
    return fail({
      message: `${METRICS.predictions} has class values other than the model's classes (${CLASSES.join(', ')}).`,
      expected: CLASSES.map((c) => `class="${c}"`).join(' and '),
      actual: odd
        .map((s) => seriesKey(s.name, s.labels))
        .slice(0, 5)
        .join(', '),
      hint: 'Label with the class the model returned (`label` from predict()), never with an input value: each new value is a new series.',
    });
  }
  return pass(`${METRICS.predictions} is a counter labelled by class.`, {
    actual: series.map((s) => seriesKey(s.name, s.labels)).join(', '),
  });
}

const GAUGE_CODE = `Gauge("${METRICS.drift}", "…", ["feature"])`;

/** The drift gauge: one series per feature, each a number between 0 and 1. */
export function judgeDriftGauge(exposition: Exposition): CheckOutcome {
  const family = exposition.families.get(METRICS.drift);
  if (!family) return missing(exposition, METRICS.drift, 'gauge', GAUGE_CODE);
  if (family.type !== 'gauge') {
    return wrongType(family, 'gauge', 'a drift score goes up and down with the traffic; only a gauge may.', GAUGE_CODE);
  }
  const byFeature = new Map(family.samples.filter((s) => s.name === METRICS.drift).map((s) => [s.labels.feature, s]));
  const absent = LOAN_FEATURES.filter((f) => !byFeature.has(f));
  if (absent.length > 0) {
    return fail({
      message: `${METRICS.drift} has no series for ${absent.join(', ')}: a feature without a series cannot alert, and an absent series looks the same as a healthy one.`,
      expected: LOAN_FEATURES.map((f) => `${METRICS.drift}{feature="${f}"}`).join(', '),
      actual: [...byFeature.keys()].map((f) => `feature="${f ?? ''}"`).join(', ') || 'no samples',
      hint: 'Create every series at start-up: `for feature in FEATURES: DRIFT.labels(feature).set(0)`.',
    });
  }
  const outOfRange = [...byFeature.values()].filter((s) => !(s.value >= 0 && s.value <= 1));
  if (outOfRange.length > 0) {
    return fail({
      message: `${METRICS.drift} has values outside 0…1, so one alert threshold cannot fit every feature.`,
      expected: 'a score between 0 (no drift) and 1 (no overlap at all), such as the KS statistic',
      actual: outOfRange.map((s) => `${seriesKey(s.name, s.labels)} ${s.value}`).join(', '),
      hint: 'Report the Kolmogorov-Smirnov statistic (`scipy.stats.ks_2samp(...).statistic`), not a raw difference of means.',
    });
  }
  return pass(`${METRICS.drift} is a gauge with a series for each of the ${LOAN_FEATURES.length} features.`);
}

/** Sum of the predictions counter by class (0 for an absent class). */
export function predictionsByClass(exposition: Exposition): Record<string, number> {
  const family = exposition.families.get(METRICS.predictions);
  return Object.fromEntries(CLASSES.map((c) => [c, sumOf(family, METRICS.predictions, { class: c })]));
}

/** The drift gauge by feature. */
export function driftByFeature(exposition: Exposition): Record<string, number> {
  const family = exposition.families.get(METRICS.drift);
  return Object.fromEntries(LOAN_FEATURES.map((f) => [f, sumOf(family, METRICS.drift, { feature: f })]));
}

export interface SentPredictions {
  sent: number;
  /** How many answers named each class. */
  classes: Record<string, number>;
  /** What went wrong with the requests that did not give a prediction. */
  failures: string[];
}

/** POSTs each row to /predict, `parallel` at a time, each bounded in time and bytes. */
export async function sendPredictions(
  ctx: CheckContext,
  service: RunningService,
  rows: readonly LoanRow[],
  parallel = 4,
): Promise<SentPredictions> {
  const classes: Record<string, number> = {};
  const failures: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rows.length && !ctx.signal.aborted) {
      const row = rows[next++]!;
      try {
        const response = await ctx.http.request(`${service.url}/predict`, {
          method: 'POST',
          json: row,
          timeoutMs: 5_000,
          maxBytes: 64 * 1024,
          maxRedirects: 0,
          signal: ctx.signal,
        });
        const label = (response.json() as { class?: unknown } | undefined)?.class;
        if (response.status !== 200) failures.push(`HTTP ${response.status}: ${response.body.slice(0, 120)}`);
        else if (typeof label !== 'string') failures.push(`answer without a "class": ${response.body.slice(0, 120)}`);
        else classes[label] = (classes[label] ?? 0) + 1;
      } catch (error) {
        failures.push(firstLine((error as Error).message));
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return { sent: rows.length, classes, failures };
}

export function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 300);
}

export function tail(text: string, chars: number): string {
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}
