import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { where } from '../../_shared/kube.ts';
import { containersOf, judgeContainers, noDeployment } from '../../_shared/deployment.ts';
import { quantity } from '../../_shared/quantity.ts';
import { LAB_ID } from './shared.ts';

const RESOURCES = ['cpu', 'memory'] as const;

export default defineCheck({
  id: 'containers-set-requests-and-limits',
  title: 'Every container sets CPU and memory requests and limits',
  needs: ['manifests-are-valid'],
  hint: 'Under each container: `resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { cpu: 500m, memory: 256Mi } }`.',
  async run(ctx) {
    // Mirrors: kubectl get deployment model-api -o jsonpath='{.spec.template.spec.containers[*].resources}'
    const found = await judgeContainers(ctx, (c, i, problems, found) => {
      const at = ['spec', 'template', 'spec', 'containers', i];
      for (const kind of ['requests', 'limits'] as const) {
        const missing = RESOURCES.filter((r) => c.resources?.[kind]?.[r] === undefined);
        if (missing.length > 0)
          problems.push(`${where(found.object, [...at, 'resources'])}: container ${c.name} has no ${kind} for ${missing.join(' and ')}`);
      }
      for (const r of RESOURCES) {
        const request = quantity(c.resources?.requests?.[r]);
        const limit = quantity(c.resources?.limits?.[r]);
        if (request !== undefined && limit !== undefined && request > limit) {
          problems.push(
            `${where(found.object, [...at, 'resources', 'requests', r])}: container ${c.name} requests more ${r} (${c.resources?.requests?.[r]}) than its limit (${c.resources?.limits?.[r]})`,
          );
        }
      }
    });
    if (!found) return noDeployment(LAB_ID);
    const { problems } = found;
    if (problems.length === 0) {
      const summary = containersOf(found.deployment)
        .map(
          (c) =>
            `${c.name}: requests ${c.resources?.requests?.cpu}/${c.resources?.requests?.memory}, limits ${c.resources?.limits?.cpu}/${c.resources?.limits?.memory}`,
        )
        .join('; ');
      return pass(`Requests and limits are set: ${summary}.`);
    }
    return fail({
      message:
        'A container without requests is scheduled blind (and is the first evicted); one without limits can take the whole node. Set both, for CPU and memory, on every container.',
      expected: 'resources.requests and resources.limits for cpu and memory on every container, requests ≤ limits',
      actual: problems.join('\n'),
      hint: 'Add `resources:` with `requests:` (cpu: 100m, memory: 128Mi) and `limits:` (cpu: 500m, memory: 256Mi) to the container in k8s/deployment.yaml, then `kubectl apply -n <namespace> -f k8s/`.',
    });
  },
});
