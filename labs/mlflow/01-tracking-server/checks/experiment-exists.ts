import { defineCheck, pass } from '@mlops-lab/grader/authoring';
import { experimentOrFail, isOutcome } from '../../_shared/runs.ts';

export const CREATE = 'create it: `mlflow experiments create --experiment-name "$MLFLOW_EXPERIMENT_NAME"`';

// Mirrors: curl -s "$MLFLOW_TRACKING_URI/api/2.0/mlflow/experiments/get-by-name?experiment_name=$MLFLOW_EXPERIMENT_NAME"
export default defineCheck({
  id: 'experiment-exists',
  title: 'The lab experiment exists on the server',
  needs: ['tracking-server-answers'],
  hint: 'Experiment names are in lab.env (MLFLOW_EXPERIMENT_NAME); `mlflow experiments search` lists what the server has.',
  async run(ctx) {
    const experiment = await experimentOrFail(ctx, CREATE);
    if (isOutcome(experiment)) return experiment;
    return pass(`Experiment "${experiment.name}" exists (id ${experiment.experimentId}, artifacts in ${experiment.artifactLocation}).`);
  },
});
