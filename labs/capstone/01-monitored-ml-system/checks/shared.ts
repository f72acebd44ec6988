/**
 * The capstone's grading fixture, shared by every milestone's checks: the
 * MLflow server the grader starts for one grading run, the environment the
 * project's Procfile commands get, running a Procfile command (never through
 * a shell), the trained project (two trainings, the gate's three decisions),
 * the `web` service serving `models:/adult-income@champion`, and the data set.
 *
 * The contract these implement is labs/capstone/CONTRACT.md. Everything here
 * is computed once per grading run (`ctx.memo`) and stopped when the run
 * ends (`ctx.onRunEnd`); a step that fails comes back as a failing
 * `CheckOutcome` that says which step, with the output tail and the command
 * to try by hand, so every check that needs it reports the same thing.
 *
 * Exported API (other milestone files import it; keep the signatures stable):
 * MODEL_NAME, EXPERIMENT_NAME, SEED, ALIAS, MODEL_URI, LAB_ID, SHORT_ID,
 * FEATURES, capstoneMlflow, projectEnv, runProcfileCommand, trainedProject,
 * webService, servingCredentials, datasetPath, readDatasetRows,
 * datasetFacts, isOutcome, tail, mlflowClient.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import {
  EvidenceError,
  PROCFILE,
  fail,
  parseProcfile,
  startService,
  type CheckContext,
  type CheckOutcome,
  type RunningService,
} from '@mlops-lab/grader/authoring';
import { COLUMNS, LABEL_COLUMN, NUMERIC_COLUMNS, parseAdultCsv, type NumericColumn } from '../../solution/src/data.ts';

// ------------------------------------------------------------------ names

export const LAB_ID = 'capstone/01-monitored-ml-system';
export const SHORT_ID = 'capstone/01';
export const MODEL_NAME = 'adult-income';
export const EXPERIMENT_NAME = 'capstone';
export const SEED = 42;
export const ALIAS = 'champion';
export const MODEL_URI = `models:/${MODEL_NAME}@${ALIAS}`;
/** Where the project reads the data set (the lab's setup copies it there). */
export const WORKSPACE_DATASET = 'data/adult.csv.gz';

type NotAFeature = 'fnlwgt' | typeof LABEL_COLUMN;
/**
 * The 13 feature columns of POST /predict, in the data set's order, from the
 * shipped data set's own column list (`fnlwgt` is a census weight, not a feature).
 */
export const FEATURES = COLUMNS.filter((c): c is Exclude<(typeof COLUMNS)[number], NotAFeature> => c !== 'fnlwgt' && c !== LABEL_COLUMN);
export type FeatureName = (typeof FEATURES)[number];
export const NUMERIC_FEATURES = NUMERIC_COLUMNS.filter((c): c is Exclude<NumericColumn, 'fnlwgt'> => c !== 'fnlwgt');

/** How long one `train` may take (the reference takes about 20 s; a slow machine and a cold Python import, far less than this). */
export const TRAIN_TIMEOUT_MS = 10 * 60_000;
/** How long one `gate` may take. */
export const GATE_TIMEOUT_MS = 2 * 60_000;
/** How long `web` may take to answer /ready with 200 (it loads the model from MLflow). */
export const WEB_READY_TIMEOUT_MS = 120_000;
/** A check that is the first to need the trained project waits this long (two trainings and three gates). */
export const TRAINED_PROJECT_CHECK_TIMEOUT_MS = 2 * TRAIN_TIMEOUT_MS + 4 * GATE_TIMEOUT_MS + 5 * 60_000;

export function isOutcome(value: unknown): value is CheckOutcome {
  return (
    typeof value === 'object' &&
    value !== null &&
    'status' in value &&
    'message' in value &&
    ['pass', 'fail', 'error', 'skip'].includes(String((value as { status: unknown }).status))
  );
}

/** The last `lines` lines of a command's output, each cut at 300 characters; '(no output)' when empty. */
export function tail(text: string, lines = 20): string {
  const kept = text
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l));
  return kept.join('\n').trim() === '' ? '(no output)' : kept.join('\n');
}

// ------------------------------------------------------------------ the data set

const here = dirname(fileURLToPath(import.meta.url));

/** The shipped data set (one copy in git, beside the reference solution). */
export function datasetPath(): string {
  return resolve(here, '..', '..', 'solution', 'data', 'adult.csv.gz');
}

export interface DatasetFacts {
  name: string;
  rows: number;
  /** SHA-256 of the decompressed CSV (what the reference records). */
  sha256: string;
  /** SHA-256 of adult.csv.gz as shipped (a project may hash the file it reads instead). */
  gzSha256: string;
}

/** One person: the 13 features (a missing category is null) and the label. */
export type DatasetRow = { [K in FeatureName]: K extends (typeof NUMERIC_FEATURES)[number] ? number : string | null } & {
  income: '<=50K' | '>50K';
};

let datasetCache: Promise<{ facts: DatasetFacts; rows: DatasetRow[] }> | undefined;

async function loadShippedDataset(): Promise<{ facts: DatasetFacts; rows: DatasetRow[] }> {
  const gz = await readFile(datasetPath());
  const text = gunzipSync(gz, { maxOutputLength: 100 * 1024 * 1024 }).toString('utf8');
  const parsed = parseAdultCsv(text, datasetPath());
  const rows = parsed.rows.map((r) => {
    const row: Record<string, unknown> = {};
    for (const f of FEATURES) row[f] = r[f];
    row.income = r.income;
    return row as DatasetRow;
  });
  return {
    facts: {
      name: 'UCI Adult',
      rows: rows.length,
      sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
      gzSha256: createHash('sha256').update(gz).digest('hex'),
    },
    rows,
  };
}

