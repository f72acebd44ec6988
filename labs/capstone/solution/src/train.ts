/**
 * Training: data -> seeded stratified split -> encoding fitted on the training
 * part -> a small multilayer perceptron trained with Adam on shuffled
 * mini-batches -> early stopping on validation loss (the best epoch's weights
 * are kept) -> the decision threshold chosen on validation -> metrics on the
 * untouched test part.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendChoice, type BackendInfo } from './backend.ts';
import { loadDataset, stratifiedSample, stratifiedSplit, type Dataset, type FeatureRow, type Split } from './data.ts';
import { fitEncoding, transform, type EncodableRow, type Encoding } from './features.ts';
import { chooseThreshold, evaluate, type ClassificationMetrics } from './metrics.ts';
import { nextSeed, seededRandom, shuffled } from './random.ts';

export interface Hyperparameters {
  /** Units of each hidden layer; [] is logistic regression. */
  hiddenUnits: number[];
  learningRate: number;
  batchSize: number;
  maxEpochs: number;
  /** Epochs without a better validation loss before stopping. */
  patience: number;

  /** L2 penalty on the hidden layers' kernels. */
  l2: number;
  /** Rows a category needs for its own one-hot column. */
  minCount: number;
  /** Quantile bins per numeric column (0: none). */
  bins: number;
}

export const DEFAULT_HYPERPARAMETERS: Hyperparameters = {
  hiddenUnits: [64, 32],
  learningRate: 0.002,
  batchSize: 256,
  maxEpochs: 40,
  patience: 5,
  l2: 1e-5,
  minCount: 20,
  bins: 10,
};

export const DEFAULT_SEED = 42;

export interface TrainOptions {
  seed?: number;
  /** A loaded data set; otherwise `datasetPath` (default: the shipped one) is read. */
  dataset?: Dataset;
  datasetPath?: string;
  /** Use a seeded stratified sample of this many rows (for quick tests). */
  sampleRows?: number;
  backend?: BackendChoice;
  hyperparameters?: Partial<Hyperparameters>;
  /** Called after each epoch (progress output). */
  onEpoch?: (log: EpochLog) => void;
}

export interface EpochLog {
  epoch: number;
  trainLoss: number;
  validationLoss: number;
}

export interface TrainResult {
  model: tf.LayersModel;
  encoding: Encoding;
  threshold: number;
  metrics: { validation: ClassificationMetrics; test: ClassificationMetrics };
  history: EpochLog[];
  bestEpoch: number;
  seed: number;
  backend: BackendInfo;
  hyperparameters: Hyperparameters;
  dataset: { sha256: string; source: string; rows: number };
  split: { train: number; validation: number; test: number };
  /** Wall time of fitting the encoding and the network (ms). */
  trainingMs: number;
}

/** The network: dense ReLU layers, then one sigmoid unit giving P(income > 50K). */
export function buildModel(inputs: number, hp: Hyperparameters, seed: number): tf.LayersModel {
  const random = seededRandom(seed);
  const model = tf.sequential();
  hp.hiddenUnits.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: 'relu',
        ...(i === 0 ? { inputShape: [inputs] } : {}),
        kernelInitializer: tf.initializers.heNormal({ seed: nextSeed(random) }),
        kernelRegularizer: hp.l2 > 0 ? tf.regularizers.l2({ l2: hp.l2 }) : undefined,
      }),
    );
  });
  model.add(
    tf.layers.dense({
      units: 1,
      activation: 'sigmoid',
      ...(hp.hiddenUnits.length === 0 ? { inputShape: [inputs] } : {}),
      kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed(random) }),
    }),
  );
  model.compile({ optimizer: tf.train.adam(hp.learningRate), loss: 'binaryCrossentropy' });
  return model;
}

/** P(income > 50K) for each row, computed in chunks to bound memory. */
export function predictScores(model: tf.LayersModel, encoding: Encoding, rows: readonly EncodableRow[], chunk = 8192): Float32Array {
  const out = new Float32Array(rows.length);
  for (let start = 0; start < rows.length; start += chunk) {
    const part = transform(encoding, rows.slice(start, start + chunk));
    const scores = tf.tidy(() => (model.predict(tf.tensor2d(part.values, [part.rows, part.columns])) as tf.Tensor).dataSync());
    out.set(scores, start);
  }
  return out;
}

function meanLogLoss(labels: readonly number[], scores: Float32Array): number {
  const eps = 1e-7;
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - eps, Math.max(eps, scores[i] as number));
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

