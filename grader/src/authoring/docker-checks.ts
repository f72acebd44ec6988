/**
 * Checks several Docker labs share, as factories: a lab's check file calls
 * one with its DockerLab and wraps the result in `defineCheck`. The
 * judgements are exported too, so tests can hold learner submissions
 * against them. CIS Docker Benchmark ids (and dockle's) are named where a
 * check mirrors one.
 */
import { randomBytes } from 'node:crypto';
import type { DockerfileInstruction, DockerfileModel, DockerfileStage, DockerfileVariable } from '../evidence/dockerfile.ts';
import type { HealthOutcome, ImageInfo } from '../evidence/docker.ts';
import { EvidenceError } from '../errors.ts';
import { fail, pass, type CheckOutcome } from '../lab/context.ts';
import type { CheckDefinitionInput } from '../lab/schema.ts';
import type { DockerLab } from './docker-lab.ts';

/** Variable names that usually carry credentials (CIS Docker Benchmark 4.10; dockle CIS-DI-0010). */
export const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

/** A tag that names at least a major.minor version, e.g. 3.11-slim-bookworm. */
const VERSIONED_TAG = /\d+\.\d+/;

/** Files of ~/.ssh that hold no private key. */
const SSH_PUBLIC_FILES = new Set(['config', 'authorized_keys', 'known_hosts', 'known_hosts.old']);
/** .env files that hold examples, not secrets. */
const ENV_EXAMPLE = /^\.env\.(example|sample|template|dist)$/i;
const CREDENTIAL_FILES = new Set([
  '.netrc',
  '.pypirc',
  '.npmrc',
  '.git-credentials',
  '.dockercfg',
  'credentials.json',
  'service-account.json',
]);

/**
 * Why a file looks like a credential, or undefined: a `.env`, Git history,
 * SSH keys, private keys, credential files of pip, npm, git, AWS and
 * Docker (the files dockle's CIS-DI-0010 and CIS 4.10 warn about). `content`,
 * when given, is searched for PEM private keys and AWS access key ids.
 */
export function secretFileReason(path: string, content?: Buffer): string | undefined {
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  const base = segments[segments.length - 1] ?? '';
  const dirs = segments.slice(0, -1);
  if (dirs.includes('.git') || base === '.git') return 'Git history: every version of every file, deleted secrets included';
  if ((base === '.env' || base.startsWith('.env.')) && !ENV_EXAMPLE.test(base)) return 'a .env file with environment secrets';
  if (/^id_(rsa|dsa|ecdsa|ed25519)$/.test(base) || (dirs.includes('.ssh') && !base.endsWith('.pub') && !SSH_PUBLIC_FILES.has(base))) {
    return 'an SSH private key';
  }
  if (/\.(key|p12|pfx)$/i.test(base)) return 'a private key or key store';
  if (
    CREDENTIAL_FILES.has(base) ||
    (dirs[dirs.length - 1] === '.aws' && base === 'credentials') ||
    (dirs[dirs.length - 1] === '.docker' && base === 'config.json')
  ) {
    return 'a credentials file';
  }
  if (content) {
    if (content.includes('PRIVATE KEY-----')) return 'a PEM private key';
    if (/AKIA[0-9A-Z]{16}/.test(content.toString('latin1'))) return 'an AWS access key id';
  } else if (/\.pem$/i.test(base)) {
    return 'a .pem file (may hold a private key)';
  }
  return undefined;
}

/** Shows the first characters of a secret and hides the rest. */
export function maskSecret(value: string | undefined): string {
  if (!value) return '(no default)';
  return value.length <= 4 ? '****' : `${value.slice(0, 2)}…${'*'.repeat(4)}`;
}

/**
 * Whether a `USER` value (Config.User) runs the process as root: empty,
 * `root`, uid 0 in any spelling (`0`, `00`), with or without a group
 * (`0:0`, `root:root`, `0:10001`). A non-root uid with group 0
 * (`10001:0`, the OpenShift convention) is not root.
 */
