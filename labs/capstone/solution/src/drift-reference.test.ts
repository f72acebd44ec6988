import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset, type Dataset } from './data.ts';
import { REFERENCE_FILE, loadReference, referenceFrameOf, saveReference } from './drift-reference.ts';
import { ModelFolderError } from './model-io.ts';
import { referenceSample } from './monitor.ts';

describe('drift-reference', () => {
  let dataset: Dataset;
  let dir: string;
  beforeAll(async () => {
    [dataset, dir] = await Promise.all([loadDataset(), mkdtemp(join(tmpdir(), 'capstone-reference-'))]);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns the rows referenceSample draws, for the stored size and any smaller one', async () => {
    await saveReference(dir, referenceSample(dataset, 5000, 42), { seed: 42, datasetSha256: dataset.sha256 });
    const stored = await loadReference(dir);
    expect(stored).toMatchObject({ schemaVersion: 1, seed: 42, rows: 5000, dataset_sha256: dataset.sha256 });
    expect(referenceFrameOf(stored!, 5000)).toEqual(referenceSample(dataset, 5000, 42));
    expect(referenceFrameOf(stored!, 800)).toEqual(referenceSample(dataset, 800, 42));
  });

  it('returns undefined for a folder without the file, and errors naming the file and the field when it is damaged', async () => {
    const empty = join(dir, 'empty');
    expect(await loadReference(empty)).toBeUndefined();
    await writeFile(
      join(dir, REFERENCE_FILE),
      JSON.stringify({ schemaVersion: 1, seed: 1, dataset_sha256: dataset.sha256, rows: 2, columns: { age: [1] } }),
    );
    const error = await loadReference(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFolderError);
    expect((error as Error).message).toContain(`${join(dir, REFERENCE_FILE)}: columns.age: has 1 values; rows says 2`);
    await writeFile(join(dir, REFERENCE_FILE), '{');
    await expect(loadReference(dir)).rejects.toThrow(/is not valid JSON/);
  });
});