function shippedDataset(): Promise<{ facts: DatasetFacts; rows: DatasetRow[] }> {
  datasetCache ??= loadShippedDataset().catch((error: unknown) => {
    datasetCache = undefined;
    throw error;
  });
  return datasetCache;
}

/** Name, row count and SHA-256s of the shipped data set (read once per process). */
export async function datasetFacts(): Promise<DatasetFacts> {
  return (await shippedDataset()).facts;
}

/**
 * Every row of the shipped data set, in file order (read once per process;
 * do not mutate). `dropMissing` leaves out rows with a missing category
 * (3,620 of 48,842), for a service that refuses null categories.
 */
export async function readDatasetRows(options: { dropMissing?: boolean } = {}): Promise<readonly DatasetRow[]> {
  const { rows } = await shippedDataset();
  return options.dropMissing ? rows.filter((r) => FEATURES.every((f) => r[f] !== null)) : rows;
}

/** The features of a row (no label), as POST /predict takes them. */
export function featuresOf(row: DatasetRow): Record<FeatureName, string | number | null> {
  const out = {} as Record<FeatureName, string | number | null>;
  for (const f of FEATURES) out[f] = row[f];
  return out;
}

// ------------------------------------------------------------------ MLflow

export interface CapstoneMlflow {
  /** http://127.0.0.1:PORT, the tracking URI the project gets. */
  uri: string;
  /** The temp dir with mlflow.db and artifacts/ (removed when the run ends). */
  dir: string;
  /** The server's output tail (for failure messages). */
  output(): string;
}

/**
 * A real MLflow tracking server for this grading run: SQLite backend and
 * served artifacts (`mlflow-artifacts:/`, so a client uploads over HTTP) in
 * a temp dir, on a free loopback port, from the venv's `mlflow`
 * (`npm run setup:tools`). Stopped and removed when the run ends; recorded
 * under the workspace so the lab's cleanup stops one a killed grader left.
 * A missing `mlflow` is an error with code TOOL_MISSING; a server that does
 * not start is CAPSTONE_MLFLOW_NOT_STARTED.
 */
export function capstoneMlflow(ctx: CheckContext): Promise<CapstoneMlflow> {
  return ctx.memo('capstone:mlflow', async () => {
    const mlflow = await ctx.process.which('mlflow');
    const dir = await mkdtemp(join(tmpdir(), 'mlops-lab-capstone-mlflow-'));
    ctx.progress('starting an MLflow tracking server for this grading run');
    let server: RunningService;
    try {
      server = await startService({
        workspaceDir: ctx.workspace.dir,
        cwd: dir,
        argv: [
          mlflow,
          'server',
          '--backend-store-uri',
          `sqlite:///${join(dir, 'mlflow.db')}`,
          '--artifacts-destination',
          join(dir, 'artifacts'),
          '--serve-artifacts',
          '--host',
          '127.0.0.1',
          '--port',
          '${PORT}',
          '--workers',
          '1',
        ],
        env: {
          MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
          MLFLOW_DISABLE_TELEMETRY: 'true',
          DO_NOT_TRACK: 'true',
          PYTHONWARNINGS: 'ignore',
        },
        readyPath: '/health',
        readyTimeoutMs: 180_000,
        signal: ctx.signal,
      });
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      if (!(error instanceof EvidenceError)) throw error;
      throw new EvidenceError(
        'CAPSTONE_MLFLOW_NOT_STARTED',
        `The grader could not start its MLflow tracking server: ${error.message}`,
        `Try it by hand: \`${mlflow} server --backend-store-uri sqlite:///mlflow.db --port 5000\`; \`npm run setup:tools\` reinstalls mlflow into .venv/.`,
      );
    }
    ctx.onRunEnd(async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    });
    return { uri: server.url, dir, output: () => server.output() };
  });
}

/** The environment every Procfile command gets (over the grader's own), as the CONTRACT lists it. */
export async function projectEnv(ctx: CheckContext): Promise<Record<string, string>> {
  const { uri } = await capstoneMlflow(ctx);
  return {
    MLFLOW_TRACKING_URI: uri,
    MLFLOW_EXPERIMENT_NAME: EXPERIMENT_NAME,
    MODEL_NAME,
    SEED: String(SEED),
    MLFLOW_DISABLE_TELEMETRY: 'true',
    DO_NOT_TRACK: 'true',
    PYTHONWARNINGS: 'ignore',
    PYTHONUNBUFFERED: '1',
    GIT_PYTHON_REFRESH: 'quiet',
    TF_CPP_MIN_LOG_LEVEL: '2',
  };
}

/** Variables of the grader's environment a project command must not inherit (another server's credentials). */
const UNSET = {
  MLFLOW_TRACKING_USERNAME: undefined,
  MLFLOW_TRACKING_PASSWORD: undefined,
  MLFLOW_TRACKING_TOKEN: undefined,
  MLFLOW_REGISTRY_URI: undefined,
  MLFLOW_RUN_ID: undefined,
  MLFLOW_EXPERIMENT_ID: undefined,
  CANDIDATE_VERSION: undefined,
  OUTPUT_DIR: undefined,
};

/** The MLflow REST API of the grader's server: reads through the grader's typed client shape, writes the few calls the grader makes. */
export interface CapstoneRegistry {
  uri: string;
  experimentId(): Promise<string | undefined>;
  runs(): Promise<MlflowRun[]>;
  getRun(runId: string): Promise<MlflowRun>;
  listArtifacts(runId: string, path?: string): Promise<{ path: string; isDir: boolean; size?: number }[]>;
  versions(): Promise<ModelVersion[]>;
  champion(): Promise<string | undefined>;
  /** Alias -> version. */
  aliases(): Promise<Record<string, string>>;
  setAlias(version: string): Promise<void>;
  /** A run with the given metrics (and no artifacts), registered as a new version; returns the version number. */
  registerWorseVersion(metrics: Record<string, number>): Promise<{ runId: string; version: string }>;
  /** Logged models (MLflow 3) a run produced, with their artifact listing. */
  loggedModelFiles(modelId: string): Promise<string[]>;
}

