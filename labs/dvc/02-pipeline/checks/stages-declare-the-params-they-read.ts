import { declaredParams, defineCheck, fail, paramIsDeclared, pass } from '@mlops-lab/grader/authoring';
import { STAGES, stage } from '../../_shared/pipeline.ts';

export default defineCheck({
  id: 'stages-declare-the-params-they-read',
  title: 'Each stage declares the params.yaml keys its script reads',
  needs: ['pipeline-has-prepare-train-evaluate'],
  hint: 'DVC tracks only the params a stage lists under `params:`; a key the script reads but the stage does not list can change without a retrain.',
  async run(ctx) {
    // Mirrors: dvc params diff --all && yq '.stages[].params' dvc.yaml
    const gaps: string[] = [];
    for (const spec of STAGES) {
      const declared = declaredParams(await stage(ctx, spec.name));
      for (const key of spec.params)
        if (!paramIsDeclared(declared, key)) gaps.push(`${spec.script} reads ${key}, which stage ${spec.name} does not declare`);
    }
    if (gaps.length > 0) {
      return fail({
        message: `${gaps.length === 1 ? 'A parameter is' : `${gaps.length} parameters are`} read but not declared: a change to ${gaps.length === 1 ? 'it' : 'them'} in params.yaml leaves \`dvc status\` clean and the old model in place.`,
        expected: STAGES.filter((s) => s.params.length > 0)
          .map((s) => `${s.name}: ${s.params.join(', ')}`)
          .join('; '),
        actual: gaps.join('; '),
        hint: "List each key under the stage's `params:` in dvc.yaml (e.g. `- train.max_depth`), then `dvc repro`.",
      });
    }
    return pass('Every stage declares the parameters its script reads.');
  },
});
