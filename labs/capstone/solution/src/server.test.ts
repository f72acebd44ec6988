import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseExposition } from '@mlops-lab/grader/authoring';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuthHeader } from './auth.ts';
import { loadDataset, type Dataset, type FeatureRow } from './data.ts';
import { createServingMetrics } from './metrics-registry.ts';
import { loadTrainedModel, saveTrainedModel, type LoadedModel } from './model-io.ts';
import { DriftMonitor, MONITORED_FEATURES, referenceSample } from './monitor.ts';
import { createServingServer, type ServingServer } from './server.ts';
import { applyShift, parseShift, pickRows, simulate } from './simulate.ts';
import { splitFor, trainModel } from './train.ts';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const creds = { username: 'mlops', password: 'test-password-123' };
const auth = basicAuthHeader(creds);
const WINDOW = 2000;

interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
  text: string;
}

describe('the serving endpoint (a real model on a free port)', () => {
  let root: string;
  let modelDir: string;
  let dataset: Dataset;
  let model: LoadedModel;
  let serving: ServingServer;
  let monitor: DriftMonitor;
  let base: string;
  let testRows: FeatureRow[];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'capstone-serve-'));
    modelDir = join(root, 'model');
    dataset = await loadDataset();
    const trained = await trainModel({ dataset, seed: 42, sampleRows: 3000, hyperparameters: { maxEpochs: 3, patience: 2 } });
    await saveTrainedModel(modelDir, trained);
    trained.model.dispose();
    model = await loadTrainedModel(modelDir);
    const metrics = createServingMetrics();
    monitor = new DriftMonitor(referenceSample(dataset, 5000, 42), metrics, {
      windowRows: WINDOW,
      minRows: WINDOW,
      everyRows: 1_000_000,
      everyMs: 3_600_000,
      minIntervalMs: 0,
    });
    serving = createServingServer({
      model,
      modelVersion: 'test-1',
      credentials: creds,
      metrics,
      monitor,
      maxBodyBytes: 256 * 1024,
      batchMaxWaitMs: 5,
      maxRows: 500,
    });
    base = await serving.listen(0);
    testRows = pickRows(dataset.rows, splitFor(dataset, 42).test, 3 * WINDOW, 1);
  });
  afterAll(async () => {
    await serving?.shutdown(2000);
    model?.model.dispose();
    await rm(root, { recursive: true, force: true });
  });

  async function call(path: string, init: RequestInit = {}): Promise<Answer> {
    const res = await fetch(`${base}${path}`, { redirect: 'manual', signal: AbortSignal.timeout(20_000), ...init });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // /metrics is text
    }
    return { status: res.status, headers: res.headers, json, text };
  }
  const predict = (body: unknown, headers: Record<string, string> = { authorization: auth }) =>
    call('/predict', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const rowsOf = (rows: FeatureRow[], shift = '') => rows.map((r) => applyShift(r, parseShift(shift)));

  it('answers /health without auth, and /ready with the model version and data set', async () => {
    expect((await call('/health')).json).toEqual({ status: 'ok' });
    const ready = await call('/ready');
    expect(ready.status).toBe(200);
    expect(ready.json).toMatchObject({ status: 'ready', model_version: 'test-1', dataset_sha256: dataset.sha256 });
  });

  it('answers 401 with WWW-Authenticate for no credentials and wrong ones, 200 for the right ones', async () => {
    const body = { rows: rowsOf(testRows.slice(0, 1)) };
    const none = await predict(body, {});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm="capstone-serving"/);
    expect(none.json.error).toContain('send HTTP Basic credentials');
    expect((await predict(body, { authorization: basicAuthHeader({ ...creds, password: 'wrong-password' }) })).status).toBe(401);
    const ok = await predict(body);
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({
      model_version: 'test-1',
      predictions: [{ label: expect.stringMatching(/^(>50K|<=50K)$/), score: expect.any(Number) }],
    });
  });

  it('answers 422 naming the field, 400 for broken JSON, 415 for another content type, 404 and 405', async () => {
    const [row] = rowsOf(testRows.slice(0, 1));
    const bad = await predict({ rows: [row, { ...row, age: 'forty' }, { ...row, occupation: 7 }] });
    expect(bad.status).toBe(422);
    expect(bad.json.errors).toEqual([
      { field: 'rows[1].age', message: 'expected a number' },
      { field: 'rows[2].occupation', message: 'expected a string or null' },
    ]);
    const broken = await call('/predict', {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: '{"rows": [',
    });
    expect(broken.status).toBe(400);
    expect(broken.json.error).toMatch(/not valid JSON/);
    const form = await call('/predict', { method: 'POST', headers: { authorization: auth, 'content-type': 'text/plain' }, body: 'age=3' });
    expect(form.status).toBe(415);
    expect((await call('/nope')).status).toBe(404);
    const get = await call('/predict', { headers: { authorization: auth } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('answers 413 for a body over the cap, before reading it all', async () => {
    const huge = JSON.stringify({ rows: rowsOf(testRows.slice(0, 1)), pad: 'x'.repeat(400 * 1024) });
    const answer = await call('/predict', {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: huge,
    });
    expect(answer.status).toBe(413);
    expect(answer.json.error).toContain('the limit is 262144 bytes');
  });

  it('gives each of many concurrent callers its own predictions, in order, sharing model calls', async () => {
    const before = parseExposition(await (await fetch(`${base}/metrics`)).text()).families.get('capstone_batch_rows');
    const countBefore = before?.samples.find((s) => s.name === 'capstone_batch_rows_count')?.value ?? 0;
    const groups = Array.from({ length: 24 }, (_, i) => rowsOf(testRows.slice(i * 5, i * 5 + 1 + (i % 5))));
    const answers = await Promise.all(groups.map((rows) => predict({ rows })));
    groups.forEach((rows, i) => {
      const expected = model.predict(rows).map((p) => p.label);
      const got = (answers[i]?.json.predictions as { label: string; score: number }[]).map((p) => p.label);
      expect(got).toEqual(expected);
      const scores = (answers[i]?.json.predictions as { score: number }[]).map((p) => p.score);
      expect(scores).toEqual(Array.from(model.scores(rows)));
    });
    const after = parseExposition(await (await fetch(`${base}/metrics`)).text()).families.get('capstone_batch_rows');
    const calls = (after?.samples.find((s) => s.name === 'capstone_batch_rows_count')?.value ?? 0) - countBefore;
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThan(groups.length);
  });

  it('exposes the metric families with their types in valid Prometheus text', async () => {
    const text = (await call('/metrics')).text;
    const exposition = parseExposition(text);
    expect(exposition.problems).toEqual([]);
    const types = Object.fromEntries([...exposition.families.values()].map((f) => [f.name, f.type]));
    expect(types).toMatchObject({
      capstone_http_request_duration_seconds: 'histogram',
      capstone_predictions_total: 'counter',
      capstone_request_errors_total: 'counter',
      capstone_batch_rows: 'histogram',
      capstone_model_info: 'gauge',
      capstone_dataset_drift: 'gauge',
      capstone_drift_window_rows: 'gauge',
    });
    const errors = exposition.families.get('capstone_request_errors_total')?.samples ?? [];
    expect(errors.find((s) => s.labels.reason === 'unauthorized')?.value).toBeGreaterThanOrEqual(2);
    expect(errors.find((s) => s.labels.reason === 'too_large')?.value).toBe(1);
    const predicted = exposition.families.get('capstone_predictions_total')?.samples ?? [];
    expect(predicted.reduce((sum, s) => sum + s.value, 0)).toBeGreaterThan(0);
  });

  async function driftGauges() {
    const exposition = parseExposition((await call('/metrics')).text);
    const family = (name: string) => exposition.families.get(name)?.samples ?? [];
    return {
      dataset: family('capstone_dataset_drift')[0]?.value,
      detected: Object.fromEntries(family('capstone_feature_drift_detected').map((s) => [s.labels.feature, s.value])),
      score: Object.fromEntries(family('capstone_feature_drift_score').map((s) => [s.labels.feature, s.value])),
      threshold: Object.fromEntries(family('capstone_feature_drift_threshold').map((s) => [s.labels.feature, s.value])),
      methods: Object.fromEntries(family('capstone_feature_drift_score').map((s) => [s.labels.feature, s.labels.method])),
    };
  }

  async function sendWindow(rows: ReturnType<typeof rowsOf>): Promise<void> {
    for (let at = 0; at < rows.length; at += 250) expect((await predict({ rows: rows.slice(at, at + 250) })).status).toBe(200);
    monitor.compute();
  }

  it('keeps every drift gauge below its threshold on clean test-split traffic', async () => {
    await sendWindow(rowsOf(testRows.slice(0, WINDOW)));
    const g = await driftGauges();
    expect(Object.keys(g.detected).sort()).toEqual([...MONITORED_FEATURES].sort());
    expect(g.methods.age).toBe('wasserstein');
    expect(g.methods.sex).toBe('jensenshannon');
    for (const feature of MONITORED_FEATURES) expect(g.score[feature], feature).toBeLessThan(g.threshold[feature] as number);
    expect(Object.values(g.detected).every((v) => v === 0)).toBe(true);
    expect(g.dataset).toBe(0);
  });

  it('raises the shifted features above their thresholds, and the dataset drift gauge when most features shift', async () => {
    await sendWindow(rowsOf(testRows.slice(WINDOW, 2 * WINDOW), 'age=+15,hours_per_week=*0.6'));
    const some = await driftGauges();
    expect(some.detected).toMatchObject({ age: 1, hours_per_week: 1, sex: 0, education: 0 });
    expect(some.score.age).toBeGreaterThan(some.threshold.age as number);
    expect(some.dataset).toBe(0);

    await sendWindow(
      rowsOf(
        testRows.slice(2 * WINDOW, 3 * WINDOW),
        'age=+15,hours_per_week=*0.6,education_num=-3,sex=Female,race=Black,relationship=Wife,marital_status=Married-civ-spouse',
      ),
    );
    const most = await driftGauges();
    expect(most.dataset).toBe(1);
  });
  it('simulate sends shifted test rows with the credentials, and stops at once on a refused login', async () => {
    const summary = await simulate({ url: base, credentials: creds, shifts: parseShift('age=+15'), rows: 300, rate: 100_000, batch: 50 });
    expect(summary).toMatchObject({ sentRows: 300, requests: 6, okRequests: 6, failedRequests: 0, shift: 'age=+15' });
    expect(summary.predicted['>50K'] + summary.predicted['<=50K']).toBe(300);
    const refused = await simulate({
      url: base,
      credentials: { ...creds, password: 'not-the-password' },
      shifts: [],
      rows: 300,
      rate: 100_000,
      batch: 50,
    });
    expect(refused.requests).toBe(1);
    expect(refused.stoppedBecause).toContain('refused the credentials (401)');
  });
});

describe('cli.ts serve', () => {
  let root: string;
  let modelDir: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'capstone-serve-cli-'));
    modelDir = join(root, 'model');
    const trained = await trainModel({ seed: 7, sampleRows: 2000, hyperparameters: { maxEpochs: 2, patience: 1 } });
    await saveTrainedModel(modelDir, trained);
    trained.model.dispose();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  function start(env: Record<string, string>) {
    const child = spawn(process.execPath, [CLI, 'serve', '--model', modelDir, '--port', '0'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const listening = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening" line in 60 s: ${stderr}`)), 60_000);
      child.stderr.on('data', () => {
        const match = /"msg":"listening","url":"([^"]+)"/.exec(stderr);
        if (match) {
          clearTimeout(timer);
          resolve(match[1] as string);
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`exited before listening: ${stderr}`));
      });
    });
    // A server that refuses to start never listens: that rejection is expected there, not unhandled.
    listening.catch(() => undefined);
    return { child, exited, listening, stderr: () => stderr };
  }

  it('refuses to start without SERVING_PASSWORD, saying which variable to set', async () => {
    const server = start({ SERVING_USERNAME: 'mlops' });
    expect(await server.exited).toBe(2);
    expect(server.stderr()).toContain('SERVING_PASSWORD is not set: the server has no default password');
  });

  it('answers a request in flight when SIGTERM arrives, then exits 0', async () => {
    const server = start({ SERVING_USERNAME: creds.username, SERVING_PASSWORD: creds.password });
    try {
      const url = new URL(await server.listening);
      const dataset = await loadDataset();
      const body = JSON.stringify({ rows: [applyShift(dataset.rows[0] as FeatureRow, [])] });
      const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            path: '/predict',
            method: 'POST',
            headers: { authorization: auth, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', reject);
        // Half the body now, SIGTERM, then the rest: the request is in flight when the signal arrives.
        req.write(body.slice(0, 10));
        setTimeout(() => {
          server.child.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(10)), 300);
        }, 200);
      });
      const result = await answer;
      expect(result.status).toBe(200);
      expect(JSON.parse(result.body).predictions).toHaveLength(1);
      expect(await server.exited).toBe(0);
      expect(server.stderr()).toContain('"msg":"stopped"');
    } finally {
      server.child.kill('SIGKILL');
    }
  });
});
