import type { V1Deployment } from '@kubernetes/client-node';
import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import {
  API_KEY_VAR,
  DEPLOYMENT,
  apiContainer,
  apiKeySource,
  findDeployment,
  kube,
  listPods,
  manifestConfigMapKeys,
  manifests,
  podTrouble,
  readOptional,
  rolloutState,
  type KeySource,
} from './shared.ts';

function describeSource(source: KeySource): string {
  switch (source.kind) {
    case 'secretKeyRef':
      return `Secret ${source.secret} key ${source.key}`;
    case 'secretEnvFrom':
      return `Secret ${source.secret} (envFrom)`;
    case 'configMapKeyRef':
      return `ConfigMap ${source.configMap} key ${source.key}`;
    case 'configMapEnvFrom':
      return `ConfigMap ${source.configMap} (envFrom)`;
    case 'literal':
      return 'a literal value';
    case 'none':
      return 'nowhere';
  }
}

export default defineCheck({
  id: 'pods-ready-with-config-and-secret',
  title: 'The model API pods run the applied configuration and are Ready',
  needs: ['configmap-in-cluster-has-referenced-keys', 'secret-in-cluster-has-referenced-keys'],
  hint: 'Apply and watch: `kubectl apply -n <namespace> -f k8s/ && kubectl rollout status deployment/model-api -n <namespace>`.',
  retries: 5,
  retryDelayMs: 2_000,
  async run(ctx) {
    // Mirrors: kubectl rollout status deployment/model-api -n <namespace>; kubectl get pods -l app.kubernetes.io/name=model-api
    const set = await manifests(ctx);
    const manifest = findDeployment(set)!.object as unknown as V1Deployment;
    const { k8s, namespace } = await kube(ctx);
    const apps = await ctx.kube.api(k8s.AppsV1Api);
    const name = manifest.metadata?.name ?? DEPLOYMENT;
    const live = await readOptional(ctx, `get deployment ${name}`, () => apps.readNamespacedDeployment({ name, namespace }));
    if (!live) {
      return fail({
        message: `Deployment ${name} is not in namespace ${namespace}: the files are written but not applied.`,
        expected: `Deployment ${name} in ${namespace}`,
        actual: 'not found',
        hint: `\`kubectl apply -n ${namespace} -f k8s/\``,
      });
    }
    const wanted = apiKeySource(apiContainer(manifest)!.container, [], manifestConfigMapKeys(set));
    const running = apiContainer(live)
      ? apiKeySource(apiContainer(live)!.container, [], manifestConfigMapKeys(set))
      : ({ kind: 'none' } as const);
    if (describeSource(wanted) !== describeSource(running)) {
      return fail({
        message: `The Deployment in the cluster is not the one in your files: it takes ${API_KEY_VAR} from ${describeSource(running)}, your k8s/ says ${describeSource(wanted)}.`,
        expected: `${API_KEY_VAR} from ${describeSource(wanted)}`,
        actual: `${API_KEY_VAR} from ${describeSource(running)}`,
        hint: `Apply your files: \`kubectl apply -n ${namespace} -f k8s/\`.`,
      });
    }
    const pods = await listPods(ctx, live);
    const troubles = pods.map(podTrouble).filter((t): t is string => t !== undefined);
    const rollout = rolloutState(live);
    if (!rollout.done || troubles.length > 0 || pods.length === 0) {
      const configError = troubles.find((t) => t.includes('CreateContainerConfigError'));
      return fail({
        message: configError
          ? `Kubernetes refuses to start the container because a ConfigMap or Secret it names is missing or lacks a key.`
          : `Deployment ${name} has not finished rolling out: ${rollout.text}.`,
        expected: `every replica of ${name} Ready with the new configuration`,
        actual: [
          `deployment ${name}: ${rollout.text}`,
          ...(troubles.length > 0 ? troubles : pods.length === 0 ? ['no pods match the selector'] : []),
        ].join('\n'),
        hint: configError
          ? `Read the pod's events: \`kubectl describe pod -n ${namespace} -l app.kubernetes.io/name=${DEPLOYMENT}\`, then create the missing key (see \`kubectl describe secret -n ${namespace}\`).`
          : `Watch it: \`kubectl rollout status deployment/${name} -n ${namespace}\`, and read events with \`kubectl get events -n ${namespace} --sort-by=.lastTimestamp\`.`,
      });
    }
    return pass(`Deployment ${name}: ${rollout.text}; its pods get ${API_KEY_VAR} from ${describeSource(running)} and are Ready.`);
  },
});
