import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { apiContainer, describePorts, manifests, parts, targetContainerPort, where } from './shared.ts';

export default defineCheck({
  id: 'service-target-port-matches-container-port',
  title: "The Service's targetPort is a port the container listens on",
  needs: ['service-selects-model-api-pods'],
  hint: "Name the container's port (`ports: [{name: http, containerPort: 8000}]`) and use the name: `targetPort: http`.",
  async run(ctx) {
    // Mirrors: kubectl get service model-api -o jsonpath='{.spec.ports}' against kubectl get deployment model-api -o jsonpath='{..containerPort}' (on the files)
    const { deployment, service } = parts(await manifests(ctx));
    const main = apiContainer(deployment!.object);
    const ports = main?.container.ports ?? [];
    const bad = (service!.object.spec?.ports ?? [])
      .map((port, i) => ({ port, i }))
      .filter(({ port }) => main === undefined || targetContainerPort(main.container, port) === undefined);
    if (bad.length > 0) {
      const { port, i } = bad[0]!;
      const target = port.targetPort ?? port.port;
      const byName = typeof target === 'string' && !/^\d+$/.test(target);
      const field = port.targetPort === undefined ? ['spec', 'ports', i, 'port'] : ['spec', 'ports', i, 'targetPort'];
      return fail({
        message: byName
          ? `${where(service!.manifest, field)} names the port "${target}", but container ${main?.container.name} has no port of that name: the endpoints get no port and no request gets through.`
          : `${where(service!.manifest, field)} sends traffic to port ${target}, but container ${main?.container.name} listens on ${describePorts(ports)}. Kubernetes accepts this without a word, and the endpoints even look ready (readiness is probed on the container's own port), yet every request through the Service is refused.`,
        expected: `targetPort equal to a containerPort (${describePorts(ports)}), best by its name`,
        actual: `Service port ${port.port}${port.name ? ` (${port.name})` : ''} -> targetPort ${target}`,
        hint: ports[0]?.name
          ? `Set \`targetPort: ${ports[0].name}\` in ${service!.manifest.file}.`
          : `Set targetPort to ${ports[0]?.containerPort ?? 'the container port'} in ${service!.manifest.file}.`,
      });
    }
    const text = (service!.object.spec?.ports ?? [])
      .map((p) => `${p.port} -> ${p.targetPort ?? p.port} (container port ${targetContainerPort(main!.container, p)})`)
      .join(', ');
    return pass(`Service ${service!.manifest.name} forwards ${text}.`);
  },
});
