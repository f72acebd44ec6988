/**
 * The drift reference travels with the model: `train` writes
 * `drift-reference.json` (the seeded sample of training rows the monitor
 * compares live inputs with, monitor.ts `referenceSample`) into the model
 * folder, MLflow keeps it with the version's files, and `serve` reads it from
 * there. So a container that holds only the bundle and a downloaded model
 * monitors drift without the data set, and the reference is always the one
 * that belongs to the served model.
 *
 * Folders from before this file existed still work: `serve` then draws the
 * reference from the data set as before.
 */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { FileReadError, readFileCapped } from './files.ts';
import { ModelFolderError } from './model-io.ts';
import { DEFAULT_REFERENCE_ROWS, MONITORED_FEATURES, type ReferenceFrame } from './monitor.ts';

export const REFERENCE_FILE = 'drift-reference.json';
const MAX_REFERENCE_BYTES = 50 * 1024 * 1024;

export const referenceFileSchema = z
  .object({
    schemaVersion: z.literal(1),
    /** The seed of the split and of the sample (the model's). */
    seed: z.number().int(),
    /** The data set the rows come from. */
    dataset_sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** Rows in the sample; every column has this many values. */
    rows: z.number().int().positive(),
    /** Feature -> values (null: missing), one entry per monitored feature. */
    columns: z.record(z.string(), z.array(z.union([z.string(), z.number(), z.null()]))),
  })
  .superRefine((file, ctx) => {
    for (const feature of MONITORED_FEATURES) {
      const column = file.columns[feature];
      if (!column) ctx.addIssue({ code: 'custom', path: ['columns', feature], message: 'missing' });
      else if (column.length !== file.rows)
        ctx.addIssue({ code: 'custom', path: ['columns', feature], message: `has ${column.length} values; rows says ${file.rows}` });
    }
  });
export type ReferenceFile = z.infer<typeof referenceFileSchema>;

/** Writes the reference into the model folder (via a temp name, like the model's other files). */
export async function saveReference(
  dir: string,
  frame: ReferenceFrame,
  meta: { seed: number; datasetSha256: string },
): Promise<ReferenceFile> {
  const columns = Object.fromEntries(
    MONITORED_FEATURES.map((c) => [c, (frame[c] ?? []).map((v) => (v === undefined ? null : typeof v === 'boolean' ? String(v) : v))]),
  );
  const file: ReferenceFile = {
    schemaVersion: 1,
    seed: meta.seed,
    dataset_sha256: meta.datasetSha256,
    rows: columns[MONITORED_FEATURES[0] as string]?.length ?? 0,
    columns,
  };
  const path = join(dir, REFERENCE_FILE);
  await writeFile(`${path}.tmp-${process.pid}`, JSON.stringify(file));
  await rename(`${path}.tmp-${process.pid}`, path);
  return file;
}

/** The model folder's reference, or undefined when the folder has none; a damaged file is a ModelFolderError. */
export async function loadReference(dir: string): Promise<ReferenceFile | undefined> {
  const path = join(dir, REFERENCE_FILE);
  let text: string;
  try {
    text = (await readFileCapped(path, MAX_REFERENCE_BYTES)).toString('utf8');
  } catch (error) {
    if (error instanceof FileReadError && error.kind === 'missing') return undefined;
    throw new ModelFolderError(
      error instanceof FileReadError && error.kind === 'too-large' ? 'MODEL_FILE_TOO_LARGE' : 'MODEL_FILE_INVALID',
      (error as Error).message,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ModelFolderError('MODEL_FILE_INVALID', `${path} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = referenceFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelFolderError(
      'MODEL_FILE_INVALID',
      `${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}; retrain, or delete the file to draw the reference from the data set`,
    );
  }
  return parsed.data;
}

/**
 * The first `size` rows of a stored reference. The stored rows are already a
 * seeded shuffle of the training split, so these are the same rows
 * `referenceSample(dataset, size, seed)` draws.
 */
export function referenceFrameOf(file: ReferenceFile, size: number = DEFAULT_REFERENCE_ROWS): ReferenceFrame {
  return Object.fromEntries(MONITORED_FEATURES.map((c) => [c, (file.columns[c] ?? []).slice(0, size)]));
}
