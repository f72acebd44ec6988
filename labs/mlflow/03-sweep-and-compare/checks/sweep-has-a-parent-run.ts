import { defineCheck, pass } from '@mlops-lab/grader/authoring';
import { isOutcome, runLabel } from '../../_shared/runs.ts';
import { sweepOf } from './shared.ts';

// Mirrors: mlflow runs list --experiment-id <id>  (runs with the tag mlflow.parentRunId)
export default defineCheck({
  id: 'sweep-has-a-parent-run',
  title: 'The trials are nested under one parent run',
  hint: 'A parent run groups one sweep, so the UI and searches can tell this sweep from the next one.',
  async run(ctx) {
    const sweep = await sweepOf(ctx);
    if (isOutcome(sweep)) return sweep;
    return pass(`${runLabel(sweep.parent)} is the parent of ${sweep.trials.length} trial run(s).`);
  },
});
