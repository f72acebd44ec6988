import type { V1Deployment, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { applyManifests, defineSolve, labNamespace, loadKubernetesClient, readManifests, waitFor } from '@mlops-lab/grader/authoring';
import { rolloutState } from '../_shared/kube.ts';
import { APP, CLAIM } from './checks/shared.ts';

// What a learner does: fix the claim and the Deployment, `kubectl apply -f k8s/`,
// then watch the claim bind when the pod starts and the rollout finish.
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
  const core = await ctx.kube.api(k8s.CoreV1Api);
  const apps = await ctx.kube.api(k8s.AppsV1Api);
  const namespace = labNamespace(ctx);
  await waitFor(
    ctx,
    `pvc/${CLAIM} to bind`,
    () => ctx.kube.call(`get pvc ${CLAIM}`, () => core.readNamespacedPersistentVolumeClaim({ name: CLAIM, namespace })),
    (c: V1PersistentVolumeClaim) => c.status?.phase === 'Bound',
    { timeoutMs: 120_000, describe: (c) => `phase ${c.status?.phase ?? '(none)'}` },
  );
  await waitFor(
    ctx,
    `deployment/${APP} to roll out`,
    () => ctx.kube.call(`get deployment ${APP}`, () => apps.readNamespacedDeployment({ name: APP, namespace })),
    (d: V1Deployment) => rolloutState(d).done,
    { timeoutMs: 180_000, describe: (d) => rolloutState(d).text },
  );
  ctx.log(`pvc/${CLAIM} is Bound; deployment/${APP} rolled out`);
});
