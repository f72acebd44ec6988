import { defineLab, kubeLabHooks } from '@mlops-lab/grader/authoring';
import deploymentMountsTheClaim from './checks/deployment-mounts-the-claim.ts';
import manifestsAreValid from './checks/manifests-are-valid.ts';
import podMountsClaimAndIsReady from './checks/pod-mounts-claim-and-is-ready.ts';
import pvcAccessModeIsReadWriteOnce from './checks/pvc-access-mode-is-read-write-once.ts';
import pvcIsBound from './checks/pvc-is-bound.ts';
import pvcRequestsLocalPathStorage from './checks/pvc-requests-local-path-storage.ts';

export default defineLab({
  id: 'kubernetes/05-persistent-storage',
  version: '1.0.0',
  title: 'Persistent storage for the model cache',
  stage: 'kubernetes',
  summary:
    'Give the model API a PersistentVolumeClaim on k3s’s local-path storage, mount it where the model cache lives, and watch WaitForFirstConsumer bind it when the pod starts.',
  minutes: 35,
  difficulty: 'beginner',
  skills: ['kubernetes'],
  needs: ['cluster'],
  checks: [
    manifestsAreValid,
    pvcRequestsLocalPathStorage,
    pvcAccessModeIsReadWriteOnce,
    deploymentMountsTheClaim,
    pvcIsBound,
    podMountsClaimAndIsReady,
  ],
  defaults: { timeoutMs: 20_000 },
  contract: {
    starterFails: ['pvc-access-mode-is-read-write-once', 'deployment-mounts-the-claim'],
  },
  ...kubeLabHooks(),
});
