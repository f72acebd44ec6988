import { defineLab } from '@mlops-lab/grader/authoring';
import { kubeLabHooksApplyingStarter } from '../_shared/apply.ts';
import defaultServiceAccountDoesNotMountToken from './checks/default-service-account-does-not-mount-token.ts';
import manifestsAreValid from './checks/manifests-are-valid.ts';
import rolesHaveNoWildcards from './checks/roles-have-no-wildcards.ts';
import serviceAccountCanReadModelConfig from './checks/service-account-can-read-model-config.ts';
import serviceAccountCannotChangeWorkloads from './checks/service-account-cannot-change-workloads.ts';
import serviceAccountCannotReadOtherConfigmaps from './checks/service-account-cannot-read-other-configmaps.ts';
import serviceAccountCannotReadSecrets from './checks/service-account-cannot-read-secrets.ts';
import serviceAccountExists from './checks/service-account-exists.ts';
import serviceAccountNotBoundToBuiltInRoles from './checks/service-account-not-bound-to-built-in-roles.ts';

export default defineLab({
  id: 'kubernetes/06-least-privilege-rbac',
  version: '1.0.0',
  title: 'Least-privilege RBAC for the model API',
  stage: 'kubernetes',
  summary:
    "Cut the model API's ServiceAccount down to the one ConfigMap it reads: a namespaced Role without wildcards, no built-in roles, no token where none is needed, proven by the API server's own authorization answers.",
  minutes: 40,
  difficulty: 'intermediate',
  skills: ['kubernetes'],
  needs: ['cluster'],
  checks: [
    manifestsAreValid,
    serviceAccountExists,
    serviceAccountCanReadModelConfig,
    rolesHaveNoWildcards,
    serviceAccountNotBoundToBuiltInRoles,
    serviceAccountCannotReadSecrets,
    serviceAccountCannotChangeWorkloads,
    serviceAccountCannotReadOtherConfigmaps,
    defaultServiceAccountDoesNotMountToken,
  ],
  defaults: { timeoutMs: 20_000 },
  contract: {
    starterFails: [
      'roles-have-no-wildcards',
      'service-account-not-bound-to-built-in-roles',
      'service-account-cannot-read-secrets',
      'service-account-cannot-change-workloads',
      'service-account-cannot-read-other-configmaps',
      'default-service-account-does-not-mount-token',
    ],
  },
  // The colleague's version is already live when the learner arrives.
  ...kubeLabHooksApplyingStarter(),
});
