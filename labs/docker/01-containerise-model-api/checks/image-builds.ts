import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { builtImage, imageTag } from './shared.ts';

export default defineCheck({
  id: 'image-builds',
  title: 'The image builds',
  needs: ['dockerfile-exists'],
  requires: ['docker'],
  timeoutMs: 600_000,
  hint: 'Build it yourself and read the first error: `docker build -t loan-model .`',
  async run(ctx) {
    const build = await builtImage(ctx);
    if (build.ok) return pass(`Built ${imageTag(ctx)} in ${(build.durationMs / 1000).toFixed(1)} s.`);
    return fail({
      message: `docker build failed: ${build.error}`,
      expected: 'the build to finish without errors',
      actual: build.logTail || build.error,
      hint: 'Run `docker build -t loan-model .` in the workspace and fix the first error it prints.',
    });
  },
});
