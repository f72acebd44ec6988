/**
 * The Procfile commands end to end, as real processes against a real MLflow
 * server, in the order the capstone grader drives them: train twice with one
 * seed (same metrics, two registered versions), gate (promote, refuse a worse
 * candidate, promote an equal one), serve the champion from the registry,
 * rollback (champion back, `kubectl rollout undo` invoked), serve again.
 *
 * kubectl: this machine has no cluster, so `rollback` runs a recording
 * stand-in (KUBECTL) that writes its argv, as the grader's own kubectl does
 * when no cluster is configured; one test runs the real kubectl against an
 * unreachable cluster to see the failure reported.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer as createNetServer, connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, pythonBeside, runPython, startMlflowServer, type MlflowServer } from '../../../../grader/test-support/mlflow-server.ts';
import { describeWithTool, probes, toolGate } from '../../../../grader/test-support/tools.ts';
import { MlflowClient } from './mlflow/client.ts';
import { metricsFileSchema } from './tracking.ts';

const mlflowGate = await toolGate('mlflow', probes.venvTool('mlflow'));
const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const SAMPLE = '2500';
const PASSWORD = 'flow-test-password';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string>, timeoutMs = 180_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 4 * 1024 * 1024,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

/** `web` as the grader starts it: `node src/cli.ts serve` with PORT and MODEL_URI from the environment only. */
async function startWeb(
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess; output: () => string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      SERVING_USERNAME: 'flow',
      SERVING_PASSWORD: PASSWORD,
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`serve did not become ready:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) break;
      await response.body?.cancel();
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, child, output: () => output, stop };
}

const ROW = {
  age: 39,
  workclass: 'State-gov',
  education: 'Bachelors',
  education_num: 13,
  marital_status: 'Never-married',
  occupation: 'Adm-clerical',
  relationship: 'Not-in-family',
  race: 'White',
  sex: 'Male',
  capital_gain: 2174,
  capital_loss: 0,
  hours_per_week: 40,
  native_country: 'United-States',
};

describeWithTool(mlflowGate, 'train, gate, serve and rollback against a real MLflow server', () => {
  let server: MlflowServer;
  let client: MlflowClient;
  let root: string;
  let env: Record<string, string>;
  const trained: { stdout: Record<string, unknown>; metrics: string }[] = [];

  beforeAll(async () => {
    [server, root] = await Promise.all([startMlflowServer({ mlflow: mlflowGate.detail! }), mkdtemp(join(tmpdir(), 'capstone-flow-'))]);
    client = new MlflowClient({ trackingUri: server.uri });
    env = { MLFLOW_TRACKING_URI: server.uri, MODEL_CACHE_DIR: join(root, 'cache') };
  });
  afterAll(async () => {
    await server?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('trains twice with SEED and OUTPUT_DIR from the environment: identical metrics.json, one run each with params, metrics and the model files, two versions', async () => {
    for (const name of ['a', 'b']) {
      const run = await runCli(['train', '--sample', SAMPLE, '--quiet'], { ...env, SEED: '7', OUTPUT_DIR: join(root, name) });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      trained.push({
        stdout: JSON.parse(run.stdout) as Record<string, unknown>,
        metrics: await readFile(join(root, name, 'metrics.json'), 'utf8'),
      });
    }
    const [a, b] = trained as [(typeof trained)[0], (typeof trained)[0]];
    expect(a.metrics).toBe(b.metrics);
    const metrics = metricsFileSchema.parse(JSON.parse(a.metrics));
    expect(metrics).toMatchObject({ seed: 7, rows: { train: 1750, validation: 375, test: 375 } });
    expect(metrics.f1).toBeGreaterThan(0.5);
    expect(Object.keys(JSON.parse(a.metrics) as object).sort()).toEqual([
      'dataset_sha256',
      'f1',
      'precision',
      'recall',
      'roc_auc',
      'rows',
      'seed',
    ]);
    expect((await readdir(join(root, 'a', 'model'))).sort()).toEqual([
      'drift-reference.json',
      'encoding.json',
      'manifest.json',
      'model.json',
      'weights.bin',
    ]);

    const mlflowOf = (t: (typeof trained)[0]) => t.stdout.mlflow as { run_id: string; model_version: string; experiment_id: string };
    expect([mlflowOf(a).model_version, mlflowOf(b).model_version]).toEqual(['1', '2']);
    const experiment = await client.getExperimentByName('capstone');
    expect(experiment?.experimentId).toBe(mlflowOf(a).experiment_id);
    const logged = await client.getRun(mlflowOf(a).run_id);
    expect(logged.status).toBe('FINISHED');
    expect(logged.params).toMatchObject({ seed: '7', sample_rows: SAMPLE, hidden_units: '64,32', dataset_sha256: metrics.dataset_sha256 });
    expect(logged.metrics.f1).toBe(metrics.f1);
    expect(logged.metrics.roc_auc).toBe(metrics.roc_auc);
    for (const key of ['precision', 'recall', 'val_f1', 'val_roc_auc', 'threshold']) expect(logged.metrics[key], key).toBeTypeOf('number');
    expect((await client.listArtifacts(logged.runId, 'model')).map((f) => f.path)).toEqual([
      'model/drift-reference.json',
      'model/encoding.json',
      'model/manifest.json',
      'model/model.json',
      'model/weights.bin',
    ]);
    const version = await client.getModelVersion('adult-income', '1');
    expect(version).toMatchObject({ runId: logged.runId, source: `${logged.artifactUri}/model`, status: 'READY' });
  }, 300_000);

  it('registers versions MLflow’s own Python client can download', async () => {
    const script = join(root, 'download.py');
    await writeFile(
      script,
      'import os, sys, mlflow\npath = mlflow.artifacts.download_artifacts(artifact_uri="models:/adult-income/1", dst_path=sys.argv[1])\nprint(",".join(sorted(os.listdir(path))))\n',
    );
    const result = await runPython(await pythonBeside(mlflowGate.detail!), [script, join(root, 'py-download')], {
      env: { ...process.env, MLFLOW_TRACKING_URI: server.uri },
    });
    expect(result.stdout.trim().split('\n').at(-1)).toBe('drift-reference.json,encoding.json,manifest.json,model.json,weights.bin');
  }, 120_000);

  it('gate promotes the first version, refuses a worse candidate (exit 1, champion unchanged), then promotes an equal one', async () => {
    const first = await runCli(['gate'], { ...env, CANDIDATE_VERSION: '1' });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('promoted: no champion yet; champion -> version 1');
    expect((await client.getModelVersionByAlias('adult-income', 'champion'))?.version).toBe('1');

    // A worse candidate with metrics only (no artifacts), the way the grader registers one.
    const champion = await client.getRun((await client.getModelVersion('adult-income', '1'))!.runId);
    const worse = await client.createRun(champion.experimentId, { runName: 'worse' });
    await client.logBatch(worse.runId, { metrics: [{ key: 'f1', value: (champion.metrics.f1 as number) - 0.05 }] });
    await client.updateRun(worse.runId, 'FINISHED');
    const v3 = await client.createModelVersion('adult-income', `${worse.artifactUri}/model`, worse.runId);
    expect(v3.version).toBe('3');
    const refused = await runCli(['gate'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/rejected: candidate version 3 has f1 0\.\d{4}, below champion version 1/);
    expect((JSON.parse(refused.stdout) as { outcome: string }).outcome).toBe('rejected');
    expect((await client.getModelVersionByAlias('adult-income', 'champion'))?.version).toBe('1');

    const equal = await runCli(['gate', '--candidate', '2'], env);
    expect(equal.code).toBe(0);
    expect(equal.stderr).toContain('champion -> 2');
    const now = await client.getModelVersionByAlias('adult-income', 'champion');
    expect(now).toMatchObject({ version: '2', tags: { previous_champion: '1' } });

    const bad = await runCli(['gate'], { ...env, CANDIDATE_VERSION: 'two' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('CANDIDATE_VERSION must be a version number');
  }, 120_000);

  it('web serves the champion from the registry with PORT and the default MODEL_URI, and /ready names the version and the drift test', async () => {
    const web = await startWeb(env);
    try {
      const ready = (await (await fetch(`${web.url}/ready`)).json()) as Record<string, unknown>;
      expect(ready).toMatchObject({ model_name: 'adult-income', model_version: '2', model_uri: 'models:/adult-income@champion' });
      expect(ready.drift).toMatchObject({
        threshold: 0.1,
        threshold_kind: 'distance',
        reference_rows: 5000,
        reference_source: 'drift-reference.json',
      });
      expect((ready.drift as { method: string }).method).toContain('wasserstein');
      const predicted = await fetch(`${web.url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`flow:${PASSWORD}`).toString('base64')}` },
        body: JSON.stringify({ rows: [ROW, { ...ROW, age: 52, capital_gain: 15_024 }] }),
      });
      expect(predicted.status).toBe(200);
      const body = (await predicted.json()) as { predictions: { label: string; score: number }[]; model_version: string };
      expect(body.model_version).toBe('2');
      expect(body.predictions).toHaveLength(2);
      expect(web.output()).toContain('"msg":"model downloaded"');
    } finally {
      await web.stop();
    }
  }, 180_000);

  it('web answers /health and a 503 /ready with the reason while MLflow is unreachable, then serves once MLflow answers', async () => {
    // The tracking URI points at a port nothing listens on yet; a forwarder to the real server opens there later.
    const port = await freePort();
    const webPort = await freePort();
    const child = spawn(process.execPath, [CLI, 'serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        SERVING_USERNAME: 'flow',
        SERVING_PASSWORD: PASSWORD,
        PORT: String(webPort),
        MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}`,
        MODEL_CACHE_DIR: join(root, 'cache-late'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const target = new URL(server.uri);
    const forwarder = createNetServer((socket) => {
      const upstream = connect(Number(target.port), target.hostname);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    const get = async (path: string): Promise<{ status: number; json: Record<string, unknown> } | undefined> => {
      try {
        const response = await fetch(`http://127.0.0.1:${webPort}${path}`, { signal: AbortSignal.timeout(2000) });
        return { status: response.status, json: (await response.json()) as Record<string, unknown> };
      } catch {
        return undefined;
      }
    };
    try {
      let ready: Awaited<ReturnType<typeof get>>;
      for (let i = 0; i < 120 && !ready?.json.reason; i++) {
        ready = await get('/ready');
        if (!ready?.json.reason) await new Promise((r) => setTimeout(r, 250));
      }
      expect(ready?.status, output).toBe(503);
      expect(ready?.json).toMatchObject({ status: 'loading' });
      expect(String(ready?.json.reason)).toContain(`nothing answers at MLFLOW_TRACKING_URI=http://127.0.0.1:${port}`);
      expect((await get('/health'))?.status).toBe(200);
      expect(output).toContain('could not fetch the model; trying again');

      await new Promise<void>((resolve) => forwarder.listen(port, '127.0.0.1', resolve));
      for (let i = 0; i < 240 && ready?.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 250));
        ready = await get('/ready');
      }
      expect(ready?.status, output).toBe(200);
      expect(ready?.json).toMatchObject({ model_name: 'adult-income', model_version: '2' });
    } finally {
      child.kill('SIGTERM');
      forwarder.close();
    }
    expect(await exited).toBe(0);
  }, 180_000);

  it('rollback moves champion back to the previous one and runs kubectl rollout undo for the deployment (recording stand-in); the restarted web serves the earlier version', async () => {
    const record = join(root, 'kubectl-argv.json');
    const kubectl = join(root, 'kubectl');
    await writeFile(
      kubectl,
      `#!${process.execPath}\nrequire('node:fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify(process.argv.slice(2)));\nconsole.log('deployment.apps/capstone-web rolled back');\n`,
    );
    await chmod(kubectl, 0o755);
    const run = await runCli(['rollback'], { ...env, KUBE_DEPLOYMENT: 'capstone-web', KUBE_NAMESPACE: 'capstone', KUBECTL: kubectl });
    expect(run.stderr).toContain('champion of "adult-income" moved from version 2 to version 1');
    expect(run.code).toBe(0);
    expect(JSON.parse(await readFile(record, 'utf8'))).toEqual(['rollout', 'undo', 'deployment/capstone-web', '-n', 'capstone']);
    expect(JSON.parse(run.stdout)).toMatchObject({ from: '2', to: '1', kubectl: { code: 0 } });
    expect((await client.getModelVersionByAlias('adult-income', 'champion'))?.version).toBe('1');
    expect((await client.getModelVersion('adult-income', '2'))?.tags.rolled_back_at).toMatch(/^\d{4}-\d\d-\d\dT/);

    const web = await startWeb(env);
    try {
      expect(await (await fetch(`${web.url}/ready`)).json()).toMatchObject({ model_version: '1' });
    } finally {
      await web.stop();
    }
  }, 180_000);

  it('rollback exits 1 and changes nothing when the champion had no predecessor; the gate will not re-promote a rolled-back version', async () => {
    const run = await runCli(['rollback'], { ...env, KUBE_DEPLOYMENT: 'capstone-web', KUBECTL: join(root, 'no-kubectl-should-run') });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('champion version 1 of "adult-income" replaced no earlier champion');
    expect(run.stderr).toContain('nothing was changed');
    expect((await client.getModelVersionByAlias('adult-income', 'champion'))?.version).toBe('1');

    const again = await runCli(['gate', '--candidate', '2'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('version 2 of "adult-income" was rolled back at');
    expect((await client.getModelVersionByAlias('adult-income', 'champion'))?.version).toBe('1');
  }, 60_000);

  it('rollback reports a failed kubectl (real kubectl, unreachable cluster) with exit 1 after moving champion', async () => {
    // Promote 2 again by hand (clearing its rolled-back tag) so there is something to roll back.
    await client.setModelVersionTag('adult-income', '2', 'rolled_back_at', '');
    expect((await runCli(['gate', '--candidate', '2'], env)).code).toBe(0);
    const kubeconfig = join(root, 'kubeconfig');
    await writeFile(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: none\n  cluster:\n    server: https://127.0.0.1:${await freePort()}\ncontexts:\n- name: none\n  context:\n    cluster: none\n    user: none\nusers:\n- name: none\n  user: {}\ncurrent-context: none\n`,
    );
    const run = await runCli(
      ['rollback'],
      { ...env, KUBE_DEPLOYMENT: 'capstone-web', KUBE_NAMESPACE: 'capstone', KUBECONFIG: kubeconfig },
      120_000,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('kubectl rollout undo deployment/capstone-web -n capstone');
    expect(run.stderr).toContain('kubectl rollout undo failed');
    expect((await client.getModelVersionByAlias('adult-income', 'champion'))?.version).toBe('1');
  }, 180_000);

  it('rollback finds the last gate-promoted champion in the model’s champion_history when the alias was moved by hand', async () => {
    expect((await client.getRegisteredModel('adult-income'))?.tags.champion_history).toBe('1');
    await client.setAlias('adult-income', 'champion', '3');
    const run = await runCli(['rollback'], env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ model: 'adult-income', from: '3', to: '1' });
    expect((await client.getModelVersionByAlias('adult-income', 'champion'))?.version).toBe('1');
  }, 60_000);

  it('exits 2 naming MLFLOW_TRACKING_URI when gate or rollback run without it, and 1 naming the alias when serve finds no champion', async () => {
    for (const command of ['gate', 'rollback']) {
      const run = await runCli([command], {});
      expect(run.code, command).toBe(2);
      expect(run.stderr).toContain(`${command} talks to MLflow: set MLFLOW_TRACKING_URI`);
    }
    const missing = await runCli(['serve', '--model-uri', 'models:/adult-income@staging'], {
      ...env,
      SERVING_USERNAME: 'u',
      SERVING_PASSWORD: PASSWORD,
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('"adult-income" has no alias "staging" (aliases: champion)');
  }, 60_000);
});
