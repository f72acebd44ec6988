import { defineLab, kubeLabHooks } from '@mlops-lab/grader/authoring';
import configComesFromConfigmap from './checks/config-comes-from-configmap.ts';
import configmapInClusterHasReferencedKeys from './checks/configmap-in-cluster-has-referenced-keys.ts';
import credentialsComeFromSecret from './checks/credentials-come-from-secret.ts';
import manifestsAreValid from './checks/manifests-are-valid.ts';
import noPlaintextCredentialsInManifests from './checks/no-plaintext-credentials-in-manifests.ts';
import podsReadyWithConfigAndSecret from './checks/pods-ready-with-config-and-secret.ts';
import secretInClusterHasReferencedKeys from './checks/secret-in-cluster-has-referenced-keys.ts';

export default defineLab({
  id: 'kubernetes/03-config-and-secrets',
  version: '1.0.0',
  title: 'Configuration from ConfigMaps, credentials from Secrets',
  stage: 'kubernetes',
  summary:
    'Move the model API’s settings into a ConfigMap and its API key into a Secret created outside the repository, so no credential sits in plain text in the manifests or the cluster’s ConfigMaps.',
  minutes: 40,
  difficulty: 'beginner',
  skills: ['kubernetes'],
  needs: ['cluster'],
  checks: [
    manifestsAreValid,
    noPlaintextCredentialsInManifests,
    configComesFromConfigmap,
    credentialsComeFromSecret,
    configmapInClusterHasReferencedKeys,
    secretInClusterHasReferencedKeys,
    podsReadyWithConfigAndSecret,
  ],
  defaults: { timeoutMs: 20_000 },
  contract: {
    starterFails: ['no-plaintext-credentials-in-manifests', 'credentials-come-from-secret', 'configmap-in-cluster-has-referenced-keys'],
  },
  ...kubeLabHooks(),
});
