import type { V1JobSpec } from '@kubernetes/client-node';
import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { CRONJOB, applyHint, liveCronJob } from './shared.ts';

const MAX_DEADLINE = 4 * 3600;
const MAX_BACKOFF = 3;

export default defineCheck({
  id: 'retraining-job-is-bounded',
  title: `A retraining run is stopped after a deadline and retried at most ${MAX_BACKOFF} times`,
  needs: ['cronjob-exists'],
  requires: ['cluster'],
  hint: 'Under jobTemplate.spec set `activeDeadlineSeconds: 1800` and `backoffLimit: 2`.',
  // Mirrors: kubectl get cronjob loan-retrain -o jsonpath='{.spec.jobTemplate.spec.activeDeadlineSeconds} {.spec.jobTemplate.spec.backoffLimit}'
  async run(ctx) {
    const namespace = labNamespace(ctx);
    const job: V1JobSpec | undefined = (await liveCronJob(ctx))!.spec!.jobTemplate.spec;
    const deadline = job?.activeDeadlineSeconds;
    const backoff = job?.backoffLimit;
    const problems: string[] = [];
    if (deadline === undefined)
      problems.push(
        'no activeDeadlineSeconds: a hung training run holds its CPU and memory forever, and with Forbid it blocks every later run',
      );
    else if (deadline > MAX_DEADLINE)
      problems.push(`activeDeadlineSeconds ${deadline} lets a stuck run go on for more than ${MAX_DEADLINE / 3600} hours`);
    if (backoff === undefined) problems.push('no backoffLimit: a failing run is retried 6 times (the default), each a full training');
    else if (backoff > MAX_BACKOFF) problems.push(`backoffLimit ${backoff} retries a broken run ${backoff} times`);
    const actual = `activeDeadlineSeconds: ${deadline ?? 'not set'}, backoffLimit: ${backoff ?? 'not set (6)'}`;
    const expected = `activeDeadlineSeconds set (at most ${MAX_DEADLINE}) and backoffLimit at most ${MAX_BACKOFF}`;
    if (problems.length === 0)
      return pass(`Each run of ${CRONJOB} stops after ${deadline} s and is retried at most ${backoff} time(s).`, { expected, actual });
    return fail({
      message: `${problems.join('; ')}.`,
      expected,
      actual,
      hint: `Set both under spec.jobTemplate.spec in k8s/cronjob.yaml, then ${applyHint(namespace)}.`,
    });
  },
});
