import { defineSolve } from '@mlops-lab/grader/authoring';
import { runScript } from '../_shared/runs.ts';

// What a learner does: nest the trials, log them, rank them on the server, write best_run.txt.
export default defineSolve(async (ctx) => {
  await ctx.copySolution();
  await runScript(ctx, ['sweep.py'], { usesModel: false });
});
