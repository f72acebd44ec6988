/**
 * Provisioning against a cluster with @kubernetes/client-node: preflight
 * (reachable, supported version, enough rights), then each learner object
 * read, created when missing, server-side applied when it differs, left
 * alone when it already matches (so a second run changes nothing); and the
 * teardown (the namespace and everything in it).
 */
import * as k8s from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { ClusterError } from './errors.ts';
import { learnerNamespace, normalizeLearner } from './names.ts';
import { ANNOTATION_LEARNER, LABEL_MANAGED_BY, learnerObjects, type KubeObject, type ProvisionOptions } from './objects.ts';

/** The oldest Kubernetes minor version supported (Pod Security Admission GA, `enforce-version: latest`, NetworkPolicy v1). */
export const MIN_KUBERNETES = [1, 28] as const;
/** Field manager name for server-side apply (`kubectl get ... --show-managed-fields`). */
export const FIELD_MANAGER = 'mlops-lab-provision';

export type ObjectAction = 'created' | 'configured' | 'replaced' | 'unchanged' | 'deleted' | 'absent';

export interface ObjectOutcome {
  kind: string;
  name: string;
  namespace?: string;
  action: ObjectAction;
}

export interface ProvisionResult {
  learner: string;
  namespace: string;
  serverVersion: string;
  objects: ObjectOutcome[];
}

export interface ClusterCallOptions {
  /** Milliseconds one API call may take (default 10 s). */
  callTimeoutMs?: number;
  /** Milliseconds deprovision waits for the namespace to be gone (default 120 s). */
  deleteTimeoutMs?: number;
}

const NEXT_UNREACHABLE =
  'Start the cluster (`sudo systemctl start k3s`, or `npm run cluster:up`), or point KUBECONFIG at a running one; then `mlops-lab doctor`.';

