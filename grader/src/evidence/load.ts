/**
 * A bounded load generator for a learner's service on this machine: a fixed
 * arrival rate (open model, like wrk2 or vegeta: requests are sent when they
 * are due whether or not earlier ones have answered), a maximum duration, a
 * maximum number of requests, a cap on requests in flight, a timeout per
 * request, a cap on each response body, loopback targets only and no
 * redirects followed. Whatever the service does (hang, redirect, flood),
 * a run ends within `durationMs + requestTimeoutMs` plus a little, having
 * sent at most `maxRequests`.
 */
import { Agent, request, type IncomingMessage } from 'node:http';
import { EvidenceError } from '../errors.ts';

/** What one load test sends and how it is bounded. */
export interface LoadTestOptions {
  /** The target, `http://127.0.0.1:<port>/path` (loopback only, plain HTTP). */
  url: string;
  /** Default: GET, or POST when `body` is given. */
  method?: string;
  headers?: Record<string, string>;
  /** Sent with every request (a JSON body sets content-type). */
  body?: string | { json: unknown };
  /** Requests started per second (the arrival rate). 0.1 to 2 000. */
  ratePerSecond: number;
  /** How long requests keep being sent. At most 120 000 ms. */
  durationMs: number;
  /** Hard cap on measured requests. Default: rate × duration (rounded up). At most 100 000. */
  maxRequests?: number;
  /** Requests in flight at once; a request due while the cap is reached is not sent and counts as `dropped`. Default 64, at most 512. */
  concurrency?: number;
  /** One request's time, from when it was due to the end of its body. Default 2 000 ms. */
  requestTimeoutMs?: number;
  /** Bytes of one response body kept; a longer body ends that request as `body-too-large`. Default 64 KiB. */
  maxBodyBytes?: number;
  /** Requests sent one after the other before the measured run (not counted; model warm-up, connection set-up). Default 0, at most 100. */
  warmupRequests?: number;
  /** Whether an answer counts as OK (default: any 2xx). A 3xx is never followed and never OK. */
  isOk?: (status: number, body: string) => boolean;
  signal?: AbortSignal;
}

/** Why a request did not count as OK. */
export type LoadErrorKind =
  /** No full answer within requestTimeoutMs. */
  | 'timeout'
  /** Refused, reset or closed before a full answer. */
  | 'connection'
  /** A 3xx answer: the load test never follows redirects. */
  | 'redirect'
  /** An HTTP status that is not OK (4xx, 5xx, or one `isOk` rejects). */
  | 'status'
  /** A 2xx whose body `isOk` rejects (HTML, garbage, the wrong shape). */
  | 'bad-body'
  /** A body longer than maxBodyBytes (reading stopped there). */
  | 'body-too-large'
  /** Due while `concurrency` requests were already in flight: not sent. */
  | 'dropped';

export const LOAD_ERROR_KINDS: readonly LoadErrorKind[] = [
  'timeout',
  'connection',
  'redirect',
  'status',
  'bad-body',
  'body-too-large',
  'dropped',
];

export interface LatencySummary {
  /** Nearest-rank percentiles, in ms, over every request that was sent (a failed one counts at the time it failed). */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LoadTestResult {
  /** Requests due in the measured run (sent + dropped). */
  due: number;
  /** Requests actually sent. */
  sent: number;
  /** Requests answered OK. */
  ok: number;
  /** Requests not OK, by kind (every kind present, 0 when none). */
  errors: Record<LoadErrorKind, number>;
  /** Sum of `errors`. */
  errorCount: number;
  /** Answers by HTTP status, e.g. `{ "200": 498, "500": 2 }`. */
  statuses: Record<string, number>;
  /** Requests sent per second over the sending phase. */
  achievedRate: number;
  /** Wall time of the whole run, drain included (warm-up excluded). */
  durationMs: number;
  /** Latency from when each request was due, so a queue in the service (or a stalled generator) cannot hide. */
  latencyMs: LatencySummary;
  /** Up to five examples of errors, for a learner: `status 500: Internal Server Error`. */
  samples: string[];
  /** True when the run ended early on `signal`. */
  aborted: boolean;
}

export const LOAD_LIMITS = {
  maxRate: 2_000,
  maxDurationMs: 120_000,
  maxRequests: 100_000,
  maxConcurrency: 512,
  maxWarmup: 100,
} as const;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * The nearest-rank percentile `p` (0 < p <= 100) of `values`: the smallest
 * value with at least p % of the values at or below it. 0 for no values.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return percentileOfSorted(sorted, p);
}

