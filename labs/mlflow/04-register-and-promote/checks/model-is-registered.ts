import { defineCheck, pass } from '@mlops-lab/grader/authoring';
import { isOutcome } from '../../_shared/runs.ts';
import { registryOf } from './shared.ts';

// Mirrors: curl "$MLFLOW_TRACKING_URI/api/2.0/mlflow/model-versions/search?filter=name='$MODEL_NAME'"
export default defineCheck({
  id: 'model-is-registered',
  title: 'The model is registered with at least one version',
  hint: 'The registry is the hand-over point between training and serving: a name, numbered versions, aliases.',
  async run(ctx) {
    const registry = await registryOf(ctx);
    if (isOutcome(registry)) return registry;
    return pass(`"${registry.model.name}" has ${registry.versions.length} version(s).`);
  },
});
