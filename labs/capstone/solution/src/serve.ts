/**
 * `cli.ts serve`: loads a saved model folder, draws the drift reference from
 * the training split of the data set it was trained on, reads the Basic auth
 * credentials from the environment, and serves until SIGTERM or SIGINT, when
 * it stops taking connections, answers the requests in flight and exits 0
 * (what Kubernetes expects within terminationGracePeriodSeconds).
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { basename, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { credentialsFromEnv } from './auth.ts';
import { MlflowError } from './mlflow/client.ts';
import { loadDataset } from './data.ts';
import { readFileCapped } from './files.ts';
import { createServingMetrics } from './metrics-registry.ts';
import { REFERENCE_FILE, loadReference, referenceFrameOf } from './drift-reference.ts';
import { MODEL_FILES, loadTrainedModel, type Manifest } from './model-io.ts';
import {
  DEFAULT_REFERENCE_ROWS,
  DriftMonitor,
  driftSummary,
  methodsFor,
  referenceSample,
  type DriftSummary,
  type MonitorOptions,
  type ReferenceFrame,
} from './monitor.ts';
import { createServingServer, type ServingServer } from './server.ts';
import { DEFAULT_MODEL_NAME } from './tracking.ts';

export interface ServeOptions {
  modelDir: string;
  port: number;
  host?: string;
  /** The data set the reference is drawn from (default: the shipped one). */
  dataPath?: string;
  referenceRows?: number;
  monitor?: MonitorOptions;
  maxBodyBytes?: number;
  maxRows?: number;
  batchMaxRows?: number;
  batchMaxWaitMs?: number;
  env?: NodeJS.ProcessEnv;
  /** The registry identity when the folder came from MLflow (`--model-uri`); default: MODEL_NAME or adult-income, and a hash of the files. */
  registry?: { name: string; version: string; uri: string; runId: string };
  /** Runs after everything loaded, right before listening (serveUntilSignalled closes its loading server here). */
  beforeListen?: () => Promise<void>;
  log: (line: string) => void;
}

export interface RunningServer {
  url: string;
  serving: ServingServer;
  modelName: string;
  modelVersion: string;
  methods: Record<string, string>;
  drift: DriftSummary;
  close(): Promise<void>;
}

/** The first 12 hex digits of SHA-256 over the model's files: changes whenever the served model does. */
export async function modelVersionOf(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [MODEL_FILES.model, MODEL_FILES.weights, MODEL_FILES.encoding]) {
    hash.update(await readFileCapped(join(dir, file), 200 * 1024 * 1024));
  }
  return hash.digest('hex').slice(0, 12);
}

