import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { loadDataset, type Dataset } from './data.ts';
import { trainModel, type TrainOptions } from './train.ts';

/** A quick training: a stratified sample and few epochs, so the suite stays fast. */
const QUICK: Partial<TrainOptions> = { sampleRows: 4000, hyperparameters: { maxEpochs: 6, patience: 3 } };

const weightsOf = (model: tf.LayersModel): number[][] => model.getWeights().map((w) => Array.from(w.dataSync()));

describe('trainModel', () => {
  let dataset: Dataset;
  beforeAll(async () => {
    dataset = await loadDataset();
  });

  it('returns the same split, weights and metrics for the same seed', async () => {
    const a = await trainModel({ ...QUICK, dataset, seed: 11 });
    const b = await trainModel({ ...QUICK, dataset, seed: 11 });
    expect(b.split).toEqual(a.split);
    expect(b.history).toEqual(a.history);
    expect(b.threshold).toBe(a.threshold);
    expect(b.metrics).toEqual(a.metrics);
    expect(weightsOf(b.model)).toEqual(weightsOf(a.model));
    a.model.dispose();
    b.model.dispose();
  });

  it('returns a different model for a different seed', async () => {
    const a = await trainModel({ ...QUICK, dataset, seed: 1 });
    const b = await trainModel({ ...QUICK, dataset, seed: 2 });
    expect(weightsOf(b.model)).not.toEqual(weightsOf(a.model));
    a.model.dispose();
    b.model.dispose();
  });

  it('learns something real on a 4,000-row sample: test ROC AUC above 0.85, F1 above 0.6', async () => {
    const result = await trainModel({ ...QUICK, dataset, seed: 3 });
    expect(result.split).toEqual({ train: 2800, validation: 600, test: 600 });
    expect(result.metrics.test.rocAuc).toBeGreaterThan(0.85);
    expect(result.metrics.test.f1).toBeGreaterThan(0.6);
    // Early stopping kept the epoch with the lowest validation loss.
    const best = result.history.reduce((a, b) => (b.validationLoss < a.validationLoss ? b : a));
    expect(result.bestEpoch).toBe(best.epoch);
    result.model.dispose();
  });

  it('trains a logistic regression when there are no hidden layers', async () => {
    const result = await trainModel({ ...QUICK, dataset, hyperparameters: { ...QUICK.hyperparameters, hiddenUnits: [] } });
    expect(result.model.layers).toHaveLength(1);
    expect(result.metrics.test.rocAuc).toBeGreaterThan(0.8);
    result.model.dispose();
  });

  it('errors on a seed that is not a 32-bit whole number', async () => {
    await expect(trainModel({ dataset, seed: -1 })).rejects.toThrow(/seed must be a whole number/);
    await expect(trainModel({ dataset, seed: 1.5 })).rejects.toThrow(RangeError);
  });
});

describe('initBackend', () => {
  it('reports the backend that runs: wasm here, as tfjs-node is not installed', async () => {
    const info = await initBackend('auto');
    let nodeBindingLoads = true;
    try {
      await import('@tensorflow/tfjs-node' as string);
    } catch {
      nodeBindingLoads = false;
    }
    expect(info.name).toBe(nodeBindingLoads ? 'tensorflow' : 'wasm');
    expect(tf.getBackend()).toBe(info.name);
    if (!nodeBindingLoads) expect(info.notes.join(' ')).toMatch(/tfjs-node.*not installed/);
  });

  it('switches to the cpu backend when asked and errors when the native one is demanded but missing', async () => {
    expect((await initBackend('cpu')).name).toBe('cpu');
    let nodeBindingLoads = true;
    try {
      await import('@tensorflow/tfjs-node' as string);
    } catch {
      nodeBindingLoads = false;
    }
    if (!nodeBindingLoads) await expect(initBackend('tensorflow')).rejects.toThrow(/tensorflow backend is not available/);
    expect((await initBackend('wasm')).name).toBe('wasm');
  });
});
