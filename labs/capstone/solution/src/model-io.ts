/**
 * Saving and loading a trained model as one folder:
 *
 *   model.json     the network's topology and weights manifest (TensorFlow.js layers format)
 *   weights.bin    the weights, float32
 *   encoding.json  the fitted feature encoding (features.ts): serving must apply the same transform
 *   manifest.json  what was trained on and how it scored: dataset SHA-256, seed, split sizes, threshold, metrics, backend
 *
 * TensorFlow.js only registers a file:// handler with tfjs-node; with the wasm
 * backend in Node there is none, so this module is its own tf.io.IOHandler.
 * Reads are size-capped and every JSON file is schema-checked, so a damaged or
 * foreign folder gives a clear error instead of a model that predicts nonsense.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { ensureBackend } from './backend.ts';
import { FileReadError, readFileCapped } from './files.ts';
import { encodeRow, encodingSchema, type EncodableRow, type Encoding } from './features.ts';
import { predictScores, type TrainResult } from './train.ts';

export const MODEL_FILES = { model: 'model.json', weights: 'weights.bin', encoding: 'encoding.json', manifest: 'manifest.json' } as const;
const MAX_JSON_BYTES = 5 * 1024 * 1024;
const MAX_WEIGHTS_BYTES = 100 * 1024 * 1024;

/** A saved-model folder that cannot be used; `code` is stable. */
export class ModelFolderError extends Error {
  readonly code: 'MODEL_FILE_MISSING' | 'MODEL_FILE_TOO_LARGE' | 'MODEL_FILE_INVALID' | 'MODEL_MISMATCH';
  constructor(code: ModelFolderError['code'], message: string) {
    super(message);
    this.name = 'ModelFolderError';
    this.code = code;
  }
}

const confusionSchema = z.object({ tp: z.number().int(), fp: z.number().int(), tn: z.number().int(), fn: z.number().int() });
const metricsSchema = z.object({
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  accuracy: z.number(),
  rocAuc: z.number().nullable(),
  threshold: z.number(),
  confusion: confusionSchema,
  n: z.number().int(),
});

export const manifestSchema = z.object({
  schemaVersion: z.literal(1),
  createdAt: z.string(),
  /** The task: P(income > 50K) from the Adult census columns. */
  task: z.literal('adult-income-binary'),
  dataset: z.object({ file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), rows: z.number().int().positive() }),
  seed: z.number().int(),
  split: z.object({ train: z.number().int(), validation: z.number().int(), test: z.number().int() }),
  /** Scores at or above it are predicted ">50K" (chosen on validation). */
  threshold: z.number().min(0).max(1),
  backend: z.string(),
  tfjsVersion: z.string(),
  features: z.number().int().positive(),
  hyperparameters: z.record(z.string(), z.unknown()),
  training: z.object({ bestEpoch: z.number().int(), epochs: z.number().int(), trainingMs: z.number() }),
  metrics: z.object({ validation: metricsSchema, test: metricsSchema }),
});

export type Manifest = z.infer<typeof manifestSchema>;

async function readCapped(path: string, limit: number): Promise<Buffer> {
  try {
    return await readFileCapped(path, limit);
  } catch (error) {
    if (!(error instanceof FileReadError)) throw error;
    if (error.kind === 'missing')
      throw new ModelFolderError('MODEL_FILE_MISSING', `${path} is missing: is this a folder written by \`cli.ts train --out\`?`);
    throw new ModelFolderError(error.kind === 'too-large' ? 'MODEL_FILE_TOO_LARGE' : 'MODEL_FILE_INVALID', error.message);
  }
}

