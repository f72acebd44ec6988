import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { holdoutSuite } from '../_shared/holdout.ts';

const ALL_PASS = {
  'manifests-are-valid': 'pass',
  'service-selects-model-api-pods': 'pass',
  'service-target-port-matches-container-port': 'pass',
  'ingress-routes-to-service-port': 'pass',
  'service-has-ready-endpoints': 'pass',
  'ingress-has-address': 'pass',
  'ingress-answers-health-check': 'pass',
} as const;

holdoutSuite('kubernetes/04-service-and-ingress', fileURLToPath(new URL('./__fixtures__/holdout', import.meta.url)), [
  {
    name: 'good-named-ports',
    verdict: 'targetPort and the Ingress backend by port name: approve',
    expect: ALL_PASS,
    says: { 'ingress-answers-health-check': 'No HTTP request was made' },
  },
  {
    name: 'good-numeric-ports',
    verdict: 'numbers instead of names, consistent from Ingress to container: approve',
    expect: ALL_PASS,
    says: { 'service-has-ready-endpoints': ':8000' },
  },
  {
    name: 'target-port-wrong-number',
    verdict: 'targetPort 8080 while the container listens on 8000: endpoints look ready, traffic is refused',
    expect: {
      ...ALL_PASS,
      'service-target-port-matches-container-port': 'fail',
      'service-has-ready-endpoints': 'skip',
      'ingress-answers-health-check': 'skip',
    },
    says: {
      'service-target-port-matches-container-port':
        /k8s\/service\.yaml:\d+ spec\.ports\[0\]\.targetPort sends traffic to port 8080, but container model-api listens on http=8000/,
    },
    async cluster({ discovery, namespace }) {
      // The subtle part, as on a real cluster: the endpoints are ready, on the wrong port.
      const slices = await discovery.listNamespacedEndpointSlice({ namespace, labelSelector: 'kubernetes.io/service-name=model-api' });
      expect(slices.items.flatMap((s) => s.ports ?? []).map((p) => p.port)).toEqual([8080]);
      expect(slices.items.flatMap((s) => s.endpoints ?? []).every((e) => e.conditions?.ready === true)).toBe(true);
    },
  },
  {
    name: 'selector-typo',
    verdict: 'selector model-apii matches no pod: the Service has no endpoints',
    expect: {
      ...ALL_PASS,
      'service-selects-model-api-pods': 'fail',
      'service-target-port-matches-container-port': 'skip',
      'ingress-routes-to-service-port': 'skip',
      'service-has-ready-endpoints': 'skip',
      'ingress-has-address': 'skip',
      'ingress-answers-health-check': 'skip',
    },
    says: { 'service-selects-model-api-pods': 'app.kubernetes.io/name=model-apii' },
    async cluster({ discovery, core, namespace }) {
      const slices = await discovery.listNamespacedEndpointSlice({ namespace, labelSelector: 'kubernetes.io/service-name=model-api' });
      expect(slices.items.flatMap((s) => s.endpoints ?? [])).toEqual([]);
      const endpoints = await core.readNamespacedEndpoints({ name: 'model-api', namespace });
      expect(endpoints.subsets ?? []).toEqual([]);
    },
  },
  {
    name: 'ingress-to-container-port',
    verdict: 'the Ingress asks the Service for 8000, the container port; the Service exposes 80: Traefik answers 404',
    expect: {
      ...ALL_PASS,
      'ingress-routes-to-service-port': 'fail',
      'ingress-has-address': 'skip',
      'ingress-answers-health-check': 'skip',
    },
    says: { 'ingress-routes-to-service-port': 'asks Service model-api for port 8000, which it does not expose' },
  },
  {
    name: 'ingress-without-class',
    verdict: 'no ingressClassName (works only while traefik is the default class): request changes',
    expect: {
      ...ALL_PASS,
      'ingress-routes-to-service-port': 'fail',
      'ingress-has-address': 'skip',
      'ingress-answers-health-check': 'skip',
    },
    says: { 'ingress-routes-to-service-port': 'no ingressClassName' },
    async cluster({ networking, namespace }) {
      // The DefaultIngressClass admission plugin filled it in, as k3s does: it works today, by accident.
      const ingress = await networking.readNamespacedIngress({ name: 'model-api', namespace });
      expect(ingress.spec?.ingressClassName).toBe('traefik');
    },
  },
  {
    name: 'service-node-port',
    verdict: 'a NodePort Service opens every node around the Ingress: request changes',
    expect: {
      ...ALL_PASS,
      'service-selects-model-api-pods': 'fail',
      'service-target-port-matches-container-port': 'skip',
      'ingress-routes-to-service-port': 'skip',
      'service-has-ready-endpoints': 'skip',
      'ingress-has-address': 'skip',
      'ingress-answers-health-check': 'skip',
    },
    says: { 'service-selects-model-api-pods': 'type NodePort' },
  },
  {
    name: 'target-port-name-typo',
    verdict: 'targetPort names "htpp", a port the container does not have: no endpoint gets a port',
    expect: {
      ...ALL_PASS,
      'service-target-port-matches-container-port': 'fail',
      'service-has-ready-endpoints': 'skip',
      'ingress-answers-health-check': 'skip',
    },
    says: { 'service-target-port-matches-container-port': 'names the port "htpp"' },
    async cluster({ core, namespace }) {
      // Real endpoints controllers leave such pods out of the port's subsets.
      const endpoints = await core.readNamespacedEndpoints({ name: 'model-api', namespace });
      expect(endpoints.subsets ?? []).toEqual([]);
    },
  },
]);
