import type { V1Ingress } from '@kubernetes/client-node';
import { defineSolve, labNamespace, loadKubernetesClient, waitFor } from '@mlops-lab/grader/authoring';
import { copySolutionAndApply, waitForRollout } from '../_shared/apply.ts';
import { APP } from './checks/shared.ts';

// What a learner does: fix the Service and the Ingress, `kubectl apply -f k8s/`,
// wait for the rollout and for Traefik to publish the Ingress address.
export default defineSolve(async (ctx) => {
  await copySolutionAndApply(ctx);
  await waitForRollout(ctx, APP);
  const k8s = await loadKubernetesClient();
  const networking = await ctx.kube.api(k8s.NetworkingV1Api);
  const namespace = labNamespace(ctx);
  await waitFor(
    ctx,
    `ingress/${APP} to get an address`,
    () => ctx.kube.call(`get ingress ${APP}`, () => networking.readNamespacedIngress({ name: APP, namespace })),
    (i: V1Ingress) => (i.status?.loadBalancer?.ingress ?? []).length > 0,
    { timeoutMs: 60_000 },
  );
  ctx.log(`deployment/${APP} rolled out; ingress/${APP} has an address`);
});
