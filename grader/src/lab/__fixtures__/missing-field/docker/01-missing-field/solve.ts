import { defineSolve } from '@mlops-lab/grader/authoring';

export default defineSolve(async (ctx) => {
  await ctx.copySolution();
});
