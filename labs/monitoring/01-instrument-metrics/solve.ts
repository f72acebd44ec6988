import { defineSolve } from '@mlops-lab/grader/authoring';

// What a learner does: write the three metrics into app/main.py. The grader
// starts the service from the Procfile itself, so nothing needs to run here.
export default defineSolve(async (ctx) => {
  await ctx.copySolution();
});
