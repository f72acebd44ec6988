/**
 * What `cli.ts train` records: `metrics.json` (the contract's summary of a
 * training run, always written), and, when MLFLOW_TRACKING_URI is set, one
 * MLflow run (params, test and validation metrics, the loss curve, tags, the
 * model folder as artifacts) and a new registered version of the model made
 * from that run's artifacts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { MlflowError, type MetricPoint, type MlflowClient, type ModelVersion } from './mlflow/client.ts';
import { REFERENCE_FILE } from './drift-reference.ts';
import { MODEL_FILES, type Manifest } from './model-io.ts';
import type { TrainResult } from './train.ts';

export const DEFAULT_EXPERIMENT_NAME = 'capstone';
export const DEFAULT_MODEL_NAME = 'adult-income';
/** Where the model folder goes inside the run's artifacts; a version's source is `<run artifact root>/model`. */
export const MODEL_ARTIFACT_PATH = 'model';
export const METRICS_FILE = 'metrics.json';

/** `metrics.json`: the test-split scores (fractions), the seed, the split sizes and the data's SHA-256. */
export const metricsFileSchema = z.object({
  precision: z.number().min(0).max(1),
  recall: z.number().min(0).max(1),
  f1: z.number().min(0).max(1),
  /** Null only when the test split holds one class. */
  roc_auc: z.number().min(0).max(1).nullable(),
  seed: z.number().int(),
  rows: z.object({ train: z.number().int(), validation: z.number().int(), test: z.number().int() }),
  dataset_sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type MetricsFile = z.infer<typeof metricsFileSchema>;

export function metricsFileOf(manifest: Manifest): MetricsFile {
  const test = manifest.metrics.test;
  return {
    precision: test.precision,
    recall: test.recall,
    f1: test.f1,
    roc_auc: test.rocAuc,
    seed: manifest.seed,
    rows: manifest.split,
    dataset_sha256: manifest.dataset.sha256,
  };
}

export interface LogTrainingOptions {
  client: MlflowClient;
  experimentName: string;
  modelName: string;
  result: TrainResult;
  manifest: Manifest;
  /** The saved model folder (its four files and drift-reference.json are uploaded). */
  modelDir: string;
  metricsFile: MetricsFile;
  /** Rows sampled for a quick run (a param, so such runs are easy to tell apart). */
  sampleRows?: number;
}

export interface LoggedTraining {
  experimentId: string;
  runId: string;
  artifactUri: string;
  version: ModelVersion;
}

/** MLflow's params, all strings. */
export function paramsOf(result: TrainResult, sampleRows?: number): Record<string, string> {
  const hp = result.hyperparameters;
  const total = result.split.train + result.split.validation + result.split.test;
  const share = (n: number): string => String(Math.round((100 * n) / total));
  return {
    seed: String(result.seed),
    split: `${share(result.split.train)}/${share(result.split.validation)}/${share(result.split.test)} stratified`,
    rows_train: String(result.split.train),
    rows_validation: String(result.split.validation),
    rows_test: String(result.split.test),
    sample_rows: sampleRows ? String(sampleRows) : 'all',
    dataset_sha256: result.dataset.sha256,
    dataset_rows: String(result.dataset.rows),
    model: 'tfjs-mlp',
    hidden_units: hp.hiddenUnits.join(',') || 'none',
    learning_rate: String(hp.learningRate),
    batch_size: String(hp.batchSize),
    max_epochs: String(hp.maxEpochs),
    patience: String(hp.patience),
    l2: String(hp.l2),
    min_count: String(hp.minCount),
    bins: String(hp.bins),
    backend: result.backend.name,
    tfjs_version: tf.version.tfjs,
  };
}

/** Test-split metrics under the contract's names, validation ones prefixed `val_`, and the loss curve by epoch. */
export function metricPointsOf(result: TrainResult): MetricPoint[] {
  const points: MetricPoint[] = [];
  const add = (key: string, value: number, step = 0): void => {
    if (Number.isFinite(value)) points.push({ key, value, step });
  };
  for (const [prefix, m] of [
    ['', result.metrics.test],
    ['val_', result.metrics.validation],
  ] as const) {
    add(`${prefix}precision`, m.precision);
    add(`${prefix}recall`, m.recall);
    add(`${prefix}f1`, m.f1);
    add(`${prefix}roc_auc`, m.rocAuc);
    add(`${prefix}accuracy`, m.accuracy);
  }
  add('threshold', result.threshold);
  add('best_epoch', result.bestEpoch);
  add('training_seconds', result.trainingMs / 1000);
  for (const epoch of result.history) {
    add('train_loss', epoch.trainLoss, epoch.epoch);
    add('validation_loss', epoch.validationLoss, epoch.epoch);
  }
  return points;
}

/** Logs one run and registers a version from it; a failure after the run started marks the run FAILED. */
export async function logTrainingRun(options: LogTrainingOptions): Promise<LoggedTraining> {
  const { client, result } = options;
  const experimentId = await client.ensureExperiment(options.experimentName);
  const run = await client.createRun(experimentId, {
    runName: `train-seed-${result.seed}`,
    tags: {
      'mlflow.source.type': 'LOCAL',
      'mlflow.source.name': 'labs/capstone/solution/src/cli.ts train',
      'mlflow.user': process.env.USER ?? 'capstone',
      task: 'adult-income-binary',
      dataset: 'UCI Adult (CC BY 4.0)',
      dataset_sha256: result.dataset.sha256,
      backend: result.backend.name,
    },
  });
  try {
    const metrics = metricPointsOf(result);
    for (let i = 0; i < metrics.length; i += 1000) {
      await client.logBatch(
        run.runId,
        i === 0
          ? { params: paramsOf(result, options.sampleRows), metrics: metrics.slice(i, i + 1000) }
          : { metrics: metrics.slice(i, i + 1000) },
      );
    }
    for (const file of [...Object.values(MODEL_FILES), REFERENCE_FILE]) {
      await client.uploadArtifact(run, `${MODEL_ARTIFACT_PATH}/${file}`, await readFile(join(options.modelDir, file)));
    }
    await client.uploadArtifact(run, METRICS_FILE, Buffer.from(`${JSON.stringify(options.metricsFile, null, 2)}\n`));
    await client.updateRun(run.runId, 'FINISHED');
  } catch (error) {
    await client.updateRun(run.runId, 'FAILED').catch(() => undefined);
    throw error;
  }
  await client.ensureRegisteredModel(options.modelName, {
    description: 'Income > 50K from the UCI Adult census columns (TensorFlow.js MLP, labs/capstone/solution).',
  });
  const created = await client.createModelVersion(options.modelName, `${run.artifactUri}/${MODEL_ARTIFACT_PATH}`, run.runId, {
    tags: { dataset_sha256: result.dataset.sha256, seed: String(result.seed), f1: String(result.metrics.test.f1) },
  });
  const version = await waitUntilReady(client, options.modelName, created);
  return { experimentId, runId: run.runId, artifactUri: run.artifactUri, version };
}

/** Registration is synchronous for the stores used here; a PENDING_REGISTRATION version is polled for up to 60 s. */
async function waitUntilReady(client: MlflowClient, name: string, version: ModelVersion): Promise<ModelVersion> {
  const deadline = Date.now() + 60_000;
  let current = version;
  while (current.status === 'PENDING_REGISTRATION' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    current = (await client.getModelVersion(name, version.version)) ?? current;
  }
  if (current.status !== 'READY')
    throw new MlflowError(
      'MLFLOW_REQUEST_REJECTED',
      `version ${current.version} of "${name}" is ${current.status}, not READY; see it in the MLflow UI`,
    );
  return current;
}
