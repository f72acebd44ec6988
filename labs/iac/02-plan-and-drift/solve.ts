import { defineSolve } from '@mlops-lab/grader/authoring';
import { learnerTofu } from '../_shared/tofu.ts';

// What a learner does: write drift-check.sh (solution/), then init and apply
// the configuration to the lab namespace.
export default defineSolve(async (ctx) => {
  await ctx.copySolution();
  await learnerTofu(ctx, 'infra', ['init', '-input=false', '-no-color']);
  await learnerTofu(ctx, 'infra', ['apply', '-input=false', '-no-color', '-auto-approve']);
});
