/**
 * M5, serving: the Procfile's `web` serving models:/adult-income@champion,
 * talked to over HTTP only (the service from shared.ts, started once per
 * grading run with random credentials): health, readiness with the model
 * version, Basic auth, predictions for real rows of the data set, field
 * validation, Prometheus metrics, then a stated load with its p50 and p99.
 */
import {
  EvidenceError,
  LOAD_ERROR_KINDS,
  describeLoadResult,
  fail,
  histogramProblems,
  parseExposition,
  pass,
  runLoadTest,
  type CheckContext,
  type CheckDefinitionInput,
  type CheckOutcome,
  type LoadTestResult,
  type MetricFamily,
} from '@mlops-lab/grader/authoring';
import { readyVersion } from './rollback.ts';
import {
  ALIAS,
  FEATURES,
  MODEL_NAME,
  TRAINED_PROJECT_CHECK_TIMEOUT_MS,
  WEB_READY_TIMEOUT_MS,
  featuresOf,
  isOutcome,
  readDatasetRows,
  trainedProject,
  webService,
  type WebService,
} from './shared.ts';

/** The load M5 states: this rate, for this long, one data-set row per request; zero errors and p99 under the bound. */
export const LOAD = {
  ratePerSecond: 50,
  durationMs: 10_000,
  rowsPerRequest: 1,
  p99BoundMs: 500,
  requestTimeoutMs: 2_000,
  warmup: 10,
} as const;
export const LOAD_TEXT = `${LOAD.ratePerSecond} requests/s for ${LOAD.durationMs / 1000} s, ${LOAD.rowsPerRequest} data-set row per POST /predict: 0 errors and p99 under ${LOAD.p99BoundMs} ms`;

/** Every M5 check may be the first to need the trained project and the service. */
const TIMEOUT_MS = TRAINED_PROJECT_CHECK_TIMEOUT_MS + WEB_READY_TIMEOUT_MS;
const LABELS = ['>50K', '<=50K'] as const;

/** What one request to the service gave. */
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  json(): unknown;
}

/** One bounded request to the service; a hang or a broken connection becomes a failing outcome naming the endpoint. */
async function call(
  ctx: CheckContext,
  web: WebService,
  path: string,
  options: { method?: string; json?: unknown; body?: string; headers?: Record<string, string>; auth?: boolean | string } = {},
): Promise<Answer | CheckOutcome> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth === true) headers.authorization = web.authHeader;
  else if (typeof options.auth === 'string') headers.authorization = options.auth;
  try {
    return await ctx.http.request(`${web.url}${path}`, {
      method,
      headers,
      ...(options.json !== undefined ? { json: options.json } : {}),
      ...(options.body !== undefined ? { body: options.body } : {}),
      timeoutMs: 10_000,
      maxBytes: 512 * 1024,
      maxRedirects: 0,
      signal: ctx.signal,
    });
  } catch (error) {
    if (!(error instanceof EvidenceError) || !/^HTTP_/.test(error.code)) throw error;
    return fail({
      message: `${method} ${path} did not give an answer: ${error.message}`,
      expected: `${method} ${path} answers within 10 s`,
      actual: error.code,
      hint: `Try it while the service runs: \`curl -v -X ${method} http://127.0.0.1:$PORT${path}\`; look at the service output for an exception.`,
    });
  }
}

/** The shared service (started once, after training and gating), or why it is not there. */
async function service(ctx: CheckContext): Promise<WebService | CheckOutcome> {
  return await webService(ctx);
}

