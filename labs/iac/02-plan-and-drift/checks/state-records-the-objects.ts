import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { listText } from '../../_shared/config.ts';
import { MANAGED_TYPES, STATE, readState } from './shared.ts';

// Mirrors: cd infra && tofu state list
export default defineCheck({
  id: 'state-records-the-objects',
  title: 'The state records the ConfigMap, Deployment and Service in your namespace',
  needs: ['configuration-parses'],
  hint: 'State is how OpenTofu knows which real objects it manages; `tofu apply` writes it.',
  async run(ctx) {
    const resources = await readState(ctx);
    if (!resources) {
      return fail({
        message: `There is no state at ${STATE}: the configuration has not been applied yet.`,
        expected: `${STATE} listing ${listText(MANAGED_TYPES)}`,
        actual: 'no state file',
        hint: 'Apply it: `cd infra && tofu init && tofu apply` (type yes), then `tofu state list`.',
      });
    }
    const namespace = labNamespace(ctx);
    const missing = MANAGED_TYPES.filter((t) => !resources.some((r) => r.type === t));
    const elsewhere = resources.filter((r) => r.namespace && r.namespace !== namespace);
    if (missing.length > 0 || elsewhere.length > 0) {
      return fail({
        message:
          missing.length > 0
            ? `The state at ${STATE} has no ${listText(missing)}: the last apply did not finish or the resources were removed from it.`
            : `The state records objects in ${listText([...new Set(elsewhere.map((r) => r.namespace!))])}, not in your namespace ${namespace}.`,
        expected: `${listText(MANAGED_TYPES)} in namespace ${namespace}`,
        actual: resources.map((r) => `${r.type}.${r.name}${r.namespace ? ` (${r.namespace})` : ''}`).join(', ') || 'an empty state',
        hint: `Check infra/terraform.tfvars says \`namespace = "${namespace}"\`, then \`cd infra && tofu apply\`.`,
      });
    }
    return pass(`${STATE} records ${resources.map((r) => `${r.type}.${r.name}`).join(', ')} in ${namespace}.`);
  },
});
