import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { where } from '../../_shared/kube.ts';
import { manifestDeployment, noDeployment } from '../../_shared/deployment.ts';
import { LAB_ID } from './shared.ts';

export default defineCheck({
  id: 'deployment-has-two-or-more-replicas',
  title: 'The Deployment asks for at least two replicas',
  needs: ['manifests-are-valid'],
  hint: 'Set `spec.replicas: 2` in k8s/deployment.yaml: one pod can restart or move while the other serves.',
  async run(ctx) {
    // Mirrors: kubectl get deployment model-api -o jsonpath='{.spec.replicas}'
    const found = await manifestDeployment(ctx);
    if (!found) return noDeployment(LAB_ID);
    const replicas = found.deployment.spec?.replicas;
    if (replicas !== undefined && replicas >= 2) return pass(`spec.replicas is ${replicas}.`);
    return fail({
      message: `The Deployment runs ${replicas ?? 1} replica${(replicas ?? 1) === 1 ? '' : 's'}: when that pod restarts, is evicted or its node drains, the model API is down.`,
      expected: 'spec.replicas: 2 or more',
      actual:
        replicas === undefined
          ? `${where(found.object, ['spec'])}: replicas not set (defaults to 1)`
          : `${where(found.object, ['spec', 'replicas'])}: ${replicas}`,
      hint: 'Set `replicas: 2` under `spec:` in k8s/deployment.yaml, then `kubectl apply -n <namespace> -f k8s/`.',
    });
  },
});
