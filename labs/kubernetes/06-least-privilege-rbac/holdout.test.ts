/**
 * Hold-out submissions for the RBAC lab, graded against the Kubernetes API
 * fixture server: each one is what a learner could hand in, and the test
 * says which checks a senior reviewer would fail it on.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { holdoutGrader, idsWith, readScenario } from '../_holdout/harness.ts';

const scenarios = join(import.meta.dirname, '__fixtures__', 'holdout');

const judged: [scenario: string, why: string, fails: string[]][] = [
  ['good', 'one Role on one ConfigMap, its RoleBinding, no token for default', []],
  ['resources-wildcard', '`resources: ["*"]` with resourceNames still reaches a Secret of that name', ['roles-have-no-wildcards']],
  [
    'verbs-wildcard-on-configmap',
    '`verbs: ["*"]` lets the API rewrite its own threshold',
    ['roles-have-no-wildcards', 'service-account-cannot-change-workloads'],
  ],
  ['no-resource-names', 'without resourceNames it reads every ConfigMap', ['service-account-cannot-read-other-configmaps']],
  [
    'bound-to-edit',
    'the incident RoleBinding to edit is still there',
    [
      'service-account-cannot-change-workloads',
      'service-account-cannot-read-other-configmaps',
      'service-account-cannot-read-secrets',
      'service-account-not-bound-to-built-in-roles',
    ],
  ],
  [
    'cluster-role-binding-to-view',
    'a ClusterRoleBinding to view reads every namespace',
    ['service-account-cannot-read-other-configmaps', 'service-account-not-bound-to-built-in-roles'],
  ],
  ['secrets-to-all-service-accounts', 'a group binding gives every ServiceAccount the Secrets', ['service-account-cannot-read-secrets']],
  ['token-left-mounted', 'the default ServiceAccount still mounts its token', ['default-service-account-does-not-mount-token']],
];

describe('kubernetes/06-least-privilege-rbac hold-out submissions (fixture API server)', () => {
  const grade = holdoutGrader('kubernetes/06-least-privilege-rbac');

  for (const [scenario, why, fails] of judged) {
    it(`judges "${scenario}" (${why}) as a reviewer would`, async () => {
      const results = await grade({ files: await readScenario(join(scenarios, scenario)) });
      expect(idsWith(results, 'fail')).toEqual([...fails].sort());
      expect(idsWith(results, 'error')).toEqual([]);
      for (const id of fails) expect(results.get(id)!.hint, `${id} hint`).toBeTruthy();
    });
  }
});
