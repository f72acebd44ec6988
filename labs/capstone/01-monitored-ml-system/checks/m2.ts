/**
 * Milestone M2, every run tracked and versions in the registry, against the
 * MLflow server the grader starts for the grading run: each `train` logged a
 * finished run with the seed, the four metrics (equal to metrics.json) and
 * artifacts, and registered one version from that run; `gate` promotes the
 * first candidate, refuses a worse one and promotes an equal one; `champion`
 * ends on a trained version.
 */
import { defineCheck, fail, pass, type CheckContext } from '@mlops-lab/grader/authoring';
import { METRIC_KEYS } from './m1.ts';
import {
  ALIAS,
  EXPERIMENT_NAME,
  MODEL_NAME,
  SEED,
  TRAINED_PROJECT_CHECK_TIMEOUT_MS,
  WORSE_METRICS,
  isOutcome,
  mlflowClient,
  tail,
  trainedProject,
  trainings,
  type CapstoneRegistry,
  type MlflowRun,
} from './shared.ts';

/** A metric in MLflow and in metrics.json agree when within this (MLflow keeps doubles). */
const SAME_METRIC = 1e-6;

/** The files a run logged: its artifacts (two levels deep), or the files of the MLflow 3 logged models it produced. */
export async function loggedFiles(client: CapstoneRegistry, run: MlflowRun): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await client.listArtifacts(run.runId)) {
    if (!entry.isDir) files.push(entry.path);
    else for (const inner of await client.listArtifacts(run.runId, entry.path)) files.push(inner.isDir ? `${inner.path}/` : inner.path);
    if (files.length >= 50) break;
  }
  if (files.length === 0)
    for (const modelId of run.modelOutputs.slice(0, 5))
      files.push(...(await client.loggedModelFiles(modelId)).map((f) => `${modelId}/${f}`));
  return files;
}

async function trainedRuns(ctx: CheckContext) {
  const trained = await trainings(ctx);
  if (isOutcome(trained)) return trained;
  const client = await mlflowClient(ctx);
  return { trained, client };
}

export const runsAreLogged = defineCheck({
  id: 'm2-runs-are-logged',
  title: 'Each training logs a finished MLflow run with the seed, the four metrics and the model files',
  hint: 'mlflow.set_experiment(os.environ["MLFLOW_EXPERIMENT_NAME"]); with mlflow.start_run(): log_params({"seed": seed, ...}); log_metrics({...}); log the model.',
  requires: ['mlflow'],
  timeoutMs: TRAINED_PROJECT_CHECK_TIMEOUT_MS,
  async run(ctx) {
    // Mirrors: the experiment "capstone" in the MLflow UI: each run's Parameters, Metrics and Artifacts tabs
    const found = await trainedRuns(ctx);
    if (isOutcome(found)) return found;
    const { trained, client } = found;
    const problems: string[] = [];
    const described: string[] = [];
    const experimentRuns = await client.runs();
    for (const training of trained.runs) {
      if (!training.runId) {
        problems.push(
          `train run ${training.index}: no MLflow run in the experiment "${EXPERIMENT_NAME}" (experiments on the server: the grader looked up "${EXPERIMENT_NAME}")`,
        );
        continue;
      }
      const run = await client.getRun(training.runId);
      const where = `train run ${training.index} (MLflow run ${run.runId.slice(0, 8)})`;
      if (!experimentRuns.some((r) => r.runId === run.runId))
        problems.push(`${where}: not in the experiment "${EXPERIMENT_NAME}" (read MLFLOW_EXPERIMENT_NAME)`);
      if (run.status !== 'FINISHED')
        problems.push(`${where}: status ${run.status}, not FINISHED (end the run: \`with mlflow.start_run():\`)`);
      if (run.params.seed === undefined)
        problems.push(`${where}: no param "seed" (params: ${Object.keys(run.params).join(', ') || 'none'})`);
      else if (Number(run.params.seed) !== SEED) problems.push(`${where}: param seed is ${run.params.seed}, but SEED was ${SEED}`);
      for (const key of METRIC_KEYS) {
        const logged = run.metrics[key];
        const written = Number(training.metrics?.[key]);
        if (logged === undefined) problems.push(`${where}: no metric "${key}"`);
        else if (Number.isFinite(written) && Math.abs(logged - written) > SAME_METRIC)
          problems.push(`${where}: metric ${key} is ${logged} in MLflow but ${written} in metrics.json`);
      }
      const files = await loggedFiles(client, run);
      if (files.length === 0) problems.push(`${where}: no artifacts (and no logged model with files): the model itself is not in MLflow`);
      else
        described.push(
          `run ${training.index}: ${Object.keys(run.params).length} params, ${files.slice(0, 4).join(', ')}${files.length > 4 ? ', …' : ''}`,
        );
    }
    const figures = { 'mlflow.runs': experimentRuns.filter((r) => trained.runs.some((t) => t.runId === r.runId)).length };
    if (problems.length > 0) {
      return fail({
        message:
          'Not every training left a complete record in MLflow: a run without its seed, metrics or model cannot be compared or reproduced.',
        expected: `per \`train\`: one FINISHED run in "${EXPERIMENT_NAME}" with param seed=${SEED}, metrics ${METRIC_KEYS.join(', ')} (as in metrics.json) and the model files as artifacts`,
        actual: problems.join('\n'),
        hint: `mlflow.set_experiment(os.environ.get("MLFLOW_EXPERIMENT_NAME", "capstone")); inside \`with mlflow.start_run() as run:\` call mlflow.log_params, mlflow.log_metrics and mlflow.log_artifacts(output_dir, "model") (or mlflow.sklearn.log_model). Last output of run 1:\n${tail(trained.runs[0].output, 8)}`,
        figures,
      });
    }
    return pass(`Both trainings logged complete runs in "${EXPERIMENT_NAME}": ${described.join('; ')}.`, { figures });
  },
});

