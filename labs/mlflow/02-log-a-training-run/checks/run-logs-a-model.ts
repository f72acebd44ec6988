import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isOutcome, runLabel } from '../../_shared/runs.ts';
import { TRAIN, newestRun, runModelId } from './shared.ts';

// Mirrors: curl "$MLFLOW_TRACKING_URI/api/2.0/mlflow/logged-models/<model_id>"  (from the run's outputs)
export default defineCheck({
  id: 'run-logs-a-model',
  title: 'The run logs its model (an MLflow 3 logged model)',
  needs: ['training-run-finished'],
  hint: 'In MLflow 3, log_model creates a logged model (models:/m-…) linked to the run.',
  async run(ctx) {
    const run = await newestRun(ctx);
    if (isOutcome(run)) return run;
    const modelId = await runModelId(run);
    if (isOutcome(modelId)) return modelId;
    const model = await ctx.mlflow.getLoggedModel(modelId, { signal: ctx.signal });
    if (model.status !== 'LOGGED_MODEL_READY' || model.sourceRunId !== run.runId) {
      return fail({
        message: `The logged model ${modelId} of ${runLabel(run)} is not ready (its upload did not finish) or belongs to another run.`,
        expected: `status LOGGED_MODEL_READY, source run ${run.runId}`,
        actual: `status ${model.status || '(none)'}, source run ${model.sourceRunId || '(none)'}`,
        hint: `Look for an error from log_model in the output of train.py, then ${TRAIN} again.`,
      });
    }
    return pass(`${runLabel(run)} logged model ${modelId} (${model.name}).`);
  },
});
