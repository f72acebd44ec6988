/**
 * A small typed client of the MLflow tracking server's REST API: just the
 * calls this project makes, each answer checked with zod (./schemas.ts).
 *
 * | method                      | endpoint                                                      |
 * | --------------------------- | ------------------------------------------------------------- |
 * | getExperimentByName         | GET    /api/2.0/mlflow/experiments/get-by-name                |
 * | createExperiment            | POST   /api/2.0/mlflow/experiments/create                     |
 * | createRun / getRun          | POST   /api/2.0/mlflow/runs/create, GET runs/get              |
 * | logBatch                    | POST   /api/2.0/mlflow/runs/log-batch                         |
 * | updateRun                   | POST   /api/2.0/mlflow/runs/update                            |
 * | listArtifacts               | GET    /api/2.0/mlflow/artifacts/list                         |
 * | uploadArtifact              | PUT    /api/2.0/mlflow-artifacts/artifacts/<path> (proxied roots) |
 * | downloadArtifact            | GET    /api/2.0/mlflow-artifacts/artifacts/<path> (proxied roots), GET /get-artifact (others) |
 * | getRegisteredModel / create | GET    /api/2.0/mlflow/registered-models/get, POST …/create   |
 * | setRegisteredModelTag       | POST   /api/2.0/mlflow/registered-models/set-tag              |
 * | createModelVersion          | POST   /api/2.0/mlflow/model-versions/create                  |
 * | getModelVersion             | GET    /api/2.0/mlflow/model-versions/get                     |
 * | latestModelVersion          | GET    /api/2.0/mlflow/model-versions/search                  |
 * | setModelVersionTag          | POST   /api/2.0/mlflow/model-versions/set-tag                 |
 * | setAlias / deleteAlias      | POST / DELETE /api/2.0/mlflow/registered-models/alias         |
 * | getModelVersionByAlias      | GET    /api/2.0/mlflow/registered-models/alias                |
 *
 * Artifacts: a run's artifact root is either `mlflow-artifacts:/<exp>/<run>/artifacts`
 * (the server stores the files itself, `mlflow server` without
 * `--default-artifact-root`), and then files go through the server's
 * artifact proxy; or a path on the server's machine (`--default-artifact-root
 * /some/dir`), and then, as MLflow's own Python client does, the files are
 * written there directly, which works when the server runs on this machine.
 * Downloads go through the server in both cases, so a container can fetch a
 * model from a server whose artifacts live on the server's disk.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { MlflowError } from './errors.ts';
import {
  errorBodySchema,
  responses,
  type ArtifactFile,
  type Experiment,
  type ModelVersion,
  type RegisteredModel,
  type Run,
} from './schemas.ts';

export { MlflowError, type MlflowErrorCode } from './errors.ts';
export type { ArtifactFile, Experiment, ModelVersion, RegisteredModel, Run } from './schemas.ts';

export const TRACKING_URI_ENV = 'MLFLOW_TRACKING_URI';
const START_SERVER = 'mlflow server --backend-store-uri sqlite:///mlflow.db --host 127.0.0.1 --port 5000';

export interface MlflowClientOptions {
  /** The tracking server, e.g. `http://127.0.0.1:5000` (credentials in the URL move to Basic auth). */
  trackingUri: string;
  /** Basic auth (MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD). */
  username?: string;
  password?: string;
  /** Bearer token (MLFLOW_TRACKING_TOKEN), when no username is given. */
  token?: string;
  /** Per request, ms. Default 30 000. */
  timeoutMs?: number;
}

/** A metric point for {@link MlflowClient.logBatch}; `timestamp` defaults to now, `step` to 0. */
export interface MetricPoint {
  key: string;
  value: number;
  step?: number;
  timestamp?: number;
}

type Query = Record<string, string | number | undefined>;

interface Request<S extends z.ZodType> {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Query;
  json?: unknown;
  schema: S;
  /** What is asked for, for messages: `run abc`. */
  what: string;
}

/** Largest artifact this client downloads (the model's weights are about 40 KB). */
const MAX_ARTIFACT_BYTES = 200 * 1024 * 1024;

