import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { CRONJOB, liveCronJob } from './shared.ts';

export default defineCheck({
  id: 'cronjob-exists',
  title: `The CronJob ${CRONJOB} exists in the lab namespace`,
  requires: ['cluster'],
  hint: 'Apply the manifest: `kubectl apply -n <namespace> -f k8s/`.',
  // Mirrors: kubectl get cronjob loan-retrain -n <namespace>
  async run(ctx) {
    const namespace = labNamespace(ctx);
    if (await liveCronJob(ctx)) return pass(`cronjob/${CRONJOB} exists in ${namespace}.`);
    return fail({
      message: `There is no CronJob ${CRONJOB} in ${namespace}; if \`kubectl apply\` refused it, its error names the field.`,
      expected: `cronjob/${CRONJOB} in ${namespace}`,
      actual: 'not found',
      hint: `kubectl apply -n ${namespace} -f k8s/ && kubectl get cronjobs -n ${namespace}`,
    });
  },
});
