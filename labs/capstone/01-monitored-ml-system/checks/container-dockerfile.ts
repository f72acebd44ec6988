/**
 * M3's judgements of the Dockerfile and .dockerignore, pure: each takes what
 * the grader read (the parsed Dockerfile, the .dockerignore text) and gives a
 * CheckOutcome that names the line to change. m3.ts reads the files and
 * wraps these in checks; the tests hold fixture files against them.
 */
import dockerignoreImport from '@balena/dockerignore';
import {
  fail,
  pass,
  userIsRoot,
  type CheckOutcome,
  type DockerfileInstruction,
  type DockerfileModel,
  type DockerfileStage,
} from '@mlops-lab/grader/authoring';

// CommonJS package: the factory is module.exports and also its `default`.
type DockerIgnoreFactory = (options?: { ignorecase?: boolean }) => { add(patterns: string): { ignores(path: string): boolean } };
const dockerignore = ((dockerignoreImport as { default?: unknown }).default ?? dockerignoreImport) as DockerIgnoreFactory;

/** The stages the final stage is built on, last first: `FROM runtime` … `FROM base AS runtime` … */
export function finalStageChain(model: DockerfileModel): DockerfileStage[] {
  const chain: DockerfileStage[] = [];
  let stage: DockerfileStage | undefined = model.finalStage;
  while (stage && !chain.includes(stage)) {
    chain.push(stage);
    if (!stage.fromStage) break;
    const name = stage.imageName.toLowerCase();
    stage = model.stages.find((s) => s.index < stage!.index && s.name?.toLowerCase() === name);
  }
  return chain;
}

/** The last instruction with `keyword` that applies to the final image (its own stage first, then the stages it is built on). */
function effective(model: DockerfileModel, keyword: string): DockerfileInstruction | undefined {
  for (const stage of finalStageChain(model)) {
    const found = stage.instructions.filter((i) => i.keyword === keyword).at(-1);
    if (found) return found;
  }
  return undefined;
}

/** `COPY --from=build …` / `COPY --from=0 …` in the final stage: what makes a build stage worth having. */
function copiesFromEarlierStage(model: DockerfileModel): DockerfileInstruction | undefined {
  const final = model.finalStage;
  const earlier = new Set(
    model.stages.filter((s) => s.index < final.index).flatMap((s) => [String(s.index), ...(s.name ? [s.name.toLowerCase()] : [])]),
  );
  return final.instructions.find(
    (i) =>
      (i.keyword === 'COPY' || i.keyword === 'ADD') &&
      i.flags.some((f) => {
        const m = /^--from=(.+)$/i.exec(f);
        return m !== null && earlier.has(m[1]!.toLowerCase());
      }),
  );
}

/** `m3-dockerfile-is-multi-stage`: a build stage and a runtime stage that copies only what it needs from it. */
export function judgeMultiStage(model: DockerfileModel): CheckOutcome {
  const stages = model.stages.map((s) => `line ${s.line}: FROM ${s.image}${s.name ? ` AS ${s.name}` : ''}`).join('\n');
  if (model.stages.length < 2) {
    return fail({
      message: `The Dockerfile has one stage (line ${model.stages[0]!.line}), so the image keeps everything the build needed: compilers, dev dependencies, caches.`,
      expected:
        'at least two stages: one that prepares the app (`FROM … AS build`), a final one that copies the result (`COPY --from=build …`)',
      actual: stages,
      hint: 'Name the first stage (`FROM node:24-bookworm-slim AS build`), start a second `FROM` for the runtime, and copy the app in with `COPY --from=build /app /app`.',
    });
  }
  const copy = copiesFromEarlierStage(model);
  if (!copy) {
    return fail({
      message: `The final stage (line ${model.finalStage.line}) copies nothing from an earlier stage, so the earlier stages do not shape the image.`,
      expected: 'a `COPY --from=<earlier stage>` in the final stage',
      actual: stages,
      hint: `Copy what the earlier stage built into the final one, e.g. \`COPY --from=${model.stages[0]!.name ?? '0'} /app /app\`.`,
    });
  }
  return pass(
    `${model.stages.length} stages; the final one copies from an earlier stage (line ${copy.line}: COPY ${copy.flags.join(' ')} ${copy.args}).`,
  );
}

