import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { resolveIntOrPercent } from './history.ts';
import { DEPLOYMENT, rolloutOnce } from './shared.ts';

export default defineCheck({
  id: 'rollout-strategy-keeps-full-capacity',
  title: 'The rolling update never takes a serving pod away before its replacement is ready (maxUnavailable 0, maxSurge 1+)',
  needs: ['deployment-exists'],
  requires: ['cluster'],
  hint: 'Under spec.strategy.rollingUpdate set `maxUnavailable: 0` and `maxSurge: 1`, with at least 2 replicas.',
  // Mirrors: kubectl get deployment loan-api -o jsonpath='{.spec.replicas} {.spec.strategy}'
  async run(ctx) {
    const namespace = labNamespace(ctx);
    const { deployment } = await rolloutOnce(ctx);
    const spec = deployment!.spec!;
    const replicas = spec.replicas ?? 1;
    const type = spec.strategy?.type ?? 'RollingUpdate';
    const rolling = spec.strategy?.rollingUpdate;
    const unavailable = resolveIntOrPercent(rolling?.maxUnavailable, replicas, false, '25%');
    const surge = resolveIntOrPercent(rolling?.maxSurge, replicas, true, '25%');
    const actual = `replicas ${replicas}, strategy ${type}${type === 'RollingUpdate' ? `, maxUnavailable ${String(rolling?.maxUnavailable ?? '25% (default)')} = ${unavailable} pod(s), maxSurge ${String(rolling?.maxSurge ?? '25% (default)')} = ${surge} pod(s)` : ''}`;
    const expected = 'RollingUpdate with maxUnavailable resolving to 0 pods and maxSurge to at least 1, and 2+ replicas';
    const problems: string[] = [];
    if (type !== 'RollingUpdate')
      problems.push(
        'Recreate stops every pod before starting the new ones: the API is down for the whole rollout, and a bad image leaves it down',
      );
    else {
      if (unavailable !== 0)
        problems.push(
          `maxUnavailable lets ${unavailable} of ${replicas} serving pod(s) go before their replacements are ready; with a bad image they never come back`,
        );
      if (!(surge >= 1)) problems.push('maxSurge 0 with maxUnavailable 0 cannot make progress at all');
    }
    if (replicas < 2) problems.push('one replica means any restart is an outage');
    if (problems.length === 0)
      return pass(`The rollout keeps all ${replicas} pods serving until each replacement is ready.`, { expected, actual });
    return fail({
      message: `${problems.join('; ')}.`,
      expected,
      actual,
      hint: `Edit spec.strategy in k8s/deployment.yaml, then \`kubectl apply -n ${namespace} -f k8s/\` and \`kubectl get deployment ${DEPLOYMENT} -n ${namespace} -o jsonpath='{.spec.strategy}'\`.`,
    });
  },
});
