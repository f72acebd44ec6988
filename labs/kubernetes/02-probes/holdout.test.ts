import { allPassBut, holdoutSuite } from '../_shared/holdout.ts';

const SPEC_PASS = {
  'manifests-are-valid': 'pass',
  'readiness-probe-targets-health-endpoint': 'pass',
  'liveness-probe-targets-health-endpoint': 'pass',
  'liveness-probe-tolerates-slow-start': 'pass',
  'deployment-is-applied': 'pass',
} as const;

holdoutSuite('kubernetes/02-probes', [
  {
    submission: 'good-startup-probe',
    verdict: 'probes on /health by port name, a startupProbe covers the slow start: approve',
    expect: { ...SPEC_PASS, 'rollout-is-complete': 'pass', 'pods-run-without-restarts': 'pass' },
  },
  {
    submission: 'readiness-wrong-port',
    verdict: 'the readiness probe asks port 8080: no pod ever becomes Ready',
    expect: allPassBut(SPEC_PASS, {
      fail: ['readiness-probe-targets-health-endpoint', 'rollout-is-complete'],
      skip: ['pods-run-without-restarts'],
    }),
    says: {
      'readiness-probe-targets-health-endpoint': /probes port 8080, but the API listens on 8000/,
      'rollout-is-complete': /0\/2 ready/,
    },
  },
  {
    submission: 'named-port-missing',
    verdict: 'the probes name a port "web" the container does not declare: they always fail',
    expect: allPassBut(SPEC_PASS, {
      fail: ['readiness-probe-targets-health-endpoint', 'liveness-probe-targets-health-endpoint', 'rollout-is-complete'],
      skip: ['pods-run-without-restarts'],
    }),
    says: {
      'readiness-probe-targets-health-endpoint': /port name "web", which container model-api does not declare \(its ports: http \(8000\)\)/,
    },
  },
  {
    submission: 'liveness-too-eager',
    // The API needs about 2 s to answer; a 2 s liveness window kills every start: a restart loop.
    verdict: 'a 2 s liveness window with failureThreshold 1: a restart loop',
    expect: allPassBut(SPEC_PASS, {
      fail: ['liveness-probe-tolerates-slow-start', 'rollout-is-complete'],
      skip: ['pods-run-without-restarts'],
    }),
    says: { 'liveness-probe-tolerates-slow-start': /restarted after 2 s of failures[\s\S]*failureThreshold 1/ },
  },
  {
    submission: 'liveness-wrong-path',
    verdict: 'the liveness probe asks /healthz (404): healthy pods are restarted',
    expect: allPassBut(SPEC_PASS, { fail: ['liveness-probe-targets-health-endpoint', 'pods-run-without-restarts'] }),
    says: {
      'liveness-probe-targets-health-endpoint': /asks \/healthz, but the API's health endpoint is \/health/,
      'pods-run-without-restarts': /restart/,
    },
  },
]);
