/**
 * The MLflow client against a real MLflow tracking server (the venv's, from
 * `npm run setup:tools`): a SQLite backend and an artifact root in a temp dir,
 * filled by MLflow's own Python client (__fixtures__/mlflow-server/populate.py)
 * the way a learner's training script would. Every assertion compares what the
 * TypeScript client reads with what Python wrote.
 *
 * Skipped without mlflow; a failure under MLOPS_LAB_REQUIRE_ALL=1.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HttpEvidence, type HttpRequest, type HttpResponse } from './http.ts';
import { MlflowEvidence, MlflowNotFoundError, collect, ifExists } from './mlflow.ts';
import { describeWithTool, probes, toolGate } from '../../test-support/tools.ts';
import { pythonBeside, runPython, startMlflowServer, type MlflowServer } from '../../test-support/mlflow-server.ts';

const mlflowGate = await toolGate('mlflow', probes.venvTool('mlflow'));

/** Bulk runs for pagination: enough for several pages, few enough to log in seconds. */
const BULK = 300;

/** What populate.py wrote. */
interface Written {
  sweep_experiment_id: string;
  runs: { run_id: string; run_name: string; params: Record<string, string>; accuracy: number; losses: number[]; model_id: string }[];
  model_name: string;
  versions: { version: string; run_id: string; model_id: string; source: string }[];
  champion: string;
  challenger: string;
  bulk_experiment_id: string;
  bulk_runs: number;
  edge_experiment_id: string;
  edge_run_id: string;
}

/** Counts requests, to see pagination happen. */
class CountingHttp extends HttpEvidence {
  readonly urls: string[] = [];
  override request(url: string, req?: HttpRequest): Promise<HttpResponse> {
    this.urls.push(url);
    return super.request(url, req);
  }
}

