import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { CRONJOB, liveCronJob } from './shared.ts';

export default defineCheck({
  id: 'cronjob-is-not-suspended',
  title: 'The CronJob is active (not suspended)',
  needs: ['cronjob-exists'],
  requires: ['cluster'],
  hint: `Resume it: \`kubectl patch cronjob ${CRONJOB} -p '{"spec":{"suspend":false}}'\`, and remove \`suspend: true\` from k8s/.`,
  // Mirrors: kubectl get cronjob loan-retrain -o jsonpath='{.spec.suspend}'
  async run(ctx) {
    const namespace = labNamespace(ctx);
    const suspended = (await liveCronJob(ctx))!.spec!.suspend === true;
    if (!suspended) return pass(`cronjob/${CRONJOB} will run on its schedule.`);
    return fail({
      message: 'The CronJob is suspended: no scheduled run starts, so the model silently goes stale while everything looks deployed.',
      expected: 'suspend: false',
      actual: 'suspend: true',
      hint: `Delete the \`suspend: true\` line in k8s/cronjob.yaml, then \`kubectl apply -n ${namespace} -f k8s/\` and \`kubectl get cronjob ${CRONJOB} -n ${namespace}\` (SUSPEND False).`,
    });
  },
});
