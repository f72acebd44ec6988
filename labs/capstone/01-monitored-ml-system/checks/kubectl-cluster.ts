/**
 * Whether M7's `kubectl rollout undo` can run for real: a cluster answers
 * (KUBECONFIG, ~/.kube/config or k3s's file, as the grader's kube evidence
 * finds it) and runs the project's Deployment in the rollback namespace.
 * Then the real kubectl runs and the grader reads the Deployment's revision
 * before and after; otherwise the grader's recording kubectl stands in.
 */
import type { V1Deployment } from '@kubernetes/client-node';
import { apiStatus, loadKubernetesClient, type CheckContext } from '@mlops-lab/grader/authoring';

/** The Deployment and namespace the grader's rollback targets (KUBE_DEPLOYMENT, KUBE_NAMESPACE). */
export const KUBE_DEPLOYMENT = 'adult-income';
export const KUBE_NAMESPACE = 'capstone';

/** `deployment.kubernetes.io/revision`: kubectl rollout undo makes a new, higher one. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

export type ClusterTarget =
  | { mode: 'cluster'; server: string; revision: number | undefined }
  /** Why the grader records kubectl instead: no cluster configured, it does not answer, or it has no such Deployment. */
  | { mode: 'shim'; why: string };

export function revisionOf(deployment: V1Deployment | undefined): number | undefined {
  const value = Number(deployment?.metadata?.annotations?.[REVISION_ANNOTATION]);
  return Number.isFinite(value) ? value : undefined;
}

/** Reads deployment/NAME in NAMESPACE (`kubectl -n NAMESPACE get deployment NAME`); undefined when there is none. */
export async function readDeployment(
  ctx: Pick<CheckContext, 'kube'>,
  name = KUBE_DEPLOYMENT,
  namespace = KUBE_NAMESPACE,
): Promise<V1Deployment | undefined> {
  const k8s = await loadKubernetesClient();
  const apps = await ctx.kube.api(k8s.AppsV1Api);
  try {
    return await ctx.kube.call(`get deployment ${name} -n ${namespace}`, () => apps.readNamespacedDeployment({ name, namespace }), 5_000);
  } catch (error) {
    if (apiStatus(error) === 404) return undefined;
    throw error;
  }
}

/**
 * Decides how M7 runs kubectl: for real when a configured cluster answers
 * within a few seconds and has deployment/adult-income in capstone,
 * recorded otherwise (with the reason, for the check's message).
 */
export async function clusterTarget(ctx: Pick<CheckContext, 'kube'>): Promise<ClusterTarget> {
  let server: string;
  try {
    const config = await ctx.kube.config();
    server = config.getCurrentCluster()?.server ?? 'the configured cluster';
  } catch {
    return { mode: 'shim', why: 'no Kubernetes cluster is configured (or its kubeconfig cannot be read)' };
  }
  try {
    await ctx.kube.serverVersion(3_000);
  } catch {
    return { mode: 'shim', why: `the cluster at ${server} does not answer` };
  }
  let deployment: V1Deployment | undefined;
  try {
    deployment = await readDeployment(ctx);
  } catch (error) {
    return {
      mode: 'shim',
      why: `the cluster at ${server} refused to show deployment/${KUBE_DEPLOYMENT} (${(error as Error).message.slice(0, 120)})`,
    };
  }
  if (!deployment)
    return { mode: 'shim', why: `the cluster at ${server} runs no deployment/${KUBE_DEPLOYMENT} in namespace ${KUBE_NAMESPACE}` };
  return { mode: 'cluster', server, revision: revisionOf(deployment) };
}
