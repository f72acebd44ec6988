/**
 * The grader's MLflow client: a small, typed, read-only client of the MLflow
 * tracking server's REST API, so checks look at what a learner's work put in
 * MLflow the way a reviewer would in the MLflow UI.
 *
 * The tracking server comes from MLFLOW_TRACKING_URI (default
 * http://127.0.0.1:5000), the variable MLflow's own client reads, with Basic
 * auth from MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD or a bearer
 * MLFLOW_TRACKING_TOKEN when set. Only a server is read (http/https): a
 * `sqlite:` or `file:` store is refused with the command that serves it.
 *
 * Endpoints, and why each is here (checked against MLflow 3's REST docs and
 * the routes of the pinned server, labs/requirements-tools.txt):
 *
 * | call                       | endpoint                                          | why                                                    |
 * | -------------------------- | ------------------------------------------------- | ------------------------------------------------------ |
 * | ping                       | GET  /health, GET /version                        | is it up, is it MLflow, which version                  |
 * | serverInfo                 | GET  /api/3.0/mlflow/server-info                  | the backend store type (a database, not files)         |
 * | getExperiment              | GET  /api/2.0/mlflow/experiments/get              | the default experiment's artifact location (root)      |
 * | getExperimentByName        | GET  /api/2.0/mlflow/experiments/get-by-name      | find the learner's experiment                          |
 * | searchExperiments          | POST /api/2.0/mlflow/experiments/search           | list experiments (paged)                               |
 * | getRun                     | GET  /api/2.0/mlflow/runs/get                     | params, latest metrics, tags, logged-model outputs     |
 * | searchRuns / runs          | POST /api/2.0/mlflow/runs/search                  | the sweep of N runs, the best run (filter, order, paged) |
 * | metricHistory              | GET  /api/2.0/mlflow/metrics/get-history          | every step of a metric (a training curve)              |
 * | listArtifacts              | GET  /api/2.0/mlflow/artifacts/list               | artifacts a run logged                                 |
 * | getRegisteredModel         | GET  /api/2.0/mlflow/registered-models/get        | the registered model, its aliases and tags             |
 * | searchRegisteredModels     | GET  /api/2.0/mlflow/registered-models/search     | which models are registered (paged)                    |
 * | getModelVersion            | GET  /api/2.0/mlflow/model-versions/get           | a version: source run, tags (validation), aliases      |
 * | searchModelVersions        | GET  /api/2.0/mlflow/model-versions/search        | every version of a model (paged)                       |
 * | getModelVersionByAlias     | GET  /api/2.0/mlflow/registered-models/alias      | which version `champion` points at (rollback moves it) |
 * | getLoggedModel             | GET  /api/2.0/mlflow/logged-models/{id}           | MLflow 3 logged model: params, metrics, source run     |
 * | searchLoggedModels         | POST /api/2.0/mlflow/logged-models/search         | MLflow 3 logged models of an experiment (paged)        |
 *
 * Stages (`transition-stage`, `get-latest-versions`) are deliberately absent:
 * they are deprecated since MLflow 2.9; the labs grade aliases.
 *
 * Every request has a timeout and a body cap (through {@link HttpEvidence}),
 * every answer is validated with zod (./mlflow/schemas.ts), and every failure
 * is an error with a stable code and a next step:
 *
 * - MLFLOW_URI_INVALID       MLFLOW_TRACKING_URI is not an http(s) server URL
 * - MLFLOW_UNREACHABLE       nothing listens there (connection refused, DNS)
 * - MLFLOW_TIMEOUT           it did not answer in time
 * - MLFLOW_AUTH_REQUIRED     401/403
 * - MLFLOW_HOST_REJECTED     403 from MLflow 3's Host check (`--allowed-hosts`)
 * - NOT_MLFLOW               something answers, but not an MLflow tracking server
 * - MLFLOW_ENDPOINT_MISSING  an MLflow too old for the endpoint (e.g. 2.x and logged models)
 * - MLFLOW_NOT_FOUND         {@link MlflowNotFoundError}: RESOURCE_DOES_NOT_EXIST (and an unknown alias)
 * - MLFLOW_REQUEST_REJECTED  {@link MlflowApiError}: any other MLflow error (a bad filter)
 * - MLFLOW_SERVER_ERROR      5xx
 * - MLFLOW_BAD_RESPONSE      malformed JSON or a shape MLflow does not send
 * - MLFLOW_RESPONSE_TOO_LARGE a body over the cap
 * - MLFLOW_TOO_MANY_RESULTS  more results than the caller's limit (pagination cap)
 * - MLFLOW_BAD_PAGINATION    the server repeats a page token
 */
