/**
 * M3, container and Kubernetes: the Dockerfile and .dockerignore read
 * statically, the manifests in k8s/ parsed and validated, then the image
 * built on the real Docker engine (after the Procfile's `build`), inspected,
 * and run until Docker reports it healthy.
 */
import {
  fail,
  pass,
  readDockerfile,
  readManifests,
  userIsRoot,
  healthcheckTest,
  EvidenceError,
  type CheckContext,
  type CheckDefinitionInput,
  type CheckOutcome,
  type DockerfileModel,
  type ManifestSet,
} from '@mlops-lab/grader/authoring';
import { judgeDockerignore, judgeFinalUser, judgeHealthcheck, judgeMultiStage, judgePinnedBases } from './container-dockerfile.ts';
import { builtImage, imageLabels, runUntilHealthy, type BuiltImage } from './container-image.ts';
import {
  judgeManifestsValid,
  judgeNonRoot,
  judgePasswordFromSecret,
  judgeProbes,
  judgeResources,
  judgeScrape,
  judgeService,
} from './container-k8s.ts';
import { MODEL_URI, capstoneMlflow, isOutcome, servingCredentials, trainedProject } from './shared.ts';

// ------------------------------------------------------------------ the Dockerfile

/** The parsed Dockerfile (once per run), or a failing outcome when there is none or it does not parse. */
function dockerfile(ctx: CheckContext): Promise<DockerfileModel | CheckOutcome> {
  return ctx.memo('capstone:dockerfile', async () => {
    if (!(await ctx.files.exists('Dockerfile'))) {
      return fail({
        message: 'There is no Dockerfile at the top of the workspace, so there is no image to deploy.',
        expected: 'a multi-stage Dockerfile next to the Procfile',
        actual: 'no Dockerfile',
        hint: 'Write a Dockerfile with a build stage and a runtime stage (see the CONTRACT: multi-stage, USER, HEALTHCHECK).',
      });
    }
    try {
      return await readDockerfile(ctx.files);
    } catch (error) {
      if (error instanceof EvidenceError && /^DOCKERFILE_/.test(error.code)) {
        return fail({ message: error.message, expected: 'a Dockerfile that starts with FROM', actual: error.code, hint: error.nextStep });
      }
      throw error;
    }
  });
}

function dockerfileCheck(id: string, title: string, hint: string, judge: (model: DockerfileModel) => CheckOutcome): CheckDefinitionInput {
  return {
    id,
    title,
    hint,
    async run(ctx) {
      const model = await dockerfile(ctx);
      return isOutcome(model) ? model : judge(model);
    },
  };
}

const dockerfileChecks: CheckDefinitionInput[] = [
  // Mirrors: grep -n '^FROM\|COPY --from' Dockerfile
  dockerfileCheck(
    'm3-dockerfile-is-multi-stage',
    'The Dockerfile builds in one stage and runs from another',
    'Name the first stage (`FROM … AS build`), then start the final one from a slim base and `COPY --from=build` only what runs.',
    judgeMultiStage,
  ),
  // Mirrors: grep -n '^USER' Dockerfile
  dockerfileCheck(
    'm3-dockerfile-runs-as-non-root',
    'The final stage runs as a non-root user',
    'End the final stage with `USER 10001:10001`.',
    judgeFinalUser,
  ),
  // Mirrors: grep -n '^HEALTHCHECK' Dockerfile
  dockerfileCheck(
    'm3-dockerfile-has-healthcheck',
    'The final stage has a HEALTHCHECK on /health',
    'Probe /health with the runtime the image already has (node -e "fetch(…)" or python -c "urllib.request…"): slim images have no curl.',
    judgeHealthcheck,
  ),
  // Mirrors: grep -n '^FROM' Dockerfile
  dockerfileCheck(
    'm3-base-images-are-pinned',
    'Base images name a version, never latest',
    'Write the version into every FROM, e.g. `FROM node:24-bookworm-slim` or `FROM python:3.11-slim-bookworm`.',
    judgePinnedBases,
  ),
  {
    id: 'm3-dockerignore-keeps-data-out',
    title: '.dockerignore keeps data, models, Git history and installed packages out of the build',
    hint: 'List data/, models/, .git, node_modules/ and .venv/ in .dockerignore.',
    // Mirrors: cat .dockerignore
    async run(ctx) {
      const text = (await ctx.files.exists('.dockerignore'))
        ? await ctx.files.readText('.dockerignore', { maxBytes: 64 * 1024 })
        : undefined;
      // A path the grader refuses to resolve (node_modules linked to a folder outside the workspace) is there all the same.
      const exists = async (paths: string[]): Promise<boolean> =>
        (await Promise.all(paths.map((p) => ctx.files.exists(p).catch(() => true)))).some(Boolean);
      return judgeDockerignore(text, {
        node: await exists(['package.json', 'node_modules']),
        python: await exists(['.venv', 'pyproject.toml', 'requirements.txt', 'requirements-dev.txt', 'uv.lock', 'poetry.lock']),
      });
    },
  },
];