export interface MlflowRun {
  runId: string;
  runName: string;
  status: string;
  params: Record<string, string>;
  metrics: Record<string, number>;
  tags: Record<string, string>;
  artifactUri: string;
  /** MLflow 3: models `log_model` created in this run. */
  modelOutputs: string[];
}

/** A version of the registered model, as the registry reports it. */
export interface ModelVersion {
  version: string;
  /** The run it was registered from ('' when none). */
  runId: string;
  /** `runs:/<run>/<path>`, `models:/m-…` (MLflow 3 logged model) or a storage URI. */
  source: string;
  status: string;
  aliases: string[];
  tags: Record<string, string>;
  /** MLflow 3: the logged model behind it. */
  modelId?: string;
}

type HttpAnswer = { status: number; body: string; json(): unknown };

/** A small REST client of the grader's own MLflow server (bounded, every answer checked). */
export async function mlflowClient(ctx: CheckContext): Promise<CapstoneRegistry> {
  const { uri } = await capstoneMlflow(ctx);
  const call = async (method: 'GET' | 'POST' | 'PATCH', path: string, body?: Record<string, unknown>): Promise<HttpAnswer> =>
    await ctx.http.request(`${uri}${path}`, {
      method,
      ...(body ? { json: body } : {}),
      timeoutMs: 20_000,
      maxBytes: 16 * 1024 * 1024,
      maxRedirects: 0,
    });
  const ok = async (method: 'GET' | 'POST' | 'PATCH', path: string, body?: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const answer = await call(method, path, body);
    if (answer.status !== 200) {
      throw new EvidenceError(
        'CAPSTONE_MLFLOW_REQUEST_FAILED',
        `${method} ${path} on the grader's MLflow server answered ${answer.status}: ${answer.body.slice(0, 300)}`,
        'The grader’s own tracking server misbehaved; run the check again, and report it if it repeats.',
      );
    }
    return (answer.json() ?? {}) as Record<string, unknown>;
  };
  const isMissing = (answer: HttpAnswer): boolean =>
    answer.status === 404 || /RESOURCE_DOES_NOT_EXIST|INVALID_PARAMETER_VALUE/.test(answer.body);
  const toRun = (raw: unknown): MlflowRun => {
    const r = raw as {
      info: { run_id?: string; run_uuid?: string; run_name?: string; status?: string; artifact_uri?: string };
      data?: {
        params?: { key: string; value: string }[];
        metrics?: { key: string; value: number | string }[];
        tags?: { key: string; value: string }[];
      };
      outputs?: { model_outputs?: { model_id: string }[] };
    };
    return {
      runId: (r.info.run_id ?? r.info.run_uuid)!,
      runName: r.info.run_name ?? '',
      status: r.info.status ?? '',
      params: Object.fromEntries((r.data?.params ?? []).map((p) => [p.key, p.value ?? ''])),
      metrics: Object.fromEntries((r.data?.metrics ?? []).map((m) => [m.key, Number(m.value)])),
      tags: Object.fromEntries((r.data?.tags ?? []).map((t) => [t.key, t.value ?? ''])),
      artifactUri: r.info.artifact_uri ?? '',
      modelOutputs: (r.outputs?.model_outputs ?? []).map((m) => m.model_id),
    };
  };
  const toVersion = (raw: Record<string, unknown>): ModelVersion => {
    const v = raw as {
      name: string;
      version: string | number;
      source?: string;
      run_id?: string;
      status?: string;
      aliases?: string[];
      tags?: { key: string; value: string }[];
      model_id?: string;
    };
    const modelId = v.model_id || /^models:\/(m-[0-9a-f]+)\/?$/.exec(v.source ?? '')?.[1];
    return {
      version: String(v.version),
      source: v.source ?? '',
      runId: v.run_id ?? '',
      status: v.status ?? 'READY',
      tags: Object.fromEntries((v.tags ?? []).map((t) => [t.key, t.value ?? ''])),
      aliases: v.aliases ?? [],
      ...(modelId ? { modelId } : {}),
    };
  };
  const experimentId = async (): Promise<string | undefined> => {
    const answer = await call('GET', `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(EXPERIMENT_NAME)}`);
    if (isMissing(answer)) return undefined;
    if (answer.status !== 200)
      await ok('GET', `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(EXPERIMENT_NAME)}`);
    return (answer.json() as { experiment?: { experiment_id?: string } }).experiment?.experiment_id;
  };
  const registry: CapstoneRegistry = {
    uri,
    experimentId,
    async runs() {
      const id = await experimentId();
      if (!id) return [];
      const out: MlflowRun[] = [];
      let token: string | undefined;
      for (let page = 0; page < 20; page++) {
        const body = await ok('POST', '/api/2.0/mlflow/runs/search', {
          experiment_ids: [id],
          max_results: 500,
          order_by: ['attributes.start_time ASC'],
          ...(token ? { page_token: token } : {}),
        });
        out.push(...((body.runs as unknown[] | undefined) ?? []).map(toRun));
        token = body.next_page_token as string | undefined;
        if (!token) break;
      }
      return out;
    },
    async getRun(runId) {
      return toRun((await ok('GET', `/api/2.0/mlflow/runs/get?run_id=${encodeURIComponent(runId)}`)).run);
    },
    async listArtifacts(runId, path) {
      const body = await ok(
        'GET',
        `/api/2.0/mlflow/artifacts/list?run_id=${encodeURIComponent(runId)}${path ? `&path=${encodeURIComponent(path)}` : ''}`,
      );
      return ((body.files as { path: string; is_dir?: boolean; file_size?: number | string }[] | undefined) ?? []).map((f) => ({
        path: f.path,
        isDir: Boolean(f.is_dir),
        ...(f.file_size !== undefined ? { size: Number(f.file_size) } : {}),
      }));
    },
    async versions() {
      const out: ModelVersion[] = [];
      let token: string | undefined;
      for (let page = 0; page < 20; page++) {
        const body = await ok(
          'GET',
          `/api/2.0/mlflow/model-versions/search?filter=${encodeURIComponent(`name = '${MODEL_NAME}'`)}&max_results=200${token ? `&page_token=${encodeURIComponent(token)}` : ''}`,
        );
        out.push(...((body.model_versions as Record<string, unknown>[] | undefined) ?? []).map(toVersion));
        token = body.next_page_token as string | undefined;
        if (!token) break;
      }
      return out.sort((a, b) => Number(a.version) - Number(b.version));
    },
    async aliases() {
      const answer = await call('GET', `/api/2.0/mlflow/registered-models/get?name=${encodeURIComponent(MODEL_NAME)}`);
      if (isMissing(answer)) return {};
      if (answer.status !== 200) await ok('GET', `/api/2.0/mlflow/registered-models/get?name=${encodeURIComponent(MODEL_NAME)}`);
      const aliases =
        (answer.json() as { registered_model?: { aliases?: { alias: string; version: string | number }[] } }).registered_model?.aliases ??
        [];
      return Object.fromEntries(aliases.map((a) => [a.alias, String(a.version)]));
    },
    async champion() {
      return (await registry.aliases())[ALIAS];
    },
    async setAlias(version) {
      await ok('POST', '/api/2.0/mlflow/registered-models/alias', { name: MODEL_NAME, alias: ALIAS, version });
    },
    async registerWorseVersion(metrics) {
      let id = await experimentId();
      if (!id) id = String((await ok('POST', '/api/2.0/mlflow/experiments/create', { name: EXPERIMENT_NAME })).experiment_id);
      const created = (await ok('POST', '/api/2.0/mlflow/runs/create', {
        experiment_id: id,
        run_name: 'grader-worse-candidate',
        start_time: Date.now(),
        tags: [{ key: 'mlops-lab.role', value: 'deliberately worse candidate registered by the grader' }],
      })) as { run?: { info?: { run_id?: string } } };
      const runId = created.run?.info?.run_id;
      if (!runId) throw new EvidenceError('CAPSTONE_MLFLOW_REQUEST_FAILED', 'runs/create answered no run id.');
      const now = Date.now();
      await ok('POST', '/api/2.0/mlflow/runs/log-batch', {
        run_id: runId,
        params: [{ key: 'seed', value: String(SEED) }],
        metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: now, step: 0 })),
      });
      await ok('POST', '/api/2.0/mlflow/runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() });
      const exists = await call('GET', `/api/2.0/mlflow/registered-models/get?name=${encodeURIComponent(MODEL_NAME)}`);
      if (isMissing(exists)) await ok('POST', '/api/2.0/mlflow/registered-models/create', { name: MODEL_NAME });
      const version = (await ok('POST', '/api/2.0/mlflow/model-versions/create', {
        name: MODEL_NAME,
        source: `runs:/${runId}/model`,
        run_id: runId,
        description: 'A deliberately worse candidate the grader registered to test the gate.',
      })) as { model_version?: { version?: string | number } };
      if (version.model_version?.version === undefined)
        throw new EvidenceError('CAPSTONE_MLFLOW_REQUEST_FAILED', 'model-versions/create answered no version.');
      return { runId, version: String(version.model_version.version) };
    },
    async loggedModelFiles(modelId) {
      const answer = await call('GET', `/api/2.0/mlflow/logged-models/${encodeURIComponent(modelId)}/artifacts/directories`);
      if (answer.status !== 200) return [];
      return ((answer.json() as { files?: { path: string }[] }).files ?? []).map((f) => f.path);
    },
  };
  return registry;
}

