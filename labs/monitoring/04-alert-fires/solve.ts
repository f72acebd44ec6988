import { defineSolve } from '@mlops-lab/grader/authoring';

// What a learner does: write the drift window (app/drift.py) and shorten the
// timings and add the webhook receiver in the three configs. The grader
// starts the service, Prometheus and Alertmanager itself.
export default defineSolve(async (ctx) => {
  await ctx.copySolution();
});