import type { z } from 'zod';
import { EnvironmentError, EvidenceError, MlopsLabError } from '../errors.ts';
import { HttpEvidence, type HttpResponse } from './http.ts';
import {
  responses,
  type ArtifactFile,
  type Experiment,
  type LoggedModel,
  type Metric,
  type ModelVersion,
  type RegisteredModel,
  type Run,
  type ServerInfo,
} from './mlflow/schemas.ts';
import {
  DEFAULT_LIMIT,
  collect,
  pageOf,
  pageSize,
  paginate,
  type CallOptions,
  type IterateOptions,
  type Page,
  type PageRequest,
  type PageSpec,
} from './mlflow/paginate.ts';
import { MlflowApiError, MlflowNotFoundError } from './mlflow/errors.ts';
import {
  DEFAULT_TRACKING_URI,
  START_SERVER_COMMAND,
  TRACKING_URI_ENV,
  trackingServer,
  type TrackingServer,
} from './mlflow/tracking-uri.ts';

export type { ArtifactFile, Experiment, LoggedModel, Metric, ModelVersion, RegisteredModel, Run, ServerInfo } from './mlflow/schemas.ts';
export { MlflowApiError, MlflowNotFoundError, ifExists, type MlflowErrorCode } from './mlflow/errors.ts';
export { collect, type CallOptions, type IterateOptions, type Page, type PageRequest } from './mlflow/paginate.ts';
export {
  DEFAULT_TRACKING_URI,
  START_SERVER_COMMAND,
  TRACKING_URI_ENV,
  trackingServer,
  type TrackingServer,
} from './mlflow/tracking-uri.ts';

export interface MlflowOptions {
  /** Where MLFLOW_TRACKING_URI and the credentials come from. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Overrides MLFLOW_TRACKING_URI. */
  trackingUri?: string;
  http?: HttpEvidence;
  /** Per request. Default: 10 000 ms. */
  timeoutMs?: number;
  /** Per response body. Default: 16 MiB (a page of 500 runs with many tags fits). */
  maxBytes?: number;
}

export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export interface ExperimentQuery {
  /** e.g. `name = 'sweep'`, `tags.team = 'ml'`. */
  filter?: string;
  /** e.g. `['last_update_time DESC']`. */
  orderBy?: string[];
  viewType?: ViewType;
}

export interface RunQuery {
  experimentIds: string[];
  /** MLflow search syntax, e.g. `metrics.accuracy > 0.9 and params.model = 'logreg'`. */
  filter?: string;
  /** e.g. `['metrics.accuracy DESC', 'attributes.start_time DESC']`. */
  orderBy?: string[];
  viewType?: ViewType;
}

export interface RegisteredModelQuery {
  /** e.g. `name = 'iris'`, `name LIKE 'iris%'`. */
  filter?: string;
  orderBy?: string[];
}

export interface ModelVersionQuery {
  /** e.g. `name = 'iris'`, `run_id = '…'`, `tags.validation_status = 'passed'`. */
  filter?: string;
  orderBy?: string[];
}

export interface LoggedModelQuery {
  experimentIds: string[];
  /** e.g. `metrics.accuracy > 0.9`, `params.C = '1.0'`. */
  filter?: string;
  /** e.g. `[{ field: 'metrics.accuracy', ascending: false }]`. */
  orderBy?: { field: string; ascending?: boolean }[];
}

export interface ArtifactListing {
  /** The run's artifact root as the server sees it. */
  rootUri: string;
  /** Entries directly under the path (not recursive); paths are relative to the root. */
  files: ArtifactFile[];
}

/** Page sizes: MLflow's own maxima (runs 50 000, registered models 1 000, logged models 100) kept well below. */
const PAGES = {
  experiments: { default: 500, max: 1000 },
  runs: { default: 500, max: 5000 },
  registeredModels: { default: 100, max: 1000 },
  modelVersions: { default: 200, max: 1000 },
  loggedModels: { default: 50, max: 100 },
  metricHistory: { default: 5000, max: 25_000 },
} satisfies Record<string, PageSpec>;

