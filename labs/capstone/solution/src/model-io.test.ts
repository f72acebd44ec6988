import { cp, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset, type FeatureRow } from './data.ts';
import { MODEL_FILES, loadTrainedModel, saveTrainedModel, type Manifest } from './model-io.ts';
import { predictScores, trainModel, type TrainResult } from './train.ts';

describe('saveTrainedModel and loadTrainedModel', () => {
  let root: string;
  let dir: string;
  let result: TrainResult;
  let manifest: Manifest;
  let rows: FeatureRow[];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'capstone-model-'));
    dir = join(root, 'model');
    const dataset = await loadDataset();
    rows = dataset.rows.slice(0, 500);
    result = await trainModel({ dataset, seed: 5, sampleRows: 3000, hyperparameters: { maxEpochs: 3, patience: 2 } });
    manifest = await saveTrainedModel(dir, result);
  });
  afterAll(async () => {
    result?.model.dispose();
    await rm(root, { recursive: true, force: true });
  });

  async function copyOf(name: string): Promise<string> {
    const copy = join(root, name);
    await cp(dir, copy, { recursive: true });
    return copy;
  }

  it('writes a manifest naming the data, the seed, the split, the backend and the metrics', async () => {
    const onDisk = JSON.parse(await readFile(join(dir, MODEL_FILES.manifest), 'utf8')) as Manifest;
    expect(onDisk).toEqual(manifest);
    expect(onDisk).toMatchObject({
      dataset: { file: 'adult.csv.gz', sha256: result.dataset.sha256, rows: 3000 },
      seed: 5,
      split: result.split,
      backend: result.backend.name,
      threshold: result.threshold,
      features: result.encoding.featureNames.length,
    });
    expect(onDisk.metrics.test.f1).toBe(result.metrics.test.f1);
  });

  it('reloads a model that gives exactly the same scores, with the saved threshold and encoding', async () => {
    const loaded = await loadTrainedModel(dir);
    expect(loaded.encoding).toEqual(result.encoding);
    expect(loaded.scores(rows)).toEqual(predictScores(result.model, result.encoding, rows));
    const [first] = loaded.predict(rows.slice(0, 1));
    expect(first?.label).toBe((first?.score ?? 0) >= manifest.threshold ? '>50K' : '<=50K');
    loaded.model.dispose();
  });

  it('scores rows with unseen categories and missing values without failing', async () => {
    const loaded = await loadTrainedModel(dir);
    const [score] = loaded.scores([{ age: 30, workclass: 'Astronaut', occupation: null }]);
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(1);
    loaded.model.dispose();
  });

  it('errors clearly on a folder with a missing, damaged or mismatched part', async () => {
    await expect(loadTrainedModel(join(root, 'nowhere'))).rejects.toMatchObject({
      code: 'MODEL_FILE_MISSING',
      message: expect.stringMatching(/manifest\.json is missing/),
    });

    const truncated = await copyOf('truncated');
    await truncate(join(truncated, MODEL_FILES.weights), 100);
    await expect(loadTrainedModel(truncated)).rejects.toMatchObject({
      code: 'MODEL_FILE_INVALID',
      message: expect.stringMatching(/weights\.bin has 100 bytes/),
    });

    const badJson = await copyOf('bad-json');
    await writeFile(join(badJson, MODEL_FILES.encoding), '{"version": 1,');
    await expect(loadTrainedModel(badJson)).rejects.toMatchObject({
      code: 'MODEL_FILE_INVALID',
      message: expect.stringMatching(/encoding\.json is not valid JSON/),
    });

    const mismatch = await copyOf('mismatch');
    const encoding = JSON.parse(await readFile(join(mismatch, MODEL_FILES.encoding), 'utf8')) as { featureNames: string[] };
    encoding.featureNames.pop();
    await writeFile(join(mismatch, MODEL_FILES.encoding), JSON.stringify(encoding));
    await expect(loadTrainedModel(mismatch)).rejects.toMatchObject({ code: 'MODEL_MISMATCH' });

    const foreign = await copyOf('foreign');
    await writeFile(join(foreign, MODEL_FILES.manifest), JSON.stringify({ schemaVersion: 2 }));
    await expect(loadTrainedModel(foreign)).rejects.toMatchObject({
      code: 'MODEL_FILE_INVALID',
      message: expect.stringMatching(/manifest\.json: schemaVersion/),
    });
  });
});
