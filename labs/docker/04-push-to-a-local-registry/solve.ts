import { RegistryEvidence, defineSolve, pushImage, tagImage } from '@mlops-lab/grader/authoring';
import { SOLUTION_VERSION, labels, remoteRepository } from './checks/shared.ts';

// What a learner does: add the version label, build, give the build its
// release tag and its minor tag, push both.
export default defineSolve(async (ctx) => {
  const files = await ctx.copySolution();
  ctx.log(`copied ${files.length} files from the solution`);
  const registry = new RegistryEvidence(process.env);
  await registry.ping(ctx.signal);
  const target = remoteRepository(registry.address);
  const release = `${target}:${SOLUTION_VERSION}`;
  const minor = `${target}:${SOLUTION_VERSION.split('.').slice(0, 2).join('.')}`;
  // docker build -t 127.0.0.1:5000/mlops-lab/loan-model:1.0.0 .
  const build = await ctx.docker.build({ contextDir: ctx.workspace.dir, tag: release, labels: labels(ctx), signal: ctx.signal });
  if (!build.ok) throw new Error(`the solution image did not build: ${build.error}\n${build.logTail}`);
  // docker tag …:1.0.0 …:1.0
  await tagImage(ctx.docker, release, minor);
  // docker push …:1.0.0 && docker push …:1.0
  for (const ref of [release, minor]) ctx.log(`pushed ${ref} as ${await pushImage(ctx.docker, ref)}`);
});