/** When an endpoint appeared, for MLFLOW_ENDPOINT_MISSING. */
const SINCE: { prefix: string; version: string }[] = [
  { prefix: '/api/2.0/mlflow/logged-models', version: '3.0' },
  { prefix: '/api/3.0/', version: '3.0' },
  { prefix: '/api/2.0/mlflow/registered-models/alias', version: '2.3' },
];

interface Call<S extends z.ZodType> {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | string[] | undefined>;
  json?: Record<string, unknown>;
  schema: S;
  /** What is being read, for messages: `run abc`, `runs of experiments 1, 2`. */
  what: string;
  /** How to describe a RESOURCE_DOES_NOT_EXIST, and what to do about it. */
  notFound?: { resource: string; nextStep: string };
  signal?: AbortSignal;
}

/** Reads an MLflow tracking server. Construction does no I/O; a bad MLFLOW_TRACKING_URI throws on first use. */
export class MlflowEvidence {
  readonly #env: NodeJS.ProcessEnv;
  readonly #uriOverride: string | undefined;
  readonly #http: HttpEvidence;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  #server: TrackingServer | undefined;

  constructor(options: MlflowOptions = {}) {
    this.#env = options.env ?? process.env;
    this.#uriOverride = options.trackingUri;
    this.#http = options.http ?? new HttpEvidence();
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  }

  /** The tracking server's URL (throws MLFLOW_URI_INVALID for a bad MLFLOW_TRACKING_URI). */
  get trackingUri(): string {
    return this.#resolve().uri;
  }

