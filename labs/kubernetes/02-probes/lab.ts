import { defineLab, kubeLabHooks } from '@mlops-lab/grader/authoring';
import deploymentIsApplied from './checks/deployment-is-applied.ts';
import livenessProbeTargetsHealthEndpoint from './checks/liveness-probe-targets-health-endpoint.ts';
import livenessProbeToleratesSlowStart from './checks/liveness-probe-tolerates-slow-start.ts';
import manifestsAreValid from './checks/manifests-are-valid.ts';
import podsRunWithoutRestarts from './checks/pods-run-without-restarts.ts';
import readinessProbeTargetsHealthEndpoint from './checks/readiness-probe-targets-health-endpoint.ts';
import rolloutIsComplete from './checks/rollout-is-complete.ts';

export default defineLab({
  id: 'kubernetes/02-probes',
  version: '1.0.0',
  title: 'Readiness and liveness probes',
  stage: 'kubernetes',
  summary:
    'Teach Kubernetes to tell a working model API from a starting or stuck one: readiness and liveness probes on the real health endpoint and port, with timings that never kill a slow start.',
  minutes: 35,
  difficulty: 'beginner',
  skills: ['kubernetes', 'model-serving'],
  needs: ['cluster'],
  checks: [
    manifestsAreValid,
    readinessProbeTargetsHealthEndpoint,
    livenessProbeTargetsHealthEndpoint,
    livenessProbeToleratesSlowStart,
    deploymentIsApplied,
    rolloutIsComplete,
    podsRunWithoutRestarts,
  ],
  defaults: { timeoutMs: 20_000 },
  contract: {
    starterFails: [
      'readiness-probe-targets-health-endpoint',
      'liveness-probe-targets-health-endpoint',
      'liveness-probe-tolerates-slow-start',
      'deployment-is-applied',
    ],
  },
  ...kubeLabHooks(),
});
