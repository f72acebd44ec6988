import type { V1Container, V1Deployment } from '@kubernetes/client-node';
import type { ManifestSet } from '@mlops-lab/grader/authoring';
import { findMain, findObject, mainContainer } from '../../_shared/kube.ts';

export { findObject, kube, listPods, manifests, ns, podTrouble, readOptional, rolloutState, where } from '../../_shared/kube.ts';

export const LAB_ID = 'kubernetes/03-config-and-secrets';
export const DEPLOYMENT = 'model-api';
export const CONFIGMAP = 'model-api-config';
export const SECRET = 'model-api-credentials';
/** The variable the model API reads its API key from (app/serve.py). */
export const API_KEY_VAR = 'MODEL_API_KEY';

/** The model API Deployment: the one named model-api, else the only Deployment. */
export function findDeployment(set: ManifestSet) {
  return findMain(set, 'Deployment', DEPLOYMENT);
}

/** The model API container of a Deployment (named model-api, else the first) and its index. */
export function apiContainer(deployment: V1Deployment): { container: V1Container; index: number } | undefined {
  return mainContainer(deployment, DEPLOYMENT);
}

/** How the container gets the API key. */
export type KeySource =
  | { kind: 'secretKeyRef'; secret: string; key: string; path: (string | number)[] }
  | { kind: 'secretEnvFrom'; secret: string; path: (string | number)[] }
  | { kind: 'configMapKeyRef'; configMap: string; key: string; path: (string | number)[] }
  | { kind: 'configMapEnvFrom'; configMap: string; path: (string | number)[] }
  | { kind: 'literal'; path: (string | number)[] }
  | { kind: 'none' };

/**
 * Where the container's MODEL_API_KEY comes from, as Kubernetes resolves it:
 * an `env` entry wins over `envFrom`; among `envFrom` sources the last one
 * that holds the key wins. `configMapKeys` says which keys each ConfigMap of
 * the manifests holds, `secretKeys` the same for Secrets (live or unknown).
 */
export function apiKeySource(
  container: V1Container,
  containerPath: (string | number)[],
  configMapKeys: (name: string) => readonly string[] | undefined,
  secretKeys: (name: string) => readonly string[] | undefined = () => undefined,
): KeySource {
  const envIndex = (container.env ?? []).findIndex((e) => e.name === API_KEY_VAR);
  if (envIndex >= 0) {
    const entry = container.env![envIndex]!;
    const path = [...containerPath, 'env', envIndex];
    const from = entry.valueFrom;
    if (from?.secretKeyRef)
      return {
        kind: 'secretKeyRef',
        secret: from.secretKeyRef.name ?? '',
        key: from.secretKeyRef.key,
        path: [...path, 'valueFrom', 'secretKeyRef'],
      };
    if (from?.configMapKeyRef)
      return {
        kind: 'configMapKeyRef',
        configMap: from.configMapKeyRef.name ?? '',
        key: from.configMapKeyRef.key,
        path: [...path, 'valueFrom', 'configMapKeyRef'],
      };
    if (entry.value !== undefined) return { kind: 'literal', path: [...path, 'value'] };
  }
  let found: KeySource = { kind: 'none' };
  (container.envFrom ?? []).forEach((source, i) => {
    const prefix = source.prefix ?? '';
    if (!API_KEY_VAR.startsWith(prefix)) return;
    const key = API_KEY_VAR.slice(prefix.length);
    const path = [...containerPath, 'envFrom', i];
    if (source.configMapRef?.name && configMapKeys(source.configMapRef.name)?.includes(key)) {
      found = { kind: 'configMapEnvFrom', configMap: source.configMapRef.name, path: [...path, 'configMapRef'] };
    }
    if (source.secretRef?.name) {
      const keys = secretKeys(source.secretRef.name);
      if (keys === undefined || keys.includes(key))
        found = { kind: 'secretEnvFrom', secret: source.secretRef.name, path: [...path, 'secretRef'] };
    }
  });
  return found;
}

