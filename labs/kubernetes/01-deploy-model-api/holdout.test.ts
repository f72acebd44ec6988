import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { findLab } from '@mlops-lab/grader';
import { allPassBut, holdoutSuite } from '../_shared/holdout.ts';

const LAB_ID = 'kubernetes/01-deploy-model-api';

const ALL_PASS = {
  'manifests-are-valid': 'pass',
  'deployment-has-two-or-more-replicas': 'pass',
  'containers-set-requests-and-limits': 'pass',
  'pods-run-as-non-root': 'pass',
  'containers-cannot-escalate-privileges': 'pass',
  'deployment-is-applied': 'pass',
  'rollout-is-complete': 'pass',
} as const;

holdoutSuite(LAB_ID, [
  { submission: 'good-container-level-security', verdict: 'non-root and no escalation set per container: approve', expect: ALL_PASS },
  {
    submission: 'limits-without-requests',
    verdict: 'limits without requests: the scheduler places the pods blind',
    expect: allPassBut(ALL_PASS, { fail: ['containers-set-requests-and-limits'] }),
    says: {
      'containers-set-requests-and-limits':
        /deployment\.yaml:\d+ spec\.template\.spec\.containers\[0\]\.resources: container model-api has no requests for cpu and memory/,
    },
  },
  {
    submission: 'run-as-user-0',
    // It runs (as root): only the manifest can tell.
    verdict: 'runAsUser 0 without runAsNonRoot: it runs, as root',
    expect: allPassBut(ALL_PASS, { fail: ['pods-run-as-non-root'] }),
    says: { 'pods-run-as-non-root': /runs as uid 0 \(root\)[\s\S]*runAsNonRoot unset/ },
  },
  {
    submission: 'container-overrides-to-root',
    verdict: "the container's securityContext overrides the pod's non-root setting with uid 0: the kubelet refuses it",
    expect: allPassBut(ALL_PASS, { fail: ['pods-run-as-non-root', 'rollout-is-complete'] }),
    says: {
      'pods-run-as-non-root': /containers\[0\]\.securityContext\.runAsUser: container model-api runs as uid 0/,
      'rollout-is-complete': /CreateContainerConfigError/,
    },
  },
  {
    submission: 'one-replica',
    verdict: 'one replica: every restart is an outage',
    expect: allPassBut(ALL_PASS, { fail: ['deployment-has-two-or-more-replicas'] }),
    says: { 'deployment-has-two-or-more-replicas': /spec\.replicas: 1/ },
  },
  {
    submission: 'image-does-not-exist',
    verdict: 'an image tag that was never built: the pods never start',
    expect: allPassBut(ALL_PASS, { fail: ['rollout-is-complete'] }),
    says: { 'rollout-is-complete': /ImagePullBackOff|ErrImagePull/ },
  },
  {
    verdict: 'edited but not applied: the cluster still runs the starter',
    async act(ctx) {
      await ctx.apply(); // the starter
      await cp(join((await findLab(LAB_ID)).solutionDir, 'k8s'), join(ctx.workspace.dir, 'k8s'), { recursive: true, force: true });
    },
    expect: { 'pods-run-as-non-root': 'pass', 'deployment-is-applied': 'fail', 'rollout-is-complete': 'skip' },
    async after(_ctx, result) {
      const applied = result.checks.find((c) => c.id === 'deployment-is-applied')!;
      expect(applied.actual).toMatch(/^replicas: k8s\/ says 2, the cluster has 1$/);
      expect(applied.hint).toContain('kubectl diff -n mlops-lab-');
    },
  },
]);
