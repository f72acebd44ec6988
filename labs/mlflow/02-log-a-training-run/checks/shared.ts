/** What the checks of mlflow/02 share: the run they judge (the newest run of the workspace's experiment). */
import { fail, type CheckContext, type CheckOutcome, type Run } from '@mlops-lab/grader/authoring';
import { experimentOrFail, isOutcome, runsOf } from '../../_shared/runs.ts';

export const HYPERPARAMETERS = ['alpha', 'penalty', 'epochs', 'seed'];
export const CURVES = ['val_loss', 'val_accuracy'];
export const REPORT = 'evaluation.json';
export const TRAIN = 'run `python3 train.py` (after `source lab.env`, with the server running)';

/** The newest run of the experiment, or a failing outcome. */
export async function newestRun(ctx: CheckContext): Promise<Run | CheckOutcome> {
  const experiment = await experimentOrFail(ctx, TRAIN);
  if (isOutcome(experiment)) return experiment;
  const [run] = await runsOf(ctx, experiment.experimentId);
  if (run) return run;
  return fail({
    message: `Experiment "${experiment.name}" has no runs yet.`,
    expected: 'a run logged by train.py',
    actual: 'no runs',
    hint: `Fill in the TODOs of train.py, then ${TRAIN}.`,
  });
}

/** The MLflow 3 logged model the run produced (the last one), or a failing outcome. */
export async function runModelId(run: Run): Promise<string | CheckOutcome> {
  const output = run.modelOutputs.at(-1);
  if (output) return output.modelId;
  return fail({
    message: `Run ${run.runId.slice(0, 8)} logged no model: there is nothing to register or serve.`,
    expected: 'a logged model among the run outputs (mlflow.sklearn.log_model)',
    actual: 'no model outputs',
    hint: `In train.py: \`mlflow.sklearn.log_model(model, name="model", input_example=X_val.head(5))\`, then ${TRAIN}.`,
  });
}
