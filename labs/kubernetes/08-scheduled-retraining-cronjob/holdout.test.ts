/**
 * Hold-out submissions for the CronJob lab: the learner's k8s/cronjob.yaml,
 * applied, plus a run made with `kubectl create job --from=cronjob/loan-retrain`,
 * and which checks a senior reviewer would fail.
 */
import { allPassBut, holdoutSuite, type HoldOut, type HoldoutContext } from '../_shared/holdout.ts';
import { createJobFromCronJob, waitForJob } from './run.ts';

const ALL_PASS = {
  'manifests-are-valid': 'pass',
  'cronjob-exists': 'pass',
  'cronjob-schedule-is-sensible': 'pass',
  'cronjob-is-not-suspended': 'pass',
  'cronjob-forbids-overlapping-runs': 'pass',
  'cronjob-keeps-short-history': 'pass',
  'cronjob-has-starting-deadline': 'pass',
  'retraining-job-is-bounded': 'pass',
  'retraining-container-has-resources': 'pass',
  'retraining-runs-as-non-root': 'pass',
  'manual-run-completed': 'pass',
} as const;

/** `kubectl apply -f k8s/`, then `kubectl create job --from=cronjob/loan-retrain` and wait for it. */
async function applyAndRunOnce(ctx: HoldoutContext): Promise<void> {
  await ctx.apply();
  await createJobFromCronJob(ctx, 'loan-retrain-manual-1');
  await waitForJob(ctx, 'loan-retrain-manual-1', 60_000);
}

/** A submission applied and run once, on which every check passes but the failing ones. */
const judged = (submission: string, verdict: string, ...fails: (keyof typeof ALL_PASS)[]): HoldOut => ({
  submission,
  verdict,
  act: applyAndRunOnce,
  expect: allPassBut(ALL_PASS, { fail: fails }),
});

holdoutSuite(
  'kubernetes/08-scheduled-retraining-cronjob',
  [
    judged('good', 'nightly, Forbid, short history, deadlines, resources, non-root, a completed run'),
    judged('concurrency-allow', 'concurrencyPolicy Allow lets two trainings overlap', 'cronjob-forbids-overlapping-runs'),
    judged('concurrency-replace', 'concurrencyPolicy Replace kills a slow training', 'cronjob-forbids-overlapping-runs'),
    judged('no-history-limits', 'history limits left to the defaults', 'cronjob-keeps-short-history'),
    judged(
      'zero-successful-history',
      'successfulJobsHistoryLimit 0 deletes the proof of every run',
      'cronjob-keeps-short-history',
      'manual-run-completed',
    ),
    judged(
      'step-larger-than-range',
      '`*/61 * * * *` is accepted by the API server but fires only at minute 0',
      'cronjob-schedule-is-sensible',
    ),
    judged('training-fails', 'the training command exits 1', 'manual-run-completed'),
    judged('runs-as-root', 'runAsUser 0', 'retraining-runs-as-non-root'),
    judged(
      'no-deadlines',
      'no startingDeadlineSeconds, activeDeadlineSeconds or backoffLimit',
      'cronjob-has-starting-deadline',
      'retraining-job-is-bounded',
    ),
  ],
  { timeScale: 60 },
);
