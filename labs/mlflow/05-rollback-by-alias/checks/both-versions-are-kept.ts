import { defineCheck, pass } from '@mlops-lab/grader/authoring';
import { isOutcome } from '../../_shared/runs.ts';
import { GOOD, HASTY, historyOf } from './shared.ts';

// Mirrors: curl "$MLFLOW_TRACKING_URI/api/2.0/mlflow/model-versions/search?filter=name='$MODEL_NAME'"
export default defineCheck({
  id: 'both-versions-are-kept',
  title: `Versions ${GOOD} and ${HASTY} are both still registered`,
  hint: 'Roll back by moving the alias; deleting the bad version destroys the evidence of what went wrong.',
  async run(ctx) {
    const history = await historyOf(ctx);
    if (isOutcome(history)) return history;
    return pass(`"${history.model.name}" keeps versions ${GOOD} and ${HASTY}.`);
  },
});
