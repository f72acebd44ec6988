import { defineCheck, pass } from '@mlops-lab/grader/authoring';
import { ALIAS, champion, isChampion } from './shared.ts';

// Mirrors: python -c "from mlflow import MlflowClient; print(MlflowClient().get_model_version_by_alias('$MODEL_NAME', 'champion'))"
export default defineCheck({
  id: 'champion-alias-is-set',
  title: `The registry has two versions of the model and a ${ALIAS} alias`,
  hint: 'register_versions.py (given) trains and registers both versions and sets the alias; run it once your tracking server answers.',
  async run(ctx) {
    const found = await champion(ctx);
    if (!isChampion(found)) return found;
    return pass(`"${found.name}" has versions ${found.versions.join(', ')}; ${ALIAS} -> version ${found.version}.`);
  },
});
