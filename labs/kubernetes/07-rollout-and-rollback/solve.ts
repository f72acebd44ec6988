import { defineSolve } from '@mlops-lab/grader/authoring';
import { copySolutionAndApply } from '../_shared/apply.ts';
import { BAD_IMAGE } from './checks/shared.ts';
import { rolloutUndo, setImage, waitForRollout, waitForStall } from './rollout.ts';

// What a learner does: make the Deployment safe to release and apply it;
// roll out the broken tag with a change cause; watch the rollout stall;
// `kubectl rollout undo`; `kubectl rollout status`.
export default defineSolve(async (ctx) => {
  await copySolutionAndApply(ctx);
  await waitForRollout(ctx, 180_000);
  await setImage(ctx, BAD_IMAGE, 'Roll out model-api 2.0.0');
  // progressDeadlineSeconds is 60 in the solution: the stall shows after about a minute.
  await waitForStall(ctx, 240_000);
  await rolloutUndo(ctx);
  await waitForRollout(ctx, 180_000);
});
