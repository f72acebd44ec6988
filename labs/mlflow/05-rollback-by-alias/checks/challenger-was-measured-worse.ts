import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isOutcome } from '../../_shared/runs.ts';
import { GOOD, HASTY, ROLLBACK, historyOf } from './shared.ts';

export const SCORE_TAG = 'validation_accuracy';

// Mirrors: curl "$MLFLOW_TRACKING_URI/api/2.0/mlflow/model-versions/get?name=$MODEL_NAME&version=2"  (tags)
export default defineCheck({
  id: 'challenger-was-measured-worse',
  title: `Both versions carry a ${SCORE_TAG}, and version ${HASTY} scores lower`,
  needs: ['both-versions-are-kept'],
  hint: 'A rollback is a decision: record the numbers it rests on, on the versions themselves.',
  async run(ctx) {
    const history = await historyOf(ctx);
    if (isOutcome(history)) return history;
    const good = Number(history.good.tags[SCORE_TAG]);
    const hasty = Number(history.hasty.tags[SCORE_TAG]);
    const actual = `version ${GOOD}: ${history.good.tags[SCORE_TAG] ?? 'no tag'}, version ${HASTY}: ${history.hasty.tags[SCORE_TAG] ?? 'no tag'}`;
    if (!Number.isFinite(good) || !Number.isFinite(hasty) || !(hasty < good)) {
      return fail({
        message:
          Number.isFinite(good) && Number.isFinite(hasty)
            ? `The recorded scores do not show version ${HASTY} as worse, so they do not justify a rollback.`
            : `The versions do not record the ${SCORE_TAG} the rollback decision rests on.`,
        expected: `numeric ${SCORE_TAG} tags on versions ${GOOD} and ${HASTY}, version ${HASTY} lower`,
        actual,
        hint: `Score both with the same fresh rows and \`client.set_model_version_tag(MODEL_NAME, v, "${SCORE_TAG}", f"{acc:.4f}")\`; ${ROLLBACK}.`,
      });
    }
    return pass(`Version ${HASTY} scored ${hasty} against ${good} for version ${GOOD}.`, { actual });
  },
});