function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** p50, p95, p99, max and mean of latencies (ms, rounded to 0.1 ms). */
export function summarizeLatencies(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (n: number): number => Math.round(n * 10) / 10;
  const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : 0;
  return {
    p50: round(percentileOfSorted(sorted, 50)),
    p95: round(percentileOfSorted(sorted, 95)),
    p99: round(percentileOfSorted(sorted, 99)),
    max: round(sorted.at(-1) ?? 0),
    mean: round(mean),
  };
}

interface Outcome {
  ok: boolean;
  kind?: LoadErrorKind;
  status?: number;
  detail?: string;
}

function checkedOptions(options: LoadTestOptions): {
  url: URL;
  rate: number;
  durationMs: number;
  maxRequests: number;
  concurrency: number;
  timeoutMs: number;
  maxBodyBytes: number;
  warmup: number;
} {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new EvidenceError('LOAD_TARGET_INVALID', `The load test target "${options.url}" is not a URL.`);
  }
  if (url.protocol !== 'http:' || !LOOPBACK.has(url.hostname)) {
    throw new EvidenceError(
      'LOAD_TARGET_NOT_LOOPBACK',
      `The load test only targets a service on this machine over plain HTTP (127.0.0.1 or localhost); "${url.href}" is not one.`,
      'Start the service on 127.0.0.1 and load-test it there.',
    );
  }
  const bounded = (name: string, value: number, min: number, max: number): number => {
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new EvidenceError('LOAD_OPTIONS_INVALID', `Load test option ${name} must be between ${min} and ${max}; got ${value}.`);
    }
    return value;
  };
  const rate = bounded('ratePerSecond', options.ratePerSecond, 0.1, LOAD_LIMITS.maxRate);
  const durationMs = bounded('durationMs', options.durationMs, 1, LOAD_LIMITS.maxDurationMs);
  const planned = Math.ceil((rate * durationMs) / 1000);
  return {
    url,
    rate,
    durationMs,
    maxRequests: Math.floor(
      bounded('maxRequests', options.maxRequests ?? Math.min(planned, LOAD_LIMITS.maxRequests), 1, LOAD_LIMITS.maxRequests),
    ),
    concurrency: Math.floor(bounded('concurrency', options.concurrency ?? 64, 1, LOAD_LIMITS.maxConcurrency)),
    timeoutMs: bounded('requestTimeoutMs', options.requestTimeoutMs ?? 2_000, 1, 60_000),
    maxBodyBytes: Math.floor(bounded('maxBodyBytes', options.maxBodyBytes ?? 64 * 1024, 0, 16 * 1024 * 1024)),
    warmup: Math.floor(bounded('warmupRequests', options.warmupRequests ?? 0, 0, LOAD_LIMITS.maxWarmup)),
  };
}

/**
 * Runs one bounded load test against a loopback service and measures it.
 * Throws EvidenceError only for a target or options it refuses to use
 * (LOAD_TARGET_NOT_LOOPBACK, LOAD_TARGET_INVALID, LOAD_OPTIONS_INVALID);
 * whatever the service does is counted in the result.
 */