async function readJson<T>(path: string, schema: z.ZodType<T>): Promise<T> {
  const text = (await readCapped(path, MAX_JSON_BYTES)).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ModelFolderError('MODEL_FILE_INVALID', `${path} is not valid JSON: ${(error as Error).message}`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ModelFolderError('MODEL_FILE_INVALID', `${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/** Writes via a temp name and a rename, so a crash never leaves half a file under the real name. */
async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, data);
  await rename(temp, path);
}

const modelJsonSchema = z.object({
  modelTopology: z.record(z.string(), z.unknown()),
  format: z.string().optional(),
  generatedBy: z.string().optional(),
  convertedBy: z.string().nullable().optional(),
  weightsManifest: z
    .array(
      z.object({
        paths: z.array(z.string()),
        weights: z.array(
          z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), dtype: z.enum(['float32', 'int32', 'bool']) }),
        ),
      }),
    )
    .length(1),
});

/** A tf.io.IOHandler that keeps a layers model as model.json + weights.bin in one folder. */
export function folderHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('only JSON model topologies are supported');
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [MODEL_FILES.weights], weights: artifacts.weightSpecs ?? [] }],
      };
      await mkdir(dir, { recursive: true });
      await writeAtomic(join(dir, MODEL_FILES.weights), new Uint8Array(weights));
      await writeAtomic(join(dir, MODEL_FILES.model), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJson = await readJson(join(dir, MODEL_FILES.model), modelJsonSchema);
      const group = modelJson.weightsManifest[0];
      if (!group || group.paths.length !== 1 || group.paths[0] !== MODEL_FILES.weights) {
        throw new ModelFolderError(
          'MODEL_FILE_INVALID',
          `${join(dir, MODEL_FILES.model)}: expected one weights file named ${MODEL_FILES.weights}`,
        );
      }
      const bytes = await readCapped(join(dir, MODEL_FILES.weights), MAX_WEIGHTS_BYTES);
      const expected = group.weights.reduce((sum, w) => sum + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
      if (bytes.length !== expected) {
        throw new ModelFolderError(
          'MODEL_FILE_INVALID',
          `${join(dir, MODEL_FILES.weights)} has ${bytes.length} bytes; model.json describes ${expected}`,
        );
      }
      const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      return {
        modelTopology: modelJson.modelTopology as tf.io.ModelArtifacts['modelTopology'],
        weightSpecs: group.weights as tf.io.WeightsManifestEntry[],
        weightData,
        ...(modelJson.format ? { format: modelJson.format } : {}),
        ...(modelJson.generatedBy ? { generatedBy: modelJson.generatedBy } : {}),
      };
    },
  };
}

/** Saves the model, its encoding and its manifest into `dir` (created if needed); returns the manifest. */
export async function saveTrainedModel(dir: string, result: TrainResult): Promise<Manifest> {
  const manifest: Manifest = {
    schemaVersion: 1,
    createdAt: new Date().toISOString(),
    task: 'adult-income-binary',
    dataset: { file: basename(result.dataset.source), sha256: result.dataset.sha256, rows: result.dataset.rows },
    seed: result.seed,
    split: result.split,
    threshold: result.threshold,
    backend: result.backend.name,
    tfjsVersion: tf.version.tfjs,
    features: result.encoding.featureNames.length,
    hyperparameters: { ...result.hyperparameters },
    training: { bestEpoch: result.bestEpoch, epochs: result.history.length, trainingMs: Math.round(result.trainingMs) },
    metrics: {
      validation: { ...result.metrics.validation, rocAuc: nullIfNaN(result.metrics.validation.rocAuc) },
      test: { ...result.metrics.test, rocAuc: nullIfNaN(result.metrics.test.rocAuc) },
    },
  };
  await mkdir(dir, { recursive: true });
  await result.model.save(folderHandler(dir));
  await writeAtomic(join(dir, MODEL_FILES.encoding), `${JSON.stringify(result.encoding, null, 2)}\n`);
  // The manifest last: a folder with a manifest is a complete one.
  await writeAtomic(join(dir, MODEL_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

function nullIfNaN(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}

export interface LoadedModel {
  model: tf.LayersModel;
  encoding: Encoding;
  manifest: Manifest;
  /** P(income > 50K) per row. */
  scores(rows: readonly EncodableRow[]): Float32Array;
  /** Score and decision (at the manifest's threshold) per row. */
  predict(rows: readonly EncodableRow[]): { score: number; label: '>50K' | '<=50K' }[];
}

/** Loads a folder written by {@link saveTrainedModel} and checks its parts fit together. */
export async function loadTrainedModel(dir: string): Promise<LoadedModel> {
  const manifest = await readJson(join(dir, MODEL_FILES.manifest), manifestSchema);
  const encoding = await readJson(join(dir, MODEL_FILES.encoding), encodingSchema);
  if (encoding.featureNames.length !== manifest.features) {
    throw new ModelFolderError(
      'MODEL_MISMATCH',
      `encoding.json has ${encoding.featureNames.length} features; manifest.json says ${manifest.features}`,
    );
  }
  const probe = encodeRow(encoding, {});
  if (probe.length !== encoding.featureNames.length) {
    throw new ModelFolderError(
      'MODEL_MISMATCH',
      `encoding.json encodes ${probe.length} values but names ${encoding.featureNames.length} features`,
    );
  }
  await ensureBackend();
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(folderHandler(dir));
  } catch (error) {
    if (error instanceof ModelFolderError) throw error;
    throw new ModelFolderError('MODEL_FILE_INVALID', `${join(dir, MODEL_FILES.model)} could not be loaded: ${(error as Error).message}`);
  }
  const inputShape = model.inputs[0]?.shape;
  if (!inputShape || inputShape[1] !== manifest.features) {
    model.dispose();
    throw new ModelFolderError(
      'MODEL_MISMATCH',
      `the network takes ${String(inputShape?.[1])} inputs; the encoding makes ${manifest.features}`,
    );
  }
  return {
    model,
    encoding,
    manifest,
    scores: (rows) => predictScores(model, encoding, rows),
    predict: (rows) =>
      Array.from(predictScores(model, encoding, rows), (score) => ({
        score,
        label: score >= manifest.threshold ? ('>50K' as const) : ('<=50K' as const),
      })),
  };
}
