import { EvidenceError, apiStatus, defineCheck, describeApiError, fail, pass, type CheckContext } from '@mlops-lab/grader/authoring';
import { readyEndpoints } from './service-has-ready-endpoints.ts';
import {
  FIXTURE_NODE_ANNOTATION,
  backendServicePort,
  describeBackend,
  healthPath,
  kube,
  manifests,
  parts,
  readOptional,
  routes,
} from './shared.ts';

/**
 * Whether the API is the fixture server (its node carries the fixture mark).
 * A kubeconfig that may not list nodes (a learner limited to a namespace)
 * is a live cluster: the fixture lets every request through.
 */
async function onFixture(ctx: CheckContext): Promise<boolean> {
  const { k8s } = await kube(ctx);
  const core = await ctx.kube.api(k8s.CoreV1Api);
  try {
    const nodes = await ctx.kube.call('list nodes', () => core.listNode());
    return nodes.items.some((n) => n.metadata?.annotations?.[FIXTURE_NODE_ANNOTATION] === 'true');
  } catch (error) {
    if (apiStatus(error) === 403) return false;
    throw describeApiError(error, 'list nodes');
  }
}

export default defineCheck({
  id: 'ingress-answers-health-check',
  title: 'A request through the Ingress reaches the model API (GET /health)',
  needs: ['service-has-ready-endpoints', 'ingress-has-address'],
  hint: 'Call it like a client: `curl -i --resolve <host>:80:<ingress address> http://<host>/health`.',
  retries: 3,
  retryDelayMs: 2_000,
  timeoutMs: 30_000,
  async run(ctx) {
    // Mirrors: curl -i -H 'Host: <host>' http://<ingress address>/health
    const { ingress } = parts(await manifests(ctx));
    const { k8s, namespace } = await kube(ctx);
    const networking = await ctx.kube.api(k8s.NetworkingV1Api);
    const core = await ctx.kube.api(k8s.CoreV1Api);
    const live = await readOptional(ctx, `get ingress ${ingress!.manifest.name}`, () =>
      networking.readNamespacedIngress({ name: ingress!.manifest.name, namespace }),
    );
    const route = live ? (routes(live).find((r) => r.host) ?? routes(live)[0]) : undefined;
    const address = (live?.status?.loadBalancer?.ingress ?? []).map((a) => a.ip ?? a.hostname).find(Boolean);
    if (!live || !route || !address) {
      // ingress-has-address passed a moment ago: the Ingress changed since.
      return fail({
        message: `Ingress ${ingress!.manifest.name} ${!live ? 'is gone' : !route ? 'has no route to a Service' : 'has lost its address'} since the previous check.`,
        expected: 'an Ingress with a route and an address',
        actual: !live ? 'not found' : `routes: ${routes(live).length}, address: ${address ?? 'none'}`,
        hint: `\`kubectl get ingress -n ${namespace}\`, then run the check again.`,
      });
    }

    // The chain as the API shows it: Ingress backend -> Service port -> ready endpoints on that port.
    const service = await readOptional(ctx, `get service ${route.backend.name}`, () =>
      core.readNamespacedService({ name: route.backend.name, namespace }),
    );
    const servicePort = service ? backendServicePort(service, route.backend) : undefined;
    const endpoints = servicePort
      ? (await readyEndpoints(ctx, route.backend.name)).ready.filter((e) => e.portName === (servicePort.name ?? ''))
      : [];
    const chain = `${route.host ?? '*'}${route.path} -> Service ${route.backend.name}:${servicePort?.port ?? '?'} -> ${endpoints.length} ready endpoint${endpoints.length === 1 ? '' : 's'}${endpoints.length > 0 ? ` (${endpoints.map((e) => `${e.ip}:${e.port}`).join(', ')})` : ''}`;
    if (!service || !servicePort || endpoints.length === 0) {
      return fail({
        message: `The route ${describeBackend(route.backend)} does not lead to a ready pod: ${!service ? `Service ${route.backend.name} does not exist` : !servicePort ? `Service ${route.backend.name} has no such port` : 'the Service port has no ready endpoints'}.`,
        expected: 'Ingress -> Service port -> at least one ready endpoint',
        actual: chain,
        hint: `Follow it step by step: \`kubectl describe ingress ${live.metadata?.name} -n ${namespace}\` shows each backend and its endpoints.`,
      });
    }

    const host = route.host ?? address;
    const url = `http://${host}${healthPath(route.path)}`;
    if (await onFixture(ctx)) {
      // The fixture API server runs no pods and no Traefik: nothing could answer
      // an HTTP request, so judge the same chain through the API and say so.
      return pass(
        `No HTTP request was made: this is the fixture API server, where no pod really runs. Through the API the route resolves: ${chain}. On a live cluster this check sends GET ${url} to ${address}.`,
      );
    }
    try {
      const response = await ctx.http.request(url, { resolveTo: address, timeoutMs: 5_000, maxBytes: 64 * 1024, signal: ctx.signal });
      const body = response.json() as { status?: unknown } | undefined;
      if (response.status === 200 && body?.status === 'ok') {
        return pass(
          `GET ${url} via ${address} answered 200 ${response.body.trim().slice(0, 120)} in ${response.durationMs} ms (${chain}).`,
        );
      }
      return fail({
        message:
          response.status === 404
            ? `Traefik at ${address} answered 404 for ${url}: it has no route for this host and path, or the app does not serve ${healthPath(route.path)} (Traefik passes the path on unchanged).`
            : `GET ${url} via ${address} answered ${response.status}, not the model API's health answer.`,
        expected: '200 with {"status": "ok", ...}',
        actual: `${response.status} ${response.body.trim().slice(0, 200)}`,
        hint: `Try it: \`curl -i --resolve ${host}:80:${address} ${url}\`; read Traefik's view with \`kubectl -n kube-system logs deploy/traefik --tail=20\`.`,
      });
    } catch (error) {
      if (!(error instanceof EvidenceError)) throw error;
      return fail({
        message: `Nothing answered at ${address}:80 for ${url}: ${error.message}`,
        expected: 'an HTTP answer from Traefik',
        actual: `${error.code}; the API says ${chain}`,
        hint: `From the machine that runs k3s: \`curl -i --resolve ${host}:80:${address} ${url}\`. If that works, the grader runs elsewhere and cannot reach ${address}.`,
      });
    }
  },
});
