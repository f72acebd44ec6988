/**
 * The serving endpoint, on node:http (no framework: four routes do not need
 * one, and every limit stays visible here).
 *
 *   GET  /health    liveness: the process answers (no auth)
 *   GET  /ready     readiness: 200 with the model's version and data set once loaded, 503 while shutting down (no auth)
 *   POST /predict   { "rows": [...] } -> { "predictions": [{ "label", "score" }], ... } (HTTP Basic auth)
 *   GET  /metrics   Prometheus text format (no auth: scraped from inside the cluster; labels carry no personal data)
 *
 * Every request is bounded: body size (413), rows per request (422), header
 * and request timeouts. Concurrent /predict requests share one model call
 * (batcher.ts); each request's rows feed the drift monitor (monitor.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAuthorized, type Credentials } from './auth.ts';
import { MicroBatcher } from './batcher.ts';
import type { ServingMetrics } from './metrics-registry.ts';
import type { LoadedModel } from './model-io.ts';
import type { DriftMonitor } from './monitor.ts';
import { DEFAULT_MAX_ROWS, predictRequestSchema, toFeatureRow, validatePredictRequest, type PredictRow } from './validate.ts';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const REALM = 'capstone-serving';

export interface ServerOptions {
  model: LoadedModel;
  /** Identifies the served model (serve.ts: a hash of its files). */
  modelVersion: string;
  credentials: Credentials;
  metrics: ServingMetrics;
  monitor?: DriftMonitor;
  /** Largest /predict body (bytes, default 1 MiB). */
  maxBodyBytes?: number;
  /** Rows per /predict request (default 1000). */
  maxRows?: number;
  /** Micro-batching: rows that start a model call at once, and the longest wait for more (ms). */
  batchMaxRows?: number;
  batchMaxWaitMs?: number;
  /** The TensorFlow.js backend doing the arithmetic now (default: the one the model was trained on). */
  backend?: string;
  /** Extra facts for /ready (e.g. the drift methods). */
  readyInfo?: Record<string, unknown>;
  log?: (line: string) => void;
}

export interface ServingServer {
  server: Server;
  /** Listens on host:port (port 0: a free one); resolves with the base URL. */
  listen(port: number, host?: string): Promise<string>;
  /** Stops taking connections, answers what is in flight, then closes (all connections cut after `graceMs`). */
  shutdown(graceMs?: number): Promise<void>;
}

export interface Prediction {
  label: '>50K' | '<=50K';
  score: number;
}

