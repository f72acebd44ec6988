import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isOutcome, runLabel } from '../../_shared/runs.ts';
import { TRAIN, newestRun } from './shared.ts';

// Mirrors: mlflow runs list --experiment-id <id>  (the newest run, its status)
export default defineCheck({
  id: 'training-run-finished',
  title: 'The newest training run finished',
  hint: 'A run that crashed is FAILED; one still going (or killed without mlflow.end_run) is RUNNING.',
  async run(ctx) {
    const run = await newestRun(ctx);
    if (isOutcome(run)) return run;
    if (run.status !== 'FINISHED') {
      return fail({
        message: `The newest run, ${runLabel(run)}, is ${run.status}, not FINISHED.`,
        expected: 'status FINISHED',
        actual: `status ${run.status}`,
        hint: `Look at the error train.py printed, fix it, then ${TRAIN} again (\`with mlflow.start_run():\` ends the run for you).`,
      });
    }
    return pass(`${runLabel(run)} finished.`);
  },
});
