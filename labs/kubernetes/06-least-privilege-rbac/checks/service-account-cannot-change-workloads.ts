import { CONFIG_MAP, SERVICE_ACCOUNT } from './shared.ts';
import { defineCheck, labNamespace } from '@mlops-lab/grader/authoring';
import { judgeDenied } from './deny.ts';

export default defineCheck({
  id: 'service-account-cannot-change-workloads',
  title: 'The ServiceAccount cannot create pods, exec into them, change Deployments or its own config',
  needs: ['service-account-exists'],
  requires: ['cluster'],
  hint: 'The model API only reads one ConfigMap: give it no write verbs (create, update, patch, delete) at all.',
  // Mirrors: kubectl auth can-i create pods -n <namespace> --as=system:serviceaccount:<namespace>:loan-api
  async run(ctx) {
    const namespace = labNamespace(ctx);
    return judgeDenied(ctx, {
      questions: [
        { verb: 'create', group: '', resource: 'pods' },
        { verb: 'create', group: '', resource: 'pods', subresource: 'exec', name: 'any-pod' },
        { verb: 'delete', group: 'apps', resource: 'deployments', name: 'loan-api' },
        { verb: 'patch', group: 'apps', resource: 'deployments', name: 'loan-api' },
        { verb: 'update', group: '', resource: 'configmaps', name: CONFIG_MAP },
        { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings' },
      ],
      passMessage: `${SERVICE_ACCOUNT} can change nothing in ${namespace}.`,
      why: 'whoever controls the model API could start their own pods, replace the deployment or rewrite its threshold',
    });
  },
});
