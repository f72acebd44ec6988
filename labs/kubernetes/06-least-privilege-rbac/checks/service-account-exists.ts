import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { SERVICE_ACCOUNT, readServiceAccount } from './shared.ts';

export default defineCheck({
  id: 'service-account-exists',
  title: `The ServiceAccount ${SERVICE_ACCOUNT} exists in the lab namespace`,
  requires: ['cluster'],
  hint: 'Apply your manifests: `kubectl apply -n <namespace> -f k8s/`.',
  // Mirrors: kubectl get serviceaccount loan-api -n <namespace>
  async run(ctx) {
    const namespace = labNamespace(ctx);
    const account = await readServiceAccount(ctx, SERVICE_ACCOUNT);
    if (account) return pass(`serviceaccount/${SERVICE_ACCOUNT} exists in ${namespace}.`);
    return fail({
      message: `There is no ServiceAccount ${SERVICE_ACCOUNT} in ${namespace}, so the model API would run as the namespace's default account.`,
      expected: `serviceaccount/${SERVICE_ACCOUNT} in ${namespace}`,
      actual: 'not found',
      hint: `kubectl apply -n ${namespace} -f k8s/ && kubectl get serviceaccounts -n ${namespace}`,
    });
  },
});
