import { defineSolve } from '@mlops-lab/grader/authoring';
import { lab } from './checks/shared.ts';

// What a learner does: write the solution Dockerfile (and .dockerignore),
// then `docker build`. The image carries the workspace label so reset and
// cleanup remove it.
export default defineSolve(async (ctx) => {
  const files = await ctx.copySolution();
  ctx.log(`copied ${files.length} files from the solution`);
  await lab.buildForSolve(ctx);
});
