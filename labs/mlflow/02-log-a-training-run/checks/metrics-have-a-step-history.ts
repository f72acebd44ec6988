import { defineCheck, fail, pass, type Run } from '@mlops-lab/grader/authoring';
import type { CheckContext } from '@mlops-lab/grader/authoring';
import { isOutcome, runLabel } from '../../_shared/runs.ts';
import { CURVES, TRAIN, newestRun } from './shared.ts';

/** How many distinct steps each curve has. */
async function stepsPerCurve(ctx: CheckContext, run: Run): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const key of CURVES) {
    const points = key in run.metrics ? await ctx.mlflow.metricHistory(run.runId, key, { signal: ctx.signal }) : [];
    counts[key] = new Set(points.map((p) => p.step)).size;
  }
  return counts;
}

// Mirrors: curl "$MLFLOW_TRACKING_URI/api/2.0/mlflow/metrics/get-history?run_id=<run>&metric_key=val_loss"
export default defineCheck({
  id: 'metrics-have-a-step-history',
  title: 'val_loss and val_accuracy have one point per epoch',
  needs: ['training-run-finished'],
  hint: 'A curve, not a number: log inside the loop with step=epoch, and MLflow draws the training curve.',
  async run(ctx) {
    const run = await newestRun(ctx);
    if (isOutcome(run)) return run;
    const epochs = Number(run.params.epochs);
    const counts = await stepsPerCurve(ctx, run);
    const short = CURVES.filter((key) => counts[key]! < Math.max(2, Number.isFinite(epochs) ? epochs : 2));
    const found = CURVES.map((key) => `${key}: ${counts[key]} step(s)`).join(', ');
    if (short.length > 0) {
      const once = short.every((key) => counts[key]! <= 1);
      return fail({
        message: once
          ? `${runLabel(run)} logs ${short.join(' and ')} at most once (at the end), so there is no training curve to look at.`
          : `${runLabel(run)} logs fewer points of ${short.join(' and ')} than it trained epochs (${run.params.epochs}).`,
        expected: `${CURVES.join(' and ')} at steps 0..${Number.isFinite(epochs) ? epochs - 1 : 'epochs-1'}`,
        actual: found,
        hint: `In on_epoch: \`mlflow.log_metrics(metrics, step=epoch)\`, then ${TRAIN}.`,
      });
    }
    return pass(`${runLabel(run)} has a point per epoch (${found}).`);
  },
});
