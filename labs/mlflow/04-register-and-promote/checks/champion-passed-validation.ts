import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isOutcome } from '../../_shared/runs.ts';
import { ALIAS, PROMOTE, championOf } from './shared.ts';

export const TAG = 'validation_status';

// Mirrors: curl "$MLFLOW_TRACKING_URI/api/2.0/mlflow/model-versions/get?name=$MODEL_NAME&version=<v>"  (tags)
export default defineCheck({
  id: 'champion-passed-validation',
  title: `The ${ALIAS} version is tagged ${TAG}=passed`,
  needs: ['champion-alias-is-set'],
  hint: 'Validate the registered version (load it from the registry, score fresh data) before it gets the alias.',
  async run(ctx) {
    const champion = await championOf(ctx);
    if (isOutcome(champion)) return champion;
    const { version } = champion;
    const status = version.tags[TAG];
    if (status !== 'passed') {
      return fail({
        message:
          status === undefined
            ? `Version ${version.version} became ${ALIAS} without a validation record: nobody can tell it was checked.`
            : `Version ${version.version} is ${ALIAS} although its ${TAG} is "${status}".`,
        expected: `tag ${TAG}=passed on version ${version.version}`,
        actual: Object.keys(version.tags).length
          ? `tags: ${Object.entries(version.tags)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')}`
          : 'no tags',
        hint: `After validating: \`client.set_model_version_tag(MODEL_NAME, version, "${TAG}", "passed")\`, and set the alias only then; ${PROMOTE}.`,
      });
    }
    return pass(`Version ${version.version} carries ${TAG}=passed.`);
  },
});
