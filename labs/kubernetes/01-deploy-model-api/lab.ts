import { defineLab, kubeLabHooks } from '@mlops-lab/grader/authoring';
import containersCannotEscalatePrivileges from './checks/containers-cannot-escalate-privileges.ts';
import containersSetRequestsAndLimits from './checks/containers-set-requests-and-limits.ts';
import deploymentHasTwoOrMoreReplicas from './checks/deployment-has-two-or-more-replicas.ts';
import deploymentIsApplied from './checks/deployment-is-applied.ts';
import manifestsAreValid from './checks/manifests-are-valid.ts';
import podsRunAsNonRoot from './checks/pods-run-as-non-root.ts';
import rolloutIsComplete from './checks/rollout-is-complete.ts';

export default defineLab({
  id: 'kubernetes/01-deploy-model-api',
  version: '1.0.0',
  title: 'Deploy the model API',
  stage: 'kubernetes',
  summary:
    'Run the model API from the Docker stage as a Deployment a reviewer would approve: two replicas, requests and limits, no root, no privileges, and a rollout that completes.',
  minutes: 40,
  difficulty: 'beginner',
  skills: ['kubernetes'],
  needs: ['cluster'],
  checks: [
    manifestsAreValid,
    deploymentHasTwoOrMoreReplicas,
    containersSetRequestsAndLimits,
    podsRunAsNonRoot,
    containersCannotEscalatePrivileges,
    deploymentIsApplied,
    rolloutIsComplete,
  ],
  defaults: { timeoutMs: 20_000 },
  contract: {
    starterFails: [
      'deployment-has-two-or-more-replicas',
      'containers-set-requests-and-limits',
      'pods-run-as-non-root',
      'containers-cannot-escalate-privileges',
      'deployment-is-applied',
    ],
  },
  ...kubeLabHooks(),
});
