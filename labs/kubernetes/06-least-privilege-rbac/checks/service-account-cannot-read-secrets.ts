import { defineCheck, labNamespace } from '@mlops-lab/grader/authoring';
import { SERVICE_ACCOUNT } from './shared.ts';
import { judgeDenied } from './deny.ts';

export default defineCheck({
  id: 'service-account-cannot-read-secrets',
  title: 'The ServiceAccount cannot read Secrets',
  needs: ['service-account-exists'],
  requires: ['cluster'],
  hint: 'Remove every rule and binding that reaches secrets: no `resources: ["*"]`, no binding to `edit` or `admin`.',
  // Mirrors: kubectl auth can-i list secrets -n <namespace> --as=system:serviceaccount:<namespace>:loan-api
  async run(ctx) {
    const namespace = labNamespace(ctx);
    return judgeDenied(ctx, {
      questions: [
        { verb: 'list', group: '', resource: 'secrets' },
        { verb: 'get', group: '', resource: 'secrets', name: 'model-api-key' },
        { verb: 'watch', group: '', resource: 'secrets' },
      ],
      passMessage: `${SERVICE_ACCOUNT} cannot read any Secret in ${namespace}.`,
      why: 'a bug or a compromised dependency in the model API could read every credential in the namespace',
    });
  },
});
