/**
 * Hold-out submissions for the RBAC lab: what a learner could hand in,
 * applied to an empty namespace, and which checks a senior reviewer would
 * fail it on (the API server's own authorization answers decide).
 */
import { allPassBut, holdoutSuite } from '../_shared/holdout.ts';

const ALL_PASS = {
  'manifests-are-valid': 'pass',
  'service-account-exists': 'pass',
  'service-account-can-read-model-config': 'pass',
  'roles-have-no-wildcards': 'pass',
  'service-account-not-bound-to-built-in-roles': 'pass',
  'service-account-cannot-read-secrets': 'pass',
  'service-account-cannot-change-workloads': 'pass',
  'service-account-cannot-read-other-configmaps': 'pass',
  'default-service-account-does-not-mount-token': 'pass',
} as const;

/** Every check passes but these, which fail. */
const failing = (...ids: (keyof typeof ALL_PASS)[]) => allPassBut(ALL_PASS, { fail: ids });

holdoutSuite(
  'kubernetes/06-least-privilege-rbac',
  [
    { submission: 'good', verdict: 'one Role on one ConfigMap, its RoleBinding, no token for default', expect: ALL_PASS },
    {
      submission: 'resources-wildcard',
      verdict: '`resources: ["*"]` with resourceNames still reaches a Secret of that name',
      expect: failing('roles-have-no-wildcards'),
    },
    {
      submission: 'verbs-wildcard-on-configmap',
      verdict: '`verbs: ["*"]` lets the API rewrite its own threshold',
      expect: failing('roles-have-no-wildcards', 'service-account-cannot-change-workloads'),
    },
    {
      submission: 'no-resource-names',
      verdict: 'without resourceNames it reads every ConfigMap',
      expect: failing('service-account-cannot-read-other-configmaps'),
    },
    {
      submission: 'bound-to-edit',
      verdict: 'the incident RoleBinding to edit is still there',
      expect: failing(
        'service-account-cannot-change-workloads',
        'service-account-cannot-read-other-configmaps',
        'service-account-cannot-read-secrets',
        'service-account-not-bound-to-built-in-roles',
      ),
    },
    {
      submission: 'cluster-role-binding-to-view',
      verdict: 'a ClusterRoleBinding to view reads every namespace',
      expect: failing('service-account-cannot-read-other-configmaps', 'service-account-not-bound-to-built-in-roles'),
    },
    {
      submission: 'secrets-to-all-service-accounts',
      verdict: 'a group binding gives every ServiceAccount the Secrets',
      expect: failing('service-account-cannot-read-secrets'),
    },
    {
      submission: 'token-left-mounted',
      verdict: 'the default ServiceAccount still mounts its token',
      expect: failing('default-service-account-does-not-mount-token'),
    },
  ],
  { timeScale: 60 },
);
