import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { defineSolve, labNamespace, loadKubernetesClient, waitFor } from '@mlops-lab/grader/authoring';
import { copySolutionAndApply, waitForRollout } from '../_shared/apply.ts';
import { APP, CLAIM } from './checks/shared.ts';

// What a learner does: fix the claim and the Deployment, `kubectl apply -f k8s/`,
// then watch the claim bind when the pod starts and the rollout finish.
export default defineSolve(async (ctx) => {
  await copySolutionAndApply(ctx);
  const k8s = await loadKubernetesClient();
  const core = await ctx.kube.api(k8s.CoreV1Api);
  const namespace = labNamespace(ctx);
  await waitFor(
    ctx,
    `pvc/${CLAIM} to bind`,
    () => ctx.kube.call(`get pvc ${CLAIM}`, () => core.readNamespacedPersistentVolumeClaim({ name: CLAIM, namespace })),
    (c: V1PersistentVolumeClaim) => c.status?.phase === 'Bound',
    { timeoutMs: 120_000, describe: (c) => `phase ${c.status?.phase ?? '(none)'}` },
  );
  await waitForRollout(ctx, APP);
  ctx.log(`pvc/${CLAIM} is Bound; deployment/${APP} rolled out`);
});
