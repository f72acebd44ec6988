import { defineSolve } from '@mlops-lab/grader/authoring';

// What a learner does: edit prometheus.yml, alerts.yml and alerts.test.yml.
// Everything the grader runs (promtool) reads the files as they are.
export default defineSolve(async (ctx) => {
  await ctx.copySolution();
});
