import { defineSolve } from '@mlops-lab/grader/authoring';
import { ensureTrackingServer } from '../../mlflow/_shared/server.ts';
import { registerVersions } from './hooks.ts';

// What a learner does: start the tracking server if none runs, register the two versions (idempotent), and load the champion.
export default defineSolve(async (ctx) => {
  ctx.log(`tracking server: ${await ensureTrackingServer(ctx)}`);
  await registerVersions(ctx);
  await ctx.copySolution();
});