export class MlflowClient {
  /** The server's base URL without credentials or a trailing slash. */
  readonly trackingUri: string;
  readonly #authorization: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: MlflowClientOptions) {
    let url: URL;
    try {
      url = new URL(options.trackingUri);
    } catch {
      throw new MlflowError(
        'MLFLOW_URI_INVALID',
        `${TRACKING_URI_ENV}=${options.trackingUri} is not a URL; use the tracking server's address, e.g. http://127.0.0.1:5000`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new MlflowError(
        'MLFLOW_URI_INVALID',
        `${TRACKING_URI_ENV}=${options.trackingUri} is not an http(s) tracking server; this project talks to MLflow over REST: start one (${START_SERVER}) and set ${TRACKING_URI_ENV}=http://127.0.0.1:5000`,
      );
    }
    const username = url.username ? decodeURIComponent(url.username) : options.username;
    const password = url.password ? decodeURIComponent(url.password) : options.password;
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    this.trackingUri = url.href.replace(/\/+$/, '');
    if (username || password) this.#authorization = `Basic ${Buffer.from(`${username ?? ''}:${password ?? ''}`).toString('base64')}`;
    else if (options.token) this.#authorization = `Bearer ${options.token}`;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** A client for MLFLOW_TRACKING_URI (with MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN), or undefined when it is unset. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): MlflowClient | undefined {
    const uri = env[TRACKING_URI_ENV]?.trim();
    if (!uri) return undefined;
    return new MlflowClient({
      trackingUri: uri,
      ...(env.MLFLOW_TRACKING_USERNAME ? { username: env.MLFLOW_TRACKING_USERNAME } : {}),
      ...(env.MLFLOW_TRACKING_PASSWORD ? { password: env.MLFLOW_TRACKING_PASSWORD } : {}),
      ...(env.MLFLOW_TRACKING_TOKEN ? { token: env.MLFLOW_TRACKING_TOKEN } : {}),
    });
  }

  // ---------------------------------------------------------------------------
  // Experiments and runs

