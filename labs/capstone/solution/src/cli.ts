/**
 * The project's command line (one entry for the Procfile, the Dockerfile and people):
 *
 *   train     train, write the model and metrics.json; with MLFLOW_TRACKING_URI log a run and register a version (tracking.ts)
 *   gate      promote the candidate version to `champion` when its f1 is at least the champion's (gate.ts)
 *   serve     serve a model folder or a registry version until SIGTERM (serve.ts, registry-model.ts)
 *   rollback  `champion` back to the previous champion, then kubectl rollout undo (rollback.ts)
 *   simulate  send clean or shifted test rows to a running server (simulate.ts)
 *
 * Flags win over environment variables (the Procfile passes none: the
 * grader runs it without a shell). Results go to stdout as JSON, progress
 * and reasons to stderr. Exit codes: 0 done, 1 failed or refused (the
 * message says why and what to do next), 2 usage.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CredentialsError, credentialsFromEnv } from './auth.ts';
import { BACKEND_CHOICES, type BackendChoice } from './backend.ts';
import { DatasetError, loadDataset } from './data.ts';
import { saveReference } from './drift-reference.ts';
import { CHAMPION_ALIAS, GateError, gate } from './gate.ts';
import { MlflowClient, MlflowError, TRACKING_URI_ENV } from './mlflow/client.ts';
import { ModelUriError, parseModelUri } from './mlflow/model-uri.ts';
import { ModelFolderError, saveTrainedModel } from './model-io.ts';
import { DEFAULT_REFERENCE_ROWS, referenceSample, type MonitorOptions } from './monitor.ts';
import { DEFAULT_MODEL_URI, RegistryModelError, defaultCacheDir, fetchRegisteredModel } from './registry-model.ts';
import { RollbackError, kubectlRolloutUndo, rollbackChampion, type CommandResult } from './rollback.ts';
import { logLine, serveUntilSignalled, type ModelSource } from './serve.ts';
import { ShiftError, parseShift, simulate } from './simulate.ts';
import {
  DEFAULT_EXPERIMENT_NAME,
  DEFAULT_MODEL_NAME,
  METRICS_FILE,
  MODEL_ARTIFACT_PATH,
  logTrainingRun,
  metricsFileOf,
} from './tracking.ts';
import { DEFAULT_SEED, trainModel } from './train.ts';

export const USAGE = `Usage: node labs/capstone/solution/src/cli.ts <command> [options]     (or node dist/cli.js <command> after npm run build)

Commands: train, gate, serve, rollback, simulate. Flags win over the environment variables named with them.

  train [options]
Trains the income classifier on the Adult census data, writes the model and metrics.json, and, with
MLFLOW_TRACKING_URI set, logs one MLflow run and registers a new version of the model from it.

  --output-dir DIR   writes DIR/model/ (model.json, weights.bin, encoding.json, manifest.json) and DIR/metrics.json
                     (env OUTPUT_DIR; default models/latest)
  --out DIR          instead: the model files and metrics.json straight into DIR
  --seed N           seed for the split, the initial weights and the batch order (env SEED; default ${DEFAULT_SEED})
  --experiment NAME  MLflow experiment (env MLFLOW_EXPERIMENT_NAME; default ${DEFAULT_EXPERIMENT_NAME})
  --model-name NAME  registered model (env MODEL_NAME; default ${DEFAULT_MODEL_NAME})
  --data FILE        a .csv or .csv.gz with the Adult columns (default: the shipped data/adult.csv.gz)
  --backend NAME     auto (default: tfjs-node if it loads, else wasm), tensorflow, wasm or cpu
  --sample N         train on a stratified sample of N rows (quick runs)
  --quiet            no progress lines on stderr

  gate [options]     (needs MLFLOW_TRACKING_URI)
Promotes the candidate to alias "champion" when there is none or its run's f1 is at least the champion's
(exit 0); otherwise changes nothing and exits 1.

  --model-name NAME  registered model (env MODEL_NAME; default ${DEFAULT_MODEL_NAME})
  --candidate N      the version to judge (env CANDIDATE_VERSION; default the newest)

  serve [options]
Serves a model: GET /health, GET /ready, POST /predict (HTTP Basic auth), GET /metrics.
Needs SERVING_USERNAME and SERVING_PASSWORD (8+ characters) in the environment; stops cleanly on SIGTERM.

  --model DIR              a folder written by \`train\` (DIR/model with --output-dir)
  --model-uri URI          or a registry version: models:/NAME@ALIAS or models:/NAME/VERSION, downloaded from
                           MLFLOW_TRACKING_URI (env MODEL_URI; default ${DEFAULT_MODEL_URI} when no --model is given)
  --cache-dir DIR          where downloaded versions are kept (env MODEL_CACHE_DIR; default <tmp>/capstone-model-cache)
  --port N                 port to listen on (env PORT; default 8080; 0 picks a free one)
  --host H                 address to listen on (env HOST; default 127.0.0.1; 0.0.0.0 in a container)
  --data FILE              the data set the drift reference is drawn from (default: the shipped one)
  --reference-rows N       training rows in the drift reference (default ${DEFAULT_REFERENCE_ROWS}; 1000 or fewer switches to p-value tests)
  --window-rows N          recent rows compared with the reference (default 2000)
  --drift-min-rows N       no drift computation before the window holds N rows (default min(500, window))
  --drift-every-rows N     compute drift after N new rows (default 500)
  --drift-interval-ms N    ... or N ms after the last computation when rows came (default 5000; also the shortest
                           gap between computations when below 2000)
  --batch-rows N           rows that start a model call at once (default 256)
  --batch-wait-ms N        longest a request waits to share a model call, ms (default 0: requests read in the same event-loop turn share one)

  rollback [options]  (needs MLFLOW_TRACKING_URI)
Points "champion" back at the version that was champion before the current one, then, when a deployment
is named, runs kubectl rollout undo deployment/NAME -n NAMESPACE. Changes nothing and exits 1 when there is
no earlier champion.

  --model-name NAME  registered model (env MODEL_NAME; default ${DEFAULT_MODEL_NAME})
  --deployment NAME  Kubernetes deployment (env KUBE_DEPLOYMENT; default: none, kubectl is not run)
  --namespace NS     its namespace (env KUBE_NAMESPACE; default "default")
  --kubectl PATH     the kubectl to run (env KUBECTL; default kubectl on PATH)

  simulate --url URL [options]
Sends rows of the test split to a running server, clean or shifted, with SERVING_USERNAME/SERVING_PASSWORD.

  --url URL          the server's base URL, e.g. http://127.0.0.1:8080 (required)
  --shift SPEC       e.g. age=+15,hours_per_week=*0.6,sex=Female (default: none, clean traffic)
  --rows N           rows to send (default 2000)
  --rate R           rows per second (default 200)
  --batch B          rows per request (default 20)
  --seed N           which rows are picked (default ${DEFAULT_SEED})

Exit codes: 0 done, 1 failed or refused (the message says why and what to do), 2 usage.
`;

class UsageError extends Error {}

function wholeNumber(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${value}"`);
  return n;
}

/** A flag's value, else the environment variable's (trimmed; empty counts as unset). */
function flagOrEnv(value: string | undefined, env: string): string | undefined {
  if (value !== undefined) return value;
  const fromEnv = process.env[env]?.trim();
  return fromEnv ? fromEnv : undefined;
}

