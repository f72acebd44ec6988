/**
 * Helpers the Kubernetes labs share: the manifests of a workspace,
 * where a field sits in them, and the live state a check reads (objects,
 * pods of a Deployment, rollout status), with API refusals turned into
 * errors that say what to do. Not a lab (no lab.ts): the loader skips it.
 */
import type { V1Container, V1Deployment, V1Pod } from '@kubernetes/client-node';
import {
  apiStatus,
  describeApiError,
  formatPath,
  labNamespace,
  loadKubernetesClient,
  readManifests,
  type CheckContext,
  type ManifestObject,
  type ManifestSet,
} from '@mlops-lab/grader/authoring';

/** The manifests under k8s/, parsed and validated once per grading run. */
export function manifests(ctx: Pick<CheckContext, 'memo' | 'files'>): Promise<ManifestSet> {
  return ctx.memo('manifests', () => readManifests(ctx.files, 'k8s'));
}

/** `k8s/configmap.yaml:14 data.MODEL_API_KEY`: where a reviewer's comment would go. */
export function where(object: ManifestObject, path: readonly (string | number)[]): string {
  return `${object.file}:${object.lineOf(path)} ${formatPath(path)}`;
}

export function findObject(set: ManifestSet, kind: string, name: string): ManifestObject | undefined {
  return set.objects.find((o) => o.kind === kind && o.name === name);
}

/** The object of a kind named `preferred`, else the only one of that kind. */
export function findMain(set: ManifestSet, kind: string, preferred: string): ManifestObject | undefined {
  const all = set.objects.filter((o) => o.kind === kind);
  return all.find((o) => o.name === preferred) ?? (all.length === 1 ? all[0] : undefined);
}

/** `findMain` with the object typed as the client's model (`V1Deployment`), beside its place in k8s/. */
export function findMainTyped<T>(set: ManifestSet, kind: string, preferred: string): { manifest: ManifestObject; object: T } | undefined {
  const manifest = findMain(set, kind, preferred);
  return manifest ? { manifest, object: manifest.object as unknown as T } : undefined;
}

/** The container named `name` (else the first) of a Deployment, with its index. */
export function mainContainer(deployment: V1Deployment, name: string): { container: V1Container; index: number } | undefined {
  const containers = deployment.spec?.template?.spec?.containers ?? [];
  const index = Math.max(
    0,
    containers.findIndex((c) => c.name === name),
  );
  const container = containers[index];
  return container ? { container, index } : undefined;
}

/** `app.kubernetes.io/name=model-api,tier=api`, as `kubectl get -l` takes it. */
export function labelSelector(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The client module and the lab namespace. */
export async function kube(ctx: Pick<CheckContext, 'workspace'>) {
  const k8s = await loadKubernetesClient();
  return { k8s, namespace: labNamespace(ctx) };
}

/** Reads one object; a 404 gives undefined, any other refusal an error that says what to do. */
export async function readOptional<T>(ctx: Pick<CheckContext, 'kube'>, what: string, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await ctx.kube.call(what, read);
  } catch (error) {
    if (apiStatus(error) === 404) return undefined;
    throw describeApiError(error, what);
  }
}

/** Runs one read; any refusal becomes an error that says what to do. */
export async function read<T>(ctx: Pick<CheckContext, 'kube'>, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await ctx.kube.call(what, fn);
  } catch (error) {
    throw describeApiError(error, what);
  }
}

/** Pods matching a label selector (not being deleted). */
export async function podsMatching(ctx: CheckContext, labels: Record<string, string> | undefined): Promise<V1Pod[]> {
  const { k8s, namespace } = await kube(ctx);
  const core = await ctx.kube.api(k8s.CoreV1Api);
  const selector = labelSelector(labels);
  const list = await read(ctx, `list pods -l ${selector}`, () => core.listNamespacedPod({ namespace, labelSelector: selector }));
  return list.items.filter((p) => !p.metadata?.deletionTimestamp);
}

/** The pods of a Deployment, by its selector (`kubectl get pods -l …`). */
export function listPods(ctx: CheckContext, deployment: V1Deployment): Promise<V1Pod[]> {
  return podsMatching(ctx, deployment.spec?.selector?.matchLabels ?? {});
}

export function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** Why a pod is not Ready, in kubectl's words, or undefined when it is. */
export function podTrouble(pod: V1Pod): string | undefined {
  const name = pod.metadata?.name ?? '(unnamed pod)';
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const status of statuses) {
    const waiting = status.state?.waiting;
    if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      return `${name}: container ${status.name} waiting (${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''})`;
    }
    const terminated = status.state?.terminated;
    if (terminated && terminated.exitCode !== 0)
      return `${name}: container ${status.name} exited with ${terminated.exitCode} (${terminated.reason ?? 'Error'})`;
  }
  if (isReady(pod)) return undefined;
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False')
    return `${name}: Pending, not scheduled (${scheduled.reason ?? ''}${scheduled.message ? `: ${scheduled.message}` : ''})`;
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  return `${name}: ${pod.status?.phase ?? 'Pending'}, not Ready${ready?.message ? ` (${ready.message})` : ''}`;
}

/** Rollout done, like `kubectl rollout status`: the newest template runs on every replica and each is available. */
export function rolloutState(deployment: V1Deployment): { done: boolean; text: string } {
  const want = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  const observed = (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0);
  const updated = status.updatedReplicas ?? 0;
  const ready = status.readyReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const total = status.replicas ?? 0;
  const done = observed && updated === want && ready === want && available === want && total === want;
  return {
    done,
    text: `${ready}/${want} ready, ${updated} up to date, ${available} available${observed ? '' : ', the controller has not seen the latest change yet'}`,
  };
}

export function ns(ctx: Pick<CheckContext, 'workspace'>): string {
  return labNamespace(ctx);
}
