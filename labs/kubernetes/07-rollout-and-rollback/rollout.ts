/**
 * What kubectl does for `kubectl set image` + `kubectl annotate` and for
 * `kubectl rollout undo`, through the API, for solve and the hold-out
 * tests. `rollout undo` is client-side: kubectl finds the ReplicaSet of the
 * previous revision, copies its pod template (without the pod-template-hash
 * label) and its annotations into the Deployment; the Deployment controller
 * then gives that ReplicaSet the next revision number.
 */
import type * as K8s from '@kubernetes/client-node';
import { EvidenceError, labNamespace, loadKubernetesClient, waitFor, type LabHookContext } from '@mlops-lab/grader/authoring';
import { waitForRollout as waitForDeploymentRollout } from '../_shared/apply.ts';
import { read } from '../_shared/kube.ts';
import { CHANGE_CAUSE, REVISION, REVISION_HISTORY, historyOf } from './checks/history.ts';
import { CONTAINER, DEPLOYMENT } from './checks/shared.ts';

type Ctx = Pick<LabHookContext, 'kube' | 'workspace' | 'signal' | 'log'>;

/** Annotations kubectl keeps on the Deployment instead of copying them from the ReplicaSet. */
const SKIPPED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

async function apis(ctx: Ctx) {
  const k8s = await loadKubernetesClient();
  return { apps: await ctx.kube.api(k8s.AppsV1Api), namespace: labNamespace(ctx) };
}

/** `kubectl annotate deployment/loan-api kubernetes.io/change-cause=<cause> --overwrite` (when a cause is given) `&& kubectl set image deployment/loan-api api=<image>` */
export async function setImage(ctx: Ctx, image: string, cause?: string): Promise<void> {
  const { apps, namespace } = await apis(ctx);
  const deployment = await read(ctx, `read deployment ${DEPLOYMENT}`, () => apps.readNamespacedDeployment({ name: DEPLOYMENT, namespace }));
  const container = deployment.spec?.template.spec?.containers.find((c) => c.name === CONTAINER);
  if (!container)
    throw new EvidenceError(
      'CONTAINER_MISSING',
      `deployment/${DEPLOYMENT} has no container named ${CONTAINER}.`,
      `kubectl get deployment ${DEPLOYMENT} -o yaml`,
    );
  container.image = image;
  if (cause !== undefined) deployment.metadata!.annotations = { ...deployment.metadata!.annotations, [CHANGE_CAUSE]: cause };
  await read(ctx, `set image deployment/${DEPLOYMENT}`, () =>
    apps.replaceNamespacedDeployment({ name: DEPLOYMENT, namespace, body: deployment }),
  );
  ctx.log(`deployment.apps/${DEPLOYMENT} image updated to ${image}`);
}

/** `kubectl rollout undo deployment/loan-api [--to-revision=N]`: returns the revision rolled back to. */
export async function rolloutUndo(ctx: Ctx, toRevision = 0): Promise<number> {
  const { apps, namespace } = await apis(ctx);
  const deployment = await read(ctx, `read deployment ${DEPLOYMENT}`, () => apps.readNamespacedDeployment({ name: DEPLOYMENT, namespace }));
  if (deployment.spec?.paused)
    throw new EvidenceError(
      'DEPLOYMENT_PAUSED',
      `deployment/${DEPLOYMENT} is paused; it cannot be rolled back.`,
      `kubectl rollout resume deployment/${DEPLOYMENT}`,
    );
  const replicaSets = await read(ctx, `list replicasets -n ${namespace}`, () => apps.listNamespacedReplicaSet({ namespace }));
  const uid = deployment.metadata?.uid ?? '';
  const history = historyOf(uid, replicaSets.items);
  // Without --to-revision, kubectl picks the second-highest revision.
  const target = toRevision > 0 ? history.find((r) => r.revision === toRevision) : history.at(-2);
  if (!target) {
    throw new EvidenceError(
      'NO_ROLLOUT_HISTORY',
      toRevision > 0 ? `Revision ${toRevision} is not in the history.` : 'There is no previous revision to roll back to.',
      `kubectl rollout history deployment/${DEPLOYMENT}`,
    );
  }
  const rs = replicaSets.items.find((r) => r.metadata?.name === target.name)!;
  const template = structuredClone(rs.spec!.template!) as K8s.V1PodTemplateSpec;
  delete template.metadata?.labels?.['pod-template-hash'];
  const kept = Object.fromEntries(Object.entries(deployment.metadata?.annotations ?? {}).filter(([k]) => SKIPPED.has(k)));
  const copied = Object.fromEntries(Object.entries(rs.metadata?.annotations ?? {}).filter(([k]) => !SKIPPED.has(k)));
  deployment.spec!.template = template;
  deployment.metadata!.annotations = { ...kept, ...copied };
  await read(ctx, `rollout undo deployment/${DEPLOYMENT}`, () =>
    apps.replaceNamespacedDeployment({ name: DEPLOYMENT, namespace, body: deployment }),
  );
  ctx.log(`deployment.apps/${DEPLOYMENT} rolled back to revision ${target.revision}`);
  return target.revision;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
}

function progressing(d: K8s.V1Deployment): Condition | undefined {
  return ((d.status?.conditions ?? []) as Condition[]).find((c) => c.type === 'Progressing');
}

/** `kubectl rollout status` until it fails with "exceeded its progress deadline". */
export async function waitForStall(ctx: Ctx, timeoutMs: number): Promise<void> {
  const { apps, namespace } = await apis(ctx);
  await waitFor(
    ctx,
    `deployment/${DEPLOYMENT} to exceed its progress deadline`,
    () => read(ctx, `read deployment ${DEPLOYMENT}`, () => apps.readNamespacedDeployment({ name: DEPLOYMENT, namespace })),
    (d) => progressing(d)?.reason === 'ProgressDeadlineExceeded',
    { timeoutMs, intervalMs: 500, describe: (d) => `Progressing ${progressing(d)?.status ?? '?'} (${progressing(d)?.reason ?? ''})` },
  );
}

/** `kubectl rollout status deployment/loan-api` until it succeeds. */
export async function waitForRollout(ctx: Ctx, timeoutMs: number): Promise<void> {
  await waitForDeploymentRollout(ctx, DEPLOYMENT, { timeoutMs, intervalMs: 500 });
}
