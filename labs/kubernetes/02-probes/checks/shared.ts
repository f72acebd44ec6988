import type { V1Container, V1Probe } from '@kubernetes/client-node';
import { defineCheck, fail, pass, type CheckDefinitionInput } from '@mlops-lab/grader/authoring';
import {
  APP_PORT,
  HEALTH_PATH,
  containersOf,
  judgeContainers,
  listeningPort,
  noDeployment,
  probeTarget,
} from '../../_shared/deployment.ts';
import { where } from '../../_shared/kube.ts';

export const LAB_ID = 'kubernetes/02-probes';

/** Seconds a liveness probe lets a container fail before the kubelet restarts it. */
export const MIN_LIVENESS_WINDOW_S = 15;

/** Kubernetes' probe defaults, for fields the manifest leaves out. */
export function timings(probe: V1Probe): {
  initialDelaySeconds: number;
  periodSeconds: number;
  failureThreshold: number;
  timeoutSeconds: number;
} {
  return {
    initialDelaySeconds: probe.initialDelaySeconds ?? 0,
    periodSeconds: probe.periodSeconds ?? 10,
    failureThreshold: probe.failureThreshold ?? 3,
    timeoutSeconds: probe.timeoutSeconds ?? 1,
  };
}

/** Seconds of failures before the kubelet acts: initialDelaySeconds + periodSeconds × failureThreshold. */
export function failureWindow(probe: V1Probe): number {
  const t = timings(probe);
  return t.initialDelaySeconds + t.periodSeconds * t.failureThreshold;
}

/**
 * What is wrong with a probe's target for the model API, or undefined: it
 * must be an HTTP GET of /health on the port the process listens on,
 * written as that number or as the name of a declared container port.
 */
export function probeTargetProblem(probe: V1Probe, container: V1Container): string | undefined {
  const port = listeningPort(container);
  if (!probe.httpGet) {
    const kind = probe.tcpSocket ? 'a TCP connect' : probe.exec ? 'a command' : probe.grpc ? 'a gRPC call' : 'nothing';
    return `does ${kind}, not an HTTP GET of ${HEALTH_PATH}: it cannot tell a process that listens from one that answers`;
  }
  const path = (probe.httpGet.path ?? '/').split('?')[0];
  const problems: string[] = [];
  if (path !== HEALTH_PATH) problems.push(`asks ${path}, but the API's health endpoint is ${HEALTH_PATH} (${path} answers 404)`);
  const target = probe.httpGet.port;
  if (typeof target === 'string' && !/^\d+$/.test(target)) {
    const named = container.ports?.find((p) => p.name === target);
    if (!named) {
      const declared =
        (container.ports ?? []).map((p) => (p.name ? `${p.name} (${p.containerPort})` : String(p.containerPort))).join(', ') || 'none';
      problems.push(
        `uses the port name "${target}", which container ${container.name} does not declare (its ports: ${declared}); the kubelet cannot resolve it and the probe always fails`,
      );
    } else if (named.containerPort !== port) {
      problems.push(`uses the port "${target}" = ${named.containerPort}, but the API listens on ${port}`);
    }
  } else if (Number(target) !== port) {
    problems.push(
      `probes port ${String(target)}, but the API listens on ${port}${port === APP_PORT ? '' : ' (its PORT variable)'}: the connection is refused`,
    );
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/**
 * `<kind>-probe-targets-health-endpoint`: every container has a readiness
 * (or liveness) probe that is an HTTP GET of /health on the port the API
 * listens on. `why` is the message a failing check opens with.
 */
export function probeTargetsHealthEndpoint(kind: 'readiness' | 'liveness', why: string): CheckDefinitionInput {
  const field = `${kind}Probe` as const;
  return defineCheck({
    id: `${kind}-probe-targets-health-endpoint`,
    title: `Every container has a ${kind} probe on GET /health at the port the API listens on`,
    needs: ['manifests-are-valid'],
    hint: `Under the container: \`${field}: { httpGet: { path: /health, port: http } }\`, where \`http\` is the name of the container port 8000.`,
    async run(ctx) {
      // Mirrors: kubectl get deployment model-api -o jsonpath='{.spec.template.spec.containers[*].<kind>Probe}'
      const found = await judgeContainers(ctx, (c, i, problems, found) => {
        const at = ['spec', 'template', 'spec', 'containers', i];
        const probe = c[field];
        if (!probe) {
          problems.push(`${where(found.object, at)}: container ${c.name} has no ${field}`);
          return;
        }
        const problem = probeTargetProblem(probe, c);
        if (problem) problems.push(`${where(found.object, [...at, field])}: the ${kind} probe of ${c.name} ${problem}`);
      });
      if (!found) return noDeployment(LAB_ID);
      const { problems } = found;
      if (problems.length === 0) {
        const probes = containersOf(found.deployment).map((c) => `${c.name} ${probeTarget(c[field])}`);
        return pass(`${kind === 'readiness' ? 'Readiness' : 'Liveness'} probes: ${probes.join('; ')}.`);
      }
      return fail({
        message: why,
        expected: `${field}.httpGet with path /health and port 8000 (or the name of the container port 8000, e.g. http)`,
        actual: problems.join('\n'),
        hint: `In k8s/deployment.yaml, under the container: \`${field}:\` / \`httpGet:\` / \`path: /health\` / \`port: http\`; then \`kubectl apply -n <namespace> -f k8s/\`.`,
      });
    },
  });
}
