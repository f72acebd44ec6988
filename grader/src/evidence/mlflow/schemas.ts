/**
 * zod schemas of the MLflow REST answers the grader reads, and the camelCase
 * shapes they turn into.
 *
 * Written against the JSON a real MLflow 3 server sends (protobuf JSON with
 * snake_case names), which has three habits these schemas absorb:
 * - empty lists and empty strings are left out (`{}` for a metric history
 *   with no points, a model version without tags has no `tags`), so every
 *   list defaults to `[]` and most strings to `''`;
 * - int64 fields come as numbers (MLflow converts them) but protobuf may send
 *   them as strings, so both are accepted;
 * - a metric value of NaN or ±Infinity comes as the string "NaN" /
 *   "Infinity" / "-Infinity" (protobuf JSON for doubles).
 * Unknown fields are dropped, so a newer server that adds fields still parses.
 */
import { z } from 'zod';

const int64 = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);
const double = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity']).transform(Number)]);
const text = z.string().default('');

const keyValue = z.object({ key: z.string(), value: text });
/** `[{key, value}]` as a record (keys are unique in params and tags). */
const keyValues = z
  .array(keyValue)
  .default([])
  .transform((list) => Object.fromEntries(list.map(({ key, value }) => [key, value])) as Record<string, string>);

/** One point of a metric. */
export const metricSchema = z
  .object({
    key: z.string(),
    value: double,
    timestamp: int64.default(0),
    step: int64.default(0),
    /** MLflow 3: set on metrics of logged models. */
    run_id: z.string().optional(),
    model_id: z.string().optional(),
    dataset_name: z.string().optional(),
    dataset_digest: z.string().optional(),
  })
  .transform((m) => ({
    key: m.key,
    value: m.value,
    timestamp: m.timestamp,
    step: m.step,
    ...(m.run_id ? { runId: m.run_id } : {}),
    ...(m.model_id ? { modelId: m.model_id } : {}),
    ...(m.dataset_name ? { datasetName: m.dataset_name } : {}),
    ...(m.dataset_digest ? { datasetDigest: m.dataset_digest } : {}),
  }));
export type Metric = z.output<typeof metricSchema>;

export const experimentSchema = z
  .object({
    experiment_id: z.string(),
    name: z.string(),
    artifact_location: text,
    lifecycle_stage: z.string().default('active'),
    creation_time: int64.optional(),
    last_update_time: int64.optional(),
    tags: keyValues,
  })
  .transform((e) => ({
    experimentId: e.experiment_id,
    name: e.name,
    /** Where runs of this experiment store artifacts (the server's artifact root + id, unless set). */
    artifactLocation: e.artifact_location,
    /** `active` or `deleted`. */
    lifecycleStage: e.lifecycle_stage,
    creationTime: e.creation_time,
    lastUpdateTime: e.last_update_time,
    tags: e.tags,
  }));
export type Experiment = z.output<typeof experimentSchema>;

const runInfoSchema = z
  .object({
    run_id: z.string().optional(),
    /** Deprecated alias of run_id, still sent by MLflow 3. */
    run_uuid: z.string().optional(),
    run_name: text,
    experiment_id: z.string(),
    user_id: text,
    status: z.string().default('RUNNING'),
    start_time: int64.optional(),
    end_time: int64.optional(),
    artifact_uri: text,
    lifecycle_stage: z.string().default('active'),
  })
  .refine((info) => Boolean(info.run_id ?? info.run_uuid), { message: 'a run has neither run_id nor run_uuid', path: ['run_id'] });

const datasetInputSchema = z.object({
  tags: keyValues,
  dataset: z
    .object({ name: text, digest: text, source_type: text, source: text })
    .default({ name: '', digest: '', source_type: '', source: '' }),
});