// ------------------------------------------------------------------ Procfile commands

export interface CommandResult {
  /** null when it was killed (deadline, cancelled). */
  exitCode: number | null;
  /** stdout, then stderr (a traceback ends up last), each a bounded tail. */
  output: string;
  timedOut: boolean;
  durationMs: number;
  /** How to run it by hand: `VAR=value ... command` (the grader's values). */
  byHand: string;
}

/** An example Procfile line for each command, in the hint when it is missing. */
export const PROCFILE_EXAMPLES: Record<string, string> = {
  build: 'build: npm run bundle',
  train: 'train: python -m capstone.train',
  gate: 'gate: python -m capstone.gate',
  web: 'web: uvicorn capstone.serve:app --host 127.0.0.1 --port $PORT',
  rollback: 'rollback: python -m capstone.rollback',
};

/** The Procfile entry `name`, or a failing outcome naming the line to add. */
export async function procfileEntry(ctx: CheckContext, name: string): Promise<{ argv: string[]; line: number } | CheckOutcome> {
  const example = PROCFILE_EXAMPLES[name] ?? `${name}: <command>`;
  if (!(await ctx.files.exists(PROCFILE))) {
    return fail({
      message: `The workspace has no ${PROCFILE}, so the grader does not know how to run \`${name}\`.`,
      expected: `a ${PROCFILE} with a \`${name}:\` line, e.g. \`${example}\``,
      actual: `no ${PROCFILE}`,
      hint: `Create ${PROCFILE} at the workspace root with one \`name: command\` per line (train, gate, web, rollback), e.g. \`${example}\`.`,
    });
  }
  const procfile = parseProcfile(await ctx.files.readText(PROCFILE, { maxBytes: 16 * 1024 }));
  const entry = procfile.entries.find((e) => e.process === name);
  if (!entry) {
    const problems = procfile.problems.filter((p) => !p.endsWith('no process is declared'));
    return fail({
      message: `${PROCFILE} declares no \`${name}\` command${problems.length ? ` (and has problems: ${problems.join('; ')})` : ''}.`,
      expected: `a line \`${example}\` (your own command; no shell operators)`,
      actual: procfile.entries.length
        ? `${PROCFILE} declares ${procfile.entries.map((e) => `\`${e.process}\``).join(', ')}`
        : `${PROCFILE} declares no command${problems.length ? `: ${problems.join('; ')}` : ''}`,
      hint: `Add \`${example}\` to ${PROCFILE} (the CONTRACT lists what \`${name}\` must do), then \`mlops-lab check ${SHORT_ID}\`.`,
    });
  }
  return { argv: entry.argv, line: entry.line };
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Runs the Procfile entry `name` from the workspace root with `env` over the
 * grader's environment (argv, never a shell; `$VAR` filled from that
 * environment), killed at `timeoutMs` or when the check is cancelled. A
 * missing entry is a failing outcome naming the Procfile line to add; a
 * program that does not exist is a failing outcome too.
 */
