import { defineSolve } from '@mlops-lab/grader/authoring';
import { lab } from './checks/shared.ts';

// What a learner does: reorder the Dockerfile, write .dockerignore, build.
export default defineSolve(async (ctx) => {
  const files = await ctx.copySolution();
  ctx.log(`copied ${files.length} files from the solution`);
  await lab.buildForSolve(ctx);
});
