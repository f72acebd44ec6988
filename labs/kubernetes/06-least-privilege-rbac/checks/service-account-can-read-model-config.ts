import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { CONFIG_MAP, SERVICE_ACCOUNT, askAuthorizer, canICommand, describeQuestion, type AccessQuestion } from './shared.ts';

const NEEDED: AccessQuestion[] = [
  { verb: 'get', group: '', resource: 'configmaps', name: CONFIG_MAP },
  { verb: 'watch', group: '', resource: 'configmaps', name: CONFIG_MAP },
];

export default defineCheck({
  id: 'service-account-can-read-model-config',
  title: `The ServiceAccount can get and watch the ConfigMap ${CONFIG_MAP}`,
  needs: ['service-account-exists'],
  requires: ['cluster'],
  hint: `Give a Role the verbs get and watch on configmaps with resourceNames: ["${CONFIG_MAP}"], and bind it to the ServiceAccount.`,
  // Mirrors: kubectl auth can-i get configmaps/loan-model-config -n <namespace> --as=system:serviceaccount:<namespace>:loan-api
  async run(ctx) {
    const namespace = labNamespace(ctx);
    const answers = await Promise.all(NEEDED.map((q) => askAuthorizer(ctx, q)));
    const denied = answers.filter((a) => !a.allowed);
    if (denied.length === 0)
      return pass(`The API server allows ${SERVICE_ACCOUNT} to ${NEEDED.map(describeQuestion).join(' and ')}.`, {
        actual:
          answers
            .map((a) => a.reason)
            .filter(Boolean)
            .join('\n') || undefined,
      });
    return fail({
      message: `The model API could not load its settings: the API server denies ${SERVICE_ACCOUNT} ${denied.map((a) => describeQuestion(a.question)).join(' and ')}.`,
      expected: `allowed: ${NEEDED.map(describeQuestion).join(', ')}`,
      actual: denied.map((a) => `${describeQuestion(a.question)}: no${a.reason ? ` (${a.reason})` : ''}`).join('\n'),
      hint: `Check your Role's rule and that the RoleBinding names the ServiceAccount, then \`${canICommand(namespace, denied[0]!.question)}\`.`,
    });
  },
});
