import { LABEL_LAB, LABEL_WORKSPACE, readDockerfile, type BuildResult, type CheckContext, type DockerfileModel } from '@mlops-lab/grader/authoring';

/** The image the grader builds from the learner's Dockerfile, one tag per workspace. */
export function imageTag(ctx: Pick<CheckContext, 'workspace'>): string {
  return `mlops-lab/docker-01:${ctx.workspace.id}`;
}

export function labels(ctx: Pick<CheckContext, 'workspace' | 'lab'>): Record<string, string> {
  return { [LABEL_WORKSPACE]: ctx.workspace.id, [LABEL_LAB]: ctx.lab.id };
}

/** The parsed Dockerfile, once per grading run. */
export function dockerfile(ctx: CheckContext): Promise<DockerfileModel> {
  return ctx.memo('dockerfile', () => readDockerfile(ctx.files));
}

/** `docker build` of the workspace, once per grading run. */
export function builtImage(ctx: CheckContext): Promise<BuildResult> {
  return ctx.memo('image', () =>
    ctx.docker.build({
      contextDir: ctx.workspace.dir,
      tag: imageTag(ctx),
      labels: labels(ctx),
      onProgress: (line) => ctx.progress(line.slice(0, 60)),
    }),
  );
}

/** Inspect data of the built image (`docker image inspect`), once per run. */
export async function builtImageInfo(ctx: CheckContext) {
  return ctx.memo('image-info', async () => {
    const build = await builtImage(ctx);
    if (!build.ok) throw new Error('image-builds should have stopped this check');
    const info = await ctx.docker.inspectImage(build.imageId);
    if (!info) throw new Error(`the image ${build.imageId} vanished after the build`);
    return info;
  });
}
