import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineLab, projectsStartedIn, readComposeFile, removeComposeProject } from '@mlops-lab/grader/authoring';
import apiScoresThroughItsPublishedPort from './checks/api-scores-through-its-published-port.ts';
import apiWaitsForAHealthyFeatureStore from './checks/api-waits-for-a-healthy-feature-store.ts';
import composeFileParses from './checks/compose-file-parses.ts';
import envFilesAreGitIgnored from './checks/env-files-are-git-ignored.ts';
import everyServiceReportsHealthy from './checks/every-service-reports-healthy.ts';
import featureStoreIsNotPublished from './checks/feature-store-is-not-published.ts';
import noSecretsInlineInCompose from './checks/no-secrets-inline-in-compose.ts';
import portsBoundToLoopback from './checks/ports-bound-to-loopback.ts';
import projectIsRunning from './checks/project-is-running.ts';
import servicesRestartAutomatically from './checks/services-restart-automatically.ts';
import servicesShareANamedNetwork from './checks/services-share-a-named-network.ts';
import { projectName } from './checks/shared.ts';

export default defineLab({
  id: 'docker/05-compose-model-api',
  version: '1.0.0',
  title: 'Compose the model API with its feature store',
  stage: 'docker',
  summary:
    'Run the model API and the feature store it depends on with Docker Compose as a reviewer expects: healthchecks, startup ordered on health, a named network, secrets from a git-ignored .env, restart policies and ports on 127.0.0.1 only.',
  minutes: 50,
  difficulty: 'intermediate',
  skills: ['model-serving', 'kubernetes', 'production-python'],
  needs: ['docker', 'compose'],
  images: ['python:3.11-slim-bookworm'],
  checks: [
    composeFileParses,
    portsBoundToLoopback,
    featureStoreIsNotPublished,
    noSecretsInlineInCompose,
    envFilesAreGitIgnored,
    apiWaitsForAHealthyFeatureStore,
    projectIsRunning,
    everyServiceReportsHealthy,
    servicesShareANamedNetwork,
    servicesRestartAutomatically,
    apiScoresThroughItsPublishedPort,
  ],
  defaults: { timeoutMs: 30_000 },
  contract: {
    starterFails: [
      'ports-bound-to-loopback',
      'feature-store-is-not-published',
      'no-secrets-inline-in-compose',
      'env-files-are-git-ignored',
      'api-waits-for-a-healthy-feature-store',
      'project-is-running',
    ],
  },
  // The workspace's Compose project name goes into .env, where Compose
  // reads it: every container, network and volume of the stack then
  // carries a label cleanup can find.
  async setup(ctx) {
    const text = [
      '# Written by `mlops-lab start`: the Compose project name of this workspace,',
      '# so the grader and `mlops-lab reset` find its containers and networks.',
      '# Keep this line; add your own settings below it (see .env.example).',
      `COMPOSE_PROJECT_NAME=${projectName(ctx.workspace.id)}`,
      '',
    ].join('\n');
    await writeFile(join(ctx.workspace.dir, '.env'), text, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  },
  // `docker-compose down --volumes --rmi local` for the workspace's project
  // and any other project started from the workspace folder, done through
  // the engine so a broken compose file cannot stop it.
  async cleanup(ctx) {
    const projects = new Set([projectName(ctx.workspace.id), ...(await projectsStartedIn(ctx.docker, ctx.workspace.dir))]);
    let named: string[] = [];
    try {
      const model = await readComposeFile(ctx.files);
      named = model.services.filter((s) => s.hasBuild && s.image).map((s) => s.image!);
    } catch {
      // No readable compose file: the labels still find the project.
    }
    for (const project of projects) {
      const removed = await removeComposeProject(ctx.docker, project, named);
      const total = removed.containers.length + removed.networks.length + removed.volumes.length + removed.images.length;
      if (total > 0) {
        ctx.log(
          `removed project ${project}: ${removed.containers.length} containers, ${removed.networks.length} networks, ${removed.volumes.length} volumes, ${removed.images.length} images`,
        );
      }
    }
  },
});