function snippet(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (!flat) return '(empty body)';
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** Complete rows of the data set (every category known), a few of each class, in a fixed order. */
async function sampleRows(count: number): Promise<Record<string, string | number | null>[]> {
  const rows = await readDatasetRows({ dropMissing: true });
  const rich = rows.filter((r) => r.income === '>50K').slice(0, Math.ceil(count / 2));
  const rest = rows.filter((r) => r.income === '<=50K').slice(0, count - rich.length);
  const mixed: Record<string, string | number | null>[] = [];
  for (let i = 0; mixed.length < count; i++) {
    if (rest[i]) mixed.push(featuresOf(rest[i]!));
    if (rich[i] && mixed.length < count) mixed.push(featuresOf(rich[i]!));
  }
  return mixed;
}

interface Prediction {
  label: string;
  score: number;
}

/** The predictions of a 200 body, or what is wrong with it (naming the field). */
function readPredictions(body: unknown, rows: number): Prediction[] | string {
  const predictions = (body as { predictions?: unknown } | undefined)?.predictions;
  if (!Array.isArray(predictions)) return 'the body has no "predictions" list';
  if (predictions.length !== rows) return `${predictions.length} prediction(s) for ${rows} row(s)`;
  for (const [i, p] of predictions.entries()) {
    const { label, score } = (p ?? {}) as { label?: unknown; score?: unknown };
    if (!LABELS.includes(label as (typeof LABELS)[number]))
      return `predictions[${i}].label is ${JSON.stringify(label)}, not ">50K" or "<=50K"`;
    if (typeof score !== 'number' || !(score >= 0 && score <= 1))
      return `predictions[${i}].score is ${JSON.stringify(score)}, not a number from 0 to 1`;
  }
  return predictions as Prediction[];
}

const PREDICT_SHAPE = '{"predictions": [{"label": ">50K" | "<=50K", "score": 0..1}, …], "model_version": "…"}, one per row, in order';

// ------------------------------------------------------------------ the checks

export const healthAnswersWithoutAuth: CheckDefinitionInput = {
  id: 'm5-health-answers-without-auth',
  title: 'GET /health answers 200 without credentials',
  requires: ['mlflow'],
  timeoutMs: TIMEOUT_MS,
  hint: 'Serve GET /health before any auth check: the kubelet and Docker probe it without credentials.',
  // Mirrors: curl -i http://127.0.0.1:$PORT/health
  async run(ctx) {
    const web = await service(ctx);
    if (isOutcome(web)) return web;
    const answer = await call(ctx, web, '/health');
    if (isOutcome(answer)) return answer;
    if (answer.status === 200) return pass(`GET /health answered 200 without credentials: ${snippet(answer.body, 80)}`);
    return fail({
      message: `GET /health answered ${answer.status} without credentials, so a liveness probe would restart a healthy service.`,
      expected: 'status 200, no credentials needed',
      actual: `status ${answer.status}, body ${snippet(answer.body)}`,
      hint: 'Answer /health before the auth middleware (in FastAPI, do not add the auth dependency to it).',
    });
  },
};

export const readyReportsModelVersion: CheckDefinitionInput = {
  id: 'm5-ready-reports-model-version',
  title: 'GET /ready names the model and the version it serves',
  requires: ['mlflow'],
  timeoutMs: TIMEOUT_MS,
  hint: 'Answer /ready with {"model_name": "adult-income", "model_version": "<the champion\'s version>", "drift": {…}} once the model is loaded.',
  // Mirrors: curl -s http://127.0.0.1:$PORT/ready | jq '{model_name, model_version}'
  async run(ctx) {
    const web = await service(ctx);
    if (isOutcome(web)) return web;
    const project = await trainedProject(ctx);
    if (isOutcome(project)) return project;
    const answer = await call(ctx, web, '/ready');
    if (isOutcome(answer)) return answer;
    const body = answer.json() as { model_name?: unknown } | undefined;
    const version = readyVersion(body);
    // The service loaded the champion when it started: the second version, or the first when M7's rollback ran first.
    const promoted = [project.champion, project.previousChampion];
    if (answer.status === 200 && version !== undefined && promoted.includes(version) && body?.model_name === MODEL_NAME) {
      return pass(`GET /ready: ${MODEL_NAME} version ${version}, the version ${ALIAS} named when the service started.`);
    }
    return fail({
      message:
        answer.status !== 200
          ? `GET /ready answered ${answer.status} although the service had loaded its model.`
          : version === undefined
            ? 'GET /ready does not say which model version the service runs, so nobody can tell what a rollback changed.'
            : body?.model_name !== MODEL_NAME
              ? `GET /ready names the model ${JSON.stringify(body?.model_name ?? null)}, not "${MODEL_NAME}" (MODEL_NAME).`
              : `GET /ready names ${String(body?.model_name ?? MODEL_NAME)} version ${version}, but ${ALIAS} pointed at version ${project.champion} (version ${project.previousChampion} before it).`,
      expected: `200 {"model_name": "${MODEL_NAME}", "model_version": "${project.champion}", …}`,
      actual: `status ${answer.status}, body ${snippet(answer.body)}`,
      hint: `Resolve MODEL_URI (models:/${MODEL_NAME}@${ALIAS}) to its version when the service starts (MlflowClient().get_model_version_by_alias) and put it in /ready as model_version.`,
    });
  },
};

export const predictRequiresCredentials: CheckDefinitionInput = {
  id: 'm5-predict-requires-credentials',
  title: 'POST /predict answers 401 with WWW-Authenticate to no, wrong and default credentials',
  requires: ['mlflow'],
  timeoutMs: TIMEOUT_MS,
  hint: 'Compare the Basic credentials with SERVING_USERNAME/SERVING_PASSWORD (constant-time); answer 401 with `WWW-Authenticate: Basic realm="predict"` otherwise.',
  // Mirrors: curl -i -X POST http://127.0.0.1:$PORT/predict; curl -i -u admin:admin -X POST …
  async run(ctx) {
    const web = await service(ctx);
    if (isOutcome(web)) return web;
    const rows = await sampleRows(1);
    const attempts: [string, string | undefined][] = [
      ['no credentials', undefined],
      ['the right user with a wrong password', basic(web.credentials.username, `${web.credentials.password}-wrong`)],
      ['admin/admin', basic('admin', 'admin')],
    ];
    const problems: string[] = [];
    for (const [what, auth] of attempts) {
      const answer = await call(ctx, web, '/predict', { method: 'POST', json: { rows }, ...(auth ? { auth } : {}) });
      if (isOutcome(answer)) return answer;
      const challenge = answer.headers['www-authenticate'];
      if (answer.status !== 401) problems.push(`${what}: status ${answer.status}, body ${snippet(answer.body, 100)}`);
      else if (!challenge || !/^basic\b/i.test(challenge))
        problems.push(`${what}: 401 without \`WWW-Authenticate: Basic …\` (got ${challenge ?? 'none'})`);
    }
    if (problems.length === 0)
      return pass('POST /predict answered 401 with WWW-Authenticate: Basic to no credentials, a wrong password and admin/admin.');
    return fail({
      message: `POST /predict ${problems.some((p) => /status 2/.test(p)) ? 'served predictions to a caller it should have refused' : 'refused callers without the answer HTTP asks for'}.`,
      expected: '401 with a `WWW-Authenticate: Basic realm=…` header for each',
      actual: problems.join('\n'),
      hint: 'Check the Authorization header on /predict; on a mismatch answer 401 with `WWW-Authenticate: Basic realm="predict"`. Read the password from SERVING_PASSWORD only: no default.',
    });
  },
};

export const predictReturnsOnePerRow: CheckDefinitionInput = {
  id: 'm5-predict-returns-one-prediction-per-row',
  title: 'POST /predict answers one prediction per data-set row, in order, with label and score',
  requires: ['mlflow'],
  timeoutMs: TIMEOUT_MS,
  hint: `Answer ${PREDICT_SHAPE}.`,
  // Mirrors: curl -s -u "$SERVING_USERNAME:$SERVING_PASSWORD" -H 'content-type: application/json' -d '{"rows": [...]}' http://127.0.0.1:$PORT/predict
  async run(ctx) {
    const web = await service(ctx);
    if (isOutcome(web)) return web;
    const rows = await sampleRows(6);
    const batch = await call(ctx, web, '/predict', { method: 'POST', json: { rows }, auth: true });
    if (isOutcome(batch)) return batch;
    const batchBody = batch.json() as { model_version?: unknown } | undefined;
    let read = batch.status === 200 ? readPredictions(batchBody, rows.length) : `status ${batch.status}`;
    if (
      typeof read !== 'string' &&
      (batchBody?.model_version === undefined || batchBody.model_version === null || batchBody.model_version === '')
    ) {
      read = 'the body has no "model_version" (which model answered?)';
    }
    if (typeof read === 'string') {
      return fail({
        message: `POST /predict with ${rows.length} rows of the data set did not answer ${rows.length} predictions: ${read}.`,
        expected: `200 ${PREDICT_SHAPE}`,
        actual: `status ${batch.status}, body ${snippet(batch.body, 300)}`,
        hint: `Send the same body yourself: \`curl -s -u "$SERVING_USERNAME:$SERVING_PASSWORD" -H 'content-type: application/json' -d '${JSON.stringify({ rows: rows.slice(0, 1) })}' http://127.0.0.1:$PORT/predict\`.`,
      });
    }
    // Order: each row alone must get the prediction it got in the batch.
    const mismatches: string[] = [];
    for (const [i, row] of rows.entries()) {
      const alone = await call(ctx, web, '/predict', { method: 'POST', json: { rows: [row] }, auth: true });
      if (isOutcome(alone)) return alone;
      const single = alone.status === 200 ? readPredictions(alone.json(), 1) : `status ${alone.status}`;
      if (typeof single === 'string') mismatches.push(`row ${i} alone: ${single}`);
      else if (single[0]!.label !== read[i]!.label || Math.abs(single[0]!.score - read[i]!.score) > 1e-4) {
        mismatches.push(`row ${i}: ${read[i]!.label} ${read[i]!.score} in the batch, ${single[0]!.label} ${single[0]!.score} alone`);
      }
    }
    if (mismatches.length > 0) {
      return fail({
        message:
          'The predictions of a batch do not match the rows they were sent with: the answer is out of order, or depends on the other rows.',
        expected: 'predictions[i] is the prediction for rows[i], whatever else is in the batch',
        actual: mismatches.join('\n'),
        hint: 'Keep the input order when building the feature matrix and when pairing outputs with rows (no sorting, no sets, no dict of rows).',
      });
    }
    const labels = read.map((p) => p.label);
    return pass(
      `${rows.length} rows -> ${rows.length} predictions in order (${LABELS.map((l) => `${labels.filter((x) => x === l).length} ${l}`).join(', ')}; scores ${Math.min(...read.map((p) => p.score)).toFixed(3)}–${Math.max(...read.map((p) => p.score)).toFixed(3)}), each the same alone as in the batch.`,
    );
  },
};

export const predictRejectsBadFields: CheckDefinitionInput = {
  id: 'm5-predict-rejects-bad-fields',
  title: 'A missing or mistyped field gets a 4xx that names it, never a 5xx',
  requires: ['mlflow'],
  timeoutMs: TIMEOUT_MS,
  hint: 'Validate each row with a schema (pydantic, zod) and answer 422 with the field path, e.g. `rows[0].age: field required`.',
  // Mirrors: curl -s -u … -d '{"rows": [{ …without age… }]}' http://127.0.0.1:$PORT/predict
  async run(ctx) {
    const web = await service(ctx);
    if (isOutcome(web)) return web;
    const [row] = await sampleRows(1);
    const { age: _age, ...missingAge } = row!;
    const cases: { what: string; field: string; body: unknown }[] = [
      { what: 'a row without age', field: 'age', body: { rows: [missingAge] } },
      { what: 'hours_per_week as text ("forty")', field: 'hours_per_week', body: { rows: [{ ...row, hours_per_week: 'forty' }] } },
      { what: 'education_num as a list', field: 'education_num', body: { rows: [{ ...row, education_num: [13] }] } },
    ];
    const problems: string[] = [];
    const seen: string[] = [];
    for (const c of cases) {
      const answer = await call(ctx, web, '/predict', { method: 'POST', json: c.body, auth: true });
      if (isOutcome(answer)) return answer;
      if (answer.status >= 500) problems.push(`${c.what}: ${answer.status} (a server error), body ${snippet(answer.body, 120)}`);
      else if (answer.status < 400) problems.push(`${c.what}: ${answer.status}, body ${snippet(answer.body, 120)}`);
      else if (!answer.body.includes(c.field))
        problems.push(`${c.what}: ${answer.status}, but the body does not name ${c.field}: ${snippet(answer.body, 120)}`);
      else seen.push(`${answer.status} naming ${c.field}`);
    }
    if (problems.length === 0) return pass(`Bad rows were refused: ${seen.join('; ')}.`);
    return fail({
      message:
        'Bad input is not refused with an answer that says what is wrong: a client cannot fix a request the service does not explain.',
      expected: 'a 4xx (400 or 422) whose body names the field (age, hours_per_week, education_num); never a 5xx',
      actual: problems.join('\n'),
      hint: `Declare the 13 fields (${FEATURES.slice(0, 4).join(', ')}, …) with their types in the request schema; FastAPI + pydantic answers 422 with the field's location by itself.`,
    });
  },
};

/** The request-latency histogram: a histogram whose name ends in _seconds (the one with route/handler labels if there are several). */
function latencyHistogram(families: Map<string, MetricFamily>): MetricFamily | undefined {
  const candidates = [...families.values()].filter((f) => f.type === 'histogram' && f.name.endsWith('_seconds'));
  return candidates.find((f) => /request|http|latency|duration/.test(f.name)) ?? candidates[0];
}

export const metricsArePrometheusText: CheckDefinitionInput = {
  id: 'm5-metrics-are-prometheus-text',
  title: '/metrics is Prometheus text with a latency histogram in seconds and predictions by class',
  requires: ['mlflow'],
  timeoutMs: TIMEOUT_MS,
  hint: 'Use the Prometheus client of your language: a Histogram `…_request_duration_seconds` observed around each request, a Counter of predictions with a `class` label.',
  // Mirrors: curl -s http://127.0.0.1:$PORT/metrics | promtool check metrics
  async run(ctx) {
    const web = await service(ctx);
    if (isOutcome(web)) return web;
    // One prediction of each class first, so the counters have something to show.
    const warm = await call(ctx, web, '/predict', { method: 'POST', json: { rows: await sampleRows(4) }, auth: true });
    if (isOutcome(warm)) return warm;
    const answer = await call(ctx, web, '/metrics');
    if (isOutcome(answer)) return answer;
    if (answer.status !== 200) {
      return fail({
        message: `GET /metrics answered ${answer.status}${answer.status === 401 ? ': Prometheus scrapes without credentials' : ''}.`,
        expected: 'status 200 with the Prometheus text format, no credentials',
        actual: `status ${answer.status}, body ${snippet(answer.body)}`,
        hint: 'Serve /metrics without auth (prometheus_client.make_asgi_app(), or prom-client register.metrics()).',
      });
    }
    const exposition = parseExposition(answer.body);
    const problems = [...exposition.problems];
    const histogram = latencyHistogram(exposition.families);
    if (!histogram) problems.push('no histogram whose name ends in _seconds (request latency, in seconds)');
    else {
      problems.push(...histogramProblems(histogram).map((p) => `${histogram.name}: ${p}`));
      const count = histogram.samples.filter((s) => s.name === `${histogram.name}_count`).reduce((a, s) => a + s.value, 0);
      const sum = histogram.samples.filter((s) => s.name === `${histogram.name}_sum`).reduce((a, s) => a + s.value, 0);
      if (count === 0) problems.push(`${histogram.name}: no request observed after several requests`);
      else if (sum / count > 5)
        problems.push(`${histogram.name}: a mean of ${(sum / count).toFixed(1)} per request: are these milliseconds? The unit is seconds`);
    }
    const byClass = [...exposition.families.values()].find((f) =>
      f.samples.some((s) => Object.values(s.labels).some((v) => (LABELS as readonly string[]).includes(v))),
    );
    if (!byClass) problems.push('no metric with a label whose values are the classes ">50K" / "<=50K" (predictions by class)');
    if (problems.length === 0) {
      return pass(
        `/metrics parses (${exposition.families.size} families): latency histogram ${histogram!.name}, predictions by class in ${byClass!.name}.`,
      );
    }
    return fail({
      message: '/metrics does not give Prometheus what the alerting and the report need.',
      expected:
        'valid Prometheus text; a request-latency histogram in seconds (…_seconds, with _bucket, _sum, _count); predictions counted by class',
      actual: problems.slice(0, 8).join('\n'),
      hint: 'Check it with `curl -s http://127.0.0.1:$PORT/metrics | promtool check metrics`.',
    });
  },
};

/** The stated load against POST /predict, once per grading run (10 warm-up requests first, not measured). */
function loadTest(ctx: CheckContext, web: WebService): Promise<LoadTestResult> {
  return ctx.memo('capstone:m5-load', async () => {
    const [row] = await sampleRows(1);
    ctx.progress(`load test: ${LOAD.ratePerSecond} requests/s for ${LOAD.durationMs / 1000} s`);
    return await runLoadTest({
      url: `${web.url}/predict`,
      headers: { authorization: web.authHeader },
      body: { json: { rows: [row] } },
      ratePerSecond: LOAD.ratePerSecond,
      durationMs: LOAD.durationMs,
      requestTimeoutMs: LOAD.requestTimeoutMs,
      warmupRequests: LOAD.warmup,
      isOk: (status, body) => {
        if (status !== 200) return false;
        try {
          return Array.isArray((JSON.parse(body) as { predictions?: unknown }).predictions);
        } catch {
          return false;
        }
      },
      signal: ctx.signal,
    });
  });
}

export const loadMeetsLatencyBound: CheckDefinitionInput = {
  id: 'm5-load-meets-latency-bound',
  title: `Under ${LOAD.ratePerSecond} requests/s for ${LOAD.durationMs / 1000} s, POST /predict has no errors and p99 under ${LOAD.p99BoundMs} ms`,
  needs: ['m5-predict-returns-one-prediction-per-row'],
  requires: ['mlflow'],
  timeoutMs: TIMEOUT_MS + 60_000,
  hint: 'Load the model once at start-up, not per request; keep the event loop (or the worker) free of blocking work; batch concurrent requests if one call is slow.',
  // Mirrors: echo "POST http://127.0.0.1:$PORT/predict" | vegeta attack -rate=50 -duration=10s -body=row.json | vegeta report
  async run(ctx) {
    const web = await service(ctx);
    if (isOutcome(web)) return web;
    const result = await loadTest(ctx, web);
    const figures = {
      'load.rps': LOAD.ratePerSecond,
      'load.seconds': LOAD.durationMs / 1000,
      'load.rowsPerRequest': LOAD.rowsPerRequest,
      p50Ms: result.latencyMs.p50,
      p99Ms: result.latencyMs.p99,
      'load.errors': result.errorCount,
    };
    const { p50, p99 } = result.latencyMs;
    if (result.sent > 0 && result.errorCount === 0 && p99 < LOAD.p99BoundMs) {
      return pass(`${LOAD_TEXT}: ${result.ok} requests OK at ${result.achievedRate}/s, p50 ${p50} ms, p99 ${p99} ms.`, {
        expected: LOAD_TEXT,
        actual: describeLoadResult(result),
        figures,
      });
    }
    const kinds = LOAD_ERROR_KINDS.filter((k) => result.errors[k] > 0);
    return fail({
      message:
        result.errorCount > 0
          ? `${result.errorCount} of ${result.due} requests failed at ${LOAD.ratePerSecond} requests/s (${kinds.map((k) => `${result.errors[k]} ${k}`).join(', ')}).`
          : `POST /predict is too slow at ${LOAD.ratePerSecond} requests/s: p99 ${p99} ms against a bound of ${LOAD.p99BoundMs} ms (p50 ${p50} ms).`,
      expected: LOAD_TEXT,
      actual: `${describeLoadResult(result)}${result.samples.length ? `. Examples: ${result.samples.slice(0, 3).join(' | ')}` : ''}`,
      hint: 'Run the load yourself while watching the service: `echo "POST http://127.0.0.1:8000/predict" | vegeta attack -rate=50 -duration=10s …`, or a loop of curl; a model loaded per request or a blocking call in an async handler is the usual cause.',
      figures,
    });
  },
};

export const m5Checks: CheckDefinitionInput[] = [
  healthAnswersWithoutAuth,
  readyReportsModelVersion,
  predictRequiresCredentials,
  predictReturnsOnePerRow,
  predictRejectsBadFields,
  metricsArePrometheusText,
  loadMeetsLatencyBound,
];