class HttpError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly extra: Record<string, unknown>;
  constructor(status: number, reason: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.reason = reason;
    this.extra = extra;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The body, up to `limit` bytes; a longer one is refused with 413 as soon as it is known to be too long. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(
      new HttpError(413, 'too_large', `the body is ${declared} bytes; the limit is ${limit} bytes: send fewer rows per request`),
    );
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, 'too_large', `the body is over the limit of ${limit} bytes: send fewer rows per request`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

export function createServingServer(options: ServerOptions): ServingServer {
  const { model, metrics, monitor, credentials } = options;
  const log = options.log ?? (() => undefined);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const schema = predictRequestSchema(options.maxRows ?? DEFAULT_MAX_ROWS);
  const threshold = model.manifest.threshold;
  const backend = options.backend ?? model.manifest.backend;
  let stopping = false;

  const batcher = new MicroBatcher<PredictRow, Prediction>({
    maxRows: options.batchMaxRows ?? 256,
    maxWaitMs: options.batchMaxWaitMs ?? 0,
    run: (rows) => Array.from(model.scores(rows.map(toFeatureRow)), (score) => ({ label: score >= threshold ? '>50K' : '<=50K', score })),
    onBatch: (rows) => metrics.batchRows.observe(rows),
  });

  metrics.modelInfo.set({ model_version: options.modelVersion, dataset_sha256: model.manifest.dataset.sha256, backend }, 1);

  async function predict(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isAuthorized(req.headers.authorization, credentials)) {
      throw new HttpError(401, 'unauthorized', 'send HTTP Basic credentials (curl -u "$SERVING_USERNAME:$SERVING_PASSWORD" ...)', {});
    }
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      throw new HttpError(
        415,
        'unsupported_media_type',
        `expected content-type application/json, got ${JSON.stringify(type.slice(0, 80) || '(none)')}`,
      );
    }
    const raw = await readBody(req, maxBodyBytes);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      throw new HttpError(400, 'invalid_json', `the body is not valid JSON: ${(error as Error).message.slice(0, 200)}`);
    }
    const checked = validatePredictRequest(body, schema);
    if (!checked.ok) {
      throw new HttpError(422, 'invalid_input', 'some fields are missing or invalid; see "errors"', {
        errors: checked.errors,
        ...(checked.more ? { more_errors: checked.more } : {}),
      });
    }
    const predictions = await batcher.submit(checked.rows);
    monitor?.observe(checked.rows);
    let positive = 0;
    for (const p of predictions) if (p.label === '>50K') positive += 1;
    if (positive) metrics.predictions.inc({ class: '>50K' }, positive);
    if (predictions.length - positive) metrics.predictions.inc({ class: '<=50K' }, predictions.length - positive);
    sendJson(res, 200, { predictions, model_version: options.modelVersion, threshold });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, route: string): Promise<void> {
    const method = req.method ?? 'GET';
    const allow = (methods: string): void => {
      if (!methods.split(', ').includes(method)) throw new HttpError(405, 'method_not_allowed', `${route} takes ${methods}`, {});
    };
    switch (route) {
      case '/health':
        allow('GET, HEAD');
        return sendJson(res, 200, { status: 'ok' });
      case '/ready':
        allow('GET, HEAD');
        if (stopping) return sendJson(res, 503, { status: 'shutting down' });
        return sendJson(res, 200, {
          status: 'ready',
          model_version: options.modelVersion,
          trained_at: model.manifest.createdAt,
          dataset_sha256: model.manifest.dataset.sha256,
          threshold,
          backend,
          ...options.readyInfo,
        });
      case '/metrics': {
        allow('GET');
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
        return;
      }
      case '/predict':
        allow('POST');
        return predict(req, res);
      default:
        throw new HttpError(404, 'not_found', `no route ${route}; try GET /health, GET /ready, POST /predict or GET /metrics`);
    }
  }

  const server = createServer((req, res) => {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0] as string;
    const route = ['/health', '/ready', '/predict', '/metrics'].includes(path) ? path : 'other';
    if (stopping) res.setHeader('connection', 'close');
    res.on('finish', () => {
      metrics.requestDuration.observe(
        { route, method: req.method ?? 'GET', code: String(res.statusCode) },
        (performance.now() - started) / 1000,
      );
    });
    handle(req, res, path).catch((error: unknown) => {
      const http =
        error instanceof HttpError
          ? error
          : new HttpError(500, 'internal', `the model could not answer: ${error instanceof Error ? error.message : String(error)}`);
      if (http.status === 500)
        log(`error on ${req.method} ${path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      metrics.errors.inc({ route, reason: http.reason });
      const headers: Record<string, string> = {};
      if (http.status === 401) headers['www-authenticate'] = `Basic realm="${REALM}", charset="UTF-8"`;
      if (http.status === 405) headers.allow = route === '/predict' ? 'POST' : 'GET, HEAD';
      // After a 413 the rest of the body is not read: close the connection rather than parse it as the next request.
      if (http.status === 413) headers.connection = 'close';
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, http.status, { error: http.message, ...http.extra }, headers);
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 100;

  return {
    server,
    listen(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          monitor?.start();
          resolve(`http://${shown}:${address.port}`);
        });
      });
    },
    async shutdown(graceMs = 10_000) {
      if (stopping) return;
      stopping = true;
      monitor?.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A keep-alive connection whose request was in flight becomes idle only after its answer: close those as they go idle.
      const sweeper = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      await batcher.drain();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
      });
      const outcome = await Promise.race([closed, deadline]);
      clearTimeout(timer);
      clearInterval(sweeper);
      if (outcome === 'timeout') {
        log(`shutdown: connections still open after ${graceMs} ms; closing them`);
        server.closeAllConnections();
        await closed;
      }
    },
  };
}
