import { expect } from 'vitest';
import { allPassBut, holdoutSuite } from '../_shared/holdout.ts';

const ALL_PASS = {
  'manifests-are-valid': 'pass',
  'service-selects-model-api-pods': 'pass',
  'service-target-port-matches-container-port': 'pass',
  'ingress-routes-to-service-port': 'pass',
  'service-has-ready-endpoints': 'pass',
  'ingress-has-address': 'pass',
  'ingress-answers-health-check': 'pass',
} as const;

/** `service-target-port-matches-container-port` fails, and what needs it is skipped. */
const SERVICE_TARGET_PORT_MATCHES_CONTAINER_PORT_FAILS = allPassBut(ALL_PASS, {
  fail: ['service-target-port-matches-container-port'],
  skip: ['service-has-ready-endpoints', 'ingress-answers-health-check'],
});

/** `service-selects-model-api-pods` fails, and what needs it is skipped. */
const SERVICE_SELECTS_MODEL_API_PODS_FAILS = allPassBut(ALL_PASS, {
  fail: ['service-selects-model-api-pods'],
  skip: [
    'service-target-port-matches-container-port',
    'ingress-routes-to-service-port',
    'service-has-ready-endpoints',
    'ingress-has-address',
    'ingress-answers-health-check',
  ],
});

/** `ingress-routes-to-service-port` fails, and what needs it is skipped. */
const INGRESS_ROUTES_TO_SERVICE_PORT_FAILS = allPassBut(ALL_PASS, {
  fail: ['ingress-routes-to-service-port'],
  skip: ['ingress-has-address', 'ingress-answers-health-check'],
});

holdoutSuite(
  'kubernetes/04-service-and-ingress',
  [
    {
      submission: 'good-named-ports',
      verdict: 'targetPort and the Ingress backend by port name: approve',
      expect: ALL_PASS,
      says: { 'ingress-answers-health-check': 'No HTTP request was made' },
    },
    {
      submission: 'good-numeric-ports',
      verdict: 'numbers instead of names, consistent from Ingress to container: approve',
      expect: ALL_PASS,
      says: { 'service-has-ready-endpoints': ':8000' },
    },
    {
      submission: 'target-port-wrong-number',
      verdict: 'targetPort 8080 while the container listens on 8000: endpoints look ready, traffic is refused',
      expect: SERVICE_TARGET_PORT_MATCHES_CONTAINER_PORT_FAILS,
      says: {
        'service-target-port-matches-container-port':
          /k8s\/service\.yaml:\d+ spec\.ports\[0\]\.targetPort sends traffic to port 8080, but container model-api listens on http=8000/,
      },
      async after({ discovery, namespace }) {
        // The subtle part, as on a real cluster: the endpoints are ready, on the wrong port.
        const slices = await discovery.listNamespacedEndpointSlice({ namespace, labelSelector: 'kubernetes.io/service-name=model-api' });
        expect(slices.items.flatMap((s) => s.ports ?? []).map((p) => p.port)).toEqual([8080]);
        expect(slices.items.flatMap((s) => s.endpoints ?? []).every((e) => e.conditions?.ready === true)).toBe(true);
      },
    },
    {
      submission: 'selector-typo',
      verdict: 'selector model-apii matches no pod: the Service has no endpoints',
      expect: SERVICE_SELECTS_MODEL_API_PODS_FAILS,
      says: { 'service-selects-model-api-pods': 'app.kubernetes.io/name=model-apii' },
      async after({ discovery, core, namespace }) {
        const slices = await discovery.listNamespacedEndpointSlice({ namespace, labelSelector: 'kubernetes.io/service-name=model-api' });
        expect(slices.items.flatMap((s) => s.endpoints ?? [])).toEqual([]);
        const endpoints = await core.readNamespacedEndpoints({ name: 'model-api', namespace });
        expect(endpoints.subsets ?? []).toEqual([]);
      },
    },
    {
      submission: 'ingress-to-container-port',
      verdict: 'the Ingress asks the Service for 8000, the container port; the Service exposes 80: Traefik answers 404',
      expect: INGRESS_ROUTES_TO_SERVICE_PORT_FAILS,
      says: { 'ingress-routes-to-service-port': 'asks Service model-api for port 8000, which it does not expose' },
    },
    {
      submission: 'ingress-without-class',
      verdict: 'no ingressClassName (works only while traefik is the default class): request changes',
      expect: INGRESS_ROUTES_TO_SERVICE_PORT_FAILS,
      says: { 'ingress-routes-to-service-port': 'no ingressClassName' },
      async after({ networking, namespace }) {
        // The DefaultIngressClass admission plugin filled it in, as k3s does: it works today, by accident.
        const ingress = await networking.readNamespacedIngress({ name: 'model-api', namespace });
        expect(ingress.spec?.ingressClassName).toBe('traefik');
      },
    },
    {
      submission: 'service-node-port',
      verdict: 'a NodePort Service opens every node around the Ingress: request changes',
      expect: SERVICE_SELECTS_MODEL_API_PODS_FAILS,
      says: { 'service-selects-model-api-pods': 'type NodePort' },
    },
    {
      submission: 'target-port-name-typo',
      verdict: 'targetPort names "htpp", a port the container does not have: no endpoint gets a port',
      expect: SERVICE_TARGET_PORT_MATCHES_CONTAINER_PORT_FAILS,
      says: { 'service-target-port-matches-container-port': 'names the port "htpp"' },
      async after({ core, namespace }) {
        // Real endpoints controllers leave such pods out of the port's subsets.
        const endpoints = await core.readNamespacedEndpoints({ name: 'model-api', namespace });
        expect(endpoints.subsets ?? []).toEqual([]);
      },
    },
  ],
  // Let the simulated controllers settle: ~45 s of fixture time.
  { settleMs: 1_500 },
);
