import { dockerLab, finalBaseImage, type CheckContext } from '@mlops-lab/grader/authoring';

/** The grader's helpers for this lab: one build and one inspect per run, images tagged per workspace. */
export const lab = dockerLab({ imageRepo: 'mlops-lab/docker-03', imageName: 'screening' });

/**
 * How many of the built image's layers and history entries come from its
 * base image, once per run: the learner answers for what is above them.
 */
export function baseImageShare(ctx: CheckContext): Promise<{ base: string | undefined; layers: number; history: number }> {
  return ctx.memo('base-image-share', async () => {
    const base = finalBaseImage(await lab.dockerfile(ctx));
    const image = await lab.builtImageInfo(ctx);
    const baseInfo = base ? await ctx.docker.inspectImage(base) : undefined;
    if (!base || !baseInfo) return { base, layers: 0, history: 0 };
    const ours = image.RootFS.Layers ?? [];
    const theirs = baseInfo.RootFS.Layers ?? [];
    const shared = theirs.every((layer, i) => ours[i] === layer) ? theirs.length : 0;
    const history = shared > 0 ? (await ctx.docker.imageHistory(base)).length : 0;
    return { base, layers: shared, history };
  });
}