export async function runProcfileCommand(
  ctx: CheckContext,
  name: string,
  env: Record<string, string>,
  options: { timeoutMs?: number } = {},
): Promise<CommandResult | CheckOutcome> {
  const entry = await procfileEntry(ctx, name);
  if (isOutcome(entry)) return entry;
  const merged: Record<string, string | undefined> = { ...process.env, ...UNSET, ...env };
  const argv = entry.argv.map((arg) => arg.replaceAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, v: string) => merged[v] ?? ''));
  const program = argv[0]!;
  const resolved = program.includes('/') && !isAbsolute(program) ? resolve(ctx.workspace.dir, program) : program;
  const shown = Object.entries(env)
    .filter(([k]) => !/^(PYTHON|MLFLOW_DISABLE|DO_NOT_TRACK|GIT_PYTHON|TF_CPP)/.test(k))
    .map(([k, v]) => `${k}=${shellQuote(v)}`)
    .join(' ');
  const byHand = `${shown} ${argv.map(shellQuote).join(' ')}`.trim();
  const timeoutMs = options.timeoutMs ?? TRAIN_TIMEOUT_MS;
  ctx.progress(`running \`${name}\`: ${argv.join(' ')}`);
  let result;
  try {
    result = await ctx.process.run(resolved, argv.slice(1), {
      cwd: ctx.workspace.dir,
      env: { ...UNSET, ...env },
      timeoutMs,
      maxOutputBytes: 64 * 1024,
      signal: ctx.signal,
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'TOOL_MISSING' && code !== 'PROCESS_FAILED') throw error;
    return fail({
      message: `The Procfile's \`${name}\` command (line ${entry.line}) could not start: ${(error as Error).message}`,
      expected: `\`${argv.join(' ')}\` runs from the workspace root`,
      actual: (error as Error).message,
      hint: `Use a program on PATH or in the MLOps Lab .venv (python, node), or a path relative to the workspace (./scripts/train.sh, executable). Try: \`${byHand}\`.`,
    });
  }
  const output = [result.stdout.trimEnd(), result.stderr.trimEnd()].filter(Boolean).join('\n');
  return {
    exitCode: result.timedOut || ctx.signal.aborted ? null : result.exitCode,
    output,
    timedOut: result.timedOut,
    durationMs: result.durationMs,
    byHand,
  };
}

// ------------------------------------------------------------------ the trained project

export interface MetricsFile {
  precision: number;
  recall: number;
  f1: number;
  roc_auc: number;
  seed: number;
  rows: { train: number; validation: number; test: number };
  dataset_sha256: string;
  /** Optional: what the model is (`LogisticRegression`, `MLP 64-32`); quoted by the report. */
  model?: string;
  [key: string]: unknown;
}

export interface TrainingRun {
  /** 1 or 2. */
  index: number;
  /** Absolute OUTPUT_DIR the run got. */
  outputDir: string;
  exitCode: number | null;
  output: string;
  durationMs: number;
  byHand: string;
  /** metrics.json as read (undefined when missing or not JSON). */
  metrics?: Record<string, unknown>;
  /** Why metrics.json could not be read. */
  metricsProblem?: string;
  /** The model versions the run registered (normally one). */
  newVersions: ModelVersion[];
  /** The run behind the registered version (or the newest run of the experiment). */
  runId?: string;
}

export interface Trainings {
  runs: [TrainingRun, TrainingRun];
  /** The grader's temp dir holding run-1/ and run-2/ (removed at run end). */
  dir: string;
}

async function readMetricsFile(dir: string): Promise<{ metrics?: Record<string, unknown>; problem?: string }> {
  const file = join(dir, 'metrics.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { problem: `no ${file} (the run must write $OUTPUT_DIR/metrics.json)` };
  }
  if (text.length > 1024 * 1024) return { problem: `${file} is over 1 MiB` };
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: `${file} is not a JSON object` };
    return { metrics: value as Record<string, unknown> };
  } catch (error) {
    return { problem: `${file} is not JSON: ${(error as Error).message}` };
  }
}

/**
 * `train` twice with the same seed, each with its own OUTPUT_DIR (run-1,
 * run-2 in a temp dir), against the grader's MLflow server. Memoised; a
 * failing outcome when the Procfile has no `train` or the MLflow server
 * cannot start. A run that exits non-zero is returned as it is (the checks
 * judge it), but the second run is skipped when the first failed.
 */
