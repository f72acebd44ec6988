import { apiStatus, defineSolve, describeApiError, labNamespace, loadKubernetesClient } from '@mlops-lab/grader/authoring';
import { copySolutionAndApply } from '../_shared/apply.ts';

// What a learner does: fix k8s/, `kubectl apply -n <namespace> -f k8s/`, then
// `kubectl delete rolebinding loan-api-edit` (apply never deletes what left the files).
export default defineSolve(async (ctx) => {
  await copySolutionAndApply(ctx);
  const k8s = await loadKubernetesClient();
  const rbac = await ctx.kube.api(k8s.RbacAuthorizationV1Api);
  const namespace = labNamespace(ctx);
  try {
    await ctx.kube.call('delete rolebinding loan-api-edit', () => rbac.deleteNamespacedRoleBinding({ name: 'loan-api-edit', namespace }));
    ctx.log('rolebinding/loan-api-edit deleted');
  } catch (error) {
    if (apiStatus(error) !== 404) throw describeApiError(error, 'delete rolebinding loan-api-edit');
  }
});
