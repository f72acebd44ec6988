import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { STAGES, noPipeline, pipeline } from '../../_shared/pipeline.ts';

export default defineCheck({
  id: 'pipeline-has-prepare-train-evaluate',
  title: 'dvc.yaml declares the stages prepare, train and evaluate',
  hint: "Keep the three stages of the starter's dvc.yaml; `dvc stage list` shows what DVC reads.",
  async run(ctx) {
    // Mirrors: dvc stage list
    if (!(await ctx.files.exists('dvc.yaml'))) return noPipeline();
    const { stages } = await pipeline(ctx);
    const missing = STAGES.map((s) => s.name).filter((name) => !stages[name]);
    if (missing.length > 0) {
      return fail({
        message: `dvc.yaml has no stage ${missing.join(', ')}: the pipeline is prepare -> train -> evaluate.`,
        expected: 'stages: prepare, train, evaluate',
        actual: `stages: ${Object.keys(stages).join(', ') || 'none'}`,
        hint: `Add the missing stage${missing.length === 1 ? '' : 's'} to dvc.yaml (\`dvc stage add -n ${missing[0]} ...\` or by hand), then \`dvc stage list\`.`,
      });
    }
    return pass(`dvc.yaml declares ${Object.keys(stages).join(', ')}.`);
  },
});
