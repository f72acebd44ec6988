import type { V1Deployment, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { ManifestObject, ManifestSet } from '@mlops-lab/grader/authoring';
import { findMainTyped, mainContainer } from '../../_shared/kube.ts';

export { quantity } from '../../_shared/quantity.ts';
export { kube, listPods, manifests, ns, podTrouble, read, readOptional, rolloutState, where, isReady } from '../../_shared/kube.ts';

export const LAB_ID = 'kubernetes/05-persistent-storage';
export const APP = 'model-api';
export const CLAIM = 'model-cache';
/** k3s's default StorageClass: a folder on the node, provisioned when the first pod uses the claim. */
export const STORAGE_CLASS = 'local-path';
/** Bounds of a sensible cache claim: a few model versions, not a data lake. */
export const MIN_BYTES = 100 * 2 ** 20;
export const MAX_BYTES = 10 * 2 ** 30;

export interface Parts {
  deployment?: { manifest: ManifestObject; object: V1Deployment };
  claim?: { manifest: ManifestObject; object: V1PersistentVolumeClaim };
}

/** The Deployment and the claim of the model API in k8s/ (by their names, else the only one of their kind). */
export function parts(set: ManifestSet): Parts {
  return {
    deployment: findMainTyped<V1Deployment>(set, 'Deployment', APP),
    claim: findMainTyped<V1PersistentVolumeClaim>(set, 'PersistentVolumeClaim', CLAIM),
  };
}

export function apiContainer(deployment: V1Deployment) {
  return mainContainer(deployment, APP);
}

/** The volume of the pod template that uses the claim, its index, and the container mounts of it. */
export function claimVolume(deployment: V1Deployment, claim: string) {
  const volumes = deployment.spec?.template?.spec?.volumes ?? [];
  const index = volumes.findIndex((v) => v.persistentVolumeClaim?.claimName === claim);
  const volume = volumes[index];
  return volume ? { volume, index } : undefined;
}
