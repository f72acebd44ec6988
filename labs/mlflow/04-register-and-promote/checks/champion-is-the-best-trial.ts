import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isOutcome, runLabel } from '../../_shared/runs.ts';
import { ALIAS, METRIC, PROMOTE, bestTrialOf, championOf } from './shared.ts';

// Mirrors: mlflow.search_runs(order_by=["metrics.val_loss ASC"], max_results=1) vs. the champion version's run_id
export default defineCheck({
  id: 'champion-is-the-best-trial',
  title: `The ${ALIAS} comes from the trial with the lowest ${METRIC}`,
  needs: ['champion-alias-is-set'],
  hint: 'Rank on the server (order_by metrics.val_loss ASC) instead of taking the newest run.',
  async run(ctx) {
    const champion = await championOf(ctx);
    if (isOutcome(champion)) return champion;
    const best = await bestTrialOf(ctx);
    if (isOutcome(best)) return best;
    const { version } = champion;
    if (version.runId !== best.runId) {
      const bestLoss = best.metrics[METRIC]!.value.toFixed(4);
      return fail({
        message: `${ALIAS} points at version ${version.version}, which comes from run ${version.runId.slice(0, 8) || '(none)'}, not from the best trial ${runLabel(best)} (${METRIC} ${bestLoss}).`,
        expected: `a version whose source run is ${best.runId}`,
        actual: `version ${version.version}: run ${version.runId || '(none)'}, source ${version.source}`,
        hint: `Register the best trial's model and move the alias to that version; ${PROMOTE}.`,
      });
    }
    return pass(`${ALIAS} (version ${version.version}) comes from ${runLabel(best)}, the lowest ${METRIC}.`);
  },
});