export function userIsRoot(user: string): boolean {
  const name = user.trim().split(':')[0]!.trim();
  return name === '' || name === 'root' || /^0+$/.test(name);
}

/** Base images (FROM lines naming a registry image) without a version tag or digest (dockle DKL-DI-0006). */
export function unpinnedBaseImages(model: DockerfileModel): DockerfileStage[] {
  return model.stages.filter((s) => !s.fromStage && !s.digest && (!s.tag || s.tag === 'latest' || !VERSIONED_TAG.test(s.tag)));
}

/**
 * The registry image the final stage is built on, following `FROM <stage>`
 * chains (`FROM build AS test` … `FROM test`); undefined for `scratch`.
 */
export function finalBaseImage(model: DockerfileModel): string | undefined {
  let stage: DockerfileStage | undefined = model.finalStage;
  for (let hops = 0; stage && hops <= model.stages.length; hops++) {
    if (!stage.fromStage) return stage.image;
    const name = stage.imageName.toLowerCase();
    stage = model.stages.find((s) => s.index < stage!.index && s.name?.toLowerCase() === name);
  }
  return undefined;
}

/** `NAME=value` pairs with a credential-like NAME and a literal value, e.g. in `docker history` lines. */
export function secretAssignments(text: string): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const m of text.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s"']+)/g)) {
    const name = m[1]!;
    const value = m[2]!.replace(/^["']|["']$/g, '');
    if (SECRET_NAME.test(name) && value !== '' && !value.startsWith('$')) out.push({ name, value });
  }
  return out;
}

/** The sources of a COPY or ADD (everything but the destination), in shell or JSON form. */
export function copySources(instruction: DockerfileInstruction): string[] {
  const args = instruction.args.trim();
  if (args.startsWith('[')) {
    try {
      return (JSON.parse(args) as unknown[]).map(String).slice(0, -1);
    } catch {
      // Not valid JSON: Docker reads it as the shell form.
    }
  }
  return args.split(/\s+/).slice(0, -1);
}

/** ENV with a value, or any ARG, whose name looks like a credential (CIS 4.10; dockle CIS-DI-0010). */
export function secretVariables(model: DockerfileModel): DockerfileVariable[] {
  return model.variables.filter((v) => SECRET_NAME.test(v.name) && (v.kind === 'ARG' || (v.value !== undefined && v.value !== '')));
}

/** The HEALTHCHECK test of an image, `[]` when it has none and `['NONE']` when it disables its base's. */
export function healthcheckTest(info: ImageInfo): string[] {
  return (info.Config as { Healthcheck?: { Test?: string[] } }).Healthcheck?.Test ?? [];
}

interface Hinted {
  /** The static hint for `mlops-lab hint`; each factory has a default. */
  hint?: string;
}

/** `dockerfile-exists`: the workspace has a Dockerfile that parses. */
export function dockerfileExistsCheck(lab: DockerLab, options: Hinted & { nextTo?: string } = {}): CheckDefinitionInput {
  const nextTo = options.nextTo ?? 'your code';
  return {
    id: 'dockerfile-exists',
    title: 'The workspace has a Dockerfile that parses',
    hint: options.hint ?? `Keep the Dockerfile at the top of the workspace, next to ${nextTo}.`,
    async run(ctx) {
      if (!(await ctx.files.exists('Dockerfile'))) {
        return fail({
          message: 'There is no Dockerfile at the top of the workspace.',
          expected: `a file named Dockerfile next to ${nextTo}`,
          actual: 'no Dockerfile',
          hint: `Restore the starter with \`mlops-lab reset ${ctx.lab.id}\`, or create Dockerfile yourself.`,
        });
      }
      try {
        const model = await lab.dockerfile(ctx);
        return pass(`Dockerfile parses: ${model.stages.length} stage${model.stages.length === 1 ? '' : 's'}.`);
      } catch (error) {
        if (error instanceof EvidenceError && error.code === 'DOCKERFILE_NO_FROM') {
          return fail({ message: error.message, expected: 'a FROM instruction', actual: 'none', hint: error.nextStep });
        }
        throw error;
      }
    },
  };
}

