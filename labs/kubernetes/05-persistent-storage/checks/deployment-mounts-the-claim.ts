import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { APP, CLAIM, apiContainer, claimVolume, manifests, parts, where } from './shared.ts';

export default defineCheck({
  id: 'deployment-mounts-the-claim',
  title: 'The model API mounts the claim where it keeps its cache',
  needs: ['manifests-are-valid'],
  hint: `Replace the emptyDir volume with \`persistentVolumeClaim: {claimName: ${CLAIM}}\` and keep the volumeMount.`,
  async run(ctx) {
    // Mirrors: kubectl get deployment model-api -o jsonpath='{.spec.template.spec.volumes}' (on the files)
    const { deployment, claim } = parts(await manifests(ctx));
    const claimName = claim?.manifest.name ?? CLAIM;
    if (!deployment) {
      return fail({
        message: `k8s/ has no Deployment named ${APP}, so nothing uses the claim.`,
        expected: `Deployment ${APP}`,
        actual: 'no Deployment in k8s/',
        hint: 'Restore it with `mlops-lab reset kubernetes/05-persistent-storage`.',
      });
    }
    const volumes = deployment.object.spec?.template?.spec?.volumes ?? [];
    const main = apiContainer(deployment.object);
    const used = claimVolume(deployment.object, claimName);
    if (!used) {
      const cacheMount = main?.container.volumeMounts?.[0];
      const ephemeral = volumes.findIndex((v) => v.name === cacheMount?.name && (v.emptyDir || v.hostPath));
      return fail({
        message:
          ephemeral >= 0
            ? `${where(deployment.manifest, ['spec', 'template', 'spec', 'volumes', ephemeral])}: the volume ${volumes[ephemeral]!.name} mounted at ${cacheMount!.mountPath} is ${volumes[ephemeral]!.emptyDir ? 'an emptyDir, deleted with the pod' : 'a hostPath, tied to one node and outside Kubernetes storage'}; the claim ${claimName} is never used, so with WaitForFirstConsumer it never even binds.`
            : `No volume of Deployment ${deployment.manifest.name} uses the claim ${claimName}: the storage is requested and never mounted.`,
        expected: `a volume with persistentVolumeClaim.claimName: ${claimName}, mounted by the ${main?.container.name ?? APP} container`,
        actual:
          volumes
            .map(
              (v) =>
                `${v.name}: ${Object.keys(v)
                  .filter((k) => k !== 'name')
                  .join(', ')}`,
            )
            .join('\n') || 'no volumes',
        hint: `In the pod template's volumes, give ${cacheMount?.name ?? 'model-cache'} \`persistentVolumeClaim: {claimName: ${claimName}}\` instead of emptyDir, then \`kubectl apply -f k8s/\`.`,
      });
    }
    const mount = (main?.container.volumeMounts ?? []).map((m, i) => ({ m, i })).find(({ m }) => m.name === used.volume.name);
    if (!mount) {
      return fail({
        message: `${where(deployment.manifest, ['spec', 'template', 'spec', 'volumes', used.index])} declares the claim, but the ${main?.container.name} container does not mount it: the data lands in the container's own, temporary filesystem.`,
        expected: `a volumeMount named ${used.volume.name} in the ${main?.container.name} container`,
        actual: `volumeMounts: ${(main?.container.volumeMounts ?? []).map((m) => `${m.name} -> ${m.mountPath}`).join(', ') || 'none'}`,
        hint: `Add \`volumeMounts: [{name: ${used.volume.name}, mountPath: /var/cache/model}]\` to the container.`,
      });
    }
    if (mount.m.readOnly || used.volume.persistentVolumeClaim?.readOnly) {
      return fail({
        message: `${where(deployment.manifest, ['spec', 'template', 'spec', 'containers', main!.index, 'volumeMounts', mount.i])} mounts the cache read-only: the model API cannot write to its cache.`,
        expected: 'a writable mount',
        actual: 'readOnly: true',
        hint: 'Remove `readOnly: true` from the mount (and from the volume).',
      });
    }
    return pass(`The ${main!.container.name} container mounts claim ${claimName} at ${mount.m.mountPath}.`);
  },
});
