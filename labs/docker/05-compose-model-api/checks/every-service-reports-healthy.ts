import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { API, STORE, labContainers } from './shared.ts';

const WAIT_MS = 90_000;

export default defineCheck({
  id: 'every-service-reports-healthy',
  title: 'Both services declare a healthcheck and report healthy',
  needs: ['project-is-running'],
  requires: ['docker', 'compose'],
  timeoutMs: WAIT_MS + 30_000,
  hint: 'Add a `healthcheck:` to each service (python3 + urllib against /health; the image has no curl), then `docker-compose up -d` and `docker-compose ps`.',
  // Mirrors: docker inspect --format '{{.State.Health.Status}}' <api container> <feature-store container>
  async run(ctx) {
    const { api, store } = await labContainers(ctx);
    const started = performance.now();
    for (;;) {
      const states = await Promise.all(
        [
          [API, api.Id],
          [STORE, store.Id],
        ].map(async ([name, id]) => {
          const info = await ctx.docker.inspectContainer(id!);
          const health = info.State.Health;
          const last = health?.Log?.at(-1);
          return {
            name: name!,
            status: !info.State.Running ? `stopped (exit code ${info.State.ExitCode})` : health ? health.Status : 'no healthcheck',
            probe: last ? `exit ${last.ExitCode}: ${last.Output.trim().slice(0, 200)}` : '',
          };
        }),
      );
      if (states.every((s) => s.status === 'healthy'))
        return pass(`api and feature-store are healthy (checked after ${((performance.now() - started) / 1000).toFixed(1)} s).`);
      const settled = states.every((s) => s.status !== 'starting');
      if (settled || performance.now() - started > WAIT_MS || ctx.signal.aborted) {
        const bad = states.filter((s) => s.status !== 'healthy');
        return fail({
          message: `${bad.map((s) => (s.status === 'no healthcheck' ? `${s.name} has no healthcheck` : `${s.name} is ${s.status}`)).join('; ')}: Compose (and anything that waits on service_healthy) cannot tell when ${bad.length === 1 ? 'it is' : 'they are'} ready.`,
          expected: 'health status "healthy" for api and feature-store',
          actual: states.map((s) => `${s.name}: ${s.status}${s.probe ? ` (last probe ${s.probe})` : ''}`).join('\n'),
          hint: bad.some((s) => s.status === 'no healthcheck')
            ? 'Add `healthcheck: { test: ["CMD", "python3", "-c", "import urllib.request; urllib.request.urlopen(\'http://127.0.0.1:8001/health\', timeout=2)"] }` (port 8000 for the api), then `docker-compose up -d`.'
            : 'See the probes\' output: `docker inspect --format "{{json .State.Health}}" <container>`.',
        });
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  },
});
