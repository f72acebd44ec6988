import type { V1Deployment, V1Ingress } from '@kubernetes/client-node';
import { applyManifests, defineSolve, labNamespace, loadKubernetesClient, readManifests, waitFor } from '@mlops-lab/grader/authoring';
import { rolloutState } from '../_shared/kube.ts';
import { APP } from './checks/shared.ts';

// What a learner does: fix the Service and the Ingress, `kubectl apply -f k8s/`,
// wait for the rollout and for Traefik to publish the Ingress address.
export default defineSolve(async (ctx) => {
  const files = await ctx.copySolution();
  ctx.log(`copied ${files.length} files from the solution`);
  const set = await readManifests(ctx.files, 'k8s');
  if (set.problems.length > 0)
    throw new Error(
      `the solution manifests are invalid: ${set.problems.map((p) => `${p.file}:${p.line} ${p.path} ${p.message}`).join('; ')}`,
    );
  await applyManifests(
    ctx,
    set.objects.map((o) => o.object),
  );

  const k8s = await loadKubernetesClient();
  const apps = await ctx.kube.api(k8s.AppsV1Api);
  const networking = await ctx.kube.api(k8s.NetworkingV1Api);
  const namespace = labNamespace(ctx);
  await waitFor(
    ctx,
    `deployment/${APP} to roll out`,
    () => ctx.kube.call(`get deployment ${APP}`, () => apps.readNamespacedDeployment({ name: APP, namespace })),
    (d: V1Deployment) => rolloutState(d).done,
    { timeoutMs: 180_000, describe: (d) => rolloutState(d).text },
  );
  await waitFor(
    ctx,
    `ingress/${APP} to get an address`,
    () => ctx.kube.call(`get ingress ${APP}`, () => networking.readNamespacedIngress({ name: APP, namespace })),
    (i: V1Ingress) => (i.status?.loadBalancer?.ingress ?? []).length > 0,
    { timeoutMs: 60_000 },
  );
  ctx.log(`deployment/${APP} rolled out; ingress/${APP} has an address`);
});
