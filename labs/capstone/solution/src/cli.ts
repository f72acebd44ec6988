/**
 * node labs/capstone/solution/src/cli.ts train --out DIR [--seed N] [--data FILE] [--backend auto|tensorflow|wasm|cpu] [--sample N] [--quiet]
 *
 * Trains the reference model, saves it into DIR (model-io.ts) and prints the
 * metrics as JSON on stdout; progress goes to stderr. Exit codes: 0 trained,
 * 1 the data or the training failed (the message says why), 2 usage.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BACKEND_CHOICES, type BackendChoice } from './backend.ts';
import { DatasetError } from './data.ts';
import { saveTrainedModel } from './model-io.ts';
import { DEFAULT_SEED, trainModel } from './train.ts';

export const USAGE = `Usage: node labs/capstone/solution/src/cli.ts train --out DIR [options]

Trains the income classifier on the Adult census data and saves it in DIR.

Options:
  --out DIR        folder for model.json, weights.bin, encoding.json, manifest.json (required)
  --seed N         seed for the split, the initial weights and the batch order (default ${DEFAULT_SEED})
  --data FILE      a .csv or .csv.gz with the Adult columns (default: the shipped data/adult.csv.gz)
  --backend NAME   auto (default: tfjs-node if it loads, else wasm), tensorflow, wasm or cpu
  --sample N       train on a stratified sample of N rows (quick runs)
  --quiet          no progress lines on stderr
`;

class UsageError extends Error {}

function wholeNumber(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${value}"`);
  return n;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  try {
    const { positionals, values } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        seed: { type: 'string' },
        data: { type: 'string' },
        backend: { type: 'string', default: 'auto' },
        sample: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      out(USAGE);
      return 0;
    }
    if (positionals[0] !== 'train' || positionals.length !== 1)
      throw new UsageError(`expected the command "train", got ${JSON.stringify(positionals.join(' ') || '(none)')}`);
    if (!values.out) throw new UsageError('--out DIR is required: the folder the model is saved in');
    if (!BACKEND_CHOICES.includes(values.backend as BackendChoice))
      throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, not "${values.backend}"`);
    const seed = wholeNumber('--seed', values.seed, 0, 0xffffffff) ?? DEFAULT_SEED;
    const sampleRows = wholeNumber('--sample', values.sample, 100, 10_000_000);

    const result = await trainModel({
      seed,
      ...(values.data ? { datasetPath: resolve(values.data) } : {}),
      ...(sampleRows ? { sampleRows } : {}),
      backend: values.backend as BackendChoice,
      onEpoch: values.quiet
        ? undefined
        : (log) => err(`epoch ${log.epoch}: train loss ${log.trainLoss.toFixed(4)}, validation loss ${log.validationLoss.toFixed(4)}\n`),
    });
    const dir = resolve(values.out);
    const manifest = await saveTrainedModel(dir, result);
    result.model.dispose();
    if (!values.quiet)
      err(`saved to ${dir} (backend ${manifest.backend}, best epoch ${manifest.training.bestEpoch} of ${manifest.training.epochs})\n`);
    out(
      `${JSON.stringify(
        {
          out: dir,
          backend: manifest.backend,
          seed: manifest.seed,
          dataset: manifest.dataset,
          split: manifest.split,
          threshold: manifest.threshold,
          training: manifest.training,
          metrics: manifest.metrics,
        },
        null,
        2,
      )}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`error: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof DatasetError) {
      const next =
        error.code === 'DATASET_UNREADABLE'
          ? 'check the path given to --data (ls -l it), or leave out --data to use the shipped data/adult.csv.gz'
          : 'check the file is the Adult CSV (header: age,workclass,fnlwgt,...,income), or leave out --data to use the shipped one';
      err(`error: ${error.message}\nnext: ${next}.\n`);
      return 1;
    }
    err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(
    process.argv.slice(2),
    (s) => void process.stdout.write(s),
    (s) => void process.stderr.write(s),
  );
}