export function trainings(ctx: CheckContext): Promise<Trainings | CheckOutcome> {
  return ctx.memo('capstone:trainings', async () => {
    // No `train` line: say so before starting a tracking server for nothing.
    const entry = await procfileEntry(ctx, 'train');
    if (isOutcome(entry)) return entry;
    const env = await projectEnv(ctx);
    const client = await mlflowClient(ctx);
    const dir = await mkdtemp(join(tmpdir(), 'mlops-lab-capstone-runs-'));
    ctx.onRunEnd(() => rm(dir, { recursive: true, force: true }));
    const runs: TrainingRun[] = [];
    for (const index of [1, 2]) {
      const outputDir = join(dir, `run-${index}`);
      await mkdir(outputDir, { recursive: true });
      const before = new Set((await client.versions()).map((v) => v.version));
      ctx.progress(`training run ${index} of 2 (\`train\` with SEED=${SEED})`);
      const result = await runProcfileCommand(ctx, 'train', { ...env, OUTPUT_DIR: outputDir }, { timeoutMs: TRAIN_TIMEOUT_MS });
      if (isOutcome(result)) return result;
      const read = await readMetricsFile(outputDir);
      const newVersions = (await client.versions()).filter((v) => !before.has(v.version));
      let runId = newVersions.find((v) => v.runId)?.runId;
      if (!runId) {
        const all = await client.runs();
        const seen = new Set(runs.map((r) => r.runId));
        runId = all.filter((r) => !seen.has(r.runId)).at(-1)?.runId;
      }
      runs.push({
        index,
        outputDir,
        exitCode: result.exitCode,
        output: result.output,
        durationMs: result.durationMs,
        byHand: result.byHand,
        ...(read.metrics ? { metrics: read.metrics } : {}),
        ...(read.problem ? { metricsProblem: read.problem } : {}),
        newVersions,
        ...(runId ? { runId } : {}),
      });
      if (result.exitCode !== 0) break;
    }
    const [first, second] = runs;
    if (first && first.exitCode !== 0) return trainFailed(first);
    if (second && second.exitCode !== 0) return trainFailed(second);
    return { runs: [first!, second!], dir };
  });
}

function trainFailed(run: TrainingRun): CheckOutcome {
  const how =
    run.exitCode === null
      ? `was stopped after ${Math.round(TRAIN_TIMEOUT_MS / 60_000)} minutes (or the check was cancelled)`
      : `exited with ${run.exitCode}`;
  return fail({
    message: `\`train\` (run ${run.index} of 2) ${how}, so nothing it should produce can be graded.`,
    expected: 'train exits 0 after writing $OUTPUT_DIR/metrics.json, logging an MLflow run and registering a version',
    actual: `exit ${run.exitCode ?? 'none (killed)'}; last output:\n${tail(run.output)}`,
    hint: `Run it by hand from the workspace, against your own tracking server (\`mlflow server --port 5000\`): \`${run.byHand.replace(/MLFLOW_TRACKING_URI=\S+/, 'MLFLOW_TRACKING_URI=http://127.0.0.1:5000').replace(/OUTPUT_DIR=\S+/, 'OUTPUT_DIR=out/run-1')}\`.`,
  });
}

export interface GateResult {
  /** What the grader asked: `promote the first`, `refuse the worse`, `promote an equal`. */
  step: 'first' | 'worse' | 'equal';
  candidate: string;
  exitCode: number | null;
  output: string;
  byHand: string;
  championBefore: string | undefined;
  championAfter: string | undefined;
}

export interface TrainedProject {
  runs: [TrainingRun, TrainingRun];
  /** Every version of the model, oldest first. */
  versions: ModelVersion[];
  /** The version `champion` points at at the end (the second training's). */
  champion: string;
  /** The champion before it (the first training's): what rollback goes back to. */
  previousChampion: string;
  /** The version the grader registered with f1 = 0.01 and no artifacts. */
  worseVersion: string;
  worseRunId: string;
  gateResults: GateResult[];
}

/** The metrics of the grader's worse candidate. */
export const WORSE_METRICS = { precision: 0.01, recall: 0.01, f1: 0.01, roc_auc: 0.5 };

/**
 * The project trained and gated, against the grader's MLflow server:
 * train twice (see {@link trainings}), then `gate` on version 1 (no
 * champion: promotes), on a deliberately worse version the grader registers
 * itself (f1 = 0.01, no artifacts: exits 1, champion unchanged), and on
 * version 2 (as good as version 1: promotes). `champion` ends on version 2,
 * with version 1 before it. Memoised; the first step that goes wrong comes
 * back as a failing outcome saying what, with the output and the command.
 */
