import { expect } from 'vitest';
import { allPassBut, holdoutSuite } from '../_shared/holdout.ts';

const ALL_PASS = {
  'manifests-are-valid': 'pass',
  'pvc-requests-local-path-storage': 'pass',
  'pvc-access-mode-is-read-write-once': 'pass',
  'deployment-mounts-the-claim': 'pass',
  'pvc-is-bound': 'pass',
  'pod-mounts-claim-and-is-ready': 'pass',
} as const;

/** `deployment-mounts-the-claim` fails, and what needs it is skipped. */
const DEPLOYMENT_MOUNTS_THE_CLAIM_FAILS = allPassBut(ALL_PASS, {
  fail: ['deployment-mounts-the-claim'],
  skip: ['pvc-is-bound', 'pod-mounts-claim-and-is-ready'],
});

/** `pvc-requests-local-path-storage` fails, and what needs it is skipped. */
const PVC_REQUESTS_LOCAL_PATH_STORAGE_FAILS = allPassBut(ALL_PASS, {
  fail: ['pvc-requests-local-path-storage'],
  skip: ['pvc-access-mode-is-read-write-once', 'pvc-is-bound', 'pod-mounts-claim-and-is-ready'],
});

holdoutSuite(
  'kubernetes/05-persistent-storage',
  [
    {
      submission: 'good-read-write-once',
      verdict: 'ReadWriteOnce claim on local-path, mounted at the cache: approve',
      expect: ALL_PASS,
      async after({ core, namespace }) {
        const claim = await core.readNamespacedPersistentVolumeClaim({ name: 'model-cache', namespace });
        const volume = await core.readPersistentVolume({ name: claim.spec!.volumeName! });
        expect(volume.spec?.claimRef).toMatchObject({ name: 'model-cache', namespace, uid: claim.metadata?.uid });
        expect(claim.metadata?.annotations?.['volume.kubernetes.io/selected-node']).toBeTruthy();
      },
    },
    {
      submission: 'good-read-write-once-pod-512mi',
      verdict: 'ReadWriteOncePod and 512Mi, claim and Deployment in one file: approve',
      expect: ALL_PASS,
    },
    {
      submission: 'read-write-many-on-local-path',
      verdict: 'ReadWriteMany on a node-local volume: the provisioner refuses it and the pod never starts',
      expect: allPassBut(ALL_PASS, {
        fail: ['pvc-access-mode-is-read-write-once'],
        skip: ['pvc-is-bound', 'pod-mounts-claim-and-is-ready'],
      }),
      says: { 'pvc-access-mode-is-read-write-once': /k8s\/pvc\.yaml:\d+ spec\.accessModes\[0\] asks for ReadWriteMany/ },
      async after({ core, namespace }) {
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
      submission: 'claim-never-mounted',
      verdict: 'the claim is declared, the cache still sits in an emptyDir: the data dies with the pod',
      expect: DEPLOYMENT_MOUNTS_THE_CLAIM_FAILS,
      says: { 'deployment-mounts-the-claim': 'is an emptyDir, deleted with the pod' },
      async after({ core, namespace }) {
        // WaitForFirstConsumer: no pod uses the claim, so it never binds.
        const claim = await core.readNamespacedPersistentVolumeClaim({ name: 'model-cache', namespace });
        expect(claim.status?.phase).toBe('Pending');
        const events = await core.listNamespacedEvent({ namespace });
        expect(events.items.some((e) => e.reason === 'WaitForFirstConsumer')).toBe(true);
      },
    },
    {
      submission: 'claim-far-too-large',
      verdict: '500Gi for a cache of a few model versions: request changes',
      expect: PVC_REQUESTS_LOCAL_PATH_STORAGE_FAILS,
      says: { 'pvc-requests-local-path-storage': 'asks for 500Gi' },
    },
    {
      submission: 'no-storage-class',
      verdict: 'no storageClassName: it binds today through the default class, but says nothing about what it needs',
      expect: PVC_REQUESTS_LOCAL_PATH_STORAGE_FAILS,
      says: { 'pvc-requests-local-path-storage': 'no storageClassName' },
      async after({ core, namespace }) {
        // The DefaultStorageClass admission plugin filled in local-path, as on k3s.
        const claim = await core.readNamespacedPersistentVolumeClaim({ name: 'model-cache', namespace });
        expect(claim.spec?.storageClassName).toBe('local-path');
        expect(claim.status?.phase).toBe('Bound');
      },
    },
    {
      submission: 'mounted-read-only',
      verdict: 'the cache mounted read-only: the model API cannot write its cache',
      expect: DEPLOYMENT_MOUNTS_THE_CLAIM_FAILS,
      says: { 'deployment-mounts-the-claim': 'read-only' },
    },
  ],
  // Let the simulated controllers settle: ~45 s of fixture time.
  { settleMs: 1_500 },
);
