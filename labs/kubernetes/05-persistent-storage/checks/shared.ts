import type { V1Deployment, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { ManifestObject, ManifestSet } from '@mlops-lab/grader/authoring';
import { findMain, mainContainer } from '../../_shared/kube.ts';

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

export function parts(set: ManifestSet): Parts {
  const out: Parts = {};
  const d = findMain(set, 'Deployment', APP);
  if (d) out.deployment = { manifest: d, object: d.object as unknown as V1Deployment };
  const c = findMain(set, 'PersistentVolumeClaim', CLAIM);
  if (c) out.claim = { manifest: c, object: c.object as unknown as V1PersistentVolumeClaim };
  return out;
}

export function apiContainer(deployment: V1Deployment) {
  return mainContainer(deployment, APP);
}

const UNITS: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Bytes of a Kubernetes quantity (`1Gi`, `500M`, `1.5Gi`, `1e9`), or undefined when it is not one. */
export function quantityBytes(quantity: string | number | undefined): number | undefined {
  if (typeof quantity === 'number') return quantity;
  if (typeof quantity !== 'string') return undefined;
  const match = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?)$/.exec(quantity.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  if (match[2]) return value * 10 ** Number(match[2].slice(1));
  return value * UNITS[match[3] ?? '']!;
}

/** The volume of the pod template that uses the claim, its index, and the container mounts of it. */
export function claimVolume(deployment: V1Deployment, claim: string) {
  const volumes = deployment.spec?.template?.spec?.volumes ?? [];
  const index = volumes.findIndex((v) => v.persistentVolumeClaim?.claimName === claim);
  const volume = volumes[index];
  return volume ? { volume, index } : undefined;
}
