import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { BUILT_IN_BROAD_ROLES } from './review.ts';
import { SERVICE_ACCOUNT, describeGrant, grantsToServiceAccount } from './shared.ts';

export default defineCheck({
  id: 'service-account-not-bound-to-built-in-roles',
  title: 'The ServiceAccount has no ClusterRoleBinding and no binding to cluster-admin, admin, edit or view',
  needs: ['service-account-exists'],
  requires: ['cluster'],
  hint: 'Bind only your own namespaced Role, with a RoleBinding; delete the others with `kubectl delete rolebinding <name>`.',
  // Mirrors: kubectl get rolebindings -n <namespace> -o wide; kubectl get clusterrolebindings -o wide
  async run(ctx) {
    const namespace = labNamespace(ctx);
    const grants = await grantsToServiceAccount(ctx);
    const broad = grants.filter(
      (g) => g.binding.kind === 'ClusterRoleBinding' || (g.role.kind === 'ClusterRole' && BUILT_IN_BROAD_ROLES.has(g.role.name)),
    );
    if (broad.length === 0) {
      return pass(`${SERVICE_ACCOUNT} is bound only to its own role(s): ${grants.map(describeGrant).join('; ') || 'none'}.`);
    }
    const first = broad[0]!;
    const deleteCommand =
      first.binding.kind === 'ClusterRoleBinding'
        ? `kubectl delete clusterrolebinding ${first.binding.name}`
        : `kubectl delete rolebinding ${first.binding.name} -n ${namespace}`;
    return fail({
      message:
        first.binding.kind === 'ClusterRoleBinding'
          ? `A ClusterRoleBinding gives ${SERVICE_ACCOUNT} its role in every namespace of the cluster, not only in ${namespace}.`
          : `The built-in ClusterRole ${first.role.name} grants far more than one ConfigMap (edit reads Secrets and creates pods; view reads every ConfigMap).`,
      expected: `only RoleBindings in ${namespace} to a Role written for the model API`,
      actual: broad.map(describeGrant).join('\n'),
      hint: `Delete it (apply never removes objects that left your files): \`${deleteCommand}\`, and remove it from k8s/.`,
    });
  },
});
