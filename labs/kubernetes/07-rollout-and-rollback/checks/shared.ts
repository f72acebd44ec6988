import type * as K8s from '@kubernetes/client-node';
import { labNamespace, loadKubernetesClient, type CheckContext } from '@mlops-lab/grader/authoring';
import { read, readOptional } from '../../_shared/kube.ts';
import { historyOf, type Revision } from './history.ts';

export const DEPLOYMENT = 'loan-api';
export const CONTAINER = 'api';
/** The version that works: the Docker stage's model API image. */
export const GOOD_IMAGE = 'mlops-lab/model-api:1.0.0';
/** The release that was never pushed (any missing tag does the same on a real cluster). */
export const BAD_IMAGE = 'mlops-lab/model-api:does-not-exist-2.0.0';

type Ctx = Pick<CheckContext, 'kube' | 'workspace' | 'memo'>;

export interface RolloutState {
  namespace: string;
  deployment: K8s.V1Deployment | undefined;
  history: Revision[];
  pods: K8s.V1Pod[];
}

/**
 * The Deployment, its ReplicaSets as a revision history and its pods, read
 * fresh on every call (checks retry while a rollout settles).
 */
// Mirrors: kubectl get deployment loan-api -o yaml && kubectl rollout history deployment/loan-api && kubectl get rs,pods
export async function readRollout(ctx: Ctx): Promise<RolloutState> {
  const namespace = labNamespace(ctx);
  const k8s = await loadKubernetesClient();
  const apps = await ctx.kube.api(k8s.AppsV1Api);
  const core = await ctx.kube.api(k8s.CoreV1Api);
  const deployment = await readOptional(ctx, `read deployment ${DEPLOYMENT}`, () =>
    apps.readNamespacedDeployment({ name: DEPLOYMENT, namespace }),
  );
  if (!deployment) return { namespace, deployment, history: [], pods: [] };
  const [replicaSets, pods] = await Promise.all([
    read(ctx, `list replicasets -n ${namespace}`, () => apps.listNamespacedReplicaSet({ namespace })),
    read(ctx, `list pods -n ${namespace}`, () => core.listNamespacedPod({ namespace })),
  ]);
  return { namespace, deployment, history: historyOf(deployment.metadata?.uid ?? '', replicaSets.items), pods: pods.items };
}

/** The rollout state once per grading run, for checks that judge history rather than settling state. */
export function rolloutOnce(ctx: Ctx): Promise<RolloutState> {
  return ctx.memo('rollout', () => readRollout(ctx));
}

export function templateImages(deployment: K8s.V1Deployment | undefined): string[] {
  return (deployment?.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? '');
}