/** A JSON log line: `{"level":"info","msg":"listening","url":"..."}`. */
export function logLine(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`;
}

/**
 * The drift reference: the model folder's drift-reference.json (written by
 * train), else, or when a data set is named explicitly, a sample of that data
 * set's training split drawn with the model's seed.
 */
async function driftReference(
  modelDir: string,
  manifest: Manifest,
  options: ServeOptions,
): Promise<{ frame: ReferenceFrame; source: string }> {
  const size = options.referenceRows ?? DEFAULT_REFERENCE_ROWS;
  const stored = options.dataPath === undefined ? await loadReference(modelDir) : undefined;
  if (stored && stored.rows >= size) return { frame: referenceFrameOf(stored, size), source: REFERENCE_FILE };
  const dataset = await loadDataset(options.dataPath);
  if (dataset.sha256 !== manifest.dataset.sha256) {
    options.log(
      logLine('warn', 'the drift reference comes from a different data set than the model was trained on', {
        model_dataset_sha256: manifest.dataset.sha256,
        reference_dataset_sha256: dataset.sha256,
      }),
    );
  }
  return { frame: referenceSample(dataset, size, manifest.seed), source: basename(dataset.source) };
}

/** Loads everything and starts listening; throws (CredentialsError, ModelFolderError, DatasetError) before listening when anything is wrong. */
export async function startServing(options: ServeOptions): Promise<RunningServer> {
  const credentials = credentialsFromEnv(options.env);
  const modelDir = resolve(options.modelDir);
  const model = await loadTrainedModel(modelDir);
  const modelHash = await modelVersionOf(modelDir);
  const modelName = options.registry?.name ?? ((options.env ?? process.env).MODEL_NAME?.trim() || DEFAULT_MODEL_NAME);
  const modelVersion = options.registry?.version ?? modelHash;
  const { frame: reference, source: referenceSource } = await driftReference(modelDir, model.manifest, options);
  const methods = methodsFor(reference);
  const drift = driftSummary(reference);
  const metrics = createServingMetrics();
  const monitor = new DriftMonitor(reference, metrics, options.monitor);
  const serving = createServingServer({
    model,
    modelVersion,
    backend: tf.getBackend(),
    credentials,
    metrics,
    monitor,
    ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.maxRows ? { maxRows: options.maxRows } : {}),
    ...(options.batchMaxRows ? { batchMaxRows: options.batchMaxRows } : {}),
    ...(options.batchMaxWaitMs !== undefined ? { batchMaxWaitMs: options.batchMaxWaitMs } : {}),
    readyInfo: {
      model_name: modelName,
      model_hash: modelHash,
      ...(options.registry ? { model_uri: options.registry.uri, run_id: options.registry.runId } : {}),
      drift: { ...drift, reference_rows: reference.age?.length ?? 0, reference_source: referenceSource, methods },
    },
    log: (line) => options.log(logLine('error', line)),
  });
  await options.beforeListen?.();
  const url = await serving.listen(options.port, options.host ?? '127.0.0.1');
  options.log(
    logLine('info', 'listening', {
      url,
      model_name: modelName,
      model_version: modelVersion,
      backend: tf.getBackend(),
      drift_methods: methods,
    }),
  );
  return {
    url,
    serving,
    modelName,
    modelVersion,
    methods,
    drift,
    async close() {
      await serving.shutdown();
      monitor.stop();
      model.model.dispose();
    },
  };
}

/** Where the model comes from when it must be fetched first (a registry version): returns the folder and its registry identity. */
export type ModelSource = () => Promise<{ modelDir: string; registry: NonNullable<ServeOptions['registry']> }>;

/** Failures worth waiting out (the tracking server is down or slow), as opposed to a wrong URI or a missing alias. */
function isTransient(error: unknown): boolean {
  return error instanceof MlflowError && ['MLFLOW_UNREACHABLE', 'MLFLOW_TIMEOUT', 'MLFLOW_SERVER_ERROR'].includes(error.code);
}

/**
 * While the model is fetched: /health 200 (the process is alive), /ready 503
 * with the reason, everything else 503. Kubernetes keeps the pod out of the
 * Service without restarting it, and a tracking server that is down for a
 * while is waited out instead of crash-looping.
 */
function startLoadingServer(port: number, host: string, status: () => Record<string, unknown>): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const [code, body] = path === '/health' ? [200, { status: 'ok' }] : [503, status()];
    const text = JSON.stringify(body);
    res.writeHead(code, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      connection: 'close',
    });
    res.end(text);
  });
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveListen(server));
  });
}

/** Serves until SIGTERM/SIGINT; resolves with the exit code once drained. With `source`, listens at once and serves once the model is fetched. */
export async function serveUntilSignalled(options: ServeOptions, source?: ModelSource): Promise<number> {
  let signalled: NodeJS.Signals | undefined;
  let wake: (() => void) | undefined;
  const signal = new Promise<NodeJS.Signals>((resolveSignal) => {
    const on = (name: NodeJS.Signals): void => {
      signalled = name;
      wake?.();
      resolveSignal(name);
    };
    process.once('SIGTERM', () => on('SIGTERM'));
    process.once('SIGINT', () => on('SIGINT'));
  });
  if (!source) {
    const running = await startServing(options);
    return finish(running);
  }
  credentialsFromEnv(options.env); // a missing password stops the start before anything listens
  let reason = 'fetching the model';
  const loading = await startLoadingServer(options.port, options.host ?? '127.0.0.1', () => ({ status: 'loading', reason }));
  const address = loading.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  let closed = false;
  const closeLoading = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    loading.closeAllConnections();
    await new Promise((resolveClose) => loading.close(resolveClose));
  };
  options.log(logLine('info', 'listening while the model is fetched', { url: `http://${options.host ?? '127.0.0.1'}:${port}` }));
  let running: RunningServer;
  try {
    let fetched: Awaited<ReturnType<ModelSource>> | undefined;
    for (let attempt = 1; !fetched; attempt++) {
      if (signalled) return 0;
      try {
        fetched = await source();
      } catch (error) {
        if (!isTransient(error)) throw error;
        const waitMs = Math.min(30_000, 1000 * 2 ** Math.min(attempt - 1, 5));
        reason = (error as Error).message;
        options.log(logLine('warn', 'could not fetch the model; trying again', { attempt, retry_in_ms: waitMs, error: reason }));
        await new Promise<void>((resolveWait) => {
          wake = resolveWait;
          setTimeout(resolveWait, waitMs).unref();
        });
      }
    }
    reason = 'loading the model';
    // The loading server answers until the real one is about to listen on the same port.
    running = await startServing({ ...options, port, modelDir: fetched.modelDir, registry: fetched.registry, beforeListen: closeLoading });
  } finally {
    await closeLoading();
  }
  return finish(running);

  async function finish(server: RunningServer): Promise<number> {
    const received = await signal;
    options.log(logLine('info', 'shutting down: answering requests in flight', { signal: received }));
    await server.close();
    options.log(logLine('info', 'stopped'));
    return 0;
  }
}
