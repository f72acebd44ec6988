import { randomBytes } from 'node:crypto';
import { appendFile, copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { copySources, defineCheck, fail, pass, type BuildStep, type DockerfileInstruction } from '@mlops-lab/grader/authoring';
import { SOURCE_FILE, contextFiles, lab } from './shared.ts';

/** An install step: `pip install`, `tools/install_wheels.py`, `npm install`, … */
const INSTALL = /\binstall/;

const squash = (text: string): string => text.replace(/\\\n/g, ' ').replace(/\s+/g, ' ').trim();

/** BuildKit names a step `[stage 3/7] RUN <command as written>`; find the steps of these instructions. */
function stepsOf(instructions: DockerfileInstruction[], steps: BuildStep[]): BuildStep[] {
  return steps.filter((s) => {
    const name = squash(s.name.replace(/^\[[^\]]*\]\s*/, ''));
    return instructions.some((i) => name.startsWith(i.keyword) && name.includes(squash(i.args)));
  });
}

/** Whether a COPY/ADD source (`.`, `app/`, `app/serve.py`, `*.py`) takes `path` into the build. */
function copies(instruction: DockerfileInstruction, path: string): boolean {
  if (instruction.flags.some((f) => /^--from=/i.test(f))) return false;
  const sources = copySources(instruction).map((w) => w.replace(/^\.\//, '').replace(/\/+$/, ''));
  return sources.some((src) => src === '' || src === '.' || path === src || path.startsWith(`${src}/`) || globTakes(src, path));
}

/** A wildcard source takes a file when it matches the file or one of its parent folders (`*` takes `app/`). */
function globTakes(pattern: string, path: string): boolean {
  if (!/[*?[]/.test(pattern)) return false;
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );
  const parts = path.split('/');
  return parts.some((_, i) => regex.test(parts.slice(0, i + 1).join('/')));
}

export default defineCheck({
  id: 'dependency-install-cached-after-code-change',
  title: 'After a change to app/serve.py, the rebuild reuses the dependency install from the cache',
  needs: ['image-builds'],
  requires: ['docker'],
  timeoutMs: 600_000,
  hint: 'Copy the lockfile, wheels and installer first, install, and only then `COPY app/ app/`. Try it: edit app/serve.py, then `docker build --progress=plain -t loan-api .` and look for CACHED.',
  // Mirrors: echo '# edit' >> app/serve.py && docker build --progress=plain -t loan-api . 2>&1 | grep -E 'CACHED|RUN'
  // (on a copy of the workspace: the learner's files are never changed)
  async run(ctx) {
    const model = await lab.dockerfile(ctx);
    const instructions = model.stages.flatMap((s) => s.instructions.map((i) => ({ ...i, stage: s.index })));
    const installs = instructions.filter((i) => i.keyword === 'RUN' && INSTALL.test(i.args));
    if (installs.length === 0) {
      return fail({
        message: 'No RUN in the Dockerfile installs dependencies, so there is no slow step to keep in the cache.',
        expected: 'a `RUN … install …` step for the dependencies',
        actual: `RUN lines: ${
          instructions
            .filter((i) => i.keyword === 'RUN')
            .map((i) => `line ${i.line}`)
            .join(', ') || 'none'
        }`,
        hint: `Bring back the install step (see the instructions, "Order the layers for the cache"), or restore the starter with \`mlops-lab reset ${ctx.lab.id}\`.`,
      });
    }
    const context = await contextFiles(ctx);
    if (!context.some((f) => f.path === SOURCE_FILE)) {
      return fail({
        message: `${SOURCE_FILE} is not in the build context, so the image cannot contain the API's code.`,
        expected: `${SOURCE_FILE} sent to the builder`,
        actual: `.dockerignore leaves ${context.length} files, without ${SOURCE_FILE}`,
        hint: 'Check which .dockerignore line matches it; `app/` must stay in the context.',
      });
    }
    const first = await lab.builtImage(ctx);
    if (!first.ok) throw new Error('image-builds should have stopped this check');

    // The learner's change, simulated on a copy of what `docker build` would send.
    const copy = await mkdtemp(join(tmpdir(), 'mlops-lab-rebuild-'));
    const tag = `${lab.imageTag(ctx)}-rebuild`;
    let steps: BuildStep[];
    let seconds: string;
    try {
      for (const f of context) {
        await mkdir(dirname(join(copy, f.path)), { recursive: true });
        await copyFile(join(ctx.workspace.dir, f.path), join(copy, f.path));
      }
      // A new line every run: a change BuildKit has seen before would come from its cache too.
      await appendFile(
        join(copy, SOURCE_FILE),
        `\n# a one-line code change by the grader, to test the build cache: ${randomBytes(8).toString('hex')}\n`,
      );
      ctx.progress('rebuilding after a code change');
      const rebuild = await ctx.docker.build({ contextDir: copy, tag, labels: lab.labels(ctx), signal: ctx.signal });
      if (!rebuild.ok) {
        return fail({
          message: `The image built from the workspace, but not after a one-line change to ${SOURCE_FILE}: ${rebuild.error}`,
          expected: 'the rebuild to succeed',
          actual: rebuild.logTail || rebuild.error,
          hint: 'Add a comment line to app/serve.py yourself and run `docker build -t loan-api .`.',
        });
      }
      steps = rebuild.steps;
      seconds = (rebuild.durationMs / 1000).toFixed(1);
    } finally {
      await rm(copy, { recursive: true, force: true });
      await ctx.docker.removeImage(tag);
    }
    if (steps.length === 0) {
      return {
        status: 'error',
        message: 'The build reported no BuildKit steps, so the cache status cannot be read.',
        hint: 'Unset MLOPS_LAB_DOCKER_BUILDER=legacy: this check needs BuildKit (Docker 18.09 or newer).',
      };
    }
    const installSteps = stepsOf(installs, steps);
    if (installSteps.length === 0) {
      return {
        status: 'error',
        message: `BuildKit's step list has no step for \`RUN ${squash(installs[0]!.args).slice(0, 80)}\`.`,
        hint: 'Rebuild by hand with `docker build --progress=plain .` and report the output to the lab authors.',
      };
    }
    const rebuilt = installSteps.filter((s) => !s.cached);
    if (rebuilt.length === 0) {
      const sourceCopies = stepsOf(
        instructions.filter((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && copies(i, SOURCE_FILE)),
        steps,
      ).filter((s) => !s.cached);
      return pass(
        `After a change to ${SOURCE_FILE} the rebuild took ${seconds} s: ${installSteps.map((s) => `\`${s.name}\``).join(', ')} was CACHED${sourceCopies.length ? `; only ${sourceCopies.map((s) => `\`${s.name}\``).join(', ')} and what follows ran again` : ''}.`,
      );
    }
    const install = installs.find((i) => stepsOf([i], rebuilt).length > 0) ?? installs[0]!;
    const culprit = instructions.find(
      (i) => i.stage === install.stage && i.line < install.line && (i.keyword === 'COPY' || i.keyword === 'ADD') && copies(i, SOURCE_FILE),
    );
    return fail({
      message: culprit
        ? `Line ${culprit.line} (\`${culprit.keyword} ${squash(culprit.args)}\`) copies ${SOURCE_FILE} before the install on line ${install.line}, so any code change invalidates the cache and the install runs again.`
        : `The install on line ${install.line} ran again after a change to ${SOURCE_FILE} alone.`,
      expected: `the install step CACHED when only ${SOURCE_FILE} changes`,
      actual: steps
        .filter((s) => /^\[[^\]]*\d+\/\d+\]/.test(s.name) && !/\]\s*FROM\s/.test(s.name))
        .map((s) => `${s.cached ? 'CACHED ' : 'ran    '} ${s.name.slice(0, 110)}`)
        .join('\n'),
      hint: culprit
        ? `Before line ${install.line}, copy only what the install reads (\`COPY requirements.lock ./\`, \`COPY wheels/ wheels/\`, \`COPY tools/install_wheels.py tools/\`); move \`${culprit.keyword} ${squash(culprit.args)}\` below the install as \`COPY app/ app/\`.`
        : 'Move every COPY of app/ below the install; the install may only depend on the lockfile, the wheels and the installer.',
    });
  },
});
