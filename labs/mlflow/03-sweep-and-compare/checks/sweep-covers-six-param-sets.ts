import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isOutcome, runLabel } from '../../_shared/runs.ts';
import { SWEEP, TRIALS, paramSet, sweepOf } from './shared.ts';

// Mirrors: curl -X POST "$MLFLOW_TRACKING_URI/api/2.0/mlflow/runs/search" -d '{"filter": "tags.mlflow.parentRunId = \"<parent>\""}'
export default defineCheck({
  id: 'sweep-covers-six-param-sets',
  title: `The sweep has ${TRIALS} trials, each with its own alpha and penalty`,
  needs: ['sweep-has-a-parent-run'],
  hint: 'Each trial logs its own params; two trials with the same params are one trial run twice.',
  async run(ctx) {
    const sweep = await sweepOf(ctx);
    if (isOutcome(sweep)) return sweep;
    const sets = new Map<string, number>();
    for (const trial of sweep.trials) sets.set(paramSet(trial), (sets.get(paramSet(trial)) ?? 0) + 1);
    const unlogged = sweep.trials.filter((t) => !('alpha' in t.params) || !('penalty' in t.params));
    const distinct = [...sets.keys()].filter((key) => !key.includes('?'));
    if (unlogged.length > 0 || distinct.length < TRIALS) {
      const repeated = [...sets].filter(([, n]) => n > 1).map(([key, n]) => `${key} ×${n}`);
      return fail({
        message:
          unlogged.length > 0
            ? `${unlogged.length} trial(s) of ${runLabel(sweep.parent)} do not log alpha and penalty, so the trials cannot be told apart.`
            : `${runLabel(sweep.parent)} has ${distinct.length} distinct param set(s), not ${TRIALS}${repeated.length ? ` (repeated: ${repeated.join('; ')})` : ''}.`,
        expected: `${TRIALS} trials with distinct (alpha, penalty)`,
        actual: `${sweep.trials.length} trial(s): ${[...sets.keys()].join(' | ')}`,
        hint: `In each trial: \`mlflow.log_params({"alpha": alpha, "penalty": penalty, "epochs": EPOCHS})\`, then ${SWEEP}.`,
      });
    }
    return pass(`${TRIALS} distinct param sets: ${distinct.join(' | ')}.`);
  },
});
