import { defineLab } from '@mlops-lab/grader/authoring';
import { m1Checks } from './checks/m1.ts';
import { m2Checks } from './checks/m2.ts';
import { m3Checks } from './checks/m3.ts';
import { m4Checks } from './checks/m4.ts';
import { m5Checks } from './checks/m5.ts';
import { m6Checks } from './checks/m6.ts';
import { m7Checks } from './checks/m7.ts';
import { LAB_ID } from './checks/shared.ts';
import { capstoneHooks } from './hooks.ts';

export default defineLab({
  id: LAB_ID,
  version: '1.0.0',
  title: 'Capstone: a monitored ML system, from training to rollback',
  stage: 'capstone',
  summary:
    'Build a whole ML system on UCI Adult in Python or TypeScript: a reproducible trained package, MLflow tracking and a gate, a container on Kubernetes, CI/CD that retrains, a guarded endpoint, a drift alert, and a rehearsed rollback. The grader runs your Procfile commands for real.',
  // The seven milestones of content/skills.yaml: 240 + 150 + 180 + 210 + 180 + 210 + 240.
  minutes: 1410,
  difficulty: 'advanced',
  skills: [
    'production-python',
    'ml-fundamentals',
    'experiment-tracking',
    'kubernetes',
    'pipeline-orchestration',
    'model-serving',
    'drift-monitoring',
    'observability',
    'cloud-platform',
  ],
  needs: ['python', 'mlflow', 'docker', 'prometheus', 'promtool', 'alertmanager'],
  // The reference Dockerfile's base (`docker pull node:24-bookworm-slim`; without a registry, .ci/build-node-image.sh).
  images: ['node:24-bookworm-slim'],
  // In milestone order; check ids start with m<n>- so the readiness tracker credits milestone M<n>.
  checks: [...m1Checks, ...m2Checks, ...m3Checks, ...m4Checks, ...m5Checks, ...m6Checks, ...m7Checks],
  defaults: { timeoutMs: 120_000 },
  // One at a time: the checks share one tracking server, one trained project and one service, and M7 moves the alias.
  concurrency: 1,
  ...capstoneHooks,
  contract: {
    starterFails: [
      'm1-trains-reproducibly',
      'm1-dependencies-are-pinned',
      'm1-project-has-tests',
      'm2-runs-are-logged',
      'm3-dockerfile-is-multi-stage',
      'm3-manifests-are-valid',
      'm4-ci-tests-and-lints-pull-requests',
      'm4-dvc-pipeline-has-train-stage',
      'm5-health-answers-without-auth',
      'm6-prometheus-config-is-valid',
      'm6-alertmanager-routes-to-a-webhook',
      'm7-rollback-restores-previous-champion',
    ],
  },
});
