import { EvidenceError, defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { dockerfile } from './shared.ts';

export default defineCheck({
  id: 'dockerfile-exists',
  title: 'The workspace has a Dockerfile that parses',
  hint: 'Keep the Dockerfile at the top of the workspace, next to app/ and trainer/.',
  async run(ctx) {
    if (!(await ctx.files.exists('Dockerfile'))) {
      return fail({
        message: 'There is no Dockerfile at the top of the workspace.',
        expected: 'a file named Dockerfile next to app/ and trainer/',
        actual: 'no Dockerfile',
        hint: 'Restore the starter with `mlops-lab reset docker/01-containerise-model-api`, or create Dockerfile yourself.',
      });
    }
    try {
      const model = await dockerfile(ctx);
      return pass(`Dockerfile parses: ${model.stages.length} stage${model.stages.length === 1 ? '' : 's'}.`);
    } catch (error) {
      if (error instanceof EvidenceError && error.code === 'DOCKERFILE_NO_FROM') {
        return fail({ message: error.message, expected: 'a FROM instruction', actual: 'none', hint: error.nextStep });
      }
      throw error;
    }
  },
});
