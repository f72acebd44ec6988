import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isOutcome } from '../../_shared/runs.ts';
import { ALIAS, GOOD, HASTY, ROLLBACK, historyOf } from './shared.ts';

// Mirrors: curl "$MLFLOW_TRACKING_URI/api/2.0/mlflow/registered-models/alias?name=$MODEL_NAME&alias=champion"
export default defineCheck({
  id: 'champion-is-back-on-version-1',
  title: `The alias "${ALIAS}" is back on version ${GOOD}`,
  needs: ['both-versions-are-kept'],
  hint: 'Rolling back is one call: set_registered_model_alias(name, "champion", <previous version>).',
  async run(ctx) {
    const history = await historyOf(ctx);
    if (isOutcome(history)) return history;
    const current = history.model.aliases[ALIAS];
    if (current !== GOOD) {
      const copy = current !== undefined && current !== HASTY;
      return fail({
        message:
          current === undefined
            ? `"${history.model.name}" has no alias "${ALIAS}" at all: serving has nothing to load.`
            : copy
              ? `"${ALIAS}" points at version ${current}, a new registration, not back at version ${GOOD}: a rollback moves the alias to the version that served before.`
              : `"${ALIAS}" still points at version ${HASTY}, the unvalidated promotion.`,
        expected: `${ALIAS} -> version ${GOOD}`,
        actual: `${ALIAS} -> ${current ?? '(not set)'}`,
        hint: `\`MlflowClient().set_registered_model_alias(MODEL_NAME, "${ALIAS}", "${GOOD}")\`; ${ROLLBACK}.`,
      });
    }
    return pass(`${ALIAS} -> version ${GOOD} again (version ${HASTY} kept).`);
  },
});
