import { defineCheck, labNamespace } from '@mlops-lab/grader/authoring';
import { CONFIG_MAP, SERVICE_ACCOUNT } from './shared.ts';
import { judgeDenied } from './deny.ts';

export default defineCheck({
  id: 'service-account-cannot-read-other-configmaps',
  title: `The ServiceAccount can read ${CONFIG_MAP} and no other ConfigMap`,
  needs: ['service-account-exists'],
  requires: ['cluster'],
  hint: `Name the one ConfigMap in the rule: \`resourceNames: ["${CONFIG_MAP}"]\`, and drop the list verb.`,
  // Mirrors: kubectl auth can-i list configmaps -n <namespace> --as=system:serviceaccount:<namespace>:loan-api
  async run(ctx) {
    const namespace = labNamespace(ctx);
    return judgeDenied(ctx, {
      questions: [
        { verb: 'list', group: '', resource: 'configmaps' },
        { verb: 'get', group: '', resource: 'configmaps', name: 'kube-root-ca.crt' },
        { verb: 'get', group: '', resource: 'configmaps', name: 'feature-flags' },
      ],
      passMessage: `${SERVICE_ACCOUNT} reads only ${CONFIG_MAP} in ${namespace}.`,
      why: 'other teams keep settings (and sometimes, wrongly, credentials) in ConfigMaps; the model API has no reason to see them',
    });
  },
});
