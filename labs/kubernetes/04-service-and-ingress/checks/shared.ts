import type { V1Container, V1Deployment, V1Ingress, V1IngressServiceBackend, V1Service, V1ServicePort } from '@kubernetes/client-node';
import type { ManifestObject, ManifestSet } from '@mlops-lab/grader/authoring';
import { findMainTyped, mainContainer } from '../../_shared/kube.ts';

export { isReady, kube, manifests, ns, podTrouble, podsMatching, read, readOptional, where, labelSelector } from '../../_shared/kube.ts';

export const LAB_ID = 'kubernetes/04-service-and-ingress';
export const APP = 'model-api';
/** The class k3s's bundled Traefik serves. */
export const INGRESS_CLASS = 'traefik';
/** Set on the fixture API server's node (cluster/src/fixture/seeds.ts): no pod runs there, so no HTTP request can reach one. */
export const FIXTURE_NODE_ANNOTATION = 'org.mlops-lab.fixture';

export interface Parts {
  deployment?: { manifest: ManifestObject; object: V1Deployment };
  service?: { manifest: ManifestObject; object: V1Service };
  ingress?: { manifest: ManifestObject; object: V1Ingress };
}

/** The Deployment, Service and Ingress of the model API in k8s/ (named model-api, else the only one of its kind). */
export function parts(set: ManifestSet): Parts {
  return {
    deployment: findMainTyped<V1Deployment>(set, 'Deployment', APP),
    service: findMainTyped<V1Service>(set, 'Service', APP),
    ingress: findMainTyped<V1Ingress>(set, 'Ingress', APP),
  };
}

export function apiContainer(deployment: V1Deployment): { container: V1Container; index: number } | undefined {
  return mainContainer(deployment, APP);
}

/** `http=8000, metrics=9090`: a container's ports as a reviewer reads them. */
export function describePorts(ports: readonly { name?: string; containerPort: number }[] | undefined): string {
  return (ports ?? []).map((p) => (p.name ? `${p.name}=${p.containerPort}` : String(p.containerPort))).join(', ') || 'none';
}

/** The container port a Service targetPort lands on (by name or number), or undefined when the container has none. */
export function targetContainerPort(container: V1Container, servicePort: V1ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  const ports = container.ports ?? [];
  if (typeof target === 'number' || /^\d+$/.test(String(target))) {
    const n = Number(target);
    return ports.some((p) => p.containerPort === n) ? n : undefined;
  }
  return ports.find((p) => p.name === target)?.containerPort;
}

/** The Service port an Ingress backend names (by number or by name). */
export function backendServicePort(service: V1Service, backend: V1IngressServiceBackend): V1ServicePort | undefined {
  const ref = backend.port;
  return (service.spec?.ports ?? []).find((p) =>
    ref?.number !== undefined ? p.port === ref.number : ref?.name !== undefined && p.name === ref.name,
  );
}

export function describeServicePorts(service: V1Service): string {
  return (
    (service.spec?.ports ?? []).map((p) => `${p.port}${p.name ? ` (${p.name})` : ''} -> targetPort ${p.targetPort ?? p.port}`).join(', ') ||
    'none'
  );
}

export interface Route {
  host?: string;
  path: string;
  pathType?: string;
  backend: V1IngressServiceBackend;
  /** Field path of the backend in the Ingress. */
  at: (string | number)[];
}

/** Every host/path -> service backend of an Ingress, the default backend last. */
export function routes(ingress: V1Ingress): Route[] {
  const out: Route[] = [];
  (ingress.spec?.rules ?? []).forEach((rule, i) => {
    (rule.http?.paths ?? []).forEach((path, j) => {
      if (path.backend?.service)
        out.push({
          host: rule.host,
          path: path.path ?? '/',
          pathType: path.pathType,
          backend: path.backend.service,
          at: ['spec', 'rules', i, 'http', 'paths', j, 'backend', 'service'],
        });
    });
  });
  const fallback = ingress.spec?.defaultBackend?.service;
  if (fallback) out.push({ path: '/', backend: fallback, at: ['spec', 'defaultBackend', 'service'] });
  return out;
}

export function describeBackend(backend: V1IngressServiceBackend): string {
  return `${backend.name}:${backend.port?.number ?? backend.port?.name ?? '?'}`;
}

/** `/health` under an Ingress path: `/` -> `/health`, `/api` -> `/api/health`. */
export function healthPath(prefix: string): string {
  return `${prefix.replace(/\/+$/, '')}/health`;
}