/** Trains and evaluates the reference model. */
export async function trainModel(options: TrainOptions = {}): Promise<TrainResult> {
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new RangeError(`seed must be a whole number from 0 to 4294967295, got ${seed}`);
  const hp = { ...DEFAULT_HYPERPARAMETERS, ...options.hyperparameters };
  const backend = await initBackend(options.backend ?? 'auto');
  const dataset = options.dataset ?? (await loadDataset(options.datasetPath));

  const chosen = options.sampleRows ? stratifiedSample(dataset.labels, options.sampleRows, seed ^ 0x5eed) : dataset.labels.map((_, i) => i);
  const labelsOf = (idx: number[]): number[] => idx.map((i) => dataset.labels[i] as number);
  const local = stratifiedSplit(labelsOf(chosen), seed);
  const split: Split = {
    train: local.train.map((i) => chosen[i] as number),
    validation: local.validation.map((i) => chosen[i] as number),
    test: local.test.map((i) => chosen[i] as number),
  };
  const rowsOf = (idx: number[]): FeatureRow[] => idx.map((i) => dataset.rows[i] as FeatureRow);

  const started = performance.now();
  const trainRows = rowsOf(split.train);
  const trainLabels = labelsOf(split.train);
  const validationRows = rowsOf(split.validation);
  const validationLabels = labelsOf(split.validation);
  const encoding = fitEncoding(trainRows, { minCount: hp.minCount, bins: hp.bins });
  const encoded = transform(encoding, trainRows);
  const model = buildModel(encoded.columns, hp, seed);
  const random = seededRandom(seed ^ 0xbadc0de);
  const x = tf.tensor2d(encoded.values, [encoded.rows, encoded.columns]);
  const y = tf.tensor2d(Float32Array.from(trainLabels), [trainLabels.length, 1]);
  const history: EpochLog[] = [];
  let best = { loss: Number.POSITIVE_INFINITY, epoch: 0, weights: [] as tf.Tensor[] };

  try {
    const order = trainLabels.map((_, i) => i);
    for (let epoch = 1; epoch <= hp.maxEpochs; epoch++) {
      const permutation = shuffled(order, random);
      // One gather per epoch, then fit walks the shuffled copy in order: the batch order comes from the seed alone.
      const shuffledData = tf.tidy(() => {
        const idx = tf.tensor1d(Int32Array.from(permutation), 'int32');
        return [tf.gather(x, idx), tf.gather(y, idx)] as const;
      });
      let trainLoss: number;
      try {
        const fitted = await model.fit(shuffledData[0], shuffledData[1], {
          batchSize: hp.batchSize,
          epochs: 1,
          shuffle: false,
          verbose: 0,
        });
        trainLoss = Number(fitted.history.loss?.[0]);
      } finally {
        tf.dispose([...shuffledData]);
      }
      const validationLoss = meanLogLoss(validationLabels, predictScores(model, encoding, validationRows));
      const log = { epoch, trainLoss, validationLoss };
      history.push(log);
      options.onEpoch?.(log);
      if (validationLoss < best.loss - 1e-5) {
        tf.dispose(best.weights);
        best = { loss: validationLoss, epoch, weights: model.getWeights().map((w) => w.clone()) };
      } else if (epoch - best.epoch >= hp.patience) {
        break;
      }
    }
    if (best.weights.length === 0) {
      throw new Error(
        `training diverged: the validation loss was never a finite number (last: ${history.at(-1)?.validationLoss}); try a lower learning rate`,
      );
    }
    model.setWeights(best.weights);
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    tf.dispose([x, y, ...best.weights]);
  }
  const trainingMs = performance.now() - started;

  const validationScores = predictScores(model, encoding, validationRows);
  const { threshold } = chooseThreshold(validationLabels, validationScores);
  const testScores = predictScores(model, encoding, rowsOf(split.test));
  return {
    model,
    encoding,
    threshold,
    metrics: {
      validation: evaluate(validationLabels, validationScores, threshold),
      test: evaluate(labelsOf(split.test), testScores, threshold),
    },
    history,
    bestEpoch: best.epoch,
    seed,
    backend,
    hyperparameters: hp,
    dataset: { sha256: dataset.sha256, source: dataset.source, rows: chosen.length },
    split: { train: split.train.length, validation: split.validation.length, test: split.test.length },
    trainingMs,
  };
}

/** The seeded split of the whole data set the trainer uses (the bench hands the same rows to scikit-learn). */
export function splitFor(dataset: Dataset, seed: number = DEFAULT_SEED): Split {
  return stratifiedSplit(dataset.labels, seed);
}