  #resolve(): TrackingServer {
    this.#server ??= trackingServer(this.#env, this.#uriOverride);
    return this.#server;
  }

  // -------------------------------------------------------------------------
  // Server

  /**
   * `GET /health` and `GET /version`: the server is up and is MLflow.
   * Throws MLFLOW_UNREACHABLE, MLFLOW_TIMEOUT, MLFLOW_AUTH_REQUIRED or NOT_MLFLOW.
   */
  async ping(options: CallOptions = {}): Promise<{ version: string; major: number }> {
    const health = await this.#send('GET', '/health', undefined, options.signal, 4096);
    this.#checkAuth(health, 'GET /health');
    if (health.status !== 200 || health.body.trim() !== 'OK') {
      throw this.#notMlflow(health, `GET /health answered HTTP ${health.status}${describeBody(health)} where MLflow answers "OK"`);
    }
    const version = await this.#version(options.signal);
    if (!version) {
      const response = await this.#send('GET', '/version', undefined, options.signal, 4096);
      throw this.#notMlflow(response, `GET /version answered HTTP ${response.status}${describeBody(response)}, not an MLflow version`);
    }
    return { version, major: Number(version.split('.')[0]) };
  }

  /** `GET /version` when it answers like MLflow (`3.1.4`), else undefined. */
  async #version(signal?: AbortSignal): Promise<string | undefined> {
    try {
      const response = await this.#send('GET', '/version', undefined, signal, 4096);
      const text = response.body.trim();
      return response.status === 200 && /^\d+\.\d+(\.\d+)?([a-z0-9.+-]*)$/i.test(text) ? text : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * `GET /api/3.0/mlflow/server-info`: the store type (`SqlStore` for a
   * database backend, `FileStore` for ./mlruns) and feature flags.
   * Undefined on servers without the endpoint (MLflow 2.x, early 3.x).
   */
  async serverInfo(options: CallOptions = {}): Promise<ServerInfo | undefined> {
    try {
      return await this.#call({
        method: 'GET',
        path: '/api/3.0/mlflow/server-info',
        schema: responses.serverInfo,
        what: 'server info',
        signal: options.signal,
      });
    } catch (error) {
      if (error instanceof MlopsLabError && error.code === 'MLFLOW_ENDPOINT_MISSING') return undefined;
      throw error;
    }
  }

  // -------------------------------------------------------------------------
  // Experiments

  /** `GET experiments/get`. Experiment `0` is `Default`, whose artifact location shows the server's artifact root. */
  async getExperiment(experimentId: string, options: CallOptions = {}): Promise<Experiment> {
    const body = await this.#call({
      method: 'GET',
      path: '/api/2.0/mlflow/experiments/get',
      query: { experiment_id: experimentId },
      schema: responses.experiment,
      what: `experiment ${experimentId}`,
      notFound: { resource: `experiment with id ${experimentId}`, nextStep: this.#uiHint('List the experiments in the MLflow UI') },
      signal: options.signal,
    });
    return body.experiment;
  }

  /** `GET experiments/get-by-name`. */
  async getExperimentByName(name: string, options: CallOptions = {}): Promise<Experiment> {
    const body = await this.#call({
      method: 'GET',
      path: '/api/2.0/mlflow/experiments/get-by-name',
      query: { experiment_name: name },
      schema: responses.experiment,
      what: `experiment "${name}"`,
      notFound: {
        resource: `experiment named "${name}"`,
        nextStep: `Log your runs to it: \`mlflow.set_experiment("${name}")\` before \`mlflow.start_run()\`, with ${TRACKING_URI_ENV}=${this.#uri()} (names are case-sensitive).`,
      },
      signal: options.signal,
    });
    return body.experiment;
  }

  /** `POST experiments/search`: one page. */
  async searchExperiments(query: ExperimentQuery = {}, page: PageRequest = {}): Promise<Page<Experiment>> {
    const body = await this.#call({
      method: 'POST',
      path: '/api/2.0/mlflow/experiments/search',
      json: {
        max_results: pageSize(page.pageSize, PAGES.experiments),
        ...(query.filter ? { filter: query.filter } : {}),
        ...(query.orderBy?.length ? { order_by: query.orderBy } : {}),
        ...(query.viewType ? { view_type: query.viewType } : {}),
        ...(page.pageToken ? { page_token: page.pageToken } : {}),
      },
      schema: responses.experiments,
      what: 'experiments',
      signal: page.signal,
    });
    return pageOf(body.experiments, body.next_page_token);
  }

  /** Every experiment matching `query`, page by page. */
  experiments(query: ExperimentQuery = {}, options: IterateOptions = {}): AsyncGenerator<Experiment> {
    return paginate('experiments', PAGES.experiments, options, (p) => this.searchExperiments(query, p));
  }

  // -------------------------------------------------------------------------
  // Runs

  /** `GET runs/get`: info, params, latest metrics, tags, datasets, logged-model outputs. */
  async getRun(runId: string, options: CallOptions = {}): Promise<Run> {
    const body = await this.#call({
      method: 'GET',
      path: '/api/2.0/mlflow/runs/get',
      query: { run_id: runId },
      schema: responses.run,
      what: `run ${runId}`,
      notFound: { resource: `run with id ${runId}`, nextStep: this.#uiHint('Copy the run id from the MLflow UI') },
      signal: options.signal,
    });
    return body.run;
  }

  /** `POST runs/search`: one page. */
  async searchRuns(query: RunQuery, page: PageRequest = {}): Promise<Page<Run>> {
    const body = await this.#call({
      method: 'POST',
      path: '/api/2.0/mlflow/runs/search',
      json: {
        experiment_ids: query.experimentIds,
        max_results: pageSize(page.pageSize, PAGES.runs),
        ...(query.filter ? { filter: query.filter } : {}),
        ...(query.orderBy?.length ? { order_by: query.orderBy } : {}),
        ...(query.viewType ? { run_view_type: query.viewType } : {}),
        ...(page.pageToken ? { page_token: page.pageToken } : {}),
      },
      schema: responses.runs,
      what: `runs of experiment${query.experimentIds.length === 1 ? '' : 's'} ${query.experimentIds.join(', ')}${query.filter ? ` matching \`${query.filter}\`` : ''}`,
      signal: page.signal,
    });
    return pageOf(body.runs, body.next_page_token);
  }

  /** Every run matching `query`, page by page, at most `limit` (default 10 000). */
  runs(query: RunQuery, options: IterateOptions = {}): AsyncGenerator<Run> {
    return paginate('runs', PAGES.runs, options, (p) => this.searchRuns(query, p));
  }

  /** `GET metrics/get-history`: every point of one metric of a run, in the server's order (by step, then time). */
  async metricHistory(runId: string, key: string, options: IterateOptions = {}): Promise<Metric[]> {
    const pages = paginate(`points of metric "${key}"`, PAGES.metricHistory, options, async (page) => {
      const body = await this.#call({
        method: 'GET',
        path: '/api/2.0/mlflow/metrics/get-history',
        query: { run_id: runId, metric_key: key, max_results: pageSize(page.pageSize, PAGES.metricHistory), page_token: page.pageToken },
        schema: responses.metricHistory,
        what: `history of metric "${key}" of run ${runId}`,
        notFound: { resource: `run with id ${runId}`, nextStep: this.#uiHint('Copy the run id from the MLflow UI') },
        signal: page.signal,
      });
      return pageOf(body.metrics, body.next_page_token);
    });
    return collect(pages);
  }

  /** `GET artifacts/list`: the entries directly under `path` (the run's artifact root when omitted). */
  async listArtifacts(runId: string, path?: string, options: CallOptions = {}): Promise<ArtifactListing> {
    let rootUri = '';
    const files: ArtifactFile[] = [];
    const pages = paginate(
      `artifacts of run ${runId}`,
      { default: 1000, max: 1000 },
      { ...options, limit: DEFAULT_LIMIT },
      async (page) => {
        const body = await this.#call({
          method: 'GET',
          path: '/api/2.0/mlflow/artifacts/list',
          query: { run_id: runId, path: path || undefined, page_token: page.pageToken },
          schema: responses.artifacts,
          what: `artifacts of run ${runId}${path ? ` under ${path}` : ''}`,
          notFound: { resource: `run with id ${runId}`, nextStep: this.#uiHint('Copy the run id from the MLflow UI') },
          signal: page.signal,
        });
        rootUri = body.root_uri;
        return pageOf(body.files, body.next_page_token);
      },
    );
    for await (const file of pages) files.push(file);
    return { rootUri, files };
  }

  // -------------------------------------------------------------------------
  // Model registry

  /** `GET registered-models/get`: description, tags, aliases (alias -> version). */
  async getRegisteredModel(name: string, options: CallOptions = {}): Promise<RegisteredModel> {
    const body = await this.#call({
      method: 'GET',
      path: '/api/2.0/mlflow/registered-models/get',
      query: { name },
      schema: responses.registeredModel,
      what: `registered model "${name}"`,
      notFound: { resource: `registered model named "${name}"`, nextStep: registerHint(name) },
      signal: options.signal,
    });
    return body.registered_model;
  }

  /** `GET registered-models/search`: one page. */
  async searchRegisteredModels(query: RegisteredModelQuery = {}, page: PageRequest = {}): Promise<Page<RegisteredModel>> {
    const body = await this.#call({
      method: 'GET',
      path: '/api/2.0/mlflow/registered-models/search',
      query: {
        max_results: pageSize(page.pageSize, PAGES.registeredModels),
        filter: query.filter || undefined,
        order_by: query.orderBy,
        page_token: page.pageToken,
      },
      schema: responses.registeredModels,
      what: 'registered models',
      signal: page.signal,
    });
    return pageOf(body.registered_models, body.next_page_token);
  }

  registeredModels(query: RegisteredModelQuery = {}, options: IterateOptions = {}): AsyncGenerator<RegisteredModel> {
    return paginate('registered models', PAGES.registeredModels, options, (p) => this.searchRegisteredModels(query, p));
  }

  /** `GET model-versions/get`. */
  async getModelVersion(name: string, version: string | number, options: CallOptions = {}): Promise<ModelVersion> {
    const body = await this.#call({
      method: 'GET',
      path: '/api/2.0/mlflow/model-versions/get',
      query: { name, version: String(version) },
      schema: responses.modelVersion,
      what: `version ${version} of model "${name}"`,
      notFound: { resource: `version ${version} of registered model "${name}"`, nextStep: registerHint(name) },
      signal: options.signal,
    });
    return body.model_version;
  }

  /** `GET model-versions/search`: one page. */
  async searchModelVersions(query: ModelVersionQuery = {}, page: PageRequest = {}): Promise<Page<ModelVersion>> {
    const body = await this.#call({
      method: 'GET',
      path: '/api/2.0/mlflow/model-versions/search',
      query: {
        max_results: pageSize(page.pageSize, PAGES.modelVersions),
        filter: query.filter || undefined,
        order_by: query.orderBy,
        page_token: page.pageToken,
      },
      schema: responses.modelVersions,
      what: `model versions${query.filter ? ` matching \`${query.filter}\`` : ''}`,
      signal: page.signal,
    });
    return pageOf(body.model_versions, body.next_page_token);
  }

  /** Every model version matching `query` (e.g. `name = 'iris'`), page by page. */
  modelVersions(query: ModelVersionQuery = {}, options: IterateOptions = {}): AsyncGenerator<ModelVersion> {
    return paginate('model versions', PAGES.modelVersions, options, (p) => this.searchModelVersions(query, p));
  }

  /**
   * `GET registered-models/alias`: the version an alias (e.g. `champion`)
   * points at. An alias that is not set is MLFLOW_NOT_FOUND, like a missing
   * model (MLflow itself answers INVALID_PARAMETER_VALUE for it).
   */
  async getModelVersionByAlias(name: string, alias: string, options: CallOptions = {}): Promise<ModelVersion> {
    const body = await this.#call({
      method: 'GET',
      path: '/api/2.0/mlflow/registered-models/alias',
      query: { name, alias },
      schema: responses.modelVersion,
      what: `alias "${alias}" of model "${name}"`,
      notFound: {
        resource: `alias "${alias}" on registered model "${name}"`,
        nextStep: `Point it at a version: \`MlflowClient().set_registered_model_alias("${name}", "${alias}", <version>)\` (aliases replace the deprecated stages).`,
      },
      signal: options.signal,
    });
    return body.model_version;
  }

  // -------------------------------------------------------------------------
  // MLflow 3 logged models

  /** `GET logged-models/{id}` (MLflow 3): the model `log_model` created, its params, metrics and source run. */
  async getLoggedModel(modelId: string, options: CallOptions = {}): Promise<LoggedModel> {
    const body = await this.#call({
      method: 'GET',
      path: `/api/2.0/mlflow/logged-models/${encodeURIComponent(modelId)}`,
      schema: responses.loggedModel,
      what: `logged model ${modelId}`,
      notFound: {
        resource: `logged model with id ${modelId}`,
        nextStep: 'Log the model from your training run: `mlflow.sklearn.log_model(model, name="model")` (MLflow 3 returns its model_id).',
      },
      signal: options.signal,
    });
    return body.model;
  }

  /** `POST logged-models/search` (MLflow 3): one page. */
  async searchLoggedModels(query: LoggedModelQuery, page: PageRequest = {}): Promise<Page<LoggedModel>> {
    const body = await this.#call({
      method: 'POST',
      path: '/api/2.0/mlflow/logged-models/search',
      json: {
        experiment_ids: query.experimentIds,
        max_results: pageSize(page.pageSize, PAGES.loggedModels),
        ...(query.filter ? { filter: query.filter } : {}),
        ...(query.orderBy?.length ? { order_by: query.orderBy.map((o) => ({ field_name: o.field, ascending: o.ascending ?? true })) } : {}),
        ...(page.pageToken ? { page_token: page.pageToken } : {}),
      },
      schema: responses.loggedModels,
      what: `logged models of experiment${query.experimentIds.length === 1 ? '' : 's'} ${query.experimentIds.join(', ')}`,
      signal: page.signal,
    });
    return pageOf(body.models, body.next_page_token);
  }

  loggedModels(query: LoggedModelQuery, options: IterateOptions = {}): AsyncGenerator<LoggedModel> {
    return paginate('logged models', PAGES.loggedModels, options, (p) => this.searchLoggedModels(query, p));
  }

  // -------------------------------------------------------------------------
  // Transport

  async #call<S extends z.ZodType>(call: Call<S>): Promise<z.output<S>> {
    const url = `${call.path}${queryString(call.query)}`;
    const label = `${call.method} ${call.path}`;
    const response = await this.#send(call.method, url, call.json, call.signal, this.#maxBytes);
    if (response.truncated) {
      throw new EvidenceError(
        'MLFLOW_RESPONSE_TOO_LARGE',
        `${label} (${call.what}) answered more than ${formatBytes(this.#maxBytes)}; the grader stops reading there.`,
        'Ask for less: a narrower filter or a smaller page size.',
      );
    }
    this.#checkAuth(response, label);
    const json = parseJson(response.body);
    if (response.status !== 200) {
      const error = json.ok ? responses.error.safeParse(json.value) : undefined;
      if (error?.success) throw this.#apiError(call, response.status, error.data.error_code, error.data.message);
      if (response.status === 404) throw await this.#missingEndpoint(call, response);
      if (response.status >= 500) {
        throw new EnvironmentError(
          'MLFLOW_SERVER_ERROR',
          `The MLflow server at ${this.#uri()} failed on ${label} (${call.what}): HTTP ${response.status}${describeBody(response)}.`,
          'Look at the output of `mlflow server` for the traceback (a backend store it cannot open, a full disk).',
        );
      }
      throw this.#notMlflow(response, `${label} answered HTTP ${response.status}${describeBody(response)}`);
    }
    if (!json.ok) {
      if (looksLikeHtml(response)) throw this.#notMlflow(response, `${label} answered an HTML page instead of JSON`);
      throw new EvidenceError(
        'MLFLOW_BAD_RESPONSE',
        `${label} (${call.what}) answered something that is not JSON (${json.error})${describeBody(response)}.`,
        `Check that ${TRACKING_URI_ENV}=${this.#uri()} is the tracking server itself, not a proxy in front of it; try \`curl -s '${this.#uri()}${url}'\`.`,
      );
    }
    const parsed = call.schema.safeParse(json.value);
    if (!parsed.success) {
      throw new EvidenceError(
        'MLFLOW_BAD_RESPONSE',
        `${label} (${call.what}) answered JSON that is not what MLflow sends: ${describeIssues(parsed.error)}.`,
        `Check that ${TRACKING_URI_ENV}=${this.#uri()} is an MLflow tracking server (\`curl -s ${this.#uri()}/version\`).`,
      );
    }
    return parsed.data;
  }

  /** One HTTP exchange; transport failures become MLFLOW_UNREACHABLE / MLFLOW_TIMEOUT. */
  async #send(
    method: 'GET' | 'POST',
    pathAndQuery: string,
    json: unknown,
    signal: AbortSignal | undefined,
    maxBytes: number,
  ): Promise<HttpResponse> {
    const server = this.#resolve();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (server.auth && 'token' in server.auth) headers.authorization = `Bearer ${server.auth.token}`;
    try {
      return await this.#http.request(`${server.uri}${pathAndQuery}`, {
        method,
        headers,
        ...(json !== undefined ? { json } : {}),
        ...(server.auth && 'username' in server.auth ? { basicAuth: server.auth } : {}),
        timeoutMs: this.#timeoutMs,
        maxBytes,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (error instanceof EvidenceError && (error.code === 'HTTP_UNREACHABLE' || error.code === 'HTTP_TIMEOUT')) {
        const timedOut = error.code === 'HTTP_TIMEOUT';
        throw new EnvironmentError(
          timedOut ? 'MLFLOW_TIMEOUT' : 'MLFLOW_UNREACHABLE',
          timedOut
            ? `The MLflow tracking server at ${server.uri} did not answer ${method} ${pathAndQuery.split('?')[0]} within ${this.#timeoutMs} ms.`
            : `No MLflow tracking server answers at ${server.uri} (${transportReason(error)}).`,
          timedOut
            ? 'Is the server busy or stuck? Look at the output of `mlflow server`, or restart it.'
            : `Is \`mlflow server\` running? Start it with \`${START_SERVER_COMMAND}\`; if it listens elsewhere, ${this.#uriSource(server)}.`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  #checkAuth(response: HttpResponse, label: string): void {
    if (response.status !== 401 && response.status !== 403) return;
    const server = this.#resolve();
    if (response.status === 403 && /invalid host header/i.test(response.body)) {
      const host = new URL(server.uri).host;
      throw new EnvironmentError(
        'MLFLOW_HOST_REJECTED',
        `The MLflow server at ${server.uri} refused ${label}: it does not accept the Host header "${host}" (its DNS-rebinding protection).`,
        `Reach it as 127.0.0.1 or localhost, or start it with \`mlflow server … --allowed-hosts ${host}\`.`,
      );
    }
    throw new EnvironmentError(
      'MLFLOW_AUTH_REQUIRED',
      `The MLflow server at ${server.uri} refused ${label} with HTTP ${response.status}${server.auth ? ' (the credentials were not accepted)' : ' (it needs credentials)'}.`,
      'Set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) to a user that can read experiments and models.',
    );
  }

  #apiError(call: Call<z.ZodType>, status: number, errorCode: string, message: string): MlflowApiError {
    const missing =
      errorCode === 'RESOURCE_DOES_NOT_EXIST' ||
      // An alias that is not set: MLflow answers INVALID_PARAMETER_VALUE "Registered model alias x not found."
      (call.path.endsWith('/registered-models/alias') && /not found/i.test(message));
    if (missing) {
      return new MlflowNotFoundError(
        call.notFound?.resource ?? call.what,
        errorCode,
        status,
        message,
        call.notFound?.nextStep ?? this.#uiHint('Check the ids in the MLflow UI'),
      );
    }
    const searched = [call.json?.filter, call.json?.order_by, call.query?.filter, call.query?.order_by].some((v) => v !== undefined);
    const filterHint = searched ? ' Check the filter and order_by syntax: https://mlflow.org/docs/latest/ml/search/search-runs/.' : '';
    return new MlflowApiError(
      'MLFLOW_REQUEST_REJECTED',
      errorCode,
      status,
      `MLflow rejected ${call.method} ${call.path} (${call.what}): ${errorCode}: ${message}`,
      `This is MLflow's own answer.${filterHint}`,
    );
  }

  /** A 404 without MLflow's JSON: an MLflow too old for the endpoint, or not MLflow at all. */
  async #missingEndpoint(call: Call<z.ZodType>, response: HttpResponse): Promise<EvidenceError | EnvironmentError> {
    const version = await this.#version(call.signal);
    if (!version) return this.#notMlflow(response, `${call.method} ${call.path} answered HTTP 404${describeBody(response)}`);
    const since = SINCE.find((s) => call.path.startsWith(s.prefix));
    return new EnvironmentError(
      'MLFLOW_ENDPOINT_MISSING',
      `The MLflow ${version} server at ${this.#uri()} has no ${call.method} ${call.path}${since ? ` (added in MLflow ${since.version})` : ''}.`,
      'Run the MLflow the labs pin: `npm run setup:tools`, then start `.venv/bin/mlflow server …` (labs/requirements-tools.txt).',
    );
  }

  #notMlflow(response: HttpResponse, what: string): EnvironmentError {
    const server = this.#resolve();
    const where = response.headers.server ? ` (server: ${response.headers.server})` : '';
    return new EnvironmentError(
      'NOT_MLFLOW',
      `${TRACKING_URI_ENV} points at ${server.uri}, but what answers there is not an MLflow tracking server: ${what}${where}.`,
      `Point ${TRACKING_URI_ENV} at your tracking server (scheme, host, port, and no extra path: e.g. ${DEFAULT_TRACKING_URI}), or start one: \`${START_SERVER_COMMAND}\`.`,
    );
  }

  /** How the URI was chosen, as advice: "set MLFLOW_TRACKING_URI to it (now …)". */
  #uriSource(server: TrackingServer): string {
    if (this.#uriOverride !== undefined) return `pass its URL (the grader was given ${server.uri})`;
    if ((this.#env[TRACKING_URI_ENV] ?? '').trim()) return `set ${TRACKING_URI_ENV} to its URL (now ${server.uri})`;
    return `set ${TRACKING_URI_ENV} to its URL (unset, so the grader tried ${DEFAULT_TRACKING_URI})`;
  }

  #uri(): string {
    return this.#resolve().uri;
  }

  #uiHint(what: string): string {
    return `${what} (${this.#uri()}) and check you log to the same tracking server (${TRACKING_URI_ENV}=${this.#uri()}).`;
  }
}