  /** The experiment, or undefined when none has that name. */
  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    const body = await this.#maybe({
      method: 'GET',
      path: '/api/2.0/mlflow/experiments/get-by-name',
      query: { experiment_name: name },
      schema: responses.experiment,
      what: `experiment "${name}"`,
    });
    return body?.experiment;
  }

  /** Creates an experiment; returns its id. */
  async createExperiment(name: string, options: { artifactLocation?: string } = {}): Promise<string> {
    const body = await this.#request({
      method: 'POST',
      path: '/api/2.0/mlflow/experiments/create',
      json: { name, ...(options.artifactLocation ? { artifact_location: options.artifactLocation } : {}) },
      schema: responses.createExperiment,
      what: `a new experiment "${name}"`,
    });
    return body.experiment_id;
  }

  /** The experiment's id, creating it when it does not exist (a deleted one is refused: restore it or pick another name). */
  async ensureExperiment(name: string): Promise<string> {
    const found = await this.getExperimentByName(name);
    if (found) {
      if (found.lifecycleStage === 'deleted')
        throw new MlflowError(
          'MLFLOW_REQUEST_REJECTED',
          `experiment "${name}" is deleted; restore it in the MLflow UI (or \`mlflow experiments restore --experiment-id ${found.experimentId}\`) or set MLFLOW_EXPERIMENT_NAME to another name`,
        );
      return found.experimentId;
    }
    try {
      return await this.createExperiment(name);
    } catch (error) {
      // Someone else created it in between.
      if (error instanceof MlflowError && error.apiCode === 'RESOURCE_ALREADY_EXISTS') {
        const again = await this.getExperimentByName(name);
        if (again) return again.experimentId;
      }
      throw error;
    }
  }

  /** Starts a run (status RUNNING). */
  async createRun(
    experimentId: string,
    options: { runName?: string; tags?: Record<string, string>; startTime?: number } = {},
  ): Promise<Run> {
    const body = await this.#request({
      method: 'POST',
      path: '/api/2.0/mlflow/runs/create',
      json: {
        experiment_id: experimentId,
        start_time: options.startTime ?? Date.now(),
        ...(options.runName ? { run_name: options.runName } : {}),
        tags: toKeyValues(options.tags ?? {}),
      },
      schema: responses.run,
      what: `a new run in experiment ${experimentId}`,
    });
    return body.run;
  }

  async getRun(runId: string): Promise<Run> {
    const body = await this.#request({
      method: 'GET',
      path: '/api/2.0/mlflow/runs/get',
      query: { run_id: runId },
      schema: responses.run,
      what: `run ${runId}`,
    });
    return body.run;
  }

  /** Logs params, metrics and tags in one call (MLflow's limits: 100 params, 1000 metrics, 100 tags per batch). */
  async logBatch(
    runId: string,
    batch: { params?: Record<string, string>; metrics?: MetricPoint[]; tags?: Record<string, string> },
  ): Promise<void> {
    const now = Date.now();
    const params = toKeyValues(batch.params ?? {});
    const metrics = (batch.metrics ?? []).map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp ?? now, step: m.step ?? 0 }));
    const tags = toKeyValues(batch.tags ?? {});
    if (params.length > 100 || metrics.length > 1000 || tags.length > 100)
      throw new RangeError(
        `one log-batch call takes at most 100 params, 1000 metrics and 100 tags; got ${params.length}, ${metrics.length}, ${tags.length}`,
      );
    for (const m of metrics)
      if (!Number.isFinite(m.value))
        throw new RangeError(`metric ${m.key} is ${m.value}; log finite numbers only (leave an undefined metric out)`);
    await this.#request({
      method: 'POST',
      path: '/api/2.0/mlflow/runs/log-batch',
      json: { run_id: runId, params, metrics, tags },
      schema: responses.empty,
      what: `params and metrics of run ${runId}`,
    });
  }

  /** Ends a run: FINISHED, FAILED or KILLED. */
  async updateRun(runId: string, status: 'FINISHED' | 'FAILED' | 'KILLED', endTime: number = Date.now()): Promise<void> {
    await this.#request({
      method: 'POST',
      path: '/api/2.0/mlflow/runs/update',
      json: { run_id: runId, status, end_time: endTime },
      schema: responses.empty,
      what: `the status of run ${runId}`,
    });
  }

  // ---------------------------------------------------------------------------
  // Artifacts

  /** The files and folders directly under `path` of a run's artifacts (paths relative to the run's root). */
  async listArtifacts(runId: string, path?: string): Promise<ArtifactFile[]> {
    const files: ArtifactFile[] = [];
    let pageToken: string | undefined;
    do {
      const body = await this.#request({
        method: 'GET',
        path: '/api/2.0/mlflow/artifacts/list',
        query: { run_id: runId, path, page_token: pageToken },
        schema: responses.artifacts,
        what: `the artifacts of run ${runId}${path ? ` under ${path}` : ''}`,
      });
      files.push(...body.files);
      pageToken = body.next_page_token || undefined;
    } while (pageToken);
    return files;
  }

  /** Stores `data` as `<run artifact root>/<path>` (see the module comment for the two kinds of root). */
  async uploadArtifact(run: Pick<Run, 'runId' | 'artifactUri'>, path: string, data: Uint8Array): Promise<void> {
    const relative = safeRelative(path);
    const proxied = proxiedPath(run.artifactUri);
    if (proxied !== undefined) {
      await this.#raw(
        'PUT',
        `/api/2.0/mlflow-artifacts/artifacts/${encodePath(`${proxied}/${relative}`)}`,
        `artifact ${relative} of run ${run.runId}`,
        {
          body: data,
          contentType: 'application/octet-stream',
        },
      );
      return;
    }
    const local = localPath(run.artifactUri);
    if (local === undefined) {
      throw new MlflowError(
        'MLFLOW_ARTIFACT_STORE_UNSUPPORTED',
        `run ${run.runId} keeps artifacts at ${run.artifactUri}, a store this client does not write; start the tracking server so it serves artifacts itself (\`mlflow server\` with --artifacts-destination ${run.artifactUri.replace(/\/\d+\/[0-9a-f]+\/artifacts$/, '')} and without --default-artifact-root)`,
      );
    }
    const target = join(local, ...relative.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, data);
  }

  /** The bytes of `<run artifact root>/<path>`, read through the server. */
  async downloadArtifact(run: Pick<Run, 'runId' | 'artifactUri'>, path: string): Promise<Buffer> {
    const relative = safeRelative(path);
    const what = `artifact ${relative} of run ${run.runId}`;
    const proxied = proxiedPath(run.artifactUri);
    const response =
      proxied !== undefined
        ? await this.#raw('GET', `/api/2.0/mlflow-artifacts/artifacts/${encodePath(`${proxied}/${relative}`)}`, what)
        : await this.#raw('GET', `/get-artifact?${new URLSearchParams({ run_uuid: run.runId, path: relative })}`, what);
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > MAX_ARTIFACT_BYTES) {
      await response.body?.cancel();
      throw new MlflowError('MLFLOW_BAD_RESPONSE', `${what} is ${declared} bytes; this client reads at most ${MAX_ARTIFACT_BYTES}`);
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > MAX_ARTIFACT_BYTES) throw new MlflowError('MLFLOW_BAD_RESPONSE', `${what} is over ${MAX_ARTIFACT_BYTES} bytes`);
    return bytes;
  }

  // ---------------------------------------------------------------------------
  // Registry

  /** The registered model, or undefined when none has that name. */
  async getRegisteredModel(name: string): Promise<RegisteredModel | undefined> {
    const body = await this.#maybe({
      method: 'GET',
      path: '/api/2.0/mlflow/registered-models/get',
      query: { name },
      schema: responses.registeredModel,
      what: `registered model "${name}"`,
    });
    return body?.registered_model;
  }

  async createRegisteredModel(name: string, options: { description?: string } = {}): Promise<RegisteredModel> {
    const body = await this.#request({
      method: 'POST',
      path: '/api/2.0/mlflow/registered-models/create',
      json: { name, ...(options.description ? { description: options.description } : {}) },
      schema: responses.registeredModel,
      what: `a new registered model "${name}"`,
    });
    return body.registered_model;
  }

  /** The registered model, created when missing. */
  async ensureRegisteredModel(name: string, options: { description?: string } = {}): Promise<RegisteredModel> {
    const found = await this.getRegisteredModel(name);
    if (found) return found;
    try {
      return await this.createRegisteredModel(name, options);
    } catch (error) {
      if (error instanceof MlflowError && error.apiCode === 'RESOURCE_ALREADY_EXISTS') {
        const again = await this.getRegisteredModel(name);
        if (again) return again;
      }
      throw error;
    }
  }

  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    await this.#request({
      method: 'POST',
      path: '/api/2.0/mlflow/registered-models/set-tag',
      json: { name, key, value },
      schema: responses.empty,
      what: `tag ${key} of registered model "${name}"`,
    });
  }

  /** Registers a new version from `source` (an artifact URI inside run `runId`'s artifacts). */
  async createModelVersion(
    name: string,
    source: string,
    runId: string,
    options: { tags?: Record<string, string>; description?: string } = {},
  ): Promise<ModelVersion> {
    const body = await this.#request({
      method: 'POST',
      path: '/api/2.0/mlflow/model-versions/create',
      json: {
        name,
        source,
        run_id: runId,
        tags: toKeyValues(options.tags ?? {}),
        ...(options.description ? { description: options.description } : {}),
      },
      schema: responses.modelVersion,
      what: `a new version of "${name}"`,
    });
    return body.model_version;
  }

  /** The version, or undefined when the model or the version does not exist. */
  async getModelVersion(name: string, version: string): Promise<ModelVersion | undefined> {
    const body = await this.#maybe({
      method: 'GET',
      path: '/api/2.0/mlflow/model-versions/get',
      query: { name, version },
      schema: responses.modelVersion,
      what: `version ${version} of "${name}"`,
    });
    return body?.model_version;
  }

  /** The highest-numbered version of the model, or undefined when it has none. */
  async latestModelVersion(name: string): Promise<ModelVersion | undefined> {
    const body = await this.#request({
      method: 'GET',
      path: '/api/2.0/mlflow/model-versions/search',
      query: { filter: `name = '${name.replaceAll("'", "\\'")}'`, order_by: 'version_number DESC', max_results: 1 },
      schema: responses.modelVersions,
      what: `the versions of "${name}"`,
    });
    return body.model_versions[0];
  }

  async setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    await this.#request({
      method: 'POST',
      path: '/api/2.0/mlflow/model-versions/set-tag',
      json: { name, version, key, value },
      schema: responses.empty,
      what: `tag ${key} of version ${version} of "${name}"`,
    });
  }

  /** Points `alias` (e.g. `champion`) at `version`. */
  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.#request({
      method: 'POST',
      path: '/api/2.0/mlflow/registered-models/alias',
      json: { name, alias, version },
      schema: responses.empty,
      what: `alias ${alias} of "${name}"`,
    });
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.#request({
      method: 'DELETE',
      path: '/api/2.0/mlflow/registered-models/alias',
      json: { name, alias },
      schema: responses.empty,
      what: `alias ${alias} of "${name}"`,
    });
  }

  /** The version `alias` points at, or undefined when the alias (or the model) does not exist. */
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined> {
    const body = await this.#maybe({
      method: 'GET',
      path: '/api/2.0/mlflow/registered-models/alias',
      query: { name, alias },
      schema: responses.modelVersion,
      what: `alias ${alias} of "${name}"`,
    });
    return body?.model_version;
  }

  // ---------------------------------------------------------------------------
  // Transport

  async #maybe<S extends z.ZodType>(request: Request<S>): Promise<z.output<S> | undefined> {
    try {
      return await this.#request(request);
    } catch (error) {
      if (error instanceof MlflowError && error.notFound) return undefined;
      throw error;
    }
  }

  async #request<S extends z.ZodType>(request: Request<S>): Promise<z.output<S>> {
    const query = Object.entries(request.query ?? {}).filter((entry): entry is [string, string | number] => entry[1] !== undefined);
    const search = query.length > 0 ? `?${new URLSearchParams(query.map(([k, v]): [string, string] => [k, String(v)]))}` : '';
    const response = await this.#raw(request.method, `${request.path}${search}`, request.what, {
      ...(request.json !== undefined ? { body: JSON.stringify(request.json), contentType: 'application/json' } : {}),
    });
    const text = await response.text();
    let value: unknown;
    try {
      value = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      throw new MlflowError(
        'MLFLOW_BAD_RESPONSE',
        `${request.method} ${request.path} (${request.what}) answered non-JSON: ${text.slice(0, 200)}`,
      );
    }
    const parsed = request.schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new MlflowError(
        'MLFLOW_BAD_RESPONSE',
        `${request.method} ${request.path} (${request.what}) answered a shape MLflow does not send: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
      );
    }
    return parsed.data as z.output<S>;
  }

  /** One HTTP exchange; throws MlflowError on anything but a 2xx. */
  async #raw(
    method: string,
    pathAndQuery: string,
    what: string,
    options: { body?: string | Uint8Array; contentType?: string } = {},
  ): Promise<Response> {
    const url = `${this.trackingUri}${pathAndQuery}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#authorization) headers.authorization = this.#authorization;
    if (options.contentType) headers['content-type'] = options.contentType;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(options.body !== undefined ? { body: options.body } : {}),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError')
        throw new MlflowError(
          'MLFLOW_TIMEOUT',
          `MLflow at ${this.trackingUri} did not answer ${method} ${pathAndQuery.split('?')[0]} (${what}) within ${this.#timeoutMs / 1000} s`,
          { cause: error },
        );
      const reason = ((error as { cause?: { code?: string; message?: string } }).cause?.code ?? (error as Error).message) || 'no answer';
      throw new MlflowError(
        'MLFLOW_UNREACHABLE',
        `nothing answers at ${TRACKING_URI_ENV}=${this.trackingUri} (${reason}); start the tracking server (${START_SERVER}) or fix the URI`,
        { cause: error },
      );
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    if (response.status === 401 || response.status === 403) {
      throw new MlflowError(
        'MLFLOW_AUTH_REQUIRED',
        `MLflow at ${this.trackingUri} refused ${what} (HTTP ${response.status}); set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN)`,
        { status: response.status },
      );
    }
    let apiError: { error_code: string; message: string } | undefined;
    try {
      const parsed = errorBodySchema.safeParse(JSON.parse(text));
      if (parsed.success) apiError = parsed.data;
    } catch {
      // not JSON: described below
    }
    const verb = `${method} ${pathAndQuery.split('?')[0]}`;
    if (apiError)
      throw new MlflowError('MLFLOW_REQUEST_REJECTED', `MLflow refused ${what} (${verb}): ${apiError.error_code}: ${apiError.message}`, {
        apiCode: apiError.error_code,
        status: response.status,
      });
    throw new MlflowError(
      response.status >= 500 ? 'MLFLOW_SERVER_ERROR' : 'MLFLOW_BAD_RESPONSE',
      `MLflow answered ${what} (${verb}) with HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}${response.status === 404 && pathAndQuery.includes('mlflow-artifacts') ? '; the server does not serve artifacts (start it without --no-serve-artifacts)' : ''}`,
      { status: response.status },
    );
  }
}

function toKeyValues(record: Record<string, string>): { key: string; value: string }[] {
  return Object.entries(record).map(([key, value]) => ({ key, value }));
}

/** A relative artifact path with no `..`, empty or absolute parts. */
function safeRelative(path: string): string {
  const parts = path.split('/');
  if (path === '' || path.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..'))
    throw new RangeError(`artifact path "${path}" must be relative, like model/model.json, without "..", "." or empty parts`);
  return path;
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** `mlflow-artifacts:/1/abc/artifacts` or `mlflow-artifacts://host:5000/1/abc/artifacts` -> `1/abc/artifacts`; undefined for other roots. */
export function proxiedPath(artifactUri: string): string | undefined {
  const match = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*?)\/*$/.exec(artifactUri);
  return match ? (match[1] as string) : undefined;
}

/** An absolute path or `file:` URI -> the path; undefined for other roots. */
export function localPath(artifactUri: string): string | undefined {
  if (artifactUri.startsWith('file:')) return fileURLToPath(artifactUri);
  if (artifactUri.startsWith('/')) return artifactUri;
  return undefined;
}
