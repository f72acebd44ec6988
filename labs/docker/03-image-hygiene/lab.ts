import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineLab } from '@mlops-lab/grader/authoring';
import baseImageTagPinned from './checks/base-image-tag-pinned.ts';
import containerReportsHealthy from './checks/container-reports-healthy.ts';
import dockerfileExists from './checks/dockerfile-exists.ts';
import dockerfileUsesCopyNotAdd from './checks/dockerfile-uses-copy-not-add.ts';
import imageBuilds from './checks/image-builds.ts';
import imageHasHealthcheck from './checks/image-has-healthcheck.ts';
import imageLayersHaveNoSecretFiles from './checks/image-layers-have-no-secret-files.ts';
import imageRunsAsNonRoot from './checks/image-runs-as-non-root.ts';
import noSecretsInImageEnvOrHistory from './checks/no-secrets-in-image-env-or-history.ts';

export default defineLab({
  id: 'docker/03-image-hygiene',
  version: '1.0.0',
  title: 'Image hygiene: review an image the way the CIS Docker Benchmark does',
  stage: 'docker',
  summary:
    'A Dockerfile that passed review still ships a deleted .env, a token in its history, root at run time and a health check that can never pass. Find each one in the real image and fix it.',
  minutes: 45,
  difficulty: 'intermediate',
  skills: ['kubernetes', 'production-python'],
  needs: ['docker'],
  images: ['python:3.11-slim-bookworm'],
  checks: [
    dockerfileExists,
    baseImageTagPinned,
    dockerfileUsesCopyNotAdd,
    imageBuilds,
    noSecretsInImageEnvOrHistory,
    imageLayersHaveNoSecretFiles,
    imageRunsAsNonRoot,
    imageHasHealthcheck,
    containerReportsHealthy,
  ],
  defaults: { timeoutMs: 30_000 },
  contract: {
    starterFails: [
      'dockerfile-uses-copy-not-add',
      'no-secrets-in-image-env-or-history',
      'image-layers-have-no-secret-files',
      'image-runs-as-non-root',
      'container-reports-healthy',
    ],
  },
  // A developer's local .env (fake values), made per workspace rather than committed.
  setup: (ctx) =>
    writeFile(
      join(ctx.workspace.dir, '.env'),
      `# Local settings for running the service by hand. Never ship.\nRULES_ADMIN_TOKEN=rat_${randomBytes(12).toString('hex')}\nDECISIONS_DB_PASSWORD=${randomBytes(9).toString('base64url')}\n`,
    ),
});
