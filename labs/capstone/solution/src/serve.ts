/**
 * `cli.ts serve`: loads a saved model folder, draws the drift reference from
 * the training split of the data set it was trained on, reads the Basic auth
 * credentials from the environment, and serves until SIGTERM or SIGINT, when
 * it stops taking connections, answers the requests in flight and exits 0
 * (what Kubernetes expects within terminationGracePeriodSeconds).
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { credentialsFromEnv } from './auth.ts';
import { loadDataset } from './data.ts';
import { readFileCapped } from './files.ts';
import { createServingMetrics } from './metrics-registry.ts';
import { MODEL_FILES, loadTrainedModel } from './model-io.ts';
import { DEFAULT_REFERENCE_ROWS, DriftMonitor, methodsFor, referenceSample, type MonitorOptions } from './monitor.ts';
import { createServingServer, type ServingServer } from './server.ts';

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
  log: (line: string) => void;
}

export interface RunningServer {
  url: string;
  serving: ServingServer;
  modelVersion: string;
  methods: Record<string, string>;
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

/** Loads everything and starts listening; throws (CredentialsError, ModelFolderError, DatasetError) before listening when anything is wrong. */
export async function startServing(options: ServeOptions): Promise<RunningServer> {
  const credentials = credentialsFromEnv(options.env);
  const modelDir = resolve(options.modelDir);
  const model = await loadTrainedModel(modelDir);
  const modelVersion = await modelVersionOf(modelDir);
  const dataset = await loadDataset(options.dataPath);
  if (dataset.sha256 !== model.manifest.dataset.sha256) {
    options.log(
      logLine('warn', 'the drift reference comes from a different data set than the model was trained on', {
        model_dataset_sha256: model.manifest.dataset.sha256,
        reference_dataset_sha256: dataset.sha256,
      }),
    );
  }
  const reference = referenceSample(dataset, options.referenceRows ?? DEFAULT_REFERENCE_ROWS, model.manifest.seed);
  const methods = methodsFor(reference);
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
    readyInfo: { drift: { reference_rows: reference.age?.length ?? 0, methods } },
    log: (line) => options.log(logLine('error', line)),
  });
  const url = await serving.listen(options.port, options.host ?? '127.0.0.1');
  options.log(logLine('info', 'listening', { url, model_version: modelVersion, backend: tf.getBackend(), drift_methods: methods }));
  return {
    url,
    serving,
    modelVersion,
    methods,
    async close() {
      await serving.shutdown();
      monitor.stop();
      model.model.dispose();
    },
  };
}

/** Serves until SIGTERM/SIGINT; resolves with the exit code once drained. */
export async function serveUntilSignalled(options: ServeOptions): Promise<number> {
  const running = await startServing(options);
  const signal = await new Promise<NodeJS.Signals>((resolveSignal) => {
    process.once('SIGTERM', () => resolveSignal('SIGTERM'));
    process.once('SIGINT', () => resolveSignal('SIGINT'));
  });
  options.log(logLine('info', 'shutting down: answering requests in flight', { signal }));
  await running.close();
  options.log(logLine('info', 'stopped'));
  return 0;
}
