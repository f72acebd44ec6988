import { defineCheck, fail, pass, type ComposeModel } from '@mlops-lab/grader/authoring';
import { API, API_CONTAINER_PORT, composeModel, service } from './shared.ts';

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

/** Published ports not bound to a loopback address, as `line N: service "spec"`. Pure, for fixtures. */
export function exposedPorts(model: ComposeModel): string[] {
  return model.services.flatMap((s) =>
    s.ports
      .filter((p) => !p.hostIp || !LOOPBACK.test(p.hostIp))
      .map((p) => `line ${p.line}: ${s.name} "${p.raw}" -> ${p.hostIp ?? 'every interface (0.0.0.0)'}`),
  );
}

export default defineCheck({
  id: 'ports-bound-to-loopback',
  title: 'Published ports are bound to 127.0.0.1, not to every interface',
  needs: ['compose-file-parses'],
  hint: 'Write the host address in front: `- "127.0.0.1:8000:8000"`.',
  // Mirrors: docker-compose config   (every ports: entry has host_ip 127.0.0.1)
  async run(ctx) {
    const model = await composeModel(ctx);
    const exposed = exposedPorts(model);
    const api = service(model, API)!;
    const apiPort = api.ports.find((p) => p.target === API_CONTAINER_PORT);
    if (exposed.length === 0 && apiPort)
      return pass(`The API is published on ${apiPort.hostIp}:${apiPort.published ?? '(random port)'} only.`);
    if (exposed.length === 0) {
      return fail({
        message: `The api service publishes no port for ${API_CONTAINER_PORT}, so nothing outside Compose (you, curl, the grader) can call it.`,
        expected: `a port such as "127.0.0.1:8000:${API_CONTAINER_PORT}" on the api service`,
        actual: api.ports.length > 0 ? api.ports.map((p) => p.raw).join(', ') : 'no ports',
        hint: `Add \`ports: ["127.0.0.1:8000:${API_CONTAINER_PORT}"]\` to the api service.`,
      });
    }
    const first = exposed[0]!;
    return fail({
      message: `${model.file} ${first.split(':')[0]}: a port without a host address is published on every interface (and Docker's iptables rules bypass host firewalls such as ufw), so anyone on your network can call it.`,
      expected: 'every published port bound to 127.0.0.1',
      actual: exposed.join('\n'),
      hint: `Put the loopback address first, e.g. \`- "127.0.0.1:8000:${API_CONTAINER_PORT}"\`, then \`docker-compose up -d\` to recreate the container.`,
    });
  },
});