/** Keys of the ConfigMaps defined in the manifests. */
export function manifestConfigMapKeys(set: ManifestSet): (name: string) => readonly string[] | undefined {
  return (name) => {
    const cm = findObject(set, 'ConfigMap', name);
    if (!cm) return undefined;
    const { data, binaryData } = cm.object as { data?: Record<string, unknown>; binaryData?: Record<string, unknown> };
    return [...Object.keys(data ?? {}), ...Object.keys(binaryData ?? {})];
  };
}

/** Every ConfigMap or Secret reference of a pod spec: env, envFrom, volumes. */
export interface ConfigReference {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  /** undefined: the whole object (envFrom, a volume without items). */
  key?: string;
  optional: boolean;
  /** Field path inside the Deployment. */
  path: (string | number)[];
  via: 'env' | 'envFrom' | 'volume';
}

export function configReferences(deployment: V1Deployment): ConfigReference[] {
  const spec = deployment.spec?.template?.spec;
  const out: ConfigReference[] = [];
  const base = ['spec', 'template', 'spec'];
  for (const group of ['initContainers', 'containers'] as const) {
    (spec?.[group] ?? []).forEach((container, i) => {
      (container.env ?? []).forEach((entry, j) => {
        const cm = entry.valueFrom?.configMapKeyRef;
        const secret = entry.valueFrom?.secretKeyRef;
        const path = [...base, group, i, 'env', j, 'valueFrom'];
        if (cm)
          out.push({
            kind: 'ConfigMap',
            name: cm.name ?? '',
            key: cm.key,
            optional: cm.optional === true,
            path: [...path, 'configMapKeyRef'],
            via: 'env',
          });
        if (secret)
          out.push({
            kind: 'Secret',
            name: secret.name ?? '',
            key: secret.key,
            optional: secret.optional === true,
            path: [...path, 'secretKeyRef'],
            via: 'env',
          });
      });
      (container.envFrom ?? []).forEach((source, j) => {
        const path = [...base, group, i, 'envFrom', j];
        if (source.configMapRef)
          out.push({
            kind: 'ConfigMap',
            name: source.configMapRef.name ?? '',
            optional: source.configMapRef.optional === true,
            path: [...path, 'configMapRef'],
            via: 'envFrom',
          });
        if (source.secretRef)
          out.push({
            kind: 'Secret',
            name: source.secretRef.name ?? '',
            optional: source.secretRef.optional === true,
            path: [...path, 'secretRef'],
            via: 'envFrom',
          });
      });
    });
  }
  (spec?.volumes ?? []).forEach((volume, i) => {
    const path = [...base, 'volumes', i];
    if (volume.configMap) {
      const items = volume.configMap.items ?? [];
      if (items.length === 0)
        out.push({
          kind: 'ConfigMap',
          name: volume.configMap.name ?? '',
          optional: volume.configMap.optional === true,
          path: [...path, 'configMap'],
          via: 'volume',
        });
      items.forEach((item, j) =>
        out.push({
          kind: 'ConfigMap',
          name: volume.configMap!.name ?? '',
          key: item.key,
          optional: volume.configMap!.optional === true,
          path: [...path, 'configMap', 'items', j],
          via: 'volume',
        }),
      );
    }
    if (volume.secret) {
      const items = volume.secret.items ?? [];
      if (items.length === 0)
        out.push({
          kind: 'Secret',
          name: volume.secret.secretName ?? '',
          optional: volume.secret.optional === true,
          path: [...path, 'secret'],
          via: 'volume',
        });
      items.forEach((item, j) =>
        out.push({
          kind: 'Secret',
          name: volume.secret!.secretName ?? '',
          key: item.key,
          optional: volume.secret!.optional === true,
          path: [...path, 'secret', 'items', j],
          via: 'volume',
        }),
      );
    }
  });
  return out;
}
