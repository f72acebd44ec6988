import { defineLab } from '@mlops-lab/grader/authoring';
import baseImageTagPinned from './checks/base-image-tag-pinned.ts';
import containerReportsHealthy from './checks/container-reports-healthy.ts';
import dockerfileExists from './checks/dockerfile-exists.ts';
import dockerfileIsMultiStage from './checks/dockerfile-is-multi-stage.ts';
import finalImageUnderSizeBudget from './checks/final-image-under-size-budget.ts';
import imageBuilds from './checks/image-builds.ts';
import imageHasHealthcheck from './checks/image-has-healthcheck.ts';
import imageRunsAsNonRoot from './checks/image-runs-as-non-root.ts';
import noSecretsInEnv from './checks/no-secrets-in-env.ts';

export default defineLab({
  id: 'docker/01-containerise-model-api',
  version: '1.0.0',
  title: 'Containerise a model API',
  stage: 'docker',
  summary:
    'Turn a naive Dockerfile for a loan-default model API into a production image: multi-stage, non-root, health-checked, small, with no secrets inside.',
  minutes: 45,
  difficulty: 'beginner',
  skills: ['kubernetes', 'model-serving', 'production-python'],
  needs: ['docker'],
  images: ['python:3.11-slim-bookworm'],
  checks: [
    dockerfileExists,
    baseImageTagPinned,
    noSecretsInEnv,
    dockerfileIsMultiStage,
    imageBuilds,
    imageRunsAsNonRoot,
    imageHasHealthcheck,
    containerReportsHealthy,
    finalImageUnderSizeBudget,
  ],
  defaults: { timeoutMs: 30_000 },
  contract: {
    starterFails: ['no-secrets-in-env', 'dockerfile-is-multi-stage', 'image-runs-as-non-root', 'image-has-healthcheck', 'final-image-under-size-budget'],
  },
});
