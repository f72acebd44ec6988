import type { V1Deployment } from '@kubernetes/client-node';
import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { CONFIGMAP, DEPLOYMENT, apiContainer, configReferences, findDeployment, findObject, manifests, where } from './shared.ts';

export default defineCheck({
  id: 'config-comes-from-configmap',
  title: 'The model API reads its settings from a ConfigMap in k8s/',
  needs: ['manifests-are-valid'],
  hint: `Give the container the ConfigMap's keys: \`envFrom: [{configMapRef: {name: ${CONFIGMAP}}}]\`, or mount it as a volume.`,
  async run(ctx) {
    // Mirrors: kubectl get deployment model-api -o jsonpath='{.spec.template.spec.containers[0].envFrom}' (on the files)
    const set = await manifests(ctx);
    const manifest = findDeployment(set);
    if (!manifest) {
      return fail({
        message: `k8s/ has no Deployment named ${DEPLOYMENT}, so nothing runs the model API.`,
        expected: `a Deployment named ${DEPLOYMENT} (the starter's k8s/deployment.yaml)`,
        actual: set.objects.map((o) => `${o.kind}/${o.name}`).join(', ') || 'no objects',
        hint: 'Restore it with `mlops-lab reset kubernetes/03-config-and-secrets`, or copy it from the starter.',
      });
    }
    const deployment = manifest.object as unknown as V1Deployment;
    const main = apiContainer(deployment);
    const refs = configReferences(deployment).filter((r) => r.kind === 'ConfigMap');
    const mounted = new Set((main?.container.volumeMounts ?? []).map((m) => m.name));
    const volumes = deployment.spec?.template?.spec?.volumes ?? [];
    const used = refs.filter((r) => {
      if (r.via !== 'volume') return r.path[4] === main?.index && r.path[3] === 'containers';
      const volume = volumes[r.path[4] as number];
      return volume !== undefined && mounted.has(volume.name);
    });
    if (used.length === 0) {
      return fail({
        message: `The ${main?.container.name ?? DEPLOYMENT} container takes nothing from a ConfigMap: its settings are baked into the Deployment, so changing one means editing the workload itself.`,
        expected: `envFrom configMapRef, env valueFrom configMapKeyRef, or a mounted configMap volume naming ${CONFIGMAP}`,
        actual: `${where(manifest, ['spec', 'template', 'spec', 'containers', main?.index ?? 0])}: no ConfigMap reference`,
        hint: `Add under the container: \`envFrom: [{configMapRef: {name: ${CONFIGMAP}}}]\`.`,
      });
    }
    const missing = used.filter((r) => !r.optional && !findObject(set, 'ConfigMap', r.name));
    if (missing.length > 0) {
      const first = missing[0]!;
      return fail({
        message: `${where(manifest, first.path)} names the ConfigMap "${first.name}", which k8s/ does not define: the pods would wait in CreateContainerConfigError.`,
        expected: `a ConfigMap named ${first.name} in k8s/`,
        actual: `ConfigMaps in k8s/: ${
          set.objects
            .filter((o) => o.kind === 'ConfigMap')
            .map((o) => o.name)
            .join(', ') || 'none'
        }`,
        hint: `Fix the name in ${manifest.file}, or add the ConfigMap ${first.name} to k8s/.`,
      });
    }
    const missingKeys = used
      .filter((r) => r.key !== undefined && !r.optional)
      .filter((r) => {
        const data = findObject(set, 'ConfigMap', r.name)!.object as {
          data?: Record<string, unknown>;
          binaryData?: Record<string, unknown>;
        };
        return !(r.key! in (data.data ?? {})) && !(r.key! in (data.binaryData ?? {}));
      });
    if (missingKeys.length > 0) {
      const first = missingKeys[0]!;
      return fail({
        message: `${where(manifest, first.path)} asks for the key "${first.key}" of ConfigMap ${first.name}, which has no such key: Kubernetes would refuse to start the container (CreateContainerConfigError).`,
        expected: `ConfigMap ${first.name} with a key ${first.key}`,
        actual: `keys of ${first.name}: ${Object.keys((findObject(set, 'ConfigMap', first.name)!.object as { data?: object }).data ?? {}).join(', ') || 'none'}`,
        hint: `Add ${first.key} to the ConfigMap's data, or fix the key name in ${manifest.file}.`,
      });
    }
    const names = [...new Set(used.map((r) => `${r.name} (${r.via})`))].join(', ');
    return pass(`The ${main?.container.name} container reads its settings from ConfigMap ${names}.`);
  },
});
