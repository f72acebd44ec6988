import { EvidenceError, defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { API_CONTAINER_PORT, KNOWN_CUSTOMER, labContainers } from './shared.ts';

export default defineCheck({
  id: 'api-scores-through-its-published-port',
  title: 'The API answers on its published port and scores a customer with features from the store',
  needs: ['every-service-reports-healthy'],
  requires: ['docker', 'compose'],
  retries: 2,
  retryDelayMs: 2_000,
  hint: 'Try it: `curl -s http://127.0.0.1:8000/score/C-1001` (your API_PORT) and read `docker-compose logs api`.',
  // Mirrors: docker-compose port api 8000; curl -s http://127.0.0.1:<port>/score/C-1001
  async run(ctx) {
    const { api } = await labContainers(ctx);
    const info = await ctx.docker.inspectContainer(api.Id);
    const bindings = (info.NetworkSettings.Ports ?? {})[`${API_CONTAINER_PORT}/tcp`] ?? [];
    const binding = bindings.find((b) => b.HostPort);
    if (!binding) {
      return fail({
        message: `The api container publishes nothing for port ${API_CONTAINER_PORT}, so it cannot be called from this machine.`,
        expected: `a host port mapped to ${API_CONTAINER_PORT}/tcp`,
        actual: 'no port binding',
        hint: `Add \`ports: ["127.0.0.1:8000:${API_CONTAINER_PORT}"]\` to the api service and \`docker-compose up -d\`.`,
      });
    }
    // Call it where it listens: a loopback address as bound, else (0.0.0.0, ::) through 127.0.0.1.
    const ip = binding.HostIp ?? '';
    const host = ip === '::1' ? '[::1]' : /^127\./.test(ip) ? ip : '127.0.0.1';
    const url = `http://${host}:${binding.HostPort}/score/${KNOWN_CUSTOMER}`;
    let response;
    try {
      response = await ctx.http.request(url, { timeoutMs: 10_000, maxBytes: 64 * 1024, signal: ctx.signal });
    } catch (error) {
      if (error instanceof EvidenceError) {
        return fail({
          message: error.message,
          expected: `an answer from ${url}`,
          actual: 'no answer',
          hint: 'See `docker-compose logs api` and `docker-compose port api 8000`.',
        });
      }
      throw error;
    }
    const body = response.json() as { default_probability?: unknown; error?: unknown } | undefined;
    if (response.status === 200 && typeof body?.default_probability === 'number') {
      return pass(`GET ${url} -> 200, default probability ${body.default_probability}.`);
    }
    const why =
      response.status === 502
        ? "The feature store rejected the API's token: the two services do not get the same FEATURE_STORE_TOKEN."
        : response.status === 503
          ? 'The API could not reach the feature store.'
          : `The API answered HTTP ${response.status}.`;
    return fail({
      message: why,
      expected: `200 with a default_probability for ${KNOWN_CUSTOMER}`,
      actual: `HTTP ${response.status}: ${response.body.slice(0, 300)}`,
      hint:
        response.status === 502
          ? 'Give both services FEATURE_STORE_TOKEN from the same .env variable, then `docker-compose up -d`.'
          : 'Read `docker-compose logs api feature-store`; the API calls http://feature-store:8001 on the network both services share.',
    });
  },
});
