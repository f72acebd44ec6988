/**
 * Hold-out submissions for the rollout lab, graded against the Kubernetes
 * API fixture server: what the learner wrote in k8s/deployment.yaml and how
 * they rolled out and back, and which checks a senior reviewer would fail.
 */
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyK8sFolder, holdoutGrader, idsWith, readScenario, type SubmissionContext } from '../_holdout/harness.ts';
import { BAD_IMAGE } from './checks/shared.ts';
import { rolloutUndo, setImage, waitForRollout, waitForStall } from './rollout.ts';

const scenarios = join(import.meta.dirname, '__fixtures__', 'holdout');
const WAIT = 60_000;

/** Apply k8s/, roll out the broken tag, wait for the stall, then `rollBack`. */
function badRolloutThen(rollBack: (ctx: SubmissionContext) => Promise<void>, cause: string | undefined = 'Roll out model-api 2.0.0') {
  return async (ctx: SubmissionContext): Promise<void> => {
    await applyK8sFolder(ctx);
    await waitForRollout(ctx, WAIT);
    await setImage(ctx, BAD_IMAGE, cause);
    await waitForStall(ctx, WAIT);
    await rollBack(ctx);
    await waitForRollout(ctx, WAIT);
  };
}

/** Overwrite k8s/deployment.yaml with a changed good manifest and apply it. */
const reapplyTweaked = async (ctx: SubmissionContext): Promise<void> => {
  await copyFile(join(scenarios, 'good-manifest-tweaked', 'deployment.yaml'), join(ctx.workspace.dir, 'k8s', 'deployment.yaml'));
  await applyK8sFolder(ctx);
};

const undo = async (ctx: SubmissionContext): Promise<void> => {
  await rolloutUndo(ctx);
};

const judged: [scenario: string, why: string, act: (ctx: SubmissionContext) => Promise<void>, fails: string[]][] = [
  ['good', 'safe strategy, bad tag, stall, rollout undo', badRolloutThen(undo), []],
  // Re-applying the unchanged good manifest restores the same template: the controller treats it exactly like undo.
  ['good', 're-applied the unchanged good manifest instead of undo', badRolloutThen(applyK8sFolder), []],
  [
    'good',
    'rolled "back" by pushing another tag',
    badRolloutThen((ctx) => setImage(ctx, 'mlops-lab/model-api:1.0.1', 'Roll out 1.0.1 instead')),
    ['rollback-restored-known-good-revision', 'rollout-is-complete-on-good-image'],
  ],
  ['good', 're-applied a changed template with the good image', badRolloutThen(reapplyTweaked), ['rollback-restored-known-good-revision']],
  [
    'max-unavailable-100-percent',
    'maxUnavailable 100% drops every serving pod during the bad rollout',
    badRolloutThen(undo),
    ['rollout-strategy-keeps-full-capacity'],
  ],
  ['no-change-cause', 'no change cause on any revision', badRolloutThen(undo, undefined), ['change-cause-is-recorded']],
  ['good', 'fixed the manifest but never rolled out the broken tag', applyK8sFolder, ['bad-image-was-rolled-out']],
];

describe('kubernetes/07-rollout-and-rollback hold-out submissions (fixture API server)', () => {
  const grade = holdoutGrader('kubernetes/07-rollout-and-rollback');

  for (const [scenario, why, act, fails] of judged) {
    it(`judges "${scenario}" (${why}) as a reviewer would`, async () => {
      const results = await grade({ files: await readScenario(join(scenarios, scenario)), act });
      expect(idsWith(results, 'fail')).toEqual([...fails].sort());
      expect(idsWith(results, 'error')).toEqual([]);
      for (const id of fails) expect(results.get(id)!.hint, `${id} hint`).toBeTruthy();
    });
  }
});
