import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { readServiceAccount } from './shared.ts';

export default defineCheck({
  id: 'default-service-account-does-not-mount-token',
  title: 'Pods that do not ask for a ServiceAccount get no API token',
  requires: ['cluster'],
  hint: 'Add a manifest for the `default` ServiceAccount with `automountServiceAccountToken: false`.',
  // Mirrors: kubectl get serviceaccount default -n <namespace> -o jsonpath='{.automountServiceAccountToken}'
  async run(ctx) {
    const namespace = labNamespace(ctx);
    const account = await readServiceAccount(ctx, 'default');
    const value = account?.automountServiceAccountToken;
    if (value === false) return pass(`serviceaccount/default in ${namespace} has automountServiceAccountToken: false.`);
    return fail({
      message:
        'Every pod that does not name a ServiceAccount runs as `default` and gets its token mounted; a process that never talks to the API should not carry a credential for it (CIS Kubernetes Benchmark 5.1.5).',
      expected: 'serviceaccount/default with automountServiceAccountToken: false',
      actual: account
        ? `automountServiceAccountToken: ${value === undefined ? 'not set (tokens are mounted)' : String(value)}`
        : 'serviceaccount/default does not exist yet',
      hint: `Write k8s/serviceaccount-default.yaml (kind ServiceAccount, name default, automountServiceAccountToken: false), then \`kubectl apply -n ${namespace} -f k8s/\`.`,
    });
  },
});
