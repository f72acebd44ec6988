import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { CRONJOB, applyHint, liveCronJob, writtenCronJob } from './shared.ts';

const LIMITS = [
  { key: 'successfulJobsHistoryLimit', min: 1, max: 3 },
  { key: 'failedJobsHistoryLimit', min: 1, max: 3 },
] as const;

export default defineCheck({
  id: 'cronjob-keeps-short-history',
  title: 'Finished runs are kept for debugging, but only a few (history limits set, 1 to 3)',
  needs: ['cronjob-exists'],
  requires: ['cluster'],
  hint: 'Set `successfulJobsHistoryLimit: 3` and `failedJobsHistoryLimit: 3` in the CronJob spec.',
  // Mirrors: kubectl get cronjob loan-retrain -o jsonpath='{.spec.successfulJobsHistoryLimit} {.spec.failedJobsHistoryLimit}'
  async run(ctx) {
    const namespace = labNamespace(ctx);
    const spec = (await liveCronJob(ctx))!.spec! as unknown as Record<string, number | undefined>;
    const written = await writtenCronJob(ctx);
    const problems: string[] = [];
    for (const limit of LIMITS) {
      const live = spec[limit.key];
      if (written && written.spec[limit.key] === undefined)
        problems.push(`${limit.key} is not written in ${written.file} (the cluster's default, ${String(live)}, is nobody's decision)`);
      else if (live === undefined || live < limit.min || live > limit.max) {
        problems.push(
          `${limit.key} is ${String(live)}: ${live === 0 ? 'no finished run is kept to read logs from' : `keep between ${limit.min} and ${limit.max}`}`,
        );
      }
    }
    const actual = LIMITS.map(
      (l) => `${l.key}: ${String(spec[l.key])}${written && written.spec[l.key] === undefined ? ' (defaulted)' : ''}`,
    ).join(', ');
    const expected = 'successfulJobsHistoryLimit and failedJobsHistoryLimit written in the manifest, each between 1 and 3';
    if (problems.length === 0) return pass(`cronjob/${CRONJOB} keeps a short history.`, { expected, actual });
    return fail({
      message: `Every finished run keeps its Job and pod (and the pod's logs) in the namespace: ${problems.join('; ')}.`,
      expected,
      actual,
      hint: `Add both limits to k8s/cronjob.yaml, then ${applyHint(namespace)}.`,
    });
  },
});
