import type { V1Ingress } from '@kubernetes/client-node';
import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { INGRESS_CLASS, describeBackend, kube, manifests, parts, readOptional, routes } from './shared.ts';

function describeRoutes(ingress: V1Ingress): string {
  return routes(ingress)
    .map((r) => `${r.host ?? '*'}${r.path} -> ${describeBackend(r.backend)}`)
    .join(', ');
}

export default defineCheck({
  id: 'ingress-has-address',
  title: 'Traefik has admitted the Ingress and published its address',
  needs: ['ingress-routes-to-service-port'],
  hint: 'The ADDRESS column should fill within seconds: `kubectl get ingress model-api -n <namespace>`.',
  retries: 5,
  retryDelayMs: 2_000,
  async run(ctx) {
    // Mirrors: kubectl get ingress model-api -n <namespace>   (the ADDRESS column)
    const { ingress } = parts(await manifests(ctx));
    const name = ingress!.manifest.name;
    const { k8s, namespace } = await kube(ctx);
    const networking = await ctx.kube.api(k8s.NetworkingV1Api);
    const live = await readOptional(ctx, `get ingress ${name}`, () => networking.readNamespacedIngress({ name, namespace }));
    if (!live) {
      return fail({
        message: `Ingress ${name} is not in namespace ${namespace}: the files are written but not applied.`,
        expected: `Ingress ${name} in ${namespace}`,
        actual: 'not found',
        hint: `\`kubectl apply -n ${namespace} -f k8s/\``,
      });
    }
    if (
      describeRoutes(live) !== describeRoutes(ingress!.object) ||
      live.spec?.ingressClassName !== ingress!.object.spec?.ingressClassName
    ) {
      return fail({
        message: `The Ingress in the cluster is not the one in ${ingress!.manifest.file}: apply your changes.`,
        expected: `class ${ingress!.object.spec?.ingressClassName}; ${describeRoutes(ingress!.object)}`,
        actual: `class ${live.spec?.ingressClassName ?? '(none)'}; ${describeRoutes(live)}`,
        hint: `\`kubectl apply -n ${namespace} -f k8s/\``,
      });
    }
    const addresses = (live.status?.loadBalancer?.ingress ?? []).map((a) => a.ip ?? a.hostname).filter((a): a is string => Boolean(a));
    if (addresses.length === 0) {
      return fail({
        message: `Ingress ${name} has no address yet: no ingress controller has taken it. On k3s, Traefik fills the address within seconds for class ${INGRESS_CLASS}.`,
        expected: 'status.loadBalancer.ingress with an IP or host name',
        actual: 'status.loadBalancer: empty',
        hint: `Is Traefik running? \`kubectl -n kube-system get pods -l app.kubernetes.io/name=traefik\` and \`kubectl get ingressclass\`.`,
      });
    }
    return pass(`Ingress ${name} is served by ${live.spec?.ingressClassName} at ${addresses.join(', ')}.`);
  },
});