// ------------------------------------------------------------------ the manifests

function manifests(ctx: CheckContext): Promise<ManifestSet> {
  return ctx.memo('capstone:manifests', () => readManifests(ctx.files, 'k8s'));
}

/** The project's own notes, where `kubectl create secret …` would be written down. */
async function projectDocs(ctx: CheckContext): Promise<string> {
  const texts: string[] = [];
  for (const path of ['README.md', 'k8s/README.md', 'docs/deploy.md', 'DEPLOY.md']) {
    if (await ctx.files.exists(path)) texts.push(await ctx.files.readText(path, { maxBytes: 256 * 1024 }).catch(() => ''));
  }
  return texts.join('\n');
}

function manifestCheck(
  id: string,
  title: string,
  hint: string,
  judge: (set: ManifestSet, ctx: CheckContext) => CheckOutcome | Promise<CheckOutcome>,
): CheckDefinitionInput {
  return {
    id,
    title,
    needs: ['m3-manifests-are-valid'],
    hint,
    async run(ctx) {
      return await judge(await manifests(ctx), ctx);
    },
  };
}

const manifestChecks: CheckDefinitionInput[] = [
  {
    id: 'm3-manifests-are-valid',
    title: 'The manifests in k8s/ are valid and hold a Deployment and a Service',
    hint: 'Check them without a cluster: `kubectl apply --dry-run=client -f k8s/`.',
    // Mirrors: kubectl apply --dry-run=client --validate=strict -f k8s/
    async run(ctx) {
      return judgeManifestsValid(await manifests(ctx));
    },
  },
  // Mirrors: kubectl get deployment adult-income -o jsonpath='{.spec.template.spec.containers[*].livenessProbe}'
  manifestCheck(
    'm3-deployment-has-probes',
    'The Deployment probes liveness on /health and readiness on /ready',
    'Add `livenessProbe.httpGet.path: /health` and `readinessProbe.httpGet.path: /ready` on the container port.',
    judgeProbes,
  ),
  // Mirrors: kubectl get deployment adult-income -o jsonpath='{.spec.template.spec.containers[*].resources}'
  manifestCheck(
    'm3-deployment-sets-resources',
    'The Deployment requests CPU and memory and limits memory',
    'Add `resources: { requests: { cpu: 250m, memory: 256Mi }, limits: { memory: 512Mi } }` to each container.',
    judgeResources,
  ),
  // Mirrors: kubectl get deployment adult-income -o jsonpath='{.spec.template.spec.securityContext}'
  manifestCheck(
    'm3-deployment-runs-as-non-root',
    'The Deployment requires a non-root user',
    'Add `securityContext: { runAsNonRoot: true, runAsUser: 10001 }` to the pod template.',
    judgeNonRoot,
  ),
  // Mirrors: kubectl get deployment adult-income -o jsonpath='{.spec.template.spec.containers[*].env}'; grep -rn PASSWORD k8s/
  manifestCheck(
    'm3-password-comes-from-a-secret',
    'SERVING_PASSWORD comes from a Secret, and no password is written into k8s/',
    'Create the Secret with `kubectl create secret generic …` (documented in the README) and read it with `valueFrom.secretKeyRef`.',
    async (set, ctx) => judgePasswordFromSecret(set, await projectDocs(ctx)),
  ),
  // Mirrors: kubectl get endpointslices -l kubernetes.io/service-name=adult-income
  manifestCheck(
    'm3-service-selects-the-pods',
    "A Service selects the Deployment's pods on the container port",
    "Copy the pod template's labels into the Service's selector and point targetPort at the container port's name.",
    judgeService,
  ),
  // Mirrors: kubectl get deployment adult-income -o jsonpath='{.spec.template.metadata.annotations}'
  manifestCheck(
    'm3-metrics-are-scraped',
    'Prometheus is told to scrape /metrics (annotations or a ServiceMonitor)',
    'Annotate the pod template with `prometheus.io/scrape: "true"`, `prometheus.io/port` and `prometheus.io/path: /metrics`.',
    judgeScrape,
  ),
];

