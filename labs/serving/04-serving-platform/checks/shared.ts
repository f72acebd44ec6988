/**
 * The InferenceService the checks of this lab read: `kserve/*.yaml` through
 * the grader's guarded manifest reader (size, alias and depth caps, file and
 * line of every problem), then the fields this lab checks through our own zod
 * schema of KServe's serving.kserve.io/v1beta1 InferenceService (the fields
 * of `spec.predictor` and its `model`, as KServe's API reference documents
 * them; not the whole CRD).
 */
import { z } from 'zod';
import {
  EvidenceError,
  fail,
  formatPath,
  readManifests,
  type CheckContext,
  type CheckOutcome,
  type ManifestObject,
} from '@mlops-lab/grader/authoring';

export const KSERVE_DIR = 'kserve';
export const ISVC_API_VERSION = 'serving.kserve.io/v1beta1';
export const REGISTRY_FILE = 'registry.json';

const Quantity = z.union([z.string(), z.number()]);
const ResourceList = z.record(z.string(), Quantity);

/** `spec.predictor.model`: a model format, where it comes from, and the container fields KServe lets you set around it. */
export const ModelSpecSchema = z
  .object({
    /** The framework of the artifact; picks the serving runtime (`mlflow` -> MLServer). */
    modelFormat: z.object({ name: z.string().min(1), version: z.string().optional() }).strict(),
    /** A ServingRuntime by name; default: the one KServe picks for the format. */
    runtime: z.string().optional(),
    /** The runtime image tag. Default: the runtime's own pinned version. */
    runtimeVersion: z.string().optional(),
    /** `v1` (the default) or `v2` (the Open Inference Protocol). */
    protocolVersion: z.enum(['v1', 'v2', 'grpc-v1', 'grpc-v2']).optional(),
    /** Where the storage initializer downloads the model from: s3://, gs://, pvc://, https://, hf://, … */
    storageUri: z.string().optional(),
    storage: z.object({ key: z.string().optional(), path: z.string().optional() }).passthrough().optional(),
    resources: z.object({ requests: ResourceList.optional(), limits: ResourceList.optional() }).strict().optional(),
    // Container fields KServe passes through to the predictor container.
    name: z.string().optional(),
    image: z.string().optional(),
    args: z.array(z.string()).optional(),
    command: z.array(z.string()).optional(),
    env: z.array(z.unknown()).optional(),
    envFrom: z.array(z.unknown()).optional(),
    ports: z.array(z.unknown()).optional(),
    readinessProbe: z.unknown().optional(),
    livenessProbe: z.unknown().optional(),
    startupProbe: z.unknown().optional(),
    volumeMounts: z.array(z.unknown()).optional(),
    securityContext: z.unknown().optional(),
    imagePullPolicy: z.string().optional(),
    workingDir: z.string().optional(),
  })
  .strict();

/** `spec.predictor`: the model plus the component fields (replicas, scaling, pod settings) this lab reads. */
export const PredictorSchema = z
  .object({
    model: ModelSpecSchema.optional(),
    /** Fewest replicas; 0 allows scale to zero (serverless mode). Default 1. */
    minReplicas: z.number().int().min(0).optional(),
    /** Most replicas; 0 or unset means no limit the service sets itself. */
    maxReplicas: z.number().int().min(0).optional(),
    scaleTarget: z.number().int().positive().optional(),
    scaleMetric: z.enum(['cpu', 'memory', 'concurrency', 'rps']).optional(),
    containerConcurrency: z.number().int().min(0).optional(),
    timeout: z.number().int().positive().optional(),
    canaryTrafficPercent: z.number().int().min(0).max(100).optional(),
    serviceAccountName: z.string().optional(),
    containers: z.array(z.unknown()).optional(),
    nodeSelector: z.record(z.string(), z.string()).optional(),
    tolerations: z.array(z.unknown()).optional(),
    affinity: z.unknown().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    imagePullSecrets: z.array(z.unknown()).optional(),
    volumes: z.array(z.unknown()).optional(),
    // Older per-framework fields (sklearn:, tensorflow:, …) are still served; the lab asks for `model:`.
    sklearn: z.unknown().optional(),
    xgboost: z.unknown().optional(),
    tensorflow: z.unknown().optional(),
    pytorch: z.unknown().optional(),
    lightgbm: z.unknown().optional(),
    onnx: z.unknown().optional(),
    triton: z.unknown().optional(),
    pmml: z.unknown().optional(),
    paddle: z.unknown().optional(),
  })
  .strict();

export const InferenceServiceSchema = z.object({
  apiVersion: z.literal(ISVC_API_VERSION),
  kind: z.literal('InferenceService'),
  metadata: z.object({ name: z.string().min(1), annotations: z.record(z.string(), z.string()).optional() }).passthrough(),
  spec: z.object({ predictor: PredictorSchema }).passthrough(),
});
export type InferenceService = z.infer<typeof InferenceServiceSchema>;

