/**
 * Hold-out submissions for the CronJob lab, graded against the Kubernetes
 * API fixture server: the learner's k8s/cronjob.yaml, applied, plus a run
 * made with `kubectl create job --from=cronjob/loan-retrain`, and which
 * checks a senior reviewer would fail.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyK8sFolder, holdoutGrader, idsWith, readScenario, type SubmissionContext } from '../_holdout/harness.ts';
import { createJobFromCronJob, waitForJob } from './run.ts';

const scenarios = join(import.meta.dirname, '__fixtures__', 'holdout');

async function applyAndRunOnce(ctx: SubmissionContext): Promise<void> {
  await applyK8sFolder(ctx);
  await createJobFromCronJob(ctx, 'loan-retrain-manual-1');
  await waitForJob(ctx, 'loan-retrain-manual-1', 60_000);
}

const judged: [scenario: string, why: string, fails: string[]][] = [
  ['good', 'nightly, Forbid, short history, deadlines, resources, non-root, a completed run', []],
  ['concurrency-allow', 'concurrencyPolicy Allow lets two trainings overlap', ['cronjob-forbids-overlapping-runs']],
  ['concurrency-replace', 'concurrencyPolicy Replace kills a slow training', ['cronjob-forbids-overlapping-runs']],
  ['no-history-limits', 'history limits left to the defaults', ['cronjob-keeps-short-history']],
  [
    'zero-successful-history',
    'successfulJobsHistoryLimit 0 deletes the proof of every run',
    ['cronjob-keeps-short-history', 'manual-run-completed'],
  ],
  ['step-larger-than-range', '`*/61 * * * *` is accepted by the API server but fires only at minute 0', ['cronjob-schedule-is-sensible']],
  ['training-fails', 'the training command exits 1', ['manual-run-completed']],
  ['runs-as-root', 'runAsUser 0', ['retraining-runs-as-non-root']],
  [
    'no-deadlines',
    'no startingDeadlineSeconds, activeDeadlineSeconds or backoffLimit',
    ['cronjob-has-starting-deadline', 'retraining-job-is-bounded'],
  ],
];

describe('kubernetes/08-scheduled-retraining-cronjob hold-out submissions (fixture API server)', () => {
  const grade = holdoutGrader('kubernetes/08-scheduled-retraining-cronjob');

  for (const [scenario, why, fails] of judged) {
    it(`judges "${scenario}" (${why}) as a reviewer would`, async () => {
      const results = await grade({ files: await readScenario(join(scenarios, scenario)), act: applyAndRunOnce });
      expect(idsWith(results, 'fail')).toEqual([...fails].sort());
      expect(idsWith(results, 'error')).toEqual([]);
      for (const id of fails) expect(results.get(id)!.hint, `${id} hint`).toBeTruthy();
    });
  }
});
