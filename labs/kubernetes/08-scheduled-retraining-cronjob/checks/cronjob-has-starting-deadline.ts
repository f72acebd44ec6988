import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { CRONJOB, applyHint, liveCronJob } from './shared.ts';

export default defineCheck({
  id: 'cronjob-has-starting-deadline',
  title: 'A run that could not start on time is skipped after a deadline (startingDeadlineSeconds)',
  needs: ['cronjob-exists'],
  requires: ['cluster'],
  hint: 'Set `startingDeadlineSeconds: 600`: a run more than 10 minutes late is skipped, not started at noon.',
  // Mirrors: kubectl get cronjob loan-retrain -o jsonpath='{.spec.startingDeadlineSeconds}'
  async run(ctx) {
    const namespace = labNamespace(ctx);
    const seconds = (await liveCronJob(ctx))!.spec!.startingDeadlineSeconds;
    const expected = 'startingDeadlineSeconds between 10 and 3600';
    if (seconds !== undefined && seconds >= 10 && seconds <= 3600)
      return pass(`A run of ${CRONJOB} more than ${seconds} s late is skipped.`, { expected, actual: `${seconds} s` });
    return fail({
      message:
        seconds === undefined
          ? 'Without a starting deadline, a run missed while the cluster was down starts whenever the controller comes back, however late that is.'
          : seconds < 10
            ? `${seconds} s is shorter than the controller's 10 s check interval: runs can be skipped every time.`
            : `${seconds} s lets a nightly run start hours late, in the middle of the working day.`,
      expected,
      actual: seconds === undefined ? 'not set' : `${seconds} s`,
      hint: `Add \`startingDeadlineSeconds: 600\` to k8s/cronjob.yaml, then ${applyHint(namespace)}.`,
    });
  },
});
