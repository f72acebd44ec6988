import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { defineCheck, fail, pass, type CheckContext } from '@mlops-lab/grader/authoring';
import {
  describeServicePorts,
  isReady,
  kube,
  labelSelector,
  manifests,
  parts,
  podTrouble,
  podsMatching,
  read,
  readOptional,
} from './shared.ts';

/** Ready endpoints of a Service, from its EndpointSlices: `10.42.0.7:8000 (model-api-5d…)`. */
export async function readyEndpoints(
  ctx: CheckContext,
  service: string,
): Promise<{ slices: V1EndpointSlice[]; ready: { ip: string; port: number | undefined; portName: string; pod?: string }[] }> {
  const { k8s, namespace } = await kube(ctx);
  const discovery = await ctx.kube.api(k8s.DiscoveryV1Api);
  const selector = `kubernetes.io/service-name=${service}`;
  const list = await read(ctx, `list endpointslices -l ${selector}`, () =>
    discovery.listNamespacedEndpointSlice({ namespace, labelSelector: selector }),
  );
  const ready = list.items.flatMap((slice) =>
    (slice.endpoints ?? [])
      // The API says a missing `ready` means ready.
      .filter((e) => e.conditions?.ready !== false)
      .flatMap((e) =>
        (slice.ports ?? [{ name: '', port: undefined }]).flatMap((p) =>
          e.addresses.map((ip) => ({ ip, port: p.port, portName: p.name ?? '', pod: e.targetRef?.name })),
        ),
      ),
  );
  return { slices: list.items, ready };
}

function sameService(live: V1Service, file: V1Service): boolean {
  const pick = (s: V1Service) =>
    JSON.stringify({
      selector: s.spec?.selector ?? {},
      ports: (s.spec?.ports ?? []).map((p) => ({ port: p.port, targetPort: String(p.targetPort ?? p.port), name: p.name ?? '' })),
    });
  return pick(live) === pick(file);
}

export default defineCheck({
  id: 'service-has-ready-endpoints',
  title: 'The Service has ready endpoints on the port the pods listen on',
  needs: ['service-target-port-matches-container-port'],
  hint: 'Look at what the Service routes to: `kubectl get endpointslices -l kubernetes.io/service-name=model-api -n <namespace>`.',
  retries: 5,
  retryDelayMs: 2_000,
  async run(ctx) {
    // Mirrors: kubectl get endpointslices -l kubernetes.io/service-name=model-api -n <namespace>
    const { service } = parts(await manifests(ctx));
    const name = service!.manifest.name;
    const { k8s, namespace } = await kube(ctx);
    const core = await ctx.kube.api(k8s.CoreV1Api);
    const live = await readOptional(ctx, `get service ${name}`, () => core.readNamespacedService({ name, namespace }));
    if (!live) {
      return fail({
        message: `Service ${name} is not in namespace ${namespace}: the files are written but not applied.`,
        expected: `Service ${name} in ${namespace}`,
        actual: 'not found',
        hint: `\`kubectl apply -n ${namespace} -f k8s/\``,
      });
    }
    if (!sameService(live, service!.object)) {
      return fail({
        message: `The Service in the cluster is not the one in ${service!.manifest.file}: apply your changes.`,
        expected: `selector ${labelSelector(service!.object.spec?.selector)}; ports ${describeServicePorts(service!.object)}`,
        actual: `selector ${labelSelector(live.spec?.selector)}; ports ${describeServicePorts(live)}`,
        hint: `\`kubectl apply -n ${namespace} -f k8s/\``,
      });
    }
    const { ready } = await readyEndpoints(ctx, name);
    if (ready.length === 0) {
      const pods = await podsMatching(ctx, live.spec?.selector);
      const troubles = pods.map(podTrouble).filter((t): t is string => t !== undefined);
      return fail({
        message:
          pods.length === 0
            ? `Service ${name} selects ${labelSelector(live.spec?.selector)}, and no pod in ${namespace} carries those labels: it has no endpoints, so every request through it fails.`
            : `Service ${name} selects ${pods.length} pod${pods.length === 1 ? '' : 's'}, but none is Ready, so it has no ready endpoints.`,
        expected: 'at least one ready endpoint',
        actual:
          pods.length === 0
            ? `kubectl get pods -l ${labelSelector(live.spec?.selector)}: no pods`
            : troubles.join('\n') || 'pods not ready yet',
        hint:
          pods.length === 0
            ? `Compare \`kubectl get pods -n ${namespace} --show-labels\` with the Service's selector.`
            : `\`kubectl describe pod -n ${namespace} -l ${labelSelector(live.spec?.selector)}\``,
      });
    }
    // The live cross-check: each ready endpoint's port must be one its pod declares.
    const pods = await podsMatching(ctx, live.spec?.selector);
    const declared = new Map(
      pods.map((p) => [
        p.metadata?.name,
        new Set((p.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((port) => port.containerPort))),
      ]),
    );
    const wrong = ready.filter(
      (e) => e.port === undefined || (e.pod !== undefined && declared.has(e.pod) && !declared.get(e.pod)!.has(e.port)),
    );
    if (wrong.length > 0) {
      return fail({
        message: `The endpoints of Service ${name} point at ${wrong[0]!.port === undefined ? 'no port' : `port ${wrong[0]!.port}`}, which the pods do not listen on: connections would be refused.`,
        expected: `endpoints on a container port (${[...new Set([...declared.values()].flatMap((s) => [...s]))].join(', ')})`,
        actual: wrong.map((e) => `${e.ip}:${e.port ?? '(none)'}${e.pod ? ` (${e.pod})` : ''}`).join('\n'),
        hint: `Fix targetPort in the Service and apply again: \`kubectl apply -n ${namespace} -f k8s/\`.`,
      });
    }
    const readyPods = pods.filter(isReady).length;
    return pass(
      `Service ${name} has ${ready.length} ready endpoint${ready.length === 1 ? '' : 's'} (${ready.map((e) => `${e.ip}:${e.port}`).join(', ')}) from ${readyPods} Ready pod${readyPods === 1 ? '' : 's'}.`,
    );
  },
});