export const runSchema = z
  .object({
    info: runInfoSchema,
    data: z
      .object({
        metrics: z.array(metricSchema).default([]),
        params: keyValues,
        tags: keyValues,
      })
      .default({ metrics: [], params: {}, tags: {} }),
    inputs: z
      .object({
        dataset_inputs: z.array(datasetInputSchema).default([]),
        model_inputs: z.array(z.object({ model_id: z.string() })).default([]),
      })
      .default({ dataset_inputs: [], model_inputs: [] }),
    outputs: z
      .object({ model_outputs: z.array(z.object({ model_id: z.string(), step: int64.default(0) })).default([]) })
      .default({ model_outputs: [] }),
  })
  .transform((r) => ({
    runId: (r.info.run_id ?? r.info.run_uuid)!,
    runName: r.info.run_name,
    experimentId: r.info.experiment_id,
    userId: r.info.user_id,
    /** RUNNING, SCHEDULED, FINISHED, FAILED or KILLED. */
    status: r.info.status,
    startTime: r.info.start_time,
    endTime: r.info.end_time,
    artifactUri: r.info.artifact_uri,
    lifecycleStage: r.info.lifecycle_stage,
    /** Every param, as logged (params are strings in MLflow). */
    params: r.data.params,
    /** The latest value of each metric; {@link MlflowEvidence.metricHistory} has every point. */
    metrics: Object.fromEntries(r.data.metrics.map((m) => [m.key, m])) as Record<string, Metric>,
    tags: r.data.tags,
    datasets: r.inputs.dataset_inputs.map((d) => ({
      name: d.dataset.name,
      digest: d.dataset.digest,
      sourceType: d.dataset.source_type,
      source: d.dataset.source,
      tags: d.tags,
    })),
    /** MLflow 3: logged models this run used. */
    modelInputs: r.inputs.model_inputs.map((m) => ({ modelId: m.model_id })),
    /** MLflow 3: logged models this run produced (`mlflow.<flavor>.log_model`). */
    modelOutputs: r.outputs.model_outputs.map((m) => ({ modelId: m.model_id, step: m.step })),
  }));
export type Run = z.output<typeof runSchema>;

export const fileInfoSchema = z
  .object({ path: z.string(), is_dir: z.boolean().default(false), file_size: int64.optional() })
  .transform((f) => ({ path: f.path, isDir: f.is_dir, ...(f.file_size !== undefined ? { size: f.file_size } : {}) }));
export type ArtifactFile = z.output<typeof fileInfoSchema>;

/** The logged model a `models:/m-…` source points at (MLflow 3). */
const LOGGED_MODEL_SOURCE = /^models:\/(m-[0-9a-f]+)\/?$/;

export const modelVersionSchema = z
  .object({
    name: z.string(),
    version: z.union([z.string(), z.number().transform(String)]),
    creation_timestamp: int64.optional(),
    last_updated_timestamp: int64.optional(),
    current_stage: text,
    description: text,
    source: text,
    run_id: text,
    status: z.string().default('READY'),
    status_message: text,
    tags: keyValues,
    run_link: text,
    aliases: z.array(z.string()).default([]),
    model_id: z.string().optional(),
  })
  .transform((v) => {
    const modelId = v.model_id || LOGGED_MODEL_SOURCE.exec(v.source)?.[1];
    return {
      name: v.name,
      version: v.version,
      creationTimestamp: v.creation_timestamp,
      lastUpdatedTimestamp: v.last_updated_timestamp,
      /** Deprecated since MLflow 2.9 (stages): kept to spot learners who still use them; grade aliases. */
      currentStage: v.current_stage,
      description: v.description,
      /** Where the model comes from: `models:/m-…` (MLflow 3 logged model) or `runs:/<run>/<path>`. */
      source: v.source,
      runId: v.run_id,
      /** PENDING_REGISTRATION, FAILED_REGISTRATION or READY. */
      status: v.status,
      statusMessage: v.status_message,
      tags: v.tags,
      /** Aliases (e.g. `champion`) that point at this version. */
      aliases: v.aliases,
      /** MLflow 3: the logged model behind this version (from `model_id` or a `models:/m-…` source). */
      ...(modelId ? { modelId } : {}),
    };
  });
export type ModelVersion = z.output<typeof modelVersionSchema>;

