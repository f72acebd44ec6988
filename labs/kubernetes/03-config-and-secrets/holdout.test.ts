import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { holdoutSuite, type ScenarioContext } from '../_shared/holdout.ts';

/** `kubectl create secret generic model-api-credentials --from-literal=<key>=…`, as the learner runs it. */
function createSecret(key: string) {
  return async ({ core, namespace }: ScenarioContext) => {
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'model-api-credentials' }, type: 'Opaque', stringData: { [key]: 'b7e1c93f0a2d48e6915c' } },
    });
  };
}

const ALL_PASS = {
  'manifests-are-valid': 'pass',
  'no-plaintext-credentials-in-manifests': 'pass',
  'config-comes-from-configmap': 'pass',
  'credentials-come-from-secret': 'pass',
  'configmap-in-cluster-has-referenced-keys': 'pass',
  'secret-in-cluster-has-referenced-keys': 'pass',
  'pods-ready-with-config-and-secret': 'pass',
} as const;

holdoutSuite('kubernetes/03-config-and-secrets', fileURLToPath(new URL('./__fixtures__/holdout', import.meta.url)), [
  {
    name: 'good-secret-key-ref',
    verdict: 'settings from the ConfigMap, the key through secretKeyRef: approve',
    before: createSecret('MODEL_API_KEY'),
    expect: ALL_PASS,
  },
  {
    name: 'good-envfrom-secret-one-file',
    verdict: 'both objects in one file, the key through envFrom secretRef: approve',
    before: createSecret('MODEL_API_KEY'),
    expect: ALL_PASS,
    says: { 'credentials-come-from-secret': 'envFrom' },
  },
  {
    name: 'password-in-configmap',
    verdict: 'a database URL with its password in the ConfigMap: request changes, in the file and in the cluster',
    before: createSecret('MODEL_API_KEY'),
    expect: {
      ...ALL_PASS,
      'no-plaintext-credentials-in-manifests': 'fail',
      'configmap-in-cluster-has-referenced-keys': 'fail',
      'pods-ready-with-config-and-secret': 'skip',
    },
    says: {
      'no-plaintext-credentials-in-manifests':
        /k8s\/configmap\.yaml:\d+ ConfigMap\/model-api-config data\.DATABASE_URL = po\*+ \(the value is a URL with a password in it\)/,
      'configmap-in-cluster-has-referenced-keys': 'DATABASE_URL',
    },
  },
  {
    name: 'secret-key-ref-to-missing-key',
    verdict: 'secretKeyRef asks for API_KEY, the Secret holds MODEL_API_KEY: the pods cannot start',
    before: createSecret('MODEL_API_KEY'),
    expect: { ...ALL_PASS, 'secret-in-cluster-has-referenced-keys': 'fail', 'pods-ready-with-config-and-secret': 'skip' },
    says: { 'secret-in-cluster-has-referenced-keys': 'Secret model-api-credentials: no key API_KEY' },
    async cluster({ core, namespace }) {
      // What kubectl get pods shows on a real cluster: CreateContainerConfigError with the kubelet's words.
      const pods = await core.listNamespacedPod({ namespace, labelSelector: 'app.kubernetes.io/name=model-api' });
      expect(pods.items.length).toBeGreaterThan(0);
      for (const pod of pods.items) {
        expect(pod.status?.containerStatuses?.[0]?.state?.waiting).toEqual({
          reason: 'CreateContainerConfigError',
          message: `couldn't find key API_KEY in Secret ${namespace}/model-api-credentials`,
        });
        expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
      }
    },
  },
  {
    name: 'secret-manifest-committed',
    verdict: 'a Secret manifest with the key base64-encoded in the repository: request changes',
    expect: { ...ALL_PASS, 'no-plaintext-credentials-in-manifests': 'fail' },
    says: { 'no-plaintext-credentials-in-manifests': 'k8s/secret.yaml is a Secret manifest with its values inside' },
  },
  {
    name: 'literal-api-key-in-env',
    verdict: 'the API key as a literal env value: request changes on both counts',
    expect: {
      ...ALL_PASS,
      'no-plaintext-credentials-in-manifests': 'fail',
      'credentials-come-from-secret': 'fail',
      'secret-in-cluster-has-referenced-keys': 'skip',
      'pods-ready-with-config-and-secret': 'skip',
    },
    says: {
      'no-plaintext-credentials-in-manifests': 'spec.template.spec.containers[0].env[0].value',
      'credentials-come-from-secret': 'literal value',
    },
  },
  {
    name: 'env-file-not-git-ignored',
    verdict: 'the Secret came from secrets.env, which .gitignore does not exclude: request changes',
    before: createSecret('MODEL_API_KEY'),
    expect: { ...ALL_PASS, 'no-plaintext-credentials-in-manifests': 'fail' },
    says: { 'no-plaintext-credentials-in-manifests': 'secrets.env' },
  },
  {
    name: 'secret-applied-from-deleted-file',
    verdict: 'the Secret was applied from a file (since deleted): its last-applied annotation still holds the key',
    async before({ core, namespace }) {
      // What `kubectl apply -f secret.yaml` leaves behind: the whole manifest, values included, in an annotation.
      const manifest = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'model-api-credentials', namespace },
        stringData: { MODEL_API_KEY: 'b7e1c93f0a2d48e6915c' },
      };
      await core.createNamespacedSecret({
        namespace,
        body: {
          metadata: {
            name: 'model-api-credentials',
            annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(manifest) },
          },
          type: 'Opaque',
          stringData: { MODEL_API_KEY: 'b7e1c93f0a2d48e6915c' },
        },
      });
    },
    expect: { ...ALL_PASS, 'secret-in-cluster-has-referenced-keys': 'fail', 'pods-ready-with-config-and-secret': 'skip' },
    says: { 'secret-in-cluster-has-referenced-keys': 'was created with `kubectl apply -f <file>`' },
  },
  {
    name: 'registry-token-in-annotation',
    verdict: 'a GitHub token in a Deployment annotation: request changes',
    before: createSecret('MODEL_API_KEY'),
    expect: { ...ALL_PASS, 'no-plaintext-credentials-in-manifests': 'fail' },
    says: {
      'no-plaintext-credentials-in-manifests':
        /deployment\.yaml:\d+ Deployment\/model-api metadata\.annotations\["ci\.example\.com\/registry-token"\] = gh\*+ \(the value is a GitHub token\)/,
    },
  },
]);
