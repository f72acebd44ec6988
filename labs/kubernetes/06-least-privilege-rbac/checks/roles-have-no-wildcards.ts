import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { describeRule, wildcardsIn } from './review.ts';
import { SERVICE_ACCOUNT, describeGrant, grantsToServiceAccount } from './shared.ts';

export default defineCheck({
  id: 'roles-have-no-wildcards',
  title: 'No role bound to the ServiceAccount uses "*" for verbs, resources or API groups',
  needs: ['service-account-exists'],
  requires: ['cluster'],
  hint: 'Spell out what the API needs: `resources: ["configmaps"]`, `verbs: ["get", "watch"]`.',
  // Mirrors: kubectl get role,clusterrole -o yaml (the roles the ServiceAccount's bindings name)
  async run(ctx) {
    const namespace = labNamespace(ctx);
    const grants = await grantsToServiceAccount(ctx);
    const findings: string[] = [];
    for (const grant of grants) {
      for (const rule of grant.rules ?? []) {
        const wild = wildcardsIn(rule);
        if (wild.length > 0)
          findings.push(
            `${grant.role.kind} ${grant.role.name} (via ${grant.binding.kind} ${grant.binding.name}): ${wild.join(', ')} in rule "${describeRule(rule)}"`,
          );
      }
    }
    if (findings.length === 0) {
      return pass(`The ${grants.length} role(s) bound to ${SERVICE_ACCOUNT} name their verbs, resources and groups.`, {
        actual: grants.map(describeGrant).join('\n') || 'no bindings',
      });
    }
    return fail({
      message: `A wildcard grants ${SERVICE_ACCOUNT} everything of its kind, including resources added to the cluster later (a "*" on resources reaches secrets too).`,
      expected: 'explicit verbs, resources and apiGroups in every rule',
      actual: findings.join('\n'),
      hint: `Replace the "*" with the exact names, re-apply (\`kubectl apply -n ${namespace} -f k8s/\`), then \`kubectl describe role -n ${namespace}\`.`,
    });
  },
});
