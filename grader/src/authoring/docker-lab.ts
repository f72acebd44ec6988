/**
 * What every Docker lab needs once per grading run: the parsed Dockerfile,
 * one `docker build` of the workspace and its inspect data, with the
 * workspace labels that let cleanup find what the grader made.
 */
import { readDockerfile, type DockerfileModel } from '../evidence/dockerfile.ts';
import { LABEL_LAB, LABEL_WORKSPACE, type BuildResult, type ImageInfo } from '../evidence/docker.ts';
import type { CheckContext, LabHookContext } from '../lab/context.ts';

export interface DockerLabOptions {
  /** Repository of the images the grader builds, one tag per workspace, e.g. `mlops-lab/docker-01`. */
  imageRepo: string;
  /** What the instructions call the image in commands, e.g. `loan-model` (`docker build -t loan-model .`). */
  imageName: string;
}

export interface DockerLab {
  readonly options: DockerLabOptions;
  /** The tag the grader builds the workspace as. */
  imageTag(ctx: Pick<CheckContext, 'workspace'>): string;
  /** Labels for every image and container the grader or solve creates. */
  labels(ctx: Pick<CheckContext, 'workspace' | 'lab'>): Record<string, string>;
  /** The parsed Dockerfile, once per grading run. */
  dockerfile(ctx: CheckContext): Promise<DockerfileModel>;
  /** `docker build` of the workspace, once per grading run. */
  builtImage(ctx: CheckContext): Promise<BuildResult>;
  /** `docker image inspect` of the built image, once per run (after image-builds passed). */
  builtImageInfo(ctx: CheckContext): Promise<ImageInfo>;
  /** Builds the workspace as a learner would (for solve.ts); throws when the build fails. */
  buildForSolve(ctx: LabHookContext): Promise<BuildResult & { ok: true }>;
}

/** The per-run helpers of one Docker lab. */
export function dockerLab(options: DockerLabOptions): DockerLab {
  const imageTag = (ctx: Pick<CheckContext, 'workspace'>): string => `${options.imageRepo}:${ctx.workspace.id}`;
  const labels = (ctx: Pick<CheckContext, 'workspace' | 'lab'>): Record<string, string> => ({
    [LABEL_WORKSPACE]: ctx.workspace.id,
    [LABEL_LAB]: ctx.lab.id,
  });
  const builtImage = (ctx: CheckContext): Promise<BuildResult> =>
    ctx.memo('image', () =>
      ctx.docker.build({
        contextDir: ctx.workspace.dir,
        tag: imageTag(ctx),
        labels: labels(ctx),
        signal: ctx.signal,
        onProgress: (line) => ctx.progress(line.slice(0, 60)),
      }),
    );
  return {
    options,
    imageTag,
    labels,
    dockerfile: (ctx) => ctx.memo('dockerfile', () => readDockerfile(ctx.files)),
    builtImage,
    builtImageInfo: (ctx) =>
      ctx.memo('image-info', async () => {
        const build = await builtImage(ctx);
        if (!build.ok) throw new Error('image-builds should have stopped this check');
        const info = await ctx.docker.inspectImage(build.imageId);
        if (!info) throw new Error(`the image ${build.imageId} vanished after the build`);
        return info;
      }),
    async buildForSolve(ctx) {
      const build = await ctx.docker.build({ contextDir: ctx.workspace.dir, tag: imageTag(ctx), labels: labels(ctx), signal: ctx.signal });
      if (!build.ok) throw new Error(`the solution image did not build: ${build.error}\n${build.logTail}`);
      ctx.log(`built ${build.tag} in ${(build.durationMs / 1000).toFixed(1)} s`);
      return build;
    },
  };
}
