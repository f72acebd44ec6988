import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { STORAGE_CLASS, kube, manifests, parts, read, readOptional } from './shared.ts';

export default defineCheck({
  id: 'pvc-is-bound',
  title: 'The claim is Bound to a local-path volume',
  needs: ['pvc-access-mode-is-read-write-once', 'deployment-mounts-the-claim'],
  hint: 'Watch it bind once a pod uses it: `kubectl get pvc,pv -n <namespace>` and `kubectl describe pvc model-cache -n <namespace>`.',
  retries: 5,
  retryDelayMs: 2_000,
  async run(ctx) {
    // Mirrors: kubectl get pvc model-cache -n <namespace>; kubectl get pv; kubectl describe pvc model-cache (events)
    const { claim } = parts(await manifests(ctx));
    const name = claim!.manifest.name;
    const { k8s, namespace } = await kube(ctx);
    const core = await ctx.kube.api(k8s.CoreV1Api);
    const live = await readOptional(ctx, `get pvc ${name}`, () => core.readNamespacedPersistentVolumeClaim({ name, namespace }));
    if (!live) {
      return fail({
        message: `PersistentVolumeClaim ${name} is not in namespace ${namespace}: the files are written but not applied.`,
        expected: `PersistentVolumeClaim ${name} in ${namespace}`,
        actual: 'not found',
        hint: `\`kubectl apply -n ${namespace} -f k8s/\``,
      });
    }
    const wantModes = (claim!.object.spec?.accessModes ?? []).join(',');
    const liveModes = (live.spec?.accessModes ?? []).join(',');
    if (wantModes !== liveModes) {
      return fail({
        message: `The claim in the cluster asks for ${liveModes}, your file for ${wantModes}. A claim's access modes cannot change after creation, so \`kubectl apply\` cannot fix it: the claim must be recreated.`,
        expected: `accessModes ${wantModes}`,
        actual: `accessModes ${liveModes} (phase ${live.status?.phase ?? 'unknown'})`,
        hint: `\`kubectl delete pvc ${name} -n ${namespace}\`, then \`kubectl apply -n ${namespace} -f k8s/\` (restart the pods that used it: \`kubectl rollout restart deployment/model-api -n ${namespace}\`).`,
      });
    }
    if (live.status?.phase !== 'Bound') {
      const events = await read(ctx, `list events for pvc ${name}`, () =>
        core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.kind=PersistentVolumeClaim,involvedObject.name=${name}` }),
      );
      const latest = [...events.items].sort((a, b) =>
        String(b.lastTimestamp ?? b.eventTime ?? '').localeCompare(String(a.lastTimestamp ?? a.eventTime ?? '')),
      );
      const failed = latest.find((e) => e.reason === 'ProvisioningFailed');
      const waiting = latest.find((e) => e.reason === 'WaitForFirstConsumer');
      return fail({
        message: failed
          ? `Claim ${name} is ${live.status?.phase ?? 'Pending'}: the provisioner refused it (${failed.message}).`
          : waiting
            ? `Claim ${name} is ${live.status?.phase ?? 'Pending'} and waits for its first consumer: ${STORAGE_CLASS} binds a claim only when a pod that uses it is scheduled, so it can put the folder on that pod's node. No running pod uses it yet.`
            : `Claim ${name} is ${live.status?.phase ?? 'Pending'}, not Bound.`,
        expected: 'phase Bound, with a PersistentVolume',
        actual: [`phase ${live.status?.phase ?? '(none)'}`, ...latest.slice(0, 3).map((e) => `${e.type} ${e.reason}: ${e.message}`)].join(
          '\n',
        ),
        hint: failed
          ? `Fix the claim in k8s/, then recreate it: \`kubectl delete pvc ${name} -n ${namespace} && kubectl apply -n ${namespace} -f k8s/\`.`
          : `Apply the Deployment that mounts it (\`kubectl apply -n ${namespace} -f k8s/\`) and check \`kubectl get pods -n ${namespace}\`.`,
      });
    }
    const volumeName = live.spec?.volumeName;
    const volume = volumeName
      ? await readOptional(ctx, `get pv ${volumeName}`, () => core.readPersistentVolume({ name: volumeName }))
      : undefined;
    const ref = volume?.spec?.claimRef;
    if (!volume || ref?.name !== name || ref.namespace !== namespace || (ref.uid && ref.uid !== live.metadata?.uid)) {
      return fail({
        message: `Claim ${name} says Bound, but ${volume ? `volume ${volumeName} points at ${ref?.namespace}/${ref?.name}` : `its volume ${volumeName ?? '(none)'} does not exist`}.`,
        expected: `a PersistentVolume whose claimRef is ${namespace}/${name}`,
        actual: volume ? `claimRef ${ref?.namespace}/${ref?.name} uid ${ref?.uid ?? '?'}` : 'no volume',
        hint: `\`kubectl get pv ${volumeName ?? ''} -o yaml\``,
      });
    }
    if (volume.spec?.storageClassName !== STORAGE_CLASS) {
      return fail({
        message: `Claim ${name} is bound to ${volumeName}, a volume of class ${volume.spec?.storageClassName ?? '(none)'}, not ${STORAGE_CLASS}.`,
        expected: `a ${STORAGE_CLASS} volume`,
        actual: `storageClassName ${volume.spec?.storageClassName ?? '(none)'}`,
        hint: `Recreate the claim with storageClassName ${STORAGE_CLASS}.`,
      });
    }
    const where = volume.spec?.hostPath?.path ?? volume.spec?.local?.path;
    return pass(
      `Claim ${name} is Bound to ${volumeName} (${volume.spec?.capacity?.storage ?? '?'}, ${(volume.spec?.accessModes ?? []).join(',')}, ${STORAGE_CLASS}${where ? ` at ${where}` : ''}, reclaim ${volume.spec?.persistentVolumeReclaimPolicy ?? '?'}).`,
    );
  },
});
