/**
 * Evidence the MLflow labs' checks share: the workspace's experiment and its
 * runs, read through the grader's MLflow client (`ctx.mlflow`), memoised per
 * grading run, and the failing outcomes a learner sees when they are missing.
 */
import {
  MlflowLabSupport,
  fail,
  ifExists,
  type CheckContext,
  type CheckOutcome,
  type Experiment,
  type ModelVersion,
  type RegisteredModel,
  type Run,
  type SolveContext,
} from '@mlops-lab/grader/authoring';
import { LAB_ENV_FILE, labNames, labNumberOf, scriptEnv, type LabNames } from './lab-env.ts';

export function namesOf(ctx: Pick<CheckContext, 'lab' | 'workspace'>): LabNames {
  return labNames(labNumberOf(ctx.lab.id), ctx.workspace);
}

/** The line a learner runs first in a new terminal. */
export const SOURCE_LAB_ENV = `source ${LAB_ENV_FILE}`;

/** The workspace's experiment, or a failing outcome that says how to create it. */
export async function experimentOrFail(ctx: CheckContext, howToLog: string): Promise<Experiment | CheckOutcome> {
  const { experiment } = namesOf(ctx);
  const found = await ctx.memo(`experiment:${experiment}`, () =>
    ifExists(ctx.mlflow.getExperimentByName(experiment, { signal: ctx.signal })),
  );
  if (found && found.lifecycleStage === 'active') return found;
  return fail({
    message: found
      ? `The experiment "${experiment}" was deleted on the tracking server at ${ctx.mlflow.trackingUri}.`
      : `The tracking server at ${ctx.mlflow.trackingUri} has no experiment named "${experiment}" yet.`,
    expected: `an active experiment "${experiment}" (MLFLOW_EXPERIMENT_NAME in ${LAB_ENV_FILE})`,
    actual: found ? `experiment ${found.experimentId} is in the trash (lifecycle_stage=deleted)` : 'no such experiment',
    hint: found
      ? `Restore it: \`mlflow experiments restore --experiment-id ${found.experimentId}\`, then ${howToLog}.`
      : `${SOURCE_LAB_ENV}, then ${howToLog}.`,
  });
}

export function isOutcome(value: unknown): value is CheckOutcome {
  return typeof value === 'object' && value !== null && 'status' in value && 'message' in value;
}

/** Every active run of an experiment, newest first (at most 2 000). */
export function runsOf(ctx: CheckContext, experimentId: string): Promise<Run[]> {
  return ctx.memo(`runs:${experimentId}`, async () => {
    const runs: Run[] = [];
    for await (const run of ctx.mlflow.runs(
      { experimentIds: [experimentId], orderBy: ['attributes.start_time DESC'] },
      { limit: 2_000, signal: ctx.signal },
    )) {
      runs.push(run);
    }
    return runs;
  });
}

/** The workspace's registered model (MODEL_NAME) and every version of it; `model` is undefined when it is not registered. */
export function registeredModelOf(ctx: CheckContext): Promise<{ name: string; model?: RegisteredModel; versions: ModelVersion[] }> {
  return ctx.memo('registered-model', async () => {
    const name = namesOf(ctx).model;
    const model = await ifExists(ctx.mlflow.getRegisteredModel(name, { signal: ctx.signal }));
    const versions: ModelVersion[] = [];
    if (model) for await (const v of ctx.mlflow.modelVersions({ filter: `name = '${name}'` }, { signal: ctx.signal })) versions.push(v);
    return { name, ...(model ? { model } : {}), versions };
  });
}

/** `runs:/…` as a short label: `run 1a2b3c4d (name)`. */
export function runLabel(run: Pick<Run, 'runId' | 'runName'>): string {
  return `run ${run.runId.slice(0, 8)}${run.runName ? ` (${run.runName})` : ''}`;
}

/** The grader's extra MLflow calls (logged-model files), on the same server. */
export function labSupport(ctx: CheckContext): MlflowLabSupport {
  return new MlflowLabSupport({ trackingUri: ctx.mlflow.trackingUri, http: ctx.http });
}

/**
 * Quieter, steadier Python for solve and tests: no warnings, and no MLflow
 * telemetry thread (offline it only retries, and in MLflow 3.17 it can race
 * the request that reads os.environ: KeyError '_MLFLOW_TELEMETRY_SESSION_ID').
 */
export const QUIET_PYTHON = { PYTHONWARNINGS: 'ignore', GIT_PYTHON_REFRESH: 'quiet', MLFLOW_DISABLE_TELEMETRY: 'true' };

/**
 * Runs a workspace script with the venv's Python and the workspace's names
 * in the environment, as a learner does after `source lab.env`; throws with
 * the tail of its output when it fails.
 */
export async function runScript(ctx: SolveContext, args: string[], options: { usesModel: boolean; timeoutMs?: number }): Promise<void> {
  const result = await ctx.process.run('python3', args, {
    cwd: ctx.workspace.dir,
    env: { ...scriptEnv(ctx, options.usesModel), ...QUIET_PYTHON },
    timeoutMs: options.timeoutMs ?? 300_000,
    signal: ctx.signal,
  });
  if (result.exitCode !== 0) {
    throw new Error(
      `python3 ${args.join(' ')} ${result.timedOut ? 'timed out' : `exited with ${result.exitCode}`}:\n${result.stderr.slice(-3000)}`,
    );
  }
  ctx.log(`python3 ${args.join(' ')}: done in ${Math.round(result.durationMs / 100) / 10} s`);
}
