/**
 * The few MLflow calls the read-only client ({@link MlflowEvidence}) does not
 * make, for the MLflow labs:
 *
 * - cleanup writes: a lab's cleanup removes the experiments and registered
 *   models it created, so labs sharing one tracking server do not collide
 *   and a reset starts clean;
 * - the files of an MLflow 3 logged model (its `MLmodel`, the input example),
 *   which live beside the model, not among the run's artifacts.
 *
 * | call                    | endpoint                                                         |
 * | ----------------------- | ---------------------------------------------------------------- |
 * | deleteExperimentByName  | GET experiments/get-by-name, POST experiments/update, POST experiments/delete |
 * | deleteRegisteredModel   | DELETE /api/2.0/mlflow/registered-models/delete                  |
 * | loggedModelFiles        | GET /api/2.0/mlflow/logged-models/{id}/artifacts/directories     |
 * | loggedModelFile         | GET /ajax-api/2.0/mlflow/logged-models/{id}/artifacts/files      |
 *
 * MLflow only soft-deletes an experiment and keeps its name taken until
 * `mlflow gc`, so the experiment is renamed (`<name>-deleted-<time>`) before
 * it is deleted: the learner can start the lab again under the same name.
 */
import { EnvironmentError, EvidenceError } from '../../errors.ts';
import { HttpEvidence, type HttpResponse } from '../http.ts';
import { START_SERVER_COMMAND, trackingServer, type TrackingServer } from './tracking-uri.ts';

export interface MlflowLabSupportOptions {
  /** The tracking server (e.g. `ctx.mlflow.trackingUri`). Credentials come from `env` as for the client. */
  trackingUri: string;
  env?: NodeJS.ProcessEnv;
  http?: HttpEvidence;
  /** Per request. Default: 10 000 ms. */
  timeoutMs?: number;
}

export interface LoggedModelFile {
  path: string;
  isDir: boolean;
  size?: number;
}

const FILE_CAP = 256 * 1024;

export class MlflowLabSupport {
  readonly #server: TrackingServer;
  readonly #http: HttpEvidence;
  readonly #timeoutMs: number;

  constructor(options: MlflowLabSupportOptions) {
    this.#server = trackingServer(options.env ?? process.env, options.trackingUri);
    this.#http = options.http ?? new HttpEvidence();
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Renames, then deletes the experiment; false when there is none by that name. */
  async deleteExperimentByName(name: string): Promise<boolean> {
    const found = await this.#send('GET', `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`);
    if (found.status === 404 || isMissing(found)) return false;
    this.#ok(found, `find experiment "${name}"`);
    const id = (found.json() as { experiment?: { experiment_id?: string; lifecycle_stage?: string } }).experiment?.experiment_id;
    if (!id) throw this.#bad(found, `find experiment "${name}"`);
    const renamed = `${name}-deleted-${Date.now()}`;
    this.#ok(
      await this.#send('POST', '/api/2.0/mlflow/experiments/update', { experiment_id: id, new_name: renamed }),
      `rename experiment "${name}"`,
    );
    const deleted = await this.#send('POST', '/api/2.0/mlflow/experiments/delete', { experiment_id: id });
    // Already deleted (a deleted experiment can still be renamed): nothing more to do.
    if (!isMissing(deleted) && !/already deleted|not active/i.test(deleted.body)) this.#ok(deleted, `delete experiment "${name}"`);
    return true;
  }

  /** Deletes a registered model and all its versions; false when there is none by that name. */
  async deleteRegisteredModel(name: string): Promise<boolean> {
    const response = await this.#send('DELETE', '/api/2.0/mlflow/registered-models/delete', { name });
    if (isMissing(response)) return false;
    this.#ok(response, `delete registered model "${name}"`);
    return true;
  }

  /** The files directly under `path` of a logged model's artifacts (MLflow 3). */
  async loggedModelFiles(modelId: string, path = ''): Promise<LoggedModelFile[]> {
    const query = path ? `?artifact_directory_path=${encodeURIComponent(path)}` : '';
    const response = await this.#send('GET', `/api/2.0/mlflow/logged-models/${encodeURIComponent(modelId)}/artifacts/directories${query}`);
    this.#ok(response, `list the files of logged model ${modelId}`);
    const files = (response.json() as { files?: { path?: unknown; is_dir?: unknown; file_size?: unknown }[] } | undefined)?.files ?? [];
    return files
      .filter((f) => typeof f.path === 'string')
      .map((f) => ({
        path: f.path as string,
        isDir: f.is_dir === true,
        ...(typeof f.file_size === 'number' || typeof f.file_size === 'string' ? { size: Number(f.file_size) } : {}),
      }));
  }

  /** The text of one file of a logged model (at most 256 KiB), e.g. `MLmodel`; undefined when it has no such file. */
  async loggedModelFile(modelId: string, path: string): Promise<string | undefined> {
    const response = await this.#send(
      'GET',
      `/ajax-api/2.0/mlflow/logged-models/${encodeURIComponent(modelId)}/artifacts/files?artifact_file_path=${encodeURIComponent(path)}`,
      undefined,
      FILE_CAP,
    );
    if (response.status === 404 || isMissing(response)) return undefined;
    this.#ok(response, `read ${path} of logged model ${modelId}`);
    if (response.truncated) {
      throw new EvidenceError('MLFLOW_RESPONSE_TOO_LARGE', `${path} of logged model ${modelId} is larger than ${FILE_CAP / 1024} KiB.`);
    }
    return response.body;
  }

  async #send(method: string, pathAndQuery: string, json?: unknown, maxBytes = 4 * 1024 * 1024): Promise<HttpResponse> {
    const auth = this.#server.auth;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (auth && 'token' in auth) headers.authorization = `Bearer ${auth.token}`;
    try {
      return await this.#http.request(`${this.#server.uri}${pathAndQuery}`, {
        method,
        headers,
        ...(json !== undefined ? { json } : {}),
        ...(auth && 'username' in auth ? { basicAuth: auth } : {}),
        timeoutMs: this.#timeoutMs,
        maxBytes,
      });
    } catch (error) {
      if (error instanceof EvidenceError && (error.code === 'HTTP_UNREACHABLE' || error.code === 'HTTP_TIMEOUT')) {
        throw new EnvironmentError(
          error.code === 'HTTP_TIMEOUT' ? 'MLFLOW_TIMEOUT' : 'MLFLOW_UNREACHABLE',
          `The MLflow tracking server at ${this.#server.uri} did not answer ${method} ${pathAndQuery.split('?')[0]}.`,
          `Is \`mlflow server\` running? Start it with \`${START_SERVER_COMMAND}\`.`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  #ok(response: HttpResponse, what: string): void {
    if (response.status === 200) return;
    throw new EvidenceError(
      response.status >= 500 ? 'MLFLOW_SERVER_ERROR' : 'MLFLOW_REQUEST_REJECTED',
      `MLflow at ${this.#server.uri} could not ${what}: HTTP ${response.status} ${response.body.slice(0, 200)}`,
      'Look at the output of `mlflow server`; you can also remove it by hand in the MLflow UI.',
    );
  }

  #bad(response: HttpResponse, what: string): EvidenceError {
    return new EvidenceError(
      'MLFLOW_BAD_RESPONSE',
      `MLflow at ${this.#server.uri} answered "${what}" with ${response.body.slice(0, 200)}.`,
    );
  }
}

/** MLflow's own "it does not exist" answer. */
function isMissing(response: HttpResponse): boolean {
  const body = response.json() as { error_code?: unknown } | undefined;
  return response.status !== 200 && body?.error_code === 'RESOURCE_DOES_NOT_EXIST';
}