// ------------------------------------------------------------------ the image on the real engine

function image(ctx: CheckContext): Promise<BuiltImage | CheckOutcome> {
  return builtImage(ctx);
}

const imageChecks: CheckDefinitionInput[] = [
  {
    id: 'm3-image-builds',
    title: 'The Procfile `build` and `docker build` succeed',
    needs: ['m3-dockerfile-is-multi-stage'],
    requires: ['docker'],
    timeoutMs: 25 * 60_000,
    hint: 'Run the Procfile `build` (if you have one), then `docker build -t adult-income:dev .`, and fix the first error.',
    // Mirrors: <Procfile build> && docker build -t adult-income:dev . && docker image inspect --format '{{.Size}}' adult-income:dev
    async run(ctx) {
      const built = await image(ctx);
      if (isOutcome(built)) return built;
      const steps = built.buildCommand ? `\`build\` (${(built.buildCommand.durationMs / 1000).toFixed(1)} s), then ` : '';
      return pass(`${steps}docker build in ${(built.build.durationMs / 1000).toFixed(1)} s: an image of ${built.sizeMb} MB.`, {
        figures: { 'image.sizeMb': built.sizeMb },
      });
    },
  },
  {
    id: 'm3-image-runs-as-non-root',
    title: 'The built image runs as a non-root user',
    needs: ['m3-image-builds'],
    requires: ['docker'],
    timeoutMs: 120_000,
    hint: 'Make `USER 10001:10001` the last USER of the final stage; check with `docker image inspect --format "{{.Config.User}}" adult-income:dev`.',
    // Mirrors: docker image inspect --format '{{.Config.User}}' adult-income:dev
    async run(ctx) {
      const built = await image(ctx);
      if (isOutcome(built)) return built;
      const user = (built.info.Config.User ?? '').trim();
      const name = user.split(':')[0]!.trim();
      let uid = /^\d+$/.test(name) ? name : undefined;
      if (!userIsRoot(user) && uid === undefined) {
        // A user name is only as unprivileged as the image's /etc/passwd says.
        const id = await ctx.docker
          .runToCompletion({ image: built.build.imageId, entrypoint: ['id'], cmd: ['-u'], labels: imageLabels(ctx), timeoutMs: 30_000 })
          .catch(() => undefined);
        uid = id?.exitCode === 0 ? id.output.trim() : undefined;
      }
      if (!userIsRoot(user) && uid !== '0') {
        return pass(`The image runs as ${user}${uid && uid !== name ? ` (uid ${uid})` : ''}.`, { figures: { 'image.user': user } });
      }
      return fail({
        message: user
          ? `The image runs as \`${user}\`, which is uid 0: root under ${name === 'root' || /^0+$/.test(name) ? 'its own' : 'another'} name.`
          : 'The image runs as root: Config.User is empty.',
        expected: 'Config.User names a non-zero uid, e.g. 10001:10001',
        actual: user ? `Config.User = ${user}${uid === '0' ? ' (`id -u` prints 0)' : ''}` : 'Config.User is empty',
        hint: 'End the final stage with `USER 10001:10001`, after the last RUN that needs root.',
        figures: { 'image.user': user || 'root' },
      });
    },
  },
  {
    id: 'm3-image-has-healthcheck',
    title: 'The built image declares a HEALTHCHECK',
    needs: ['m3-image-builds'],
    requires: ['docker'],
    hint: 'The final stage needs its own HEALTHCHECK (a base image may switch it off with HEALTHCHECK NONE).',
    // Mirrors: docker image inspect --format '{{json .Config.Healthcheck}}' adult-income:dev
    async run(ctx) {
      const built = await image(ctx);
      if (isOutcome(built)) return built;
      const test = healthcheckTest(built.info);
      if (test.length > 0 && test[0] !== 'NONE') return pass(`HEALTHCHECK: ${test.slice(1).join(' ').slice(0, 160)}`);
      return fail({
        message: 'The built image has no active HEALTHCHECK, so Docker cannot tell a stuck service from a healthy one.',
        expected: 'Config.Healthcheck with a command that requests /health',
        actual: test[0] === 'NONE' ? 'HEALTHCHECK NONE' : 'no Config.Healthcheck',
        hint: 'Add a HEALTHCHECK to the final stage of the Dockerfile (m3-dockerfile-has-healthcheck shows one).',
      });
    },
  },
  {
    id: 'm3-container-becomes-healthy',
    title: 'A container of the image, given MLflow and credentials, becomes healthy',
    needs: ['m3-image-has-healthcheck'],
    requires: ['docker', 'mlflow'],
    timeoutMs: 40 * 60_000,
    hint: 'Run it as the grader does and watch its health: `docker run -d --network host -e PORT=8080 -e SERVING_USERNAME=me -e SERVING_PASSWORD=secret-password -e MLFLOW_TRACKING_URI=http://127.0.0.1:5000 -e MODEL_URI=models:/adult-income@champion adult-income:dev`, then `docker inspect --format "{{json .State.Health}}" <container>`.',
    // Mirrors: docker run -d --network host -e PORT=… -e SERVING_USERNAME=… -e SERVING_PASSWORD=… -e MLFLOW_TRACKING_URI=… -e MODEL_URI=… IMAGE; docker inspect --format '{{.State.Health.Status}}'
    async run(ctx) {
      const built = await image(ctx);
      if (isOutcome(built)) return built;
      // The container serves the champion, which the trained project provides.
      const project = await trainedProject(ctx);
      if (isOutcome(project)) {
        return project.status === 'fail'
          ? { ...project, message: `The container serves the champion, and training and gating it failed: ${project.message}` }
          : project;
      }
      const credentials = await servingCredentials(ctx);
      const { uri } = await capstoneMlflow(ctx);
      const env = { SERVING_USERNAME: credentials.username, SERVING_PASSWORD: credentials.password, MLFLOW_TRACKING_URI: uri, MODEL_URI };
      ctx.progress('running the image until Docker reports it healthy');
      const run = await runUntilHealthy(ctx, built, env);
      const shown = `docker run --network host -e PORT=${run.port} -e SERVING_USERNAME=… -e SERVING_PASSWORD=… -e MLFLOW_TRACKING_URI=${uri} -e MODEL_URI=${MODEL_URI} <image>`;
      const portNote =
        run.exposed !== undefined && run.exposed !== run.port
          ? ` The image EXPOSEs ${run.exposed}, which is taken on this machine, so the container got PORT=${run.port}: listen on $PORT and probe $PORT in the HEALTHCHECK.`
          : '';
      const health = run.health;
      switch (health.status) {
        case 'healthy': {
          const version = readyVersion(run.ready?.body);
          return pass(
            `Docker reported the container healthy after ${(health.waitedMs / 1000).toFixed(1)} s${version ? `; GET /ready names model version ${version}` : ''}.`,
            { figures: { 'image.healthy': true } },
          );
        }
        case 'unhealthy':
          return fail({
            message: `The HEALTHCHECK ran and failed: Docker marked the container unhealthy.${portNote}`,
            expected: 'health status "healthy"',
            actual: `last probes:\n${health.log}\ncontainer output:\n${run.logs || '(none)'}`,
            hint: `Run \`${shown}\` and the HEALTHCHECK command by hand with \`docker exec <container> …\`; a program the image lacks (curl, wget) fails with "not found".`,
            figures: { 'image.healthy': false },
          });
        case 'exited':
          return fail({
            message: `The container stopped with exit code ${health.exitCode} before it became healthy.${portNote}`,
            expected: 'the service keeps running and answers /health',
            actual: health.log || `exit code ${health.exitCode}, no output`,
            hint: `Run it in the foreground to see why: \`${shown.replace('docker run', 'docker run --rm')}\`.`,
            figures: { 'image.healthy': false },
          });
        case 'timeout':
          return fail({
            message: `The container was still "${health.lastStatus}" after ${Math.round(health.waitedMs / 1000)} s.${portNote}`,
            expected: `health status "healthy" within ${Math.round(health.waitedMs / 1000)} s`,
            actual: `${health.log || health.lastStatus}\ncontainer output:\n${run.logs || '(none)'}`,
            hint: 'Check the HEALTHCHECK port and path, and its --start-period against the time the model takes to load.',
            figures: { 'image.healthy': false },
          });
        case 'no-healthcheck':
          return fail({
            message: 'The container runs without a health check.',
            expected: 'a HEALTHCHECK',
            actual: 'none',
            hint: 'See m3-image-has-healthcheck.',
            figures: { 'image.healthy': false },
          });
      }
    },
  },
];

function readyVersion(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const version = (JSON.parse(body) as { model_version?: unknown }).model_version;
    return version === undefined || version === null ? undefined : String(version);
  } catch {
    return undefined;
  }
}

export const m3Checks: CheckDefinitionInput[] = [...dockerfileChecks, ...manifestChecks, ...imageChecks];
