import { defineSolve } from '@mlops-lab/grader/authoring';
import { runScript } from '../_shared/runs.ts';

// What a learner does: run the given sweep, then the promote script with its TODOs done.
export default defineSolve(async (ctx) => {
  await ctx.copySolution();
  await runScript(ctx, ['sweep.py'], { usesModel: true });
  await runScript(ctx, ['promote.py'], { usesModel: true });
});