/** `m3-dockerfile-runs-as-non-root`: the final stage's USER is not root. */
export function judgeFinalUser(model: DockerfileModel): CheckOutcome {
  const user = effective(model, 'USER');
  if (!user) {
    return fail({
      message: `The final stage (line ${model.finalStage.line}) has no USER, so the service runs as root: a bug in it, or in a dependency, gives an attacker root in the container.`,
      expected: 'a USER with a non-zero uid near the end of the final stage, e.g. `USER 10001`',
      actual: 'no USER instruction in the final stage',
      hint: 'Add `USER 10001:10001` after the last COPY and RUN of the final stage (Kubernetes `runAsNonRoot` needs a numeric uid to verify it).',
    });
  }
  const value = user.args.trim();
  if (userIsRoot(value)) {
    return fail({
      message: `Line ${user.line}: \`USER ${value}\` is root, so the service runs with root rights in the container.`,
      expected: 'a USER with a non-zero uid, e.g. `USER 10001`',
      actual: `line ${user.line}: USER ${value}`,
      hint: `Change line ${user.line} to \`USER 10001:10001\`.`,
    });
  }
  return pass(`The final stage runs as \`${value}\` (line ${user.line}).`);
}

/** `m3-dockerfile-has-healthcheck`: a HEALTHCHECK in the final image that probes the service's /health (or /ready). */
export function judgeHealthcheck(model: DockerfileModel): CheckOutcome {
  const check = effective(model, 'HEALTHCHECK');
  const example =
    'HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]';
  if (!check) {
    return fail({
      message: 'The final image has no HEALTHCHECK, so Docker reports the container as running even when the service is stuck.',
      expected: 'a HEALTHCHECK in the final stage that calls GET /health',
      actual: 'no HEALTHCHECK',
      hint: `Add, in the final stage: \`${example}\` (slim images have no curl; the runtime you already ship can make the request).`,
    });
  }
  const args = check.args.trim();
  if (/^NONE\b/i.test(args)) {
    return fail({
      message: `Line ${check.line}: \`HEALTHCHECK NONE\` switches health checks off.`,
      expected: 'a HEALTHCHECK that calls GET /health',
      actual: `line ${check.line}: HEALTHCHECK NONE`,
      hint: `Replace line ${check.line} with \`${example}\`.`,
    });
  }
  // A script of the project's own (healthcheck.py) may do the request; the container check shows whether it works.
  const script = /[\w./-]+\.(py|sh|js|mjs|cjs|ts)\b/.exec(args)?.[0];
  if (!/\/(health|ready)\b/.test(args) && script) {
    return pass(`HEALTHCHECK on line ${check.line} runs ${script} (m3-container-becomes-healthy shows whether it answers).`);
  }
  if (!/\/(health|ready)\b/.test(args)) {
    return fail({
      message: `Line ${check.line}: the HEALTHCHECK does not call the service's /health (or /ready), so it cannot tell a stuck service from a healthy one.`,
      expected: 'a HEALTHCHECK command that requests /health',
      actual: `line ${check.line}: HEALTHCHECK ${args.slice(0, 160)}`,
      hint: `Make the command request /health, e.g. \`${example}\`.`,
    });
  }
  return pass(`HEALTHCHECK on line ${check.line}: ${args.slice(0, 120)}`);
}

/** A tag that names a version (a digit somewhere: `24-bookworm-slim`, `3.11-slim`) rather than a moving name (`latest`, `slim`, `lts`). */
const VERSION_IN_TAG = /\d/;

