import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { holdoutSuite } from '../_shared/holdout.ts';

const ALL_PASS = {
  'manifests-are-valid': 'pass',
  'pvc-requests-local-path-storage': 'pass',
  'pvc-access-mode-is-read-write-once': 'pass',
  'deployment-mounts-the-claim': 'pass',
  'pvc-is-bound': 'pass',
  'pod-mounts-claim-and-is-ready': 'pass',
} as const;

holdoutSuite('kubernetes/05-persistent-storage', fileURLToPath(new URL('./__fixtures__/holdout', import.meta.url)), [
  {
    name: 'good-read-write-once',
    verdict: 'ReadWriteOnce claim on local-path, mounted at the cache: approve',
    expect: ALL_PASS,
    async cluster({ core, namespace }) {
      const claim = await core.readNamespacedPersistentVolumeClaim({ name: 'model-cache', namespace });
      const volume = await core.readPersistentVolume({ name: claim.spec!.volumeName! });
      expect(volume.spec?.claimRef).toMatchObject({ name: 'model-cache', namespace, uid: claim.metadata?.uid });
      expect(claim.metadata?.annotations?.['volume.kubernetes.io/selected-node']).toBeTruthy();
    },
  },
  {
    name: 'good-read-write-once-pod-512mi',
    verdict: 'ReadWriteOncePod and 512Mi, claim and Deployment in one file: approve',
    expect: ALL_PASS,
  },
  {
    name: 'read-write-many-on-local-path',
    verdict: 'ReadWriteMany on a node-local volume: the provisioner refuses it and the pod never starts',
    expect: { ...ALL_PASS, 'pvc-access-mode-is-read-write-once': 'fail', 'pvc-is-bound': 'skip', 'pod-mounts-claim-and-is-ready': 'skip' },
    says: { 'pvc-access-mode-is-read-write-once': /k8s\/pvc\.yaml:\d+ spec\.accessModes\[0\] asks for ReadWriteMany/ },
    async cluster({ core, namespace }) {
      const claim = await core.readNamespacedPersistentVolumeClaim({ name: 'model-cache', namespace });
      expect(claim.status?.phase).toBe('Pending');
      const events = await core.listNamespacedEvent({ namespace });
      expect(events.items.map((e) => `${e.reason}: ${e.message}`)).toContain(
        'ProvisioningFailed: failed to provision volume with StorageClass "local-path": NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes',
      );
      const pods = await core.listNamespacedPod({ namespace, labelSelector: 'app.kubernetes.io/name=model-api' });
      expect(pods.items.map((p) => p.status?.phase)).toEqual(['Pending']);
      expect(pods.items[0]?.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status).toBe('False');
    },
  },
  {
    name: 'claim-never-mounted',
    verdict: 'the claim is declared, the cache still sits in an emptyDir: the data dies with the pod',
    expect: { ...ALL_PASS, 'deployment-mounts-the-claim': 'fail', 'pvc-is-bound': 'skip', 'pod-mounts-claim-and-is-ready': 'skip' },
    says: { 'deployment-mounts-the-claim': 'is an emptyDir, deleted with the pod' },
    async cluster({ core, namespace }) {
      // WaitForFirstConsumer: no pod uses the claim, so it never binds.
      const claim = await core.readNamespacedPersistentVolumeClaim({ name: 'model-cache', namespace });
      expect(claim.status?.phase).toBe('Pending');
      const events = await core.listNamespacedEvent({ namespace });
      expect(events.items.some((e) => e.reason === 'WaitForFirstConsumer')).toBe(true);
    },
  },
  {
    name: 'claim-far-too-large',
    verdict: '500Gi for a cache of a few model versions: request changes',
    expect: {
      ...ALL_PASS,
      'pvc-requests-local-path-storage': 'fail',
      'pvc-access-mode-is-read-write-once': 'skip',
      'pvc-is-bound': 'skip',
      'pod-mounts-claim-and-is-ready': 'skip',
    },
    says: { 'pvc-requests-local-path-storage': 'asks for 500Gi' },
  },
  {
    name: 'no-storage-class',
    verdict: 'no storageClassName: it binds today through the default class, but says nothing about what it needs',
    expect: {
      ...ALL_PASS,
      'pvc-requests-local-path-storage': 'fail',
      'pvc-access-mode-is-read-write-once': 'skip',
      'pvc-is-bound': 'skip',
      'pod-mounts-claim-and-is-ready': 'skip',
    },
    says: { 'pvc-requests-local-path-storage': 'no storageClassName' },
    async cluster({ core, namespace }) {
      // The DefaultStorageClass admission plugin filled in local-path, as on k3s.
      const claim = await core.readNamespacedPersistentVolumeClaim({ name: 'model-cache', namespace });
      expect(claim.spec?.storageClassName).toBe('local-path');
      expect(claim.status?.phase).toBe('Bound');
    },
  },
  {
    name: 'mounted-read-only',
    verdict: 'the cache mounted read-only: the model API cannot write its cache',
    expect: { ...ALL_PASS, 'deployment-mounts-the-claim': 'fail', 'pvc-is-bound': 'skip', 'pod-mounts-claim-and-is-ready': 'skip' },
    says: { 'deployment-mounts-the-claim': 'read-only' },
  },
]);
