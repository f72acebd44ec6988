import { defineLab, kubeLabHooks } from '@mlops-lab/grader/authoring';
import ingressAnswersHealthCheck from './checks/ingress-answers-health-check.ts';
import ingressHasAddress from './checks/ingress-has-address.ts';
import ingressRoutesToServicePort from './checks/ingress-routes-to-service-port.ts';
import manifestsAreValid from './checks/manifests-are-valid.ts';
import serviceHasReadyEndpoints from './checks/service-has-ready-endpoints.ts';
import serviceSelectsModelApiPods from './checks/service-selects-model-api-pods.ts';
import serviceTargetPortMatchesContainerPort from './checks/service-target-port-matches-container-port.ts';

export default defineLab({
  id: 'kubernetes/04-service-and-ingress',
  version: '1.0.0',
  title: 'A Service and an Ingress that answer',
  stage: 'kubernetes',
  summary:
    'Put a ClusterIP Service in front of the model API and route a host name to it through Traefik, then prove the whole chain: selector, ports, ready endpoints, ingress address, and a health check through the Ingress.',
  minutes: 45,
  difficulty: 'beginner',
  skills: ['kubernetes', 'model-serving'],
  needs: ['cluster'],
  checks: [
    manifestsAreValid,
    serviceSelectsModelApiPods,
    serviceTargetPortMatchesContainerPort,
    ingressRoutesToServicePort,
    serviceHasReadyEndpoints,
    ingressHasAddress,
    ingressAnswersHealthCheck,
  ],
  defaults: { timeoutMs: 20_000 },
  contract: {
    starterFails: ['service-target-port-matches-container-port', 'ingress-routes-to-service-port'],
  },
  ...kubeLabHooks(),
});
