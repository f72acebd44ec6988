/**
 * node labs/capstone/solution/src/cli.ts train --out DIR [--seed N] [--data FILE] [--backend auto|tensorflow|wasm|cpu] [--sample N] [--quiet]
 * node labs/capstone/solution/src/cli.ts serve --model DIR [--port N] [--host H] [--reference-rows N] ...
 * node labs/capstone/solution/src/cli.ts simulate --url URL [--shift age=+15,hours_per_week=*0.6] [--rows N] [--rate R] [--batch B]
 *
 * `train` trains the reference model, saves it into DIR (model-io.ts) and
 * prints the metrics as JSON on stdout; progress goes to stderr. `serve`
 * serves a saved model (serve.ts) until SIGTERM. `simulate` sends clean or
 * shifted test rows to a running server (simulate.ts) and prints a summary.
 * Exit codes: 0 done, 1 the data, model, training or server failed (the
 * message says why), 2 usage.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CredentialsError, credentialsFromEnv } from './auth.ts';
import { BACKEND_CHOICES, type BackendChoice } from './backend.ts';
import { DatasetError } from './data.ts';
import { ModelFolderError, saveTrainedModel } from './model-io.ts';
import { serveUntilSignalled } from './serve.ts';
import { ShiftError, parseShift, simulate } from './simulate.ts';
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

       node labs/capstone/solution/src/cli.ts serve --model DIR [options]

Serves a saved model: GET /health, GET /ready, POST /predict (HTTP Basic auth), GET /metrics.
Needs SERVING_USERNAME and SERVING_PASSWORD (8+ characters) in the environment; stops cleanly on SIGTERM.

Options:
  --model DIR          a folder written by \`train --out\` (required)
  --port N             port to listen on (default 8080; 0 picks a free one)
  --host H             address to listen on (default 127.0.0.1; 0.0.0.0 in a container)
  --data FILE          the data set the drift reference is drawn from (default: the shipped one)
  --reference-rows N   training rows in the drift reference (default 5000; 1000 or fewer switches to p-value tests)
  --window-rows N      recent rows compared with the reference (default 2000)
  --batch-rows N       rows that start a model call at once (default 256)
  --batch-wait-ms N    longest a request waits to share a model call, ms (default 0: requests read in the same event-loop turn share one)

       node labs/capstone/solution/src/cli.ts simulate --url URL [options]

Sends rows of the test split to a running server, clean or shifted, with SERVING_USERNAME/SERVING_PASSWORD.

Options:
  --url URL        the server's base URL, e.g. http://127.0.0.1:8080 (required)
  --shift SPEC     e.g. age=+15,hours_per_week=*0.6,sex=Female (default: none, clean traffic)
  --rows N         rows to send (default 2000)
  --rate R         rows per second (default 200)
  --batch B        rows per request (default 20)
  --seed N         which rows are picked (default ${DEFAULT_SEED})
`;

class UsageError extends Error {}

function wholeNumber(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${value}"`);
  return n;
}

const COMMANDS = ['train', 'serve', 'simulate'] as const;

async function train(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
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
    },
  });
  if (positionals.length > 0) throw new UsageError(`train takes no further words, got ${JSON.stringify(positionals.join(' '))}`);
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
}

async function serve(argv: string[], err: (s: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      data: { type: 'string' },
      'reference-rows': { type: 'string' },
      'window-rows': { type: 'string' },
      'batch-rows': { type: 'string' },
      'batch-wait-ms': { type: 'string' },
    },
  });
  if (positionals.length > 0) throw new UsageError(`serve takes no further words, got ${JSON.stringify(positionals.join(' '))}`);
  if (!values.model) throw new UsageError('--model DIR is required: a folder written by `train --out DIR`');
  const port = wholeNumber('--port', values.port, 0, 65_535) ?? 8080;
  const referenceRows = wholeNumber('--reference-rows', values['reference-rows'], 50, 50_000);
  const windowRows = wholeNumber('--window-rows', values['window-rows'], 50, 100_000);
  const batchMaxRows = wholeNumber('--batch-rows', values['batch-rows'], 1, 10_000);
  const batchMaxWaitMs = wholeNumber('--batch-wait-ms', values['batch-wait-ms'], 0, 1000);
  return serveUntilSignalled({
    modelDir: values.model,
    port,
    host: values.host,
    ...(values.data ? { dataPath: resolve(values.data) } : {}),
    ...(referenceRows ? { referenceRows } : {}),
    ...(windowRows ? { monitor: { windowRows, minRows: Math.min(500, windowRows) } } : {}),
    ...(batchMaxRows ? { batchMaxRows } : {}),
    ...(batchMaxWaitMs !== undefined ? { batchMaxWaitMs } : {}),
    log: err,
  });
}

async function simulateCommand(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      shift: { type: 'string', default: '' },
      rows: { type: 'string', default: '2000' },
      rate: { type: 'string', default: '200' },
      batch: { type: 'string', default: '20' },
      seed: { type: 'string' },
      data: { type: 'string' },
    },
  });
  if (positionals.length > 0) throw new UsageError(`simulate takes no further words, got ${JSON.stringify(positionals.join(' '))}`);
  if (!values.url) throw new UsageError('--url URL is required: the base URL of a running `serve`, e.g. http://127.0.0.1:8080');
  let url: URL;
  try {
    url = new URL(values.url);
  } catch {
    throw new UsageError(`--url must be a URL such as http://127.0.0.1:8080, not "${values.url}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--url must start with http:// or https://, not "${url.protocol}"`);
  const shifts = parseShift(values.shift);
  const rows = wholeNumber('--rows', values.rows, 1, 1_000_000) ?? 2000;
  const rate = wholeNumber('--rate', values.rate, 1, 100_000) ?? 200;
  const batch = wholeNumber('--batch', values.batch, 1, 1000) ?? 20;
  const seed = wholeNumber('--seed', values.seed, 0, 0xffffffff) ?? DEFAULT_SEED;
  const credentials = credentialsFromEnv();
  const summary = await simulate({
    url: url.href,
    credentials,
    shifts,
    rows,
    rate,
    batch,
    seed,
    ...(values.data ? { dataPath: resolve(values.data) } : {}),
    log: err,
  });
  out(`${JSON.stringify(summary, null, 2)}\n`);
  return summary.stoppedBecause ? 1 : 0;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  try {
    if (argv.includes('--help') || argv.includes('-h')) {
      out(USAGE);
      return 0;
    }
    const [command, ...rest] = argv;
    switch (command) {
      case 'train':
        return await train(rest, out, err);
      case 'serve':
        return await serve(rest, err);
      case 'simulate':
        return await simulateCommand(rest, out, err);
      default:
        throw new UsageError(
          `expected the command ${COMMANDS.map((c) => `"${c}"`).join(', ')}, got ${JSON.stringify(command ?? '(none)')}`,
        );
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof ShiftError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`error: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof CredentialsError) {
      err(`error: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ModelFolderError) {
      err(
        `error: ${error.message}\nnext: train a model first: node labs/capstone/solution/src/cli.ts train --out models/latest, then --model models/latest.\n`,
      );
      return 1;
    }
    if (error instanceof DatasetError) {
      const next =
        error.code === 'DATASET_UNREADABLE'
          ? 'check the path given to --data (ls -l it), or leave out --data to use the shipped data/adult.csv.gz'
          : 'check the file is the Adult CSV (header: age,workclass,fnlwgt,...,income), or leave out --data to use the shipped one';
      err(`error: ${error.message}\nnext: ${next}.\n`);
      return 1;
    }
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      err(
        `error: ${(error as Error).message}: another process uses that port; pick another with --port, or stop it (ss -ltnp | grep PORT)\n`,
      );
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