export const registeredModelSchema = z
  .object({
    name: z.string(),
    creation_timestamp: int64.optional(),
    last_updated_timestamp: int64.optional(),
    description: text,
    latest_versions: z.array(modelVersionSchema).default([]),
    tags: keyValues,
    aliases: z.array(z.object({ alias: z.string(), version: z.union([z.string(), z.number().transform(String)]) })).default([]),
  })
  .transform((m) => ({
    name: m.name,
    creationTimestamp: m.creation_timestamp,
    lastUpdatedTimestamp: m.last_updated_timestamp,
    description: m.description,
    /** The latest version per (deprecated) stage; use {@link MlflowEvidence.modelVersions} for all. */
    latestVersions: m.latest_versions,
    tags: m.tags,
    /** Alias -> version, e.g. `{ champion: '3' }`. */
    aliases: Object.fromEntries(m.aliases.map((a) => [a.alias, a.version])) as Record<string, string>,
  }));
export type RegisteredModel = z.output<typeof registeredModelSchema>;

export const loggedModelSchema = z
  .object({
    info: z.object({
      model_id: z.string(),
      experiment_id: z.string(),
      name: text,
      artifact_uri: text,
      status: z.string().default(''),
      status_message: text,
      model_type: text,
      source_run_id: text,
      creation_timestamp_ms: int64.optional(),
      last_updated_timestamp_ms: int64.optional(),
      tags: keyValues,
    }),
    data: z.object({ params: keyValues, metrics: z.array(metricSchema).default([]) }).default({ params: {}, metrics: [] }),
  })
  .transform((m) => ({
    modelId: m.info.model_id,
    experimentId: m.info.experiment_id,
    name: m.info.name,
    artifactUri: m.info.artifact_uri,
    /** LOGGED_MODEL_PENDING, LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED. */
    status: m.info.status,
    statusMessage: m.info.status_message,
    modelType: m.info.model_type,
    sourceRunId: m.info.source_run_id,
    creationTimestamp: m.info.creation_timestamp_ms,
    lastUpdatedTimestamp: m.info.last_updated_timestamp_ms,
    tags: m.info.tags,
    params: m.data.params,
    /** Every metric linked to the model (one per key, step and dataset). */
    metrics: m.data.metrics,
  }));
export type LoggedModel = z.output<typeof loggedModelSchema>;

const token = z.string().optional();

export const responses = {
  experiment: z.object({ experiment: experimentSchema }),
  experiments: z.object({ experiments: z.array(experimentSchema).default([]), next_page_token: token }),
  run: z.object({ run: runSchema }),
  runs: z.object({ runs: z.array(runSchema).default([]), next_page_token: token }),
  metricHistory: z.object({ metrics: z.array(metricSchema).default([]), next_page_token: token }),
  artifacts: z.object({ root_uri: text, files: z.array(fileInfoSchema).default([]), next_page_token: token }),
  registeredModel: z.object({ registered_model: registeredModelSchema }),
  registeredModels: z.object({ registered_models: z.array(registeredModelSchema).default([]), next_page_token: token }),
  modelVersion: z.object({ model_version: modelVersionSchema }),
  modelVersions: z.object({ model_versions: z.array(modelVersionSchema).default([]), next_page_token: token }),
  loggedModel: z.object({ model: loggedModelSchema }),
  loggedModels: z.object({ models: z.array(loggedModelSchema).default([]), next_page_token: token }),
  /** `GET /api/3.0/mlflow/server-info`: kept whole, a few fields named. */
  serverInfo: z
    .looseObject({ store_type: z.string().optional(), workspaces_enabled: z.boolean().optional() })
    .transform((s) => ({ storeType: s.store_type, workspacesEnabled: s.workspaces_enabled, raw: s as Record<string, unknown> })),
  /** What MLflow sends with an error status: `{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "…"}`. */
  error: z.object({ error_code: z.string(), message: text }),
} as const;

export type ServerInfo = z.output<typeof responses.serverInfo>;
