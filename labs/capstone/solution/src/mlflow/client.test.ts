/**
 * The MLflow client against a real tracking server (the venv's `mlflow
 * server`: SQLite, artifacts in a temp dir). The server's default artifact
 * root is a path, so the default experiment's runs keep artifacts on disk;
 * a second experiment is created with an `mlflow-artifacts:/` location, so
 * its runs go through the server's artifact proxy. Both kinds are written
 * and read back. Skipped without mlflow; a failure under MLOPS_LAB_REQUIRE_ALL=1.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startMlflowServer, type MlflowServer } from '../../../../../grader/test-support/mlflow-server.ts';
import { describeWithTool, probes, toolGate } from '../../../../../grader/test-support/tools.ts';
import { MlflowClient, MlflowError, localPath, proxiedPath } from './client.ts';
import { ModelUriError, formatModelUri, parseModelUri } from './model-uri.ts';

const mlflowGate = await toolGate('mlflow', probes.venvTool('mlflow'));

describe('parseModelUri', () => {
  it('returns the name and alias of models:/NAME@ALIAS, and the version of models:/NAME/VERSION', () => {
    expect(parseModelUri('models:/adult-income@champion')).toEqual({ name: 'adult-income', alias: 'champion' });
    expect(parseModelUri('models:/adult-income/3')).toEqual({ name: 'adult-income', version: '3' });
    expect(formatModelUri(parseModelUri('models:/a@b'))).toBe('models:/a@b');
  });

  it('errors with both accepted forms when the URI is something else', () => {
    for (const bad of ['adult-income', 'models:/adult-income', 'runs:/abc/model', 'models:/x@', 'models:/x/latest']) {
      expect(() => parseModelUri(bad)).toThrow(ModelUriError);
    }
    expect(() => parseModelUri('x')).toThrow(/models:\/NAME@ALIAS .* or models:\/NAME\/VERSION/);
  });
});

describe('artifact roots', () => {
  it('returns the proxy path of mlflow-artifacts roots and the local path of paths and file: URIs', () => {
    expect(proxiedPath('mlflow-artifacts:/1/abc/artifacts')).toBe('1/abc/artifacts');
    expect(proxiedPath('mlflow-artifacts://host:5000/1/abc/artifacts')).toBe('1/abc/artifacts');
    expect(proxiedPath('/srv/mlflow/1/abc/artifacts')).toBeUndefined();
    expect(localPath('/srv/mlflow/1/abc/artifacts')).toBe('/srv/mlflow/1/abc/artifacts');
    expect(localPath('file:///srv/mlflow/1')).toBe('/srv/mlflow/1');
    expect(localPath('s3://bucket/1')).toBeUndefined();
  });
});

describe('MlflowClient construction', () => {
  it('returns no client when MLFLOW_TRACKING_URI is unset, and errors on a non-http URI with the command that starts a server', () => {
    expect(MlflowClient.fromEnv({})).toBeUndefined();
    expect(() => MlflowClient.fromEnv({ MLFLOW_TRACKING_URI: 'sqlite:///mlflow.db' })).toThrow(
      /not an http\(s\) tracking server.*mlflow server/,
    );
    expect(() => new MlflowClient({ trackingUri: 'not a url' })).toThrow(MlflowError);
  });

  it('errors with MLFLOW_UNREACHABLE and the URI when nothing listens there', async () => {
    const port = await freePort();
    const client = new MlflowClient({ trackingUri: `http://127.0.0.1:${port}`, timeoutMs: 5000 });
    const error = await client.getExperimentByName('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowError);
    expect((error as MlflowError).code).toBe('MLFLOW_UNREACHABLE');
    expect((error as MlflowError).message).toContain(`http://127.0.0.1:${port}`);
  });
});

describeWithTool(mlflowGate, 'MlflowClient against a real MLflow server', () => {
  let server: MlflowServer;
  let client: MlflowClient;
  beforeAll(async () => {
    server = await startMlflowServer({ mlflow: mlflowGate.detail! });
    client = new MlflowClient({ trackingUri: `${server.uri}/` });
  });
  afterAll(() => server?.stop());

  it('returns undefined for a missing experiment, creates it once, and finds it by name', async () => {
    expect(await client.getExperimentByName('capstone-client')).toBeUndefined();
    const id = await client.ensureExperiment('capstone-client');
    expect(await client.ensureExperiment('capstone-client')).toBe(id);
    const found = await client.getExperimentByName('capstone-client');
    expect(found).toMatchObject({ experimentId: id, name: 'capstone-client', lifecycleStage: 'active' });
    expect(found?.artifactLocation.startsWith(server.artifactRoot)).toBe(true);
  });

  it('logs params, metrics (with steps) and tags in a run, ends it, and reads them back', async () => {
    const experimentId = await client.ensureExperiment('capstone-runs');
    const run = await client.createRun(experimentId, { runName: 'r1', tags: { team: 'mlops' } });
    expect(run.status).toBe('RUNNING');
    await client.logBatch(run.runId, {
      params: { seed: '42', layers: '64,32' },
      metrics: [
        { key: 'f1', value: 0.71 },
        { key: 'loss', value: 0.5, step: 1 },
        { key: 'loss', value: 0.4, step: 2 },
      ],
      tags: { stage: 'test' },
    });
    await client.updateRun(run.runId, 'FINISHED');
    const read = await client.getRun(run.runId);
    expect(read).toMatchObject({ runId: run.runId, runName: 'r1', status: 'FINISHED', params: { seed: '42', layers: '64,32' } });
    expect(read.metrics).toEqual({ f1: 0.71, loss: 0.4 });
    expect(read.tags).toMatchObject({ team: 'mlops', stage: 'test' });
    await expect(client.logBatch(run.runId, { metrics: [{ key: 'bad', value: Number.NaN }] })).rejects.toThrow(/metric bad is NaN/);
  });

  it('uploads artifacts to a path root (written to disk) and to a proxied root (through the server), lists and downloads both', async () => {
    const onDisk = await client.createRun(await client.ensureExperiment('capstone-disk'));
    const proxiedId = await client.createExperiment('capstone-proxied', { artifactLocation: 'mlflow-artifacts:/capstone-proxied' });
    const proxied = await client.createRun(proxiedId);
    expect(proxied.artifactUri).toBe(`mlflow-artifacts:/capstone-proxied/${proxied.runId}/artifacts`);
    const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256);
    for (const run of [onDisk, proxied]) {
      await client.uploadArtifact(run, 'model/weights.bin', bytes);
      await client.uploadArtifact(run, 'model/model.json', Buffer.from('{"a":1}'));
      await client.uploadArtifact(run, 'metrics.json', Buffer.from('{}'));
      const top = await client.listArtifacts(run.runId);
      expect(top.map((f) => [f.path, f.isDir])).toEqual([
        ['metrics.json', false],
        ['model', true],
      ]);
      const model = await client.listArtifacts(run.runId, 'model');
      expect(model.map((f) => [f.path, f.size])).toEqual([
        ['model/model.json', 7],
        ['model/weights.bin', 70_000],
      ]);
      expect(Buffer.compare(await client.downloadArtifact(run, 'model/weights.bin'), Buffer.from(bytes))).toBe(0);
      expect((await client.downloadArtifact(run, 'model/model.json')).toString()).toBe('{"a":1}');
    }
    // The path root was written where the server reads it; the proxied one under the server's artifacts destination.
    await access(join(onDisk.artifactUri, 'model', 'weights.bin'));
    await access(join(server.dir, 'mlartifacts', 'capstone-proxied', proxied.runId, 'artifacts', 'model', 'weights.bin'));
    await expect(client.uploadArtifact(onDisk, '../escape.txt', bytes)).rejects.toThrow(/must be relative/);
    await expect(client.downloadArtifact(proxied, 'model/missing.bin')).rejects.toThrow(MlflowError);
  });

  it('registers versions from runs, moves, reads and deletes an alias, tags versions and models, and finds the newest version', async () => {
    const experimentId = await client.ensureExperiment('capstone-registry');
    expect(await client.getRegisteredModel('income')).toBeUndefined();
    await client.ensureRegisteredModel('income', { description: 'test' });
    await client.ensureRegisteredModel('income');
    expect(await client.latestModelVersion('income')).toBeUndefined();
    const versions = [];
    for (let i = 0; i < 3; i++) {
      const run = await client.createRun(experimentId);
      versions.push(await client.createModelVersion('income', `${run.artifactUri}/model`, run.runId, { tags: { i: String(i) } }));
    }
    expect(versions.map((v) => v.version)).toEqual(['1', '2', '3']);
    expect(versions[0]).toMatchObject({ name: 'income', status: 'READY', tags: { i: '0' } });
    expect((await client.latestModelVersion('income'))?.version).toBe('3');

    expect(await client.getModelVersionByAlias('income', 'champion')).toBeUndefined();
    await client.setAlias('income', 'champion', '2');
    expect((await client.getModelVersionByAlias('income', 'champion'))?.version).toBe('2');
    await client.setAlias('income', 'champion', '1');
    const champion = await client.getModelVersionByAlias('income', 'champion');
    expect(champion).toMatchObject({ version: '1', aliases: ['champion'], runId: versions[0]?.runId });
    expect((await client.getRegisteredModel('income'))?.aliases).toEqual({ champion: '1' });
    await client.deleteAlias('income', 'champion');
    expect(await client.getModelVersionByAlias('income', 'champion')).toBeUndefined();

    await client.setModelVersionTag('income', '2', 'previous_champion', '1');
    expect((await client.getModelVersion('income', '2'))?.tags).toEqual({ i: '1', previous_champion: '1' });
    await client.setRegisteredModelTag('income', 'owner', 'capstone');
    expect((await client.getRegisteredModel('income'))?.tags).toEqual({ owner: 'capstone' });
    expect(await client.getModelVersion('income', '99')).toBeUndefined();
    expect(await client.getModelVersion('no-such-model', '1')).toBeUndefined();
  });

  it('errors with MLflow’s own error code when a request is refused', async () => {
    const error = await client.setAlias('no-such-model', 'champion', '1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowError);
    expect(error).toMatchObject({ code: 'MLFLOW_REQUEST_REJECTED', apiCode: 'RESOURCE_DOES_NOT_EXIST' });
    expect((error as Error).message).toContain('alias champion of "no-such-model"');
  });
});