describeWithTool(mlflowGate, 'MlflowEvidence against a real MLflow server', () => {
  let server: MlflowServer;
  let written: Written;
  let mlflow: MlflowEvidence;

  beforeAll(async () => {
    server = await startMlflowServer({ mlflow: mlflowGate.detail! });
    const out = join(server.dir, 'written.json');
    const python = await pythonBeside(mlflowGate.detail!);
    const populate = await runPython(
      python,
      [join(import.meta.dirname, '__fixtures__/mlflow-server/populate.py'), server.uri, String(BULK), out],
      {
        cwd: server.dir,
        env: { ...process.env, MLFLOW_TRACKING_URI: server.uri, GIT_PYTHON_REFRESH: 'quiet' },
      },
    );
    written = JSON.parse(await readFile(out, 'utf8')) as Written;
    console.info(`[mlflow] server ${server.uri} answered /health after ${server.startMs} ms; populate.py took ${populate.durationMs} ms`);
    mlflow = new MlflowEvidence({ env: { MLFLOW_TRACKING_URI: server.uri } });
    // A cold start and 600 writes on a busy 2-core machine: up to 180 s + 240 s.
  }, 450_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('pings the server: MLflow 3, a database backend (SqlStore)', async () => {
    const { version, major } = await mlflow.ping();
    expect(version).toMatch(/^3\.\d+\.\d+/);
    expect(major).toBe(3);
    expect(await mlflow.serverInfo()).toMatchObject({ storeType: 'SqlStore' });
  });

  it('reads experiments by name and id, with tags and the artifact root', async () => {
    const sweep = await mlflow.getExperimentByName('sweep');
    expect(sweep).toMatchObject({
      experimentId: written.sweep_experiment_id,
      name: 'sweep',
      lifecycleStage: 'active',
      tags: { team: 'h6' },
    });
    expect(sweep.artifactLocation).toBe(join(server.artifactRoot, written.sweep_experiment_id));
    expect((await mlflow.getExperiment('0')).name).toBe('Default');
    const names = (await collect(mlflow.experiments({ orderBy: ['name ASC'] }, { pageSize: 2 }))).map((e) => e.name);
    expect(names).toEqual(['Default', 'bulk', 'edge', 'sweep']);
    const missing = await mlflow.getExperimentByName('Sweep').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(MlflowNotFoundError);
    expect((missing as MlflowNotFoundError).message).toBe(
      `MLflow has no experiment named "Sweep" (Could not find experiment with name 'Sweep').`,
    );
  });

  it('reads each sweep run exactly as Python logged it: params, latest metrics, tags, status, logged-model output', async () => {
    for (const w of written.runs) {
      const run = await mlflow.getRun(w.run_id);
      expect(run).toMatchObject({
        runId: w.run_id,
        runName: w.run_name,
        experimentId: written.sweep_experiment_id,
        status: 'FINISHED',
        lifecycleStage: 'active',
        params: w.params,
        modelOutputs: [{ modelId: w.model_id, step: 0 }],
      });
      expect(run.metrics.accuracy?.value).toBe(w.accuracy);
      expect(run.metrics.loss).toMatchObject({ value: w.losses.at(-1), step: w.losses.length - 1 });
      expect(run.tags).toMatchObject({ model_family: 'logistic-regression', 'mlflow.runName': w.run_name });
      expect(run.artifactUri).toBe(join(server.artifactRoot, written.sweep_experiment_id, w.run_id, 'artifacts'));
      expect(run.endTime).toBeGreaterThanOrEqual(run.startTime!);
    }
  });

  it('reads a metric history step by step', async () => {
    const w = written.runs[0]!;
    const history = await mlflow.metricHistory(w.run_id, 'loss');
    expect(history.map((m) => [m.step, m.value])).toEqual(w.losses.map((loss, step) => [step, loss]));
    expect(await mlflow.metricHistory(w.run_id, 'no-such-metric')).toEqual([]);
    // The SQL store pages metric history: 5 points in pages of 2 are 3 requests.
    const http = new CountingHttp();
    const paged = await new MlflowEvidence({ trackingUri: server.uri, http }).metricHistory(w.run_id, 'loss', { pageSize: 2 });
    expect(paged.map((m) => m.value)).toEqual(w.losses);
    expect(http.urls).toHaveLength(3);
  });

  it('lists a run’s artifacts, a folder at a time', async () => {
    const w = written.runs[1]!;
    const root = await mlflow.listArtifacts(w.run_id);
    expect(root.rootUri).toBe(join(server.artifactRoot, written.sweep_experiment_id, w.run_id, 'artifacts'));
    expect(root.files).toEqual([
      { path: 'confusion_matrix.txt', isDir: false, size: 'stand-in confusion matrix\n'.length },
      { path: 'reports', isDir: true },
    ]);
    const reports = await mlflow.listArtifacts(w.run_id, 'reports');
    expect(reports.files).toEqual([
      { path: 'reports/summary.json', isDir: false, size: JSON.stringify({ accuracy: w.accuracy }).length + 1 },
    ]);
    expect((await mlflow.listArtifacts(w.run_id, 'nothing-here')).files).toEqual([]);
  });

  it('finds the best run of the sweep with order_by, and filters on params', async () => {
    const best = [...written.runs].sort((a, b) => b.accuracy - a.accuracy)[0]!;
    const page = await mlflow.searchRuns(
      { experimentIds: [written.sweep_experiment_id], orderBy: ['metrics.accuracy DESC'] },
      { pageSize: 1 },
    );
    expect(page.items.map((r) => r.runId)).toEqual([best.run_id]);
    expect(page.nextPageToken).toBeTruthy();
    const filtered = await collect(mlflow.runs({ experimentIds: [written.sweep_experiment_id], filter: "params.C = '0.1'" }));
    expect(filtered.map((r) => r.runName)).toEqual(['logreg-C0.1']);
  });

  it(`pages through all ${BULK} bulk runs, one request per page`, async () => {
    const http = new CountingHttp();
    const counted = new MlflowEvidence({ trackingUri: server.uri, http });
    const runs = await collect(
      counted.runs({ experimentIds: [written.bulk_experiment_id], orderBy: ['metrics.score ASC'] }, { pageSize: 40 }),
    );
    expect(runs).toHaveLength(written.bulk_runs);
    expect(runs.map((r) => r.params.i)).toEqual(Array.from({ length: BULK }, (_, i) => String(i)));
    expect(runs.every((r) => r.tags.kind === 'bulk' && r.metrics.score?.value === Number(r.params.i))).toBe(true);
    expect(http.urls).toHaveLength(Math.ceil(BULK / 40));
    const top = await collect(
      counted.runs({
        experimentIds: [written.bulk_experiment_id],
        filter: `metrics.score >= ${BULK - 5}`,
        orderBy: ['metrics.score DESC'],
      }),
    );
    expect(top.map((r) => r.runName)).toEqual([1, 2, 3, 4, 5].map((k) => `bulk-${BULK - k}`));
  });

  it('errors with MLFLOW_TOO_MANY_RESULTS past the limit instead of grading a cut list', async () => {
    const error = await collect(mlflow.runs({ experimentIds: [written.bulk_experiment_id] }, { pageSize: 100, limit: BULK - 50 })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 'MLFLOW_TOO_MANY_RESULTS',
      message: `More than ${BULK - 50} runs match; the grader reads at most ${BULK - 50}.`,
    });
  });

  it('passes MLflow’s own message on for a bad filter', async () => {
    const error = await mlflow
      .searchRuns({ experimentIds: [written.bulk_experiment_id], filter: 'metrics.score >>> 3' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MLFLOW_REQUEST_REJECTED', errorCode: 'INVALID_PARAMETER_VALUE', status: 400 });
    expect((error as Error).message).toContain("Invalid comparator '>>>'");
  });

  it('reads NaN and +inf metrics of a diverged run', async () => {
    const run = await mlflow.getRun(written.edge_run_id);
    expect(run.status).toBe('FAILED');
    expect(run.metrics.loss?.value).toBeNaN();
    // MLflow stores +inf as the largest double.
    expect(run.metrics.grad_norm?.value).toBeGreaterThan(1e308);
  });

  it('reads the registered model: description, tags, aliases', async () => {
    const model = await mlflow.getRegisteredModel(written.model_name);
    expect(model).toMatchObject({
      name: 'iris-classifier',
      description: 'iris, logistic regression',
      tags: { owner: 'h6' },
      aliases: { champion: written.champion, challenger: written.challenger },
    });
    const all = await collect(mlflow.registeredModels({ filter: "name LIKE 'iris%'" }));
    expect(all.map((m) => m.name)).toEqual(['iris-classifier']);
    await expect(mlflow.getRegisteredModel('Iris-Classifier')).rejects.toMatchObject({
      code: 'MLFLOW_NOT_FOUND',
      resource: 'registered model named "Iris-Classifier"',
    });
  });

  it('reads the champion by alias: the best run’s version, its validation tag, its logged model', async () => {
    const champion = await mlflow.getModelVersionByAlias(written.model_name, 'champion');
    const w = written.versions.find((v) => v.version === written.champion)!;
    expect(champion).toMatchObject({
      name: written.model_name,
      version: written.champion,
      runId: w.run_id,
      source: w.source,
      modelId: w.model_id,
      status: 'READY',
      aliases: ['champion'],
      tags: { validation_status: 'passed' },
    });
    const best = [...written.runs].sort((a, b) => b.accuracy - a.accuracy)[0]!;
    expect(champion.runId).toBe(best.run_id);
    expect(await ifExists(mlflow.getModelVersionByAlias(written.model_name, 'production'))).toBeUndefined();
    const error = await mlflow.getModelVersionByAlias(written.model_name, 'production').catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'MLFLOW_NOT_FOUND',
      errorCode: 'INVALID_PARAMETER_VALUE',
      resource: `alias "production" on registered model "${written.model_name}"`,
    });
  });

  it('reads model versions one by one and by search', async () => {
    const challenger = await mlflow.getModelVersion(written.model_name, written.challenger);
    expect(challenger).toMatchObject({ aliases: ['challenger'], tags: {} });
    const versions = await collect(
      mlflow.modelVersions({ filter: `name = '${written.model_name}'`, orderBy: ['version_number ASC'] }, { pageSize: 2 }),
    );
    expect(versions.map((v) => [v.version, v.runId, v.modelId])).toEqual(written.versions.map((v) => [v.version, v.run_id, v.model_id]));
    const validated = await collect(
      mlflow.modelVersions({ filter: `name = '${written.model_name}' and tags.validation_status = 'passed'` }),
    );
    expect(validated.map((v) => v.version)).toEqual([written.champion]);
    await expect(mlflow.getModelVersion(written.model_name, 99)).rejects.toBeInstanceOf(MlflowNotFoundError);
  });

  it('reads MLflow 3 logged models: get by id and search an experiment', async () => {
    const w = written.runs[2]!;
    const model = await mlflow.getLoggedModel(w.model_id);
    expect(model).toMatchObject({
      modelId: w.model_id,
      experimentId: written.sweep_experiment_id,
      name: 'model',
      sourceRunId: w.run_id,
      status: 'LOGGED_MODEL_READY',
      params: { C: w.params.C },
    });
    expect(model.artifactUri).toContain(w.model_id);
    expect(model.metrics.find((m) => m.key === 'accuracy')).toMatchObject({ value: w.accuracy, runId: w.run_id, modelId: w.model_id });
    const all = await collect(mlflow.loggedModels({ experimentIds: [written.sweep_experiment_id] }, { pageSize: 2 }));
    expect(all.map((m) => m.modelId).sort()).toEqual(written.runs.map((r) => r.model_id).sort());
    const best = await mlflow.searchLoggedModels(
      { experimentIds: [written.sweep_experiment_id], orderBy: [{ field: 'metrics.accuracy', ascending: false }] },
      { pageSize: 1 },
    );
    expect(best.items[0]?.modelId).toBe([...written.runs].sort((a, b) => b.accuracy - a.accuracy)[0]!.model_id);
    await expect(mlflow.getLoggedModel('m-0000')).rejects.toMatchObject({ code: 'MLFLOW_NOT_FOUND' });
  });

  it('errors with NOT_MLFLOW for a tracking URI with a wrong path on the same server', async () => {
    const wrong = new MlflowEvidence({ env: { MLFLOW_TRACKING_URI: `${server.uri}/mlflow` } });
    const error = await wrong.getExperimentByName('sweep').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NOT_MLFLOW' });
    expect((error as Error).message).toContain(
      `MLFLOW_TRACKING_URI points at ${server.uri}/mlflow, but what answers there is not an MLflow tracking server`,
    );
  });
});