/** Runs one API call with a deadline; connection failures and 401/403 become ClusterErrors with a next step. */
export async function callApi<T>(kc: k8s.KubeConfig, what: string, fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ClusterError(
            'CLUSTER_TIMEOUT',
            'environment',
            `The Kubernetes API did not answer "${what}" within ${timeoutMs} ms.`,
            NEXT_UNREACHABLE,
          ),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([fn(), deadline]);
  } catch (error) {
    const status = statusOf(error);
    const server = kc.getCurrentCluster()?.server ?? 'the cluster';
    if (status === 401) {
      throw new ClusterError(
        'CLUSTER_UNAUTHORIZED',
        'environment',
        `The Kubernetes API at ${server} did not accept your credentials (401 Unauthorized) for "${what}".`,
        "Your kubeconfig's token or certificate is stale: copy a fresh one (`sudo cat /etc/rancher/k3s/k3s.yaml` on the k3s machine) and run the command again.",
        { cause: error },
      );
    }
    if (status === 403) {
      throw new ClusterError(
        'CLUSTER_FORBIDDEN',
        'environment',
        `Your kubeconfig may not do "${what}" on ${server} (403 Forbidden).`,
        'Provisioning needs a cluster admin: use the k3s admin kubeconfig (`export KUBECONFIG=/etc/rancher/k3s/k3s.yaml`) or ask your cluster admin; `kubectl auth can-i --list` shows what you may do.',
        { cause: error },
      );
    }
    if (status !== undefined && status !== 404 && status !== 409) {
      // 404 and 409 are answers callers act on; anything else (422 Invalid, 5xx) is said as the API server said it.
      throw new ClusterError(
        'CLUSTER_API_ERROR',
        'environment',
        `The Kubernetes API refused "${what}" (${status}): ${apiMessage(error)}`,
        'Read the message above; `kubectl get events -A --sort-by=.lastTimestamp | tail` shows what the cluster did. Run the command again once it is fixed.',
        { cause: error },
      );
    }
    const unserved = /Unrecognized API version and kind: (.*)$/m.exec(error instanceof Error ? error.message : '');
    if (status === undefined && unserved) {
      throw new ClusterError(
        'KIND_NOT_SERVED',
        'environment',
        `The cluster at ${server} does not serve ${unserved[1]} (needed for "${what}"): it is half-installed or not a full Kubernetes.`,
        '`kubectl api-resources` lists what it serves; reinstall with `npm run cluster:up`, or use a conformant cluster (k3s, k3d, Rancher Desktop).',
        { cause: error },
      );
    }
    if (status === undefined && !(error instanceof ClusterError)) {
      throw new ClusterError(
        'CLUSTER_UNREACHABLE',
        'environment',
        `The Kubernetes API at ${server} is unreachable (${describe(error)}).`,
        NEXT_UNREACHABLE,
        {
          cause: error,
        },
      );
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The HTTP status of a client-node ApiException. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return error instanceof k8s.ApiException || (typeof code === 'number' && error !== null && typeof error === 'object' && 'body' in error)
    ? (code as number)
    : undefined;
}

/** The `message` of the metav1.Status in an ApiException's body, at most 500 characters. */
function apiMessage(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  let message = typeof body === 'string' ? body : JSON.stringify(body ?? '');
  try {
    const parsed = JSON.parse(message) as { message?: unknown };
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // not JSON: keep the text
  }
  return message.slice(0, 500);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}

/** `v1.31.4+k3s1` -> [1, 31]; undefined when it is not a Kubernetes version. */
export function parseVersion(version: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** The server's version, refused when older than {@link MIN_KUBERNETES}. */
export async function supportedServerVersion(kc: k8s.KubeConfig, timeoutMs?: number): Promise<string> {
  const info = await callApi(kc, 'GET /version', () => kc.makeApiClient(k8s.VersionApi).getCode(), timeoutMs);
  const parsed = parseVersion(info.gitVersion ?? '');
  const [major, minor] = MIN_KUBERNETES;
  if (!parsed || parsed[0] < major || (parsed[0] === major && parsed[1] < minor)) {
    throw new ClusterError(
      'CLUSTER_VERSION_UNSUPPORTED',
      'environment',
      `The cluster runs Kubernetes ${info.gitVersion || '(no version)'}; the labs need ${major}.${minor} or newer.`,
      'Upgrade k3s (`npm run cluster:up` installs the pinned version) or point KUBECONFIG at a newer cluster.',
    );
  }
  return info.gitVersion;
}

/** What provisioning must be allowed to do (`kubectl auth can-i <verb> <resource>`). */
const NEEDED_RIGHTS: { verb: string; group: string; resource: string }[] = [
  { verb: 'create', group: '', resource: 'namespaces' },
  { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
  { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings' },
  { verb: 'create', group: '', resource: 'resourcequotas' },
  { verb: 'create', group: 'networking.k8s.io', resource: 'networkpolicies' },
  { verb: 'create', group: 'apps', resource: 'deployments' },
  { verb: 'delete', group: '', resource: 'namespaces' },
];

/** Asks the API (SelfSubjectAccessReview) for each right provisioning needs; throws CLUSTER_FORBIDDEN naming the missing ones. */
export async function assertRights(kc: k8s.KubeConfig, timeoutMs?: number): Promise<void> {
  const authz = kc.makeApiClient(k8s.AuthorizationV1Api);
  const missing: string[] = [];
  for (const right of NEEDED_RIGHTS) {
    const review = await callApi(
      kc,
      `kubectl auth can-i ${right.verb} ${right.resource}`,
      () =>
        authz.createSelfSubjectAccessReview({
          body: { spec: { resourceAttributes: { verb: right.verb, group: right.group, resource: right.resource } } },
        }),
      timeoutMs,
    );
    if (!review.status?.allowed) missing.push(`${right.verb} ${right.resource}`);
  }
  if (missing.length > 0) {
    throw new ClusterError(
      'CLUSTER_FORBIDDEN',
      'environment',
      `Your kubeconfig may not ${missing.join(', ')}; provisioning a learner needs a cluster admin.`,
      'Use the k3s admin kubeconfig (`export KUBECONFIG=/etc/rancher/k3s/k3s.yaml`) or ask your cluster admin; `kubectl auth can-i --list` shows what you may do.',
    );
  }
}

const named = (items: unknown[]): items is { name: string }[] =>
  items.every((i) => i !== null && typeof i === 'object' && typeof (i as { name?: unknown }).name === 'string');

/**
 * True when every field of `want` is in `have` with the same value: what the
 * API server adds (defaults; the token volume admission adds to a pod) is
 * ignored. Lists of named items (containers, volumes, env) are matched by
 * name, as server-side apply merges them; other lists must match in full.
 */
export function contains(have: unknown, want: unknown): boolean {
  if (Array.isArray(want)) {
    if (!Array.isArray(have)) return want.length === 0 && have === undefined;
    if (want.length > 0 && named(want) && named(have)) {
      return want.every((w) =>
        contains(
          have.find((h) => h.name === w.name),
          w,
        ),
      );
    }
    return have.length === want.length && want.every((w, i) => contains(have[i], w));
  }
  if (want !== null && typeof want === 'object') {
    // The API server drops empty maps (`annotations: {}`).
    if (Object.keys(want).length === 0 && (have === undefined || have === null)) return true;
    if (have === null || typeof have !== 'object' || Array.isArray(have)) return false;
    return Object.entries(want).every(([k, w]) => contains((have as Record<string, unknown>)[k], w));
  }
  return have === want;
}

/**
 * client-node's typed models rename fields that are JavaScript words
 * (`from` -> `_from`, `default` -> `_default`) and serialize by the model
 * names, so plain JSON must become a model before a call (or `from` is
 * silently dropped), and what a call returns must become JSON again to be
 * compared. JSON is YAML, so the client's own YAML helpers do both.
 */
function toModel(object: KubeObject): k8s.KubernetesObject {
  return k8s.loadYaml<k8s.KubernetesObject>(JSON.stringify(object));
}

function toWire(object: k8s.KubernetesObject): unknown {
  return parseYaml(k8s.dumpYaml(object));
}

function header(object: KubeObject): { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } } {
  const { name, namespace } = object.metadata;
  return { apiVersion: object.apiVersion, kind: object.kind, metadata: namespace ? { name, namespace } : { name } };
}

/** Creates, updates or leaves alone one object; says which. */
async function ensure(kc: k8s.KubeConfig, api: k8s.KubernetesObjectApi, object: KubeObject, timeoutMs?: number): Promise<ObjectAction> {
  const ref = `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
  let existing: k8s.KubernetesObject | undefined;
  try {
    existing = await callApi(kc, `get ${ref}`, () => api.read(header(object)), timeoutMs);
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  if (!existing) {
    try {
      await callApi(kc, `create ${ref}`, () => api.create(toModel(object), undefined, undefined, FIELD_MANAGER), timeoutMs);
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
      throw new ClusterError(
        'KIND_NOT_SERVED',
        'environment',
        `The cluster answered 404 to "create ${ref}": it does not serve ${object.apiVersion} ${object.kind} (half-installed?) or the namespace went away.`,
        '`kubectl api-resources` lists what it serves; run the command again, or reinstall with `npm run cluster:up`.',
        { cause: error },
      );
    }
    return 'created';
  }
  // Labels and annotations others added are kept; ours must be there.
  const { metadata, ...rest } = object;
  const want = { ...rest, metadata: { labels: metadata.labels ?? {}, annotations: metadata.annotations ?? {} } };
  if (contains(toWire(existing), want)) return 'unchanged';
  if (object.kind === 'Pod') {
    // A pod's spec is immutable: replace it (its home is on the PVC, so nothing is lost).
    await callApi(kc, `delete ${ref}`, () => api.delete(header(object)), timeoutMs);
    await waitGone(kc, api, object, ref, timeoutMs);
    await callApi(kc, `create ${ref}`, () => api.create(toModel(object), undefined, undefined, FIELD_MANAGER), timeoutMs);
    return 'replaced';
  }
  await callApi(
    kc,
    `apply ${ref}`,
    () => api.patch(toModel(object), undefined, undefined, FIELD_MANAGER, true, k8s.PatchStrategy.ServerSideApply),
    timeoutMs,
  );
  return 'configured';
}

async function waitGone(
  kc: k8s.KubeConfig,
  api: k8s.KubernetesObjectApi,
  object: KubeObject,
  ref: string,
  timeoutMs?: number,
): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await callApi(kc, `get ${ref}`, () => api.read(header(object)), timeoutMs);
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw error;
    }
    if (Date.now() > deadline) {
      throw new ClusterError(
        'WAIT_TIMEOUT',
        'environment',
        `${ref} was still being deleted after 120 s.`,
        `Look at it: \`kubectl describe ${object.kind.toLowerCase()} -n ${object.metadata.namespace} ${object.metadata.name}\`; then run provision again.`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Creates, updates or leaves alone each object in order (idempotent); says what happened to each. */
export async function applyObjects(
  kc: k8s.KubeConfig,
  objects: readonly KubeObject[],
  call: ClusterCallOptions = {},
): Promise<ObjectOutcome[]> {
  const api = k8s.KubernetesObjectApi.makeApiClient(kc);
  const outcomes: ObjectOutcome[] = [];
  for (const object of objects) {
    const action = await ensure(kc, api, object, call.callTimeoutMs);
    outcomes.push({
      kind: object.kind,
      name: object.metadata.name,
      ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
      action,
    });
  }
  return outcomes;
}

/** Reads the learner's namespace; refuses one that is terminating or belongs to someone else. */
async function checkNamespace(
  kc: k8s.KubeConfig,
  learner: string,
  namespace: string,
  timeoutMs?: number,
): Promise<k8s.V1Namespace | undefined> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  let ns: k8s.V1Namespace;
  try {
    ns = await callApi(kc, `get namespace ${namespace}`, () => core.readNamespace({ name: namespace }), timeoutMs);
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
  const owner = ns.metadata?.annotations?.[ANNOTATION_LEARNER];
  if (ns.metadata?.labels?.[LABEL_MANAGED_BY] !== 'mlops-lab' || (owner !== undefined && owner !== learner)) {
    throw new ClusterError(
      'NAMESPACE_NOT_OURS',
      'usage',
      `The namespace ${namespace} exists but was not made for learner "${learner}" by mlops-lab${owner ? ` (it belongs to "${owner}")` : ''}; it is left untouched.`,
      `Look at it with \`kubectl get namespace ${namespace} -o yaml\`; delete it yourself if it is stale, then provision again.`,
    );
  }
  return ns;
}

/**
 * Provisions one learner: preflight, then every object of
 * {@link learnerObjects} created or brought back to what it should be.
 * Running it twice changes nothing the second time (every object `unchanged`).
 */
export async function provisionLearner(
  kc: k8s.KubeConfig,
  options: ProvisionOptions,
  call: ClusterCallOptions = {},
): Promise<ProvisionResult> {
  const learner = normalizeLearner(options.learner);
  const namespace = learnerNamespace(learner);
  const serverVersion = await supportedServerVersion(kc, call.callTimeoutMs);
  await assertRights(kc, call.callTimeoutMs);
  const ns = await checkNamespace(kc, learner, namespace, call.callTimeoutMs);
  if (ns?.metadata?.deletionTimestamp || ns?.status?.phase === 'Terminating') {
    throw new ClusterError(
      'NAMESPACE_TERMINATING',
      'environment',
      `The namespace ${namespace} is still being deleted.`,
      `Wait until \`kubectl get namespace ${namespace}\` says NotFound, then run the command again.`,
    );
  }
  const objects = await applyObjects(kc, learnerObjects({ ...options, learner }), call);
  return { learner, namespace, serverVersion, objects };
}

/**
 * Removes one learner: their namespace and everything in it (the shared
 * ClusterRole stays for the others), waiting until the namespace is gone.
 */
export async function deprovisionLearner(kc: k8s.KubeConfig, learnerName: string, call: ClusterCallOptions = {}): Promise<ProvisionResult> {
  const learner = normalizeLearner(learnerName);
  const namespace = learnerNamespace(learner);
  const serverVersion = await supportedServerVersion(kc, call.callTimeoutMs);
  const ns = await checkNamespace(kc, learner, namespace, call.callTimeoutMs);
  if (!ns) return { learner, namespace, serverVersion, objects: [{ kind: 'Namespace', name: namespace, action: 'absent' }] };
  const core = kc.makeApiClient(k8s.CoreV1Api);
  try {
    await callApi(kc, `delete namespace ${namespace}`, () => core.deleteNamespace({ name: namespace }), call.callTimeoutMs);
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  const deadline = Date.now() + (call.deleteTimeoutMs ?? 120_000);
  for (;;) {
    try {
      await callApi(kc, `get namespace ${namespace}`, () => core.readNamespace({ name: namespace }), call.callTimeoutMs);
    } catch (error) {
      if (statusOf(error) === 404) break;
      throw error;
    }
    if (Date.now() > deadline) {
      throw new ClusterError(
        'NAMESPACE_TERMINATING',
        'environment',
        `The namespace ${namespace} is still terminating after ${Math.round((call.deleteTimeoutMs ?? 120_000) / 1000)} s.`,
        `See what holds it: \`kubectl get namespace ${namespace} -o jsonpath='{.status.conditions}'\` (usually a finalizer); run deprovision again later.`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { learner, namespace, serverVersion, objects: [{ kind: 'Namespace', name: namespace, action: 'deleted' }] };
}
