import { randomBytes } from 'node:crypto';
import { EvidenceError, defineCheck, fail, pass, pullImage } from '@mlops-lab/grader/authoring';
import { labels, registry, releaseManifest, remoteRepository } from './shared.ts';

export default defineCheck({
  id: 'pushed-image-reports-healthy',
  title: 'A container from the pushed digest reports healthy',
  needs: ['every-layer-is-in-the-registry'],
  requires: ['registry', 'docker'],
  timeoutMs: 180_000,
  hint: 'Run what the registry serves, by digest: `docker run -d --name pushed -e MODEL_API_KEY=dev 127.0.0.1:5000/mlops-lab/loan-model@sha256:…` then `docker ps`.',
  // Mirrors: docker pull 127.0.0.1:5000/mlops-lab/loan-model@<digest>; docker run -d <that ref>; docker inspect --format '{{.State.Health.Status}}' <container>
  async run(ctx) {
    const reg = await registry(ctx);
    const { tag, tagDigest } = await releaseManifest(ctx);
    // By digest: what any machine pulling the tag right now would run.
    const ref = `${remoteRepository(reg.address)}@${tagDigest}`;
    // Always through the registry, as a deploy would: the engine fetches the
    // manifest and config, and any layer it does not have yet.
    ctx.progress(`pulling ${tag}`);
    try {
      await pullImage(ctx.docker, ref);
    } catch (error) {
      if (!(error instanceof EvidenceError && error.code === 'PULL_FAILED')) throw error;
      return fail({
        message: `The engine could not pull ${tag} back from the registry: ${error.message}`,
        expected: `\`docker pull ${ref}\` to succeed`,
        actual: error.message,
        hint: `Try it yourself: \`docker pull ${ref}\`; then push the tag again.`,
      });
    }
    const id = await ctx.docker.run({
      image: ref,
      env: { MODEL_API_KEY: randomBytes(12).toString('hex') },
      labels: labels(ctx),
      healthcheckIntervalMs: 1000,
    });
    try {
      const health = await ctx.docker.waitForHealth(id, { timeoutMs: 90_000, signal: ctx.signal });
      if (health.status === 'healthy')
        return pass(`${tag} (${tagDigest.slice(0, 19)}…) became healthy after ${(health.waitedMs / 1000).toFixed(1)} s.`);
      const actual =
        health.status === 'exited'
          ? `exited with code ${health.exitCode}: ${health.log || 'no output'}`
          : health.status === 'no-healthcheck'
            ? 'the image has no HEALTHCHECK'
            : health.status === 'timeout'
              ? `still ${health.lastStatus} after ${Math.round(health.waitedMs / 1000)} s\n${health.log}`
              : `unhealthy; last probes:\n${health.log}`;
      return fail({
        message: `The image the registry serves as ${tag} does not come up healthy, so a deploy of it would fail.`,
        expected: 'health status "healthy" within 90 s',
        actual,
        hint: `Run it in the foreground to see why: \`docker run --rm -e MODEL_API_KEY=dev ${ref}\`.`,
      });
    } finally {
      await ctx.docker.removeContainer(id);
    }
  },
});
