import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isOutcome } from '../../_shared/runs.ts';
import { ALIAS, registryOf } from './shared.ts';

// Mirrors: curl "$MLFLOW_TRACKING_URI/api/2.0/mlflow/model-versions/search?filter=name='$MODEL_NAME'"  (current_stage)
export default defineCheck({
  id: 'no-version-uses-deprecated-stages',
  title: 'No version is put in a deprecated stage (Staging, Production)',
  needs: ['model-is-registered'],
  hint: 'Stages are deprecated since MLflow 2.9; aliases and tags replace them.',
  async run(ctx) {
    const registry = await registryOf(ctx);
    if (isOutcome(registry)) return registry;
    const staged = registry.versions.filter((v) => v.currentStage && v.currentStage !== 'None');
    if (staged.length > 0) {
      return fail({
        message: `${staged.map((v) => `Version ${v.version} is in stage ${v.currentStage}`).join('; ')}: stages are deprecated since MLflow 2.9 and serving code should not read them.`,
        expected: 'every version in stage None; the alias says which one serves',
        actual: staged.map((v) => `version ${v.version}: ${v.currentStage}`).join(', '),
        hint: `Archive the stage (\`client.transition_model_version_stage(MODEL_NAME, v, "None")\` once, or in the UI) and use the alias "${ALIAS}"; remove transition_model_version_stage from promote.py.`,
      });
    }
    return pass(`No version uses a stage (${registry.versions.length} version(s) checked).`);
  },
});