export async function runLoadTest(options: LoadTestOptions): Promise<LoadTestResult> {
  const o = checkedOptions(options);
  const method = options.method ?? (options.body !== undefined ? 'POST' : 'GET');
  const headers: Record<string, string> = { ...options.headers };
  let payload: Buffer | undefined;
  if (options.body !== undefined) {
    if (typeof options.body === 'string') payload = Buffer.from(options.body);
    else {
      payload = Buffer.from(JSON.stringify(options.body.json));
      headers['content-type'] ??= 'application/json';
    }
    headers['content-length'] = String(payload.length);
  }
  const isOk = options.isOk ?? ((status: number) => status >= 200 && status < 300);
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency, maxFreeSockets: o.concurrency });
  const inFlight = new Set<Promise<void>>();
  const latencies: number[] = [];
  const errors = Object.fromEntries(LOAD_ERROR_KINDS.map((k) => [k, 0])) as Record<LoadErrorKind, number>;
  const statuses: Record<string, number> = {};
  const samples: string[] = [];
  const signal = options.signal;

  const one = (dueAt: number): Promise<Outcome> =>
    new Promise<Outcome>((resolve) => {
      let settled = false;
      const done = (outcome: Outcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const remaining = Math.max(1, o.timeoutMs - (performance.now() - dueAt));
      const req = request(o.url, { method, headers, agent });
      const timer = setTimeout(() => {
        done({ ok: false, kind: 'timeout', detail: `no full answer within ${o.timeoutMs} ms` });
        req.destroy();
      }, remaining);
      const onAbort = (): void => {
        done({ ok: false, kind: 'connection', detail: 'load test aborted' });
        req.destroy();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('close', () => signal?.removeEventListener('abort', onAbort));
      req.on('error', (error: NodeJS.ErrnoException) => done({ ok: false, kind: 'connection', detail: error.code ?? error.message }));
      req.on('response', (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
        if (status >= 300 && status < 400) {
          res.destroy();
          const location = res.headers.location;
          done({
            ok: false,
            kind: 'redirect',
            status,
            detail: `status ${status} redirect${location ? ` to ${location.slice(0, 200)}` : ''} (not followed)`,
          });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (settled) return;
          size += chunk.length;
          if (size > o.maxBodyBytes) {
            done({ ok: false, kind: 'body-too-large', status, detail: `status ${status} with a body over ${o.maxBodyBytes} bytes` });
            res.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          let accepted: boolean;
          try {
            accepted = isOk(status, body);
          } catch {
            accepted = false;
          }
          if (accepted) done({ ok: true, status });
          else if (status >= 200 && status < 300)
            done({ ok: false, kind: 'bad-body', status, detail: `status ${status} with an unexpected body: ${snippet(body)}` });
          else done({ ok: false, kind: 'status', status, detail: `status ${status}: ${snippet(body)}` });
        });
        res.on('error', () => done({ ok: false, kind: 'connection', status, detail: `status ${status}, then the connection broke` }));
        res.on('aborted', () => done({ ok: false, kind: 'connection', status, detail: `status ${status}, then the connection broke` }));
      });
      if (payload) req.write(payload);
      req.end();
    });

  const record = (outcome: Outcome, dueAt: number): void => {
    latencies.push(performance.now() - dueAt);
    if (outcome.ok) return;
    errors[outcome.kind!] += 1;
    if (samples.length < 5 && outcome.detail) samples.push(`${outcome.kind}: ${outcome.detail}`);
  };

  try {
    for (let i = 0; i < o.warmup && !signal?.aborted; i++) await one(performance.now());

    const started = performance.now();
    const interval = 1000 / o.rate;
    let due = 0;
    let sent = 0;
    let firstSentAt = 0;
    let lastSentAt = 0;
    while (due < o.maxRequests && !signal?.aborted) {
      const dueAt = started + due * interval;
      if (dueAt - started >= o.durationMs) break;
      const wait = dueAt - performance.now();
      if (wait > 1) await sleep(wait, signal);
      if (signal?.aborted) break;
      due++;
      if (inFlight.size >= o.concurrency) {
        errors.dropped += 1;
        if (samples.length < 5) samples.push(`dropped: ${o.concurrency} requests were already waiting for an answer`);
        continue;
      }
      sent++;
      lastSentAt = performance.now();
      if (sent === 1) firstSentAt = lastSentAt;
      const pending: Promise<void> = one(dueAt).then((outcome) => {
        record(outcome, dueAt);
        inFlight.delete(pending);
      });
      inFlight.add(pending);
    }
    // n requests sent at a fixed interval span n - 1 intervals.
    const sendingMs = lastSentAt - firstSentAt;
    await Promise.all(inFlight);
    const durationMs = performance.now() - started;
    const errorCount = LOAD_ERROR_KINDS.reduce((sum, k) => sum + errors[k], 0);
    return {
      due,
      sent,
      ok: due - errorCount,
      errors,
      errorCount,
      statuses,
      achievedRate: sent > 1 && sendingMs > 0 ? Math.round(((sent - 1) / (sendingMs / 1000)) * 10) / 10 : sent,
      durationMs: Math.round(durationMs),
      latencyMs: summarizeLatencies(latencies),
      samples,
      aborted: signal?.aborted ?? false,
    };
  } finally {
    agent.destroy();
  }
}

/** One line for a learner: `250 requests at 49.8/s: 250 OK, p95 12.3 ms`. */
export function describeLoadResult(result: LoadTestResult): string {
  const errorText = LOAD_ERROR_KINDS.filter((k) => result.errors[k] > 0)
    .map((k) => `${result.errors[k]} ${k}`)
    .join(', ');
  return (
    `${result.due} requests due, ${result.sent} sent at ${result.achievedRate}/s: ${result.ok} OK` +
    `${errorText ? `, errors: ${errorText}` : ', no errors'}; latency p50 ${result.latencyMs.p50} ms, ` +
    `p95 ${result.latencyMs.p95} ms, p99 ${result.latencyMs.p99} ms, max ${result.latencyMs.max} ms`
  );
}

function snippet(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  if (!flat) return '(empty body)';
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
