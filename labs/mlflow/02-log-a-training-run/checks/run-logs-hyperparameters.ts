import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isOutcome, runLabel } from '../../_shared/runs.ts';
import { HYPERPARAMETERS, TRAIN, newestRun } from './shared.ts';

// Mirrors: curl "$MLFLOW_TRACKING_URI/api/2.0/mlflow/runs/get?run_id=<run>"  (data.params)
export default defineCheck({
  id: 'run-logs-hyperparameters',
  title: 'The run records its hyperparameters as params',
  needs: ['training-run-finished'],
  hint: 'mlflow.log_params({...}) takes a dict; params are written once per run.',
  async run(ctx) {
    const run = await newestRun(ctx);
    if (isOutcome(run)) return run;
    const missing = HYPERPARAMETERS.filter((name) => !(name in run.params));
    if (missing.length > 0) {
      return fail({
        message: `${runLabel(run)} does not record ${missing.join(', ')}: nobody can tell later which settings gave its metrics.`,
        expected: `params ${HYPERPARAMETERS.join(', ')}`,
        actual: Object.keys(run.params).length ? `params ${Object.keys(run.params).join(', ')}` : 'no params',
        hint: `In train.py: \`mlflow.log_params({"alpha": args.alpha, "penalty": args.penalty, "epochs": args.epochs, "seed": args.seed})\`, then ${TRAIN}.`,
      });
    }
    return pass(`${runLabel(run)} records ${HYPERPARAMETERS.map((n) => `${n}=${run.params[n]}`).join(', ')}.`);
  },
});
