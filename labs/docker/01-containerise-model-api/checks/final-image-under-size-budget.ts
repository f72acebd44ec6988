import { defineCheck, fail, formatBytes, pass } from '@mlops-lab/grader/authoring';
import { lab } from './shared.ts';

/** What the app and its model may add on top of the base image. */
export const SIZE_BUDGET_BYTES = 10 * 1024 * 1024;

export default defineCheck({
  id: 'final-image-under-size-budget',
  title: 'The final image adds at most 10 MiB to its base image',
  needs: ['image-builds'],
  requires: ['docker'],
  hint: 'Compare sizes with `docker image ls` and see which layer is big with `docker history loan-model`.',
  // Mirrors: docker image inspect --format '{{.Size}}' <image> <base>
  async run(ctx) {
    const model = await lab.dockerfile(ctx);
    const info = await lab.builtImageInfo(ctx);
    const baseRef = model.finalStage.fromStage ? undefined : model.finalStage.image;
    const base = baseRef ? await ctx.docker.inspectImage(baseRef) : undefined;
    const baseSize = base?.Size ?? 0;
    const added = info.Size - baseSize;
    const summary = `${formatBytes(info.Size)} in all, ${formatBytes(Math.max(0, added))} above ${baseRef ?? 'its base'} (${formatBytes(baseSize)})`;
    if (added <= SIZE_BUDGET_BYTES) return pass(`The image is ${summary}.`);
    return fail({
      message: `The image is ${summary}: it ships files the API does not need at run time.`,
      expected: `at most ${formatBytes(SIZE_BUDGET_BYTES)} above the base image`,
      actual: `${formatBytes(added)} above the base image`,
      hint: 'Find the big layer with `docker history loan-model`; build the model in a separate stage and copy only model.json.',
    });
  },
});
