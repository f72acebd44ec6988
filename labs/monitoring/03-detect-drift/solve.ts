import { defineSolve } from '@mlops-lab/grader/authoring';

// What a learner does: complete drift.py. The grader runs it on its own
// held-out windows, so nothing needs to run here.
export default defineSolve(async (ctx) => {
  await ctx.copySolution();
});