/** `image-builds`: `docker build` of the workspace succeeds. */
export function imageBuildsCheck(lab: DockerLab): CheckDefinitionInput {
  const build = `docker build -t ${lab.options.imageName} .`;
  return {
    id: 'image-builds',
    title: 'The image builds',
    needs: ['dockerfile-exists'],
    requires: ['docker'],
    timeoutMs: 600_000,
    hint: `Build it yourself and read the first error: \`${build}\``,
    // Mirrors: docker build -t <image> .
    async run(ctx) {
      const result = await lab.builtImage(ctx);
      if (result.ok) return pass(`Built ${lab.imageTag(ctx)} in ${(result.durationMs / 1000).toFixed(1)} s.`);
      return fail({
        message: `docker build failed: ${result.error}`,
        expected: 'the build to finish without errors',
        actual: result.logTail || result.error,
        hint: `Run \`${build}\` in the workspace and fix the first error it prints.`,
      });
    },
  };
}

/** `base-image-tag-pinned` (dockle DKL-DI-0006): every FROM names a version or digest, never latest. */
export function baseImageTagPinnedCheck(lab: DockerLab): CheckDefinitionInput {
  return {
    id: 'base-image-tag-pinned',
    title: 'Base images are pinned to a version, not latest',
    needs: ['dockerfile-exists'],
    hint: 'Name the exact Python and Debian versions, e.g. `FROM python:3.11-slim-bookworm` (or pin a digest with @sha256:…).',
    // Mirrors: grep -n '^FROM' Dockerfile
    async run(ctx) {
      const model = await lab.dockerfile(ctx);
      const external = model.stages.filter((s) => !s.fromStage);
      const loose = unpinnedBaseImages(model);
      if (loose.length === 0) {
        return pass(`Every base image is pinned: ${external.map((s) => s.image).join(', ') || '(only earlier stages)'}.`);
      }
      const first = loose[0]!;
      const why = !first.tag
        ? 'has no tag, so Docker uses `latest`'
        : first.tag === 'latest'
          ? 'uses `latest`'
          : `uses \`${first.tag}\`, which moves to new versions`;
      return fail({
        message: `Line ${first.line}: \`FROM ${first.image}\` ${why}; the next build may get a different Python or Debian without any change on your side.`,
        expected: 'a tag with at least major.minor (python:3.11-slim-bookworm) or a digest (@sha256:…)',
        actual: loose.map((s) => `line ${s.line}: FROM ${s.image}`).join('\n'),
        hint: `Change line ${first.line} to \`FROM python:3.11-slim-bookworm\`; see \`docker image ls python\` for tags you have.`,
      });
    },
  };
}

/** `no-secrets-in-env` (CIS 4.10; dockle CIS-DI-0010): no credential-like ENV or ARG in the Dockerfile. */
export function noSecretsInEnvCheck(lab: DockerLab): CheckDefinitionInput {
  return {
    id: 'no-secrets-in-env',
    title: 'No secrets are baked into ENV or ARG',
    needs: ['dockerfile-exists'],
    hint: 'Remove the ENV line and pass the key when the container starts: `docker run -e MODEL_API_KEY=... image`.',
    // Mirrors: grep -nE '^(ENV|ARG)' Dockerfile
    async run(ctx) {
      const leaks = secretVariables(await lab.dockerfile(ctx));
      if (leaks.length === 0) return pass('No ENV or ARG carries a credential-like name.');
      const first = leaks[0]!;
      return fail({
        message: `Line ${first.line}: \`${first.kind} ${first.name}\` puts a credential into the image; anyone who can pull it reads it with \`docker image inspect\` or \`docker history\`.`,
        expected: 'no ENV or ARG whose name looks like a credential (KEY, TOKEN, SECRET, PASSWORD)',
        actual: leaks.map((v) => `line ${v.line}: ${v.kind} ${v.name}=${maskSecret(v.value)}`).join('\n'),
        hint: `Delete line ${first.line} and give the value at run time: \`docker run -e ${first.name}=<value> …\`.`,
      });
    },
  };
}