export function trainedProject(ctx: CheckContext): Promise<TrainedProject | CheckOutcome> {
  return ctx.memo('capstone:trained-project', async () => {
    const trained = await trainings(ctx);
    if (isOutcome(trained)) return trained;
    const [first, second] = trained.runs;
    for (const run of [first, second]) {
      if (run.newVersions.length !== 1) {
        return fail({
          message: `\`train\` run ${run.index} registered ${run.newVersions.length} new version(s) of "${MODEL_NAME}"; each training registers exactly one.`,
          expected: `one new version of "${MODEL_NAME}" per \`train\`, registered from its MLflow run`,
          actual: run.newVersions.length
            ? `versions ${run.newVersions.map((v) => v.version).join(', ')}`
            : `no new version (MODEL_NAME=${MODEL_NAME}); last output:\n${tail(run.output, 10)}`,
          hint: `At the end of training: \`mlflow.register_model(f"runs:/{run.info.run_id}/model", os.environ["MODEL_NAME"])\` (or \`registered_model_name=\` in log_model). Try: \`${run.byHand}\`.`,
        });
      }
    }
    const v1 = first.newVersions[0]!.version;
    const v2 = second.newVersions[0]!.version;
    const env = await projectEnv(ctx);
    const client = await mlflowClient(ctx);
    const gateResults: GateResult[] = [];
    const gate = async (step: GateResult['step'], candidate: string): Promise<GateResult | CheckOutcome> => {
      const championBefore = await client.champion();
      ctx.progress(
        `gate on version ${candidate} (${step === 'first' ? 'no champion yet' : step === 'worse' ? 'a worse candidate' : 'an equal candidate'})`,
      );
      const result = await runProcfileCommand(ctx, 'gate', { ...env, CANDIDATE_VERSION: candidate }, { timeoutMs: GATE_TIMEOUT_MS });
      if (isOutcome(result)) return result;
      const gateResult: GateResult = {
        step,
        candidate,
        exitCode: result.exitCode,
        output: result.output,
        byHand: result.byHand,
        championBefore,
        championAfter: await client.champion(),
      };
      gateResults.push(gateResult);
      return gateResult;
    };
    const gateHint = (r: GateResult): string =>
      `Run it by hand against your own tracking server: \`${r.byHand.replace(/MLFLOW_TRACKING_URI=\S+/, 'MLFLOW_TRACKING_URI=http://127.0.0.1:5000')}\`; then \`echo $?\` and look at the champion in the MLflow UI.`;

    // 1. No champion yet: the first candidate is promoted.
    const firstGate = await gate('first', v1);
    if (isOutcome(firstGate)) return firstGate;
    if (firstGate.exitCode !== 0 || firstGate.championAfter !== v1) {
      return fail({
        message: `With no champion yet, \`gate\` on version ${v1} should point \`${ALIAS}\` at it and exit 0.`,
        expected: `exit 0 and ${MODEL_NAME}@${ALIAS} -> ${v1}`,
        actual: `exit ${firstGate.exitCode ?? 'none (killed)'}; ${ALIAS} -> ${firstGate.championAfter ?? '(not set)'}; last output:\n${tail(firstGate.output, 10)}`,
        hint: `When \`get_model_version_by_alias\` finds no champion, promote the candidate: \`MlflowClient().set_registered_model_alias(MODEL_NAME, "champion", CANDIDATE_VERSION)\`. ${gateHint(firstGate)}`,
      });
    }

    // 2. A worse candidate the grader registers itself: refused, champion unchanged.
    const worse = await client.registerWorseVersion(WORSE_METRICS);
    const worseGate = await gate('worse', worse.version);
    if (isOutcome(worseGate)) return worseGate;
    if (worseGate.exitCode === 0 || worseGate.championAfter !== v1) {
      return fail({
        message: `\`gate\` let a worse model through: version ${worse.version} has F1 0.01 against the champion's ${num(first.metrics?.f1)}.`,
        expected: `exit 1 (non-zero) and ${ALIAS} still -> ${v1}`,
        actual: `exit ${worseGate.exitCode ?? 'none (killed)'}; ${ALIAS} -> ${worseGate.championAfter ?? '(not set)'}; last output:\n${tail(worseGate.output, 10)}`,
        hint: `Read the metric \`f1\` of each version's run (\`MlflowClient().get_run(version.run_id).data.metrics["f1"]\`), compare, and \`sys.exit(1)\` without touching the alias when the candidate is worse. The grader's candidate has no artifacts: read metrics only. ${gateHint(worseGate)}`,
      });
    }

    // 3. The second training (same seed, so the same F1): at least as good, promoted.
    const equalGate = await gate('equal', v2);
    if (isOutcome(equalGate)) return equalGate;
    if (equalGate.exitCode !== 0 || equalGate.championAfter !== v2) {
      const f1a = Number(first.metrics?.f1);
      const f1b = Number(second.metrics?.f1);
      const lower = Number.isFinite(f1a) && Number.isFinite(f1b) && f1b < f1a - 1e-6;
      return fail({
        message: lower
          ? `Training twice with SEED=${SEED} gave a lower F1 the second time (${num(f1b)} < ${num(f1a)}), so the gate kept version ${v1}; the grader needs the second version to become champion (rollback goes back to the first).`
          : `\`gate\` on version ${v2}, whose F1 equals the champion's (same seed), should promote it: "at least as good" promotes.`,
        expected: `exit 0 and ${ALIAS} -> ${v2}`,
        actual: `exit ${equalGate.exitCode ?? 'none (killed)'}; ${ALIAS} -> ${equalGate.championAfter ?? '(not set)'}; last output:\n${tail(equalGate.output, 10)}`,
        hint: lower
          ? 'Make training reproducible: seed the split, the model and any shuffling from SEED (see m1-trains-reproducibly).'
          : `Compare with \`>=\`, not \`>\`: a candidate as good as the champion is promoted. ${gateHint(equalGate)}`,
      });
    }
    return {
      runs: trained.runs,
      versions: await client.versions(),
      champion: v2,
      previousChampion: v1,
      worseVersion: worse.version,
      worseRunId: worse.runId,
      gateResults,
    };
  });
}

function num(value: unknown): string {
  const n = Number(value);
  return Number.isFinite(n) ? n.toFixed(4) : String(value ?? '(none)');
}

// ------------------------------------------------------------------ the web service

export interface Credentials {
  username: string;
  password: string;
}

/** Random Basic-auth credentials for this grading run (SERVING_USERNAME / SERVING_PASSWORD). */
export function servingCredentials(ctx: CheckContext): Promise<Credentials> {
  return ctx.memo('capstone:credentials', () =>
    Promise.resolve({ username: `grader-${randomBytes(3).toString('hex')}`, password: randomBytes(18).toString('base64url') }),
  );
}

