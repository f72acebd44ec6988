/**
 * `serve --model-uri models:/NAME@ALIAS`: resolves the URI in the MLflow
 * registry and downloads the version's model folder into a cache
 * (`<cache>/<name>/<version>-<run id>/`: a fresh registry numbers its
 * versions from 1 again, the run id tells them apart), so `serve` loads it
 * like a folder written by `train`. A complete cached copy (its
 * manifest.json is written last) is reused; a partial one is replaced.
 */
import { access, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MlflowClient, type ModelVersion } from './mlflow/client.ts';
import { parseModelUri, type ModelUri } from './mlflow/model-uri.ts';
import { REFERENCE_FILE } from './drift-reference.ts';
import { MODEL_FILES } from './model-io.ts';

export const DEFAULT_MODEL_URI = 'models:/adult-income@champion';

/** The URI names nothing that can be served; the message says what to do. */
export class RegistryModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryModelError';
  }
}

export interface FetchedModel {
  uri: string;
  name: string;
  version: string;
  runId: string;
  /** The local folder holding the version's model files. */
  dir: string;
  /** True when the files were already in the cache. */
  cached: boolean;
}

/** The default cache: $MODEL_CACHE_DIR, else <tmp>/capstone-model-cache. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.MODEL_CACHE_DIR?.trim() || join(tmpdir(), 'capstone-model-cache');
}

export async function resolveModelVersion(client: MlflowClient, uri: ModelUri): Promise<ModelVersion> {
  const version =
    uri.alias !== undefined
      ? await client.getModelVersionByAlias(uri.name, uri.alias)
      : await client.getModelVersion(uri.name, uri.version);
  if (version) return version;
  const model = await client.getRegisteredModel(uri.name);
  if (!model)
    throw new RegistryModelError(
      `MLflow at ${client.trackingUri} has no registered model "${uri.name}"; train with MLFLOW_TRACKING_URI set (cli.ts train) or fix MODEL_URI`,
    );
  if (uri.alias !== undefined)
    throw new RegistryModelError(
      `"${uri.name}" has no alias "${uri.alias}" (aliases: ${Object.keys(model.aliases).join(', ') || 'none'}); promote a version with \`cli.ts gate\` or fix MODEL_URI`,
    );
  throw new RegistryModelError(`"${uri.name}" has no version ${uri.version}; fix MODEL_URI`);
}

/** The version's source as a path relative to its run's artifact root (e.g. `model`). */
async function sourceInRun(
  client: MlflowClient,
  version: ModelVersion,
): Promise<{ run: { runId: string; artifactUri: string }; path: string }> {
  if (!version.runId)
    throw new RegistryModelError(`version ${version.version} of "${version.name}" has no run_id; register versions from a training run`);
  const runsPrefix = `runs:/${version.runId}/`;
  const run = await client.getRun(version.runId);
  let path: string | undefined;
  if (version.source.startsWith(runsPrefix)) path = version.source.slice(runsPrefix.length);
  else if (version.source.startsWith(`${run.artifactUri}/`)) path = version.source.slice(run.artifactUri.length + 1);
  if (!path)
    throw new RegistryModelError(
      `version ${version.version} of "${version.name}" has source ${version.source}, outside the artifacts of its run ${version.runId} (${run.artifactUri}); register it from the run's model folder`,
    );
  return { run, path: path.replace(/\/+$/, '') };
}

/** Resolves `uri` and makes sure the version's model files are in `cacheDir`. */
export async function fetchRegisteredModel(options: { client: MlflowClient; uri: string; cacheDir: string }): Promise<FetchedModel> {
  const parsed = parseModelUri(options.uri);
  const version = await resolveModelVersion(options.client, parsed);
  const dir = join(options.cacheDir, safeName(version.name), `${version.version}-${safeName(version.runId || 'no-run')}`);
  const base = { uri: options.uri, name: version.name, version: version.version, runId: version.runId, dir };
  if (await exists(join(dir, MODEL_FILES.manifest))) return { ...base, cached: true };

  const { run, path } = await sourceInRun(options.client, version);
  const listed = await options.client.listArtifacts(run.runId, path);
  const names = new Set(listed.filter((f) => !f.isDir).map((f) => f.path.slice(path.length + 1)));
  const missing = Object.values(MODEL_FILES).filter((file) => !names.has(file));
  if (missing.length > 0)
    throw new RegistryModelError(
      `version ${version.version} of "${version.name}" lacks ${missing.join(', ')} under ${path}/ in run ${run.runId}; serve a version logged by \`cli.ts train\``,
    );
  await mkdir(options.cacheDir, { recursive: true });
  const temp = await mkdtemp(join(options.cacheDir, '.download-'));
  try {
    // The manifest last: a folder with a manifest is a complete one.
    const optional = names.has(REFERENCE_FILE) ? [REFERENCE_FILE] : [];
    for (const file of [MODEL_FILES.model, MODEL_FILES.weights, MODEL_FILES.encoding, ...optional, MODEL_FILES.manifest]) {
      await writeFile(join(temp, file), await options.client.downloadArtifact(run, `${path}/${file}`));
    }
    await mkdir(join(options.cacheDir, safeName(version.name)), { recursive: true });
    await rm(dir, { recursive: true, force: true });
    await rename(temp, dir);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  return { ...base, cached: false };
}

function safeName(name: string): string {
  return name.replaceAll(/[^A-Za-z0-9._-]/g, '_');
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
