import type { V1Deployment } from '@kubernetes/client-node';
import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { findPlaintextCredentials } from './credentials.ts';
import { configReferences, findDeployment, kube, manifests, readOptional } from './shared.ts';

export default defineCheck({
  id: 'configmap-in-cluster-has-referenced-keys',
  title: 'The ConfigMap in the cluster has every key the Deployment asks for, and no credential',
  needs: ['config-comes-from-configmap'],
  hint: 'Apply the files: `kubectl apply -n <namespace> -f k8s/`, then `kubectl get configmap -n <namespace> -o yaml`.',
  async run(ctx) {
    // Mirrors: kubectl get configmap model-api-config -n <namespace> -o yaml
    const set = await manifests(ctx);
    const deployment = findDeployment(set)!.object as unknown as V1Deployment;
    const refs = configReferences(deployment).filter((r) => r.kind === 'ConfigMap' && !r.optional);
    const { k8s, namespace } = await kube(ctx);
    const core = await ctx.kube.api(k8s.CoreV1Api);
    const problems: string[] = [];
    const leaks: string[] = [];
    const seen: string[] = [];
    for (const name of [...new Set(refs.map((r) => r.name))]) {
      const live = await readOptional(ctx, `get configmap ${name}`, () => core.readNamespacedConfigMap({ name, namespace }));
      if (!live) {
        problems.push(`ConfigMap ${name}: not in namespace ${namespace}`);
        continue;
      }
      const keys = [...Object.keys(live.data ?? {}), ...Object.keys(live.binaryData ?? {})];
      seen.push(`${name} (keys: ${keys.join(', ') || 'none'})`);
      for (const ref of refs.filter((r) => r.name === name && r.key !== undefined)) {
        if (!keys.includes(ref.key!)) problems.push(`ConfigMap ${name}: no key ${ref.key}`);
      }
      for (const finding of findPlaintextCredentials({ kind: 'ConfigMap', data: live.data, binaryData: live.binaryData })) {
        leaks.push(`ConfigMap ${name} ${finding.path.join('.')} = ${finding.masked} (${finding.reason})`);
      }
    }
    if (problems.length > 0) {
      return fail({
        message: `The cluster does not hold the configuration your Deployment asks for in namespace ${namespace}: pods that need it would wait in CreateContainerConfigError.`,
        expected: refs.map((r) => `ConfigMap ${r.name}${r.key ? ` with key ${r.key}` : ''}`).join('\n'),
        actual: problems.join('\n'),
        hint: `Apply your files: \`kubectl apply -n ${namespace} -f k8s/\`, then look: \`kubectl get configmap -n ${namespace}\`.`,
      });
    }
    if (leaks.length > 0) {
      return fail({
        message: `The ConfigMap in the cluster still holds a credential, even if your files no longer do: anyone who may read ConfigMaps in ${namespace} reads it.`,
        expected: 'no credential-like key in the live ConfigMap',
        actual: leaks.join('\n'),
        hint: `Apply the cleaned file again (\`kubectl apply -n ${namespace} -f k8s/\`) or remove the key: \`kubectl edit configmap -n ${namespace} <name>\`; then rotate the leaked key.`,
      });
    }
    return pass(`The cluster holds ${seen.join('; ')}: every referenced key is there and none looks like a credential.`);
  },
});
