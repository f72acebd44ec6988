import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { STORAGE_CLASS, manifests, parts, where } from './shared.ts';

const NODE_LOCAL = new Set(['ReadWriteOnce', 'ReadWriteOncePod']);

export default defineCheck({
  id: 'pvc-access-mode-is-read-write-once',
  title: 'The claim asks for ReadWriteOnce, the only mode a node-local volume can give',
  needs: ['pvc-requests-local-path-storage'],
  hint: 'In the PersistentVolumeClaim: `accessModes: [ReadWriteOnce]`.',
  async run(ctx) {
    // Mirrors: kubectl get pvc model-cache -o jsonpath='{.spec.accessModes}' (on the files)
    const { claim } = parts(await manifests(ctx));
    const modes = claim!.object.spec?.accessModes ?? [];
    const wrong = modes.filter((m) => !NODE_LOCAL.has(m));
    if (modes.length === 0 || wrong.length > 0) {
      return fail({
        message:
          wrong.length > 0
            ? `${where(claim!.manifest, ['spec', 'accessModes', modes.indexOf(wrong[0]!)])} asks for ${wrong[0]}. A ${STORAGE_CLASS} volume is a folder on one node's disk: it cannot be shared between nodes, and the provisioner refuses the claim, which stays Pending with "NodePath only supports ReadWriteOnce and ReadWriteOncePod access modes".`
            : `${where(claim!.manifest, ['spec'])}: no accessModes.`,
        expected: 'accessModes: [ReadWriteOnce] (or ReadWriteOncePod)',
        actual: `accessModes: [${modes.join(', ')}]`,
        hint: `Set \`accessModes: [ReadWriteOnce]\` in ${claim!.manifest.file}. A claim already in the cluster cannot change its modes: \`kubectl delete pvc ${claim!.manifest.name} -n <namespace>\`, then apply again.`,
      });
    }
    return pass(`Claim ${claim!.manifest.name} asks for ${modes.join(', ')}.`);
  },
});