export interface WebService {
  /** http://127.0.0.1:PORT of the process running now (changes on restart). */
  readonly url: string;
  readonly port: number;
  /** `Basic …` for SERVING_USERNAME / SERVING_PASSWORD. */
  readonly authHeader: string;
  readonly credentials: Credentials;
  /** The body of the 200 from GET /ready when it became ready. */
  readonly ready: unknown;
  /** The running process (output tail, exit). */
  readonly service: RunningService;
  /** The environment the service got (PORT aside). */
  readonly env: Record<string, string>;
  /** Stops it and starts it again with the same environment (it loads whatever `champion` names now). */
  restart(): Promise<WebService | CheckOutcome>;
  stop(): Promise<void>;
}

export interface WebServiceOptions {
  /** More environment for the service. Callers passing env should pass a `key` of their own. */
  env?: Record<string, string>;
  /** Memo key; default `capstone:web` (the one service every check shares). */
  key?: string;
}

/**
 * The Procfile `web` entry, started once per grading run (per `key`) after
 * the project was trained and gated (so `champion` exists), with PORT,
 * random SERVING_USERNAME / SERVING_PASSWORD, MLFLOW_TRACKING_URI and
 * MODEL_URI=models:/adult-income@champion; ready when GET /ready answers
 * 200 (within 120 s: the model loads from MLflow). Stopped when the run
 * ends. A failing outcome when it does not start or never becomes ready.
 */
export function webService(ctx: CheckContext, options: WebServiceOptions = {}): Promise<WebService | CheckOutcome> {
  return ctx.memo(options.key ?? 'capstone:web', async () => {
    const project = await trainedProject(ctx);
    if (isOutcome(project)) {
      return project.status === 'fail'
        ? {
            ...project,
            message: `The service serves the champion, which the trained project provides, and that failed: ${project.message}`,
          }
        : project;
    }
    const entry = await procfileEntry(ctx, 'web');
    if (isOutcome(entry)) return entry;
    const credentials = await servingCredentials(ctx);
    const base = await projectEnv(ctx);
    const env: Record<string, string> = {
      ...base,
      MODEL_URI,
      SERVING_USERNAME: credentials.username,
      SERVING_PASSWORD: credentials.password,
      ...options.env,
    };
    const authHeader = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    let current: { service: RunningService; ready: unknown } | undefined;
    let stopped = false;
    const start = async (): Promise<CheckOutcome | undefined> => {
      const started = await startWeb(ctx, entry.argv, env);
      if (isOutcome(started)) return started;
      current = started;
      return undefined;
    };
    const handle: WebService = {
      get url() {
        return current!.service.url;
      },
      get port() {
        return current!.service.port;
      },
      authHeader,
      credentials,
      get ready() {
        return current?.ready;
      },
      get service() {
        return current!.service;
      },
      env,
      async restart() {
        await current?.service.stop();
        const problem = await start();
        return problem ?? handle;
      },
      async stop() {
        stopped = true;
        await current?.service.stop();
      },
    };
    ctx.onRunEnd(async () => {
      if (!stopped) await current?.service.stop();
    });
    const problem = await start();
    return problem ?? handle;
  });
}

async function startWeb(
  ctx: CheckContext,
  argv: string[],
  env: Record<string, string>,
): Promise<{ service: RunningService; ready: unknown } | CheckOutcome> {
  const started = Date.now();
  const byHand = `PORT=8000 SERVING_USERNAME=me SERVING_PASSWORD=secret-password MLFLOW_TRACKING_URI=http://127.0.0.1:5000 MODEL_URI=${MODEL_URI} ${argv.join(' ').replaceAll('${PORT}', '8000')}`;
  ctx.progress(`starting \`web\`: ${argv.join(' ')}`);
  let service: RunningService;
  try {
    service = await startService({
      workspaceDir: ctx.workspace.dir,
      argv,
      env: { ...UNSET_STRINGS, ...env },
      readyPath: '/health',
      readyTimeoutMs: WEB_READY_TIMEOUT_MS,
      signal: ctx.signal,
    });
  } catch (error) {
    if (!(error instanceof EvidenceError)) throw error;
    return fail({
      message: `The \`web\` service did not start: ${error.message.split('\n')[0]}`,
      expected: 'a process that listens on $PORT and answers GET /health',
      actual: error.message,
      hint: `${error.nextStep ? `${error.nextStep} ` : ''}Run it by hand from the workspace: \`${byHand}\`, then \`curl -s http://127.0.0.1:8000/ready\`.`,
    });
  }
  const deadline = started + WEB_READY_TIMEOUT_MS;
  let last: string;
  for (;;) {
    try {
      const answer = await ctx.http.request(`${service.url}/ready`, {
        timeoutMs: 5_000,
        maxBytes: 64 * 1024,
        maxRedirects: 0,
        signal: ctx.signal,
      });
      if (answer.status === 200) {
        return { service, ready: answer.json() ?? answer.body };
      }
      last = `status ${answer.status}, body ${answer.body.replace(/\s+/g, ' ').slice(0, 200)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    const exit = service.exit();
    if (exit || Date.now() >= deadline || ctx.signal.aborted) {
      await service.stop();
      return fail({
        message: exit
          ? `The \`web\` service exited (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`}) before GET /ready answered 200.`
          : `GET /ready did not answer 200 within ${WEB_READY_TIMEOUT_MS / 1000} s: the model at ${MODEL_URI} never finished loading.`,
        expected: `GET /ready -> 200 once the model from ${MODEL_URI} is loaded`,
        actual: `${last}; last output:\n${tail(service.output(), 15)}`,
        hint: `Load the model named by MODEL_URI from MLFLOW_TRACKING_URI when the process starts. Run it by hand: \`${byHand}\`, then \`curl -s http://127.0.0.1:8000/ready\`.`,
      });
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** startService takes strings only: credentials of another server are blanked rather than removed. */
const UNSET_STRINGS: Record<string, string> = {
  MLFLOW_TRACKING_USERNAME: '',
  MLFLOW_TRACKING_PASSWORD: '',
  MLFLOW_TRACKING_TOKEN: '',
};
