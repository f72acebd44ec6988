import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import {
  APP,
  INGRESS_CLASS,
  backendServicePort,
  describeBackend,
  describeServicePorts,
  manifests,
  parts,
  routes,
  where,
} from './shared.ts';

const LEGACY_CLASS = 'kubernetes.io/ingress.class';

export default defineCheck({
  id: 'ingress-routes-to-service-port',
  title: 'The Ingress (class traefik) routes a host to a port the Service exposes',
  needs: ['service-selects-model-api-pods'],
  hint: "In the Ingress backend, name the Service's port: `service: {name: model-api, port: {name: http}}`.",
  async run(ctx) {
    // Mirrors: kubectl get ingress model-api -o yaml against kubectl get service model-api -o yaml (on the files)
    const { service, ingress } = parts(await manifests(ctx));
    if (!ingress) {
      return fail({
        message: 'k8s/ has no Ingress, so nothing outside the cluster can reach the model API.',
        expected: `an Ingress named ${APP} with ingressClassName ${INGRESS_CLASS}`,
        actual: 'no Ingress in k8s/',
        hint: 'Write k8s/ingress.yaml (see the instructions page "The Ingress").',
      });
    }
    const className = ingress.object.spec?.ingressClassName;
    if (className !== INGRESS_CLASS) {
      const legacy = ingress.object.metadata?.annotations?.[LEGACY_CLASS];
      return fail({
        message: legacy
          ? `${where(ingress.manifest, ['metadata', 'annotations', LEGACY_CLASS])} picks the controller with the annotation deprecated since Kubernetes 1.18; spec.ingressClassName is the field controllers read today.`
          : className
            ? `${where(ingress.manifest, ['spec', 'ingressClassName'])} is "${className}", a class no controller on k3s serves: the Ingress would never get an address.`
            : `${where(ingress.manifest, ['spec'])}: no ingressClassName. It works only while the cluster has a default class; say which controller you mean.`,
        expected: `spec.ingressClassName: ${INGRESS_CLASS} (k3s ships Traefik)`,
        actual: legacy ? `annotation ${LEGACY_CLASS}: ${legacy}` : `ingressClassName: ${className ?? '(none)'}`,
        hint: `Set \`ingressClassName: ${INGRESS_CLASS}\` under spec; \`kubectl get ingressclass\` lists the classes.`,
      });
    }
    const all = routes(ingress.object);
    const mine = all.filter((r) => r.backend.name === service!.manifest.name);
    if (mine.length === 0) {
      return fail({
        message: `No path of Ingress ${ingress.manifest.name} sends traffic to Service ${service!.manifest.name}.`,
        expected: `a rule whose backend is service ${service!.manifest.name}`,
        actual: all.map((r) => `${r.host ?? '*'}${r.path} -> ${describeBackend(r.backend)}`).join('\n') || 'no rules',
        hint: `Point the backend at the Service: \`service: {name: ${service!.manifest.name}, port: {name: http}}\`.`,
      });
    }
    const broken = mine.find((r) => !backendServicePort(service!.object, r.backend));
    if (broken) {
      const field = [...broken.at, 'port', broken.backend.port?.number !== undefined ? 'number' : 'name'];
      return fail({
        message: `${where(ingress.manifest, field)} asks Service ${service!.manifest.name} for port ${broken.backend.port?.number ?? broken.backend.port?.name}, which it does not expose: Traefik drops the route and answers 404. The Ingress names the Service's port, not the container's.`,
        expected: `one of the Service's ports: ${describeServicePorts(service!.object)}`,
        actual: `${broken.host ?? '*'}${broken.path} -> ${describeBackend(broken.backend)}`,
        hint: `Use the Service port's name: \`port: {name: ${service!.object.spec?.ports?.[0]?.name ?? 'http'}}\`, or its number ${service!.object.spec?.ports?.[0]?.port ?? ''}.`,
      });
    }
    const route = mine[0]!;
    if (!route.host) {
      return fail({
        message: `${where(ingress.manifest, route.at.slice(0, 3))} has no host: on a shared Traefik it catches requests for every name, other teams' included.`,
        expected: 'a host on the rule, e.g. model-api.127.0.0.1.sslip.io',
        actual: `*${route.path} -> ${describeBackend(route.backend)}`,
        hint: 'Add `host: model-api.127.0.0.1.sslip.io` to the rule (sslip.io resolves it to 127.0.0.1).',
      });
    }
    const port = backendServicePort(service!.object, route.backend)!;
    return pass(
      `Ingress ${ingress.manifest.name} (class ${INGRESS_CLASS}) routes ${route.host}${route.path} to Service ${service!.manifest.name} port ${port.port}${port.name ? ` (${port.name})` : ''}.`,
    );
  },
});