/** The MLflow client for MLFLOW_TRACKING_URI; commands that need it get a usage error without it. */
function requireMlflow(command: string): MlflowClient {
  const client = MlflowClient.fromEnv();
  if (!client)
    throw new UsageError(
      `${command} talks to MLflow: set ${TRACKING_URI_ENV} to the tracking server, e.g. ${TRACKING_URI_ENV}=http://127.0.0.1:5000`,
    );
  return client;
}

const COMMANDS = ['train', 'gate', 'serve', 'rollback', 'simulate'] as const;

async function train(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      'output-dir': { type: 'string' },
      seed: { type: 'string' },
      experiment: { type: 'string' },
      'model-name': { type: 'string' },
      data: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      sample: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 0) throw new UsageError(`train takes no further words, got ${JSON.stringify(positionals.join(' '))}`);
  if (values.out !== undefined && values['output-dir'] !== undefined) throw new UsageError('give --out DIR or --output-dir DIR, not both');
  if (!BACKEND_CHOICES.includes(values.backend as BackendChoice))
    throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, not "${values.backend}"`);
  const seed = wholeNumber(values.seed !== undefined ? '--seed' : 'SEED', flagOrEnv(values.seed, 'SEED'), 0, 0xffffffff) ?? DEFAULT_SEED;
  const sampleRows = wholeNumber('--sample', values.sample, 100, 10_000_000);
  const outputDir = resolve(values.out ?? flagOrEnv(values['output-dir'], 'OUTPUT_DIR') ?? 'models/latest');
  const modelDir = values.out !== undefined ? outputDir : join(outputDir, MODEL_ARTIFACT_PATH);
  const metricsPath = join(outputDir, METRICS_FILE);
  const experimentName = flagOrEnv(values.experiment, 'MLFLOW_EXPERIMENT_NAME') ?? DEFAULT_EXPERIMENT_NAME;
  const modelName = flagOrEnv(values['model-name'], 'MODEL_NAME') ?? DEFAULT_MODEL_NAME;
  // Checked before the minutes of training, so a bad URI fails at once.
  const client = MlflowClient.fromEnv();

  const dataset = await loadDataset(values.data ? resolve(values.data) : undefined);
  const result = await trainModel({
    seed,
    dataset,
    ...(sampleRows ? { sampleRows } : {}),
    backend: values.backend as BackendChoice,
    onEpoch: values.quiet
      ? undefined
      : (log) => err(`epoch ${log.epoch}: train loss ${log.trainLoss.toFixed(4)}, validation loss ${log.validationLoss.toFixed(4)}\n`),
  });
  const manifest = await saveTrainedModel(modelDir, result);
  // The drift reference travels with the model (drift-reference.ts): serving then needs no data set.
  await saveReference(modelDir, referenceSample(dataset, DEFAULT_REFERENCE_ROWS, seed), { seed, datasetSha256: dataset.sha256 });
  const metricsFile = metricsFileOf(manifest);
  await mkdir(outputDir, { recursive: true });
  await writeFile(metricsPath, `${JSON.stringify(metricsFile, null, 2)}\n`);
  if (!values.quiet)
    err(
      `saved to ${modelDir} and ${metricsPath} (backend ${manifest.backend}, best epoch ${manifest.training.bestEpoch} of ${manifest.training.epochs})\n`,
    );

  let mlflow: Record<string, string> | undefined;
  try {
    if (client) {
      const logged = await logTrainingRun({
        client,
        experimentName,
        modelName,
        result,
        manifest,
        modelDir,
        metricsFile,
        ...(sampleRows ? { sampleRows } : {}),
      });
      mlflow = {
        tracking_uri: client.trackingUri,
        experiment_id: logged.experimentId,
        run_id: logged.runId,
        model_name: modelName,
        model_version: logged.version.version,
      };
      if (!values.quiet)
        err(`MLflow: run ${logged.runId} in experiment "${experimentName}"; registered ${modelName} version ${logged.version.version}\n`);
    } else if (!values.quiet) {
      err(`MLflow: ${TRACKING_URI_ENV} is not set, so no run was logged and no version registered\n`);
    }
  } finally {
    result.model.dispose();
  }
  out(
    `${JSON.stringify(
      {
        out: modelDir,
        metrics_file: metricsPath,
        backend: manifest.backend,
        seed: manifest.seed,
        dataset: manifest.dataset,
        split: manifest.split,
        threshold: manifest.threshold,
        training: manifest.training,
        metrics: manifest.metrics,
        ...(mlflow ? { mlflow } : {}),
      },
      null,
      2,
    )}\n`,
  );
  return 0;
}

async function gateCommand(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'model-name': { type: 'string' }, candidate: { type: 'string' } },
  });
  if (positionals.length > 0) throw new UsageError(`gate takes no further words, got ${JSON.stringify(positionals.join(' '))}`);
  const candidate = flagOrEnv(values.candidate, 'CANDIDATE_VERSION');
  if (candidate !== undefined && !/^[1-9]\d*$/.test(candidate))
    throw new UsageError(
      `${values.candidate !== undefined ? '--candidate' : 'CANDIDATE_VERSION'} must be a version number such as 3, not "${candidate}"`,
    );
  const client = requireMlflow('gate');
  const decision = await gate({
    client,
    modelName: flagOrEnv(values['model-name'], 'MODEL_NAME') ?? DEFAULT_MODEL_NAME,
    ...(candidate ? { candidateVersion: candidate } : {}),
  });
  err(`${decision.message}\n`);
  out(`${JSON.stringify(decision, null, 2)}\n`);
  return decision.outcome === 'rejected' ? 1 : 0;
}

async function rollbackCommand(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'model-name': { type: 'string' },
      deployment: { type: 'string' },
      namespace: { type: 'string' },
      kubectl: { type: 'string' },
    },
  });
  if (positionals.length > 0) throw new UsageError(`rollback takes no further words, got ${JSON.stringify(positionals.join(' '))}`);
  const deployment = flagOrEnv(values.deployment, 'KUBE_DEPLOYMENT');
  const namespace = flagOrEnv(values.namespace, 'KUBE_NAMESPACE') ?? 'default';
  const kubectl = flagOrEnv(values.kubectl, 'KUBECTL') ?? 'kubectl';
  for (const [name, value] of [
    ['deployment', deployment],
    ['namespace', namespace],
  ] as const) {
    if (value !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value))
      throw new UsageError(`the ${name} "${value}" is not a Kubernetes name (lower-case letters, digits, "-" and ".")`);
  }
  const client = requireMlflow('rollback');
  const moved = await rollbackChampion({ client, modelName: flagOrEnv(values['model-name'], 'MODEL_NAME') ?? DEFAULT_MODEL_NAME });
  err(`rolled back: ${CHAMPION_ALIAS} of "${moved.model}" moved from version ${moved.from} to version ${moved.to}\n`);
  let kube: CommandResult | undefined;
  if (deployment) {
    kube = await kubectlRolloutUndo({ deployment, namespace, kubectl });
    err(`${kube.argv.join(' ')}: ${kube.error ? `could not start (${kube.error})` : `exit ${kube.code}`}\n${kube.output}`);
  } else {
    err('KUBE_DEPLOYMENT is not set: no kubectl rollout undo\n');
  }
  out(
    `${JSON.stringify({ ...moved, ...(kube ? { kubectl: { argv: kube.argv, code: kube.code, ...(kube.error ? { error: kube.error } : {}) } } : {}) }, null, 2)}\n`,
  );
  if (kube && kube.code !== 0) {
    err(
      `error: ${CHAMPION_ALIAS} now points at version ${moved.to}, but kubectl rollout undo failed; check the deployment (kubectl rollout history deployment/${deployment} -n ${namespace}) and restart the pods by hand\n`,
    );
    return 1;
  }
  return 0;
}

async function serve(argv: string[], err: (s: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      'model-uri': { type: 'string' },
      'cache-dir': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      'reference-rows': { type: 'string' },
      'window-rows': { type: 'string' },
      'drift-min-rows': { type: 'string' },
      'drift-every-rows': { type: 'string' },
      'drift-interval-ms': { type: 'string' },
      'batch-rows': { type: 'string' },
      'batch-wait-ms': { type: 'string' },
    },
  });
  if (positionals.length > 0) throw new UsageError(`serve takes no further words, got ${JSON.stringify(positionals.join(' '))}`);
  if (values.model !== undefined && values['model-uri'] !== undefined)
    throw new UsageError('give --model DIR or --model-uri URI, not both');
  const portFlag = values.port !== undefined ? '--port' : 'PORT';
  const port = wholeNumber(portFlag, flagOrEnv(values.port, 'PORT'), 0, 65_535) ?? 8080;
  const host = flagOrEnv(values.host, 'HOST') ?? '127.0.0.1';
  const referenceRows = wholeNumber('--reference-rows', values['reference-rows'], 50, 50_000);
  const windowRows = wholeNumber('--window-rows', values['window-rows'], 50, 100_000);
  const minRows = wholeNumber('--drift-min-rows', values['drift-min-rows'], 1, 100_000);
  const everyRows = wholeNumber('--drift-every-rows', values['drift-every-rows'], 1, 100_000);
  const everyMs = wholeNumber('--drift-interval-ms', values['drift-interval-ms'], 100, 3_600_000);
  const batchMaxRows = wholeNumber('--batch-rows', values['batch-rows'], 1, 10_000);
  const batchMaxWaitMs = wholeNumber('--batch-wait-ms', values['batch-wait-ms'], 0, 1000);
  const window = windowRows ?? 2000;
  if (minRows !== undefined && minRows > window)
    throw new UsageError(`--drift-min-rows (${minRows}) must not exceed --window-rows (${window})`);
  const monitor: MonitorOptions = {
    ...(windowRows ? { windowRows } : {}),
    minRows: minRows ?? Math.min(500, window),
    ...(everyRows ? { everyRows } : {}),
    ...(everyMs ? { everyMs, minIntervalMs: Math.min(2000, everyMs) } : {}),
  };

  let source: ModelSource | undefined;
  if (values.model === undefined) {
    const uri = flagOrEnv(values['model-uri'], 'MODEL_URI') ?? (process.env[TRACKING_URI_ENV]?.trim() ? DEFAULT_MODEL_URI : undefined);
    if (!uri)
      throw new UsageError(
        `serve needs a model: --model DIR (a folder written by \`train\`), or --model-uri ${DEFAULT_MODEL_URI} (or MODEL_URI) with ${TRACKING_URI_ENV} set`,
      );
    parseModelUri(uri);
    const client = requireMlflow(`serve --model-uri ${uri}`);
    const cacheDir = resolve(flagOrEnv(values['cache-dir'], 'MODEL_CACHE_DIR') ?? defaultCacheDir());
    source = async () => {
      const fetched = await fetchRegisteredModel({ client, uri, cacheDir });
      err(
        logLine('info', fetched.cached ? 'model found in the cache' : 'model downloaded', {
          uri,
          model_name: fetched.name,
          model_version: fetched.version,
          dir: fetched.dir,
        }),
      );
      return { modelDir: fetched.dir, registry: { name: fetched.name, version: fetched.version, uri, runId: fetched.runId } };
    };
  }
  return serveUntilSignalled(
    {
      modelDir: values.model ?? '',
      port,
      host,
      ...(values.data ? { dataPath: resolve(values.data) } : {}),
      ...(referenceRows ? { referenceRows } : {}),
      monitor,
      ...(batchMaxRows ? { batchMaxRows } : {}),
      ...(batchMaxWaitMs !== undefined ? { batchMaxWaitMs } : {}),
      log: err,
    },
    source,
  );
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
      case 'gate':
        return await gateCommand(rest, out, err);
      case 'serve':
        return await serve(rest, err);
      case 'rollback':
        return await rollbackCommand(rest, out, err);
      case 'simulate':
        return await simulateCommand(rest, out, err);
      default:
        throw new UsageError(
          `expected the command ${COMMANDS.map((c) => `"${c}"`).join(', ')}, got ${JSON.stringify(command ?? '(none)')}`,
        );
    }
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof ShiftError ||
      error instanceof ModelUriError ||
      (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      err(`error: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof CredentialsError) {
      err(`error: ${error.message}\n`);
      return 2;
    }
    if (error instanceof GateError || error instanceof RollbackError || error instanceof RegistryModelError) {
      err(`error: ${error.message}\n`);
      return 1;
    }
    if (error instanceof MlflowError) {
      err(`error: MLflow (${error.code}): ${error.message}\n`);
      return 1;
    }
    if (error instanceof ModelFolderError) {
      err(
        `error: ${error.message}\nnext: train a model first: node labs/capstone/solution/src/cli.ts train --output-dir models/latest, then --model models/latest/model (or serve a registry version with --model-uri).\n`,
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
