/**
 * Hold-out submissions for the rollout lab: what the learner wrote in
 * k8s/deployment.yaml and how they rolled out and back, and which checks a
 * senior reviewer would fail.
 */
import { allPassBut, holdoutSuite, type HoldoutContext } from '../_shared/holdout.ts';
import { BAD_IMAGE } from './checks/shared.ts';
import { rolloutUndo, setImage, waitForRollout, waitForStall } from './rollout.ts';

const WAIT = 60_000;

const ALL_PASS = {
  'manifests-are-valid': 'pass',
  'deployment-exists': 'pass',
  'rollout-strategy-keeps-full-capacity': 'pass',
  'progress-deadline-is-short': 'pass',
  'change-cause-is-recorded': 'pass',
  'bad-image-was-rolled-out': 'pass',
  'rollback-restored-known-good-revision': 'pass',
  'rollout-is-complete-on-good-image': 'pass',
} as const;

/** Every check passes but these, which fail. */
const failing = (...ids: (keyof typeof ALL_PASS)[]) => allPassBut(ALL_PASS, { fail: ids });

/** Apply k8s/, roll out the broken tag, wait for the stall, then `rollBack`. */
function badRolloutThen(rollBack: (ctx: HoldoutContext) => Promise<void>, cause: string | undefined = 'Roll out model-api 2.0.0') {
  return async (ctx: HoldoutContext): Promise<void> => {
    await ctx.apply();
    await waitForRollout(ctx, WAIT);
    await setImage(ctx, BAD_IMAGE, cause);
    await waitForStall(ctx, WAIT);
    await rollBack(ctx);
    await waitForRollout(ctx, WAIT);
  };
}

const undo = async (ctx: HoldoutContext): Promise<void> => {
  await rolloutUndo(ctx);
};

holdoutSuite(
  'kubernetes/07-rollout-and-rollback',
  [
    { submission: 'good', verdict: 'safe strategy, bad tag, stall, rollout undo', act: badRolloutThen(undo), expect: ALL_PASS },
    // Re-applying the unchanged good manifest restores the same template: the controller treats it exactly like undo.
    {
      submission: 'good',
      verdict: 're-applied the unchanged good manifest instead of undo',
      act: badRolloutThen((ctx) => ctx.apply()),
      expect: ALL_PASS,
    },
    {
      submission: 'good',
      verdict: 'rolled "back" by pushing another tag',
      act: badRolloutThen((ctx) => setImage(ctx, 'mlops-lab/model-api:1.0.1', 'Roll out 1.0.1 instead')),
      expect: failing('rollback-restored-known-good-revision', 'rollout-is-complete-on-good-image'),
    },
    {
      submission: 'good',
      verdict: 're-applied a changed template with the good image',
      act: badRolloutThen(async (ctx) => {
        await ctx.overlay('good-manifest-tweaked');
        await ctx.apply();
      }),
      expect: failing('rollback-restored-known-good-revision'),
    },
    {
      submission: 'max-unavailable-100-percent',
      verdict: 'maxUnavailable 100% drops every serving pod during the bad rollout',
      act: badRolloutThen(undo),
      expect: failing('rollout-strategy-keeps-full-capacity'),
    },
    {
      submission: 'no-change-cause',
      verdict: 'no change cause on any revision',
      act: badRolloutThen(undo, undefined),
      expect: failing('change-cause-is-recorded'),
    },
    {
      submission: 'good',
      verdict: 'fixed the manifest but never rolled out the broken tag',
      expect: allPassBut(ALL_PASS, { fail: ['bad-image-was-rolled-out'], skip: ['rollback-restored-known-good-revision'] }),
    },
  ],
  { timeScale: 60, overlays: ['good-manifest-tweaked'] },
);
