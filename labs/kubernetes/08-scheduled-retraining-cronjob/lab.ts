import { defineLab } from '@mlops-lab/grader/authoring';
import { kubeLabHooksApplyingStarter } from '../_shared/apply.ts';
import cronjobExists from './checks/cronjob-exists.ts';
import cronjobForbidsOverlappingRuns from './checks/cronjob-forbids-overlapping-runs.ts';
import cronjobHasStartingDeadline from './checks/cronjob-has-starting-deadline.ts';
import cronjobIsNotSuspended from './checks/cronjob-is-not-suspended.ts';
import cronjobKeepsShortHistory from './checks/cronjob-keeps-short-history.ts';
import cronjobScheduleIsSensible from './checks/cronjob-schedule-is-sensible.ts';
import manifestsAreValid from './checks/manifests-are-valid.ts';
import manualRunCompleted from './checks/manual-run-completed.ts';
import retrainingContainerHasResources from './checks/retraining-container-has-resources.ts';
import retrainingJobIsBounded from './checks/retraining-job-is-bounded.ts';
import retrainingRunsAsNonRoot from './checks/retraining-runs-as-non-root.ts';

export default defineLab({
  id: 'kubernetes/08-scheduled-retraining-cronjob',
  version: '1.0.0',
  title: 'Scheduled retraining with a CronJob',
  stage: 'kubernetes',
  summary:
    'Turn a paused, every-ten-minutes retraining CronJob into one a reviewer signs off: a nightly schedule, no overlapping runs, short history, deadlines, resources, non-root, and a manual run that completes.',
  minutes: 35,
  difficulty: 'intermediate',
  skills: ['kubernetes'],
  needs: ['cluster'],
  checks: [
    manifestsAreValid,
    cronjobExists,
    cronjobScheduleIsSensible,
    cronjobIsNotSuspended,
    cronjobForbidsOverlappingRuns,
    cronjobKeepsShortHistory,
    cronjobHasStartingDeadline,
    retrainingJobIsBounded,
    retrainingContainerHasResources,
    retrainingRunsAsNonRoot,
    manualRunCompleted,
  ],
  defaults: { timeoutMs: 20_000 },
  contract: {
    starterFails: [
      'cronjob-schedule-is-sensible',
      'cronjob-is-not-suspended',
      'cronjob-forbids-overlapping-runs',
      'cronjob-keeps-short-history',
      'cronjob-has-starting-deadline',
      'retraining-job-is-bounded',
      'retraining-container-has-resources',
      'retraining-runs-as-non-root',
      'manual-run-completed',
    ],
  },
  // The colleague's CronJob is already in the namespace (suspended).
  ...kubeLabHooksApplyingStarter(),
});