/** `image-runs-as-non-root` (CIS 4.1; dockle CIS-DI-0001): Config.User of the built image is not root. */
export function imageRunsAsNonRootCheck(lab: DockerLab): CheckDefinitionInput {
  const image = lab.options.imageName;
  return {
    id: 'image-runs-as-non-root',
    title: 'The image runs as a non-root user',
    needs: ['image-builds'],
    requires: ['docker'],
    hint: 'Add a numeric user near the end of the final stage: `USER 10001:10001`.',
    // Mirrors: docker image inspect --format '{{.Config.User}}' <image>; for a user name: docker run --rm --entrypoint id <image> -u
    async run(ctx) {
      const info = await lab.builtImageInfo(ctx);
      const user = (info.Config.User ?? '').trim();
      const name = user.split(':')[0]!.trim();
      if (!userIsRoot(user) && /^\d+$/.test(name)) return pass(`The image runs as user ${user}.`);
      if (!userIsRoot(user)) {
        // A name is only as unprivileged as the image's /etc/passwd says (`useradd -o -u 0 admin`).
        const uid = await ctx.docker
          .runToCompletion({ image: info.Id, entrypoint: ['id'], cmd: ['-u'], labels: lab.labels(ctx), timeoutMs: 30_000 })
          .catch(() => undefined);
        const resolved = uid?.exitCode === 0 ? uid.output.trim() : undefined;
        if (resolved !== '0') return pass(`The image runs as user ${user}${resolved ? ` (uid ${resolved})` : ''}.`);
        return fail({
          message: `\`USER ${user}\` names a user whose uid is 0 in the image's /etc/passwd: the process runs as root under another name.`,
          expected: 'a user with a uid other than 0, e.g. 10001:10001',
          actual: `Config.User = ${user}; \`id -u\` in the image prints 0`,
          hint: `Create the user without \`-o -u 0\` (\`useradd --uid 10001 …\`) and prefer a numeric \`USER 10001:10001\`; check with \`docker run --rm --entrypoint id ${image} -u\`.`,
        });
      }
      return fail({
        message: `The image runs as root${user ? ` (\`USER ${user}\` is uid 0)` : ''}, so a bug in the API (or a dependency) gives an attacker root inside the container.`,
        expected: 'Config.User set to an unprivileged user, e.g. 10001:10001',
        actual: user ? `Config.User = ${user}` : 'Config.User is empty (root)',
        hint: `Make \`USER 10001:10001\` the last USER of the final stage, after the last RUN that needs root, then \`docker image inspect --format "{{.Config.User}}" ${image}\`.`,
      });
    },
  };
}

/** `image-has-healthcheck` (CIS 4.6; dockle CIS-DI-0006): the image declares a HEALTHCHECK (not NONE). */
export function imageHasHealthcheckCheck(lab: DockerLab): CheckDefinitionInput {
  return {
    id: 'image-has-healthcheck',
    title: 'The image declares a HEALTHCHECK',
    needs: ['image-builds'],
    requires: ['docker'],
    hint: 'The slim image has no curl: probe /health with python3 and urllib in `HEALTHCHECK CMD [...]`.',
    // Mirrors: docker image inspect --format '{{json .Config.Healthcheck}}' <image>
    async run(ctx) {
      const test = healthcheckTest(await lab.builtImageInfo(ctx));
      if (test.length > 0 && test[0] !== 'NONE') return pass(`HEALTHCHECK: ${test.slice(1).join(' ').slice(0, 120)}`);
      return fail({
        message:
          test[0] === 'NONE'
            ? '`HEALTHCHECK NONE` switches health checks off, so Docker reports the container as running even when the API is stuck.'
            : 'The image has no HEALTHCHECK, so Docker reports the container as running even when the API is stuck.',
        expected: 'a HEALTHCHECK that calls GET /health',
        actual: test[0] === 'NONE' ? 'HEALTHCHECK NONE' : 'no HEALTHCHECK',
        hint: 'Add `HEALTHCHECK --interval=10s --timeout=3s CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen(\'http://127.0.0.1:8000/health\', timeout=2)"]`.',
      });
    },
  };
}

