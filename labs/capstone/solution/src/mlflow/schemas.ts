/**
 * zod schemas of the MLflow REST answers this client reads.
 *
 * MLflow sends protobuf JSON with snake_case names and leaves out empty
 * lists and empty strings (a run without params has no `params`), so lists
 * default to `[]` and strings to `''`. int64 fields arrive as numbers but
 * protobuf may send them as strings, so both are accepted. A metric of NaN
 * or ±Infinity arrives as a string. Unknown fields are dropped, so a newer
 * server that adds fields still parses.
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
/** `[{ key, value }]` as a record (keys are unique in params and tags). */
const keyValues = z
  .array(z.object({ key: z.string(), value: text }))
  .default([])
  .transform((list) => Object.fromEntries(list.map(({ key, value }) => [key, value])) as Record<string, string>);
const version = z.union([z.string(), z.number().transform(String)]);

/** The body of an MLflow error answer: `{ "error_code": "RESOURCE_DOES_NOT_EXIST", "message": "…" }`. */
export const errorBodySchema = z.object({ error_code: z.string(), message: text });

export const experimentSchema = z
  .object({
    experiment_id: z.string(),
    name: z.string(),
    /** Where runs of this experiment keep artifacts: `mlflow-artifacts:/…` (served by the tracking server) or a path on the server's machine. */
    artifact_location: text,
    /** `active` or `deleted`. */
    lifecycle_stage: z.string().default('active'),
  })
  .transform((e) => ({
    experimentId: e.experiment_id,
    name: e.name,
    artifactLocation: e.artifact_location,
    lifecycleStage: e.lifecycle_stage,
  }));
export type Experiment = z.output<typeof experimentSchema>;

export const runSchema = z
  .object({
    info: z.object({
      run_id: z.string().optional(),
      /** Deprecated alias of run_id, still sent by MLflow 3. */
      run_uuid: z.string().optional(),
      run_name: text,
      experiment_id: z.string(),
      /** RUNNING, SCHEDULED, FINISHED, FAILED or KILLED. */
      status: z.string().default('RUNNING'),
      /** The run's artifact root: `mlflow-artifacts:/<exp>/<run>/artifacts` or a path on the server's machine. */
      artifact_uri: text,
    }),
    data: z
      .object({
        metrics: z.array(z.object({ key: z.string(), value: double })).default([]),
        params: keyValues,
        tags: keyValues,
      })
      .default({ metrics: [], params: {}, tags: {} }),
  })
  .refine((r) => Boolean(r.info.run_id ?? r.info.run_uuid), { message: 'a run has neither run_id nor run_uuid', path: ['info', 'run_id'] })
  .transform((r) => ({
    runId: (r.info.run_id ?? r.info.run_uuid) as string,
    runName: r.info.run_name,
    experimentId: r.info.experiment_id,
    status: r.info.status,
    artifactUri: r.info.artifact_uri,
    /** The latest value of each metric. */
    metrics: Object.fromEntries(r.data.metrics.map((m) => [m.key, m.value])) as Record<string, number>,
    params: r.data.params,
    tags: r.data.tags,
  }));
export type Run = z.output<typeof runSchema>;

export const modelVersionSchema = z
  .object({
    name: z.string(),
    version,
    /** Where the version's files are: `<run artifact root>/model` here. */
    source: text,
    run_id: text,
    /** PENDING_REGISTRATION, FAILED_REGISTRATION or READY. */
    status: z.string().default('READY'),
    tags: keyValues,
    aliases: z.array(z.string()).default([]),
    creation_timestamp: int64.optional(),
  })
  .transform((v) => ({
    name: v.name,
    version: v.version,
    source: v.source,
    runId: v.run_id,
    status: v.status,
    tags: v.tags,
    aliases: v.aliases,
    creationTimestamp: v.creation_timestamp,
  }));
export type ModelVersion = z.output<typeof modelVersionSchema>;

export const registeredModelSchema = z
  .object({
    name: z.string(),
    description: text,
    tags: keyValues,
    aliases: z.array(z.object({ alias: z.string(), version })).default([]),
  })
  .transform((m) => ({
    name: m.name,
    description: m.description,
    tags: m.tags,
    /** Alias -> version, e.g. `{ champion: '3' }`. */
    aliases: Object.fromEntries(m.aliases.map((a) => [a.alias, a.version])) as Record<string, string>,
  }));
export type RegisteredModel = z.output<typeof registeredModelSchema>;

export const fileInfoSchema = z
  .object({ path: z.string(), is_dir: z.boolean().default(false), file_size: int64.optional() })
  .transform((f) => ({ path: f.path, isDir: f.is_dir, ...(f.file_size !== undefined ? { size: f.file_size } : {}) }));
export type ArtifactFile = z.output<typeof fileInfoSchema>;

/** The answers, by call. */
export const responses = {
  experiment: z.object({ experiment: experimentSchema }),
  createExperiment: z.object({ experiment_id: z.string() }),
  run: z.object({ run: runSchema }),
  empty: z.object({}),
  registeredModel: z.object({ registered_model: registeredModelSchema }),
  modelVersion: z.object({ model_version: modelVersionSchema }),
  modelVersions: z.object({ model_versions: z.array(modelVersionSchema).default([]), next_page_token: z.string().optional() }),
  downloadUri: z.object({ artifact_uri: z.string() }),
  artifacts: z.object({ root_uri: text, files: z.array(fileInfoSchema).default([]), next_page_token: z.string().optional() }),
} as const;
