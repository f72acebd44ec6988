import { defineLab } from '@mlops-lab/grader/authoring';
import buildContextHasNoSecrets from './checks/build-context-has-no-secrets.ts';
import buildContextIsSmall from './checks/build-context-is-small.ts';
import containerReportsHealthy from './checks/container-reports-healthy.ts';
import dependenciesInstalledFromLockfile from './checks/dependencies-installed-from-lockfile.ts';
import dependencyInstallCachedAfterCodeChange from './checks/dependency-install-cached-after-code-change.ts';
import dockerfileExists from './checks/dockerfile-exists.ts';
import imageBuilds from './checks/image-builds.ts';
import imageHasHealthcheck from './checks/image-has-healthcheck.ts';
import { makeProjectClutter } from './setup.ts';

export default defineLab({
  id: 'docker/02-fast-rebuilds',
  version: '1.0.0',
  title: 'Fast, reproducible rebuilds: layer order, .dockerignore, lockfiles',
  stage: 'docker',
  summary:
    'Make a one-line code change rebuild in seconds: order the Dockerfile for the build cache, keep secrets and data out of the build context with .dockerignore, and install exactly what a hashed lockfile pins.',
  minutes: 40,
  difficulty: 'beginner',
  skills: ['kubernetes', 'production-python'],
  needs: ['docker'],
  images: ['python:3.11-slim-bookworm'],
  checks: [
    dockerfileExists,
    buildContextHasNoSecrets,
    buildContextIsSmall,
    imageBuilds,
    dependenciesInstalledFromLockfile,
    dependencyInstallCachedAfterCodeChange,
    imageHasHealthcheck,
    containerReportsHealthy,
  ],
  defaults: { timeoutMs: 30_000 },
  contract: {
    starterFails: [
      'build-context-has-no-secrets',
      'build-context-is-small',
      'dependencies-installed-from-lockfile',
      'dependency-install-cached-after-code-change',
    ],
  },
  setup: (ctx) => makeProjectClutter(ctx),
});