/** `container-reports-healthy`: a container from the image becomes healthy. */
export function containerReportsHealthyCheck(lab: DockerLab, options: { env?: () => Record<string, string> } = {}): CheckDefinitionInput {
  const image = lab.options.imageName;
  const env = options.env ?? (() => ({ MODEL_API_KEY: randomBytes(12).toString('hex') }));
  // `-e NAME=dev` for each variable the container needs, ending in a space (or empty).
  const envFlags = Object.keys(env())
    .map((k) => `-e ${k}=dev `)
    .join('');
  return {
    id: 'container-reports-healthy',
    title: 'A container from the image reports healthy',
    needs: ['image-has-healthcheck'],
    requires: ['docker'],
    timeoutMs: 120_000,
    hint: `Run it and watch the status: \`docker run -d --name api ${envFlags}${image}\` then \`docker inspect --format "{{json .State.Health}}" api\`.`,
    // Mirrors: docker run -d -e MODEL_API_KEY=… <image>; docker inspect --format '{{.State.Health.Status}}' <container>
    async run(ctx) {
      const build = await lab.builtImage(ctx);
      if (!build.ok) throw new Error('image-builds should have stopped this check');
      // The learner's HEALTHCHECK command, timeout and retries are kept; only
      // the interval is shortened so grading does not wait 30 s per probe.
      const id = await ctx.docker.run({ image: build.imageId, env: env(), labels: lab.labels(ctx), healthcheckIntervalMs: 1000 });
      try {
        return healthOutcome(
          await ctx.docker.waitForHealth(id, { timeoutMs: 90_000, signal: ctx.signal }),
          `docker run --rm ${envFlags}${image}`,
        );
      } finally {
        await ctx.docker.removeContainer(id);
      }
    },
  };
}

function healthOutcome(health: HealthOutcome, foreground: string): CheckOutcome {
  switch (health.status) {
    case 'healthy':
      return pass(`The container became healthy after ${(health.waitedMs / 1000).toFixed(1)} s.`);
    case 'unhealthy':
      return fail({
        message: 'The health check ran and failed: Docker marked the container unhealthy.',
        expected: 'health status "healthy"',
        actual: `unhealthy; last probes:\n${health.log}`,
        hint: 'Run the HEALTHCHECK command by hand inside a running container: `docker exec -it <container> python3 -c "…"`; a program the image lacks (curl and wget are not in slim images) fails with `not found`.',
      });
    case 'exited':
      return fail({
        message: `The container stopped with exit code ${health.exitCode} before it became healthy.`,
        expected: 'the API keeps running',
        actual: health.log || `exit code ${health.exitCode}, no output`,
        hint: `See why with \`${foreground}\` in the foreground.`,
      });
    case 'timeout':
      return fail({
        message: `The container was still "${health.lastStatus}" after ${Math.round(health.waitedMs / 1000)} s.`,
        expected: 'health status "healthy" within 90 s',
        actual: health.log || health.lastStatus,
        hint: 'Check the start period and the probe URL/port of your HEALTHCHECK.',
      });
    case 'no-healthcheck':
      return fail({
        message: 'The container runs without a health check.',
        expected: 'a HEALTHCHECK',
        actual: 'none',
        hint: 'See the check image-has-healthcheck.',
      });
  }
}
