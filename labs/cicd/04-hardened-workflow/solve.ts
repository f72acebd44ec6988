import { defineSolve } from '@mlops-lab/grader/authoring';

// What a learner does: edit .github/workflows/pr.yml (GitHub runs it after the push).
export default defineSolve(async (ctx) => {
  const files = await ctx.copySolution();
  ctx.log(`copied ${files.length} files from the solution`);
});
