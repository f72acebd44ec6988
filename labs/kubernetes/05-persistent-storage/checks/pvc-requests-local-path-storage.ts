import { defineCheck, fail, formatBytes, pass } from '@mlops-lab/grader/authoring';
import { CLAIM, LAB_ID, MAX_BYTES, MIN_BYTES, STORAGE_CLASS, manifests, parts, quantity, where } from './shared.ts';

export default defineCheck({
  id: 'pvc-requests-local-path-storage',
  title: 'The claim asks local-path for a sensible size',
  needs: ['manifests-are-valid'],
  hint: `In the PersistentVolumeClaim: \`storageClassName: ${STORAGE_CLASS}\` and \`resources: {requests: {storage: 1Gi}}\`.`,
  async run(ctx) {
    // Mirrors: kubectl get storageclass; kubectl get pvc model-cache -o jsonpath='{.spec.storageClassName} {.spec.resources.requests.storage}' (on the files)
    const { claim } = parts(await manifests(ctx));
    if (!claim) {
      return fail({
        message: `k8s/ has no PersistentVolumeClaim, so the model cache has no durable storage.`,
        expected: `a PersistentVolumeClaim named ${CLAIM}`,
        actual: 'no PersistentVolumeClaim in k8s/',
        hint: `Restore the starter's k8s/pvc.yaml with \`mlops-lab reset ${LAB_ID}\`.`,
      });
    }
    const className = claim.object.spec?.storageClassName;
    if (className !== STORAGE_CLASS) {
      return fail({
        message:
          className === undefined
            ? `${where(claim.manifest, ['spec'])}: no storageClassName. The claim then takes whatever class is the cluster's default today; name the one you mean.`
            : className === ''
              ? `${where(claim.manifest, ['spec', 'storageClassName'])} is "", which asks for no dynamic provisioning at all: the claim waits for an administrator to create a volume by hand.`
              : `${where(claim.manifest, ['spec', 'storageClassName'])} is "${className}", a class k3s does not have: the claim would stay Pending.`,
        expected: `storageClassName: ${STORAGE_CLASS} (k3s's provisioner; \`kubectl get storageclass\`)`,
        actual: `storageClassName: ${className === undefined ? '(none)' : `"${className}"`}`,
        hint: `Set \`storageClassName: ${STORAGE_CLASS}\` in ${claim.manifest.file}.`,
      });
    }
    const requested = claim.object.spec?.resources?.requests?.storage as string | number | undefined;
    const bytes = quantity(requested);
    if (bytes === undefined || bytes < MIN_BYTES || bytes > MAX_BYTES) {
      return fail({
        message:
          bytes === undefined
            ? `${where(claim.manifest, ['spec', 'resources', 'requests', 'storage'])} is "${String(requested)}", not a Kubernetes quantity such as 1Gi.`
            : `${where(claim.manifest, ['spec', 'resources', 'requests', 'storage'])} asks for ${requested} (${formatBytes(bytes)}): ${bytes < MIN_BYTES ? 'too small to hold even one model version with its metadata' : 'far more than a cache of a few model versions needs; quotas and other clouds bill the request even where local-path does not enforce it'}.`,
        expected: `a storage request between ${formatBytes(MIN_BYTES)} and ${formatBytes(MAX_BYTES)}, e.g. 1Gi`,
        actual: `storage: ${String(requested)}`,
        hint: `Use \`storage: 1Gi\` in ${claim.manifest.file}.`,
      });
    }
    return pass(`Claim ${claim.manifest.name} asks ${STORAGE_CLASS} for ${requested}.`);
  },
});
