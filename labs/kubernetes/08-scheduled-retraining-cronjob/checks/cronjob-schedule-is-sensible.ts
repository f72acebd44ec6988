import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { readSchedule } from './schedule.ts';
import { CRONJOB, applyHint, liveCronJob } from './shared.ts';

const MAX_RUNS_PER_DAY = 24;

export default defineCheck({
  id: 'cronjob-schedule-is-sensible',
  title: 'The schedule is valid and retrains at most once an hour',
  needs: ['cronjob-exists'],
  requires: ['cluster'],
  hint: 'Retrain nightly: `schedule: "0 3 * * *"` with `timeZone: "Etc/UTC"`.',
  // Mirrors: kubectl get cronjob loan-retrain -o jsonpath='{.spec.schedule} {.spec.timeZone}'
  async run(ctx) {
    const namespace = labNamespace(ctx);
    const spec = (await liveCronJob(ctx))!.spec!;
    const reading = readSchedule(spec.schedule, spec.timeZone);
    const actual = `schedule "${spec.schedule}"${spec.timeZone ? `, timeZone "${spec.timeZone}"` : ", no timeZone (the controller's local time)"}${reading.problems.length ? '' : `, ${reading.runsPerDay} run(s) on a day it fires`}`;
    const expected = `a valid 5-field schedule firing at most ${MAX_RUNS_PER_DAY} times a day (e.g. "0 3 * * *")`;
    if (reading.problems.length > 0) {
      return fail({
        message: `The schedule is wrong: ${reading.problems.join('; ')}.`,
        expected,
        actual,
        hint: `Fix spec.schedule in k8s/cronjob.yaml, then ${applyHint(namespace)}.`,
      });
    }
    if (reading.runsPerDay > MAX_RUNS_PER_DAY) {
      return fail({
        message: `"${spec.schedule}" retrains ${reading.runsPerDay} times a day: each run costs a full training, and a new model every few minutes cannot have been evaluated.`,
        expected,
        actual,
        hint: `Retrain nightly ("0 3 * * *") in k8s/cronjob.yaml, then ${applyHint(namespace)}.`,
      });
    }
    return pass(`cronjob/${CRONJOB} runs on "${spec.schedule}"${spec.timeZone ? ` (${spec.timeZone})` : ''}.`, { expected, actual });
  },
});