/** `m3-base-images-are-pinned`: every registry base image names a version tag or a digest, never latest. */
export function judgePinnedBases(model: DockerfileModel): CheckOutcome {
  const external = model.stages.filter((s) => !s.fromStage);
  const loose = external.filter((s) => !s.digest && (!s.tag || s.tag === 'latest' || !VERSION_IN_TAG.test(s.tag)));
  if (loose.length === 0) {
    return pass(`Every base image names a version: ${[...new Set(external.map((s) => s.image))].join(', ') || '(only earlier stages)'}.`);
  }
  const first = loose[0]!;
  const why = !first.tag ? 'has no tag, so Docker takes `latest`' : `uses \`${first.tag}\`, a tag that moves to new versions`;
  return fail({
    message: `Line ${first.line}: \`FROM ${first.image}\` ${why}; the next build may get another runtime without any change on your side.`,
    expected: 'a tag with a version (node:24-bookworm-slim, python:3.11-slim-bookworm) or a digest (@sha256:…)',
    actual: loose.map((s) => `line ${s.line}: FROM ${s.image}`).join('\n'),
    hint: `Change line ${first.line} to name a version, e.g. \`FROM ${first.imageName}:<version>-bookworm-slim\`; \`docker image ls ${first.imageName}\` lists the tags you have.`,
  });
}

/** What the workspace holds, so .dockerignore is asked only for the folders that can exist. */
export interface WorkspaceKinds {
  /** package.json or node_modules/ is there. */
  node: boolean;
  /** .venv/, pyproject.toml or requirements*.txt is there. */
  python: boolean;
}

/** A path that must stay out of the build context, a sample file inside it, and why. */
interface MustIgnore {
  pattern: string;
  sample: string;
  why: string;
}

/** `m3-dockerignore-keeps-data-out`: the data, model files, Git history and installed dependencies never reach the build context. */
export function judgeDockerignore(text: string | undefined, kinds: WorkspaceKinds): CheckOutcome {
  const required: MustIgnore[] = [
    { pattern: 'data/', sample: 'data/adult.csv.gz', why: 'the dataset (the image serves a model, it does not need the training data)' },
    { pattern: 'models/', sample: 'models/latest/model.json', why: 'local model files (the service loads the champion from MLflow)' },
    { pattern: '.git/', sample: '.git/HEAD', why: 'Git history: every version of every file' },
    ...(kinds.node
      ? [{ pattern: 'node_modules/', sample: 'node_modules/zod/package.json', why: 'installed packages of this machine' }]
      : []),
    ...(kinds.python ? [{ pattern: '.venv/', sample: '.venv/bin/python', why: 'the virtual environment of this machine' }] : []),
  ];
  const lines = required.map((r) => r.pattern).join('\n');
  if (text === undefined) {
    return fail({
      message:
        'There is no .dockerignore, so `docker build` sends the whole workspace (data, Git history, installed packages) to the engine.',
      expected: `a .dockerignore with at least:\n${lines}`,
      actual: 'no .dockerignore',
      hint: `Create it: \`printf '%s\\n' ${required.map((r) => r.pattern).join(' ')} > .dockerignore\`.`,
    });
  }
  const ig = dockerignore({ ignorecase: false }).add(text);
  const missing = required.filter((r) => !ig.ignores(r.sample));
  if (missing.length === 0) return pass(`.dockerignore keeps ${required.map((r) => r.pattern).join(', ')} out of the build context.`);
  return fail({
    message: `.dockerignore lets ${missing.map((m) => m.pattern).join(', ')} into the build context: ${missing.map((m) => m.why).join('; ')}.`,
    expected: `${lines}\n(each ignored)`,
    actual: missing.map((m) => `${m.sample} is sent`).join('\n'),
    hint: `Add ${missing.map((m) => `\`${m.pattern}\``).join(', ')} to .dockerignore (a later \`!\` rule can bring a path back).`,
  });
}
