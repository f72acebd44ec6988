import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { DEPLOYMENT, rolloutOnce } from './shared.ts';

export default defineCheck({
  id: 'deployment-exists',
  title: `The Deployment ${DEPLOYMENT} exists in the lab namespace`,
  requires: ['cluster'],
  hint: 'Apply the manifest: `kubectl apply -n <namespace> -f k8s/`.',
  // Mirrors: kubectl get deployment loan-api -n <namespace>
  async run(ctx) {
    const namespace = labNamespace(ctx);
    const { deployment } = await rolloutOnce(ctx);
    if (deployment) return pass(`deployment/${DEPLOYMENT} exists in ${namespace}.`);
    return fail({
      message: `There is no Deployment ${DEPLOYMENT} in ${namespace}.`,
      expected: `deployment/${DEPLOYMENT} in ${namespace}`,
      actual: 'not found',
      hint: `kubectl apply -n ${namespace} -f k8s/ && kubectl get deployments -n ${namespace}`,
    });
  },
});
