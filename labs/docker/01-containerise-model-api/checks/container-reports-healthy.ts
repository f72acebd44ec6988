import { randomBytes } from 'node:crypto';
import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { builtImage, labels } from './shared.ts';

export default defineCheck({
  id: 'container-reports-healthy',
  title: 'A container from the image reports healthy',
  needs: ['image-has-healthcheck'],
  requires: ['docker'],
  timeoutMs: 120_000,
  hint: 'Run it and watch the status: `docker run -d --name api -e MODEL_API_KEY=dev loan-model` then `docker inspect --format "{{json .State.Health}}" api`.',
  // Mirrors: docker run -d -e MODEL_API_KEY=… <image>; docker inspect --format '{{.State.Health.Status}}' <container>
  async run(ctx) {
    const build = await builtImage(ctx);
    if (!build.ok) throw new Error('image-builds should have stopped this check');
    // The learner's HEALTHCHECK command, timeout and retries are kept; only
    // the interval is shortened so grading does not wait 30 s per probe.
    const id = await ctx.docker.run({
      image: build.imageId,
      env: { MODEL_API_KEY: randomBytes(12).toString('hex') },
      labels: labels(ctx),
      healthcheckIntervalMs: 1000,
    });
    try {
      const health = await ctx.docker.waitForHealth(id, { timeoutMs: 90_000, signal: ctx.signal });
      switch (health.status) {
        case 'healthy':
          return pass(`The container became healthy after ${(health.waitedMs / 1000).toFixed(1)} s.`);
        case 'unhealthy':
          return fail({
            message: 'The health check ran and failed: Docker marked the container unhealthy.',
            expected: 'health status "healthy"',
            actual: `unhealthy; last probes:\n${health.log}`,
            hint: 'Run the HEALTHCHECK command by hand inside a running container: `docker exec -it <container> python3 -c "…"`.',
          });
        case 'exited':
          return fail({
            message: `The container stopped with exit code ${health.exitCode} before it became healthy.`,
            expected: 'the API keeps running',
            actual: health.log || `exit code ${health.exitCode}, no output`,
            hint: 'See why with `docker run --rm -e MODEL_API_KEY=dev loan-model` in the foreground.',
          });
        case 'timeout':
          return fail({
            message: `The container was still "${health.lastStatus}" after ${Math.round(health.waitedMs / 1000)} s.`,
            expected: 'health status "healthy" within 90 s',
            actual: health.log || health.lastStatus,
            hint: 'Check the start period and the probe URL/port of your HEALTHCHECK.',
          });
        case 'no-healthcheck':
          return fail({ message: 'The container runs without a health check.', expected: 'a HEALTHCHECK', actual: 'none', hint: 'See the check image-has-healthcheck.' });
      }
    } finally {
      await ctx.docker.removeContainer(id);
    }
  },
});
