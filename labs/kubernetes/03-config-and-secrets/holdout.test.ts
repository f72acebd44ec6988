import { expect } from 'vitest';
import { allPassBut, holdoutSuite, type HoldoutContext } from '../_shared/holdout.ts';

/** `kubectl create secret generic model-api-credentials --from-literal=<key>=…`, as the learner runs it, then `kubectl apply -f k8s/`. */
function createSecretThenApply(key: string) {
  return async (ctx: HoldoutContext) => {
    await ctx.core.createNamespacedSecret({
      namespace: ctx.namespace,
      body: { metadata: { name: 'model-api-credentials' }, type: 'Opaque', stringData: { [key]: 'b7e1c93f0a2d48e6915c' } },
    });
    await ctx.apply();
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

/** `secret-in-cluster-has-referenced-keys` fails, and what needs it is skipped. */
const SECRET_IN_CLUSTER_HAS_REFERENCED_KEYS_FAILS = allPassBut(ALL_PASS, {
  fail: ['secret-in-cluster-has-referenced-keys'],
  skip: ['pods-ready-with-config-and-secret'],
});

/** `no-plaintext-credentials-in-manifests` fails, and what needs it is skipped. */
const NO_PLAINTEXT_CREDENTIALS_IN_MANIFESTS_FAILS = allPassBut(ALL_PASS, { fail: ['no-plaintext-credentials-in-manifests'] });

holdoutSuite(
  'kubernetes/03-config-and-secrets',
  [
    {
      submission: 'good-secret-key-ref',
      verdict: 'settings from the ConfigMap, the key through secretKeyRef: approve',
      act: createSecretThenApply('MODEL_API_KEY'),
      expect: ALL_PASS,
    },
    {
      submission: 'good-envfrom-secret-one-file',
      verdict: 'both objects in one file, the key through envFrom secretRef: approve',
      act: createSecretThenApply('MODEL_API_KEY'),
      expect: ALL_PASS,
      says: { 'credentials-come-from-secret': 'envFrom' },
    },
    {
      submission: 'password-in-configmap',
      verdict: 'a database URL with its password in the ConfigMap: request changes, in the file and in the cluster',
      act: createSecretThenApply('MODEL_API_KEY'),
      expect: allPassBut(ALL_PASS, {
        fail: ['no-plaintext-credentials-in-manifests', 'configmap-in-cluster-has-referenced-keys'],
        skip: ['pods-ready-with-config-and-secret'],
      }),
      says: {
        'no-plaintext-credentials-in-manifests':
          /k8s\/configmap\.yaml:\d+ ConfigMap\/model-api-config data\.DATABASE_URL = po\*+ \(the value is a URL with a password in it\)/,
        'configmap-in-cluster-has-referenced-keys': 'DATABASE_URL',
      },
    },
    {
      submission: 'secret-key-ref-to-missing-key',
      verdict: 'secretKeyRef asks for API_KEY, the Secret holds MODEL_API_KEY: the pods cannot start',
      act: createSecretThenApply('MODEL_API_KEY'),
      expect: SECRET_IN_CLUSTER_HAS_REFERENCED_KEYS_FAILS,
      says: { 'secret-in-cluster-has-referenced-keys': 'Secret model-api-credentials: no key API_KEY' },
      async after({ core, namespace }) {
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
      submission: 'secret-manifest-committed',
      verdict: 'a Secret manifest with the key base64-encoded in the repository: request changes',
      expect: NO_PLAINTEXT_CREDENTIALS_IN_MANIFESTS_FAILS,
      says: { 'no-plaintext-credentials-in-manifests': 'k8s/secret.yaml is a Secret manifest with its values inside' },
    },
    {
      submission: 'literal-api-key-in-env',
      verdict: 'the API key as a literal env value: request changes on both counts',
      expect: allPassBut(ALL_PASS, {
        fail: ['no-plaintext-credentials-in-manifests', 'credentials-come-from-secret'],
        skip: ['secret-in-cluster-has-referenced-keys', 'pods-ready-with-config-and-secret'],
      }),
      says: {
        'no-plaintext-credentials-in-manifests': 'spec.template.spec.containers[0].env[0].value',
        'credentials-come-from-secret': 'literal value',
      },
    },
    {
      submission: 'env-file-not-git-ignored',
      verdict: 'the Secret came from secrets.env, which .gitignore does not exclude: request changes',
      act: createSecretThenApply('MODEL_API_KEY'),
      expect: NO_PLAINTEXT_CREDENTIALS_IN_MANIFESTS_FAILS,
      says: { 'no-plaintext-credentials-in-manifests': 'secrets.env' },
    },
    {
      submission: 'secret-applied-from-deleted-file',
      verdict: 'the Secret was applied from a file (since deleted): its last-applied annotation still holds the key',
      async act(ctx) {
        const { core, namespace } = ctx;
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
        await ctx.apply();
      },
      expect: SECRET_IN_CLUSTER_HAS_REFERENCED_KEYS_FAILS,
      says: { 'secret-in-cluster-has-referenced-keys': 'was created with `kubectl apply -f <file>`' },
    },
    {
      submission: 'registry-token-in-annotation',
      verdict: 'a GitHub token in a Deployment annotation: request changes',
      act: createSecretThenApply('MODEL_API_KEY'),
      expect: NO_PLAINTEXT_CREDENTIALS_IN_MANIFESTS_FAILS,
      says: {
        'no-plaintext-credentials-in-manifests':
          /deployment\.yaml:\d+ Deployment\/model-api metadata\.annotations\["ci\.example\.com\/registry-token"\] = gh\*+ \(the value is a GitHub token\)/,
      },
    },
  ],
  // Let the simulated controllers settle: ~45 s of fixture time.
  { settleMs: 1_500 },
);
