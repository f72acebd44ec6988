import { defineLab } from '@mlops-lab/grader/authoring';
import { kubeLabHooksApplyingStarter } from '../_shared/apply.ts';
import badImageWasRolledOut from './checks/bad-image-was-rolled-out.ts';
import changeCauseIsRecorded from './checks/change-cause-is-recorded.ts';
import deploymentExists from './checks/deployment-exists.ts';
import manifestsAreValid from './checks/manifests-are-valid.ts';
import progressDeadlineIsShort from './checks/progress-deadline-is-short.ts';
import rollbackRestoredKnownGoodRevision from './checks/rollback-restored-known-good-revision.ts';
import rolloutIsCompleteOnGoodImage from './checks/rollout-is-complete-on-good-image.ts';
import rolloutStrategyKeepsFullCapacity from './checks/rollout-strategy-keeps-full-capacity.ts';

export default defineLab({
  id: 'kubernetes/07-rollout-and-rollback',
  version: '1.0.0',
  title: 'Roll out a broken release, then roll it back',
  stage: 'kubernetes',
  summary:
    'Make the model API safe to release (no capacity lost during a rollout, a short progress deadline, recorded change causes), roll out an image that does not exist, watch it stall, and bring the known-good revision back with `kubectl rollout undo`.',
  minutes: 40,
  difficulty: 'intermediate',
  skills: ['kubernetes'],
  needs: ['cluster'],
  checks: [
    manifestsAreValid,
    deploymentExists,
    rolloutStrategyKeepsFullCapacity,
    progressDeadlineIsShort,
    changeCauseIsRecorded,
    badImageWasRolledOut,
    rollbackRestoredKnownGoodRevision,
    rolloutIsCompleteOnGoodImage,
  ],
  defaults: { timeoutMs: 20_000 },
  contract: {
    starterFails: [
      'rollout-strategy-keeps-full-capacity',
      'progress-deadline-is-short',
      'change-cause-is-recorded',
      'bad-image-was-rolled-out',
    ],
  },
  // Version 1.0.0 is already serving when the learner arrives.
  ...kubeLabHooksApplyingStarter(),
});