export const versionsAreRegisteredFromRuns = defineCheck({
  id: 'm2-versions-are-registered-from-runs',
  title: `Each training registers one new version of ${MODEL_NAME}, from its own run`,
  hint: 'mlflow.register_model(f"runs:/{run.info.run_id}/model", os.environ["MODEL_NAME"]), or registered_model_name= in log_model.',
  requires: ['mlflow'],
  timeoutMs: TRAINED_PROJECT_CHECK_TIMEOUT_MS,
  async run(ctx) {
    // Mirrors: MlflowClient().search_model_versions("name = 'adult-income'"): version, run_id, source
    const found = await trainedRuns(ctx);
    if (isOutcome(found)) return found;
    const { trained } = found;
    const problems: string[] = [];
    const registered: string[] = [];
    for (const training of trained.runs) {
      const versions = training.newVersions;
      if (versions.length !== 1) {
        problems.push(
          `train run ${training.index}: ${versions.length} new version(s) of "${MODEL_NAME}"${versions.length ? ` (${versions.map((v) => v.version).join(', ')})` : ''}; expected exactly one`,
        );
        continue;
      }
      const v = versions[0]!;
      if (!v.runId)
        problems.push(
          `version ${v.version}: registered without a run (source ${v.source || 'none'}), so nobody can trace it to its metrics`,
        );
      else if (v.runId !== training.runId)
        problems.push(`version ${v.version}: registered from run ${v.runId.slice(0, 8)}, not from this training's run`);
      if (v.status !== 'READY') problems.push(`version ${v.version}: status ${v.status}`);
      registered.push(`v${v.version} <- run ${v.runId.slice(0, 8)}`);
    }
    const figures = { 'mlflow.versions': trained.runs.reduce((n, t) => n + t.newVersions.length, 0) };
    if (problems.length > 0) {
      return fail({
        message: 'The registry does not trace each trained model to the run that produced it.',
        expected: `one READY version of "${MODEL_NAME}" per \`train\`, whose run_id is that training's run`,
        actual: problems.join('\n'),
        hint: `After logging the model in the run: \`mlflow.register_model(f"runs:/{run.info.run_id}/model", os.environ.get("MODEL_NAME", "${MODEL_NAME}"))\`.`,
        figures,
      });
    }
    return pass(`Each training registered one version from its run: ${registered.join(', ')}.`, { figures });
  },
});

export const gatePromotesAndRefusesWorse = defineCheck({
  id: 'm2-gate-promotes-and-refuses-worse',
  title: 'gate promotes the first and an equal candidate, and refuses a worse one',
  hint: "Compare the candidate run's metric f1 with the champion's: no champion or candidate >= champion -> set the alias, exit 0; else exit 1 and touch nothing.",
  requires: ['mlflow'],
  timeoutMs: TRAINED_PROJECT_CHECK_TIMEOUT_MS,
  async run(ctx) {
    // Mirrors: CANDIDATE_VERSION=1 <gate>; echo $?  ... with a worse version registered by hand, then CANDIDATE_VERSION=2
    const project = await trainedProject(ctx);
    if (isOutcome(project)) return project;
    const lines = project.gateResults.map(
      (g) =>
        `v${g.candidate} (${g.step === 'first' ? 'no champion' : g.step === 'worse' ? `F1 ${WORSE_METRICS.f1}` : 'equal F1'}): exit ${g.exitCode}, ${ALIAS} ${g.championBefore ?? 'unset'} -> ${g.championAfter ?? 'unset'}`,
    );
    return pass(`The gate decided right three times: ${lines.join('; ')}.`);
  },
});

export const championIsATrainedVersion = defineCheck({
  id: 'm2-champion-is-a-trained-version',
  title: `${MODEL_NAME}@${ALIAS} ends on a version the project trained`,
  hint: 'The alias names the served model; it must point at a version registered from a training run, never at an untrained or refused one.',
  requires: ['mlflow'],
  timeoutMs: TRAINED_PROJECT_CHECK_TIMEOUT_MS,
  async run(ctx) {
    // Mirrors: MlflowClient().get_model_version_by_alias("adult-income", "champion").run_id
    const project = await trainedProject(ctx);
    if (isOutcome(project)) return project;
    const client = await mlflowClient(ctx);
    const now = await client.champion();
    const version = project.versions.find((v) => v.version === now);
    const trainedRunIds = project.runs.map((r) => r.runId);
    if (!now || !version || now === project.worseVersion || !trainedRunIds.includes(version.runId)) {
      return fail({
        message: now
          ? `${ALIAS} points at version ${now}, which no training of the project registered.`
          : `${MODEL_NAME} has no ${ALIAS} alias after the gate ran.`,
        expected: `${ALIAS} -> version ${project.champion} (the second training's)`,
        actual: `${ALIAS} -> ${now ?? '(not set)'}; versions ${project.versions.map((v) => `${v.version} (run ${v.runId.slice(0, 8) || 'none'})`).join(', ')}`,
        hint: 'Only `gate` moves the alias, and only to the candidate it compared.',
      });
    }
    return pass(
      `${ALIAS} -> version ${now}, registered from training run ${version.runId.slice(0, 8)} (version ${project.previousChampion} before it).`,
      {
        figures: { 'mlflow.champion': now },
      },
    );
  },
});

export const m2Checks = [runsAreLogged, versionsAreRegisteredFromRuns, gatePromotesAndRefusesWorse, championIsATrainedVersion];
