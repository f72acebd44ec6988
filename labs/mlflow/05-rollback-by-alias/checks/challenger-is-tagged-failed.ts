import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isOutcome } from '../../_shared/runs.ts';
import { HASTY, ROLLBACK, historyOf } from './shared.ts';

// Mirrors: curl "$MLFLOW_TRACKING_URI/api/2.0/mlflow/model-versions/get?name=$MODEL_NAME&version=2"  (tags)
export default defineCheck({
  id: 'challenger-is-tagged-failed',
  title: `Version ${HASTY} is tagged validation_status=failed with a rollback_reason`,
  needs: ['both-versions-are-kept'],
  hint: 'The next person to look at version 2 should see at once that it failed, and why.',
  async run(ctx) {
    const history = await historyOf(ctx);
    if (isOutcome(history)) return history;
    const { tags } = history.hasty;
    const reason = (tags.rollback_reason ?? '').trim();
    if (tags.validation_status !== 'failed' || reason.length < 10) {
      return fail({
        message: `Version ${HASTY} does not say that it failed and why: ${tags.validation_status !== 'failed' ? `validation_status is ${tags.validation_status ?? 'not set'}` : 'rollback_reason is missing or too short'}.`,
        expected: 'validation_status=failed and rollback_reason=<the numbers, in a sentence>',
        actual: Object.keys(tags).length
          ? Object.entries(tags)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')
          : 'no tags',
        hint: `\`client.set_model_version_tag(MODEL_NAME, "${HASTY}", "validation_status", "failed")\` and a rollback_reason tag; ${ROLLBACK}.`,
      });
    }
    return pass(`Version ${HASTY}: validation_status=failed, rollback_reason "${reason.slice(0, 80)}".`);
  },
});