export interface FoundService {
  object: ManifestObject;
  isvc: InferenceService;
  /** `kserve/inferenceservice.yaml:12` for a field path. */
  where(path: readonly (string | number)[]): string;
}

const HINT_LAYOUT = `Put one InferenceService in ${KSERVE_DIR}/inferenceservice.yaml: \`apiVersion: ${ISVC_API_VERSION}\`, \`kind: InferenceService\`, \`spec.predictor.model\`. Check the YAML with \`kubectl apply --dry-run=client -f ${KSERVE_DIR}/\`.`;

/** The workspace's one InferenceService, or a failing outcome that says what is wrong and where. */
export function inferenceService(ctx: CheckContext): Promise<FoundService | CheckOutcome> {
  return ctx.memo('serving:isvc', async () => {
    let set: Awaited<ReturnType<typeof readManifests>>;
    try {
      set = await readManifests(ctx.files, KSERVE_DIR);
    } catch (error) {
      if (!(error instanceof EvidenceError)) throw error;
      return fail({
        message: `The grader would not read ${KSERVE_DIR}/: ${error.message}`,
        expected: `one small manifest, ${KSERVE_DIR}/inferenceservice.yaml`,
        actual: error.message,
        hint: error.nextStep ?? HINT_LAYOUT,
      });
    }
    const isvcs = set.objects.filter((o) => o.kind === 'InferenceService');
    // The manifest reader validates Kubernetes' own kinds only: its "unknown kind" note on an InferenceService is not a problem here.
    const syntax = set.problems.filter((p) => !/not a Kubernetes kind this grader knows/.test(p.message));
    if (syntax.length > 0) {
      return fail({
        message: `${KSERVE_DIR}/ has a manifest the grader cannot read.`,
        expected: `valid YAML with one ${ISVC_API_VERSION} InferenceService`,
        actual: syntax
          .slice(0, 5)
          .map((p) => `${p.file}:${p.line}${p.path ? ` ${p.path}` : ''} ${p.message}`)
          .join('; '),
        hint: HINT_LAYOUT,
      });
    }
    if (isvcs.length !== 1) {
      return fail({
        message:
          isvcs.length === 0
            ? `No InferenceService found in ${KSERVE_DIR}/ (${set.files.length} YAML file(s) read).`
            : `${isvcs.length} InferenceServices in ${KSERVE_DIR}/; this lab reviews one.`,
        expected: `exactly one ${ISVC_API_VERSION} InferenceService in ${KSERVE_DIR}/`,
        actual: isvcs.length === 0 ? set.files.join(', ') || 'no YAML files' : isvcs.map((o) => `${o.file}:${o.line} ${o.name}`).join(', '),
        hint: HINT_LAYOUT,
      });
    }
    const object = isvcs[0]!;
    const where = (path: readonly (string | number)[]): string => `${object.file}:${object.lineOf(path)}`;
    const parsed = InferenceServiceSchema.safeParse(object.object);
    if (!parsed.success) {
      return fail({
        message: `The InferenceService in ${object.file} does not match KServe's ${ISVC_API_VERSION} schema.`,
        expected: `an InferenceService KServe accepts (\`kubectl explain inferenceservice.spec.predictor.model\` on a cluster with KServe)`,
        actual: parsed.error.issues
          .slice(0, 5)
          .map(
            (issue) =>
              `${where(issue.path as (string | number)[])} ${formatPath(issue.path as (string | number)[]) || '(document)'}: ${describeIssue(issue)}`,
          )
          .join('; '),
        hint: `Fix the fields named above; the spelling is case-sensitive (\`storageUri\`, \`modelFormat\`, \`minReplicas\`). ${HINT_LAYOUT}`,
      });
    }
    return { object, isvc: parsed.data, where };
  });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown field(s) ${issue.keys.map((k) => `\`${k}\``).join(', ')}${suggestFor(issue.keys[0] ?? '')}`;
  }
  return issue.message;
}

const KNOWN = [
  'storageUri',
  'modelFormat',
  'protocolVersion',
  'runtimeVersion',
  'minReplicas',
  'maxReplicas',
  'resources',
  'requests',
  'limits',
];
function suggestFor(key: string): string {
  const match = KNOWN.find((k) => k.toLowerCase() === key.toLowerCase() || k.toLowerCase().replace(/s$/, '') === key.toLowerCase());
  return match ? ` (did you mean \`${match}\`?)` : '';
}

export function isFound(value: FoundService | CheckOutcome): value is FoundService {
  return 'isvc' in value;
}
