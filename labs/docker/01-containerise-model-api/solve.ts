import { defineSolve } from '@mlops-lab/grader/authoring';
import { imageTag, labels } from './checks/shared.ts';

// What a learner does: write the solution Dockerfile (and .dockerignore),
// then `docker build`. The image carries the workspace label so reset and
// cleanup remove it.
export default defineSolve(async (ctx) => {
  const files = await ctx.copySolution();
  ctx.log(`copied ${files.length} files from the solution`);
  const build = await ctx.docker.build({ contextDir: ctx.workspace.dir, tag: imageTag(ctx), labels: labels(ctx), signal: ctx.signal });
  if (!build.ok) throw new Error(`the solution image did not build: ${build.error}\n${build.logTail}`);
  ctx.log(`built ${build.tag} in ${(build.durationMs / 1000).toFixed(1)} s`);
});
