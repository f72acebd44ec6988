import type * as K8s from '@kubernetes/client-node';
import { EnvironmentError, MlopsLabError } from '../../errors.ts';
import type { LabHookContext } from '../../lab/context.ts';
import { loadKubernetesClient } from '../kube.ts';
import { describeApiError, labNamespace } from './namespace.ts';

/** The field manager our server-side applies are recorded under (`kubectl get -o yaml --show-managed-fields`). */
export const FIELD_MANAGER = 'mlops-lab';

/** A Kubernetes object as it is written in a manifest. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

type ApplyContext = Pick<LabHookContext, 'kube' | 'workspace'> & { readonly log?: (line: string) => void };

/**
 * Applies objects to the lab namespace the way
 * `kubectl apply --server-side -n <namespace> -f k8s/` does: each object is
 * created, or updated to what the manifest says (server-side apply, forced
 * so the manifest wins). Namespaced objects go to the lab namespace whatever
 * their manifest says. Returns the objects as the API server stored them.
 */
export async function applyManifests(ctx: ApplyContext, objects: readonly KubeObject[]): Promise<K8s.KubernetesObject[]> {
  const k8s = await loadKubernetesClient();
  const kc = await ctx.kube.config();
  const client = k8s.KubernetesObjectApi.makeApiClient(kc);
  const namespace = labNamespace(ctx);
  const applied: K8s.KubernetesObject[] = [];
  for (const object of objects) {
    const body = structuredClone(object);
    // `resource` (the discovery lookup kubectl does too) is protected in the
    // typings but is the very call the client makes before every request.
    const discovery = client as unknown as { resource(apiVersion: string, kind: string): Promise<K8s.V1APIResource | undefined> };
    const resource = await ctx.kube.call(`discover ${object.apiVersion} ${object.kind}`, () =>
      discovery.resource(object.apiVersion, object.kind),
    );
    if (!resource) {
      throw new EnvironmentError(
        'KIND_NOT_SERVED',
        `The cluster does not serve ${object.kind} in ${object.apiVersion}.`,
        `See what it serves: \`kubectl api-resources | grep -i ${object.kind}\`.`,
      );
    }
    if (resource.namespaced) body.metadata.namespace = namespace;
    const what = `apply ${object.kind} ${object.metadata.name}`;
    try {
      const result = await ctx.kube.call(what, () =>
        client.patch(body, undefined, undefined, FIELD_MANAGER, true, k8s.PatchStrategy.ServerSideApply),
      );
      applied.push(result);
      ctx.log?.(`${object.kind.toLowerCase()}/${object.metadata.name} applied`);
    } catch (error) {
      throw error instanceof MlopsLabError ? error : describeApiError(error, what);
    }
  }
  return applied;
}

/**
 * Polls `read` until `predicate` holds for what it returns (like
 * `kubectl wait` or `kubectl rollout status`), then returns it. Errors with
 * what was waited for and the last state seen when `timeoutMs` passes.
 */
export async function waitFor<T>(
  ctx: { readonly signal?: AbortSignal },
  what: string,
  read: () => Promise<T>,
  predicate: (value: T) => boolean,
  options: { timeoutMs?: number; intervalMs?: number; describe?: (value: T) => string } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const intervalMs = options.intervalMs ?? 250;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (ctx.signal?.aborted) throw new EnvironmentError('WAIT_ABORTED', `Stopped waiting for ${what}.`);
    const value = await read();
    if (predicate(value)) return value;
    if (Date.now() + intervalMs > deadline) {
      const state = options.describe ? ` Last seen: ${options.describe(value)}.` : '';
      throw new EnvironmentError(
        'WAIT_TIMEOUT',
        `Gave up waiting for ${what} after ${Math.round(timeoutMs / 1000)} s.${state}`,
        'Look at what the cluster says: `kubectl get events --sort-by=.lastTimestamp`.',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
