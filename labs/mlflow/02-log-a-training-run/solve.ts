import { defineSolve } from '@mlops-lab/grader/authoring';
import { runScript } from '../_shared/runs.ts';

// What a learner does: fill in the TODOs of train.py and run it against the tracking server.
export default defineSolve(async (ctx) => {
  await ctx.copySolution();
  await runScript(ctx, ['train.py'], { usesModel: false });
});
