import { defineSolve } from '@mlops-lab/grader/authoring';
import { learnerTofu } from '../_shared/tofu.ts';

// What a learner does: write the tests (solution/.../tests/), fix the two bugs
// they expose (prod quota, environment validation), and run `tofu test`.
export default defineSolve(async (ctx) => {
  await ctx.copySolution();
  await learnerTofu(ctx, 'modules/serving-namespace', ['init', '-backend=false', '-input=false', '-no-color']);
  await learnerTofu(ctx, 'modules/serving-namespace', ['test', '-no-color']);
});
