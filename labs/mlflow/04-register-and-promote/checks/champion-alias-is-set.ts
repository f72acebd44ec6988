import { defineCheck, pass } from '@mlops-lab/grader/authoring';
import { isOutcome } from '../../_shared/runs.ts';
import { ALIAS, championOf } from './shared.ts';

// Mirrors: curl "$MLFLOW_TRACKING_URI/api/2.0/mlflow/registered-models/alias?name=$MODEL_NAME&alias=champion"
export default defineCheck({
  id: 'champion-alias-is-set',
  title: `The alias "${ALIAS}" points at a version`,
  needs: ['model-is-registered'],
  hint: 'Serving loads models:/<name>@champion; moving the alias is the deploy (and the rollback).',
  async run(ctx) {
    const champion = await championOf(ctx);
    if (isOutcome(champion)) return champion;
    return pass(`${ALIAS} -> version ${champion.version.version} of "${champion.registry.model.name}".`);
  },
});
