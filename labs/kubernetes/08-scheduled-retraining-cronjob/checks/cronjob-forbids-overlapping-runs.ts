import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { CRONJOB, applyHint, liveCronJob } from './shared.ts';

export default defineCheck({
  id: 'cronjob-forbids-overlapping-runs',
  title: 'A new retraining run never starts while the previous one is still running (concurrencyPolicy: Forbid)',
  needs: ['cronjob-exists'],
  requires: ['cluster'],
  hint: 'Set `concurrencyPolicy: Forbid` under the CronJob spec.',
  // Mirrors: kubectl get cronjob loan-retrain -o jsonpath='{.spec.concurrencyPolicy}'
  async run(ctx) {
    const namespace = labNamespace(ctx);
    const policy = (await liveCronJob(ctx))!.spec!.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid') return pass(`cronjob/${CRONJOB} skips a run while the previous one is active.`);
    return fail({
      message:
        policy === 'Replace'
          ? 'Replace kills a training run that is still going to start the next one: a slow night never produces a model.'
          : 'With Allow (the default), a slow run and the next one train at the same time, compete for the same data and both write the model.',
      expected: 'concurrencyPolicy: Forbid',
      actual: `concurrencyPolicy: ${policy}`,
      hint: `Add \`concurrencyPolicy: Forbid\` to k8s/cronjob.yaml, then ${applyHint(namespace)}.`,
    });
  },
});
