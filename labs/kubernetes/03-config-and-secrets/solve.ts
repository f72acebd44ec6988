import { randomBytes } from 'node:crypto';
import { apiStatus, defineSolve, describeApiError, labNamespace, loadKubernetesClient } from '@mlops-lab/grader/authoring';
import { copySolutionAndApply, waitForRollout } from '../_shared/apply.ts';
import { API_KEY_VAR, DEPLOYMENT, SECRET } from './checks/shared.ts';

// What a learner does: fix the files, create the Secret from the command line
// (`kubectl create secret generic model-api-credentials --from-literal=...`),
// `kubectl apply -f k8s/`, then `kubectl rollout status`. The key is random
// and written nowhere but the cluster.
export default defineSolve(async (ctx) => {
  const k8s = await loadKubernetesClient();
  const core = await ctx.kube.api(k8s.CoreV1Api);
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
  await copySolutionAndApply(ctx);
  await waitForRollout(ctx, DEPLOYMENT);
  ctx.log(`deployment/${DEPLOYMENT} rolled out`);
});