// ---------------------------------------------------------------------------
// Helpers

function registerHint(name: string): string {
  return `Register it from a run's logged model: \`mlflow.register_model("models:/<model_id>", "${name}")\`, or pass \`registered_model_name="${name}"\` to \`log_model\` (names are case-sensitive).`;
}

function queryString(query: Call<z.ZodType>['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function looksLikeHtml(response: HttpResponse): boolean {
  return /html/i.test(response.headers['content-type'] ?? '') || /^\s*<(!doctype|html)/i.test(response.body);
}

/** `: "<first 120 characters>"`, or nothing for an empty body. */
function describeBody(response: HttpResponse): string {
  const text = response.body.replace(/\s+/g, ' ').trim();
  if (!text) return '';
  const type = (response.headers['content-type'] ?? '').split(';')[0];
  return ` (${type ? `${type}: ` : ''}"${text.length > 120 ? `${text.slice(0, 120)}…` : text}")`;
}

function describeIssues(error: z.ZodError): string {
  const issues = error.issues.slice(0, 3).map((issue) => `${issue.path.length ? issue.path.join('.') : '(top level)'}: ${issue.message}`);
  return issues.join('; ') + (error.issues.length > 3 ? `; and ${error.issues.length - 3} more` : '');
}

function transportReason(error: EvidenceError): string {
  const match = /failed: (.*)\.$/.exec(error.message);
  return match?.[1] ?? error.message;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
