import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isOutcome, runLabel } from '../../_shared/runs.ts';
import { METRIC, SWEEP, sweepOf } from './shared.ts';

// Mirrors: mlflow runs list --experiment-id <id>  (status, metrics.val_loss of each trial)
export default defineCheck({
  id: 'every-trial-finished-with-val-loss',
  title: `Every trial finished and logged ${METRIC}`,
  needs: ['sweep-has-a-parent-run'],
  hint: 'A trial without the metric cannot be ranked; a FAILED one must not be picked.',
  async run(ctx) {
    const sweep = await sweepOf(ctx);
    if (isOutcome(sweep)) return sweep;
    const bad = sweep.trials.filter((t) => t.status !== 'FINISHED' || !Number.isFinite(t.metrics[METRIC]?.value ?? NaN));
    if (bad.length > 0) {
      return fail({
        message: `${bad.length} of ${sweep.trials.length} trial(s) did not finish with a finite ${METRIC}.`,
        expected: `every trial FINISHED with ${METRIC}`,
        actual: bad.map((t) => `${runLabel(t)}: ${t.status}, ${METRIC} ${t.metrics[METRIC]?.value ?? 'missing'}`).join('; '),
        hint: `Log the trial's metrics: \`mlflow.log_metrics(final)\`, then ${SWEEP}.`,
      });
    }
    return pass(`All ${sweep.trials.length} trials finished with ${METRIC}.`);
  },
});
