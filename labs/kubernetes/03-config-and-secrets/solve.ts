import { randomBytes } from 'node:crypto';
import type { V1Deployment } from '@kubernetes/client-node';
import {
  apiStatus,
  applyManifests,
  defineSolve,
  describeApiError,
  labNamespace,
  loadKubernetesClient,
  readManifests,
  waitFor,
} from '@mlops-lab/grader/authoring';
import { API_KEY_VAR, DEPLOYMENT, SECRET, rolloutState } from './checks/shared.ts';

// What a learner does: fix the files, create the Secret from the command line
// (`kubectl create secret generic model-api-credentials --from-literal=...`),
// `kubectl apply -f k8s/`, then `kubectl rollout status`. The key is random
// and written nowhere but the cluster.
export default defineSolve(async (ctx) => {
  const files = await ctx.copySolution();
  ctx.log(`copied ${files.length} files from the solution`);
  const set = await readManifests(ctx.files, 'k8s');
  if (set.problems.length > 0)
    throw new Error(
      `the solution manifests are invalid: ${set.problems.map((p) => `${p.file}:${p.line} ${p.path} ${p.message}`).join('; ')}`,
    );

  const k8s = await loadKubernetesClient();
  const core = await ctx.kube.api(k8s.CoreV1Api);
  const apps = await ctx.kube.api(k8s.AppsV1Api);
  const namespace = labNamespace(ctx);
  const body = {
    metadata: { name: SECRET, labels: { 'app.kubernetes.io/name': DEPLOYMENT } },
    type: 'Opaque',
    stringData: { [API_KEY_VAR]: randomBytes(24).toString('hex') },
  };
  try {
    await ctx.kube.call(`create secret ${SECRET}`, () => core.createNamespacedSecret({ namespace, body }));
  } catch (error) {
    if (apiStatus(error) !== 409) throw describeApiError(error, `create secret ${SECRET}`);
    await ctx.kube.call(`replace secret ${SECRET}`, () => core.replaceNamespacedSecret({ name: SECRET, namespace, body }));
  }
  ctx.log(`created Secret ${SECRET} with a random ${API_KEY_VAR} (not shown)`);

  await applyManifests(
    ctx,
    set.objects.map((o) => o.object),
  );
  await waitFor(
    ctx,
    `deployment/${DEPLOYMENT} to roll out`,
    () => ctx.kube.call(`get deployment ${DEPLOYMENT}`, () => apps.readNamespacedDeployment({ name: DEPLOYMENT, namespace })),
    (d: V1Deployment) => rolloutState(d).done,
    { timeoutMs: 180_000, describe: (d) => rolloutState(d).text },
  );
  ctx.log(`deployment/${DEPLOYMENT} rolled out`);
});
