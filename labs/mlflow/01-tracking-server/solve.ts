import { defineSolve } from '@mlops-lab/grader/authoring';
import { labNames, labNumberOf, scriptEnv } from '../_shared/lab-env.ts';
import { runScript } from '../_shared/runs.ts';
import { ensureTrackingServer } from '../_shared/server.ts';

// What a learner does: write start-server.sh and start it (unless a server
// already answers at MLFLOW_TRACKING_URI), create the experiment with the
// CLI, then log the smoke run.
export default defineSolve(async (ctx) => {
  await ctx.copySolution();
  ctx.log(`tracking server: ${await ensureTrackingServer(ctx)}`);
  const { experiment } = labNames(labNumberOf(ctx.lab.id), ctx.workspace);
  const created = await ctx.process.run('mlflow', ['experiments', 'create', '--experiment-name', experiment], {
    cwd: ctx.workspace.dir,
    env: scriptEnv(ctx, false),
    timeoutMs: 120_000,
    signal: ctx.signal,
  });
  if (created.exitCode !== 0 && !/already exists/i.test(created.stderr)) {
    throw new Error(`mlflow experiments create failed (${created.exitCode}): ${created.stderr.slice(-2000)}`);
  }
  await runScript(ctx, ['smoke_run.py'], { usesModel: false });
});
